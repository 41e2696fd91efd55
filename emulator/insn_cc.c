/* SPDX-License-Identifier: BSD-2-Clause */
/* SETcc and CMOVcc: the condition is the low nibble of the opcode (0F 9x, 0F 4x). */
#include "emulator/emu.h"
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

const struct xai_handler xai_cc_handlers[] = {
    {XA_MNEM_SETO, exec_setcc},    {XA_MNEM_SETNO, exec_setcc},    {XA_MNEM_SETB, exec_setcc},
    {XA_MNEM_SETNB, exec_setcc},   {XA_MNEM_SETZ, exec_setcc},     {XA_MNEM_SETNZ, exec_setcc},
    {XA_MNEM_SETBE, exec_setcc},   {XA_MNEM_SETNBE, exec_setcc},   {XA_MNEM_SETS, exec_setcc},
    {XA_MNEM_SETNS, exec_setcc},   {XA_MNEM_SETP, exec_setcc},     {XA_MNEM_SETNP, exec_setcc},
    {XA_MNEM_SETL, exec_setcc},    {XA_MNEM_SETNL, exec_setcc},    {XA_MNEM_SETLE, exec_setcc},
    {XA_MNEM_SETNLE, exec_setcc},  {XA_MNEM_CMOVO, exec_cmovcc},   {XA_MNEM_CMOVNO, exec_cmovcc},
    {XA_MNEM_CMOVB, exec_cmovcc},  {XA_MNEM_CMOVNB, exec_cmovcc},  {XA_MNEM_CMOVZ, exec_cmovcc},
    {XA_MNEM_CMOVNZ, exec_cmovcc}, {XA_MNEM_CMOVBE, exec_cmovcc},  {XA_MNEM_CMOVNBE, exec_cmovcc},
    {XA_MNEM_CMOVS, exec_cmovcc},  {XA_MNEM_CMOVNS, exec_cmovcc},  {XA_MNEM_CMOVP, exec_cmovcc},
    {XA_MNEM_CMOVNP, exec_cmovcc}, {XA_MNEM_CMOVL, exec_cmovcc},   {XA_MNEM_CMOVNL, exec_cmovcc},
    {XA_MNEM_CMOVLE, exec_cmovcc}, {XA_MNEM_CMOVNLE, exec_cmovcc}, {0, NULL},
};
