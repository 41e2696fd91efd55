#!/usr/bin/env bash
# Installs what x86assist needs to build and test on Debian 12 (run as root).
# Installs only what is missing, so a second run is quick.
set -euo pipefail

packages=(
  build-essential cmake pkg-config python3   # build
  libjansson-dev                             # the command-line tool's JSON
  libcmocka-dev                              # unit tests
  libzydis-dev libcapstone-dev               # oracles for the differential tests
  clang libclang-rt-14-dev llvm              # sanitizers and libFuzzer
  clang-format                               # style check
  valgrind                                   # callgrind benchmarks
  libunicorn-dev                             # bench/emulator_mmio: the comparison (optional)
  doxygen                                    # API reference (docs/Doxyfile)
  zip unzip                                  # ClusterFuzzLite seed corpora (.clusterfuzzlite/)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "setup: all build and test dependencies present"
