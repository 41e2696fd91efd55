/* SPDX-License-Identifier: BSD-2-Clause */
/* BMI1/BMI2: ANDN BEXTR BLSI BLSMSK BLSR BZHI PDEP PEXT SARX SHLX SHRX RORX MULX. */
#include "emulator/emu.h"
#include "emulator/handler_list.h"
#include "emulator/flags.h"

/* ANDN d, s1, s2 / PDEP d, s, mask / PEXT d, s, mask: operands 1 and 2 as decoded;
 * BEXTR d, s, control / BZHI d, s, index / SHLX SARX SHRX d, s, count / RORX d, s, imm. */
static xa_status read2(struct xai_emu *e, uint64_t *a, uint64_t *b)
{
    XAI_TRY(xai_op_read(e, 1, a));
    return xai_op_read(e, 2, b);
}

static uint64_t pdep(uint64_t src, uint64_t mask)
{
    uint64_t r = 0, k = 1;
    for (uint64_t m = mask; m; m &= m - 1u, k <<= 1)
        if (src & k)
            r |= m & (~m + 1u);
    return r;
}

static uint64_t pext(uint64_t src, uint64_t mask)
{
    uint64_t r = 0, k = 1;
    for (uint64_t m = mask; m; m &= m - 1u, k <<= 1)
        if (src & m & (~m + 1u))
            r |= k;
    return r;
}

static xa_status exec_three(struct xai_emu *e)
{
    const struct xa_insn *in = xai_insn(e);
    unsigned size = in->ops[0].size, bits = size * 8u;
    uint64_t m = xai_size_mask(size);
    uint64_t *rf = xai_rflags(e);
    uint64_t a, b, r;

    XAI_TRY(read2(e, &a, &b));
    a &= m;
    switch (in->mnemonic) {
    case XA_MNEM_ANDN: r = xai_alu_andn(rf, a, b, size); break;
    case XA_MNEM_BEXTR: r = xai_alu_bextr(rf, a, b, size); break;
    case XA_MNEM_BZHI: r = xai_alu_bzhi(rf, a, b, size); break;
    case XA_MNEM_PDEP: r = pdep(a, b & m); break;
    case XA_MNEM_PEXT: r = pext(a, b & m); break;
    case XA_MNEM_SHLX: r = (a << (b & (bits - 1u))) & m; break;
    case XA_MNEM_SHRX: r = a >> (b & (bits - 1u)); break;
    case XA_MNEM_SARX: {
        unsigned c = (unsigned)(b & (bits - 1u));
        uint64_t sv = xai_sext(a, size);
        uint64_t fill = (sv >> 63) ? ~(uint64_t)0 : 0;
        r = c ? ((sv >> c) | (fill << (63u - c) << 1)) & m : a;
        break;
    }
    case XA_MNEM_RORX:
    default: {
        unsigned c = (unsigned)(b & (bits - 1u));
        r = c ? ((a >> c) | (a << (bits - c))) & m : a;
        break;
    }
    }
    return xai_op_write(e, 0, r);
}

/* BLSI/BLSMSK/BLSR d, s. */
static xa_status exec_bls(struct xai_emu *e)
{
    const struct xa_insn *in = xai_insn(e);
    unsigned size = in->ops[0].size;
    uint64_t *rf = xai_rflags(e);
    uint64_t s, r;

    XAI_TRY(xai_op_read(e, 1, &s));
    switch (in->mnemonic) {
    case XA_MNEM_BLSI: r = xai_alu_blsi(rf, s, size); break;
    case XA_MNEM_BLSMSK: r = xai_alu_blsmsk(rf, s, size); break;
    case XA_MNEM_BLSR:
    default: r = xai_alu_blsr(rf, s, size); break;
    }
    return xai_op_write(e, 0, r);
}

/* MULX hi, lo, s: hi:lo = rDX * s, no flags; with hi = lo the high half wins. */
static xa_status exec_mulx(struct xai_emu *e)
{
    const struct xa_insn *in = xai_insn(e);
    unsigned size = in->ops[0].size;
    uint64_t s, d, lo, hi, rf = 0;

    XAI_TRY(xai_op_read(e, 2, &s));
    XAI_TRY(xai_gpr_read(e, size == 8 ? XA_REG_RDX : XA_REG_EDX, &d));
    xai_alu_mul(&rf, false, d, s, size, &lo, &hi); /* flags discarded */
    XAI_TRY(xai_op_write(e, 1, lo));
    return xai_op_write(e, 0, hi);
}

/* The entries are in emulator/handler_list.h (XAI_LIST_BMI). */
#define ENTRY(t, m, fn) {XA_MNEM_##m, fn},
const struct xai_handler xai_bmi_handlers[] = {XAI_LIST_BMI(ENTRY, ENTRY, 0){0, NULL}};
#undef ENTRY
const unsigned xai_bmi_handlers_count = sizeof(xai_bmi_handlers) / sizeof(xai_bmi_handlers[0]) - 1;
