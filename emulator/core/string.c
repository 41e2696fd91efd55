/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The string engine: MOVS STOS LODS CMPS SCAS INS OUTS, with REP/REPE/REPNE.
 *
 * A REP instruction runs in chunks. A chunk is the largest run of elements whose
 * source run and destination run each stay inside one page, inside the address-size
 * wrap, inside the iteration budget and inside a page-sized buffer. Both runs are
 * translated with every check (segment limits for the whole run, canonical, the page
 * walk with the final access kind, #AC per element) before any access of the chunk;
 * then the chunk's accesses go straight to the callbacks, one mem_read / mem_write
 * (and one port callback) per run, flagged XA_MEM_BATCHED with the element size and
 * the direction. Page faults, canonical faults and #AC are the same for every element
 * of a run inside one page, so they belong to the chunk's first iteration; a segment
 * limit can cut a run anywhere, so a chunk that fails a segment check is redone
 * element by element to find the faulting iteration. CMPS and SCAS go element by
 * element (they must not read past the element that ends them).
 *
 * When the instruction stops before its end (budget, fault, failed callback) the
 * completed iterations are committed by the core (e->partial, RIP unchanged).
 */
#include <string.h>

#include "emulator/core/core.h"
#include "emulator/flags.h"

#define STR_BUF 4096u /* bytes of one chunk's run: a page */

enum { R_RAX = 0, R_RCX = 1, R_RDX = 2, R_RSI = 6, R_RDI = 7 };

struct str {
    unsigned op, elem, asz;
    uint64_t amask;
    bool down, rep;
    uint8_t repcc;    /* 0, or XAI_PFX_REP (REPE) / XA_PFX_REPNE for CMPS and SCAS */
    unsigned src_seg; /* enum xa_seg */
    bool has_src, has_dst;
    uint64_t rcx, rsi, rdi, rax; /* as fetched (rcx/rsi/rdi updated per chunk) */
    uint64_t count;              /* iterations left (masked RCX, or 1) */
    unsigned port;
    unsigned mflags; /* flags of a batched access */
};

static uint64_t merge_areg(uint64_t old, uint64_t v, unsigned asz)
{
    if (asz == 8)
        return v;
    if (asz == 4)
        return v & 0xffffffffu; /* a 32-bit register write zero-extends */
    return (old & ~UINT64_C(0xffff)) | (v & 0xffff);
}

/* The linear address of an offset, as the segmentation computes it (only to find where
 * the page ends: the translation makes every check). */
static uint64_t linear_of(const struct xai_emu *e, unsigned seg, uint64_t off)
{
    const struct xa_segment *s = &e->v->regs.val[XA_R_ES + seg].seg;
    if (e->cpumode == XA_CPU_LONG)
        return (seg >= XA_SEG_FS ? s->base : 0) + off;
    return (s->base + off) & 0xffffffffu;
}

/* Elements, from the one at @p off on in the instruction's direction, that stay in its
 * page and inside the address-size wrap; 0 when that first element itself crosses. */
static uint64_t room(const struct xai_emu *e, const struct str *s, unsigned seg, uint64_t off)
{
    uint64_t la = linear_of(e, seg, off), pg = la & 0xfff, n;
    if (pg + s->elem > 4096 || (s->asz != 8 && off + s->elem - 1 > s->amask))
        return 0;
    if (!s->down) {
        n = (4096 - pg) / s->elem;
        if (s->asz != 8 && (s->amask - off + 1) / s->elem < n)
            n = (s->amask - off + 1) / s->elem;
    } else {
        n = pg / s->elem + 1;
        if (s->asz != 8 && off / s->elem + 1 < n)
            n = off / s->elem + 1;
    }
    return n;
}

/* Translates the run of @p n elements starting (in instruction order) at @p off. */
static xa_status xlat_run(struct xai_emu *e, const struct str *s, unsigned seg, uint64_t off,
                          uint64_t n, enum xa_access access, struct xai_xlat *x)
{
    uint64_t low = (s->down ? off - (n - 1) * s->elem : off) & s->amask;
    e->ac_elem = (uint8_t)s->elem;
    xa_status st = xai_translate(e, seg, low, s->asz, (uint32_t)(n * s->elem), access, x);
    e->ac_elem = 0;
    return st;
}

/* Keeps the first @p n elements (instruction order) of a one-page run of @p was. */
static void shrink_run(const struct str *s, struct xai_xlat *x, uint64_t was, uint64_t n)
{
    if (n == was)
        return;
    if (s->down) {
        uint64_t cut = (was - n) * s->elem;
        x->la += cut;
        x->gpa[0] += cut;
    }
    x->size = x->len[0] = (uint32_t)(n * s->elem);
}

/* The exit's GPA (and GVA) inside the element at @p la_off bytes into run @p x. */
static bool exit_hits(const struct xai_emu *e, const struct xai_xlat *x, uint32_t at, unsigned elem)
{
    const struct xa_mmio_exit *ex = e->exit;
    bool hit = false;
    uint32_t pos = 0;
    for (unsigned k = 0; k < x->count; k++) {
        /* The part of piece k that lies in [at, at + elem). */
        uint32_t lo = at > pos ? at - pos : 0, hi = at + elem - pos;
        if (hi > x->len[k])
            hi = x->len[k];
        if (lo < hi && ex->gpa - (x->gpa[k] + lo) < hi - lo)
            hit = true;
        pos += x->len[k];
    }
    if (hit && ex->gva_valid) {
        uint64_t off = ex->gva - (x->la + at);
        if (e->cpumode != XA_CPU_LONG)
            off &= 0xffffffffu;
        hit = off < elem;
    }
    return hit;
}

static xa_status pieces_read(struct xai_emu *e, const struct xai_xlat *x, uint8_t *buf,
                             unsigned flags)
{
    const struct xa_vcpu *v = e->v;
    for (unsigned k = 0; k < x->count; k++) {
        if (v->ops->mem_read(v->ctx, x->gpa[k], buf, x->len[k], flags) != 0)
            return XA_ERR_CALLBACK;
        buf += x->len[k];
    }
    return XA_OK;
}

static xa_status pieces_write(struct xai_emu *e, const struct xai_xlat *x, const uint8_t *buf,
                              unsigned flags)
{
    const struct xa_vcpu *v = e->v;
    for (unsigned k = 0; k < x->count; k++) {
        if (v->ops->mem_write(v->ctx, x->gpa[k], buf, x->len[k], flags) != 0)
            return XA_ERR_CALLBACK;
        buf += x->len[k];
    }
    return XA_OK;
}

/* The port sees elements in time order; memory buffers are in address order. */
static void reverse_elems(uint8_t *buf, uint64_t n, unsigned elem)
{
    for (uint64_t i = 0, j = n - 1; i < j; i++, j--) {
        uint8_t t[8];
        memcpy(t, buf + i * elem, elem);
        memcpy(buf + i * elem, buf + j * elem, elem);
        memcpy(buf + j * elem, t, elem);
    }
}

static uint64_t load_le(const uint8_t *b, unsigned size)
{
    uint64_t v = 0;
    for (unsigned k = size; k-- > 0;)
        v = (v << 8) | b[k];
    return v;
}

/* A source run inside the RAM window, handed to mem_write / io_write as it is (one copy
 * instead of two), or NULL. @p dst: the destination run it must not overlap (MOVS). */
static const uint8_t *window_src(const struct xai_emu *e, const struct xai_xlat *src,
                                 const struct xai_xlat *dst)
{
    const struct xa_vcpu *v = e->v;
    uint64_t g = src->gpa[0], len = src->len[0];
    if (!v->ram || src->count != 1 || g >= v->ram_size || len > v->ram_size - g)
        return NULL;
    /* Overlapping runs would hand mem_write overlapping buffers: bounce them. */
    if (dst && dst->gpa[0] < g + len && g < dst->gpa[0] + dst->len[0])
        return NULL;
    return v->ram + g;
}

/* The registers after @p done more iterations (count, pointers). */
static void advance(struct str *s, uint64_t done)
{
    uint64_t step = done * s->elem;
    if (s->has_src) {
        uint64_t p = s->down ? s->rsi - step : s->rsi + step;
        s->rsi = merge_areg(s->rsi, p & s->amask, s->asz);
    }
    if (s->has_dst) {
        uint64_t p = s->down ? s->rdi - step : s->rdi + step;
        s->rdi = merge_areg(s->rdi, p & s->amask, s->asz);
    }
    if (s->rep)
        s->rcx = merge_areg(s->rcx, ((s->rcx & s->amask) - done) & s->amask, s->asz);
}

/* Stages the registers of the completed iterations (once, when the instruction stops). */
static void stage_regs(struct xai_emu *e, const struct str *s)
{
    if (s->has_src)
        xai_reg_set(e, R_RSI, s->rsi);
    if (s->has_dst)
        xai_reg_set(e, R_RDI, s->rdi);
    if (s->rep)
        xai_reg_set(e, R_RCX, s->rcx);
}

/* Runs one chunk of @p n elements. *ran: iterations completed (the chunk, or fewer for a
 * CMPS/SCAS that ended); *stop: a REPE/REPNE condition ended the instruction. */
static xa_status chunk(struct xai_emu *e, struct str *s, uint64_t n, bool first, uint64_t *ran,
                       bool *stop)
{
    struct xai_xlat xs, xd;
    uint8_t buf[STR_BUF], buf2[8];
    uint64_t si = s->rsi & s->amask, di = s->rdi & s->amask;
    unsigned elem = s->elem;
    *ran = 0;
    *stop = false;
    /* Every check of both runs before any access: the source first (the CPU reads it
     * first), then the destination. */
    if (s->has_src)
        XAI_TRY(xlat_run(e, s, s->src_seg, si, n, XA_ACCESS_READ, &xs));
    if (s->has_dst)
        XAI_TRY(xlat_run(e, s, XA_SEG_ES, di, n,
                         (s->op == XAI_STR_CMPS || s->op == XAI_STR_SCAS) ? XA_ACCESS_READ
                                                                          : XA_ACCESS_WRITE,
                         &xd));
    /* MOVS forwards over its own destination (or backwards under it): elements written
     * in this chunk must not be read in it. */
    if (s->op == XAI_STR_MOVS && n > 1 && xs.count == 1 && xd.count == 1) {
        uint64_t cap = n;
        if (!s->down && xd.gpa[0] > xs.gpa[0] && xd.gpa[0] < xs.gpa[0] + xs.len[0])
            cap = (xd.gpa[0] - xs.gpa[0]) / elem;
        uint64_t stop_s = xs.gpa[0] + xs.len[0], stop_d = xd.gpa[0] + xd.len[0];
        if (s->down && stop_d < stop_s && stop_d > xs.gpa[0])
            cap = (stop_s - stop_d) / elem;
        if (cap == 0)
            cap = 1;
        if (cap < n) {
            shrink_run(s, &xs, n, cap);
            shrink_run(s, &xd, n, cap);
            n = cap;
        }
    }
    if (first && e->exit) {
        /* The exit names the first element's source or destination, else the guest changed
         * something since the exit: re-enter it, nothing accessed. */
        uint32_t at = s->down ? (uint32_t)((n - 1) * elem) : 0;
        bool hit = (s->has_src && exit_hits(e, &xs, at, elem)) ||
                   (s->has_dst && exit_hits(e, &xd, at, elem));
        if (!hit)
            return XA_RETRY;
    }
    unsigned flags = n > 1 ? s->mflags : XA_MEM_DATA;
    size_t bytes = (size_t)n * elem;
    switch (s->op) {
    case XAI_STR_MOVS: {
        const uint8_t *src = window_src(e, &xs, &xd);
        if (!src) {
            XAI_TRY(pieces_read(e, &xs, buf, flags));
            src = buf;
        }
        XAI_TRY(pieces_write(e, &xd, src, flags));
        break;
    }
    case XAI_STR_STOS:
        /* One element, then the filled part doubled (guest byte order on any host). */
        for (unsigned k = 0; k < elem; k++)
            buf[k] = (uint8_t)(s->rax >> (8 * k));
        for (size_t have = elem; have < bytes; have *= 2)
            memcpy(buf + have, buf, have < bytes - have ? have : bytes - have);
        XAI_TRY(pieces_write(e, &xd, buf, flags));
        break;
    case XAI_STR_LODS: {
        XAI_TRY(pieces_read(e, &xs, buf, flags));
        /* The last element loaded: the highest going up, the lowest going down. */
        uint64_t v = load_le(buf + (s->down ? 0 : bytes - elem), elem);
        XAI_TRY(xai_gpr_write(e,
                              elem == 8   ? XA_REG_RAX
                              : elem == 4 ? XA_REG_EAX
                              : elem == 2 ? XA_REG_AX
                                          : XA_REG_AL,
                              v));
        break;
    }
    case XAI_STR_CMPS:
    case XAI_STR_SCAS: {
        /* One element (n == 1): source (or the accumulator) minus destination. */
        uint64_t a = s->rax, b;
        if (s->op == XAI_STR_CMPS) {
            XAI_TRY(pieces_read(e, &xs, buf, XA_MEM_DATA));
            a = load_le(buf, elem);
        }
        XAI_TRY(pieces_read(e, &xd, buf2, XA_MEM_DATA));
        b = load_le(buf2, elem);
        xai_alu_sub(&e->rflags, a & xai_size_mask(elem), b, 0, elem);
        bool zf = (e->rflags & XAI_ZF) != 0;
        if (s->repcc == XA_PFX_REP)
            *stop = !zf;
        else if (s->repcc == XA_PFX_REPNE)
            *stop = zf;
        break;
    }
    case XAI_STR_INS:
        XAI_TRY(xai_io_in(e, s->port, elem, (unsigned)n, buf));
        if (s->down)
            reverse_elems(buf, n, elem);
        XAI_TRY(pieces_write(e, &xd, buf, flags));
        break;
    case XAI_STR_OUTS: {
        const uint8_t *src = s->down ? NULL : window_src(e, &xs, NULL);
        if (!src) {
            XAI_TRY(pieces_read(e, &xs, buf, flags));
            if (s->down)
                reverse_elems(buf, n, elem); /* the port sees the highest element first */
            src = buf;
        }
        XAI_TRY(xai_io_out(e, s->port, elem, (unsigned)n, src));
        break;
    }
    default: return XA_ERR_BAD_ARGUMENT;
    }
    *ran = n;
    return XA_OK;
}

static xa_status run_chunks(struct xai_emu *e, struct str *sp);

static unsigned log2_elem(unsigned elem)
{
    return elem == 8 ? 3 : elem == 4 ? 2 : elem == 2 ? 1 : 0;
}

xa_status xai_string(struct xai_emu *e, unsigned op, unsigned elem)
{
    const struct xa_insn *in = e->insn;
    struct str s;
    if (elem != 1 && elem != 2 && elem != 4 && elem != 8)
        return XA_ERR_BAD_ARGUMENT;
    memset(&s, 0, sizeof(s));
    s.op = op;
    s.elem = elem;
    s.asz = in->adsize / 8u;
    s.amask = s.asz == 8 ? ~UINT64_C(0) : s.asz == 4 ? 0xffffffffu : 0xffffu;
    s.down = (e->rflags0 & XAI_DF) != 0;
    s.rep = (in->prefixes & (XA_PFX_REP | XA_PFX_REPNE)) != 0;
    if (s.rep && (op == XAI_STR_CMPS || op == XAI_STR_SCAS))
        s.repcc = (in->prefixes & XA_PFX_REPNE) ? XA_PFX_REPNE : XA_PFX_REP; /* the last wins */
    s.has_src =
        op == XAI_STR_MOVS || op == XAI_STR_LODS || op == XAI_STR_CMPS || op == XAI_STR_OUTS;
    s.has_dst = op == XAI_STR_MOVS || op == XAI_STR_STOS || op == XAI_STR_CMPS ||
                op == XAI_STR_SCAS || op == XAI_STR_INS;
    /* The source segment: DS or the override; in 64-bit mode only FS and GS count. */
    s.src_seg = XA_SEG_DS;
    if (in->seg_override >= XA_REG_ES && in->seg_override <= XA_REG_GS) {
        unsigned o = in->seg_override - XA_REG_ES;
        if (e->cpumode != XA_CPU_LONG || o >= XA_SEG_FS)
            s.src_seg = o;
    }
    s.mflags = XA_MEM_DATA | XA_MEM_BATCHED | (log2_elem(elem) << XA_MEM_ELEM_SHIFT) |
               (s.down ? XA_MEM_DOWN : 0);

    /* The registers, in one get_regs. */
    uint16_t names[8];
    unsigned nn = 0;
    if (s.rep)
        names[nn++] = R_RCX;
    if (s.has_src) {
        names[nn++] = R_RSI;
        names[nn++] = (uint16_t)(XA_R_ES + s.src_seg);
    }
    if (s.has_dst) {
        names[nn++] = R_RDI;
        names[nn++] = XA_R_ES;
    }
    if (op == XAI_STR_STOS || op == XAI_STR_SCAS || op == XAI_STR_LODS)
        names[nn++] = R_RAX;
    if (op == XAI_STR_INS || op == XAI_STR_OUTS)
        names[nn++] = R_RDX;
    XAI_TRY(xai_regs_fetch(e, names, nn));
    const union xa_regval *val = e->v->regs.val;
    s.rcx = val[R_RCX].u64;
    s.rsi = val[R_RSI].u64;
    s.rdi = val[R_RDI].u64;
    s.rax = val[R_RAX].u64;
    s.port = (unsigned)(val[R_RDX].u64 & 0xffff);

    /* The I/O permission check comes before the count (and any memory check). */
    if (op == XAI_STR_INS || op == XAI_STR_OUTS)
        XAI_TRY(xai_io_check(e, s.port, elem, op == XAI_STR_INS));

    s.count = s.rep ? (s.rcx & s.amask) : 1;
    /* REP with a zero count: no access, RIP advances. An MMIO exit cannot come from it
     * (it names an access): the guest changed RCX since, re-enter it. */
    if (s.count == 0)
        return e->exit ? XA_RETRY : XA_OK;
    /* Several page runs: the vCPU's walk cache prepared now, not on its next use, makes
     * each run's walks cheaper (the same results, faults and A/D writes as xa_walk). */
    if (s.count * elem > 2 * STR_BUF) {
        /* A failed callback here (PKRU, say) ends the instruction: no call may follow. */
        XAI_TRY(xai_paging_ready(e));
        xai_walk_cache_prepare(e->v);
    }
    return run_chunks(e, &s);
}

/* The chunks of the instruction, until its end, the budget, a fault or an error. */
static xa_status run_chunks(struct xai_emu *e, struct str *sp)
{
    struct str s = *sp;
    unsigned op = s.op, elem = s.elem;
    uint64_t budget = s.rep ? e->v->rep_budget : 0;
    uint64_t done = 0, single_until = 0;
    bool first = true;
    for (;;) {
        if (budget && done == budget) {
            /* The budget is spent: the completed iterations are committed, RIP stays. */
            stage_regs(e, &s);
            e->partial = true;
            e->next_rip = e->rip;
            return XA_CONTINUE;
        }
        uint64_t n = s.count;
        if (budget && budget - done < n)
            n = budget - done;
        if (STR_BUF / elem < n)
            n = STR_BUF / elem;
        if (op == XAI_STR_CMPS || op == XAI_STR_SCAS || done < single_until)
            n = 1;
        if (s.has_src && n > 1) {
            uint64_t r = room(e, &s, s.src_seg, s.rsi & s.amask);
            n = r == 0 ? 1 : r < n ? r : n;
        }
        if (s.has_dst && n > 1) {
            uint64_t r = room(e, &s, XA_SEG_ES, s.rdi & s.amask);
            n = r == 0 ? 1 : r < n ? r : n;
        }
        uint64_t ran;
        bool stop;
        uint64_t rflags_before = e->rflags;
        xa_status st = chunk(e, &s, n, first, &ran, &stop);
        if (st == XA_EXCEPTION && n > 1 && e->out->exception.vector != XA_VEC_PF &&
            e->out->exception.vector != XA_VEC_AC) {
            /* A segment limit may cut the run anywhere: element by element to the fault. */
            single_until = done + n;
            continue;
        }
        if (st != XA_OK) {
            e->rflags = rflags_before; /* a failed CMPS/SCAS element leaves the flags */
            if (done == 0)
                return st; /* nothing completed: nothing guest-visible changed */
            stage_regs(e, &s);
            e->partial = true;
            e->next_rip = e->rip;
            return st;
        }
        first = false;
        advance(&s, ran);
        done += ran;
        s.count -= ran;
        if (s.count == 0 || stop) {
            stage_regs(e, &s);
            return XA_OK;
        }
    }
}
