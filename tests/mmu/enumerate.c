/* SPDX-License-Identifier: BSD-2-Clause */
/* Exhaustive enumeration of paging cases, walker against the reference model,
 * in the spirit of kvm-unit-tests x86/access.c but wider:
 *  1. rights: every paging mode and leaf size; each non-leaf level in turn
 *     with R/W, U/S, XD, A; the leaf with P, R/W, U/S, XD, A, D; CR0.WP,
 *     EFER.NXE, CR4.SMEP, CR4.SMAP, EFLAGS.AC; protection keys (PKE/PKS with
 *     every AD/WD pair, other keys poisoned); 14 access kinds (read, write,
 *     fetch x user/supervisor, implicit at CPL 0 and 3, shadow-stack);
 *     MAXPHYADDR 36/46/52 and the vendor rotate with the case number.
 *  2. formats: every bit of every level toggled, with each level not present
 *     in turn, x MAXPHYADDR 36/46/52 x vendor x 1 GiB/PSE-36 x NXE.
 *  3. canonical and paging-off addresses.
 * Usage: mmu_enumerate [--sample K]   (runs every K-th case; default 1 = all) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"

enum pmode { PM_32, PM_PAE, PM_4L, PM_5L };

struct config {
    enum pmode mode;
    int leaf_level; /* 1: 4 KiB, 2: 2 MiB / 4 MiB, 3: 1 GiB */
    int pse;        /* CR4.PSE (32-bit paging) */
    const char *name;
};

static const struct config configs[] = {
    {PM_32, 1, 0, "32-bit 4K PSE=0"}, {PM_32, 1, 1, "32-bit 4K PSE=1"}, {PM_32, 2, 1, "32-bit 4M"},
    {PM_PAE, 1, 0, "PAE 4K"},         {PM_PAE, 2, 0, "PAE 2M"},         {PM_4L, 1, 0, "4-level 4K"},
    {PM_4L, 2, 0, "4-level 2M"},      {PM_4L, 3, 0, "4-level 1G"},      {PM_5L, 1, 0, "5-level 4K"},
    {PM_5L, 2, 0, "5-level 2M"},      {PM_5L, 3, 0, "5-level 1G"},
};

/* The table layout of one case: entries top-down. */
struct layout {
    int n;            /* entries */
    int esize;        /* 4 or 8 */
    int first_rights; /* 1 for PAE (the PDPTE carries no rights) */
    uint64_t gpa[5];
    uint64_t val[5];
    uint64_t cr3;
    uint64_t la;
};

static unsigned long long n_cases, n_fail;
static int sample = 1;
static unsigned long long case_no;

/* Positions written by the previous case, to clear. */
static uint64_t dirty[16];
static int ndirty;

static uint64_t sext(uint64_t v, int width)
{
    return (uint64_t)((int64_t)(v << (64 - width)) >> (64 - width));
}

static void make_layout(const struct config *cfg, int M, int variant, struct layout *l)
{
    static const unsigned idx[2][5] = {{0x0b3, 0x1c5, 0x0d7, 0x1e9, 0x0fb},
                                       {0x14c, 0x045, 0x128, 0x016, 0x104}};
    const unsigned *ix = idx[variant & 1];
    uint64_t off = variant ? 0x95b : 0x6a4;
    memset(l, 0, sizeof(*l));
    if (cfg->mode == PM_32) {
        unsigned pd = variant ? 0x11a : 0x2e5, pt = variant ? 0x204 : 0x1fb;
        l->esize = 4;
        l->cr3 = 0x1000 | 0x18;
        l->la = (uint64_t)pd << 22 | (uint64_t)pt << 12 | off;
        l->gpa[0] = 0x1000 + pd * 4;
        if (cfg->leaf_level == 2) {
            l->n = 1;
            l->val[0] = 0xab800000u | (1u << 13) | 0xe7; /* P RW US A D PS */
        } else {
            l->n = 2;
            l->val[0] = 0x2000 | 0x27;
            l->gpa[1] = 0x2000 + pt * 4;
            l->val[1] = 0xabcde000u | 0x67;
        }
        return;
    }
    uint64_t frame = (1ull << (M - 1)) | (5ull << 30);
    int top; /* number of the top level: 3 for PAE (PDPT) */
    uint64_t table;
    l->esize = 8;
    if (cfg->mode == PM_PAE) {
        top = 3;
        l->cr3 = 0x1060 | 0x18;
        l->la =
            (uint64_t)(variant ? 1 : 2) << 30 | (uint64_t)ix[3] << 21 | (uint64_t)ix[4] << 12 | off;
        l->first_rights = 1;
        table = 0x1060;
    } else {
        top = cfg->mode == PM_5L ? 5 : 4;
        l->cr3 = 0x1000 | 0x18 | (1ull << 63);
        uint64_t la = (uint64_t)ix[1] << 39 | (uint64_t)ix[2] << 30 | (uint64_t)ix[3] << 21 |
                      (uint64_t)ix[4] << 12 | off;
        if (top == 5)
            la |= (uint64_t)ix[0] << 48;
        l->la = sext(la, top == 5 ? 57 : 48);
        table = 0x1000;
    }
    int i = 0;
    for (int level = top; level >= cfg->leaf_level; level--, i++) {
        unsigned index = cfg->mode == PM_PAE && level == 3
                             ? (unsigned)(l->la >> 30) & 3
                             : (unsigned)(l->la >> (3 + 9 * level)) & 0x1ff;
        l->gpa[i] = table + index * 8u;
        uint64_t next = 0x1000ull * (uint64_t)(i + 2);
        if (level == cfg->leaf_level)
            l->val[i] = frame | 0x67 | (level > 1 ? 0x80 : 0);
        else if (cfg->mode == PM_PAE && level == 3)
            l->val[i] = next | 1;
        else
            l->val[i] = next | 0x27;
        table = next;
    }
    l->n = i;
}

static void install(struct testmem *m, const struct layout *l)
{
    for (int i = 0; i < ndirty; i++)
        tm_put(m, dirty[i], 0, 8);
    ndirty = 0;
    for (int i = 0; i < l->n; i++) {
        tm_put(m, l->gpa[i], l->val[i], l->esize);
        dirty[ndirty++] = l->gpa[i];
    }
}

static void base_cpu(const struct config *cfg, struct model_cpu *cpu, const struct layout *l)
{
    memset(cpu, 0, sizeof(*cpu));
    cpu->cr0 = 0x80000011ull;
    cpu->cr3 = l->cr3;
    switch (cfg->mode) {
    case PM_32: cpu->cr4 = cfg->pse ? 0x10 : 0; break;
    case PM_PAE: cpu->cr4 = 0x20; break;
    case PM_4L:
        cpu->cr4 = 0x20;
        cpu->efer = 0x500;
        break;
    case PM_5L:
        cpu->cr4 = 0x20 | (1u << 12);
        cpu->efer = 0x500;
        break;
    }
}

static void set_access(struct model_access *a, int k)
{
    memset(a, 0, sizeof(*a));
    switch (k) {
    case 0: a->kind = MODEL_READ; break;
    case 1: a->kind = MODEL_WRITE; break;
    case 2: a->kind = MODEL_FETCH; break;
    case 3:
        a->kind = MODEL_READ;
        a->cpl3 = 1;
        break;
    case 4:
        a->kind = MODEL_WRITE;
        a->cpl3 = 1;
        break;
    case 5:
        a->kind = MODEL_FETCH;
        a->cpl3 = 1;
        break;
    case 6:
        a->kind = MODEL_READ;
        a->implicit = 1;
        break;
    case 7:
        a->kind = MODEL_WRITE;
        a->implicit = 1;
        break;
    case 8:
        a->kind = MODEL_READ;
        a->implicit = 1;
        a->cpl3 = 1;
        break;
    case 9:
        a->kind = MODEL_WRITE;
        a->implicit = 1;
        a->cpl3 = 1;
        break;
    case 10:
        a->kind = MODEL_READ;
        a->shstk = 1;
        break;
    case 11:
        a->kind = MODEL_WRITE;
        a->shstk = 1;
        break;
    case 12:
        a->kind = MODEL_READ;
        a->shstk = 1;
        a->cpl3 = 1;
        break;
    default:
        a->kind = MODEL_WRITE;
        a->shstk = 1;
        a->cpl3 = 1;
        break;
    }
}
#define N_ACCESS 14

static void run(struct testmem *m, const struct mmu_case *c)
{
    char msg[256], desc[512];
    n_cases++;
    if (check_case(m, c, msg, sizeof(msg))) {
        n_fail++;
        if (n_fail <= 20) {
            describe_case(c, desc, sizeof(desc));
            fprintf(stderr, "MISMATCH: %s\n  %s\n", msg, desc);
        }
    }
}

/* Skips all but every sample-th case; true when this one runs. */
static int take(void)
{
    return case_no++ % (unsigned long long)sample == 0;
}

static void enum_rights(struct testmem *m, const struct config *cfg)
{
    static const int Ms[3] = {36, 46, 52};
    const int ia32e = cfg->mode == PM_4L || cfg->mode == PM_5L;
    const int npk = ia32e ? 10 : 2;
    struct layout l0;
    make_layout(cfg, 46, 0, &l0);
    const int first_rights = l0.first_rights;
    const int n_nonleaf = l0.n - 1 - first_rights;
    const int nvl = n_nonleaf > 0 ? n_nonleaf : 1;

    for (int vl = 0; vl < nvl; vl++)
        for (int nb = 0; nb < (n_nonleaf > 0 ? 16 : 1); nb++)
            for (int lb = 0; lb < 64; lb++)
                for (int ctl = 0; ctl < 32; ctl++)
                    for (int pk = 0; pk < npk; pk++)
                        for (int acc = 0; acc < N_ACCESS; acc++) {
                            if (!take())
                                continue;
                            int M = Ms[case_no % 3];
                            struct layout l;
                            make_layout(cfg, M, (int)((case_no / 3) & 1), &l);
                            struct mmu_case c;
                            base_cpu(cfg, &c.cpu, &l);
                            c.cpu.maxphy = M;
                            c.cpu.amd = (int)((case_no / 7) & 1);
                            c.cpu.gb1 = 1;
                            c.cpu.pse36 = 1;
                            /* non-leaf level under test */
                            if (n_nonleaf > 0) {
                                uint64_t *e = &l.val[first_rights + vl];
                                *e &= ~(0x26ull | (1ull << 63));
                                *e |= (nb & 1 ? 0x2ull : 0) | (nb & 2 ? 0x4ull : 0) |
                                      (nb & 4 ? 1ull << 63 : 0) | (nb & 8 ? 0x20ull : 0);
                                if (l.esize == 4)
                                    *e &= 0xffffffffull;
                            }
                            uint64_t *lf = &l.val[l.n - 1];
                            *lf &= ~(0x67ull | (1ull << 63));
                            *lf |= (lb & 1 ? 0x1ull : 0) | (lb & 2 ? 0x2ull : 0) |
                                   (lb & 4 ? 0x4ull : 0) | (lb & 8 ? 1ull << 63 : 0) |
                                   (lb & 16 ? 0x20ull : 0) | (lb & 32 ? 0x40ull : 0);
                            if (l.esize == 4)
                                *lf &= 0xffffffffull;
                            int key = (lb ^ nb ^ ctl) & 15;
                            if (ia32e)
                                *lf |= (uint64_t)key << 59;
                            if (ctl & 1)
                                c.cpu.cr0 |= 1u << 16;
                            if (ctl & 2)
                                c.cpu.efer |= 1u << 11;
                            if (ctl & 4)
                                c.cpu.cr4 |= 1u << 20;
                            if (ctl & 8)
                                c.cpu.cr4 |= 1u << 21;
                            uint32_t kmask = ~(3u << (2 * key));
                            if (!ia32e) {
                                if (pk) {
                                    c.cpu.cr4 |= (1u << 22) | (1u << 24);
                                    c.cpu.pkru = c.cpu.pkrs = 0xffffffffu;
                                }
                            } else if (pk == 0) {
                                c.cpu.pkru = c.cpu.pkrs = 0xffffffffu;
                            } else if (pk <= 4) {
                                c.cpu.cr4 |= 1u << 22;
                                c.cpu.pkru = (0x55555555u & kmask) | (uint32_t)(pk - 1)
                                                                         << (2 * key);
                                c.cpu.pkrs = 0xffffffffu;
                            } else if (pk <= 8) {
                                c.cpu.cr4 |= 1u << 24;
                                c.cpu.pkrs = (0xaaaaaaaau & kmask) | (uint32_t)(pk - 5)
                                                                         << (2 * key);
                                c.cpu.pkru = 0xffffffffu;
                            } else {
                                c.cpu.cr4 |= (1u << 22) | (1u << 24);
                                c.cpu.pkru = (0x55555555u & kmask) | 2u << (2 * key);
                                c.cpu.pkrs = (0xaaaaaaaau & kmask) | 1u << (2 * key);
                            }
                            c.la = l.la;
                            set_access(&c.acc, acc);
                            c.acc.ac = (ctl & 16) != 0;
                            install(m, &l);
                            run(m, &c);
                        }
}

static void enum_formats(struct testmem *m, const struct config *cfg)
{
    static const int Ms[3] = {36, 46, 52};
    static const int accs[4] = {0, 4, 5, 11};
    struct layout l0;
    make_layout(cfg, 46, 0, &l0);
    const int n = l0.n;
    const int nbits = l0.esize * 8;
    for (int mi = 0; mi < 3; mi++)
        for (int amd = 0; amd < 2; amd++)
            for (int feat = 0; feat < 2; feat++)
                for (int nxe = 0; nxe < 2; nxe++)
                    for (int pp = 0; pp <= n; pp++)
                        for (int tl = -1; tl < n; tl++)
                            for (int tb = 0; tb < (tl < 0 ? 1 : nbits); tb++)
                                for (int ai = 0; ai < 4; ai++) {
                                    if (!take())
                                        continue;
                                    int M = Ms[mi];
                                    struct layout l;
                                    make_layout(cfg, M, (int)(case_no & 1), &l);
                                    struct mmu_case c;
                                    base_cpu(cfg, &c.cpu, &l);
                                    c.cpu.maxphy = M;
                                    c.cpu.amd = amd;
                                    c.cpu.gb1 = feat;
                                    c.cpu.pse36 = feat;
                                    if (nxe)
                                        c.cpu.efer |= 1u << 11;
                                    c.cpu.cr0 |= 1u << 16;
                                    if (accs[ai] == 11) {
                                        /* a supervisor shadow-stack page */
                                        l.val[n - 1] &= ~0x6ull;
                                        for (int i = 0; i < n - 1; i++)
                                            l.val[i] &= ~0x4ull;
                                    }
                                    if (pp < n)
                                        l.val[pp] &= ~1ull;
                                    if (tl >= 0)
                                        l.val[tl] ^= 1ull << tb;
                                    c.la = l.la;
                                    set_access(&c.acc, accs[ai]);
                                    install(m, &l);
                                    run(m, &c);
                                }
}

static void enum_addresses(struct testmem *m)
{
    static const uint64_t las[] = {
        0,
        0x00007fffffffffffull,
        0x0000800000000000ull,
        0xffff7fffffffffffull,
        0xffff800000000000ull,
        0x00ffffffffffffffull,
        0x0100000000000000ull,
        0xff00000000000000ull,
        0xfeffffffffffffffull,
        0x8000000000000000ull,
        0x7fffffffffffffffull,
        0xffffffffffffffffull,
        0x0000000100000000ull,
        0x00000000fffff000ull,
        0x00ff800000000000ull,
        0xff80000000000000ull,
        0x007fffffffffffffull,
        0xfff0000000000000ull,
    };
    for (int cfgi = 0; cfgi < 4; cfgi++) {
        /* 0: paging off, 1: 32-bit, 2: 4-level, 3: 5-level */
        static const int map[4] = {0, 0, 5, 8};
        const struct config *cfg = &configs[map[cfgi]];
        for (size_t i = 0; i < sizeof(las) / sizeof(las[0]); i++)
            for (int ssref = 0; ssref < 2; ssref++)
                for (int acc = 0; acc < N_ACCESS; acc++) {
                    if (!take())
                        continue;
                    struct layout l;
                    make_layout(cfg, 46, 0, &l);
                    struct mmu_case c;
                    base_cpu(cfg, &c.cpu, &l);
                    c.cpu.maxphy = 46;
                    c.cpu.gb1 = 1;
                    if (cfgi == 0)
                        c.cpu.cr0 &= ~(1ull << 31);
                    c.la = las[i];
                    set_access(&c.acc, acc);
                    c.acc.ssref = ssref;
                    install(m, &l);
                    run(m, &c);
                }
    }
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--sample") && i + 1 < argc) {
            sample = atoi(argv[++i]);
            if (sample < 1)
                sample = 1;
        } else {
            fprintf(stderr, "usage: %s [--sample K]\n", argv[0]);
            return 2;
        }
    }
    static struct testmem mem;
    tm_init(&mem);
    clock_t t0 = clock();
    for (size_t i = 0; i < sizeof(configs) / sizeof(configs[0]); i++) {
        unsigned long long before = n_cases;
        enum_rights(&mem, &configs[i]);
        enum_formats(&mem, &configs[i]);
        printf("%-18s %12llu cases\n", configs[i].name, n_cases - before);
    }
    unsigned long long before = n_cases;
    enum_addresses(&mem);
    printf("%-18s %12llu cases\n", "addresses", n_cases - before);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    printf("total %llu cases (sample 1/%d), %llu mismatches, %.1f s\n", n_cases, sample, n_fail,
           secs);
    return n_fail ? 1 : 0;
}
