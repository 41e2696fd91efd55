/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Internal interface between the emulator's core (vCPU, register cache, fetch,
 * operand access, commit: emulator/core/) and the instruction handlers
 * (emulator/insn_*.c). Not API.
 *
 * The model, which every handler relies on:
 * - A handler computes from operand values it reads through xai_op_read() and
 *   friends, and stages its results through xai_op_write() and friends. Nothing
 *   it stages is visible to the guest until the core commits, after the handler
 *   returned XA_OK; any other status discards every staged change.
 * - The core translates the instruction's memory operand (segmentation, canonical
 *   check, page walk with the final access kind: a read-modify-write operand is
 *   checked for write before it is read, alignment #AC) before the first read of
 *   it, so every fault that the memory operand can raise comes before any read.
 *   Reads happen when the handler asks (an MMIO read is a device access, in the
 *   same order as the CPU makes it); writes are staged and done at commit.
 * - LOCK (and XCHG with memory): when the handler writes back a memory operand it
 *   read, the core commits with mem_cmpxchg(expected = the value read); when memory
 *   changed meanwhile it re-runs the whole handler (bounded, XAI_LOCK_RETRIES), so
 *   handlers must be pure functions of what they read.
 * - Flags: e->rflags is the working RFLAGS; handlers update it (helpers in
 *   emulator/flags.h); the core writes it back at commit when it changed.
 */
#ifndef XA_EMULATOR_EMU_H
#define XA_EMULATOR_EMU_H

#include <stdbool.h>
#include <stdint.h>

#include <x86assist/emulator.h>

/* Returns the status of x from the calling function unless it is XA_OK. */
#define XAI_TRY(x)                                                                                 \
    do {                                                                                           \
        xa_status xai_try_status_ = (x);                                                           \
        if (xai_try_status_ != XA_OK)                                                              \
            return xai_try_status_;                                                                \
    } while (0)

/* RFLAGS bits. */
enum {
    XAI_CF = 1u << 0,
    XAI_PF = 1u << 2,
    XAI_AF = 1u << 4,
    XAI_ZF = 1u << 6,
    XAI_SF = 1u << 7,
    XAI_TF = 1u << 8,
    XAI_IF = 1u << 9,
    XAI_DF = 1u << 10,
    XAI_OF = 1u << 11,
    XAI_IOPL = 3u << 12,
    XAI_AC = 1u << 18,
    XAI_VM = 1u << 17,
    XAI_STATUS_FLAGS = XAI_CF | XAI_PF | XAI_AF | XAI_ZF | XAI_SF | XAI_OF,
};

/* How many times a LOCKed read-modify-write is re-run when memory changed under it. */
#define XAI_LOCK_RETRIES 16

struct xai_emu; /* one instruction's emulation state: defined by the core (emulator/core/) */

/* The instruction being emulated, and facts the handlers need. */
const struct xa_insn *xai_insn(const struct xai_emu *e);
unsigned xai_cpl(const struct xai_emu *e);
enum xa_cpu_mode xai_mode(const struct xai_emu *e);
const struct xa_cpu_model *xai_model(const struct xai_emu *e);

/* The working RFLAGS (read and updated by handlers; committed by the core). */
uint64_t *xai_rflags(struct xai_emu *e);

/* Registers by enum xa_regname (fetched on first use, batched with what the core
 * already knows the instruction needs). xai_reg_set stages a full 64-bit write. */
xa_status xai_reg_get(struct xai_emu *e, unsigned name, uint64_t *value);
void xai_reg_set(struct xai_emu *e, unsigned name, uint64_t value);
xa_status xai_vreg_get(struct xai_emu *e, unsigned name, union xa_regval *value);
void xai_vreg_set(struct xai_emu *e, unsigned name, const union xa_regval *value);

/* A general-purpose register by enum xa_reg (al, ah, r9w, ecx, rax...): the read is
 * zero-extended; the write follows the architecture (8/16-bit writes merge, 32-bit
 * writes zero the upper half, 64-bit writes replace). */
xa_status xai_gpr_read(struct xai_emu *e, unsigned xa_reg, uint64_t *value);
xa_status xai_gpr_write(struct xai_emu *e, unsigned xa_reg, uint64_t value);

/* Operand i of the instruction (insn->ops[i]): register, memory or immediate, of
 * insn->ops[i].size bytes (at most 8 here), zero-extended. Immediates come as the
 * decoder gives them (already sign-extended to the operand size where the
 * instruction does so). */
xa_status xai_op_read(struct xai_emu *e, unsigned i, uint64_t *value);
xa_status xai_op_write(struct xai_emu *e, unsigned i, uint64_t value);
/* The same for operands of any size (16-byte CMPXCHG16B, vector operands). */
xa_status xai_op_read_bytes(struct xai_emu *e, unsigned i, void *buf, unsigned size);
xa_status xai_op_write_bytes(struct xai_emu *e, unsigned i, const void *buf, unsigned size);

/* The memory operand at a different offset from its effective address (BT/BTS/BTR/BTC
 * with a register bit offset address outside the operand). Call before any access to
 * operand i; the offset is in bytes and may be negative. */
xa_status xai_op_adjust(struct xai_emu *e, unsigned i, int64_t byte_offset);

/* Implicit memory accesses (the stack, string operands): segment by enum xa_seg, an
 * offset that the core wraps to the address size, with segmentation and paging checks.
 * Writes are staged like operand writes. */
xa_status xai_mem_read(struct xai_emu *e, unsigned seg, uint64_t offset, void *buf, unsigned size);
xa_status xai_mem_write(struct xai_emu *e, unsigned seg, uint64_t offset, const void *buf,
                        unsigned size);

/* The stack (SS) with the stack's address size: 8 bytes in 64-bit mode, else 4 when SS.B
 * is set and 2 otherwise. @p offset is the stack pointer value (wrapped to that size);
 * checks and staging as xai_mem_read / xai_mem_write. (Added with the core.) */
unsigned xai_stack_addr_size(struct xai_emu *e);
xa_status xai_stack_read(struct xai_emu *e, uint64_t offset, void *buf, unsigned size);
xa_status xai_stack_write(struct xai_emu *e, uint64_t offset, const void *buf, unsigned size);

/* String instructions (emulator/core/string.c): the whole instruction, REP included, with
 * elements of @p elem bytes (1, 2, 4, 8). Accesses go to the callbacks as the engine makes
 * them (batched per page run), not staged; RCX/RSI/RDI/RAX and the flags are staged. A REP
 * instruction stopped by the budget (XA_CONTINUE), a fault or a failed callback after some
 * iterations completed has those iterations committed by the core (RIP unchanged). */
enum xai_str_op {
    XAI_STR_MOVS,
    XAI_STR_STOS,
    XAI_STR_LODS,
    XAI_STR_CMPS,
    XAI_STR_SCAS,
    XAI_STR_INS,
    XAI_STR_OUTS,
};
xa_status xai_string(struct xai_emu *e, unsigned op, unsigned elem);

/* Port I/O (emulator/core/io.c). xai_io_check: the I/O permission check (CPL > IOPL or
 * virtual-8086 mode: the TSS I/O bitmap), #GP(0) when denied; XA_ERR_UNSUPPORTED when the
 * callback the direction needs is NULL. xai_io_in / xai_io_out: @p count elements of
 * @p size bytes through io_read / io_write, in the order the port sees them. */
xa_status xai_io_check(struct xai_emu *e, unsigned port, unsigned size, bool in);
xa_status xai_io_in(struct xai_emu *e, unsigned port, unsigned size, unsigned count, void *buf);
xa_status xai_io_out(struct xai_emu *e, unsigned port, unsigned size, unsigned count,
                     const void *buf);

/* Ends the instruction with an exception (returns XA_EXCEPTION for the handler to return). */
xa_status xai_raise(struct xai_emu *e, unsigned vector, bool has_error_code, uint32_t error_code);

/* ---- Vector moves and direct stores (emulator/core/vector.c) ---------------------------
 * The SIMD state checks, in the CPU's order: #UD (CR0.EM and CR4.OSFXSR for legacy SSE,
 * CR0.EM for MMX, CR4.OSXSAVE and XCR0 for VEX/EVEX, the CPU model's features) before #NM
 * (CR0.TS), both before any memory fault. MMX, SSE, SSE2 and CLFLUSH are baseline (every
 * guest CPU model has them); SSE3, SSE4.1, AVX, AVX2, AVX-512 F/BW/VL, MOVDIRI, MOVDIR64B,
 * CLFLUSHOPT and CLWB follow xa_cpu_model.features. */
xa_status xai_simd_check(struct xai_emu *e);
/* The EVEX opmask: *masked is false (and *bits all ones) without masking (k0 or not EVEX). */
xa_status xai_vec_opmask(struct xai_emu *e, uint64_t *bits, bool *masked);
/* The memory operand i, @p size bytes (at most 64), only the bytes whose bit is set in
 * @p enable: only the pages holding an enabled byte are translated and checked; a read
 * reads each run of enabled bytes (the others read as zero); a write stages only them
 * (each run is its own mem_write at commit). enable == 0: no access at all. */
xa_status xai_vec_mem_read(struct xai_emu *e, unsigned i, void *buf, unsigned size,
                           uint64_t enable);
xa_status xai_vec_mem_write(struct xai_emu *e, unsigned i, const void *buf, unsigned size,
                            uint64_t enable);
/* Translates and checks @p size bytes at the memory operand i's address for @p access
 * (enum xa_access), as the access would, without accessing memory (CLFLUSH). */
xa_status xai_op_check(struct xai_emu *e, unsigned i, unsigned size, unsigned access);
/* Translates and checks seg:offset for @p access without accessing memory (the destination
 * of MOVDIR64B, checked before its source is read). */
xa_status xai_mem_check(struct xai_emu *e, unsigned seg, uint64_t offset, unsigned size,
                        unsigned access);

/* Handlers: one function per mnemonic family, listed in tables that the core searches. */
typedef xa_status (*xai_exec_fn)(struct xai_emu *e);
struct xai_handler {
    uint16_t mnemonic; /* enum xa_mnemonic; 0 ends a table */
    xai_exec_fn exec;
};

/* The handler tables (emulator/handlers.h lists them for the core's dispatch), made from
 * the lists of emulator/handler_list.h: each sorted by mnemonic (enum xa_mnemonic order),
 * ended by {0, NULL}; xai_<name>_handlers_count is the number of entries before the end. */
extern const struct xai_handler xai_mov_handlers[];    /* emulator/insn_mov.c: MOV family */
extern const struct xai_handler xai_stack_handlers[];  /* emulator/insn_stack.c: PUSH/POP r/m */
extern const struct xai_handler xai_alu_handlers[];    /* emulator/insn_alu.c */
extern const struct xai_handler xai_shift_handlers[];  /* emulator/insn_shift.c */
extern const struct xai_handler xai_muldiv_handlers[]; /* emulator/insn_muldiv.c */
extern const struct xai_handler xai_bit_handlers[];    /* emulator/insn_bit.c */
extern const struct xai_handler xai_xchg_handlers[];   /* emulator/insn_xchg.c */
extern const struct xai_handler xai_cc_handlers[];     /* emulator/insn_cc.c: SETcc/CMOVcc */
extern const struct xai_handler xai_bmi_handlers[];    /* emulator/insn_bmi.c */
extern const struct xai_handler xai_string_handlers[]; /* emulator/insn_string.c: MOVS...OUTS */
extern const struct xai_handler xai_io_handlers[];     /* emulator/insn_io.c: IN/OUT */
extern const struct xai_handler xai_vec_handlers[];    /* emulator/insn_vec.c: vector moves */
extern const struct xai_handler xai_store_handlers[]; /* emulator/insn_store.c: MOVDIR*, CLFLUSH* */
extern const unsigned xai_mov_handlers_count;
extern const unsigned xai_stack_handlers_count;
extern const unsigned xai_alu_handlers_count;
extern const unsigned xai_shift_handlers_count;
extern const unsigned xai_muldiv_handlers_count;
extern const unsigned xai_bit_handlers_count;
extern const unsigned xai_xchg_handlers_count;
extern const unsigned xai_cc_handlers_count;
extern const unsigned xai_bmi_handlers_count;
extern const unsigned xai_string_handlers_count;
extern const unsigned xai_io_handlers_count;
extern const unsigned xai_vec_handlers_count;
extern const unsigned xai_store_handlers_count;

#endif
