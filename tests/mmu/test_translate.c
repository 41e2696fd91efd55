/* SPDX-License-Identifier: BSD-2-Clause */
/* Accesses that cross a page: two walks in address order, faults before any
 * A/D write (SDM vol. 3A 4.8; policy documented in mmu.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <x86assist/mmu.h>

#include "testmem.h"

static struct testmem mem;
static struct xa_paging_state ps;
static struct xa_mmu_ops ops = {.read = tm_read, .cmpxchg = tm_cmpxchg, .write = tm_write};
static struct xa_translation tr;
static struct xa_exception exc;

/* 4-level: PML4 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000 for LA 0..2 MiB. */
static void setup(void)
{
    tm_init(&mem);
    memset(&ps, 0, sizeof(ps));
    ps.cr0 = 0x80010011;
    ps.cr3 = 0x1000;
    ps.cr4 = 0x20;
    ps.efer = 0xd00;
    ps.cpu.maxphyaddr = 46;
    tm_put(&mem, 0x1000, 0x2000 | 0x7, 8);
    tm_put(&mem, 0x2000, 0x3000 | 0x7, 8);
    tm_put(&mem, 0x3000, 0x4000 | 0x7, 8);
    tm_put(&mem, 0x4000 + 5 * 8, 0x9000 | 0x7, 8); /* LA 0x5000 -> 0x9000 */
    tm_put(&mem, 0x4000 + 6 * 8, 0x7000 | 0x7, 8); /* LA 0x6000 -> 0x7000 */
}

static xa_status translate(uint64_t la, uint32_t size, enum xa_access acc, unsigned flags)
{
    mem.nlog = 0;
    return xa_translate(&ps, &ops, &mem, la, size, acc, flags, &tr, &exc);
}

static void test_cross_ok(void **state)
{
    (void)state;
    setup();
    assert_int_equal(translate(0x5ffd, 8, XA_ACCESS_WRITE, 0), XA_OK);
    assert_int_equal(tr.count, 2);
    assert_int_equal(tr.gpa[0], 0x9ffd);
    assert_int_equal(tr.len[0], 3);
    assert_int_equal(tr.gpa[1], 0x7000);
    assert_int_equal(tr.len[1], 5);
    /* first page: PML4E, PDPTE, PDE, PTE(5); second page: only its PTE */
    assert_int_equal(tr.walk[0].nwrites, 4);
    assert_int_equal(tr.walk[1].nwrites, 1);
    assert_int_equal(mem.nlog, 5);
    assert_int_equal(mem.log[3].gpa, 0x4000 + 5 * 8);
    assert_int_equal(mem.log[4].gpa, 0x4000 + 6 * 8);
    assert_int_equal(mem.log[4].value, 0x7000 | 0x67);
}

static void test_within_page(void **state)
{
    (void)state;
    setup();
    assert_int_equal(translate(0x5ff8, 8, XA_ACCESS_READ, 0), XA_OK);
    assert_int_equal(tr.count, 1);
    assert_int_equal(tr.gpa[0], 0x9ff8);
    assert_int_equal(tr.len[0], 8);
}

/* A fault on the second page: reported with its CR2, nothing written for the first. */
static void test_second_faults(void **state)
{
    (void)state;
    setup();
    tm_put(&mem, 0x4000 + 6 * 8, 0x7000 | 0x5, 8); /* read-only */
    assert_int_equal(translate(0x5ffe, 4, XA_ACCESS_WRITE, XA_WALK_USER), XA_EXCEPTION);
    assert_int_equal(exc.vector, 14);
    assert_int_equal(exc.error_code, 0x7);
    assert_int_equal(exc.cr2, 0x6000);
    assert_int_equal(mem.nlog, 0);
    assert_int_equal(tm_get(&mem, 0x1000, 8), 0x2000 | 0x7);
}

/* A fault on both: the first page's is reported (address order). */
static void test_first_faults(void **state)
{
    (void)state;
    setup();
    tm_put(&mem, 0x4000 + 5 * 8, 0, 8);
    tm_put(&mem, 0x4000 + 6 * 8, 0, 8);
    assert_int_equal(translate(0x5ffe, 4, XA_ACCESS_READ, 0), XA_EXCEPTION);
    assert_int_equal(exc.cr2, 0x5ffe);
}

/* Outside IA-32e mode the second page wraps to linear 0. */
static void test_wrap_32bit(void **state)
{
    (void)state;
    setup();
    ps.cr4 = 0x10; /* 32-bit paging, PSE */
    ps.efer = 0;
    tm_put(&mem, 0x1000 + 0x3ff * 4, 0xffc00000u | 0x87, 4); /* last 4 MiB, PS */
    tm_put(&mem, 0x1000, 0x00400000u | 0x87, 4);             /* first 4 MiB */
    assert_int_equal(translate(0xfffffffe, 4, XA_ACCESS_READ, 0), XA_OK);
    assert_int_equal(tr.gpa[0], 0xfffffffeu);
    assert_int_equal(tr.gpa[1], 0x400000);
}

/* In 64-bit mode the second page must be canonical. */
static void test_noncanonical_second(void **state)
{
    (void)state;
    setup();
    assert_int_equal(translate(0x00007ffffffffffeull, 4, XA_ACCESS_READ, XA_WALK_SS_REF),
                     XA_EXCEPTION);
    assert_int_equal(exc.vector, 12);
    assert_int_equal(mem.reads, 0);
}

/* Regression (fuzz): PAE tables where the PDPT, PD and PT share one entry. Setting
 * A in it for the first page makes it an invalid PDPTE for the second page; the
 * checks of both pages come first, so the access succeeds and the entry is
 * written once. */
static void test_shared_pae_entry(void **state)
{
    (void)state;
    setup();
    ps.cr4 = 0x20; /* PAE */
    ps.efer = 0;
    tm_put(&mem, 0x1000, 0x1000 | 0x1, 8); /* PDPTE 0 = PDE 0 = PTE 0 */
    tm_put(&mem, 0x1008, 0x5000 | 0x1, 8); /* PTE 1 */
    assert_int_equal(translate(0xffe, 4, XA_ACCESS_READ, 0), XA_OK);
    assert_int_equal(tr.gpa[0], 0x1ffe);
    assert_int_equal(tr.gpa[1], 0x5000);
    assert_int_equal(mem.nlog, 2);
    assert_int_equal(mem.log[0].gpa, 0x1000);
    assert_int_equal(mem.log[0].value, 0x1021);
    assert_int_equal(mem.log[1].gpa, 0x1008);
    assert_int_equal(tr.walk[0].nwrites, 1);
    assert_int_equal(tr.walk[1].nwrites, 1);
}

static void test_bad_size(void **state)
{
    (void)state;
    setup();
    assert_int_equal(translate(0x5000, 0, XA_ACCESS_READ, 0), XA_ERR_BAD_ARGUMENT);
    assert_int_equal(translate(0x5000, 4097, XA_ACCESS_READ, 0), XA_ERR_BAD_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cross_ok),         cmocka_unit_test(test_within_page),
        cmocka_unit_test(test_second_faults),    cmocka_unit_test(test_first_faults),
        cmocka_unit_test(test_wrap_32bit),       cmocka_unit_test(test_noncanonical_second),
        cmocka_unit_test(test_shared_pae_entry), cmocka_unit_test(test_bad_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
