/* SPDX-License-Identifier: BSD-2-Clause */
/* The flat-RAM hypervisor of the emulator benchmarks (see flat_hv.h). */
#include "flat_hv.h"

#include <stdlib.h>
#include <string.h>

int flat_get_regs(void *ctx, const uint16_t *names, unsigned count, union xa_regval *values)
{
    struct flat_hv *hv = ctx;
    for (unsigned i = 0; i < count; i++)
        memcpy(&values[i], &hv->regs[names[i]], sizeof(uint64_t) + sizeof(struct xa_segment));
    return 0;
}

int flat_set_regs(void *ctx, const uint16_t *names, unsigned count, const union xa_regval *values)
{
    struct flat_hv *hv = ctx;
    for (unsigned i = 0; i < count; i++)
        hv->regs[names[i]].u64 = values[i].u64;
    return 0;
}

int flat_mem_read(void *ctx, uint64_t gpa, void *buf, size_t size, unsigned flags)
{
    struct flat_hv *hv = ctx;
    (void)flags;
    if (gpa >= FLAT_RAM_SIZE || size > FLAT_RAM_SIZE - gpa)
        return -1;
    memcpy(buf, hv->ram + gpa, size);
    return 0;
}

int flat_mem_write(void *ctx, uint64_t gpa, const void *buf, size_t size, unsigned flags)
{
    struct flat_hv *hv = ctx;
    (void)flags;
    if (gpa >= FLAT_RAM_SIZE || size > FLAT_RAM_SIZE - gpa)
        return -1;
    memcpy(hv->ram + gpa, buf, size);
    return 0;
}

static void put64(uint8_t *p, uint64_t v)
{
    for (unsigned k = 0; k < 8; k++)
        p[k] = (uint8_t)(v >> (8 * k));
}

void flat_setup_long(struct flat_hv *hv, uint64_t pt)
{
    hv->ram = calloc(1, FLAT_RAM_SIZE);
    if (!hv->ram)
        exit(1);
    put64(hv->ram + pt, (pt + 0x1000) | 0x67);
    put64(hv->ram + pt + 0x1000, (pt + 0x2000) | 0x67);
    put64(hv->ram + pt + 0x2000, (pt + 0x3000) | 0x67);
    for (unsigned k = 0; k < 512; k++)
        put64(hv->ram + pt + 0x3000 + 8 * k, ((uint64_t)k << 12) | 0x67);
    hv->regs[XA_R_RFLAGS].u64 = 0x2;
    hv->regs[XA_R_CR0].u64 = 0x80050033;
    hv->regs[XA_R_CR3].u64 = pt;
    hv->regs[XA_R_CR4].u64 = 0x20;
    hv->regs[XA_R_EFER].u64 = 0xd00;
    for (unsigned r = XA_R_ES; r <= XA_R_GS; r++) {
        hv->regs[r].seg.limit = 0xffffffff;
        hv->regs[r].seg.attr = r == XA_R_CS ? 0xa09b : 0xc093;
    }
}

void flat_map(struct flat_hv *hv, uint64_t pt, uint64_t la, uint64_t gpa)
{
    put64(hv->ram + pt + 0x3000 + 8 * ((la >> 12) & 511), (gpa & ~0xfffull) | 0x67);
}
