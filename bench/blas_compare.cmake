# OpenBLAS vs oneDNN on the first model's matrix products (needs libdnnl-dev; skipped without).
# Debian's dnnl CMake package insists on OpenCL, so the library is found directly.
find_library(KERASCPP_DNNL_LIBRARY dnnl)
find_path(KERASCPP_DNNL_INCLUDE oneapi/dnnl/dnnl.h)
if(KERASCPP_DNNL_LIBRARY AND KERASCPP_DNNL_INCLUDE)
  add_executable(blas_compare ${CMAKE_CURRENT_SOURCE_DIR}/blas_compare.cpp)
  target_include_directories(blas_compare PRIVATE ${KERASCPP_DNNL_INCLUDE})
  target_link_libraries(blas_compare PRIVATE PkgConfig::OPENBLAS ${KERASCPP_DNNL_LIBRARY})
  kerascpp_target_options(blas_compare)
else()
  message(STATUS "kerascpp: oneDNN not found; bench/blas_compare is not built")
endif()
