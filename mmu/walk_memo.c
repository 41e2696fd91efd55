/* SPDX-License-Identifier: BSD-2-Clause */
/* xa_walk_memo: the last walk the hot path decided, answered again while every entry it
 * read still holds the value it read.
 *
 * Why that is exact: the hot path (walk_hot.h) reads the root entry at an address fixed
 * by the prepared state and la's bits 47:39 (56:48), and each further entry at an address
 * fixed by the entry above it (its bits 51:12, the window's base) and la's next nine
 * bits; its decision and result depend on those values, la's page (canonical form; la's
 * bits 11:0 only pass into gpa), the access kind, the flags and the prepared state, and
 * on nothing else. So with the same prepared state, page, access and flags, a walk now
 * would read the recorded addresses in turn; where each still holds its recorded value,
 * it reads the same values and reaches the same result. The hit path compares the
 * entries top-down and stops at the first that differs, so it never reads an address the
 * walk would not read: every recorded address is in the window (the walk read it there).
 * The memo is filled from the values of one read of each entry, the very values the
 * decision was made from (never from a second read, which a concurrent writer could make
 * differ). Only walks the hot path decides are recorded: a general walk's result may
 * come from callbacks and A/D writes, which no comparison of window entries covers.
 *
 * The layout: xa_walk_memo has the 4-level hit inline and sends a walk of a new page
 * (not the memo's, not the one noted in cand) to memo_pass, which notes it and walks;
 * everything else (a 5-level hit, a refill, bad arguments) goes out of line to memo_miss
 * and memo_refill, so that the hit saves no register and moves no argument. */
#include <stddef.h>
#include <string.h>

#include "mmu/walk_hot.h"

void xa_walk_memo_reset(struct xa_walk_memo *m)
{
    if (m)
        memset(m, 0, sizeof(*m));
}

/* The result fields from page_size to nwrites lie as in the memo, in 16 bytes: one copy. */
#define RES_OFF      offsetof(struct xa_walk_result, page_size)
#define MEMO_RES_OFF offsetof(struct xa_walk_memo, page_size)
#define RES_ONE_COPY                                                                               \
    (offsetof(struct xa_walk_result, rights) - RES_OFF == 8 &&                                     \
     offsetof(struct xa_walk_result, pkey) - RES_OFF == 12 &&                                      \
     offsetof(struct xa_walk_result, levels) - RES_OFF == 13 &&                                    \
     offsetof(struct xa_walk_result, nwrites) - RES_OFF == 14 &&                                   \
     offsetof(struct xa_walk_result, writes) - RES_OFF >= 16 &&                                    \
     offsetof(struct xa_walk_memo, rights) - MEMO_RES_OFF == 8 &&                                  \
     offsetof(struct xa_walk_memo, pkey) - MEMO_RES_OFF == 12 &&                                   \
     offsetof(struct xa_walk_memo, levels) - MEMO_RES_OFF == 13 &&                                 \
     offsetof(struct xa_walk_memo, nwrites) - MEMO_RES_OFF == 14 &&                                \
     offsetof(struct xa_walk_memo, entry) - MEMO_RES_OFF >= 16)

/* The recorded result into *out, for la (the recorded page). */
static XAI_ALWAYS_INLINE void memo_answer(const struct xa_walk_memo *m, uint64_t la,
                                          struct xa_walk_result *out)
{
    out->gpa = la ^ m->gpa_xor;
    if (RES_ONE_COPY) {
        memcpy((unsigned char *)out + RES_OFF, (const unsigned char *)m + MEMO_RES_OFF, 16);
    } else {
        out->page_size = m->page_size;
        out->rights = m->rights;
        out->pkey = m->pkey;
        out->levels = m->levels;
        out->nwrites = m->nwrites;
    }
}

/* Entry k of the memo still holds its recorded value: read as the hot path reads it. */
#define MEMO_SAME(m, k) (xai_le64((m)->entry[k]) == (m)->value[k])

/* The memo's key is this walk's (the tag compared by the caller). */
static XAI_ALWAYS_INLINE bool memo_key(const struct xa_walk_memo *m, uint64_t la,
                                       enum xa_access access, unsigned flags)
{
    return m->key == (la | 0xfff) && m->access == (uint32_t)access && m->flags == flags;
}

/* One level of memo_read: the entry at la's bits shift+8:shift in the table at host
 * address @p table, recorded as entry @p k. */
static XAI_ALWAYS_INLINE uint64_t memo_entry(struct xa_walk_memo *m, unsigned k,
                                             const uint8_t *table, uint64_t la, unsigned shift)
{
    const uint8_t *e = table + ((la >> (shift - 3)) & 0xff8);
    const uint64_t v = xai_le64(e);
    m->entry[k] = e;
    m->value[k] = v;
    return v;
}

/* The hot path's reads (xai_hot_read: the same loads in the same order, the same bounds),
 * recording each entry's host address and value in @p m; top = 4 or 5 levels. */
static XAI_ALWAYS_INLINE bool memo_read(const struct xa_mmu_hot *h, unsigned top, uint64_t la,
                                        struct xa_walk_memo *m, uint64_t *acc, uint64_t *leaf)
{
    const unsigned width = top == 5 ? 57 : 48;
    if ((la + (1ull << (width - 1))) >> width)
        return false;
    uint64_t v = memo_entry(m, 0, h->root, la, 9 * top + 3);
    uint64_t a = v ^ XAI_HOT_FLIP;
    /* Levels top-1 down to 2 (non-leaf), then the leaf; each table checked first. */
    for (unsigned k = 1; k + 1 < top; k++) {
        if ((v & h->wmask) >= h->limit)
            return false;
        v = memo_entry(m, k, h->ram + (v & h->wmask), la, 9 * (top - k) + 3);
        a |= v ^ XAI_HOT_FLIP;
    }
    if ((v & h->wmask) >= h->limit)
        return false;
    v = memo_entry(m, top - 1, h->ram + (v & h->wmask), la, 12);
    a &= ~XAI_PTE_D; /* bit 6 is D only in the leaf */
    *acc = a | ((v & XAI_HOT_LEAF_KEEP) ^ (XAI_HOT_FLIP | XAI_PTE_D | XAI_HOT_ONE));
    *leaf = v;
    return true;
}

/* The hot path of prepared kind @p hot (a constant), recording into @p m: true with
 * *out filled and @p m holding this walk, false with @p m empty. */
static XAI_ALWAYS_INLINE bool memo_fill(const struct xa_mmu_prepared *p, struct xa_walk_memo *m,
                                        uint64_t la, enum xa_access access, unsigned flags,
                                        struct xa_walk_result *out, unsigned hot)
{
    m->key = 0; /* empty while its entries are rewritten */
    uint64_t acc, leaf;
    if (!memo_read(&p->hc, hot & 7, la, m, &acc, &leaf))
        return false;
    const unsigned i = (flags & 15u) * 3 + (unsigned)access;
    if (!xai_hot_decide(acc, leaf, p->need[i], p->want[i], p->okkeys[i], hot & 7, (hot & 8) != 0,
                        la, out))
        return false;
    m->tag = (uintptr_t)p + ((hot & 7) == 5);
    m->access = (uint32_t)access;
    m->flags = flags;
    m->gpa_xor = la ^ out->gpa;
    m->page_size = out->page_size;
    m->rights = out->rights;
    m->pkey = out->pkey;
    m->levels = out->levels;
    m->nwrites = 0;
    m->reserved = 0;
    m->key = la | 0xfff;
    m->cand = la | 0xfff;
    return true;
}

/* memo_fill of each prepared kind out of line: the walk's arguments stay in the caller
 * for the general walk, and a fill saves few registers. */
static XAI_NOINLINE bool memo_fill4(const struct xa_mmu_prepared *p, struct xa_walk_memo *m,
                                    uint64_t la, enum xa_access access, unsigned flags,
                                    struct xa_walk_result *out)
{
    return memo_fill(p, m, la, access, flags, out, 4);
}

static XAI_NOINLINE bool memo_fill_other(const struct xa_mmu_prepared *p, struct xa_walk_memo *m,
                                         uint64_t la, enum xa_access access, unsigned flags,
                                         struct xa_walk_result *out)
{
    switch (p->hot) {
    case 4 | 8: return memo_fill(p, m, la, access, flags, out, 4 | 8);
    case 5: return memo_fill(p, m, la, access, flags, out, 5);
    case 5 | 8: return memo_fill(p, m, la, access, flags, out, 5 | 8);
    default: return false; /* no hot path: never recorded (m stays as it was) */
    }
}

/* A walk that is no hit of 4-level paging: xa_walk_prepared, recorded in @p m when the hot
 * path decides it. */
static XAI_NOINLINE xa_status memo_refill(const struct xa_mmu_prepared *p, struct xa_walk_memo *m,
                                          uint64_t la, enum xa_access access, unsigned flags,
                                          struct xa_walk_result *out, struct xa_exception *exc)
{
    if (m && p && out && (unsigned)access <= XA_ACCESS_FETCH && exc &&
        (p->hot == 4 ? memo_fill4(p, m, la, access, flags, out)
                     : memo_fill_other(p, m, la, access, flags, out)))
        return XA_OK;
    return xa_walk_prepared(p, la, access, flags, out, exc);
}

/* Everything but a hit of 4-level paging and a walk not to record: a hit of 5-level
 * paging, else memo_refill. */
static XAI_NOINLINE xa_status memo_miss(const struct xa_mmu_prepared *p, struct xa_walk_memo *m,
                                        uint64_t la, enum xa_access access, unsigned flags,
                                        struct xa_walk_result *out, struct xa_exception *exc)
{
    if (m && out && m->tag == (uintptr_t)p + 1 && exc && memo_key(m, la, access, flags) &&
        MEMO_SAME(m, 0) && MEMO_SAME(m, 1) && MEMO_SAME(m, 2) && MEMO_SAME(m, 3) &&
        MEMO_SAME(m, 4)) {
        memo_answer(m, la, out);
        return XA_OK;
    }
    return memo_refill(p, m, la, access, flags, out, exc);
}

/* A walk not recorded: xa_walk_prepared, its page noted as the next to record. Out of
 * line with the arguments of xa_walk_memo, so that the hit path does not move them into
 * those of xa_walk_prepared first. */
static XAI_NOINLINE xa_status memo_pass(const struct xa_mmu_prepared *p, struct xa_walk_memo *m,
                                        uint64_t la, enum xa_access access, unsigned flags,
                                        struct xa_walk_result *out, struct xa_exception *exc)
{
    m->cand = la | 0xfff;
    return xa_walk_prepared(p, la, access, flags, out, exc);
}

xa_status xa_walk_memo(const struct xa_mmu_prepared *p, struct xa_walk_memo *m, uint64_t la,
                       enum xa_access access, unsigned flags, struct xa_walk_result *out,
                       struct xa_exception *exc)
{
    /* A hit of 4-level paging inline: the key, the checks, then the entries top-down.
     * The tag also stands for p's NULL check: it is p's address only in a memo filled
     * under p. (Placed between the tests of out and exc, it keeps gcc from merging those
     * two into flag arithmetic.) */
    if (m) {
        const uint64_t key = la | 0xfff;
        if (m->key == key) {
            if (out && m->tag == (uintptr_t)p && exc && m->access == (uint32_t)access &&
                m->flags == flags && MEMO_SAME(m, 0) && MEMO_SAME(m, 1) && MEMO_SAME(m, 2) &&
                MEMO_SAME(m, 3)) {
                memo_answer(m, la, out);
                return XA_OK;
            }
        } else if (m->cand != key || !p || !p->hot) {
            /* A walk of another page than the last: not recorded (a stream of pages then
             * costs the walk and a few instructions); a second walk of it in a row is.
             * Without a hot path (no RAM window, say) nothing is ever recorded. */
            return memo_pass(p, m, la, access, flags, out, exc);
        }
    }
    return memo_miss(p, m, la, access, flags, out, exc);
}
