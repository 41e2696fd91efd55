#!/usr/bin/env bash
# The main job, for a newcomer to watch: builds x86assist and shows the command-line
# tool decoding instructions (text and JSON) and a slice of this machine's libc.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build/demo -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXA_TESTS=OFF >/dev/null
cmake --build build/demo -j"$(nproc 2>/dev/null || echo 2)" --target x86assist_tool >/dev/null
tool=build/demo/tools/x86assist

echo "\$ x86assist decode 4889d8 8b4c2408 f0480fb10a 62f17c48100411 c5f877"
"$tool" decode 4889d8 8b4c2408 f0480fb10a 62f17c48100411 c5f877
echo
echo "\$ x86assist decode --json 8b4c2408"
"$tool" decode --json 8b4c2408
echo
echo "\$ x86assist decode --mode 16 8b4602 cd21      (16-bit code)"
"$tool" decode --mode 16 8b4602 cd21
echo
libc=/lib/x86_64-linux-gnu/libc.so.6
if [[ -r $libc ]]; then
  # The first instructions of libc's .text (file offset from the section table).
  text=$(LC_ALL=C readelf -SW "$libc" 2>/dev/null | sed 's/^ *\[ *[0-9]*\] *//' |
         awk '$1==".text"{print $4}' || true)
  if [[ -n ${text:-} ]]; then
    echo "\$ x86assist decode --file $libc --offset 0x$text --count 12"
    "$tool" decode --file "$libc" --offset "0x$text" --count 12
  fi
fi
