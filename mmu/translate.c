/* SPDX-License-Identifier: BSD-2-Clause */
/* An access of N bytes that may cross a page: two walks in address order,
 * every check of both before any A/D write. */
#include "mmu/mmu_internal.h"

xa_status xa_translate(const struct xa_paging_state *ps, const struct xa_mmu_ops *ops, void *ctx,
                       uint64_t la, uint32_t size, enum xa_access access, unsigned flags,
                       struct xa_translation *out, struct xa_exception *exc)
{
    struct xai_walk_cfg c;
    struct xai_path path;
    if (!out || !exc || size == 0 || size > 4096)
        return XA_ERR_BAD_ARGUMENT;
    xa_status st = xai_walk_setup(&c, ps, ops, ctx, access, flags);
    if (st != XA_OK)
        return st;

    uint64_t la2 = (la & ~0xfffull) + 4096;
    uint32_t first = (uint32_t)(la2 - la);
    bool cross = size > first;
    bool la57 = (ps->cr4 & XAI_CR4_LA57) != 0;
    if (c.ia32e) {
        uint8_t vec = (flags & XA_WALK_SS_REF) ? XA_VEC_SS : XA_VEC_GP;
        if (!xa_is_canonical(la, la57) || (cross && !xa_is_canonical(la2, la57))) {
            xai_fault0(exc, vec);
            return XA_EXCEPTION;
        }
    } else {
        la &= 0xffffffffu;
        la2 &= 0xffffffffu; /* the linear address wraps at 4 GiB */
    }

    out->count = cross ? 2 : 1;
    out->len[0] = cross ? first : size;
    out->len[1] = cross ? size - first : 0;
    if (!cross) {
        /* One page: exactly xa_walk (and its hot path). */
        st = xa_walk(ps, ops, ctx, la, access, flags, &out->walk[0], exc);
        if (st == XA_OK)
            out->gpa[0] = out->walk[0].gpa;
        out->gpa[1] = 0;
        return st;
    }
    /* Both walks and rights checks first, writing nothing; then the A/D
     * updates of both, each entry once (tables may share entries), in
     * address order. A changed entry redoes both walks (bounded). */
    struct xai_path path2;
    bool no_write = (flags & XA_WALK_NO_AD) || (!ops->cmpxchg && !ops->write);
    for (unsigned tries = 0;; tries++) {
        if (tries == XA_MMU_MAX_TRIES)
            return XA_RETRY;
        struct xa_walk_result *w0 = &out->walk[0], *w1 = &out->walk[1];
        st = xai_walk_one(&c, la, true, &path, w0, exc);
        if (st != XA_OK)
            return st;
        st = xai_walk_one(&c, la2, true, &path2, w1, exc);
        if (st != XA_OK)
            return st;
        /* An entry both pages update is written once, listed under the first. */
        unsigned n1 = 0;
        for (unsigned i = 0; i < w1->nwrites; i++) {
            unsigned k = 0;
            while (k < w0->nwrites && w0->writes[k].gpa != w1->writes[i].gpa)
                k++;
            if (k < w0->nwrites)
                w0->writes[k].value |= w1->writes[i].value;
            else
                w1->writes[n1++] = w1->writes[i];
        }
        w1->nwrites = (uint8_t)n1;
        if (no_write)
            break;
        st = XA_OK;
        for (unsigned p = 0; p < 2 && st == XA_OK; p++) {
            const struct xai_path *pp = p ? &path2 : &path;
            const struct xa_walk_result *w = p ? w1 : w0;
            for (unsigned i = 0; i < w->nwrites && st == XA_OK; i++) {
                uint64_t old = 0;
                for (unsigned j = 0; j < pp->n; j++)
                    if (pp->gpa[j] == w->writes[i].gpa)
                        old = pp->val[j];
                st = xai_store_entry(&c, w->writes[i].gpa, old, w->writes[i].value, pp->esize);
            }
        }
        if (st == XA_OK)
            break;
        if (st != XA_RETRY)
            return st;
    }
    out->gpa[0] = out->walk[0].gpa;
    out->gpa[1] = out->walk[1].gpa;
    return XA_OK;
}
