/* SPDX-License-Identifier: BSD-2-Clause */
/* Accessed and dirty bits (SDM vol. 3A 4.8): set after a successful walk
 * and rights check, top-down, by compare-and-exchange. */
#include "mmu/mmu_internal.h"

/* Guest byte order (little-endian) whatever the host; unrolled, so that compilers
 * make it one store on a little-endian host. */
static void put_le(uint8_t *b, uint64_t v, unsigned size)
{
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
    b[2] = (uint8_t)(v >> 16);
    b[3] = (uint8_t)(v >> 24);
    if (size == 8) {
        b[4] = (uint8_t)(v >> 32);
        b[5] = (uint8_t)(v >> 40);
        b[6] = (uint8_t)(v >> 48);
        b[7] = (uint8_t)(v >> 56);
    }
}

xa_status xai_store_entry(const struct xai_walk_cfg *c, uint64_t gpa, uint64_t old, uint64_t val,
                          unsigned size)
{
    uint8_t ob[8], nb[8];
    put_le(ob, old, size);
    put_le(nb, val, size);
    if (c->ops->cmpxchg) {
        int r = c->ops->cmpxchg(c->ctx, gpa, ob, nb, size);
        if (r == 0)
            return XA_OK;
        return r == 1 ? XA_RETRY : XA_ERR_CALLBACK;
    }
    /* Non-atomic fallback: compare with a fresh read, then write. */
    uint64_t cur;
    if (xai_read_entry(c, gpa, size, &cur) != 0)
        return XA_ERR_CALLBACK;
    if (cur != old)
        return XA_RETRY;
    return c->ops->write(c->ctx, gpa, nb, size) == 0 ? XA_OK : XA_ERR_CALLBACK;
}

xa_status xai_commit_ad(const struct xai_walk_cfg *c, const struct xai_path *path, bool no_write,
                        struct xa_walk_result *out)
{
    const unsigned n = path->n;
    const uint64_t leaf = path->val[n - 1];
    const bool dirty = c->access == XA_ACCESS_WRITE;

    /* Every A bit (and D for a write) already set: nothing to do. and_all
     * covers exactly the entries that have an A bit. */
    if ((path->and_all & XAI_PTE_A) && (!dirty || (leaf & XAI_PTE_D))) {
        out->nwrites = 0;
        return XA_OK;
    }
    if (!c->ops->cmpxchg && !c->ops->write)
        no_write = true;

    /* One update per distinct entry, in top-down order of its first change:
     * hostile tables may use the same entry at several levels, and it must be
     * written once, with every bit it gains. */
    uint64_t old[XA_MMU_MAX_LEVELS];
    unsigned w = 0;
    for (unsigned i = path->first_ad; i < n; i++) {
        uint64_t bits = XAI_PTE_A;
        if (i == n - 1 && dirty)
            bits |= XAI_PTE_D;
        unsigned k = 0;
        while (k < w && out->writes[k].gpa != path->gpa[i])
            k++;
        if (k < w) {
            out->writes[k].value |= bits;
            continue;
        }
        /* Not written yet: the value the walk read (same for every level). */
        if ((path->val[i] | bits) == path->val[i])
            continue;
        old[w] = path->val[i];
        out->writes[w].gpa = path->gpa[i];
        out->writes[w].value = path->val[i] | bits;
        out->writes[w].size = path->esize;
        out->writes[w].level = path->level[i];
        w++;
    }
    out->nwrites = (uint8_t)w;
    if (no_write)
        return XA_OK;
    for (unsigned k = 0; k < w; k++) {
        xa_status st =
            xai_store_entry(c, out->writes[k].gpa, old[k], out->writes[k].value, path->esize);
        if (st != XA_OK)
            return st;
    }
    return XA_OK;
}
