/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file emulator.h
 * @brief The instruction emulator and the one-call exit assists.
 *
 * The emulator runs one instruction against a vCPU it sees only through the
 * callbacks of struct xa_cpu_ops. It asks for the registers it needs (in
 * batches), translates every memory operand through segmentation and the
 * guest's page tables (mmu.h), raises every fault before any guest-visible
 * change, and writes registers back once, on success. The one exception: a REP
 * string instruction stopped after some iterations (budget, fault, failed
 * callback) keeps exactly those iterations (see xa_emulate).
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
    /**
     * Reads @p count elements of @p size bytes (1, 2, 4) from @p port into @p buf, in the
     * order the port gives them (for REP INS with EFLAGS.DF = 1 the library reverses them
     * into address order). count is 1 for IN and INS, up to a page's worth of elements
     * for REP INS (one call per page run). Optional: when NULL, IN and INS end with
     * XA_ERR_UNSUPPORTED before any access.
     */
    int (*io_read)(void *ctx, uint16_t port, void *buf, unsigned size, unsigned count);
    /** Writes @p count elements of @p size bytes to @p port, in the order the port sees them.
     *  Optional: when NULL, OUT and OUTS end with XA_ERR_UNSUPPORTED before any access. */
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
 * The page walks' paging state, kept from one call to the next (internal to the
 * library: do not touch). Every call compares what it was made from (CR0, CR3, CR4,
 * EFER, PKRU and PKRS as get_regs gives them, the CPU model, the RAM window, the
 * mem_cmpxchg callback, the vCPU's address) with the current values: any change makes
 * a new one, so it never needs resetting. Prepared for xa_walk_prepared (mmu.h) the
 * second time in a row the same state is seen, or at once for a long REP string.
 */
struct xa_walk_cache {
    /** 0 empty, 1 ps/ops set, 2 prep valid, 3 prep refused, 4 prep valid, no RAM window. */
    uint8_t state;
    uint8_t not64;      /**< The last instruction ran outside 64-bit mode (a hint). */
    const void *owner;  /**< The struct xa_vcpu it was made for (the walk context). */
    uint64_t model;     /**< The CPU model (vendor, MAXPHYADDR, features), packed. */
    uint64_t keys;      /**< PKRU | PKRS << 32 (0 when not in force). */
    const uint8_t *ram; /**< The vCPU's ram, as last seen. */
    uint64_t ram_size;  /**< The vCPU's ram_size, as last seen. */
    /** The vCPU's mem_cmpxchg callback, as last seen (may be NULL). */
    int (*cmpxchg)(void *ctx, uint64_t gpa, void *expected, const void *desired, size_t size,
                   unsigned flags);
    struct xa_paging_state ps;   /**< The paging state, as last seen. */
    struct xa_mmu_ops ops;       /**< The walk callbacks and the RAM window, as last seen. */
    struct xa_mmu_prepared prep; /**< xa_mmu_prepare(&ps, &ops, owner) (state 2). */
    /** Its last data walk and its last fetch walk, for a repeat (reset with prep). */
    struct xa_walk_memo memo[2];
};

/**
 * Internal: the last instruction xa_assist_mmio decoded in 64-bit mode, keyed by its
 * bytes (a pure function of them and the vendor: never stale, nothing to reset).
 */
struct xa_decode_memo {
    uint64_t key[2];     /**< The bytes, zero-padded to 15; byte 15: vendor + 1 (0: empty). */
    uint8_t shape[16];   /**< The MMIO front's reading of the instruction. */
    struct xa_insn insn; /**< What xa_decode made of the bytes. */
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
    /**
     * Most iterations of a REP instruction per call (0 = no limit); caller-writable.
     * When it runs out the call returns XA_CONTINUE with the completed iterations
     * committed (RCX/RSI/RDI written through set_regs, RIP unchanged): take interrupts,
     * then call again (xa_step, xa_assist_io, or re-enter the guest) to go on.
     */
    uint32_t rep_budget;
    /**
     * Optional guest-RAM window, caller-writable (xa_vcpu_init sets NULL and 0): when
     * @p ram is non-NULL and @p ram_size non-zero, guest-physical [0, ram_size) is
     * ordinary guest RAM mapped at host address @p ram. Page-table entries and
     * instruction bytes inside it are then read from there directly, without
     * mem_read (the XA_MEM_PAGE_WALK and XA_MEM_FETCH reads of the window are not
     * made); anything outside it still goes through mem_read. The instruction's data
     * accesses and the A/D-bit updates go through the callbacks, with one exception:
     * the source run of a (REP) MOVS, or of an OUTS with EFLAGS.DF = 0, that lies
     * inside the window is not read with mem_read; the pointer into the window is
     * handed to mem_write (io_write) as its buffer: one copy instead of two (never for
     * MOVS runs that overlap; a MOVS source page may then be read without a mem_read
     * of it ever being logged). The
     * window must hold no MMIO and stay mapped during the call; the library only reads
     * it.
     */
    const uint8_t *ram;
    uint64_t ram_size; /**< Bytes of the window at @p ram (0 = no window). */
    /**
     * Optional register window, caller-writable (xa_vcpu_init sets NULL): when non-NULL,
     * regfile[name] holds the vCPU's current value of every register name up to and
     * including XA_R_EFER (GPRs, RIP, RFLAGS, the segment registers with their caches,
     * TR, LDTR, CR0, CR2, CR3, CR4, CR8, EFER: what an exit's saved state holds), and
     * the library reads those from there instead of calling get_regs; the others (XCR0,
     * PKRU, PKRS, vector, mask and MMX registers) still come through get_regs. For a
     * hypervisor that keeps its vCPU state in memory in this layout (the regs array of
     * bench/flat_hv.h, say): no copy per register. Writes still go through set_regs
     * (once, on success); the library never writes the window. It must stay valid and
     * unchanged during the call.
     */
    const union xa_regval *regfile;
    struct xa_regcache regs;       /**< Internal. */
    struct xa_walk_cache walk;     /**< Internal. */
    struct xa_decode_memo decoded; /**< Internal. */
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
 * Every entry point starts afresh (with it, or, in xa_assist_mmio's front, without using
 * the cache at all): the cache lives for one instruction (the guest runs between two
 * exits), so a stale register is never used.
 * The walk cache (struct xa_vcpu walk) is not cleared: every call checks it against
 * the registers it fetched, and its walk memos re-read the entries they depend on, so it
 * needs no reset either; nor does the decode memo (keyed by the instruction's bytes).
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
 * set_regs; on any other status nothing guest-visible changed, except for a
 * REP string instruction stopped after some iterations completed (below).
 * Returns the same status as out->status; XA_ERR_BAD_ARGUMENT when @p insn was
 * decoded in another mode than the vCPU's.
 *
 * String instructions (MOVS STOS LODS CMPS SCAS INS OUTS, REP/REPE/REPNE):
 * - Batching: a run of elements inside one page (on both sides) is one mem_read /
 *   mem_write (and one io_read / io_write) with XA_MEM_BATCHED, the element size and
 *   XA_MEM_DOWN when EFLAGS.DF = 1; the buffer holds the elements in address order.
 *   Every check of a run (segment limits, canonical, page walk, #AC per element) comes
 *   before any access of it. CMPS and SCAS go element by element, so they never read
 *   past the element that ends them. A MOVS whose destination lies just ahead of its
 *   source (in the direction it runs) goes in runs short enough that no element is read
 *   after it was written in the same run: the result is the CPU's element-by-element
 *   one. The accesses are made as the instruction runs, not staged.
 * - A REP instruction stopped after k > 0 completed iterations — by vcpu->rep_budget
 *   (XA_CONTINUE), a fault in iteration k + 1 (XA_EXCEPTION) or a failed callback
 *   (XA_ERR_CALLBACK) — has exactly those k iterations committed: their memory writes,
 *   and RCX/RSI/RDI (RAX for LODS, the flags of the last completed CMPS/SCAS iteration)
 *   written through set_regs with RIP unchanged, as the CPU leaves an interrupted REP
 *   instruction (after a failed callback too: set_regs is then the one call after it).
 *   With k = 0 nothing guest-visible changed. REP with a zero count makes
 *   no access and advances RIP (through xa_assist_mmio: XA_RETRY, no access can be the
 *   exit's).
 *
 *
 * Common to the three entry points:
 * - Registers: one get_regs for CR0, CR3, CR4, EFER, RFLAGS, RIP, CS and SS;
 *   one for the registers the operands name (xa_assist_mmio, given the instruction's
 *   bytes, asks for both in one call); then one per register a handler
 *   needs on top (PKRU/PKRS only when CR4.PKE/PKS); none for what the register window
 *   (struct xa_vcpu regfile) holds. set_regs once, at the end,
 *   with the registers written, RIP, and RFLAGS when it changed (RF cleared).
 * - Commit order: staged memory writes in instruction order (a LOCKed one
 *   first), then set_regs (string instructions write memory as they run, see
 *   above). A failed callback during the commit gives
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
 * - Vector moves (MOVD/MOVQ, MOVDQA/U, MOVAPS/UPS/APD/UPD, MOVSS/SD, MOVLPS/HPS/LPD/
 *   HPD, MOVNT*, LDDQU, their VEX and EVEX forms) and direct stores (MOVDIRI,
 *   MOVDIR64B) ask get_regs, besides CR0 and CR4, for what they use: XA_R_ZMM0+n for
 *   XMMn/YMMn/ZMMn (always the 64-byte value; set_regs gets it back whole: a legacy
 *   SSE write keeps the bytes above 15, a VEX/EVEX write zeroes those above the
 *   vector length), XA_R_K0+n for the opmask of an EVEX form, XA_R_MM0+n for MMX
 *   registers, and XA_R_XCR0 for VEX/EVEX forms once CR4.OSXSAVE is set. #UD (CR0.EM
 *   and CR4.OSFXSR for SSE, CR0.EM for MMX, CR4.OSXSAVE and XCR0 for VEX/EVEX, and the
 *   model's features: SSE3, SSE4.1, AVX, AVX2, AVX512F/BW/VL, MOVDIRI, MOVDIR64B,
 *   CLFLUSHOPT, CLWB; MMX, SSE, SSE2 and CLFLUSH are always present) comes before #NM
 *   (CR0.TS), both before any memory fault; then the alignment #GP(0) of the aligned
 *   forms (the full vector size, masked or not, except that an opmask selecting no
 *   element raises nothing, as measured on hardware). MMX forms do not update the x87
 *   tag word (no register name carries it).
 * - EVEX masking: only the pages holding a selected element are translated and
 *   checked (a masked-off element never faults); a masked load reads each run of
 *   selected bytes with its own mem_read, a masked store writes each run with its own
 *   mem_write at commit, in address order (so a device sees exactly the selected
 *   bytes), and an opmask selecting nothing makes no access at all.
 * - CLFLUSH/CLFLUSHOPT/CLWB are translated and checked as a one-byte read (sets the A
 *   bit) with no data access; prefetches never fault and access nothing; MOVDIR64B
 *   checks its destination ES:[reg] (64-byte aligned, else #GP(0)) before it reads
 *   its 64-byte source, then writes it with one 64-byte mem_write.
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
 * (for a string instruction: inside the first element's source or destination access)
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
 *
 * The common exit takes a shorter way with the same results (emulator/core/fast.c): in
 * 64-bit mode, the exit's bytes are decoded before any register is read, so that one
 * get_regs brings the mode registers with those a MOV names (without bytes: the
 * instruction is fetched from the RAM window); a MOV between a general register or an
 * immediate and memory then makes one mem_write or mem_read and one set_regs. Its walks
 * never write A/D bits: a walk that would, a fault, #AC, a page-crossing operand, FS/GS,
 * protection keys and every other instruction continue in the general path (at once
 * when the vCPU's previous instruction ran outside 64-bit mode).
 */
xa_status xa_assist_mmio(struct xa_vcpu *vcpu, const struct xa_mmio_exit *exit,
                         struct xa_outcome *out);

/** A port-I/O exit as the CPU reports it (VMX exit qualification, SVM EXITINFO1). */
struct xa_io_exit {
    uint16_t port;     /**< The port (the instruction's imm8 or DX). */
    uint8_t size;      /**< Access size in bytes: 1, 2 or 4. */
    bool in;           /**< IN or INS (true), OUT or OUTS (false). */
    bool string;       /**< INS or OUTS. */
    bool rep;          /**< A REP prefix (string forms only). */
    uint8_t nbytes;    /**< Instruction bytes supplied (0..15); fetched when fewer. */
    uint8_t bytes[15]; /**< The bytes at CS:RIP, when the CPU gave them. */
};

/**
 * Handles a port-I/O exit: fetches the instruction at CS:RIP (the exit's bytes first),
 * decodes it, checks that it is the exit's IN/OUT/INS/OUTS (direction, size, string,
 * REP, port = imm8 or DX) — XA_RETRY before any access when not — then emulates it:
 * the I/O permission check (protected mode with CPL > IOPL, or virtual-8086 mode: the
 * I/O bitmap of the TSS that TR holds, read as implicit supervisor data through the
 * page walk; #GP(0) when denied, when TR is not a present 32/64-bit TSS, or when the
 * two bitmap bytes the CPU reads lie past the TR limit), made before the count test
 * and any memory access; then IN/OUT through io_read/io_write (count 1; IN AL/AX merge,
 * IN EAX zero-extends into RAX in 64-bit mode) or INS/OUTS with the string rules
 * above (one port callback per page run, the run's memory checked before the port is
 * touched). Returns out->status: XA_ERR_UNSUPPORTED when the callback needed is NULL;
 * XA_ERR_BAD_ARGUMENT for a NULL pointer, nbytes > 15 or a size other than 1, 2, 4.
 */
xa_status xa_assist_io(struct xa_vcpu *vcpu, const struct xa_io_exit *exit, struct xa_outcome *out);

/**
 * Fetches, decodes and emulates the instruction at CS:RIP (no exit information:
 * the path of the command-line tool without `exit`). Returns out->status.
 */
xa_status xa_step(struct xa_vcpu *vcpu, struct xa_outcome *out);

#ifdef __cplusplus
}
#endif

#endif /* X86ASSIST_EMULATOR_H */
