/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file decoder.h
 * @brief The x86 decoder: bytes in, one fully described instruction out.
 *
 * xa_decode() is pure: it reads at most @c len bytes, each once, keeps no
 * state between calls and allocates nothing. It covers legacy, REX, VEX,
 * EVEX, XOP and 3DNow! encodings in 16-, 32- and 64-bit modes.
 */
#ifndef X86ASSIST_DECODER_H
#define X86ASSIST_DECODER_H

#include <stddef.h>
#include <stdint.h>

#include "x86assist.h"
#include "mnemonics.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The longest instruction the CPU accepts. */
#define XA_MAX_INSN_LENGTH 15

/** Processor mode the bytes are decoded in. */
enum xa_mode {
    XA_MODE_REAL = 0, /**< Real or virtual-8086 mode: 16-bit, no VEX/EVEX/XOP. */
    XA_MODE_16 = 1,   /**< 16-bit protected-mode code segment (CS.D=0). */
    XA_MODE_32 = 2,   /**< 32-bit code segment (CS.D=1), protected or compatibility. */
    XA_MODE_64 = 3,   /**< 64-bit mode (CS.L=1, EFER.LMA=1). */
};

/**
 * Registers. Each class is a contiguous block, so the register number n of a
 * class is `first + n` (XA_REG_EAX + 3 is XA_REG_EBX).
 */
enum xa_reg {
    XA_REG_NONE = 0,
    /* 8-bit: legacy encoding order, then the REX-only low bytes. */
    XA_REG_AL,
    XA_REG_CL,
    XA_REG_DL,
    XA_REG_BL,
    XA_REG_AH,
    XA_REG_CH,
    XA_REG_DH,
    XA_REG_BH,
    XA_REG_SPL,
    XA_REG_BPL,
    XA_REG_SIL,
    XA_REG_DIL,
    XA_REG_R8B,
    XA_REG_R9B,
    XA_REG_R10B,
    XA_REG_R11B,
    XA_REG_R12B,
    XA_REG_R13B,
    XA_REG_R14B,
    XA_REG_R15B,
    XA_REG_AX,
    XA_REG_CX,
    XA_REG_DX,
    XA_REG_BX,
    XA_REG_SP,
    XA_REG_BP,
    XA_REG_SI,
    XA_REG_DI,
    XA_REG_R8W,
    XA_REG_R9W,
    XA_REG_R10W,
    XA_REG_R11W,
    XA_REG_R12W,
    XA_REG_R13W,
    XA_REG_R14W,
    XA_REG_R15W,
    XA_REG_EAX,
    XA_REG_ECX,
    XA_REG_EDX,
    XA_REG_EBX,
    XA_REG_ESP,
    XA_REG_EBP,
    XA_REG_ESI,
    XA_REG_EDI,
    XA_REG_R8D,
    XA_REG_R9D,
    XA_REG_R10D,
    XA_REG_R11D,
    XA_REG_R12D,
    XA_REG_R13D,
    XA_REG_R14D,
    XA_REG_R15D,
    XA_REG_RAX,
    XA_REG_RCX,
    XA_REG_RDX,
    XA_REG_RBX,
    XA_REG_RSP,
    XA_REG_RBP,
    XA_REG_RSI,
    XA_REG_RDI,
    XA_REG_R8,
    XA_REG_R9,
    XA_REG_R10,
    XA_REG_R11,
    XA_REG_R12,
    XA_REG_R13,
    XA_REG_R14,
    XA_REG_R15,
    XA_REG_IP,
    XA_REG_EIP,
    XA_REG_RIP,
    XA_REG_ES,
    XA_REG_CS,
    XA_REG_SS,
    XA_REG_DS,
    XA_REG_FS,
    XA_REG_GS,
    XA_REG_CR0,
    /* ... */ XA_REG_CR15 = XA_REG_CR0 + 15,
    XA_REG_DR0,
    /* ... */ XA_REG_DR15 = XA_REG_DR0 + 15,
    XA_REG_ST0,
    /* ... */ XA_REG_ST7 = XA_REG_ST0 + 7,
    XA_REG_MM0,
    /* ... */ XA_REG_MM7 = XA_REG_MM0 + 7,
    XA_REG_XMM0,
    /* ... */ XA_REG_XMM31 = XA_REG_XMM0 + 31,
    XA_REG_YMM0,
    /* ... */ XA_REG_YMM31 = XA_REG_YMM0 + 31,
    XA_REG_ZMM0,
    /* ... */ XA_REG_ZMM31 = XA_REG_ZMM0 + 31,
    XA_REG_K0,
    /* ... */ XA_REG_K7 = XA_REG_K0 + 7,
    XA_REG_BND0,
    /* ... */ XA_REG_BND3 = XA_REG_BND0 + 3,
    XA_REG_TMM0,
    /* ... */ XA_REG_TMM7 = XA_REG_TMM0 + 7,
    XA_REG_COUNT
};

/** Returns the lowercase Intel name of @p reg ("rax", "xmm3"); "" for XA_REG_NONE or out of range.
 */
const char *xa_reg_name(enum xa_reg reg);

/** How the instruction is encoded. */
enum xa_encoding {
    XA_ENC_LEGACY = 0, /**< Legacy (with or without REX). */
    XA_ENC_3DNOW = 1,  /**< 0F 0F with the opcode in the last byte. */
    XA_ENC_VEX = 2,    /**< C4 / C5. */
    XA_ENC_EVEX = 3,   /**< 62 (AVX-512). */
    XA_ENC_XOP = 4,    /**< 8F (AMD XOP). */
};

/** Opcode maps (xa_insn.map). VEX/EVEX/XOP maps use their own numbers. */
enum xa_map {
    XA_MAP_1BYTE = 0, /**< One-byte opcodes. */
    XA_MAP_0F = 1,    /**< 0F xx (VEX/EVEX map 1). */
    XA_MAP_0F38 = 2,  /**< 0F 38 xx (VEX/EVEX map 2). */
    XA_MAP_0F3A = 3,  /**< 0F 3A xx (VEX/EVEX map 3). */
    XA_MAP_3DNOW = 4, /**< 0F 0F modrm ... xx. */
    XA_MAP_5 = 5,     /**< EVEX map 5. */
    XA_MAP_6 = 6,     /**< EVEX map 6. */
    XA_MAP_XOP8 = 8,  /**< XOP map 8. */
    XA_MAP_XOP9 = 9,  /**< XOP map 9. */
    XA_MAP_XOPA = 10, /**< XOP map 10. */
};

/** Prefixes present (xa_insn.prefixes bits). */
enum xa_prefix {
    XA_PFX_LOCK = 1u << 0,       /**< F0. */
    XA_PFX_REP = 1u << 1,        /**< F3 acting as REP/REPE (or a mandatory F3). */
    XA_PFX_REPNE = 1u << 2,      /**< F2 acting as REPNE (or a mandatory F2). */
    XA_PFX_OPSIZE = 1u << 3,     /**< 66. */
    XA_PFX_ADSIZE = 1u << 4,     /**< 67. */
    XA_PFX_SEG = 1u << 5,        /**< A segment override (see xa_insn.seg_override). */
    XA_PFX_REX = 1u << 6,        /**< A REX prefix counted (immediately before the opcode). */
    XA_PFX_VEX = 1u << 7,        /**< VEX. */
    XA_PFX_EVEX = 1u << 8,       /**< EVEX. */
    XA_PFX_XOP = 1u << 9,        /**< XOP. */
    XA_PFX_MANDATORY = 1u << 10, /**< The 66/F2/F3 is part of the opcode. */
    XA_PFX_XACQUIRE = 1u << 11,  /**< F2 as XACQUIRE (HLE). */
    XA_PFX_XRELEASE = 1u << 12,  /**< F3 as XRELEASE (HLE). */
    XA_PFX_BND = 1u << 13,       /**< F2 as BND (MPX) on a branch. */
    XA_PFX_NOTRACK = 1u << 14,   /**< 3E as NOTRACK (CET) on an indirect branch. */
};

/** Operand kinds (xa_operand.type). */
enum xa_op_type {
    XA_OP_NONE = 0,
    XA_OP_REG = 1, /**< A register: xa_operand.reg. */
    XA_OP_MEM = 2, /**< Memory: xa_insn.mem (an instruction has at most one). */
    XA_OP_IMM = 3, /**< An immediate: xa_insn.imm[imm_index], sign-extended to the operand size. */
    XA_OP_REL = 4, /**< A relative target: xa_insn.imm[imm_index] is the signed displacement from
                      the next instruction. */
    XA_OP_FAR = 5, /**< A far pointer: xa_insn.imm[0] is the offset, imm[1] the selector. */
};

/** Operand access (xa_operand.access bits). */
enum xa_op_access {
    XA_ACC_READ = 1u << 0,  /**< Read. */
    XA_ACC_WRITE = 1u << 1, /**< Written. */
    XA_ACC_COND = 1u << 2,  /**< Only under a condition (CMOVcc, masked elements...). */
};

/** One explicit operand, in Intel order (destination first). */
struct xa_operand {
    uint8_t type;   /**< enum xa_op_type. */
    uint8_t access; /**< enum xa_op_access bits; 0 for operands that are neither (LEA's address,
                       NOP's). */
    uint16_t size;  /**< Size in bytes: register width, memory size (element size when broadcast),
                       immediate operand size. */
    uint8_t reg;    /**< XA_OP_REG: enum xa_reg. */
    uint8_t elem_size; /**< Element size in bytes for vector operands (0 when not a vector). */
    uint8_t
        imm_index; /**< XA_OP_IMM / XA_OP_REL / XA_OP_FAR: which xa_insn.imm[] holds the value. */
    uint8_t reserved; /**< Padding: always 0. */
};

/** The memory operand (valid when some operand has type XA_OP_MEM). */
struct xa_mem {
    uint8_t seg;   /**< Effective segment register (enum xa_reg: ES..GS); in 64-bit mode ES/CS/SS/DS
                      overrides are ignored. */
    uint8_t base;  /**< Base register, XA_REG_RIP/EIP for RIP-relative, or XA_REG_NONE. */
    uint8_t index; /**< Index register (a vector register for VSIB), or XA_REG_NONE. */
    uint8_t scale; /**< 1, 2, 4 or 8 (1 when there is no index). */
    int64_t disp;  /**< Displacement, sign-extended (already scaled for EVEX disp8*N). */
};

/** EVEX decorations (xa_insn.evex). */
struct xa_evex {
    uint8_t mask;      /**< Opmask register number (0 = no masking). */
    uint8_t zeroing;   /**< 1 for {z}. */
    uint8_t broadcast; /**< Number of elements broadcast ({1to16} -> 16), 0 for none. */
    uint8_t rounding;  /**< 0 none, 1 {sae}, 2 {rn-sae}, 3 {rd-sae}, 4 {ru-sae}, 5 {rz-sae}. */
};

/** Flags of xa_insn.attributes. */
enum xa_insn_attr {
    XA_ATTR_LOCKABLE = 1u << 0,    /**< LOCK is allowed (with a memory destination). */
    XA_ATTR_REP = 1u << 1,         /**< A string instruction that honours REP. */
    XA_ATTR_REPCC = 1u << 2,       /**< A string instruction with REPE/REPNE (CMPS, SCAS). */
    XA_ATTR_BRANCH = 1u << 3,      /**< Changes RIP other than by its length. */
    XA_ATTR_PRIVILEGED = 1u << 4,  /**< Only at CPL 0. */
    XA_ATTR_VSIB = 1u << 5,        /**< The memory operand uses a vector index. */
    XA_ATTR_SSE_ALIGNED = 1u << 6, /**< A vector memory operand that must be aligned to its size. */
};

/**
 * A decoded instruction: compact (no pointers, at most 128 bytes) so it can be
 * copied, stored and compared freely.
 */
struct xa_insn {
    uint16_t mnemonic; /**< enum xa_mnemonic (XA_MNEM_INVALID when decoding failed). */
    uint8_t length;    /**< Length in bytes (1..15); on XA_ERR_TRUNCATED, the bytes needed. */
    uint8_t mode;      /**< enum xa_mode it was decoded in. */
    uint8_t opsize;    /**< Effective operand size in bits (16, 32, 64; 8 for byte operations). */
    uint8_t adsize;    /**< Effective address size in bits (16, 32, 64). */
    uint8_t encoding;  /**< enum xa_encoding. */
    uint8_t map;       /**< enum xa_map. */
    uint8_t opcode;    /**< The opcode byte within its map (the suffix byte for 3DNow!). */
    uint8_t modrm;     /**< ModRM byte (valid when has_modrm). */
    uint8_t sib;       /**< SIB byte (valid when has_sib). */
    uint8_t has_modrm; /**< 1 when a ModRM byte is present. */
    uint8_t has_sib;   /**< 1 when a SIB byte is present. */
    uint8_t operand_count; /**< Explicit operands in ops[]. */
    uint8_t seg_override;  /**< The last segment-override prefix (enum xa_reg), or XA_REG_NONE. */
    uint8_t rex; /**< The REX byte that counted (0 when none); for VEX/EVEX/XOP the equivalent
                    W/R/X/B bits. */
    uint8_t vector_length;    /**< 16, 32 or 64 bytes for VEX/EVEX/XOP vectors, else 0. */
    uint8_t vvvv;             /**< VEX/EVEX/XOP register specifier (un-inverted, 0..31). */
    uint8_t isa_set;          /**< enum xa_isa_set: the CPUID feature the instruction needs. */
    uint8_t disp_offset;      /**< Offset of the displacement in the bytes (0 when none). */
    uint8_t disp_size;        /**< Size of the encoded displacement in bytes. */
    uint8_t imm_offset;       /**< Offset of the first immediate (0 when none). */
    uint8_t imm_size;         /**< Size of the encoded immediate(s) in bytes. */
    uint8_t reserved;         /**< Padding: always 0. */
    uint16_t attributes;      /**< enum xa_insn_attr bits. */
    uint32_t prefixes;        /**< enum xa_prefix bits. */
    struct xa_evex evex;      /**< EVEX decorations (zero otherwise). */
    struct xa_mem mem;        /**< The memory operand, if any. */
    int64_t imm[2];           /**< Immediates in encoding order (ENTER and EXTRQ have two). */
    struct xa_operand ops[5]; /**< Explicit operands, destination first. */
};

/**
 * Decodes one instruction.
 *
 * @param insn   Receives the instruction; on any status other than XA_OK it is
 *               cleared, with insn->length holding the bytes needed for
 *               XA_ERR_TRUNCATED (at least len + 1).
 * @param mode   enum xa_mode.
 * @param vendor enum xa_vendor: where Intel and AMD decode differently.
 * @param bytes  The instruction bytes; read only below @p len, each byte once.
 * @param len    Bytes available (any value, 0 included).
 * @return XA_OK; XA_ERR_INVALID (the CPU raises #UD); XA_ERR_TRUNCATED (the
 *         buffer ends inside the instruction); XA_ERR_TOO_LONG (longer than 15
 *         bytes: #GP); XA_ERR_BAD_ARGUMENT (insn NULL, bytes NULL with len > 0,
 *         mode or vendor out of range).
 */
xa_status xa_decode(struct xa_insn *insn, enum xa_mode mode, enum xa_vendor vendor,
                    const uint8_t *bytes, size_t len);

/** Returns the lowercase Intel SDM name of a mnemonic ("mov"); "" when out of range. */
const char *xa_mnemonic_name(unsigned mnemonic);

/**
 * Formats @p insn in Intel syntax into @p buf (always NUL-terminated when
 * @p size > 0). @p address is the address of the instruction's first byte,
 * used for relative targets. Returns the length the full text needs
 * (excluding NUL), like snprintf.
 */
size_t xa_format(const struct xa_insn *insn, uint64_t address, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* X86ASSIST_DECODER_H */
