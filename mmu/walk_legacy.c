/* SPDX-License-Identifier: BSD-2-Clause */
/* 32-bit paging (SDM vol. 3A 4.3) and PAE paging (SDM vol. 3A 4.4). */
#include "mmu/mmu_internal.h"

static xa_status walk_32bit(const struct xai_walk_cfg *c, uint64_t la, struct xai_path *path,
                            struct xa_exception *exc)
{
    const struct xa_paging_state *ps = c->ps;
    uint64_t pde_gpa = (ps->cr3 & 0xfffff000u) + ((la >> 22) & 0x3ff) * 4;
    uint64_t pde;
    path->esize = 4;
    path->first_ad = 0;
    if (xai_read_entry(c, pde_gpa, 4, &pde) != 0)
        return XA_ERR_CALLBACK;
    path->gpa[0] = pde_gpa;
    path->val[0] = pde;
    path->level[0] = 2;
    path->n = 1;
    if (!(pde & XAI_PTE_P)) {
        xai_page_fault(exc, xai_pfec(c), la);
        return XA_EXCEPTION;
    }
    if ((ps->cr4 & XAI_CR4_PSE) && (pde & XAI_PTE_PS)) {
        /* 4 MiB page. PSE-36: PA[M'-1:32] = PDE[M'-20:13], M' = min(M, 40);
         * without PSE-36, M' = 32. Bits 21:(M'-19) are reserved. */
        unsigned mp = 32;
        if (ps->cpu.features & XA_FEAT_PSE36)
            mp = c->maxphy < 40 ? c->maxphy : 40;
        uint64_t rsvd = ((1ull << 22) - 1) & ~((1ull << (mp - 19)) - 1);
        if (pde & rsvd) {
            xai_page_fault(exc, xai_pfec(c) | XAI_PF_P | XAI_PF_RSVD, la);
            return XA_EXCEPTION;
        }
        uint64_t high = (pde >> 13) & ((1ull << (mp - 32)) - 1);
        path->pa = (high << 32) | (pde & 0xffc00000u) | (la & 0x3fffff);
        path->page_size = 4u << 20;
        path->and_all = pde;
        path->and_nonleaf = ~0ull;
        path->or_all = pde;
        return XA_OK;
    }
    /* With CR4.PSE=0 the PS bit is ignored; 32-bit entries have no reserved bits. */
    uint64_t pte_gpa = (pde & 0xfffff000u) + ((la >> 12) & 0x3ff) * 4;
    uint64_t pte;
    if (xai_read_entry(c, pte_gpa, 4, &pte) != 0)
        return XA_ERR_CALLBACK;
    path->gpa[1] = pte_gpa;
    path->val[1] = pte;
    path->level[1] = 1;
    path->n = 2;
    if (!(pte & XAI_PTE_P)) {
        xai_page_fault(exc, xai_pfec(c), la);
        return XA_EXCEPTION;
    }
    path->pa = (pte & 0xfffff000u) | (la & 0xfff);
    path->page_size = 4096;
    path->and_all = pde & pte;
    path->and_nonleaf = pde;
    path->or_all = pde | pte;
    return XA_OK;
}

static xa_status walk_pae(const struct xai_walk_cfg *c, uint64_t la, struct xai_path *path,
                          struct xa_exception *exc)
{
    const struct xa_paging_state *ps = c->ps;
    const uint64_t phys_mask = (1ull << c->maxphy) - 1;
    const uint64_t addr_mask = phys_mask & ~0xfffull;
    unsigned idx = (unsigned)(la >> 30) & 3;
    uint64_t pdpte;
    unsigned i = 0;

    path->esize = 8;
    path->first_ad = 0;
    if (ps->has_pdptes) {
        pdpte = ps->pdpte[idx];
    } else {
        /* Policy: no PDPTE registers given, so read them from CR3[31:5]. */
        uint64_t gpa = (ps->cr3 & 0xffffffe0u) + idx * 8u;
        if (xai_read_entry(c, gpa, 8, &pdpte) != 0)
            return XA_ERR_CALLBACK;
        path->gpa[0] = gpa;
        path->val[0] = pdpte;
        path->level[0] = 3;
        i = 1;
        path->first_ad = 1; /* PDPTEs have no A bit */
    }
    path->n = (uint8_t)i;
    if (!(pdpte & XAI_PTE_P)) {
        xai_page_fault(exc, xai_pfec(c), la);
        return XA_EXCEPTION;
    }
    /* PDPTE reserved bits: 2:1, 8:5, 63:M (SDM vol. 3A table 4-8). */
    if (pdpte & (~phys_mask | 0x1e6ull)) {
        xai_page_fault(exc, xai_pfec(c) | XAI_PF_P | XAI_PF_RSVD, la);
        return XA_EXCEPTION;
    }
    /* PDEs and PTEs: 62:M, and 63 without NXE. */
    uint64_t rsvd = ~phys_mask & ~XAI_PTE_XD;
    if (!(ps->efer & XAI_EFER_NXE))
        rsvd |= XAI_PTE_XD;

    uint64_t table = pdpte & addr_mask;
    uint64_t and_all = ~0ull, and_nonleaf = ~0ull, or_all = 0;
    for (unsigned level = 2;; level--) {
        unsigned shift = 3 + 9 * level;
        uint64_t gpa = table + ((la >> shift) & 0x1ff) * 8;
        uint64_t e;
        if (xai_read_entry(c, gpa, 8, &e) != 0)
            return XA_ERR_CALLBACK;
        path->gpa[i] = gpa;
        path->val[i] = e;
        path->level[i] = (uint8_t)level;
        i++;
        path->n = (uint8_t)i;
        if (!(e & XAI_PTE_P)) {
            xai_page_fault(exc, xai_pfec(c), la);
            return XA_EXCEPTION;
        }
        bool leaf = level == 1 || (e & XAI_PTE_PS);
        uint64_t r = rsvd;
        if (level == 2 && leaf)
            r |= 0x1fe000ull; /* 2 MiB page: 20:13 */
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
    }
    path->and_all = and_all;
    path->and_nonleaf = and_nonleaf;
    path->or_all = or_all;
    return XA_OK;
}

xa_status xai_walk_legacy(const struct xai_walk_cfg *c, uint64_t la, struct xai_path *path,
                          struct xa_exception *exc)
{
    if (c->ps->cr4 & XAI_CR4_PAE)
        return walk_pae(c, la, path, exc);
    return walk_32bit(c, la, path, exc);
}
