# Every dependency is a Debian -dev package installed by tools/install-deps.sh.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(ZLIB REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
pkg_check_modules(OPENBLAS REQUIRED IMPORTED_TARGET openblas)

function(kerascpp_link_dependencies target)
  target_link_libraries(${target} PUBLIC nlohmann_json::nlohmann_json
                                  PRIVATE PkgConfig::OPENBLAS ZLIB::ZLIB Threads::Threads)
  target_compile_definitions(${target} PRIVATE KERASCPP_HAVE_OPENBLAS=1)
endfunction()
