/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Dispatch: the core finds an instruction's handler by mnemonic in the tables
 * that emu.h declares (their entries: emulator/handler_list.h), one per
 * emulator/insn_<name>.c. Not API.
 */
#ifndef XA_EMULATOR_HANDLERS_H
#define XA_EMULATOR_HANDLERS_H

#include <stdbool.h>

#include "emulator/emu.h"

/* The handler of @p mnemonic, or NULL (the instruction is then XA_ERR_UNSUPPORTED). */
xai_exec_fn xai_find_handler(unsigned mnemonic);
/* The next handler of @p mnemonic in the tables after the one whose handler is @p after
 * (a mnemonic that names two instructions: string MOVSD/CMPSD and the SSE ones), or NULL. */
xai_exec_fn xai_find_handler_after(unsigned mnemonic, xai_exec_fn after);
/* Whether every table is sorted by mnemonic, its count ends at its {0, NULL}, and the
 * lookup of every mnemonic gives its first entry in dispatch order (tests/emulator). */
bool xai_handlers_check(void);

#endif
