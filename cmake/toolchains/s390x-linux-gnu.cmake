# SPDX-License-Identifier: BSD-2-Clause
# Cross build for s390x Linux with Debian's cross compiler (gcc-s390x-linux-gnu) and
# multiarch libraries (libcmocka-dev:s390x); ctest runs each test under qemu-user.
# scripts/cross-test.sh s390x installs all of it and uses this file:
#   cmake -S . -B build-cross-s390x --toolchain cmake/toolchains/s390x-linux-gnu.cmake
set(XA_CROSS_TRIPLE s390x-linux-gnu)
include(${CMAKE_CURRENT_LIST_DIR}/linux-gnu-common.cmake)
