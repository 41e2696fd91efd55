/* SPDX-License-Identifier: BSD-2-Clause */
/* Access rights of a complete translation (SDM vol. 3A 4.6: U/S, R/W with
 * CR0.WP, XD, SMEP, SMAP with EFLAGS.AC and implicit accesses, shadow-stack
 * pages; 4.6.2: protection keys). */
#include "mmu/mmu_internal.h"

/* True when the protection key forbids the access (SDM vol. 3A 4.6.2). */
static bool key_violation(const struct xai_walk_cfg *c, const struct xai_path *path, bool user_page)
{
    const struct xa_paging_state *ps = c->ps;
    uint32_t keys;
    if (user_page && (ps->cr4 & XAI_CR4_PKE))
        keys = ps->pkru;
    else if (!user_page && (ps->cr4 & XAI_CR4_PKS))
        keys = ps->pkrs;
    else
        return false;
    unsigned k = (unsigned)(path->val[path->n - 1] >> 59) & 0xf;
    unsigned bits = (keys >> (2 * k)) & 3;
    if (bits & 1) /* AD: no data access */
        return true;
    /* WD: no write, except a supervisor write with CR0.WP=0. */
    return (bits & 2) && c->access == XA_ACCESS_WRITE && (c->user || (ps->cr0 & XAI_CR0_WP));
}

uint32_t xai_check_rights(const struct xai_walk_cfg *c, const struct xai_path *path)
{
    const struct xa_paging_state *ps = c->ps;
    const uint64_t all = path->and_all;
    const bool user_page = (all & XAI_PTE_US) != 0;
    const bool writable = (all & XAI_PTE_RW) != 0;
    bool fault = false;

    if (c->access == XA_ACCESS_FETCH) {
        /* XD only exists with PAE/IA-32e entries and EFER.NXE (else reserved). */
        if (path->or_all & XAI_PTE_XD)
            fault = true;
        else if (c->user)
            fault = !user_page;
        else
            fault = user_page && (ps->cr4 & XAI_CR4_SMEP);
        /* Fetches are not subject to protection keys. */
        return fault ? xai_pfec(c) | XAI_PF_P : 0;
    }

    if (c->flags & XA_WALK_SHADOW_STACK) {
        /* A shadow-stack page: leaf R/W=0 and D=1, R/W=1 at every other level;
         * its mode (user/supervisor) must be the access's. */
        uint64_t leaf = path->val[path->n - 1];
        bool ss_page =
            (path->and_nonleaf & XAI_PTE_RW) && !(leaf & XAI_PTE_RW) && (leaf & XAI_PTE_D);
        fault = !ss_page || user_page != (bool)c->user;
    } else if (c->user) {
        fault = !user_page || (c->access == XA_ACCESS_WRITE && !writable);
    } else {
        /* SMAP: a supervisor data access to a user page needs an explicit
         * access with EFLAGS.AC=1. */
        if (user_page && (ps->cr4 & XAI_CR4_SMAP) &&
            (c->flags & (XA_WALK_IMPLICIT | XA_WALK_AC)) != XA_WALK_AC)
            fault = true;
        if (c->access == XA_ACCESS_WRITE && !writable && (ps->cr0 & XAI_CR0_WP))
            fault = true;
    }

    uint32_t pfec = fault ? xai_pfec(c) | XAI_PF_P : 0;
    /* Keys only with IA-32e paging; the PK bit stands on its own. */
    if (c->ia32e && key_violation(c, path, user_page))
        pfec |= xai_pfec(c) | XAI_PF_P | XAI_PF_PK;
    return pfec;
}
