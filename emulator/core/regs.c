/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The vCPU context and its register cache: registers are fetched in batches
 * (one get_regs for every register the core knows an instruction needs, then
 * one per register a handler asks for on top), and staged writes live in the
 * cache with their dirty bit until the commit writes them with one set_regs.
 */
#include <string.h>

#include "emulator/core/core.h"

/* xai_gpr_table (core.h): each class of enum xa_reg is contiguous, in encoding order. */
_Static_assert(XA_REG_R15 - XA_REG_RAX == 15 && XA_REG_R15D - XA_REG_EAX == 15 &&
                   XA_REG_R15W - XA_REG_AX == 15 && XA_REG_BH - XA_REG_AL == 7 &&
                   XA_REG_R15B - XA_REG_SPL == 11,
               "enum xa_reg: GPR groups are contiguous");
#define GPR(n, log2size, high) ((uint8_t)(0x80 | (log2size) << 5 | (high) << 4 | (n)))
#define GPR4(r, n, lg, hi)                                                                         \
    [(r)] = GPR((n), lg, hi), [(r) + 1] = GPR((n) + 1, lg, hi), [(r) + 2] = GPR((n) + 2, lg, hi),  \
    [(r) + 3] = GPR((n) + 3, lg, hi)
#define GPR16(r, lg)                                                                               \
    GPR4(r, 0, lg, 0), GPR4((r) + 4, 4, lg, 0), GPR4((r) + 8, 8, lg, 0), GPR4((r) + 12, 12, lg, 0)
const uint8_t xai_gpr_table[XAI_GPR_TABLE_SIZE] = {
    GPR4(XA_REG_AL, 0, 0, 0),       /* AL CL DL BL */
    GPR4(XA_REG_AH, 0, 0, 1),       /* AH CH DH BH: bits 15:8 */
    GPR4(XA_REG_SPL, 4, 0, 0),      /* SPL BPL SIL DIL */
    GPR4(XA_REG_SPL + 4, 8, 0, 0),  /* R8B..R11B */
    GPR4(XA_REG_SPL + 8, 12, 0, 0), /* R12B..R15B */
    GPR16(XA_REG_AX, 1),
    GPR16(XA_REG_EAX, 2),
    GPR16(XA_REG_RAX, 3),
};

const uint16_t xai_mode_regs[XAI_MODE_REGS] = {XA_R_RIP, XA_R_RFLAGS, XA_R_CR0, XA_R_EFER,
                                               XA_R_CS,  XA_R_SS,     XA_R_CR3, XA_R_CR4};

void xai_regs_store_mode(struct xa_vcpu *v, const union xa_regval *got)
{
    union xa_regval *val = v->regs.val;
    val[XA_R_RIP].u64 = got[0].u64;
    val[XA_R_RFLAGS].u64 = got[1].u64;
    val[XA_R_CR0].u64 = got[2].u64;
    val[XA_R_EFER].u64 = got[3].u64;
    val[XA_R_CS].seg = got[4].seg;
    val[XA_R_SS].seg = got[5].seg;
    val[XA_R_CR3].u64 = got[6].u64;
    val[XA_R_CR4].u64 = got[7].u64;
    _Static_assert(XA_R_CR4 < 64 && XA_R_EFER < 64, "the mode registers in the first word");
    v->regs.valid[0] |= (UINT64_C(1) << XA_R_RIP) | (UINT64_C(1) << XA_R_RFLAGS) |
                        (UINT64_C(1) << XA_R_CR0) | (UINT64_C(1) << XA_R_EFER) |
                        (UINT64_C(1) << XA_R_CS) | (UINT64_C(1) << XA_R_SS) |
                        (UINT64_C(1) << XA_R_CR3) | (UINT64_C(1) << XA_R_CR4);
}

xa_status xa_vcpu_init(struct xa_vcpu *vcpu, const struct xa_cpu_ops *ops, void *ctx,
                       const struct xa_cpu_model *model)
{
    if (!vcpu || !ops || !ops->get_regs || !ops->set_regs || !ops->mem_read || !ops->mem_write)
        return XA_ERR_BAD_ARGUMENT;
    if (model && model->maxphyaddr != 0 && (model->maxphyaddr < 32 || model->maxphyaddr > 52))
        return XA_ERR_BAD_ARGUMENT;
    vcpu->ops = ops;
    vcpu->ctx = ctx;
    if (model) {
        vcpu->model = *model;
    } else {
        vcpu->model.vendor = XA_VENDOR_INTEL;
        vcpu->model.maxphyaddr = 52;
        vcpu->model.features = XA_FEAT_ALL;
    }
    vcpu->rep_budget = 0;
    vcpu->ram = NULL;
    vcpu->ram_size = 0;
    vcpu->regfile = NULL;
    vcpu->walk.state = 0; /* made on first use: no owner matches */
    vcpu->walk.not64 = 0;
    vcpu->walk.owner = NULL;
    vcpu->decoded.key[0] = vcpu->decoded.key[1] = 0; /* byte 15 = 0: empty */
    xa_vcpu_reset(vcpu);
    return XA_OK;
}

void xa_vcpu_reset(struct xa_vcpu *vcpu)
{
    if (!vcpu)
        return;
    /* Only the bitmaps: the values are never read without their valid bit. */
    memset(vcpu->regs.valid, 0, sizeof(vcpu->regs.valid));
    memset(vcpu->regs.dirty, 0, sizeof(vcpu->regs.dirty));
}

/* Bytes of a register's value that mean something (copying less is cheaper). */
static size_t reg_bytes(unsigned name)
{
    if (name >= XA_R_ES && name <= XA_R_LDTR)
        return sizeof(struct xa_segment);
    if (name >= XA_R_ZMM0 && name <= XA_R_ZMM31)
        return 64;
    return sizeof(uint64_t);
}

/* One get_regs for the registers in want[] (at most 16); they become valid. The values
 * come into a small array, then into the cache by name: only what each one holds. */
static xa_status fetch_batch(struct xai_emu *e, const uint16_t *want, unsigned n)
{
    struct xa_regcache *rc = &e->v->regs;
    union xa_regval vals[16];
    const union xa_regval *window = e->v->regfile;
    uint16_t rest[16];
    if (window) {
        /* What the register window holds is copied from there; the rest is asked for. */
        unsigned m = 0;
        for (unsigned k = 0; k < n; k++) {
            unsigned r = want[k];
            if (r <= XAI_REGFILE_LAST) {
                xai_reg_copy(&rc->val[r], &window[r], r);
                rc->valid[r >> 6] |= UINT64_C(1) << (r & 63);
            } else {
                rest[m++] = (uint16_t)r;
            }
        }
        if (m == 0)
            return XA_OK;
        want = rest;
        n = m;
    }
    if (e->v->ops->get_regs(e->v->ctx, want, n, vals) != 0)
        return XA_ERR_CALLBACK;
    for (unsigned k = 0; k < n; k++) {
        unsigned r = want[k];
        if (r < XA_R_ES) /* GPRs, RIP, RFLAGS: the usual batch */
            rc->val[r].u64 = vals[k].u64;
        else
            xai_reg_copy(&rc->val[r], &vals[k], r);
        rc->valid[r >> 6] |= UINT64_C(1) << (r & 63);
    }
    return XA_OK;
}

xa_status xai_regs_load(struct xai_emu *e, const uint16_t *names, unsigned count)
{
    return fetch_batch(e, names, count);
}

xa_status xai_reg_fetch1(struct xai_emu *e, unsigned name)
{
    uint16_t n = (uint16_t)name;
    return fetch_batch(e, &n, 1);
}

xa_status xai_regs_fetch(struct xai_emu *e, const uint16_t *names, unsigned count)
{
    struct xa_regcache *rc = &e->v->regs;
    /* have: cached, or already in want[] (asked for once). */
    uint64_t have[sizeof(rc->valid) / sizeof(rc->valid[0])];
    memcpy(have, rc->valid, sizeof(have));
    uint16_t want[16];
    unsigned n = 0;
    for (unsigned i = 0; i < count; i++) {
        unsigned r = names[i];
        if (r >= XA_R_COUNT)
            continue;
        uint64_t bit = UINT64_C(1) << (r & 63);
        if (have[r >> 6] & bit)
            continue;
        have[r >> 6] |= bit;
        want[n++] = (uint16_t)r;
        if (n == sizeof(want) / sizeof(want[0])) {
            XAI_TRY(fetch_batch(e, want, n));
            n = 0;
        }
    }
    return n ? fetch_batch(e, want, n) : XA_OK;
}

void xai_regs_discard(struct xa_vcpu *v)
{
    /* A staged register forgets its value: the next use fetches the guest's. */
    for (unsigned w = 0; w < sizeof(v->regs.dirty) / sizeof(v->regs.dirty[0]); w++) {
        v->regs.valid[w] &= ~v->regs.dirty[w];
        v->regs.dirty[w] = 0;
    }
}

xa_status xai_reg_get(struct xai_emu *e, unsigned name, uint64_t *value)
{
    if (name >= XA_R_COUNT)
        return XA_ERR_BAD_ARGUMENT;
    if (!xai_reg_cached(e, name))
        XAI_TRY(xai_reg_fetch1(e, name));
    *value = e->v->regs.val[name].u64;
    return XA_OK;
}

void xai_reg_set(struct xai_emu *e, unsigned name, uint64_t value)
{
    if (name >= XA_R_COUNT)
        return;
    e->v->regs.val[name].u64 = value;
    xai_bit_set(e->v->regs.valid, name);
    xai_bit_set(e->v->regs.dirty, name);
}

xa_status xai_vreg_get(struct xai_emu *e, unsigned name, union xa_regval *value)
{
    if (name >= XA_R_COUNT)
        return XA_ERR_BAD_ARGUMENT;
    if (!xai_reg_cached(e, name))
        XAI_TRY(xai_reg_fetch1(e, name));
    memcpy(value, &e->v->regs.val[name], reg_bytes(name));
    return XA_OK;
}

void xai_vreg_set(struct xai_emu *e, unsigned name, const union xa_regval *value)
{
    if (name >= XA_R_COUNT)
        return;
    memcpy(&e->v->regs.val[name], value, reg_bytes(name));
    xai_bit_set(e->v->regs.valid, name);
    xai_bit_set(e->v->regs.dirty, name);
}

xa_status xai_gpr_read(struct xai_emu *e, unsigned xa_reg, uint64_t *value)
{
    return xai_gpr_get(e, xa_reg, value);
}

xa_status xai_gpr_write(struct xai_emu *e, unsigned xa_reg, uint64_t value)
{
    unsigned name, shift, size;
    if (!xai_gpr_info(xa_reg, &name, &shift, &size))
        return XA_ERR_UNSUPPORTED;
    if (size >= 4) {
        /* A 32-bit write zeroes bits 63:32; a 64-bit one replaces: no old value needed. */
        xai_reg_set(e, name, size == 4 ? (value & 0xffffffffu) : value);
        return XA_OK;
    }
    uint64_t mask = ((UINT64_C(1) << (8 * size)) - 1) << shift;
    if (!xai_reg_cached(e, name))
        XAI_TRY(xai_reg_fetch1(e, name));
    uint64_t old = e->v->regs.val[name].u64;
    xai_reg_set(e, name, (old & ~mask) | ((value << shift) & mask));
    return XA_OK;
}
