/* SPDX-License-Identifier: BSD-2-Clause */
/* Integer results and status flags in portable C: see flags.h for the policy. */
#include "emulator/flags.h"

#include "emulator/emu.h"

static unsigned parity_even(uint64_t r)
{
    unsigned b = (unsigned)(r & 0xffu);
    b ^= b >> 4;
    b ^= b >> 2;
    b ^= b >> 1;
    return (b & 1u) == 0;
}

uint64_t xai_flags_szp(uint64_t r, unsigned size)
{
    uint64_t f = 0;
    r &= xai_size_mask(size);
    if (r == 0)
        f |= XAI_ZF;
    if (r & xai_sign_bit(size))
        f |= XAI_SF;
    if (parity_even(r))
        f |= XAI_PF;
    return f;
}

static uint64_t bit_flag(bool cond, uint64_t flag)
{
    return cond ? flag : 0;
}

uint64_t xai_alu_add(uint64_t *rf, uint64_t a, uint64_t b, unsigned carry_in, unsigned size)
{
    uint64_t m = xai_size_mask(size), s = xai_sign_bit(size);
    a &= m;
    b &= m;
    uint64_t r = (a + b + (carry_in & 1u)) & m;
    uint64_t f = xai_flags_szp(r, size);
    f |= bit_flag(r < a || ((carry_in & 1u) && r == a), XAI_CF);
    f |= bit_flag(((a ^ b ^ r) & 0x10u) != 0, XAI_AF);
    f |= bit_flag(((a ^ r) & (b ^ r) & s) != 0, XAI_OF);
    xai_flags_put(rf, XAI_STATUS_FLAGS, f);
    return r;
}

uint64_t xai_alu_sub(uint64_t *rf, uint64_t a, uint64_t b, unsigned borrow_in, unsigned size)
{
    uint64_t m = xai_size_mask(size), s = xai_sign_bit(size);
    a &= m;
    b &= m;
    uint64_t r = (a - b - (borrow_in & 1u)) & m;
    uint64_t f = xai_flags_szp(r, size);
    f |= bit_flag(a < b || ((borrow_in & 1u) && a == b), XAI_CF);
    f |= bit_flag(((a ^ b ^ r) & 0x10u) != 0, XAI_AF);
    f |= bit_flag(((a ^ b) & (a ^ r) & s) != 0, XAI_OF);
    xai_flags_put(rf, XAI_STATUS_FLAGS, f);
    return r;
}

uint64_t xai_alu_logic(uint64_t *rf, uint64_t r, unsigned size)
{
    r &= xai_size_mask(size);
    xai_flags_put(rf, XAI_STATUS_FLAGS, xai_flags_szp(r, size));
    return r;
}

uint64_t xai_alu_inc(uint64_t *rf, uint64_t a, unsigned size)
{
    uint64_t cf = *rf & XAI_CF;
    uint64_t r = xai_alu_add(rf, a, 1, 0, size);
    xai_flags_put(rf, XAI_CF, cf);
    return r;
}

uint64_t xai_alu_dec(uint64_t *rf, uint64_t a, unsigned size)
{
    uint64_t cf = *rf & XAI_CF;
    uint64_t r = xai_alu_sub(rf, a, 1, 0, size);
    xai_flags_put(rf, XAI_CF, cf);
    return r;
}

uint64_t xai_alu_neg(uint64_t *rf, uint64_t a, unsigned size)
{
    /* 0 - a: CF = (a != 0), exactly the borrow of the subtraction. */
    return xai_alu_sub(rf, 0, a, 0, size);
}

/* ------------------------------------------------------------------------ */
/* Shifts and rotates                                                       */
/* ------------------------------------------------------------------------ */

static uint64_t msb_of(uint64_t r, unsigned size)
{
    return (r >> (size * 8u - 1u)) & 1u;
}

/* OF of a right shift/rotate: the two top bits of the result differ. */
static uint64_t of_right(uint64_t r, unsigned size)
{
    return msb_of(r, size) ^ ((r >> (size * 8u - 2u)) & 1u);
}

static void put_shift_flags(uint64_t *rf, uint64_t r, unsigned size, uint64_t cf, uint64_t of)
{
    uint64_t f = xai_flags_szp(r, size) | XAI_AF;
    f |= bit_flag(cf != 0, XAI_CF) | bit_flag(of != 0, XAI_OF);
    xai_flags_put(rf, XAI_STATUS_FLAGS, f);
}

static void put_rotate_flags(uint64_t *rf, uint64_t cf, uint64_t of)
{
    xai_flags_put(rf, XAI_CF | XAI_OF, bit_flag(cf != 0, XAI_CF) | bit_flag(of != 0, XAI_OF));
}

uint64_t xai_alu_shift(uint64_t *rf, enum xai_shift_op op, uint64_t v, uint64_t count,
                       unsigned size)
{
    unsigned bits = size * 8u;
    uint64_t m = xai_size_mask(size);
    unsigned c = (unsigned)(count & (size == 8 ? 63u : 31u));
    uint64_t r, cf;

    v &= m;
    if (c == 0)
        return v;

    switch (op) {
    case XAI_ROL: {
        unsigned k = c % bits;
        r = k ? ((v << k) | (v >> (bits - k))) & m : v;
        cf = r & 1u;
        put_rotate_flags(rf, cf, msb_of(r, size) ^ cf);
        return r;
    }
    case XAI_ROR: {
        unsigned k = c % bits;
        r = k ? ((v >> k) | (v << (bits - k))) & m : v;
        cf = msb_of(r, size);
        put_rotate_flags(rf, cf, of_right(r, size));
        return r;
    }
    case XAI_RCL: {
        unsigned k = size == 1 ? c % 9u : size == 2 ? c % 17u : c;
        cf = *rf & XAI_CF ? 1u : 0u;
        r = v;
        for (unsigned i = 0; i < k; i++) {
            uint64_t out = msb_of(r, size);
            r = ((r << 1) | cf) & m;
            cf = out;
        }
        put_rotate_flags(rf, cf, msb_of(r, size) ^ cf);
        return r;
    }
    case XAI_RCR: {
        unsigned k = size == 1 ? c % 9u : size == 2 ? c % 17u : c;
        cf = *rf & XAI_CF ? 1u : 0u;
        r = v;
        for (unsigned i = 0; i < k; i++) {
            uint64_t out = r & 1u;
            r = (r >> 1) | (cf << (bits - 1u));
            cf = out;
        }
        put_rotate_flags(rf, cf, of_right(r, size));
        return r;
    }
    case XAI_SHL:
    case XAI_SAL:
        /* c <= 63: a 64-bit shift is defined; bits beyond the operand fall off. */
        r = (v << c) & m;
        cf = c <= bits ? (v >> (bits - c)) & 1u : 0u;
        put_shift_flags(rf, r, size, cf, msb_of(r, size) ^ cf);
        return r;
    case XAI_SHR:
        r = v >> c;
        cf = (v >> (c - 1u)) & 1u;
        put_shift_flags(rf, r, size, cf, of_right(r, size));
        return r;
    case XAI_SAR:
    default: {
        uint64_t sv = xai_sext(v, size);
        uint64_t fill = (sv >> 63) ? ~(uint64_t)0 : 0;
        /* arithmetic shift without relying on the host's signed >> */
        r = ((sv >> c) | (fill << (63u - c) << 1)) & m;
        cf = (sv >> (c - 1u)) & 1u;
        put_shift_flags(rf, r, size, cf, of_right(r, size));
        return r;
    }
    }
}

uint64_t xai_alu_shxd(uint64_t *rf, bool left, uint64_t dst, uint64_t src, uint64_t count,
                      unsigned size)
{
    unsigned bits = size * 8u;
    uint64_t m = xai_size_mask(size);
    unsigned c = (unsigned)(count & (size == 8 ? 63u : 31u));
    uint64_t r, cf;

    dst &= m;
    src &= m;
    if (c == 0)
        return dst;
    if (size == 2) {
        /* counts up to 31 on a 16-bit operand: a 48-bit shift (see flags.h) */
        if (left) {
            uint64_t w = dst << 32 | src << 16 | src;
            r = (w >> (32u - c)) & m;
        } else {
            uint64_t w = src << 32 | src << 16 | dst;
            r = (w >> c) & m;
        }
    } else if (left) {
        r = ((dst << c) | (src >> (bits - c))) & m;
    } else {
        r = ((dst >> c) | (src << (bits - c))) & m;
    }
    if (left) {
        /* CF and OF come from dst << c alone (so 0 beyond the width, AMD) */
        cf = c <= bits ? (dst >> (bits - c)) & 1u : 0u;
        uint64_t of = cf ^ (c < bits ? msb_of(dst << c, size) : 0u);
        put_shift_flags(rf, r, size, cf, of);
        return r;
    }
    cf = (dst >> (c - 1u)) & 1u;
    put_shift_flags(rf, r, size, cf, of_right(r, size));
    return r;
}

/* ------------------------------------------------------------------------ */
/* Multiplication and division                                              */
/* ------------------------------------------------------------------------ */

/* 64 x 64 -> 128 unsigned, from 32-bit halves. */
static void mul_u64(uint64_t a, uint64_t b, uint64_t *lo, uint64_t *hi)
{
    uint64_t a0 = a & 0xffffffffu, a1 = a >> 32, b0 = b & 0xffffffffu, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
    *lo = (mid << 32) | (p00 & 0xffffffffu);
    *hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

void xai_alu_mul(uint64_t *rf, bool is_signed, uint64_t a, uint64_t b, unsigned size, uint64_t *lo,
                 uint64_t *hi)
{
    uint64_t m = xai_size_mask(size);
    uint64_t l, h;
    bool significant;

    if (size == 8) {
        mul_u64(a, b, &l, &h);
        if (is_signed) {
            /* signed high half = unsigned high half - (a<0 ? b : 0) - (b<0 ? a : 0) */
            if (a >> 63)
                h -= b;
            if (b >> 63)
                h -= a;
            significant = h != ((l >> 63) ? ~(uint64_t)0 : 0);
        } else {
            significant = h != 0;
        }
    } else {
        unsigned bits = size * 8u;
        /* the product of two sign-extended values fits 64 bits: wrap-around is exact */
        uint64_t p = is_signed ? xai_sext(a, size) * xai_sext(b, size) : (a & m) * (b & m);
        l = p & m;
        h = (p >> bits) & m;
        significant = is_signed ? (xai_sext(l, size) != p) : h != 0;
    }
    *lo = l;
    *hi = h;
    xai_flags_put(rf, XAI_CF | XAI_OF, significant ? (XAI_CF | XAI_OF) : 0);
}

/* 128 / 64 unsigned with hi < d (so the quotient fits 64 bits). */
static void div_u128(uint64_t hi, uint64_t lo, uint64_t d, uint64_t *q, uint64_t *r)
{
    uint64_t rem = hi, quo = 0;
    for (int i = 63; i >= 0; i--) {
        uint64_t top = rem >> 63;
        rem = (rem << 1) | ((lo >> i) & 1u);
        quo <<= 1;
        if (top || rem >= d) {
            rem -= d;
            quo |= 1u;
        }
    }
    *q = quo;
    *r = rem;
}

bool xai_alu_div(uint64_t *rf, bool is_signed, uint64_t hi, uint64_t lo, uint64_t divisor,
                 unsigned size, uint64_t *q, uint64_t *r)
{
    unsigned bits = size * 8u;
    uint64_t m = xai_size_mask(size);
    uint64_t nh, nl, d, qm, rm;
    bool nneg = false, dneg = false;

    divisor &= m;
    hi &= m;
    lo &= m;
    if (divisor == 0)
        return false;

    /* the dividend as a 128-bit (nh:nl) magnitude */
    if (size == 8) {
        nh = hi;
        nl = lo;
    } else {
        nh = 0;
        nl = (hi << bits) | lo;
    }
    d = divisor;
    if (is_signed) {
        if (size == 8) {
            nneg = (nh >> 63) != 0;
            if (nneg) {
                nl = ~nl + 1u;
                nh = ~nh + (nl == 0 ? 1u : 0u);
            }
        } else {
            uint64_t sn = xai_sext(nl, size * 2u);
            nneg = (sn >> 63) != 0;
            nl = nneg ? ~sn + 1u : sn;
        }
        d = xai_sext(divisor, size);
        dneg = (d >> 63) != 0;
        if (dneg)
            d = ~d + 1u;
    }
    if (nh >= d)
        return false; /* the quotient needs more than 64 bits */
    div_u128(nh, nl, d, &qm, &rm);

    if (is_signed) {
        uint64_t limit = (uint64_t)1 << (bits - 1u); /* |quotient| bound */
        bool qneg = nneg != dneg;
        if (qneg ? qm > limit : qm >= limit)
            return false;
        *q = (qneg ? ~qm + 1u : qm) & m;
        *r = (nneg ? ~rm + 1u : rm) & m;
    } else {
        if (qm > m)
            return false;
        *q = qm;
        *r = rm;
    }
    /* undefined flags, AMD policy: CF and OF kept, AF = 1, SF = ZF = PF = 0 */
    xai_flags_put(rf, XAI_SF | XAI_ZF | XAI_AF | XAI_PF, XAI_AF);
    return true;
}

/* ------------------------------------------------------------------------ */
/* Bit scans and counts                                                     */
/* ------------------------------------------------------------------------ */

static unsigned count_trailing(uint64_t v, unsigned bits)
{
    unsigned n = 0;
    while (n < bits && !((v >> n) & 1u))
        n++;
    return n;
}

static unsigned count_leading(uint64_t v, unsigned bits)
{
    unsigned n = 0;
    while (n < bits && !((v >> (bits - 1u - n)) & 1u))
        n++;
    return n;
}

bool xai_alu_bsf_bsr(uint64_t *rf, bool forward, uint64_t src, unsigned size, uint64_t *index)
{
    unsigned bits = size * 8u;
    src &= xai_size_mask(size);
    if (src == 0) {
        xai_flags_put(rf, XAI_STATUS_FLAGS, XAI_ZF | XAI_PF);
        return false;
    }
    *index = forward ? count_trailing(src, bits) : bits - 1u - count_leading(src, bits);
    xai_flags_put(rf, XAI_STATUS_FLAGS, xai_flags_szp(*index, 1) & XAI_PF);
    return true;
}

static uint64_t count_flags(uint64_t *rf, uint64_t r, uint64_t src)
{
    /* LZCNT/TZCNT: CF = source is 0, ZF = result is 0; OF kept; SF, AF, PF 0 */
    uint64_t f = bit_flag(src == 0, XAI_CF) | bit_flag(r == 0, XAI_ZF);
    xai_flags_put(rf, XAI_CF | XAI_ZF | XAI_SF | XAI_AF | XAI_PF, f);
    return r;
}

uint64_t xai_alu_lzcnt(uint64_t *rf, uint64_t src, unsigned size)
{
    src &= xai_size_mask(size);
    return count_flags(rf, count_leading(src, size * 8u), src);
}

uint64_t xai_alu_tzcnt(uint64_t *rf, uint64_t src, unsigned size)
{
    src &= xai_size_mask(size);
    return count_flags(rf, count_trailing(src, size * 8u), src);
}

uint64_t xai_alu_popcnt(uint64_t *rf, uint64_t src, unsigned size)
{
    uint64_t n = 0;
    src &= xai_size_mask(size);
    for (uint64_t v = src; v; v &= v - 1u)
        n++;
    xai_flags_put(rf, XAI_STATUS_FLAGS, bit_flag(src == 0, XAI_ZF));
    return n;
}

void xai_alu_bt(uint64_t *rf, unsigned bit)
{
    xai_flags_put(rf, XAI_CF, bit ? XAI_CF : 0);
}

/* ------------------------------------------------------------------------ */
/* BMI                                                                      */
/* ------------------------------------------------------------------------ */

/* SF, ZF, PF of the result, CF as given, OF = AF = 0. */
static uint64_t bmi_flags(uint64_t *rf, uint64_t r, unsigned size, bool cf)
{
    r &= xai_size_mask(size);
    xai_flags_put(rf, XAI_STATUS_FLAGS, xai_flags_szp(r, size) | bit_flag(cf, XAI_CF));
    return r;
}

uint64_t xai_alu_andn(uint64_t *rf, uint64_t a, uint64_t b, unsigned size)
{
    return bmi_flags(rf, ~a & b, size, false);
}

uint64_t xai_alu_bextr(uint64_t *rf, uint64_t src, uint64_t control, unsigned size)
{
    unsigned bits = size * 8u;
    unsigned start = (unsigned)(control & 0xffu), len = (unsigned)((control >> 8) & 0xffu);
    uint64_t r = 0;
    src &= xai_size_mask(size);
    if (start < bits) {
        r = src >> start;
        if (len < 64)
            r &= ((uint64_t)1 << len) - 1u;
    }
    r &= xai_size_mask(size);
    /* AMD: SF = 0 whatever the result, AF = 1, PF from the result */
    xai_flags_put(rf, XAI_STATUS_FLAGS, (xai_flags_szp(r, size) & ~(uint64_t)XAI_SF) | XAI_AF);
    return r;
}

uint64_t xai_alu_blsi(uint64_t *rf, uint64_t src, unsigned size)
{
    src &= xai_size_mask(size);
    return bmi_flags(rf, (~src + 1u) & src, size, src != 0);
}

uint64_t xai_alu_blsmsk(uint64_t *rf, uint64_t src, unsigned size)
{
    src &= xai_size_mask(size);
    return bmi_flags(rf, (src - 1u) ^ src, size, src == 0);
}

uint64_t xai_alu_blsr(uint64_t *rf, uint64_t src, unsigned size)
{
    src &= xai_size_mask(size);
    return bmi_flags(rf, (src - 1u) & src, size, src == 0);
}

uint64_t xai_alu_bzhi(uint64_t *rf, uint64_t src, uint64_t index, unsigned size)
{
    unsigned bits = size * 8u;
    unsigned n = (unsigned)(index & 0xffu);
    uint64_t r = src & xai_size_mask(size);
    if (n < bits)
        r &= ((uint64_t)1 << n) - 1u;
    return bmi_flags(rf, r, size, n > bits - 1u);
}

/* ------------------------------------------------------------------------ */
/* Conditions                                                               */
/* ------------------------------------------------------------------------ */

bool xai_cond(uint64_t rf, unsigned cc)
{
    bool cf = (rf & XAI_CF) != 0, zf = (rf & XAI_ZF) != 0, sf = (rf & XAI_SF) != 0;
    bool of = (rf & XAI_OF) != 0, pf = (rf & XAI_PF) != 0;
    bool v;
    switch ((cc >> 1) & 7u) {
    case 0: v = of; break;
    case 1: v = cf; break;
    case 2: v = zf; break;
    case 3: v = cf || zf; break;
    case 4: v = sf; break;
    case 5: v = pf; break;
    case 6: v = sf != of; break;
    default: v = zf || sf != of; break;
    }
    return (cc & 1u) ? !v : v;
}
