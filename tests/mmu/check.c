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

int check_case(struct testmem *m, const struct mmu_case *c, char *msg, size_t msglen)
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
    m->nlog = 0;
    xa_status st = xa_walk(&ps, &ops, m, c->la, access, flags, &r, &e);

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
