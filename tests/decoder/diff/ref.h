/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The differential harness: our decoder, Zydis 4.0 and capstone 4.0.2, each
 * turned into one normalised record (struct ref_insn) that can be compared
 * field by field. See README.md next to this file for the normalisation rules
 * and for why each one is a representation difference, not a real one.
 */
#ifndef XA_DIFF_REF_H
#define XA_DIFF_REF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <x86assist/decoder.h>

#define REF_MAX_OPS 8
#define REF_NAME    16

/* Which decoder produced a record. */
enum ref_oracle {
    REF_OURS = 0,
    REF_ZYDIS = 1,
    REF_CAPSTONE = 2,
};

/* The decoder's verdict. Only valid / not valid is compared. */
enum ref_status {
    REF_VALID = 0,
    REF_INVALID,   /* #UD or unknown to the decoder */
    REF_TRUNCATED, /* the bytes ended inside the instruction */
    REF_TOO_LONG,  /* more than 15 bytes */
    REF_ERROR,     /* anything else (bad argument, internal error) */
};

enum ref_kind {
    REF_OP_NONE = 0,
    REF_OP_REG,
    REF_OP_MEM,
    REF_OP_IMM,
    REF_OP_REL,
    REF_OP_FAR,
};

struct ref_operand {
    uint8_t kind;         /* enum ref_kind */
    uint16_t size;        /* bytes; 0 for an address-only memory operand (LEA) */
    char reg[REF_NAME];   /* REG: lowercase Intel name */
    char seg[REF_NAME];   /* MEM: effective segment */
    char base[REF_NAME];  /* MEM: "" when none; "rip"/"eip" when RIP-relative */
    char index[REF_NAME]; /* MEM: "" when none */
    uint8_t scale;        /* MEM: 0 when there is no index */
    bool rip_rel;         /* MEM */
    int64_t disp;         /* MEM */
    uint64_t imm;         /* IMM value; REL displacement from the next instruction; FAR offset */
    uint16_t sel;         /* FAR selector */
};

struct ref_insn {
    uint8_t status; /* enum ref_status */
    uint8_t length;
    uint8_t adsize; /* effective address size in bits */
    uint8_t op_count;
    char mnemonic[32];
    char text[224]; /* the decoder's own formatting, informational */
    struct ref_operand ops[REF_MAX_OPS];
};

/* ---- decoders ---- */

/* Ours: decodes and normalises. mode is enum xa_mode, vendor enum xa_vendor. */
void ref_ours_decode(int mode, int vendor, const uint8_t *bytes, size_t len, struct ref_insn *out);
/* Ours: normalises an xa_insn that xa_decode() returned with status st. */
void ref_from_xa(const struct xa_insn *in, xa_status st, bool with_text, struct ref_insn *out);

struct ref_zydis;
/* NULL on failure (bad mode). */
struct ref_zydis *ref_zydis_new(int mode, int vendor);
void ref_zydis_free(struct ref_zydis *z);
void ref_zydis_decode(struct ref_zydis *z, const uint8_t *bytes, size_t len, bool with_text,
                      struct ref_insn *out);

struct ref_capstone;
struct ref_capstone *ref_capstone_new(int mode);
void ref_capstone_free(struct ref_capstone *c);
void ref_capstone_decode(struct ref_capstone *c, const uint8_t *bytes, size_t len, bool with_text,
                         struct ref_insn *out);

/* ---- comparison ---- */

/* Categories, in the order they are checked. */
enum ref_category {
    REF_CAT_NONE = 0,
    REF_CAT_VALIDITY,
    REF_CAT_LENGTH,
    REF_CAT_OPCOUNT,
    REF_CAT_OPKIND,
    REF_CAT_OPSIZE,
    REF_CAT_REG,
    REF_CAT_MEMSEG,
    REF_CAT_MEMBASE,
    REF_CAT_MEMINDEX,
    REF_CAT_MEMSCALE,
    REF_CAT_MEMDISP,
    REF_CAT_MEMADSIZE,
    REF_CAT_IMM,
    REF_CAT_REL,
    REF_CAT_FAR,
    REF_CAT_COUNT
};

/* Stable lowercase names ("validity", "op-size", ...); "?" out of range. */
const char *ref_category_name(int cat);
/* The category of a name, or -1; "*" gives REF_CAT_COUNT (any). */
int ref_category_parse(const char *name);

struct ref_diff {
    int category;     /* enum ref_category; REF_CAT_NONE when they agree */
    char what[96];    /* for grouping: field and values with register numbers dropped */
    char detail[160]; /* the exact values */
};

/* Compares ours with an oracle; returns true (and fills d) when they disagree. */
bool ref_compare(const struct ref_insn *ours, const struct ref_insn *oracle, struct ref_diff *d);

/*
 * Known capstone 4.0.2 defects (documented in README.md): returns a short
 * name ("avx512-mask", "ud0-ud1-modrm", "illegal-lock") when the disagreement
 * d between ours and capstone on these bytes is one of them, else NULL.
 */
const char *ref_capstone_known(const struct ref_insn *ours, const struct ref_insn *cs,
                               const struct ref_diff *d, const uint8_t *bytes, size_t len);

/* Bytes that identify the instruction: the longer valid length of the two, else 1. */
size_t ref_insn_span(const struct ref_insn *a, const struct ref_insn *b, size_t avail);

/* ---- printing ---- */

void ref_print(const char *who, const struct ref_insn *r);
/* Lowercase hex of n bytes into buf (size >= 2n+1). */
void ref_hex(const uint8_t *b, size_t n, char *buf);

/* ---- the opcode key: an independent scanner for grouping ---- */

/*
 * Describes the opcode of the bytes without any decoder: "legacy 66 0F 38 F0",
 * "legacy FF /2", "VEX.L1.66.0F38.W0 45", "EVEX.F3.MAP5.W0 10", "XOP.M09.W0 01 /1".
 * Used to group disagreements so a table author sees the opcode at once.
 */
void ref_opcode_key(int mode, const uint8_t *b, size_t len, char *buf, size_t size);

/* ---- the allowlist ---- */

struct ref_allow_entry {
    uint8_t mode;     /* enum xa_mode */
    int8_t oracle;    /* enum ref_oracle, or -1 for any */
    int16_t category; /* enum ref_category, or REF_CAT_COUNT for any */
    uint8_t len;      /* 0 for an opcode-group or rule entry */
    uint8_t rule;     /* a named rule ("!name" in the file), 0 for none */
    uint8_t bytes[XA_MAX_INSN_LENGTH];
    char key[96]; /* "@legacy_0F_1F_/0_m": ref_opcode_key() with _ for spaces */
};

struct ref_allowlist {
    struct ref_allow_entry *e;
    size_t n;
};

/*
 * Parses allowlist text (README.md). Returns 0, or -1 with a message in err
 * naming the line. The list is owned by the caller (ref_allowlist_free).
 */
int ref_allowlist_parse(const char *text, size_t len, struct ref_allowlist *al, char *err,
                        size_t errsize);
int ref_allowlist_load(const char *path, struct ref_allowlist *al, char *err, size_t errsize);
void ref_allowlist_free(struct ref_allowlist *al);
/* key: ref_opcode_key() of the bytes (NULL: byte entries only). */
bool ref_allowlist_match(const struct ref_allowlist *al, int mode, int oracle, int category,
                         const uint8_t *bytes, size_t len, const char *key);

/* ---- ELF ---- */

/*
 * Reads the .text section of the ELF64 file at path (bounds-checked against
 * the file size). Returns a malloc'd copy (free() it) and its size and
 * address; NULL with a message in err on any error.
 */
uint8_t *ref_elf_text(const char *path, size_t *size, uint64_t *addr, char *err, size_t errsize);

/* ---- the encoding space (xa_diff --sweep-space) ---- */

/* Receives one generated candidate: at least 16 bytes, only the start matters. */
typedef void (*ref_emit_fn)(void *ctx, const uint8_t *bytes, size_t len);

unsigned ref_space_count(void);
/* The name of space i ("legacy", "vex-0f38", ...), NULL past the end. */
const char *ref_space_name(unsigned i);
/* Whether space i is enumerated by default in mode (VEX/EVEX/XOP not in real mode). */
bool ref_space_default(unsigned i, int mode);
/* Enumerates space i in mode; returns the number of candidates emitted. */
uint64_t ref_space_run(unsigned i, int mode, ref_emit_fn emit, void *ctx);

/*
 * The architectural width in bytes of a register named r (lowercase Intel
 * name) in mode: what ours reports as a register operand's size. 0 when the
 * name is unknown.
 */
uint16_t ref_reg_width(const char *r, int mode);

/* Mode names: "real", "16", "32", "64"; -1 when unknown. */
int ref_mode_parse(const char *s);
const char *ref_mode_name(int mode);

#endif
