/* SPDX-License-Identifier: BSD-2-Clause */
/* 4-level and 5-level paging (SDM vol. 3A 4.5; AMD APM vol. 2 5.3), the general
 * walk: every page size and every fault. One read per level, top-down; P=0 then
 * reserved bits, per level. The common case is walk_fast.h, which ends here for
 * anything else. */
#include "mmu/mmu_internal.h"

xa_status xai_walk_ia32e(const struct xai_walk_cfg *c, uint64_t la, struct xai_path *path,
                         unsigned pre, struct xa_exception *exc)
{
    const struct xa_paging_state *ps = c->ps;
    const uint64_t phys_mask = (1ull << c->maxphy) - 1;
    const uint64_t addr_mask = phys_mask & ~0xfffull;
    /* Bits 51:M are reserved at every level; bit 63 too without NXE. */
    uint64_t rsvd = ~phys_mask & 0x000fffffffffffffull;
    if (!(ps->efer & XAI_EFER_NXE))
        rsvd |= XAI_PTE_XD;
    /* PML5E and PML4E: PS is reserved; AMD also reserves bit 8 (APM "MBZ"). */
    uint64_t rsvd_top = rsvd | XAI_PTE_PS;
    if (ps->cpu.vendor == XA_VENDOR_AMD)
        rsvd_top |= 1ull << 8;
    /* PDPTE with PS=1: a 1 GiB page, bits 29:13 reserved; PS itself reserved
     * without 1 GiB page support. PDE with PS=1: bits 20:13 reserved. */
    const uint64_t rsvd_1g = rsvd | ((ps->cpu.features & XA_FEAT_1G) ? 0x3fffe000ull : XAI_PTE_PS);
    const uint64_t rsvd_2m = rsvd | 0x1fe000ull;

    const uint8_t *const ram = c->ops->ram;
    const uint64_t ram_size = ram ? c->ops->ram_size : 0;
    unsigned level = (ps->cr4 & XAI_CR4_LA57) ? 5 : 4;
    uint64_t table = ps->cr3 & addr_mask;
    uint64_t and_all = ~0ull, and_nonleaf = ~0ull, or_all = 0;
    unsigned i = 0;

    path->esize = 8;
    path->first_ad = 0;
    for (;;) {
        unsigned shift = 3 + 9 * level; /* 12 + 9 * (level - 1) */
        uint64_t gpa = table + ((la >> shift) & 0x1ff) * 8;
        uint64_t e;
        if (i < pre) {
            e = path->val[i]; /* read by the fast path: checked here, not read again */
        } else if (gpa < ram_size && ram_size - gpa >= 8) {
            e = xai_le64(ram + gpa);
        } else if (xai_read_entry_cb(c, gpa, 8, &e) != 0) {
            return XA_ERR_CALLBACK;
        }
        path->gpa[i] = gpa;
        path->val[i] = e;
        path->level[i] = (uint8_t)level;
        i++;
        if (!(e & XAI_PTE_P)) {
            xai_page_fault(exc, xai_pfec(c), la);
            return XA_EXCEPTION;
        }
        uint64_t r;
        bool leaf = false;
        if (level >= 4) {
            r = rsvd_top;
        } else if (level == 1) {
            r = rsvd;
            leaf = true;
        } else if (e & XAI_PTE_PS) {
            r = level == 3 ? rsvd_1g : rsvd_2m;
            leaf = true;
        } else {
            r = rsvd;
        }
        if (e & r) {
            xai_page_fault(exc, xai_pfec(c) | XAI_PF_P | XAI_PF_RSVD, la);
            return XA_EXCEPTION;
        }
        and_nonleaf = and_all;
        and_all &= e;
        or_all |= e;
        if (leaf) {
            uint64_t off_mask = (1ull << shift) - 1;
            path->pa = (e & addr_mask & ~off_mask) | (la & off_mask);
            path->page_size = off_mask + 1;
            break;
        }
        table = e & addr_mask;
        level--;
    }
    path->n = (uint8_t)i;
    path->and_all = and_all;
    path->and_nonleaf = and_nonleaf;
    path->or_all = or_all;
    return XA_OK;
}
