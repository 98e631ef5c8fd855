# Keras files (issue 5): shared test helpers in the unit-test binary, the structural comparison
# with real Keras files (python3-h5py), and the libFuzzer targets (clang).
target_sources(kerascpp_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/support/keras_files.cpp)

# --- Structure: kerascpp-written files against the real Keras fixture files (python3-h5py) ----
add_executable(keras_files_write_models ${CMAKE_CURRENT_SOURCE_DIR}/keras_files/write_models.cpp)
target_link_libraries(keras_files_write_models PRIVATE kerascpp::kerascpp)
kerascpp_target_options(keras_files_write_models)

set(KERASCPP_FIXTURE_MODELS ${PROJECT_SOURCE_DIR}/../shared/fixtures/keras-models)
set(KERASCPP_WRITTEN_MODELS ${CMAKE_CURRENT_BINARY_DIR}/keras_files_written)
# Debian's h5py lives in the system python (a pyenv python3 on PATH may lack it).
set(KERASCPP_H5PY_PYTHON "")
foreach(candidate /usr/bin/python3 python3)
  find_program(_kerascpp_py NAMES ${candidate} NO_CACHE)
  if(_kerascpp_py)
    execute_process(COMMAND ${_kerascpp_py} -c "import h5py, numpy" RESULT_VARIABLE _kerascpp_rc
                    OUTPUT_QUIET ERROR_QUIET)
    if(_kerascpp_rc EQUAL 0)
      set(KERASCPP_H5PY_PYTHON ${_kerascpp_py})
      break()
    endif()
  endif()
  unset(_kerascpp_py)
endforeach()

add_test(NAME keras_files_write_models COMMAND keras_files_write_models ${KERASCPP_WRITTEN_MODELS})
set_tests_properties(keras_files_write_models PROPERTIES FIXTURES_SETUP keras_files_written LABELS keras_files)
if(KERASCPP_H5PY_PYTHON)
  add_test(NAME keras_files_structure
           COMMAND ${KERASCPP_H5PY_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/keras_files/compare_structure.py
                   ${KERASCPP_FIXTURE_MODELS} ${KERASCPP_WRITTEN_MODELS})
else()
  add_test(NAME keras_files_structure
           COMMAND ${CMAKE_COMMAND} -E echo "SKIP: python3-h5py is not installed (tools/install-deps.sh)")
  set(_kerascpp_skip_regex "SKIP:")
endif()
set_tests_properties(keras_files_structure PROPERTIES FIXTURES_REQUIRED keras_files_written SKIP_RETURN_CODE 77
                                                       LABELS keras_files)
if(_kerascpp_skip_regex)
  set_tests_properties(keras_files_structure PROPERTIES SKIP_REGULAR_EXPRESSION ${_kerascpp_skip_regex})
endif()

# --- libFuzzer: config JSON and .keras archive parsing, under ASan + UBSan (needs clang) --------
# Builds tests/fuzz as its own clang project, then runs each target for 60 s
# (KERASCPP_FUZZ_SECONDS overrides). Label "fuzz": `ctest -LE fuzz` leaves it out.
find_program(KERASCPP_CLANGXX NAMES clang++ clang++-14 clang++-15 clang++-16)
if(KERASCPP_CLANGXX)
  add_test(NAME keras_files_fuzz
           COMMAND ${CMAKE_COMMAND} -DCLANGXX=${KERASCPP_CLANGXX} -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
                   -DBINARY_DIR=${CMAKE_CURRENT_BINARY_DIR}/fuzz -DSECONDS=60
                   -P ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/run_fuzzers.cmake)
  set_tests_properties(keras_files_fuzz PROPERTIES LABELS "fuzz;slow" TIMEOUT 1800 RUN_SERIAL TRUE)
else()
  add_test(NAME keras_files_fuzz COMMAND ${CMAKE_COMMAND} -E echo "SKIP: clang++ not found; fuzzing skipped")
  set_tests_properties(keras_files_fuzz PROPERTIES LABELS "fuzz" SKIP_REGULAR_EXPRESSION "SKIP:")
endif()
