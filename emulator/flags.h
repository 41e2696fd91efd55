/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Integer results and status flags in portable C (no host flags, no inline asm):
 * each xai_alu_* function computes an instruction's result from its operand values
 * and updates the six status flags of the working RFLAGS *rf. Every function is a
 * pure function of its arguments (the LOCK re-run model relies on it). Operand sizes
 * are in bytes (1, 2, 4, 8); values are taken modulo the size and results are
 * returned zero-extended.
 *
 * Undefined flags: ONE policy, "what an AMD Zen CPU (AMD EPYC) produces". The SDM and
 * APM leave some flags (and a few results) undefined; this file gives them the values
 * measured on an AMD EPYC host with tests/emulator/native (which compares every flag
 * and every result against the host CPU):
 *   - AND/OR/XOR/TEST: AF = 0.
 *   - SHL/SAL/SHR/SAR and SHLD/SHRD with a non-zero count: AF = 1. OF for any non-zero
 *     count follows the count-1 rule generalised: left shifts OF = MSB(result) XOR CF,
 *     right shifts OF = result[msb] XOR result[msb-1]. The same OF rules hold for
 *     ROL/RCL (left) and ROR/RCR (right) with counts above 1.
 *   - SHL/SHR/SAR of 8/16-bit operands by a count >= the width: computed as if the
 *     operand were wide enough (result 0 or all sign bits, CF the last bit out).
 *   - SHLD/SHRD of 16-bit operands with a count above 16: the result of a 48-bit
 *     shift of dst:src:src (SHLD) / src:src:dst (SHRD); CF is the last bit of dst
 *     shifted out (0 beyond 16); SHLD's OF = CF XOR bit 15 of (dst << count), which is
 *     MSB(result) XOR CF below 16, CF at 16 and 0 beyond; SHRD's OF the right rule.
 *   - MUL/IMUL (every form): SF, ZF, AF, PF are left unchanged.
 *   - DIV/IDIV: CF and OF unchanged, SF = ZF = PF = 0, AF = 1.
 *   - BSF/BSR: CF = OF = SF = AF = 0, PF = parity of the result's low byte (of 0 when
 *     the source is 0); with a zero source the destination is left unchanged (no
 *     zero-extension of a 32-bit destination either: the AMD documented behaviour).
 *   - BT/BTS/BTR/BTC: OF, SF, ZF, AF, PF unchanged.
 *   - LZCNT/TZCNT: OF unchanged, SF = AF = PF = 0.
 *   - ANDN/BLSI/BLSMSK/BLSR/BZHI: AF = 0, PF = parity of the result.
 *   - BEXTR: SF = 0 (even when the result's top bit is set), AF = 1, PF from the result.
 */
#ifndef XA_EMULATOR_FLAGS_H
#define XA_EMULATOR_FLAGS_H

#include <stdbool.h>
#include <stdint.h>

/* All ones in the low @p size bytes. */
static inline uint64_t xai_size_mask(unsigned size)
{
    return size >= 8 ? ~(uint64_t)0 : (((uint64_t)1 << (size * 8u)) - 1u);
}

/* The sign bit of a @p size-byte value. */
static inline uint64_t xai_sign_bit(unsigned size)
{
    return (uint64_t)1 << (size * 8u - 1u);
}

/* Sign-extends the low @p size bytes of @p v to 64 bits. */
static inline uint64_t xai_sext(uint64_t v, unsigned size)
{
    uint64_t m = xai_size_mask(size), s = xai_sign_bit(size);
    v &= m;
    return (v & s) ? (v | ~m) : v;
}

/* Replaces the flags in @p mask of *rf by those of @p value. */
static inline void xai_flags_put(uint64_t *rf, uint64_t mask, uint64_t value)
{
    *rf = (*rf & ~mask) | (value & mask);
}

/* SF, ZF and PF of a @p size-byte result (the other bits 0). */
uint64_t xai_flags_szp(uint64_t r, unsigned size);

/* ADD / ADC (carry_in 0 or 1); XADD. */
uint64_t xai_alu_add(uint64_t *rf, uint64_t a, uint64_t b, unsigned carry_in, unsigned size);
/* SUB / SBB (borrow_in 0 or 1); CMP (ignore the result); CMPXCHG's compare. */
uint64_t xai_alu_sub(uint64_t *rf, uint64_t a, uint64_t b, unsigned borrow_in, unsigned size);
/* The flags of AND/OR/XOR/TEST for result @p r: CF = OF = AF = 0. Returns r masked. */
uint64_t xai_alu_logic(uint64_t *rf, uint64_t r, unsigned size);
/* INC / DEC (CF unchanged); NEG (CF = source != 0). */
uint64_t xai_alu_inc(uint64_t *rf, uint64_t a, unsigned size);
uint64_t xai_alu_dec(uint64_t *rf, uint64_t a, unsigned size);
uint64_t xai_alu_neg(uint64_t *rf, uint64_t a, unsigned size);

/* Shifts and rotates, numbered as the /digit of opcodes C0/C1/D0-D3. */
enum xai_shift_op {
    XAI_ROL = 0,
    XAI_ROR = 1,
    XAI_RCL = 2,
    XAI_RCR = 3,
    XAI_SHL = 4,
    XAI_SHR = 5,
    XAI_SAL = 6,
    XAI_SAR = 7,
};
/* @p count is the raw count operand: masked here (5 bits, 6 with 8-byte operands).
 * A masked count of 0 changes neither the value nor the flags. */
uint64_t xai_alu_shift(uint64_t *rf, enum xai_shift_op op, uint64_t v, uint64_t count,
                       unsigned size);
/* SHLD (left true) / SHRD: @p dst shifted with bits of @p src coming in. */
uint64_t xai_alu_shxd(uint64_t *rf, bool left, uint64_t dst, uint64_t src, uint64_t count,
                      unsigned size);

/* Full product of two @p size-byte values: *lo and *hi are the halves (each @p size
 * bytes, zero-extended). CF = OF = (the high half is significant). */
void xai_alu_mul(uint64_t *rf, bool is_signed, uint64_t a, uint64_t b, unsigned size, uint64_t *lo,
                 uint64_t *hi);
/* Division of hi:lo (2 * @p size bytes) by @p divisor. Returns false (the CPU's #DE)
 * on a zero divisor or a quotient that does not fit @p size bytes; else true with
 * *q and *r zero-extended, and the flags set. */
bool xai_alu_div(uint64_t *rf, bool is_signed, uint64_t hi, uint64_t lo, uint64_t divisor,
                 unsigned size, uint64_t *q, uint64_t *r);

/* BSF (forward) / BSR: returns false when the source is 0 (destination unchanged). */
bool xai_alu_bsf_bsr(uint64_t *rf, bool forward, uint64_t src, unsigned size, uint64_t *index);
uint64_t xai_alu_lzcnt(uint64_t *rf, uint64_t src, unsigned size);
uint64_t xai_alu_tzcnt(uint64_t *rf, uint64_t src, unsigned size);
uint64_t xai_alu_popcnt(uint64_t *rf, uint64_t src, unsigned size);
/* BT family: CF = the bit; nothing else changes. */
void xai_alu_bt(uint64_t *rf, unsigned bit);

/* BMI1/BMI2 instructions that set flags. */
uint64_t xai_alu_andn(uint64_t *rf, uint64_t a, uint64_t b, unsigned size); /* ~a & b */
uint64_t xai_alu_bextr(uint64_t *rf, uint64_t src, uint64_t control, unsigned size);
uint64_t xai_alu_blsi(uint64_t *rf, uint64_t src, unsigned size);
uint64_t xai_alu_blsmsk(uint64_t *rf, uint64_t src, unsigned size);
uint64_t xai_alu_blsr(uint64_t *rf, uint64_t src, unsigned size);
uint64_t xai_alu_bzhi(uint64_t *rf, uint64_t src, uint64_t index, unsigned size);

/* Condition code cc (0..15, the low nibble of Jcc/SETcc/CMOVcc opcodes) of @p rf. */
bool xai_cond(uint64_t rf, unsigned cc);

#endif
