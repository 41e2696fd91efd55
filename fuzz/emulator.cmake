# SPDX-License-Identifier: BSD-2-Clause
# Emulator state fuzzing: random CPU state, instruction bytes and callback answers,
# with the core's contract asserted inside the callbacks (see the source's comment).
#   ./emulator_state -max_len=4096 fuzz/corpus/emulator_state/
xa_add_fuzzer(emulator_state ${CMAKE_CURRENT_SOURCE_DIR}/emulator_state.c)
