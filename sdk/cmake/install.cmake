# Install rules for the SDK (component "sdk"): headers, static libraries, find_package config and
# pkg-config files. The config file is hand-written (not install(EXPORT)) because the in-tree
# targets carry build-tree include paths.
#   cmake --install build/<dir> --component sdk --prefix /opt/ariadne
include(GNUInstallDirs)
install(DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/include/ariadne
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT sdk)
install(TARGETS ariadne_sdk ariadne_exporter_in_memory ariadne_exporter_console
    ariadne_exporter_none ariadne_exporter_otlp_common ariadne_exporter_otlp_http
    ariadne_exporter_otlp_grpc ariadne_sampler_jaeger_remote ariadne_sdk_autoconfig ariadne_wire_otlp ariadne_wire_common
    ariadne_model ariadne_base
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT sdk)
configure_file(${CMAKE_CURRENT_SOURCE_DIR}/cmake/ariadneConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/ariadneConfig.cmake @ONLY)
include(CMakePackageConfigHelpers)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/ariadneConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/ariadneConfig.cmake
    ${CMAKE_CURRENT_BINARY_DIR}/ariadneConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ariadne COMPONENT sdk)
foreach(pc ariadne-api ariadne-sdk ariadne-exporter-otlp-http)
  configure_file(${CMAKE_CURRENT_SOURCE_DIR}/cmake/${pc}.pc.in ${CMAKE_CURRENT_BINARY_DIR}/${pc}.pc @ONLY)
  install(FILES ${CMAKE_CURRENT_BINARY_DIR}/${pc}.pc
    DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT sdk)
endforeach()
