/* SPDX-License-Identifier: BSD-2-Clause */
#include "flat_vcpu.h"

#include <string.h>

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

void flat_init(struct flat_vcpu *f, uint8_t *data, uint64_t data_gpa, size_t data_size,
               uint64_t rip)
{
    memset(f, 0, sizeof(*f));
    f->data = data;
    f->data_gpa = data_gpa;
    f->data_size = data_size;

    /* PML4[0] -> PDPT; PDPT[0..3] -> PD; PD: 2 MiB pages, accessed and dirty preset */
    const uint64_t table = 0x1 | 0x2 | 0x4 | 0x20;             /* P RW US A */
    const uint64_t big = 0x1 | 0x2 | 0x4 | 0x20 | 0x40 | 0x80; /* P RW US A D PS */
    put64(f->pt[0], (FLAT_PT_GPA + 0x1000) | table);
    for (unsigned i = 0; i < 4; i++) {
        put64(f->pt[1] + 8 * i, (FLAT_PT_GPA + 0x2000 + 0x1000 * i) | table);
        for (unsigned j = 0; j < 512; j++)
            put64(f->pt[2 + i] + 8 * j, ((uint64_t)i << 30 | (uint64_t)j << 21) | big);
    }

    f->regs[XA_R_RIP].u64 = rip;
    f->regs[XA_R_RFLAGS].u64 = 0x2;
    f->regs[XA_R_CR0].u64 = 0x80050033; /* PG AM WP NE ET MP PE */
    f->regs[XA_R_CR3].u64 = FLAT_PT_GPA;
    f->regs[XA_R_CR4].u64 = 0x20 | 0x200 | 0x400; /* PAE OSFXSR OSXMMEXCPT */
    f->regs[XA_R_EFER].u64 = 0xD01;               /* NXE LMA LME SCE */
    f->regs[XA_R_XCR0].u64 = 0x7;
    for (unsigned s = XA_R_ES; s <= XA_R_GS; s++) {
        struct xa_segment *sg = &f->regs[s].seg;
        sg->selector = 0x10;
        sg->base = 0;
        sg->limit = 0xffffffffu;
        sg->attr = 0x3 | XA_SEG_ATTR_S | XA_SEG_ATTR_P | XA_SEG_ATTR_DB | XA_SEG_ATTR_G;
    }
    f->regs[XA_R_CS].seg.selector = 0x08;
    f->regs[XA_R_CS].seg.attr = 0xB | XA_SEG_ATTR_S | XA_SEG_ATTR_P | XA_SEG_ATTR_L | XA_SEG_ATTR_G;
    f->regs[XA_R_TR].seg.selector = 0x40;
    f->regs[XA_R_TR].seg.limit = 0x67;
    f->regs[XA_R_TR].seg.attr = 0xB | XA_SEG_ATTR_P;
    f->regs[XA_R_LDTR].seg.attr = XA_SEG_ATTR_UNUSABLE;
}

static int get_regs(void *ctx, const uint16_t *names, unsigned count, union xa_regval *values)
{
    struct flat_vcpu *f = ctx;
    for (unsigned i = 0; i < count; i++) {
        if (names[i] >= XA_R_COUNT)
            return -1;
        values[i] = f->regs[names[i]];
    }
    return 0;
}

static int set_regs(void *ctx, const uint16_t *names, unsigned count, const union xa_regval *values)
{
    struct flat_vcpu *f = ctx;
    f->set_regs_calls++;
    for (unsigned i = 0; i < count; i++) {
        if (names[i] >= XA_R_COUNT)
            return -1;
        f->regs[names[i]] = values[i];
    }
    return 0;
}

/* The host memory behind a guest-physical range, or NULL. */
static uint8_t *locate(struct flat_vcpu *f, uint64_t gpa, size_t size)
{
    if (gpa >= FLAT_PT_GPA && gpa - FLAT_PT_GPA + size <= sizeof(f->pt))
        return &f->pt[0][0] + (gpa - FLAT_PT_GPA);
    if (gpa >= f->data_gpa && gpa - f->data_gpa + size <= f->data_size)
        return f->data + (gpa - f->data_gpa);
    f->bad_accesses++;
    return NULL;
}

static int mem_read(void *ctx, uint64_t gpa, void *buf, size_t size, unsigned flags)
{
    uint8_t *p = locate(ctx, gpa, size);
    if (!p)
        return -1;
    memcpy(buf, p, size);
    return 0;
}

static int mem_write(void *ctx, uint64_t gpa, const void *buf, size_t size, unsigned flags)
{
    uint8_t *p = locate(ctx, gpa, size);
    if (!p)
        return -1;
    memcpy(p, buf, size);
    return 0;
}

static int mem_cmpxchg(void *ctx, uint64_t gpa, void *expected, const void *desired, size_t size,
                       unsigned flags)
{
    struct flat_vcpu *f = ctx;
    uint8_t *p = locate(ctx, gpa, size);
    if (!p)
        return -1;
    if (f->race_armed && !f->race_done && (flags & XA_MEM_KIND_MASK) == XA_MEM_DATA) {
        for (size_t i = 0; i < size; i++)
            p[i] ^= f->race_xor[i % sizeof(f->race_xor)];
        f->race_done = true;
        f->race_gpa = gpa;
        f->race_size = size;
    }
    if (memcmp(p, expected, size) != 0) {
        memcpy(expected, p, size);
        return 1;
    }
    memcpy(p, desired, size);
    return 0;
}

const struct xa_cpu_ops flat_ops = {
    .get_regs = get_regs,
    .set_regs = set_regs,
    .mem_read = mem_read,
    .mem_write = mem_write,
    .mem_cmpxchg = mem_cmpxchg,
};
