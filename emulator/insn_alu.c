/* SPDX-License-Identifier: BSD-2-Clause */
/* ADD OR ADC SBB AND SUB XOR CMP TEST NOT NEG INC DEC. */
#include "emulator/emu.h"
#include "emulator/handler_list.h"
#include "emulator/flags.h"

/* dst OP src for the two-operand forms; CMP and TEST only set flags. */
static xa_status exec_binary(struct xai_emu *e)
{
    const struct xa_insn *in = xai_insn(e);
    unsigned size = in->ops[0].size;
    uint64_t *rf = xai_rflags(e);
    uint64_t a, b, r;
    bool write = true;

    XAI_TRY(xai_op_read(e, 0, &a));
    XAI_TRY(xai_op_read(e, 1, &b));
    switch (in->mnemonic) {
    case XA_MNEM_ADD: r = xai_alu_add(rf, a, b, 0, size); break;
    case XA_MNEM_ADC: r = xai_alu_add(rf, a, b, (*rf & XAI_CF) ? 1u : 0u, size); break;
    case XA_MNEM_SUB: r = xai_alu_sub(rf, a, b, 0, size); break;
    case XA_MNEM_SBB: r = xai_alu_sub(rf, a, b, (*rf & XAI_CF) ? 1u : 0u, size); break;
    case XA_MNEM_CMP:
        r = xai_alu_sub(rf, a, b, 0, size);
        write = false;
        break;
    case XA_MNEM_AND: r = xai_alu_logic(rf, a & b, size); break;
    case XA_MNEM_OR: r = xai_alu_logic(rf, a | b, size); break;
    case XA_MNEM_XOR: r = xai_alu_logic(rf, a ^ b, size); break;
    case XA_MNEM_TEST:
    default:
        r = xai_alu_logic(rf, a & b, size);
        write = false;
        break;
    }
    return write ? xai_op_write(e, 0, r) : XA_OK;
}

static xa_status exec_unary(struct xai_emu *e)
{
    const struct xa_insn *in = xai_insn(e);
    unsigned size = in->ops[0].size;
    uint64_t *rf = xai_rflags(e);
    uint64_t a, r;

    XAI_TRY(xai_op_read(e, 0, &a));
    switch (in->mnemonic) {
    case XA_MNEM_NOT: r = ~a & xai_size_mask(size); break; /* no flags */
    case XA_MNEM_NEG: r = xai_alu_neg(rf, a, size); break;
    case XA_MNEM_INC: r = xai_alu_inc(rf, a, size); break;
    case XA_MNEM_DEC:
    default: r = xai_alu_dec(rf, a, size); break;
    }
    return xai_op_write(e, 0, r);
}

/* The entries are in emulator/handler_list.h (XAI_LIST_ALU). */
#define ENTRY(t, m, fn) {XA_MNEM_##m, fn},
const struct xai_handler xai_alu_handlers[] = {XAI_LIST_ALU(ENTRY, ENTRY, 0){0, NULL}};
#undef ENTRY
const unsigned xai_alu_handlers_count = sizeof(xai_alu_handlers) / sizeof(xai_alu_handlers[0]) - 1;
