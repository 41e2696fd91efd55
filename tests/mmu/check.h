/* SPDX-License-Identifier: BSD-2-Clause */
/* Runs one case through the reference model and through xa_walk and compares
 * status, GPA, page size, vector, error code, CR2 and the A/D writes (both the
 * ones the walker reports and the ones it made in memory). */
#ifndef XA_TEST_CHECK_H
#define XA_TEST_CHECK_H

#include <stddef.h>

#include "model.h"
#include "testmem.h"

struct mmu_case {
    struct model_cpu cpu;
    uint64_t la;
    struct model_access acc;
};

/* 0 when the walker and the model agree; else 1 and a description in msg.
 * Memory is left as the walker changed it. The walk is also made check-only through
 * RAM windows of a few sizes (all of memory, and sizes that end inside or just after
 * the tables of the enumeration), by xa_walk and by xa_walk_prepared, and must give
 * the answer of the walk through callbacks. */
int check_case(struct testmem *m, const struct mmu_case *c, char *msg, size_t msglen);

/* The host bytes of a RAM window of @p size bytes: they must hold guest memory in
 * [0, size); what follows may differ, so that a read beyond the window shows. */
typedef const uint8_t *(*check_window_fn)(void *arg, uint64_t size);

/* check_case with the RAM windows of sizes windows[0..nwindows-1] (at most
 * CHECK_MAX_WINDOWS), each at window(window_arg, size), or when window is NULL at
 * m->bytes (then a size is at most TM_SIZE). */
#define CHECK_MAX_WINDOWS 8
int check_case_windows(struct testmem *m, const struct mmu_case *c, const uint64_t *windows,
                       int nwindows, check_window_fn window, void *window_arg, char *msg,
                       size_t msglen);

/* One line describing the case (for failure reports). */
void describe_case(const struct mmu_case *c, char *buf, size_t len);

#endif
