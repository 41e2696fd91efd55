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
 * Memory is left as the walker changed it. */
int check_case(struct testmem *m, const struct mmu_case *c, char *msg, size_t msglen);

/* One line describing the case (for failure reports). */
void describe_case(const struct mmu_case *c, char *buf, size_t len);

#endif
