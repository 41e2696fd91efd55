/* SPDX-License-Identifier: BSD-2-Clause */
/* xa_walk: argument checks, mode selection, and the bounded re-walk loop
 * around one walk + rights check + A/D commit (SDM vol. 3A 4.1, 4.7, 4.8). */
#include <string.h>

#include "mmu/mmu_internal.h"

void xai_page_fault(struct xa_exception *exc, uint32_t error_code, uint64_t la)
{
    exc->vector = XA_VEC_PF;
    exc->has_error_code = true;
    exc->error_code = error_code;
    exc->cr2 = la;
}

void xai_fault0(struct xa_exception *exc, uint8_t vector)
{
    exc->vector = vector;
    exc->has_error_code = true;
    exc->error_code = 0;
    exc->cr2 = 0;
}

int xai_read_entry_cb(const struct xai_walk_cfg *c, uint64_t gpa, unsigned size, uint64_t *val)
{
    uint8_t b[8];
    if (c->ops->read(c->ctx, gpa, b, size) != 0)
        return -1;
    *val = size == 8 ? xai_le64(b) : xai_le32(b);
    return 0;
}

uint32_t xai_pfec(const struct xai_walk_cfg *c)
{
    const struct xa_paging_state *ps = c->ps;
    uint32_t pfec = 0;
    if (c->access == XA_ACCESS_WRITE)
        pfec |= XAI_PF_W;
    if (c->user)
        pfec |= XAI_PF_U;
    /* I/D: a fetch, with SMEP or with PAE-format entries and NXE. */
    if (c->access == XA_ACCESS_FETCH &&
        ((ps->cr4 & XAI_CR4_SMEP) || ((ps->cr4 & XAI_CR4_PAE) && (ps->efer & XAI_EFER_NXE))))
        pfec |= XAI_PF_I;
    if (c->flags & XA_WALK_SHADOW_STACK)
        pfec |= XAI_PF_SS;
    return pfec;
}

xa_status xai_walk_setup(struct xai_walk_cfg *c, const struct xa_paging_state *ps,
                         const struct xa_mmu_ops *ops, void *ctx, enum xa_access access,
                         unsigned flags)
{
    unsigned m;
    if (!xai_walk_args_ok(ps, ops, access, flags, &m))
        return XA_ERR_BAD_ARGUMENT;
    xai_walk_cfg_init(c, ps, ops, ctx, access, flags, m);
    return XA_OK;
}

/* Up to XA_MMU_MAX_TRIES attempts of walk, rights check and A/D commit. The first
 * attempt may start from the fast path's work: @p pre entries already read, or the
 * whole walk and rights check done (@p walked); a redo starts from scratch. */
static xa_status walk_attempts(const struct xai_walk_cfg *c, uint64_t la, bool check_only,
                               struct xai_path *path, unsigned pre, bool walked,
                               struct xa_walk_result *out, struct xa_exception *exc)
{
    for (unsigned tries = 0; tries < XA_MMU_MAX_TRIES; tries++, pre = 0, walked = false) {
        xa_status st;
        if (!walked) {
            st = c->ia32e ? xai_walk_ia32e(c, la, path, pre, exc)
                          : xai_walk_legacy(c, la, path, exc);
            if (st != XA_OK)
                return st;
            uint32_t pfec = xai_check_rights(c, path);
            if (pfec) {
                xai_page_fault(exc, pfec, la);
                return XA_EXCEPTION;
            }
        }
        uint64_t leaf = path->val[path->n - 1];
        if ((path->and_all & XAI_PTE_A) && (c->access != XA_ACCESS_WRITE || (leaf & XAI_PTE_D))) {
            out->nwrites = 0; /* every A (and D) bit already set: nothing to write */
        } else {
            st = xai_commit_ad(c, path, check_only, out);
            if (st == XA_RETRY)
                continue;
            if (st != XA_OK)
                return st;
        }
        out->gpa = path->pa;
        out->page_size = path->page_size;
        uint32_t rights = 0;
        if (path->and_all & XAI_PTE_RW)
            rights |= XA_RIGHT_WRITE;
        if (path->and_all & XAI_PTE_US)
            rights |= XA_RIGHT_USER;
        if (!(path->or_all & XAI_PTE_XD)) /* set only with PAE entries and NXE */
            rights |= XA_RIGHT_EXEC;
        if ((leaf & XAI_PTE_D) || c->access == XA_ACCESS_WRITE)
            rights |= XA_RIGHT_DIRTY;
        out->rights = rights;
        out->pkey = c->ia32e ? (uint8_t)((leaf >> 59) & 0xf) : 0;
        out->levels = path->n;
        return XA_OK;
    }
    return XA_RETRY;
}

xa_status xai_walk_one(const struct xai_walk_cfg *c, uint64_t la, bool check_only,
                       struct xai_path *path, struct xa_walk_result *out, struct xa_exception *exc)
{
    if (!(c->ps->cr0 & XAI_CR0_PG)) {
        /* No paging: the linear address (32 bits) is the physical address. */
        out->gpa = la & 0xffffffffu;
        out->page_size = 4096;
        out->rights = XA_RIGHT_WRITE | XA_RIGHT_USER | XA_RIGHT_EXEC;
        out->pkey = 0;
        out->levels = 0;
        out->nwrites = 0;
        path->n = 0;
        return XA_OK;
    }
    return walk_attempts(c, la, check_only, path, 0, false, out, exc);
}

xa_status xai_walk_resume(const struct xai_walk_cfg *c, uint64_t la, bool check_only,
                          struct xai_path *path, unsigned pre, bool walked,
                          struct xa_walk_result *out, struct xa_exception *exc)
{
    return walk_attempts(c, la, check_only, path, pre, walked, out, exc);
}

/* The fast path uses xai_walk_resume above; it is inlined into xa_walk. */
#include "mmu/walk_fast.h"
/* The hot path, tried first in IA-32e paging (xa_walk, xa_walk_prepared). */
#include "mmu/walk_hot.h"

bool xa_is_canonical(uint64_t la, bool la57)
{
    unsigned shift = la57 ? 56 : 47;
    uint64_t top = la >> shift;
    return top == 0 || top == (UINT64_MAX >> shift);
}

/* No paging, 32-bit and PAE paging: the general walk, out of xa_walk's hot path. */
static XAI_NOINLINE xa_status walk_legacy_entry(const struct xa_paging_state *ps,
                                                const struct xa_mmu_ops *ops, void *ctx,
                                                uint64_t la, enum xa_access access, unsigned flags,
                                                unsigned maxphy, struct xa_walk_result *out,
                                                struct xa_exception *exc)
{
    struct xai_walk_cfg c;
    struct xai_path path;
    xai_walk_cfg_init(&c, ps, ops, ctx, access, flags, maxphy);
    return xai_walk_one(&c, la, (flags & XA_WALK_NO_AD) != 0, &path, out, exc);
}

/* The fast path of 4- and 5-level paging out of line: the hot path's callers stay small
 * (few registers to save) and it is the same code for both of them. */
static XAI_NOINLINE xa_status walk_ia32e_slow(const struct xa_paging_state *ps,
                                              const struct xa_mmu_ops *ops, void *ctx,
                                              enum xa_access access, unsigned flags,
                                              unsigned maxphy, uint64_t la,
                                              struct xa_walk_result *out, struct xa_exception *exc)
{
    if (ps->cr4 & XAI_CR4_LA57)
        return walk_ia32e_fast(ps, ops, ctx, access, flags, maxphy, 5, la, out, exc);
    return walk_ia32e_fast(ps, ops, ctx, access, flags, maxphy, 4, la, out, exc);
}

xa_status xa_walk(const struct xa_paging_state *ps, const struct xa_mmu_ops *ops, void *ctx,
                  uint64_t la, enum xa_access access, unsigned flags, struct xa_walk_result *out,
                  struct xa_exception *exc)
{
    unsigned m;
    if (!out || !exc || !xai_walk_args_ok(ps, ops, access, flags, &m))
        return XA_ERR_BAD_ARGUMENT;
    if (ps->efer & XAI_EFER_LMA) {
        /* The hot path with this call's constants (xa_walk_prepared keeps them), then
         * the fast path, which makes the canonical check. */
        struct xa_mmu_hot h;
        if (xai_hot_setup(&h, ps, ops, m)) {
            uint64_t acc, leaf;
            const unsigned top = (ps->cr4 & XAI_CR4_LA57) ? 5 : 4;
            if (top == 5 ? xai_hot_read(&h, 5, la, &acc, &leaf)
                         : xai_hot_read(&h, 4, la, &acc, &leaf)) {
                /* The rule only now, when the reads no longer need the registers. */
                struct xai_rule r;
                xai_rule_init(&r, ps, m, (unsigned)access, flags);
                const bool keys = (ps->cr4 & (XAI_CR4_PKE | XAI_CR4_PKS)) != 0;
                if (xai_hot_decide(acc, leaf, r.need, r.want, r.okkeys, top, keys, la, out))
                    return XA_OK;
            }
        }
        return walk_ia32e_slow(ps, ops, ctx, access, flags, m, la, out, exc);
    }
    return walk_legacy_entry(ps, ops, ctx, la & 0xffffffffu, access, flags, m, out, exc);
}

xa_status xa_mmu_prepare(const struct xa_paging_state *ps, const struct xa_mmu_ops *ops, void *ctx,
                         struct xa_mmu_prepared *out)
{
    unsigned m;
    if (!out)
        return XA_ERR_BAD_ARGUMENT;
    memset(out, 0, sizeof(*out));
    if (!xai_walk_args_ok(ps, ops, XA_ACCESS_READ, 0, &m))
        return XA_ERR_BAD_ARGUMENT; /* valid stays false, levels 0 */
    out->ps = *ps;
    out->ops = *ops;
    out->ctx = ctx;
    out->valid = true;
    struct xa_mmu_hot h;
    if ((ps->efer & XAI_EFER_LMA) && xai_hot_setup(&h, ps, ops, m)) {
        out->hc = h;
        out->hot = (uint8_t)(((ps->cr4 & XAI_CR4_LA57) ? 5 : 4) |
                             ((ps->cr4 & (XAI_CR4_PKE | XAI_CR4_PKS)) ? 8 : 0));
        out->hot4_limit = out->hot == 4 ? XA_ACCESS_FETCH + 1 : 0;
        /* The very rules xa_walk derives per call, for every access kind and flag set. */
        for (unsigned f = 0; f < 16; f++) {
            for (unsigned a = 0; a <= XA_ACCESS_FETCH; a++) {
                struct xai_rule r;
                xai_rule_init(&r, &out->ps, m, a, f);
                out->need[f * 3 + a] = r.need;
                out->want[f * 3 + a] = r.want;
                out->okkeys[f * 3 + a] = r.okkeys;
            }
        }
    }
    return XA_OK;
}

/* The general way of xa_walk_prepared, out of its line: xa_walk without its hot path
 * (already tried, or not applicable). */
static XAI_NOINLINE xa_status walk_prepared_slow(const struct xa_mmu_prepared *p, uint64_t la,
                                                 enum xa_access access, unsigned flags,
                                                 struct xa_walk_result *out,
                                                 struct xa_exception *exc)
{
    unsigned m;
    if (!p || !p->valid || !out || !exc || !xai_walk_args_ok(&p->ps, &p->ops, access, flags, &m))
        return XA_ERR_BAD_ARGUMENT;
    if (p->ps.efer & XAI_EFER_LMA)
        return walk_ia32e_slow(&p->ps, &p->ops, p->ctx, access, flags, m, la, out, exc);
    return walk_legacy_entry(&p->ps, &p->ops, p->ctx, la & 0xffffffffu, access, flags, m, out, exc);
}

/* The hot path of a prepared state of kind @p hot (a constant): true when it decided. */
static XAI_ALWAYS_INLINE bool walk_prepared_hot(const struct xa_mmu_prepared *p, uint64_t la,
                                                enum xa_access access, unsigned flags,
                                                struct xa_walk_result *out, unsigned hot)
{
    uint64_t acc, leaf;
    if (!xai_hot_read(&p->hc, hot & 7, la, &acc, &leaf))
        return false;
    /* The rule's index only now, when the reads no longer need the registers. */
    const unsigned i = (flags & 15u) * 3 + (unsigned)access;
    return xai_hot_decide(acc, leaf, p->need[i], p->want[i], p->okkeys[i], hot & 7, (hot & 8) != 0,
                          la, out);
}

/* Everything but the hot path of 4-level paging without keys: bad arguments, the other
 * prepared kinds, and the walks their hot paths do not decide. */
static XAI_NOINLINE xa_status walk_prepared_other(const struct xa_mmu_prepared *p, uint64_t la,
                                                  enum xa_access access, unsigned flags,
                                                  struct xa_walk_result *out,
                                                  struct xa_exception *exc)
{
    if (p && out && exc && (unsigned)access <= XA_ACCESS_FETCH) {
        bool done;
        switch (p->hot) {
        case 5: done = walk_prepared_hot(p, la, access, flags, out, 5); break;
        case 4 | 8: done = walk_prepared_hot(p, la, access, flags, out, 4 | 8); break;
        case 5 | 8: done = walk_prepared_hot(p, la, access, flags, out, 5 | 8); break;
        default: done = false; break; /* 4: already tried */
        }
        if (done)
            return XA_OK;
    }
    return walk_prepared_slow(p, la, access, flags, out, exc);
}

/* A walk the inline hot path did not decide, with the rule's index @p i in place of the
 * access kind (xa_walk_prepared). */
static XAI_NOINLINE xa_status walk_prepared_undecided(const struct xa_mmu_prepared *p, uint64_t la,
                                                      unsigned i, unsigned flags,
                                                      struct xa_walk_result *out,
                                                      struct xa_exception *exc)
{
    return walk_prepared_other(p, la, (enum xa_access)(i - (flags & 15u) * 3), flags, out, exc);
}

xa_status xa_walk_prepared(const struct xa_mmu_prepared *p, uint64_t la, enum xa_access access,
                           unsigned flags, struct xa_walk_result *out, struct xa_exception *exc)
{
    /* The hot path inline, every other case out of line with the same arguments: few
     * live values here, so that the common case saves no register at all. hot4_limit
     * folds the checks of the access kind and of the prepared kind into one compare;
     * placed between the tests of out and exc, it also keeps gcc from merging those two
     * into flag arithmetic (five more instructions). */
    uint64_t acc, leaf;
    if (!p || !out || (unsigned)access >= p->hot4_limit || !exc ||
        !xai_hot_read(&p->hc, 4, la, &acc, &leaf))
        return walk_prepared_other(p, la, access, flags, out, exc);
    /* The rule's index only now, when the reads no longer need the registers. It takes
     * the place of access (the barrier keeps access from staying live beside it): a walk
     * that the rule does not accept gets access back from it, out of line. */
    uint64_t i = (flags & 15u) * 3 + (unsigned)access;
    XAI_HOT_OPAQUE(i);
    if (xai_hot_decide(acc, leaf, p->need[i], p->want[i], p->okkeys[i], 4, false, la, out))
        return XA_OK;
    return walk_prepared_undecided(p, la, (unsigned)i, flags, out, exc);
}
