/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file mmu.h
 * @brief Guest address translation: segmentation (logical -> linear), the
 * canonical check, and the page walk (linear -> guest-physical).
 *
 * Everything here is pure: no global state, no heap allocation. The walker
 * sees guest memory only through the callbacks of struct xa_mmu_ops, reads at
 * most one entry per paging level, and never loops without bound. Page-table
 * entries are assembled from bytes in little-endian order, so the library
 * behaves the same on any host.
 *
 * Architecture references: Intel SDM vol. 3A chapter 3 (segmentation) and
 * chapter 4 (paging); AMD APM vol. 2 chapters 4 and 5.
 *
 * Policies the architecture leaves open (each one is tested):
 * - A and D bits are set only after the whole walk and the rights check
 *   succeed (a faulting walk writes nothing), top-down, one
 *   compare-and-exchange per entry whose value changes. When an exchange
 *   finds the entry changed, the walk is redone from the top, at most
 *   XA_MMU_MAX_TRIES times; then XA_RETRY.
 * - PAE paging: the four PDPTEs come from xa_paging_state.pdpte when
 *   has_pdptes is set, otherwise they are read from guest memory at
 *   CR3[31:5]. Either way a present PDPTE with a reserved bit gives #PF with
 *   P=1 and RSVD=1 (the CPU would have raised #GP when loading it; the
 *   library cannot, and a #PF is the closest guest-visible outcome).
 * - AMD (vendor XA_VENDOR_AMD): bit 8 is reserved in PML5Es and PML4Es (APM
 *   vol. 2, "Long-mode page translation", MBZ); it stays ignored in non-leaf
 *   PDPTEs and PDEs, where the APM marks it IGN.
 * - The I/D error-code bit follows the Intel rule for both vendors: a fetch,
 *   and (CR4.SMEP=1 or (CR4.PAE=1 and EFER.NXE=1)).
 * - Control-register bits are taken as given (a CPU could not have set them
 *   without the feature); the cpu model supplies what no register says:
 *   MAXPHYADDR, PSE-36, 1 GiB pages, vendor.
 */
#ifndef X86ASSIST_MMU_H
#define X86ASSIST_MMU_H

#include <stddef.h>
#include <stdint.h>

#include <x86assist/x86assist.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Callbacks                                                                */
/* ------------------------------------------------------------------------ */

/**
 * How the walker reaches guest-physical memory. Every callback gets the
 * opaque ctx given to the walk call. No call ever crosses a 4 KiB page
 * (entries are 4 or 8 bytes, naturally aligned).
 */
struct xa_mmu_ops {
    /**
     * Required. Reads @p size bytes (4 or 8) of guest-physical memory at
     * @p gpa into @p buf, in guest (little-endian) byte order. Returns 0, or
     * non-zero when the address is not guest memory: the walk then ends with
     * XA_ERR_CALLBACK ("the page table is not in guest memory"), distinct
     * from a guest #PF, and nothing is written.
     */
    int (*read)(void *ctx, uint64_t gpa, void *buf, size_t size);
    /**
     * Optional. Atomically: if the @p size bytes (4 or 8) at @p gpa equal
     * @p expected, replace them with @p desired. Both are in guest byte order
     * (little-endian), so a host can memcpy them into integers and use its
     * own atomic compare-and-swap on the mapped memory, on any endianness.
     * Returns 0 when exchanged, 1 when the memory held another value (nothing
     * written; the walk is redone), any other value on error (XA_ERR_CALLBACK).
     */
    int (*cmpxchg)(void *ctx, uint64_t gpa, const void *expected, const void *desired, size_t size);
    /**
     * Optional, used only when cmpxchg is NULL: the non-atomic fallback.
     * The walker re-reads the entry with read(), compares it with the value
     * the walk used (a mismatch redoes the walk) and stores the new value
     * with write(). A vCPU running concurrently on the same page tables can
     * lose an update in the window between the two calls. Returns 0, or
     * non-zero on error (XA_ERR_CALLBACK).
     *
     * When both cmpxchg and write are NULL, A/D bits are not written at all:
     * the walk succeeds and xa_walk_result.writes lists the updates the
     * caller must apply (as with XA_WALK_NO_AD).
     */
    int (*write)(void *ctx, uint64_t gpa, const void *buf, size_t size);
    /**
     * Optional fast path: when non-NULL, guest-physical [0, ram_size) is
     * mapped at host address @p ram, and page-table entries inside it are
     * read from there directly (little-endian, no read() call). Entries
     * outside it still go through read(). A/D updates always go through
     * cmpxchg/write. The walker only reads through this pointer.
     */
    const uint8_t *ram;
    uint64_t ram_size; /**< Size of the window at @p ram (0 = none). */
};

/* ------------------------------------------------------------------------ */
/* Paging                                                                   */
/* ------------------------------------------------------------------------ */

/** The kind of a memory access. */
enum xa_access {
    XA_ACCESS_READ = 0,  /**< Data read. */
    XA_ACCESS_WRITE = 1, /**< Data write (also the write of a read-modify-write). */
    XA_ACCESS_FETCH = 2, /**< Instruction fetch. */
};

/** Modifiers of an access (bits of the @p flags argument). */
enum xa_walk_flags {
    /** CPL 3. Without XA_WALK_IMPLICIT this is a user-mode access. */
    XA_WALK_USER = 1u << 0,
    /**
     * Implicit supervisor-mode access (GDT, LDT, IDT, TSS, ... even at
     * CPL 3): the U/S error-code bit is 0 and SMAP applies whatever
     * EFLAGS.AC is. An implicit fetch is a bad argument.
     */
    XA_WALK_IMPLICIT = 1u << 1,
    /** EFLAGS.AC = 1 (lifts SMAP for explicit supervisor data accesses). */
    XA_WALK_AC = 1u << 2,
    /**
     * Shadow-stack access (CET): read or write only. The translation must be
     * a shadow-stack page (leaf R/W=0 and D=1, every other level R/W=1) of the
     * access's mode (user page for CPL 3, supervisor page otherwise); the SS
     * error-code bit is set on any #PF.
     */
    XA_WALK_SHADOW_STACK = 1u << 3,
    /** The reference uses SS: a non-canonical address gives #SS(0), not #GP(0). */
    XA_WALK_SS_REF = 1u << 4,
    /**
     * Check only: do not write A/D bits; xa_walk_result.writes lists the
     * updates that a real access would make.
     */
    XA_WALK_NO_AD = 1u << 5,
};

/** The paging state of the vCPU. */
struct xa_paging_state {
    uint64_t cr0;  /**< CR0: PG (31) and WP (16) are used. */
    uint64_t cr3;  /**< CR3: the root table address. */
    uint64_t cr4;  /**< CR4: PSE, PAE, LA57, SMEP, SMAP, PKE, PKS are used. */
    uint64_t efer; /**< IA32_EFER: LMA (10) and NXE (11) are used. */
    uint32_t pkru; /**< PKRU (user-page keys, with CR4.PKE). */
    uint32_t pkrs; /**< IA32_PKRS bits 31:0 (supervisor-page keys, with CR4.PKS). */
    /** PAE paging only: when true, pdpte[] holds the PDPTE registers. */
    bool has_pdptes;
    uint64_t pdpte[4];       /**< The PAE PDPTE registers (see has_pdptes). */
    struct xa_cpu_model cpu; /**< MAXPHYADDR, PSE-36, 1 GiB pages, vendor. */
};

/** Largest number of entries a walk reads (5-level paging). */
#define XA_MMU_MAX_LEVELS 5
/** Walk attempts before XA_RETRY when compare-and-exchange keeps failing. */
#define XA_MMU_MAX_TRIES 8

/** One A/D update (a page-table entry whose value changed). */
struct xa_mmu_write {
    uint64_t gpa;   /**< Guest-physical address of the entry. */
    uint64_t value; /**< Its full new value. */
    uint8_t size;   /**< 4 (32-bit paging) or 8. */
    uint8_t level;  /**< 1 = PTE ... 5 = PML5E. */
};

/** Effective rights of a translation (bits of xa_walk_result.rights). */
enum xa_rights {
    XA_RIGHT_WRITE = 1u << 0, /**< R/W = 1 at every level. */
    XA_RIGHT_USER = 1u << 1,  /**< U/S = 1 at every level (a user-mode address). */
    XA_RIGHT_EXEC = 1u << 2,  /**< No XD bit at any level (or NX not enabled). */
    XA_RIGHT_DIRTY = 1u << 3, /**< The leaf's D bit (after this access). */
};

/** The outcome of a successful walk. */
struct xa_walk_result {
    uint64_t gpa;       /**< The guest-physical address of the linear address. */
    uint64_t page_size; /**< 4096, 2 MiB, 4 MiB or 1 GiB (4096 without paging). */
    uint32_t rights;    /**< enum xa_rights bits of the translation. */
    uint8_t pkey;       /**< Protection key of the leaf (IA-32e paging; 0 otherwise). */
    uint8_t levels;     /**< Entries read by the final walk (0 without paging). */
    uint8_t nwrites;    /**< Number of valid entries in writes[]. */
    /**
     * The A/D updates of the final (successful) attempt, top-down, only
     * entries whose value changed. Earlier attempts, redone because the guest
     * changed an entry under us, may also have set A bits (as the CPU does).
     */
    struct xa_mmu_write writes[XA_MMU_MAX_LEVELS];
};

/**
 * Translates the linear address @p la for one access.
 *
 * The mode comes from the registers: CR0.PG=0 no paging (gpa = la[31:0]);
 * CR4.PAE=0 32-bit paging; EFER.LMA=0 PAE paging; else 4-level, or 5-level
 * with CR4.LA57. Outside IA-32e mode bits 63:32 of @p la are ignored. In
 * IA-32e mode @p la must be canonical (else #GP(0), or #SS(0) with
 * XA_WALK_SS_REF; nothing read).
 *
 * Returns XA_OK and fills @p out; XA_EXCEPTION and fills @p exc (#PF with
 * the exact error code and cr2 = la; #GP(0)/#SS(0) for a non-canonical
 * address); XA_ERR_CALLBACK when a callback failed (a read: the page table
 * is not in guest memory); XA_RETRY when the entries kept changing under a
 * compare-and-exchange XA_MMU_MAX_TRIES times; XA_ERR_BAD_ARGUMENT for a
 * NULL pointer, a missing read callback, an access value out of range, an
 * implicit or shadow-stack fetch, MAXPHYADDR outside 32..52 (0 means 52), or
 * EFER.LMA=1 without CR0.PG and CR4.PAE. @p exc is meaningful only with
 * XA_EXCEPTION and @p out only with XA_OK.
 */
xa_status xa_walk(const struct xa_paging_state *ps, const struct xa_mmu_ops *ops, void *ctx,
                  uint64_t la, enum xa_access access, unsigned flags, struct xa_walk_result *out,
                  struct xa_exception *exc);

/* ------------------------------------------------------------------------ */
/* Prepared paging state (repeated walks under one paging state)            */
/* ------------------------------------------------------------------------ */

/** Internal to struct xa_mmu_prepared (treat as opaque): the hot path's constants. */
struct xa_mmu_hot {
    const uint8_t *ram;  /**< ops.ram. */
    uint64_t wmask;      /**< The table-address mask of an entry (bits 51:12). */
    const uint8_t *root; /**< The root table (CR3's) in the window. */
    uint64_t limit;      /**< min(ram_size, 2^MAXPHYADDR) - 4095: tables below it are read. */
};

/**
 * A paging state and memory callbacks prepared once for many walks
 * (xa_mmu_prepare, xa_walk_prepared): a snapshot of both, plus the constants the
 * walk would otherwise derive on every call. Later changes to the xa_paging_state
 * or xa_mmu_ops it was prepared from are not seen: prepare again after any change
 * (a MOV to CR0/CR3/CR4, WRMSR to EFER or IA32_PKRS, WRPKRU, a new RAM window...).
 * Plain data: it may be copied; it holds no pointer into itself. The fields after
 * @p ops are internal (treat as opaque).
 */
struct xa_mmu_prepared {
    struct xa_paging_state ps; /**< The paging state, as prepared. */
    struct xa_mmu_ops ops;     /**< The callbacks, as prepared. */
    void *ctx;                 /**< Their context, as prepared. */
    bool valid;                /**< xa_mmu_prepare returned XA_OK. */
    /** The fast path: 4 or 5 (levels), plus 8 when keys are in force; 0 = none. */
    uint8_t hot;
    /** 3 when hot is 4 (accesses below it take the inline hot path), else 0. */
    uint32_t hot4_limit;
    struct xa_mmu_hot hc; /**< The hot path's constants. */
    /**
     * What the hot path requires of each access kind, at index (flags & 15) * 3 + access
     * (flags bits 3:0: USER, IMPLICIT, AC, SHADOW_STACK): the bits of the combined
     * entries that it tests...
     */
    uint64_t need[48];
    uint32_t want[48];   /**< ...the values they must have... */
    uint32_t okkeys[48]; /**< ...and the keys allowed (bit k supervisor, 16 + k user). */
};

/**
 * Prepares @p out for xa_walk_prepared from @p ps and @p ops (both copied) and the
 * callbacks' context @p ctx (kept as given).
 *
 * Returns XA_OK; XA_ERR_BAD_ARGUMENT for a NULL pointer, a missing read callback,
 * MAXPHYADDR outside 32..52 (0 means 52), or EFER.LMA=1 without CR0.PG and CR4.PAE
 * (then @p out, unless NULL, is marked invalid and xa_walk_prepared on it returns
 * XA_ERR_BAD_ARGUMENT).
 */
xa_status xa_mmu_prepare(const struct xa_paging_state *ps, const struct xa_mmu_ops *ops, void *ctx,
                         struct xa_mmu_prepared *out);

/**
 * Exactly xa_walk(&p->ps, &p->ops, p->ctx, la, access, flags, out, exc), with the same
 * results, faults, callbacks and A/D writes, only faster: the common case (4- or
 * 5-level paging, a 4 KiB page, every page table in a 4 KiB page that lies wholly in the
 * RAM window (anywhere in it), entries present, free of reserved bits, A set, D set for
 * a write, rights and keys allowing the access) is decided with the constants of @p p,
 * one bounds compare per table and a few combined mask tests; anything else takes
 * xa_walk's own path.
 *
 * Returns as xa_walk; XA_ERR_BAD_ARGUMENT also for a NULL @p p or a @p p that
 * xa_mmu_prepare did not accept.
 */
xa_status xa_walk_prepared(const struct xa_mmu_prepared *p, uint64_t la, enum xa_access access,
                           unsigned flags, struct xa_walk_result *out, struct xa_exception *exc);

/**
 * The last walk of xa_walk_memo that the hot path of xa_walk_prepared decided (a 4 KiB
 * page, nothing written), re-validated entry by entry on each use: its key, the host
 * address in the RAM window and the value of every entry it read, and its result.
 * Plain data (all zero = empty: xa_walk_memo_reset or memset 0); the fields are internal
 * (treat as opaque). One memo serves one thread at a time: the walks that use it write
 * it.
 */
struct xa_walk_memo {
    uint64_t key;       /**< la | 0xfff of the recorded walk; 0 = empty. */
    uintptr_t tag;      /**< The xa_mmu_prepared's address, + 1 with 5-level paging. */
    uint32_t access;    /**< The access kind of the recorded walk. */
    uint32_t flags;     /**< Its flags (all bits). */
    uint64_t gpa_xor;   /**< la ^ gpa of the recorded walk (bits 11:0 are 0). */
    uint64_t cand;      /**< la | 0xfff of the last walk that missed (the next to record). */
    uint64_t page_size; /**< 4096; with the next four, laid out as in xa_walk_result. */
    uint32_t rights;    /**< The result's rights... */
    uint8_t pkey;       /**< ...protection key... */
    uint8_t levels;     /**< ...levels (4 or 5)... */
    uint8_t nwrites;    /**< ...and nwrites (0). */
    uint8_t reserved;   /**< 0. */
    /** Host address (in the RAM window) of each entry read, top-down. */
    const uint8_t *entry[XA_MMU_MAX_LEVELS];
    uint64_t value[XA_MMU_MAX_LEVELS]; /**< The value each held, as the walk read it. */
};

/** Empties @p m (does nothing for NULL). */
void xa_walk_memo_reset(struct xa_walk_memo *m);

/**
 * Exactly xa_walk_prepared(p, la, access, flags, out, exc): the same status, the same
 * fields of @p out and @p exc, the same callbacks and A/D writes. A walk of the memo's
 * page (the same la >> 12), access kind and flags (all bits) under the same @p p, whose
 * entries in the RAM window still hold the values recorded (each is read again, top-down
 * as the walk reads it, and compared; the first that differs ends the check), answers
 * from the memo: the walk would read exactly those entries and reach exactly that result.
 * Any other walk is xa_walk_prepared's. It is recorded in @p m when the hot path decides
 * it (4- or 5-level paging, a 4 KiB page, every table wholly in the RAM window, nothing
 * to write) and it is the second walk in a row of its page, or of the memo's own page (the
 * first only notes the page: a stream of different pages costs little more than the
 * walks); a walk the hot path does not decide is never recorded (and may empty @p m).
 * A walk answered from the memo writes to @p out the fields xa_walk_prepared fills
 * (gpa, page_size, rights, pkey, levels, nwrites = 0; not writes[]) and may also write
 * the padding byte after nwrites.
 *
 * @p m must be reset (xa_walk_memo_reset) whenever @p p is prepared again or otherwise
 * changed, or the RAM window it names is unmapped: the memo records @p p's address (a
 * walk under another xa_mmu_prepared is not answered from it, and may be recorded at
 * once) but not its contents. With a NULL @p m this is xa_walk_prepared.
 *
 * Returns as xa_walk_prepared.
 */
xa_status xa_walk_memo(const struct xa_mmu_prepared *p, struct xa_walk_memo *m, uint64_t la,
                       enum xa_access access, unsigned flags, struct xa_walk_result *out,
                       struct xa_exception *exc);

/** The translation of an access of up to 4096 bytes, maybe crossing a page. */
struct xa_translation {
    uint8_t count;                 /**< 1, or 2 when the access crosses a page boundary. */
    uint64_t gpa[2];               /**< Guest-physical address of each piece. */
    uint32_t len[2];               /**< Bytes of each piece (len[0] + len[1] = size). */
    struct xa_walk_result walk[2]; /**< The walk of each piece. */
};

/**
 * Translates an access of @p size bytes (1..4096) at @p la. When it crosses
 * a page boundary, the two pages are walked in address order (the second
 * page's linear address wraps at 4 GiB outside IA-32e mode; in IA-32e mode
 * every byte must be canonical, checked before any walk). Both walks and
 * rights checks complete before any A/D bit is written (policy): a fault on
 * either page is reported with nothing written, the first page's fault
 * first. Then the A/D updates of both pages are made, first page then
 * second, each entry once: an entry both walks update (shared upper levels,
 * or hostile tables) is written once with all its new bits and listed under
 * walk[0]. Should an exchange find an entry changed, both walks are redone
 * (at most XA_MMU_MAX_TRIES times, then XA_RETRY); bits set before that stay
 * set, as on the CPU.
 *
 * Returns as xa_walk; XA_ERR_BAD_ARGUMENT also for a size of 0 or > 4096.
 */
xa_status xa_translate(const struct xa_paging_state *ps, const struct xa_mmu_ops *ops, void *ctx,
                       uint64_t la, uint32_t size, enum xa_access access, unsigned flags,
                       struct xa_translation *out, struct xa_exception *exc);

/**
 * True when @p la is canonical: bits 63:47 (63:56 with @p la57) all equal.
 */
bool xa_is_canonical(uint64_t la, bool la57);

/* ------------------------------------------------------------------------ */
/* Segmentation                                                             */
/* ------------------------------------------------------------------------ */

/** Segment registers, in the encoding order of the instruction set. */
enum xa_seg {
    XA_SEG_ES = 0,
    XA_SEG_CS = 1,
    XA_SEG_SS = 2,
    XA_SEG_DS = 3,
    XA_SEG_FS = 4,
    XA_SEG_GS = 5,
};

/** VMX access-rights bits of xa_segment.attr. */
enum xa_seg_attr {
    XA_SEG_ATTR_TYPE = 0xfu,         /**< Type[3:0]. */
    XA_SEG_ATTR_S = 1u << 4,         /**< 1 = code/data, 0 = system. */
    XA_SEG_ATTR_DPL_SHIFT = 5,       /**< DPL is attr[6:5]. */
    XA_SEG_ATTR_P = 1u << 7,         /**< Present. */
    XA_SEG_ATTR_AVL = 1u << 12,      /**< Available to software. */
    XA_SEG_ATTR_L = 1u << 13,        /**< 64-bit code segment. */
    XA_SEG_ATTR_DB = 1u << 14,       /**< D/B: default size / big. */
    XA_SEG_ATTR_G = 1u << 15,        /**< Granularity (already applied to limit). */
    XA_SEG_ATTR_UNUSABLE = 1u << 16, /**< Unusable (null selector loaded). */
};

/** A segment register with its descriptor cache (the VMX guest-state form). */
struct xa_segment {
    uint16_t selector; /**< Visible selector. */
    uint64_t base;     /**< Base address. */
    uint32_t limit;    /**< Byte-granular limit (G already expanded). */
    uint32_t attr;     /**< enum xa_seg_attr layout. */
};

/** The CPU mode as far as segmentation is concerned. */
enum xa_cpu_mode {
    XA_CPU_REAL = 0,      /**< CR0.PE = 0. */
    XA_CPU_V86 = 1,       /**< CR0.PE = 1, EFLAGS.VM = 1. */
    XA_CPU_PROTECTED = 2, /**< Legacy protected mode (16- or 32-bit code). */
    XA_CPU_COMPAT = 3,    /**< IA-32e compatibility mode (protected-mode rules). */
    XA_CPU_LONG = 4,      /**< 64-bit mode (EFER.LMA = 1, CS.L = 1). */
};

/**
 * Returns the mode from CR0, EFER, RFLAGS and the CS attributes. Never
 * fails: inconsistent inputs give the mode the bits name first (PE, then
 * VM, then LMA and CS.L).
 */
enum xa_cpu_mode xa_cpu_mode_of(uint64_t cr0, uint64_t efer, uint64_t rflags, uint32_t cs_attr);

/** The context of one segmented access. */
struct xa_seg_access {
    enum xa_cpu_mode mode; /**< From xa_cpu_mode_of(). */
    uint8_t cpl;           /**< Current privilege level, 0..3. */
    uint8_t addr_size;     /**< Address size in bytes: 2, 4 or 8 (8 only in 64-bit mode). */
    bool la57;             /**< CR4.LA57 (64-bit mode canonical width). */
};

/**
 * Logical -> linear: @p seg is the descriptor cache of segment register
 * @p which, @p offset the effective address (truncated here to the address
 * size, where the CPU wraps it), @p size the access size in bytes (1..4096).
 *
 * Checks, as the CPU makes them with a loaded descriptor cache:
 * - real mode and virtual-8086: offset..offset+size-1 within the cached
 *   limit (expand-up); la = (base + offset) mod 2^32.
 * - protected and compatibility mode: an unusable or not-present segment
 *   (null selector) faults; a write needs a writable data segment; a read
 *   needs a data or readable code segment; a fetch needs a code segment; a
 *   data or non-conforming code segment whose DPL is below the CPL faults
 *   (policy: the CPU nulls such registers on a privilege change, which makes
 *   the access fault the same way); the limit is checked for every byte
 *   (expand-down: above the limit and up to 0xffff, or 0xffffffff with B=1);
 *   la = (base + offset) mod 2^32.
 * - 64-bit mode: no limit, type or null checks; the base counts only for FS
 *   and GS; every byte's address must be canonical.
 * A fault is #SS(0) when @p which is SS and #GP(0) otherwise (the type
 * checks, write to a non-writable segment, are #GP(0) even for SS).
 *
 * Returns XA_OK with *la set; XA_EXCEPTION with @p exc filled;
 * XA_ERR_BAD_ARGUMENT for NULL pointers, a segment number, mode, cpl, access
 * or address size out of range, or a size of 0 or > 4096.
 */
xa_status xa_segment_to_linear(const struct xa_segment *seg, enum xa_seg which,
                               const struct xa_seg_access *ctxt, uint64_t offset, uint32_t size,
                               enum xa_access access, uint64_t *la, struct xa_exception *exc);

#ifdef __cplusplus
}
#endif

#endif /* X86ASSIST_MMU_H */
