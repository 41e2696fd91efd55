/* SPDX-License-Identifier: BSD-2-Clause */
/* ROL ROR RCL RCR SHL SAL SHR SAR, SHLD SHRD. */
#include "emulator/emu.h"
#include "emulator/handler_list.h"
#include "emulator/flags.h"

static enum xai_shift_op shift_op(unsigned mnemonic)
{
    switch (mnemonic) {
    case XA_MNEM_ROL: return XAI_ROL;
    case XA_MNEM_ROR: return XAI_ROR;
    case XA_MNEM_RCL: return XAI_RCL;
    case XA_MNEM_RCR: return XAI_RCR;
    case XA_MNEM_SHL: return XAI_SHL;
    case XA_MNEM_SAL: return XAI_SAL;
    case XA_MNEM_SHR: return XAI_SHR;
    default: return XAI_SAR;
    }
}

/* A masked count of 0 leaves the operand alone: a register is still written
 * (so a 32-bit destination is zero-extended in 64-bit mode, as the CPU does),
 * memory is not (no device write the CPU would not make visible either). */
static xa_status write_result(struct xai_emu *e, uint64_t r, unsigned masked_count)
{
    if (masked_count == 0 && xai_insn(e)->ops[0].type == XA_OP_MEM)
        return XA_OK;
    return xai_op_write(e, 0, r);
}

static unsigned count_mask(unsigned size)
{
    return size == 8 ? 63u : 31u;
}

static xa_status exec_shift(struct xai_emu *e)
{
    const struct xa_insn *in = xai_insn(e);
    unsigned size = in->ops[0].size;
    uint64_t v, count, r;

    XAI_TRY(xai_op_read(e, 0, &v));
    XAI_TRY(xai_op_read(e, 1, &count));
    r = xai_alu_shift(xai_rflags(e), shift_op(in->mnemonic), v, count, size);
    return write_result(e, r, (unsigned)count & count_mask(size));
}

static xa_status exec_shxd(struct xai_emu *e)
{
    const struct xa_insn *in = xai_insn(e);
    unsigned size = in->ops[0].size;
    uint64_t dst, src, count, r;

    XAI_TRY(xai_op_read(e, 0, &dst));
    XAI_TRY(xai_op_read(e, 1, &src));
    XAI_TRY(xai_op_read(e, 2, &count));
    r = xai_alu_shxd(xai_rflags(e), in->mnemonic == XA_MNEM_SHLD, dst, src, count, size);
    return write_result(e, r, (unsigned)count & count_mask(size));
}

/* The entries are in emulator/handler_list.h (XAI_LIST_SHIFT). */
#define ENTRY(t, m, fn) {XA_MNEM_##m, fn},
const struct xai_handler xai_shift_handlers[] = {XAI_LIST_SHIFT(ENTRY, ENTRY, 0){0, NULL}};
#undef ENTRY
const unsigned xai_shift_handlers_count =
    sizeof(xai_shift_handlers) / sizeof(xai_shift_handlers[0]) - 1;
