# Formatting is checked like everything else: every C++ source must be as tools/format.sh leaves
# it (the repo's .clang-format). Fix with `tools/format.sh`. Label "lint".
add_test(NAME lint.clang_format COMMAND ${PROJECT_SOURCE_DIR}/tools/format.sh --check)
set_tests_properties(lint.clang_format PROPERTIES LABELS lint)
