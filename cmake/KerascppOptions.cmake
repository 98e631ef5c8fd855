# Compiler flags shared by every kerascpp target.
include(GNUInstallDirs)

set(KERASCPP_WARNINGS -Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor -Wcast-align
                      -Woverloaded-virtual -Wnull-dereference)
# GCC 12 reports false -Wrestrict errors inside std::string's operator+ at -O3 (GCC PR 105651).
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  list(APPEND KERASCPP_WARNINGS -Wno-restrict)
endif()

function(kerascpp_target_options target)
  target_compile_options(${target} PRIVATE ${KERASCPP_WARNINGS})
  if(KERASCPP_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(CMAKE_BUILD_TYPE STREQUAL "Release")
    target_compile_options(${target} PRIVATE -O3)
  endif()
  if(KERASCPP_NATIVE)
    target_compile_options(${target} PRIVATE -march=native)
  endif()
endfunction()

if(KERASCPP_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
