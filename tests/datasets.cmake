# Data set tests (issue 3): the unit tests talk to a real HTTP server on 127.0.0.1 (cpp-httplib,
# test support), and the IDX/NPZ readers are fuzzed (tests/fuzz_datasets/, label "fuzz").
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
target_sources(kerascpp_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/support/loopback_server.cpp
                                      ${CMAKE_CURRENT_SOURCE_DIR}/support/tiny_dataset.cpp)
target_link_libraries(kerascpp_tests PRIVATE PkgConfig::HTTPLIB)

# Fuzzing: built with clang at test time, so a machine without clang still builds everything.
# Each target runs KERASCPP_FUZZ_SECONDS on a scratch corpus grown from the committed seeds
# (tests/fuzz_datasets/corpus, made by tools/make-fuzz-seeds.py) and past crashes (tests/fuzz_datasets/regressions).
set(KERASCPP_FUZZ_SECONDS 60 CACHE STRING "Seconds each fuzz target runs in the fuzz tests")
find_program(KERASCPP_CLANGXX NAMES clang++ clang++-16 clang++-15 clang++-14)
if(NOT KERASCPP_CLANGXX)
  message(STATUS "kerascpp: clang++ not found; the fuzz tests (label fuzz) are skipped")
else()
  set(fuzz_src ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_datasets)
  set(fuzz_bin ${CMAKE_CURRENT_BINARY_DIR}/fuzz_datasets)
  add_test(NAME datasets.fuzz.build
           COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${fuzz_src} -DBINARY_DIR=${fuzz_bin} -DCXX=${KERASCPP_CLANGXX}
                   -P ${fuzz_src}/build.cmake)
  set_tests_properties(datasets.fuzz.build PROPERTIES FIXTURES_SETUP datasets_fuzz LABELS fuzz TIMEOUT 900)
  # Run through `cmake -E chdir`: the binaries only exist once the build test has run.
  foreach(kind idx npz)
    file(MAKE_DIRECTORY ${fuzz_bin}/corpus-${kind} ${fuzz_bin}/artifacts)
    set(dirs ${fuzz_bin}/corpus-${kind} ${fuzz_src}/corpus/${kind})
    if(EXISTS ${fuzz_src}/regressions/${kind})
      list(APPEND dirs ${fuzz_src}/regressions/${kind})
    endif()
    add_test(NAME datasets.fuzz.${kind}
             COMMAND ${CMAKE_COMMAND} -E chdir ${fuzz_bin} ./fuzz_${kind} -max_total_time=${KERASCPP_FUZZ_SECONDS} -timeout=10
                     -rss_limit_mb=2048 -malloc_limit_mb=256 -print_final_stats=1
                     -artifact_prefix=${fuzz_bin}/artifacts/${kind}- ${dirs})
    set_tests_properties(datasets.fuzz.${kind} PROPERTIES FIXTURES_REQUIRED datasets_fuzz LABELS fuzz
                         TIMEOUT 600)
  endforeach()
endif()
