# `cmake --install` puts the headers, the CMake package (jiggle::jiggle, with Eigen, zlib and
# OpenMP found again through find_dependency; jiggle::distributed where MPI is found) and a
# pkg-config file in place. The version comes
# from project(VERSION) alone.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/jiggle DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS jiggle EXPORT jiggleTargets)
set(JIGGLE_CMAKE_DIR ${CMAKE_INSTALL_DATADIR}/cmake/jiggle)  # architecture-independent: header-only
install(EXPORT jiggleTargets NAMESPACE jiggle:: DESTINATION ${JIGGLE_CMAKE_DIR})
# jiggle::distributed in a file of its own, which the package loads only where MPI is found.
if(TARGET jiggle_distributed)
  set_target_properties(jiggle_distributed PROPERTIES EXPORT_NAME distributed)
  install(TARGETS jiggle_distributed EXPORT jiggleDistributedTargets)
  install(EXPORT jiggleDistributedTargets NAMESPACE jiggle:: DESTINATION ${JIGGLE_CMAKE_DIR})
endif()

# jiggle::kernels is built in the user's own tree from the kernels' source, installed as data.
set(JIGGLE_KERNELS_SOURCE ${CMAKE_INSTALL_DATADIR}/jiggle/kernels.cpp)
install(FILES ${PROJECT_SOURCE_DIR}/cmake/kernels.cpp DESTINATION ${CMAKE_INSTALL_DATADIR}/jiggle)
install(FILES ${PROJECT_SOURCE_DIR}/cmake/JiggleKernels.cmake DESTINATION ${JIGGLE_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/jiggleConfig.cmake.in
  ${PROJECT_BINARY_DIR}/jiggleConfig.cmake INSTALL_DESTINATION ${JIGGLE_CMAKE_DIR}
  PATH_VARS JIGGLE_KERNELS_SOURCE)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/jiggleConfigVersion.cmake
  COMPATIBILITY SameMajorVersion ARCH_INDEPENDENT)
install(FILES ${PROJECT_BINARY_DIR}/jiggleConfig.cmake ${PROJECT_BINARY_DIR}/jiggleConfigVersion.cmake
  DESTINATION ${JIGGLE_CMAKE_DIR})

if(OpenMP_CXX_FOUND)
  string(REPLACE ";" " " JIGGLE_PC_OPENMP_FLAGS "${OpenMP_CXX_FLAGS}")
else()
  set(JIGGLE_PC_OPENMP_FLAGS "")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/jiggle.pc.in ${PROJECT_BINARY_DIR}/jiggle.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/jiggle.pc DESTINATION ${CMAKE_INSTALL_DATADIR}/pkgconfig)
