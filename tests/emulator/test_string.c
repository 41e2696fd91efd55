/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Scenario tests of the string engine (MOVS STOS LODS CMPS SCAS with REP/REPE/REPNE):
 * batching per page run, faults in the middle, the iteration budget, DF=1, the 16-bit
 * and 32-bit address-size wraps, MMIO on both sides with the exit check, CMPS/SCAS
 * stopping without reading past the element that ends them, failing callbacks.
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

/* Puts the instruction @p hex at the linear RIP (identity-mapped in every setup used). */
static void code_at(uint64_t gpa, const char *hex)
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
}

static void long_mode(const char *hex)
{
    th_setup_long(T);
    code_at(TH_CODE, hex);
    th_init_vcpu(T, &V);
}

static void fill(uint64_t gpa, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++)
        T->ram[gpa + i] = (uint8_t)(seed + i * 7);
}

static xa_status step(void)
{
    th_clear(T);
    return xa_step(&V, &O);
}

static unsigned elem_of(unsigned flags)
{
    return 1u << ((flags & XA_MEM_ELEM_MASK) >> XA_MEM_ELEM_SHIFT);
}

/* REP MOVSB over two source pages and two destination pages: one read and one write per
 * page-contiguous run (3 runs), batched, the copy exact. */
static void test_movsb_page_runs(void **state)
{
    (void)state;
    long_mode("f3 a4");
    fill(0x20800, 0x1800, 3);
    T->regs[RCX].u64 = 0x1800;
    T->regs[RSI].u64 = 0x20800;
    T->regs[RDI].u64 = 0x30400;
    assert_int_equal(step(), XA_OK);
    assert_int_equal(T->data_reads, 3);
    assert_int_equal(T->data_writes, 3);
    assert_int_equal(T->log[0].op, 'r');
    assert_int_equal(T->log[0].gpa, 0x20800);
    assert_int_equal(T->log[0].size, 0x800);
    assert_true(T->log[0].flags & XA_MEM_BATCHED);
    assert_false(T->log[0].flags & XA_MEM_DOWN);
    assert_int_equal(elem_of(T->log[0].flags), 1);
    assert_int_equal(T->log[1].op, 'w');
    assert_int_equal(T->log[1].gpa, 0x30400);
    assert_int_equal(T->log[2].size, 0x400); /* the destination's page ends first */
    assert_int_equal(T->log[4].size, 0xc00);
    assert_memory_equal(T->ram + 0x30400, T->ram + 0x20800, 0x1800);
    assert_int_equal(T->regs[RCX].u64, 0);
    assert_int_equal(T->regs[RSI].u64, 0x22000);
    assert_int_equal(T->regs[RDI].u64, 0x31c00);
    assert_int_equal(T->regs[XA_R_RIP].u64, TH_CODE + 2);
    assert_int_equal(T->set_calls, 1);
}

/* A #PF on the destination's second page: exactly the first page's iterations done,
 * their registers committed, RIP unchanged, the fault reported. */
static void test_movsb_fault_middle(void **state)
{
    (void)state;
    long_mode("f3 a4");
    fill(0x20000, 0x2000, 9);
    th_set_pte(T, 0x41000, 0); /* not present */
    T->regs[RCX].u64 = 0x2000;
    T->regs[RSI].u64 = 0x20000;
    T->regs[RDI].u64 = 0x40000;
    assert_int_equal(step(), XA_EXCEPTION);
    assert_int_equal(O.exception.vector, XA_VEC_PF);
    assert_int_equal(O.exception.cr2, 0x41000);
    assert_int_equal(O.exception.error_code, 2); /* write, not present, supervisor */
    assert_int_equal(T->regs[RCX].u64, 0x1000);
    assert_int_equal(T->regs[RSI].u64, 0x21000);
    assert_int_equal(T->regs[RDI].u64, 0x41000);
    assert_int_equal(T->regs[XA_R_RIP].u64, TH_CODE);
    assert_memory_equal(T->ram + 0x40000, T->ram + 0x20000, 0x1000);
    assert_int_equal(T->ram[0x41000], 0);
    assert_int_equal(T->data_writes, 1);
    assert_int_equal(T->set_calls, 1);
}

/* A fault on the very first iteration changes nothing (no set_regs). */
static void test_fault_first_no_change(void **state)
{
    (void)state;
    long_mode("f3 a4");
    th_set_pte(T, 0x20000, 0);
    T->regs[RCX].u64 = 5;
    T->regs[RSI].u64 = 0x20000;
    T->regs[RDI].u64 = 0x40000;
    assert_int_equal(step(), XA_EXCEPTION);
    assert_int_equal(O.exception.vector, XA_VEC_PF);
    assert_int_equal(T->set_calls, 0);
    assert_int_equal(T->data_reads + T->data_writes, 0);
    assert_int_equal(T->regs[RCX].u64, 5);
}

/* The budget: XA_CONTINUE with RCX/RDI exact and RIP unchanged, then re-entry to the end. */
static void test_budget_reentry(void **state)
{
    (void)state;
    long_mode("f3 aa");
    T->regs[RCX].u64 = 100;
    T->regs[RDI].u64 = 0x50000;
    T->regs[RAX].u64 = 0x5a;
    V.rep_budget = 30;
    assert_int_equal(step(), XA_CONTINUE);
    assert_int_equal(T->regs[RCX].u64, 70);
    assert_int_equal(T->regs[RDI].u64, 0x50000 + 30);
    assert_int_equal(T->regs[XA_R_RIP].u64, TH_CODE);
    assert_int_equal(T->ram[0x50000 + 29], 0x5a);
    assert_int_equal(T->ram[0x50000 + 30], 0);
    unsigned calls = 1;
    xa_status s;
    while ((s = step()) == XA_CONTINUE)
        calls++;
    assert_int_equal(s, XA_OK);
    assert_int_equal(calls + 1, 4);
    assert_int_equal(T->regs[RCX].u64, 0);
    assert_int_equal(T->regs[RDI].u64, 0x50000 + 100);
    assert_int_equal(T->regs[XA_R_RIP].u64, TH_CODE + 2);
    assert_int_equal(T->ram[0x50000 + 99], 0x5a);
    assert_int_equal(T->ram[0x50000 + 100], 0);
}

/* DF=1: MOVSD downwards; the batch holds the elements in address order, flagged DOWN. */
static void test_movsd_down(void **state)
{
    (void)state;
    long_mode("f3 a5");
    fill(0x20000, 16, 1);
    T->regs[XA_R_RFLAGS].u64 = 0x402;
    T->regs[RCX].u64 = 4;
    T->regs[RSI].u64 = 0x2000c;
    T->regs[RDI].u64 = 0x3000c;
    assert_int_equal(step(), XA_OK);
    assert_int_equal(T->data_reads, 1);
    assert_int_equal(T->log[0].gpa, 0x20000);
    assert_int_equal(T->log[0].size, 16);
    assert_true(T->log[0].flags & XA_MEM_DOWN);
    assert_int_equal(elem_of(T->log[0].flags), 4);
    assert_memory_equal(T->ram + 0x30000, T->ram + 0x20000, 16);
    assert_int_equal(T->regs[RSI].u64, 0x1fffc);
    assert_int_equal(T->regs[RDI].u64, 0x2fffc);
}

/* DF=1 across a page boundary going down: two runs, the upper page first. */
static void test_stosw_down_cross(void **state)
{
    (void)state;
    long_mode("66 f3 ab");
    T->regs[XA_R_RFLAGS].u64 = 0x402;
    T->regs[RCX].u64 = 8;
    T->regs[RDI].u64 = 0x50006; /* words at 0x50006 .. 0x4fff8 */
    T->regs[RAX].u64 = 0xbeef;
    assert_int_equal(step(), XA_OK);
    assert_int_equal(T->data_writes, 2);
    assert_int_equal(T->log[0].gpa, 0x50000);
    assert_int_equal(T->log[0].size, 8);
    assert_int_equal(T->log[1].gpa, 0x4fff8);
    assert_int_equal(T->log[1].size, 8);
    assert_int_equal(th_get(T, 0x4fff8, 2), 0xbeef);
    assert_int_equal(th_get(T, 0x50006, 2), 0xbeef);
    assert_int_equal(th_get(T, 0x50008, 2), 0);
    assert_int_equal(T->regs[RDI].u64, 0x4fff6);
}

/* Real mode: SI wraps at 64 KiB, the upper bits of RSI/RCX stay, two runs. */
static void test_wrap16(void **state)
{
    (void)state;
    th_setup_real(T);
    code_at(0x10100, "f3 a4");
    th_init_vcpu(T, &V);
    T->ram[0xfffe] = 0x11;
    T->ram[0xffff] = 0x22;
    T->ram[0x0] = 0x33;
    T->ram[0x1] = 0x44;
    T->regs[RCX].u64 = 0xabcd00000004ull;
    T->regs[RSI].u64 = 0x12340000fffeull;
    T->regs[RDI].u64 = 0x2000;
    assert_int_equal(step(), XA_OK);
    assert_int_equal(T->data_reads, 2);
    assert_int_equal(th_get(T, 0x2000, 4), 0x44332211);
    assert_int_equal(T->regs[RSI].u64, 0x123400000002ull);
    assert_int_equal(T->regs[RCX].u64, 0xabcd00000000ull);
    assert_int_equal(T->regs[RDI].u64, 0x2004);
}

/* 64-bit mode with 67h: ESI/EDI/ECX, written back zero-extended. */
static void test_adsize32_zero_extends(void **state)
{
    (void)state;
    long_mode("67 f3 a4");
    fill(0x20000, 2, 5);
    T->regs[RCX].u64 = 0xffffffff00000002ull;
    T->regs[RSI].u64 = 0xaaaaaaaa00020000ull;
    T->regs[RDI].u64 = 0x5555555500030000ull;
    assert_int_equal(step(), XA_OK);
    assert_int_equal(th_get(T, 0x30000, 2), th_get(T, 0x20000, 2));
    assert_int_equal(T->regs[RCX].u64, 0);
    assert_int_equal(T->regs[RSI].u64, 0x20002);
    assert_int_equal(T->regs[RDI].u64, 0x30002);
}

/* A segment limit cutting a run: element by element to the exact faulting iteration. */
static void test_segment_limit_middle(void **state)
{
    (void)state;
    th_setup_prot32(T);
    code_at(TH_CODE, "f3 a4");
    th_init_vcpu(T, &V);
    T->regs[XA_R_DS].seg.limit = 0x20ff;
    fill(0x2000, 0x100, 2);
    T->regs[RCX].u64 = 0x200;
    T->regs[RSI].u64 = 0x2000;
    T->regs[RDI].u64 = 0x8000;
    assert_int_equal(step(), XA_EXCEPTION);
    assert_int_equal(O.exception.vector, XA_VEC_GP);
    assert_int_equal(O.exception.error_code, 0);
    assert_int_equal(T->regs[RCX].u64, 0x100);
    assert_int_equal(T->regs[RSI].u64, 0x2100);
    assert_int_equal(T->regs[RDI].u64, 0x8100);
    assert_int_equal(T->regs[XA_R_RIP].u64, TH_CODE);
    assert_memory_equal(T->ram + 0x8000, T->ram + 0x2000, 0x100);
}

/* Both operands MMIO, through xa_assist_mmio: the exit names the first element. */
static void test_mmio_both_exit(void **state)
{
    (void)state;
    long_mode("f3 66 a5");
    fill(TH_MMIO, 8, 4);
    T->regs[RCX].u64 = 4;
    T->regs[RSI].u64 = TH_MMIO;
    T->regs[RDI].u64 = TH_MMIO + 0x800;
    struct xa_mmio_exit ex = {TH_MMIO + 0x801, TH_MMIO + 0x800, true, 0, {0}};
    th_clear(T);
    assert_int_equal(xa_assist_mmio(&V, &ex, &O), XA_OK);
    assert_int_equal(T->data_reads, 1);
    assert_int_equal(T->data_writes, 1);
    assert_int_equal(elem_of(T->log[0].flags), 2);
    assert_memory_equal(T->ram + TH_MMIO + 0x800, T->ram + TH_MMIO, 8);
    assert_int_equal(T->regs[RCX].u64, 0);
}

/* An exit naming the run but not its first element: XA_RETRY before any access. */
static void test_mmio_exit_not_first(void **state)
{
    (void)state;
    long_mode("f3 a4");
    T->regs[RCX].u64 = 16;
    T->regs[RSI].u64 = TH_MMIO;
    T->regs[RDI].u64 = 0x30000;
    struct xa_mmio_exit ex = {TH_MMIO + 4, 0, false, 0, {0}};
    th_clear(T);
    assert_int_equal(xa_assist_mmio(&V, &ex, &O), XA_RETRY);
    assert_int_equal(T->data_reads + T->data_writes, 0);
    assert_int_equal(T->set_calls, 0);
    /* The destination's first element names it too. */
    ex.gpa = 0x30000;
    th_clear(T);
    assert_int_equal(xa_assist_mmio(&V, &ex, &O), XA_OK);
    assert_int_equal(T->regs[RCX].u64, 0);
}

/* REPE CMPSB stops at the first difference and reads nothing past it. */
static void test_repe_cmpsb_stops(void **state)
{
    (void)state;
    long_mode("f3 a6");
    th_put(T, 0x20000, "abcdefghijklmnop", 16);
    th_put(T, 0x30000, "abcXefghijklmnop", 16);
    T->regs[RCX].u64 = 16;
    T->regs[RSI].u64 = 0x20000;
    T->regs[RDI].u64 = 0x30000;
    assert_int_equal(step(), XA_OK);
    assert_int_equal(T->data_reads, 8); /* 4 iterations, source then destination */
    assert_int_equal(T->log[6].gpa, 0x20003);
    assert_int_equal(T->log[7].gpa, 0x30003);
    assert_int_equal(T->regs[RCX].u64, 12);
    assert_int_equal(T->regs[RSI].u64, 0x20004);
    assert_int_equal(T->regs[RDI].u64, 0x30004);
    uint64_t f = T->regs[XA_R_RFLAGS].u64;
    assert_false(f & 0x40); /* ZF: 'd' != 'X' */
    assert_false(f & 0x1);  /* CF: 'd' (0x64) > 'X' (0x58) */
    assert_int_equal(T->regs[XA_R_RIP].u64, TH_CODE + 2);
}

/* REPNE SCASB finds the byte and stops there; a fault after some iterations keeps the
 * flags of the last completed one. */
static void test_repne_scasb(void **state)
{
    (void)state;
    long_mode("f2 ae");
    th_put(T, 0x20ffc, "\x01\x02\x03\x04", 4);
    th_set_pte(T, 0x21000, 0);
    T->regs[RAX].u64 = 0x03;
    T->regs[RCX].u64 = 100;
    T->regs[RDI].u64 = 0x20ffc;
    assert_int_equal(step(), XA_OK);
    assert_int_equal(T->data_reads, 3);
    assert_int_equal(T->regs[RCX].u64, 97);
    assert_int_equal(T->regs[RDI].u64, 0x20fff);
    assert_true(T->regs[XA_R_RFLAGS].u64 & 0x40);
    /* Not found before the unmapped page: #PF after 3 iterations, flags of the 3rd. */
    T->regs[XA_R_RIP].u64 = TH_CODE;
    T->regs[RAX].u64 = 0x01;
    T->regs[RCX].u64 = 100;
    T->regs[RDI].u64 = 0x20ffd;
    T->regs[XA_R_RFLAGS].u64 = 0x2 | 0x40;
    assert_int_equal(step(), XA_EXCEPTION);
    assert_int_equal(O.exception.vector, XA_VEC_PF);
    assert_int_equal(T->regs[RCX].u64, 97);
    assert_int_equal(T->regs[RDI].u64, 0x21000);
    assert_false(T->regs[XA_R_RFLAGS].u64 & 0x40); /* 1 - 4 != 0 */
    assert_true(T->regs[XA_R_RFLAGS].u64 & 0x1);   /* 1 < 4: borrow */
    assert_int_equal(T->regs[XA_R_RIP].u64, TH_CODE);
}

/* A failed mem_write in the second run: the first run stays written and its iterations
 * are committed; RIP unchanged; XA_ERR_CALLBACK. */
static void test_callback_failure_keeps_done(void **state)
{
    (void)state;
    long_mode("f3 a4");
    fill(0x20000, 0x1800, 6);
    T->regs[RCX].u64 = 0x1800;
    T->regs[RSI].u64 = 0x20000;
    T->regs[RDI].u64 = 0x30000;
    T->fail_write = 2;
    assert_int_equal(step(), XA_ERR_CALLBACK);
    T->fail_write = 0;
    assert_memory_equal(T->ram + 0x30000, T->ram + 0x20000, 0x1000);
    assert_int_equal(T->ram[0x31000], 0);
    assert_int_equal(T->regs[RCX].u64, 0x800);
    assert_int_equal(T->regs[RSI].u64, 0x21000);
    assert_int_equal(T->regs[RDI].u64, 0x31000);
    assert_int_equal(T->regs[XA_R_RIP].u64, TH_CODE);
}

/* A long REP prepares the walks at once: a failed get_regs there (PKRU, with CR4.PKE) ends
 * the instruction before any access, with no callback after it (found by the state
 * fuzzer: the failure was ignored and PKRU asked for again). */
static void test_paging_setup_failure_ends(void **state)
{
    (void)state;
    long_mode("f3 a4");
    T->regs[XA_R_CR4].u64 |= UINT64_C(1) << 22; /* PKE: the walks need PKRU */
    T->regs[RCX].u64 = 0x3000;                  /* over 2 * STR_BUF: prepared at once */
    T->regs[RSI].u64 = 0x20000;
    T->regs[RDI].u64 = 0x30000;
    T->fail_get = 3; /* mode registers, operand registers, then PKRU */
    /* The exit's bytes: no fetch walk asks for PKRU before the string engine does. */
    struct xa_mmio_exit ex = {0x20000, 0x20000, true, 2, {0xf3, 0xa4}};
    th_clear(T);
    assert_int_equal(xa_assist_mmio(&V, &ex, &O), XA_ERR_CALLBACK);
    assert_int_equal(T->get_calls, 3);
    assert_int_equal(T->set_calls, 0);
    assert_int_equal(T->nlog, 0);
    assert_int_equal(T->regs[RCX].u64, 0x3000);
    T->fail_get = 0;
}

/* REP with a zero count: no access, RIP advances, nothing else written. */
static void test_rep_count_zero(void **state)
{
    (void)state;
    long_mode("f3 a4");
    T->regs[RCX].u64 = 0;
    T->regs[RSI].u64 = 0x20000;
    T->regs[RDI].u64 = 0x30000;
    th_set_pte(T, 0x20000, 0); /* would fault if touched */
    assert_int_equal(step(), XA_OK);
    assert_int_equal(T->data_reads + T->data_writes, 0);
    assert_int_equal(T->regs[XA_R_RIP].u64, TH_CODE + 2);
    assert_int_equal(T->set_count, 1); /* RIP only */
    /* With an MMIO exit it cannot be the exit's instruction (no access): XA_RETRY. */
    T->regs[XA_R_RIP].u64 = TH_CODE;
    struct xa_mmio_exit ex = {0x30000, 0, false, 0, {0}};
    th_clear(T);
    assert_int_equal(xa_assist_mmio(&V, &ex, &O), XA_RETRY);
    assert_int_equal(T->set_calls, 0);
}

/* LODS: the last element loaded lands in AL (merged); FS override on the source. */
static void test_lodsb_fs_override(void **state)
{
    (void)state;
    long_mode("64 f3 ac");
    T->regs[XA_R_FS].seg.base = 0x1000;
    th_put(T, 0x21000, "\x10\x20\x30", 3);
    T->regs[RAX].u64 = 0x1111111111111111ull;
    T->regs[RCX].u64 = 3;
    T->regs[RSI].u64 = 0x20000;
    assert_int_equal(step(), XA_OK);
    assert_int_equal(T->data_reads, 1);
    assert_int_equal(T->log[0].gpa, 0x21000);
    assert_int_equal(T->regs[RAX].u64, 0x1111111111111130ull);
    assert_int_equal(T->regs[RSI].u64, 0x20003);
}

/* F2 on MOVS acts as REP; a non-REP MOVSQ moves one element and leaves RCX. */
static void test_f2_movs_and_single(void **state)
{
    (void)state;
    long_mode("f2 a4");
    fill(0x20000, 4, 8);
    T->regs[RCX].u64 = 4;
    T->regs[RSI].u64 = 0x20000;
    T->regs[RDI].u64 = 0x30000;
    assert_int_equal(step(), XA_OK);
    assert_int_equal(T->regs[RCX].u64, 0);
    assert_int_equal(th_get(T, 0x30000, 4), th_get(T, 0x20000, 4));
    long_mode("48 a5");
    fill(0x20000, 8, 9);
    T->regs[RCX].u64 = 7;
    T->regs[RSI].u64 = 0x20000;
    T->regs[RDI].u64 = 0x30000;
    assert_int_equal(step(), XA_OK);
    assert_int_equal(T->regs[RCX].u64, 7);
    assert_int_equal(th_get(T, 0x30000, 8), th_get(T, 0x20000, 8));
    assert_int_equal(T->regs[RDI].u64, 0x30008);
    assert_false(T->log[0].flags & XA_MEM_BATCHED);
}

/* Overlapping MOVSB forwards (destination one byte above the source): the CPU's
 * element-by-element result (a fill), not a memmove. */
static void test_movsb_overlap_forward(void **state)
{
    (void)state;
    long_mode("f3 a4");
    th_put(T, 0x20000, "\x41\x42\x43\x44\x45\x46\x47\x48", 8);
    T->regs[RCX].u64 = 7;
    T->regs[RSI].u64 = 0x20000;
    T->regs[RDI].u64 = 0x20001;
    assert_int_equal(step(), XA_OK);
    for (unsigned i = 0; i < 8; i++)
        assert_int_equal(T->ram[0x20000 + i], 0x41);
}

/* #AC per element: a byte run at an odd address is fine at CPL 3 with AC on; a word run
 * at an odd address faults on its first element. */
static void test_ac_per_element(void **state)
{
    (void)state;
    long_mode("f3 aa");
    T->regs[XA_R_CR0].u64 |= 1u << 18;
    T->regs[XA_R_RFLAGS].u64 = 0x2 | (1u << 18);
    T->regs[XA_R_CS].seg.attr = 0xa0fb;
    T->regs[XA_R_SS].seg.attr = 0xc0f3;
    T->regs[RCX].u64 = 8;
    T->regs[RDI].u64 = 0x50001;
    assert_int_equal(step(), XA_OK);
    assert_int_equal(T->data_writes, 1);
    long_mode("66 f3 ab");
    T->regs[XA_R_CR0].u64 |= 1u << 18;
    T->regs[XA_R_RFLAGS].u64 = 0x2 | (1u << 18);
    T->regs[XA_R_CS].seg.attr = 0xa0fb;
    T->regs[XA_R_SS].seg.attr = 0xc0f3;
    T->regs[RCX].u64 = 8;
    T->regs[RDI].u64 = 0x50001;
    assert_int_equal(step(), XA_EXCEPTION);
    assert_int_equal(O.exception.vector, XA_VEC_AC);
    assert_int_equal(T->data_writes, 0);
}

/* MOVSD and CMPSD also name SSE instructions: those go on to their own handler. */
static void test_sse_movsd_not_string(void **state)
{
    (void)state;
    long_mode("f2 0f 11 00");       /* movsd [rax], xmm0 */
    T->regs[XA_R_CR4].u64 |= 0x200; /* OSFXSR */
    T->regs[RAX].u64 = 0x50000;
    for (unsigned i = 0; i < 16; i++)
        T->regs[XA_R_ZMM0].vec[i] = (uint8_t)(0xa0 + i);
    T->regs[RCX].u64 = 5; /* a string MOVSD would use these */
    T->regs[RSI].u64 = 0x20000;
    T->regs[RDI].u64 = 0x30000;
    assert_int_equal(step(), XA_OK);
    assert_int_equal(O.mnemonic, XA_MNEM_MOVSD);
    assert_int_equal(th_get(T, 0x50000, 8), 0xa7a6a5a4a3a2a1a0ull);
    assert_int_equal(T->data_writes, 1);
    assert_int_equal(T->regs[RCX].u64, 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_movsb_page_runs),
        cmocka_unit_test(test_movsb_fault_middle),
        cmocka_unit_test(test_fault_first_no_change),
        cmocka_unit_test(test_budget_reentry),
        cmocka_unit_test(test_movsd_down),
        cmocka_unit_test(test_stosw_down_cross),
        cmocka_unit_test(test_wrap16),
        cmocka_unit_test(test_adsize32_zero_extends),
        cmocka_unit_test(test_segment_limit_middle),
        cmocka_unit_test(test_mmio_both_exit),
        cmocka_unit_test(test_mmio_exit_not_first),
        cmocka_unit_test(test_repe_cmpsb_stops),
        cmocka_unit_test(test_repne_scasb),
        cmocka_unit_test(test_callback_failure_keeps_done),
        cmocka_unit_test(test_paging_setup_failure_ends),
        cmocka_unit_test(test_rep_count_zero),
        cmocka_unit_test(test_lodsb_fs_override),
        cmocka_unit_test(test_f2_movs_and_single),
        cmocka_unit_test(test_movsb_overlap_forward),
        cmocka_unit_test(test_ac_per_element),
        cmocka_unit_test(test_sse_movsd_not_string),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
