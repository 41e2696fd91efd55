/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Scenario tests of the emulator core through the public API: the fetch, the
 * exit check, segmentation and paging faults, page-crossing operands, LOCK and
 * the compare-and-exchange retry, callback failures, the MOV and stack handlers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "emulator/emu.h"
#include "harness.h"

static struct th *T, *B;
static struct xa_vcpu V;
static struct xa_outcome O;

#define RSP (XA_R_RAX + 4)

static int setup(void **state)
{
    (void)state;
    T = calloc(1, sizeof(*T));
    B = calloc(1, sizeof(*B));
    return T && B ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(T);
    free(B);
    return 0;
}

static void code(uint64_t gpa, const char *hex, uint8_t *bytes, unsigned *n)
{
    unsigned k = 0;
    for (const char *p = hex; *p;) {
        if (*p == ' ') {
            p++;
            continue;
        }
        unsigned v;
        char b[3] = {p[0], p[1], 0};
        v = (unsigned)strtoul(b, NULL, 16);
        bytes[k++] = (uint8_t)v;
        p += 2;
    }
    th_put(T, gpa, bytes, k);
    *n = k;
}

/* Runs an MMIO exit at gpa with the instruction @p hex at RIP (bytes given when @p give). */
static xa_status mmio(const char *hex, uint64_t gpa, bool give)
{
    struct xa_mmio_exit ex;
    memset(&ex, 0, sizeof(ex));
    unsigned n;
    uint8_t b[32];
    code(T->regs[XA_R_RIP].u64 + T->regs[XA_R_CS].seg.base, hex, b, &n);
    memcpy(ex.bytes, b, n < 15 ? n : 15);
    ex.nbytes = give ? (uint8_t)(n < 15 ? n : 15) : 0;
    ex.gpa = gpa;
    th_init_vcpu(T, &V);
    th_clear(T);
    return xa_assist_mmio(&V, &ex, &O);
}

static xa_status step(const char *hex)
{
    uint8_t b[32];
    unsigned n;
    code(T->regs[XA_R_RIP].u64 + T->regs[XA_R_CS].seg.base, hex, b, &n);
    th_init_vcpu(T, &V);
    th_clear(T);
    return xa_step(&V, &O);
}

static void assert_nothing_done(void)
{
    assert_int_equal(T->set_calls, 0);
    for (unsigned i = 0; i < T->nlog; i++)
        assert_int_not_equal(T->log[i].op, 'w');
}

static void assert_exception(xa_status s, unsigned vector, uint32_t ec)
{
    assert_int_equal(s, XA_EXCEPTION);
    assert_int_equal(O.status, XA_EXCEPTION);
    assert_int_equal(O.exception.vector, vector);
    assert_int_equal(O.exception.error_code, ec);
    assert_nothing_done();
}

/* ---- the MMIO path -------------------------------------------------------- */

static void test_store_mmio(void **state)
{
    (void)state;
    th_setup_long(T);
    T->regs[XA_R_RAX].u64 = TH_MMIO + 0x10;
    T->regs[XA_R_RAX + 3].u64 = 0xffffffff12345678u;
    for (int give = 1; give >= 0; give--) {
        T->regs[XA_R_RIP].u64 = TH_CODE;
        xa_status s = mmio("89 18", TH_MMIO + 0x10, give);
        assert_int_equal(s, XA_OK);
        assert_int_equal(O.mnemonic, XA_MNEM_MOV);
        assert_int_equal(T->nlog, 1);
        assert_int_equal(T->log[0].op, 'w');
        assert_int_equal(T->log[0].gpa, TH_MMIO + 0x10);
        assert_int_equal(T->log[0].size, 4);
        assert_int_equal(th_get(T, TH_MMIO + 0x10, 4), 0x12345678);
        assert_int_equal(T->regs[XA_R_RIP].u64, TH_CODE + 2);
        assert_int_equal(T->set_calls, 1);
        assert_int_equal(T->set_count, 1); /* RIP only: RFLAGS unchanged */
        assert_int_equal(T->get_calls, 2); /* the mode batch, then the operand batch */
    }
}

static void test_load_mmio_zero_extends(void **state)
{
    (void)state;
    th_setup_long(T);
    T->regs[XA_R_RAX].u64 = TH_MMIO + 0x20;
    T->regs[XA_R_RAX + 1].u64 = ~UINT64_C(0);
    th_put(T, TH_MMIO + 0x20, "\x11\x22\x33\x44", 4);
    assert_int_equal(mmio("8b 08", TH_MMIO + 0x20, true), XA_OK);
    assert_int_equal(T->regs[XA_R_RAX + 1].u64, 0x44332211);
    assert_int_equal(T->nlog, 1);
    assert_int_equal(T->log[0].op, 'r');
}

static void test_exit_bytes_too_few(void **state)
{
    (void)state;
    th_setup_long(T);
    T->regs[XA_R_RAX].u64 = TH_MMIO;
    struct xa_mmio_exit ex;
    memset(&ex, 0, sizeof(ex));
    unsigned n;
    code(TH_CODE, "c7 00 78 56 34 12", ex.bytes, &n);
    ex.nbytes = 2; /* the rest is fetched */
    ex.gpa = TH_MMIO;
    th_init_vcpu(T, &V);
    th_clear(T);
    assert_int_equal(xa_assist_mmio(&V, &ex, &O), XA_OK);
    assert_int_equal(th_get(T, TH_MMIO, 4), 0x12345678);
    assert_int_equal(T->regs[XA_R_RIP].u64, TH_CODE + 6);
}

static void test_gpa_mismatch_retry(void **state)
{
    (void)state;
    th_setup_long(T);
    T->regs[XA_R_RAX].u64 = TH_MMIO + 0x10;
    assert_int_equal(mmio("89 18", TH_MMIO + 0x800, true), XA_RETRY);
    assert_int_equal(O.status, XA_RETRY);
    assert_nothing_done();
    assert_int_equal(T->data_reads + T->data_writes, 0);
    /* A load that does not match does not read the device either. */
    assert_int_equal(mmio("8b 08", TH_MMIO + 0x800, true), XA_RETRY);
    assert_int_equal(T->data_reads, 0);
    /* The GVA must match too. */
    struct xa_mmio_exit ex;
    memset(&ex, 0, sizeof(ex));
    unsigned n;
    code(TH_CODE, "89 18", ex.bytes, &n);
    ex.nbytes = (uint8_t)n;
    ex.gpa = TH_MMIO + 0x10;
    ex.gva = TH_MMIO + 0x14;
    ex.gva_valid = true;
    th_clear(T);
    assert_int_equal(xa_assist_mmio(&V, &ex, &O), XA_RETRY);
    assert_nothing_done();
    ex.gva = TH_MMIO + 0x12;
    assert_int_equal(xa_assist_mmio(&V, &ex, &O), XA_OK);
}

static void test_gpa_matches_second_piece(void **state)
{
    (void)state;
    th_setup_long(T);
    /* An operand that starts in RAM and ends in the MMIO page: the exit names the MMIO part. */
    T->regs[XA_R_RAX].u64 = TH_MMIO - 2;
    T->regs[XA_R_RAX + 3].u64 = 0x12345678;
    assert_int_equal(mmio("89 18", TH_MMIO, true), XA_OK);
    assert_int_equal(T->nlog, 2);
    assert_int_equal(T->log[0].gpa, TH_MMIO - 2);
    assert_int_equal(T->log[0].size, 2);
    assert_int_equal(T->log[1].gpa, TH_MMIO);
    assert_int_equal(T->log[1].size, 2);
    assert_int_equal(th_get(T, TH_MMIO - 2, 4), 0x12345678);
}

/* ---- faults ----------------------------------------------------------------- */

static void test_page_cross_fault_second_page(void **state)
{
    (void)state;
    th_setup_long(T);
    T->regs[XA_R_RAX].u64 = 0x3ffe;
    th_set_pte(T, 0x4000, 0); /* not present */
    assert_exception(step("89 18"), XA_VEC_PF, 0x2);
    assert_int_equal(O.exception.cr2, 0x4000);
    assert_int_equal(T->regs[XA_R_RIP].u64, TH_CODE);
}

static void test_user_supervisor_page(void **state)
{
    (void)state;
    th_setup_long(T);
    T->regs[XA_R_CS].seg.attr = 0xa0fb;
    T->regs[XA_R_SS].seg.attr = 0xc0f3;
    T->regs[XA_R_RAX].u64 = 0x5000;
    th_set_pte(T, 0x5000, 0x5003); /* supervisor */
    assert_exception(step("89 18"), XA_VEC_PF, 0x7);
    assert_int_equal(O.exception.cr2, 0x5000);
}

static void test_alignment_check(void **state)
{
    (void)state;
    th_setup_long(T);
    T->regs[XA_R_CS].seg.attr = 0xa0fb;
    T->regs[XA_R_SS].seg.attr = 0xc0f3;
    T->regs[XA_R_RFLAGS].u64 = 0x40002; /* AC */
    T->regs[XA_R_RAX].u64 = 0x5001;
    assert_exception(step("89 18"), XA_VEC_AC, 0);
    /* Byte accesses are always aligned; without EFLAGS.AC nothing is checked. */
    assert_int_equal(step("88 18"), XA_OK);
    T->regs[XA_R_RIP].u64 = TH_CODE;
    T->regs[XA_R_RFLAGS].u64 = 0x2;
    assert_int_equal(step("89 18"), XA_OK);
}

static void test_noncanonical(void **state)
{
    (void)state;
    th_setup_long(T);
    T->regs[XA_R_RAX].u64 = UINT64_C(0x0000800000000000);
    assert_exception(step("89 18"), XA_VEC_GP, 0);
    T->regs[RSP].u64 = UINT64_C(0x0000800000000000);
    assert_exception(step("89 1c 24"), XA_VEC_SS, 0);
}

static void test_segment_faults_prot32(void **state)
{
    (void)state;
    th_setup_prot32(T);
    T->regs[XA_R_DS].seg.limit = 0xfff;
    T->regs[XA_R_RAX].u64 = 0xffe;
    assert_exception(step("89 18"), XA_VEC_GP, 0);
    T->regs[XA_R_SS].seg.limit = 0xfff;
    T->regs[RSP].u64 = 0xffd;
    assert_exception(step("89 1c 24"), XA_VEC_SS, 0);
    /* A read-only data segment refuses the write (#GP even though it is a limit-free one). */
    th_setup_prot32(T);
    T->regs[XA_R_DS].seg.attr = 0xc091;
    T->regs[XA_R_RAX].u64 = 0x3000;
    assert_exception(step("89 18"), XA_VEC_GP, 0);
    /* ...but reads from it. */
    T->regs[XA_R_RIP].u64 = TH_CODE;
    assert_int_equal(step("8b 18"), XA_OK);
}

static void test_fetch_faults(void **state)
{
    (void)state;
    th_setup_long(T);
    /* A 6-byte instruction whose last 2 bytes are on a page that is not present. */
    T->regs[XA_R_RIP].u64 = 0x5ffc;
    T->regs[XA_R_RAX].u64 = 0x3000;
    th_set_pte(T, 0x6000, 0);
    assert_exception(step("c7 00 78 56"), XA_VEC_PF, 0x10);
    assert_int_equal(O.exception.cr2, 0x6000);
    /* Invalid bytes: #UD. */
    th_setup_long(T);
    assert_exception(step("d6"), XA_VEC_UD, 0);
    /* More than 15 bytes: #GP(0). */
    assert_exception(step("66 66 66 66 66 66 66 66 66 66 66 66 66 66 89 18"), XA_VEC_GP, 0);
}

static void test_code_limit_prot32(void **state)
{
    (void)state;
    th_setup_prot32(T);
    T->regs[XA_R_CS].seg.limit = TH_CODE + 3; /* the 6-byte instruction passes the limit */
    T->regs[XA_R_RAX].u64 = 0x3000;
    assert_exception(step("c7 00 78 56 34 12"), XA_VEC_GP, 0);
    T->regs[XA_R_CS].seg.limit = TH_CODE + 5; /* exactly fits */
    assert_int_equal(step("c7 00 78 56 34 12"), XA_OK);
    assert_int_equal(th_get(T, 0x3000, 4), 0x12345678);
}

/* ---- LOCK ---------------------------------------------------------------------- */

static void test_lock_not_lockable(void **state)
{
    (void)state;
    th_setup_long(T);
    T->regs[XA_R_RAX].u64 = TH_MMIO;
    assert_exception(mmio("f0 89 18", TH_MMIO, true), XA_VEC_UD, 0);
}

static void test_lock_cmpxchg_retry(void **state)
{
    (void)state;
    th_setup_long(T);
    T->regs[XA_R_RAX].u64 = 0x3000;
    T->regs[XA_R_RAX + 3].u64 = 0x10;
    th_put(T, 0x3000, "\x05\0\0\0", 4);
    T->cmpxchg_changes = 1; /* another vCPU adds 1 between our read and our exchange */
    xa_status s = step("f0 01 18");
    if (s == XA_ERR_UNSUPPORTED)
        skip(); /* ADD not linked in this build */
    assert_int_equal(s, XA_OK);
    assert_int_equal(th_get(T, 0x3000, 4), 0x16); /* 5 + 1 + 0x10: the re-run saw the 6 */
    assert_int_equal(T->set_calls, 1);
    unsigned reads = 0, xchg = 0;
    for (unsigned i = 0; i < T->nlog; i++) {
        reads += T->log[i].op == 'r';
        xchg += T->log[i].op == 'x';
        assert_true(T->log[i].flags & XA_MEM_LOCKED);
    }
    assert_int_equal(reads, 2);
    assert_int_equal(xchg, 1);

    /* Memory that keeps changing: bounded, then XA_RETRY with nothing written. */
    T->regs[XA_R_RIP].u64 = TH_CODE;
    th_init_vcpu(T, &V);
    th_clear(T);
    T->cmpxchg_changes = 1000;
    assert_int_equal(xa_step(&V, &O), XA_RETRY);
    assert_int_equal(T->set_calls, 0);
    assert_int_equal(T->data_cmpxchg_calls, XAI_LOCK_RETRIES);
    T->cmpxchg_changes = 0;
}

static void test_lock_fallback_without_cmpxchg(void **state)
{
    (void)state;
    th_setup_long(T);
    T->no_cmpxchg = true;
    T->regs[XA_R_RAX].u64 = 0x3000;
    T->regs[XA_R_RAX + 3].u64 = 0x10;
    th_put(T, 0x3000, "\x05\0\0\0", 4);
    xa_status s = step("f0 01 18");
    if (s == XA_ERR_UNSUPPORTED)
        skip();
    assert_int_equal(s, XA_OK);
    assert_int_equal(th_get(T, 0x3000, 4), 0x15);
    assert_int_equal(T->nlog, 2);
    assert_int_equal(T->log[0].op, 'r');
    assert_int_equal(T->log[1].op, 'w');
    assert_true(T->log[1].flags & XA_MEM_LOCKED);
    assert_int_equal(T->data_cmpxchg_calls, 0);
}

/* ---- callback failures ------------------------------------------------------------ */

static void test_callback_failures(void **state)
{
    (void)state;
    const struct {
        int get, set, read, write;
        const char *insn;
    } cases[] = {
        /* The second get_regs: xa_assist_mmio asks for RAX and RBX with the mode registers
         * (one call); PUSH asks for RSP on top. */
        {1, 0, 0, 0, "89 18"}, {2, 0, 0, 0, "ff 30"}, {0, 0, 1, 0, "8b 08"},
        {0, 0, 0, 1, "89 18"}, {0, 1, 0, 0, "89 18"}, {0, 0, 1, 0, "ff 30"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        th_setup_long(T);
        T->regs[XA_R_RAX].u64 = TH_MMIO;
        T->regs[RSP].u64 = 0x8000;
        T->regs[XA_R_RAX + 3].u64 = 0x1234;
        /* A first run without failure sets the A/D bits (which a failure may leave set,
         * as the CPU does); the state to compare is the initial one with those bits. */
        memcpy(B, T, sizeof(*T));
        assert_int_equal(mmio(cases[i].insn, TH_MMIO, true), XA_OK);
        memcpy(B->ram + TH_PT, T->ram + TH_PT, 0x100000);
        memcpy(T, B, sizeof(*T));
        T->fail_get = cases[i].get;
        T->fail_set = cases[i].set;
        T->fail_read_data = cases[i].read;
        T->fail_write = cases[i].write;
        xa_status s = mmio(cases[i].insn, TH_MMIO, true);
        assert_int_equal(s, XA_ERR_CALLBACK);
        assert_int_equal(O.status, XA_ERR_CALLBACK);
        /* Nothing guest-visible: registers and memory as before (the code mmio() put). */
        memcpy(B->ram + TH_CODE, T->ram + TH_CODE, 16);
        assert_memory_equal(T->regs, B->regs, sizeof(B->regs));
        /* When set_regs fails the staged writes were done: only the registers are kept. */
        if (!cases[i].set)
            assert_memory_equal(T->ram, B->ram, TH_RAM_SIZE);
    }
}

/* ---- the handlers ------------------------------------------------------------------ */

static void test_push_pop(void **state)
{
    (void)state;
    th_setup_long(T);
    T->regs[XA_R_RAX].u64 = TH_MMIO;
    T->regs[RSP].u64 = 0x8000;
    th_put(T, TH_MMIO, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
    assert_int_equal(mmio("ff 30", TH_MMIO, true), XA_OK); /* push qword [rax] */
    assert_int_equal(T->regs[RSP].u64, 0x7ff8);
    assert_int_equal(th_get(T, 0x7ff8, 8), UINT64_C(0x0807060504030201));
    assert_int_equal(T->set_count, 2); /* RSP, RIP */

    /* pop qword [rsp+8]: the address uses RSP after the pop. */
    th_setup_long(T);
    T->regs[RSP].u64 = 0x8000;
    th_put(T, 0x8000, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
    assert_int_equal(step("8f 44 24 08"), XA_OK);
    assert_int_equal(T->regs[RSP].u64, 0x8008);
    assert_int_equal(th_get(T, 0x8010, 8), UINT64_C(0x8877665544332211));

    /* pop rsp: the popped value wins. */
    th_setup_long(T);
    T->regs[RSP].u64 = 0x8000;
    th_put(T, 0x8000, "\x00\x90\0\0\0\0\0\0", 8);
    assert_int_equal(step("5c"), XA_OK);
    assert_int_equal(T->regs[RSP].u64, 0x9000);

    /* A stack that is MMIO: push to it is the exit's access. */
    th_setup_long(T);
    T->regs[RSP].u64 = TH_MMIO + 0x100;
    T->regs[XA_R_RAX + 3].u64 = 0xabcdef;
    assert_int_equal(mmio("53", TH_MMIO + 0xf8, true), XA_OK);
    assert_int_equal(th_get(T, TH_MMIO + 0xf8, 8), 0xabcdef);
    T->regs[XA_R_RIP].u64 = TH_CODE;
    assert_int_equal(mmio("53", TH_MMIO + 0x800, true), XA_RETRY);
    assert_int_equal(T->set_calls, 0);
}

static void test_stack_16bit(void **state)
{
    (void)state;
    th_setup_real(T);
    T->regs[RSP].u64 = 0x12340000; /* upper bits kept; SP wraps at 64 KiB */
    T->regs[XA_R_RAX].u64 = 0xbeef;
    T->regs[XA_R_SS].seg.base = 0x20000;
    assert_int_equal(step("50"), XA_OK);
    assert_int_equal(T->regs[RSP].u64, 0x1234fffe);
    assert_int_equal(th_get(T, 0x2fffe, 2), 0xbeef);
}

static void test_mov_forms(void **state)
{
    (void)state;
    th_setup_long(T);
    th_put(T, 0x3000, "\x80\xff\x7f\x80", 4);
    T->regs[XA_R_RAX + 3].u64 = 0x3000;           /* rbx */
    assert_int_equal(step("48 0f be 03"), XA_OK); /* movsx rax, byte [rbx] */
    assert_int_equal(T->regs[XA_R_RAX].u64, UINT64_C(0xffffffffffffff80));
    T->regs[XA_R_RIP].u64 = TH_CODE;
    assert_int_equal(step("0f b7 03"), XA_OK); /* movzx eax, word [rbx] */
    assert_int_equal(T->regs[XA_R_RAX].u64, 0xff80);
    T->regs[XA_R_RIP].u64 = TH_CODE;
    assert_int_equal(step("48 63 03"), XA_OK); /* movsxd rax, dword [rbx] */
    assert_int_equal(T->regs[XA_R_RAX].u64, UINT64_C(0xffffffff807fff80));
    T->regs[XA_R_RIP].u64 = TH_CODE;
    assert_int_equal(step("0f 38 f0 03"), XA_OK); /* movbe eax, [rbx] */
    assert_int_equal(T->regs[XA_R_RAX].u64, 0x80ff7f80);
    T->regs[XA_R_RIP].u64 = TH_CODE;
    T->regs[XA_R_RAX].u64 = 0x1122334455667788u;
    assert_int_equal(step("48 a3 00 40 00 00 00 00 00 00"), XA_OK); /* mov [0x4000], rax */
    assert_int_equal(th_get(T, 0x4000, 8), 0x1122334455667788u);
    T->regs[XA_R_RIP].u64 = TH_CODE;
    assert_int_equal(step("8a 25 f0 ff ff ff"), XA_OK); /* mov ah, [rip-0x10] */
    assert_int_equal((T->regs[XA_R_RAX].u64 >> 8) & 0xff, th_get(T, TH_CODE + 6 - 0x10, 1));
    T->regs[XA_R_RIP].u64 = TH_CODE;
    assert_int_equal(step("66 c7 03 34 12"), XA_OK); /* mov word [rbx], 0x1234 */
    assert_int_equal(th_get(T, 0x3000, 4), 0x807f1234);
    T->regs[XA_R_RIP].u64 = TH_CODE;
    assert_int_equal(step("8c 1b"), XA_OK); /* mov [rbx], ds */
    T->regs[XA_R_RIP].u64 = TH_CODE;
    assert_int_equal(step("8e 1b"), XA_ERR_UNSUPPORTED); /* mov ds, [rbx] */
    assert_int_equal(O.mnemonic, XA_MNEM_MOV);
    assert_int_equal(T->set_calls, 0);
}

static void test_rf_cleared_and_unsupported(void **state)
{
    (void)state;
    th_setup_long(T);
    T->regs[XA_R_RFLAGS].u64 = 0x10002;
    T->regs[XA_R_RAX].u64 = 0x3000;
    assert_int_equal(step("89 18"), XA_OK);
    assert_int_equal(T->regs[XA_R_RFLAGS].u64, 0x2);
    T->regs[XA_R_RIP].u64 = TH_CODE;
    assert_int_equal(step("0f a2"), XA_ERR_UNSUPPORTED); /* cpuid */
    assert_int_equal(O.mnemonic, XA_MNEM_CPUID);
    assert_int_equal(T->set_calls, 0);
}

static void test_emulate_decoded(void **state)
{
    (void)state;
    th_setup_long(T);
    T->regs[XA_R_RAX].u64 = 0x3000;
    T->regs[XA_R_RAX + 3].u64 = 7;
    struct xa_insn insn;
    assert_int_equal(xa_decode(&insn, XA_MODE_64, XA_VENDOR_INTEL, (const uint8_t *)"\x89\x18", 2),
                     XA_OK);
    th_init_vcpu(T, &V);
    th_clear(T);
    assert_int_equal(xa_emulate(&V, &insn, &O), XA_OK);
    assert_int_equal(th_get(T, 0x3000, 4), 7);
    /* Decoded in another mode than the vCPU's: refused. */
    assert_int_equal(xa_decode(&insn, XA_MODE_32, XA_VENDOR_INTEL, (const uint8_t *)"\x89\x18", 2),
                     XA_OK);
    assert_int_equal(xa_emulate(&V, &insn, &O), XA_ERR_BAD_ARGUMENT);
    assert_int_equal(xa_vcpu_init(&V, NULL, NULL, NULL), XA_ERR_BAD_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_mmio),
        cmocka_unit_test(test_load_mmio_zero_extends),
        cmocka_unit_test(test_exit_bytes_too_few),
        cmocka_unit_test(test_gpa_mismatch_retry),
        cmocka_unit_test(test_gpa_matches_second_piece),
        cmocka_unit_test(test_page_cross_fault_second_page),
        cmocka_unit_test(test_user_supervisor_page),
        cmocka_unit_test(test_alignment_check),
        cmocka_unit_test(test_noncanonical),
        cmocka_unit_test(test_segment_faults_prot32),
        cmocka_unit_test(test_fetch_faults),
        cmocka_unit_test(test_code_limit_prot32),
        cmocka_unit_test(test_lock_not_lockable),
        cmocka_unit_test(test_lock_cmpxchg_retry),
        cmocka_unit_test(test_lock_fallback_without_cmpxchg),
        cmocka_unit_test(test_callback_failures),
        cmocka_unit_test(test_push_pop),
        cmocka_unit_test(test_stack_16bit),
        cmocka_unit_test(test_mov_forms),
        cmocka_unit_test(test_rf_cleared_and_unsupported),
        cmocka_unit_test(test_emulate_decoded),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
