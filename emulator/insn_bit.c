/* SPDX-License-Identifier: BSD-2-Clause */
/* BT BTS BTR BTC; BSF BSR LZCNT TZCNT POPCNT. */
#include "emulator/emu.h"
#include "emulator/handler_list.h"
#include "emulator/flags.h"

/*
 * The byte offset of the operand that holds bit @p offset (already sign-extended from
 * the operand size) of a bit string at the memory operand: size * floor(offset / bits),
 * as the SDM describes for BT with a register bit offset and a memory operand.
 */
static int64_t bit_string_bytes(uint64_t offset, unsigned size)
{
    unsigned shift = size == 2 ? 4u : size == 4 ? 5u : 6u;
    bool neg = (offset >> 63) != 0;
    /* arithmetic shift = floor division, without the host's signed >> */
    uint64_t q = (offset >> shift) | (neg ? ~(~(uint64_t)0 >> shift) : 0);
    uint64_t bytes = q * size; /* |bytes| < 2^61: no wrap-around */
    return neg ? -(int64_t)(~bytes + 1u) : (int64_t)bytes;
}

static xa_status exec_bt(struct xai_emu *e)
{
    const struct xa_insn *in = xai_insn(e);
    unsigned size = in->ops[0].size, bits = size * 8u;
    uint64_t offset, v, mask;

    XAI_TRY(xai_op_read(e, 1, &offset));
    if (in->ops[0].type == XA_OP_MEM && in->ops[1].type == XA_OP_REG) {
        int64_t adj = bit_string_bytes(xai_sext(offset, size), size);
        if (adj != 0)
            XAI_TRY(xai_op_adjust(e, 0, adj));
    }
    /* an immediate offset, and any offset into a register, is taken modulo the size */
    mask = (uint64_t)1 << (offset & (bits - 1u));
    XAI_TRY(xai_op_read(e, 0, &v));
    xai_alu_bt(xai_rflags(e), (v & mask) != 0);
    switch (in->mnemonic) {
    case XA_MNEM_BTS: return xai_op_write(e, 0, v | mask);
    case XA_MNEM_BTR: return xai_op_write(e, 0, v & ~mask);
    case XA_MNEM_BTC: return xai_op_write(e, 0, v ^ mask);
    default: return XA_OK;
    }
}

/* BSF/BSR: a zero source leaves the destination unchanged (not even zero-extended). */
static xa_status exec_bsf_bsr(struct xai_emu *e)
{
    const struct xa_insn *in = xai_insn(e);
    uint64_t src, index;

    XAI_TRY(xai_op_read(e, 1, &src));
    if (!xai_alu_bsf_bsr(xai_rflags(e), in->mnemonic == XA_MNEM_BSF, src, in->ops[1].size, &index))
        return XA_OK;
    return xai_op_write(e, 0, index);
}

static xa_status exec_count(struct xai_emu *e)
{
    const struct xa_insn *in = xai_insn(e);
    unsigned size = in->ops[1].size;
    uint64_t *rf = xai_rflags(e);
    uint64_t src, r;

    XAI_TRY(xai_op_read(e, 1, &src));
    switch (in->mnemonic) {
    case XA_MNEM_LZCNT: r = xai_alu_lzcnt(rf, src, size); break;
    case XA_MNEM_TZCNT: r = xai_alu_tzcnt(rf, src, size); break;
    case XA_MNEM_POPCNT:
    default: r = xai_alu_popcnt(rf, src, size); break;
    }
    return xai_op_write(e, 0, r);
}

/* The entries are in emulator/handler_list.h (XAI_LIST_BIT). */
#define ENTRY(t, m, fn) {XA_MNEM_##m, fn},
const struct xai_handler xai_bit_handlers[] = {XAI_LIST_BIT(ENTRY, ENTRY, 0){0, NULL}};
#undef ENTRY
const unsigned xai_bit_handlers_count = sizeof(xai_bit_handlers) / sizeof(xai_bit_handlers[0]) - 1;
