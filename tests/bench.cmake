# The benchmarks are not tests, but CI runs them in a quick mode so they cannot rot (label
# "bench"): the first-model runner (kerascpp only, 1 epoch, no peers) and the kernel comparison.
if(KERASCPP_BUILD_BENCH)
  add_test(NAME bench_first_model_quick
           COMMAND ${PROJECT_SOURCE_DIR}/bench/run_first_model.sh --quick
                   --bin $<TARGET_FILE_DIR:first_model_bench> --build ${PROJECT_BINARY_DIR}/bench-run)
  add_test(NAME bench_kernels_quick COMMAND kernels_bench --quick)
  set_tests_properties(bench_first_model_quick bench_kernels_quick PROPERTIES LABELS bench TIMEOUT 600)
  set_tests_properties(bench_first_model_quick PROPERTIES SKIP_RETURN_CODE 77)
endif()
