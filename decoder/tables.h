/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The shapes of the generated opcode tables (decoder/generated/tables.c),
 * produced by decoder/gen/gen_tables.py from decoder/isa/ *.isa. The names
 * here are the vocabulary of decoder/isa/README.md.
 */
#ifndef XA_DECODER_TABLES_H
#define XA_DECODER_TABLES_H

#include <stdint.h>

#include <x86assist/decoder.h>

/* Operand locations. */
enum xai_loc {
    XAI_LOC_NONE = 0,
    XAI_LOC_E,
    XAI_LOC_M,
    XAI_LOC_R,
    XAI_LOC_G,
    XAI_LOC_V,
    XAI_LOC_W,
    XAI_LOC_U,
    XAI_LOC_H,
    XAI_LOC_B,
    XAI_LOC_L,
    XAI_LOC_P,
    XAI_LOC_Q,
    XAI_LOC_N,
    XAI_LOC_S,
    XAI_LOC_C,
    XAI_LOC_D,
    XAI_LOC_KG,
    XAI_LOC_KE,
    XAI_LOC_KR,
    XAI_LOC_KH,
    XAI_LOC_T,
    XAI_LOC_TE,
    XAI_LOC_TH,
    XAI_LOC_BNDG,
    XAI_LOC_BNDE, /* MPX bound register in reg; bound register or memory in r/m */
    XAI_LOC_Z,
    XAI_LOC_I,
    XAI_LOC_J,
    XAI_LOC_O,
    XAI_LOC_AP,
    XAI_LOC_ACC,
    XAI_LOC_STI,
    XAI_LOC_ONE,   /* the constant 1 of shifts */
    XAI_LOC_FIXED, /* a named register: the size field holds the enum xa_reg */
};

/* Operand sizes (see decoder/isa/README.md). */
enum xai_size {
    XAI_SZ_0 = 0,
    XAI_SZ_B,
    XAI_SZ_BS,
    XAI_SZ_W,
    XAI_SZ_D,
    XAI_SZ_Q,
    XAI_SZ_DQ,
    XAI_SZ_QQ,
    XAI_SZ_ZQ,
    XAI_SZ_T,
    XAI_SZ_V,
    XAI_SZ_Z,
    XAI_SZ_Y,
    XAI_SZ_N,
    XAI_SZ_X,
    XAI_SZ_H,
    XAI_SZ_Q4,
    XAI_SZ_O8,
    XAI_SZ_P,
    XAI_SZ_S,
    XAI_SZ_A,
    XAI_SZ_ENV,
    XAI_SZ_ST,
    XAI_SZ_FX,
    XAI_SZ_XS,
    XAI_SZ_KH, /* a Key Locker handle, 48 bytes */
    XAI_SZ_AS, /* the address size (rAX of the SVM instructions) */
};

/* Operand access as written in the tables. */
enum xai_acc {
    XAI_ACC_R = XA_ACC_READ,
    XAI_ACC_W = XA_ACC_WRITE,
    XAI_ACC_RW = XA_ACC_READ | XA_ACC_WRITE,
    XAI_ACC_CW = XA_ACC_WRITE | XA_ACC_COND,
    XAI_ACC_CRW = XA_ACC_READ | XA_ACC_WRITE | XA_ACC_COND,
    XAI_ACC_N = 0,
};

/* Attributes of an instruction definition. */
enum xai_attr {
    XAI_A_LOCK = 1u << 0,
    XAI_A_HLE = 1u << 1,
    XAI_A_REP = 1u << 2,
    XAI_A_REPCC = 1u << 3,
    XAI_A_D64 = 1u << 4,
    XAI_A_F64 = 1u << 5,
    XAI_A_BND = 1u << 6,
    XAI_A_NOTRACK = 1u << 7,
    XAI_A_BRANCH = 1u << 8,
    XAI_A_PRIV = 1u << 9,
    XAI_A_ALIGNED = 1u << 10,
    XAI_A_VSIB = 1u << 11,
    XAI_A_K = 1u << 12,
    XAI_A_Z = 1u << 13,
    XAI_A_KREQ = 1u << 14,
    XAI_A_ER = 1u << 15,
    XAI_A_SAE = 1u << 16,
    XAI_A_B2 = 1u << 17,
    XAI_A_B4 = 1u << 18,
    XAI_A_B8 = 1u << 19,
    XAI_A_MP = 1u << 20,       /* the 66/F2/F3 of this line is a mandatory prefix */
    XAI_A_NOVVVV = 1u << 21,   /* VEX/EVEX/XOP.vvvv must be 1111 (no operand uses it) */
    XAI_A_IMM = 1u << 22,      /* some operand is encoded in the immediate bytes */
    XAI_A_VSIBH = 1u << 23,    /* VSIB index register is half the vector length */
    XAI_A_MODREG = 1u << 24,   /* ModRM.mod is ignored: r/m is always a register */
    XAI_A_DISTINCT = 1u << 25, /* the destination register differs from every source (#UD) */
    XAI_A_T1S1 = 1u << 26,     /* EVEX disp8*N with N fixed (tuple1 scalar): 1, 2, 4, 8 */
    XAI_A_T1S2 = 1u << 27,
    XAI_A_T1S4 = 1u << 28,
    XAI_A_T1S8 = 1u << 29,
};
/* Bits above int's range are macros (an enum constant must fit in an int). */
#define XAI_A_MPX64 (1u << 30) /* MPX: 67 is ignored in 64-bit mode */
#define XAI_A_NORIP (1u << 31) /* a RIP-relative memory operand is #UD */

/* One operand of a definition. */
struct xai_opdef {
    uint8_t loc;    /* enum xai_loc */
    uint8_t size;   /* enum xai_size, or enum xa_reg for XAI_LOC_FIXED */
    uint8_t access; /* enum xai_acc */
    /* Bytes for operand size 16, 32, 64 when the size depends on nothing else (and is
     * below 256); 0 when the decoder must compute it (vector length, mode, FIXED). */
    uint8_t bytes[3];
};

#define XAI_IMM_RUNTIME 0xFFu

/* Where a fast-path operand template (struct xai_optmpl) takes its register number
 * or value from. Legacy encodings only: REX extends reg, r/m and the opcode register. */
enum xai_tk {
    XAI_TK_RM = 0, /* r/m register + REX.B, or the memory operand (size mem_size) */
    XAI_TK_RM8,    /* the same for a byte GPR (AH..BH without REX, SPL..DIL with it) */
    XAI_TK_RMN,    /* r/m without REX.B (MMX, x87), or memory; the r/m kinds come first */
    XAI_TK_FIXED,  /* nothing: the template is the operand */
    XAI_TK_REG,    /* ModRM.reg + REX.R */
    XAI_TK_REG8,   /* the same for a byte GPR */
    XAI_TK_REGN,   /* ModRM.reg without REX.R (MMX) */
    XAI_TK_OPC,    /* opcode bits 0-2 + REX.B */
    XAI_TK_OPC8,   /* the same for a byte GPR */
    XAI_TK_IMM,    /* imm_bytes read sign-extended, kept to the operand's size */
    XAI_TK_REL,    /* imm_bytes read sign-extended */
    XAI_TK_ONE,    /* the constant 1 */
};

/* One operand of a legacy-encoded definition at one operand size, built ahead. */
struct xai_optmpl {
    struct xa_operand op; /* type, access, size, register base (number 0), imm_index */
    uint16_t mem_size;    /* XAI_TK_RM*: the size when r/m is memory */
    uint8_t kind;         /* enum xai_tk */
    uint8_t imm_bytes;    /* XAI_TK_IMM / XAI_TK_REL: bytes encoded */
};

/* xai_def.fast bits. */
enum {
    XAI_FAST = 1u << 0,           /* legacy encodings may use the templates */
    XAI_FAST_ADDR_ONLY = 1u << 1, /* operand 2 is an address, never accessed (LEA) */
};

/* One instruction form. */
struct xai_def {
    uint16_t mnemonic;
    uint8_t isa_set;
    uint8_t op_count;
    uint32_t attrs;
    uint16_t insn_attrs; /* the public enum xa_insn_attr bits */
    /* Bytes of the immediates for operand size 16, 32, 64, computed by the generator;
     * XAI_IMM_RUNTIME when they depend on more (a moffs address): the decoder counts. */
    uint8_t imm_bytes[3];
    struct xai_opdef ops[5];
    uint8_t fast;     /* XAI_FAST bits */
    uint16_t tmpl[3]; /* first xai_optmpls entry for operand size 16, 32, 64 */
    /* xai_forms entries (0: none): by operand size 16, 32, 64, and when no legacy prefix
     * is present by XAI_HOT_* (the mode, and REX.W in 64-bit mode). The definition is
     * then 64 bytes: finding it is a shift. */
    uint16_t form[3];
    uint16_t hot[4];
};

/* xai_def.hot index: XA_MODE_REAL and XA_MODE_16, XA_MODE_32, XA_MODE_64 without and
 * with REX.W (the index is the mode minus one, not below 0, plus REX.W). */
enum { XAI_HOT_16 = 0, XAI_HOT_32, XAI_HOT_64, XAI_HOT_64W };

/* The first 32 bytes of struct xa_insn, field for field (decode.c checks the offsets). */
struct xai_head {
    uint16_t mnemonic;
    uint8_t length, mode, opsize, adsize, encoding, map;
    uint8_t opcode, modrm, sib, has_modrm, has_sib, operand_count, seg_override, rex;
    uint8_t vector_length, vvvv, isa_set, disp_offset, disp_size, imm_offset, imm_size, reserved;
    uint16_t attributes;
    uint32_t prefixes;
};

/* How a form's operand takes its register number (the generated shapes). */
enum {
    XAI_FR_REX = 1, /* the field plus its REX bit */
    XAI_FR_BYTE,    /* the same, a byte GPR (AH..BH without REX, SPL..DIL with it) */
    XAI_FR_NOREX,   /* the field alone (MMX, x87) */
};

/*
 * A straight-line form: one fast legacy definition at one operand size (r/m is memory
 * when ModRM.mod is not 3: no `modreg` definition has a form), as the output
 * starts (the generator fills head and ops; the decoder adds the bytes' facts). At most
 * three operands, at most one r/m, one reg, one opcode register and one immediate
 * (imm[0]). Which of them and where, and the immediate's size and how much of it is
 * kept, is the shape: a case of the switch the generator writes
 * (decoder/generated/form_shapes.inc). 64 bytes: finding one is a shift.
 */
struct xai_form {
    struct xai_head head;     /* mnemonic, opsize, operand_count, isa_set, imm_size, attributes;
                               * length: the shape (the decoder stores the length last) */
    struct xa_operand ops[3]; /* register numbers 0 */
    struct xa_operand mem_op; /* the r/m operand when it is memory */
};

/* Opcode spaces: the roots of the decode trees. */
enum xai_space {
    XAI_SP_LEGACY = 0,
    XAI_SP_0F,
    XAI_SP_0F38,
    XAI_SP_0F3A,
    XAI_SP_3DNOW,
    XAI_SP_VEX_0F,
    XAI_SP_VEX_0F38,
    XAI_SP_VEX_0F3A,
    XAI_SP_EVEX_0F,
    XAI_SP_EVEX_0F38,
    XAI_SP_EVEX_0F3A,
    XAI_SP_EVEX_MAP5,
    XAI_SP_EVEX_MAP6,
    XAI_SP_XOP_8,
    XAI_SP_XOP_9,
    XAI_SP_XOP_A,
    XAI_SP_COUNT
};

/*
 * Decode-tree nodes. A reference is a uint16_t: 0 is "invalid", a value below
 * XAI_NODE_FLAG is an index into xai_defs, and a value with XAI_NODE_FLAG set
 * is an offset into xai_nodes, where the node's kind is followed by one
 * reference per child (the counts below).
 */
#define XAI_NODE_FLAG 0x8000u
enum xai_node_kind {
    XAI_N_MP = 1, /* mandatory prefix: none, 66, F3, F2 */
    XAI_N_MOD,    /* memory, register */
    XAI_N_REG,    /* ModRM.reg 0..7 */
    XAI_N_RM,     /* ModRM.rm 0..7 */
    XAI_N_W,      /* REX.W / VEX.W / EVEX.W 0, 1 */
    XAI_N_L,      /* VEX.L / EVEX.L'L 0..3 */
    XAI_N_MODE,   /* enum xa_mode: real or virtual-8086, 16-bit, 32-bit, 64-bit */
    XAI_N_OSZ,    /* operand size 16, 32, 64 */
    XAI_N_ASZ,    /* address size 16, 32, 64 */
    XAI_N_VENDOR, /* Intel, AMD */
    XAI_N_REXB,   /* REX.B 0, 1 */
};

/* The tables are the library's own: hidden, the decoder addresses them directly rather
 * than through the GOT in position-independent code. */
#if defined(__GNUC__) || defined(__clang__)
#define XAI_TABLE extern __attribute__((visibility("hidden")))
#else
#define XAI_TABLE extern
#endif

XAI_TABLE const struct xai_def xai_defs[];
XAI_TABLE const struct xai_optmpl xai_optmpls[];
XAI_TABLE const struct xai_form xai_forms[];
XAI_TABLE const uint16_t xai_nodes[];
XAI_TABLE const uint16_t xai_roots[XAI_SP_COUNT][256];
/* Bit (op & 31) of xai_has_modrm[space][op >> 5]: the opcode takes a ModRM byte. */
XAI_TABLE const uint32_t xai_has_modrm[XAI_SP_COUNT][8];
/* The legacy maps (one-byte, 0F, 0F 38, 0F 3A) in one look-up: the root reference in
 * bits 0-15 and "takes a ModRM byte" in bit 16. */
#define XAI_LEGACY_MODRM (1u << 16)
XAI_TABLE const uint32_t xai_legacy_roots[4][256];
/* The same for 64-bit mode without legacy prefixes, with the forms the decode tree
 * reaches there (xai_def.hot[XAI_HOT_64], [XAI_HOT_64W]) when they depend on little:
 * on REX.W alone, bits 32-47 the form without it and bits 48-63 with it; on REX.W,
 * ModRM.reg and whether ModRM.mod is 3, XAI_HOT64_GROUP and in bits 20-31 an index of
 * xai_hot64_groups: [(mod == 3) << 3 | reg][REX.W] (a cell is 0 where they depend on more;
 * bits 32-63 are then 0). A form 0 says nothing: the tree decides. These forms have the
 * mode, address size, map, opcode and has_modrm in their head (prefilled). */
#define XAI_HOT64_GROUP       (1u << 17)
#define XAI_HOT64_GROUP_SHIFT 20
/* Some definition reached is address-only (LEA: a segment override does not apply). */
#define XAI_HOT64_ADDR_ONLY (1u << 18)
XAI_TABLE const uint64_t xai_hot64_roots[4][256];
/* 64-bit mode after a 66 ([0]) or an F3 ([1]) prefix (a REX may follow), by map and
 * opcode: the form decode_prefixed reaches by REX.W and whether ModRM.mod is 3 (without
 * a ModRM byte: REX.B), when it depends on nothing else (0 when it does). The forms are
 * prefilled as those of xai_hot64_roots, and with the prefix bits the prefix makes:
 * XA_PFX_OPSIZE or XA_PFX_REP, XA_PFX_MANDATORY (it is a mandatory prefix),
 * XA_PFX_XRELEASE (F3 is XRELEASE). */
struct xai_hotmp {
    uint16_t form[2][2]; /* [REX.W][mod == 3, or REX.B] */
    uint8_t has_modrm;
    uint8_t pad[1];
};
XAI_TABLE const struct xai_hotmp xai_hot64_mp[2][4][256];
XAI_TABLE const uint16_t xai_hot64_groups[][16][2];
/* 64-bit mode, VEX first (no legacy prefix or REX before it): by map (0F, 0F 38, 0F 3A),
 * opcode and VEX.pp the forms the decode tree reaches by VEX.L and VEX.W (bits
 * 16 * (L << 1 | W)) when they depend on nothing else; 0 when they do. These forms have
 * the mode, address size, encoding, map, has_modrm, operand size, vector length and the
 * prefix bits in their head, the shape in its length (a case of vex_shapes.inc) and
 * in its vvvv the XAI_VR_* rules the decoder checks (any other case is the general
 * path's). */
XAI_TABLE const uint64_t xai_vex64[3][256][4];
enum {
    XAI_VR_VVVV0 = 1, /* VEX.vvvv must be 0 (1111b as encoded) */
    XAI_VR_REG = 2,   /* only for a register r/m (ModRM.mod 3) */
    XAI_VR_MEM = 4,   /* only for a memory r/m */
};
/* The memory operand of 64-bit addressing: xai_modrm64[REX.B][ModRM] (mod 0..2) and,
 * when sib is set, xai_sib64[mod == 0][REX.X << 1 | REX.B][SIB] for the registers. */
struct xai_addr64 {
    uint8_t mem[4];    /* struct xa_mem's seg (SS or DS), base, index, scale */
    uint8_t disp_size; /* bytes of displacement (ModRM's and SIB's are or-ed) */
    uint8_t sib;       /* a SIB byte follows */
    uint8_t pad[2];
};
XAI_TABLE const struct xai_addr64 xai_modrm64[2][192];
XAI_TABLE const struct xai_addr64 xai_sib64[2][4][256];
extern const char *const xai_mnemonic_names[];
extern const unsigned xai_mnemonic_count;

#endif
