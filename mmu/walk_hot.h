/* SPDX-License-Identifier: BSD-2-Clause */
/* The hot path of 4-level and 5-level paging: the one case a running guest meets nearly
 * always (a 4 KiB page, every table in a page of the RAM window, entries present, free
 * of reserved bits, A set, D set for a write, rights and keys allowing the access),
 * decided in a nearly straight line: one load and one bounds compare per level, then a
 * single test of combined masks. It only ever answers "accepted, here is the result,
 * nothing to write"; for anything else it answers "not mine" and the caller runs the
 * fast path (walk_fast.h), which runs the general walk for what it does not handle. So
 * the hot path can only be wrong by accepting what the general walk would not: every
 * condition below is a condition of the general walk.
 *
 * Why checking late is safe: the entries are read before any of them is checked, so an
 * entry under a not-present or reserved entry may be read. Such reads are plain loads
 * from the RAM window, kept inside it by the compare of each table's address with the
 * window's end, invisible to the guest (no callback), and their values are dropped: the
 * combined test then fails and the walk is redone from the top by the fast path, which
 * reads in architectural order. Included by walk.c and walk_memo.c. */
#ifndef XA_MMU_WALK_HOT_H
#define XA_MMU_WALK_HOT_H

#include "mmu/mmu_internal.h"

/* The constants of the hot path for paging state @p ps and window @p ops (MAXPHYADDR
 * @p maxphy), into *h. The hot path reads a table only when its whole 4 KiB page lies
 * in the RAM window and below 2^MAXPHYADDR: a table address t (bits 51:12 of an entry,
 * so 4 KiB aligned) with t < limit = min(ram_size, 2^M) - 4095, i.e. t + 4096 <= both.
 * Each table address taken from an entry is compared with limit before its table is
 * read (xai_hot_read), so the tables may lie anywhere in the window. A table whose page
 * the window holds only in part (ram_size not a multiple of 4 KiB) is left to the fast
 * path, which reads the entries inside the window from it and the others by callback;
 * an address with a reserved bit (51:M) set is never read either, as in the walk.
 * False when unusable: no window, none holding a whole page, or the root table
 * outside it. */
static inline bool xai_hot_setup(struct xa_mmu_hot *h, const struct xa_paging_state *ps,
                                 const struct xa_mmu_ops *ops, unsigned maxphy)
{
    const uint64_t phys_top = 1ull << maxphy;
    uint64_t size = ops->ram ? ops->ram_size : 0;
    if (size > phys_top)
        size = phys_top;
    if (size < 4096)
        return false;
    /* The root as the fast path takes it: CR3 bits M-1:12. */
    const uint64_t root = ps->cr3 & (phys_top - 1) & ~0xfffull;
    const uint64_t limit = size - 4095;
    if (root >= limit)
        return false;
    h->ram = ops->ram;
    h->wmask = XAI_PTE_ADDR;
    h->root = ops->ram + root;
    h->limit = limit;
    return true;
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
/* A bit that the leaf's term always sets in acc: bit 12, an address bit, which no rule
 * tests (they test address bits only from MAXPHYADDR up, 32 or more). A rule that needs
 * it clear never accepts. */
#define XAI_HOT_ONE (1ull << 12)
/* The bits of the leaf that go into acc: all but bit 7 (PAT in a PTE), bit 8 (G, which
 * AMD reserves above the leaf only, see xai_rule_init) and XAI_HOT_ONE (set instead).
 * Its address bits M-1:12 go in too, and no rule looks at them; bits 51:M and 63 are
 * tested like those of the other entries. */
#define XAI_HOT_LEAF_KEEP (~(XAI_PTE_PS | (1ull << 8) | XAI_HOT_ONE))

/* What the hot path requires of one access kind (see xai_rule_init; struct
 * xa_mmu_prepared keeps them as the arrays need, want and okkeys). */
struct xai_rule {
    uint64_t need;
    uint32_t want;
    uint32_t okkeys; /* bit k: supervisor-page key k allowed; bit 16+k: user-page key k */
};

/* The rule of one access under paging state @p ps (MAXPHYADDR @p maxphy), in the terms
 * of the hot test: accepted iff (acc & need) == want and the leaf's key is in okkeys,
 * where acc is the OR of every non-leaf entry ^ XAI_HOT_FLIP without bit 6, and of
 * (leaf & XAI_HOT_LEAF_KEEP) ^ (XAI_HOT_FLIP | D | XAI_HOT_ONE).
 * In acc, P/R/W/U/S/A are set when some entry has the bit clear, D when the leaf's is
 * clear, bit 12 always, every other bit when some entry has it set. Each requirement
 * is one of rights.h or of the walk (P, reserved bits, PS, A, D). */
static inline void xai_rule_init(struct xai_rule *r, const struct xa_paging_state *ps,
                                 unsigned maxphy, unsigned access, unsigned flags)
{
    /* Reserved at every level: 51:M, and 63 without NXE. PS: reserved in PML5E/PML4E,
     * a large page in a PDPTE/PDE; either way not the hot path's case. The table
     * addresses themselves are checked against the window as they are read. */
    uint64_t need =
        (0x000fffffffffffffull & ~((1ull << maxphy) - 1)) | XAI_PTE_PS | XAI_PTE_P | XAI_PTE_A;
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
        /* Shadow-stack accesses and bad arguments: never accepted (acc's bit 12 is
         * always set). */
        r->need = XAI_HOT_ONE;
        r->want = 0;
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
        if (ps->cr4 & (XAI_CR4_PKE | XAI_CR4_PKS)) {
            uint32_t sup = (ps->cr4 & XAI_CR4_PKS) ? keys_allowed(ps->pkrs, wd) : 0xffffu;
            uint32_t usr = (ps->cr4 & XAI_CR4_PKE) ? keys_allowed(ps->pkru, wd) : 0xffffu;
            r->okkeys = usr << 16 | sup;
        }
    }
    r->need = need;
    r->want = (uint32_t)want;
}

/* Compiler barriers, no instruction; the hot path depends on them only for its speed.
 * XAI_HOT_OPAQUE(x): x is computed by here and unknown to the compiler after it (no
 * folding of the expressions on either side into one). XAI_HOT_RELOAD(): the compiler
 * must assume memory changed, so the constants are read again where used, as memory
 * operands, rather than held in registers. */
#if defined(__GNUC__) || defined(__clang__)
#define XAI_HOT_OPAQUE(x) __asm__("" : "+r"(x))
#define XAI_HOT_RELOAD()  __asm__("" ::: "memory")
#else
#define XAI_HOT_OPAQUE(x) ((void)0)
#define XAI_HOT_RELOAD()  ((void)0)
#endif

/* The rights (enum xa_rights) of an accepted walk, by the low byte of its acc (see
 * xai_rule_init) rotated left by one: bit 0 is acc's 63 (some XD set), 2 its 1 (some R/W
 * clear), 3 its 2 (some U/S clear) and 7 its 6 (the leaf's D clear); the others are
 * ignored. A read-only table, so the rights are a rotate, a zero-extension and a load. */
#define HOT_R1(x)                                                                                  \
    (uint8_t)((((x)&4) ? 0 : XA_RIGHT_WRITE) | (((x)&8) ? 0 : XA_RIGHT_USER) |                     \
              (((x)&1) ? 0 : XA_RIGHT_EXEC) | (((x)&0x80) ? 0 : XA_RIGHT_DIRTY))
#define HOT_R4(x)  HOT_R1(x), HOT_R1((x) + 1), HOT_R1((x) + 2), HOT_R1((x) + 3)
#define HOT_R16(x) HOT_R4(x), HOT_R4((x) + 4), HOT_R4((x) + 8), HOT_R4((x) + 12)
#define HOT_R64(x) HOT_R16(x), HOT_R16((x) + 16), HOT_R16((x) + 32), HOT_R16((x) + 48)
static const uint8_t hot_rights_tab[256] = {HOT_R64(0), HOT_R64(64), HOT_R64(128), HOT_R64(192)};
#undef HOT_R64
#undef HOT_R16
#undef HOT_R4
#undef HOT_R1

static inline uint32_t hot_rights(uint64_t acc)
{
    uint64_t r = acc << 1 | acc >> 63;
    XAI_HOT_OPAQUE(r); /* else narrowed to a byte: two shifts and an OR */
    return hot_rights_tab[r & 0xff];
}

/* The entry at LA bits shift+8:shift in the table at host address @p table (the root,
 * or ram + a table address below limit: a whole table in the window). The table's host
 * address is formed first (ram re-read as a memory operand) and the load adds the
 * index, so that neither ram nor the masks need a register of their own: the hot path
 * of xa_walk_prepared then fits in the registers that need no saving. */
#define HOT_NEXT(table, shift) hot_entry((table), (la >> ((shift)-3)) & 0xff8)
static inline uint64_t hot_entry(const uint8_t *table, uint64_t offset)
{
    XAI_HOT_OPAQUE(table);
    const uint64_t e = xai_le64(table + offset);
    XAI_HOT_RELOAD();
    return e;
}

/* Makes t, an entry ^ XAI_HOT_FLIP, the address of the table it points to (its bits
 * 51:12), or leaves a table whose page is not wholly in the window (an address at or
 * above limit) to the fast path, which reads it, if at all, in architectural order.
 * That compare is the only check made before a read: everything else is tested after
 * the reads, all at once. (The barrier: gcc then needs no copy of acc.) */
#define HOT_TABLE()                                                                                \
    do {                                                                                           \
        t &= h->wmask;                                                                             \
        if (t >= h->limit)                                                                         \
            return false;                                                                          \
        XAI_HOT_OPAQUE(t);                                                                         \
    } while (0)

/* The hot path's reads, with @p top = 4 or 5 levels: false for a non-canonical @p la
 * (the fast path raises the fault), else true with *acc (see xai_rule_init) and *leaf. */
static XAI_ALWAYS_INLINE bool xai_hot_read(const struct xa_mmu_hot *h, unsigned top, uint64_t la,
                                           uint64_t *acc, uint64_t *leaf)
{
    /* Canonical: bits 63:width-1 all equal, i.e. adding bit width-1 leaves none above. */
    const unsigned width = top == 5 ? 57 : 48;
    if ((la + (1ull << (width - 1))) >> width)
        return false;
    /* t: the entry ^ XAI_HOT_FLIP, which also points to the next table (the flipped
     * bits are below bit 12); HOT_TABLE makes it that table's address. */
    uint64_t t = HOT_NEXT(h->root, 9 * top + 3) ^ XAI_HOT_FLIP;
    uint64_t a = t;
    if (top == 5) {
        HOT_TABLE();
        t = HOT_NEXT(h->ram + t, 39) ^ XAI_HOT_FLIP;
        a |= t;
    }
    /* Each entry is ORed into a before the next address is formed from it (the
     * barriers), so that t is then free to become that address. */
    HOT_TABLE();
    t = HOT_NEXT(h->ram + t, 30) ^ XAI_HOT_FLIP;
    a |= t;
    XAI_HOT_OPAQUE(a);
    HOT_TABLE();
    t = HOT_NEXT(h->ram + t, 21) ^ XAI_HOT_FLIP;
    a = (a | t) & ~XAI_PTE_D; /* bit 6 is D only in the leaf */
    XAI_HOT_OPAQUE(a);
    HOT_TABLE();
    const uint64_t l = HOT_NEXT(h->ram + t, 12);
    *acc = a | ((l & XAI_HOT_LEAF_KEEP) ^ (XAI_HOT_FLIP | XAI_PTE_D | XAI_HOT_ONE));
    *leaf = l;
    return true;
}

/* The hot path's decision on the result of xai_hot_read under the access's rule (@p need,
 * @p want, @p okkeys; @p keys: some rule has keys in force). True with *out filled
 * (XA_OK, nothing to write), or false when the caller must walk. */
static XAI_ALWAYS_INLINE bool xai_hot_decide(uint64_t acc, uint64_t leaf, uint64_t need,
                                             uint64_t want, uint32_t okkeys, unsigned top,
                                             bool keys, uint64_t la, struct xa_walk_result *out)
{
    if ((acc ^ want) & need) /* (acc & need) != want, want being inside need */
        return false;
    const unsigned pkey = (unsigned)(leaf >> 59) & 0xf;
    /* U/S of every entry (bit 2 of acc clear) selects the user-page half of okkeys. */
    if (keys && !((okkeys >> (pkey | ((unsigned)(~acc << 2) & 16))) & 1))
        return false;
    out->gpa = (leaf & XAI_PTE_ADDR) | (la & 0xfff);
    out->page_size = 4096;
    out->rights = hot_rights(acc);
    out->pkey = (uint8_t)pkey;
    out->levels = (uint8_t)top;
    out->nwrites = 0;
    return true;
}

#undef HOT_NEXT
#undef HOT_TABLE

#endif
