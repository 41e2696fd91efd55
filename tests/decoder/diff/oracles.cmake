# SPDX-License-Identifier: BSD-2-Clause
# The independent oracles of the decoder: Zydis 4.0 (no .pc file: found by header and
# library) and capstone 4.0.2 (pkg-config). Included by tests/decoder/diff, fuzz/ and bench/;
# sets XA_HAVE_ORACLES and XA_DIFF_SOURCES (the harness library's sources, for targets
# built outside this folder) and defines the interface target xa_oracles.
set(XA_DIFF_DIR ${CMAKE_CURRENT_LIST_DIR})
set(XA_DIFF_SOURCES ${XA_DIFF_DIR}/ref_ours.c ${XA_DIFF_DIR}/ref_zydis.c
    ${XA_DIFF_DIR}/ref_capstone.c ${XA_DIFF_DIR}/compare.c ${XA_DIFF_DIR}/allowlist.c
    ${XA_DIFF_DIR}/elf_text.c ${XA_DIFF_DIR}/sweep.c)
if(TARGET xa_oracles)   # already found from another directory
  set(XA_HAVE_ORACLES ON)
  return()
endif()
find_path(XA_ZYDIS_INCLUDE_DIR Zydis/Zydis.h)
find_library(XA_ZYDIS_LIBRARY Zydis)
find_library(XA_ZYCORE_LIBRARY Zycore)
find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND)
  pkg_check_modules(CAPSTONE QUIET IMPORTED_TARGET GLOBAL capstone)
endif()
if(XA_ZYDIS_INCLUDE_DIR AND XA_ZYDIS_LIBRARY AND XA_ZYCORE_LIBRARY AND CAPSTONE_FOUND)
  set(XA_HAVE_ORACLES ON)
  add_library(xa_oracles INTERFACE)
  target_include_directories(xa_oracles SYSTEM INTERFACE ${XA_ZYDIS_INCLUDE_DIR})
  target_link_libraries(xa_oracles INTERFACE ${XA_ZYDIS_LIBRARY} ${XA_ZYCORE_LIBRARY}
                        PkgConfig::CAPSTONE)
  message(STATUS "decoder oracles: Zydis ${XA_ZYDIS_LIBRARY}, capstone ${CAPSTONE_VERSION}")
else()
  set(XA_HAVE_ORACLES OFF)
  message(STATUS "decoder oracles: Zydis or capstone not found (libzydis-dev, "
                 "libcapstone-dev): the differential tests, fuzzers and benchmark are skipped")
endif()
