#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build script of x86assist (see docs/fuzzing.md).
#
# The infrastructure runs it in the checkout with CC, CFLAGS (which carry
# -fsanitize=fuzzer-no-link and the sanitizer), LIB_FUZZING_ENGINE, OUT, WORK and SRC
# set. It builds every libFuzzer target of fuzz/ (fuzz/CMakeLists.txt links
# $LIB_FUZZING_ENGINE and adds no flags of its own when that is set) and puts in $OUT:
#   <target>                   the fuzz target
#   <target>_seed_corpus.zip   fuzz/corpus/<target>/ (the decoder_* targets share
#                              fuzz/corpus/decoder/)
#   <target>.dict              fuzz/<target>.dict, else fuzz/<prefix>.dict (decoder.dict)
#   <target>.options           fuzz/<target>.options, when there is one (max_len...)
#   lib/                       shared libraries a target needs that the runner lacks
#                              (the oracles, when only a shared build of them exists)
# scripts/test.sh runs it the same way in CI.

# The checkout: the working directory (where the infrastructure runs us), or the
# repository this script is in.
if [[ -f fuzz/CMakeLists.txt && -d .clusterfuzzlite ]]; then
  root=$PWD
else
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fi
: "${CC:?} ${CFLAGS?} ${LIB_FUZZING_ENGINE:?} ${OUT:?}"
WORK=${WORK:-$OUT/../work}
build=$WORK/x86assist-build
mkdir -p "$OUT" "$build"

# CMAKE_BUILD_TYPE None: the infrastructure's CFLAGS alone (no -O2/-DNDEBUG of ours).
cmake -S "$root" -B "$build" \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_BUILD_TYPE=None \
  -DCMAKE_BUILD_RPATH='$ORIGIN/lib' \
  -DXA_FUZZ=ON -DXA_TESTS=OFF -DXA_TOOLS=OFF -DXA_BENCH=OFF -DXA_EXAMPLES=OFF -DXA_INSTALL=OFF -DXA_WERROR=OFF
cmake --build "$build" -j"$(nproc)"

targets=()
for f in "$build"/fuzz/*; do
  [[ -f $f && -x $f ]] && targets+=("$(basename "$f")")
done
if ((${#targets[@]} == 0)); then
  echo "build.sh: no fuzz target was built" >&2
  exit 1
fi

for t in "${targets[@]}"; do
  cp "$build/fuzz/$t" "$OUT/$t"
  case $t in
    decoder_*) corpus=$root/fuzz/corpus/decoder ;;
    *) corpus=$root/fuzz/corpus/$t ;;
  esac
  rm -f "$OUT/${t}_seed_corpus.zip"
  if [[ -d $corpus ]] && [[ -n $(ls -A "$corpus") ]]; then
    (cd "$corpus" && zip -q -r "$OUT/${t}_seed_corpus.zip" .)
  fi
  for dict in "$root/fuzz/$t.dict" "$root/fuzz/${t%%_*}.dict"; do
    if [[ -f $dict ]]; then
      cp "$dict" "$OUT/$t.dict"
      break
    fi
  done
  if [[ -f $root/fuzz/$t.options ]]; then
    cp "$root/fuzz/$t.options" "$OUT/$t.options"
  fi
  # Shared libraries outside the base image (the runner has only the C runtime):
  # ship them next to the targets, found through the $ORIGIN/lib run path.
  for lib in $(ldd "$OUT/$t" 2>/dev/null | awk '/=> \// {print $3}' |
               grep -E 'lib(Zydis|Zycore|capstone)[^/]*$' || true); do
    [[ $lib == "$OUT"/lib/* ]] && continue   # already there (found through the run path)
    mkdir -p "$OUT/lib"
    cp -L "$lib" "$OUT/lib/"
  done
  echo "build.sh: $t"
done
