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
  dict=fuzz/${name%%_*}.dict
  [[ -f $dict ]] && args+=(-dict="$dict")
  [[ $name == mmu_walk ]] && args+=(-max_len=16384)   # page-table memory needs room
  echo "-- $name"
  "$f" "${args[@]}" build/asan/fuzz-work/"$name" $( [[ -d $corpus ]] && echo "$corpus" ) 2>&1 | tail -n 12
done
echo "== all tests passed"
