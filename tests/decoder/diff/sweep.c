/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The systematic encoding space of xa_diff --sweep-space: every opcode byte of
 * a map x prefix/VEX/EVEX/XOP field variants x a set of ModRM/SIB/displacement
 * tails, followed by distinct filler bytes that serve as displacement and
 * immediate bytes. The candidates do not depend on any decoder.
 */
#include <string.h>

#include "ref.h"

enum space_kind { SP_LEGACY, SP_3DNOW, SP_VEX, SP_EVEX, SP_XOP };

struct space {
    const char *name;
    uint8_t kind;
    uint8_t map; /* legacy: 0 one-byte, 1 0F, 2 0F38, 3 0F3A; VEX/EVEX/XOP: map field */
};

static const struct space spaces[] = {
    {"legacy", SP_LEGACY, 0},      {"legacy-0f", SP_LEGACY, 1}, {"legacy-0f38", SP_LEGACY, 2},
    {"legacy-0f3a", SP_LEGACY, 3}, {"3dnow", SP_3DNOW, 0},      {"vex-0f", SP_VEX, 1},
    {"vex-0f38", SP_VEX, 2},       {"vex-0f3a", SP_VEX, 3},     {"evex-0f", SP_EVEX, 1},
    {"evex-0f38", SP_EVEX, 2},     {"evex-0f3a", SP_EVEX, 3},   {"evex-map5", SP_EVEX, 5},
    {"evex-map6", SP_EVEX, 6},     {"xop-8", SP_XOP, 8},        {"xop-9", SP_XOP, 9},
    {"xop-a", SP_XOP, 10},
};

#define NSPACES (sizeof spaces / sizeof spaces[0])

unsigned ref_space_count(void)
{
    return (unsigned)NSPACES;
}

const char *ref_space_name(unsigned i)
{
    return i < NSPACES ? spaces[i].name : NULL;
}

bool ref_space_default(unsigned i, int mode)
{
    if (i >= NSPACES)
        return false;
    return mode != XA_MODE_REAL || spaces[i].kind == SP_LEGACY || spaces[i].kind == SP_3DNOW;
}

/* Distinct filler: displacement and immediate bytes (and whatever follows). */
static const uint8_t filler[16] = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf1,
                                   0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x10};

/*
 * Tails: ModRM (reg field added by the caller), optional SIB, then filler.
 * mod=3; [base]; [base+index*4+disp8]; [disp32] (RIP-relative in 64-bit
 * mode); [base+disp32]. In 16-bit addressing the same bytes are the 16-bit
 * forms ([bx+si], [si+disp8], [di], [bp+di+disp16]).
 */
struct tail {
    uint8_t modrm;
    uint8_t has_sib;
    uint8_t sib;
    uint8_t after; /* bytes of displacement that follow (informational, for 3DNow! suffix) */
};

static const struct tail tails[] = {
    {0xC1, 0, 0, 0}, {0x00, 0, 0, 0}, {0x44, 1, 0x88, 1}, {0x05, 0, 0, 4}, {0x83, 0, 0, 4},
};

#define NTAILS_FULL  5u
#define NTAILS_SHORT 3u

struct gen {
    int mode;
    ref_emit_fn emit;
    void *ctx;
    uint64_t count;
};

/* Emits head (prefixes + opcode) + tail t with ModRM.reg = reg + filler. */
static void emit_tail(struct gen *g, const uint8_t *head, size_t hn, unsigned t, unsigned reg)
{
    uint8_t b[32];
    size_t n = hn;
    memcpy(b, head, hn);
    b[n++] = (uint8_t)(tails[t].modrm | reg << 3);
    if (tails[t].has_sib)
        b[n++] = tails[t].sib;
    memcpy(b + n, filler, sizeof filler);
    n += sizeof filler;
    g->emit(g->ctx, b, n);
    g->count++;
}

static void run_legacy(struct gen *g, unsigned map)
{
    static const uint8_t pfx[4] = {0, 0x66, 0xF3, 0xF2};
    unsigned nrex = g->mode == XA_MODE_64 ? 2 : 1;
    for (unsigned op = 0; op < 256; op++)
        for (unsigned p = 0; p < 4; p++)
            for (unsigned r = 0; r < nrex; r++) {
                uint8_t h[8];
                size_t n = 0;
                if (pfx[p])
                    h[n++] = pfx[p];
                if (r)
                    h[n++] = 0x48;
                if (map >= 1)
                    h[n++] = 0x0F;
                if (map == 2)
                    h[n++] = 0x38;
                if (map == 3)
                    h[n++] = 0x3A;
                h[n++] = (uint8_t)op;
                for (unsigned t = 0; t < NTAILS_FULL; t++)
                    for (unsigned reg = 0; reg < 8; reg++)
                        emit_tail(g, h, n, t, reg);
            }
}

static void run_3dnow(struct gen *g)
{
    for (unsigned suffix = 0; suffix < 256; suffix++)
        for (unsigned t = 0; t < NTAILS_FULL; t++)
            for (unsigned reg = 0; reg < 8; reg++) {
                uint8_t b[32];
                size_t n = 0;
                b[n++] = 0x0F;
                b[n++] = 0x0F;
                b[n++] = (uint8_t)(tails[t].modrm | reg << 3);
                if (tails[t].has_sib)
                    b[n++] = tails[t].sib;
                memcpy(b + n, filler, tails[t].after);
                n += tails[t].after;
                b[n++] = (uint8_t)suffix;
                memcpy(b + n, filler + 8, 8);
                n += 8;
                g->emit(g->ctx, b, n);
                g->count++;
            }
}

/* vvvv as encoded (inverted): 1111 means unused, 1101 is register 2. */
static const uint8_t vvvv_enc[2] = {0xF, 0xD};

static void run_vex(struct gen *g, unsigned map)
{
    for (unsigned op = 0; op < 256; op++) {
        for (unsigned w = 0; w < 2; w++)
            for (unsigned v = 0; v < 2; v++)
                for (unsigned l = 0; l < 2; l++)
                    for (unsigned pp = 0; pp < 4; pp++) {
                        uint8_t h[4] = {0xC4, (uint8_t)(0xE0 | map),
                                        (uint8_t)(w << 7 | vvvv_enc[v] << 3 | l << 2 | pp),
                                        (uint8_t)op};
                        for (unsigned t = 0; t < NTAILS_SHORT; t++)
                            for (unsigned reg = 0; reg < 8; reg++)
                                emit_tail(g, h, 4, t, reg);
                    }
        if (map != 1)
            continue;
        /* The two-byte form: R=0, W=0, map 0F. */
        for (unsigned l = 0; l < 2; l++)
            for (unsigned pp = 0; pp < 4; pp++) {
                uint8_t h[3] = {0xC5, (uint8_t)(0x80 | 0xF << 3 | l << 2 | pp), (uint8_t)op};
                for (unsigned t = 0; t < NTAILS_SHORT; t++)
                    for (unsigned reg = 0; reg < 8; reg++)
                        emit_tail(g, h, 3, t, reg);
            }
    }
}

static void run_evex(struct gen *g, unsigned map)
{
    for (unsigned op = 0; op < 256; op++)
        for (unsigned w = 0; w < 2; w++)
            for (unsigned v = 0; v < 2; v++)
                for (unsigned pp = 0; pp < 4; pp++)
                    for (unsigned ll = 0; ll < 3; ll++)
                        for (unsigned bb = 0; bb < 2; bb++)
                            for (unsigned aaa = 0; aaa < 2; aaa++) {
                                /* P0: R X B R' = 1111 (inverted zero), 0, mmm. */
                                uint8_t h[5] = {0x62, (uint8_t)(0xF0 | map),
                                                (uint8_t)(w << 7 | vvvv_enc[v] << 3 | 4 | pp),
                                                (uint8_t)(ll << 5 | bb << 4 | 8 | aaa),
                                                (uint8_t)op};
                                for (unsigned t = 0; t < NTAILS_SHORT; t++)
                                    for (unsigned reg = 0; reg < 8; reg++)
                                        emit_tail(g, h, 5, t, reg);
                            }
}

static void run_xop(struct gen *g, unsigned map)
{
    for (unsigned op = 0; op < 256; op++)
        for (unsigned w = 0; w < 2; w++)
            for (unsigned v = 0; v < 2; v++)
                for (unsigned l = 0; l < 2; l++)
                    for (unsigned pp = 0; pp < 2; pp++) {
                        uint8_t h[4] = {0x8F, (uint8_t)(0xE0 | map),
                                        (uint8_t)(w << 7 | vvvv_enc[v] << 3 | l << 2 | pp),
                                        (uint8_t)op};
                        for (unsigned t = 0; t < NTAILS_FULL; t++)
                            for (unsigned reg = 0; reg < 8; reg++)
                                emit_tail(g, h, 4, t, reg);
                    }
}

uint64_t ref_space_run(unsigned i, int mode, ref_emit_fn emit, void *ctx)
{
    if (i >= NSPACES)
        return 0;
    struct gen g = {mode, emit, ctx, 0};
    const struct space *s = &spaces[i];
    switch (s->kind) {
    case SP_LEGACY: run_legacy(&g, s->map); break;
    case SP_3DNOW: run_3dnow(&g); break;
    case SP_VEX: run_vex(&g, s->map); break;
    case SP_EVEX: run_evex(&g, s->map); break;
    case SP_XOP: run_xop(&g, s->map); break;
    default: break;
    }
    return g.count;
}
