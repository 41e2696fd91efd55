/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The MOV family: MOV (88-8B, 8C to r/m, C6/C7, A0-A3 moffs), MOVZX, MOVSX,
 * MOVSXD, MOVBE, MOVNTI. Loads of segment, control and debug registers are
 * not emulated here (XA_ERR_UNSUPPORTED from the operand access).
 */
#include "emulator/emu.h"
#include "emulator/handler_list.h"

/* Registers MOV does not handle here: a segment register as destination (a descriptor
 * load), control and debug registers. Reading a segment register (8C) is fine. */
static bool is_special_reg(const struct xa_operand *op)
{
    if (op->type != XA_OP_REG || (op->reg >= XA_REG_AL && op->reg <= XA_REG_R15))
        return false;
    if (op->reg >= XA_REG_ES && op->reg <= XA_REG_GS)
        return (op->access & XA_ACC_WRITE) != 0;
    return true;
}

/* MOV, MOVNTI: the destination gets the source (the decoder sized both). */
static xa_status exec_mov(struct xai_emu *e)
{
    const struct xa_insn *in = xai_insn(e);
    /* MOV Sreg, r/m (a descriptor load), MOV to/from CRn/DRn: privileged paths that
     * never touch MMIO data; refuse them before reading anything. */
    if (is_special_reg(&in->ops[0]) || is_special_reg(&in->ops[1]))
        return XA_ERR_UNSUPPORTED;
    uint64_t v;
    XAI_TRY(xai_op_read(e, 1, &v));
    return xai_op_write(e, 0, v);
}

static xa_status exec_movzx(struct xai_emu *e)
{
    uint64_t v;
    XAI_TRY(xai_op_read(e, 1, &v)); /* zero-extended by the read */
    return xai_op_write(e, 0, v);
}

static xa_status exec_movsx(struct xai_emu *e)
{
    const struct xa_insn *in = xai_insn(e);
    unsigned from = in->ops[1].size;
    uint64_t v;
    XAI_TRY(xai_op_read(e, 1, &v));
    if (from < 8) {
        uint64_t sign = UINT64_C(1) << (8 * from - 1);
        v = (v ^ sign) - sign;
    }
    return xai_op_write(e, 0, v); /* truncated to the destination by the write */
}

static xa_status exec_movbe(struct xai_emu *e)
{
    const struct xa_insn *in = xai_insn(e);
    if (!(xai_model(e)->features & XA_FEAT_MOVBE))
        return xai_raise(e, XA_VEC_UD, false, 0);
    unsigned size = in->ops[0].size;
    uint64_t v, r = 0;
    XAI_TRY(xai_op_read(e, 1, &v));
    for (unsigned k = 0; k < size; k++)
        r |= ((v >> (8 * k)) & 0xff) << (8 * (size - 1 - k));
    return xai_op_write(e, 0, r);
}

/* The entries are in emulator/handler_list.h (XAI_LIST_MOV). */
#define ENTRY(t, m, fn) {XA_MNEM_##m, fn},
const struct xai_handler xai_mov_handlers[] = {XAI_LIST_MOV(ENTRY, ENTRY, 0){0, NULL}};
#undef ENTRY
const unsigned xai_mov_handlers_count = sizeof(xai_mov_handlers) / sizeof(xai_mov_handlers[0]) - 1;
