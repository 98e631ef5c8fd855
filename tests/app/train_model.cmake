# cmake -DKERASCPP=path -DOUTPUT=model.keras -P train_model.cmake
# Trains the tutorial's MLP for 2 epochs (the model of the predict, browser and load tests).
# Prints SKIPPED (the test's SKIP_REGULAR_EXPRESSION) when MNIST is missing.
file(REMOVE "${OUTPUT}")  # no stale model: without data, the tests that use it skip too
if(NOT DEFINED ENV{KERASCPP_DATA_DIR} OR NOT IS_DIRECTORY "$ENV{KERASCPP_DATA_DIR}")
  message("SKIPPED: set KERASCPP_DATA_DIR to the MNIST directory to train the test model")
  if("$ENV{KERASCPP_REQUIRE_DATA}" STREQUAL "1")
    message(FATAL_ERROR "MNIST is required (KERASCPP_REQUIRE_DATA=1)")
  endif()
  return()
endif()
execute_process(COMMAND "${KERASCPP}" train --epochs 2 --seed 1 --threads 2 --verbose 2 --output "${OUTPUT}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT rc EQUAL 0 OR NOT EXISTS "${OUTPUT}")
  message(FATAL_ERROR "kerascpp train failed (exit code ${rc})")
endif()
