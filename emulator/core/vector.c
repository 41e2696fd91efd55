/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The core's part of the vector moves and direct stores: the SIMD state checks
 * (#UD, #NM) in the CPU's order, the alignment #GP of the aligned forms, the
 * EVEX opmask, and masked memory operands, of which only the selected bytes
 * are translated, read or written (masked-off elements never fault).
 */
#include <string.h>

#include "emulator/core/core.h"

#define CR0_EM      (UINT64_C(1) << 2)
#define CR0_TS      (UINT64_C(1) << 3)
#define CR4_OSFXSR  (UINT64_C(1) << 9)
#define CR4_OSXSAVE (UINT64_C(1) << 18)
/* XCR0: x87|SSE|AVX for VEX; plus opmask, ZMM_Hi256, Hi16_ZMM for EVEX. */
#define XCR0_VEX  UINT64_C(0x06)
#define XCR0_EVEX UINT64_C(0xe6)

/* How the CPU checks an instruction's SIMD state. */
enum simd_class {
    SIMD_NONE = 0, /* not a vector move or direct store */
    SIMD_MMX,      /* CR0.EM, CR0.TS */
    SIMD_SSE,      /* CR0.EM, CR4.OSFXSR, CR0.TS */
    SIMD_VEX,      /* CR4.OSXSAVE, XCR0[2:1], CR0.TS */
    SIMD_EVEX,     /* CR4.OSXSAVE, XCR0[7:5,2:1], CR0.TS */
    SIMD_STORE,    /* MOVDIRI, MOVDIR64B: the feature only */
};

/* Whether the instruction is one of the vector moves (their vector-length form needs
 * AVX512VL below 512 bits when EVEX-encoded) or a scalar/partial one; 0 if neither. */
enum { MOVE_NONE = 0, MOVE_FULL = 1, MOVE_PART = 2 };

static unsigned move_kind(const struct xa_insn *in)
{
    switch (in->mnemonic) {
    case XA_MNEM_MOVDQA:
    case XA_MNEM_MOVDQU:
    case XA_MNEM_MOVAPS:
    case XA_MNEM_MOVUPS:
    case XA_MNEM_MOVAPD:
    case XA_MNEM_MOVUPD:
    case XA_MNEM_MOVNTDQ:
    case XA_MNEM_MOVNTPS:
    case XA_MNEM_MOVNTPD:
    case XA_MNEM_MOVNTDQA:
    case XA_MNEM_LDDQU:
    case XA_MNEM_VMOVDQA:
    case XA_MNEM_VMOVDQU:
    case XA_MNEM_VMOVAPS:
    case XA_MNEM_VMOVUPS:
    case XA_MNEM_VMOVAPD:
    case XA_MNEM_VMOVUPD:
    case XA_MNEM_VMOVNTDQ:
    case XA_MNEM_VMOVNTPS:
    case XA_MNEM_VMOVNTPD:
    case XA_MNEM_VMOVNTDQA:
    case XA_MNEM_VLDDQU:
    case XA_MNEM_VMOVDQA32:
    case XA_MNEM_VMOVDQA64:
    case XA_MNEM_VMOVDQU8:
    case XA_MNEM_VMOVDQU16:
    case XA_MNEM_VMOVDQU32:
    case XA_MNEM_VMOVDQU64: return MOVE_FULL;
    case XA_MNEM_MOVSS:
    case XA_MNEM_MOVSD:
        /* The string MOVSD (A5) shares the mnemonic: it is not a vector move. */
        return in->map == XA_MAP_1BYTE ? MOVE_NONE : MOVE_PART;
    case XA_MNEM_MOVD:
    case XA_MNEM_MOVQ:
    case XA_MNEM_MOVLPS:
    case XA_MNEM_MOVHPS:
    case XA_MNEM_MOVLPD:
    case XA_MNEM_MOVHPD:
    case XA_MNEM_VMOVD:
    case XA_MNEM_VMOVQ:
    case XA_MNEM_VMOVSS:
    case XA_MNEM_VMOVSD:
    case XA_MNEM_VMOVLPS:
    case XA_MNEM_VMOVHPS:
    case XA_MNEM_VMOVLPD:
    case XA_MNEM_VMOVHPD: return MOVE_PART;
    default: return MOVE_NONE;
    }
}

static bool has_mmx_operand(const struct xa_insn *in)
{
    for (unsigned i = 0; i < in->operand_count && i < 5; i++)
        if (in->ops[i].type == XA_OP_REG && in->ops[i].reg >= XA_REG_MM0 &&
            in->ops[i].reg <= XA_REG_MM7)
            return true;
    return false;
}

static enum simd_class simd_class(const struct xa_insn *in, unsigned *kind)
{
    *kind = MOVE_NONE;
    if (in->mnemonic == XA_MNEM_MOVDIRI || in->mnemonic == XA_MNEM_MOVDIR64B)
        return SIMD_STORE;
    *kind = move_kind(in);
    if (*kind == MOVE_NONE)
        return SIMD_NONE;
    if (in->encoding == XA_ENC_EVEX)
        return SIMD_EVEX;
    if (in->encoding == XA_ENC_VEX)
        return SIMD_VEX;
    return has_mmx_operand(in) ? SIMD_MMX : SIMD_SSE;
}

/* The CPUID features the guest needs for the instruction (MMX, SSE, SSE2 are baseline). */
static uint32_t needed_features(const struct xa_insn *in, enum simd_class c, unsigned kind)
{
    unsigned m = in->mnemonic;
    switch (c) {
    case SIMD_STORE: return m == XA_MNEM_MOVDIRI ? XA_FEAT_MOVDIRI : XA_FEAT_MOVDIR64B;
    case SIMD_SSE:
        if (m == XA_MNEM_LDDQU)
            return XA_FEAT_SSE3;
        if (m == XA_MNEM_MOVNTDQA)
            return XA_FEAT_SSE4_1;
        return 0;
    case SIMD_VEX:
        /* VMOVNTDQA ymm is AVX2; everything else here is AVX. */
        return XA_FEAT_AVX | (m == XA_MNEM_VMOVNTDQA && in->vector_length == 32 ? XA_FEAT_AVX2 : 0);
    case SIMD_EVEX: {
        uint32_t f = XA_FEAT_AVX512F;
        if (m == XA_MNEM_VMOVDQU8 || m == XA_MNEM_VMOVDQU16)
            f |= XA_FEAT_AVX512BW;
        /* The full-vector forms below 512 bits need VL; the scalar and 64-bit ones
         * (VMOVSS, VMOVD, VMOVQ, VMOVLPS...) are AVX512F alone. */
        if (kind == MOVE_FULL && in->vector_length < 64)
            f |= XA_FEAT_AVX512VL;
        return f;
    }
    default: return 0;
    }
}

static xa_status check_class(struct xai_emu *e, enum simd_class c, unsigned kind)
{
    const struct xa_insn *in = e->insn;
    uint32_t need = needed_features(in, c, kind);
    if ((e->v->model.features & need) != need)
        return xai_raise(e, XA_VEC_UD, false, 0);
    if (c == SIMD_STORE || c == SIMD_NONE)
        return XA_OK;
    uint64_t cr0, cr4, xcr0;
    XAI_TRY(xai_reg_get(e, XA_R_CR0, &cr0));
    XAI_TRY(xai_reg_get(e, XA_R_CR4, &cr4));
    switch (c) {
    case SIMD_MMX:
        if (cr0 & CR0_EM)
            return xai_raise(e, XA_VEC_UD, false, 0);
        break;
    case SIMD_SSE:
        if ((cr0 & CR0_EM) || !(cr4 & CR4_OSFXSR))
            return xai_raise(e, XA_VEC_UD, false, 0);
        break;
    default: {
        /* VEX/EVEX ignore CR0.EM and OSFXSR; XCR0 is read only once OSXSAVE allows it. */
        uint64_t want = c == SIMD_EVEX ? XCR0_EVEX : XCR0_VEX;
        if (!(cr4 & CR4_OSXSAVE))
            return xai_raise(e, XA_VEC_UD, false, 0);
        XAI_TRY(xai_reg_get(e, XA_R_XCR0, &xcr0));
        if ((xcr0 & want) != want)
            return xai_raise(e, XA_VEC_UD, false, 0);
        break;
    }
    }
    if (cr0 & CR0_TS)
        return xai_raise(e, XA_VEC_NM, false, 0);
    return XA_OK;
}

xa_status xai_simd_check(struct xai_emu *e)
{
    unsigned kind;
    enum simd_class c = simd_class(e->insn, &kind);
    return check_class(e, c, kind);
}

xa_status xai_vec_opmask(struct xai_emu *e, uint64_t *bits, bool *masked)
{
    const struct xa_insn *in = e->insn;
    *bits = ~UINT64_C(0);
    *masked = false;
    if (in->encoding != XA_ENC_EVEX || in->evex.mask == 0)
        return XA_OK;
    XAI_TRY(xai_reg_get(e, XA_R_K0 + (in->evex.mask & 7u), bits));
    *masked = true;
    return XA_OK;
}

/* The linear address of the memory operand's first byte (segment base applied the way
 * the segmentation does: FS/GS only in 64-bit mode, 32-bit wrap outside it). Used for
 * the alignment check and to find the page boundary; the checks are xai_translate's. */
static xa_status memop_la(struct xai_emu *e, uint64_t ea, uint64_t *la)
{
    unsigned seg = e->insn->mem.seg - XA_REG_ES;
    const struct xa_segment *s;
    if (seg > XA_SEG_GS)
        return XA_ERR_UNSUPPORTED;
    XAI_TRY(xai_seg_get(e, seg, &s));
    if (e->cpumode == XA_CPU_LONG)
        *la = ea + (seg >= XA_SEG_FS ? s->base : 0);
    else
        *la = (ea + s->base) & 0xffffffffu;
    return XA_OK;
}

/* An EVEX-masked aligned move whose opmask selects no element within the vector length
 * makes no access and raises no alignment #GP either (measured on an AMD Zen 4 host by
 * the native test; the SDM does not say): the aligned masked forms have 4-byte (W0) or
 * 8-byte (W1) elements. */
static bool no_element_selected(struct xai_emu *e)
{
    const struct xa_insn *in = e->insn;
    uint64_t k;
    if (in->encoding != XA_ENC_EVEX || in->evex.mask == 0 ||
        xai_reg_get(e, XA_R_K0 + (in->evex.mask & 7u), &k) != XA_OK)
        return false;
    unsigned n = in->vector_length / ((in->rex & 0x08) ? 8u : 4u);
    return (k & ((UINT64_C(1) << n) - 1)) == 0;
}

xa_status xai_vec_prepare(struct xai_emu *e, bool *deferred)
{
    const struct xa_insn *in = e->insn;
    *deferred = false;
    unsigned kind;
    enum simd_class c = simd_class(in, &kind);
    if (c == SIMD_NONE)
        return XA_OK;
    XAI_TRY(check_class(e, c, kind));
    if (in->mnemonic == XA_MNEM_MOVDIR64B && e->exit_check == XAI_EXIT_OPERAND)
        e->exit_check = XAI_EXIT_ANY; /* the exit is most often the destination's (ES:[reg]) */
    if (e->mi < 0)
        return XA_OK;
    const struct xa_operand *op = &in->ops[e->mi];
    if ((in->attributes & XA_ATTR_SSE_ALIGNED) && !no_element_selected(e)) {
        /* The full operand size, masked or not (faults of masked-off elements are
         * suppressed, the alignment check is not); before the page walk. */
        uint64_t ea, la;
        XAI_TRY(xai_memop_ea(e, &ea));
        XAI_TRY(memop_la(e, ea, &la));
        if (op->size && (la & (op->size - 1u)))
            return xai_raise(e, XA_VEC_GP, true, 0);
    }
    if (c == SIMD_EVEX && in->evex.mask != 0)
        *deferred = true; /* only the selected elements' pages: xai_vec_mem_read/write */
    return XA_OK;
}

/* ---- masked memory operands ----------------------------------------------- */

/* One page's share of a masked operand: bytes [first, last] translated. */
struct span {
    unsigned first, last;
    struct xai_xlat x;
};

/* Translates, page by page, the span from the first to the last enabled byte. */
static xa_status masked_translate(struct xai_emu *e, unsigned size, uint64_t enable,
                                  enum xa_access access, struct span sp[2], unsigned *n)
{
    const struct xa_insn *in = e->insn;
    uint64_t ea, la;
    XAI_TRY(xai_memop_ea(e, &ea));
    XAI_TRY(memop_la(e, ea, &la));
    uint64_t admask = in->adsize == 64 ? ~UINT64_C(0) : in->adsize == 32 ? 0xffffffffu : 0xffffu;
    unsigned split = 4096u - (unsigned)(la & 0xfff); /* first byte on the next page */
    unsigned bounds[3] = {0, split < size ? split : size, size};
    *n = 0;
    for (unsigned p = 0; p < 2; p++) {
        unsigned first = 64, last = 0;
        for (unsigned b = bounds[p]; b < bounds[p + 1]; b++)
            if ((enable >> b) & 1) {
                if (first == 64)
                    first = b;
                last = b;
            }
        if (first == 64)
            continue; /* nothing selected on this page: never translated */
        struct span *s = &sp[(*n)++];
        s->first = first;
        s->last = last;
        XAI_TRY(xai_translate(e, in->mem.seg - XA_REG_ES, (ea + first) & admask, in->adsize / 8u,
                              last - first + 1, access, &s->x));
    }
    /* The exit named this operand: one of the selected bytes must be the exit's. */
    if (e->exit_check == XAI_EXIT_OPERAND && !e->exit_matched)
        return XA_RETRY;
    return XA_OK;
}

static bool mem_operand(const struct xai_emu *e, unsigned i, unsigned size)
{
    const struct xa_insn *in = e->insn;
    return i < in->operand_count && i < 5 && in->ops[i].type == XA_OP_MEM && size <= 64 &&
           size <= in->ops[i].size;
}

/* No byte selected: no access. After an MMIO exit that named this operand, the guest
 * must have changed the opmask since: re-enter it (as for an exit that matches nothing). */
static xa_status no_access(const struct xai_emu *e)
{
    return e->exit_check == XAI_EXIT_OPERAND && !e->exit_matched ? XA_RETRY : XA_OK;
}

static uint64_t all_bytes(unsigned size)
{
    return size >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << size) - 1;
}

xa_status xai_vec_mem_read(struct xai_emu *e, unsigned i, void *buf, unsigned size, uint64_t enable)
{
    if (!mem_operand(e, i, size))
        return XA_ERR_BAD_ARGUMENT;
    enable &= all_bytes(size);
    uint8_t *out = buf;
    memset(out, 0, size);
    if (enable == all_bytes(size))
        return xai_op_read_bytes(e, i, buf, size);
    if (!enable)
        return no_access(e);
    struct span sp[2];
    unsigned n;
    XAI_TRY(masked_translate(e, size, enable, XA_ACCESS_READ, sp, &n));
    const struct xa_cpu_ops *ops = e->v->ops;
    for (unsigned k = 0; k < n; k++) {
        /* A span is inside one page: one guest-physical piece. */
        for (unsigned b = sp[k].first; b <= sp[k].last;) {
            if (!((enable >> b) & 1)) {
                b++;
                continue;
            }
            unsigned end = b;
            while (end <= sp[k].last && ((enable >> end) & 1))
                end++;
            if (ops->mem_read(e->v->ctx, sp[k].x.gpa[0] + (b - sp[k].first), out + b, end - b,
                              XA_MEM_DATA) != 0)
                return XA_ERR_CALLBACK;
            b = end;
        }
    }
    return XA_OK;
}

xa_status xai_vec_mem_write(struct xai_emu *e, unsigned i, const void *buf, unsigned size,
                            uint64_t enable)
{
    if (!mem_operand(e, i, size))
        return XA_ERR_BAD_ARGUMENT;
    enable &= all_bytes(size);
    if (enable == all_bytes(size))
        return xai_op_write_bytes(e, i, buf, size);
    if (!enable)
        return no_access(e);
    struct span sp[2];
    unsigned n;
    XAI_TRY(masked_translate(e, size, enable, XA_ACCESS_WRITE, sp, &n));
    if (e->nstaged + n > XAI_MAX_STAGED)
        return XA_ERR_UNSUPPORTED;
    const uint8_t *in = buf;
    for (unsigned k = 0; k < n; k++) {
        struct xai_staged *s = &e->staged[e->nstaged++];
        unsigned len = sp[k].last - sp[k].first + 1;
        s->x = sp[k].x;
        s->locked = false;
        memcpy(s->data, in + sp[k].first, len);
        /* Relative to the span: enable is non-zero (its first byte is selected). */
        s->enable = (enable >> sp[k].first) & all_bytes(len);
    }
    return XA_OK;
}

/* ---- checks without access -------------------------------------------------- */

xa_status xai_op_check(struct xai_emu *e, unsigned i, unsigned size, unsigned access)
{
    const struct xa_insn *in = e->insn;
    if (i >= in->operand_count || i >= 5 || in->ops[i].type != XA_OP_MEM || size == 0 ||
        size > 4096 || access > XA_ACCESS_WRITE)
        return XA_ERR_BAD_ARGUMENT;
    if (in->mem.seg < XA_REG_ES || in->mem.seg > XA_REG_GS)
        return XA_ERR_UNSUPPORTED;
    uint64_t ea;
    struct xai_xlat x;
    XAI_TRY(xai_memop_ea(e, &ea));
    return xai_translate(e, in->mem.seg - XA_REG_ES, ea, in->adsize / 8u, size,
                         (enum xa_access)access, &x);
}

xa_status xai_mem_check(struct xai_emu *e, unsigned seg, uint64_t offset, unsigned size,
                        unsigned access)
{
    struct xai_xlat x;
    if (seg > XA_SEG_GS || size == 0 || size > 4096 || access > XA_ACCESS_WRITE)
        return XA_ERR_BAD_ARGUMENT;
    return xai_translate(e, seg, offset, e->insn->adsize / 8u, size, (enum xa_access)access, &x);
}
