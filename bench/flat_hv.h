/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The hypervisor of the emulator benchmarks (emulator_mmio.c, emulator_string.c): guest
 * RAM mapped flat at GPA 0 and the registers in an array, so a copy per register, a
 * bounds check and a copy per memory access. A benchmark's guest begins with a struct
 * flat_hv, and its xa_cpu_ops take these callbacks with that guest as the context.
 */
#ifndef XA_BENCH_FLAT_HV_H
#define XA_BENCH_FLAT_HV_H

#include <stddef.h>
#include <stdint.h>

#include <x86assist/x86assist.h>

#define FLAT_RAM_SIZE (2u << 20)

struct flat_hv {
    uint8_t *ram; /* FLAT_RAM_SIZE bytes */
    union xa_regval regs[XA_R_COUNT];
};

int flat_get_regs(void *ctx, const uint16_t *names, unsigned count, union xa_regval *values);
int flat_set_regs(void *ctx, const uint16_t *names, unsigned count, const union xa_regval *values);
int flat_mem_read(void *ctx, uint64_t gpa, void *buf, size_t size, unsigned flags);
int flat_mem_write(void *ctx, uint64_t gpa, const void *buf, size_t size, unsigned flags);

/* Allocates the RAM (zeroed; exits on failure) and sets up 64-bit mode, CPL 0, with
 * 4-level page tables at @p pt mapping [0, 2 MiB) 1:1 with 4 KiB pages, A and D set. */
void flat_setup_long(struct flat_hv *hv, uint64_t pt);
/* Maps the 4 KiB linear page of @p la (below 2 MiB) to @p gpa in flat_setup_long's tables. */
void flat_map(struct flat_hv *hv, uint64_t pt, uint64_t la, uint64_t gpa);

#endif
