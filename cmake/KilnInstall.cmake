# `cmake --install build [--prefix DIR]`: the kiln and kilnc tools, the
# libraries and headers a model and a driver need, and the CMake package
# Kiln, so that another project can do
#   find_package(Kiln REQUIRED)
#   kiln_add_model(mymodel mymodel.cpp)        # DSL -> kilnc -> Halide AOT
#   target_link_libraries(app PRIVATE kiln_model_mymodel)   # and Kiln::runtime
#   kiln_add_cli(mykiln MODELS mymodel)        # a `kiln` for its models
# (examples/embedding, docs/packaging.md). The CMake functions are the same
# files Kiln's own tree uses; every target they name is Kiln::..., an alias
# here and an imported target there.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(KILN_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/Kiln)

# kilnc links Debian's libMLIR.so from /usr/lib/llvm-19/lib, which is not
# on the loader's path: the installed tools keep that directory as RPATH.
set_target_properties(kiln kilnc PROPERTIES INSTALL_RPATH_USE_LINK_PATH ON)

install(TARGETS kiln kilnc
        kiln_runtime kiln_cli kiln_dsl kiln_dsl_main
        kiln_halide_kernel_support kiln_halide_aot_main
        kiln_halide_generator_flags
        EXPORT KilnTargets
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        OBJECTS DESTINATION ${CMAKE_INSTALL_LIBDIR}/kiln)
install(EXPORT KilnTargets NAMESPACE Kiln::
        DESTINATION ${KILN_INSTALL_CMAKEDIR})

# The Halide runtime is an archive built by a program, not a CMake target.
get_target_property(halide_runtime kiln_halide_runtime IMPORTED_LOCATION)
install(FILES ${halide_runtime} DESTINATION ${CMAKE_INSTALL_LIBDIR})

install(DIRECTORY runtime/include/ dsl/include/ compiler/halide/include/
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
file(GLOB cli_headers ${PROJECT_SOURCE_DIR}/tools/kiln/*.h)
install(FILES ${cli_headers}
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/kiln/cli)

install(FILES
  cmake/KilnHalide.cmake cmake/KilnDsl.cmake cmake/KilnModel.cmake
  compiler/halide/KilnHalideKernels.cmake
  tools/kiln/KilnCli.cmake tools/kiln/main.cpp
  DESTINATION ${KILN_INSTALL_CMAKEDIR})

configure_package_config_file(cmake/KilnConfig.cmake.in
  ${PROJECT_BINARY_DIR}/KilnConfig.cmake
  INSTALL_DESTINATION ${KILN_INSTALL_CMAKEDIR}
  PATH_VARS CMAKE_INSTALL_LIBDIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/KilnConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/KilnConfig.cmake
        ${PROJECT_BINARY_DIR}/KilnConfigVersion.cmake
        DESTINATION ${KILN_INSTALL_CMAKEDIR})
