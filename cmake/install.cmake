# SPDX-License-Identifier: BSD-2-Clause
# What `cmake --install` puts under the prefix (included by the top-level CMakeLists.txt):
#   lib/libx86assist.so.0.1.0, the SONAME link libx86assist.so.0 (major version) and the
#     development link libx86assist.so; lib/libx86assist.a
#   include/x86assist/*.h
#   lib/pkgconfig/x86assist.pc                         pkg-config --cflags --libs x86assist
#   lib/cmake/x86assist/x86assist{Config,ConfigVersion,Targets*}.cmake
#                                                      find_package(x86assist) ->
#                                                      x86assist::x86assist (shared),
#                                                      x86assist::x86assist_static
# Components: "runtime" is the shared library alone; "development" is the rest.
# tests/package/ builds a consumer against such an installation (ctest -L package).
include(CMakePackageConfigHelpers)

set(XA_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/x86assist CACHE STRING
    "Where the CMake package files go (relative to the prefix)")
mark_as_advanced(XA_CMAKE_DIR)

# The exported names: x86assist::x86assist and x86assist::x86assist_static.
set_target_properties(x86assist PROPERTIES EXPORT_NAME x86assist)
set_target_properties(x86assist_static PROPERTIES EXPORT_NAME x86assist_static)

install(TARGETS x86assist x86assist_static
  EXPORT x86assistTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT development
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT development
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/x86assist
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT development
  FILES_MATCHING PATTERN "*.h")

install(EXPORT x86assistTargets
  NAMESPACE x86assist::
  DESTINATION ${XA_CMAKE_DIR} COMPONENT development)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/x86assistConfig.cmake.in
  ${PROJECT_BINARY_DIR}/x86assistConfig.cmake
  INSTALL_DESTINATION ${XA_CMAKE_DIR})
# 0.x: a minor release may break the API (semantic versioning), so 0.1 accepts 0.1.*
# only; from 1.0 on, any later release of the same major version.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(_xa_compat SameMinorVersion)
else()
  set(_xa_compat SameMajorVersion)
endif()
write_basic_package_version_file(${PROJECT_BINARY_DIR}/x86assistConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY ${_xa_compat})
install(FILES ${PROJECT_BINARY_DIR}/x86assistConfig.cmake
              ${PROJECT_BINARY_DIR}/x86assistConfigVersion.cmake
  DESTINATION ${XA_CMAKE_DIR} COMPONENT development)

# pkg-config: paths relative to the .pc file (${pcfiledir}), so that
# `cmake --install build --prefix DIR` and a moved installation both work.
set(_xa_pcdir ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}" OR IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(XA_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
  set(XA_PC_LIBDIR "${CMAKE_INSTALL_FULL_LIBDIR}")
  set(XA_PC_INCLUDEDIR "${CMAKE_INSTALL_FULL_INCLUDEDIR}")
else()
  file(RELATIVE_PATH _xa_up /x/${_xa_pcdir} /x)          # "../.." for lib/pkgconfig
  string(REGEX REPLACE "/$" "" _xa_up "${_xa_up}")
  set(XA_PC_PREFIX "\${pcfiledir}/${_xa_up}")
  set(XA_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
  set(XA_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/x86assist.pc.in ${PROJECT_BINARY_DIR}/x86assist.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/x86assist.pc DESTINATION ${_xa_pcdir} COMPONENT development)

# ctest -L package: install this build into a temporary prefix and build a consumer
# against it out of tree (tests/package/run.sh).
if(XA_TESTS AND BUILD_TESTING AND NOT CMAKE_CROSSCOMPILING)  # the consumer runs on the build machine
  add_test(NAME package
    COMMAND bash ${PROJECT_SOURCE_DIR}/tests/package/run.sh ${PROJECT_BINARY_DIR}
            ${CMAKE_C_COMPILER} "${CMAKE_C_FLAGS}")
  set_tests_properties(package PROPERTIES LABELS package TIMEOUT 300)
endif()
