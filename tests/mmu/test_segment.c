/* SPDX-License-Identifier: BSD-2-Clause */
/* Segmentation unit tests: each mode and each fault (SDM vol. 3A 3.4.5, 5.3,
 * 5.3.1, 5.6, 20.1, 20.2; vol. 1 3.3.7.1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <x86assist/mmu.h>

#define DATA_RW  0x93u /* P, S, type 3 (read/write, accessed) */
#define DATA_RO  0x91u /* read-only */
#define DATA_ED  0x97u /* read/write expand-down */
#define CODE_XR  0x9bu /* execute/read */
#define CODE_XO  0x99u /* execute-only */
#define CODE_CXR 0x9fu /* conforming execute/read */
#define DB       (1u << 14)
#define DPL(n)   ((unsigned)(n) << 5)

static struct xa_exception exc;

static xa_status lin(struct xa_segment s, enum xa_seg which, enum xa_cpu_mode mode, unsigned cpl,
                     unsigned asz, uint64_t off, uint32_t size, enum xa_access acc, uint64_t *la)
{
    struct xa_seg_access c = {mode, (uint8_t)cpl, (uint8_t)asz, false};
    memset(&exc, 0xee, sizeof(exc));
    return xa_segment_to_linear(&s, which, &c, off, size, acc, la, &exc);
}

static void expect_fault(xa_status st, unsigned vec)
{
    assert_int_equal(st, XA_EXCEPTION);
    assert_int_equal(exc.vector, vec);
    assert_true(exc.has_error_code);
    assert_int_equal(exc.error_code, 0);
}

/* SDM 20.1.1: real mode, base = selector * 16, limit enforced (#GP, #SS for SS). */
static void test_real_mode(void **state)
{
    (void)state;
    uint64_t la;
    struct xa_segment s = {0x1234, 0x12340, 0xffff, DATA_RW};
    assert_int_equal(lin(s, XA_SEG_DS, XA_CPU_REAL, 0, 2, 0xfffe, 2, XA_ACCESS_WRITE, &la), XA_OK);
    assert_int_equal(la, 0x2233e);
    /* a word at offset 0xffff crosses the limit: #GP(0), or #SS(0) for SS */
    expect_fault(lin(s, XA_SEG_DS, XA_CPU_REAL, 0, 2, 0xffff, 2, XA_ACCESS_READ, &la), 13);
    expect_fault(lin(s, XA_SEG_SS, XA_CPU_REAL, 0, 2, 0xffff, 2, XA_ACCESS_READ, &la), 12);
    /* the 16-bit effective address wraps before the limit check */
    assert_int_equal(lin(s, XA_SEG_DS, XA_CPU_REAL, 0, 2, 0x10005, 1, XA_ACCESS_READ, &la), XA_OK);
    assert_int_equal(la, 0x12345);
    /* "unreal" mode: a 4 GiB cached limit with a 32-bit address size */
    s.limit = 0xffffffffu;
    assert_int_equal(lin(s, XA_SEG_DS, XA_CPU_REAL, 0, 4, 0x100000, 4, XA_ACCESS_READ, &la), XA_OK);
    assert_int_equal(la, 0x112340);
    /* no type check in real mode: writes through CS are fine */
    s.attr = CODE_XR;
    assert_int_equal(lin(s, XA_SEG_CS, XA_CPU_REAL, 0, 2, 0x10, 1, XA_ACCESS_WRITE, &la), XA_OK);
}

/* SDM 20.2: virtual-8086 mode, as real mode for address formation. */
static void test_v86(void **state)
{
    (void)state;
    uint64_t la;
    struct xa_segment s = {0xb800, 0xb8000, 0xffff, DATA_RW | DPL(3)};
    assert_int_equal(lin(s, XA_SEG_ES, XA_CPU_V86, 3, 2, 0x10, 2, XA_ACCESS_WRITE, &la), XA_OK);
    assert_int_equal(la, 0xb8010);
    expect_fault(lin(s, XA_SEG_ES, XA_CPU_V86, 3, 2, 0xfffd, 4, XA_ACCESS_WRITE, &la), 13);
}

/* SDM 5.3: expand-up limit, every byte checked; base wraps at 4 GiB. */
static void test_protected_limit(void **state)
{
    (void)state;
    uint64_t la;
    struct xa_segment s = {0x10, 0x10000, 0xfff, DATA_RW | DB};
    assert_int_equal(lin(s, XA_SEG_DS, XA_CPU_PROTECTED, 0, 4, 0xffc, 4, XA_ACCESS_READ, &la),
                     XA_OK);
    assert_int_equal(la, 0x10ffc);
    expect_fault(lin(s, XA_SEG_DS, XA_CPU_PROTECTED, 0, 4, 0xffd, 4, XA_ACCESS_READ, &la), 13);
    expect_fault(lin(s, XA_SEG_SS, XA_CPU_PROTECTED, 0, 4, 0x1000, 1, XA_ACCESS_READ, &la), 12);
    /* a flat segment: an access at the top of 4 GiB does not wrap */
    s.base = 0;
    s.limit = 0xffffffffu;
    expect_fault(lin(s, XA_SEG_DS, XA_CPU_PROTECTED, 0, 4, 0xfffffffe, 4, XA_ACCESS_READ, &la), 13);
    s.base = 0xf0000000u;
    assert_int_equal(lin(s, XA_SEG_DS, XA_CPU_PROTECTED, 0, 4, 0x20000000, 4, XA_ACCESS_READ, &la),
                     XA_OK);
    assert_int_equal(la, 0x10000000); /* linear address wraps at 32 bits */
}

/* SDM 5.3: expand-down segments, upper bound 0xffff (B=0) or 0xffffffff (B=1). */
static void test_expand_down(void **state)
{
    (void)state;
    uint64_t la;
    struct xa_segment s = {0x18, 0, 0x0fff, DATA_ED};
    expect_fault(lin(s, XA_SEG_SS, XA_CPU_PROTECTED, 0, 2, 0x0fff, 1, XA_ACCESS_READ, &la), 12);
    assert_int_equal(lin(s, XA_SEG_SS, XA_CPU_PROTECTED, 0, 2, 0x1000, 2, XA_ACCESS_WRITE, &la),
                     XA_OK);
    assert_int_equal(lin(s, XA_SEG_SS, XA_CPU_PROTECTED, 0, 2, 0xfffe, 2, XA_ACCESS_WRITE, &la),
                     XA_OK);
    expect_fault(lin(s, XA_SEG_SS, XA_CPU_PROTECTED, 0, 4, 0xffff, 2, XA_ACCESS_WRITE, &la), 12);
    s.attr |= DB;
    assert_int_equal(lin(s, XA_SEG_DS, XA_CPU_PROTECTED, 0, 4, 0xffff, 2, XA_ACCESS_WRITE, &la),
                     XA_OK);
    assert_int_equal(lin(s, XA_SEG_DS, XA_CPU_PROTECTED, 0, 4, 0xfffffffc, 4, XA_ACCESS_WRITE, &la),
                     XA_OK);
    expect_fault(lin(s, XA_SEG_DS, XA_CPU_PROTECTED, 0, 4, 0xfffffffd, 4, XA_ACCESS_WRITE, &la),
                 13);
}

/* SDM 3.4.5.1, 5.4.1: type checks: #GP(0), also through SS. */
static void test_types(void **state)
{
    (void)state;
    uint64_t la;
    struct xa_segment ro = {0x20, 0, 0xffff, DATA_RO};
    expect_fault(lin(ro, XA_SEG_DS, XA_CPU_PROTECTED, 0, 4, 0, 1, XA_ACCESS_WRITE, &la), 13);
    expect_fault(lin(ro, XA_SEG_SS, XA_CPU_PROTECTED, 0, 4, 0, 1, XA_ACCESS_WRITE, &la), 13);
    assert_int_equal(lin(ro, XA_SEG_DS, XA_CPU_PROTECTED, 0, 4, 0, 1, XA_ACCESS_READ, &la), XA_OK);
    struct xa_segment xr = {0x8, 0, 0xffff, CODE_XR};
    expect_fault(lin(xr, XA_SEG_CS, XA_CPU_PROTECTED, 0, 4, 0, 1, XA_ACCESS_WRITE, &la), 13);
    assert_int_equal(lin(xr, XA_SEG_DS, XA_CPU_PROTECTED, 0, 4, 0, 1, XA_ACCESS_READ, &la), XA_OK);
    assert_int_equal(lin(xr, XA_SEG_CS, XA_CPU_PROTECTED, 0, 4, 0, 1, XA_ACCESS_FETCH, &la), XA_OK);
    struct xa_segment xo = {0x8, 0, 0xffff, CODE_XO};
    expect_fault(lin(xo, XA_SEG_CS, XA_CPU_PROTECTED, 0, 4, 0, 1, XA_ACCESS_READ, &la), 13);
    struct xa_segment d = {0x10, 0, 0xffff, DATA_RW};
    expect_fault(lin(d, XA_SEG_CS, XA_CPU_PROTECTED, 0, 4, 0, 1, XA_ACCESS_FETCH, &la), 13);
}

/* SDM 5.4.1 / instruction pages: a null selector (unusable) faults with #GP(0). */
static void test_null_and_present(void **state)
{
    (void)state;
    uint64_t la;
    struct xa_segment n = {0, 0, 0, XA_SEG_ATTR_UNUSABLE};
    expect_fault(lin(n, XA_SEG_ES, XA_CPU_PROTECTED, 0, 4, 0, 1, XA_ACCESS_READ, &la), 13);
    expect_fault(lin(n, XA_SEG_FS, XA_CPU_COMPAT, 0, 4, 0, 1, XA_ACCESS_WRITE, &la), 13);
    expect_fault(lin(n, XA_SEG_SS, XA_CPU_PROTECTED, 0, 4, 0, 1, XA_ACCESS_READ, &la), 12);
    struct xa_segment np = {0x10, 0, 0xffff, DATA_RW & ~0x80u};
    expect_fault(lin(np, XA_SEG_DS, XA_CPU_PROTECTED, 0, 4, 0, 1, XA_ACCESS_READ, &la), 13);
    struct xa_segment sys = {0x10, 0, 0xffff, 0x8b}; /* a TSS in DS */
    expect_fault(lin(sys, XA_SEG_DS, XA_CPU_PROTECTED, 0, 4, 0, 1, XA_ACCESS_READ, &la), 13);
}

/* SDM 5.6 (policy for a loaded cache): a data segment with DPL < CPL faults. */
static void test_privilege(void **state)
{
    (void)state;
    uint64_t la;
    struct xa_segment d0 = {0x10, 0, 0xffff, DATA_RW | DPL(0)};
    assert_int_equal(lin(d0, XA_SEG_DS, XA_CPU_PROTECTED, 0, 4, 0, 1, XA_ACCESS_READ, &la), XA_OK);
    expect_fault(lin(d0, XA_SEG_DS, XA_CPU_PROTECTED, 3, 4, 0, 1, XA_ACCESS_READ, &la), 13);
    struct xa_segment c0 = {0x8, 0, 0xffff, CODE_CXR | DPL(0)};
    assert_int_equal(lin(c0, XA_SEG_ES, XA_CPU_PROTECTED, 3, 4, 0, 1, XA_ACCESS_READ, &la),
                     XA_OK); /* conforming code: no check */
    struct xa_segment d3 = {0x23, 0, 0xffff, DATA_RW | DPL(3)};
    assert_int_equal(lin(d3, XA_SEG_DS, XA_CPU_PROTECTED, 3, 4, 0, 1, XA_ACCESS_WRITE, &la), XA_OK);
}

/* SDM 3.4.4, 5.3.1: 64-bit mode: base only for FS/GS, no limits, canonical #GP/#SS. */
static void test_long_mode(void **state)
{
    (void)state;
    uint64_t la;
    struct xa_segment s = {0, 0x1000, 0, XA_SEG_ATTR_UNUSABLE};
    assert_int_equal(lin(s, XA_SEG_DS, XA_CPU_LONG, 3, 8, 0x123456789ull, 8, XA_ACCESS_WRITE, &la),
                     XA_OK);
    assert_int_equal(la, 0x123456789ull);
    assert_int_equal(lin(s, XA_SEG_GS, XA_CPU_LONG, 3, 8, 0x10, 8, XA_ACCESS_READ, &la), XA_OK);
    assert_int_equal(la, 0x1010);
    expect_fault(
        lin(s, XA_SEG_DS, XA_CPU_LONG, 0, 8, 0x0000800000000000ull, 1, XA_ACCESS_READ, &la), 13);
    expect_fault(
        lin(s, XA_SEG_SS, XA_CPU_LONG, 0, 8, 0x0000800000000000ull, 1, XA_ACCESS_READ, &la), 12);
    /* the last byte crosses into the non-canonical range */
    expect_fault(
        lin(s, XA_SEG_DS, XA_CPU_LONG, 0, 8, 0x00007ffffffffffcull, 8, XA_ACCESS_READ, &la), 13);
    /* FS base + offset may make it non-canonical */
    s.base = 0x00007ffffffff000ull;
    expect_fault(lin(s, XA_SEG_FS, XA_CPU_LONG, 0, 8, 0x1000, 1, XA_ACCESS_READ, &la), 13);
    /* a 32-bit address size truncates the offset */
    s.base = 0;
    assert_int_equal(lin(s, XA_SEG_DS, XA_CPU_LONG, 0, 4, 0x1ffffffffull, 1, XA_ACCESS_READ, &la),
                     XA_OK);
    assert_int_equal(la, 0xffffffffull);
    struct xa_seg_access c57 = {XA_CPU_LONG, 0, 8, true};
    assert_int_equal(xa_segment_to_linear(&s, XA_SEG_DS, &c57, 0x0000800000000000ull, 1,
                                          XA_ACCESS_READ, &la, &exc),
                     XA_OK);
}

/* Compatibility mode: protected-mode rules, 32-bit linear addresses. */
static void test_compat(void **state)
{
    (void)state;
    uint64_t la;
    struct xa_segment s = {0x2b, 0x100, 0xfffff, DATA_RW | DB | DPL(3)};
    assert_int_equal(lin(s, XA_SEG_DS, XA_CPU_COMPAT, 3, 4, 0x10, 4, XA_ACCESS_READ, &la), XA_OK);
    assert_int_equal(la, 0x110);
    expect_fault(lin(s, XA_SEG_DS, XA_CPU_COMPAT, 3, 4, 0xffffd, 4, XA_ACCESS_READ, &la), 13);
}

static void test_mode_of(void **state)
{
    (void)state;
    assert_int_equal(xa_cpu_mode_of(0x10, 0, 2, 0), XA_CPU_REAL);
    assert_int_equal(xa_cpu_mode_of(0x11, 0, 0x20002, 0), XA_CPU_V86);
    assert_int_equal(xa_cpu_mode_of(0x11, 0, 2, CODE_XR), XA_CPU_PROTECTED);
    assert_int_equal(xa_cpu_mode_of(0x80000011, 0x500, 2, CODE_XR), XA_CPU_COMPAT);
    assert_int_equal(xa_cpu_mode_of(0x80000011, 0x500, 2, CODE_XR | XA_SEG_ATTR_L), XA_CPU_LONG);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    uint64_t la;
    struct xa_segment s = {0, 0, 0xffff, DATA_RW};
    assert_int_equal(lin(s, (enum xa_seg)6, XA_CPU_REAL, 0, 2, 0, 1, XA_ACCESS_READ, &la),
                     XA_ERR_BAD_ARGUMENT);
    assert_int_equal(lin(s, XA_SEG_DS, XA_CPU_REAL, 0, 3, 0, 1, XA_ACCESS_READ, &la),
                     XA_ERR_BAD_ARGUMENT);
    assert_int_equal(lin(s, XA_SEG_DS, XA_CPU_PROTECTED, 0, 8, 0, 1, XA_ACCESS_READ, &la),
                     XA_ERR_BAD_ARGUMENT);
    assert_int_equal(lin(s, XA_SEG_DS, XA_CPU_REAL, 4, 2, 0, 1, XA_ACCESS_READ, &la),
                     XA_ERR_BAD_ARGUMENT);
    assert_int_equal(lin(s, XA_SEG_DS, XA_CPU_REAL, 0, 2, 0, 0, XA_ACCESS_READ, &la),
                     XA_ERR_BAD_ARGUMENT);
    assert_int_equal(lin(s, XA_SEG_DS, (enum xa_cpu_mode)9, 0, 2, 0, 1, XA_ACCESS_READ, &la),
                     XA_ERR_BAD_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_mode),       cmocka_unit_test(test_v86),
        cmocka_unit_test(test_protected_limit), cmocka_unit_test(test_expand_down),
        cmocka_unit_test(test_types),           cmocka_unit_test(test_null_and_present),
        cmocka_unit_test(test_privilege),       cmocka_unit_test(test_long_mode),
        cmocka_unit_test(test_compat),          cmocka_unit_test(test_mode_of),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
