/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Port I/O for IN/OUT/INS/OUTS: the I/O permission check and the port callbacks.
 *
 * The check (SDM vol. 1, "I/O permission bit map"): in protected mode with CPL <= IOPL
 * every port is allowed; with CPL > IOPL, or in virtual-8086 mode, the bits of every
 * port the access touches (port .. port + size - 1) must be 0 in the I/O bitmap of the
 * TSS that TR names. TR must hold a present 32-bit or 64-bit TSS; the bitmap's 16-bit
 * base is at TSS offset 0x66. The CPU reads two bytes of the bitmap (at base + port / 8)
 * for every access, so both must lie inside the TR limit. Anything else is #GP(0). The
 * TSS reads are implicit supervisor reads through the page walk. Real mode: no check.
 */
#include "emulator/core/core.h"

#define TSS_IOMAP_BASE 0x66u

/* One byte of the TSS at linear address @p la: a supervisor read through the walk. */
static xa_status tss_byte(struct xai_emu *e, uint64_t la, uint8_t *out)
{
    XAI_TRY(xai_paging_ready(e));
    struct xa_walk_result w;
    struct xa_exception exc;
    unsigned flags = XA_WALK_IMPLICIT | (e->cpl == 3 ? XA_WALK_USER : 0);
    if (e->cpumode != XA_CPU_LONG)
        la &= 0xffffffffu;
    xa_status st = xai_walk_cached(e->v, la, XA_ACCESS_READ, flags, &w, &exc);
    if (st == XA_EXCEPTION) {
        e->out->exception = exc;
        return XA_EXCEPTION;
    }
    XAI_TRY(st);
    const struct xa_vcpu *v = e->v;
    if (v->ram && w.gpa < v->ram_size) {
        *out = v->ram[w.gpa];
        return XA_OK;
    }
    return v->ops->mem_read(v->ctx, w.gpa, out, 1, XA_MEM_DATA) == 0 ? XA_OK : XA_ERR_CALLBACK;
}

xa_status xai_io_check(struct xai_emu *e, unsigned port, unsigned size, bool in)
{
    const struct xa_cpu_ops *ops = e->v->ops;
    if (in ? !ops->io_read : !ops->io_write)
        return XA_ERR_UNSUPPORTED;
    if (e->cpumode == XA_CPU_REAL)
        return XA_OK;
    unsigned iopl = (unsigned)((e->rflags0 & XAI_IOPL) >> 12);
    if (e->cpumode != XA_CPU_V86 && e->cpl <= iopl)
        return XA_OK;
    const struct xa_segment *tr;
    XAI_TRY(xai_seg_get(e, XA_R_TR - XA_R_ES, &tr));
    unsigned type = tr->attr & XA_SEG_ATTR_TYPE;
    /* A present system descriptor of type 9 or 11 (available or busy 32/64-bit TSS). */
    if ((tr->attr & (XA_SEG_ATTR_S | XA_SEG_ATTR_UNUSABLE)) || !(tr->attr & XA_SEG_ATTR_P) ||
        (type != 9 && type != 11) || tr->limit < TSS_IOMAP_BASE + 1)
        return xai_raise(e, XA_VEC_GP, true, 0);
    uint8_t lo, hi;
    XAI_TRY(tss_byte(e, tr->base + TSS_IOMAP_BASE, &lo));
    XAI_TRY(tss_byte(e, tr->base + TSS_IOMAP_BASE + 1, &hi));
    uint32_t at = ((uint32_t)hi << 8 | lo) + port / 8u;
    if ((uint64_t)at + 1 > tr->limit)
        return xai_raise(e, XA_VEC_GP, true, 0);
    XAI_TRY(tss_byte(e, tr->base + at, &lo));
    XAI_TRY(tss_byte(e, tr->base + at + 1, &hi));
    uint32_t bits = ((uint32_t)hi << 8 | lo) >> (port % 8u);
    if (bits & ((1u << size) - 1))
        return xai_raise(e, XA_VEC_GP, true, 0);
    return XA_OK;
}

xa_status xai_io_in(struct xai_emu *e, unsigned port, unsigned size, unsigned count, void *buf)
{
    const struct xa_vcpu *v = e->v;
    if (!v->ops->io_read)
        return XA_ERR_UNSUPPORTED;
    return v->ops->io_read(v->ctx, (uint16_t)port, buf, size, count) == 0 ? XA_OK : XA_ERR_CALLBACK;
}

xa_status xai_io_out(struct xai_emu *e, unsigned port, unsigned size, unsigned count,
                     const void *buf)
{
    const struct xa_vcpu *v = e->v;
    if (!v->ops->io_write)
        return XA_ERR_UNSUPPORTED;
    return v->ops->io_write(v->ctx, (uint16_t)port, buf, size, count) == 0 ? XA_OK
                                                                           : XA_ERR_CALLBACK;
}
