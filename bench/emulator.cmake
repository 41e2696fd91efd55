# SPDX-License-Identifier: BSD-2-Clause
# Emulator benchmark: one whole MMIO exit (run under callgrind; see the source's comment).
# The unicorn comparison is built when libunicorn-dev is installed.
add_executable(emulator_mmio ${CMAKE_CURRENT_SOURCE_DIR}/emulator_mmio.c
                             ${CMAKE_CURRENT_SOURCE_DIR}/flat_hv.c)
target_link_libraries(emulator_mmio PRIVATE x86assist_static)
if(PKG_CONFIG_FOUND)
  pkg_check_modules(UNICORN QUIET IMPORTED_TARGET unicorn)
endif()
if(UNICORN_FOUND)
  target_compile_definitions(emulator_mmio PRIVATE XA_BENCH_UNICORN)
  target_link_libraries(emulator_mmio PRIVATE PkgConfig::UNICORN)
endif()

# String engine: REP MOVSB throughput against memcpy, REP OUTSB/INSB port calls and cost
# (see the source's comment).
add_executable(emulator_string ${CMAKE_CURRENT_SOURCE_DIR}/emulator_string.c
                               ${CMAKE_CURRENT_SOURCE_DIR}/flat_hv.c)
target_link_libraries(emulator_string PRIVATE x86assist_static)
