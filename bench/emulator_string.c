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

#include "flat_hv.h"

#define PT    0x100000u
#define CODE  0x10000u
#define SRC   0x40000u
#define DST   0x60000u
#define COPY  0x10000u /* 64 KiB */
#define IOBUF 0x80000u
#define PORT  0x3f8u

struct guest {
    struct flat_hv hv; /* first: the context of the flat_* callbacks */
    unsigned long port_calls, sink;
};

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

static const struct xa_cpu_ops ops = {flat_get_regs, flat_set_regs, flat_mem_read, flat_mem_write,
                                      NULL,          io_read,       io_write};

static void setup(struct guest *g)
{
    memset(g, 0, sizeof(*g));
    flat_setup_long(&g->hv, PT);
    for (unsigned i = 0; i < COPY; i++)
        g->hv.ram[SRC + i] = (uint8_t)(i * 7);
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
        vcpu.ram = g->hv.ram;
        vcpu.ram_size = FLAT_RAM_SIZE;
    }
    g->hv.ram[CODE] = 0xf3; /* rep movsb */
    g->hv.ram[CODE + 1] = 0xa4;
    struct xa_mmio_exit ex = {SRC, SRC, true, 2, {0xf3, 0xa4}};
    const unsigned iters = (256u << 20) / COPY;
    uint8_t *a = malloc(COPY), *b = malloc(COPY);
    if (!a || !b)
        return 1;
    memcpy(a, g->hv.ram + SRC, COPY);
    for (int run = 0; run < runs; run++) {
        /* Interleaved batches, so that both see the same load of a shared machine. */
        double t_emu = 0, t_cpy = 0, best_emu = 1e9, best_cpy = 1e9;
        for (unsigned i = 0; i < iters; i += 16) {
            double t0 = now();
            for (unsigned k = 0; k < 16; k++) {
                g->hv.regs[XA_R_RIP].u64 = CODE;
                g->hv.regs[XA_R_RAX + 1].u64 = COPY;
                g->hv.regs[XA_R_RAX + 6].u64 = SRC;
                g->hv.regs[XA_R_RAX + 7].u64 = DST;
                if (xa_assist_mmio(&vcpu, &ex, &out) != XA_OK || g->hv.regs[XA_R_RAX + 1].u64 != 0)
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
    if (memcmp(g->hv.ram + DST, g->hv.ram + SRC, COPY) != 0)
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
    vcpu.ram = g->hv.ram;
    vcpu.ram_size = FLAT_RAM_SIZE;
    g->hv.ram[CODE] = 0xf3; /* rep outsb / rep insb */
    g->hv.ram[CODE + 1] = in ? 0x6c : 0x6e;
    struct xa_io_exit ex = {PORT, 1, in != 0, true, true, 2, {0xf3, (uint8_t)(in ? 0x6c : 0x6e)}};
    unsigned long worst = 0;
    for (long i = 0; i < n; i++) {
        unsigned long before = g->port_calls;
        g->hv.regs[XA_R_RIP].u64 = CODE;
        g->hv.regs[XA_R_RAX + 1].u64 = 4096;
        g->hv.regs[XA_R_RAX + 2].u64 = PORT;
        g->hv.regs[XA_R_RAX + 6].u64 = IOBUF;
        g->hv.regs[XA_R_RAX + 7].u64 = IOBUF;
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
    free(g.hv.ram);
    return rc ? (printf("FAILED\n"), 1) : 0;
}
