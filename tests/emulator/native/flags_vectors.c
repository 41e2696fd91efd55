/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host-independent regression test of emulator/flags.c: results and all six status
 * flags (the undefined ones included: the AMD policy of flags.h) of shifts, SHLD/SHRD,
 * MUL/IMUL, DIV/IDIV, BSF/BSR, BEXTR, AND and LZCNT/TZCNT, checked against vectors that
 * an AMD EPYC produced (flags_vectors.inc, recorded by gen_flag_vectors.c; they are
 * data here, so this test runs on any host, big-endian ones included).
 */
#include <inttypes.h>
#include <stdio.h>

#include "emulator/emu.h"
#include "emulator/flags.h"

enum { V_SHIFT, V_SHXD, V_MUL, V_DIV, V_BSF, V_BEXTR, V_AND, V_LZTZ };

struct vec {
    uint8_t kind, op, size;
    uint64_t a, b, c, rf_in; /* operands (see each kind below) and the input flags */
    uint64_t r1, r2, rf_out; /* results and the output flags */
};

/* V_SHIFT: op = /digit, a = value, c = CL.  V_SHXD: op = left, a = dst, b = src, c = count.
 * V_MUL: op = signed, a = rAX, b = source; r1:r2 = low:high.  V_DIV: op = signed,
 * a:b = high:low dividend, c = divisor; r1 = quotient, r2 = remainder.  V_BSF: op =
 * forward, a = source, b = destination before; r1 = destination after.  V_BEXTR: a =
 * source, b = control.  V_AND: a & b.  V_LZTZ: op = LZCNT, a = source. */
static const struct vec vectors[] = {
#include "flags_vectors.inc"
};

static uint64_t mask(unsigned size)
{
    return size >= 8 ? ~(uint64_t)0 : ((uint64_t)1 << (size * 8u)) - 1u;
}

static int check(const struct vec *v, unsigned i)
{
    uint64_t rf = v->rf_in | 2, r1 = 0, r2 = 0, m = mask(v->size);
    uint64_t want1 = v->r1 & m, want2 = v->r2 & m;
    switch (v->kind) {
    case V_SHIFT: r1 = xai_alu_shift(&rf, (enum xai_shift_op)v->op, v->a, v->c, v->size); break;
    case V_SHXD: r1 = xai_alu_shxd(&rf, v->op != 0, v->a, v->b, v->c, v->size); break;
    case V_MUL: xai_alu_mul(&rf, v->op != 0, v->a, v->b, v->size, &r1, &r2); break;
    case V_DIV:
        if (!xai_alu_div(&rf, v->op != 0, v->a, v->b, v->c, v->size, &r1, &r2)) {
            printf("vector %u: unexpected #DE\n", i);
            return 1;
        }
        break;
    case V_BSF:
        if (!xai_alu_bsf_bsr(&rf, v->op != 0, v->a, v->size, &r1)) {
            r1 = v->b; /* unchanged, all 64 bits */
            m = ~(uint64_t)0;
            want1 = v->r1;
        }
        break;
    case V_BEXTR: r1 = xai_alu_bextr(&rf, v->a, v->b, v->size); break;
    case V_AND: r1 = xai_alu_logic(&rf, v->a & v->b, v->size); break;
    case V_LZTZ:
    default:
        r1 = v->op ? xai_alu_lzcnt(&rf, v->a, v->size) : xai_alu_tzcnt(&rf, v->a, v->size);
        break;
    }
    if ((r1 & m) != want1 || (r2 & m) != want2 || (rf & XAI_STATUS_FLAGS) != v->rf_out) {
        printf("vector %u (kind %u op %u size %u): got %" PRIx64 " %" PRIx64 " flags %03" PRIx64
               ", want %" PRIx64 " %" PRIx64 " flags %03" PRIx64 "\n",
               i, v->kind, v->op, v->size, r1 & m, r2 & m, rf & XAI_STATUS_FLAGS, want1, want2,
               v->rf_out);
        return 1;
    }
    return 0;
}

int main(void)
{
    unsigned n = sizeof(vectors) / sizeof(vectors[0]), bad = 0;
    for (unsigned i = 0; i < n; i++)
        bad += (unsigned)check(&vectors[i], i);
    printf("%u vectors, %u differ\n", n, bad);
    return bad ? 1 : 0;
}
