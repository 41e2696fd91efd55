/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The decoder: a finite-state machine over
 *   legacy prefixes -> REX / VEX / EVEX / XOP -> opcode map -> decode tree
 *   (mandatory prefix, ModRM fields, W, L, mode...) -> SIB -> displacement
 *   -> immediates -> operands.
 * Every opcode fact lives in the generated tables (decoder/isa/, the .isa files); this
 * file knows only the encoding rules shared by all instructions (the generator also
 * writes 64-bit addressing out as tables, xai_modrm64 and xai_sib64).
 *
 * Three paths run these states, each handing what it does not do to the next at the state
 * it reached (no byte is read twice, except that the 64-bit paths with 15 bytes or more
 * hand what their tables do not decide to decode_forms, decode_prefixed or decode_vex
 * from the first byte on):
 *   - the form path (decode_forms, and decode64 for 64-bit mode with 15 bytes or more,
 *     at the end): no legacy prefix, one of the legacy maps, a definition with a generated
 *     form (struct xai_form: the output as it starts and a shape saying which operands
 *     the bytes fill in); in 64-bit mode the form comes straight from the map and opcode
 *     (xai_hot64_roots), as after a 66 or an F3 (decode_mp) or an FS/GS prefix
 *     (decode_fsgs), and for VEX from the map, opcode, pp, L and W (decode_vex64,
 *     xai_vex64); decode_prefixed does the same after other legacy prefixes;
 *   - the legacy path (decode_cold): legacy/REX encodings from prebuilt operand templates;
 *   - the general path (decode_escape, decode_opcode, decode_def): VEX, EVEX, XOP, 3DNow!,
 *     definitions whose operands need checks.
 */
#include <stddef.h>
#include <string.h>

#include "decoder/registers.h"
#include "decoder/tables.h"

/* For the hot helpers whose inlining the legacy path's speed depends on: its state must
 * stay in registers (compilers without the attribute inline what they like). */
#if defined(__GNUC__) || defined(__clang__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#define NOINLINE      __attribute__((noinline))
#define UNREACHABLE() __builtin_unreachable()
#else
#define ALWAYS_INLINE inline
#define NOINLINE
#define UNREACHABLE() ((void)0)
#endif

/* Decoder state for one instruction. */
struct dec {
    const uint8_t *buf;
    size_t len;
    unsigned pos;
    unsigned limit;  /* min(len, XA_MAX_INSN_LENGTH): below it a byte can be read */
    unsigned needed; /* on XA_ERR_TRUNCATED: the length known to be required */
    uint8_t mode;
    uint8_t vendor;
    uint8_t mode64;
    /* legacy prefixes */
    uint8_t lock, has66, has67, last_rep; /* last_rep: 0, 0xF2 or 0xF3 */
    uint8_t seg;                          /* enum xa_reg of the last segment prefix */
    uint8_t seg_eff;                      /* the override in effect (64-bit mode: FS/GS only) */
    uint8_t rex;                          /* REX byte that counts, 0 if none */
    uint32_t pfx;                         /* enum xa_prefix bits of the legacy prefixes */
    /* VEX/EVEX/XOP, with the inverted fields already un-inverted */
    uint8_t enc;
    uint8_t r, x, b, w, rr, vv, l, pp, vvvv;
    uint8_t ez, eb, aaa;
    uint8_t vvvv8; /* outside 64-bit mode: vvvv had bit 3 set (then masked off) */
    /* opcode */
    uint8_t space, opcode, modrm, has_modrm;
    uint8_t mp; /* mandatory-prefix index: none, 66, F3, F2 (kept current while reading prefixes) */
    uint8_t opsize, adsize;
};

enum { MODRM_PREREAD = 2 };

/* The legacy path finds a definition with a shift (tables.h sizes it), the form path a
 * form. */
_Static_assert(sizeof(struct xai_def) == 64, "struct xai_def is not 64 bytes");
_Static_assert(sizeof(struct xai_form) == 64, "struct xai_form is not 64 bytes");

/* What a byte can be where an instruction starts (byte_class). */
enum {
    BC_OPCODE = 0, /* an opcode of the one-byte map */
    BC_0F,         /* the two-byte escape */
    BC_VEX,        /* C4, C5, 62, 8F: VEX / EVEX / XOP outside real mode, or an opcode */
    BC_REX,        /* 40..4F: REX in 64-bit mode, else INC/DEC */
    BC_LOCK,
    BC_REPNE,
    BC_REP,
    BC_OSZ,
    BC_ASZ,
    BC_SEG, /* a segment override; seg_prefix[] names the register */
};

/* One look-up per byte instead of a chain of compares in the prefix loop. */
static const uint8_t byte_class[256] = {
    [0x0F] = BC_0F,  [0xC4] = BC_VEX,  [0xC5] = BC_VEX,   [0x62] = BC_VEX, [0x8F] = BC_VEX,
    [0x40] = BC_REX, [0x41] = BC_REX,  [0x42] = BC_REX,   [0x43] = BC_REX, [0x44] = BC_REX,
    [0x45] = BC_REX, [0x46] = BC_REX,  [0x47] = BC_REX,   [0x48] = BC_REX, [0x49] = BC_REX,
    [0x4A] = BC_REX, [0x4B] = BC_REX,  [0x4C] = BC_REX,   [0x4D] = BC_REX, [0x4E] = BC_REX,
    [0x4F] = BC_REX, [0xF0] = BC_LOCK, [0xF2] = BC_REPNE, [0xF3] = BC_REP, [0x66] = BC_OSZ,
    [0x67] = BC_ASZ, [0x26] = BC_SEG,  [0x2E] = BC_SEG,   [0x36] = BC_SEG, [0x3E] = BC_SEG,
    [0x64] = BC_SEG, [0x65] = BC_SEG,
};

/* The status of reading at d->pos when d->pos >= d->limit. */
static xa_status past_end(struct dec *d)
{
    if (d->pos >= XA_MAX_INSN_LENGTH)
        return XA_ERR_TOO_LONG;
    d->needed = d->pos + 1;
    return XA_ERR_TRUNCATED;
}

/* Reads one byte; 0 on success, or the status to return. */
static inline xa_status next_byte(struct dec *d, uint8_t *out)
{
    if (d->pos >= d->limit)
        return past_end(d);
    *out = d->buf[d->pos++];
    return XA_OK;
}

/* Checks that n more bytes exist (the instruction then needs `total` bytes). */
static inline xa_status need_bytes(struct dec *d, unsigned n, unsigned total)
{
    if (d->pos + n > XA_MAX_INSN_LENGTH || total > XA_MAX_INSN_LENGTH)
        return XA_ERR_TOO_LONG;
    if (d->pos + n > d->len) {
        d->needed = total;
        return XA_ERR_TRUNCATED;
    }
    return XA_OK;
}

/* Little-endian read of n (1, 2, 4 or 8; any n up to 8) bytes at p, sign-extended.
 * The fixed sizes are spelled out so the compiler emits one sign-extending load (the
 * conversions to the narrower signed types wrap, as in gcc and clang). */
static inline int64_t le_signed(const uint8_t *p, unsigned n)
{
    switch (n) {
    case 1: return (int8_t)p[0];
    case 2: return (int16_t)(uint16_t)(p[0] | (unsigned)p[1] << 8);
    case 4:
        return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                         (uint32_t)p[3] << 24);
    case 8:
        return (int64_t)((uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
                         (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 |
                         (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56);
    default: {
        uint64_t v = 0;
        for (unsigned i = 0; i < n; i++)
            v |= (uint64_t)p[i] << (8 * i);
        if (n < 8 && (v >> (8 * n - 1)) & 1)
            v |= ~(uint64_t)0 << (8 * n);
        return (int64_t)v;
    }
    }
}

/* The same at the cursor, which moves past the bytes. */
static inline int64_t read_signed(struct dec *d, unsigned n)
{
    const uint8_t *p = d->buf + d->pos;
    d->pos += n;
    return le_signed(p, n);
}

static inline uint64_t zext(int64_t v, unsigned n)
{
    return n >= 8 ? (uint64_t)v : (uint64_t)v & ((UINT64_C(1) << (8 * n)) - 1);
}

/* ---- Prefix states ---------------------------------------------------- */

/* VEX (C4/C5) payload; byte1 is already read. */
static xa_status node_vex(struct dec *d, uint8_t lead, uint8_t byte1)
{
    uint8_t byte2;
    xa_status st;
    d->enc = XA_ENC_VEX;
    if (lead == 0xC5) {
        d->r = !(byte1 & 0x80);
        d->vvvv = (uint8_t)((~byte1 >> 3) & 15);
        d->l = (byte1 >> 2) & 1;
        d->pp = byte1 & 3;
        d->space = XAI_SP_VEX_0F;
    } else {
        st = next_byte(d, &byte2);
        if (st)
            return st;
        d->r = !(byte1 & 0x80);
        d->x = !(byte1 & 0x40);
        d->b = !(byte1 & 0x20);
        switch (byte1 & 0x1F) {
        case 1: d->space = XAI_SP_VEX_0F; break;
        case 2: d->space = XAI_SP_VEX_0F38; break;
        case 3: d->space = XAI_SP_VEX_0F3A; break;
        default: return XA_ERR_INVALID;
        }
        d->w = byte2 >> 7;
        d->vvvv = (uint8_t)((~byte2 >> 3) & 15);
        d->l = (byte2 >> 2) & 1;
        d->pp = byte2 & 3;
    }
    return XA_OK;
}

/* XOP (8F) payload; byte1 is already read and selects map 8..10. */
static xa_status node_xop(struct dec *d, uint8_t byte1)
{
    uint8_t byte2;
    xa_status st = next_byte(d, &byte2);
    if (st)
        return st;
    d->enc = XA_ENC_XOP;
    d->r = !(byte1 & 0x80);
    d->x = !(byte1 & 0x40);
    d->b = !(byte1 & 0x20);
    switch (byte1 & 0x1F) {
    case 8: d->space = XAI_SP_XOP_8; break;
    case 9: d->space = XAI_SP_XOP_9; break;
    case 10: d->space = XAI_SP_XOP_A; break;
    default: return XA_ERR_INVALID;
    }
    d->w = byte2 >> 7;
    d->vvvv = (uint8_t)((~byte2 >> 3) & 15);
    d->l = (byte2 >> 2) & 1;
    d->pp = byte2 & 3;
    return XA_OK;
}

/* EVEX (62) payload; P0 is already read. */
static xa_status node_evex(struct dec *d, uint8_t p0)
{
    uint8_t p1, p2;
    xa_status st = next_byte(d, &p1);
    if (st)
        return st;
    st = next_byte(d, &p2);
    if (st)
        return st;
    d->enc = XA_ENC_EVEX;
    if ((p0 & 0x08) || !(p1 & 0x04))
        return XA_ERR_INVALID; /* reserved bits */
    d->r = !(p0 & 0x80);
    d->x = !(p0 & 0x40);
    d->b = !(p0 & 0x20);
    d->rr = !(p0 & 0x10);
    switch (p0 & 7) {
    case 1: d->space = XAI_SP_EVEX_0F; break;
    case 2: d->space = XAI_SP_EVEX_0F38; break;
    case 3: d->space = XAI_SP_EVEX_0F3A; break;
    case 5: d->space = XAI_SP_EVEX_MAP5; break;
    case 6: d->space = XAI_SP_EVEX_MAP6; break;
    default: return XA_ERR_INVALID;
    }
    d->w = p1 >> 7;
    d->vvvv = (uint8_t)((~p1 >> 3) & 15);
    d->pp = p1 & 3;
    d->ez = p2 >> 7;
    d->l = (p2 >> 5) & 3;
    d->eb = (p2 >> 4) & 1;
    d->vv = !(p2 & 0x08);
    d->aaa = p2 & 7;
    return XA_OK;
}

/* ---- Decode tree ------------------------------------------------------ */

static inline unsigned size_index(unsigned bits)
{
    return bits == 16 ? 0 : bits == 32 ? 1 : 2;
}

static inline uint16_t walk_tree(const struct dec *d, uint16_t ref, unsigned raw_osz)
{
    while (ref & XAI_NODE_FLAG) {
        const uint16_t *n = &xai_nodes[ref & ~XAI_NODE_FLAG];
        unsigned v;
        switch (n[0]) {
        case XAI_N_MP: v = d->mp; break;
        case XAI_N_MOD: v = (d->modrm >> 6) == 3; break;
        case XAI_N_REG: v = (d->modrm >> 3) & 7; break;
        case XAI_N_RM: v = d->modrm & 7; break;
        case XAI_N_W: v = d->w; break;
        case XAI_N_L: v = d->l; break;
        case XAI_N_MODE: v = d->mode; break; /* real, 16, 32, 64: enum xa_mode order */
        case XAI_N_OSZ: v = size_index(raw_osz); break;
        case XAI_N_ASZ: v = size_index(d->adsize); break;
        case XAI_N_VENDOR: v = d->vendor; break;
        case XAI_N_REXB: v = d->b; break;
        default: return 0;
        }
        ref = n[1 + v];
    }
    return ref;
}

/* ---- Operands ---------------------------------------------------------- */

/* Bytes of the size codes that depend on nothing but the operand size, by operand
 * size 16, 32, 64 (index opsize >> 5); 0 marks those that need variable_size(). */
static const uint16_t size_by_osz[XAI_SZ_KH + 1][3] = {
    [XAI_SZ_B] = {1, 1, 1},        [XAI_SZ_BS] = {1, 1, 1},       [XAI_SZ_W] = {2, 2, 2},
    [XAI_SZ_D] = {4, 4, 4},        [XAI_SZ_Q] = {8, 8, 8},        [XAI_SZ_DQ] = {16, 16, 16},
    [XAI_SZ_QQ] = {32, 32, 32},    [XAI_SZ_ZQ] = {64, 64, 64},    [XAI_SZ_T] = {10, 10, 10},
    [XAI_SZ_V] = {2, 4, 8},        [XAI_SZ_Z] = {2, 4, 4},        [XAI_SZ_Y] = {4, 4, 8},
    [XAI_SZ_P] = {4, 6, 10},       [XAI_SZ_A] = {4, 8, 16},       [XAI_SZ_ENV] = {14, 28, 28},
    [XAI_SZ_ST] = {94, 108, 108},  [XAI_SZ_FX] = {512, 512, 512}, [XAI_SZ_KH] = {48, 48, 48},
    [XAI_SZ_XS] = {576, 576, 576}, /* legacy region and XSAVE header */
};

static unsigned variable_size(const struct dec *d, unsigned code, unsigned vl)
{
    if (code == XAI_SZ_AS)
        return d->adsize / 8;
    unsigned os = d->opsize / 8;
    switch (code) {
    case XAI_SZ_V: return os;
    case XAI_SZ_Z: return os == 2 ? 2 : 4;
    case XAI_SZ_Y: return os == 8 ? 8 : 4;
    case XAI_SZ_N: return d->mode64 ? 8 : 4;
    case XAI_SZ_X: return vl;
    case XAI_SZ_H: return vl / 2;
    case XAI_SZ_Q4: return vl / 4;
    case XAI_SZ_O8: return vl / 8;
    case XAI_SZ_P: return 2 + os;
    case XAI_SZ_S: return d->mode64 ? 10 : 6;
    case XAI_SZ_A: return 2 * os;
    case XAI_SZ_ENV: return os == 2 ? 14 : 28;
    case XAI_SZ_ST: return os == 2 ? 94 : 108;
    default: return 0;
    }
}

/* Bytes of a size code; vl is the vector length in bytes. */
static inline unsigned size_bytes(const struct dec *d, unsigned code, unsigned vl)
{
    unsigned f = code <= XAI_SZ_KH ? size_by_osz[code][d->opsize >> 5] : 0;
    return f ? f : variable_size(d, code, vl);
}

/* General-purpose register n (0..15) of the given width in bytes. */
static inline uint8_t gpr(unsigned rex, unsigned n, unsigned bytes)
{
    static const uint8_t first[9] = {XA_REG_EAX, XA_REG_AL,  XA_REG_AX,  XA_REG_EAX, XA_REG_EAX,
                                     XA_REG_EAX, XA_REG_EAX, XA_REG_EAX, XA_REG_RAX};
    if (bytes == 1) {
        /* Without REX, byte registers 4-7 are AH..BH; with it, SPL..DIL. */
        if (n >= 4 && (rex || n >= 8))
            return (uint8_t)(XA_REG_SPL + n - 4);
        return (uint8_t)(XA_REG_AL + n);
    }
    return (uint8_t)((bytes < 9 ? first[bytes] : XA_REG_EAX) + n);
}

static inline uint8_t vreg(unsigned n, unsigned bytes)
{
    unsigned base = bytes >= 64 ? XA_REG_ZMM0 : bytes == 32 ? XA_REG_YMM0 : XA_REG_XMM0;
    return (uint8_t)(base + n);
}

/* The width of the register form of a vector operand of size code `code`. */
static inline unsigned vreg_bytes(unsigned code, unsigned vl, unsigned mem_bytes)
{
    switch (code) {
    case XAI_SZ_X:
    case XAI_SZ_H:
    case XAI_SZ_Q4:
    case XAI_SZ_O8:
    case XAI_SZ_QQ:
    case XAI_SZ_ZQ: return mem_bytes < 16 ? 16 : mem_bytes;
    default: return 16;
    }
    (void)vl;
}

/* LEA's second operand: an address that is computed, never accessed. */
static inline int address_only(const struct xai_def *def)
{
    return def->op_count > 1 && def->ops[1].loc == XAI_LOC_M && def->ops[1].access == XAI_ACC_N &&
           def->ops[1].size == XAI_SZ_0;
}

static const uint8_t base16[8] = {XA_REG_BX, XA_REG_BX, XA_REG_BP, XA_REG_BP,
                                  XA_REG_SI, XA_REG_DI, XA_REG_BP, XA_REG_BX};
static const uint8_t index16[8] = {XA_REG_SI, XA_REG_DI, XA_REG_SI, XA_REG_DI, 0, 0, 0, 0};

/* 16-bit ModRM addressing (SDM vol. 2 table 2-1): base and index registers from the
 * table, SS when BP is the base; returns the displacement size. */
static inline unsigned modrm16(unsigned mod, unsigned rm, unsigned *base, unsigned *index,
                               unsigned *stack)
{
    if (mod == 0 && rm == 6)
        return 2;
    *base = base16[rm];
    *index = index16[rm];
    *stack = *base == XA_REG_BP;
    return mod == 1 ? 1 : mod == 2 ? 2 : 0;
}

/* SIB and displacement of a memory ModRM; fills insn->mem (disp unscaled). */
static xa_status node_memory(struct dec *d, struct xa_insn *insn, const struct xai_def *def,
                             unsigned imm_bytes, unsigned vl)
{
    unsigned mod = d->modrm >> 6, rm = d->modrm & 7;
    unsigned disp_size = 0;
    unsigned vsib = def->attrs & (XAI_A_VSIB | XAI_A_VSIBH);
    uint8_t base = 0, index = 0, scale = 1;
    int stack = 0; /* the base is (E/R)SP or (E/R)BP: the default segment is SS */
    xa_status st;

    if (d->adsize == 16) {
        if (vsib)
            return XA_ERR_INVALID; /* VSIB needs a SIB byte: no 16-bit addressing */
        unsigned b16 = 0, i16 = 0, s16 = 0;
        disp_size = modrm16(mod, rm, &b16, &i16, &s16);
        base = (uint8_t)b16;
        index = (uint8_t)i16;
        stack = (int)s16;
    } else {
        unsigned regw = d->adsize / 8;
        if (rm == 4) {
            uint8_t sib;
            st = next_byte(d, &sib);
            if (st)
                return st;
            insn->sib = sib;
            insn->has_sib = 1;
            unsigned idx = ((sib >> 3) & 7) | (unsigned)d->x << 3;
            unsigned bs = (sib & 7) | (unsigned)d->b << 3;
            scale = (uint8_t)(1u << (sib >> 6));
            if (vsib) {
                unsigned iw = (def->attrs & XAI_A_VSIBH) ? vl / 2 : vl;
                if (d->enc == XA_ENC_EVEX)
                    idx |= (unsigned)d->vv << 4;
                index = vreg(idx, iw < 16 ? 16 : iw);
            } else if (idx != 4) {
                index = gpr(d->rex, idx, regw);
            } else {
                scale = 1;
            }
            if ((sib & 7) == 5 && mod == 0) {
                disp_size = 4;
            } else {
                base = gpr(d->rex, bs, regw);
                stack = bs == 4 || bs == 5;
            }
        } else if (vsib) {
            return XA_ERR_INVALID; /* VSIB needs a SIB byte */
        } else if (rm == 5 && mod == 0) {
            disp_size = 4;
            if (d->mode64) {
                if (def->attrs & XAI_A_NORIP)
                    return XA_ERR_INVALID; /* BNDLDX/BNDSTX/BNDMK: no RIP-relative form */
                base = d->adsize == 64 ? XA_REG_RIP : XA_REG_EIP;
            }
        } else {
            unsigned bs = rm | (unsigned)d->b << 3;
            base = gpr(d->rex, bs, regw);
            stack = bs == 5;
        }
        if (mod == 1)
            disp_size = 1;
        else if (mod == 2)
            disp_size = 4;
    }
    if (disp_size) {
        st = need_bytes(d, disp_size, d->pos + disp_size + imm_bytes);
        if (st)
            return st;
        insn->disp_offset = (uint8_t)d->pos;
        insn->disp_size = (uint8_t)disp_size;
        insn->mem.disp = read_signed(d, disp_size);
    }
    insn->mem.base = base;
    insn->mem.index = index;
    insn->mem.scale = scale;
    /* Default segment: SS for stack-based addressing, else DS; in 64-bit mode
     * only FS and GS overrides have an effect. An address-only operand (LEA) does
     * not use its segment, and 3E on an indirect branch is NOTRACK, not DS: the
     * default stands. */
    uint8_t seg = stack ? XA_REG_SS : XA_REG_DS;
    if (d->seg_eff && !address_only(def) &&
        !((def->attrs & XAI_A_NOTRACK) && d->seg_eff == XA_REG_DS))
        seg = d->seg_eff;
    insn->mem.seg = seg;
    return XA_OK;
}

/* Total immediate bytes of a definition. */
/* Whether operand i comes after an is4 register operand (whose imm8 it then shares). */
static inline int follows_is4(const struct xai_def *def, unsigned i)
{
    for (unsigned j = 0; j < i; j++)
        if (def->ops[j].loc == XAI_LOC_L)
            return 1;
    return 0;
}

static unsigned immediate_bytes(const struct dec *d, const struct xai_def *def)
{
    unsigned n = 0;
    for (unsigned i = 0; i < def->op_count; i++) {
        const struct xai_opdef *o = &def->ops[i];
        switch (o->loc) {
        case XAI_LOC_I:
            /* an imm4 after an is4 register shares its byte (VPERMIL2PS) */
            if (follows_is4(def, i))
                break;
            n += o->size == XAI_SZ_V ? d->opsize / 8 : size_bytes(d, o->size, 16);
            break;
        case XAI_LOC_J: n += o->size == XAI_SZ_B ? 1 : d->opsize == 16 ? 2 : 4; break;
        case XAI_LOC_O: n += d->adsize / 8; break;
        case XAI_LOC_AP: n += d->opsize == 16 ? 4 : 6; break;
        case XAI_LOC_L: n += 1; break;
        default: break;
        }
    }
    return n;
}

/* Builds the operands from the definition, reading immediates in order. */
static xa_status node_operands(struct dec *d, struct xa_insn *insn, const struct xai_def *def,
                               unsigned vl, unsigned mem)
{
    /* r/m names a register: every location that reads r/m implies a ModRM byte, so
     * this is "no memory operand" (mod = 3, or ignored by a modreg form). */
    unsigned mod3 = !mem;
    unsigned reg = (d->modrm >> 3) & 7, rm = d->modrm & 7;
    unsigned nimm = 0;
    int mem_seen = 0;

    for (unsigned i = 0; i < def->op_count; i++) {
        const struct xai_opdef *o = &def->ops[i];
        struct xa_operand *op = &insn->ops[i];
        unsigned sz = o->bytes[d->opsize >> 5];
        if (!sz)
            sz = size_bytes(d, o->size, vl);
        op->access = o->access;
        op->type = XA_OP_REG;
        op->size = (uint16_t)sz;
        switch (o->loc) {
        case XAI_LOC_E:
        case XAI_LOC_M:
        case XAI_LOC_R:
            if (mod3)
                op->reg = gpr(d->rex, rm | (unsigned)d->b << 3, sz);
            else
                op->type = XA_OP_MEM;
            break;
        case XAI_LOC_G:
            if (d->rr)
                return XA_ERR_INVALID;
            op->reg = gpr(d->rex, reg | (unsigned)d->r << 3, sz);
            break;
        case XAI_LOC_Z: op->reg = gpr(d->rex, (d->opcode & 7) | (unsigned)d->b << 3, sz); break;
        case XAI_LOC_B: op->reg = gpr(d->rex, d->vvvv, sz); break;
        case XAI_LOC_ACC: op->reg = gpr(d->rex, 0, sz); break;
        case XAI_LOC_V:
            op->size = (uint16_t)vreg_bytes(o->size, vl, sz);
            op->reg = vreg(reg | (unsigned)d->r << 3 | (unsigned)d->rr << 4, op->size);
            break;
        case XAI_LOC_W:
        case XAI_LOC_U:
            if (mod3) {
                op->size = (uint16_t)vreg_bytes(o->size, vl, sz);
                op->reg = vreg(rm | (unsigned)d->b << 3 |
                                   (d->enc == XA_ENC_EVEX ? (unsigned)d->x << 4 : 0),
                               op->size);
            } else {
                op->type = XA_OP_MEM;
            }
            break;
        case XAI_LOC_H:
            op->size = (uint16_t)vreg_bytes(o->size, vl, sz);
            op->reg = vreg(d->vvvv | (unsigned)d->vv << 4, op->size);
            break;
        case XAI_LOC_L: {
            uint8_t b = d->buf[d->pos++];
            op->size = (uint16_t)vreg_bytes(o->size, vl, sz);
            op->reg = vreg(d->mode64 ? b >> 4 : (b >> 4) & 7, op->size);
            if (!insn->imm_offset)
                insn->imm_offset = (uint8_t)(d->pos - 1);
            break;
        }
        case XAI_LOC_P:
            op->reg = (uint8_t)(XA_REG_MM0 + reg);
            op->size = 8;
            break;
        case XAI_LOC_Q:
        case XAI_LOC_N:
            if (mod3) {
                op->reg = (uint8_t)(XA_REG_MM0 + rm);
                op->size = 8;
            } else {
                op->type = XA_OP_MEM;
            }
            break;
        case XAI_LOC_S:
            if (reg > 5 || (reg == 1 && (o->access & XA_ACC_WRITE)))
                return XA_ERR_INVALID; /* no such segment register; MOV CS is #UD */
            op->reg = (uint8_t)(XA_REG_ES + reg);
            break;
        case XAI_LOC_C: {
            unsigned n = reg | (unsigned)d->r << 3;
            if (n != 0 && n != 2 && n != 3 && n != 4 && n != 8)
                return XA_ERR_INVALID;
            op->reg = (uint8_t)(XA_REG_CR0 + n);
            break;
        }
        case XAI_LOC_D:
            if (d->r)
                return XA_ERR_INVALID;
            op->reg = (uint8_t)(XA_REG_DR0 + reg);
            break;
        /* There are 8 opmask and 8 tile registers: an extension bit that names
         * register 8 or above (R, R', B, X, vvvv[3], V') makes the encoding #UD. */
        case XAI_LOC_KG:
            if (d->r || d->rr)
                return XA_ERR_INVALID;
            op->reg = (uint8_t)(XA_REG_K0 + reg);
            op->size = 8;
            break;
        case XAI_LOC_KE:
        case XAI_LOC_KR:
            if (mod3) {
                /* the r/m opmask ignores B and X (Zydis agrees) */
                op->reg = (uint8_t)(XA_REG_K0 + rm);
                op->size = 8;
            } else {
                op->type = XA_OP_MEM;
            }
            break;
        case XAI_LOC_KH:
            if (d->vvvv > 7 || d->vv)
                return XA_ERR_INVALID;
            op->reg = (uint8_t)(XA_REG_K0 + d->vvvv);
            op->size = 8;
            break;
        case XAI_LOC_T:
            if (d->r)
                return XA_ERR_INVALID;
            op->reg = (uint8_t)(XA_REG_TMM0 + reg);
            op->size = 1024;
            break;
        case XAI_LOC_TE:
            if (d->b)
                return XA_ERR_INVALID;
            op->reg = (uint8_t)(XA_REG_TMM0 + rm);
            op->size = 1024;
            break;
        case XAI_LOC_TH:
            if (d->vvvv > 7)
                return XA_ERR_INVALID;
            op->reg = (uint8_t)(XA_REG_TMM0 + d->vvvv);
            op->size = 1024;
            break;
        case XAI_LOC_BNDG:
            if (reg > 3 || d->r)
                return XA_ERR_INVALID;
            op->reg = (uint8_t)(XA_REG_BND0 + reg);
            op->size = 16;
            break;
        case XAI_LOC_BNDE:
            if (!mod3) {
                op->type = XA_OP_MEM;
                break;
            }
            if (rm > 3 || d->b)
                return XA_ERR_INVALID;
            op->reg = (uint8_t)(XA_REG_BND0 + rm);
            op->size = 16;
            break;
        case XAI_LOC_STI:
            op->reg = (uint8_t)(XA_REG_ST0 + rm);
            op->size = 10;
            break;
        case XAI_LOC_FIXED:
            op->reg = o->size;
            op->size = (uint16_t)xai_reg_width(o->size);
            break;
        case XAI_LOC_ONE:
            op->type = XA_OP_IMM;
            op->size = 1;
            op->imm_index = (uint8_t)nimm;
            insn->imm[nimm++ & 1] = 1;
            break;
        case XAI_LOC_I: {
            unsigned n = o->size == XAI_SZ_V ? d->opsize / 8 : sz;
            int64_t v;
            if (follows_is4(def, i)) {
                op->type = XA_OP_IMM;
                op->size = 1;
                op->imm_index = (uint8_t)(nimm & 1);
                insn->imm[nimm++ & 1] = d->buf[d->pos - 1] & 15;
                break;
            }
            if (!insn->imm_offset)
                insn->imm_offset = (uint8_t)d->pos;
            v = read_signed(d, n);
            op->type = XA_OP_IMM;
            op->imm_index = (uint8_t)(nimm & 1);
            /* imm8 of ALU forms and imm32 of 64-bit forms are sign-extended. */
            if (o->size == XAI_SZ_BS || (o->size == XAI_SZ_Z && d->opsize == 64)) {
                op->size = (uint16_t)(d->opsize / 8);
                insn->imm[nimm++ & 1] = (int64_t)zext(v, op->size);
            } else {
                op->size = (uint16_t)n;
                insn->imm[nimm++ & 1] = (int64_t)zext(v, n);
            }
            break;
        }
        case XAI_LOC_J: {
            unsigned n = o->size == XAI_SZ_B ? 1 : d->opsize == 16 ? 2 : 4;
            if (!insn->imm_offset)
                insn->imm_offset = (uint8_t)d->pos;
            op->type = XA_OP_REL;
            op->size = (uint16_t)n;
            op->imm_index = (uint8_t)(nimm & 1);
            insn->imm[nimm++ & 1] = read_signed(d, n);
            break;
        }
        case XAI_LOC_O:
            if (!insn->imm_offset)
                insn->imm_offset = (uint8_t)d->pos;
            insn->disp_offset = (uint8_t)d->pos;
            insn->disp_size = (uint8_t)(d->adsize / 8);
            insn->mem.disp = (int64_t)zext(read_signed(d, d->adsize / 8), d->adsize / 8);
            insn->mem.scale = 1;
            insn->mem.seg = XA_REG_DS;
            if (d->seg_eff)
                insn->mem.seg = d->seg_eff;
            op->type = XA_OP_MEM;
            break;
        case XAI_LOC_AP: {
            unsigned n = d->opsize == 16 ? 2 : 4;
            if (!insn->imm_offset)
                insn->imm_offset = (uint8_t)d->pos;
            op->type = XA_OP_FAR;
            op->size = (uint16_t)(n + 2);
            insn->imm[0] = (int64_t)zext(read_signed(d, n), n);
            insn->imm[1] = (int64_t)zext(read_signed(d, 2), 2);
            nimm = 2;
            break;
        }
        default: return XA_ERR_INVALID;
        }
        if (op->type == XA_OP_MEM) {
            if (mem_seen)
                return XA_ERR_INVALID;
            mem_seen = 1;
        }
    }
    return XA_OK;
}

/* Register number within its class (xmm3, ymm3 and zmm3 are all 3). */
static unsigned vector_number(unsigned reg)
{
    if (reg >= XA_REG_ZMM0 && reg <= XA_REG_ZMM31)
        return reg - XA_REG_ZMM0;
    if (reg >= XA_REG_YMM0 && reg <= XA_REG_YMM31)
        return reg - XA_REG_YMM0;
    if (reg >= XA_REG_XMM0 && reg <= XA_REG_XMM31)
        return reg - XA_REG_XMM0;
    if (reg >= XA_REG_TMM0 && reg <= XA_REG_TMM7)
        return reg - XA_REG_TMM0;
    return 64 + reg;
}

/* The CPU raises #UD when the destination of a gather (or of a `distinct` form) is also
 * a source: for VSIB the index and, with VEX, the mask; else every register source. */
static int distinct_registers(const struct xa_insn *insn, unsigned count, uint32_t attrs)
{
    unsigned dst = vector_number(insn->ops[0].reg);
    if (insn->ops[0].type != XA_OP_REG)
        return 1;
    if (attrs & (XAI_A_VSIB | XAI_A_VSIBH)) {
        unsigned idx = vector_number(insn->mem.index);
        if (dst == idx)
            return 0;
        for (unsigned i = 1; i < count; i++) {
            if (insn->ops[i].type != XA_OP_REG)
                continue;
            unsigned r = vector_number(insn->ops[i].reg);
            if (r == dst || r == idx)
                return 0;
        }
        return 1;
    }
    for (unsigned i = 1; i < count; i++) {
        if (insn->ops[i].type != XA_OP_REG)
            continue;
        unsigned r = vector_number(insn->ops[i].reg);
        if (r == dst)
            return 0;
        /* tile multiplies also need their two sources apart */
        if (insn->ops[i].reg >= XA_REG_TMM0 && insn->ops[i].reg <= XA_REG_TMM7)
            for (unsigned j = 1; j < i; j++)
                if (insn->ops[j].type == XA_OP_REG && insn->ops[j].reg == insn->ops[i].reg)
                    return 0;
    }
    return 1;
}

/* ---- The instruction --------------------------------------------------- */

/* The encoding rules of VEX, EVEX and XOP that every definition shares; ll_raw is
 * L'L as encoded (before EVEX.b on a register form turned it into rounding). */
static xa_status node_vex_rules(const struct dec *d, const struct xai_def *def, unsigned mem,
                                unsigned ll_raw)
{
    uint32_t attrs = def->attrs;
    /* Outside 64-bit mode bit 3 of vvvv is ignored when vvvv names a register, but an
     * unused vvvv must still be 1111b (objdump and Zydis agree). */
    if (d->vvvv8 && (attrs & XAI_A_NOVVVV))
        return XA_ERR_INVALID;
    if ((attrs & XAI_A_NOVVVV) &&
        (d->vvvv || (d->vv && !(attrs & (XAI_A_VSIB | XAI_A_VSIBH))))) /* V' extends a VSIB index */
        return XA_ERR_INVALID;
    if (d->enc == XA_ENC_EVEX) {
        if (d->aaa && !(attrs & XAI_A_K))
            return XA_ERR_INVALID;
        if (!d->aaa && (attrs & XAI_A_KREQ))
            return XA_ERR_INVALID;
        if (d->ez && !d->aaa)
            return XA_ERR_INVALID; /* {z} needs a mask */
        if (d->ez &&
            (!(attrs & XAI_A_Z) || (mem && (def->ops[0].access & XA_ACC_WRITE) &&
                                    (def->ops[0].loc == XAI_LOC_W || def->ops[0].loc == XAI_LOC_M ||
                                     def->ops[0].loc == XAI_LOC_E))))
            return XA_ERR_INVALID;
        if (d->eb) {
            if (mem ? !(attrs & (XAI_A_B2 | XAI_A_B4 | XAI_A_B8))
                    : !(attrs & (XAI_A_ER | XAI_A_SAE)))
                return XA_ERR_INVALID;
        } else if (ll_raw == 3) {
            return XA_ERR_INVALID;
        }
        if (d->vv && !(attrs & (XAI_A_VSIB | XAI_A_VSIBH))) {
            /* V' extends vvvv; it must be clear unless vvvv names a vector */
            int uses_vvvv_vector = 0;
            for (unsigned i = 0; i < def->op_count; i++)
                if (def->ops[i].loc == XAI_LOC_H)
                    uses_vvvv_vector = 1;
            if (!uses_vvvv_vector)
                return XA_ERR_INVALID;
        }
        if ((attrs & (XAI_A_VSIB | XAI_A_VSIBH)) && !mem)
            return XA_ERR_INVALID;
    }
    return XA_OK;
}

/* EVEX: the memory operand's size and the compressed displacement (disp8*N), then
 * the decorations. insn->ops are built. */
static void node_evex_decorations(const struct dec *d, struct xa_insn *insn, uint32_t attrs,
                                  unsigned mem, unsigned ll_raw)
{
    for (unsigned i = 0; i < insn->operand_count; i++) {
        struct xa_operand *o = &insn->ops[i];
        if (o->type != XA_OP_MEM)
            continue;
        if (d->eb) {
            unsigned es = (attrs & XAI_A_B2) ? 2 : (attrs & XAI_A_B4) ? 4 : 8;
            insn->evex.broadcast = (uint8_t)(o->size / es);
            o->size = (uint16_t)es;
        }
        if (insn->disp_size == 1) {
            unsigned n = (attrs & XAI_A_T1S1)   ? 1
                         : (attrs & XAI_A_T1S2) ? 2
                         : (attrs & XAI_A_T1S4) ? 4
                         : (attrs & XAI_A_T1S8) ? 8
                                                : o->size;
            if (n)
                insn->mem.disp *= n;
        }
    }
    /* Merge masking keeps the masked-off elements: the destination is read and
     * written only where the mask allows. */
    struct xa_operand *dst = &insn->ops[0];
    if (d->aaa && !d->ez && insn->operand_count && (dst->access & XA_ACC_WRITE))
        dst->access =
            (uint8_t)(dst->access | XA_ACC_COND | (dst->type == XA_OP_REG ? XA_ACC_READ : 0));
    insn->evex.mask = d->aaa;
    insn->evex.zeroing = d->ez;
    if (d->eb && !mem)
        insn->evex.rounding = (attrs & XAI_A_ER) ? (uint8_t)(2 + ll_raw) : 1;
}

static xa_status decode_opcode(struct dec *d, struct xa_insn *insn, uint8_t op);
static xa_status decode_def(struct dec *d, struct xa_insn *insn, const struct xai_def *def,
                            unsigned raw_osz, int has_modrm, unsigned vl, unsigned ll_raw);

/* The general path after the legacy prefixes: escapes to the other maps and VEX / EVEX /
 * XOP. op is the byte after the prefixes and cls its byte_class. */
static xa_status decode_escape(struct dec *d, struct xa_insn *insn, uint8_t op, unsigned cls)
{
    uint8_t byte1 = 0;
    xa_status st;

    /* d->space starts as XAI_SP_LEGACY. C4/C5/62/8F start VEX/EVEX/XOP outside real
     * mode when 64-bit mode or the next byte could not be a memory ModRM (mod = 3) of
     * LES/LDS/BOUND; 8F is XOP when the map field is 8 or more (POP's ModRM.reg is 0). */
    if (cls == BC_OPCODE) {
        /* the common case: a one-byte opcode */
    } else if (cls == BC_0F) {
        st = next_byte(d, &op);
        if (st)
            return st;
        if (op == 0x38 || op == 0x3A) {
            d->space = op == 0x38 ? XAI_SP_0F38 : XAI_SP_0F3A;
            st = next_byte(d, &op);
            if (st)
                return st;
        } else if (op == 0x0F) {
            d->space = XAI_SP_3DNOW;
        } else {
            d->space = XAI_SP_0F;
        }
    } else if (d->mode != XA_MODE_REAL) {
        st = next_byte(d, &byte1);
        if (st)
            return st;
        int escape = op == 0x8F ? (byte1 & 0x1F) >= 8 : d->mode64 || (byte1 & 0xC0) == 0xC0;
        if (escape) {
            if (d->has66 || d->last_rep || d->lock || d->rex)
                return XA_ERR_INVALID;
            st = op == 0x62   ? node_evex(d, byte1)
                 : op == 0x8F ? node_xop(d, byte1)
                              : node_vex(d, op, byte1);
            if (st)
                return st;
            /* Outside 64-bit mode EVEX.V' must be 1 (R' is ignored); vvvv's bit 3 is
             * kept aside for node_vex_rules. */
            if (!d->mode64 && d->enc == XA_ENC_EVEX && d->vv)
                return XA_ERR_INVALID;
            d->vvvv8 = !d->mode64 && (d->vvvv & 8);
            if (!d->mode64) {
                /* Outside 64-bit mode the extension bits do not exist. */
                d->r = d->x = d->b = d->rr = 0;
                d->vvvv &= 7;
                d->vv = 0;
            }
            d->mp = d->pp;
            st = next_byte(d, &op);
            if (st)
                return st;
        } else {
            d->modrm = byte1;
            d->has_modrm = MODRM_PREREAD;
        }
    }
    return decode_opcode(d, insn, op);
}

/* The opcode byte op of map d->space: sizes, ModRM, the decode tree. */
static xa_status decode_opcode(struct dec *d, struct xa_insn *insn, uint8_t op)
{
    xa_status st;
    if (d->enc == XA_ENC_LEGACY && d->rex) {
        unsigned rex = d->rex;
        d->r = (rex >> 2) & 1;
        d->x = (rex >> 1) & 1;
        d->b = rex & 1;
        d->w = (rex >> 3) & 1;
    }
    d->opcode = op;

    /* Address size, and the operand size before the instruction's defaults. */
    unsigned raw_osz;
    if (d->mode64) {
        d->adsize = d->has67 ? 32 : 64;
        raw_osz = d->w ? 64 : d->has66 ? 16 : 32;
    } else {
        unsigned def16 = d->mode != XA_MODE_32;
        d->adsize = (def16 ^ d->has67) ? 16 : 32;
        raw_osz = (def16 ^ d->has66) ? 16 : 32;
    }
    if (d->enc != XA_ENC_LEGACY)
        raw_osz = d->mode64 && d->w ? 64 : 32;

    int has_modrm =
        d->space == XAI_SP_3DNOW || ((xai_has_modrm[d->space][op >> 5] >> (op & 31)) & 1);
    if (d->has_modrm == MODRM_PREREAD) {
        /* LES/LDS/BOUND/POP: the byte after the opcode was already read as ModRM. */
        has_modrm = 1;
    } else if (has_modrm) {
        st = next_byte(d, &d->modrm);
        if (st)
            return st;
    }
    d->has_modrm = (uint8_t)has_modrm;

    const struct xai_def *def;
    uint16_t ref;
    unsigned vl = 16;
    unsigned ll_raw = d->l;
    if (d->enc == XA_ENC_EVEX) {
        /* EVEX.b on a register form turns L'L into the rounding control; the vector
         * length is then 512 bits. */
        if (d->eb && (d->modrm >> 6) == 3)
            d->l = 2;
        vl = 16u << d->l;
    } else if (d->enc != XA_ENC_LEGACY) {
        vl = d->l ? 32 : 16;
    }

    if (d->space == XAI_SP_3DNOW) {
        /* 0F 0F: ModRM, SIB, displacement, then the opcode as the last byte. */
        static const struct xai_def mmx_mem = {
            .op_count = 1, .ops = {{XAI_LOC_Q, XAI_SZ_Q, XAI_ACC_R, {8, 8, 8}}}};
        d->opsize = 32;
        if ((d->modrm >> 6) != 3) {
            st = node_memory(d, insn, &mmx_mem, 1, vl);
            if (st)
                return st;
        }
        st = next_byte(d, &op);
        if (st)
            return st;
        d->opcode = op;
        ref = walk_tree(d, xai_roots[XAI_SP_3DNOW][op], raw_osz);
        if (!ref)
            return XA_ERR_INVALID;
        def = &xai_defs[ref];
    } else {
        ref = walk_tree(d, xai_roots[d->space][op], raw_osz);
        if (!ref)
            return XA_ERR_INVALID;
        def = &xai_defs[ref];
    }
    return decode_def(d, insn, def, raw_osz, has_modrm, vl, ll_raw);
}

/* The instruction once its definition is known: operand size, encoding rules, memory
 * operand, immediates, operands, and the fill of *insn. */
static xa_status decode_def(struct dec *d, struct xa_insn *insn, const struct xai_def *def,
                            unsigned raw_osz, int has_modrm, unsigned vl, unsigned ll_raw)
{
    xa_status st;
    uint32_t attrs = def->attrs;

    /* Effective operand size. */
    if (d->enc != XA_ENC_LEGACY) {
        d->opsize = (uint8_t)raw_osz;
    } else if ((attrs & XAI_A_MP) && d->mp == 1) {
        d->opsize = d->mode64 && d->w ? 64 : (d->mode == XA_MODE_32 || d->mode64) ? 32 : 16;
    } else {
        d->opsize = (uint8_t)raw_osz;
        if (d->mode64 && !d->w) {
            if (attrs & XAI_A_F64)
                d->opsize = (d->vendor == XA_VENDOR_AMD && d->has66) ? 16 : 64;
            else if ((attrs & XAI_A_D64) && !d->has66)
                d->opsize = 64;
        }
    }

    /* Encoding rules shared by every instruction. */
    unsigned mem = has_modrm && (d->modrm >> 6) != 3 && !(attrs & XAI_A_MODREG);
    if (d->lock) {
        if (!(attrs & XAI_A_LOCK) || !mem)
            return XA_ERR_INVALID;
    }
    if (d->enc != XA_ENC_LEGACY) {
        st = node_vex_rules(d, def, mem, ll_raw);
        if (st)
            return st;
    }

    unsigned imm_bytes = def->imm_bytes[d->opsize >> 5];
    if (imm_bytes == XAI_IMM_RUNTIME)
        imm_bytes = immediate_bytes(d, def);
    if (mem && d->space != XAI_SP_3DNOW) {
        /* MPX ignores 67 in 64-bit mode: its addresses are always 64-bit there. */
        if ((def->attrs & XAI_A_MPX64) && d->mode64)
            d->adsize = 64;
        st = node_memory(d, insn, def, imm_bytes, vl);
        if (st)
            return st;
    }
    if (imm_bytes && d->space != XAI_SP_3DNOW) {
        st = need_bytes(d, imm_bytes, d->pos + imm_bytes);
        if (st)
            return st;
    }
    st = node_operands(d, insn, def, vl, mem);
    if (st)
        return st;

    if ((attrs & (XAI_A_DISTINCT | XAI_A_VSIB | XAI_A_VSIBH)) &&
        !distinct_registers(insn, def->op_count, attrs))
        return XA_ERR_INVALID;

    /* Fill in the instruction. */
    static const uint8_t map_of_space[XAI_SP_COUNT] = {
        XA_MAP_1BYTE, XA_MAP_0F,   XA_MAP_0F38, XA_MAP_0F3A, XA_MAP_3DNOW, XA_MAP_0F,
        XA_MAP_0F38,  XA_MAP_0F3A, XA_MAP_0F,   XA_MAP_0F38, XA_MAP_0F3A,  XA_MAP_5,
        XA_MAP_6,     XA_MAP_XOP8, XA_MAP_XOP9, XA_MAP_XOPA};
    insn->mnemonic = def->mnemonic;
    insn->isa_set = def->isa_set;
    insn->operand_count = def->op_count;
    insn->attributes = def->insn_attrs;
    insn->length = (uint8_t)d->pos;
    insn->encoding = d->enc;
    insn->map = map_of_space[d->space];
    insn->opcode = d->opcode;
    insn->modrm = d->modrm;
    insn->has_modrm = d->has_modrm;
    insn->opsize = d->opsize;
    insn->adsize = d->adsize;
    insn->seg_override = d->seg;
    insn->imm_size = (uint8_t)imm_bytes;

    /* Prefix bits: the legacy ones were gathered while reading them. */
    uint32_t pfx = d->pfx;
    if (d->enc == XA_ENC_LEGACY) {
        insn->rex = d->rex;
        if (d->rex)
            pfx |= XA_PFX_REX;
    } else {
        insn->rex = (uint8_t)(0x40 | d->w << 3 | d->r << 2 | d->x << 1 | d->b);
        insn->vvvv = (uint8_t)(d->vvvv | d->vv << 4);
        insn->vector_length = (uint8_t)vl;
        pfx |= d->enc == XA_ENC_VEX ? XA_PFX_VEX : d->enc == XA_ENC_EVEX ? XA_PFX_EVEX : XA_PFX_XOP;
        if (d->enc == XA_ENC_EVEX)
            node_evex_decorations(d, insn, attrs, mem, ll_raw);
    }
    if (attrs & (XAI_A_MP | XAI_A_BND | XAI_A_NOTRACK | XAI_A_HLE)) {
        if ((attrs & XAI_A_MP) && d->mp)
            pfx |= XA_PFX_MANDATORY;
        if ((attrs & XAI_A_BND) && d->last_rep == 0xF2)
            pfx |= XA_PFX_BND;
        if ((attrs & XAI_A_NOTRACK) && d->seg == XA_REG_DS)
            pfx |= XA_PFX_NOTRACK;
        if ((attrs & XAI_A_HLE) && d->last_rep &&
            (d->lock || def->mnemonic == XA_MNEM_XCHG || def->mnemonic == XA_MNEM_MOV))
            pfx |= d->last_rep == 0xF2 ? XA_PFX_XACQUIRE : XA_PFX_XRELEASE;
    }
    insn->prefixes = pfx;
    return XA_OK;
}

/* ---- The legacy path ----------------------------------------------------
 *
 * Legacy and REX encodings of the one-byte, 0F, 0F 38 and 0F 3A maps are nearly every
 * instruction real code holds. This path runs the same states with its state in a local
 * struct whose address never escapes (so the compiler can keep it in registers), and
 * builds operands from templates the generator prepared per definition and operand size.
 * What it does not handle (VEX/EVEX/XOP, 3DNow!, definitions not marked XAI_FAST) it hands to the
 * general path above at the state it reached, with the bytes read so far: no byte is read twice.
 */
struct lstate {
    const uint8_t *buf;
    size_t len;
    unsigned pos, limit, needed;
    unsigned mode, vendor, mode64;
    /* The legacy prefixes and a counted REX as enum xa_prefix bits: they also tell LOCK,
     * 66, 67 and which of F2/F3 came last (fewer live values than one flag each). */
    uint32_t pfx;
    unsigned seg, seg_eff, rex;
    unsigned space, modrm, has_modrm, adsize;
};

/* The mandatory-prefix index (none, 66, F3, F2) of the prefix bits: the last F2/F3
 * wins over 66. Indexed by the REP, REPNE and OPSIZE bits. */
static const uint8_t mp_of_pfx[8] = {0, 2, 3, 3, 1, 2, 3, 3};
#define LMP(pfx) (mp_of_pfx[((pfx) >> 1) & 7])

/* The status of reading at s->pos when s->pos >= s->limit. */
static inline xa_status lpast_end(struct lstate *s)
{
    if (s->pos >= XA_MAX_INSN_LENGTH)
        return XA_ERR_TOO_LONG;
    s->needed = s->pos + 1;
    return XA_ERR_TRUNCATED;
}

/* Legacy prefixes and REX, from the byte c already read at s->pos - 1; returns the first
 * byte after them, or -1 with *st set. */
static inline int lnode_prefixes(struct lstate *s, unsigned c, unsigned *cls, xa_status *st)
{
    for (;;) {
        unsigned k = byte_class[c];
        if (k <= BC_REX) {
            if (k == BC_REX && s->mode64) {
                /* REX counts only when the opcode follows it directly. */
                s->rex = c;
                s->pfx |= XA_PFX_REX;
                goto next;
            }
            *cls = k == BC_REX ? BC_OPCODE : k;
            return (int)c;
        }
        switch (k) {
        case BC_LOCK: s->pfx |= XA_PFX_LOCK; break;
        case BC_REPNE: s->pfx = (s->pfx & ~(uint32_t)XA_PFX_REP) | XA_PFX_REPNE; break;
        case BC_REP: s->pfx = (s->pfx & ~(uint32_t)XA_PFX_REPNE) | XA_PFX_REP; break;
        case BC_OSZ: s->pfx |= XA_PFX_OPSIZE; break;
        case BC_ASZ: s->pfx |= XA_PFX_ADSIZE; break;
        default: {
            /* The last segment prefix is the override; in 64-bit mode ES/CS/SS/DS are
             * ignored altogether, so they do not cancel an earlier FS or GS. */
            static const uint8_t seg_of[8] = {XA_REG_ES, XA_REG_CS, XA_REG_SS, XA_REG_DS,
                                              XA_REG_FS, XA_REG_GS, 0,         0};
            unsigned seg = seg_of[c < 0x40 ? (c >> 3) & 3 : 4 + (c & 1)];
            s->seg = seg;
            s->pfx |= XA_PFX_SEG;
            if (!s->mode64 || seg >= XA_REG_FS)
                s->seg_eff = seg;
            break;
        }
        }
        /* a legacy prefix after REX cancels it */
        s->rex = 0;
        s->pfx &= ~(uint32_t)XA_PFX_REX;
    next:
        if (s->pos >= s->limit) {
            *st = lpast_end(s);
            return -1;
        }
        c = s->buf[s->pos++];
    }
}

/* The general path's state from the legacy path's (inline: the legacy path's state
 * must not have its address taken, or it would live in memory). */
static inline void to_general(const struct lstate *s, struct dec *d)
{
    memset(d, 0, sizeof(*d));
    d->buf = s->buf;
    d->len = s->len;
    d->pos = s->pos;
    d->limit = s->limit;
    d->mode = (uint8_t)s->mode;
    d->vendor = (uint8_t)s->vendor;
    d->mode64 = (uint8_t)s->mode64;
    d->lock = (s->pfx & XA_PFX_LOCK) != 0;
    d->has66 = (s->pfx & XA_PFX_OPSIZE) != 0;
    d->has67 = (s->pfx & XA_PFX_ADSIZE) != 0;
    d->last_rep = s->pfx & XA_PFX_REPNE ? 0xF2 : s->pfx & XA_PFX_REP ? 0xF3 : 0;
    d->seg = (uint8_t)s->seg;
    d->seg_eff = (uint8_t)s->seg_eff;
    d->rex = (uint8_t)s->rex;
    d->pfx = s->pfx & ~(uint32_t)XA_PFX_REX; /* the general path adds it itself */
    d->mp = LMP(s->pfx);
    d->space = (uint8_t)s->space;
}

/* Hands the instruction to the general path after the prefixes (op: the next byte). */
static inline xa_status to_escape(const struct lstate *s, struct xa_insn *insn, uint8_t op,
                                  unsigned cls, unsigned *needed)
{
    struct dec d;
    to_general(s, &d);
    xa_status st = decode_escape(&d, insn, op, cls);
    *needed = d.needed;
    return st;
}

/* Hands the instruction to the general path once its definition is known. */
static inline xa_status to_def(const struct lstate *s, struct xa_insn *insn, uint8_t op,
                               const struct xai_def *def, unsigned raw_osz, unsigned *needed)
{
    struct dec d;
    to_general(s, &d);
    d.r = (s->rex >> 2) & 1;
    d.x = (s->rex >> 1) & 1;
    d.b = s->rex & 1;
    d.w = (s->rex >> 3) & 1;
    d.opcode = op;
    d.modrm = (uint8_t)s->modrm;
    d.has_modrm = (uint8_t)s->has_modrm;
    d.adsize = (uint8_t)s->adsize;
    xa_status st = decode_def(&d, insn, def, raw_osz, (int)s->has_modrm, 16, 0);
    *needed = d.needed;
    return st;
}

/* The decode tree for a legacy encoding (L is 0, W is REX.W). */
static inline uint16_t lwalk_tree(const struct lstate *s, uint16_t ref, unsigned raw_osz)
{
    while (ref & XAI_NODE_FLAG) {
        const uint16_t *n = &xai_nodes[ref & ~XAI_NODE_FLAG];
        unsigned v;
        switch (n[0]) {
        case XAI_N_MP: v = LMP(s->pfx); break;
        case XAI_N_MOD: v = (s->modrm >> 6) == 3; break;
        case XAI_N_REG: v = (s->modrm >> 3) & 7; break;
        case XAI_N_RM: v = s->modrm & 7; break;
        case XAI_N_W: v = (s->rex >> 3) & 1; break;
        case XAI_N_L: v = 0; break;
        case XAI_N_MODE: v = s->mode; break; /* real, 16, 32, 64: enum xa_mode order */
        case XAI_N_OSZ: v = size_index(raw_osz); break;
        case XAI_N_ASZ: v = size_index(s->adsize); break;
        case XAI_N_VENDOR: v = s->vendor; break;
        case XAI_N_REXB: v = s->rex & 1; break;
        default: return 0;
        }
        ref = n[1 + v];
    }
    return ref;
}

/* xai_addr64.mem is copied over the start of struct xa_mem. */
_Static_assert(offsetof(struct xa_mem, seg) == 0 && offsetof(struct xa_mem, base) == 1 &&
                   offsetof(struct xa_mem, index) == 2 && offsetof(struct xa_mem, scale) == 3,
               "struct xa_mem does not start with seg, base, index, scale");

/* SIB and displacement of a memory ModRM of a legacy encoding (no VSIB: such definitions
 * are not fast), with the default segment (SS for stack-based addressing, else DS). The
 * state comes as values so that the straight-line path keeps it in registers. fits: the
 * caller knows that the SIB, displacement and immediates are below the limit (64-bit
 * addressing only). */
static ALWAYS_INLINE xa_status memory_operand(struct xa_insn *insn, const uint8_t *buf,
                                              unsigned limit, unsigned *pos, unsigned *needed,
                                              unsigned modrm, unsigned rex, unsigned adsize,
                                              unsigned mode64, unsigned imm_bytes, int fits)
{
    unsigned mod = modrm >> 6, rm = modrm & 7;
    unsigned disp_size = 0;
    unsigned base = 0, index = 0, scale = 1;
    unsigned stack = 0; /* the base is (E/R)SP or (E/R)BP: the default segment is SS */
    unsigned p = *pos;

    if (adsize == 64) {
        /* Two look-ups: ModRM, then SIB (the tables have the registers and segments). */
        const struct xai_addr64 *a = &xai_modrm64[rex & 1][modrm];
        disp_size = a->disp_size;
        if (a->sib) {
            if (!fits && p >= limit) {
                if (p >= XA_MAX_INSN_LENGTH)
                    return XA_ERR_TOO_LONG;
                *needed = p + 1;
                return XA_ERR_TRUNCATED;
            }
            unsigned sib = buf[p++];
            insn->sib = (uint8_t)sib;
            insn->has_sib = 1;
            /* (one index: [mod == 0][REX.X, REX.B][SIB]) */
            a = &xai_sib64[0][0][0] + ((unsigned)(modrm < 0x40) << 10 | (rex & 3) << 8 | sib);
            disp_size |= a->disp_size;
        }
        unsigned total = p + disp_size + imm_bytes;
        if (!fits && total > limit) {
            *needed = total;
            return total > XA_MAX_INSN_LENGTH ? XA_ERR_TOO_LONG : XA_ERR_TRUNCATED;
        }
        if (disp_size) {
            insn->disp_offset = (uint8_t)p;
            insn->disp_size = (uint8_t)disp_size;
            /* (64-bit addressing has disp8 or disp32) */
            insn->mem.disp = disp_size == 1 ? le_signed(buf + p, 1) : le_signed(buf + p, 4);
            p += disp_size;
        }
        *pos = p;
        memcpy(&insn->mem, a->mem, sizeof(a->mem));
        return XA_OK;
    }
    if (adsize == 16) {
        disp_size = modrm16(mod, rm, &base, &index, &stack);
    } else {
        unsigned first = adsize == 64 ? XA_REG_RAX : XA_REG_EAX;
        unsigned b = (rex & 1) << 3;
        if (rm == 4) {
            if (p >= limit) {
                if (p >= XA_MAX_INSN_LENGTH)
                    return XA_ERR_TOO_LONG;
                *needed = p + 1;
                return XA_ERR_TRUNCATED;
            }
            unsigned sib = buf[p++];
            insn->sib = (uint8_t)sib;
            insn->has_sib = 1;
            unsigned idx = ((sib >> 3) & 7) | (rex & 2) << 2;
            unsigned bs = (sib & 7) | b;
            scale = 1u << (sib >> 6);
            if (idx != 4)
                index = first + idx;
            else
                scale = 1;
            if ((sib & 7) == 5 && mod == 0) {
                disp_size = 4;
            } else {
                base = first + bs;
                stack = bs == 4 || bs == 5;
            }
        } else if (rm == 5 && mod == 0) {
            disp_size = 4;
            if (mode64)
                base = adsize == 64 ? XA_REG_RIP : XA_REG_EIP;
        } else {
            unsigned bs = rm | b;
            base = first + bs;
            stack = bs == 5;
        }
        if (mod == 1)
            disp_size = 1;
        else if (mod == 2)
            disp_size = 4;
    }
    /* The displacement and the immediates must fit: limit is min(len, 15). */
    unsigned total = p + disp_size + imm_bytes;
    if (total > limit) {
        *needed = total;
        return total > XA_MAX_INSN_LENGTH ? XA_ERR_TOO_LONG : XA_ERR_TRUNCATED;
    }
    if (disp_size) {
        insn->disp_offset = (uint8_t)p;
        insn->disp_size = (uint8_t)disp_size;
        insn->mem.disp = le_signed(buf + p, disp_size);
        p += disp_size;
    }
    *pos = p;
    insn->mem.base = (uint8_t)base;
    insn->mem.index = (uint8_t)index;
    insn->mem.scale = (uint8_t)scale;
    insn->mem.seg = (uint8_t)(stack ? XA_REG_SS : XA_REG_DS);
    return XA_OK;
}

/* The same from the legacy path's state, with a segment override: LEA's address does not
 * use its segment, and 3E on an indirect branch is NOTRACK: the default stands. */
static ALWAYS_INLINE xa_status lnode_memory(struct lstate *s, struct xa_insn *insn, uint8_t fast,
                                            uint32_t attrs, unsigned imm_bytes)
{
    xa_status st = memory_operand(insn, s->buf, s->limit, &s->pos, &s->needed, s->modrm, s->rex,
                                  s->adsize, s->mode64, imm_bytes, 0);
    if (st == XA_OK && s->seg_eff && !(fast & XAI_FAST_ADDR_ONLY) &&
        !((attrs & XAI_A_NOTRACK) && s->seg_eff == XA_REG_DS))
        insn->mem.seg = (uint8_t)s->seg_eff;
    return st;
}

/* The number of byte GPR n from AL: without REX, 4-7 are AH..BH; with it, SPL..DIL. */
static inline unsigned byte_reg(unsigned n, unsigned rex)
{
    return n + (n >= 4 && rex ? 4u : 0u);
}

/* The operands, from the definition's template for the operand size. */
static inline void lnode_operands(struct lstate *s, struct xa_insn *insn,
                                  const struct xai_optmpl *t, unsigned count, unsigned op,
                                  unsigned mem)
{
    const unsigned rex = s->rex, modrm = s->modrm;
    struct xa_operand *o = insn->ops;

    for (const struct xai_optmpl *end = t + count; t != end; t++, o++) {
        /* One 8-byte copy of the prebuilt operand, then at most the register byte. */
        unsigned kind = t->kind;
        memcpy(o, &t->op, sizeof(*o));
        if (kind <= XAI_TK_RMN && mem) {
            o->type = XA_OP_MEM;
            o->reg = 0;
            o->size = t->mem_size;
            continue;
        }
        unsigned n;
        switch (kind) {
        case XAI_TK_RM: n = (modrm & 7) | (rex & 1) << 3; break;
        case XAI_TK_RM8: n = byte_reg((modrm & 7) | (rex & 1) << 3, rex); break;
        case XAI_TK_RMN: n = modrm & 7; break;
        case XAI_TK_REG: n = ((modrm >> 3) & 7) | (rex & 4) << 1; break;
        case XAI_TK_REG8: n = byte_reg(((modrm >> 3) & 7) | (rex & 4) << 1, rex); break;
        case XAI_TK_REGN: n = (modrm >> 3) & 7; break;
        case XAI_TK_OPC: n = (op & 7) | (rex & 1) << 3; break;
        case XAI_TK_OPC8: n = byte_reg((op & 7) | (rex & 1) << 3, rex); break;
        case XAI_TK_IMM:
        case XAI_TK_REL: {
            /* the bytes were checked before the operands */
            int64_t v = le_signed(s->buf + s->pos, t->imm_bytes);
            if (!insn->imm_offset)
                insn->imm_offset = (uint8_t)s->pos;
            s->pos += t->imm_bytes;
            /* imm8 of ALU forms and imm32 of 64-bit forms are sign-extended to the
             * operand size (a larger size), other immediates are kept unsigned. */
            insn->imm[t->op.imm_index] = kind == XAI_TK_REL ? v : (int64_t)zext(v, t->op.size);
            continue;
        }
        case XAI_TK_ONE: insn->imm[t->op.imm_index] = 1; continue;
        default: continue;
        }
        o->reg = (uint8_t)(t->op.reg + n);
    }
}

/* Operand size before the defaults (low byte) and address size (high byte) by mode
 * and i: bit 0 a 66 prefix, bit 1 a 67 prefix, bit 2 REX.W. */
#define LSZ(m, i)                                                                                  \
    ((m) == XA_MODE_64 ? ((i)&4   ? 64                                                             \
                          : (i)&1 ? 16                                                             \
                                  : 32) |                                                          \
                             ((i)&2 ? 32 : 64) << 8                                                \
                       : ((((m) != XA_MODE_32) ^ ((i)&1)) ? 16 : 32) |                             \
                             ((((m) != XA_MODE_32) ^ (((i) >> 1) & 1)) ? 16 : 32) << 8)
#define LSZ_MODE(m)                                                                                \
    {                                                                                              \
        LSZ(m, 0), LSZ(m, 1), LSZ(m, 2), LSZ(m, 3), LSZ(m, 4), LSZ(m, 5), LSZ(m, 6), LSZ(m, 7)     \
    }
static const uint16_t lsizes[4][8] = {LSZ_MODE(XA_MODE_REAL), LSZ_MODE(XA_MODE_16),
                                      LSZ_MODE(XA_MODE_32), LSZ_MODE(XA_MODE_64)};

/* Zeroes the whole of *insn, padding included (users compare it with memcmp). Two
 * pieces: compilers store each inline, where one 112-byte memset becomes a loop. */
static inline void clear_insn(struct xa_insn *insn)
{
    memset(insn, 0, offsetof(struct xa_insn, ops));
    memset(insn->ops, 0, sizeof(insn->ops));
}

/* A counted REX (0x40..0x4F) has the bit of XA_PFX_REX set: rex & XA_PFX_REX is the bit. */
_Static_assert(XA_PFX_REX == 0x40, "XA_PFX_REX is not REX's fixed bit");

/* The form's head is the start of the output. */
#define HEAD_AT(f) (offsetof(struct xai_head, f) == offsetof(struct xa_insn, f))
_Static_assert(sizeof(struct xai_head) == offsetof(struct xa_insn, evex) && HEAD_AT(mnemonic) &&
                   HEAD_AT(length) && HEAD_AT(mode) && HEAD_AT(opsize) && HEAD_AT(adsize) &&
                   HEAD_AT(encoding) && HEAD_AT(map) && HEAD_AT(opcode) && HEAD_AT(modrm) &&
                   HEAD_AT(sib) && HEAD_AT(has_modrm) && HEAD_AT(has_sib) &&
                   HEAD_AT(operand_count) && HEAD_AT(seg_override) && HEAD_AT(rex) &&
                   HEAD_AT(vector_length) && HEAD_AT(vvvv) && HEAD_AT(isa_set) &&
                   HEAD_AT(disp_offset) && HEAD_AT(disp_size) && HEAD_AT(imm_offset) &&
                   HEAD_AT(imm_size) && HEAD_AT(reserved) && HEAD_AT(attributes) &&
                   HEAD_AT(prefixes),
               "struct xai_head is not the start of struct xa_insn");

/* The prefix bits a definition makes of the legacy prefixes pfx (mandatory prefix, BND,
 * NOTRACK, XACQUIRE / XRELEASE); seg is the last segment prefix. */
static inline uint32_t prefix_bits(uint32_t pfx, unsigned seg, const struct xai_def *def,
                                   uint32_t attrs)
{
    uint32_t bits = 0;
    if ((attrs & XAI_A_MP) && LMP(pfx))
        bits |= XA_PFX_MANDATORY;
    if ((attrs & XAI_A_BND) && (pfx & XA_PFX_REPNE))
        bits |= XA_PFX_BND;
    if ((attrs & XAI_A_NOTRACK) && seg == XA_REG_DS)
        bits |= XA_PFX_NOTRACK;
    if ((attrs & XAI_A_HLE) && (pfx & (XA_PFX_REP | XA_PFX_REPNE)) &&
        ((pfx & XA_PFX_LOCK) || def->mnemonic == XA_MNEM_XCHG || def->mnemonic == XA_MNEM_MOV))
        bits |= pfx & XA_PFX_REPNE ? XA_PFX_XACQUIRE : XA_PFX_XRELEASE;
    return bits;
}

/* The ModRM value of the form paths when the opcode takes no ModRM byte: not below 0xC0
 * (so r/m is not memory), and every field of ModRM reads 0 from it as from 0 (mod: 4,
 * not 3), so that the decode tree and the shapes see what they would see with 0. The
 * byte stored is 0. */
#define NO_MODRM 0x100u
_Static_assert((NO_MODRM & 0xFF) == 0 && ((NO_MODRM >> 3) & 7) == 0 && (NO_MODRM >> 6) != 3,
               "NO_MODRM does not read as 0");

/* The register number a form's operand adds to its template (XAI_FR_*). */
static ALWAYS_INLINE unsigned form_reg(unsigned how, unsigned field, unsigned rexbit, unsigned rex)
{
    unsigned n = field | (how == XAI_FR_NOREX ? 0 : rexbit);
    return how == XAI_FR_BYTE ? byte_reg(n, rex) : n;
}

/*
 * The output from a form (struct xai_form) and the facts the bytes add, each byte of it
 * written once: what was read (pos: the bytes up to ModRM), the legacy prefixes (pfx:
 * enum xa_prefix bits with the REX bit and those the definition makes of them, seg: the
 * last segment prefix, seg_eff: the segment override of the memory operand or 0, fits:
 * 1 when the immediate is known to fit if r/m is not memory, 2 when the SIB, displacement
 * and immediate always fit (at most 7 bytes up to ModRM, 15 bytes: 1 SIB, 4 of
 * displacement, at most 4 of immediate with a memory operand); prefilled: the form has
 * the mode, address size, map, opcode, has_modrm and seg_override already, as the
 * generator makes those of xai_hot64_roots and xai_hot64_groups; vex: a VEX form of
 * xai_vex64, prefilled the same but for the opcode and with the prefix bits, its shapes
 * those of vex_shapes.inc, vvvv the register it names). modrm is NO_MODRM when there is
 * no ModRM byte.
 */
static ALWAYS_INLINE xa_status emit_form(struct xa_insn *restrict insn,
                                         const struct xai_form *restrict f, const uint8_t *bytes,
                                         unsigned limit, unsigned pos, unsigned mode,
                                         unsigned adsize, unsigned space, unsigned op,
                                         unsigned modrm, unsigned has_modrm, unsigned rex,
                                         uint32_t pfx, unsigned seg, unsigned seg_eff, int fits,
                                         int prefilled, unsigned *needed, int vex, unsigned vvvv)
{
    const unsigned mem = modrm < 0xC0;
    xa_status st;

    memcpy(insn, &f->head, sizeof(f->head));
    memset(&insn->evex, 0, offsetof(struct xa_insn, ops) - offsetof(struct xa_insn, evex));
    memcpy(insn->ops, f->ops, sizeof(f->ops));
    memset(insn->ops + 3, 0, 2 * sizeof(insn->ops[0]));
    if (!prefilled) {
        insn->mode = (uint8_t)mode;
        insn->adsize = (uint8_t)adsize;
        insn->map = (uint8_t)space; /* XA_MAP_1BYTE..XA_MAP_0F3A are XAI_SP_LEGACY..XAI_SP_0F3A */
        insn->has_modrm = (uint8_t)has_modrm;
        insn->seg_override = (uint8_t)seg;
    }
    if (!prefilled || vex)
        insn->opcode = (uint8_t)op;
    insn->modrm = (uint8_t)modrm;
    insn->rex = (uint8_t)rex;
    if (vex)
        insn->vvvv = (uint8_t)vvvv;
    else
        insn->prefixes = pfx;
    if (mem) {
        /* (it checks that the immediates fit too) */
        st = memory_operand(insn, bytes, limit, &pos, needed, modrm, rex, adsize,
                            mode == XA_MODE_64, fits == 2 ? 0 : f->head.imm_size, fits == 2);
        if (st)
            return st;
        if (seg_eff)
            insn->mem.seg = (uint8_t)seg_eff;
    } else if (!fits && pos + f->head.imm_size > limit) {
        /* limit is min(len, 15) */
        *needed = pos + f->head.imm_size;
        return *needed > XA_MAX_INSN_LENGTH ? XA_ERR_TOO_LONG : XA_ERR_TRUNCATED;
    }

    /* The operands the shape names: a register number from ModRM.rm (or the memory
     * operand), ModRM.reg or the opcode (added to the template's register, copied above),
     * an immediate. */
#define FORM_RM(how, i)                                                                            \
    do {                                                                                           \
        if (mem)                                                                                   \
            memcpy(&insn->ops[i], &f->mem_op, sizeof(f->mem_op));                                  \
        else                                                                                       \
            insn->ops[i].reg += (uint8_t)form_reg(how, modrm & 7, (rex & 1) << 3, rex);            \
    } while (0)
#define FORM_REG(how, i)                                                                           \
    (insn->ops[i].reg += (uint8_t)form_reg(how, (modrm >> 3) & 7, (rex & 4) << 1, rex))
#define FORM_OPC(how, i)                                                                           \
    do {                                                                                           \
        if (mem)                                                                                   \
            UNREACHABLE(); /* (the generator checks: an opcode register means no ModRM) */         \
        insn->ops[i].reg += (uint8_t)form_reg(how, op & 7, (rex & 1) << 3, rex);                   \
    } while (0)
#define FORM_IMM(n, size)                                                                          \
    do {                                                                                           \
        insn->imm_offset = (uint8_t)pos;                                                           \
        insn->imm[0] = (int64_t)zext(le_signed(bytes + pos, n), size);                             \
        pos += n;                                                                                  \
    } while (0)
#define FORM_ONE()   (insn->imm[0] = 1)
#define FORM_VVVV(i) (insn->ops[i].reg += (uint8_t)vvvv)
    if (vex) {
        switch (f->head.length) {
#include "decoder/generated/vex_shapes.inc"
        default: UNREACHABLE(); /* the generator writes a case for every shape */
        }
    } else {
        switch (f->head.length) {
#include "decoder/generated/form_shapes.inc"
        default: UNREACHABLE();
        }
    }
#undef FORM_VVVV
#undef FORM_RM
#undef FORM_REG
#undef FORM_OPC
#undef FORM_IMM
#undef FORM_ONE
    insn->length = (uint8_t)pos;
    return XA_OK;
}

/* The output of a failed decode: cleared, with the mode and, for XA_ERR_TRUNCATED, the
 * length needed. */
static NOINLINE xa_status decode_failed(struct xa_insn *insn, unsigned mode, xa_status st,
                                        unsigned needed)
{
    clear_insn(insn);
    insn->mode = (uint8_t)mode;
    if (st == XA_ERR_TRUNCATED)
        insn->length = (uint8_t)(needed > XA_MAX_INSN_LENGTH ? XA_MAX_INSN_LENGTH : needed);
    return st;
}

/* The status of reading at pos when pos is at the limit. */
static NOINLINE xa_status decode_past_end(struct xa_insn *insn, unsigned mode, unsigned pos)
{
    if (pos >= XA_MAX_INSN_LENGTH)
        return decode_failed(insn, mode, XA_ERR_TOO_LONG, 0);
    return decode_failed(insn, mode, XA_ERR_TRUNCATED, pos + 1);
}

/* What the form paths hand to decode_cold, with the state reached: VEX/EVEX/XOP or
 * LES/LDS/BOUND/POP after the prefixes (op, cls), 0F 0F (3DNow!), or a definition
 * without a form (def). */
enum { COLD_ESCAPE, COLD_3DNOW, COLD_DEF };

/* The legacy path's rarer cases. *insn is cleared first: the general path and the operand
 * templates store only the fields they know. */
static NOINLINE xa_status decode_cold(struct xa_insn *insn, const struct lstate *sp, unsigned stage,
                                      unsigned op, unsigned cls, const struct xai_def *def)
{
    struct lstate s = *sp;
    const unsigned mode = s.mode;
    xa_status st;
    unsigned needed = 0;

    clear_insn(insn);
    insn->mode = (uint8_t)mode;
    if (stage == COLD_ESCAPE) {
        st = to_escape(&s, insn, (uint8_t)op, cls, &needed);
    } else if (stage == COLD_3DNOW) {
        struct dec d;
        s.space = XAI_SP_3DNOW;
        to_general(&s, &d);
        st = decode_opcode(&d, insn, (uint8_t)op);
        needed = d.needed;
    } else {
        unsigned w = (s.rex >> 3) & 1;
        unsigned sizes = lsizes[mode][((s.pfx >> 3) & 3) | w << 2];
        unsigned raw_osz = sizes & 0xFF;
        s.adsize = sizes >> 8;
        uint32_t attrs = def->attrs;
        /* The general path fills the same fields again. */
        insn->map = (uint8_t)s.space; /* XA_MAP_1BYTE..XA_MAP_0F3A are XAI_SP_LEGACY..XAI_SP_0F3A */
        insn->opcode = (uint8_t)op;
        insn->seg_override = (uint8_t)s.seg;
        insn->rex = (uint8_t)s.rex;
        insn->adsize = (uint8_t)s.adsize;
        insn->modrm = (uint8_t)s.modrm;
        insn->has_modrm = (uint8_t)s.has_modrm;
        insn->prefixes = s.pfx;
        if (!(def->fast & XAI_FAST)) {
            st = to_def(&s, insn, (uint8_t)op, def, raw_osz, &needed);
            goto out;
        }
        insn->mnemonic = def->mnemonic;
        insn->isa_set = def->isa_set;
        insn->operand_count = def->op_count;
        insn->attributes = def->insn_attrs;

        /* Effective operand size. */
        unsigned opsize = raw_osz;
        if ((attrs & XAI_A_MP) && LMP(s.pfx) == 1) {
            opsize = s.mode64 && w ? 64 : mode != XA_MODE_REAL && mode != XA_MODE_16 ? 32 : 16;
        } else if (s.mode64 && !w) {
            if (attrs & XAI_A_F64)
                opsize = (s.vendor == XA_VENDOR_AMD && (s.pfx & XA_PFX_OPSIZE)) ? 16 : 64;
            else if ((attrs & XAI_A_D64) && !(s.pfx & XA_PFX_OPSIZE))
                opsize = 64;
        }
        insn->opsize = (uint8_t)opsize;
        unsigned mem = s.has_modrm && (s.modrm >> 6) != 3 && !(attrs & XAI_A_MODREG);
        if ((s.pfx & XA_PFX_LOCK) && (!(attrs & XAI_A_LOCK) || !mem)) {
            st = XA_ERR_INVALID;
            goto out;
        }
        unsigned imm_bytes = def->imm_bytes[opsize >> 5];
        insn->imm_size = (uint8_t)imm_bytes;
        if (mem) {
            st = lnode_memory(&s, insn, def->fast, attrs, imm_bytes);
            if (st) {
                needed = s.needed;
                goto out;
            }
        }
        if (imm_bytes) {
            unsigned total = s.pos + imm_bytes;
            st = total > XA_MAX_INSN_LENGTH ? XA_ERR_TOO_LONG
                 : total > s.len            ? XA_ERR_TRUNCATED
                                            : XA_OK;
            needed = total;
            if (st)
                goto out;
        }
        lnode_operands(&s, insn, &xai_optmpls[def->tmpl[opsize >> 5]], def->op_count, op, mem);
        insn->length = (uint8_t)s.pos;
        if (attrs & (XAI_A_MP | XAI_A_BND | XAI_A_NOTRACK | XAI_A_HLE))
            insn->prefixes |= prefix_bits(s.pfx, s.seg, def, attrs);
        return XA_OK;
    }
out:
    if (st == XA_OK)
        return XA_OK;
    return decode_failed(insn, mode, st, needed);
}

/* decode_cold from a copy of the state, so that the caller's never has its address taken
 * (and can stay in registers). */
static inline xa_status decode_cold_copy(struct xa_insn *insn, struct lstate s, unsigned stage,
                                         unsigned op, unsigned cls, const struct xai_def *def)
{
    return decode_cold(insn, &s, stage, op, cls, def);
}

/* An instruction with legacy prefixes (or REX outside 64-bit mode, or VEX...): at holds
 * what the form path read before it, pos | rex << 8 | op << 16, op the byte read last
 * (not yet classified). The same steps as xa_decode with the prefixes' effects; most
 * definitions then have a form for their operand size. (Six arguments: a tail call.) */
static NOINLINE xa_status decode_prefixed(struct xa_insn *insn, unsigned mode, unsigned vendor,
                                          const uint8_t *bytes, size_t len, unsigned at)
{
    const unsigned pos = at & 0xFF, rex = (at >> 8) & 0xFF;
    unsigned op = at >> 16;
    struct lstate s = {
        .buf = bytes,
        .len = len,
        .limit = len < XA_MAX_INSN_LENGTH ? (unsigned)len : XA_MAX_INSN_LENGTH,
        .pos = pos,
        .mode = mode,
        .vendor = vendor,
        .mode64 = mode == XA_MODE_64,
        .pfx = rex & XA_PFX_REX,
        .rex = rex,
    };
    unsigned cls;
    xa_status st = XA_OK;
    int c = lnode_prefixes(&s, op, &cls, &st);
    if (c < 0)
        return decode_failed(insn, mode, st, s.needed);
    op = (unsigned)c;
    /* C4/C5/62/8F are opcodes only in real mode here; elsewhere the general path
     * decides between VEX/EVEX/XOP and LES/LDS/BOUND/POP. */
    if (cls == BC_VEX && mode != XA_MODE_REAL)
        return decode_cold_copy(insn, s, COLD_ESCAPE, op, cls, NULL);
    if (cls == BC_0F) {
        if (s.pos >= s.limit)
            return decode_past_end(insn, mode, s.pos);
        op = s.buf[s.pos++];
        if (op == 0x38 || op == 0x3A) {
            s.space = op == 0x38 ? XAI_SP_0F38 : XAI_SP_0F3A;
            if (s.pos >= s.limit)
                return decode_past_end(insn, mode, s.pos);
            op = s.buf[s.pos++];
        } else if (op == 0x0F) {
            return decode_cold_copy(insn, s, COLD_3DNOW, op, cls, NULL);
        } else {
            s.space = XAI_SP_0F;
        }
    }

    /* Address size, and the operand size before the instruction's defaults: one look-up
     * by mode, 66, 67 and REX.W. */
    unsigned w = (s.rex >> 3) & 1;
    unsigned sizes = lsizes[mode][((s.pfx >> 3) & 3) | w << 2];
    unsigned raw_osz = sizes & 0xFF;
    s.adsize = sizes >> 8;
    uint32_t root = xai_legacy_roots[s.space][op];
    if (root & XAI_LEGACY_MODRM) {
        if (s.pos >= s.limit)
            return decode_past_end(insn, mode, s.pos);
        s.modrm = s.buf[s.pos++];
        s.has_modrm = 1;
    }
    /* Most roots are a definition: the walk is then no loop at all. */
    uint16_t ref = (uint16_t)root;
    if (ref & XAI_NODE_FLAG)
        ref = lwalk_tree(&s, ref, raw_osz);
    if (!ref)
        return decode_failed(insn, mode, XA_ERR_INVALID, 0);
    const struct xai_def *def = &xai_defs[ref];
    uint32_t attrs = def->attrs;
    if (!(def->fast & XAI_FAST))
        return decode_cold_copy(insn, s, COLD_DEF, op, 0, def);

    /* Effective operand size. */
    unsigned opsize = raw_osz;
    if ((attrs & XAI_A_MP) && LMP(s.pfx) == 1) {
        opsize = s.mode64 && w ? 64 : mode != XA_MODE_REAL && mode != XA_MODE_16 ? 32 : 16;
    } else if (s.mode64 && !w) {
        if (attrs & XAI_A_F64)
            opsize = (s.vendor == XA_VENDOR_AMD && (s.pfx & XA_PFX_OPSIZE)) ? 16 : 64;
        else if ((attrs & XAI_A_D64) && !(s.pfx & XA_PFX_OPSIZE))
            opsize = 64;
    }
    unsigned form = def->form[opsize >> 5];
    if (!form)
        return decode_cold_copy(insn, s, COLD_DEF, op, 0, def);
    /* (A definition with a form is not `modreg`.) */
    unsigned mem = s.has_modrm && (s.modrm >> 6) != 3;
    if ((s.pfx & XA_PFX_LOCK) && (!(attrs & XAI_A_LOCK) || !mem))
        return decode_failed(insn, mode, XA_ERR_INVALID, 0);
    uint32_t pfx = s.pfx;
    if (attrs & (XAI_A_MP | XAI_A_BND | XAI_A_NOTRACK | XAI_A_HLE))
        pfx |= prefix_bits(s.pfx, s.seg, def, attrs);
    /* LEA's address does not use its segment, and 3E on an indirect branch is NOTRACK:
     * the default segment stands. */
    unsigned seg_eff = s.seg_eff;
    if ((def->fast & XAI_FAST_ADDR_ONLY) || ((attrs & XAI_A_NOTRACK) && seg_eff == XA_REG_DS))
        seg_eff = 0;
    unsigned needed = 0;
    st = emit_form(insn, &xai_forms[form], s.buf, s.limit, s.pos, mode, s.adsize, s.space, op,
                   s.has_modrm ? s.modrm : NO_MODRM, s.has_modrm, s.rex, pfx, s.seg, seg_eff, 0, 0,
                   &needed, 0, 0);
    if (st == XA_OK)
        return XA_OK;
    return decode_failed(insn, mode, st, needed);
}

/* C4, C5, 62 or 8F first (after a REX, if any) outside real mode: VEX, EVEX, XOP or
 * LES/LDS/BOUND/POP, straight to the general path (what decode_cold does with
 * COLD_ESCAPE, without a legacy path state). at: pos | rex << 8 | op << 16. */
static NOINLINE xa_status decode_vex(struct xa_insn *insn, const uint8_t *bytes, size_t len,
                                     unsigned mode, unsigned vendor, unsigned at)
{
    struct dec d;
    memset(&d, 0, sizeof(d));
    d.buf = bytes;
    d.len = len;
    d.pos = at & 0xFF;
    d.limit = len < XA_MAX_INSN_LENGTH ? (unsigned)len : XA_MAX_INSN_LENGTH;
    d.mode = (uint8_t)mode;
    d.vendor = (uint8_t)vendor;
    d.mode64 = mode == XA_MODE_64;
    d.rex = (uint8_t)(at >> 8);
    clear_insn(insn);
    insn->mode = (uint8_t)mode;
    xa_status st = decode_escape(&d, insn, (uint8_t)(at >> 16), BC_VEX);
    if (st == XA_OK)
        return XA_OK;
    return decode_failed(insn, mode, st, d.needed);
}

/*
 * After the prefix of decode_mp / decode_fsgs (64-bit mode, 15 bytes or more, so no
 * length check): an optional REX, then the opcode with its 0F / 0F 38 / 0F 3A escape.
 * False for anything else (another prefix, VEX/EVEX/XOP, 3DNow!): decode_prefixed then.
 */
static ALWAYS_INLINE bool read_rex_opcode64(const uint8_t *bytes, unsigned *pos, unsigned *rex,
                                            unsigned *space, unsigned *op)
{
    unsigned cls = byte_class[*op];
    if (cls == BC_REX) {
        *rex = *op;
        *op = bytes[(*pos)++];
        cls = byte_class[*op];
    }
    if (cls == BC_OPCODE)
        return true;
    if (cls != BC_0F)
        return false;
    *op = bytes[(*pos)++];
    *space = XAI_SP_0F;
    if (*op == 0x38 || *op == 0x3A) {
        *space = *op == 0x38 ? XAI_SP_0F38 : XAI_SP_0F3A;
        *op = bytes[(*pos)++];
        return true;
    }
    return *op != 0x0F;
}

/*
 * 64-bit mode with 15 bytes or more after a 66 or an F3 prefix (the common prefixed cases:
 * long NOPs, SSE2, 16-bit operands, TZCNT, MOVDQU, REP STOS): what decode_prefixed would
 * do, from xai_hot64_mp. After a 66 up to two more 66 or 2E bytes may follow (NOP
 * padding: 66 66 2E 0F 1F ...; CS is ignored in 64-bit mode but named as the override).
 * Anything the table does not decide (no form there, other prefixes, VEX...) goes to
 * decode_prefixed from the first prefix on.
 */
static ALWAYS_INLINE xa_status decode_mp(struct xa_insn *insn, unsigned vendor,
                                         const uint8_t *bytes, int f3)
{
    /* (at most 9 bytes are read before the displacement and immediate, 6 after F3: all
     * are below the limit, 15) */
    unsigned pos = 1, rex = 0, space = XAI_SP_LEGACY, modrm = NO_MODRM, seg = 0;
    unsigned op = bytes[pos++];
    for (unsigned more = 0; !f3 && more < 2 && (op == 0x66 || op == 0x2E); more++) {
        if (op == 0x2E)
            seg = XA_REG_CS;
        op = bytes[pos++];
    }
    if (!read_rex_opcode64(bytes, &pos, &rex, &space, &op))
        goto prefixed;
    const struct xai_hotmp *h = &xai_hot64_mp[f3][space][op];
    const uint16_t *forms = h->form[(rex >> 3) & 1];
    const unsigned has_modrm = h->has_modrm;
    unsigned fi;
    if (has_modrm) {
        modrm = bytes[pos++];
        fi = forms[modrm >= 0xC0];
    } else {
        fi = forms[rex & 1];
    }
    if (!fi)
        goto prefixed;
    const struct xai_form *f = &xai_forms[fi];
    /* (the form has the prefix's bits) */
    const uint32_t pfx = f->head.prefixes | (rex & XA_PFX_REX) | (seg ? XA_PFX_SEG : 0);
    unsigned needed = 0;
    xa_status st = emit_form(insn, f, bytes, XA_MAX_INSN_LENGTH, pos, XA_MODE_64, 64, space, op,
                             modrm, has_modrm, rex, pfx, seg, 0, f3 ? 2 : 0, 1, &needed, 0, 0);
    if (st == XA_OK) {
        insn->seg_override = (uint8_t)seg; /* (the prefilled form has none) */
        return XA_OK;
    }
    return decode_failed(insn, XA_MODE_64, st, needed);
prefixed:
    return decode_prefixed(insn, XA_MODE_64, vendor, bytes, XA_MAX_INSN_LENGTH,
                           1 | (f3 ? 0xF3 : 0x66) << 16);
}

static NOINLINE xa_status decode_66(struct xa_insn *insn, unsigned vendor, const uint8_t *bytes)
{
    return decode_mp(insn, vendor, bytes, 0);
}

static NOINLINE xa_status decode_f3(struct xa_insn *insn, unsigned vendor, const uint8_t *bytes)
{
    return decode_mp(insn, vendor, bytes, 1);
}

/*
 * 64-bit mode with 15 bytes or more after a single FS or GS prefix (64, 65: thread-local
 * data): the decode tree is the one without prefixes, so xai_hot64_roots has the form;
 * the prefix adds the override. seg: XA_REG_FS or XA_REG_GS. Anything else goes to
 * decode_prefixed from the prefix on.
 */
static NOINLINE xa_status decode_fsgs(struct xa_insn *insn, unsigned vendor, const uint8_t *bytes,
                                      unsigned seg)
{
    /* (at most 6 bytes are read before the immediate: all are below the limit, 15) */
    unsigned pos = 1, rex = 0, space = XAI_SP_LEGACY, modrm = NO_MODRM;
    unsigned op = bytes[pos++];
    if (!read_rex_opcode64(bytes, &pos, &rex, &space, &op))
        goto prefixed;
    const uint64_t word = xai_hot64_roots[space][op];
    const unsigned has_modrm = ((uint32_t)word / XAI_LEGACY_MODRM) & 1;
    if (word & XAI_HOT64_ADDR_ONLY)
        goto prefixed;
    if (has_modrm)
        modrm = bytes[pos++];
    unsigned fi = (unsigned)(word >> (32 + ((rex & 8) << 1))) & 0xFFFF;
    if (!fi && (word & XAI_HOT64_GROUP))
        fi = xai_hot64_groups[(uint32_t)word >> XAI_HOT64_GROUP_SHIFT]
                             [(modrm >= 0xC0) << 3 | ((modrm >> 3) & 7)][(rex >> 3) & 1];
    if (!fi)
        goto prefixed;
    unsigned needed = 0;
    xa_status st = emit_form(insn, &xai_forms[fi], bytes, XA_MAX_INSN_LENGTH, pos, XA_MODE_64, 64,
                             space, op, modrm, has_modrm, rex, XA_PFX_SEG | (rex & XA_PFX_REX), seg,
                             seg, 2, 1, &needed, 0, 0);
    if (st == XA_OK) {
        insn->seg_override = (uint8_t)seg; /* (the prefilled form has none) */
        return XA_OK;
    }
    return decode_failed(insn, XA_MODE_64, st, needed);
prefixed:
    return decode_prefixed(insn, XA_MODE_64, vendor, bytes, XA_MAX_INSN_LENGTH,
                           1 | (seg == XA_REG_FS ? 0x64 : 0x65) << 16);
}

static NOINLINE xa_status bad_argument(struct xa_insn *insn)
{
    clear_insn(insn);
    return XA_ERR_BAD_ARGUMENT;
}

/* The decode tree without legacy prefixes (no mandatory prefix, L is 0). */
static ALWAYS_INLINE unsigned fast_walk(unsigned ref, unsigned mode, unsigned vendor,
                                        unsigned modrm, unsigned rex)
{
    while (ref & XAI_NODE_FLAG) {
        const uint16_t *n = &xai_nodes[ref & ~XAI_NODE_FLAG];
        unsigned v;
        switch (n[0]) {
        case XAI_N_MP: v = 0; break;
        case XAI_N_MOD: v = (modrm >> 6) == 3; break;
        case XAI_N_REG: v = (modrm >> 3) & 7; break;
        case XAI_N_RM: v = modrm & 7; break;
        case XAI_N_W: v = (rex >> 3) & 1; break;
        case XAI_N_L: v = 0; break;
        case XAI_N_MODE: v = mode; break;
        case XAI_N_OSZ: /* 16, 32, 64: the mode's size, 64 with REX.W */
        case XAI_N_ASZ: /* 16, 32, 64: the mode's */
            v = mode == XA_MODE_64 ? (n[0] == XAI_N_OSZ && !(rex & 8) ? 1 : 2) : mode == XA_MODE_32;
            break;
        case XAI_N_VENDOR: v = vendor; break;
        case XAI_N_REXB: v = rex & 1; break;
        default: return 0;
        }
        ref = n[1 + v];
    }
    return ref;
}

/*
 * A straight-line path for what real code mostly holds: no legacy prefix (a REX is
 * fine), the one-byte, 0F, 0F 38 and 0F 3A maps, a definition with a form (struct
 * xai_form: the output as it starts, built by the generator). The output is the form
 * plus what the bytes say, written once. Anything else goes on with the bytes read so
 * far: prefixes to decode_prefixed, the rest to decode_cold. (decode64 does the same
 * for 64-bit mode with 15 bytes or more.)
 */
static NOINLINE xa_status decode_forms(struct xa_insn *insn, unsigned mode, unsigned vendor,
                                       const uint8_t *bytes, size_t len)
{
    /* (whether there is a ModRM byte is modrm != NO_MODRM: one value fewer to keep) */
    unsigned pos = 0, rex = 0, space = XAI_SP_LEGACY, modrm = NO_MODRM;
    const unsigned limit = len < XA_MAX_INSN_LENGTH ? (unsigned)len : XA_MAX_INSN_LENGTH;

    if (!limit)
        return decode_past_end(insn, mode, 0);
    unsigned op = bytes[pos++];
    unsigned cls = byte_class[op];
    if (cls == BC_REX && mode == XA_MODE_64) {
        if (pos >= limit)
            return decode_past_end(insn, mode, pos);
        rex = op;
        op = bytes[pos++];
        cls = byte_class[op];
    }
    if (cls != BC_OPCODE) {
        if (cls == BC_VEX && mode != XA_MODE_REAL)
            goto escape; /* VEX, EVEX, XOP or LES/LDS/BOUND/POP: no prefix to read */
        if (cls != BC_0F)
            goto prefixed;
        if (pos >= limit)
            return decode_past_end(insn, mode, pos);
        op = bytes[pos++];
        space = XAI_SP_0F;
        if (op == 0x38 || op == 0x3A) {
            space = op == 0x38 ? XAI_SP_0F38 : XAI_SP_0F3A;
            if (pos >= limit)
                return decode_past_end(insn, mode, pos);
            op = bytes[pos++];
        } else if (op == 0x0F) {
            goto threednow;
        }
    }
    const uint32_t root = xai_legacy_roots[space][op];
    if (root & XAI_LEGACY_MODRM) {
        if (pos >= limit)
            return decode_past_end(insn, mode, pos);
        modrm = bytes[pos++];
    }
    unsigned ref = root & 0xFFFF;
    /* Without prefixes the sizes follow the mode: XAI_HOT_* is the mode less one (not
     * below 0) plus REX.W (only counted in 64-bit mode), the address size 16 << that. */
    unsigned hot = (unsigned)mode - (mode != XA_MODE_REAL);
    unsigned needed = 0;
    if (ref & XAI_NODE_FLAG)
        ref = fast_walk(ref, mode, vendor, modrm, rex);
    if (!ref)
        return decode_failed(insn, mode, XA_ERR_INVALID, 0);
    const unsigned fi = xai_defs[ref].hot[hot + ((rex >> 3) & 1)];
    if (!fi)
        goto cold_def;
    xa_status st =
        emit_form(insn, &xai_forms[fi], bytes, limit, pos, mode, 16u << hot, space, op, modrm,
                  modrm != NO_MODRM, rex, rex & XA_PFX_REX, 0, 0, 0, 0, &needed, 0, 0);
    if (st == XA_OK)
        return XA_OK;
    return decode_failed(insn, mode, st, needed);

    /* The rest take the legacy path's state. */
    struct lstate s;
prefixed:
    return decode_prefixed(insn, mode, vendor, bytes, len, pos | rex << 8 | op << 16);
threednow:
    s = (struct lstate){.buf = bytes,
                        .len = len,
                        .limit = limit,
                        .pos = pos,
                        .mode = mode,
                        .vendor = vendor,
                        .mode64 = mode == XA_MODE_64,
                        .pfx = rex & XA_PFX_REX,
                        .rex = rex};
    return decode_cold(insn, &s, COLD_3DNOW, op, BC_0F, NULL);
escape:
    return decode_vex(insn, bytes, len, mode, vendor, pos | rex << 8 | op << 16);
cold_def:
    s = (struct lstate){.buf = bytes,
                        .len = len,
                        .limit = limit,
                        .pos = pos,
                        .mode = mode,
                        .vendor = vendor,
                        .mode64 = mode == XA_MODE_64,
                        .pfx = rex & XA_PFX_REX,
                        .rex = rex,
                        .space = space,
                        .modrm = modrm & 0xFF,
                        .has_modrm = modrm != NO_MODRM};
    return decode_cold(insn, &s, COLD_DEF, op, 0, &xai_defs[ref]);
}

/* decode64's form with a memory operand (at: pos | op << 8). */
static NOINLINE xa_status emit_mem64(struct xa_insn *insn, const struct xai_form *f,
                                     const uint8_t *bytes, unsigned at, unsigned modrm,
                                     unsigned rex)
{
    unsigned needed = 0;
    if (modrm >= 0xC0)
        UNREACHABLE();
    xa_status st =
        emit_form(insn, f, bytes, XA_MAX_INSN_LENGTH, at & 0xFF, XA_MODE_64, 64, XAI_SP_LEGACY,
                  at >> 8, modrm, 1, rex, rex & XA_PFX_REX, 0, 0, 2, 1, &needed, 0, 0);
    if (st == XA_OK)
        return XA_OK;
    return decode_failed(insn, XA_MODE_64, st, needed);
}

/* decode64's form fi (prefilled), the bytes up to ModRM read: a register form here, a
 * memory operand in emit_mem64. */
static ALWAYS_INLINE xa_status emit64(struct xa_insn *insn, unsigned fi, const uint8_t *bytes,
                                      unsigned pos, unsigned op, unsigned modrm, unsigned rex)
{
    if (modrm < 0xC0)
        return emit_mem64(insn, &xai_forms[fi], bytes, pos | op << 8, modrm, rex);
    unsigned needed = 0;
    (void)emit_form(insn, &xai_forms[fi], bytes, XA_MAX_INSN_LENGTH, pos, XA_MODE_64, 64,
                    XAI_SP_LEGACY, op, modrm, modrm != NO_MODRM, rex, rex & XA_PFX_REX, 0, 0, 2, 1,
                    &needed, 0, 0);
    return XA_OK; /* (a register form with 15 bytes fits) */
}

/*
 * 64-bit mode with 15 bytes or more, C4 or C5 first (VEX: a REX or legacy prefix before
 * it is the general path's): the form from xai_vex64 by map, opcode, VEX.pp, VEX.L and
 * VEX.W, with VEX.R, X, B and W as the bits of a REX byte (the output's rex). Anything
 * else goes to the general path (decode_vex) from the lead byte on.
 */
static NOINLINE xa_status decode_vex64(struct xa_insn *insn, unsigned vendor, const uint8_t *bytes)
{
    /* (at most 5 bytes up to ModRM, then SIB, 4 of displacement and 1 of immediate: below
     * 15) */
    const unsigned b1 = bytes[1];
    unsigned map, rex, vp, pos; /* vp: W, vvvv, L, pp as in C4's last byte */
    if (bytes[0] == 0xC5) {
        map = 1;
        rex = 0x40 | ((~b1 >> 5) & 4); /* R (inverted in bit 7) */
        vp = b1 & 0x7F;                /* W is 0 */
        pos = 2;
    } else {
        map = b1 & 0x1F;
        if (map - 1 > 2)
            goto general; /* not 0F, 0F 38 or 0F 3A */
        vp = bytes[2];
        rex = 0x40 | ((~b1 >> 5) & 7) | ((vp >> 4) & 8); /* R, X, B (inverted in 7-5), W */
        pos = 3;
    }
    const unsigned op = bytes[pos++];
    const unsigned fi =
        (unsigned)(xai_vex64[map - 1][op][vp & 3] >> ((vp & 4) << 3 | (rex & 8) << 1)) & 0xFFFF;
    if (!fi)
        goto general;
    const struct xai_form *f = &xai_forms[fi];
    const unsigned vvvv = (~vp >> 3) & 15;
    unsigned modrm = NO_MODRM;
    if (f->head.has_modrm)
        modrm = bytes[pos++];
    const unsigned rules = f->head.vvvv; /* XAI_VR_* */
    if (rules && (((rules & XAI_VR_VVVV0) && vvvv) || ((rules & XAI_VR_REG) && modrm < 0xC0) ||
                  ((rules & XAI_VR_MEM) && modrm >= 0xC0)))
        goto general; /* (an unused vvvv must be 1111b: #UD) */
    unsigned needed = 0;
    (void)emit_form(insn, f, bytes, XA_MAX_INSN_LENGTH, pos, XA_MODE_64, 64, map, op, modrm,
                    f->head.has_modrm, rex, 0, 0, 0, 2, 1, &needed, 1, vvvv);
    return XA_OK; /* (everything fits, see above) */
general:
    return decode_vex(insn, bytes, XA_MAX_INSN_LENGTH, XA_MODE_64, vendor, 1 | bytes[0] << 16);
}

/*
 * 64-bit mode with 15 bytes or more: the form path of decode_forms with the mode and the
 * limit folded in, whose other ends are all tail calls (a memory operand is emit_mem64's),
 * so that it keeps few values and saves few registers of its own. With 15 bytes or more
 * the decoder does what it does with exactly 15 (every length check tests 15 first), so
 * the paths it hands to get 15.
 */
static ALWAYS_INLINE xa_status decode64(struct xa_insn *insn, unsigned vendor, const uint8_t *bytes)
{
    unsigned pos = 1, rex = 0, space = XAI_SP_LEGACY, modrm = NO_MODRM;
    unsigned op = bytes[0];
    unsigned cls = byte_class[op];
    if (cls == BC_REX) {
        rex = op;
        op = bytes[pos++];
        cls = byte_class[op];
    }
    if (cls != BC_OPCODE) {
        if (cls == BC_VEX) {
            if (pos == 1 && (op & 0xFE) == 0xC4)
                return decode_vex64(insn, vendor, bytes);
            return decode_vex(insn, bytes, XA_MAX_INSN_LENGTH, XA_MODE_64, vendor,
                              pos | rex << 8 | op << 16);
        }
        if (cls != BC_0F) {
            if (pos == 1) {
                if (cls == BC_OSZ)
                    return decode_66(insn, vendor, bytes);
                if (cls == BC_REP)
                    return decode_f3(insn, vendor, bytes);
                if ((op & 0xFE) == 0x64)
                    return decode_fsgs(insn, vendor, bytes, op == 0x64 ? XA_REG_FS : XA_REG_GS);
            }
            return decode_forms(insn, XA_MODE_64, vendor, bytes, XA_MAX_INSN_LENGTH);
        }
        op = bytes[pos++];
        space = XAI_SP_0F;
        if (op == 0x38 || op == 0x3A) {
            space = op == 0x38 ? XAI_SP_0F38 : XAI_SP_0F3A;
            op = bytes[pos++];
        } else if (op == 0x0F) {
            return decode_forms(insn, XA_MODE_64, vendor, bytes, XA_MAX_INSN_LENGTH);
        }
    }
    const uint64_t word = xai_hot64_roots[space][op];
    if (word & XAI_LEGACY_MODRM)
        modrm = bytes[pos++];
    unsigned fi;
    if (word & XAI_HOT64_GROUP)
        fi = xai_hot64_groups[(uint32_t)word >> XAI_HOT64_GROUP_SHIFT]
                             [(modrm >= 0xC0) << 3 | ((modrm >> 3) & 7)][(rex >> 3) & 1];
    else
        fi = (unsigned)(word >> (32 + ((rex & 8) << 1))) & 0xFFFF; /* 48 with REX.W */
    if (!fi)
        return decode_forms(insn, XA_MODE_64, vendor, bytes, XA_MAX_INSN_LENGTH);
    return emit64(insn, fi, bytes, pos, op, modrm, rex);
}

xa_status xa_decode(struct xa_insn *insn, enum xa_mode mode, enum xa_vendor vendor,
                    const uint8_t *bytes, size_t len)
{
    /* 64-bit mode with 15 bytes or more, the mode's facts and the limit folded in (the
     * bytes up to ModRM are then there): most code decoded is 64-bit, in a buffer. Its
     * checks first: then they are all the arguments' checks. Once for each vendor, so that
     * the vendor is a constant there, not a value to keep for the paths it hands to. */
    if (mode == XA_MODE_64 && len >= XA_MAX_INSN_LENGTH && insn && bytes) {
        if (vendor == XA_VENDOR_INTEL)
            return decode64(insn, XA_VENDOR_INTEL, bytes);
        if (vendor == XA_VENDOR_AMD)
            return decode64(insn, XA_VENDOR_AMD, bytes);
    }
    if (!insn)
        return XA_ERR_BAD_ARGUMENT;
    if ((!bytes && len) || (unsigned)mode > XA_MODE_64 || (unsigned)vendor > XA_VENDOR_AMD)
        return bad_argument(insn);
    return decode_forms(insn, (unsigned)mode, (unsigned)vendor, bytes, len);
}
