/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The emulator core's own interface (emulator/core/ files): the state of one
 * instruction, struct xai_emu, and the functions the core files share. The
 * handlers never see this header; they use emulator/emu.h.
 */
#ifndef XA_EMULATOR_CORE_H
#define XA_EMULATOR_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "emulator/emu.h"

/* Inlined whatever the compiler's heuristics say: the MMIO front's steps and what it shares
 * with the general path (clang otherwise calls xai_walk_cache_ready out of line). */
#if defined(__GNUC__) || defined(__clang__)
#define XAI_FORCE_INLINE inline __attribute__((always_inline))
#else
#define XAI_FORCE_INLINE inline
#endif

/* Writes staged by one instruction (an operand, a stack slot, ...). */
#define XAI_MAX_STAGED 4
/* Largest access the core stages or reads in one piece of an operand (ZMM, MOVDIR64B). */
#define XAI_MAX_ACCESS 64

/* RFLAGS.RF: cleared by every instruction that completes. */
#define XAI_RF (UINT64_C(1) << 16)

/* A translated access: the linear address and its one or two guest-physical pieces. */
struct xai_xlat {
    uint64_t la;
    uint32_t size;
    uint8_t count;
    uint64_t gpa[2];
    uint32_t len[2];
};

/* The instruction's explicit memory operand. */
struct xai_memop {
    bool ready;      /* translated (x valid) */
    bool have_value; /* value[] holds what was read */
    uint8_t access;  /* enum xa_access it was translated for */
    int64_t adjust;  /* xai_op_adjust() */
    struct xai_xlat x;
    uint8_t value[XAI_MAX_ACCESS]; /* the bytes read (also the LOCK compare value) */
};

/* A write waiting for the commit. */
struct xai_staged {
    struct xai_xlat x;
    bool locked; /* compare with expected[] (LOCK): mem_cmpxchg */
    /* Bytes to write, bit k for data[k] (a masked vector store: each run of set bits is its
     * own mem_write); 0 writes every byte. Every staging path sets it. */
    uint64_t enable;
    uint8_t data[XAI_MAX_ACCESS];
    uint8_t expected[XAI_MAX_ACCESS];
};

/* How the exit's GPA/GVA is checked against the instruction's accesses. */
enum xai_exit_check {
    XAI_EXIT_NONE = 0,    /* no exit (xa_emulate, xa_step) */
    XAI_EXIT_OPERAND = 1, /* the explicit memory operand must match (checked when translated) */
    XAI_EXIT_ANY = 2,     /* some access must match (implicit stack): checked at commit */
};

struct xai_emu {
    struct xa_vcpu *v;
    const struct xa_insn *insn;
    struct xa_outcome *out;
    enum xa_cpu_mode cpumode;
    enum xa_mode dmode; /* the decoder's mode (from cpumode and CS.D) */
    uint8_t cpl;
    bool la57;
    bool locked;        /* LOCK prefix, or XCHG with memory */
    bool ps_ready;      /* v->walk checked against this instruction's registers */
    bool staged_locked; /* some staged write is a LOCK compare-and-exchange */
    int8_t mi;          /* index of the explicit memory operand, or -1 */
    uint64_t rip, next_rip;
    uint64_t rflags;  /* working value (handlers) */
    uint64_t rflags0; /* as fetched */
    struct xai_memop mop;
    unsigned nstaged;
    struct xai_staged staged[XAI_MAX_STAGED];
    /* exit matching (xa_assist_mmio) */
    const struct xa_mmio_exit *exit;
    uint8_t exit_check; /* enum xai_exit_check */
    bool exit_matched;
    /* string instructions and port I/O (string.c, io.c) */
    uint8_t ac_elem; /* #AC alignment of a batched run: its element size (0: the access size) */
    bool partial;    /* a failure status after completed REP iterations: commit them first */
    const struct xa_io_exit *io_exit; /* xa_assist_io's exit, or NULL */
};

/* ---- regs.c: the register cache -------------------------------------- */

/* The registers every instruction needs first, in this order (RIP RFLAGS CR0 EFER CS SS CR3
 * CR4): what load_mode and the MMIO front ask get_regs for. */
#define XAI_MODE_REGS 8
extern const uint16_t xai_mode_regs[XAI_MODE_REGS];
/* Puts the values of xai_mode_regs (@p got, in that order) into the vCPU's cache, each to
 * its slot (a fixed list: no per-register dispatch), and marks them valid. */
void xai_regs_store_mode(struct xa_vcpu *v, const union xa_regval *got);

/* The last register name the register window (struct xa_vcpu regfile) holds. */
#define XAI_REGFILE_LAST XA_R_EFER

/* Makes sure the named registers are cached: one get_regs for the missing ones. */
xa_status xai_regs_fetch(struct xai_emu *e, const uint16_t *names, unsigned count);
/* One get_regs for @p count (at most 16) distinct registers none of which is cached
 * (the start of an instruction, right after xa_vcpu_reset). */
xa_status xai_regs_load(struct xai_emu *e, const uint16_t *names, unsigned count);
/* Forgets every register a handler staged (after a failure or before a LOCK re-run). */
void xai_regs_discard(struct xa_vcpu *v);
/* Fetches one register that is not cached. */
xa_status xai_reg_fetch1(struct xai_emu *e, unsigned name);

static inline bool xai_reg_cached(const struct xai_emu *e, unsigned name)
{
    return (e->v->regs.valid[name >> 6] >> (name & 63)) & 1u;
}

/* The cached segment register (enum xa_seg or XA_R_TR/LDTR - XA_R_ES), fetched on demand. */
static inline xa_status xai_seg_get(struct xai_emu *e, unsigned seg, const struct xa_segment **out)
{
    unsigned name = XA_R_ES + seg;
    if (name > XA_R_LDTR)
        return XA_ERR_BAD_ARGUMENT;
    if (!xai_reg_cached(e, name))
        XAI_TRY(xai_reg_fetch1(e, name));
    *out = &e->v->regs.val[name].seg;
    return XA_OK;
}

/* enum xa_reg -> its general register (regs.c): bit 7 set, bits 3:0 its number, bit 4 for
 * AH, CH, DH, BH (bits 15:8), bits 6:5 log2 of its size; 0 for anything else. */
#define XAI_GPR_TABLE_SIZE 256 /* every uint8_t register field: no bounds check */
_Static_assert(XA_REG_R15 < XAI_GPR_TABLE_SIZE, "enum xa_reg fits the table");
extern const uint8_t xai_gpr_table[XAI_GPR_TABLE_SIZE];

static inline unsigned xai_gpr_code(uint8_t r)
{
    return xai_gpr_table[r];
}

/* Maps an enum xa_reg GPR to its register name, byte shift and size; false if not a GPR
 * (the branches find the common 64- and 32-bit registers sooner than xai_gpr_code: built on
 * it, the general path's `add dword [rax], ebx` exit costs 15 instructions more). */
static inline bool xai_gpr_info(unsigned r, unsigned *name, unsigned *shift, unsigned *size)
{
    *shift = 0;
    if (r - XA_REG_RAX <= 15u) {
        *name = r - XA_REG_RAX;
        *size = 8;
    } else if (r - XA_REG_EAX <= 15u) {
        *name = r - XA_REG_EAX;
        *size = 4;
    } else if (r - XA_REG_AX <= 15u) {
        *name = r - XA_REG_AX;
        *size = 2;
    } else if (r - XA_REG_AL <= 3u) {
        *name = r - XA_REG_AL;
        *size = 1;
    } else if (r - XA_REG_AH <= 3u) {
        *name = r - XA_REG_AH;
        *shift = 8;
        *size = 1;
    } else if (r - XA_REG_SPL <= 11u) {
        *name = 4 + (r - XA_REG_SPL);
        *size = 1;
    } else {
        return false;
    }
    return true;
}

/* xai_gpr_read for the core's own use (inlined on the hot paths). */
static inline xa_status xai_gpr_get(struct xai_emu *e, unsigned xa_reg, uint64_t *value)
{
    unsigned name, shift, size;
    if (!xai_gpr_info(xa_reg, &name, &shift, &size))
        return XA_ERR_UNSUPPORTED;
    if (!xai_reg_cached(e, name))
        XAI_TRY(xai_reg_fetch1(e, name));
    uint64_t v = e->v->regs.val[name].u64 >> shift;
    *value = size == 8 ? v : v & ((UINT64_C(1) << (8 * size)) - 1);
    return XA_OK;
}

/* Copies the meaningful part of a register value (8 bytes, a segment, or 64 bytes). */
static inline void xai_reg_copy(union xa_regval *dst, const union xa_regval *src, unsigned name)
{
    if (name >= XA_R_ES && name <= XA_R_LDTR)
        dst->seg = src->seg;
    else if (name >= XA_R_ZMM0 && name <= XA_R_ZMM31)
        *dst = *src;
    else
        dst->u64 = src->u64;
}

/* Index of the lowest set bit of a non-zero word (portable: a de Bruijn multiply). */
static inline unsigned xai_ctz64(uint64_t v)
{
    static const uint8_t table[64] = {
        0,  1,  2,  53, 3,  7,  54, 27, 4,  38, 41, 8,  34, 55, 48, 28, 62, 5,  39, 46, 44, 42,
        22, 9,  24, 35, 59, 56, 49, 18, 29, 11, 63, 52, 6,  26, 37, 40, 33, 47, 61, 45, 43, 21,
        23, 58, 17, 10, 51, 25, 36, 32, 60, 20, 57, 16, 50, 31, 19, 15, 30, 14, 13, 12};
    return table[((v & (~v + 1)) * UINT64_C(0x022fdd63cc95386d)) >> 58];
}

static inline bool xai_bit_test(const uint64_t *bits, unsigned n)
{
    return (bits[n >> 6] >> (n & 63)) & 1u;
}
static inline void xai_bit_set(uint64_t *bits, unsigned n)
{
    bits[n >> 6] |= UINT64_C(1) << (n & 63);
}
static inline void xai_bit_clear(uint64_t *bits, unsigned n)
{
    bits[n >> 6] &= ~(UINT64_C(1) << (n & 63));
}

/* ---- access.c: memory ------------------------------------------------ */

/* xa_is_canonical (mmu.h), inline: bits 63:47 (63:56 with LA57) all equal, with one add and
 * one shift by a constant. */
static inline bool xai_canonical(uint64_t la, bool la57)
{
    if (la57)
        return ((la + (UINT64_C(1) << 56)) >> 57) == 0;
    return ((la + (UINT64_C(1) << 47)) >> 48) == 0;
}

/* Checks the vCPU's walk cache (v->walk) against CR0/CR3/CR4/EFER/PKRU/PKRS, the model
 * and the RAM window once per instruction, and makes it anew when something changed. */
xa_status xai_paging_setup(struct xai_emu *e);

/* The CPU model as one word (a key of the walk cache). */
static inline uint64_t xai_model_key(const struct xa_vcpu *v)
{
    /* The struct's bytes (only ever compared with another key), its padding (bytes 2
     * and 3) masked off: one load instead of three. */
    _Static_assert(sizeof(struct xa_cpu_model) == 8 && offsetof(struct xa_cpu_model, features) == 4,
                   "every field of the model in the key");
    uint64_t key;
    memcpy(&key, &v->model, sizeof(key));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return key & UINT64_C(0xffff0000ffffffff);
#else
    return key & UINT64_C(0xffffffff0000ffff);
#endif
}
/* For xai_walk_cache_ready: makes the cache anew when it is not @p current, else prepares
 * it (seen twice in a row, state 1). Out of line: the rare case. */
void xai_walk_cache_update(struct xa_vcpu *v, bool current, uint64_t cr0, uint64_t cr3,
                           uint64_t cr4, uint64_t efer, uint32_t pkru, uint32_t pkrs);
/* Makes the vCPU's walk cache current for these registers (@p pkru, @p pkrs: 0 when the
 * keys are not in force), once per instruction: it stands when it was made from them and
 * from the vCPU's current model, RAM window and callbacks (one test of all: the common
 * case, the guest's paging the same from one exit to the next), is made anew when any
 * differs, and is prepared when seen twice in a row. */
static XAI_FORCE_INLINE void xai_walk_cache_ready(struct xa_vcpu *v, uint64_t cr0, uint64_t cr3,
                                                  uint64_t cr4, uint64_t efer, uint32_t pkru,
                                                  uint32_t pkrs)
{
    const struct xa_walk_cache *c = &v->walk;
    uint64_t diff = (c->ps.cr0 ^ cr0) | (c->ps.cr3 ^ cr3) | (c->ps.cr4 ^ cr4) |
                    (c->ps.efer ^ efer) | (c->keys ^ (pkru | (uint64_t)pkrs << 32)) |
                    (c->model ^ xai_model_key(v)) | (uint64_t)(c->owner != v) |
                    ((uintptr_t)c->ram ^ (uintptr_t)v->ram) | (c->ram_size ^ v->ram_size) |
                    (uint64_t)(c->cmpxchg != v->ops->mem_cmpxchg);
    const bool current = diff == 0;
    if (!current || c->state == 1)
        xai_walk_cache_update(v, current, cr0, cr3, cr4, efer, pkru, pkrs);
}
/* Prepares a state-1 walk cache for xa_walk_prepared (state 2, 4 without a RAM window, or 3
 * when refused); a long REP string calls it before its first walk (many walks follow). */
void xai_walk_cache_prepare(struct xa_vcpu *v);
/* xai_walk_cached's walks without a memo (out of line: the rare case): prepared without a
 * RAM window (state 4), else the plain walk. */
xa_status xai_walk_unmemoized(struct xa_vcpu *v, uint64_t la, enum xa_access access, unsigned flags,
                              struct xa_walk_result *w, struct xa_exception *exc);
/* One walk with the vCPU's walk cache (after xai_walk_cache_ready or xai_paging_ready):
 * prepared when it can be, through a memo (a repeat walk of the same page whose entries
 * still hold the same values): one for fetches, one for data, so that an exit's fetch and
 * data walks each repeat; without a RAM window (state 4) no memo could record. The same
 * results, faults and A/D writes as xa_walk in every case. */
static inline xa_status xai_walk_cached(struct xa_vcpu *v, uint64_t la, enum xa_access access,
                                        unsigned flags, struct xa_walk_result *w,
                                        struct xa_exception *exc)
{
    struct xa_walk_cache *c = &v->walk;
    return c->state == 2 ? xa_walk_memo(&c->prep, &c->memo[access == XA_ACCESS_FETCH], la, access,
                                        flags, w, exc)
                         : xai_walk_unmemoized(v, la, access, flags, w, exc);
}
static inline xa_status xai_paging_ready(struct xai_emu *e)
{
    return e->ps_ready ? XA_OK : xai_paging_setup(e);
}
/* Logical -> linear -> guest-physical for one access, with every check (segment,
 * canonical, paging, #AC unless fetch). */
xa_status xai_translate(struct xai_emu *e, unsigned seg, uint64_t offset, unsigned addr_size,
                        uint32_t size, enum xa_access access, struct xai_xlat *x);
/* Reads the pieces of a translated fetch, from the vCPU's RAM window or through mem_read. */
xa_status xai_fetch_read(struct xai_emu *e, const struct xai_xlat *x, uint8_t *buf);
/* Translates the explicit memory operand (if the instruction has one that it accesses). */
xa_status xai_memop_prepare(struct xai_emu *e);
/* Reads the pieces of a translated access through mem_read. */
xa_status xai_read_pieces(struct xai_emu *e, const struct xai_xlat *x, uint8_t *buf);
/* The index of the explicit memory operand, or -1. */
int xai_memop_index(const struct xa_insn *insn);

/* The explicit memory operand's effective address (before segmentation). */
xa_status xai_memop_ea(struct xai_emu *e, uint64_t *ea);

/* ---- vector.c: SIMD state, alignment, masked operands -------------------- */

/* Called by xai_memop_prepare before the operand is translated: the #UD/#NM checks of a
 * vector move or direct store, the alignment #GP of the aligned forms, and, for an
 * EVEX-masked operand, *deferred = true (only the selected elements are translated,
 * when the handler accesses them). Instructions that are not vector moves: XA_OK. */
xa_status xai_vec_prepare(struct xai_emu *e, bool *deferred);

/* ---- commit.c ---------------------------------------------------------- */

/* Writes the staged memory, then the registers (one set_regs). XA_RETRY with
 * *lock_changed set when a LOCKed compare-and-exchange found memory changed
 * (nothing written: the handler is re-run). */
xa_status xai_commit(struct xai_emu *e, bool *lock_changed);

#endif
