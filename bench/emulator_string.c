/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Benchmark of the string engine, as a hypervisor with guest RAM mapped flat sees it
 * (64-bit mode, 4-level paging with 4 KiB pages, registers in an array):
 *
 *   emulator_string movs [RUNS] [noram]
 *       `rep movsb` of 64 KiB from one RAM buffer to another through xa_assist_mmio
 *       (the exit names the first source byte), against memcpy of the same 64 KiB in
 *       the same process; RUNS (default 5) timed runs of 256 MiB each, both in GB/s.
 *       The vCPU has the RAM window (xa_vcpu.ram), so a source run is handed to
 *       mem_write straight from guest RAM; "noram": no window, every run is read into
 *       the library's buffer with mem_read first (two copies).
 *   emulator_string outs N | ins N
 *       N x `rep outsb` / `rep insb` of 4 KiB (page-aligned) through xa_assist_io;
 *       prints the port calls per instruction and fails (exit 1) above 2. Per-byte
 *       cost under callgrind: (Ir(2N) - Ir(N)) / (N * 4096), e.g.
 *         valgrind --tool=callgrind --callgrind-out-file=cg.1 ./emulator_string outs 1000
 *         valgrind --tool=callgrind --callgrind-out-file=cg.2 ./emulator_string outs 2000
 */
#define _POSIX_C_SOURCE 199309L /* clock_gettime under -std=c11 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <x86assist/x86assist.h>

#define RAM_SIZE (2u << 20)
#define PT       0x100000u
#define CODE     0x10000u
#define SRC      0x40000u
#define DST      0x60000u
#define COPY     0x10000u /* 64 KiB */
#define IOBUF    0x80000u
#define PORT     0x3f8u

struct guest {
    uint8_t *ram;
    union xa_regval regs[XA_R_COUNT];
    unsigned long port_calls, sink;
};

static int get_regs(void *ctx, const uint16_t *names, unsigned count, union xa_regval *values)
{
    struct guest *g = ctx;
    for (unsigned i = 0; i < count; i++)
        memcpy(&values[i], &g->regs[names[i]], sizeof(uint64_t) + sizeof(struct xa_segment));
    return 0;
}

static int set_regs(void *ctx, const uint16_t *names, unsigned count, const union xa_regval *values)
{
    struct guest *g = ctx;
    for (unsigned i = 0; i < count; i++)
        g->regs[names[i]].u64 = values[i].u64;
    return 0;
}

static int mem_read(void *ctx, uint64_t gpa, void *buf, size_t size, unsigned flags)
{
    struct guest *g = ctx;
    (void)flags;
    if (gpa >= RAM_SIZE || size > RAM_SIZE - gpa)
        return -1;
    memcpy(buf, g->ram + gpa, size);
    return 0;
}

static int mem_write(void *ctx, uint64_t gpa, const void *buf, size_t size, unsigned flags)
{
    struct guest *g = ctx;
    (void)flags;
    if (gpa >= RAM_SIZE || size > RAM_SIZE - gpa)
        return -1;
    memcpy(g->ram + gpa, buf, size);
    return 0;
}

static int io_read(void *ctx, uint16_t port, void *buf, unsigned size, unsigned count)
{
    struct guest *g = ctx;
    (void)port;
    g->port_calls++;
    memset(buf, 0x5a, (size_t)size * count); /* the device's FIFO */
    return 0;
}

static int io_write(void *ctx, uint16_t port, const void *buf, unsigned size, unsigned count)
{
    struct guest *g = ctx;
    (void)port;
    g->port_calls++;
    g->sink += ((const uint8_t *)buf)[(size_t)size * count - 1];
    return 0;
}

static const struct xa_cpu_ops ops = {get_regs, set_regs, mem_read, mem_write,
                                      NULL,     io_read,  io_write};

static void put64(uint8_t *p, uint64_t v)
{
    for (unsigned k = 0; k < 8; k++)
        p[k] = (uint8_t)(v >> (8 * k));
}

static void setup(struct guest *g)
{
    memset(g, 0, sizeof(*g));
    g->ram = calloc(1, RAM_SIZE);
    if (!g->ram)
        exit(1);
    /* PML4 -> PDPT -> PD -> PT mapping [0, 2 MiB) 1:1 with 4 KiB pages, A and D set. */
    put64(g->ram + PT, (PT + 0x1000) | 0x67);
    put64(g->ram + PT + 0x1000, (PT + 0x2000) | 0x67);
    put64(g->ram + PT + 0x2000, (PT + 0x3000) | 0x67);
    for (unsigned k = 0; k < 512; k++)
        put64(g->ram + PT + 0x3000 + 8 * k, ((uint64_t)k << 12) | 0x67);
    for (unsigned i = 0; i < COPY; i++)
        g->ram[SRC + i] = (uint8_t)(i * 7);
    g->regs[XA_R_RFLAGS].u64 = 0x2;
    g->regs[XA_R_CR0].u64 = 0x80050033;
    g->regs[XA_R_CR3].u64 = PT;
    g->regs[XA_R_CR4].u64 = 0x20;
    g->regs[XA_R_EFER].u64 = 0xd00;
    for (unsigned r = XA_R_ES; r <= XA_R_GS; r++) {
        g->regs[r].seg.limit = 0xffffffff;
        g->regs[r].seg.attr = r == XA_R_CS ? 0xa09b : 0xc093;
    }
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int bench_movs(struct guest *g, int runs, int ram_window)
{
    struct xa_vcpu vcpu;
    struct xa_outcome out;
    if (xa_vcpu_init(&vcpu, &ops, g, NULL) != XA_OK)
        return 1;
    if (ram_window) {
        vcpu.ram = g->ram;
        vcpu.ram_size = RAM_SIZE;
    }
    g->ram[CODE] = 0xf3; /* rep movsb */
    g->ram[CODE + 1] = 0xa4;
    struct xa_mmio_exit ex = {SRC, SRC, true, 2, {0xf3, 0xa4}};
    const unsigned iters = (256u << 20) / COPY;
    uint8_t *a = malloc(COPY), *b = malloc(COPY);
    if (!a || !b)
        return 1;
    memcpy(a, g->ram + SRC, COPY);
    for (int run = 0; run < runs; run++) {
        /* Interleaved batches, so that both see the same load of a shared machine. */
        double t_emu = 0, t_cpy = 0, best_emu = 1e9, best_cpy = 1e9;
        for (unsigned i = 0; i < iters; i += 16) {
            double t0 = now();
            for (unsigned k = 0; k < 16; k++) {
                g->regs[XA_R_RIP].u64 = CODE;
                g->regs[XA_R_RAX + 1].u64 = COPY;
                g->regs[XA_R_RAX + 6].u64 = SRC;
                g->regs[XA_R_RAX + 7].u64 = DST;
                if (xa_assist_mmio(&vcpu, &ex, &out) != XA_OK || g->regs[XA_R_RAX + 1].u64 != 0)
                    return 1;
            }
            double t1 = now();
            for (unsigned k = 0; k < 16; k++) {
                a[(i + k) & (COPY - 1)] ^= (uint8_t)k; /* keep the copies from being merged */
                memcpy(b, a, COPY);
                g->sink += b[(i + k) & (COPY - 1)];
            }
            double t2 = now();
            t_emu += t1 - t0;
            t_cpy += t2 - t1;
            best_emu = t1 - t0 < best_emu ? t1 - t0 : best_emu;
            best_cpy = t2 - t1 < best_cpy ? t2 - t1 : best_cpy;
        }
        /* The mean over the run, and the best batch (the least disturbed by other jobs). */
        double bytes = (double)iters * COPY, batch = 16.0 * COPY;
        printf("run %d%s: rep movsb via xa_assist_mmio %.2f GB/s (best batch %.2f)   memcpy %.2f "
               "GB/s (best %.2f)   ratio %.2f (best %.2f)\n",
               run + 1, ram_window ? "" : " (noram)", bytes / t_emu / 1e9, batch / best_emu / 1e9,
               bytes / t_cpy / 1e9, batch / best_cpy / 1e9, t_cpy / t_emu, best_cpy / best_emu);
    }
    if (memcmp(g->ram + DST, g->ram + SRC, COPY) != 0)
        return 1;
    free(a);
    free(b);
    return 0;
}

static int bench_io(struct guest *g, long n, int in)
{
    struct xa_vcpu vcpu;
    struct xa_outcome out;
    if (xa_vcpu_init(&vcpu, &ops, g, NULL) != XA_OK)
        return 1;
    vcpu.ram = g->ram;
    vcpu.ram_size = RAM_SIZE;
    g->ram[CODE] = 0xf3; /* rep outsb / rep insb */
    g->ram[CODE + 1] = in ? 0x6c : 0x6e;
    struct xa_io_exit ex = {PORT, 1, in != 0, true, true, 2, {0xf3, (uint8_t)(in ? 0x6c : 0x6e)}};
    unsigned long worst = 0;
    for (long i = 0; i < n; i++) {
        unsigned long before = g->port_calls;
        g->regs[XA_R_RIP].u64 = CODE;
        g->regs[XA_R_RAX + 1].u64 = 4096;
        g->regs[XA_R_RAX + 2].u64 = PORT;
        g->regs[XA_R_RAX + 6].u64 = IOBUF;
        g->regs[XA_R_RAX + 7].u64 = IOBUF;
        if (xa_assist_io(&vcpu, &ex, &out) != XA_OK)
            return 1;
        if (g->port_calls - before > worst)
            worst = g->port_calls - before;
    }
    printf("rep %s 4 KiB x %ld: at most %lu port call(s) per instruction\n", in ? "insb" : "outsb",
           n, worst);
    return worst <= 2 ? 0 : 1;
}

int main(int argc, char **argv)
{
    static struct guest g;
    if (argc < 2) {
        fprintf(stderr, "usage: %s movs [RUNS] [noram] | outs N | ins N\n", argv[0]);
        return 2;
    }
    setup(&g);
    int rc;
    if (!strcmp(argv[1], "movs")) {
        int runs = argc > 2 ? atoi(argv[2]) : 5;
        rc = bench_movs(&g, runs > 0 ? runs : 5, !(argc > 3 && !strcmp(argv[3], "noram")));
    } else if (!strcmp(argv[1], "outs") || !strcmp(argv[1], "ins")) {
        long n = argc > 2 ? atol(argv[2]) : 1000;
        rc = bench_io(&g, n, !strcmp(argv[1], "ins"));
    } else {
        fprintf(stderr, "usage: %s movs [RUNS] [noram] | outs N | ins N\n", argv[0]);
        return 2;
    }
    free(g.ram);
    return rc ? (printf("FAILED\n"), 1) : 0;
}
