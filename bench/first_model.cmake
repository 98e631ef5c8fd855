# The first-model benchmark (issue 8): kerascpp's timing program and the kernel comparison.
# bench/run_first_model.sh runs them with the PyTorch and libtorch peers (bench/peers/).
foreach(program first_model_bench kernels_bench)
  add_executable(${program} ${CMAKE_CURRENT_SOURCE_DIR}/${program}.cpp)
  target_link_libraries(${program} PRIVATE kerascpp::kerascpp PkgConfig::OPENBLAS)
  kerascpp_target_options(${program})
endforeach()
