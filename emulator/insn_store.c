/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Direct stores and cache-line hints: MOVDIRI, MOVDIR64B, CLFLUSH, CLFLUSHOPT,
 * CLWB and the prefetches. The cache instructions touch no data: the flushes
 * are translated and checked like a one-byte load (SDM: CLFLUSH is subject to
 * the permission checks and faults of a byte load, and sets the A bit, not D;
 * the one exception, a flush through an execute-only code segment, which the CPU
 * allows, is a #GP here), prefetches never fault and do nothing here.
 */
#include "emulator/emu.h"
#include "emulator/handler_list.h"

/* MOVDIRI m32/m64, r: one 4- or 8-byte store (the feature is checked before the
 * operand is translated: core/vector.c). */
static xa_status exec_movdiri(struct xai_emu *e)
{
    uint64_t v;
    XAI_TRY(xai_simd_check(e));
    XAI_TRY(xai_op_read(e, 1, &v));
    return xai_op_write(e, 0, v);
}

/* MOVDIR64B r, m512: 64 bytes from the memory operand to ES:[r] (r of the address
 * size), which must be 64-byte aligned (#GP(0)). The destination is checked before
 * the source is read, so a faulting destination never costs a device read; the
 * store is one 64-byte mem_write. */
static xa_status exec_movdir64b(struct xai_emu *e)
{
    const struct xa_insn *in = xai_insn(e);
    XAI_TRY(xai_simd_check(e));
    if (in->operand_count != 2 || in->ops[0].type != XA_OP_REG)
        return XA_ERR_UNSUPPORTED;
    uint64_t dest;
    XAI_TRY(xai_op_read(e, 0, &dest)); /* zero-extended from the address size */
    if (dest & 63)
        return xai_raise(e, XA_VEC_GP, true, 0);
    XAI_TRY(xai_mem_check(e, XA_SEG_ES, dest, 64, XA_ACCESS_WRITE));
    uint8_t buf[64];
    XAI_TRY(xai_op_read_bytes(e, 1, buf, 64));
    return xai_mem_write(e, XA_SEG_ES, dest, buf, 64);
}

/* CLFLUSH, CLFLUSHOPT, CLWB: the checks of a byte load, no data access. */
static xa_status exec_flush(struct xai_emu *e)
{
    const struct xa_insn *in = xai_insn(e);
    uint32_t need = in->mnemonic == XA_MNEM_CLFLUSHOPT ? XA_FEAT_CLFLUSHOPT
                    : in->mnemonic == XA_MNEM_CLWB     ? XA_FEAT_CLWB
                                                       : 0;
    if ((xai_model(e)->features & need) != need)
        return xai_raise(e, XA_VEC_UD, false, 0);
    if (in->operand_count != 1)
        return XA_ERR_UNSUPPORTED;
    return xai_op_check(e, 0, 1, XA_ACCESS_READ);
}

/* PREFETCHh, PREFETCHW, PREFETCHWT1: hints that never fault. */
static xa_status exec_prefetch(struct xai_emu *e)
{
    (void)e;
    return XA_OK;
}

/* The entries are in emulator/handler_list.h (XAI_LIST_STORE). */
#define ENTRY(t, m, fn) {XA_MNEM_##m, fn},
const struct xai_handler xai_store_handlers[] = {XAI_LIST_STORE(ENTRY, ENTRY, 0){0, NULL}};
#undef ENTRY
const unsigned xai_store_handlers_count =
    sizeof(xai_store_handlers) / sizeof(xai_store_handlers[0]) - 1;
