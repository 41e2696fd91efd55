/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IN and OUT (imm8 and DX forms): the I/O permission check (emulator/core/io.c), then
 * one element through io_read / io_write. IN AL/AX merges into RAX; IN EAX writes the
 * 32-bit register (zero-extended into RAX in 64-bit mode).
 */
#include "emulator/emu.h"
#include "emulator/handler_list.h"

/* The port operand (imm8 or DX) and the accumulator operand of IN/OUT. */
static xa_status io_operands(struct xai_emu *e, unsigned *port, unsigned *acc)
{
    const struct xa_insn *in = xai_insn(e);
    if (in->operand_count != 2)
        return XA_ERR_UNSUPPORTED;
    unsigned pi = in->mnemonic == XA_MNEM_IN ? 1 : 0;
    uint64_t v;
    XAI_TRY(xai_op_read(e, pi, &v));
    *port = (unsigned)(v & (in->ops[pi].type == XA_OP_IMM ? 0xffu : 0xffffu));
    *acc = 1 - pi;
    return XA_OK;
}

static xa_status exec_in(struct xai_emu *e)
{
    unsigned port, acc;
    XAI_TRY(io_operands(e, &port, &acc));
    unsigned size = xai_insn(e)->ops[acc].size;
    uint8_t b[4] = {0};
    XAI_TRY(xai_io_check(e, port, size, true));
    XAI_TRY(xai_io_in(e, port, size, 1, b));
    uint64_t v = (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 | (uint64_t)b[3] << 24;
    return xai_op_write(e, acc, v);
}

static xa_status exec_out(struct xai_emu *e)
{
    unsigned port, acc;
    XAI_TRY(io_operands(e, &port, &acc));
    unsigned size = xai_insn(e)->ops[acc].size;
    uint64_t v;
    XAI_TRY(xai_op_read(e, acc, &v));
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    XAI_TRY(xai_io_check(e, port, size, false));
    return xai_io_out(e, port, size, 1, b);
}

/* The entries are in emulator/handler_list.h (XAI_LIST_IO). */
#define ENTRY(t, m, fn) {XA_MNEM_##m, fn},
const struct xai_handler xai_io_handlers[] = {XAI_LIST_IO(ENTRY, ENTRY, 0){0, NULL}};
#undef ENTRY
const unsigned xai_io_handlers_count = sizeof(xai_io_handlers) / sizeof(xai_io_handlers[0]) - 1;
