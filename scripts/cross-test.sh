#!/usr/bin/env bash
# Cross-builds the library and its unit tests for another architecture and runs them
# under qemu-user (ctest with CMAKE_CROSSCOMPILING_EMULATOR):
#   scripts/cross-test.sh aarch64     little-endian, unsigned char
#   scripts/cross-test.sh s390x       big-endian, unsigned char
# Installs what is missing first (Debian 12, as root): the cross gcc, qemu-user, and
# cmocka for the target through multiarch. Builds in build-cross-ARCH with the toolchain
# file cmake/toolchains/ARCH-linux-gnu.cmake, without the command-line tool and the
# benchmarks (XA_CROSS_TOOLS=ON builds the tool too, with jansson for the target, and runs
# its tests under qemu as well). Left out, by design:
#   - the native-CPU differential test (tests/emulator/native): runs x86 code on the host
#     CPU; on any other host it exits 77, which ctest reports as skipped;
#   - the decoder differential tests: they need Zydis and capstone built for the target,
#     which are not installed, so CMake does not add them;
#   - the package test (label "package"): it builds and runs an out-of-tree consumer with
#     the host's tools and does not know about cross builds.
# Environment: XA_JOBS (default 2), XA_CROSS_TOOLS (default OFF).
set -euo pipefail
cd "$(dirname "$0")/.."

arch=${1:-}
case $arch in
  aarch64) debarch=arm64 ;;
  s390x) debarch=s390x ;;
  *) echo "usage: $0 aarch64|s390x" >&2; exit 2 ;;
esac
triple=$arch-linux-gnu
jobs=${XA_JOBS:-2}
tools=${XA_CROSS_TOOLS:-OFF}
build=build-cross-$arch
start=$SECONDS

# ---- what the cross build needs -------------------------------------------------------
packages=(cmake pkg-config gcc-"$triple" libc6-dev-"$debarch"-cross qemu-user
          libcmocka-dev:"$debarch")
[[ $tools == ON ]] && packages+=(libjansson-dev:"$debarch")
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
missing=()
for p in "${packages[@]}"; do
  # qemu-user-static provides the same emulators
  [[ $p == qemu-user ]] && installed qemu-user-static && continue
  installed "$p" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "cross-test: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt=(apt-get -o DPkg::Lock::Timeout=600 -qq)
  dpkg --print-foreign-architectures | grep -qx "$debarch" || dpkg --add-architecture "$debarch"
  "${apt[@]}" update
  "${apt[@]}" install -y --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v "qemu-$arch" >/dev/null || command -v "qemu-$arch-static" >/dev/null ||
  { echo "cross-test: qemu-$arch not found" >&2; exit 1; }

# ---- build and test -------------------------------------------------------------------
echo "== $arch: configure ($build)"
cmake -S . -B "$build" --toolchain "$PWD/cmake/toolchains/$triple.cmake" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXA_TOOLS="$tools" -DXA_BENCH=OFF -DXA_FUZZ=OFF \
  >/dev/null
echo "== $arch: build"
cmake --build "$build" -j"$jobs"
echo "== $arch: tests under qemu-$arch"
ctest --test-dir "$build" --output-on-failure -j"$jobs" -LE '^package$'
echo "== $arch: passed ($((SECONDS - start)) s)"
