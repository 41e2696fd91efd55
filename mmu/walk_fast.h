/* SPDX-License-Identifier: BSD-2-Clause */
/* The fast path of 4-level and 5-level paging (SDM vol. 3A 4.5), for the common case:
 * a 4 KiB page whose entries are present and free of reserved bits. One mask test per
 * level covers P, the reserved bits and PS; the running rights stay in locals; the
 * result is written once. Whatever else it meets (a not-present or reserved entry, a
 * large page, A/D bits to set) goes to the general walk with the entries read so far,
 * which checks them again without reading them again (xai_walk_resume): the answer is
 * always the general walk's, this file only gets there sooner. Included by walk.c. */
#ifndef XA_MMU_WALK_FAST_H
#define XA_MMU_WALK_FAST_H

#include "mmu/mmu_internal.h"
#include "mmu/rights.h"

/* Where the fast path reads entries: the RAM window holds an entry at gpa when
 * gpa < lim (lim = ram_size - 7, or 0 without a window), else the read callback. */
struct fast_mem {
    const struct xa_mmu_ops *ops;
    void *ctx;
    const uint8_t *ram;
    uint64_t lim;
};

/* One level: reads the entry indexing @p table with LA bits shift+8:shift into *e.
 * Returns 0 when the entry is present with no bit of @p chk set but P (then *table is
 * the next table), 1 when the general walk must decide, -1 when the read failed. */
static XAI_ALWAYS_INLINE int fast_level(const struct fast_mem *m, uint64_t *table, uint64_t la,
                                        unsigned shift, uint64_t chk, uint64_t *e)
{
    uint64_t gpa = *table + ((la >> (shift - 3)) & 0xff8);
    uint64_t v;
    if (gpa < m->lim) {
        v = xai_le64(m->ram + gpa);
    } else {
        uint8_t b[8];
        if (m->ops->read(m->ctx, gpa, b, 8) != 0)
            return -1;
        v = xai_le64(b);
    }
    *e = v;
    if ((v & chk) != XAI_PTE_P)
        return 1;
    *table = v & XAI_PTE_ADDR; /* bits 51:M are clear: part of chk */
    return 0;
}

/* The path record of the first @p n entries of a fast walk from the top level @p top
 * (4 or 5): e[level] is the entry read at that level. When the walk ended at a 4 KiB
 * page (n = top), the record is complete, for the A/D commit; else it carries the
 * values only, for the general walk to check again. */
static void fast_path_record(struct xai_path *path, unsigned top, unsigned n, uint64_t cr3_table,
                             uint64_t la, const uint64_t *e)
{
    uint64_t table = cr3_table;
    uint64_t and_all = ~0ull, and_nonleaf = ~0ull, or_all = 0;
    for (unsigned i = 0; i < n; i++) {
        unsigned level = top - i;
        uint64_t v = e[level];
        path->gpa[i] = table + ((la >> (9 * level)) & 0xff8);
        path->val[i] = v;
        path->level[i] = (uint8_t)level;
        and_nonleaf = and_all;
        and_all &= v;
        or_all |= v;
        table = v & XAI_PTE_ADDR;
    }
    path->n = (uint8_t)n;
    path->first_ad = 0;
    path->esize = 8;
    path->pa = (e[1] & XAI_PTE_ADDR) | (la & 0xfff);
    path->page_size = 4096;
    path->and_all = and_all;
    path->and_nonleaf = and_nonleaf;
    path->or_all = or_all;
}

/* xa_walk with @p top = 4 (4-level) or 5 (5-level paging), after the argument checks
 * (@p maxphy from xai_walk_args_ok);
 * a constant @p top gives one specialised copy per paging mode. */
static XAI_ALWAYS_INLINE xa_status walk_ia32e_fast(const struct xa_paging_state *ps,
                                                   const struct xa_mmu_ops *ops, void *ctx,
                                                   enum xa_access access, unsigned flags,
                                                   unsigned maxphy, unsigned top, uint64_t la,
                                                   struct xa_walk_result *out,
                                                   struct xa_exception *exc)
{
    /* The configuration's address never leaves this function (the cold paths make their
     * own), so that it lives in registers rather than in memory. */
    struct xai_walk_cfg cv;
    xai_walk_cfg_init(&cv, ps, ops, ctx, access, flags, maxphy);
    const struct xai_walk_cfg *const c = &cv;
    /* Canonical check before any walk (SDM vol. 1 3.3.7.1): bits 63:47 (63:56) equal. */
    const unsigned width = top == 5 ? 57 : 48;
    if ((uint64_t)((int64_t)(la << (64 - width)) >> (64 - width)) != la) {
        xai_fault0(exc, (c->flags & XA_WALK_SS_REF) ? XA_VEC_SS : XA_VEC_GP);
        return XA_EXCEPTION;
    }

    const uint64_t phys_mask = (1ull << c->maxphy) - 1;
    /* Bits 51:M are reserved at every level, and bit 63 without NXE. */
    uint64_t rsvd = ~phys_mask & 0x000fffffffffffffull;
    if (!(ps->efer & XAI_EFER_NXE))
        rsvd |= XAI_PTE_XD;
    /* PS is reserved in a PML5E/PML4E (so is bit 8 on AMD) and makes a large page in a
     * PDPTE/PDE: either way the general walk's business. In a PTE, bit 7 is PAT. */
    const uint64_t chk = rsvd | XAI_PTE_P | XAI_PTE_PS;
    const uint64_t chk_top = ps->cpu.vendor == XA_VENDOR_AMD ? chk | (1ull << 8) : chk;
    const uint64_t ram_size = c->ops->ram ? c->ops->ram_size : 0;
    const struct fast_mem m = {c->ops, c->ctx, c->ops->ram, ram_size >= 8 ? ram_size - 7 : 0};
    const uint64_t cr3_table = ps->cr3 & phys_mask & ~0xfffull;

    /* e[level]: the entry read at that level (1 = PTE). */
    uint64_t e[XA_MMU_MAX_LEVELS + 1];
    uint64_t table = cr3_table;
    unsigned level = top;
    int r = 0;
    if (top == 5)
        r = fast_level(&m, &table, la, 48, chk_top, &e[level--]);
    if (r == 0)
        r = fast_level(&m, &table, la, 39, chk_top, &e[level--]);
    if (r == 0)
        r = fast_level(&m, &table, la, 30, chk, &e[level--]);
    if (r == 0)
        r = fast_level(&m, &table, la, 21, chk, &e[level--]);
    if (r == 0)
        r = fast_level(&m, &table, la, 12, chk & ~XAI_PTE_PS, &e[level--]);
    if (r < 0)
        return XA_ERR_CALLBACK;
    const bool check_only = (c->flags & XA_WALK_NO_AD) != 0;
    struct xai_path path;
    if (r > 0) {
        /* Not a plain entry: the general walk checks the entries read and goes on. */
        struct xai_walk_cfg cc;
        xai_walk_cfg_init(&cc, ps, c->ops, c->ctx, c->access, c->flags, c->maxphy);
        unsigned n = top - level;
        fast_path_record(&path, top, n, cr3_table, la, e);
        return xai_walk_resume(&cc, la, check_only, &path, n, false, out, exc);
    }

    const uint64_t leaf = e[1];
    uint64_t and_nonleaf = e[2] & e[3] & e[4], or_all = e[2] | e[3] | e[4];
    if (top == 5) {
        and_nonleaf &= e[5];
        or_all |= e[5];
    }
    const uint64_t and_all = and_nonleaf & leaf;
    or_all |= leaf;
    uint32_t fault = xai_rights_check(c, and_all, and_nonleaf, or_all, leaf);
    if (fault) {
        struct xai_walk_cfg cc;
        xai_walk_cfg_init(&cc, ps, c->ops, c->ctx, c->access, c->flags, c->maxphy);
        xai_page_fault(exc, xai_pfec(&cc) | fault, la);
        return XA_EXCEPTION;
    }
    const bool write = c->access == XA_ACCESS_WRITE;
    if (!(and_all & XAI_PTE_A) || (write && !(leaf & XAI_PTE_D))) {
        /* A/D bits to set: the general commit, from the complete record. */
        struct xai_walk_cfg cc;
        xai_walk_cfg_init(&cc, ps, c->ops, c->ctx, c->access, c->flags, c->maxphy);
        fast_path_record(&path, top, top, cr3_table, la, e);
        return xai_walk_resume(&cc, la, check_only, &path, top, true, out, exc);
    }

    /* Every A (and D) bit already set: nothing to write. */
    out->gpa = (leaf & XAI_PTE_ADDR) | (la & 0xfff);
    out->page_size = 4096;
    /* R/W (bit 1) and U/S (bit 2) of and_all are XA_RIGHT_WRITE and XA_RIGHT_USER. */
    uint32_t rights = (uint32_t)(and_all >> 1) & (XA_RIGHT_WRITE | XA_RIGHT_USER);
    if (!(or_all & XAI_PTE_XD))
        rights |= XA_RIGHT_EXEC;
    if (leaf & XAI_PTE_D)
        rights |= XA_RIGHT_DIRTY;
    out->rights = rights;
    out->pkey = (uint8_t)((leaf >> 59) & 0xf);
    out->levels = (uint8_t)top;
    out->nwrites = 0;
    return XA_OK;
}

#endif
