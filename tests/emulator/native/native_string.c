/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The native-CPU differential test of the string instructions: MOVS STOS LODS CMPS SCAS
 * in every element size, without a prefix and with F3 (REP/REPE) and F2 (REPNE, and REP
 * where F2 means REP), EFLAGS.DF 0 and 1, address size 64 and 32 (67h). Each form runs
 * random states once on the host CPU (native_cpu.c) and once through xa_decode +
 * xa_emulate on flat_vcpu.c, with a random REP budget (the emulator is called again on
 * XA_CONTINUE, as a hypervisor would). States: small counts (sometimes a few pages'
 * worth), RSI/RDI inside the data buffer both ways and often overlapping, CMPS buffers
 * equal up to a random element, SCAS accumulators taken from the buffer, and for 67h
 * garbage in the upper halves of RCX/RSI/RDI. Registers, RIP, the six status flags and
 * DF, and the whole buffer must agree.
 *
 *   native_string [--states N] [--seed S] [--filter TEXT] [--verbose] [--list]
 *
 * N defaults to $XA_NATIVE_STATES, else 60. Exit status: 0 all agree, 1 a mismatch,
 * 77 skipped (not an x86-64 Linux host).
 */
#if defined(__x86_64__) && defined(__linux__)

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <x86assist/x86assist.h>

#include "flat_vcpu.h"
#include "native_cpu.h"
#include "native_rng.h"

/* The buffer region the pointers and the accesses stay in (offsets in the data buffer). */
#define REGION_LO 0x1000u
#define REGION_HI 0xf000u
#define MID_LO    0x5000u
#define MID_HI    0xb000u
#define MAX_BYTES 0x3000u /* count * element size */

enum op { MOVS, STOS, LODS, CMPS, SCAS };
static const char *const op_names[] = {"movs", "stos", "lods", "cmps", "scas"};
static const uint8_t op_byte[] = {0xa4, 0xaa, 0xac, 0xa6, 0xae};

struct form {
    enum op op;
    unsigned elem;   /* 1 2 4 8 */
    unsigned prefix; /* 0, 0xf3, 0xf2 */
    bool df, a32;
    char name[48];
};

static unsigned encode(const struct form *f, uint8_t *b)
{
    unsigned n = 0;
    if (f->a32)
        b[n++] = 0x67;
    if (f->elem == 2)
        b[n++] = 0x66;
    if (f->prefix)
        b[n++] = (uint8_t)f->prefix;
    if (f->elem == 8)
        b[n++] = 0x48;
    b[n++] = (uint8_t)(op_byte[f->op] + (f->elem > 1));
    return n;
}

struct ctx {
    struct nat_cpu cpu;
    uint8_t *emu_data;
    struct flat_vcpu *fv;
    struct xa_vcpu vcpu;
    unsigned reports;
    bool verbose;
    unsigned long continues;
};

static const char *const regnames[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                         "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};

/* A random state for form @p f; may rewrite parts of the host buffer (CMPS, SCAS). */
static void make_state(struct ctx *c, const struct form *f, struct rng *r, struct nat_state *s)
{
    uint8_t *d = c->cpu.data;
    uint64_t base = (uint64_t)(uintptr_t)d;
    for (unsigned i = 0; i < 16; i++)
        s->gpr[i] = rnd(r);
    s->rflags = 0x2 | (rnd(r) & 0x8d5) | (f->df ? 0x400 : 0);
    unsigned maxc = MAX_BYTES / f->elem;
    unsigned pick = rndn(r, 8);
    uint64_t count = pick == 0 ? 0 : pick < 6 ? rndn(r, 40) : rndn(r, maxc + 1);
    uint64_t si = MID_LO + rndn(r, MID_HI - MID_LO);
    uint64_t di = rndn(r, 3) == 0 ? si + (uint64_t)(int)(rndn(r, 65) - 32) /* overlapping */
                                  : MID_LO + rndn(r, MID_HI - MID_LO);
    if (rndn(r, 4) == 0) { /* aligned pointers: runs that start on element boundaries */
        si &= ~(uint64_t)(f->elem - 1);
        di &= ~(uint64_t)(f->elem - 1);
    }
    if (f->op == CMPS) {
        /* Equal for a while, then a difference (or none). */
        unsigned n = (unsigned)(count ? count : 1) * f->elem;
        uint64_t lo_s = f->df ? si + f->elem - n : si, lo_d = f->df ? di + f->elem - n : di;
        if (lo_s + n <= REGION_HI && lo_d + n <= REGION_HI && lo_s >= REGION_LO &&
            lo_d >= REGION_LO && (lo_d + n <= lo_s || lo_s + n <= lo_d)) {
            memcpy(d + lo_d, d + lo_s, n);
            if (rndn(r, 4) != 0)
                d[lo_d + rndn(r, n)] ^= (uint8_t)(1u << rndn(r, 8));
        }
    }
    if (f->op == SCAS && rndn(r, 2) == 0) {
        /* An accumulator that occurs a few elements ahead. */
        uint64_t at = f->df ? di - f->elem * rndn(r, 8) : di + f->elem * rndn(r, 8);
        uint64_t v = 0;
        memcpy(&v, d + at, f->elem);
        s->gpr[0] = (s->gpr[0] & ~(f->elem == 8 ? ~0ull : (1ull << (8 * f->elem)) - 1)) | v;
    }
    if (f->a32) {
        /* Only the low halves count; the upper ones hold garbage. */
        s->gpr[1] = (s->gpr[1] & ~0xffffffffull) | count;
        s->gpr[6] = (s->gpr[6] & ~0xffffffffull) | (base + si);
        s->gpr[7] = (s->gpr[7] & ~0xffffffffull) | (base + di);
    } else {
        s->gpr[1] = count;
        s->gpr[6] = base + si;
        s->gpr[7] = base + di;
    }
}

static void report(struct ctx *c, const struct form *f, const struct nat_state *s0,
                   const struct nat_state *host, const char *what)
{
    if (c->reports++ >= 30)
        return;
    printf("MISMATCH %s: %s\n  in  flags=%03" PRIx64 " rax=%" PRIx64 " rcx=%" PRIx64 " rsi=%" PRIx64
           " rdi=%" PRIx64 "\n",
           f->name, what, s0->rflags & 0xcd5, s0->gpr[0], s0->gpr[1], s0->gpr[6], s0->gpr[7]);
    if (host) {
        printf("  cpu flags=%03" PRIx64 " emu flags=%03" PRIx64 "\n", host->rflags & 0xcd5,
               c->fv->regs[XA_R_RFLAGS].u64 & 0xcd5);
        for (unsigned i = 0; i < 16; i++)
            if (i != 4 && host->gpr[i] != c->fv->regs[i].u64)
                printf("  %s: cpu=%016" PRIx64 " emu=%016" PRIx64 "\n", regnames[i], host->gpr[i],
                       c->fv->regs[i].u64);
    }
}

static bool run_one(struct ctx *c, const struct form *f, struct rng *r)
{
    uint8_t *hd = c->cpu.data, *ed = c->emu_data;
    struct flat_vcpu *fv = c->fv;
    struct nat_state s0, host;
    uint8_t bytes[8];
    unsigned len = encode(f, bytes);
    const uint64_t rip = 0x1000;
    char what[160];

    make_state(c, f, r, &s0);
    memcpy(ed + REGION_LO, hd + REGION_LO, REGION_HI - REGION_LO);
    host = s0;

    struct xa_insn xi;
    struct xa_outcome out;
    xa_status st = xa_decode(&xi, XA_MODE_64, XA_VENDOR_INTEL, bytes, len);
    if (st != XA_OK || xi.length != len) {
        report(c, f, &s0, NULL, "decode failed");
        return false;
    }
    for (unsigned i = 0; i < 16; i++)
        fv->regs[i].u64 = s0.gpr[i];
    fv->regs[XA_R_RIP].u64 = rip;
    fv->regs[XA_R_RFLAGS].u64 = s0.rflags;
    fv->bad_accesses = 0;
    unsigned budget = rndn(r, 3) == 0 ? 1 + rndn(r, 300) : 0;
    c->vcpu.rep_budget = budget;
    unsigned calls = 0;
    do {
        st = xa_emulate(&c->vcpu, &xi, &out);
        calls++;
        if (st == XA_CONTINUE) {
            c->continues++;
            if (fv->regs[XA_R_RIP].u64 != rip) {
                report(c, f, &s0, NULL, "XA_CONTINUE moved RIP");
                return false;
            }
        }
    } while (st == XA_CONTINUE && calls < 100000);

    nat_load(&c->cpu, bytes, len);
    int sig = nat_run(&c->cpu, &host);
    if (sig) {
        snprintf(what, sizeof(what), "the cpu faulted (signal %d)", sig);
        report(c, f, &s0, NULL, what);
        return false;
    }
    if (st != XA_OK) {
        snprintf(what, sizeof(what), "emulator: %s (vector %u)", xa_status_name(st),
                 out.exception.vector);
        report(c, f, &s0, &host, what);
        memcpy(ed + REGION_LO, hd + REGION_LO, REGION_HI - REGION_LO);
        return false;
    }
    bool ok = true;
    what[0] = 0;
    for (unsigned i = 0; i < 16; i++)
        if (i != 4 && host.gpr[i] != fv->regs[i].u64)
            ok = false, snprintf(what, sizeof(what), "registers differ");
    if (((host.rflags ^ fv->regs[XA_R_RFLAGS].u64) & 0xcd5) != 0)
        ok = false, snprintf(what + strlen(what), sizeof(what) - strlen(what), " flags differ");
    if (fv->regs[XA_R_RIP].u64 != rip + len)
        ok = false, snprintf(what + strlen(what), sizeof(what) - strlen(what), " rip");
    if (memcmp(ed + REGION_LO, hd + REGION_LO, REGION_HI - REGION_LO) != 0) {
        size_t k = REGION_LO;
        while (ed[k] == hd[k])
            k++;
        ok = false;
        snprintf(what + strlen(what), sizeof(what) - strlen(what),
                 " memory differs at +%#zx: cpu %02x emu %02x", k, hd[k], ed[k]);
        memcpy(ed + REGION_LO, hd + REGION_LO, REGION_HI - REGION_LO);
    }
    if (fv->bad_accesses)
        ok = false, snprintf(what + strlen(what), sizeof(what) - strlen(what), " stray access");
    if (!ok)
        report(c, f, &s0, &host, what);
    return ok;
}

int main(int argc, char **argv)
{
    unsigned states = 60;
    uint64_t seed = 1;
    const char *filter = NULL;
    bool list = false;
    const char *env = getenv("XA_NATIVE_STATES");
    struct ctx c;

    memset(&c, 0, sizeof(c));
    if (env && *env)
        states = (unsigned)strtoul(env, NULL, 0);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--states") && i + 1 < argc)
            states = (unsigned)strtoul(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--filter") && i + 1 < argc)
            filter = argv[++i];
        else if (!strcmp(argv[i], "--verbose"))
            c.verbose = true;
        else if (!strcmp(argv[i], "--list"))
            list = true;
        else {
            fprintf(stderr,
                    "usage: %s [--states N] [--seed S] [--filter TEXT] [--verbose] [--list]\n",
                    argv[0]);
            return 2;
        }
    }
    if (nat_init(&c.cpu) != 0) {
        printf("SKIP: cannot map executable memory below 2 GiB\n");
        return 77;
    }
    c.emu_data = calloc(1, NAT_DATA_SIZE);
    c.fv = calloc(1, sizeof(*c.fv));
    if (!c.emu_data || !c.fv)
        return 2;
    flat_init(c.fv, c.emu_data, (uint64_t)(uintptr_t)c.cpu.data, NAT_DATA_SIZE, 0x1000);
    if (xa_vcpu_init(&c.vcpu, &flat_ops, c.fv, NULL) != XA_OK) {
        printf("FAIL: xa_vcpu_init\n");
        return 1;
    }
    struct rng r = {seed};
    for (unsigned i = 0; i < NAT_DATA_SIZE; i++)
        c.cpu.data[i] = (uint8_t)rnd(&r);

    static const unsigned elems[] = {1, 2, 4, 8};
    static const unsigned prefixes[] = {0, 0xf3, 0xf2};
    unsigned forms = 0, failed = 0;
    unsigned long total = 0;
    for (unsigned op = MOVS; op <= SCAS; op++)
        for (unsigned ei = 0; ei < 4; ei++)
            for (unsigned pi = 0; pi < 3; pi++)
                for (unsigned df = 0; df < 2; df++)
                    for (unsigned a32 = 0; a32 < 2; a32++) {
                        struct form f = {(enum op)op, elems[ei], prefixes[pi],
                                         df != 0,     a32 != 0,  ""};
                        snprintf(f.name, sizeof(f.name), "%s%s/%u/df%u/a%u",
                                 pi == 0   ? ""
                                 : pi == 1 ? (op >= CMPS ? "repe-" : "rep-")
                                           : (op >= CMPS ? "repne-" : "f2rep-"),
                                 op_names[op], elems[ei] * 8, df, a32 ? 32 : 64);
                        if (filter && !strstr(f.name, filter))
                            continue;
                        if (list) {
                            printf("%s\n", f.name);
                            continue;
                        }
                        forms++;
                        unsigned fails = 0;
                        for (unsigned n = 0; n < states; n++)
                            fails += !run_one(&c, &f, &r);
                        total += states;
                        if (fails) {
                            failed++;
                            printf("FAIL %s: %u of %u states differ\n", f.name, fails, states);
                        } else if (c.verbose) {
                            printf("ok   %s: %u states\n", f.name, states);
                        }
                    }
    if (list)
        return 0;
    printf("%u forms, %lu states (%lu XA_CONTINUE re-entries): %u failed (seed %" PRIu64 ")\n",
           forms, total, c.continues, failed, seed);
    nat_fini(&c.cpu);
    free(c.emu_data);
    free(c.fv);
    return failed ? 1 : 0;
}

#else /* not an x86-64 Linux host */

#include <stdio.h>

int main(void)
{
    printf("SKIP: the native differential test needs an x86-64 Linux host\n");
    return 77;
}

#endif
