/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The entry points: xa_emulate, xa_step, xa_assist_mmio, xa_assist_io. One instruction:
 * the mode registers (one get_regs), the fetch at CS:RIP (exit bytes first),
 * the decode, the LOCK and privilege checks, the operand registers (one
 * get_regs), the memory operand's translation (every fault it can raise comes
 * before anything happens; the exit's GPA/GVA is checked here), the handler,
 * the commit.
 */
#include <string.h>

#include "emulator/core/core.h"
#include "emulator/core/fast.h"
#include "emulator/handlers.h"

#define CR4_LA57 (UINT64_C(1) << 12)

static void emu_init(struct xai_emu *e, struct xa_vcpu *v, struct xa_outcome *out)
{
    /* Field by field: the staging buffers need no clearing. */
    e->v = v;
    e->insn = NULL;
    e->out = out;
    e->locked = false;
    e->ps_ready = false;
    e->mop.ready = false;
    e->mop.have_value = false;
    e->mop.adjust = 0;
    e->nstaged = 0;
    e->staged_locked = false;
    e->mi = -1;
    e->exit = NULL;
    e->exit_check = XAI_EXIT_NONE;
    e->exit_matched = false;
    e->ac_elem = 0;
    e->partial = false;
    e->io_exit = NULL;
    out->status = XA_OK;
    out->mnemonic = 0;
    memset(&out->exception, 0, sizeof(out->exception));
}

static enum xa_mode mode_of(const struct xai_emu *e)
{
    switch (e->cpumode) {
    case XA_CPU_REAL:
    case XA_CPU_V86: return XA_MODE_REAL;
    case XA_CPU_LONG: return XA_MODE_64;
    default: return (e->v->regs.val[XA_R_CS].seg.attr & XA_SEG_ATTR_DB) ? XA_MODE_32 : XA_MODE_16;
    }
}

static unsigned code_size(enum xa_mode m)
{
    return m == XA_MODE_64 ? 8 : m == XA_MODE_32 ? 4 : 2;
}

static enum xa_mode decode_mode(const struct xai_emu *e)
{
    return e->dmode;
}

/* The mode from the cached mode registers (load_mode, or the fast path's batch). */
static void derive_mode(struct xai_emu *e)
{
    const union xa_regval *val = e->v->regs.val;
    e->rip = val[XA_R_RIP].u64;
    e->rflags = e->rflags0 = val[XA_R_RFLAGS].u64;
    e->cpumode =
        xa_cpu_mode_of(val[XA_R_CR0].u64, val[XA_R_EFER].u64, e->rflags, val[XA_R_CS].seg.attr);
    if (e->cpumode == XA_CPU_REAL)
        e->cpl = 0;
    else if (e->cpumode == XA_CPU_V86)
        e->cpl = 3;
    else
        e->cpl = (uint8_t)((val[XA_R_SS].seg.attr >> XA_SEG_ATTR_DPL_SHIFT) & 3);
    e->la57 = (val[XA_R_CR4].u64 & CR4_LA57) != 0;
    e->dmode = mode_of(e);
}

static xa_status load_mode(struct xai_emu *e)
{
    /* The cache was just reset: one get_regs (or the register window) for the mode
     * registers (xai_mode_regs), each value to its slot. */
    struct xa_vcpu *v = e->v;
    union xa_regval got[XAI_MODE_REGS];
    if (v->regfile) {
        for (unsigned k = 0; k < XAI_MODE_REGS; k++)
            xai_reg_copy(&got[k], &v->regfile[xai_mode_regs[k]], xai_mode_regs[k]);
    } else if (v->ops->get_regs(v->ctx, xai_mode_regs, XAI_MODE_REGS, got) != 0) {
        return XA_ERR_CALLBACK;
    }
    xai_regs_store_mode(v, got);
    derive_mode(e);
    return XA_OK;
}

/* Reads more instruction bytes: from CS:RIP+n to the end of that page, at most 15 in
 * all and within the CS limit; the walk is a fetch (user at CPL 3). */
static xa_status fetch_more(struct xai_emu *e, uint8_t *buf, unsigned *n, unsigned asz)
{
    const struct xa_segment *cs = &e->v->regs.val[XA_R_CS].seg;
    uint64_t mask = asz == 8 ? ~UINT64_C(0) : asz == 4 ? 0xffffffffu : 0xffffu;
    uint64_t off = (e->rip + *n) & mask;
    unsigned want = XA_MAX_INSN_LENGTH - *n;
    if (e->cpumode != XA_CPU_LONG && off <= cs->limit && cs->limit - off + 1 < want)
        want = (unsigned)(cs->limit - off + 1);
    /* The linear address (to know where the page ends) as the segmentation computes it:
     * the CS base counts outside 64-bit mode, and wraps at 4 GiB. The translation below
     * makes every check of the bytes (segment, canonical, page walk). */
    uint64_t la = e->cpumode == XA_CPU_LONG ? off : (cs->base + off) & 0xffffffffu;
    unsigned in_page = 4096u - (unsigned)(la & 0xfff);
    if (want > in_page)
        want = in_page;
    struct xai_xlat x;
    XAI_TRY(xai_translate(e, XA_SEG_CS, off, asz, want, XA_ACCESS_FETCH, &x));
    XAI_TRY(xai_fetch_read(e, &x, buf + *n));
    *n += want;
    return XA_OK;
}

static xa_status fetch_decode(struct xai_emu *e, const uint8_t *xbytes, unsigned xn,
                              struct xa_insn *insn)
{
    uint8_t buf[XA_MAX_INSN_LENGTH];
    const uint8_t *bytes = buf;
    unsigned n = 0;
    if (xn) {
        /* The exit's bytes are decoded where they are; copied only to fetch more. */
        n = xn > XA_MAX_INSN_LENGTH ? XA_MAX_INSN_LENGTH : xn;
        bytes = xbytes;
    }
    enum xa_mode mode = decode_mode(e);
    /* No bytes yet: the decoder could only say XA_ERR_TRUNCATED (unless the vendor is not
     * one it knows, an error it must report before any fetch), so fetch at once. */
    if (n == 0 && e->v->model.vendor <= XA_VENDOR_AMD)
        XAI_TRY(fetch_more(e, buf, &n, code_size(mode)));
    for (;;) {
        xa_status st = xa_decode(insn, mode, (enum xa_vendor)e->v->model.vendor, bytes, n);
        if (st == XA_OK)
            break;
        if (st == XA_ERR_TRUNCATED && n < XA_MAX_INSN_LENGTH) {
            if (bytes != buf) {
                memcpy(buf, bytes, n);
                bytes = buf;
            }
            XAI_TRY(fetch_more(e, buf, &n, code_size(mode)));
            continue;
        }
        if (st == XA_ERR_INVALID)
            return xai_raise(e, XA_VEC_UD, false, 0);
        if (st == XA_ERR_TOO_LONG || st == XA_ERR_TRUNCATED)
            return xai_raise(e, XA_VEC_GP, true, 0);
        return st;
    }
    return XA_OK;
}

/* Instructions whose memory operand is not where it is at the start: POP (RSP moves
 * first), BT* with a register bit offset (the operand moves by it). */
static bool memop_moves(const struct xa_insn *insn)
{
    switch (insn->mnemonic) {
    case XA_MNEM_POP: return true;
    case XA_MNEM_BT:
    case XA_MNEM_BTS:
    case XA_MNEM_BTR:
    case XA_MNEM_BTC: return insn->operand_count > 1 && insn->ops[1].type == XA_OP_REG;
    default: return false;
    }
}

static bool uses_stack(const struct xa_insn *insn)
{
    return insn->mnemonic == XA_MNEM_PUSH || insn->mnemonic == XA_MNEM_POP;
}

/* The string instructions (the engine checks an exit against their first element). */
static bool is_string(const struct xa_insn *insn)
{
    return insn->map == XA_MAP_1BYTE && insn->operand_count == 0 &&
           (insn->attributes & (XA_ATTR_REP | XA_ATTR_REPCC));
}

/* The I/O an instruction makes (IN/OUT/INS/OUTS): *is_io false for anything else. */
static xa_status io_of(struct xai_emu *e, bool *is_io, unsigned *port, unsigned *size, bool *in,
                       bool *string)
{
    const struct xa_insn *insn = e->insn;
    uint64_t dx = 0;
    *is_io = false;
    switch (insn->mnemonic) {
    case XA_MNEM_IN:
    case XA_MNEM_OUT: {
        if (insn->operand_count != 2)
            return XA_OK;
        *in = insn->mnemonic == XA_MNEM_IN;
        const struct xa_operand *p = &insn->ops[*in ? 1 : 0];
        *size = insn->ops[*in ? 0 : 1].size;
        *string = false;
        if (p->type == XA_OP_IMM) {
            *port = (unsigned)(insn->imm[p->imm_index & 1] & 0xff);
            *is_io = true;
            return XA_OK;
        }
        break;
    }
    case XA_MNEM_INSB: *size = 1, *in = true, *string = true; break;
    case XA_MNEM_INSW: *size = 2, *in = true, *string = true; break;
    case XA_MNEM_INSD: *size = 4, *in = true, *string = true; break;
    case XA_MNEM_OUTSB: *size = 1, *in = false, *string = true; break;
    case XA_MNEM_OUTSW: *size = 2, *in = false, *string = true; break;
    case XA_MNEM_OUTSD: *size = 4, *in = false, *string = true; break;
    default: return XA_OK;
    }
    XAI_TRY(xai_gpr_get(e, XA_REG_DX, &dx));
    *port = (unsigned)dx;
    *is_io = true;
    return XA_OK;
}

/* xa_assist_io: the decoded instruction must be the exit's (else the guest changed it). */
static xa_status io_exit_check(struct xai_emu *e)
{
    const struct xa_io_exit *ex = e->io_exit;
    unsigned port = 0, size = 0;
    bool is_io, in = false, string = false;
    bool rep = (e->insn->prefixes & (XA_PFX_REP | XA_PFX_REPNE)) != 0;
    XAI_TRY(io_of(e, &is_io, &port, &size, &in, &string));
    if (!is_io || port != ex->port || size != ex->size || in != ex->in || string != ex->string ||
        (string && rep != ex->rep))
        return XA_RETRY;
    return XA_OK;
}

/* Adds register @p r to the batch unless it is cached or already in it. */
static void want_reg(uint64_t *have, uint16_t *want, unsigned *n, unsigned r)
{
    uint64_t bit = UINT64_C(1) << (r & 63);
    if (have[r >> 6] & bit)
        return;
    have[r >> 6] |= bit;
    want[(*n)++] = (uint16_t)r;
}

/* One get_regs for the registers the operands name (none when all are cached). */
static xa_status fetch_operand_regs(struct xai_emu *e)
{
    const struct xa_insn *insn = e->insn;
    struct xa_regcache *rc = &e->v->regs;
    uint64_t have[sizeof(rc->valid) / sizeof(rc->valid[0])];
    memcpy(have, rc->valid, sizeof(have));
    uint16_t want[12]; /* 5 operands, base, index, segment, RSP: at most 9 */
    unsigned n = 0, name, shift, size;
    unsigned count = insn->operand_count < 5 ? insn->operand_count : 5;
    for (unsigned i = 0; i < count; i++) {
        const struct xa_operand *op = &insn->ops[i];
        if (op->type == XA_OP_REG) {
            if (xai_gpr_info(op->reg, &name, &shift, &size)) {
                /* A 32- or 64-bit register only written needs no old value. */
                if ((op->access & XA_ACC_READ) || size < 4)
                    want_reg(have, want, &n, name);
            } else if (op->reg >= XA_REG_ES && op->reg <= XA_REG_GS) {
                want_reg(have, want, &n, XA_R_ES + (op->reg - XA_REG_ES));
            }
        } else if (op->type == XA_OP_MEM) {
            const struct xa_mem *m = &insn->mem;
            if (xai_gpr_info(m->base, &name, &shift, &size))
                want_reg(have, want, &n, name);
            if (xai_gpr_info(m->index, &name, &shift, &size))
                want_reg(have, want, &n, name);
            if (m->seg >= XA_REG_ES && m->seg <= XA_REG_GS)
                want_reg(have, want, &n, XA_R_ES + (m->seg - XA_REG_ES));
        }
    }
    if (uses_stack(insn))
        want_reg(have, want, &n, XA_R_RAX + 4); /* RSP */
    return n ? xai_regs_load(e, want, n) : XA_OK;
}

static xa_status run_insn(struct xai_emu *e)
{
    const struct xa_insn *insn = e->insn;
    int mi = xai_memop_index(insn);
    e->mi = (int8_t)mi;
    e->out->mnemonic = insn->mnemonic;
    enum xa_mode mode = decode_mode(e);
    uint64_t ipmask = mode == XA_MODE_64   ? ~UINT64_C(0)
                      : mode == XA_MODE_32 ? 0xffffffffu
                                           : 0xffffu;
    e->next_rip = (e->rip + insn->length) & ipmask;

    /* LOCK: only on a lockable instruction with a memory destination (the decoder already
     * calls anything else invalid; checked again because the insn may come from a caller). */
    if (insn->prefixes & XA_PFX_LOCK) {
        if (!(insn->attributes & XA_ATTR_LOCKABLE) || mi < 0 ||
            !(insn->ops[mi].access & XA_ACC_WRITE))
            return xai_raise(e, XA_VEC_UD, false, 0);
    }
    e->locked = (insn->prefixes & XA_PFX_LOCK) || (insn->mnemonic == XA_MNEM_XCHG && mi >= 0);
    if ((insn->attributes & XA_ATTR_PRIVILEGED) && e->cpl != 0)
        return xai_raise(e, XA_VEC_GP, true, 0);

    xai_exec_fn exec = xai_find_handler(insn->mnemonic);
    if (!exec)
        return XA_ERR_UNSUPPORTED;

    XAI_TRY(fetch_operand_regs(e));
    bool moves = memop_moves(insn);
    if (e->io_exit)
        XAI_TRY(io_exit_check(e));
    if (e->exit && (insn->mnemonic == XA_MNEM_IN || insn->mnemonic == XA_MNEM_OUT))
        return XA_RETRY; /* an MMIO exit cannot be a port access: the guest changed */
    if (e->exit && !is_string(insn))
        e->exit_check = (moves || uses_stack(insn) || mi < 0) ? XAI_EXIT_ANY : XAI_EXIT_OPERAND;
    /* Every fault of the memory operand before anything is read; the exit check. */
    if (mi >= 0 && !moves)
        XAI_TRY(xai_memop_prepare(e));

    for (unsigned tries = 0;; tries++) {
        xa_status hs = exec(e);
        if (hs != XA_OK) {
            /* A REP instruction stopped part-way: its completed iterations stand (their
             * registers, RIP unchanged), then the status (XA_CONTINUE, the fault...). */
            if (e->partial) {
                bool unused;
                XAI_TRY(xai_commit(e, &unused));
            }
            return hs;
        }
        bool changed;
        xa_status st = xai_commit(e, &changed);
        if (!changed)
            return st;
        if (tries + 1 >= XAI_LOCK_RETRIES)
            return XA_RETRY;
        /* Memory changed under a LOCKed read-modify-write: run the handler again on the
         * new value (handlers are pure functions of what they read). */
        xai_regs_discard(e->v);
        e->rflags = e->rflags0;
        e->nstaged = 0;
        e->staged_locked = false;
        e->mop.have_value = false;
    }
}

static xa_status finish(struct xai_emu *e, xa_status st)
{
    if (st != XA_OK)
        xai_regs_discard(e->v);
    e->out->status = st;
    return st;
}

xa_status xa_emulate(struct xa_vcpu *vcpu, const struct xa_insn *insn, struct xa_outcome *out)
{
    if (!out)
        return XA_ERR_BAD_ARGUMENT;
    struct xai_emu e;
    if (!vcpu || !vcpu->ops || !insn) {
        out->status = XA_ERR_BAD_ARGUMENT;
        return XA_ERR_BAD_ARGUMENT;
    }
    xa_vcpu_reset(vcpu);
    emu_init(&e, vcpu, out);
    if (&out->insn != insn)
        out->insn = *insn;
    out->mnemonic = insn->mnemonic;
    xa_status st = load_mode(&e);
    if (st == XA_OK &&
        (insn->mode != decode_mode(&e) || insn->length == 0 || insn->length > XA_MAX_INSN_LENGTH))
        st = XA_ERR_BAD_ARGUMENT;
    if (st == XA_OK) {
        e.insn = &out->insn;
        st = run_insn(&e);
    }
    return finish(&e, st);
}

/* Fetch, decode, emulate and commit one instruction; both exits are NULL for xa_step.
 * @p ready (enum xai_fast_ready): what the MMIO fast path already did. */
static xa_status assist(struct xa_vcpu *vcpu, const struct xa_mmio_exit *exit,
                        const struct xa_io_exit *io_exit, struct xa_outcome *out, unsigned ready)
{
    struct xai_emu e;
    bool fetched = ready == XAI_FAST_REGS || ready == XAI_FAST_DECODED;
    if (!fetched)
        xa_vcpu_reset(vcpu);
    emu_init(&e, vcpu, out);
    xa_status st = XA_OK;
    if (!fetched)
        st = load_mode(&e);
    else
        derive_mode(&e);
    /* For the MMIO front: a guest outside 64-bit mode gets no 64-bit decode first. */
    if (st == XA_OK)
        vcpu->walk.not64 = e.cpumode != XA_CPU_LONG;
    bool decoded =
        ready == XAI_FAST_DECODED || (ready == XAI_FAST_DECODED64 && decode_mode(&e) == XA_MODE_64);
    if (st == XA_OK && !decoded) {
        const uint8_t *bytes = exit ? exit->bytes : io_exit ? io_exit->bytes : NULL;
        unsigned n = exit ? exit->nbytes : io_exit ? io_exit->nbytes : 0;
        st = fetch_decode(&e, bytes, n, &out->insn);
    }
    if (st == XA_OK) {
        e.insn = &out->insn;
        e.exit = exit;
        e.io_exit = io_exit;
        st = run_insn(&e);
    }
    return finish(&e, st);
}

xa_status xa_step(struct xa_vcpu *vcpu, struct xa_outcome *out)
{
    if (!out)
        return XA_ERR_BAD_ARGUMENT;
    if (!vcpu || !vcpu->ops) {
        out->status = XA_ERR_BAD_ARGUMENT;
        return XA_ERR_BAD_ARGUMENT;
    }
    return assist(vcpu, NULL, NULL, out, XAI_FAST_NOTHING);
}

xa_status xai_assist_mmio_from(struct xa_vcpu *vcpu, const struct xa_mmio_exit *exit,
                               struct xa_outcome *out, unsigned ready)
{
    return assist(vcpu, exit, NULL, out, ready);
}

xa_status xai_assist_mmio_general(struct xa_vcpu *vcpu, const struct xa_mmio_exit *exit,
                                  struct xa_outcome *out)
{
    return assist(vcpu, exit, NULL, out, XAI_FAST_NOTHING);
}

xa_status xa_assist_io(struct xa_vcpu *vcpu, const struct xa_io_exit *exit, struct xa_outcome *out)
{
    if (!out)
        return XA_ERR_BAD_ARGUMENT;
    if (!vcpu || !vcpu->ops || !exit || exit->nbytes > XA_MAX_INSN_LENGTH ||
        (exit->size != 1 && exit->size != 2 && exit->size != 4)) {
        out->status = XA_ERR_BAD_ARGUMENT;
        return XA_ERR_BAD_ARGUMENT;
    }
    return assist(vcpu, NULL, exit, out, XAI_FAST_NOTHING);
}

/* ---- the handler interface's facts (emu.h) ------------------------------- */

const struct xa_insn *xai_insn(const struct xai_emu *e)
{
    return e->insn;
}

unsigned xai_cpl(const struct xai_emu *e)
{
    return e->cpl;
}

enum xa_cpu_mode xai_mode(const struct xai_emu *e)
{
    return e->cpumode;
}

const struct xa_cpu_model *xai_model(const struct xai_emu *e)
{
    return &e->v->model;
}

uint64_t *xai_rflags(struct xai_emu *e)
{
    return &e->rflags;
}
