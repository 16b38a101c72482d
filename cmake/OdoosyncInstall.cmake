# Installs headers, the library, a CMake package (odoosyncConfig.cmake + version) and odoosync.pc.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS odoosync EXPORT odoosyncTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/odoosync DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(ODOOSYNC_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/odoosync)
install(EXPORT odoosyncTargets NAMESPACE odoosync:: DESTINATION ${ODOOSYNC_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/odoosyncConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/odoosyncConfig.cmake
                              INSTALL_DESTINATION ${ODOOSYNC_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/odoosyncConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/odoosyncConfig.cmake ${PROJECT_BINARY_DIR}/odoosyncConfigVersion.cmake
        DESTINATION ${ODOOSYNC_CMAKE_DIR})

# A static library needs its dependencies on the consumer's link line, so they are public Requires;
# a shared one hides them in Requires.private.
if(BUILD_SHARED_LIBS)
  set(ODOOSYNC_PC_REQUIRES "")
  set(ODOOSYNC_PC_REQUIRES_PRIVATE "libcurl fmt sqlite3 libcrypto libpq")
else()
  set(ODOOSYNC_PC_REQUIRES "libcurl fmt sqlite3 libcrypto libpq")
  set(ODOOSYNC_PC_REQUIRES_PRIVATE "")
endif()
# Relocatable: the .pc file finds the prefix from its own place, so `cmake --install --prefix X` works.
set(ODOOSYNC_PC_DIR "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
file(RELATIVE_PATH ODOOSYNC_PC_UP "/base/${ODOOSYNC_PC_DIR}" "/base")
set(ODOOSYNC_PC_PREFIX "\${pcfiledir}/${ODOOSYNC_PC_UP}")
set(ODOOSYNC_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
set(ODOOSYNC_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/odoosync.pc.in ${PROJECT_BINARY_DIR}/odoosync.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/odoosync.pc DESTINATION ${ODOOSYNC_PC_DIR})
