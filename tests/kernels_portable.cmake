# The portable kernel path (no AVX2: BLAS and plain loops), selected with KERASCPP_DISABLE_AVX2=1,
# must pass the same kernel and training tests as the hand-written AVX2 path.
add_test(NAME kernels_portable_path
         COMMAND kerascpp_tests --gtest_filter=*FastKernels*:Determinism.*:Threads.*)
set_tests_properties(kernels_portable_path PROPERTIES LABELS unit ENVIRONMENT KERASCPP_DISABLE_AVX2=1)
