/* SPDX-License-Identifier: BSD-2-Clause */
/* A small guest-physical memory for the MMU tests, the fuzzer and the
 * enumeration: GPAs below TM_SIZE are backed, reads up to fail_at read as
 * zero, reads at or above fail_at fail (page table not in guest memory).
 * Every write (by cmpxchg or write) is logged. */
#ifndef XA_TEST_TESTMEM_H
#define XA_TEST_TESTMEM_H

#include <stddef.h>
#include <stdint.h>

#define TM_SIZE   (64u * 4096u)
#define TM_MAXLOG 64

struct tm_write {
    uint64_t gpa, value;
    int size;
};

struct testmem {
    uint8_t bytes[TM_SIZE];
    uint64_t fail_at;  /* reads and writes at or above fail: error */
    int cmpxchg_races; /* that many cmpxchg calls report "changed" (and change nothing) */
    int cmpxchg_error; /* cmpxchg returns an error */
    unsigned reads;    /* read calls made */
    int nlog;
    struct tm_write log[TM_MAXLOG];
};

void tm_init(struct testmem *m);
void tm_put(struct testmem *m, uint64_t gpa, uint64_t v, int size);
uint64_t tm_get(const struct testmem *m, uint64_t gpa, int size);

/* xa_mmu_ops callbacks (ctx = struct testmem *). */
int tm_read(void *ctx, uint64_t gpa, void *buf, size_t size);
int tm_cmpxchg(void *ctx, uint64_t gpa, const void *expected, const void *desired, size_t size);
int tm_write(void *ctx, uint64_t gpa, const void *buf, size_t size);
/* The model's reader. */
int tm_model_read(void *ctx, uint64_t gpa, int size, uint64_t *value);

#endif
