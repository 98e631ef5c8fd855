# Keras files (.keras, .h5, .weights.h5): HDF5 for the weights, libzip for the .keras archive.
# Both stay private to the library: no kerascpp header includes them.
pkg_check_modules(HDF5 REQUIRED IMPORTED_TARGET hdf5)
pkg_check_modules(LIBZIP REQUIRED IMPORTED_TARGET libzip)
target_link_libraries(kerascpp PRIVATE PkgConfig::HDF5 PkgConfig::LIBZIP)
target_include_directories(kerascpp PRIVATE ${PROJECT_SOURCE_DIR}/src)
