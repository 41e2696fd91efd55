/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xa_assist_mmio, and its front for the common exit: a vCPU in 64-bit mode. With the
 * instruction's bytes in the exit they are decoded first, so one get_regs brings the
 * mode registers and the registers the operands name together (none with the
 * register window); without them the instruction is fetched from the RAM window
 * through the walk cache. MOV between a general register or an immediate and memory
 * then finishes here, straight-line: the effective address, the walk, the exit check,
 * one mem_write or mem_read, one set_regs. Anything else, and every case the front
 * does not decide (a fault, #AC, a page-crossing or non-canonical operand, FS/GS,
 * protection keys, A/D bits to set, an exit that does not match, code outside the
 * window), goes on in the general path (run.c) with the registers cached and the
 * instruction decoded: the general path makes every check itself, so what the front
 * decides is only ever the plain success, and it changes nothing guest-visible
 * before deciding it (its walks never write A/D bits: XA_WALK_NO_AD).
 */
#include <string.h>

#include "emulator/core/core.h"
#include "emulator/core/fast.h"

#define CR0_PE   (UINT64_C(1) << 0)
#define CR0_AM   (UINT64_C(1) << 18)
#define CR4_LA57 (UINT64_C(1) << 12)
#define CR4_PKE  (UINT64_C(1) << 22)
#define CR4_PKS  (UINT64_C(1) << 24)
#define EFER_LMA (UINT64_C(1) << 10)

/* got[] holds the mode registers first (xai_mode_regs: fixed slots), then the operands'. */
enum { G_RIP, G_RFLAGS, G_CR0, G_EFER, G_CS, G_SS, G_CR3, G_CR4 };

/* Room in names[] for a MOV's registers: the register operand, base, index. */
#define MAX_NAMES (XAI_MODE_REGS + 3)

/* The registers to ask for: the mode registers, then a MOV's GPRs (@p have: which, and
 * @p slot: where in names[] and so in get_regs' values). */
struct name_list {
    uint16_t names[MAX_NAMES];
    unsigned n;
    uint32_t have;
    uint8_t slot[16];
};

/* Adds GPR name @p r unless it is there; returns its slot. */
static XAI_FORCE_INLINE unsigned add_name(struct name_list *l, unsigned r)
{
    if (!(l->have & (1u << r))) {
        l->have |= 1u << r;
        l->slot[r] = (uint8_t)l->n;
        l->names[l->n++] = (uint16_t)r;
    }
    return l->slot[r];
}

/* A MOV the front finishes. Register codes are xai_gpr_table's (0: none). Small: it is
 * kept in the decode memo (struct xa_decode_memo shape) beside the instruction. */
struct mov_plan {
    bool ok;      /* a MOV this path finishes */
    bool store;   /* memory is the destination */
    bool imm;     /* the source is an immediate (a store) */
    uint8_t size; /* operand size in bytes: 1, 2, 4, 8 */
    uint8_t reg;  /* the register operand's code, when not imm */
    bool old;     /* its value is read (a store, or a load of 1 or 2 bytes) */
    uint8_t base; /* the base's and the index's codes */
    uint8_t index;
    uint8_t s_reg; /* with get_regs: the slots of the register operand, base, index */
    uint8_t s_base;
    uint8_t s_index;
    uint8_t unused[5]; /* to the memo's size: copied as two words */
};
_Static_assert(sizeof(struct mov_plan) == sizeof(((struct xa_decode_memo *)0)->shape),
               "the plan is the decode memo's shape");

/* A general register or an immediate to memory, memory to a general register; memory
 * through DS or SS (no base in 64-bit mode). */
static XAI_FORCE_INLINE struct mov_plan mov_plan(const struct xa_insn *insn)
{
    struct mov_plan p;
    memset(&p, 0, sizeof(p)); /* slots, and the unused bytes the memo keeps */
    unsigned mi = insn->ops[0].type == XA_OP_MEM ? 0 : 1;
    const struct xa_operand *mem = &insn->ops[mi], *other = &insn->ops[mi ^ 1];
    p.store = mi == 0;
    p.size = (uint8_t)mem->size;
    p.imm = other->type == XA_OP_IMM;
    p.reg = other->type == XA_OP_REG ? (uint8_t)xai_gpr_code(other->reg) : 0;
    p.old = p.store || p.size < 4;
    p.base = (uint8_t)xai_gpr_code(insn->mem.base);
    p.index = (uint8_t)xai_gpr_code(insn->mem.index);
    p.ok = insn->mnemonic == XA_MNEM_MOV && insn->operand_count == 2 &&
           !(insn->prefixes & XA_PFX_LOCK) && mem->type == XA_OP_MEM &&
           insn->mem.seg != XA_REG_FS && insn->mem.seg != XA_REG_GS &&
           (p.imm ? p.store && other->size == p.size
                  : p.reg != 0 && (1u << ((p.reg >> 5) & 3)) == p.size);
    return p;
}

/* The names of the registers the plan reads, after the mode registers; their slots. */
static XAI_FORCE_INLINE void plan_names(struct mov_plan *p, struct name_list *l)
{
    if (p->reg && p->old)
        p->s_reg = (uint8_t)add_name(l, p->reg & 15u);
    if (p->base)
        p->s_base = (uint8_t)add_name(l, p->base & 15u);
    if (p->index)
        p->s_index = (uint8_t)add_name(l, p->index & 15u);
}

static void put_le64(uint8_t *buf, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(buf, &v, 8);
#else
    for (unsigned k = 0; k < 8; k++)
        buf[k] = (uint8_t)(v >> (8 * k));
#endif
}

static uint64_t get_le64(const uint8_t *buf)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t v;
    memcpy(&v, buf, 8);
    return v;
#else
    uint64_t v = 0;
    for (unsigned k = 8; k-- > 0;)
        v = (v << 8) | buf[k];
    return v;
#endif
}

/* The exit's @p n bytes (1..15), then zeros to 16, as two little-endian words: two
 * 8-byte loads (bytes 0-7 and 7-14) and a mask, not a variable-length copy. */
static XAI_FORCE_INLINE void pad_bytes(uint64_t *lo, uint64_t *hi, const uint8_t *src, unsigned n)
{
    *lo = get_le64(src);
    *hi = get_le64(src + 7) >> 8;
    if (n < 8) {
        *lo &= (UINT64_C(1) << (8 * n)) - 1;
        *hi = 0;
    } else {
        *hi &= (UINT64_C(1) << (8 * (n - 8))) - 1; /* n - 8 < 8 */
    }
}

/* Decodes the bytes @p lo, @p hi (zero-padded to 15) as 64-bit code into *insn, and the
 * front's reading of it into *p, through the vCPU's decode memo: the same bytes (and
 * vendor) decode the same, so a repeated exit (a driver writing the same register from
 * the same code) copies the last result instead of decoding. False when they do not
 * decode (not kept: the general path reports it). */
static XAI_FORCE_INLINE bool decode64(struct xa_vcpu *v, uint64_t lo, uint64_t hi,
                                      struct xa_insn *insn, struct mov_plan *p)
{
    struct xa_decode_memo *d = &v->decoded;
    hi |= (uint64_t)(v->model.vendor + 1u) << 56; /* byte 15: never decoded */
    if (d->key[0] == lo && d->key[1] == hi) {
        *insn = d->insn;
        memcpy(p, d->shape, sizeof(*p));
        return true;
    }
    uint8_t bytes[16];
    put_le64(bytes, lo);
    put_le64(bytes + 8, hi);
    if (xa_decode(insn, XA_MODE_64, (enum xa_vendor)v->model.vendor, bytes, XA_MAX_INSN_LENGTH) !=
        XA_OK)
        return false;
    *p = mov_plan(insn);
    d->key[0] = lo;
    d->key[1] = hi;
    d->insn = *insn;
    memcpy(d->shape, p, sizeof(*p));
    return true;
}

/* Hands what was fetched to the general path: the vCPU's register cache then holds
 * exactly the mode registers and the GPRs names[8..n) name, from got[] by slot or from
 * the register window (@p window) by name. Each value to its slot (no per-register
 * dispatch: the mode registers are a fixed list, the others GPRs). */
static void to_cache(struct xa_vcpu *v, const uint16_t *names, const union xa_regval *got,
                     unsigned n, bool window)
{
    const union xa_regval *W = v->regfile;
    union xa_regval mode[XAI_MODE_REGS];
    if (window) /* only on the way to the general path: the window's mode registers */
        for (unsigned k = 0; k < XAI_MODE_REGS; k++)
            xai_reg_copy(&mode[k], &W[xai_mode_regs[k]], xai_mode_regs[k]);
    xa_vcpu_reset(v);
    xai_regs_store_mode(v, window ? mode : got);
    for (unsigned k = XAI_MODE_REGS; k < n; k++) {
        unsigned r = names[k] & 15; /* a GPR */
        v->regs.val[r].u64 = window ? W[r].u64 : got[k].u64;
        v->regs.valid[0] |= UINT64_C(1) << r;
    }
}

static xa_status done(struct xa_outcome *out, xa_status st, unsigned mnemonic)
{
    out->status = st;
    out->mnemonic = (uint16_t)mnemonic;
    memset(&out->exception, 0, sizeof(out->exception));
    return st;
}

/* The walk with the vCPU's walk cache (current: xai_walk_cache_ready), never writing A/D bits:
 * WALK_OK; WALK_GENERAL when it faults or has some to set (the general path walks again);
 * WALK_FAILED when a callback failed (the instruction ends there). */
enum { WALK_OK, WALK_GENERAL, WALK_FAILED };
static XAI_FORCE_INLINE unsigned walk(struct xa_vcpu *v, uint64_t la, enum xa_access access,
                                      unsigned flags, uint64_t *gpa)
{
    struct xa_walk_result w;
    struct xa_exception exc;
    xa_status st = xai_walk_cached(v, la, access, flags | XA_WALK_NO_AD, &w, &exc);
    if (st != XA_OK || w.nwrites != 0)
        return st == XA_ERR_CALLBACK ? WALK_FAILED : WALK_GENERAL;
    *gpa = w.gpa;
    return WALK_OK;
}

/* @p window: the register window (struct xa_vcpu regfile), or get_regs (a constant: the
 * function is compiled once for each). */
static XAI_FORCE_INLINE xa_status front_in(struct xa_vcpu *v, const struct xa_mmio_exit *ex,
                                           struct xa_outcome *out, unsigned *ready,
                                           struct mov_plan *p, const bool window)
{
    const union xa_regval *W = v->regfile;
    struct name_list l;
    union xa_regval got[MAX_NAMES];
    l.n = XAI_MODE_REGS;
    l.have = 0;
    if (!window)
        memcpy(l.names, xai_mode_regs, sizeof(xai_mode_regs));
    struct xa_insn *insn = &out->insn;
    const unsigned nbytes = ex->nbytes;

    /* With the exit's bytes, out->insn is the MOV decoded from them and @p p its plan
     * (front()): its registers come with the mode registers, in one get_regs. */
    if (nbytes && !window)
        plan_names(p, &l);
    if (!window && v->ops->get_regs(v->ctx, l.names, l.n, got) != 0)
        return done(out, XA_ERR_CALLBACK, 0);
    const union xa_regval *R = window ? W : got;
    unsigned i_rip = window ? XA_R_RIP : G_RIP, i_rflags = window ? XA_R_RFLAGS : G_RFLAGS;
    unsigned i_cr0 = window ? XA_R_CR0 : G_CR0, i_cr3 = window ? XA_R_CR3 : G_CR3;
    unsigned i_cr4 = window ? XA_R_CR4 : G_CR4, i_efer = window ? XA_R_EFER : G_EFER;
    unsigned i_cs = window ? XA_R_CS : G_CS, i_ss = window ? XA_R_SS : G_SS;
    uint64_t rip = R[i_rip].u64, rflags = R[i_rflags].u64, cr0 = R[i_cr0].u64;
    uint64_t cr3 = R[i_cr3].u64, cr4 = R[i_cr4].u64, efer = R[i_efer].u64;
    if (!(cr0 & CR0_PE) || !(efer & EFER_LMA) || !(R[i_cs].seg.attr & XA_SEG_ATTR_L)) {
        /* Not 64-bit mode: decoded in the wrong mode, if at all; the registers stand. */
        to_cache(v, l.names, got, l.n, window);
        *ready = XAI_FAST_REGS;
        return XAI_FAST_DECLINED;
    }
    unsigned cpl = (R[i_ss].seg.attr >> XA_SEG_ATTR_DPL_SHIFT) & 3;
    unsigned user = cpl == 3 ? XA_WALK_USER : 0;
    const bool la57 = (cr4 & CR4_LA57) != 0;
    bool cache_ready = false;
    if (cr4 & (CR4_PKE | CR4_PKS)) {
        /* The walks need the keys: the general path's. */
        if (nbytes)
            goto decoded;
        goto regs_only;
    }

    /* Without the exit's bytes: fetched at RIP (64-bit mode: no segment base or limit) to
     * the end of its page, from the RAM window, then decoded (one more get_regs for the
     * operands' registers). Code outside the window is the general path's (mem_read: a
     * device must not see a fetch twice). */
    if (!nbytes) {
        uint64_t code;
        unsigned avail = 4096 - (unsigned)(rip & 0xfff);
        if (avail > XA_MAX_INSN_LENGTH)
            avail = XA_MAX_INSN_LENGTH;
        if (!v->ram || !v->ram_size || !xai_canonical(rip, la57))
            goto regs_only;
        xai_walk_cache_ready(v, cr0, cr3, cr4, efer, 0, 0); /* keys not in force */
        cache_ready = true;
        unsigned got_code = walk(v, rip, XA_ACCESS_FETCH, user, &code);
        if (got_code == WALK_FAILED)
            return done(out, XA_ERR_CALLBACK, 0);
        if (got_code != WALK_OK || code >= v->ram_size || avail > v->ram_size - code)
            goto regs_only;
        uint8_t bytes[16];
        memset(bytes, 0, sizeof(bytes));
        memcpy(bytes, v->ram + code, avail);
        if (!decode64(v, get_le64(bytes), get_le64(bytes + 8), insn, p) || insn->length > avail)
            goto regs_only;
        if (!p->ok)
            goto decoded;
        if (!window) {
            unsigned first = l.n;
            plan_names(p, &l);
            if (l.n > first &&
                v->ops->get_regs(v->ctx, l.names + first, l.n - first, got + first) != 0)
                return done(out, XA_ERR_CALLBACK, insn->mnemonic);
        }
    }
    if (!p->ok)
        goto decoded;

        /* A general register's value: by name in the window, by slot in got[]. */
#define GPR_VALUE(code, slot) (window ? W[(code)&15].u64 : got[slot].u64)

    /* The operand: effective address, linear address (no segment base), one page. */
    const struct xa_mem *m = &insn->mem;
    uint64_t next_rip = rip + insn->length;
    uint64_t ea = (uint64_t)m->disp;
    if (p->base)
        ea += GPR_VALUE(p->base, p->s_base);
    else if (m->base == XA_REG_RIP || m->base == XA_REG_EIP)
        ea += next_rip;
    if (p->index)
        ea += GPR_VALUE(p->index, p->s_index) * m->scale;
    if (insn->adsize == 32)
        ea &= 0xffffffffu;
    if ((ea & 0xfff) + p->size > 4096 || !xai_canonical(ea, la57))
        goto decoded;
    if (cpl == 3 && (cr0 & CR0_AM) && (rflags & XAI_AC) && (ea & (p->size - 1)))
        goto decoded; /* #AC (after the walk's faults): the general path raises it */

    _Static_assert(XAI_AC >> 16 == XA_WALK_AC, "EFLAGS.AC >> 16 is XA_WALK_AC");
    unsigned flags =
        user | ((unsigned)(rflags >> 16) & XA_WALK_AC) | (m->seg == XA_REG_SS ? XA_WALK_SS_REF : 0);
    uint64_t gpa;
    if (!cache_ready)
        xai_walk_cache_ready(v, cr0, cr3, cr4, efer, 0, 0); /* keys not in force */
    unsigned walked = walk(v, ea, p->store ? XA_ACCESS_WRITE : XA_ACCESS_READ, flags, &gpa);
    if (walked == WALK_FAILED)
        return done(out, XA_ERR_CALLBACK, insn->mnemonic);
    if (walked != WALK_OK)
        goto decoded; /* a fault, or A/D to set: the general path walks again */
    /* The exit's GPA (and GVA) inside the operand, else the general path's XA_RETRY. */
    if (ex->gpa - gpa >= p->size || (ex->gva_valid && ex->gva - ea >= p->size))
        goto decoded;

    /* The access, then the registers: the loaded register, RIP, RFLAGS when RF clears
     * (in register-name order, as the general path's commit lists them). */
    uint8_t buf[8];
    uint16_t set_names[3];
    union xa_regval set_vals[3];
    unsigned ns = 0, shift = (p->reg >> 1) & 8;
    if (p->store) {
        uint64_t val = p->imm ? (uint64_t)insn->imm[insn->ops[1].imm_index & 1]
                              : GPR_VALUE(p->reg, p->s_reg) >> shift;
        put_le64(buf, val);
        if (v->ops->mem_write(v->ctx, gpa, buf, p->size, XA_MEM_DATA) != 0)
            return done(out, XA_ERR_CALLBACK, insn->mnemonic);
    } else {
        if (v->ops->mem_read(v->ctx, gpa, buf, p->size, XA_MEM_DATA) != 0)
            return done(out, XA_ERR_CALLBACK, insn->mnemonic);
        uint64_t val = get_le64(buf);
        if (p->size >= 4) {
            val = p->size == 4 ? val & 0xffffffffu : val;
        } else {
            uint64_t mask = ((UINT64_C(1) << (8 * p->size)) - 1) << shift;
            val = (GPR_VALUE(p->reg, p->s_reg) & ~mask) | ((val << shift) & mask);
        }
        set_names[ns] = (uint16_t)(p->reg & 15);
        set_vals[ns++].u64 = val;
    }
#undef GPR_VALUE
    set_names[ns] = XA_R_RIP;
    set_vals[ns++].u64 = next_rip;
    if (rflags & XAI_RF) {
        set_names[ns] = XA_R_RFLAGS;
        set_vals[ns++].u64 = rflags & ~XAI_RF;
    }
    if (v->ops->set_regs(v->ctx, set_names, ns, set_vals) != 0)
        return done(out, XA_ERR_CALLBACK, insn->mnemonic);
    return done(out, XA_OK, insn->mnemonic);

decoded:
    /* The instruction is decoded in 64-bit mode: the general path starts from there, with
     * the registers fetched so far. */
    to_cache(v, l.names, got, window ? XAI_MODE_REGS : l.n, window);
    *ready = XAI_FAST_DECODED;
    return XAI_FAST_DECLINED;

regs_only:
    /* The mode registers (and any others fetched) stand; the instruction is to fetch. */
    to_cache(v, l.names, got, window ? XAI_MODE_REGS : l.n, window);
    *ready = XAI_FAST_REGS;
    return XAI_FAST_DECLINED;
}

/* The rest of the front, compiled twice: with the register window, and with get_regs. */
static XAI_FORCE_INLINE xa_status front_rest(struct xa_vcpu *v, const struct xa_mmio_exit *ex,
                                             struct xa_outcome *out, unsigned *ready,
                                             struct mov_plan *p)
{
    return v->regfile ? front_in(v, ex, out, ready, p, true)
                      : front_in(v, ex, out, ready, p, false);
}

/* With the exit's bytes: decoded as 64-bit code before the mode is known (checked by
 * front_in), padded with zeros to the 15 bytes the decoder's quickest path wants. An
 * instruction it finds within the exit's bytes decodes the same from exactly those (it
 * reads each byte in order and stops at the instruction's end); a longer one is the
 * general path's. Anything but a MOV goes to the general path at once, decoded. */
static XAI_FORCE_INLINE xa_status front(struct xa_vcpu *v, const struct xa_mmio_exit *ex,
                                        struct xa_outcome *out, unsigned *ready)
{
    *ready = XAI_FAST_NOTHING;
    /* A vCPU that was outside 64-bit mode at its last instruction most likely still is:
     * no 64-bit decode first. (An unknown vendor is the decoder's error, which the
     * general path reports: its bytes never decode, so never enter the memo either.) */
    if (v->walk.not64)
        return XAI_FAST_DECLINED;
    unsigned nbytes = ex->nbytes;
    struct mov_plan p;
    memset(&p, 0, sizeof(p));
    if (nbytes) {
        uint64_t lo, hi;
        pad_bytes(&lo, &hi, ex->bytes, nbytes);
        if (!decode64(v, lo, hi, &out->insn, &p) || out->insn.length > nbytes)
            return XAI_FAST_DECLINED;
        if (!p.ok) {
            /* Not a MOV the front finishes: the general path fetches what it needs. */
            *ready = XAI_FAST_DECODED64;
            return XAI_FAST_DECLINED;
        }
    } else if (!v->ram || !v->ram_size || v->model.vendor > XA_VENDOR_AMD) {
        return XAI_FAST_DECLINED; /* code to fetch through mem_read: the general path's */
    }
    return front_rest(v, ex, out, ready, &p);
}

xa_status xai_fast_mmio(struct xa_vcpu *v, const struct xa_mmio_exit *ex, struct xa_outcome *out,
                        unsigned *ready)
{
    return front(v, ex, out, ready);
}

xa_status xa_assist_mmio(struct xa_vcpu *vcpu, const struct xa_mmio_exit *exit,
                         struct xa_outcome *out)
{
    if (!out)
        return XA_ERR_BAD_ARGUMENT;
    if (!vcpu || !vcpu->ops || !exit || exit->nbytes > XA_MAX_INSN_LENGTH) {
        out->status = XA_ERR_BAD_ARGUMENT;
        return XA_ERR_BAD_ARGUMENT;
    }
    unsigned ready;
    xa_status st = front(vcpu, exit, out, &ready);
    if (st != XAI_FAST_DECLINED)
        return st;
    return xai_assist_mmio_from(vcpu, exit, out, ready);
}
