#!/usr/bin/env bash
# The main job, for a newcomer to watch: builds x86assist, decodes a few instructions, then
# runs a UART driver (plain C) against a 16550A device model in an ordinary process. The
# driver's registers are mapped with no access: each access faults, and the SIGSEGV handler
# decodes and emulates the instruction with x86assist against the model (examples/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
build=build/demo
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXA_TESTS=OFF -DXA_BENCH=OFF >/dev/null
variants="gcc_O0 gcc_O2 gcc_O3 clang_O0 clang_O2 clang_O3"
targets="x86assist_tool gap_test"
for v in $variants; do targets+=" uart_driver_test_$v"; done
cmake --build "$build" -j"$(nproc 2>/dev/null || echo 2)" --target $targets >/dev/null
ex=$build/examples

echo "== the decoder"
echo "\$ x86assist decode 4889d8 8b4c2408 f0480fb10a"
"$build"/tools/x86assist decode 4889d8 8b4c2408 f0480fb10a
echo
echo "== a UART driver (clang -O2) talking to the device model, every access emulated"
"$ex"/uart_driver_test_clang_O2 --trace 25
echo
echo "== the same driver and tests, built by each compiler at each level"
for v in $variants; do
  printf '%-9s ' "$v"
  "$ex"/uart_driver_test_$v | sed -n 's/^# \([0-9]* of [0-9]* tests passed\); [0-9]* instructions emulated: /\1: /p'
done
echo
echo "== what x86assist does not emulate yet ends the run, naming the instruction"
echo "\$ gap_test rep-movsb      (a bulk copy from the device with rep movsb)"
"$ex"/gap_test rep-movsb 2>&1 || echo "(exit status $?)"
