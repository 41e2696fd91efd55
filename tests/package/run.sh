#!/usr/bin/env bash
# The package check (ctest -L package; see cmake/install.cmake):
#   tests/package/run.sh BUILD_DIR [CC [CFLAGS]]
# installs the already built BUILD_DIR into a temporary prefix, moves the prefix
# (the CMake package and the .pc file must be relocatable), checks what was
# installed (SONAME with the major version, only xa_ symbols exported), then
# builds tests/package/consumer.c out of tree against it four ways and runs it:
# find_package(x86assist) with x86assist::x86assist (shared) and
# x86assist::x86assist_static, and pkg-config (shared, and static).
# CC and CFLAGS are those of BUILD_DIR (a sanitizer build needs its flags).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: run.sh BUILD_DIR [CC [CFLAGS]]}" && pwd)
cc=${2:-${CC:-cc}}
cflags=${3:-${CFLAGS:-}}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xa-package.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "package: FAIL: $*" >&2; exit 1; }

echo "-- install $build"
cmake --install "$build" --prefix "$tmp/staged" >/dev/null
mv "$tmp/staged" "$tmp/prefix"          # nothing may remember the install path
prefix=$tmp/prefix

pc=$(find "$prefix" -name x86assist.pc -print -quit)
[[ -n $pc ]] || fail "no x86assist.pc installed"
libdir=$(dirname "$(dirname "$pc")")
config=$(find "$prefix" -name x86assistConfig.cmake -print -quit)
[[ -n $config ]] || fail "no x86assistConfig.cmake installed"
for f in x86assist.h decoder.h mnemonics.h mmu.h emulator.h; do
  [[ -f $prefix/include/x86assist/$f ]] || fail "header $f not installed"
done
[[ -f $libdir/libx86assist.a ]] || fail "no libx86assist.a in $libdir"
version=$(sed -n 's/^#define XA_VERSION_STRING "\(.*\)"/\1/p' "$prefix/include/x86assist/x86assist.h")
major=${version%%.*}
[[ -f $libdir/libx86assist.so.$version && -L $libdir/libx86assist.so.$major &&
   -L $libdir/libx86assist.so ]] || fail "shared library files for $version missing"
soname=$(readelf -d "$libdir/libx86assist.so.$version" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[[ $soname == "libx86assist.so.$major" ]] || fail "SONAME is '$soname', not libx86assist.so.$major"
echo "   version $version, SONAME $soname"

echo "-- exported symbols (nm -D --defined-only)"
syms=$(nm -D --defined-only "$libdir/libx86assist.so" | awk '{print $NF}')
others=$(grep -v '^xa_' <<<"$syms" || true)
[[ -z $others ]] || fail "the shared library exports symbols outside xa_: $(tr '\n' ' ' <<<"$others")"
for s in xa_version xa_status_name xa_decode xa_format xa_walk xa_translate xa_vcpu_init \
         xa_assist_mmio; do
  grep -qx "$s" <<<"$syms" || fail "$s is not exported"
done
echo "   $(wc -l <<<"$syms") symbols, all xa_"

check_run() { # check_run BINARY shared|static
  local out
  out=$("$1") || fail "$1 failed: $out"
  grep -q "decode: mov ecx, dword ptr \[rsp+0x8\]" <<<"$out" || fail "$1 printed: $out"
  if readelf -d "$1" | grep -q 'NEEDED.*libx86assist\.so'; then
    [[ $2 == shared ]] || fail "$1 should be linked statically"
    readelf -d "$1" | grep -q "NEEDED.*\[libx86assist\.so\.$major\]" ||
      fail "$1 does not need libx86assist.so.$major"
  else
    [[ $2 == static ]] || fail "$1 should need libx86assist.so.$major"
  fi
  echo "   ok ($2)"
}

for link in shared static; do
  echo "-- find_package(x86assist), $link"
  cmake -S "$here" -B "$tmp/cmake-$link" -DCMAKE_PREFIX_PATH="$prefix" -DXA_LINK="$link" \
    -DCMAKE_C_COMPILER="$cc" -DCMAKE_C_FLAGS="$cflags" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$tmp/cmake-$link" >/dev/null
  check_run "$tmp/cmake-$link/consumer" "$link"
done

echo "-- pkg-config"
export PKG_CONFIG_PATH=$libdir/pkgconfig
[[ $(pkg-config --modversion x86assist) == "$version" ]] || fail "pkg-config --modversion"
# shellcheck disable=SC2046,SC2086  # word splitting of flags is intended
{
  "$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror $cflags $(pkg-config --cflags x86assist) \
    -o "$tmp/pc-shared" "$here/consumer.c" $(pkg-config --libs x86assist) \
    -Wl,-rpath,"$(pkg-config --variable=libdir x86assist)"
  check_run "$tmp/pc-shared" shared
  "$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror $cflags $(pkg-config --cflags x86assist) \
    -o "$tmp/pc-static" "$here/consumer.c" $(pkg-config --libs-only-L x86assist) \
    -Wl,-Bstatic $(pkg-config --static --libs-only-l x86assist) -Wl,-Bdynamic
  check_run "$tmp/pc-static" static
}
echo "package: all checks passed"
