/* SPDX-License-Identifier: BSD-2-Clause */
#include "check.h"

#include <stdio.h>
#include <string.h>

#include <x86assist/mmu.h>

void describe_case(const struct mmu_case *c, char *buf, size_t len)
{
    snprintf(buf, len,
             "cr0=%#llx cr3=%#llx cr4=%#llx efer=%#llx pkru=%#x pkrs=%#x M=%d amd=%d pse36=%d "
             "1g=%d la=%#llx kind=%d cpl3=%d implicit=%d ac=%d shstk=%d ssref=%d",
             (unsigned long long)c->cpu.cr0, (unsigned long long)c->cpu.cr3,
             (unsigned long long)c->cpu.cr4, (unsigned long long)c->cpu.efer, c->cpu.pkru,
             c->cpu.pkrs, c->cpu.maxphy, c->cpu.amd, c->cpu.pse36, c->cpu.gb1,
             (unsigned long long)c->la, c->acc.kind, c->acc.cpl3, c->acc.implicit, c->acc.ac,
             c->acc.shstk, c->acc.ssref);
}

/* The RAM windows of check_case: all of memory; one that ends inside the tables (entries
 * on both sides of its end); and, for the tables at 0x1000-0x5000 of the enumeration,
 * two whose largest power-of-two prefix (0x4000) leaves the tables at 0x4000 and up
 * outside it: one holding all of them, one ending 3 bytes into the page at 0x5000 (not
 * a multiple of 4 KiB or of 8). */
static const uint64_t default_windows[] = {TM_SIZE, 0x3008, 0x6000, 0x5003};

int check_case(struct testmem *m, const struct mmu_case *c, char *msg, size_t msglen)
{
    return check_case_windows(m, c, default_windows,
                              sizeof(default_windows) / sizeof(default_windows[0]), NULL, NULL, msg,
                              msglen);
}

int check_case_windows(struct testmem *m, const struct mmu_case *c, const uint64_t *windows,
                       int nwindows, check_window_fn window, void *window_arg, char *msg,
                       size_t msglen)
{
    struct model_out mo;
    model_translate(&c->cpu, tm_model_read, m, c->la, &c->acc, &mo);

    struct xa_paging_state ps;
    memset(&ps, 0, sizeof(ps));
    ps.cr0 = c->cpu.cr0;
    ps.cr3 = c->cpu.cr3;
    ps.cr4 = c->cpu.cr4;
    ps.efer = c->cpu.efer;
    ps.pkru = c->cpu.pkru;
    ps.pkrs = c->cpu.pkrs;
    ps.cpu.maxphyaddr = (uint8_t)c->cpu.maxphy;
    ps.cpu.vendor = c->cpu.amd ? XA_VENDOR_AMD : XA_VENDOR_INTEL;
    ps.cpu.features = (c->cpu.pse36 ? XA_FEAT_PSE36 : 0u) | (c->cpu.gb1 ? XA_FEAT_1G : 0u);
    unsigned flags = 0;
    if (c->acc.cpl3)
        flags |= XA_WALK_USER;
    if (c->acc.implicit)
        flags |= XA_WALK_IMPLICIT;
    if (c->acc.ac)
        flags |= XA_WALK_AC;
    if (c->acc.shstk)
        flags |= XA_WALK_SHADOW_STACK;
    if (c->acc.ssref)
        flags |= XA_WALK_SS_REF;
    enum xa_access access = c->acc.kind == MODEL_WRITE   ? XA_ACCESS_WRITE
                            : c->acc.kind == MODEL_FETCH ? XA_ACCESS_FETCH
                                                         : XA_ACCESS_READ;
    struct xa_mmu_ops ops = {.read = tm_read, .cmpxchg = tm_cmpxchg, .write = tm_write};
    struct xa_walk_result r;
    struct xa_exception e;

    /* The same walk through each RAM window, checking only (memory untouched), must
     * give the very same answer, by xa_walk (walk 2k) and by the prepared entry point
     * (walk 2k+1: xa_mmu_prepare + xa_walk_prepared). */
    struct xa_walk_result rw[2 * CHECK_MAX_WINDOWS];
    struct xa_exception ew[2 * CHECK_MAX_WINDOWS];
    xa_status stw[2 * CHECK_MAX_WINDOWS];
    if (nwindows > CHECK_MAX_WINDOWS)
        nwindows = CHECK_MAX_WINDOWS;
    const int nwalks = 2 * nwindows;
    for (int i = 0; i < nwalks; i++) {
        struct xa_mmu_ops wops = ops;
        wops.ram = window ? window(window_arg, windows[i / 2]) : m->bytes;
        wops.ram_size = windows[i / 2];
        memset(&rw[i], 0, sizeof(rw[i]));
        memset(&ew[i], 0, sizeof(ew[i]));
        m->nlog = 0;
        if (i % 2 == 0) {
            stw[i] = xa_walk(&ps, &wops, m, c->la, access, flags | XA_WALK_NO_AD, &rw[i], &ew[i]);
        } else {
            struct xa_mmu_prepared prep;
            stw[i] = xa_mmu_prepare(&ps, &wops, m, &prep);
            if (stw[i] == XA_OK)
                stw[i] =
                    xa_walk_prepared(&prep, c->la, access, flags | XA_WALK_NO_AD, &rw[i], &ew[i]);
            if (stw[i] == XA_OK || stw[i] == XA_EXCEPTION) {
                /* xa_walk_memo on the same prepared state, three times: the first walk
                 * notes the page, the second records it (when the hot path decides it),
                 * the third answers from the memo; each answers as xa_walk_prepared. */
                struct xa_walk_memo memo;
                xa_walk_memo_reset(&memo);
                for (int k = 0; k < 3; k++) {
                    struct xa_walk_result mr;
                    struct xa_exception me;
                    memset(&mr, 0, sizeof(mr));
                    memset(&me, 0, sizeof(me));
                    xa_status ms =
                        xa_walk_memo(&prep, &memo, c->la, access, flags | XA_WALK_NO_AD, &mr, &me);
                    if (ms != stw[i] || memcmp(&mr, &rw[i], sizeof(mr)) != 0 ||
                        memcmp(&me, &ew[i], sizeof(me)) != 0) {
                        snprintf(msg, msglen,
                                 "RAM window %#llx: walk %d of the memo %s, prepared %s",
                                 (unsigned long long)windows[i / 2], k + 1, xa_status_name(ms),
                                 xa_status_name(stw[i]));
                        return 1;
                    }
                }
            }
        }
        if (m->nlog != 0) {
            snprintf(msg, msglen, "RAM window %#llx%s: a check-only walk wrote memory",
                     (unsigned long long)windows[i / 2], i % 2 ? " (prepared)" : "");
            return 1;
        }
    }

    memset(&r, 0, sizeof(r));
    memset(&e, 0, sizeof(e));
    m->nlog = 0;
    xa_status st = xa_walk(&ps, &ops, m, c->la, access, flags, &r, &e);
    for (int i = 0; i < nwalks; i++) {
        int same = stw[i] == st;
        if (same && st == XA_OK) {
            same = rw[i].gpa == r.gpa && rw[i].page_size == r.page_size &&
                   rw[i].rights == r.rights && rw[i].pkey == r.pkey && rw[i].levels == r.levels &&
                   rw[i].nwrites == r.nwrites;
            for (unsigned k = 0; same && k < r.nwrites; k++)
                same = rw[i].writes[k].gpa == r.writes[k].gpa &&
                       rw[i].writes[k].value == r.writes[k].value &&
                       rw[i].writes[k].size == r.writes[k].size &&
                       rw[i].writes[k].level == r.writes[k].level;
        } else if (same && st == XA_EXCEPTION) {
            same = ew[i].vector == e.vector && ew[i].has_error_code == e.has_error_code &&
                   ew[i].error_code == e.error_code && ew[i].cr2 == e.cr2;
        }
        if (!same) {
            snprintf(msg, msglen, "RAM window %#llx%s: walker %s, with callbacks only %s",
                     (unsigned long long)windows[i / 2], i % 2 ? " (prepared)" : "",
                     xa_status_name(stw[i]), xa_status_name(st));
            return 1;
        }
    }

    switch (mo.status) {
    case MODEL_OK:
        if (st != XA_OK) {
            snprintf(msg, msglen, "model ok gpa=%#llx, walker %s (vec %u ec %#x)",
                     (unsigned long long)mo.gpa, xa_status_name(st), e.vector, e.error_code);
            return 1;
        }
        if (r.gpa != mo.gpa || r.page_size != mo.page_size) {
            snprintf(msg, msglen, "gpa/size: model %#llx/%#llx walker %#llx/%#llx",
                     (unsigned long long)mo.gpa, (unsigned long long)mo.page_size,
                     (unsigned long long)r.gpa, (unsigned long long)r.page_size);
            return 1;
        }
        if (r.nwrites != mo.nwrites || m->nlog != mo.nwrites) {
            snprintf(msg, msglen, "writes: model %d walker reported %u made %d", mo.nwrites,
                     r.nwrites, m->nlog);
            return 1;
        }
        for (int i = 0; i < mo.nwrites; i++) {
            const struct model_write *w = &mo.writes[i];
            if (r.writes[i].gpa != w->gpa || r.writes[i].value != w->value ||
                r.writes[i].size != w->size || m->log[i].gpa != w->gpa ||
                m->log[i].value != w->value || m->log[i].size != w->size) {
                snprintf(msg, msglen, "write %d: model %#llx=%#llx/%d walker %#llx=%#llx/%u", i,
                         (unsigned long long)w->gpa, (unsigned long long)w->value, w->size,
                         (unsigned long long)r.writes[i].gpa, (unsigned long long)r.writes[i].value,
                         r.writes[i].size);
                return 1;
            }
        }
        return 0;
    case MODEL_PF:
        if (st != XA_EXCEPTION || e.vector != XA_VEC_PF || e.error_code != mo.err ||
            e.cr2 != mo.cr2 || !e.has_error_code) {
            snprintf(msg, msglen, "model #PF ec=%#x, walker %s vec %u ec %#x cr2 %#llx", mo.err,
                     xa_status_name(st), st == XA_EXCEPTION ? e.vector : 0,
                     st == XA_EXCEPTION ? e.error_code : 0,
                     st == XA_EXCEPTION ? (unsigned long long)e.cr2 : 0ull);
            return 1;
        }
        break;
    case MODEL_GP:
    case MODEL_SS: {
        unsigned vec = mo.status == MODEL_GP ? XA_VEC_GP : XA_VEC_SS;
        if (st != XA_EXCEPTION || e.vector != vec || e.error_code != 0) {
            snprintf(msg, msglen, "model vector %u, walker %s", vec, xa_status_name(st));
            return 1;
        }
        break;
    }
    case MODEL_MEMERR:
        if (st != XA_ERR_CALLBACK) {
            snprintf(msg, msglen, "model memory error, walker %s", xa_status_name(st));
            return 1;
        }
        break;
    }
    if (m->nlog != 0) {
        snprintf(msg, msglen, "failed walk wrote %d entries", m->nlog);
        return 1;
    }
    return 0;
}
