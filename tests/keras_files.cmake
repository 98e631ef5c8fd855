# Keras files (issue 5): shared test helpers in the unit-test binary, the structural comparison
# with real Keras files (python3-h5py), and the libFuzzer targets (clang).
target_sources(kerascpp_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/support/keras_files.cpp)
