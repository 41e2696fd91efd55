/* SPDX-License-Identifier: BSD-2-Clause */
/* Access rights of a complete translation (SDM vol. 3A 4.6: U/S, R/W with CR0.WP, XD,
 * SMEP, SMAP with EFLAGS.AC and implicit accesses, shadow-stack pages; 4.6.2: protection
 * keys). Inline so that the fast path (walk_fast.h) and the general walk share one copy
 * of the rules; the error code and the key lookup, needed rarely, stay out of line. */
#ifndef XA_MMU_RIGHTS_H
#define XA_MMU_RIGHTS_H

#include "mmu/mmu_internal.h"

/* True when the protection key of @p leaf forbids the data access, with the key
 * register @p keys (PKRU or PKRS) in force (SDM vol. 3A 4.6.2). @p wd_applies: a write
 * that write-disable stops (any user write; a supervisor write with CR0.WP=1). */
bool xai_key_violation(uint64_t leaf, uint32_t keys, bool wd_applies);

/* The rights check (0: allowed), as the error-code bits it decides: P, and PK for a key
 * violation. The caller adds the bits of the access (xai_pfec) to a non-zero answer,
 * which keeps the check free of calls in the common case. and_all, and_nonleaf and
 * or_all are the AND (without the leaf for and_nonleaf) and OR of the entries that
 * carry rights; leaf is the entry that maps the page. */
static XAI_ALWAYS_INLINE uint32_t xai_rights_check(const struct xai_walk_cfg *c, uint64_t and_all,
                                                   uint64_t and_nonleaf, uint64_t or_all,
                                                   uint64_t leaf)
{
    const struct xa_paging_state *ps = c->ps;
    const bool user_page = (and_all & XAI_PTE_US) != 0;
    const bool writable = (and_all & XAI_PTE_RW) != 0;
    const bool write = c->access == XA_ACCESS_WRITE;
    bool fault = false;

    if (c->access == XA_ACCESS_FETCH) {
        /* XD only exists with PAE/IA-32e entries and EFER.NXE (else reserved). */
        if (or_all & XAI_PTE_XD)
            fault = true;
        else if (c->user)
            fault = !user_page;
        else
            fault = user_page && (ps->cr4 & XAI_CR4_SMEP);
        /* Fetches are not subject to protection keys. */
        return fault ? XAI_PF_P : 0;
    }

    if (c->flags & XA_WALK_SHADOW_STACK) {
        /* A shadow-stack page: leaf R/W=0 and D=1, R/W=1 at every other level;
         * its mode (user/supervisor) must be the access's. */
        bool ss_page = (and_nonleaf & XAI_PTE_RW) && !(leaf & XAI_PTE_RW) && (leaf & XAI_PTE_D);
        fault = !ss_page || user_page != (bool)c->user;
    } else if (c->user) {
        fault = !user_page || (write && !writable);
    } else {
        /* SMAP: a supervisor data access to a user page needs an explicit
         * access with EFLAGS.AC=1. */
        if (user_page && (ps->cr4 & XAI_CR4_SMAP) &&
            (c->flags & (XA_WALK_IMPLICIT | XA_WALK_AC)) != XA_WALK_AC)
            fault = true;
        if (write && !writable && (ps->cr0 & XAI_CR0_WP))
            fault = true;
    }

    uint32_t bits = fault ? XAI_PF_P : 0;
    /* Keys only with IA-32e paging: PKRU for user pages with CR4.PKE, PKRS for
     * supervisor pages with CR4.PKS. The PK bit stands on its own. */
    if (c->ia32e && (ps->cr4 & (user_page ? XAI_CR4_PKE : XAI_CR4_PKS)) &&
        xai_key_violation(leaf, user_page ? ps->pkru : ps->pkrs,
                          write && (c->user || (ps->cr0 & XAI_CR0_WP))))
        bits |= XAI_PF_P | XAI_PF_PK;
    return bits;
}

#endif
