/* SPDX-License-Identifier: BSD-2-Clause */
/* xa_walk_memo against xa_walk_prepared: every call must give the same status, the same
 * *out and *exc (all of them: both start from the same pattern) and the same A/D writes
 * as xa_walk_prepared on an identical copy of guest memory. Random 4- and 5-level
 * layouts in a RAM window, then sequences of walks where between calls the test changes
 * nothing, flips a bit of an entry the walk used (P, R/W, U/S, A, D, PS, G, XD, the key,
 * ignored and reserved bits, table addresses: to another table, to a copy of the same
 * table, out of the window), moves la within its page or to another page, changes the
 * access or the flags, or resets the memo. Guest memory is allocated at exactly its size
 * and the window reaches its end, so that a read past the window is an ASan error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <x86assist/mmu.h>

#include "rng.h"

#define NPAGES 32u
#define MSIZE  (NPAGES * 4096u)
#define NLA    4 /* linear pages of a layout */

/* Guest memory with a log of the writes (cmpxchg). */
struct gmem {
    uint8_t *bytes; /* MSIZE bytes, allocated at exactly that size */
    int nlog;
    uint64_t log_gpa[16], log_val[16];
};

static int g_read(void *ctx, uint64_t gpa, void *buf, size_t size)
{
    const struct gmem *g = ctx;
    if (gpa >= MSIZE || size > MSIZE - gpa)
        return -1;
    memcpy(buf, g->bytes + gpa, size);
    return 0;
}

static int g_cmpxchg(void *ctx, uint64_t gpa, const void *expected, const void *desired,
                     size_t size)
{
    struct gmem *g = ctx;
    if (gpa >= MSIZE || size > MSIZE - gpa || size != 8)
        return -1;
    if (memcmp(g->bytes + gpa, expected, 8) != 0)
        return 1;
    memcpy(g->bytes + gpa, desired, 8);
    if (g->nlog < 16) {
        uint64_t v;
        memcpy(&v, desired, 8);
        g->log_gpa[g->nlog] = gpa;
        g->log_val[g->nlog] = v;
    }
    g->nlog++;
    return 0;
}

static uint64_t get64(const uint8_t *b)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | b[i];
    return v;
}

static void put64(uint8_t *b, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

/* The two copies of guest memory (a: the memo's, b: xa_walk_prepared's) and the state. */
struct rig {
    struct gmem a, b;
    struct xa_paging_state ps;
    struct xa_mmu_ops opa, opb;
    struct xa_mmu_prepared pa, pb;
    struct xa_walk_memo memo;
    int top;
    uint64_t las[NLA];
    long hits, fills, calls; /* calls that found the memo's key (and entries) */
};

/* Both copies of one entry. */
static void set_entry(struct rig *r, uint64_t gpa, uint64_t v)
{
    put64(r->a.bytes + gpa, v);
    put64(r->b.bytes + gpa, v);
}

static uint64_t sext(uint64_t v, int width)
{
    return (uint64_t)((int64_t)(v << (64 - width)) >> (64 - width));
}

/* Flags of a fresh entry: mostly the hot path's case. */
static uint64_t fresh_flags(void)
{
    uint64_t f = 0x67; /* P RW US A D */
    if (one_in(8))
        f &= ~0x2ull;
    if (one_in(8))
        f &= ~0x4ull;
    if (one_in(20))
        f &= ~0x60ull;
    if (one_in(6))
        f |= 1ull << 63;
    if (one_in(3))
        f |= below(16) << 59; /* key */
    f |= below(8) << 9;
    return f;
}

/* A new layout and paging state: both memories equal, the memo reset (the state is
 * prepared again). */
static void build(struct rig *r)
{
    memset(r->a.bytes, 0, MSIZE);
    struct xa_paging_state *ps = &r->ps;
    memset(ps, 0, sizeof(*ps));
    r->top = one_in(3) ? 5 : 4;
    static const uint8_t maxphys[3] = {36, 46, 52};
    ps->cpu.maxphyaddr = maxphys[below(3)];
    ps->cpu.vendor = one_in(4) ? XA_VENDOR_AMD : XA_VENDOR_INTEL;
    ps->cpu.features = XA_FEAT_ALL;
    ps->cr0 = 0x80000011ull | (one_in(2) ? 1ull << 16 : 0);
    ps->cr4 = 0x20 | (r->top == 5 ? 1ull << 12 : 0);
    if (one_in(3))
        ps->cr4 |= 1ull << 20; /* SMEP */
    if (one_in(3))
        ps->cr4 |= 1ull << 21; /* SMAP */
    if (one_in(4))
        ps->cr4 |= 1ull << 22; /* PKE */
    if (one_in(4))
        ps->cr4 |= 1ull << 24; /* PKS */
    ps->efer = 0x500 | (one_in(4) ? 0 : 0x800);
    ps->pkru = one_in(2) ? 0 : (uint32_t)rnd();
    ps->pkrs = one_in(2) ? 0 : (uint32_t)rnd();
    const uint64_t root = below(NPAGES) * 4096;
    ps->cr3 = root;
    /* NLA linear pages, sharing tables where their indexes meet; each new table at a
     * random page (possibly shared with another table: hostile but allowed). */
    for (int n = 0; n < NLA; n++) {
        uint64_t la = 0;
        if (n > 0 && one_in(2))
            la = r->las[below((uint64_t)n)] ^ (below(512) << (12 + 9 * below(2)));
        else
            for (int level = r->top; level >= 1; level--)
                la |= below(512) << (3 + 9 * level);
        la = sext(la & ~0xfffull, r->top == 5 ? 57 : 48);
        r->las[n] = la;
        uint64_t table = root;
        for (int level = r->top; level >= 1; level--) {
            const uint64_t gpa = table + ((la >> (3 + 9 * level)) & 0x1ff) * 8;
            uint64_t e = get64(r->a.bytes + gpa);
            if (!(e & 1)) {
                const uint64_t next = level == 1 ? below(1ull << (ps->cpu.maxphyaddr - 12)) << 12
                                                 : below(NPAGES) * 4096;
                e = next | fresh_flags();
                put64(r->a.bytes + gpa, e);
            }
            table = e & 0x000ffffffffff000ull;
            if (table >= MSIZE)
                break;
        }
    }
    memcpy(r->b.bytes, r->a.bytes, MSIZE);
    /* The window: mostly all of memory (its end is the allocation's); now and then
     * shorter, or not a multiple of 4 KiB. */
    uint64_t win = MSIZE;
    if (one_in(4))
        win = MSIZE - below(3 * 4096);
    r->opa = (struct xa_mmu_ops){
        .read = g_read, .cmpxchg = g_cmpxchg, .ram = r->a.bytes, .ram_size = win};
    r->opb = (struct xa_mmu_ops){
        .read = g_read, .cmpxchg = g_cmpxchg, .ram = r->b.bytes, .ram_size = win};
    assert_int_equal(xa_mmu_prepare(ps, &r->opa, &r->a, &r->pa), XA_OK);
    assert_int_equal(xa_mmu_prepare(ps, &r->opb, &r->b, &r->pb), XA_OK);
    xa_walk_memo_reset(&r->memo);
}

/* The gpas of the entries a walk of la reads (as far as they are in memory). */
static int path_of(const struct rig *r, uint64_t la, uint64_t *gpa)
{
    uint64_t table = r->ps.cr3 & 0x000ffffffffff000ull;
    int n = 0;
    for (int level = r->top; level >= 1; level--) {
        if (table >= MSIZE)
            break;
        gpa[n] = table + ((la >> (3 + 9 * level)) & 0x1ff) * 8;
        const uint64_t e = get64(r->b.bytes + gpa[n]);
        n++;
        if (level == 1 || (e & 0x80))
            break;
        table = e & 0x000ffffffffff000ull;
    }
    return n;
}

/* A bit of an entry to flip: flags, ignored, reserved, key, and address bits (another
 * table in memory, or far out of it). */
static unsigned pick_bit(unsigned maxphy)
{
    static const unsigned bits[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 63, 59, 62, 52, 58};
    switch (below(4)) {
    case 0:
    case 1: return bits[below(sizeof(bits) / sizeof(bits[0]))];
    case 2: return 12 + (unsigned)below(5); /* another page of memory */
    default:                                /* far out of memory, reserved (51:MAXPHYADDR) */
        return one_in(2) ? 17 + (unsigned)below(maxphy - 17) : 17 + (unsigned)below(52 - 17);
    }
}

static void compare_walks(struct rig *r, uint64_t la, enum xa_access acc, unsigned flags)
{
    struct xa_walk_result oa, ob;
    struct xa_exception ea, eb;
    const uint8_t pat = (uint8_t)rnd();
    memset(&oa, pat, sizeof(oa));
    memset(&ob, pat, sizeof(ob));
    /* exc is compared as bytes (a pattern in has_error_code is no valid bool) */
    memset(&ea, pat ^ 0x5a, sizeof(ea));
    memset(&eb, pat ^ 0x5a, sizeof(eb));
    r->a.nlog = r->b.nlog = 0;
    const int keyed =
        r->memo.key == (la | 0xfff) && r->memo.access == (uint32_t)acc && r->memo.flags == flags;
    const xa_status sa = xa_walk_memo(&r->pa, &r->memo, la, acc, flags, &oa, &ea);
    const xa_status sb = xa_walk_prepared(&r->pb, la, acc, flags, &ob, &eb);
    r->calls++;
    r->hits += keyed && sa == XA_OK && r->memo.key == (la | 0xfff);
    r->fills += r->memo.key == (la | 0xfff);
    if (sa != sb || oa.gpa != ob.gpa || oa.page_size != ob.page_size || oa.rights != ob.rights ||
        oa.pkey != ob.pkey || oa.levels != ob.levels || oa.nwrites != ob.nwrites ||
        memcmp(oa.writes, ob.writes, sizeof(oa.writes)) != 0 || memcmp(&ea, &eb, sizeof(ea)) != 0 ||
        r->a.nlog != r->b.nlog || memcmp(r->a.log_gpa, r->b.log_gpa, sizeof(r->a.log_gpa)) != 0 ||
        memcmp(r->a.log_val, r->b.log_val, sizeof(r->a.log_val)) != 0) {
        fail_msg("la %#llx access %d flags %#x top %d: memo %d gpa %#llx rights %u, prepared %d "
                 "gpa %#llx rights %u",
                 (unsigned long long)la, (int)acc, flags, r->top, (int)sa,
                 (unsigned long long)oa.gpa, oa.rights, (int)sb, (unsigned long long)ob.gpa,
                 ob.rights);
    }
    /* A successful memo: the fields it leaves alone hold the pattern (writes[]). */
    if (sa == XA_OK && oa.nwrites == 0) {
        uint8_t patw[sizeof(oa.writes)];
        memset(patw, pat, sizeof(patw));
        assert_memory_equal(oa.writes, patw, sizeof(patw));
    }
}

static long steps_from_env(const char *name, long dflt)
{
    const char *s = getenv(name);
    return s ? atol(s) : dflt;
}

/* The random sequences. */
static void test_memo_random(void **state)
{
    (void)state;
    static struct rig r;
    r.a.bytes = malloc(MSIZE);
    r.b.bytes = malloc(MSIZE);
    assert_non_null(r.a.bytes);
    assert_non_null(r.b.bytes);
    rng_state = (uint64_t)steps_from_env("WALK_MEMO_SEED", 1) << 1 | 1;
    const long layouts = steps_from_env("WALK_MEMO_LAYOUTS", 2000);
    uint64_t path[5];
    for (long n = 0; n < layouts; n++) {
        build(&r);
        uint64_t la = r.las[0] | below(4096);
        enum xa_access acc = XA_ACCESS_READ;
        unsigned flags = 0;
        for (int step = 0; step < 500; step++) {
            const uint64_t what = below(100);
            if (what < 40) {
                /* nothing */
            } else if (what < 55) {
                /* a bit of an entry of this walk's path */
                const int np = path_of(&r, la, path);
                if (np > 0) {
                    const uint64_t g = path[below((uint64_t)np)];
                    set_entry(&r, g,
                              get64(r.b.bytes + g) ^ (1ull << pick_bit(r.ps.cpu.maxphyaddr)));
                }
            } else if (what < 59) {
                /* a non-leaf entry of the path to a copy of its table elsewhere: the same
                 * walk through other addresses */
                const int np = path_of(&r, la, path);
                if (np > 1) {
                    const uint64_t g = path[below((uint64_t)np - 1)];
                    const uint64_t e = get64(r.b.bytes + g);
                    const uint64_t from = e & 0x000ffffffffff000ull, to = below(NPAGES) * 4096;
                    if (from < MSIZE && from != to && (g & ~0xfffull) != to) {
                        memmove(r.a.bytes + to, r.a.bytes + from, 4096);
                        memmove(r.b.bytes + to, r.b.bytes + from, 4096);
                        set_entry(&r, g, (e & ~0x000ffffffffff000ull) | to);
                    }
                }
            } else if (what < 68) {
                /* the path restored to the hot case (tables in memory, P RW US A D) */
                const int np = path_of(&r, la, path);
                for (int k = 0; k < np; k++) {
                    const uint64_t e = get64(r.b.bytes + path[k]);
                    set_entry(&r, path[k], (e & 0x1f000ull) | 0x67);
                }
            } else if (what < 78) {
                switch (below(4)) {
                case 0: la = (la & ~0xfffull) | below(4096); break; /* same page */
                case 1:
                case 2: la = r.las[below(NLA)] | below(4096); break;
                default:
                    la = one_in(2) ? rnd() : sext(rnd(), r.top == 5 ? 57 : 48); /* any */
                    break;
                }
            } else if (what < 88) {
                if (one_in(2))
                    acc = (enum xa_access)below(3);
                else
                    flags ^= 1u << below(6);
                if (acc == XA_ACCESS_FETCH && !one_in(20)) /* else a bad argument */
                    flags &= ~(unsigned)(XA_WALK_IMPLICIT | XA_WALK_SHADOW_STACK);
                if (one_in(50))
                    flags ^= 1u << (6 + below(26)); /* a bit no walk looks at */
            } else if (what < 90) {
                xa_walk_memo_reset(&r.memo);
            } else {
                /* the same page again, nothing changed in between */
            }
            compare_walks(&r, la, acc, flags);
        }
        assert_memory_equal(r.a.bytes, r.b.bytes, MSIZE);
    }
    printf("walk_memo: %ld calls, %ld found the memo's key, %ld left it filled\n", r.calls, r.hits,
           r.fills);
    assert_true(r.hits > r.calls / 10); /* the memo is exercised */
    free(r.a.bytes);
    free(r.b.bytes);
}

/* Direct cases: a hit, an entry change, bad arguments, another prepared state. */
static void test_memo_basics(void **state)
{
    (void)state;
    static struct rig r;
    r.a.bytes = calloc(1, MSIZE);
    r.b.bytes = calloc(1, MSIZE);
    assert_non_null(r.a.bytes);
    assert_non_null(r.b.bytes);
    struct xa_paging_state *ps = &r.ps;
    memset(ps, 0, sizeof(*ps));
    ps->cr0 = 0x80010011;
    ps->cr3 = 0x1000;
    ps->cr4 = 0x20;
    ps->efer = 0xd00;
    ps->cpu.maxphyaddr = 46;
    ps->cpu.features = XA_FEAT_ALL;
    r.top = 4;
    const uint64_t la = 0x00007f1234005010ull;
    set_entry(&r, 0x1000 + ((la >> 39) & 0x1ff) * 8, 0x2000 | 0x67);
    set_entry(&r, 0x2000 + ((la >> 30) & 0x1ff) * 8, 0x3000 | 0x67);
    set_entry(&r, 0x3000 + ((la >> 21) & 0x1ff) * 8, 0x4000 | 0x67);
    const uint64_t pte = 0x4000 + ((la >> 12) & 0x1ff) * 8;
    set_entry(&r, pte, 0x123000 | 0x67);
    r.opa = (struct xa_mmu_ops){
        .read = g_read, .cmpxchg = g_cmpxchg, .ram = r.a.bytes, .ram_size = MSIZE};
    r.opb = (struct xa_mmu_ops){
        .read = g_read, .cmpxchg = g_cmpxchg, .ram = r.b.bytes, .ram_size = MSIZE};
    assert_int_equal(xa_mmu_prepare(ps, &r.opa, &r.a, &r.pa), XA_OK);
    assert_int_equal(xa_mmu_prepare(ps, &r.opb, &r.b, &r.pb), XA_OK);
    memset(&r.memo, 0, sizeof(r.memo));

    struct xa_walk_result out;
    struct xa_exception exc;
    compare_walks(&r, la, XA_ACCESS_WRITE, 0); /* notes the page */
    assert_int_equal(r.memo.key, 0);
    compare_walks(&r, la, XA_ACCESS_WRITE, 0); /* the second walk in a row fills */
    assert_int_equal(r.memo.key, la | 0xfff);
    assert_int_equal(r.memo.levels, 4);
    compare_walks(&r, la, XA_ACCESS_WRITE, 0); /* a hit */
    compare_walks(&r, la + 0x20, XA_ACCESS_WRITE, 0);
    assert_int_equal(xa_walk_memo(&r.pa, &r.memo, la + 0x7, XA_ACCESS_WRITE, 0, &out, &exc), XA_OK);
    assert_int_equal(out.gpa, 0x123017);
    assert_int_equal(out.nwrites, 0);
    /* Bad arguments with the memo filled for exactly this walk. */
    assert_int_equal(xa_walk_memo(NULL, &r.memo, la, XA_ACCESS_WRITE, 0, &out, &exc),
                     XA_ERR_BAD_ARGUMENT);
    assert_int_equal(xa_walk_memo(&r.pa, &r.memo, la, XA_ACCESS_WRITE, 0, NULL, &exc),
                     XA_ERR_BAD_ARGUMENT);
    assert_int_equal(xa_walk_memo(&r.pa, &r.memo, la, XA_ACCESS_WRITE, 0, &out, NULL),
                     XA_ERR_BAD_ARGUMENT);
    assert_int_equal(xa_walk_memo(&r.pa, &r.memo, la, (enum xa_access)3, 0, &out, &exc),
                     XA_ERR_BAD_ARGUMENT);
    assert_int_equal(xa_walk_memo(&r.pa, NULL, la, XA_ACCESS_WRITE, 0, &out, &exc), XA_OK);
    assert_int_equal(out.gpa, 0x123010);
    /* The leaf made read-only: the memo must see it (#PF, as the walk). */
    set_entry(&r, pte, 0x123000 | 0x65);
    compare_walks(&r, la, XA_ACCESS_WRITE, 0);
    assert_int_equal(xa_walk_memo(&r.pa, &r.memo, la, XA_ACCESS_WRITE, 0, &out, &exc),
                     XA_EXCEPTION);
    assert_int_equal(exc.vector, XA_VEC_PF);
    /* A read fills it again; a PDPTE pointing elsewhere (a copy of the PD): a miss, the
     * same result through other entries. */
    compare_walks(&r, la, XA_ACCESS_READ, 0);
    assert_int_equal(r.memo.key, la | 0xfff);
    memcpy(r.a.bytes + 0x9000, r.a.bytes + 0x3000, 4096);
    memcpy(r.b.bytes + 0x9000, r.b.bytes + 0x3000, 4096);
    set_entry(&r, 0x2000 + ((la >> 30) & 0x1ff) * 8, 0x9000 | 0x67);
    compare_walks(&r, la, XA_ACCESS_READ, 0);
    assert_ptr_equal(r.memo.entry[2], r.a.bytes + 0x9000 + ((la >> 21) & 0x1ff) * 8);
    /* The PDPTE out of the window (and of memory): the hit path must not follow the old
     * pointers, nor the new one. */
    set_entry(&r, 0x2000 + ((la >> 30) & 0x1ff) * 8, 0x40000000 | 0x67);
    compare_walks(&r, la, XA_ACCESS_READ, 0);
    compare_walks(&r, la, XA_ACCESS_READ, 0);
    set_entry(&r, 0x2000 + ((la >> 30) & 0x1ff) * 8, 0x3000 | 0x67);
    compare_walks(&r, la, XA_ACCESS_READ, 0);
    compare_walks(&r, la, XA_ACCESS_READ, 0);
    /* Another prepared state (another root) with the same memo: refilled, not answered. */
    struct xa_mmu_prepared other;
    struct xa_paging_state ps2 = *ps;
    ps2.cr3 = 0x5000;
    assert_int_equal(xa_mmu_prepare(&ps2, &r.opa, &r.a, &other), XA_OK);
    assert_int_equal(xa_walk_memo(&other, &r.memo, la, XA_ACCESS_READ, 0, &out, &exc),
                     XA_EXCEPTION);
    xa_walk_memo_reset(&r.memo);
    xa_walk_memo_reset(NULL);
    compare_walks(&r, la, XA_ACCESS_READ, 0);
    free(r.a.bytes);
    free(r.b.bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memo_basics),
        cmocka_unit_test(test_memo_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
