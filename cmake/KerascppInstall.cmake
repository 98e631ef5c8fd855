# `cmake --install` lays out headers, the library, a CMake package (find_package(kerascpp) ->
# kerascpp::kerascpp) and a pkg-config file.
include(CMakePackageConfigHelpers)

set_target_properties(kerascpp PROPERTIES INSTALL_RPATH "${CMAKE_INSTALL_FULL_LIBDIR}")
install(TARGETS kerascpp EXPORT kerascppTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/keras DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT kerascppTargets NAMESPACE kerascpp:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/kerascpp)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/kerascppConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/kerascppConfig.cmake
                              INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/kerascpp)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/kerascppConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/kerascppConfig.cmake ${PROJECT_BINARY_DIR}/kerascppConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/kerascpp)
configure_file(${PROJECT_SOURCE_DIR}/cmake/kerascpp.pc.in ${PROJECT_BINARY_DIR}/kerascpp.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/kerascpp.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
