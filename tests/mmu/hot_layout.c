/* SPDX-License-Identifier: BSD-2-Clause */
/* Random 4- and 5-level page-table layouts against the reference model, for the hot
 * path's bounds (mmu/walk_hot.h): the tables at random pages of the test memory, and
 * each case walked check-only through RAM windows whose sizes put its tables inside,
 * beyond, exactly at the end of, or partly past the end of the window (sizes that are
 * not powers of two, not multiples of 4 KiB, not multiples of 8), by xa_walk and by
 * xa_walk_prepared; each must give the answer of the walk through callbacks, which
 * must be the model's (check_case_windows). The entries are mostly the hot path's
 * case (present, A and D set, no reserved bit), with each way out of it now and then:
 * a bit cleared or set, a reserved bit, a large page, a table address moved.
 * Each window ends where a page without access begins (on POSIX systems), so that a
 * read from beyond the window's end stops the test (SIGSEGV).
 * Usage: mmu_hot_layout [cases [seed]]   (default 200000 cases, seed 1) */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "rng.h"

#if defined(__unix__) || defined(__APPLE__)
#include <sys/mman.h>
#include <unistd.h>
#define HAVE_GUARD_PAGE 1
#endif

static uint64_t sext(uint64_t v, int width)
{
    return (uint64_t)((int64_t)(v << (64 - width)) >> (64 - width));
}

#define NPAGES (TM_SIZE / 4096u)

/* The RAM windows: guest memory [0, size) at end - size, where end is followed by a page
 * without access. Guest memory is zero but for the entries of the case, so a window is
 * made by copying them (the parts inside the window) and clearing the last window's. */
struct windows {
    uint8_t *end;
    uint8_t *cur; /* the last window's start */
    const struct testmem *m;
    const uint64_t *gpa; /* the entries of the case */
    int n;
    uint64_t copied[5], copied_len[5]; /* what the last window got */
    int ncopied;
};

static void windows_init(struct windows *w, const struct testmem *m)
{
    memset(w, 0, sizeof(*w));
    w->m = m;
#ifdef HAVE_GUARD_PAGE
    const size_t page = (size_t)sysconf(_SC_PAGESIZE);
    const size_t span = (TM_SIZE + page - 1) / page * page;
    uint8_t *base =
        mmap(NULL, span + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base != MAP_FAILED && mprotect(base + span, page, PROT_NONE) == 0) {
        w->end = base + span;
        w->cur = w->end;
        return;
    }
    fprintf(stderr, "mmu_hot_layout: no guard page, windows without one\n");
#endif
    static uint8_t plain[TM_SIZE];
    w->end = plain + TM_SIZE;
    w->cur = w->end;
}

static const uint8_t *window_of(void *arg, uint64_t size)
{
    struct windows *w = arg;
    for (int k = 0; k < w->ncopied; k++)
        memset(w->cur + w->copied[k], 0, w->copied_len[k]);
    w->ncopied = 0;
    w->cur = w->end - size;
    for (int k = 0; k < w->n; k++) {
        const uint64_t g = w->gpa[k];
        if (g >= size)
            continue;
        const uint64_t len = size - g < 8 ? size - g : 8;
        memcpy(w->cur + g, w->m->bytes + g, len);
        w->copied[w->ncopied] = g;
        w->copied_len[w->ncopied++] = len;
    }
    return w->cur;
}

/* The flags of one entry: the hot path's case, with each way out of it now and then. */
static uint64_t entry_flags(int leaf, int maxphy)
{
    uint64_t f = 0x27; /* P RW US A */
    if (one_in(4))
        f |= 0x40; /* D: the leaf's matters for a write; ignored above it */
    else if (leaf || one_in(2))
        f |= 0x40;
    if (one_in(6))
        f &= ~0x2ull; /* R/W */
    if (one_in(6))
        f &= ~0x4ull; /* U/S */
    if (one_in(24))
        f &= ~0x20ull; /* A */
    if (one_in(40))
        f &= ~0x1ull; /* P */
    if (one_in(5))
        f |= 1ull << 63; /* XD (reserved without NXE) */
    f |= below(8) << 9;  /* bits 11:9, ignored */
    if (one_in(3))
        f |= below(8) << 3; /* PWT, PCD (bits 3, 4) */
    if (one_in(4))
        f |= 1ull << 8; /* G (AMD reserves it in PML5Es and PML4Es) */
    if (leaf ? one_in(3) : one_in(40))
        f |= 0x80; /* PAT in a PTE; PS (a large page, or reserved) above it */
    if (one_in(4))
        f |= below(128) << 52; /* bits 58:52, ignored */
    if (leaf ? one_in(2) : one_in(6))
        f |= below(16) << 59; /* the leaf's protection key; ignored above it */
    if (maxphy < 52 && one_in(40))
        f |= 1ull << (maxphy + (int)below((uint64_t)(52 - maxphy))); /* reserved */
    return f;
}

int main(int argc, char **argv)
{
    long cases = argc > 1 ? atol(argv[1]) : 200000;
    rng_state = argc > 2 ? strtoull(argv[2], NULL, 0) : 1;
    if (rng_state == 0)
        rng_state = 1;
    static struct testmem mem;
    tm_init(&mem);
    struct windows win;
    windows_init(&win, &mem);
    static const int maxphys[4] = {36, 40, 46, 52};
    long fails = 0, ran = 0;
    uint64_t dirty[5];
    int ndirty = 0;
    for (long n = 0; n < cases; n++) {
        const int top = one_in(3) ? 5 : 4;
        struct mmu_case c;
        memset(&c, 0, sizeof(c));
        c.cpu.maxphy = maxphys[below(4)];
        c.cpu.amd = (int)below(2);
        c.cpu.pse36 = (int)below(2);
        c.cpu.gb1 = (int)below(2);
        c.cpu.cr0 = 0x80000011ull | (one_in(2) ? 1ull << 16 : 0); /* PG ET PE, WP */
        c.cpu.cr4 = 0x20 | (top == 5 ? 1ull << 12 : 0);
        if (one_in(3))
            c.cpu.cr4 |= 1ull << 20; /* SMEP */
        if (one_in(3))
            c.cpu.cr4 |= 1ull << 21; /* SMAP */
        if (one_in(4))
            c.cpu.cr4 |= 1ull << 22; /* PKE */
        if (one_in(4))
            c.cpu.cr4 |= 1ull << 24;                  /* PKS */
        c.cpu.efer = 0x500 | (one_in(4) ? 0 : 0x800); /* LME LMA, NXE */
        c.cpu.pkru = one_in(2) ? 0 : (uint32_t)rnd();
        c.cpu.pkrs = one_in(2) ? 0 : (uint32_t)rnd();

        /* The tables: distinct random pages (level 1 = the page table). */
        uint64_t table[6];
        for (int level = top; level >= 1; level--) {
            int again;
            do {
                table[level] = below(NPAGES) * 4096;
                again = 0;
                for (int k = top; k > level; k--)
                    again |= table[k] == table[level];
            } while (again);
        }
        uint64_t la = 0;
        for (int level = top; level >= 1; level--)
            la |= below(512) << (3 + 9 * level);
        la |= below(4096);
        la = sext(la, top == 5 ? 57 : 48);
        if (one_in(50))
            la ^= 1ull << (top == 5 ? 60 : 52); /* not canonical */
        c.la = la;
        c.cpu.cr3 = table[top] | (below(4) << 3) | (one_in(4) ? 1ull << 63 : 0);

        /* The entries, top-down, after clearing the last case's (the walk writes only
         * A/D bits of the entries it read). */
        for (int k = 0; k < ndirty; k++)
            tm_put(&mem, dirty[k], 0, 8);
        ndirty = 0;
        for (int level = top; level >= 1; level--) {
            const int leaf = level == 1;
            uint64_t next = leaf ? (below(1ull << (c.cpu.maxphy - 12)) << 12) : table[level - 1];
            if (!leaf && one_in(20)) /* moved: anywhere, near the end of memory, or far */
                next =
                    one_in(2) ? below(NPAGES + 4) * 4096 : below(1ull << (c.cpu.maxphy - 12)) << 12;
            const uint64_t gpa = table[level] + ((la >> (3 + 9 * level)) & 0x1ff) * 8;
            tm_put(&mem, gpa, next | entry_flags(leaf, c.cpu.maxphy), 8);
            dirty[ndirty++] = gpa;
        }

        /* The access: the kinds of the enumeration (no implicit or shadow-stack fetch). */
        c.acc.kind = (int)below(3);
        c.acc.cpl3 = one_in(3);
        c.acc.ac = one_in(2);
        c.acc.ssref = one_in(8);
        if (c.acc.kind != MODEL_FETCH) {
            c.acc.implicit = one_in(6);
            c.acc.shstk = one_in(12);
        }

        /* The windows: around a random table's page and the highest table's, and
         * random sizes. */
        uint64_t hi = 0;
        for (int level = top; level >= 1; level--)
            hi = table[level] > hi ? table[level] : hi;
        const uint64_t t = table[1 + below((uint64_t)top)];
        uint64_t w[CHECK_MAX_WINDOWS] = {
            hi + 4096,                     /* every table, the last one ending at the end */
            hi + 4096 - 1 - below(4096),   /* the highest table's page partly outside */
            t + 4096,                      /* a random table's page ending at the end */
            t + 4096 + 1 + below(4095),    /* ... inside, the window not a multiple of 4 KiB */
            t + 4096 - 8 * (1 + below(4)), /* ... its last entries outside */
            4096 + below(TM_SIZE - 4095),  /* anywhere */
            below(12288),                  /* small */
            TM_SIZE,
        };
        for (int k = 0; k < CHECK_MAX_WINDOWS; k++)
            if (w[k] > TM_SIZE)
                w[k] = TM_SIZE;

        char msg[256];
        win.gpa = dirty;
        win.n = ndirty;
        if (check_case_windows(&mem, &c, w, CHECK_MAX_WINDOWS, window_of, &win, msg, sizeof(msg))) {
            char desc[512];
            describe_case(&c, desc, sizeof(desc));
            fprintf(stderr, "case %ld: %s\n  %s\n  tables:", n, msg, desc);
            for (int level = top; level >= 1; level--)
                fprintf(stderr, " %#llx", (unsigned long long)table[level]);
            fprintf(stderr, "\n");
            if (++fails >= 10)
                break;
        }
        ran++;
    }
    printf("mmu_hot_layout: %ld cases, %ld failed\n", ran, fails);
    return fails != 0;
}
