/* SPDX-License-Identifier: BSD-2-Clause */
/* The hot path of 4-level and 5-level paging: the one case a running guest meets nearly
 * always (a 4 KiB page, every entry in the RAM window, present, free of reserved bits,
 * A set, D set for a write, rights and keys allowing the access), decided in a straight
 * line: one load per level, then a single test of combined masks. It only ever answers
 * "accepted, here is the result, nothing to write"; for anything else it answers "not
 * mine" and the caller runs the fast path (walk_fast.h), which runs the general walk
 * for what it does not handle. So the hot path can only be wrong by accepting what the
 * general walk would not: every condition below is a condition of the general walk.
 *
 * Why checking late is safe: the entries are read before any of them is checked, so an
 * entry under a not-present or reserved entry may be read. Such reads are plain loads
 * from the RAM window, bounds-checked, invisible to the guest (no callback), and their
 * values are dropped: the combined test then fails and the walk is redone from the top
 * by the fast path, which reads in architectural order. Included by walk.c. */
#ifndef XA_MMU_WALK_HOT_H
#define XA_MMU_WALK_HOT_H

#include "mmu/mmu_internal.h"

/* The constants of one paging state (the fields of struct xa_mmu_prepared). */
struct xai_hot {
    const uint8_t *ram;
    uint64_t wmask;     /* a table address, masked to the part of the window the walk uses */
    uint64_t root;      /* CR3's table address */
    uint64_t leaf_keep; /* the leaf's bits that take part in the test */
};

/* The largest power of two <= x (0 for 0). */
static inline uint64_t pow2_floor(uint64_t x)
{
    x |= x >> 1;
    x |= x >> 2;
    x |= x >> 4;
    x |= x >> 8;
    x |= x >> 16;
    x |= x >> 32;
    return x - (x >> 1);
}

/* The part of the RAM window the hot path reads tables from: [0, 2^k), the largest
 * such range inside the window, so that masking a table address keeps every read in
 * the window without a bounds check (an address that masking changes is caught by the
 * test: its bits are in forbid, xai_rule_init). 0 when unusable: no window, or the
 * root table outside that range. */
static inline uint64_t xai_hot_span(const struct xa_paging_state *ps, const struct xa_mmu_ops *ops,
                                    unsigned maxphy)
{
    const uint64_t span = ops->ram ? pow2_floor(ops->ram_size) : 0;
    const uint64_t root = ps->cr3 & ((1ull << maxphy) - 1) & ~0xfffull;
    return span >= 4096 && root < span ? span : 0;
}

/* The constants for a usable @p span (xai_hot_span). */
static inline void xai_hot_init(struct xai_hot *h, const struct xa_paging_state *ps,
                                const struct xa_mmu_ops *ops, unsigned maxphy, uint64_t span)
{
    const uint64_t phys_mask = (1ull << maxphy) - 1;
    h->ram = ops->ram;
    h->wmask = XAI_PTE_ADDR & (span - 1);
    h->root = ps->cr3 & phys_mask & ~0xfffull;
    /* A leaf's address bits M-1:12 are free, its bit 7 is PAT (a 4 KiB page) and its
     * bit 8 is G (forbidden above the leaf on AMD, see xai_rule_init); bits 51:M and 63
     * are tested like those of the other entries. */
    h->leaf_keep = ~(XAI_PTE_PS | (1ull << 8) | (phys_mask & ~0xfffull));
}

/* Compresses the even bits of @p x (bit 2k -> bit k). */
static inline uint32_t even_bits(uint32_t x)
{
    x &= 0x55555555u;
    x = (x | x >> 1) & 0x33333333u;
    x = (x | x >> 2) & 0x0f0f0f0fu;
    x = (x | x >> 4) & 0x00ff00ffu;
    x = (x | x >> 8) & 0x0000ffffu;
    return x;
}

/* The keys (bit k) whose rights in @p keys (PKRU or PKRS) allow the data access:
 * no AD, and no WD when @p wd_applies (SDM vol. 3A 4.6.2; xai_key_violation). */
static inline uint32_t keys_allowed(uint32_t keys, bool wd_applies)
{
    uint32_t deny = keys | (wd_applies ? keys >> 1 : 0); /* bit 2k: AD, or WD that applies */
    return ~even_bits(deny) & 0xffffu;
}

/* The bits of an entry whose AND over the walk the test needs (P, R/W, U/S, A): the
 * hot path accumulates the OR of (entry ^ XAI_HOT_FLIP), which holds the inverted AND
 * in these bits and the OR in every other one. The leaf is also flipped in D. */
#define XAI_HOT_FLIP (XAI_PTE_P | XAI_PTE_RW | XAI_PTE_US | XAI_PTE_A)

/* The rule of one access under paging state @p ps with table span @p span
 * (xai_hot_span), in the terms of the hot test: accepted iff (acc & need) == want and
 * the leaf's key is in okkeys, where acc is the OR of every non-leaf entry ^
 * XAI_HOT_FLIP without bit 6, and of (leaf & leaf_keep) ^ (XAI_HOT_FLIP | D). In acc,
 * P/R/W/U/S/A are set when some entry has the bit clear, D when the leaf's is clear,
 * every other bit when some entry has it set. Each requirement is one of rights.h or
 * of the walk (P, reserved bits, PS, A, D). */
static inline void xai_rule_init(struct xa_mmu_rule *r, const struct xa_paging_state *ps,
                                 unsigned maxphy, uint64_t span, unsigned access, unsigned flags)
{
    const uint64_t phys_mask = (1ull << maxphy) - 1;
    /* Reserved at every level: 51:M, and 63 without NXE. PS: reserved in PML5E/PML4E,
     * a large page in a PDPTE/PDE; either way not the hot path's case. Table address
     * bits at or above the span: masked off by the hot path, so they must be clear. */
    uint64_t need = (~phys_mask & 0x000fffffffffffffull) | XAI_PTE_PS |
                    (phys_mask & ~(span - 1) & ~0xfffull) | XAI_PTE_P | XAI_PTE_A;
    uint64_t want = 0;
    if (!(ps->efer & XAI_EFER_NXE))
        need |= XAI_PTE_XD;
    /* AMD reserves bit 8 in PML5Es and PML4Es. Forbidding it in every non-leaf entry
     * is stricter than needed (it is ignored in non-leaf PDPTEs and PDEs): such a walk
     * only takes the longer way. */
    if (ps->cpu.vendor == XA_VENDOR_AMD)
        need |= 1ull << 8;
    const bool user = (flags & (XA_WALK_USER | XA_WALK_IMPLICIT)) == XA_WALK_USER;
    const bool write = access == XA_ACCESS_WRITE;
    r->okkeys = ~0u;
    if (access > XA_ACCESS_FETCH || (flags & XA_WALK_SHADOW_STACK) ||
        (access == XA_ACCESS_FETCH && (flags & XA_WALK_IMPLICIT))) {
        /* Shadow-stack accesses and bad arguments: never accepted (want has a bit that
         * need masks out). */
        r->need = 0;
        r->want = 1;
        return;
    }
    if (write)
        need |= XAI_PTE_D; /* the leaf's D: else it must be set first */
    if (access == XA_ACCESS_FETCH) {
        need |= XAI_PTE_XD; /* with NXE an XD bit forbids the fetch; else reserved */
        if (user) {
            need |= XAI_PTE_US;
        } else if (ps->cr4 & XAI_CR4_SMEP) {
            need |= XAI_PTE_US; /* SMEP: a supervisor fetch needs a supervisor page */
            want |= XAI_PTE_US;
        }
    } else {
        if (user) {
            need |= XAI_PTE_US;
        } else if ((ps->cr4 & XAI_CR4_SMAP) &&
                   (flags & (XA_WALK_IMPLICIT | XA_WALK_AC)) != XA_WALK_AC) {
            need |= XAI_PTE_US; /* SMAP in force: a supervisor page */
            want |= XAI_PTE_US;
        }
        const bool wd = write && (user || (ps->cr0 & XAI_CR0_WP));
        if (wd)
            need |= XAI_PTE_RW;
        /* Keys: PKRU for user pages with CR4.PKE, PKRS for supervisor pages with
         * CR4.PKS (IA-32e paging only, and the hot path is IA-32e only). */
        uint32_t sup = (ps->cr4 & XAI_CR4_PKS) ? keys_allowed(ps->pkrs, wd) : 0xffffu;
        uint32_t usr = (ps->cr4 & XAI_CR4_PKE) ? keys_allowed(ps->pkru, wd) : 0xffffu;
        r->okkeys = usr << 16 | sup;
    }
    r->need = need;
    r->want = (uint32_t)want;
}

/* One level below the root: the entry indexed by LA bits shift+8:shift in the table
 * that entry @p e points to, its address masked into the span. */
#define HOT_NEXT(t, shift) xai_le64(ram + (((t)&wmask) | ((la >> ((shift)-3)) & 0xff8)))

/* The hot path with @p top = 4 or 5 levels; @p keys: some rule has keys in force.
 * True with *out filled (XA_OK, nothing to write), or false when the caller must walk. */
static XAI_ALWAYS_INLINE bool xai_hot_walk(const struct xai_hot *h, const struct xa_mmu_rule *r,
                                           unsigned top, bool keys, uint64_t la,
                                           struct xa_walk_result *out)
{
    const unsigned width = top == 5 ? 57 : 48;
    if ((uint64_t)((int64_t)(la << (64 - width)) >> (64 - width)) != la)
        return false; /* non-canonical: the fast path raises the fault */
    const uint8_t *const ram = h->ram;
    const uint64_t wmask = h->wmask;
    /* t: the entry ^ XAI_HOT_FLIP, which also points to the next table (the flipped
     * bits are below bit 12). */
    uint64_t t = xai_le64(ram + (h->root | ((la >> (9 * top)) & 0xff8))) ^ XAI_HOT_FLIP;
    uint64_t acc = t;
    if (top == 5) {
        t = HOT_NEXT(t, 39) ^ XAI_HOT_FLIP;
        acc |= t;
    }
    t = HOT_NEXT(t, 30) ^ XAI_HOT_FLIP;
    acc |= t;
    t = HOT_NEXT(t, 21) ^ XAI_HOT_FLIP;
    acc |= t;
    const uint64_t leaf = HOT_NEXT(t, 12);
    acc = (acc & ~XAI_PTE_D) | ((leaf & h->leaf_keep) ^ (XAI_HOT_FLIP | XAI_PTE_D));
    if ((acc & r->need) != r->want)
        return false;
    const unsigned pkey = (unsigned)(leaf >> 59) & 0xf;
    /* U/S of every entry (bit 2 of acc clear) selects the user-page half of okkeys. */
    if (keys && !((r->okkeys >> (pkey | ((unsigned)(~acc << 2) & 16))) & 1))
        return false;
    out->gpa = (leaf & XAI_PTE_ADDR) | (la & 0xfff);
    out->page_size = 4096;
    /* The rights are acc's bits 1 (R/W), 2 (U/S), 63 (XD) and 6 (D), inverted, moved to
     * bits 0..3 (XA_RIGHT_WRITE, _USER, _EXEC, _DIRTY): bits 1, 2 and 6 by one multiply
     * (to bits 60, 61, 63; the other products land below 60 and cannot carry), bit 63
     * by a shift. */
    const uint64_t g = ((acc & 0x46) * ((1ull << 59) | (1ull << 57))) >> 60;
    out->rights = (uint32_t)(g | ((acc >> 61) & 4)) ^ 0xfu;
    out->pkey = (uint8_t)pkey;
    out->levels = (uint8_t)top;
    out->nwrites = 0;
    return true;
}

#undef HOT_NEXT

#endif
