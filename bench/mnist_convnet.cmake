# The MNIST convnet, one epoch, kerascpp vs PyTorch (bench/mnist_convnet.sh; docs/benchmarks.md).
add_executable(mnist_convnet_bench ${CMAKE_CURRENT_SOURCE_DIR}/mnist_convnet_bench.cpp)
target_link_libraries(mnist_convnet_bench PRIVATE kerascpp::kerascpp)
kerascpp_target_options(mnist_convnet_bench)
