/* SPDX-License-Identifier: BSD-2-Clause */
/* MUL, IMUL (one-, two- and three-operand forms), DIV, IDIV. */
#include "emulator/emu.h"
#include "emulator/handler_list.h"
#include "emulator/flags.h"

/* The accumulator (AL/AX/EAX/RAX) and rDX of an operand size. */
static unsigned acc_reg(unsigned size)
{
    return size == 1 ? XA_REG_AL : size == 2 ? XA_REG_AX : size == 4 ? XA_REG_EAX : XA_REG_RAX;
}

static unsigned dx_reg(unsigned size)
{
    return size == 2 ? XA_REG_DX : size == 4 ? XA_REG_EDX : XA_REG_RDX;
}

/* MUL r/m, IMUL r/m: rDX:rAX (AX for bytes) = rAX * r/m. */
static xa_status mul_accumulator(struct xai_emu *e, bool is_signed)
{
    unsigned size = xai_insn(e)->ops[0].size;
    uint64_t src, acc, lo, hi;

    XAI_TRY(xai_op_read(e, 0, &src));
    XAI_TRY(xai_gpr_read(e, acc_reg(size), &acc));
    xai_alu_mul(xai_rflags(e), is_signed, acc, src, size, &lo, &hi);
    if (size == 1)
        return xai_gpr_write(e, XA_REG_AX, hi << 8 | lo);
    XAI_TRY(xai_gpr_write(e, acc_reg(size), lo));
    return xai_gpr_write(e, dx_reg(size), hi);
}

static xa_status exec_mul(struct xai_emu *e)
{
    return mul_accumulator(e, false);
}

static xa_status exec_imul(struct xai_emu *e)
{
    const struct xa_insn *in = xai_insn(e);
    unsigned size = in->ops[0].size;
    uint64_t a, b, lo, hi;

    if (in->operand_count == 1)
        return mul_accumulator(e, true);
    /* IMUL r, r/m (r = r * r/m) and IMUL r, r/m, imm (r = r/m * imm): truncated */
    if (in->operand_count == 2) {
        XAI_TRY(xai_op_read(e, 0, &a));
        XAI_TRY(xai_op_read(e, 1, &b));
    } else {
        XAI_TRY(xai_op_read(e, 1, &a));
        XAI_TRY(xai_op_read(e, 2, &b));
    }
    xai_alu_mul(xai_rflags(e), true, a, b, size, &lo, &hi);
    return xai_op_write(e, 0, lo);
}

/* DIV/IDIV r/m: rAX = rDX:rAX / r/m, rDX = remainder (AL, AH from AX for bytes).
 * #DE on a zero divisor and on a quotient too large for the operand size. */
static xa_status exec_div(struct xai_emu *e)
{
    const struct xa_insn *in = xai_insn(e);
    unsigned size = in->ops[0].size;
    bool is_signed = in->mnemonic == XA_MNEM_IDIV;
    uint64_t divisor, hi, lo, q, r;

    XAI_TRY(xai_op_read(e, 0, &divisor));
    if (size == 1) {
        uint64_t ax;
        XAI_TRY(xai_gpr_read(e, XA_REG_AX, &ax));
        hi = ax >> 8;
        lo = ax & 0xffu;
    } else {
        XAI_TRY(xai_gpr_read(e, dx_reg(size), &hi));
        XAI_TRY(xai_gpr_read(e, acc_reg(size), &lo));
    }
    if (!xai_alu_div(xai_rflags(e), is_signed, hi, lo, divisor, size, &q, &r))
        return xai_raise(e, XA_VEC_DE, false, 0);
    if (size == 1)
        return xai_gpr_write(e, XA_REG_AX, r << 8 | q);
    XAI_TRY(xai_gpr_write(e, acc_reg(size), q));
    return xai_gpr_write(e, dx_reg(size), r);
}

/* The entries are in emulator/handler_list.h (XAI_LIST_MULDIV). */
#define ENTRY(t, m, fn) {XA_MNEM_##m, fn},
const struct xai_handler xai_muldiv_handlers[] = {XAI_LIST_MULDIV(ENTRY, ENTRY, 0){0, NULL}};
#undef ENTRY
const unsigned xai_muldiv_handlers_count =
    sizeof(xai_muldiv_handlers) / sizeof(xai_muldiv_handlers[0]) - 1;
