/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Vector moves: MOVD/MOVQ (MMX and XMM), MOVDQA/MOVDQU, MOVAPS/MOVUPS/MOVAPD/
 * MOVUPD, MOVSS/MOVSD, MOVLPS/MOVHPS/MOVLPD/MOVHPD, MOVNTDQ/MOVNTPS/MOVNTPD/
 * MOVNTDQA, LDDQU, their VEX forms, and the EVEX forms with opmask merging and
 * zeroing (VMOVDQU8/16/32/64, VMOVDQA32/64, VMOVUPS/APS/UPD/APD, VMOVSS/SD).
 *
 * The decoder gives a vector register operand the register's width (an XMM
 * operand of MOVSS is 16 bytes), so how many bytes each form moves is decided
 * here, by mnemonic. Register writes go through xai_op_write_bytes: a legacy
 * SSE write keeps the bits above those written, a VEX/EVEX write zeroes the
 * register above them. The SIMD state checks, the alignment #GP and the masked
 * memory accesses are the core's (core/vector.c).
 */
#include <string.h>

#include "emulator/emu.h"
#include "emulator/handler_list.h"

static bool is_mem(const struct xa_operand *op)
{
    return op->type == XA_OP_MEM;
}

static bool is_xmm(const struct xa_operand *op)
{
    return op->type == XA_OP_REG && op->reg >= XA_REG_XMM0 && op->reg <= XA_REG_ZMM31;
}

/* The destination register is fetched before the source is read: a failed get_regs
 * then never follows a device read. */
static xa_status fetch_dst(struct xai_emu *e)
{
    const struct xa_operand *op = &xai_insn(e)->ops[0];
    uint8_t b[64];
    if (op->type != XA_OP_REG || (op->reg >= XA_REG_AL && op->reg <= XA_REG_R15))
        return XA_OK;
    return xai_op_read_bytes(e, 0, b, op->size < 64 ? op->size : 64);
}

/* Element size of the masked forms (the opmask has one bit per element). */
static unsigned elem_size(unsigned mnemonic)
{
    switch (mnemonic) {
    case XA_MNEM_VMOVDQU8: return 1;
    case XA_MNEM_VMOVDQU16: return 2;
    case XA_MNEM_VMOVDQA64:
    case XA_MNEM_VMOVDQU64:
    case XA_MNEM_VMOVAPD:
    case XA_MNEM_VMOVUPD:
    case XA_MNEM_VMOVSD:
    case XA_MNEM_MOVSD: return 8;
    default: return 4;
    }
}

/* Byte-enable bits of @p size bytes from one opmask bit per element of @p es bytes. */
static uint64_t byte_enable(uint64_t k, unsigned size, unsigned es)
{
    uint64_t en = 0;
    uint64_t ones = es >= 8 ? 0xff : (UINT64_C(1) << es) - 1;
    for (unsigned j = 0; j * es < size && j < 64; j++)
        if ((k >> j) & 1)
            en |= ones << (j * es);
    return en;
}

/* Merge (or zero, with {z}) the bytes of @p v that @p enable leaves out. */
static void merge(uint8_t *v, const uint8_t *old, unsigned size, uint64_t enable, bool zeroing)
{
    for (unsigned b = 0; b < size; b++)
        if (!((enable >> b) & 1))
            v[b] = zeroing ? 0 : old[b];
}

/* MOVDQA/MOVDQU/MOVAPS/.../MOVNT*, LDDQU and the VEX/EVEX full-vector moves. */
static xa_status exec_full(struct xai_emu *e)
{
    const struct xa_insn *in = xai_insn(e);
    XAI_TRY(xai_simd_check(e));
    if (in->operand_count != 2)
        return XA_ERR_UNSUPPORTED;
    XAI_TRY(fetch_dst(e));
    const struct xa_operand *dst = &in->ops[0], *src = &in->ops[1];
    unsigned size = dst->size;
    if (size == 0 || size > 64 || src->size != size)
        return XA_ERR_UNSUPPORTED;
    uint8_t v[64] = {0}, old[64] = {0};
    uint64_t k;
    bool masked;
    XAI_TRY(xai_vec_opmask(e, &k, &masked));
    if (!masked) {
        XAI_TRY(xai_op_read_bytes(e, 1, v, size));
        return xai_op_write_bytes(e, 0, v, size);
    }
    uint64_t en = byte_enable(k, size, elem_size(in->mnemonic));
    if (is_mem(dst)) {
        /* A masked store: only the selected elements are written (and checked). */
        XAI_TRY(xai_op_read_bytes(e, 1, v, size));
        return xai_vec_mem_write(e, 0, v, size, en);
    }
    if (!in->evex.zeroing)
        XAI_TRY(xai_op_read_bytes(e, 0, old, size));
    if (is_mem(src))
        XAI_TRY(xai_vec_mem_read(e, 1, v, size, en));
    else
        XAI_TRY(xai_op_read_bytes(e, 1, v, size));
    merge(v, old, size, en, in->evex.zeroing != 0);
    return xai_op_write_bytes(e, 0, v, size);
}

/* MOVSS/MOVSD (SSE, not the string MOVSD) and VMOVSS/VMOVSD (VEX, EVEX with a mask). */
static xa_status exec_scalar(struct xai_emu *e)
{
    const struct xa_insn *in = xai_insn(e);
    if (in->map == XA_MAP_1BYTE)
        return XA_ERR_UNSUPPORTED; /* the string MOVSD: insn_string.c's */
    XAI_TRY(xai_simd_check(e));
    XAI_TRY(fetch_dst(e));
    unsigned es = elem_size(in->mnemonic);
    uint64_t k;
    bool masked;
    XAI_TRY(xai_vec_opmask(e, &k, &masked));
    bool sel = (k & 1) != 0, z = in->evex.zeroing != 0;
    uint64_t en = sel ? (UINT64_C(1) << es) - 1 : 0;
    uint8_t v[16] = {0}, old[16] = {0};
    if (in->operand_count == 3) {
        /* VEX/EVEX register form: the low element from the third operand, the rest of
         * the low 128 bits from the second. */
        XAI_TRY(xai_op_read_bytes(e, 1, v, 16));
        if (masked && !sel) {
            if (!z)
                XAI_TRY(xai_op_read_bytes(e, 0, old, es));
            memcpy(v, old, es);
        } else {
            XAI_TRY(xai_op_read_bytes(e, 2, v, es));
        }
        return xai_op_write_bytes(e, 0, v, 16);
    }
    if (in->operand_count != 2)
        return XA_ERR_UNSUPPORTED;
    if (is_mem(&in->ops[0])) {
        XAI_TRY(xai_op_read_bytes(e, 1, v, es));
        return masked ? xai_vec_mem_write(e, 0, v, es, en) : xai_op_write_bytes(e, 0, v, es);
    }
    if (is_mem(&in->ops[1])) {
        /* A load zeroes bits 127:es*8 (and, VEX/EVEX, the rest of the register). */
        if (masked) {
            if (!sel && !z)
                XAI_TRY(xai_op_read_bytes(e, 0, old, es));
            XAI_TRY(xai_vec_mem_read(e, 1, v, es, en));
            merge(v, old, es, en, z);
        } else {
            XAI_TRY(xai_op_read_bytes(e, 1, v, es));
        }
        return xai_op_write_bytes(e, 0, v, 16);
    }
    /* Legacy register to register: the low element only, the rest is kept. */
    XAI_TRY(xai_op_read_bytes(e, 1, v, es));
    return xai_op_write_bytes(e, 0, v, es);
}

/* MOVD/MOVQ and VMOVD/VMOVQ: 4 or 8 bytes, zero-extended into an XMM or MMX register. */
static xa_status exec_movdq(struct xai_emu *e)
{
    const struct xa_insn *in = xai_insn(e);
    XAI_TRY(xai_simd_check(e));
    if (in->operand_count != 2)
        return XA_ERR_UNSUPPORTED;
    XAI_TRY(fetch_dst(e));
    unsigned n = (in->mnemonic == XA_MNEM_MOVD || in->mnemonic == XA_MNEM_VMOVD) ? 4 : 8;
    uint8_t v[16] = {0};
    XAI_TRY(xai_op_read_bytes(e, 1, v, n));
    /* An XMM destination gets bits 127:0 (zero-extended); MMX, GPR and memory n bytes
     * (an MMX register and a 32-bit GPR are zero-extended by the write). */
    return xai_op_write_bytes(e, 0, v, is_xmm(&in->ops[0]) ? 16 : n);
}

/* MOVLPS/MOVLPD/MOVHPS/MOVHPD and their VEX/EVEX forms: one quadword of an XMM register. */
static xa_status exec_half(struct xai_emu *e)
{
    const struct xa_insn *in = xai_insn(e);
    XAI_TRY(xai_simd_check(e));
    bool high = in->mnemonic == XA_MNEM_MOVHPS || in->mnemonic == XA_MNEM_MOVHPD ||
                in->mnemonic == XA_MNEM_VMOVHPS || in->mnemonic == XA_MNEM_VMOVHPD;
    unsigned at = high ? 8 : 0;
    uint8_t v[16] = {0};
    XAI_TRY(fetch_dst(e));
    if (in->operand_count == 3) {
        /* VEX/EVEX load: the other quadword from the second operand. */
        XAI_TRY(xai_op_read_bytes(e, 1, v, 16));
        XAI_TRY(xai_op_read_bytes(e, 2, v + at, 8));
        return xai_op_write_bytes(e, 0, v, 16);
    }
    if (in->operand_count != 2)
        return XA_ERR_UNSUPPORTED;
    if (is_mem(&in->ops[0])) {
        XAI_TRY(xai_op_read_bytes(e, 1, v, 16));
        return xai_op_write_bytes(e, 0, v + at, 8);
    }
    /* Legacy load: the other quadword (and the bits above 127) are kept. */
    XAI_TRY(xai_op_read_bytes(e, 0, v, 16));
    XAI_TRY(xai_op_read_bytes(e, 1, v + at, 8));
    return xai_op_write_bytes(e, 0, v, 16);
}

/* The entries are in emulator/handler_list.h (XAI_LIST_VEC). */
#define ENTRY(t, m, fn) {XA_MNEM_##m, fn},
const struct xai_handler xai_vec_handlers[] = {XAI_LIST_VEC(ENTRY, ENTRY, 0){0, NULL}};
#undef ENTRY
const unsigned xai_vec_handlers_count = sizeof(xai_vec_handlers) / sizeof(xai_vec_handlers[0]) - 1;
