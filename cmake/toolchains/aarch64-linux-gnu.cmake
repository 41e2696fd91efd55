# SPDX-License-Identifier: BSD-2-Clause
# Cross build for aarch64 Linux with Debian's cross compiler (gcc-aarch64-linux-gnu) and
# multiarch libraries (libcmocka-dev:arm64); ctest runs each test under qemu-user.
# scripts/cross-test.sh aarch64 installs all of it and uses this file:
#   cmake -S . -B build-cross-aarch64 --toolchain cmake/toolchains/aarch64-linux-gnu.cmake
set(XA_CROSS_TRIPLE aarch64-linux-gnu)
include(${CMAKE_CURRENT_LIST_DIR}/linux-gnu-common.cmake)
