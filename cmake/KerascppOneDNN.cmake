# Convolutions through oneDNN (Debian: libdnnl-dev). Found by header and library rather than
# with dnnl's CMake package, which drags in OpenCL development files kerascpp does not need.
# OpenMP (libgomp, oneDNN's threading runtime) is linked so kerascpp can pin its thread count.
# Without oneDNN, convolutions fall back to im2col + BLAS.
option(KERASCPP_ONEDNN "Use oneDNN (libdnnl) for convolutions when it is installed" ON)
set(KERASCPP_HAVE_ONEDNN 0)
if(KERASCPP_ONEDNN)
  find_path(KERASCPP_DNNL_INCLUDE oneapi/dnnl/dnnl.h)
  find_library(KERASCPP_DNNL_LIBRARY dnnl)
  find_package(OpenMP COMPONENTS CXX)
  if(KERASCPP_DNNL_INCLUDE AND KERASCPP_DNNL_LIBRARY AND OpenMP_CXX_FOUND)
    set(KERASCPP_HAVE_ONEDNN 1)
    target_include_directories(kerascpp SYSTEM PRIVATE ${KERASCPP_DNNL_INCLUDE})
    target_link_libraries(kerascpp PRIVATE ${KERASCPP_DNNL_LIBRARY} OpenMP::OpenMP_CXX)
    message(STATUS "kerascpp: convolutions through oneDNN (${KERASCPP_DNNL_LIBRARY})")
  else()
    message(WARNING "kerascpp: oneDNN (libdnnl-dev) not found; convolutions use im2col + BLAS. "
                    "Install it with tools/install-deps.sh, or pass -DKERASCPP_ONEDNN=OFF.")
  endif()
endif()
target_compile_definitions(kerascpp PRIVATE KERASCPP_HAVE_ONEDNN=${KERASCPP_HAVE_ONEDNN})
