/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The commit: staged memory writes in order (LOCKed ones first, through
 * mem_cmpxchg), then every register in one set_regs.
 *
 * A failed callback here ends the instruction with XA_ERR_CALLBACK. Writes
 * that completed before it stay done (memory cannot be taken back); the
 * registers, RIP included, are not written, so the guest sees the
 * instruction as not executed apart from those writes. The one case where
 * that shows: an instruction with two staged writes (PUSH of a memory
 * operand that crosses pages, an operand split across two pages) whose
 * second mem_write fails after the first succeeded.
 */
#include <string.h>

#include "emulator/core/core.h"

/* A masked vector store: each run of enabled bytes of each piece is its own mem_write
 * (the masked-off bytes are not written: a device sees only the selected elements). */
static xa_status write_runs(struct xai_emu *e, const struct xai_staged *s, unsigned flags)
{
    const struct xa_cpu_ops *ops = e->v->ops;
    unsigned start = 0;
    for (unsigned k = 0; k < s->x.count; k++) {
        unsigned end = start + s->x.len[k];
        for (unsigned b = start; b < end;) {
            if (!((s->enable >> b) & 1)) {
                b++;
                continue;
            }
            unsigned run = b;
            while (run < end && ((s->enable >> run) & 1))
                run++;
            uint64_t gpa = s->x.gpa[k] + (b - start);
            if (ops->mem_write(e->v->ctx, gpa, s->data + b, run - b, flags) != 0)
                return XA_ERR_CALLBACK;
            b = run;
        }
        start = end;
    }
    return XA_OK;
}

/* Writes one staged access. Returns XA_RETRY with *changed for a LOCK compare that failed. */
static xa_status write_staged(struct xai_emu *e, const struct xai_staged *s, bool *changed)
{
    const struct xa_cpu_ops *ops = e->v->ops;
    unsigned flags = XA_MEM_DATA | (e->locked ? XA_MEM_LOCKED : 0);
    if (s->locked && ops->mem_cmpxchg && s->x.count == 1) {
        uint8_t expected[XAI_MAX_ACCESS];
        memcpy(expected, s->expected, s->x.size);
        int r = ops->mem_cmpxchg(e->v->ctx, s->x.gpa[0], expected, s->data, s->x.size, flags);
        if (r == 1) {
            *changed = true;
            return XA_RETRY;
        }
        return r == 0 ? XA_OK : XA_ERR_CALLBACK;
    }
    if (s->enable)
        return write_runs(e, s, flags);
    /* Not LOCKed; or no mem_cmpxchg; or a LOCKed operand split across two pages (no
     * single compare-and-exchange covers it): plain writes, not atomic. */
    if (ops->mem_write(e->v->ctx, s->x.gpa[0], s->data, s->x.len[0], flags) != 0)
        return XA_ERR_CALLBACK;
    if (s->x.count > 1 &&
        ops->mem_write(e->v->ctx, s->x.gpa[1], s->data + s->x.len[0], s->x.len[1], flags) != 0)
        return XA_ERR_CALLBACK;
    return XA_OK;
}

/* The LOCKed writes first (while nothing else is written a failed compare re-runs the
 * handler), then the others. XA_RETRY with *lock_changed for a failed compare. */
static xa_status write_locked_first(struct xai_emu *e, bool *lock_changed)
{
    bool any_written = false;
    for (unsigned pass = 0; pass < 2; pass++) {
        for (unsigned k = 0; k < e->nstaged; k++) {
            const struct xai_staged *s = &e->staged[k];
            if (s->locked != (pass == 0))
                continue;
            bool changed = false;
            xa_status st = write_staged(e, s, &changed);
            if (changed) {
                if (any_written)
                    return XA_ERR_CALLBACK; /* cannot happen with the current handlers */
                *lock_changed = true;
                return XA_RETRY;
            }
            XAI_TRY(st);
            any_written = true;
        }
    }
    return XA_OK;
}

xa_status xai_commit(struct xai_emu *e, bool *lock_changed)
{
    *lock_changed = false;
    if (e->exit_check == XAI_EXIT_ANY && !e->exit_matched)
        return XA_RETRY; /* no access of the instruction is the exit's */

    if (e->staged_locked) {
        XAI_TRY(write_locked_first(e, lock_changed));
    } else {
        /* Without a LOCKed write: one pass, in order (most often one write, or none). */
        for (unsigned k = 0; k < e->nstaged; k++) {
            bool changed = false; /* only a LOCK compare reports a change */
            XAI_TRY(write_staged(e, &e->staged[k], &changed));
        }
    }

    /* Registers: the staged ones, RIP, and RFLAGS when it changed (RF is cleared as the CPU
     * does when an instruction completes). */
    struct xa_regcache *rc = &e->v->regs;
    uint16_t names[XA_R_COUNT];
    union xa_regval vals[XA_R_COUNT]; /* only the first n are written */
    unsigned n = 0;
    /* A REP instruction stopped part-way (budget, fault) has not completed: RF stays. */
    uint64_t rflags = e->partial ? e->rflags : e->rflags & ~XAI_RF;
    _Static_assert(XA_R_RIP < 64 && XA_R_RFLAGS < 64, "RIP and RFLAGS in the first word");
    if (!(rc->dirty[0] & (UINT64_C(1) << XA_R_RIP))) {
        rc->val[XA_R_RIP].u64 = e->next_rip;
        rc->valid[0] |= UINT64_C(1) << XA_R_RIP;
        rc->dirty[0] |= UINT64_C(1) << XA_R_RIP;
    }
    if (rflags != e->rflags0) {
        rc->val[XA_R_RFLAGS].u64 = rflags;
        rc->valid[0] |= UINT64_C(1) << XA_R_RFLAGS;
        rc->dirty[0] |= UINT64_C(1) << XA_R_RFLAGS;
    } else {
        rc->dirty[0] &= ~(UINT64_C(1) << XA_R_RFLAGS);
    }
    /* Only the dirty entries: GPRs, RIP and RFLAGS by value, anything else as it is. */
    for (unsigned w = 0; w < sizeof(rc->dirty) / sizeof(rc->dirty[0]); w++) {
        uint64_t bits = rc->dirty[w];
        while (bits) {
            unsigned r = w * 64 + xai_ctz64(bits);
            bits &= bits - 1;
            names[n] = (uint16_t)r;
            if (r <= XA_R_RFLAGS)
                vals[n].u64 = rc->val[r].u64;
            else
                xai_reg_copy(&vals[n], &rc->val[r], r);
            n++;
        }
    }
    if (e->v->ops->set_regs(e->v->ctx, names, n, vals) != 0)
        return XA_ERR_CALLBACK;
    memset(rc->dirty, 0, sizeof(rc->dirty));
    return XA_OK;
}
