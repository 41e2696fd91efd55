# SPDX-License-Identifier: BSD-2-Clause
# Runs gap_test for one case (-DCMD=<gap_test> -DCASE=<case> -DMNEMONIC=<mnemonic>). Passes
# when the run ends exactly as an unsupported instruction must (exit status 3 and the
# mnemonic named), or, once x86assist emulates it, when the copy came out right.
execute_process(COMMAND ${CMD} ${CASE} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(rc EQUAL 3 AND err MATCHES "mmiotrap: unsupported instruction '${MNEMONIC}'")
  message("expected: '${MNEMONIC}' is not emulated yet, and the trap names it")
elseif(rc EQUAL 0 AND out MATCHES "emulated, result correct")
  message("'${MNEMONIC}' is emulated now: the copy is right")
else()
  message(FATAL_ERROR "unexpected outcome (exit status ${rc})")
endif()
