/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The handler tables (sorted; the lookup agrees with a plain search) and the vCPU's walk
 * cache (struct xa_vcpu walk): kept while the paging state is the same, made anew when
 * CR3, the RAM window or the vCPU's address change.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

bool xai_handlers_check(void); /* emulator/handlers.h (internal) */

static struct th *T;

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

static void test_tables_sorted(void **state)
{
    (void)state;
    assert_true(xai_handlers_check());
}

/* A page-table entry in guest (little-endian) byte order, whatever the host's. */
static void put64(uint64_t gpa, uint64_t v)
{
    uint8_t b[8];
    for (unsigned i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    th_put(T, gpa, b, 8);
}

/* mov dword [rax], ebx at TH_CODE, RAX = @p la, one xa_step: the GPA written. */
static uint64_t step_store(struct xa_vcpu *v, uint64_t la, uint32_t value)
{
    static const uint8_t code[] = {0x89, 0x18};
    th_put(T, TH_CODE, code, sizeof(code));
    T->regs[XA_R_RAX].u64 = la;
    T->regs[XA_R_RAX + 3].u64 = value;
    T->regs[XA_R_RIP].u64 = TH_CODE;
    th_clear(T);
    struct xa_outcome out;
    assert_int_equal(xa_step(v, &out), XA_OK);
    assert_int_equal(T->nlog, 1);
    assert_int_equal(T->log[0].op, 'w');
    return T->log[0].gpa;
}

static void test_walk_cache_follows_state(void **state)
{
    (void)state;
    th_setup_long(T);
    struct xa_vcpu v;
    th_init_vcpu(T, &v);
    const uint64_t la = 0x300000, other = 0x180000;
    /* The same state three times: plain walk, then prepared, then prepared again. */
    for (unsigned k = 0; k < 3; k++)
        assert_int_equal(step_store(&v, la, k), la);
    /* A second set of tables mapping la elsewhere: a new CR3 must be seen. */
    memcpy(T->ram + other, T->ram + TH_PT, 0x5000);
    put64(other, (other + 0x1000) | 7);
    put64(other + 0x1000, (other + 0x2000) | 7);
    put64(other + 0x2000, (other + 0x3000) | 7);
    put64(other + 0x2008, (other + 0x4000) | 7);
    put64(other + 0x4000 + 8 * 256, (la + 0x1000) | 7);
    T->regs[XA_R_CR3].u64 = other;
    for (unsigned k = 0; k < 3; k++)
        assert_int_equal(step_store(&v, la, k), la + 0x1000);
    /* With the RAM window (entries read from it), then with the old CR3 again. */
    v.ram = T->ram;
    v.ram_size = TH_MMIO;
    for (unsigned k = 0; k < 3; k++)
        assert_int_equal(step_store(&v, la, k), la + 0x1000);
    T->regs[XA_R_CR3].u64 = TH_PT;
    assert_int_equal(step_store(&v, la, 7), la);
    /* A copied vCPU walks with its own context, not the original's. */
    struct xa_vcpu copy = v;
    for (unsigned k = 0; k < 3; k++)
        assert_int_equal(step_store(&copy, la, k), la);
    /* A page-table change without a register change is read by the next walk. */
    th_set_pte(T, la, (la + 0x2000) | 0x67);
    assert_int_equal(step_store(&copy, la, 9), la + 0x2000);
    th_set_pte(T, la, la | 0x67);
    /* CR0.WP off then on again: a supervisor write to a read-only page. */
    th_set_pte(T, la, la | 0x65);
    T->regs[XA_R_CR0].u64 &= ~(UINT64_C(1) << 16);
    assert_int_equal(step_store(&v, la, 1), la);
    assert_int_equal(step_store(&v, la, 2), la);
    T->regs[XA_R_CR0].u64 |= UINT64_C(1) << 16;
    struct xa_outcome out;
    T->regs[XA_R_RIP].u64 = TH_CODE;
    assert_int_equal(xa_step(&v, &out), XA_EXCEPTION);
    assert_int_equal(out.exception.vector, XA_VEC_PF);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tables_sorted),
        cmocka_unit_test(test_walk_cache_follows_state),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
