# Loading MNIST from its four .gz files into memory (issue 3; target: at most 0.4 s), and the
# gzip decoders compared side by side: zlib's streaming gzread vs libdeflate's whole buffer.
add_executable(load_mnist ${CMAKE_CURRENT_SOURCE_DIR}/load_mnist.cpp)
target_link_libraries(load_mnist PRIVATE kerascpp::kerascpp ZLIB::ZLIB PkgConfig::LIBDEFLATE)
kerascpp_target_options(load_mnist)
