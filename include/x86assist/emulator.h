/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file emulator.h
 * @brief The instruction emulator and the one-call exit assists.
 *
 * The emulator runs one instruction against a vCPU it sees only through the
 * callbacks of struct xa_cpu_ops. It asks for the registers it needs (in
 * batches), translates every memory operand through segmentation and the
 * guest's page tables (mmu.h), raises every fault before any guest-visible
 * change, and writes registers back once, on success.
 *
 * Thread safety: a struct xa_vcpu belongs to one thread at a time; different
 * vCPUs may be used concurrently. The library has no global state.
 */
#ifndef X86ASSIST_EMULATOR_H
#define X86ASSIST_EMULATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "x86assist.h"
#include "decoder.h"
#include "mmu.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Registers                                                                */
/* ------------------------------------------------------------------------ */

/** Register names of get_regs / set_regs (enum xa_regname values). */
enum xa_regname {
    XA_R_RAX = 0, /**< GPRs in encoding order: RAX RCX RDX RBX RSP RBP RSI RDI R8..R15. */
    XA_R_R15 = 15,
    XA_R_RIP = 16,    /**< RIP (u64). */
    XA_R_RFLAGS = 17, /**< RFLAGS (u64). */
    XA_R_ES = 18,     /**< Segment registers with their descriptor caches (seg). */
    XA_R_CS = 19,
    XA_R_SS = 20,
    XA_R_DS = 21,
    XA_R_FS = 22,
    XA_R_GS = 23,
    XA_R_TR = 24,   /**< Task register (seg): base of the TSS for the I/O bitmap. */
    XA_R_LDTR = 25, /**< LDT register (seg). */
    XA_R_CR0 = 26,  /**< Control registers (u64). */
    XA_R_CR2 = 27,
    XA_R_CR3 = 28,
    XA_R_CR4 = 29,
    XA_R_CR8 = 30,
    XA_R_EFER = 31, /**< IA32_EFER (u64). */
    XA_R_XCR0 = 32, /**< XCR0 (u64). */
    XA_R_PKRU = 33, /**< PKRU (u64, bits 31:0). */
    XA_R_PKRS = 34, /**< IA32_PKRS (u64, bits 31:0). */
    XA_R_ZMM0 = 35, /**< Vector registers ZMM0..ZMM31 (vec: 64 bytes, XMM in bytes 0-15). */
    XA_R_ZMM31 = XA_R_ZMM0 + 31,
    XA_R_K0 = XA_R_ZMM31 + 1, /**< Opmask registers K0..K7 (u64). */
    XA_R_K7 = XA_R_K0 + 7,
    XA_R_MM0 = XA_R_K7 + 1, /**< MMX registers MM0..MM7 (u64). */
    XA_R_MM7 = XA_R_MM0 + 7,
    XA_R_COUNT
};

/** A register's value: which member is used depends on the register. */
union xa_regval {
    uint64_t u64;          /**< GPRs, RIP, RFLAGS, control registers, MSRs, masks. */
    struct xa_segment seg; /**< Segment registers, TR, LDTR. */
    uint8_t vec[64];       /**< Vector registers, little-endian element order. */
};

/* ------------------------------------------------------------------------ */
/* Callbacks                                                                */
/* ------------------------------------------------------------------------ */

/** Kinds of guest-physical memory access (low bits of the @p flags of mem_*). */
enum xa_mem_flags {
    XA_MEM_DATA = 0,      /**< A data access of the instruction. */
    XA_MEM_FETCH = 1,     /**< An instruction fetch. */
    XA_MEM_PAGE_WALK = 2, /**< A page-table read or an A/D update. */
    XA_MEM_KIND_MASK = 3,
    /** Element size of a batched string access: log2(size) in bits 3:2 (1, 2, 4, 8 bytes). */
    XA_MEM_ELEM_SHIFT = 2,
    XA_MEM_ELEM_MASK = 3u << 2,
    /** A batched string access that runs downwards (EFLAGS.DF = 1): the buffer holds the
     *  elements in address order, but the instruction touched them from the top down. */
    XA_MEM_DOWN = 1u << 4,
    /** The access is part of a LOCKed instruction. */
    XA_MEM_LOCKED = 1u << 5,
    /** A batched run of string elements (REP MOVS/STOS/INS/OUTS...): the buffer holds
     *  size / element-size elements (element size in XA_MEM_ELEM_MASK). Without this bit
     *  the access is one element of @p size bytes, whatever the ELEM bits say. */
    XA_MEM_BATCHED = 1u << 6,
};

/**
 * What the hypervisor provides. Every callback returns 0 on success and a
 * negative value on failure; a failure ends the instruction with
 * XA_ERR_CALLBACK and no guest-visible change beyond what had completed.
 * Guest-physical accesses never cross a page (4 KiB) boundary.
 */
struct xa_cpu_ops {
    /** Reads @p count registers named in @p names into @p values. Required. */
    int (*get_regs)(void *ctx, const uint16_t *names, unsigned count, union xa_regval *values);
    /** Writes @p count registers. Called at most once per instruction, on success. Required. */
    int (*set_regs)(void *ctx, const uint16_t *names, unsigned count,
                    const union xa_regval *values);
    /** Reads guest-physical memory (RAM or MMIO). Required. */
    int (*mem_read)(void *ctx, uint64_t gpa, void *buf, size_t size, unsigned flags);
    /** Writes guest-physical memory (RAM or MMIO). Required. */
    int (*mem_write)(void *ctx, uint64_t gpa, const void *buf, size_t size, unsigned flags);
    /**
     * Compare-and-exchange of @p size bytes (1, 2, 4, 8 or 16) at @p gpa: when memory
     * equals @p expected, store @p desired and return 0; otherwise copy the current
     * value into @p expected and return 1. Optional: when NULL, LOCKed instructions and
     * A/D-bit updates use mem_read then mem_write (not atomic against other vCPUs).
     */
    int (*mem_cmpxchg)(void *ctx, uint64_t gpa, void *expected, const void *desired, size_t size,
                       unsigned flags);
    /** Reads @p count elements of @p size bytes (1, 2, 4) from @p port. NULL: port I/O is #UD-free
     *  but unsupported (XA_ERR_UNSUPPORTED). */
    int (*io_read)(void *ctx, uint16_t port, void *buf, unsigned size, unsigned count);
    /** Writes @p count elements of @p size bytes to @p port. NULL: as io_read. */
    int (*io_write)(void *ctx, uint16_t port, const void *buf, unsigned size, unsigned count);
};

/* ------------------------------------------------------------------------ */
/* The vCPU context                                                          */
/* ------------------------------------------------------------------------ */

/** Registers cached for one instruction (internal to the library: do not touch). */
struct xa_regcache {
    uint64_t valid[(XA_R_COUNT + 63) / 64]; /**< Registers fetched. */
    uint64_t dirty[(XA_R_COUNT + 63) / 64]; /**< Registers to write back. */
    union xa_regval val[XA_R_COUNT];        /**< Their values. */
};

/**
 * Per-vCPU state the hypervisor keeps (allocate it anywhere; no heap is used).
 * Initialise with xa_vcpu_init(); the fields below are read-only for the
 * caller except where stated.
 */
struct xa_vcpu {
    const struct xa_cpu_ops *ops; /**< The callbacks. */
    void *ctx;                    /**< Passed to every callback. */
    struct xa_cpu_model model;    /**< The guest CPU model. */
    /** Most iterations of a REP instruction per call (0 = no limit); caller-writable. */
    uint32_t rep_budget;
    /**
     * Optional guest-RAM window, caller-writable (xa_vcpu_init sets NULL and 0): when
     * @p ram is non-NULL and @p ram_size non-zero, guest-physical [0, ram_size) is
     * ordinary guest RAM mapped at host address @p ram. Page-table entries and
     * instruction bytes inside it are then read from there directly, without
     * mem_read (the XA_MEM_PAGE_WALK and XA_MEM_FETCH reads of the window are not
     * made); anything outside it still goes through mem_read. The instruction's data
     * accesses and the A/D-bit updates always go through the callbacks. The window
     * must hold no MMIO and stay mapped during the call; the library only reads it.
     */
    const uint8_t *ram;
    uint64_t ram_size;       /**< Bytes of the window at @p ram (0 = no window). */
    struct xa_regcache regs; /**< Internal. */
};

/**
 * Initialises @p vcpu. @p model may be NULL (Intel, MAXPHYADDR 52, every
 * feature). Returns XA_ERR_BAD_ARGUMENT when vcpu or ops is NULL or a required
 * callback is missing.
 */
xa_status xa_vcpu_init(struct xa_vcpu *vcpu, const struct xa_cpu_ops *ops, void *ctx,
                       const struct xa_cpu_model *model);

/**
 * Forgets every cached register (call it when the hypervisor changed the vCPU's state).
 * xa_emulate, xa_step and xa_assist_mmio also start with it: the cache lives for one
 * instruction (the guest runs between two exits), so a stale register is never used.
 */
void xa_vcpu_reset(struct xa_vcpu *vcpu);

/* ------------------------------------------------------------------------ */
/* Emulation                                                                */
/* ------------------------------------------------------------------------ */

/** What happened to an instruction. */
struct xa_outcome {
    xa_status status;              /**< XA_OK, XA_EXCEPTION, XA_ERR_*, XA_RETRY, XA_CONTINUE. */
    struct xa_exception exception; /**< The exception to inject (status XA_EXCEPTION). */
    uint16_t mnemonic;             /**< The instruction's mnemonic (for XA_ERR_UNSUPPORTED too). */
    struct xa_insn insn;           /**< The decoded instruction (when decoding succeeded). */
};

/**
 * Emulates @p insn, decoded at the vCPU's CS:RIP, in the vCPU's current mode.
 * On XA_OK the registers (RIP and RFLAGS included) were written once through
 * set_regs; on any other status nothing guest-visible changed. Returns the
 * same status as out->status; XA_ERR_BAD_ARGUMENT when @p insn was decoded in
 * another mode than the vCPU's.
 *
 * Common to the three entry points:
 * - Registers: one get_regs for CR0, CR3, CR4, EFER, RFLAGS, RIP, CS and SS;
 *   one for the registers the operands name; then one per register a handler
 *   needs on top (PKRU/PKRS only when CR4.PKE/PKS). set_regs once, at the end,
 *   with the registers written, RIP, and RFLAGS when it changed (RF cleared).
 * - Commit order: staged memory writes in instruction order (a LOCKed one
 *   first), then set_regs. A failed callback during the commit gives
 *   XA_ERR_CALLBACK: writes already done stay done (memory cannot be taken
 *   back), registers and RIP are not written. This shows only when an
 *   instruction makes two writes (a PUSH of memory; an operand split over two
 *   pages) and the second fails, or when set_regs fails after the writes.
 * - LOCK (and XCHG with memory): the operand is read with XA_MEM_LOCKED and
 *   written with mem_cmpxchg (expected = the value read); when memory changed
 *   the instruction is run again on the new value, at most 16 times, then
 *   XA_RETRY. Without mem_cmpxchg, and for a LOCKed operand split across two
 *   pages (no single exchange covers it), mem_read then mem_write: not atomic
 *   against other vCPUs.
 * - Faults: #UD for invalid bytes and LOCK where not allowed, #GP(0) for more
 *   than 15 bytes or a CS limit passed by the instruction, and every fault of
 *   the memory operands (segment, canonical, #PF, #AC) before any write.
 */
xa_status xa_emulate(struct xa_vcpu *vcpu, const struct xa_insn *insn, struct xa_outcome *out);

/** An MMIO exit as the CPU reports it. */
struct xa_mmio_exit {
    uint64_t gpa;      /**< The guest-physical address that faulted. */
    uint64_t gva;      /**< The guest-linear address, when gva_valid. */
    bool gva_valid;    /**< Whether gva is known. */
    uint8_t nbytes;    /**< Instruction bytes supplied (0..15); fetched when fewer. */
    uint8_t bytes[15]; /**< The bytes at CS:RIP, when the CPU gave them. */
};

/**
 * The exit check: the exit's GPA must fall inside the decoded memory operand
 * (either page of an operand split across two), and its GVA, when valid,
 * inside the operand's linear range. For PUSH and POP (the stack may be the
 * MMIO) and for an operand whose address the instruction moves (POP, BT* with
 * a register offset), the check covers every access and is made before the
 * commit: the device may then have seen a read of the explicit operand before
 * XA_RETRY.
 *
 * Handles an MMIO exit: fetches the instruction at CS:RIP (through segmentation
 * and the page walk, split at a page boundary; the exit's bytes are used first),
 * decodes it in the mode given by CR0.PE, EFLAGS.VM, CS.L and CS.D, checks that
 * a memory operand addresses the exit's GPA (and GVA) — XA_RETRY when not, as
 * when another vCPU rewrote the instruction or the page tables — emulates and
 * commits. Returns out->status.
 */
xa_status xa_assist_mmio(struct xa_vcpu *vcpu, const struct xa_mmio_exit *exit,
                         struct xa_outcome *out);

/**
 * Fetches, decodes and emulates the instruction at CS:RIP (no exit information:
 * the path of the command-line tool without `exit`). Returns out->status.
 */
xa_status xa_step(struct xa_vcpu *vcpu, struct xa_outcome *out);

#ifdef __cplusplus
}
#endif

#endif /* X86ASSIST_EMULATOR_H */
