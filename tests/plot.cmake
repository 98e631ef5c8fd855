# Pictures (keras::plot). The unit tests (test_plot.cpp) decode the PNGs with libpng; this adds
# libpng to the unit-test binary and a program test: first_model draws both pictures.
find_package(PNG REQUIRED)
target_sources(kerascpp_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/support/png_image.cpp)
target_link_libraries(kerascpp_tests PRIVATE PNG::PNG)

if(KERASCPP_BUILD_EXAMPLES)
  add_test(NAME plot_first_model_pictures
           COMMAND ${CMAKE_COMMAND} -DFIRST_MODEL=$<TARGET_FILE:first_model>
                   -DOUT=${CMAKE_CURRENT_BINARY_DIR}/first_model_pictures
                   -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
                   -P ${CMAKE_CURRENT_SOURCE_DIR}/plot/first_model_pictures.cmake)
  set_tests_properties(plot_first_model_pictures PROPERTIES LABELS "example;plot" TIMEOUT 300
                       SKIP_REGULAR_EXPRESSION "SKIPPED:")
endif()
