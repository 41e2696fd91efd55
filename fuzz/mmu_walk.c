/* SPDX-License-Identifier: BSD-2-Clause */
/* libFuzzer target: random paging state, random page-table memory, random
 * address and access; xa_walk against the reference model (tests/mmu/model.c),
 * and xa_translate (two pages) against the model's outcome of each page.
 * Any disagreement aborts. Input: a 48-byte header, then the memory image
 * from GPA 0x1000. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <x86assist/mmu.h>

#include "mmu/check.h"
#include "mmu/model.h"
#include "mmu/testmem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t rd64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static struct testmem mem, mem2;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum { HDR = 48 };
    if (size < HDR)
        return 0;
    const uint8_t *h = data;
    struct mmu_case c;
    memset(&c, 0, sizeof(c));
    uint8_t mode = h[0], ctl = h[1], acc = h[2], misc = h[3];
    /* Paging mode: off, 32-bit, PAE, 4-level, 5-level (and raw control bits sometimes). */
    c.cpu.cr0 = 0x11;
    switch (mode % 5) {
    case 0: break;
    case 1: c.cpu.cr0 |= 1ull << 31; break;
    case 2:
        c.cpu.cr0 |= 1ull << 31;
        c.cpu.cr4 |= 0x20;
        break;
    case 3:
        c.cpu.cr0 |= 1ull << 31;
        c.cpu.cr4 |= 0x20;
        c.cpu.efer |= 0x500;
        break;
    default:
        c.cpu.cr0 |= 1ull << 31;
        c.cpu.cr4 |= 0x20 | (1u << 12);
        c.cpu.efer |= 0x500;
        break;
    }
    if (ctl & 1)
        c.cpu.cr0 |= 1u << 16; /* WP */
    if (ctl & 2)
        c.cpu.efer |= 1u << 11; /* NXE */
    if (ctl & 4)
        c.cpu.cr4 |= 1u << 4; /* PSE */
    if (ctl & 8)
        c.cpu.cr4 |= 1u << 20; /* SMEP */
    if (ctl & 16)
        c.cpu.cr4 |= 1u << 21; /* SMAP */
    if (ctl & 32)
        c.cpu.cr4 |= 1u << 22; /* PKE */
    if (ctl & 64)
        c.cpu.cr4 |= 1u << 24; /* PKS */
    static const int Ms[4] = {36, 46, 52, 40};
    c.cpu.maxphy = Ms[misc & 3];
    c.cpu.amd = (misc >> 2) & 1;
    c.cpu.pse36 = (misc >> 3) & 1;
    c.cpu.gb1 = (misc >> 4) & 1;
    int remap = (misc >> 5) & 1;
    uint64_t cr3raw = rd64(h + 8);
    c.cpu.cr3 = (misc & 0x40) ? cr3raw : ((cr3raw & 0xffe0) | 0x1000);
    c.cpu.pkru = (uint32_t)rd64(h + 16);
    c.cpu.pkrs = (uint32_t)(rd64(h + 16) >> 32);
    c.la = rd64(h + 24);
    if (h[4] & 1)
        c.la = (uint64_t)(int64_t)(int32_t)c.la; /* often canonical */
    c.acc.kind = acc % 3;
    c.acc.cpl3 = (acc >> 2) & 1;
    c.acc.implicit = (acc >> 3) & 1 && c.acc.kind != 2;
    c.acc.ac = (acc >> 4) & 1;
    c.acc.shstk = (acc >> 5) & 1 && c.acc.kind != 2;
    c.acc.ssref = (acc >> 6) & 1;
    uint32_t xsize = (uint32_t)(rd64(h + 32) & 0xfff) + 1;

    tm_init(&mem);
    size_t n = size - HDR;
    if (n > TM_SIZE - 0x1000)
        n = TM_SIZE - 0x1000;
    memcpy(mem.bytes + 0x1000, data + HDR, n);
    if (remap) {
        /* Keep table pointers inside the image: address bits 51:12 -> page 0..15. */
        for (size_t off = 0x1000; off + 8 <= 0x1000 + n; off += 8) {
            uint64_t v = tm_get(&mem, off, 8);
            v = (v & ~0x000ffffffffff000ull) | (((v >> 12) & 0xf) << 12);
            tm_put(&mem, off, v, 8);
        }
    }
    memcpy(&mem2, &mem, sizeof(mem));

    char msg[256], desc[512];
    if (check_case(&mem, &c, msg, sizeof(msg))) {
        describe_case(&c, desc, sizeof(desc));
        fprintf(stderr, "MISMATCH: %s\n  %s\n", msg, desc);
        abort();
    }

    /* Two-page translation on the untouched copy. */
    struct xa_paging_state ps;
    memset(&ps, 0, sizeof(ps));
    ps.cr0 = c.cpu.cr0;
    ps.cr3 = c.cpu.cr3;
    ps.cr4 = c.cpu.cr4;
    ps.efer = c.cpu.efer;
    ps.pkru = c.cpu.pkru;
    ps.pkrs = c.cpu.pkrs;
    ps.cpu.maxphyaddr = (uint8_t)c.cpu.maxphy;
    ps.cpu.vendor = c.cpu.amd ? XA_VENDOR_AMD : XA_VENDOR_INTEL;
    ps.cpu.features = (c.cpu.pse36 ? XA_FEAT_PSE36 : 0u) | (c.cpu.gb1 ? XA_FEAT_1G : 0u);
    unsigned flags = (c.acc.cpl3 ? XA_WALK_USER : 0u) | (c.acc.implicit ? XA_WALK_IMPLICIT : 0u) |
                     (c.acc.ac ? XA_WALK_AC : 0u) | (c.acc.shstk ? XA_WALK_SHADOW_STACK : 0u) |
                     (c.acc.ssref ? XA_WALK_SS_REF : 0u);
    struct xa_mmu_ops ops = {.read = tm_read, .cmpxchg = tm_cmpxchg, .write = tm_write};
    struct xa_translation tr;
    struct xa_exception e;
    struct model_out m1, m2;
    uint64_t la = (c.cpu.efer & 0x400) ? c.la : (c.la & 0xffffffffu);
    model_translate(&c.cpu, tm_model_read, &mem2, la, &c.acc, &m1);
    uint64_t la2 = (la & ~0xfffull) + 0x1000;
    if (!(c.cpu.efer & 0x400))
        la2 &= 0xffffffffu;
    bool cross = xsize > (uint32_t)(0x1000 - (la & 0xfff));
    m2.status = MODEL_OK;
    /* The linear address of every byte is checked before any walk: a
     * non-canonical second page is #GP/#SS even when the first page faults. */
    if ((c.cpu.efer & 0x400) && cross) {
        int w = (c.cpu.cr4 & (1u << 12)) ? 57 : 48;
        if ((uint64_t)((int64_t)(la2 << (64 - w)) >> (64 - w)) != la2 && m1.status != MODEL_GP &&
            m1.status != MODEL_SS)
            m1.status = c.acc.ssref ? MODEL_SS : MODEL_GP;
    }
    if (cross && m1.status == MODEL_OK)
        model_translate(&c.cpu, tm_model_read, &mem2, la2, &c.acc, &m2);
    mem2.nlog = 0;
    xa_status st =
        xa_translate(&ps, &ops, &mem2, c.la, xsize, (enum xa_access)c.acc.kind, flags, &tr, &e);
    const struct model_out *bad = m1.status != MODEL_OK ? &m1 : m2.status != MODEL_OK ? &m2 : NULL;
    if (!bad) {
        if (st != XA_OK || tr.gpa[0] != m1.gpa || (cross && tr.gpa[1] != m2.gpa) ||
            tr.count != (cross ? 2 : 1)) {
            describe_case(&c, desc, sizeof(desc));
            fprintf(stderr,
                    "translate: status %s (vec %u ec %#x cr2 %#llx), expected ok, size %u\n  %s\n",
                    xa_status_name(st), e.vector, e.error_code, (unsigned long long)e.cr2, xsize,
                    desc);
            abort();
        }
    } else {
        int want = bad->status == MODEL_MEMERR ? XA_ERR_CALLBACK : XA_EXCEPTION;
        if ((int)st != want || mem2.nlog != 0 ||
            (st == XA_EXCEPTION && bad->status == MODEL_PF &&
             (e.vector != 14 || e.error_code != bad->err || e.cr2 != bad->cr2))) {
            fprintf(stderr, "translate: status %s vec %u ec %#x, expected model status %d ec %#x\n",
                    xa_status_name(st), e.vector, e.error_code, bad->status, bad->err);
            abort();
        }
    }
    return 0;
}
