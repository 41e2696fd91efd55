/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Scenario tests of port I/O: IN/OUT (imm8 and DX, the accumulator merge), INS/OUTS with
 * REP batched per page run, the I/O permission check (IOPL, the TSS I/O bitmap with a
 * multi-byte port straddling a bitmap byte, the TR limit, virtual-8086 mode), the exit
 * check of xa_assist_io, missing and failing port callbacks.
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

enum { RAX = 0, RCX = 1, RDX = 2, RSI = 6, RDI = 7 };

#define TSS       0x6000u
#define IOMAP     0x68u             /* bitmap offset in the TSS */
#define TSS_LIMIT (IOMAP + 0x2000u) /* the whole bitmap plus the closing byte */

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

static unsigned code_at(uint64_t gpa, const char *hex, uint8_t *out)
{
    uint8_t b[15];
    unsigned k = 0;
    for (const char *p = hex; *p;) {
        if (*p == ' ') {
            p++;
            continue;
        }
        char c[3] = {p[0], p[1], 0};
        b[k++] = (uint8_t)strtoul(c, NULL, 16);
        p += 2;
    }
    th_put(T, gpa, b, k);
    if (out)
        memcpy(out, b, k);
    return k;
}

/* 32-bit protected mode, no paging, CPL @p cpl, IOPL @p iopl, a TSS with an all-open
 * I/O bitmap (ports can then be closed with deny()). */
static void prot32(const char *hex, unsigned cpl, unsigned iopl)
{
    th_setup_prot32(T);
    T->with_io = true;
    code_at(TH_CODE, hex, NULL);
    T->regs[XA_R_CS].seg.attr = 0xc09b | (cpl << 5);
    T->regs[XA_R_SS].seg.attr = 0xc093 | (cpl << 5);
    T->regs[XA_R_RFLAGS].u64 = 0x2 | (iopl << 12);
    T->regs[XA_R_TR].seg.base = TSS;
    T->regs[XA_R_TR].seg.limit = TSS_LIMIT;
    T->regs[XA_R_TR].seg.attr = 0x8b;
    T->ram[TSS + 0x66] = IOMAP;
    T->ram[TSS + 0x67] = 0;
    memset(T->ram + TSS + IOMAP, 0, 0x2000);
    T->ram[TSS + IOMAP + 0x2000] = 0xff;
    th_init_vcpu(T, &V);
}

static void long64(const char *hex)
{
    th_setup_long(T);
    T->with_io = true;
    code_at(TH_CODE, hex, NULL);
    th_init_vcpu(T, &V);
}

static void deny(unsigned port)
{
    T->ram[TSS + IOMAP + port / 8] |= (uint8_t)(1u << (port % 8));
}

static void in_data(const void *bytes, unsigned n)
{
    memcpy(T->io_in, bytes, n);
    T->io_in_len = n;
    T->io_in_pos = 0;
}

static xa_status step(void)
{
    th_clear(T);
    T->io_out_len = 0;
    return xa_step(&V, &O);
}

static xa_status io_exit(uint16_t port, uint8_t size, bool in, bool string, bool rep)
{
    struct xa_io_exit ex = {port, size, in, string, rep, 0, {0}};
    th_clear(T);
    T->io_out_len = 0;
    return xa_assist_io(&V, &ex, &O);
}

static void test_in_al_imm_merges(void **state)
{
    (void)state;
    prot32("e4 60", 0, 0);
    in_data("\xaa", 1);
    T->regs[RAX].u64 = 0x12345678;
    assert_int_equal(io_exit(0x60, 1, true, false, false), XA_OK);
    assert_int_equal(T->io_read_calls, 1);
    assert_int_equal(T->iolog[0].port, 0x60);
    assert_int_equal(T->iolog[0].count, 1);
    assert_int_equal(T->regs[RAX].u64, 0x123456aa);
    assert_int_equal(T->regs[XA_R_RIP].u64, TH_CODE + 2);
}

static void test_in_eax_dx_zero_extends(void **state)
{
    (void)state;
    long64("ed");
    in_data("\x01\x02\x03\x04", 4);
    T->regs[RAX].u64 = 0xffffffffffffffffull;
    T->regs[RDX].u64 = 0xffff03f8; /* only DX counts */
    assert_int_equal(io_exit(0x3f8, 4, true, false, false), XA_OK);
    assert_int_equal(T->regs[RAX].u64, 0x04030201);
    assert_int_equal(T->iolog[0].size, 4);
}

static void test_out_dx_ax(void **state)
{
    (void)state;
    long64("66 ef");
    T->regs[RAX].u64 = 0xdeadbeef;
    T->regs[RDX].u64 = 0x80;
    assert_int_equal(step(), XA_OK);
    assert_int_equal(T->io_write_calls, 1);
    assert_int_equal(T->io_out_len, 2);
    assert_int_equal(T->io_out[0], 0xef);
    assert_int_equal(T->io_out[1], 0xbe);
    assert_int_equal(T->regs[RAX].u64, 0xdeadbeef);
}

/* REP OUTSB of a page-aligned 4 KiB: one port call; unaligned: two (one per page run). */
static void test_rep_outsb_4k_runs(void **state)
{
    (void)state;
    long64("f3 6e");
    for (unsigned i = 0; i < 0x2000; i++)
        T->ram[0x20000 + i] = (uint8_t)(i * 13);
    T->regs[RCX].u64 = 4096;
    T->regs[RSI].u64 = 0x20000;
    T->regs[RDX].u64 = 0x3f8;
    assert_int_equal(io_exit(0x3f8, 1, false, true, true), XA_OK);
    assert_int_equal(T->io_write_calls, 1);
    assert_int_equal(T->iolog[0].count, 4096);
    assert_int_equal(T->data_reads, 1);
    assert_memory_equal(T->io_out, T->ram + 0x20000, 4096);
    assert_int_equal(T->regs[RCX].u64, 0);
    assert_int_equal(T->regs[RSI].u64, 0x21000);
    T->regs[XA_R_RIP].u64 = TH_CODE;
    T->regs[RCX].u64 = 4096;
    T->regs[RSI].u64 = 0x20800;
    assert_int_equal(io_exit(0x3f8, 1, false, true, true), XA_OK);
    assert_int_equal(T->io_write_calls, 2);
    assert_int_equal(T->iolog[0].count, 0x800);
    assert_int_equal(T->iolog[1].count, 0x800);
    assert_memory_equal(T->io_out, T->ram + 0x20800, 4096);
}

/* REP INSB of a page-aligned 4 KiB: one port call, one batched write. */
static void test_rep_insb_4k(void **state)
{
    (void)state;
    long64("f3 6c");
    uint8_t data[4096];
    for (unsigned i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 31 + 1);
    in_data(data, sizeof(data));
    T->regs[RCX].u64 = 4096;
    T->regs[RDI].u64 = 0x30000;
    T->regs[RDX].u64 = 0x1f0;
    assert_int_equal(io_exit(0x1f0, 1, true, true, true), XA_OK);
    assert_int_equal(T->io_read_calls, 1);
    assert_int_equal(T->data_writes, 1);
    assert_true(T->log[0].flags & XA_MEM_BATCHED);
    assert_memory_equal(T->ram + 0x30000, data, 4096);
    assert_int_equal(T->regs[RDI].u64, 0x31000);
}

/* REP INSW with DF=1: the port's first word lands at the highest address. */
static void test_rep_insw_down(void **state)
{
    (void)state;
    long64("66 f3 6d");
    in_data("\x11\x11\x22\x22\x33\x33", 6);
    T->regs[XA_R_RFLAGS].u64 = 0x402;
    T->regs[RCX].u64 = 3;
    T->regs[RDI].u64 = 0x30004;
    T->regs[RDX].u64 = 0x1f0;
    assert_int_equal(step(), XA_OK);
    assert_int_equal(T->io_read_calls, 1);
    assert_int_equal(th_get(T, 0x30004, 2), 0x1111);
    assert_int_equal(th_get(T, 0x30002, 2), 0x2222);
    assert_int_equal(th_get(T, 0x30000, 2), 0x3333);
    assert_int_equal(T->regs[RDI].u64, 0x2fffe);
}

/* REP OUTSD with DF=1: the port sees the highest element first. */
static void test_rep_outsd_down(void **state)
{
    (void)state;
    long64("f3 6f");
    th_put(T, 0x20000, "\x01\x00\x00\x00\x02\x00\x00\x00", 8);
    T->regs[XA_R_RFLAGS].u64 = 0x402;
    T->regs[RCX].u64 = 2;
    T->regs[RSI].u64 = 0x20004;
    T->regs[RDX].u64 = 0x1f0;
    assert_int_equal(step(), XA_OK);
    assert_int_equal(T->io_out_len, 8);
    assert_int_equal(T->io_out[0], 2);
    assert_int_equal(T->io_out[4], 1);
}

/* CPL 3 > IOPL 0: the bitmap decides. */
static void test_bitmap_allowed_denied(void **state)
{
    (void)state;
    prot32("e4 60", 3, 0);
    assert_int_equal(io_exit(0x60, 1, true, false, false), XA_OK);
    assert_int_equal(T->io_read_calls, 1);
    prot32("e4 60", 3, 0);
    deny(0x60);
    assert_int_equal(io_exit(0x60, 1, true, false, false), XA_EXCEPTION);
    assert_int_equal(O.exception.vector, XA_VEC_GP);
    assert_true(O.exception.has_error_code);
    assert_int_equal(O.exception.error_code, 0);
    assert_int_equal(T->io_read_calls, 0);
    assert_int_equal(T->set_calls, 0);
    /* Another port's bit does not matter. */
    prot32("e4 60", 3, 0);
    deny(0x61);
    assert_int_equal(io_exit(0x60, 1, true, false, false), XA_OK);
}

/* IN EAX, DX at port 0x3fe covers 0x3fe..0x401: two bitmap bytes; any bit set denies. */
static void test_bitmap_straddle(void **state)
{
    (void)state;
    prot32("ed", 3, 0);
    T->regs[RDX].u64 = 0x3fe;
    assert_int_equal(step(), XA_OK);
    prot32("ed", 3, 0);
    T->regs[RDX].u64 = 0x3fe;
    deny(0x401);
    assert_int_equal(step(), XA_EXCEPTION);
    assert_int_equal(O.exception.vector, XA_VEC_GP);
    assert_int_equal(T->io_read_calls, 0);
    prot32("ed", 3, 0);
    T->regs[RDX].u64 = 0x3fe;
    deny(0x402); /* just past the access */
    assert_int_equal(step(), XA_OK);
}

/* The bitmap bytes the CPU reads must lie inside the TR limit; TR must be a TSS. */
static void test_bitmap_limit_and_tr(void **state)
{
    (void)state;
    prot32("e4 10", 3, 0); /* port 0x10: bitmap byte 2 (and 3) */
    T->regs[XA_R_TR].seg.limit = IOMAP + 3;
    assert_int_equal(step(), XA_OK);
    prot32("e4 10", 3, 0);
    T->regs[XA_R_TR].seg.limit = IOMAP + 2; /* the second byte read is past the limit */
    assert_int_equal(step(), XA_EXCEPTION);
    assert_int_equal(O.exception.vector, XA_VEC_GP);
    prot32("e4 10", 3, 0);
    T->regs[XA_R_TR].seg.attr = 0x83; /* a 16-bit TSS */
    assert_int_equal(step(), XA_EXCEPTION);
    prot32("e4 10", 3, 0);
    T->regs[XA_R_TR].seg.attr = 0x0b; /* not present */
    assert_int_equal(step(), XA_EXCEPTION);
    prot32("e4 10", 3, 0);
    T->ram[TSS + 0x66] = 0xff; /* bitmap base past the limit */
    T->ram[TSS + 0x67] = 0xff;
    assert_int_equal(step(), XA_EXCEPTION);
    assert_int_equal(T->io_read_calls, 0);
}

/* 64-bit mode, CPL 3: the TSS is read as a supervisor access through the page walk (a
 * supervisor-only TSS page is fine; an unmapped one is #PF without the U bit). */
static void test_bitmap_read_through_paging(void **state)
{
    (void)state;
    long64("e4 60");
    T->regs[XA_R_CS].seg.attr = 0xa0fb;
    T->regs[XA_R_SS].seg.attr = 0xc0f3;
    T->regs[XA_R_TR].seg.base = 0x7000;
    T->regs[XA_R_TR].seg.limit = IOMAP + 0x2000;
    T->regs[XA_R_TR].seg.attr = 0x8b; /* busy 64-bit TSS */
    T->ram[0x7000 + 0x66] = IOMAP;
    T->ram[0x7000 + IOMAP + 0x2000] = 0xff;
    th_set_pte(T, 0x7000, 0x7000 | 3); /* present, writable, supervisor */
    th_set_pte(T, 0x8000, 0x8000 | 3);
    assert_int_equal(step(), XA_OK);
    assert_int_equal(T->io_read_calls, 1);
    T->regs[XA_R_RIP].u64 = TH_CODE;
    T->ram[0x7000 + IOMAP + 0x60 / 8] = 1; /* port 0x60 denied */
    assert_int_equal(step(), XA_EXCEPTION);
    assert_int_equal(O.exception.vector, XA_VEC_GP);
    T->ram[0x7000 + IOMAP + 0x60 / 8] = 0;
    th_set_pte(T, 0x7000, 0); /* the TSS page unmapped */
    assert_int_equal(step(), XA_EXCEPTION);
    assert_int_equal(O.exception.vector, XA_VEC_PF);
    assert_int_equal(O.exception.cr2, 0x7066);
    assert_int_equal(O.exception.error_code, 0); /* not present, read, supervisor */
    assert_int_equal(T->io_read_calls, 0);
}

/* CPL <= IOPL: no bitmap at all (even a broken TR is fine). */
static void test_iopl_allows(void **state)
{
    (void)state;
    prot32("e4 60", 3, 3);
    deny(0x60);
    T->regs[XA_R_TR].seg.attr = 0;
    assert_int_equal(step(), XA_OK);
    assert_int_equal(T->io_read_calls, 1);
    prot32("e4 60", 2, 1);
    deny(0x60);
    assert_int_equal(step(), XA_EXCEPTION);
}

/* Virtual-8086 mode checks the bitmap whatever IOPL is. */
static void test_v86_uses_bitmap(void **state)
{
    (void)state;
    prot32("e4 60", 3, 3);
    T->regs[XA_R_RFLAGS].u64 = 0x2 | (3u << 12) | (1u << 17);
    T->regs[XA_R_RIP].u64 = 0;
    T->regs[XA_R_CS].seg.base = TH_CODE;
    T->regs[XA_R_CS].seg.selector = TH_CODE >> 4;
    T->regs[XA_R_CS].seg.limit = 0xffff;
    assert_int_equal(step(), XA_OK);
    assert_int_equal(T->regs[XA_R_RIP].u64, 2);
    T->regs[XA_R_RIP].u64 = 0;
    deny(0x60);
    assert_int_equal(step(), XA_EXCEPTION);
    assert_int_equal(O.exception.vector, XA_VEC_GP);
    assert_int_equal(T->io_read_calls, 0);
}

/* REP INSB: the permission check comes before the count and any memory check. */
static void test_rep_ins_check_order(void **state)
{
    (void)state;
    prot32("f3 6c", 3, 0);
    deny(0x1f0);
    T->regs[RDX].u64 = 0x1f0;
    T->regs[RCX].u64 = 0;
    assert_int_equal(step(), XA_EXCEPTION);
    assert_int_equal(O.exception.vector, XA_VEC_GP);
    prot32("f3 6c", 3, 0);
    T->regs[RDX].u64 = 0x1f0;
    T->regs[RCX].u64 = 4;
    T->regs[RDI].u64 = 0x10000;
    T->regs[XA_R_ES].seg.limit = 0x1000; /* the destination is outside ES */
    assert_int_equal(step(), XA_EXCEPTION);
    assert_int_equal(O.exception.vector, XA_VEC_GP);
    assert_int_equal(T->io_read_calls, 0); /* the port was not touched */
}

/* An exit that does not describe the instruction: XA_RETRY, no port access. */
static void test_exit_mismatch(void **state)
{
    (void)state;
    long64("e4 60");
    assert_int_equal(io_exit(0x61, 1, true, false, false), XA_RETRY);
    assert_int_equal(io_exit(0x60, 2, true, false, false), XA_RETRY);
    assert_int_equal(io_exit(0x60, 1, false, false, false), XA_RETRY);
    assert_int_equal(io_exit(0x60, 1, true, true, false), XA_RETRY);
    assert_int_equal(T->io_read_calls + T->io_write_calls, 0);
    assert_int_equal(T->set_calls, 0);
    long64("f3 6c");
    T->regs[RDX].u64 = 0x1f0;
    T->regs[RCX].u64 = 1;
    T->regs[RDI].u64 = 0x30000;
    assert_int_equal(io_exit(0x1f0, 1, true, true, false), XA_RETRY); /* rep differs */
    assert_int_equal(io_exit(0x1f0, 1, true, true, true), XA_OK);
    /* Not an I/O instruction at all. */
    long64("88 03");
    assert_int_equal(io_exit(0x60, 1, false, false, false), XA_RETRY);
    /* The exit's bytes are used first. */
    long64("90");
    struct xa_io_exit ex = {0x60, 1, true, false, false, 2, {0xe4, 0x60}};
    th_clear(T);
    assert_int_equal(xa_assist_io(&V, &ex, &O), XA_OK);
    assert_int_equal(T->io_read_calls, 1);
    ex.size = 3;
    assert_int_equal(xa_assist_io(&V, &ex, &O), XA_ERR_BAD_ARGUMENT);
}

/* A failed get_regs while checking the exit (DX of OUTS) is XA_ERR_CALLBACK, not a
 * mismatch (fuzz input io-exit-get-regs-fails). */
static void test_exit_check_get_regs_fails(void **state)
{
    (void)state;
    long64("f3 6e");
    T->fail_get = 2; /* the mode registers, then RDX */
    assert_int_equal(io_exit(0x3f8, 1, false, true, true), XA_ERR_CALLBACK);
    assert_int_equal(T->io_write_calls, 0);
    assert_int_equal(T->set_calls, 0);
    T->fail_get = 0;
}

/* An MMIO exit on an IN is stale: XA_RETRY before the port is touched. */
static void test_mmio_exit_on_in(void **state)
{
    (void)state;
    long64("e4 60");
    struct xa_mmio_exit ex = {TH_MMIO, 0, false, 0, {0}};
    th_clear(T);
    assert_int_equal(xa_assist_mmio(&V, &ex, &O), XA_RETRY);
    assert_int_equal(T->io_read_calls, 0);
}

static void test_no_callbacks_unsupported(void **state)
{
    (void)state;
    long64("e4 60");
    T->with_io = false;
    th_init_vcpu(T, &V);
    assert_int_equal(step(), XA_ERR_UNSUPPORTED);
    assert_int_equal(T->set_calls, 0);
    long64("f3 6e");
    T->with_io = false;
    th_init_vcpu(T, &V);
    T->regs[RCX].u64 = 2;
    assert_int_equal(step(), XA_ERR_UNSUPPORTED);
    assert_int_equal(T->data_reads, 0);
}

/* A failing io_read in the second page run: the first run is written and committed. */
static void test_failing_port_keeps_done(void **state)
{
    (void)state;
    long64("f3 6c");
    uint8_t data[0x1000];
    memset(data, 0x5c, sizeof(data));
    in_data(data, sizeof(data));
    T->regs[RCX].u64 = 0x1000;
    T->regs[RDI].u64 = 0x30800;
    T->regs[RDX].u64 = 0x1f0;
    T->fail_io = 2;
    assert_int_equal(step(), XA_ERR_CALLBACK);
    assert_int_equal(T->ram[0x30fff], 0x5c);
    assert_int_equal(T->ram[0x31000], 0);
    assert_int_equal(T->regs[RCX].u64, 0x800);
    assert_int_equal(T->regs[RDI].u64, 0x31000);
    assert_int_equal(T->regs[XA_R_RIP].u64, TH_CODE);
    /* A failing OUT: no register written. */
    long64("e6 60");
    T->fail_io = 1;
    assert_int_equal(step(), XA_ERR_CALLBACK);
    assert_int_equal(T->set_calls, 0);
}

/* The budget with an I/O exit: each call does at most the budget, the same exit again. */
static void test_budget_io_exit(void **state)
{
    (void)state;
    long64("f3 6e");
    T->regs[RCX].u64 = 10;
    T->regs[RSI].u64 = 0x20000;
    T->regs[RDX].u64 = 0x3f8;
    V.rep_budget = 4;
    unsigned calls = 0;
    xa_status s;
    unsigned out = 0;
    while ((s = io_exit(0x3f8, 1, false, true, true)) == XA_CONTINUE) {
        calls++;
        out += T->io_out_len;
        assert_int_equal(T->regs[XA_R_RIP].u64, TH_CODE);
    }
    out += T->io_out_len;
    assert_int_equal(s, XA_OK);
    assert_int_equal(calls, 2);
    assert_int_equal(out, 10);
    assert_int_equal(T->regs[RCX].u64, 0);
    assert_int_equal(T->regs[RSI].u64, 0x2000a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_al_imm_merges),
        cmocka_unit_test(test_in_eax_dx_zero_extends),
        cmocka_unit_test(test_out_dx_ax),
        cmocka_unit_test(test_rep_outsb_4k_runs),
        cmocka_unit_test(test_rep_insb_4k),
        cmocka_unit_test(test_rep_insw_down),
        cmocka_unit_test(test_rep_outsd_down),
        cmocka_unit_test(test_bitmap_allowed_denied),
        cmocka_unit_test(test_bitmap_straddle),
        cmocka_unit_test(test_bitmap_limit_and_tr),
        cmocka_unit_test(test_bitmap_read_through_paging),
        cmocka_unit_test(test_iopl_allows),
        cmocka_unit_test(test_v86_uses_bitmap),
        cmocka_unit_test(test_rep_ins_check_order),
        cmocka_unit_test(test_exit_mismatch),
        cmocka_unit_test(test_exit_check_get_regs_fails),
        cmocka_unit_test(test_mmio_exit_on_in),
        cmocka_unit_test(test_no_callbacks_unsupported),
        cmocka_unit_test(test_failing_port_keeps_done),
        cmocka_unit_test(test_budget_io_exit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
