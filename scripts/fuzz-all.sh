#!/usr/bin/env bash
# Runs every libFuzzer target for a given time and merges what it found into the
# repository's seed corpora (see docs/fuzzing.md):
#
#   scripts/fuzz-all.sh [-t SECONDS] [-b BUILD_DIR] [-j JOBS] [TARGET...]
#
#   -t SECONDS   time per target (default 300)
#   -b DIR       a build with -DXA_FUZZ=ON to take the targets from (default: build/fuzz-all,
#                configured and built here: clang, ASan + UBSan)
#   -j JOBS      libFuzzer worker processes per target (-fork=JOBS; default 1)
#   TARGET...    only these targets (default: every one the build has)
#
# Each target starts from fuzz/corpus/<target>/ (decoder_* share fuzz/corpus/decoder/)
# with fuzz/<target>.dict (or fuzz/<prefix>.dict) and the options of fuzz/<target>.options;
# new inputs go to a scratch directory, then `-merge=1` adds to the corpus only the ones
# that bring new coverage. Crashes are left in build/fuzz-all/artifacts/<target>/ and make
# the script exit non-zero (after every target ran); review and commit the corpus change.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=300
build=
jobs=1
while getopts "t:b:j:h" opt; do
  case $opt in
    t) seconds=$OPTARG ;;
    b) build=$OPTARG ;;
    j) jobs=$OPTARG ;;
    *) sed -n '2,18s/^# \{0,1\}//p' "$0"; exit 1 ;;
  esac
done
shift $((OPTIND - 1))

work=build/fuzz-all
if [[ -z $build ]]; then
  build=$work/build
  cmake -S . -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
    -DXA_FUZZ=ON -DXA_TESTS=OFF -DXA_TOOLS=OFF -DXA_BENCH=OFF -DXA_EXAMPLES=OFF -DXA_INSTALL=OFF >/dev/null
  cmake --build "$build" -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
fi

targets=("$@")
if ((${#targets[@]} == 0)); then
  for f in "$build"/fuzz/*; do
    [[ -f $f && -x $f ]] && targets+=("$(basename "$f")")
  done
fi
((${#targets[@]})) || { echo "fuzz-all: no fuzz target in $build/fuzz" >&2; exit 1; }

failed=()
for t in "${targets[@]}"; do
  bin=$build/fuzz/$t
  [[ -x $bin ]] || { echo "fuzz-all: no target $t in $build/fuzz" >&2; exit 1; }
  case $t in
    decoder_*) corpus=fuzz/corpus/decoder ;;
    *) corpus=fuzz/corpus/$t ;;
  esac
  mkdir -p "$corpus"
  scratch=$work/new/$t
  artifacts=$work/artifacts/$t
  rm -rf "$scratch"
  mkdir -p "$scratch" "$artifacts"
  args=(-artifact_prefix="$artifacts/")
  for dict in "fuzz/$t.dict" "fuzz/${t%%_*}.dict"; do
    if [[ -f $dict ]]; then args+=(-dict="$dict"); break; fi
  done
  if [[ -f fuzz/$t.options ]]; then
    while read -r key value; do args+=("-$key=$value"); done < <(
      sed -n 's/^\([a-z_]*\) *= *\(.*\)$/\1 \2/p' "fuzz/$t.options")
  fi
  run_args=()
  ((jobs > 1)) && run_args+=(-fork="$jobs" -ignore_crashes=1)

  before=$(find "$corpus" -type f | wc -l)
  echo "== $t: ${seconds}s, corpus $corpus ($before inputs)"
  # New inputs are written to the first directory ($scratch); the corpus is read only.
  if ! "$bin" "${args[@]}" ${run_args[@]+"${run_args[@]}"} -max_total_time="$seconds" -print_final_stats=1 \
       "$scratch" "$corpus" >"$work/$t.log" 2>&1; then
    echo "   CRASH: see $work/$t.log and $artifacts/"
    failed+=("$t")
  fi
  grep -E '^stat::(number_of_executed_units|new_units_added)' "$work/$t.log" | sed 's/^/   /' || true
  # Keep only the scratch inputs that add coverage to the corpus.
  "$bin" "${args[@]}" -merge=1 "$corpus" "$scratch" >"$work/$t.merge.log" 2>&1 ||
    { echo "   merge failed: see $work/$t.merge.log"; failed+=("$t"); }
  after=$(find "$corpus" -type f | wc -l)
  echo "   corpus: $before -> $after inputs"
done

if ((${#failed[@]})); then
  echo "fuzz-all: failures in ${failed[*]}" >&2
  exit 1
fi
echo "fuzz-all: done; review and commit fuzz/corpus/"
