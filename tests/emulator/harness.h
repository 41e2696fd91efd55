/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A test hypervisor for the emulator: registers in an array, 4 MiB of guest RAM
 * with one MMIO page, every callback counted and logged, failures and memory
 * changes injectable. Page tables for 64-bit mode (4-level) are built by
 * th_setup_long(): identity map of the first 4 MiB with 4 KiB pages. With with_io set
 * before th_init_vcpu(), the vCPU also has io_read/io_write: a port model that plays
 * io_in[] to IN, records OUT bytes in io_out[] and logs every call.
 */
#ifndef XA_TESTS_EMULATOR_HARNESS_H
#define XA_TESTS_EMULATOR_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <x86assist/x86assist.h>

#define TH_RAM_SIZE (4u << 20)
#define TH_MMIO     0x200000u /* one page of MMIO */
#define TH_CODE     0x10000u
#define TH_PT       0x100000u /* page tables: PML4 at +0, PDPT +0x1000, PD +0x2000, PTs +0x3000.. */

struct th_access {
    char op; /* 'r', 'w', 'x' (cmpxchg) */
    unsigned flags;
    uint64_t gpa;
    size_t size;
    uint8_t data[64];
};

struct th {
    union xa_regval regs[XA_R_COUNT];
    uint8_t ram[TH_RAM_SIZE];
    /* counters */
    unsigned get_calls, set_calls, read_calls, write_calls, cmpxchg_calls, data_cmpxchg_calls;
    unsigned set_count; /* registers written by the last set_regs */
    uint16_t set_names[XA_R_COUNT];
    /* data accesses (not walks, not fetches), in order */
    struct th_access log[64];
    unsigned nlog;
    /* injection */
    int fail_get, fail_set;         /* fail the n-th call (1-based), 0 = never */
    int fail_read_data, fail_write; /* n-th data read / data write */
    unsigned cmpxchg_changes;       /* this many cmpxchg calls see memory changed (by +1) */
    bool no_cmpxchg;
    unsigned data_reads, data_writes;
    /* port I/O (th_ops_io, chosen by with_io): IN returns io_in[] in order, then 0xff */
    bool with_io;
    uint8_t io_in[8192];
    unsigned io_in_len, io_in_pos;
    uint8_t io_out[8192]; /* every byte OUT wrote, in order */
    unsigned io_out_len;
    unsigned io_read_calls, io_write_calls;
    int fail_io; /* fail the n-th port call (1-based), 0 = never */
    struct th_io {
        char op; /* 'i', 'o' */
        uint16_t port;
        unsigned size, count;
    } iolog[64];
    unsigned niolog;
};

extern const struct xa_cpu_ops th_ops;
extern const struct xa_cpu_ops th_ops_nocmpxchg;
extern const struct xa_cpu_ops th_ops_io; /* th_ops with io_read / io_write */

/* 64-bit mode, CPL 0, paging with 4-level tables mapping [0, 4 MiB) 1:1 (P, RW, U). */
void th_setup_long(struct th *t);
/* 32-bit protected mode, CPL 0, no paging, flat segments. */
void th_setup_prot32(struct th *t);
/* Real mode. */
void th_setup_real(struct th *t);
/* Sets the PTE of the 4 KiB page at @p la (< 4 MiB, 64-bit setup). */
void th_set_pte(struct th *t, uint64_t la, uint64_t pte);
void th_put(struct th *t, uint64_t gpa, const void *bytes, size_t n);
uint64_t th_get(struct th *t, uint64_t gpa, unsigned size);
/* Resets counters and logs (not memory or registers). */
void th_clear(struct th *t);
void th_init_vcpu(struct th *t, struct xa_vcpu *v);

#endif
