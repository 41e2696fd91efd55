/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Decoder unit tests: one test per encoding rule, each naming the Intel SDM
 * section (vol. 2) or AMD APM section it checks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <x86assist/decoder.h>

static size_t hex_to_bytes(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = hex; p[0] && p[1] && n < cap; p += 2) {
        unsigned v = 0;
        for (int k = 0; k < 2; k++) {
            char c = p[k];
            v = v * 16 + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
        }
        out[n++] = (uint8_t)v;
    }
    return n;
}

static xa_status dec(enum xa_mode mode, const char *hex, struct xa_insn *insn)
{
    uint8_t buf[32];
    size_t n = hex_to_bytes(hex, buf, sizeof(buf));
    return xa_decode(insn, mode, XA_VENDOR_INTEL, buf, n);
}

static void expect_text(enum xa_mode mode, const char *hex, const char *text)
{
    struct xa_insn insn;
    char out[128];
    assert_int_equal(dec(mode, hex, &insn), XA_OK);
    assert_int_equal(insn.length, strlen(hex) / 2);
    xa_format(&insn, 0, out, sizeof(out));
    assert_string_equal(out, text);
}

static void expect_status(enum xa_mode mode, const char *hex, xa_status st)
{
    struct xa_insn insn;
    assert_int_equal(dec(mode, hex, &insn), st);
}

/* SDM 2.1.1: the operand-size prefix 66 selects the other operand size. */
static void test_operand_size_prefix(void **state)
{
    (void)state;
    expect_text(XA_MODE_64, "6689d8", "mov ax, bx");
    expect_text(XA_MODE_32, "6689d8", "mov ax, bx");
    expect_text(XA_MODE_16, "89d8", "mov ax, bx");
    expect_text(XA_MODE_16, "6689d8", "mov eax, ebx");
}

/* SDM 2.2.1.2: REX.W gives a 64-bit operand size and wins over 66. */
static void test_rex_w_beats_66(void **state)
{
    struct xa_insn insn;
    (void)state;
    assert_int_equal(dec(XA_MODE_64, "664889d8", &insn), XA_OK);
    assert_int_equal(insn.opsize, 64);
    assert_int_equal(insn.ops[0].reg, XA_REG_RAX);
}

/* SDM 2.2.1: a REX prefix counts only immediately before the opcode; a legacy
 * prefix after it makes it ignored. */
static void test_rex_must_precede_opcode(void **state)
{
    struct xa_insn insn;
    (void)state;
    assert_int_equal(dec(XA_MODE_64, "486689d8", &insn), XA_OK);
    assert_int_equal(insn.opsize, 16);
    assert_int_equal(insn.ops[0].reg, XA_REG_AX);
    assert_int_equal(insn.rex, 0);
}

/* SDM 2.2.1.2 / 3.4.1.1: with any REX, byte registers 4-7 are SPL..DIL, not AH..BH. */
static void test_rex_byte_registers(void **state)
{
    (void)state;
    expect_text(XA_MODE_64, "88e0", "mov al, ah");
    expect_text(XA_MODE_64, "4088e0", "mov al, spl");
    expect_text(XA_MODE_64, "4588c8", "mov r8b, r9b");
}

/* SDM 3.3.7 (64-bit mode): near branches and PUSH/POP default to 64-bit operands. */
static void test_default_64bit_operands(void **state)
{
    struct xa_insn insn;
    (void)state;
    assert_int_equal(dec(XA_MODE_64, "50", &insn), XA_OK);
    assert_int_equal(insn.ops[0].reg, XA_REG_RAX);
    assert_int_equal(dec(XA_MODE_64, "6650", &insn), XA_OK);
    assert_int_equal(insn.ops[0].reg, XA_REG_AX);
    assert_int_equal(dec(XA_MODE_64, "ff30", &insn), XA_OK);
    assert_int_equal(insn.ops[0].size, 8);
}

/* SDM 2.2.1.7 / AMD APM vol. 3 1.2.7: in 64-bit mode Intel ignores 66 on near branches
 * (rel32 stays), AMD honours it (rel16). */
static void test_vendor_near_branch(void **state)
{
    struct xa_insn insn;
    uint8_t bytes[] = {0x66, 0xe8, 0x10, 0x00, 0x00, 0x00};
    (void)state;
    assert_int_equal(xa_decode(&insn, XA_MODE_64, XA_VENDOR_INTEL, bytes, sizeof(bytes)), XA_OK);
    assert_int_equal(insn.length, 6);
    assert_int_equal(insn.opsize, 64);
    assert_int_equal(xa_decode(&insn, XA_MODE_64, XA_VENDOR_AMD, bytes, sizeof(bytes)), XA_OK);
    assert_int_equal(insn.length, 4);
    assert_int_equal(insn.opsize, 16);
}

/* SDM 2.1.2 table 2-1: 16-bit ModRM addressing. */
static void test_modrm_16bit(void **state)
{
    (void)state;
    expect_text(XA_MODE_16, "8b00", "mov ax, word ptr [bx+si]");
    expect_text(XA_MODE_16, "8b4602", "mov ax, word ptr [bp+0x2]");
    expect_text(XA_MODE_16, "8b063412", "mov ax, word ptr [0x1234]");
    expect_text(XA_MODE_16, "8b87fe7f", "mov ax, word ptr [bx+0x7ffe]");
    expect_text(XA_MODE_32, "678b00", "mov eax, dword ptr [bx+si]");
}

/* SDM 2.1.5 table 2-3: SIB with no index (100b) and no base (mod 00, base 101b). */
static void test_sib_rules(void **state)
{
    (void)state;
    expect_text(XA_MODE_64, "8b0424", "mov eax, dword ptr [rsp]");
    expect_text(XA_MODE_64, "8b048defbeadde", "mov eax, dword ptr [rcx*4-0x21524111]");
    expect_text(XA_MODE_64, "8b04a5efbeadde", "mov eax, dword ptr [0xffffffffdeadbeef]");
    expect_text(XA_MODE_64, "8b0425efbeadde", "mov eax, dword ptr [0xffffffffdeadbeef]");
    expect_text(XA_MODE_64, "428b0424", "mov eax, dword ptr [rsp+r12]");
    expect_text(XA_MODE_64, "418b0424", "mov eax, dword ptr [r12]");
    expect_text(XA_MODE_64, "418b4500", "mov eax, dword ptr [r13]");
}

/* SDM 2.2.1.6: RIP-relative addressing replaces disp32-only in 64-bit mode; with 67, EIP. */
static void test_rip_relative(void **state)
{
    struct xa_insn insn;
    (void)state;
    assert_int_equal(dec(XA_MODE_64, "8b0510000000", &insn), XA_OK);
    assert_int_equal(insn.mem.base, XA_REG_RIP);
    assert_int_equal(insn.mem.disp, 0x10);
    assert_int_equal(dec(XA_MODE_64, "678b0510000000", &insn), XA_OK);
    assert_int_equal(insn.mem.base, XA_REG_EIP);
    assert_int_equal(dec(XA_MODE_32, "8b0510000000", &insn), XA_OK);
    assert_int_equal(insn.mem.base, XA_REG_NONE);
}

/* SDM 3.3.4 / 2.1.1 (segment override): the last override wins; in 64-bit mode only
 * FS and GS overrides take effect; SS is the default for rBP/rSP bases. */
static void test_segment_overrides(void **state)
{
    struct xa_insn insn;
    (void)state;
    assert_int_equal(dec(XA_MODE_32, "2e3e8b00", &insn), XA_OK);
    assert_int_equal(insn.mem.seg, XA_REG_DS);
    assert_int_equal(dec(XA_MODE_32, "3e2e8b00", &insn), XA_OK);
    assert_int_equal(insn.mem.seg, XA_REG_CS);
    assert_int_equal(dec(XA_MODE_32, "8b4500", &insn), XA_OK);
    assert_int_equal(insn.mem.seg, XA_REG_SS);
    assert_int_equal(dec(XA_MODE_64, "2e8b4500", &insn), XA_OK);
    assert_int_equal(insn.mem.seg, XA_REG_SS);
    assert_int_equal(dec(XA_MODE_64, "658b00", &insn), XA_OK);
    assert_int_equal(insn.mem.seg, XA_REG_GS);
}

/* SDM vol. 2 LOCK: #UD unless the instruction is lockable with a memory destination. */
static void test_lock_rules(void **state)
{
    (void)state;
    expect_text(XA_MODE_64, "f00108", "lock add dword ptr [rax], ecx");
    expect_status(XA_MODE_64, "f001c8", XA_ERR_INVALID); /* register destination */
    expect_status(XA_MODE_64, "f08b00", XA_ERR_INVALID); /* MOV is not lockable */
    expect_status(XA_MODE_64, "f03900", XA_ERR_INVALID); /* CMP is not lockable */
    expect_text(XA_MODE_64, "f0480fc70e", "lock cmpxchg16b xmmword ptr [rsi]");
}

/* SDM 2.3.2 / 2.4: VEX and EVEX after 66, F2, F3, LOCK or REX are #UD. */
static void test_vex_after_legacy_prefix(void **state)
{
    (void)state;
    expect_text(XA_MODE_64, "c5f877", "vzeroupper");
    expect_status(XA_MODE_64, "66c5f877", XA_ERR_INVALID);
    expect_status(XA_MODE_64, "f3c5f877", XA_ERR_INVALID);
    expect_status(XA_MODE_64, "40c5f877", XA_ERR_INVALID);
    expect_status(XA_MODE_64, "f062f17c48100411", XA_ERR_INVALID);
}

/* SDM 2.3.5 (VEX in 32-bit mode): C4/C5 with ModRM.mod != 11b are LES/LDS; in real mode
 * they are always LES/LDS. */
static void test_les_lds_vs_vex(void **state)
{
    (void)state;
    expect_text(XA_MODE_32, "c500", "lds eax, fword ptr [eax]");
    expect_text(XA_MODE_32, "c5f877", "vzeroupper");
    expect_text(XA_MODE_REAL, "c43e3412", "les di, dword ptr [0x1234]");
    expect_status(XA_MODE_REAL, "c4f8", XA_ERR_INVALID); /* LES needs memory */
    expect_status(XA_MODE_64, "c400", XA_ERR_TRUNCATED);
}

/* SDM 2.3.5: VEX.vvvv must be 1111b when the instruction has no operand there. */
static void test_vex_vvvv_unused(void **state)
{
    (void)state;
    expect_status(XA_MODE_64, "c5b877", XA_ERR_INVALID);
}

/* SDM 2.7.5 (EVEX disp8*N): the 8-bit displacement is scaled by the memory operand size,
 * or by the element size under broadcast. */
static void test_evex_disp8n(void **state)
{
    struct xa_insn insn;
    (void)state;
    assert_int_equal(dec(XA_MODE_64, "62f17c48104001", &insn), XA_OK);
    assert_int_equal(insn.mem.disp, 64);
    assert_int_equal(insn.ops[1].size, 64);
}

/* SDM 2.3.11: an instruction longer than 15 bytes is #GP; a short buffer says what it needs. */
static void test_length_limits(void **state)
{
    struct xa_insn insn;
    (void)state;
    expect_status(XA_MODE_64,
                  "666666666666666666666666666666"
                  "90",
                  XA_ERR_TOO_LONG);
    expect_text(XA_MODE_64, "6666666666666666666666666690", "nop");
    assert_int_equal(dec(XA_MODE_64, "48c7", &insn), XA_ERR_TRUNCATED);
    assert_int_equal(insn.length, 3);
    assert_int_equal(dec(XA_MODE_64, "48c700", &insn), XA_ERR_TRUNCATED);
    assert_int_equal(insn.length, 7);
    assert_int_equal(xa_decode(&insn, XA_MODE_64, XA_VENDOR_INTEL, NULL, 0), XA_ERR_TRUNCATED);
    assert_int_equal(insn.length, 1);
}

/* Bad arguments give a status, never a crash. */
static void test_bad_arguments(void **state)
{
    struct xa_insn insn;
    uint8_t nop = 0x90;
    (void)state;
    assert_int_equal(xa_decode(NULL, XA_MODE_64, XA_VENDOR_INTEL, &nop, 1), XA_ERR_BAD_ARGUMENT);
    assert_int_equal(xa_decode(&insn, (enum xa_mode)7, XA_VENDOR_INTEL, &nop, 1),
                     XA_ERR_BAD_ARGUMENT);
    assert_int_equal(xa_decode(&insn, XA_MODE_64, (enum xa_vendor)9, &nop, 1), XA_ERR_BAD_ARGUMENT);
    assert_int_equal(xa_decode(&insn, XA_MODE_64, XA_VENDOR_INTEL, NULL, 4), XA_ERR_BAD_ARGUMENT);
}

/* SDM appendix A.2.5 (i64/o64): instructions invalid or only valid in 64-bit mode. */
static void test_mode_validity(void **state)
{
    (void)state;
    expect_status(XA_MODE_64, "27", XA_ERR_INVALID); /* DAA */
    expect_text(XA_MODE_32, "27", "daa");
    expect_text(XA_MODE_32, "40", "inc eax");
    expect_status(XA_MODE_64, "06", XA_ERR_INVALID); /* PUSH ES */
    expect_text(XA_MODE_64, "4863c1", "movsxd rax, ecx");
}

/* SDM 2.1.5 / appendix A.4: opcode extensions in ModRM.reg and mandatory prefixes. */
static void test_groups_and_mandatory_prefixes(void **state)
{
    (void)state;
    expect_text(XA_MODE_64, "f7d8", "neg eax");
    expect_text(XA_MODE_64, "0fbcc1", "bsf eax, ecx");
    expect_text(XA_MODE_64, "f30fbcc1", "tzcnt eax, ecx");
    expect_text(XA_MODE_64, "f30fb8c1", "popcnt eax, ecx");
    expect_text(XA_MODE_64, "0faee8", "lfence");
    expect_text(XA_MODE_64, "f390", "pause");
    expect_text(XA_MODE_64, "4190", "xchg r8d, eax");
}

/* Immediates: sign extension of imm8 (83 /0) and imm32 with a 64-bit operand. */
static void test_immediates(void **state)
{
    struct xa_insn insn;
    (void)state;
    expect_text(XA_MODE_64, "4883c0ff", "add rax, 0xffffffffffffffff");
    expect_text(XA_MODE_64, "48c7c0ffffffff", "mov rax, 0xffffffffffffffff");
    expect_text(XA_MODE_64, "48b88877665544332211", "mov rax, 0x1122334455667788");
    expect_text(XA_MODE_64, "c1e0ff", "shl eax, 0xff");
    assert_int_equal(dec(XA_MODE_64, "c8100001", &insn), XA_OK); /* ENTER iw, ib */
    assert_int_equal(insn.operand_count, 2);
    assert_int_equal(insn.imm[0], 0x10);
    assert_int_equal(insn.imm[1], 1);
}

/* Moffs (A0-A3) use the address size for the offset. */
static void test_moffs(void **state)
{
    (void)state;
    expect_text(XA_MODE_64, "a18877665544332211", "mov eax, dword ptr [0x1122334455667788]");
    expect_text(XA_MODE_64, "67a144332211", "mov eax, dword ptr [0x11223344]");
    expect_text(XA_MODE_16, "a03412", "mov al, byte ptr [0x1234]");
}

/* The decoder never reads past len: every truncation of a valid instruction fails cleanly. */
static void test_every_truncation(void **state)
{
    static const char *const samples[] = {"62f17c48104001", "c4e27d5844240c", "f0480fc70e",
                                          "48b88877665544332211", "0f0f0c24b4"};
    (void)state;
    for (size_t s = 0; s < sizeof(samples) / sizeof(samples[0]); s++) {
        uint8_t buf[16];
        size_t n = hex_to_bytes(samples[s], buf, sizeof(buf));
        struct xa_insn insn;
        for (size_t k = 0; k < n; k++) {
            xa_status st = xa_decode(&insn, XA_MODE_64, XA_VENDOR_INTEL, buf, k);
            assert_true(st == XA_ERR_TRUNCATED || st == XA_ERR_INVALID);
            if (st == XA_ERR_TRUNCATED)
                assert_true(insn.length > k);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_operand_size_prefix),
        cmocka_unit_test(test_rex_w_beats_66),
        cmocka_unit_test(test_rex_must_precede_opcode),
        cmocka_unit_test(test_rex_byte_registers),
        cmocka_unit_test(test_default_64bit_operands),
        cmocka_unit_test(test_vendor_near_branch),
        cmocka_unit_test(test_modrm_16bit),
        cmocka_unit_test(test_sib_rules),
        cmocka_unit_test(test_rip_relative),
        cmocka_unit_test(test_segment_overrides),
        cmocka_unit_test(test_lock_rules),
        cmocka_unit_test(test_vex_after_legacy_prefix),
        cmocka_unit_test(test_les_lds_vs_vex),
        cmocka_unit_test(test_vex_vvvv_unused),
        cmocka_unit_test(test_evex_disp8n),
        cmocka_unit_test(test_length_limits),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_mode_validity),
        cmocka_unit_test(test_groups_and_mandatory_prefixes),
        cmocka_unit_test(test_immediates),
        cmocka_unit_test(test_moffs),
        cmocka_unit_test(test_every_truncation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
