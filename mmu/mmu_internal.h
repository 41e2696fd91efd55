/* SPDX-License-Identifier: BSD-2-Clause */
/* Internal interfaces of the MMU part: shared by the files of mmu/ only. Symbols shared
 * between files carry the xai_ prefix so the shared library hides them. */
#ifndef XA_MMU_INTERNAL_H
#define XA_MMU_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <x86assist/mmu.h>

/* For the few hot helpers whose inlining the walk's speed depends on (compilers
 * without the attribute still inline what they like). */
#if defined(__GNUC__) || defined(__clang__)
#define XAI_ALWAYS_INLINE inline __attribute__((always_inline))
#define XAI_NOINLINE      __attribute__((noinline))
#else
#define XAI_ALWAYS_INLINE inline
#define XAI_NOINLINE
#endif

/* Architectural bit positions (Intel SDM vol. 3A 2.5, 4.1, 4.5; AMD APM vol. 2 5.3). */
#define XAI_CR0_WP    (1ull << 16)
#define XAI_CR0_PG    (1ull << 31)
#define XAI_CR4_PSE   (1ull << 4)
#define XAI_CR4_PAE   (1ull << 5)
#define XAI_CR4_LA57  (1ull << 12)
#define XAI_CR4_SMEP  (1ull << 20)
#define XAI_CR4_SMAP  (1ull << 21)
#define XAI_CR4_PKE   (1ull << 22)
#define XAI_CR4_PKS   (1ull << 24)
#define XAI_EFER_LMA  (1ull << 10)
#define XAI_EFER_NXE  (1ull << 11)
#define XAI_RFLAGS_VM (1ull << 17)

#define XAI_PTE_P  (1ull << 0)
#define XAI_PTE_RW (1ull << 1)
#define XAI_PTE_US (1ull << 2)
#define XAI_PTE_A  (1ull << 5)
#define XAI_PTE_D  (1ull << 6)
#define XAI_PTE_PS (1ull << 7)
#define XAI_PTE_XD (1ull << 63)
/* Bits 51:12 of an entry: its table or page address once bits 51:M are known clear. */
#define XAI_PTE_ADDR 0x000ffffffffff000ull

/* #PF error-code bits (SDM vol. 3A 4.7). */
#define XAI_PF_P    (1u << 0)
#define XAI_PF_W    (1u << 1)
#define XAI_PF_U    (1u << 2)
#define XAI_PF_RSVD (1u << 3)
#define XAI_PF_I    (1u << 4)
#define XAI_PF_PK   (1u << 5)
#define XAI_PF_SS   (1u << 6)

/* Everything the walk needs, derived once per call from the registers. */
struct xai_walk_cfg {
    const struct xa_paging_state *ps;
    const struct xa_mmu_ops *ops;
    void *ctx;
    enum xa_access access;
    unsigned flags;
    unsigned maxphy; /* MAXPHYADDR, 32..52 */
    uint8_t user;    /* a user-mode access (CPL 3 and not implicit) */
    uint8_t ia32e;   /* 4- or 5-level paging */
};

/* What a walk found: the entries it read (top-down) and the translation. */
struct xai_path {
    uint64_t gpa[XA_MMU_MAX_LEVELS];
    uint64_t val[XA_MMU_MAX_LEVELS];
    uint8_t level[XA_MMU_MAX_LEVELS];
    uint8_t n;        /* entries read */
    uint8_t first_ad; /* index of the first entry with an A bit (1 after a PAE PDPTE) */
    uint8_t esize;    /* 4 or 8 */
    uint64_t pa;
    uint64_t page_size;
    uint64_t and_all;     /* AND of the entries that take part in the rights (R/W, U/S, A) */
    uint64_t and_nonleaf; /* the same without the leaf (shadow-stack pages) */
    uint64_t or_all;      /* OR of the same entries (XD) */
};

/* The walk, reading only: XA_OK with *path filled, XA_EXCEPTION (#PF in *exc), or
 * XA_ERR_CALLBACK. xai_walk_ia32e takes the first @p pre entries from path->val instead
 * of reading them again: the fast path (walk_fast.h) hands over the entries it read. */
xa_status xai_walk_legacy(const struct xai_walk_cfg *c, uint64_t la, struct xai_path *path,
                          struct xa_exception *exc);
xa_status xai_walk_ia32e(const struct xai_walk_cfg *c, uint64_t la, struct xai_path *path,
                         unsigned pre, struct xa_exception *exc);

/* Rights check on a complete translation (SDM vol. 3A 4.6): 0 when the access
 * is allowed, else the #PF error code. The rules are in rights.h. */
uint32_t xai_check_rights(const struct xai_walk_cfg *c, const struct xai_path *path);

/* Fills the #PF record. */
void xai_page_fault(struct xa_exception *exc, uint32_t error_code, uint64_t la);
/* Fills a #GP(0) or #SS(0) record. */
void xai_fault0(struct xa_exception *exc, uint8_t vector);

/* Reads one entry through the read callback: 0 or -1 on callback failure. */
int xai_read_entry_cb(const struct xai_walk_cfg *c, uint64_t gpa, unsigned size, uint64_t *val);

/* An entry from guest memory: little-endian whatever the host (compilers turn this
 * into one load on a little-endian host). */
static XAI_ALWAYS_INLINE uint64_t xai_le64(const uint8_t *b)
{
    return (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 | (uint64_t)b[3] << 24 |
           (uint64_t)b[4] << 32 | (uint64_t)b[5] << 40 | (uint64_t)b[6] << 48 |
           (uint64_t)b[7] << 56;
}

static inline uint64_t xai_le32(const uint8_t *b)
{
    return (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 | (uint64_t)b[3] << 24;
}

/* Reads one entry (4 or 8 bytes, naturally aligned, little-endian whatever
 * the host): from the RAM window when it holds the entry, else by callback. */
static inline int xai_read_entry(const struct xai_walk_cfg *c, uint64_t gpa, unsigned size,
                                 uint64_t *val)
{
    const struct xa_mmu_ops *ops = c->ops;
    if (ops->ram && gpa < ops->ram_size && size <= ops->ram_size - gpa) {
        const uint8_t *b = ops->ram + gpa;
        *val = size == 8 ? xai_le64(b) : xai_le32(b);
        return 0;
    }
    return xai_read_entry_cb(c, gpa, size, val);
}

/* The error-code bits that depend only on the access (SDM vol. 3A 4.7):
 * W, U, I and SS. Computed only when a fault is raised. */
uint32_t xai_pfec(const struct xai_walk_cfg *c);

/* Builds the A/D update list of a successful walk into out->writes and, unless
 * no_write, applies it: XA_OK, XA_RETRY (an entry changed: walk again), or
 * XA_ERR_CALLBACK. */
xa_status xai_commit_ad(const struct xai_walk_cfg *c, const struct xai_path *path, bool no_write,
                        struct xa_walk_result *out);

/* Stores one updated entry (cmpxchg, else the checked write fallback):
 * XA_OK, XA_RETRY (the entry no longer holds old), or XA_ERR_CALLBACK. */
xa_status xai_store_entry(const struct xai_walk_cfg *c, uint64_t gpa, uint64_t old, uint64_t val,
                          unsigned size);

/* The argument checks of xa_walk and xa_translate: false on inconsistent input
 * (XA_ERR_BAD_ARGUMENT), else true with *maxphy = MAXPHYADDR (32..52). */
static inline bool xai_walk_args_ok(const struct xa_paging_state *ps, const struct xa_mmu_ops *ops,
                                    enum xa_access access, unsigned flags, unsigned *maxphy)
{
    if (!ps || !ops || !ops->read)
        return false;
    if ((unsigned)access > XA_ACCESS_FETCH)
        return false;
    if (access == XA_ACCESS_FETCH && (flags & (XA_WALK_IMPLICIT | XA_WALK_SHADOW_STACK)))
        return false;
    unsigned m = ps->cpu.maxphyaddr ? ps->cpu.maxphyaddr : 52;
    if (m < 32 || m > 52)
        return false;
    if ((ps->efer & XAI_EFER_LMA) && (!(ps->cr0 & XAI_CR0_PG) || !(ps->cr4 & XAI_CR4_PAE)))
        return false;
    *maxphy = m;
    return true;
}

/* The configuration of arguments that passed xai_walk_args_ok. */
static inline void xai_walk_cfg_init(struct xai_walk_cfg *c, const struct xa_paging_state *ps,
                                     const struct xa_mmu_ops *ops, void *ctx, enum xa_access access,
                                     unsigned flags, unsigned maxphy)
{
    c->ps = ps;
    c->ops = ops;
    c->ctx = ctx;
    c->access = access;
    c->flags = flags;
    c->maxphy = maxphy;
    c->ia32e = (ps->efer & XAI_EFER_LMA) != 0;
    c->user = (flags & (XA_WALK_USER | XA_WALK_IMPLICIT)) == XA_WALK_USER;
}

/* Derives the configuration; XA_ERR_BAD_ARGUMENT on inconsistent input. */
xa_status xai_walk_setup(struct xai_walk_cfg *c, const struct xa_paging_state *ps,
                         const struct xa_mmu_ops *ops, void *ctx, enum xa_access access,
                         unsigned flags);

/* One walk with its A/D commit and bounded re-walks (the body of xa_walk);
 * check_only skips the writes. */
xa_status xai_walk_one(const struct xai_walk_cfg *c, uint64_t la, bool check_only,
                       struct xai_path *path, struct xa_walk_result *out, struct xa_exception *exc);

/* The general walk after the fast path stopped (walk_fast.h), as the first attempt of
 * xai_walk_one: with @p walked false, path->val[0..pre-1] are the entries read so far
 * (the walk re-checks them and reads the rest); with @p walked true, *path is a complete
 * translation whose rights allow the access, and only the A/D commit remains. */
xa_status xai_walk_resume(const struct xai_walk_cfg *c, uint64_t la, bool check_only,
                          struct xai_path *path, unsigned pre, bool walked,
                          struct xa_walk_result *out, struct xa_exception *exc);

#endif
