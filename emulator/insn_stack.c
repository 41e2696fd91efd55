/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * PUSH and POP (register, memory, immediate, FS/GS push) through SS with the
 * stack's address size. POP to a segment register (a descriptor load) is not
 * emulated. POP with a memory destination computes its address with RSP
 * after the pop, as the CPU does: RSP is staged before the destination is
 * written, and the core computes the address then.
 */
#include "emulator/emu.h"
#include "emulator/handler_list.h"

static uint64_t sp_mask(unsigned asz)
{
    return asz == 8 ? ~UINT64_C(0) : asz == 4 ? 0xffffffffu : 0xffffu;
}

static xa_status exec_push(struct xai_emu *e)
{
    const struct xa_insn *in = xai_insn(e);
    unsigned size = in->opsize / 8u;
    unsigned asz = xai_stack_addr_size(e);
    uint64_t v, rsp, mask = sp_mask(asz);
    uint8_t b[8];
    if (in->operand_count < 1 || size < 2 || size > 8)
        return XA_ERR_UNSUPPORTED;
    XAI_TRY(xai_op_read(e, 0, &v)); /* first: PUSH [rsp] uses RSP before the push */
    XAI_TRY(xai_reg_get(e, XA_R_RAX + 4, &rsp));
    uint64_t sp = (rsp - size) & mask;
    for (unsigned k = 0; k < size; k++)
        b[k] = (uint8_t)(v >> (8 * k));
    XAI_TRY(xai_stack_write(e, sp, b, size));
    xai_reg_set(e, XA_R_RAX + 4, (rsp & ~mask) | sp);
    return XA_OK;
}

static xa_status exec_pop(struct xai_emu *e)
{
    const struct xa_insn *in = xai_insn(e);
    unsigned size = in->opsize / 8u;
    unsigned asz = xai_stack_addr_size(e);
    uint64_t rsp, mask = sp_mask(asz);
    uint8_t b[8];
    if (in->operand_count < 1 || size < 2 || size > 8)
        return XA_ERR_UNSUPPORTED;
    const struct xa_operand *dst = &in->ops[0];
    if (dst->type == XA_OP_REG && !(dst->reg >= XA_REG_AL && dst->reg <= XA_REG_R15))
        return XA_ERR_UNSUPPORTED; /* POP DS/ES/SS/FS/GS: a segment load */
    XAI_TRY(xai_reg_get(e, XA_R_RAX + 4, &rsp));
    XAI_TRY(xai_stack_read(e, rsp & mask, b, size));
    uint64_t v = 0;
    for (unsigned k = size; k-- > 0;)
        v = (v << 8) | b[k];
    xai_reg_set(e, XA_R_RAX + 4, (rsp & ~mask) | ((rsp + size) & mask));
    return xai_op_write(e, 0, v); /* POP RSP: the popped value wins over the increment */
}

/* The entries are in emulator/handler_list.h (XAI_LIST_STACK). */
#define ENTRY(t, m, fn) {XA_MNEM_##m, fn},
const struct xai_handler xai_stack_handlers[] = {XAI_LIST_STACK(ENTRY, ENTRY, 0){0, NULL}};
#undef ENTRY
const unsigned xai_stack_handlers_count =
    sizeof(xai_stack_handlers) / sizeof(xai_stack_handlers[0]) - 1;
