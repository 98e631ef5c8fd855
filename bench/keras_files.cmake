# Save/load speed and file sizes of the Keras formats (docs/benchmarks.md, "Keras files").
add_executable(keras_files_bench ${CMAKE_CURRENT_SOURCE_DIR}/keras_files.cpp)
target_link_libraries(keras_files_bench PRIVATE kerascpp::kerascpp)
kerascpp_target_options(keras_files_bench)
