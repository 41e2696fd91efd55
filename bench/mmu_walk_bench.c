/* SPDX-License-Identifier: BSD-2-Clause */
/* Benchmark for callgrind: 4-level paging, 4 KiB pages, a supervisor write.
 *   mmu_walk_bench N [set] [prep|memo] [empty] [same|twice] [cb] [high] [la57]
 * N translations of LA 0x7f12_3400_0010 + k*4096 (k = 0..511 in turn) with xa_walk.
 *   set    every walk sets A in all four entries and D in the PTE (four cmpxchg calls;
 *          the loop re-clears the bits first); without it they are already set
 *   prep   xa_walk_prepared on an xa_mmu_prepared made once before the loop
 *   memo   xa_walk_memo on the same xa_mmu_prepared and one xa_walk_memo: every walk is
 *          of another page than the last (a miss that refills the memo), unless "same"
 *   same   always LA 0x7f12_3400_0010 (k = 0): with "memo" every walk after the first
 *          is answered from the memo
 *   twice  each LA twice in a row (k = i / 2): with "memo" the first walk of a page notes
 *          it, the second records it (the cost of a refill: the mean of the two)
 *   empty  the baseline: the same loop (and the same re-clearing with "set") calling a
 *          do-nothing stub with xa_walk's arguments instead of a walk
 *   cb     no RAM window: every entry is read through the read callback
 *   high   a RAM window of 0x3f000 bytes (not a power of two) with the tables in its
 *          last pages, above its largest power-of-two prefix (0x20000), the page
 *          table in the very last page; without it the window is 0x40000 bytes and
 *          the tables are at 0x1000-0x4000
 *   la57   5-level paging (the PML5 table below the PML4 table, LA bits 56:48 zero)
 * Per-iteration cost = (Ir(2N) - Ir(N)) / N, e.g.
 *   valgrind --tool=callgrind --callgrind-out-file=cg.1 ./mmu_walk_bench 100000
 *   valgrind --tool=callgrind --callgrind-out-file=cg.2 ./mmu_walk_bench 200000
 * Cost of a walk = per-iteration cost - per-iteration cost of the same options with
 * "empty" (this removes the loop, the argument set-up and the call; the stub's own
 * body, 3 instructions, is removed too). bench/README.md has the commands.
 * The callbacks are those of a hypervisor with guest RAM mapped flat: a bounds
 * check and a copy (read), a bounds check and a compare-and-swap (cmpxchg). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <x86assist/mmu.h>

#define RAM_SIZE  (64u * 4096u)
#define HIGH_SIZE 0x3f000u

struct guest {
    uint8_t *ram;
    uint64_t size;
};

static int bench_read(void *ctx, uint64_t gpa, void *buf, size_t size)
{
    const struct guest *g = ctx;
    if (gpa >= g->size || size > g->size - gpa)
        return -1;
    memcpy(buf, g->ram + gpa, size);
    return 0;
}

static int bench_cmpxchg(void *ctx, uint64_t gpa, const void *expected, const void *desired,
                         size_t size)
{
    const struct guest *g = ctx;
    if (gpa >= g->size || size > g->size - gpa || size != 8)
        return -1;
    uint64_t e, d;
    memcpy(&e, expected, 8);
    memcpy(&d, desired, 8);
    /* guest entries are naturally aligned */
    return __atomic_compare_exchange_n((uint64_t *)(void *)(g->ram + gpa), &e, d, false,
                                       __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)
               ? 0
               : 1;
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* The baselines of "empty": the walks' signatures, no work. Every variant is called
 * through a volatile function pointer, so that no call can be inlined or specialised
 * and the loop around the stubs is the loop around the walks. */
static xa_status stub_walk(const struct xa_paging_state *ps, const struct xa_mmu_ops *ops,
                           void *ctx, uint64_t la, enum xa_access access, unsigned flags,
                           struct xa_walk_result *out, struct xa_exception *exc)
{
    (void)ps, (void)ops, (void)ctx, (void)access, (void)flags, (void)exc;
    out->gpa = la;
    return XA_OK;
}

static xa_status stub_prepared(const struct xa_mmu_prepared *p, uint64_t la, enum xa_access access,
                               unsigned flags, struct xa_walk_result *out, struct xa_exception *exc)
{
    (void)p, (void)access, (void)flags, (void)exc;
    out->gpa = la;
    return XA_OK;
}

static xa_status stub_memo(const struct xa_mmu_prepared *p, struct xa_walk_memo *m, uint64_t la,
                           enum xa_access access, unsigned flags, struct xa_walk_result *out,
                           struct xa_exception *exc)
{
    (void)p, (void)m, (void)access, (void)flags, (void)exc;
    out->gpa = la;
    return XA_OK;
}

typedef xa_status (*walk_fn)(const struct xa_paging_state *, const struct xa_mmu_ops *, void *,
                             uint64_t, enum xa_access, unsigned, struct xa_walk_result *,
                             struct xa_exception *);
typedef xa_status (*prepared_fn)(const struct xa_mmu_prepared *, uint64_t, enum xa_access, unsigned,
                                 struct xa_walk_result *, struct xa_exception *);
typedef xa_status (*memo_fn)(const struct xa_mmu_prepared *, struct xa_walk_memo *, uint64_t,
                             enum xa_access, unsigned, struct xa_walk_result *,
                             struct xa_exception *);

static int has_arg(int argc, char **argv, const char *word)
{
    for (int i = 2; i < argc; i++)
        if (!strcmp(argv[i], word))
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    int set_ad = has_arg(argc, argv, "set");
    int prep = has_arg(argc, argv, "prep");
    const int memo = has_arg(argc, argv, "memo");
    const unsigned kmask = has_arg(argc, argv, "same") ? 0 : 511;
    const int kshift = has_arg(argc, argv, "twice");
    int empty = has_arg(argc, argv, "empty");
    const int high = has_arg(argc, argv, "high");
    const int la57 = has_arg(argc, argv, "la57");
    static uint8_t ram[RAM_SIZE] __attribute__((aligned(8)));
    const uint64_t ram_size = high ? HIGH_SIZE : RAM_SIZE;
    struct guest g = {ram, ram_size};
    const uint64_t flags = set_ad ? 0x7 : 0x67; /* P RW US (+ A D) */
    /* LA 0x7f12_3400_0000 + i*4096: the tables of levels 5 (la57) to 1, top-down, at
     * t[5], t[4], ... t[1]: 0x5000 (PML5), 0x1000 (PML4), 0x2000 (PDPT), 0x3000 (PD),
     * 0x4000 (PT), or with "high" 0x3a000, 0x3b000, ... 0x3e000 (the PT in the last page
     * of the window) */
    const uint64_t t[6] = {0,
                           high ? 0x3e000 : 0x4000,
                           high ? 0x3d000 : 0x3000,
                           high ? 0x3c000 : 0x2000,
                           high ? 0x3b000 : 0x1000,
                           high ? 0x3a000 : 0x5000};
    const uint64_t base = 0x00007f1234000000ull;
    if (la57)
        put64(ram + t[5] + ((base >> 48) & 0x1ff) * 8, t[4] | flags);
    put64(ram + t[4] + ((base >> 39) & 0x1ff) * 8, t[3] | flags);
    put64(ram + t[3] + ((base >> 30) & 0x1ff) * 8, t[2] | flags);
    put64(ram + t[2] + ((base >> 21) & 0x1ff) * 8, t[1] | flags);
    for (int i = 0; i < 512; i++)
        put64(ram + t[1] + (uint64_t)i * 8, (0x100000ull + (uint64_t)i * 4096) | flags);

    struct xa_paging_state ps;
    memset(&ps, 0, sizeof(ps));
    ps.cr0 = 0x80010011;
    ps.cr3 = la57 ? t[5] : t[4];
    ps.cr4 = la57 ? 0x1020 : 0x20;
    ps.efer = 0xd00;
    ps.cpu.maxphyaddr = 46;
    ps.cpu.features = XA_FEAT_ALL;
    /* "cb" as the last argument: no RAM window, every entry read by callback */
    int use_cb = has_arg(argc, argv, "cb");
    const struct xa_mmu_ops ops = {.read = bench_read,
                                   .cmpxchg = bench_cmpxchg,
                                   .ram = use_cb ? NULL : ram,
                                   .ram_size = use_cb ? 0 : ram_size};
    struct xa_mmu_prepared prepared;
    if (xa_mmu_prepare(&ps, &ops, &g, &prepared) != XA_OK)
        return 1;
    walk_fn volatile walk = empty ? stub_walk : xa_walk;
    prepared_fn volatile pwalk = empty ? stub_prepared : xa_walk_prepared;
    memo_fn volatile mwalk = empty ? stub_memo : xa_walk_memo;
    struct xa_walk_memo wm;
    xa_walk_memo_reset(&wm);
    struct xa_walk_result r;
    struct xa_exception e;
    uint64_t sum = 0;
    for (long i = 0; i < n; i++) {
        unsigned k = (unsigned)(i >> kshift) & kmask;
        if (set_ad) {
            /* clear A/D again, so that every walk sets A in all four entries and D in
             * the PTE (four 8-byte stores, counted in the result) */
            if (la57)
                put64(ram + t[5] + ((base >> 48) & 0x1ff) * 8, t[4] | flags);
            put64(ram + t[4] + ((base >> 39) & 0x1ff) * 8, t[3] | flags);
            put64(ram + t[3] + ((base >> 30) & 0x1ff) * 8, t[2] | flags);
            put64(ram + t[2] + ((base >> 21) & 0x1ff) * 8, t[1] | flags);
            put64(ram + t[1] + (uint64_t)k * 8, (0x100000ull + (uint64_t)k * 4096) | flags);
        }
        const uint64_t la = base + ((uint64_t)k << 12) + 0x10;
        xa_status st = memo   ? mwalk(&prepared, &wm, la, XA_ACCESS_WRITE, 0, &r, &e)
                       : prep ? pwalk(&prepared, la, XA_ACCESS_WRITE, 0, &r, &e)
                              : walk(&ps, &ops, &g, la, XA_ACCESS_WRITE, 0, &r, &e);
        if (st != XA_OK)
            return 1;
        sum += r.gpa;
    }
    printf("%ld translations, checksum %llx\n", n, (unsigned long long)sum);
    return 0;
}
