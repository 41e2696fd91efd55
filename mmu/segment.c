/* SPDX-License-Identifier: BSD-2-Clause */
/* Segmentation: logical -> linear (SDM vol. 3A 3.4.5, 5.3 limit checking,
 * 5.5/5.6 privilege, 20.1 real mode, 20.2 virtual-8086; 3.4.4 and 5.3.1
 * for IA-32e mode; vol. 1 3.3.7.1 canonical addressing). */
#include "mmu/mmu_internal.h"

/* Type bits of a code/data descriptor (SDM vol. 3A 3.4.5.1). */
#define TYPE_CODE       0x8u
#define TYPE_CONFORMING 0x4u /* code */
#define TYPE_EXPANDDOWN 0x4u /* data */
#define TYPE_READABLE   0x2u /* code */
#define TYPE_WRITABLE   0x2u /* data */

enum xa_cpu_mode xa_cpu_mode_of(uint64_t cr0, uint64_t efer, uint64_t rflags, uint32_t cs_attr)
{
    if (!(cr0 & 1))
        return XA_CPU_REAL;
    if (efer & XAI_EFER_LMA)
        return (cs_attr & XA_SEG_ATTR_L) ? XA_CPU_LONG : XA_CPU_COMPAT;
    if (rflags & XAI_RFLAGS_VM)
        return XA_CPU_V86;
    return XA_CPU_PROTECTED;
}

static xa_status seg_fault(struct xa_exception *exc, enum xa_seg which)
{
    xai_fault0(exc, which == XA_SEG_SS ? XA_VEC_SS : XA_VEC_GP);
    return XA_EXCEPTION;
}

/* Type and privilege checks of protected/compatibility mode: 0 or the vector. */
static uint8_t check_type(const struct xa_segment *seg, enum xa_seg which,
                          const struct xa_seg_access *ctxt, enum xa_access access)
{
    uint32_t attr = seg->attr;
    unsigned type = attr & XA_SEG_ATTR_TYPE;
    /* A null selector loads an unusable segment; a cache can only be not
     * present or a system segment if the caller built it so. */
    if ((attr & XA_SEG_ATTR_UNUSABLE) || !(attr & XA_SEG_ATTR_P) || !(attr & XA_SEG_ATTR_S))
        return which == XA_SEG_SS ? XA_VEC_SS : XA_VEC_GP;
    bool code = (type & TYPE_CODE) != 0;
    switch (access) {
    case XA_ACCESS_WRITE:
        if (code || !(type & TYPE_WRITABLE))
            return XA_VEC_GP;
        break;
    case XA_ACCESS_READ:
        if (code && !(type & TYPE_READABLE))
            return XA_VEC_GP;
        break;
    case XA_ACCESS_FETCH:
        if (!code)
            return XA_VEC_GP;
        break;
    }
    /* Policy: a data or non-conforming code segment whose DPL is below the
     * CPL cannot stay loaded across a privilege change (the CPU nulls it). */
    unsigned dpl = (attr >> XA_SEG_ATTR_DPL_SHIFT) & 3;
    if (which != XA_SEG_CS && which != XA_SEG_SS && dpl < ctxt->cpl &&
        !(code && (type & TYPE_CONFORMING)))
        return XA_VEC_GP;
    return 0;
}

xa_status xa_segment_to_linear(const struct xa_segment *seg, enum xa_seg which,
                               const struct xa_seg_access *ctxt, uint64_t offset, uint32_t size,
                               enum xa_access access, uint64_t *la, struct xa_exception *exc)
{
    if (!seg || !ctxt || !la || !exc || (unsigned)which > XA_SEG_GS ||
        (unsigned)access > XA_ACCESS_FETCH || ctxt->cpl > 3 || size == 0 || size > 4096)
        return XA_ERR_BAD_ARGUMENT;
    if (ctxt->addr_size != 2 && ctxt->addr_size != 4 && ctxt->addr_size != 8)
        return XA_ERR_BAD_ARGUMENT;

    if (ctxt->mode == XA_CPU_LONG) {
        /* 64-bit mode: bases of CS, DS, ES, SS are 0; no limit or type checks. */
        if (ctxt->addr_size == 4)
            offset &= 0xffffffffu;
        else if (ctxt->addr_size == 2)
            offset &= 0xffffu;
        uint64_t base = (which == XA_SEG_FS || which == XA_SEG_GS) ? seg->base : 0;
        uint64_t first = base + offset;
        uint64_t last = first + (size - 1);
        if (!xa_is_canonical(first, ctxt->la57) || !xa_is_canonical(last, ctxt->la57))
            return seg_fault(exc, which);
        *la = first;
        return XA_OK;
    }
    if (ctxt->addr_size == 8 || (unsigned)ctxt->mode > XA_CPU_LONG)
        return XA_ERR_BAD_ARGUMENT;

    /* The effective address wraps at the address size. */
    offset &= ctxt->addr_size == 2 ? 0xffffu : 0xffffffffu;
    uint64_t last = offset + (size - 1); /* no wrap: every byte is limit-checked */
    uint64_t limit = seg->limit;

    if (ctxt->mode == XA_CPU_REAL || ctxt->mode == XA_CPU_V86) {
        /* Only the cached limit is enforced (expand-up). */
        if (last > limit)
            return seg_fault(exc, which);
    } else {
        uint8_t vec = check_type(seg, which, ctxt, access);
        if (vec) {
            xai_fault0(exc, vec);
            return XA_EXCEPTION;
        }
        unsigned type = seg->attr & XA_SEG_ATTR_TYPE;
        if (!(type & TYPE_CODE) && (type & TYPE_EXPANDDOWN)) {
            /* Expand-down: valid offsets are limit+1 .. 0xffff (or 0xffffffff with B=1). */
            uint64_t upper = (seg->attr & XA_SEG_ATTR_DB) ? 0xffffffffu : 0xffffu;
            if (offset <= limit || last > upper)
                return seg_fault(exc, which);
        } else if (last > limit) {
            return seg_fault(exc, which);
        }
    }
    *la = (seg->base + offset) & 0xffffffffu;
    return XA_OK;
}
