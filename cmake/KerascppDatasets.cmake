# Libraries of the data set loaders and file formats (issue 3): libcurl (downloads), OpenSSL's
# libcrypto (SHA-256), libzip (.npz and other zip files), libdeflate (fast whole-buffer gzip).
# Debian packages: tools/deps/datasets.txt. Included after the kerascpp target exists.
find_package(CURL REQUIRED)
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
# pkg-config, not libzip-config.cmake: Debian 12's CMake file demands the zipcmp tools too.
pkg_check_modules(LIBZIP REQUIRED IMPORTED_TARGET libzip)
pkg_check_modules(LIBDEFLATE REQUIRED IMPORTED_TARGET libdeflate)

target_link_libraries(kerascpp PRIVATE CURL::libcurl OpenSSL::Crypto PkgConfig::LIBZIP PkgConfig::LIBDEFLATE)
