/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Scenario tests of the vector moves and direct stores through the public API:
 * the #UD/#NM conditions and their order, the alignment #GP, opmask merging and
 * zeroing, masked stores that write only the selected runs, masked accesses
 * that never touch a page holding no selected element, MOVDIR64B, MOVDIRI, the
 * cache-line flushes (checked like a byte load, no data access), prefetches.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

static struct th *T;
static struct xa_vcpu V;
static struct xa_outcome O;

#define RAX       XA_R_RAX
#define RCX       (XA_R_RAX + 1)
#define CR0_EM    0x4u
#define CR0_TS    0x8u
#define CR4_FXSR  0x200u
#define CR4_XSAVE 0x40000u
#define PAGE2     (TH_MMIO + 0x1000) /* the page after the "MMIO" page */

static int setup(void **state)
{
    (void)state;
    T = calloc(1, sizeof(*T));
    return T ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(T);
    return 0;
}

/* 64-bit mode with SSE and AVX-512 state enabled; ZMM n filled with bytes n*0x10 + k. */
static void setup_vec(void)
{
    th_setup_long(T);
    T->regs[XA_R_CR4].u64 |= CR4_FXSR | CR4_XSAVE;
    T->regs[XA_R_XCR0].u64 = 0xe7;
    for (unsigned n = 0; n < 32; n++)
        for (unsigned k = 0; k < 64; k++)
            T->regs[XA_R_ZMM0 + n].vec[k] = (uint8_t)(n * 0x10 + k);
    for (unsigned k = 0; k < 0x2000; k++)
        T->ram[TH_MMIO + k] = (uint8_t)(0x80 + k);
}

static unsigned code(const char *hex)
{
    uint8_t bytes[32];
    unsigned k = 0;
    for (const char *p = hex; *p;) {
        if (*p == ' ') {
            p++;
            continue;
        }
        char b[3] = {p[0], p[1], 0};
        bytes[k++] = (uint8_t)strtoul(b, NULL, 16);
        p += 2;
    }
    th_put(T, TH_CODE, bytes, k);
    return k;
}

/* Runs the instruction at TH_CODE with the guest CPU features @p feat. */
static xa_status run(const char *hex, uint32_t feat)
{
    T->regs[XA_R_RIP].u64 = TH_CODE;
    code(hex);
    th_init_vcpu(T, &V);
    V.model.features = feat;
    th_clear(T);
    return xa_step(&V, &O);
}

static void assert_exc(xa_status s, unsigned vector, uint32_t ec)
{
    assert_int_equal(s, XA_EXCEPTION);
    assert_int_equal(O.exception.vector, vector);
    assert_int_equal(O.exception.error_code, ec);
    assert_int_equal(T->set_calls, 0);
    assert_int_equal(T->nlog, 0); /* no data access at all */
}

static void assert_ok(xa_status s, unsigned len)
{
    assert_int_equal(s, XA_OK);
    assert_int_equal(T->regs[XA_R_RIP].u64, TH_CODE + len);
}

/* ---- #UD, #NM ------------------------------------------------------------ */

static void test_sse_state_checks(void **state)
{
    (void)state;
    const char *movdqu = "f3 0f 6f 00"; /* movdqu xmm0, [rax] */
    setup_vec();
    T->regs[RAX].u64 = TH_MMIO;
    th_set_pte(T, TH_MMIO, 0); /* not present: #PF comes after #UD and #NM */
    T->regs[XA_R_CR0].u64 |= CR0_EM;
    assert_exc(run(movdqu, XA_FEAT_ALL), XA_VEC_UD, 0);
    T->regs[XA_R_CR0].u64 |= CR0_TS;
    assert_exc(run(movdqu, XA_FEAT_ALL), XA_VEC_UD, 0); /* #UD before #NM */
    T->regs[XA_R_CR0].u64 &= ~(uint64_t)CR0_EM;
    assert_exc(run(movdqu, XA_FEAT_ALL), XA_VEC_NM, 0);
    T->regs[XA_R_CR4].u64 &= ~(uint64_t)CR4_FXSR;
    assert_exc(run(movdqu, XA_FEAT_ALL), XA_VEC_UD, 0);
    T->regs[XA_R_CR4].u64 |= CR4_FXSR;
    T->regs[XA_R_CR0].u64 &= ~(uint64_t)CR0_TS;
    xa_status s = run(movdqu, XA_FEAT_ALL);
    assert_int_equal(s, XA_EXCEPTION);
    assert_int_equal(O.exception.vector, XA_VEC_PF);
    /* Features: LDDQU needs SSE3, MOVNTDQA SSE4.1 (SSE and SSE2 are baseline). */
    th_set_pte(T, TH_MMIO, TH_MMIO | 7);
    assert_exc(run("f2 0f f0 00", XA_FEAT_ALL & ~XA_FEAT_SSE3), XA_VEC_UD, 0);
    assert_ok(run("f2 0f f0 00", XA_FEAT_SSE3), 4);
    assert_exc(run("66 0f 38 2a 00", XA_FEAT_ALL & ~XA_FEAT_SSE4_1), XA_VEC_UD, 0);
    assert_ok(run("66 0f 38 2a 00", 0 | XA_FEAT_SSE4_1), 5);
    assert_ok(run(movdqu, 0), 4);
}

static void test_mmx_state_checks(void **state)
{
    (void)state;
    const char *movq = "0f 6f 08"; /* movq mm1, [rax] */
    setup_vec();
    T->regs[RAX].u64 = TH_MMIO + 8;
    T->regs[XA_R_CR4].u64 &= ~(uint64_t)CR4_FXSR; /* MMX does not need OSFXSR */
    assert_ok(run(movq, 0), 3);
    assert_int_equal(T->regs[XA_R_MM0 + 1].u64, 0x8f8e8d8c8b8a8988ull);
    T->regs[XA_R_CR0].u64 |= CR0_TS;
    assert_exc(run(movq, 0), XA_VEC_NM, 0);
    T->regs[XA_R_CR0].u64 |= CR0_EM;
    assert_exc(run(movq, 0), XA_VEC_UD, 0);
}

static void test_vex_state_checks(void **state)
{
    (void)state;
    const char *vmovdqu = "c5 fe 6f 00"; /* vmovdqu ymm0, [rax] */
    setup_vec();
    T->regs[RAX].u64 = TH_MMIO;
    T->regs[XA_R_CR0].u64 |= CR0_EM; /* ignored by VEX forms */
    T->regs[XA_R_CR4].u64 &= ~(uint64_t)CR4_FXSR;
    assert_ok(run(vmovdqu, XA_FEAT_AVX), 4);
    T->regs[XA_R_XCR0].u64 = 0x3; /* no AVX state */
    assert_exc(run(vmovdqu, XA_FEAT_ALL), XA_VEC_UD, 0);
    T->regs[XA_R_XCR0].u64 = 0x7;
    T->regs[XA_R_CR4].u64 &= ~(uint64_t)CR4_XSAVE;
    assert_exc(run(vmovdqu, XA_FEAT_ALL), XA_VEC_UD, 0);
    T->regs[XA_R_CR4].u64 |= CR4_XSAVE;
    assert_exc(run(vmovdqu, XA_FEAT_ALL & ~XA_FEAT_AVX), XA_VEC_UD, 0);
    T->regs[XA_R_CR0].u64 |= CR0_TS;
    assert_exc(run(vmovdqu, XA_FEAT_ALL), XA_VEC_NM, 0);
    T->regs[XA_R_CR0].u64 &= ~(uint64_t)CR0_TS;
    /* VMOVNTDQA ymm is AVX2. */
    assert_exc(run("c4 e2 7d 2a 00", XA_FEAT_AVX), XA_VEC_UD, 0);
    assert_ok(run("c4 e2 7d 2a 00", XA_FEAT_AVX | XA_FEAT_AVX2), 5);
}

static void test_evex_state_checks(void **state)
{
    (void)state;
    const char *zmm = "62 f1 7e 48 6f 00";   /* vmovdqu32 zmm0, [rax] */
    const char *xmm = "62 f1 7e 08 6f 00";   /* vmovdqu32 xmm0, [rax] */
    const char *bytes = "62 f1 7f 48 6f 00"; /* vmovdqu8 zmm0, [rax] */
    setup_vec();
    T->regs[RAX].u64 = TH_MMIO;
    assert_ok(run(zmm, XA_FEAT_AVX512F), 6);
    T->regs[XA_R_XCR0].u64 = 0x7; /* AVX but no opmask/ZMM state */
    assert_exc(run(zmm, XA_FEAT_ALL), XA_VEC_UD, 0);
    T->regs[XA_R_XCR0].u64 = 0xe7;
    assert_exc(run(zmm, XA_FEAT_ALL & ~XA_FEAT_AVX512F), XA_VEC_UD, 0);
    assert_exc(run(xmm, XA_FEAT_AVX512F), XA_VEC_UD, 0); /* 128 bits need VL */
    assert_ok(run(xmm, XA_FEAT_AVX512F | XA_FEAT_AVX512VL), 6);
    assert_exc(run(bytes, XA_FEAT_AVX512F), XA_VEC_UD, 0); /* VMOVDQU8 needs BW */
    assert_ok(run(bytes, XA_FEAT_AVX512F | XA_FEAT_AVX512BW), 6);
    T->regs[XA_R_CR0].u64 |= CR0_TS;
    assert_exc(run(zmm, XA_FEAT_ALL), XA_VEC_NM, 0);
}

/* ---- alignment, register widths ----------------------------------------- */

static void test_alignment(void **state)
{
    (void)state;
    setup_vec();
    T->regs[RAX].u64 = TH_MMIO + 8;
    assert_exc(run("66 0f 6f 00", XA_FEAT_ALL), XA_VEC_GP, 0);       /* movdqa */
    assert_exc(run("0f 29 00", XA_FEAT_ALL), XA_VEC_GP, 0);          /* movaps store */
    assert_exc(run("66 0f e7 00", XA_FEAT_ALL), XA_VEC_GP, 0);       /* movntdq */
    assert_exc(run("66 0f 38 2a 00", XA_FEAT_ALL), XA_VEC_GP, 0);    /* movntdqa */
    T->regs[RAX].u64 = TH_MMIO + 0x20;                               /* 32- not 64-aligned */
    assert_ok(run("c5 fd 6f 00", XA_FEAT_ALL), 4);                   /* vmovdqa ymm0 */
    assert_exc(run("62 f1 7d 48 6f 00", XA_FEAT_ALL), XA_VEC_GP, 0); /* vmovdqa32 zmm0 */
    /* Masked: the full vector's alignment whatever the mask selects... */
    T->regs[XA_R_K0 + 1].u64 = 1;
    assert_exc(run("62 f1 7d 49 6f 00", XA_FEAT_ALL), XA_VEC_GP, 0); /* {k1} */
    /* ...but no element selected: no access, no fault (as the hardware does). */
    T->regs[XA_R_K0 + 1].u64 = 0;
    assert_ok(run("62 f1 7d 49 6f 00", XA_FEAT_ALL), 6);
    assert_int_equal(T->nlog, 0);
    /* The unaligned forms at any address. */
    T->regs[RAX].u64 = TH_MMIO + 3;
    assert_ok(run("f3 0f 6f 00", XA_FEAT_ALL), 4);
    assert_ok(run("0f 11 00", XA_FEAT_ALL), 3);
}

static void test_legacy_keeps_upper_vex_zeroes(void **state)
{
    (void)state;
    setup_vec();
    T->regs[RAX].u64 = TH_MMIO;
    assert_ok(run("f3 0f 6f 00", XA_FEAT_ALL), 4); /* movdqu xmm0, [rax] */
    for (unsigned k = 0; k < 16; k++)
        assert_int_equal(T->regs[XA_R_ZMM0].vec[k], 0x80 + k);
    for (unsigned k = 16; k < 64; k++)
        assert_int_equal(T->regs[XA_R_ZMM0].vec[k], k); /* bits above 127 kept */
    assert_ok(run("c5 fa 6f 08", XA_FEAT_ALL), 4);      /* vmovdqu xmm1, [rax] */
    for (unsigned k = 16; k < 64; k++)
        assert_int_equal(T->regs[XA_R_ZMM0 + 1].vec[k], 0);
    /* movss xmm2, xmm3: the low dword only; movss xmm2, [rax]: bits 127:32 zeroed. */
    assert_ok(run("f3 0f 10 d3", XA_FEAT_ALL), 4);
    assert_int_equal(T->regs[XA_R_ZMM0 + 2].vec[0], 0x30);
    assert_int_equal(T->regs[XA_R_ZMM0 + 2].vec[4], 0x24);
    assert_ok(run("f3 0f 10 10", XA_FEAT_ALL), 4);
    assert_int_equal(T->regs[XA_R_ZMM0 + 2].vec[3], 0x83);
    assert_int_equal(T->regs[XA_R_ZMM0 + 2].vec[4], 0);
    assert_int_equal(T->regs[XA_R_ZMM0 + 2].vec[16], 0x30);
    /* movhps xmm4, [rax]: the high quadword; movhps [rax], xmm5 stores bytes 8-15. */
    assert_ok(run("0f 16 20", XA_FEAT_ALL), 3);
    assert_int_equal(T->regs[XA_R_ZMM0 + 4].vec[7], 0x47);
    assert_int_equal(T->regs[XA_R_ZMM0 + 4].vec[8], 0x80);
    assert_ok(run("0f 17 28", XA_FEAT_ALL), 3);
    assert_int_equal(T->nlog, 1);
    assert_int_equal(T->log[0].size, 8);
    assert_int_equal(th_get(T, TH_MMIO, 8), 0x5f5e5d5c5b5a5958ull);
}

static void test_movd_movq(void **state)
{
    (void)state;
    setup_vec();
    T->regs[RAX].u64 = TH_MMIO;
    T->regs[RCX].u64 = 0x1122334455667788ull;
    assert_ok(run("66 0f 6e c1", XA_FEAT_ALL), 4); /* movd xmm0, ecx */
    assert_int_equal(T->regs[XA_R_ZMM0].vec[0], 0x88);
    assert_int_equal(T->regs[XA_R_ZMM0].vec[4], 0);
    assert_int_equal(T->regs[XA_R_ZMM0].vec[16], 16); /* legacy: above 127 kept */
    assert_ok(run("0f 6e c9", XA_FEAT_ALL), 3);       /* movd mm1, ecx */
    assert_int_equal(T->regs[XA_R_MM0 + 1].u64, 0x55667788u);
    assert_ok(run("48 0f 7e c9", XA_FEAT_ALL), 4); /* movq rcx, mm1 */
    assert_int_equal(T->regs[RCX].u64, 0x55667788u);
    assert_ok(run("0f 7f 08", XA_FEAT_ALL), 3); /* movq [rax], mm1 */
    assert_int_equal(th_get(T, TH_MMIO, 8), 0x55667788u);
    assert_ok(run("66 0f 7e 18", XA_FEAT_ALL), 4); /* movd [rax], xmm3 */
    assert_int_equal(T->nlog, 1);
    assert_int_equal(T->log[0].size, 4);
    assert_int_equal(th_get(T, TH_MMIO, 4), 0x33323130u);
}

/* ---- masking -------------------------------------------------------------- */

static void test_masked_store_runs(void **state)
{
    (void)state;
    setup_vec();
    T->regs[RAX].u64 = TH_MMIO + 0x10;
    T->regs[XA_R_K0 + 2].u64 = 0x8c05;                   /* dwords 0, 2, 10, 11, 15 */
    assert_ok(run("62 f1 7e 4a 7f 08", XA_FEAT_ALL), 6); /* vmovdqu32 [rax]{k2}, zmm1 */
    static const struct {
        unsigned off, size;
    } want[] = {{0, 4}, {8, 4}, {40, 8}, {60, 4}};
    assert_int_equal(T->nlog, 4);
    for (unsigned i = 0; i < 4; i++) {
        assert_int_equal(T->log[i].op, 'w');
        assert_int_equal(T->log[i].gpa, TH_MMIO + 0x10 + want[i].off);
        assert_int_equal(T->log[i].size, want[i].size);
        assert_int_equal(T->log[i].data[0], 0x10 + want[i].off);
    }
    /* The bytes between the runs are untouched. */
    assert_int_equal(T->ram[TH_MMIO + 0x10 + 4], 0x80 + 0x14);
    assert_int_equal(T->ram[TH_MMIO + 0x10 + 12], 0x80 + 0x1c);
    /* An all-zero mask: no access, nothing written, RIP moves. */
    T->regs[XA_R_K0 + 2].u64 = 0;
    assert_ok(run("62 f1 7e 4a 7f 08", XA_FEAT_ALL), 6);
    assert_int_equal(T->nlog, 0);
    /* All ones: one 64-byte write. */
    T->regs[XA_R_K0 + 2].u64 = 0xffff;
    assert_ok(run("62 f1 7e 4a 7f 08", XA_FEAT_ALL), 6);
    assert_int_equal(T->nlog, 1);
    assert_int_equal(T->log[0].size, 64);
}

static void test_masked_never_touches_other_page(void **state)
{
    (void)state;
    setup_vec();
    th_set_pte(T, PAGE2, 0);           /* the second page is not present */
    T->regs[RAX].u64 = PAGE2 - 32;     /* dwords 0-7 on the first page, 8-15 on the second */
    T->regs[XA_R_K0 + 1].u64 = 0x00f1; /* dwords 0 and 4-7: the first page only */
    assert_ok(run("62 f1 7e 49 6f 10", XA_FEAT_ALL), 6); /* vmovdqu32 zmm2{k1}, [rax] */
    assert_int_equal(T->nlog, 2);                        /* dword 0, then dwords 4-7 */
    assert_int_equal(T->log[0].gpa, PAGE2 - 32);
    assert_int_equal(T->log[0].size, 4);
    assert_int_equal(T->log[1].gpa, PAGE2 - 16);
    assert_int_equal(T->log[1].size, 16);
    assert_int_equal(T->regs[XA_R_ZMM0 + 2].vec[0], (uint8_t)(0x80 + 0x1000 - 32));
    assert_int_equal(T->regs[XA_R_ZMM0 + 2].vec[4], 0x24); /* merged: the old value */
    assert_int_equal(T->regs[XA_R_ZMM0 + 2].vec[63], 0x5f);
    /* Zero masking: the unselected elements are zeroed. */
    assert_ok(run("62 f1 7e c9 6f 10", XA_FEAT_ALL), 6); /* vmovdqu32 zmm2{k1}{z}, [rax] */
    assert_int_equal(T->regs[XA_R_ZMM0 + 2].vec[4], 0);
    assert_int_equal(T->regs[XA_R_ZMM0 + 2].vec[63], 0);
    /* A masked store to the same place: the absent page is never walked for a write. */
    assert_ok(run("62 f1 7e 49 7f 18", XA_FEAT_ALL), 6); /* vmovdqu32 [rax]{k1}, zmm3 */
    assert_int_equal(T->nlog, 2);
    /* An element on the absent page selected: #PF at its first byte. */
    T->regs[XA_R_K0 + 1].u64 = 0x0201;
    xa_status s = run("62 f1 7e 49 6f 10", XA_FEAT_ALL);
    assert_int_equal(s, XA_EXCEPTION);
    assert_int_equal(O.exception.vector, XA_VEC_PF);
    assert_int_equal(O.exception.cr2, PAGE2 + 4);
    assert_int_equal(O.exception.error_code, 0);
    assert_int_equal(T->nlog, 0); /* every fault before any read */
    s = run("62 f1 7e 49 7f 18", XA_FEAT_ALL);
    assert_int_equal(s, XA_EXCEPTION);
    assert_int_equal(O.exception.error_code, 2); /* a write */
    assert_int_equal(T->nlog, 0);
    assert_int_equal(T->set_calls, 0);
}

static void test_masked_scalar_and_mmio_exit(void **state)
{
    (void)state;
    setup_vec();
    T->regs[RAX].u64 = TH_MMIO + 0x40;
    T->regs[XA_R_K0 + 3].u64 = 0;
    assert_ok(run("62 f1 7e 0b 10 28", XA_FEAT_ALL), 6); /* vmovss xmm5{k3}, [rax] */
    assert_int_equal(T->nlog, 0);
    assert_int_equal(T->regs[XA_R_ZMM0 + 5].vec[0], 0x50); /* merged */
    assert_int_equal(T->regs[XA_R_ZMM0 + 5].vec[4], 0);    /* 127:32 zeroed */
    assert_int_equal(T->regs[XA_R_ZMM0 + 5].vec[20], 0);   /* above 127 zeroed */
    /* The MMIO exit path: the exit's GPA must be a selected element's. */
    struct xa_mmio_exit ex;
    memset(&ex, 0, sizeof(ex));
    T->regs[XA_R_K0 + 2].u64 = 0x8000; /* only dword 15 */
    T->regs[XA_R_RIP].u64 = TH_CODE;
    code("62 f1 7e 4a 7f 08"); /* vmovdqu32 [rax]{k2}, zmm1 */
    ex.gpa = TH_MMIO + 0x40 + 60;
    th_init_vcpu(T, &V);
    th_clear(T);
    assert_int_equal(xa_assist_mmio(&V, &ex, &O), XA_OK);
    assert_int_equal(T->nlog, 1);
    assert_int_equal(T->log[0].gpa, TH_MMIO + 0x40 + 60);
    ex.gpa = TH_MMIO + 0x40; /* dword 0 is not selected: the guest changed something */
    T->regs[XA_R_RIP].u64 = TH_CODE;
    th_clear(T);
    assert_int_equal(xa_assist_mmio(&V, &ex, &O), XA_RETRY);
    assert_int_equal(T->nlog, 0);
    assert_int_equal(T->set_calls, 0);
    T->regs[XA_R_K0 + 2].u64 = 0; /* nothing selected: no access could have exited */
    th_clear(T);
    assert_int_equal(xa_assist_mmio(&V, &ex, &O), XA_RETRY);
    assert_int_equal(T->set_calls, 0);
}

/* ---- direct stores, flushes, prefetches ------------------------------------ */

static void test_movdir64b(void **state)
{
    (void)state;
    setup_vec();
    T->regs[RAX].u64 = 0x3000 + 5;   /* the source: any alignment */
    T->regs[RCX].u64 = TH_MMIO + 64; /* the destination */
    for (unsigned k = 0; k < 64; k++)
        T->ram[0x3005 + k] = (uint8_t)k;
    assert_ok(run("66 0f 38 f8 08", XA_FEAT_ALL), 5); /* movdir64b rcx, [rax] */
    assert_int_equal(T->nlog, 2);
    assert_int_equal(T->log[0].op, 'r');
    assert_int_equal(T->log[0].size, 64);
    assert_int_equal(T->log[1].op, 'w');
    assert_int_equal(T->log[1].gpa, TH_MMIO + 64);
    assert_int_equal(T->log[1].size, 64);
    assert_int_equal(T->log[1].data[63], 63);
    T->regs[RCX].u64 = TH_MMIO + 72;
    assert_exc(run("66 0f 38 f8 08", XA_FEAT_ALL), XA_VEC_GP, 0);
    /* A destination that faults: before the source is read. */
    T->regs[RCX].u64 = PAGE2;
    th_set_pte(T, PAGE2, 0);
    xa_status s = run("66 0f 38 f8 08", XA_FEAT_ALL);
    assert_int_equal(s, XA_EXCEPTION);
    assert_int_equal(O.exception.vector, XA_VEC_PF);
    assert_int_equal(O.exception.cr2, PAGE2);
    assert_int_equal(T->nlog, 0);
    assert_exc(run("66 0f 38 f8 08", XA_FEAT_ALL & ~XA_FEAT_MOVDIR64B), XA_VEC_UD, 0);
}

static void test_movdiri(void **state)
{
    (void)state;
    setup_vec();
    T->regs[RAX].u64 = TH_MMIO + 4;
    T->regs[RCX].u64 = 0xaabbccdd11223344ull;
    assert_ok(run("48 0f 38 f9 08", XA_FEAT_ALL), 5); /* movdiri [rax], rcx */
    assert_int_equal(T->nlog, 1);
    assert_int_equal(T->log[0].size, 8);
    assert_int_equal(th_get(T, TH_MMIO + 4, 8), 0xaabbccdd11223344ull);
    th_set_pte(T, TH_MMIO, 0);
    assert_exc(run("0f 38 f9 08", XA_FEAT_ALL & ~XA_FEAT_MOVDIRI), XA_VEC_UD, 0); /* before #PF */
}

static void test_flush_and_prefetch(void **state)
{
    (void)state;
    setup_vec();
    T->regs[RAX].u64 = PAGE2 + 0x123;
    assert_ok(run("0f ae 38", XA_FEAT_ALL), 3); /* clflush [rax] */
    assert_int_equal(T->nlog, 0);
    th_set_pte(T, PAGE2, 0);
    xa_status s = run("0f ae 38", XA_FEAT_ALL);
    assert_int_equal(s, XA_EXCEPTION);
    assert_int_equal(O.exception.vector, XA_VEC_PF);
    assert_int_equal(O.exception.error_code, 0); /* checked as a read */
    assert_int_equal(O.exception.cr2, PAGE2 + 0x123);
    assert_int_equal(T->nlog, 0);
    s = run("66 0f ae 30", XA_FEAT_ALL); /* clwb [rax] */
    assert_int_equal(O.exception.vector, XA_VEC_PF);
    assert_exc(run("66 0f ae 38", XA_FEAT_ALL & ~XA_FEAT_CLFLUSHOPT), XA_VEC_UD, 0);
    /* Read-only page: a flush is a read, so no fault. */
    th_set_pte(T, PAGE2, PAGE2 | 5);
    assert_ok(run("66 0f ae 38", XA_FEAT_ALL), 4);
    /* Prefetches never fault and never access. */
    th_set_pte(T, PAGE2, 0);
    assert_ok(run("0f 18 08", XA_FEAT_ALL), 3);
    assert_ok(run("0f 0d 08", XA_FEAT_ALL), 3);
    T->regs[RAX].u64 = 0x8000000000000000ull; /* not canonical */
    assert_ok(run("0f 18 00", XA_FEAT_ALL), 3);
    assert_int_equal(T->nlog, 0);
}

static void test_protected_mode_and_exit(void **state)
{
    (void)state;
    /* 32-bit protected mode without paging, DS based at 0x1008: the alignment is the
     * linear address's, and the page split too. */
    th_setup_prot32(T);
    T->regs[XA_R_CR4].u64 |= CR4_FXSR | CR4_XSAVE;
    T->regs[XA_R_XCR0].u64 = 0xe7;
    for (unsigned n = 0; n < 8; n++)
        for (unsigned k = 0; k < 64; k++)
            T->regs[XA_R_ZMM0 + n].vec[k] = (uint8_t)(n * 0x10 + k);
    T->regs[XA_R_DS].seg.base = 0x1008;
    T->regs[RAX].u64 = TH_MMIO - 0x1000;                       /* aligned offset... */
    assert_exc(run("66 0f 7f 00", XA_FEAT_ALL), XA_VEC_GP, 0); /* ...misaligned linear */
    T->regs[RAX].u64 = TH_MMIO - 0x1008;
    assert_ok(run("66 0f 7f 00", XA_FEAT_ALL), 4); /* movdqa [eax], xmm0 */
    assert_int_equal(T->nlog, 1);
    assert_int_equal(T->log[0].gpa, TH_MMIO);
    T->regs[XA_R_K0 + 1].u64 = 0x8001;
    assert_ok(run("62 f1 7e 49 7f 08", XA_FEAT_ALL), 6); /* vmovdqu32 [eax]{k1}, zmm1 */
    assert_int_equal(T->nlog, 2);
    assert_int_equal(T->log[1].gpa, TH_MMIO + 60);
    assert_int_equal(T->log[1].data[0], 0x10 + 60);

    /* MOVDIR64B through the MMIO exit: the exit is the destination's. */
    setup_vec();
    T->regs[RAX].u64 = 0x3000;
    T->regs[RCX].u64 = TH_MMIO + 0x80;
    T->regs[XA_R_RIP].u64 = TH_CODE;
    code("66 0f 38 f8 08");
    struct xa_mmio_exit ex;
    memset(&ex, 0, sizeof(ex));
    ex.gpa = TH_MMIO + 0x80;
    th_init_vcpu(T, &V);
    th_clear(T);
    assert_int_equal(xa_assist_mmio(&V, &ex, &O), XA_OK);
    assert_int_equal(T->nlog, 2);
    assert_int_equal(T->log[1].gpa, TH_MMIO + 0x80);
    assert_int_equal(T->log[1].size, 64);
    ex.gpa = TH_MMIO + 0x800; /* neither the source nor the destination */
    T->regs[XA_R_RIP].u64 = TH_CODE;
    th_clear(T);
    assert_int_equal(xa_assist_mmio(&V, &ex, &O), XA_RETRY);
    assert_int_equal(T->set_calls, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sse_state_checks),
        cmocka_unit_test(test_mmx_state_checks),
        cmocka_unit_test(test_vex_state_checks),
        cmocka_unit_test(test_evex_state_checks),
        cmocka_unit_test(test_alignment),
        cmocka_unit_test(test_legacy_keeps_upper_vex_zeroes),
        cmocka_unit_test(test_movd_movq),
        cmocka_unit_test(test_masked_store_runs),
        cmocka_unit_test(test_masked_never_touches_other_page),
        cmocka_unit_test(test_masked_scalar_and_mmio_exit),
        cmocka_unit_test(test_movdir64b),
        cmocka_unit_test(test_movdiri),
        cmocka_unit_test(test_flush_and_prefetch),
        cmocka_unit_test(test_protected_mode_and_exit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
