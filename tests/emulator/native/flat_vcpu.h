/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A vCPU for the native differential test: 64-bit mode, CPL 0, flat segments, 4-level
 * paging that identity-maps the low 4 GiB with 2 MiB pages (the page tables live at
 * guest-physical 4 GiB, outside the identity map), and guest-physical memory that is
 * one data window (at the same address as the host run's data buffer) plus the page
 * tables. Any other guest-physical access fails the callback (and the test).
 */
#ifndef XA_TESTS_FLAT_VCPU_H
#define XA_TESTS_FLAT_VCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <x86assist/x86assist.h>

#define FLAT_PT_GPA   0x100000000ull
#define FLAT_PT_PAGES 6

struct flat_vcpu {
    union xa_regval regs[XA_R_COUNT];
    uint8_t *data;     /* guest memory window */
    uint64_t data_gpa; /* its guest-physical (= linear) address */
    size_t data_size;
    uint8_t pt[FLAT_PT_PAGES][4096];
    unsigned set_regs_calls;
    unsigned bad_accesses; /* accesses outside the window and the page tables */
    /* A racing writer: when armed, the first data mem_cmpxchg XORs race_xor into
     * memory before comparing (as another vCPU's write would), once. */
    bool race_armed, race_done;
    uint64_t race_gpa;
    size_t race_size;
    uint8_t race_xor[16];
};

/* Sets up registers (RIP = @p rip) and page tables; @p data is the emulator's copy. */
void flat_init(struct flat_vcpu *f, uint8_t *data, uint64_t data_gpa, size_t data_size,
               uint64_t rip);

extern const struct xa_cpu_ops flat_ops;

#endif
