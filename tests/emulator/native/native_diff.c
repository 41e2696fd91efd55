/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The native-CPU differential test of the integer instructions: for every form
 * (mnemonic x operand size x register / memory / LOCKed memory), random states
 * biased to edge values run once on the host CPU (native_cpu.c) and once through
 * xa_decode + xa_emulate on flat_vcpu.c; registers, RIP, all six status flags and
 * the memory around the operand must agree, and a faulting instruction (#DE, the
 * #GP of a misaligned CMPXCHG16B) must fault in both.
 *
 *   native_diff [--states N] [--seed S] [--filter TEXT] [--verbose] [--list]
 *
 * N defaults to $XA_NATIVE_STATES, else 100 (ctest); the full run uses 10000.
 * On an AMD host every status flag is compared: the undefined ones follow the policy of
 * emulator/flags.h, measured on an AMD EPYC. On other hosts (or with --defined-only) the
 * flags the SDM leaves undefined are masked per instruction, and the states avoid the
 * few undefined results (16-bit SHLD/SHRD counts above 16, BSF/BSR of 0).
 * Exit status: 0 all agree, 1 a mismatch, 77 skipped (not an x86-64 Linux host).
 */
#if defined(__x86_64__) && defined(__linux__)

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <x86assist/x86assist.h>

#include "flat_vcpu.h"
#include "native_cpu.h"
#include "native_rng.h"

/* ------------------------------------------------------------------------ */
/* Random values biased to edges                                            */
/* ------------------------------------------------------------------------ */

static uint64_t edge_value(struct rng *r)
{
    static const uint64_t edges[] = {
        0,
        1,
        2,
        3,
        0x7f,
        0x80,
        0xff,
        0x7fff,
        0x8000,
        0xffff,
        0x7fffffff,
        0x80000000,
        0xffffffff,
        0x100000000,
        0x7fffffffffffffffull,
        0x8000000000000000ull,
        ~0ull,
        ~1ull,
        0xfffffffffffffffeull,
        0x8000000000000001ull,
        0xff80,
        0xffffff80,
        0xffffffffffffff80ull,
        0x5555555555555555ull,
        0xaaaaaaaaaaaaaaaaull,
        0x0f0f0f0f0f0f0f0full,
    };
    switch (rndn(r, 8)) {
    case 0:
    case 1: return edges[rndn(r, sizeof(edges) / sizeof(edges[0]))];
    case 2: return rndn(r, 70);
    case 3: return (uint64_t)0 - rndn(r, 70);
    case 4: return (uint64_t)1 << rndn(r, 64);
    case 5: { /* an edge value in the low part, random above */
        uint64_t low = edges[rndn(r, sizeof(edges) / sizeof(edges[0]))];
        unsigned bits = 8u << rndn(r, 3);
        uint64_t m = (((uint64_t)1) << bits) - 1u;
        return (rnd(r) & ~m) | (low & m);
    }
    default: return rnd(r);
    }
}

static uint64_t count_value(struct rng *r, unsigned bits)
{
    static const unsigned counts[] = {0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65};
    switch (rndn(r, 4)) {
    case 0: return counts[rndn(r, sizeof(counts) / sizeof(counts[0]))];
    case 1: return bits - 1u + rndn(r, 3); /* width-1, width, width+1 */
    case 2: return rndn(r, 4);
    default: return rnd(r) & 0xff;
    }
}

/* ------------------------------------------------------------------------ */
/* Instruction templates                                                    */
/* ------------------------------------------------------------------------ */

enum imm_kind { IMM_NONE, IMM_B, IMM_Z };
enum rm_kind { RM_ANY, RM_MEM, RM_REG };
enum tflag {
    T_LOCK = 1u << 0,  /* LOCK allowed with memory */
    T_F3 = 1u << 1,    /* mandatory F3 */
    T_VEX = 1u << 2,   /* VEX-encoded, sizes 4 and 8 */
    T_ACC = 1u << 3,   /* no ModRM: accumulator and immediate */
    T_OPREG = 1u << 4, /* register in the opcode's low bits (90+r) */
    T_CL = 1u << 5,    /* count in CL */
    T_COUNT = 1u << 6, /* imm8 is a shift count */
    T_DIV = 1u << 7,   /* make most states not fault */
    T_IDIV = 1u << 8,
    T_CMPXCHG = 1u << 9, /* accumulator often equal */
    T_CX = 1u << 10,     /* CMPXCHG8B/16B */
    T_BTREG = 1u << 11,  /* register bit offset */
    T_VCTL = 1u << 12,   /* vvvv holds a small control/count/index */
    T_VDEST = 1u << 13,  /* VEX: vvvv is the destination (BLSI/BLSMSK/BLSR) */
    T_NOVVVV = 1u << 14, /* VEX.vvvv unused (1111b) */
};

struct tmpl {
    char name[24];
    uint8_t map; /* 0 one-byte, 1 0F, 2 0F38, 3 0F3A */
    int16_t op8, opv;
    int8_t digit;       /* -1: reg field is a register operand */
    uint8_t imm;        /* enum imm_kind */
    uint8_t rm;         /* enum rm_kind */
    uint8_t pp;         /* VEX pp: 0, 1 (66), 2 (F3), 3 (F2) */
    uint8_t fixed_size; /* 0: from op8/opv; else the only size (16 for CMPXCHG16B) */
    uint32_t flags;
    uint16_t implicit; /* GPRs (bit n) the instruction uses implicitly */
};

#define R_AX (1u << 0)
#define R_CX (1u << 1)
#define R_DX (1u << 2)
#define R_BX (1u << 3)

#define MAX_TMPL 320

struct tmpl_list {
    struct tmpl t[MAX_TMPL];
    unsigned n;
};

static void add(struct tmpl_list *l, const char *name, unsigned map, int op8, int opv, int digit,
                unsigned imm, unsigned rm, uint32_t flags, unsigned implicit)
{
    struct tmpl *t = &l->t[l->n++];
    memset(t, 0, sizeof(*t));
    snprintf(t->name, sizeof(t->name), "%s", name);
    t->map = (uint8_t)map;
    t->op8 = (int16_t)op8;
    t->opv = (int16_t)opv;
    t->digit = (int8_t)digit;
    t->imm = (uint8_t)imm;
    t->rm = (uint8_t)rm;
    t->flags = flags;
    t->implicit = (uint16_t)implicit;
}

static void add_vex(struct tmpl_list *l, const char *name, unsigned map, unsigned opcode,
                    unsigned pp, int digit, unsigned imm, uint32_t flags, unsigned implicit)
{
    add(l, name, map, -1, (int)opcode, digit, imm, RM_ANY, flags | T_VEX, implicit);
    l->t[l->n - 1].pp = (uint8_t)pp;
}

static void build_templates(struct tmpl_list *l)
{
    static const char *alu[8] = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};
    static const char *shifts[8] = {"rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"};
    static const char *cc[16] = {"o", "no", "b", "nb", "z", "nz", "be", "nbe",
                                 "s", "ns", "p", "np", "l", "nl", "le", "nle"};
    char n[24];
    l->n = 0;
    for (int i = 0; i < 8; i++) {
        uint32_t lk = i == 7 ? 0 : T_LOCK;
        snprintf(n, sizeof(n), "%s E,G", alu[i]);
        add(l, n, 0, i * 8, i * 8 + 1, -1, IMM_NONE, RM_ANY, lk, 0);
        snprintf(n, sizeof(n), "%s G,E", alu[i]);
        add(l, n, 0, i * 8 + 2, i * 8 + 3, -1, IMM_NONE, RM_ANY, 0, 0);
        snprintf(n, sizeof(n), "%s E,I", alu[i]);
        add(l, n, 0, 0x80, 0x81, i, IMM_Z, RM_ANY, lk, 0);
        snprintf(n, sizeof(n), "%s E,Ib", alu[i]);
        add(l, n, 0, -1, 0x83, i, IMM_B, RM_ANY, lk, 0);
        snprintf(n, sizeof(n), "%s Acc,I", alu[i]);
        add(l, n, 0, i * 8 + 4, i * 8 + 5, -1, IMM_Z, RM_REG, T_ACC, 0);
    }
    add(l, "test E,G", 0, 0x84, 0x85, -1, IMM_NONE, RM_ANY, 0, 0);
    add(l, "test E,I", 0, 0xF6, 0xF7, 0, IMM_Z, RM_ANY, 0, 0);
    add(l, "test Acc,I", 0, 0xA8, 0xA9, -1, IMM_Z, RM_REG, T_ACC, 0);
    add(l, "not", 0, 0xF6, 0xF7, 2, IMM_NONE, RM_ANY, T_LOCK, 0);
    add(l, "neg", 0, 0xF6, 0xF7, 3, IMM_NONE, RM_ANY, T_LOCK, 0);
    add(l, "mul", 0, 0xF6, 0xF7, 4, IMM_NONE, RM_ANY, 0, R_AX | R_DX);
    add(l, "imul E", 0, 0xF6, 0xF7, 5, IMM_NONE, RM_ANY, 0, R_AX | R_DX);
    add(l, "div", 0, 0xF6, 0xF7, 6, IMM_NONE, RM_ANY, T_DIV, R_AX | R_DX);
    add(l, "idiv", 0, 0xF6, 0xF7, 7, IMM_NONE, RM_ANY, T_DIV | T_IDIV, R_AX | R_DX);
    add(l, "inc", 0, 0xFE, 0xFF, 0, IMM_NONE, RM_ANY, T_LOCK, 0);
    add(l, "dec", 0, 0xFE, 0xFF, 1, IMM_NONE, RM_ANY, T_LOCK, 0);
    for (int i = 0; i < 8; i++) {
        snprintf(n, sizeof(n), "%s E,Ib", shifts[i]);
        add(l, n, 0, 0xC0, 0xC1, i, IMM_B, RM_ANY, T_COUNT, 0);
        snprintf(n, sizeof(n), "%s E,1", shifts[i]);
        add(l, n, 0, 0xD0, 0xD1, i, IMM_NONE, RM_ANY, 0, 0);
        snprintf(n, sizeof(n), "%s E,CL", shifts[i]);
        add(l, n, 0, 0xD2, 0xD3, i, IMM_NONE, RM_ANY, T_CL, R_CX);
    }
    add(l, "shld E,G,Ib", 1, -1, 0xA4, -1, IMM_B, RM_ANY, T_COUNT, 0);
    add(l, "shld E,G,CL", 1, -1, 0xA5, -1, IMM_NONE, RM_ANY, T_CL, R_CX);
    add(l, "shrd E,G,Ib", 1, -1, 0xAC, -1, IMM_B, RM_ANY, T_COUNT, 0);
    add(l, "shrd E,G,CL", 1, -1, 0xAD, -1, IMM_NONE, RM_ANY, T_CL, R_CX);
    add(l, "imul G,E", 1, -1, 0xAF, -1, IMM_NONE, RM_ANY, 0, 0);
    add(l, "imul G,E,Iz", 0, -1, 0x69, -1, IMM_Z, RM_ANY, 0, 0);
    add(l, "imul G,E,Ib", 0, -1, 0x6B, -1, IMM_B, RM_ANY, 0, 0);
    add(l, "bt E,G", 1, -1, 0xA3, -1, IMM_NONE, RM_ANY, T_BTREG, 0);
    add(l, "bts E,G", 1, -1, 0xAB, -1, IMM_NONE, RM_ANY, T_BTREG | T_LOCK, 0);
    add(l, "btr E,G", 1, -1, 0xB3, -1, IMM_NONE, RM_ANY, T_BTREG | T_LOCK, 0);
    add(l, "btc E,G", 1, -1, 0xBB, -1, IMM_NONE, RM_ANY, T_BTREG | T_LOCK, 0);
    add(l, "bt E,Ib", 1, -1, 0xBA, 4, IMM_B, RM_ANY, 0, 0);
    add(l, "bts E,Ib", 1, -1, 0xBA, 5, IMM_B, RM_ANY, T_LOCK, 0);
    add(l, "btr E,Ib", 1, -1, 0xBA, 6, IMM_B, RM_ANY, T_LOCK, 0);
    add(l, "btc E,Ib", 1, -1, 0xBA, 7, IMM_B, RM_ANY, T_LOCK, 0);
    add(l, "bsf", 1, -1, 0xBC, -1, IMM_NONE, RM_ANY, 0, 0);
    add(l, "bsr", 1, -1, 0xBD, -1, IMM_NONE, RM_ANY, 0, 0);
    add(l, "tzcnt", 1, -1, 0xBC, -1, IMM_NONE, RM_ANY, T_F3, 0);
    add(l, "lzcnt", 1, -1, 0xBD, -1, IMM_NONE, RM_ANY, T_F3, 0);
    add(l, "popcnt", 1, -1, 0xB8, -1, IMM_NONE, RM_ANY, T_F3, 0);
    add(l, "xchg E,G", 0, 0x86, 0x87, -1, IMM_NONE, RM_ANY, T_LOCK, 0);
    add(l, "xchg Z,Acc", 0, -1, 0x90, -1, IMM_NONE, RM_REG, T_OPREG, 0);
    add(l, "cmpxchg", 1, 0xB0, 0xB1, -1, IMM_NONE, RM_ANY, T_LOCK | T_CMPXCHG, R_AX);
    add(l, "xadd", 1, 0xC0, 0xC1, -1, IMM_NONE, RM_ANY, T_LOCK, 0);
    add(l, "cmpxchg8b", 1, -1, 0xC7, 1, IMM_NONE, RM_MEM, T_LOCK | T_CX, R_AX | R_BX | R_CX | R_DX);
    l->t[l->n - 1].fixed_size = 8;
    add(l, "cmpxchg16b", 1, -1, 0xC7, 1, IMM_NONE, RM_MEM, T_LOCK | T_CX,
        R_AX | R_BX | R_CX | R_DX);
    l->t[l->n - 1].fixed_size = 16;
    for (int i = 0; i < 16; i++) {
        snprintf(n, sizeof(n), "set%s", cc[i]);
        add(l, n, 1, 0x90 + i, -1, 0, IMM_NONE, RM_ANY, 0, 0);
        snprintf(n, sizeof(n), "cmov%s", cc[i]);
        add(l, n, 1, -1, 0x40 + i, -1, IMM_NONE, RM_ANY, 0, 0);
    }
    add_vex(l, "andn", 2, 0xF2, 0, -1, IMM_NONE, 0, 0);
    add_vex(l, "blsr", 2, 0xF3, 0, 1, IMM_NONE, T_VDEST, 0);
    add_vex(l, "blsmsk", 2, 0xF3, 0, 2, IMM_NONE, T_VDEST, 0);
    add_vex(l, "blsi", 2, 0xF3, 0, 3, IMM_NONE, T_VDEST, 0);
    add_vex(l, "bextr", 2, 0xF7, 0, -1, IMM_NONE, T_VCTL, 0);
    add_vex(l, "bzhi", 2, 0xF5, 0, -1, IMM_NONE, T_VCTL, 0);
    add_vex(l, "pext", 2, 0xF5, 2, -1, IMM_NONE, 0, 0);
    add_vex(l, "pdep", 2, 0xF5, 3, -1, IMM_NONE, 0, 0);
    add_vex(l, "mulx", 2, 0xF6, 3, -1, IMM_NONE, 0, R_DX);
    add_vex(l, "shlx", 2, 0xF7, 1, -1, IMM_NONE, T_VCTL, 0);
    add_vex(l, "sarx", 2, 0xF7, 2, -1, IMM_NONE, T_VCTL, 0);
    add_vex(l, "shrx", 2, 0xF7, 3, -1, IMM_NONE, T_VCTL, 0);
    add_vex(l, "rorx", 3, 0xF0, 3, -1, IMM_B, T_COUNT | T_NOVVVV, 0);
}

/* The status flags the SDM leaves undefined (for some count or value) per mnemonic. */
static unsigned undefined_flags(const char *name)
{
    static const struct {
        const char *mnemonic;
        unsigned flags;
    } table[] = {
        {"and", 0x010},   {"or", 0x010},    {"xor", 0x010},  {"test", 0x010},   {"rol", 0x800},
        {"ror", 0x800},   {"rcl", 0x800},   {"rcr", 0x800},  {"shl", 0x811},    {"shr", 0x811},
        {"sal", 0x811},   {"sar", 0x811},   {"shld", 0x811}, {"shrd", 0x811},   {"mul", 0x0d4},
        {"imul", 0x0d4},  {"div", 0x8d5},   {"idiv", 0x8d5}, {"bsf", 0x895},    {"bsr", 0x895},
        {"bt", 0x894},    {"bts", 0x894},   {"btr", 0x894},  {"btc", 0x894},    {"lzcnt", 0x894},
        {"tzcnt", 0x894}, {"andn", 0x014},  {"blsi", 0x014}, {"blsmsk", 0x014}, {"blsr", 0x014},
        {"bzhi", 0x014},  {"bextr", 0x094},
    };
    size_t n = strcspn(name, " ");
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (strlen(table[i].mnemonic) == n && !strncmp(table[i].mnemonic, name, n))
            return table[i].flags;
    return 0;
}

static bool is_mnemonic(const struct tmpl *t, const char *m)
{
    size_t n = strcspn(t->name, " ");
    return strlen(m) == n && !strncmp(t->name, m, n);
}

/* ------------------------------------------------------------------------ */
/* Encoding one instance                                                    */
/* ------------------------------------------------------------------------ */

#define CENTER (NAT_DATA_SIZE / 2u)
#define WINDOW 8448u /* bytes compared either side of CENTER */

struct inst {
    uint8_t bytes[16];
    unsigned len;
    unsigned size; /* operand size in bytes */
    bool mem, lock;
    int reg;       /* ModRM.reg operand register, -1 */
    int rm;        /* ModRM.rm register (register form), -1 */
    int vvvv;      /* VEX.vvvv register, -1 */
    int base;      /* base register (memory form), -1 */
    bool rex;      /* a REX prefix is present (byte registers 4..7 are SPL..DIL) */
    uint64_t addr; /* host/guest address of the memory operand */
    int32_t disp;
};

/* Picks a register in 0..15 (0..7 when @p low) not in @p avoid (bit mask). */
static int pick_reg(struct rng *r, bool low, unsigned avoid)
{
    for (;;) {
        int x = (int)rndn(r, low ? 8 : 16);
        if (!(avoid & (1u << x)))
            return x;
    }
}

static void encode(const struct tmpl *t, unsigned size, bool mem, bool lock, bool exact,
                   struct rng *r, uint64_t data_addr, struct inst *in)
{
    uint8_t *p = in->bytes;
    unsigned avoid = 1u << 4 | 1u << 12; /* RSP; R12 would need a SIB byte as base */
    bool byte = size == 1;
    bool low = false;

    memset(in, 0, sizeof(*in));
    in->size = size;
    in->mem = mem;
    in->lock = lock;
    in->reg = in->rm = in->vvvv = in->base = -1;

    if (byte) {
        in->rex = rndn(r, 2) != 0;
        low = !in->rex;
    }
    /* registers: operands first, then a base that differs from all of them */
    unsigned used = 0;
    if (t->digit < 0 && !(t->flags & (T_ACC | T_OPREG))) {
        in->reg = pick_reg(r, low, low ? 0u : 1u << 4);
        if (byte && low && in->reg >= 4)
            used |= 1u << (in->reg - 4);
        used |= 1u << in->reg;
    }
    if ((t->flags & T_VEX) && !(t->flags & T_NOVVVV)) {
        in->vvvv = pick_reg(r, false, 1u << 4);
        used |= 1u << in->vvvv;
    }
    if (t->flags & T_OPREG) {
        in->rm = pick_reg(r, false, 1u << 4 | 1u); /* not 90 (NOP) */
    } else if (!(t->flags & T_ACC)) {
        if (mem) {
            in->base = pick_reg(r, low, avoid | used | t->implicit);
        } else {
            in->rm = pick_reg(r, low, low ? 0u : 1u << 4);
        }
    }

    if (lock)
        *p++ = 0xF0;
    if (!(t->flags & T_VEX)) {
        if (size == 2)
            *p++ = 0x66;
        if (t->flags & T_F3)
            *p++ = 0xF3;
        unsigned rexb = 0;
        if (size == 8 && t->fixed_size != 8)
            rexb |= 8;
        if (size == 16)
            rexb |= 8;
        if (in->reg >= 8)
            rexb |= 4;
        if (in->base >= 8 || in->rm >= 8)
            rexb |= 1;
        if (rexb || (byte && in->rex))
            *p++ = (uint8_t)(0x40 | rexb);
        in->rex = rexb || (byte && in->rex);
        if (t->map == 1)
            *p++ = 0x0F;
        int op = byte ? t->op8 : t->opv;
        if (t->flags & T_OPREG)
            op += in->rm & 7;
        *p++ = (uint8_t)op;
    } else {
        unsigned rr = in->reg >= 8 ? 1u : 0u;
        unsigned bb = (in->base >= 8 || in->rm >= 8) ? 1u : 0u;
        *p++ = 0xC4;
        *p++ = (uint8_t)(((rr ^ 1u) << 7) | (1u << 6) | ((bb ^ 1u) << 5) | t->map);
        *p++ = (uint8_t)(((size == 8) ? 0x80u : 0u) |
                         ((in->vvvv < 0 ? 15u : ~(unsigned)in->vvvv & 15u) << 3) | t->pp);
        *p++ = (uint8_t)t->opv;
        in->rex = true;
    }
    if (!(t->flags & (T_ACC | T_OPREG))) {
        unsigned regf = t->digit >= 0 ? (unsigned)t->digit : (unsigned)in->reg & 7u;
        if (mem) {
            *p++ = (uint8_t)(0x80 | regf << 3 | ((unsigned)in->base & 7u));
            in->disp = (int32_t)rndn(r, 256) - 128;
            for (int i = 0; i < 4; i++)
                *p++ = (uint8_t)((uint32_t)in->disp >> (8 * i));
            /* within one cache line: a split LOCK is slow (or #AC) on some kernels */
            in->addr = data_addr + CENTER + rndn(r, 64u - (size > 8 ? 16u : size) + 1u);
            if ((lock || (t->flags & T_BTREG)) && size <= 8)
                in->addr &= ~(uint64_t)(size - 1u);
            if (size == 16 && rndn(r, 8) != 0)
                in->addr &= ~(uint64_t)15;
        } else {
            *p++ = (uint8_t)(0xC0 | regf << 3 | ((unsigned)in->rm & 7u));
        }
    }
    unsigned immn = t->imm == IMM_B ? 1 : t->imm == IMM_Z ? (size == 1 ? 1 : size == 2 ? 2 : 4) : 0;
    uint64_t imm = (t->flags & T_COUNT) ? count_value(r, size * 8u) : edge_value(r);
    if (!exact && size == 2 && (is_mnemonic(t, "shld") || is_mnemonic(t, "shrd")))
        imm %= 17; /* above 16 the result is undefined */
    for (unsigned i = 0; i < immn; i++)
        *p++ = (uint8_t)(imm >> (8 * i));
    in->len = (unsigned)(p - in->bytes);
}

/* ------------------------------------------------------------------------ */
/* States                                                                   */
/* ------------------------------------------------------------------------ */

static uint64_t size_mask(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (size * 8u)) - 1u;
}

/* Reads / writes the r/m operand's value in a state (register or memory). */
static uint64_t rm_value(const struct inst *in, const struct nat_state *s, const uint8_t *mem)
{
    uint64_t v = 0;
    if (in->mem) {
        for (unsigned i = 0; i < in->size && i < 8; i++)
            v |= (uint64_t)mem[i] << (8 * i);
        return v;
    }
    if (in->size == 1 && !in->rex && in->rm >= 4 && in->rm < 8)
        return (s->gpr[in->rm - 4] >> 8) & 0xff;
    return s->gpr[in->rm] & size_mask(in->size);
}

static void make_state(const struct tmpl *t, const struct inst *in, bool exact, struct rng *r,
                       struct nat_state *s, uint8_t *opmem)
{
    for (unsigned i = 0; i < 16; i++)
        s->gpr[i] = edge_value(r);
    s->gpr[4] = 0;
    s->rflags = 0x2 | (rnd(r) & 0x8D5);
    unsigned msize = in->size == 16 ? 16 : in->size;
    for (unsigned i = 0; i < msize; i += 8) {
        uint64_t v = edge_value(r);
        for (unsigned k = 0; k < 8 && i + k < msize; k++)
            opmem[i + k] = (uint8_t)(v >> (8 * k));
    }
    if (t->flags & T_CL) {
        uint64_t n = count_value(r, in->size * 8u);
        if (!exact && in->size == 2 && (is_mnemonic(t, "shld") || is_mnemonic(t, "shrd")))
            n %= 17; /* above 16 the result is undefined */
        s->gpr[1] = (s->gpr[1] & ~0xffull) | n;
    }
    if (!exact && (is_mnemonic(t, "bsf") || is_mnemonic(t, "bsr")) &&
        rm_value(in, s, opmem) == 0) { /* the destination is undefined for 0 */
        if (in->mem)
            opmem[0] = 1;
        else
            s->gpr[in->rm] |= 1;
    }
    if (t->flags & T_VCTL) {
        uint64_t lo = count_value(r, in->size * 8u) | (uint64_t)count_value(r, in->size * 8u) << 8;
        if (rndn(r, 4))
            s->gpr[in->vvvv] = (s->gpr[in->vvvv] & ~0xffffull) | lo;
    }
    if ((t->flags & T_BTREG) && in->mem) {
        /* a bit offset that keeps the access inside the data buffer */
        uint64_t off = (uint64_t)((int64_t)(int16_t)rnd(r));
        if (in->size == 2)
            off = rnd(r);
        else if (in->size == 4)
            off = (rnd(r) & ~0xffffffffull) | (off & 0xffffffffull);
        s->gpr[in->reg] = off;
    }
    if ((t->flags & T_CMPXCHG) && rndn(r, 2)) {
        uint64_t m = size_mask(in->size);
        uint64_t dv = rm_value(in, s, opmem);
        if (in->size == 1)
            s->gpr[0] = (s->gpr[0] & ~m) | dv;
        else if (in->size == 4)
            s->gpr[0] = (s->gpr[0] & ~m) | dv; /* upper half random: RAX must keep it */
        else
            s->gpr[0] = (s->gpr[0] & ~m) | dv;
    }
    if ((t->flags & T_CX) && rndn(r, 2)) {
        uint64_t lo = 0, hi = 0;
        if (in->size == 8) {
            for (unsigned i = 0; i < 4; i++) {
                lo |= (uint64_t)opmem[i] << (8 * i);
                hi |= (uint64_t)opmem[4 + i] << (8 * i);
            }
            s->gpr[0] = (s->gpr[0] & ~0xffffffffull) | lo;
            s->gpr[2] = (s->gpr[2] & ~0xffffffffull) | hi;
        } else {
            for (unsigned i = 0; i < 8; i++) {
                lo |= (uint64_t)opmem[i] << (8 * i);
                hi |= (uint64_t)opmem[8 + i] << (8 * i);
            }
            s->gpr[0] = lo;
            s->gpr[2] = hi;
        }
    }
    if ((t->flags & T_DIV) && rndn(r, 4)) {
        uint64_t d = rm_value(in, s, opmem), m = size_mask(in->size);
        unsigned bits = in->size * 8u;
        uint64_t lo = in->size == 1 ? s->gpr[0] & 0xff : s->gpr[0] & m;
        uint64_t hi;
        if (t->flags & T_IDIV)
            hi = (lo >> (bits - 1u)) ? m : 0; /* the sign extension of the low half */
        else
            hi = d ? rnd(r) % d : 0;
        if (in->size == 1)
            s->gpr[0] = (s->gpr[0] & ~0xff00ull) | (hi & 0xff) << 8;
        else
            s->gpr[2] = (s->gpr[2] & ~m) | (hi & m);
    }
    if (in->mem)
        s->gpr[in->base] = in->addr - (uint64_t)(int64_t)in->disp;
}

/* ------------------------------------------------------------------------ */
/* The run                                                                  */
/* ------------------------------------------------------------------------ */

struct ctx {
    struct nat_cpu cpu;
    uint8_t *emu_data; /* the emulator's copy of the data buffer */
    struct flat_vcpu *fv;
    struct xa_vcpu vcpu;
    bool verbose;
    bool exact; /* compare every status flag (AMD host) */
    unsigned reports;
    unsigned long races; /* states where a racing write forced a LOCK re-run */
};

static const char *regnames[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                   "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};

static void report(struct ctx *c, const char *form, const struct inst *in, const struct xa_insn *xi,
                   const struct nat_state *s0, const struct nat_state *host, const char *what)
{
    char text[128] = "";
    if (c->reports++ >= 40)
        return;
    xa_format(xi, 0x1000, text, sizeof(text));
    printf("MISMATCH %s: %s\n  bytes:", form, what);
    for (unsigned i = 0; i < in->len; i++)
        printf(" %02x", in->bytes[i]);
    printf("  (%s)\n", text);
    printf("  in  flags=%03" PRIx64, s0->rflags & 0x8D5);
    for (unsigned i = 0; i < 16; i++)
        if (i != 4)
            printf(" %s=%" PRIx64, regnames[i], s0->gpr[i]);
    printf("\n");
    if (host) {
        printf("  cpu flags=%03" PRIx64 " emu flags=%03" PRIx64 "\n", host->rflags & 0x8D5,
               c->fv->regs[XA_R_RFLAGS].u64 & 0x8D5);
        for (unsigned i = 0; i < 16; i++)
            if (i != 4 && host->gpr[i] != c->fv->regs[i].u64)
                printf("  %s: cpu=%016" PRIx64 " emu=%016" PRIx64 "\n", regnames[i], host->gpr[i],
                       c->fv->regs[i].u64);
    }
}

/*
 * One state: returns true when the CPU and the emulator agree (or the CPU lacks the
 * instruction: *skipped set). The emulator runs first; with @p race, the test vCPU's
 * mem_cmpxchg changes the operand once before comparing (another vCPU's write), so the
 * core must re-run the handler on the new value: the CPU then runs on that new value.
 */
static bool run_one(struct ctx *c, const struct tmpl *t, const char *form, const struct inst *in,
                    struct nat_state *s0, bool expect_ud, bool race, struct rng *r, bool *skipped)
{
    uint8_t *hd = c->cpu.data, *ed = c->emu_data;
    size_t lo = CENTER - WINDOW, hi = CENTER + WINDOW;
    struct nat_state host = *s0;
    struct xa_insn xi;
    struct xa_outcome out;
    const uint64_t rip = 0x1000;
    struct flat_vcpu *f = c->fv;
    char what[160];

    memset(&xi, 0, sizeof(xi));
    memcpy(ed + lo, hd + lo, hi - lo);
    xa_status dst = xa_decode(&xi, XA_MODE_64, XA_VENDOR_AMD, in->bytes, in->len);
    xa_status st = dst;
    f->set_regs_calls = 0;
    f->bad_accesses = 0;
    f->race_armed = race;
    f->race_done = false;
    for (unsigned i = 0; i < sizeof(f->race_xor); i++)
        f->race_xor[i] = (uint8_t)(rnd(r) | 1u);
    if (dst == XA_OK && xi.length == in->len) {
        for (unsigned i = 0; i < 16; i++)
            f->regs[i].u64 = s0->gpr[i];
        f->regs[XA_R_RIP].u64 = rip;
        f->regs[XA_R_RFLAGS].u64 = s0->rflags;
        xa_vcpu_reset(&c->vcpu);
        st = xa_emulate(&c->vcpu, &xi, &out);
    }
    f->race_armed = false;
    if (f->race_done) { /* the CPU sees the other vCPU's write too */
        c->races++;
        size_t off = (size_t)(f->race_gpa - f->data_gpa);
        for (size_t i = 0; i < f->race_size; i++)
            hd[off + i] ^= f->race_xor[i % sizeof(f->race_xor)];
    }

    nat_load(&c->cpu, in->bytes, in->len);
    int sig = nat_run(&c->cpu, &host);
    if (sig == SIGILL && !expect_ud) {
        *skipped = true;
        memcpy(hd + lo, ed + lo, hi - lo);
        return true;
    }
    if (expect_ud && sig != SIGILL) {
        snprintf(what, sizeof(what), "the cpu did not raise #UD (signal %d)", sig);
        report(c, form, in, &xi, s0, NULL, what);
        return false;
    }
    if (expect_ud && dst == XA_ERR_INVALID)
        return true; /* the decoder already says #UD */
    if (dst != XA_OK || xi.length != in->len) {
        snprintf(what, sizeof(what), "decode: %s (length %u of %u)", xa_status_name(dst), xi.length,
                 in->len);
        report(c, form, in, &xi, s0, NULL, what);
        return false;
    }

    if (sig) {
        unsigned want = sig == SIGFPE ? XA_VEC_DE : sig == SIGILL ? XA_VEC_UD : XA_VEC_GP;
        if (st != XA_EXCEPTION || out.exception.vector != want) {
            snprintf(what, sizeof(what), "cpu faults (signal %d), emulator: %s vector %u", sig,
                     xa_status_name(st), out.exception.vector);
            report(c, form, in, &xi, s0, NULL, what);
            memcpy(ed + lo, hd + lo, hi - lo);
            return false;
        }
        if (f->set_regs_calls || f->race_done || memcmp(ed + lo, hd + lo, hi - lo) != 0) {
            report(c, form, in, &xi, s0, NULL, "emulator changed state on a fault");
            memcpy(ed + lo, hd + lo, hi - lo);
            return false;
        }
        return true;
    }
    if (st != XA_OK) {
        snprintf(what, sizeof(what), "emulator: %s (vector %u), cpu: ok", xa_status_name(st),
                 out.exception.vector);
        report(c, form, in, &xi, s0, &host, what);
        memcpy(ed + lo, hd + lo, hi - lo);
        return false;
    }
    bool ok = true;
    what[0] = 0;
    for (unsigned i = 0; i < 16; i++)
        if (i != 4 && host.gpr[i] != f->regs[i].u64)
            ok = false, snprintf(what, sizeof(what), "registers differ");
    unsigned compared = c->exact ? 0x8D5u : 0x8D5u & ~undefined_flags(t->name);
    if (((host.rflags ^ f->regs[XA_R_RFLAGS].u64) & compared) != 0)
        ok = false, snprintf(what + strlen(what), sizeof(what) - strlen(what), " flags differ");
    if (f->regs[XA_R_RIP].u64 != rip + in->len)
        ok = false, snprintf(what + strlen(what), sizeof(what) - strlen(what), " rip");
    if (memcmp(ed + lo, hd + lo, hi - lo) != 0) {
        size_t k = lo;
        while (ed[k] == hd[k])
            k++;
        ok = false;
        snprintf(what + strlen(what), sizeof(what) - strlen(what),
                 " memory differs at +%ld: cpu %02x emu %02x", (long)k - (long)CENTER, hd[k],
                 ed[k]);
        memcpy(ed + lo, hd + lo, hi - lo);
    }
    if (race && !f->race_done)
        ok = false, snprintf(what + strlen(what), sizeof(what) - strlen(what),
                             " a LOCKed write did not use mem_cmpxchg");
    if (f->bad_accesses)
        ok = false, snprintf(what + strlen(what), sizeof(what) - strlen(what), " stray access");
    if (!ok)
        report(c, form, in, &xi, s0, &host, what);
    return ok;
}

static bool has_size(const struct tmpl *t, unsigned size)
{
    if (t->fixed_size)
        return size == t->fixed_size;
    if (size == 16)
        return false;
    if (t->flags & T_VEX)
        return size == 4 || size == 8;
    if (size == 1)
        return t->op8 >= 0;
    return t->opv >= 0;
}

int main(int argc, char **argv)
{
    unsigned states = 100;
    uint64_t seed = 1;
    const char *filter = NULL;
    bool list = false, defined_only = false;
    const char *env = getenv("XA_NATIVE_STATES");
    struct ctx c;

    memset(&c, 0, sizeof(c));
    if (env && *env)
        states = (unsigned)strtoul(env, NULL, 0);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--states") && i + 1 < argc)
            states = (unsigned)strtoul(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--filter") && i + 1 < argc)
            filter = argv[++i];
        else if (!strcmp(argv[i], "--verbose"))
            c.verbose = true;
        else if (!strcmp(argv[i], "--list"))
            list = true;
        else if (!strcmp(argv[i], "--defined-only"))
            defined_only = true;
        else {
            fprintf(stderr,
                    "usage: %s [--states N] [--seed S] [--filter TEXT] [--verbose] [--list] "
                    "[--defined-only]\n",
                    argv[0]);
            return 2;
        }
    }
    if (nat_init(&c.cpu) != 0) {
        printf("SKIP: cannot map executable memory below 2 GiB\n");
        return 77;
    }
    c.exact = nat_host_is_amd() && !defined_only;
    c.emu_data = calloc(1, NAT_DATA_SIZE);
    c.fv = calloc(1, sizeof(*c.fv));
    static struct tmpl_list tl;
    if (!c.emu_data || !c.fv)
        return 2;
    build_templates(&tl);
    flat_init(c.fv, c.emu_data, (uint64_t)(uintptr_t)c.cpu.data, NAT_DATA_SIZE, 0x1000);
    struct xa_cpu_model model = {XA_VENDOR_AMD, 48, XA_FEAT_ALL};
    if (xa_vcpu_init(&c.vcpu, &flat_ops, c.fv, &model) != XA_OK) {
        printf("FAIL: xa_vcpu_init\n");
        return 1;
    }

    struct rng r = {seed};
    for (unsigned i = 0; i < NAT_DATA_SIZE; i++)
        c.cpu.data[i] = (uint8_t)rnd(&r);

    static const unsigned sizes[] = {1, 2, 4, 8, 16};
    unsigned forms = 0, failed_forms = 0, skipped_forms = 0;
    unsigned long total = 0;
    for (unsigned ti = 0; ti < tl.n; ti++) {
        const struct tmpl *t = &tl.t[ti];
        for (unsigned si = 0; si < 5; si++) {
            unsigned size = sizes[si];
            if (!has_size(t, size))
                continue;
            /* reg, mem, LOCK mem; then LOCK where it is #UD: a register destination,
             * or a memory operand of an instruction that is not lockable */
            for (unsigned kind = 0; kind < 4; kind++) {
                bool ud = kind == 3;
                bool lock = kind >= 2;
                bool mem = ud ? !(t->flags & T_LOCK) : kind != 0;
                if ((mem && t->rm == RM_REG) || (!mem && t->rm == RM_MEM))
                    continue;
                if (kind == 2 && !(t->flags & T_LOCK))
                    continue;
                if (ud && (t->flags & (T_ACC | T_OPREG)))
                    continue;
                char form[64];
                snprintf(form, sizeof(form), "%s/%u%s", t->name, size * 8u,
                         ud     ? (mem ? "/mem/lock-ud" : "/reg/lock-ud")
                         : !mem ? "/reg"
                         : lock ? "/mem/lock"
                                : "/mem");
                if (filter && !strstr(form, filter))
                    continue;
                if (list) {
                    printf("%s\n", form);
                    continue;
                }
                forms++;
                unsigned fails = 0, done = 0;
                bool skipped = false;
                unsigned nstates = ud && states > 20 ? 20 : states;
                for (unsigned n = 0; n < nstates && !skipped; n++) {
                    struct inst in;
                    struct nat_state s0;
                    encode(t, size, mem, lock, c.exact, &r, (uint64_t)(uintptr_t)c.cpu.data, &in);
                    uint8_t *opmem = in.mem ? c.cpu.data + (in.addr - (uintptr_t)c.cpu.data)
                                            : c.cpu.data + CENTER;
                    make_state(t, &in, c.exact, &r, &s0, opmem);
                    /* a racing writer in a third of the LOCKed states (XCHG: always locked) */
                    bool race =
                        !ud && mem && (lock || !strncmp(t->name, "xchg", 4)) && rndn(&r, 3) == 0;
                    if (!run_one(&c, t, form, &in, &s0, ud, race, &r, &skipped))
                        fails++;
                    done++;
                }
                total += done;
                if (skipped) {
                    skipped_forms++;
                    printf("SKIP %s: the host CPU lacks it\n", form);
                } else if (fails) {
                    failed_forms++;
                    printf("FAIL %s: %u of %u states differ\n", form, fails, done);
                } else if (c.verbose) {
                    printf("ok   %s: %u states\n", form, done);
                }
            }
        }
    }
    if (list)
        return 0;
    printf("%u forms, %lu states (%lu with a racing write under LOCK): %u failed, %u skipped "
           "(%u states per form, seed %" PRIu64 ", %s)\n",
           forms, total, c.races, failed_forms, skipped_forms, states, seed,
           c.exact ? "all flags compared" : "undefined flags masked");
    nat_fini(&c.cpu);
    free(c.emu_data);
    free(c.fv);
    return failed_forms ? 1 : 0;
}

#else /* not an x86-64 Linux host */

#include <stdio.h>

int main(void)
{
    printf("SKIP: the native differential test needs an x86-64 Linux host\n");
    return 77;
}

#endif
