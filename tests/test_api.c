/* SPDX-License-Identifier: BSD-2-Clause */
/* The public API as a user sees it: the umbrella header alone, the version, the status names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include <x86assist/x86assist.h>

/* The decoder's record stays compact and pointer-free (issue: at most 128 bytes). */
_Static_assert(sizeof(struct xa_insn) <= 128, "struct xa_insn grew past 128 bytes");

static void test_version(void **state)
{
    (void)state;
    assert_string_equal(xa_version(), XA_VERSION_STRING);
    assert_int_equal(XA_VERSION_MAJOR, 0);
}

static void test_status_names(void **state)
{
    (void)state;
    assert_string_equal(xa_status_name(XA_OK), "ok");
    assert_string_equal(xa_status_name(XA_ERR_TRUNCATED), "truncated");
    assert_string_equal(xa_status_name(XA_ERR_TOO_LONG), "too-long");
    assert_string_equal(xa_status_name((xa_status)1000), "unknown");
    /* Every status has its own name. */
    for (int a = XA_OK; a <= XA_CONTINUE; a++)
        for (int b = a + 1; b <= XA_CONTINUE; b++)
            assert_true(strcmp(xa_status_name((xa_status)a), xa_status_name((xa_status)b)) != 0);
}

static void test_names_in_range(void **state)
{
    (void)state;
    assert_string_equal(xa_reg_name(XA_REG_NONE), "");
    assert_string_equal(xa_reg_name(XA_REG_R15B), "r15b");
    assert_string_equal(xa_reg_name(XA_REG_ZMM31), "zmm31");
    assert_string_equal(xa_reg_name((enum xa_reg)XA_REG_COUNT), "");
    assert_string_equal(xa_mnemonic_name(XA_MNEM_MOV), "mov");
    assert_string_equal(xa_mnemonic_name(XA_MNEM_COUNT), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_status_names),
        cmocka_unit_test(test_names_in_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
