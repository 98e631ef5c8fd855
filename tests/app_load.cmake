# Load and abuse test of `kerascpp serve` (label load; loopback only, 2 x 5 s of wrk): see
# tests/app/load_test.sh. Its figures for docs/benchmarks.md come from the same script.
add_test(NAME app_serve_load
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/app/load_test.sh $<TARGET_FILE:kerascpp_cli>
                 ${CMAKE_CURRENT_BINARY_DIR}/app/model.keras 5)
set_tests_properties(app_serve_load PROPERTIES LABELS load FIXTURES_REQUIRED app_model
                     SKIP_REGULAR_EXPRESSION "SKIPPED" TIMEOUT 120 RUN_SERIAL TRUE)
