/* SPDX-License-Identifier: BSD-2-Clause */
/* An independent reference model of x86 paging, written plainly from
 * docs paging-rules.md and the SDM/APM. It shares no code with mmu/ (not
 * even the bit definitions) so that the two can disagree. */
#ifndef XA_TEST_MODEL_H
#define XA_TEST_MODEL_H

#include <stdint.h>

struct model_cpu {
    uint64_t cr0, cr3, cr4, efer;
    uint32_t pkru, pkrs;
    int maxphy; /* 32..52 */
    int amd;    /* vendor is AMD */
    int pse36;  /* PSE-36 supported */
    int gb1;    /* 1 GiB pages supported */
};

enum { MODEL_READ = 0, MODEL_WRITE = 1, MODEL_FETCH = 2 };

struct model_access {
    int kind;     /* MODEL_READ / WRITE / FETCH */
    int cpl3;     /* CPL == 3 */
    int implicit; /* implicit supervisor access */
    int ac;       /* EFLAGS.AC */
    int shstk;    /* shadow-stack access */
    int ssref;    /* reference through SS (non-canonical -> #SS) */
};

enum {
    MODEL_OK = 0,
    MODEL_PF,     /* page fault: err, cr2 */
    MODEL_GP,     /* #GP(0) */
    MODEL_SS,     /* #SS(0) */
    MODEL_MEMERR, /* the page-table read failed */
};

struct model_write {
    uint64_t gpa, value;
    int size;
};

struct model_out {
    int status;
    uint64_t gpa, page_size;
    uint32_t err;
    uint64_t cr2;
    int nwrites;
    struct model_write writes[5];
};

/* Reads size (4 or 8) bytes little-endian at gpa: 0, or -1 when not memory. */
typedef int (*model_read_fn)(void *ctx, uint64_t gpa, int size, uint64_t *value);

/* Translates la; never writes memory: the A/D updates are listed in out. */
void model_translate(const struct model_cpu *cpu, model_read_fn rd, void *ctx, uint64_t la,
                     const struct model_access *acc, struct model_out *out);

#endif
