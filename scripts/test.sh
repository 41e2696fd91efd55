#!/usr/bin/env bash
# Builds x86assist and runs every test: gcc, then clang with ASan+UBSan, then each
# libFuzzer target for a short bounded time. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
fuzz_seconds=${XA_FUZZ_SECONDS:-20}

echo "== generated tables are current"
python3 decoder/gen/gen_tables.py --check

echo "== formatting (clang-format)"
files=$(git ls-files '*.c' '*.h' 2>/dev/null | grep -v '^decoder/generated/' || true)
if [[ -n $files ]]; then
  clang-format --dry-run --Werror $files
fi

echo "== gcc build + tests"
cmake -S . -B build/gcc -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/gcc -j"$jobs"
ctest --test-dir build/gcc --output-on-failure -j"$jobs"

echo "== clang ASan+UBSan build + tests"
cmake -S . -B build/asan -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_C_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
  -DXA_FUZZ=ON >/dev/null
cmake --build build/asan -j"$jobs"
ctest --test-dir build/asan --output-on-failure -j"$jobs"

echo "== fuzz targets, ${fuzz_seconds}s each"
for f in build/asan/fuzz/*; do
  [[ -x $f && -f $f ]] || continue
  name=$(basename "$f")
  case $name in
    decoder_*) corpus=fuzz/corpus/decoder ;;
    *) corpus=fuzz/corpus/$name ;;
  esac
  mkdir -p build/asan/fuzz-work/"$name"
  args=(-max_total_time="$fuzz_seconds" -print_final_stats=1)
  dict=fuzz/$name.dict
  [[ -f $dict ]] || dict=fuzz/${name%%_*}.dict
  [[ -f $dict ]] && args+=(-dict="$dict")
  [[ $name == mmu_walk ]] && args+=(-max_len=16384)   # page-table memory needs room
  # capstone 4 is an oracle to report against, not to fail on (tests/decoder/diff/README.md)
  abort=1
  [[ $name == decoder_vs_capstone ]] && abort=0
  echo "-- $name"
  XA_DIFF_ABORT=$abort "$f" "${args[@]}" build/asan/fuzz-work/"$name" \
    $( [[ -d $corpus ]] && echo "$corpus" ) 2>&1 | tail -n 12
done

# ---------------------------------------------------------------------------------------
# Package, API reference, ClusterFuzzLite (issue 6). Appended section: the package check
# itself is the ctest test "package" (label package) of both builds above.
# ---------------------------------------------------------------------------------------
cflite_seconds=${XA_CFLITE_SECONDS:-4}

echo "== API reference (doxygen, warnings are errors)"
mkdir -p build
rm -rf build/doxygen
doxygen docs/Doxyfile
echo "-- build/doxygen/html/index.html"

echo "== ClusterFuzzLite build (.clusterfuzzlite/build.sh as OSS-Fuzz runs it)"
rm -rf build/cflite
mkdir -p build/cflite/out build/cflite/work
env CC=clang CXX=clang++ \
  CFLAGS="-fsanitize=fuzzer-no-link,address -O1 -g" \
  CXXFLAGS="-fsanitize=fuzzer-no-link,address -O1 -g" \
  LIB_FUZZING_ENGINE=-fsanitize=fuzzer SANITIZER=address FUZZING_ENGINE=libfuzzer \
  OUT="$PWD/build/cflite/out" WORK="$PWD/build/cflite/work" SRC="$PWD/build/cflite" \
  bash .clusterfuzzlite/build.sh >build/cflite/build.log 2>&1 ||
  { tail -n 40 build/cflite/build.log; exit 1; }

echo "== ClusterFuzzLite targets, ${cflite_seconds}s each (seed corpus, dictionary, options from \$OUT)"
cflite_count=0
for f in build/cflite/out/*; do
  [[ -f $f && -x $f ]] || continue
  name=$(basename "$f")
  out=build/cflite/out
  run=build/cflite/run/$name
  mkdir -p "$run/corpus" "$run/artifacts"
  [[ -f $out/${name}_seed_corpus.zip ]] || { echo "no seed corpus for $name" >&2; exit 1; }
  [[ -f $out/$name.dict ]] || { echo "no dictionary for $name" >&2; exit 1; }
  unzip -q -o -d "$run/corpus" "$out/${name}_seed_corpus.zip"
  args=(-max_total_time="$cflite_seconds" -print_final_stats=1 -dict="$out/$name.dict"
        -artifact_prefix="$run/artifacts/")
  if [[ -f $out/$name.options ]]; then
    while read -r key value; do args+=("-$key=$value"); done < <(
      sed -n 's/^\([a-z_]*\) *= *\(.*\)$/\1 \2/p' "$out/$name.options")
  fi
  abort=1
  [[ $name == decoder_vs_capstone ]] && abort=0
  echo "-- $name"
  XA_DIFF_ABORT=$abort "$f" "${args[@]}" "$run/corpus" 2>&1 | tail -n 4
  cflite_count=$((cflite_count + 1))
done
((cflite_count > 0)) || { echo "ClusterFuzzLite build produced no target" >&2; exit 1; }
echo "== package, API reference and ClusterFuzzLite checks passed"


# ---------------------------------------------------------------------------------------
# Portability (issue 6): the library and its unit tests cross-built for aarch64 (unsigned
# char) and s390x (big-endian) and run under qemu-user (scripts/cross-test.sh; it installs
# the cross compilers, qemu-user and the target's cmocka when missing). The native-CPU
# differential test reports skipped there; the decoder differential tests are not built.
# ---------------------------------------------------------------------------------------
scripts/cross-test.sh aarch64
scripts/cross-test.sh s390x
echo "== cross-architecture tests passed"

echo "== all tests passed"
