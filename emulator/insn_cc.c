/* SPDX-License-Identifier: BSD-2-Clause */
/* SETcc and CMOVcc: the condition is the low nibble of the opcode (0F 9x, 0F 4x). */
#include "emulator/emu.h"
#include "emulator/handler_list.h"
#include "emulator/flags.h"

static xa_status exec_setcc(struct xai_emu *e)
{
    const struct xa_insn *in = xai_insn(e);
    return xai_op_write(e, 0, xai_cond(*xai_rflags(e), in->opcode & 15u) ? 1u : 0u);
}

/*
 * CMOVcc: the source is read whatever the condition (a memory source faults and an
 * MMIO source is accessed even when the move does not happen); a 32-bit destination
 * is written with its own value when false, which zero-extends it in 64-bit mode.
 */
static xa_status exec_cmovcc(struct xai_emu *e)
{
    const struct xa_insn *in = xai_insn(e);
    uint64_t src, dst;

    XAI_TRY(xai_op_read(e, 1, &src));
    if (xai_cond(*xai_rflags(e), in->opcode & 15u))
        return xai_op_write(e, 0, src);
    if (in->ops[0].size != 4)
        return XA_OK;
    XAI_TRY(xai_op_read(e, 0, &dst));
    return xai_op_write(e, 0, dst);
}

/* The entries are in emulator/handler_list.h (XAI_LIST_CC). */
#define ENTRY(t, m, fn) {XA_MNEM_##m, fn},
const struct xai_handler xai_cc_handlers[] = {XAI_LIST_CC(ENTRY, ENTRY, 0){0, NULL}};
#undef ENTRY
const unsigned xai_cc_handlers_count = sizeof(xai_cc_handlers) / sizeof(xai_cc_handlers[0]) - 1;
