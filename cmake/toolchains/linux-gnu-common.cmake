# SPDX-License-Identifier: BSD-2-Clause
# Shared part of the <arch>-linux-gnu toolchain files: set XA_CROSS_TRIPLE, then include.
# Debian layout: the cross compiler is <triple>-gcc, its own libc is in /usr/<triple>, and
# multiarch packages (libcmocka-dev:<debian-arch>) install into /usr/lib/<triple>, which
# the cross compiler already searches. Libraries installed only for the build machine
# (x86-64 Zydis, capstone, jansson) are never found: what needs them is left out by the
# project's CMake (the decoder differential tests, the tool).
if(NOT XA_CROSS_TRIPLE)
  message(FATAL_ERROR "set XA_CROSS_TRIPLE before including linux-gnu-common.cmake")
endif()
string(REGEX REPLACE "-.*" "" _xa_cpu "${XA_CROSS_TRIPLE}")

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR ${_xa_cpu})
set(CMAKE_C_COMPILER ${XA_CROSS_TRIPLE}-gcc)
set(CMAKE_LIBRARY_ARCHITECTURE ${XA_CROSS_TRIPLE})

# Libraries, headers and packages: /usr/<triple> and the multiarch /usr/lib/<triple>
# (CMAKE_LIBRARY_ARCHITECTURE), never the build machine's x86-64 directories. Programs
# (python3, pkg-config) are the build machine's.
set(CMAKE_FIND_ROOT_PATH /usr/${XA_CROSS_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
set(CMAKE_IGNORE_PATH /usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu
                      /usr/lib/x86_64-linux-gnu/cmake)

# pkg-config: the target's .pc files only (cmocka.pc from libcmocka-dev:<arch>).
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/${XA_CROSS_TRIPLE}/pkgconfig:/usr/share/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "")

# ctest (and any add_test COMMAND naming a target) runs the program under qemu-user: the
# loader and libc from /usr/<triple> (libc6-<arch>-cross), the other libraries from
# /usr/lib/<triple> (multiarch). The loader must use the libc of its own package: the
# multiarch libc6:<arch> is often a different build, and the host's ld.so.cache would
# pick it (s390x: "stack smashing detected" before main), hence LD_LIBRARY_PATH.
find_program(XA_QEMU NAMES qemu-${_xa_cpu} qemu-${_xa_cpu}-static)
if(XA_QEMU)
  set(CMAKE_CROSSCOMPILING_EMULATOR
      ${XA_QEMU} -L /usr/${XA_CROSS_TRIPLE}
      -E LD_LIBRARY_PATH=/usr/${XA_CROSS_TRIPLE}/lib:/usr/lib/${XA_CROSS_TRIPLE})
endif()
