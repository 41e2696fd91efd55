/* SPDX-License-Identifier: BSD-2-Clause */
#include "harness.h"

#include <stdlib.h>

static int get_regs(void *ctx, const uint16_t *names, unsigned count, union xa_regval *values)
{
    struct th *t = ctx;
    t->get_calls++;
    if (t->fail_get && (int)t->get_calls == t->fail_get)
        return -1;
    for (unsigned i = 0; i < count; i++) {
        if (names[i] >= XA_R_COUNT)
            return -1;
        values[i] = t->regs[names[i]];
    }
    return 0;
}

static int set_regs(void *ctx, const uint16_t *names, unsigned count, const union xa_regval *values)
{
    struct th *t = ctx;
    t->set_calls++;
    if (t->fail_set && (int)t->set_calls == t->fail_set)
        return -1;
    t->set_count = count;
    for (unsigned i = 0; i < count; i++) {
        if (names[i] >= XA_R_COUNT)
            return -1;
        t->set_names[i] = names[i];
        t->regs[names[i]] = values[i];
    }
    return 0;
}

static void log_access(struct th *t, char op, uint64_t gpa, const void *buf, size_t size,
                       unsigned flags)
{
    if ((flags & XA_MEM_KIND_MASK) != XA_MEM_DATA || t->nlog == sizeof(t->log) / sizeof(t->log[0]))
        return;
    struct th_access *a = &t->log[t->nlog++];
    a->op = op;
    a->flags = flags;
    a->gpa = gpa;
    a->size = size;
    memcpy(a->data, buf, size < 64 ? size : 64);
}

static int mem_read(void *ctx, uint64_t gpa, void *buf, size_t size, unsigned flags)
{
    struct th *t = ctx;
    t->read_calls++;
    if (size == 0 || size > 4096 || (gpa & 0xfff) + size > 4096)
        abort(); /* never across a page */
    if ((flags & XA_MEM_KIND_MASK) == XA_MEM_DATA) {
        t->data_reads++;
        if (t->fail_read_data && (int)t->data_reads == t->fail_read_data)
            return -1;
    }
    if (gpa >= TH_RAM_SIZE)
        return -1;
    memcpy(buf, t->ram + gpa, size);
    log_access(t, 'r', gpa, buf, size, flags);
    return 0;
}

static int mem_write(void *ctx, uint64_t gpa, const void *buf, size_t size, unsigned flags)
{
    struct th *t = ctx;
    t->write_calls++;
    if (size == 0 || size > 4096 || (gpa & 0xfff) + size > 4096)
        abort();
    if ((flags & XA_MEM_KIND_MASK) == XA_MEM_DATA) {
        t->data_writes++;
        if (t->fail_write && (int)t->data_writes == t->fail_write)
            return -1;
    }
    if (gpa >= TH_RAM_SIZE)
        return -1;
    memcpy(t->ram + gpa, buf, size);
    log_access(t, 'w', gpa, buf, size, flags);
    return 0;
}

static int mem_cmpxchg(void *ctx, uint64_t gpa, void *expected, const void *desired, size_t size,
                       unsigned flags)
{
    struct th *t = ctx;
    t->cmpxchg_calls++;
    if (gpa >= TH_RAM_SIZE || (gpa & 0xfff) + size > 4096)
        return -1;
    if ((flags & XA_MEM_KIND_MASK) == XA_MEM_DATA)
        t->data_cmpxchg_calls++;
    if ((flags & XA_MEM_KIND_MASK) == XA_MEM_DATA && t->cmpxchg_changes) {
        /* Another vCPU got there first: the value goes up by one. */
        t->cmpxchg_changes--;
        t->ram[gpa] = (uint8_t)(t->ram[gpa] + 1);
    }
    if (memcmp(t->ram + gpa, expected, size) != 0) {
        memcpy(expected, t->ram + gpa, size);
        return 1;
    }
    memcpy(t->ram + gpa, desired, size);
    log_access(t, 'x', gpa, desired, size, flags);
    return 0;
}

static void log_io(struct th *t, char op, uint16_t port, unsigned size, unsigned count)
{
    if (t->niolog == sizeof(t->iolog) / sizeof(t->iolog[0]))
        return;
    struct th_io *l = &t->iolog[t->niolog++];
    l->op = op;
    l->port = port;
    l->size = size;
    l->count = count;
}

static int io_read(void *ctx, uint16_t port, void *buf, unsigned size, unsigned count)
{
    struct th *t = ctx;
    uint8_t *b = buf;
    if ((size != 1 && size != 2 && size != 4) || count == 0 || (size_t)size * count > 4096)
        abort(); /* at most a page per call */
    t->io_read_calls++;
    if (t->fail_io && (int)(t->io_read_calls + t->io_write_calls) == t->fail_io)
        return -1;
    for (unsigned i = 0; i < size * count; i++)
        b[i] = t->io_in_pos < t->io_in_len ? t->io_in[t->io_in_pos++] : 0xff;
    log_io(t, 'i', port, size, count);
    return 0;
}

static int io_write(void *ctx, uint16_t port, const void *buf, unsigned size, unsigned count)
{
    struct th *t = ctx;
    if ((size != 1 && size != 2 && size != 4) || count == 0 || (size_t)size * count > 4096)
        abort();
    t->io_write_calls++;
    if (t->fail_io && (int)(t->io_read_calls + t->io_write_calls) == t->fail_io)
        return -1;
    for (unsigned i = 0; i < size * count && t->io_out_len < sizeof(t->io_out); i++)
        t->io_out[t->io_out_len++] = ((const uint8_t *)buf)[i];
    log_io(t, 'o', port, size, count);
    return 0;
}

const struct xa_cpu_ops th_ops_io = {get_regs,    set_regs, mem_read, mem_write,
                                     mem_cmpxchg, io_read,  io_write};

const struct xa_cpu_ops th_ops = {get_regs, set_regs, mem_read, mem_write, mem_cmpxchg, NULL, NULL};
const struct xa_cpu_ops th_ops_nocmpxchg = {get_regs, set_regs, mem_read, mem_write,
                                            NULL,     NULL,     NULL};

void th_put(struct th *t, uint64_t gpa, const void *bytes, size_t n)
{
    memcpy(t->ram + gpa, bytes, n);
}

uint64_t th_get(struct th *t, uint64_t gpa, unsigned size)
{
    uint64_t v = 0;
    for (unsigned k = size; k-- > 0;)
        v = (v << 8) | t->ram[gpa + k];
    return v;
}

static void put64(struct th *t, uint64_t gpa, uint64_t v)
{
    for (unsigned k = 0; k < 8; k++)
        t->ram[gpa + k] = (uint8_t)(v >> (8 * k));
}

void th_set_pte(struct th *t, uint64_t la, uint64_t pte)
{
    put64(t, TH_PT + 0x3000 + (la >> 12) * 8, pte);
}

static void seg(struct th *t, unsigned r, uint32_t attr, uint32_t limit)
{
    memset(&t->regs[r], 0, sizeof(t->regs[r]));
    t->regs[r].seg.attr = attr;
    t->regs[r].seg.limit = limit;
}

void th_clear(struct th *t)
{
    t->get_calls = t->set_calls = t->read_calls = t->write_calls = t->cmpxchg_calls = 0;
    t->data_cmpxchg_calls = 0;
    t->set_count = 0;
    t->nlog = 0;
    t->data_reads = t->data_writes = 0;
    t->io_read_calls = t->io_write_calls = 0;
    t->niolog = 0;
}

void th_setup_long(struct th *t)
{
    memset(t, 0, sizeof(*t));
    t->regs[XA_R_CR0].u64 = 0x80050033;
    t->regs[XA_R_CR3].u64 = TH_PT;
    t->regs[XA_R_CR4].u64 = 0x20;
    t->regs[XA_R_EFER].u64 = 0xd00;
    t->regs[XA_R_RFLAGS].u64 = 0x2;
    t->regs[XA_R_RIP].u64 = TH_CODE;
    seg(t, XA_R_CS, 0xa09b, 0xffffffff);
    for (unsigned r = XA_R_ES; r <= XA_R_GS; r++)
        if (r != XA_R_CS)
            seg(t, r, 0xc093, 0xffffffff);
    seg(t, XA_R_TR, 0x8b, 0xffff);
    seg(t, XA_R_LDTR, 0x10000, 0);
    put64(t, TH_PT, (TH_PT + 0x1000) | 7);
    put64(t, TH_PT + 0x1000, (TH_PT + 0x2000) | 7);
    for (unsigned i = 0; i < 2; i++) {
        put64(t, TH_PT + 0x2000 + 8 * i, (TH_PT + 0x3000 + 0x1000 * i) | 7);
        for (unsigned k = 0; k < 512; k++)
            put64(t, TH_PT + 0x3000 + 0x1000 * i + 8 * k, ((uint64_t)(i * 512 + k) << 12) | 7);
    }
}

void th_setup_prot32(struct th *t)
{
    memset(t, 0, sizeof(*t));
    t->regs[XA_R_CR0].u64 = 0x11;
    t->regs[XA_R_RFLAGS].u64 = 0x2;
    t->regs[XA_R_RIP].u64 = TH_CODE;
    seg(t, XA_R_CS, 0xc09b, 0xffffffff);
    for (unsigned r = XA_R_ES; r <= XA_R_GS; r++)
        if (r != XA_R_CS)
            seg(t, r, 0xc093, 0xffffffff);
    seg(t, XA_R_TR, 0x8b, 0xffff);
    seg(t, XA_R_LDTR, 0x10000, 0);
}

void th_setup_real(struct th *t)
{
    memset(t, 0, sizeof(*t));
    t->regs[XA_R_CR0].u64 = 0x10;
    t->regs[XA_R_RFLAGS].u64 = 0x2;
    t->regs[XA_R_RIP].u64 = 0x100;
    for (unsigned r = XA_R_ES; r <= XA_R_GS; r++)
        seg(t, r, r == XA_R_CS ? 0x9b : 0x93, 0xffff);
    t->regs[XA_R_CS].seg.selector = 0x1000;
    t->regs[XA_R_CS].seg.base = 0x10000;
    seg(t, XA_R_TR, 0x8b, 0xffff);
    seg(t, XA_R_LDTR, 0x10000, 0);
}

void th_init_vcpu(struct th *t, struct xa_vcpu *v)
{
    struct xa_cpu_model m = {XA_VENDOR_INTEL, 46, XA_FEAT_ALL};
    xa_vcpu_init(v, t->with_io ? &th_ops_io : t->no_cmpxchg ? &th_ops_nocmpxchg : &th_ops, t, &m);
}
