/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Operand and memory access for the handlers: effective address, segmentation,
 * the canonical check, the page walk with the access's final kind, #AC, the
 * split at a page boundary, reads when asked, writes staged for the commit.
 */
#include <string.h>

#include "emulator/core/core.h"

#define CR0_AM  (UINT64_C(1) << 18)
#define CR4_PKE (UINT64_C(1) << 22)
#define CR4_PKS (UINT64_C(1) << 24)

/* The walk cache's refill stays out of line: the check of every exit keeps few registers. */
#if defined(__GNUC__) || defined(__clang__)
#define CACHE_FILL_ATTR __attribute__((noinline))
#else
#define CACHE_FILL_ATTR
#endif

/* ---- the walker's view of guest memory: the vCPU's callbacks ----------- */

/* The walk context is the vCPU (not the per-call state): the walk cache outlives a call. */
static int walk_read(void *ctx, uint64_t gpa, void *buf, size_t size)
{
    const struct xa_vcpu *v = ctx;
    return v->ops->mem_read(v->ctx, gpa, buf, size, XA_MEM_PAGE_WALK) == 0 ? 0 : -1;
}

static int walk_cmpxchg(void *ctx, uint64_t gpa, const void *expected, const void *desired,
                        size_t size)
{
    const struct xa_vcpu *v = ctx;
    uint8_t cur[8];
    if (size > sizeof(cur))
        return -1;
    memcpy(cur, expected, size);
    int r = v->ops->mem_cmpxchg(v->ctx, gpa, cur, desired, size, XA_MEM_PAGE_WALK);
    return r == 0 ? 0 : r == 1 ? 1 : -1;
}

static int walk_write(void *ctx, uint64_t gpa, const void *buf, size_t size)
{
    const struct xa_vcpu *v = ctx;
    return v->ops->mem_write(v->ctx, gpa, buf, size, XA_MEM_PAGE_WALK) == 0 ? 0 : -1;
}

/* Makes the walk cache anew from the current state (out of line: the rare case). */
static CACHE_FILL_ATTR void cache_fill(struct xa_vcpu *v, uint64_t cr0, uint64_t cr3, uint64_t cr4,
                                       uint64_t efer, uint32_t pkru, uint32_t pkrs, uint64_t model)
{
    struct xa_walk_cache *c = &v->walk;
    c->state = 1;
    c->owner = v;
    c->model = model;
    c->keys = pkru | (uint64_t)pkrs << 32;
    c->ram = v->ram;
    c->ram_size = v->ram_size;
    c->cmpxchg = v->ops->mem_cmpxchg;
    c->ps.cr0 = cr0;
    c->ps.cr3 = cr3;
    c->ps.cr4 = cr4;
    c->ps.efer = efer;
    c->ps.pkru = pkru;
    c->ps.pkrs = pkrs;
    c->ps.has_pdptes = false;
    memset(c->ps.pdpte, 0, sizeof(c->ps.pdpte));
    c->ps.cpu = v->model;
    c->ops.read = walk_read;
    c->ops.cmpxchg = v->ops->mem_cmpxchg ? walk_cmpxchg : NULL;
    c->ops.write = walk_write;
    /* The hypervisor's RAM window: page-table entries inside it are read directly. */
    c->ops.ram = v->ram_size ? v->ram : NULL;
    c->ops.ram_size = v->ram ? v->ram_size : 0;
}

void xai_walk_cache_update(struct xa_vcpu *v, bool current, uint64_t cr0, uint64_t cr3,
                           uint64_t cr4, uint64_t efer, uint32_t pkru, uint32_t pkrs)
{
    if (!current) {
        cache_fill(v, cr0, cr3, cr4, efer, pkru, pkrs, xai_model_key(v));
        return;
    }
    /* Seen twice in a row: worth preparing (a state that changes at every exit, as CR3
     * may, keeps the plain walk and never pays for the preparation). */
    xai_walk_cache_prepare(v);
}

xa_status xai_walk_unmemoized(struct xa_vcpu *v, uint64_t la, enum xa_access access, unsigned flags,
                              struct xa_walk_result *w, struct xa_exception *exc)
{
    const struct xa_walk_cache *c = &v->walk;
    return c->state == 4 ? xa_walk_prepared(&c->prep, la, access, flags, w, exc)
                         : xa_walk(&c->ps, &c->ops, v, la, access, flags, w, exc);
}

void xai_walk_cache_prepare(struct xa_vcpu *v)
{
    struct xa_walk_cache *c = &v->walk;
    if (c->state == 1) {
        /* Without a RAM window the memos would never record: state 4 walks without them. */
        c->state = xa_mmu_prepare(&c->ps, &c->ops, v, &c->prep) != XA_OK ? 3 : c->ops.ram ? 2 : 4;
        xa_walk_memo_reset(&c->memo[0]); /* they speak for the walks of the earlier prep */
        xa_walk_memo_reset(&c->memo[1]);
    }
}

xa_status xai_paging_setup(struct xai_emu *e)
{
    static const uint16_t need[] = {XA_R_CR0, XA_R_CR3, XA_R_CR4, XA_R_EFER};
    const uint64_t need_bits = (UINT64_C(1) << XA_R_CR0) | (UINT64_C(1) << XA_R_CR3) |
                               (UINT64_C(1) << XA_R_CR4) | (UINT64_C(1) << XA_R_EFER);
    _Static_assert(XA_R_EFER < 64, "the paging registers in the first word");
    struct xa_vcpu *v = e->v;
    if ((v->regs.valid[0] & need_bits) != need_bits) /* normally cached since the start */
        XAI_TRY(xai_regs_fetch(e, need, 4));
    const union xa_regval *val = v->regs.val;
    uint64_t cr0 = val[XA_R_CR0].u64, cr3 = val[XA_R_CR3].u64, cr4 = val[XA_R_CR4].u64;
    uint64_t efer = val[XA_R_EFER].u64, r;
    uint32_t pkru = 0, pkrs = 0;
    if ((cr0 >> 31) & 1) {
        /* The protection keys only matter when enabled: fetched on demand. */
        if (cr4 & CR4_PKE) {
            XAI_TRY(xai_reg_get(e, XA_R_PKRU, &r));
            pkru = (uint32_t)r;
        }
        if (cr4 & CR4_PKS) {
            XAI_TRY(xai_reg_get(e, XA_R_PKRS, &r));
            pkrs = (uint32_t)r;
        }
    }
    e->ps_ready = true;
    xai_walk_cache_ready(v, cr0, cr3, cr4, efer, pkru, pkrs);
    return XA_OK;
}

xa_status xai_raise(struct xai_emu *e, unsigned vector, bool has_error_code, uint32_t error_code)
{
    e->out->exception.vector = (uint8_t)vector;
    e->out->exception.has_error_code = has_error_code;
    e->out->exception.error_code = error_code;
    e->out->exception.cr2 = 0;
    return XA_EXCEPTION;
}

static xa_status raise_exc(struct xai_emu *e, const struct xa_exception *exc)
{
    e->out->exception = *exc;
    return XA_EXCEPTION;
}

/* Whether the exit's GPA (and GVA) fall inside the access. */
static bool exit_matches(const struct xai_emu *e, const struct xai_xlat *x)
{
    const struct xa_mmio_exit *ex = e->exit;
    bool hit = false;
    for (unsigned k = 0; k < x->count; k++)
        hit |= ex->gpa - x->gpa[k] < x->len[k];
    if (hit && ex->gva_valid) {
        uint64_t off = ex->gva - x->la;
        if (e->cpumode != XA_CPU_LONG)
            off &= 0xffffffffu; /* linear addresses wrap at 4 GiB */
        hit = off < x->size;
    }
    return hit;
}

static inline xa_status translate_la(struct xai_emu *e, unsigned seg, uint64_t la, uint32_t size,
                                     enum xa_access access, struct xai_xlat *x);

/* xai_translate, inlined into the operand's path. */
static inline xa_status translate(struct xai_emu *e, unsigned seg, uint64_t offset,
                                  unsigned addr_size, uint32_t size, enum xa_access access,
                                  struct xai_xlat *x)
{
    const struct xa_segment *s;
    XAI_TRY(xai_seg_get(e, seg, &s));
    uint64_t la;
    if (e->cpumode == XA_CPU_LONG && seg <= XA_SEG_GS && (addr_size == 8 || addr_size == 4) &&
        size - 1 < 4096u) {
        /* 64-bit mode, as xa_segment_to_linear computes it (the base of FS and GS only, no
         * limit or type checks): the common case inline; a non-canonical address takes
         * the call below, which raises its fault. */
        uint64_t first = addr_size == 4 ? offset & 0xffffffffu : offset;
        if (seg == XA_SEG_FS || seg == XA_SEG_GS)
            first += s->base;
        if (xai_canonical(first, e->la57) && xai_canonical(first + (size - 1), e->la57))
            return translate_la(e, seg, first, size, access, x);
    }
    struct xa_seg_access sa = {e->cpumode, e->cpl, (uint8_t)addr_size, e->la57};
    struct xa_exception exc;
    xa_status st = xa_segment_to_linear(s, (enum xa_seg)seg, &sa, offset, size, access, &la, &exc);
    if (st == XA_EXCEPTION)
        return raise_exc(e, &exc);
    XAI_TRY(st);
    return translate_la(e, seg, la, size, access, x);
}

xa_status xai_translate(struct xai_emu *e, unsigned seg, uint64_t offset, unsigned addr_size,
                        uint32_t size, enum xa_access access, struct xai_xlat *x)
{
    return translate(e, seg, offset, addr_size, size, access, x);
}

static inline xa_status translate_la(struct xai_emu *e, unsigned seg, uint64_t la, uint32_t size,
                                     enum xa_access access, struct xai_xlat *x)
{
    XAI_TRY(xai_paging_ready(e));
    unsigned flags = 0;
    if (e->cpl == 3)
        flags |= XA_WALK_USER;
    if (access != XA_ACCESS_FETCH && (e->rflags0 & XAI_AC))
        flags |= XA_WALK_AC;
    if (seg == XA_SEG_SS)
        flags |= XA_WALK_SS_REF;
    struct xa_exception exc;
    xa_status st;
    if ((la & 0xfff) + size <= 4096) {
        /* One page (nearly every access): one walk, nothing else to assemble. */
        struct xa_walk_result w;
        st = xai_walk_cached(e->v, la, access, flags, &w, &exc);
        if (st == XA_OK) {
            x->count = 1;
            x->gpa[0] = w.gpa;
            x->len[0] = size;
            x->gpa[1] = 0;
            x->len[1] = 0;
        }
    } else {
        /* Two pages: both walked and checked before any A/D bit is written. */
        struct xa_translation tr;
        const struct xa_walk_cache *c = &e->v->walk;
        st = xa_translate(&c->ps, &c->ops, e->v, la, size, access, flags, &tr, &exc);
        if (st == XA_OK) {
            x->count = tr.count;
            x->gpa[0] = tr.gpa[0];
            x->len[0] = tr.len[0];
            x->gpa[1] = tr.count > 1 ? tr.gpa[1] : 0;
            x->len[1] = tr.count > 1 ? tr.len[1] : 0;
        }
    }
    if (st == XA_EXCEPTION)
        return raise_exc(e, &exc);
    /* An impossible paging state (long mode without paging, say) is the caller's
     * error, not an instruction the library cannot emulate: say so distinctly. */
    XAI_TRY(st);
    /* #AC comes after the page fault checks (SDM vol. 3 table 6-2 lists it last). */
    if (access != XA_ACCESS_FETCH && e->cpl == 3 && (e->v->walk.ps.cr0 & CR0_AM) &&
        (e->rflags0 & XAI_AC) && size > 1) {
        uint32_t acs = e->ac_elem ? e->ac_elem : size; /* a string run: per element */
        uint64_t align = acs >= 8 ? 8 : acs >= 4 ? 4 : acs >= 2 ? 2 : 1;
        if (la & (align - 1))
            return xai_raise(e, XA_VEC_AC, true, 0);
    }
    x->la = la;
    x->size = size;
    if (e->exit_check != XAI_EXIT_NONE && access != XA_ACCESS_FETCH && !e->exit_matched)
        e->exit_matched = exit_matches(e, x);
    return XA_OK;
}

xa_status xai_fetch_read(struct xai_emu *e, const struct xai_xlat *x, uint8_t *buf)
{
    const struct xa_vcpu *v = e->v;
    for (unsigned k = 0; k < x->count; k++) {
        uint64_t gpa = x->gpa[k];
        uint32_t len = x->len[k];
        if (v->ram && gpa < v->ram_size && len <= v->ram_size - gpa)
            memcpy(buf, v->ram + gpa, len); /* guest RAM the hypervisor mapped for us */
        else if (v->ops->mem_read(v->ctx, gpa, buf, len, XA_MEM_FETCH) != 0)
            return XA_ERR_CALLBACK;
        buf += len;
    }
    return XA_OK;
}

xa_status xai_read_pieces(struct xai_emu *e, const struct xai_xlat *x, uint8_t *buf)
{
    unsigned flags = XA_MEM_DATA | (e->locked ? XA_MEM_LOCKED : 0);
    const struct xa_cpu_ops *ops = e->v->ops;
    if (ops->mem_read(e->v->ctx, x->gpa[0], buf, x->len[0], flags) != 0)
        return XA_ERR_CALLBACK;
    if (x->count > 1 && ops->mem_read(e->v->ctx, x->gpa[1], buf + x->len[0], x->len[1], flags) != 0)
        return XA_ERR_CALLBACK;
    return XA_OK;
}

int xai_memop_index(const struct xa_insn *insn)
{
    for (unsigned i = 0; i < insn->operand_count && i < 5; i++)
        if (insn->ops[i].type == XA_OP_MEM)
            return (int)i;
    return -1;
}

static xa_status effective_address(struct xai_emu *e, uint64_t *ea)
{
    const struct xa_insn *insn = e->insn;
    const struct xa_mem *m = &insn->mem;
    uint64_t a = (uint64_t)m->disp, v;
    if (insn->attributes & XA_ATTR_VSIB)
        return XA_ERR_UNSUPPORTED;
    if (m->base == XA_REG_RIP || m->base == XA_REG_EIP) {
        a += e->next_rip;
    } else if (m->base != XA_REG_NONE) {
        XAI_TRY(xai_gpr_get(e, m->base, &v));
        a += v;
    }
    if (m->index != XA_REG_NONE) {
        XAI_TRY(xai_gpr_get(e, m->index, &v));
        a += v * m->scale;
    }
    a += (uint64_t)e->mop.adjust;
    if (insn->adsize == 16)
        a &= 0xffff;
    else if (insn->adsize == 32)
        a &= 0xffffffffu;
    *ea = a;
    return XA_OK;
}

/* Translates the explicit memory operand for @p access. */
static xa_status memop_translate(struct xai_emu *e, const struct xa_operand *op,
                                 enum xa_access access)
{
    const struct xa_insn *insn = e->insn;
    if (op->size == 0 || op->size > XAI_MAX_ACCESS)
        return XA_ERR_UNSUPPORTED;
    if (insn->mem.seg < XA_REG_ES || insn->mem.seg > XA_REG_GS)
        return XA_ERR_UNSUPPORTED;
    uint64_t ea;
    XAI_TRY(effective_address(e, &ea));
    XAI_TRY(translate(e, insn->mem.seg - XA_REG_ES, ea, insn->adsize / 8u, op->size, access,
                      &e->mop.x));
    e->mop.ready = true;
    e->mop.access = (uint8_t)access;
    /* The exit named this operand: a mismatch means the guest changed the code or
     * the page tables since the exit: nothing has happened yet, re-enter the guest. */
    if (e->exit_check == XAI_EXIT_OPERAND && !e->exit_matched)
        return XA_RETRY;
    return XA_OK;
}

xa_status xai_memop_ea(struct xai_emu *e, uint64_t *ea)
{
    return effective_address(e, ea);
}

xa_status xai_memop_prepare(struct xai_emu *e)
{
    int i = e->mi;
    if (i < 0 || e->mop.ready)
        return XA_OK;
    if (e->insn->isa_set != XA_ISA_BASE) {
        /* Vector moves and direct stores: #UD/#NM and alignment come before any memory
         * fault; a masked operand is translated element by element (core/vector.c). */
        bool deferred = false;
        XAI_TRY(xai_vec_prepare(e, &deferred));
        if (deferred)
            return XA_OK;
    }
    const struct xa_operand *op = &e->insn->ops[i];
    if (!(op->access & (XA_ACC_READ | XA_ACC_WRITE)))
        return XA_OK; /* LEA, NOP, prefetches: the address is never accessed */
    return memop_translate(e, op, (op->access & XA_ACC_WRITE) ? XA_ACCESS_WRITE : XA_ACCESS_READ);
}

/* ---- operands ---------------------------------------------------------- */

/* Guest (little-endian) byte order on any host; the usual sizes without a loop. */
static void to_le(uint8_t *buf, uint64_t v, unsigned size)
{
    if (size == 4) {
        buf[0] = (uint8_t)v;
        buf[1] = (uint8_t)(v >> 8);
        buf[2] = (uint8_t)(v >> 16);
        buf[3] = (uint8_t)(v >> 24);
        return;
    }
    for (unsigned k = 0; k < size; k++)
        buf[k] = (uint8_t)(v >> (8 * k));
}

static uint64_t from_le(const uint8_t *buf, unsigned size)
{
    switch (size) {
    case 1: return buf[0];
    case 2: return (uint64_t)buf[0] | (uint64_t)buf[1] << 8;
    case 4:
        return (uint64_t)buf[0] | (uint64_t)buf[1] << 8 | (uint64_t)buf[2] << 16 |
               (uint64_t)buf[3] << 24;
    default: break;
    }
    uint64_t v = 0;
    for (unsigned k = size; k-- > 0;)
        v = (v << 8) | buf[k];
    return v;
}

static uint64_t mask_size(uint64_t v, unsigned size)
{
    return size >= 8 ? v : v & ((UINT64_C(1) << (8 * size)) - 1);
}

/* The register name of a vector/mask/segment/MMX register operand, or XA_R_COUNT. */
static unsigned other_reg_name(unsigned r, unsigned *width)
{
    if (r >= XA_REG_XMM0 && r <= XA_REG_XMM31) {
        *width = 16;
        return XA_R_ZMM0 + (r - XA_REG_XMM0);
    }
    if (r >= XA_REG_YMM0 && r <= XA_REG_YMM31) {
        *width = 32;
        return XA_R_ZMM0 + (r - XA_REG_YMM0);
    }
    if (r >= XA_REG_ZMM0 && r <= XA_REG_ZMM31) {
        *width = 64;
        return XA_R_ZMM0 + (r - XA_REG_ZMM0);
    }
    *width = 8;
    if (r >= XA_REG_K0 && r <= XA_REG_K7)
        return XA_R_K0 + (r - XA_REG_K0);
    if (r >= XA_REG_MM0 && r <= XA_REG_MM7)
        return XA_R_MM0 + (r - XA_REG_MM0);
    return XA_R_COUNT;
}

static xa_status memop_read(struct xai_emu *e, const struct xa_operand *op)
{
    if (!e->mop.ready)
        XAI_TRY(
            memop_translate(e, op, (op->access & XA_ACC_WRITE) ? XA_ACCESS_WRITE : XA_ACCESS_READ));
    if (!e->mop.have_value) {
        XAI_TRY(xai_read_pieces(e, &e->mop.x, e->mop.value));
        e->mop.have_value = true;
    }
    return XA_OK;
}

xa_status xai_op_read_bytes(struct xai_emu *e, unsigned i, void *buf, unsigned size)
{
    const struct xa_insn *insn = e->insn;
    if (i >= insn->operand_count || i >= 5)
        return XA_ERR_BAD_ARGUMENT;
    const struct xa_operand *op = &insn->ops[i];
    uint8_t *out = buf;
    unsigned n = size < op->size ? size : op->size;
    uint64_t v;
    switch (op->type) {
    case XA_OP_MEM:
        XAI_TRY(memop_read(e, op));
        memcpy(out, e->mop.value, n);
        break;
    case XA_OP_IMM:
        if (n > 8)
            n = 8;
        to_le(out, (uint64_t)insn->imm[op->imm_index & 1], n);
        break;
    case XA_OP_REG: {
        unsigned name, shift, width;
        if (xai_gpr_info(op->reg, &name, &shift, &width)) {
            XAI_TRY(xai_gpr_read(e, op->reg, &v));
            if (n > 8)
                n = 8;
            to_le(out, v, n);
        } else if (op->reg >= XA_REG_ES && op->reg <= XA_REG_GS) {
            const struct xa_segment *s;
            XAI_TRY(xai_seg_get(e, op->reg - XA_REG_ES, &s));
            if (n > 8)
                n = 8;
            to_le(out, s->selector, n);
        } else {
            name = other_reg_name(op->reg, &width);
            if (name == XA_R_COUNT)
                return XA_ERR_UNSUPPORTED;
            union xa_regval rv;
            XAI_TRY(xai_vreg_get(e, name, &rv));
            if (n > width)
                n = width;
            if (width == 8)
                to_le(out, rv.u64, n);
            else
                memcpy(out, rv.vec, n);
        }
        break;
    }
    default: return XA_ERR_UNSUPPORTED;
    }
    if (n < size)
        memset(out + n, 0, size - n);
    return XA_OK;
}

xa_status xai_op_read(struct xai_emu *e, unsigned i, uint64_t *value)
{
    const struct xa_insn *insn = e->insn;
    if (i >= insn->operand_count || i >= 5)
        return XA_ERR_BAD_ARGUMENT;
    const struct xa_operand *op = &insn->ops[i];
    unsigned size = op->size > 8 ? 8 : op->size;
    if (op->type == XA_OP_IMM) {
        *value = mask_size((uint64_t)insn->imm[op->imm_index & 1], size);
        return XA_OK;
    }
    if (op->type == XA_OP_REG && op->reg >= XA_REG_AL && op->reg <= XA_REG_R15)
        return xai_gpr_get(e, op->reg, value);
    if (op->type == XA_OP_MEM) {
        XAI_TRY(memop_read(e, op));
        *value = from_le(e->mop.value, size);
        return XA_OK;
    }
    uint8_t b[8];
    XAI_TRY(xai_op_read_bytes(e, i, b, size));
    *value = from_le(b, size);
    return XA_OK;
}

/* The staging slot of a translated access (the one of an earlier write of the same
 * operand, replaced, or a new one), with its translation copied. */
static xa_status stage_slot(struct xai_emu *e, const struct xai_xlat *x, struct xai_staged **out)
{
    struct xai_staged *s = NULL;
    for (unsigned k = 0; k < e->nstaged; k++)
        if (e->staged[k].x.la == x->la && e->staged[k].x.size == x->size &&
            e->staged[k].x.gpa[0] == x->gpa[0])
            s = &e->staged[k];
    if (!s) {
        if (e->nstaged == XAI_MAX_STAGED || x->size > XAI_MAX_ACCESS)
            return XA_ERR_UNSUPPORTED;
        s = &e->staged[e->nstaged++];
    }
    s->x = *x;
    s->enable = 0; /* every byte */
    *out = s;
    return XA_OK;
}

/* Stages a write of a translated access (replacing an earlier one of the same operand). */
static xa_status stage(struct xai_emu *e, const struct xai_xlat *x, const void *buf, bool locked,
                       const uint8_t *expected)
{
    struct xai_staged *s;
    XAI_TRY(stage_slot(e, x, &s));
    memcpy(s->data, buf, x->size);
    s->locked = locked;
    if (locked) {
        memcpy(s->expected, expected, x->size);
        e->staged_locked = true;
    }
    return XA_OK;
}

xa_status xai_op_write_bytes(struct xai_emu *e, unsigned i, const void *buf, unsigned size)
{
    const struct xa_insn *insn = e->insn;
    if (i >= insn->operand_count || i >= 5)
        return XA_ERR_BAD_ARGUMENT;
    const struct xa_operand *op = &insn->ops[i];
    const uint8_t *in = buf;
    switch (op->type) {
    case XA_OP_MEM: {
        if (!e->mop.ready || e->mop.access != XA_ACCESS_WRITE) {
            /* Written but not (yet) checked for write: check now, before anything is done. */
            if (e->mop.have_value && e->mop.access != XA_ACCESS_WRITE) {
                struct xai_memop keep = e->mop;
                XAI_TRY(memop_translate(e, op, XA_ACCESS_WRITE));
                memcpy(e->mop.value, keep.value, sizeof(keep.value));
                e->mop.have_value = true;
            } else {
                XAI_TRY(memop_translate(e, op, XA_ACCESS_WRITE));
            }
        }
        uint8_t data[XAI_MAX_ACCESS];
        unsigned n = size < op->size ? size : op->size;
        memcpy(data, in, n);
        memset(data + n, 0, op->size - n);
        return stage(e, &e->mop.x, data, e->locked && e->mop.have_value, e->mop.value);
    }
    case XA_OP_REG: {
        unsigned name, shift, width;
        if (xai_gpr_info(op->reg, &name, &shift, &width)) {
            uint8_t b[8] = {0};
            memcpy(b, in, size < width ? size : width);
            return xai_gpr_write(e, op->reg, from_le(b, width));
        }
        name = other_reg_name(op->reg, &width);
        if (name == XA_R_COUNT)
            return XA_ERR_UNSUPPORTED; /* segment and control registers: not here */
        union xa_regval rv;
        XAI_TRY(xai_vreg_get(e, name, &rv));
        unsigned n = size < width ? size : width;
        if (width == 8) {
            uint8_t b[8] = {0};
            memcpy(b, in, n);
            rv.u64 = from_le(b, 8);
        } else {
            memcpy(rv.vec, in, n);
            /* VEX and EVEX writes zero the register above the operand; legacy SSE keeps it. */
            if (insn->encoding == XA_ENC_VEX || insn->encoding == XA_ENC_EVEX ||
                insn->encoding == XA_ENC_XOP)
                memset(rv.vec + n, 0, 64 - n);
        }
        xai_vreg_set(e, name, &rv);
        return XA_OK;
    }
    default: return XA_ERR_BAD_ARGUMENT;
    }
}

xa_status xai_op_write(struct xai_emu *e, unsigned i, uint64_t value)
{
    const struct xa_insn *insn = e->insn;
    if (i >= insn->operand_count || i >= 5)
        return XA_ERR_BAD_ARGUMENT;
    const struct xa_operand *op = &insn->ops[i];
    if (op->type == XA_OP_REG && op->reg >= XA_REG_AL && op->reg <= XA_REG_R15)
        return xai_gpr_write(e, op->reg, value);
    if (op->type == XA_OP_MEM && e->mop.ready && e->mop.access == XA_ACCESS_WRITE &&
        op->size <= 8 && op->size == e->mop.x.size) {
        /* The operand already checked for write (the usual case): stage in place. */
        struct xai_staged *s;
        XAI_TRY(stage_slot(e, &e->mop.x, &s));
        to_le(s->data, value, op->size);
        s->locked = e->locked && e->mop.have_value;
        if (s->locked) {
            memcpy(s->expected, e->mop.value, op->size);
            e->staged_locked = true;
        }
        return XA_OK;
    }
    uint8_t b[8];
    unsigned size = op->size > 8 ? 8 : op->size;
    to_le(b, value, size);
    return xai_op_write_bytes(e, i, b, size);
}

xa_status xai_op_adjust(struct xai_emu *e, unsigned i, int64_t byte_offset)
{
    if (i >= e->insn->operand_count || i >= 5 || e->insn->ops[i].type != XA_OP_MEM)
        return XA_ERR_BAD_ARGUMENT;
    if (e->mop.have_value)
        return XA_ERR_BAD_ARGUMENT; /* too late: the operand was read */
    e->mop.adjust = byte_offset;
    e->mop.ready = false; /* translated again, at the new address, on first use */
    return XA_OK;
}

/* ---- implicit accesses --------------------------------------------------- */

xa_status xai_mem_read(struct xai_emu *e, unsigned seg, uint64_t offset, void *buf, unsigned size)
{
    struct xai_xlat x;
    if (seg > XA_SEG_GS || size == 0 || size > 4096)
        return XA_ERR_BAD_ARGUMENT;
    XAI_TRY(xai_translate(e, seg, offset, e->insn->adsize / 8u, size, XA_ACCESS_READ, &x));
    return xai_read_pieces(e, &x, buf);
}

xa_status xai_mem_write(struct xai_emu *e, unsigned seg, uint64_t offset, const void *buf,
                        unsigned size)
{
    struct xai_xlat x;
    if (seg > XA_SEG_GS || size == 0)
        return XA_ERR_BAD_ARGUMENT;
    if (size > XAI_MAX_ACCESS)
        return XA_ERR_UNSUPPORTED;
    XAI_TRY(xai_translate(e, seg, offset, e->insn->adsize / 8u, size, XA_ACCESS_WRITE, &x));
    return stage(e, &x, buf, false, NULL);
}

unsigned xai_stack_addr_size(struct xai_emu *e)
{
    if (e->cpumode == XA_CPU_LONG)
        return 8;
    const struct xa_segment *ss;
    if (xai_seg_get(e, XA_SEG_SS, &ss) != XA_OK)
        return 4;
    return (ss->attr & XA_SEG_ATTR_DB) ? 4 : 2;
}

xa_status xai_stack_read(struct xai_emu *e, uint64_t offset, void *buf, unsigned size)
{
    struct xai_xlat x;
    if (size == 0 || size > XAI_MAX_ACCESS)
        return XA_ERR_BAD_ARGUMENT;
    XAI_TRY(xai_translate(e, XA_SEG_SS, offset, xai_stack_addr_size(e), size, XA_ACCESS_READ, &x));
    return xai_read_pieces(e, &x, buf);
}

xa_status xai_stack_write(struct xai_emu *e, uint64_t offset, const void *buf, unsigned size)
{
    struct xai_xlat x;
    if (size == 0 || size > XAI_MAX_ACCESS)
        return XA_ERR_BAD_ARGUMENT;
    XAI_TRY(xai_translate(e, XA_SEG_SS, offset, xai_stack_addr_size(e), size, XA_ACCESS_WRITE, &x));
    return stage(e, &x, buf, false, NULL);
}
