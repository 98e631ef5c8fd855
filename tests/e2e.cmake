# Slow tests on real data and programs: not part of the sanitizer run (label e2e/example/install).

add_executable(kerascpp_e2e_tests ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_first_model_accuracy.cpp
                                  ${CMAKE_CURRENT_SOURCE_DIR}/support/test_support.cpp)
target_include_directories(kerascpp_e2e_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(kerascpp_e2e_tests PRIVATE kerascpp::kerascpp GTest::gtest GTest::gtest_main)
target_compile_definitions(kerascpp_e2e_tests PRIVATE KERASCPP_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
kerascpp_target_options(kerascpp_e2e_tests)
gtest_discover_tests(kerascpp_e2e_tests PROPERTIES LABELS e2e TIMEOUT 600 DISCOVERY_TIMEOUT 60)

# `cmake --install` gives a package that find_package(kerascpp) consumes: install into the build
# tree, then configure, build and run a tiny consumer project against it.
add_test(NAME install.find_package
  COMMAND ${CMAKE_COMMAND} -DBUILD_DIR=${PROJECT_BINARY_DIR} -DSOURCE_DIR=${CMAKE_CURRENT_SOURCE_DIR}/consumer
          -DWORK_DIR=${PROJECT_BINARY_DIR}/consumer-test -P ${CMAKE_CURRENT_SOURCE_DIR}/consumer/run.cmake)
set_tests_properties(install.find_package PROPERTIES LABELS install TIMEOUT 600
                     PASS_REGULAR_EXPRESSION "consumer: 101770 parameters")
