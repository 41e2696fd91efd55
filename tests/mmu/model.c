/* SPDX-License-Identifier: BSD-2-Clause */
/* The reference model: a table of levels per paging mode, walked generically.
 * Deliberately written differently from mmu/ (which is specialised per mode). */
#include "model.h"

#include <string.h>

static uint64_t bit(uint64_t v, int n)
{
    return (v >> n) & 1;
}

/* Bits hi..lo set; zero when hi < lo. */
static uint64_t bits_mask(int hi, int lo)
{
    uint64_t m = 0;
    for (int i = lo; i <= hi; i++)
        m |= 1ull << i;
    return m;
}

static uint64_t field(uint64_t v, int hi, int lo)
{
    return (v & bits_mask(hi, lo)) >> lo;
}

struct level {
    int size;           /* entry size in bytes */
    int idx_hi, idx_lo; /* linear-address bits that index this table */
    int can_be_leaf;    /* PS=1 makes a leaf here (when allowed) */
    int is_pdpte_pae;   /* PAE PDPTE: no rights, no A */
    int last;           /* a PTE: always a leaf */
};

struct entry {
    uint64_t gpa, value;
    int size;
    int rights; /* takes part in R/W, U/S, XD and gets an A bit */
    int leaf;
};

static int is_canonical(uint64_t la, int width)
{
    int64_t s = (int64_t)(la << (64 - width)) >> (64 - width);
    return (uint64_t)s == la;
}

void model_translate(const struct model_cpu *cpu, model_read_fn rd, void *ctx, uint64_t la,
                     const struct model_access *acc, struct model_out *out)
{
    memset(out, 0, sizeof(*out));
    const int pg = (int)bit(cpu->cr0, 31), wp = (int)bit(cpu->cr0, 16);
    const int pse = (int)bit(cpu->cr4, 4), pae = (int)bit(cpu->cr4, 5);
    const int la57 = (int)bit(cpu->cr4, 12), smep = (int)bit(cpu->cr4, 20);
    const int smap = (int)bit(cpu->cr4, 21), pke = (int)bit(cpu->cr4, 22);
    const int pks = (int)bit(cpu->cr4, 24);
    const int lma = (int)bit(cpu->efer, 10), nxe = (int)bit(cpu->efer, 11);
    const int M = cpu->maxphy;
    const int user_access = acc->cpl3 && !acc->implicit;

    /* Mode */
    if (lma) {
        if (!is_canonical(la, la57 ? 57 : 48)) {
            out->status = acc->ssref ? MODEL_SS : MODEL_GP;
            return;
        }
    } else {
        la &= 0xffffffffull;
    }
    if (!pg) {
        out->status = MODEL_OK;
        out->gpa = la;
        out->page_size = 4096;
        return;
    }

    struct level lv[5];
    int nlv = 0;
    uint64_t base;
    if (!pae) {
        lv[nlv++] = (struct level){4, 31, 22, pse, 0, 0};
        lv[nlv++] = (struct level){4, 21, 12, 0, 0, 1};
        base = field(cpu->cr3, 31, 12) << 12;
    } else if (!lma) {
        lv[nlv++] = (struct level){8, 31, 30, 0, 1, 0};
        lv[nlv++] = (struct level){8, 29, 21, 1, 0, 0};
        lv[nlv++] = (struct level){8, 20, 12, 0, 0, 1};
        base = field(cpu->cr3, 31, 5) << 5;
    } else {
        if (la57)
            lv[nlv++] = (struct level){8, 56, 48, 0, 0, 0};
        lv[nlv++] = (struct level){8, 47, 39, 0, 0, 0};
        lv[nlv++] = (struct level){8, 38, 30, 1, 0, 0};
        lv[nlv++] = (struct level){8, 29, 21, 1, 0, 0};
        lv[nlv++] = (struct level){8, 20, 12, 0, 0, 1};
        base = cpu->cr3 & bits_mask(M - 1, 12);
    }

    uint32_t code = 0;
    if (acc->kind == MODEL_WRITE)
        code |= 2;
    if (user_access)
        code |= 4;
    if (acc->kind == MODEL_FETCH && (smep || (pae && nxe)))
        code |= 16;
    if (acc->shstk)
        code |= 64;

    struct entry ent[5];
    int n = 0;
    uint64_t page_shift = 12;
    for (int i = 0; i < nlv; i++) {
        struct level *L = &lv[i];
        uint64_t gpa = base + field(la, L->idx_hi, L->idx_lo) * (uint64_t)L->size;
        uint64_t e;
        if (rd(ctx, gpa, L->size, &e) != 0) {
            out->status = MODEL_MEMERR;
            return;
        }
        ent[n].gpa = gpa;
        ent[n].value = e;
        ent[n].size = L->size;
        ent[n].rights = !L->is_pdpte_pae;
        ent[n].leaf = 0;
        n++;
        if (!bit(e, 0)) {
            out->status = MODEL_PF;
            out->err = code;
            out->cr2 = la;
            return;
        }
        int leaf = L->last || (L->can_be_leaf && bit(e, 7));
        int shift = L->idx_lo; /* page shift when this is a leaf */
        uint64_t rsvd = 0;
        if (!pae) {
            if (leaf && !L->last) {
                int Mp = cpu->pse36 ? (M < 40 ? M : 40) : 32;
                rsvd = bits_mask(21, Mp - 19);
            }
        } else if (L->is_pdpte_pae) {
            rsvd = bits_mask(63, M) | bits_mask(2, 1) | bits_mask(8, 5);
        } else {
            rsvd = bits_mask(lma ? 51 : 62, M);
            if (!nxe)
                rsvd |= 1ull << 63;
            int level_no = nlv - i; /* 1 = PT */
            if (lma && level_no >= 4) {
                rsvd |= 1ull << 7;
                if (cpu->amd)
                    rsvd |= 1ull << 8;
            }
            if (leaf && level_no == 3) {
                if (!cpu->gb1)
                    rsvd |= 1ull << 7;
                else
                    rsvd |= bits_mask(29, 13);
            }
            if (leaf && level_no == 2)
                rsvd |= bits_mask(20, 13);
        }
        if (e & rsvd) {
            out->status = MODEL_PF;
            out->err = code | 1 | 8;
            out->cr2 = la;
            return;
        }
        if (leaf) {
            ent[n - 1].leaf = 1;
            page_shift = (uint64_t)shift;
            break;
        }
        if (!pae)
            base = field(e, 31, 12) << 12;
        else
            base = e & bits_mask(M - 1, 12);
    }

    /* The page address. */
    struct entry *leafe = &ent[n - 1];
    uint64_t le = leafe->value;
    uint64_t off = la & bits_mask((int)page_shift - 1, 0);
    uint64_t pa;
    if (!pae && page_shift == 22) {
        int Mp = cpu->pse36 ? (M < 40 ? M : 40) : 32;
        pa = (field(le, 31, 22) << 22) | (field(le, Mp - 20, 13) << 32) | off;
    } else if (!pae) {
        pa = (field(le, 31, 12) << 12) | off;
    } else {
        pa = (le & bits_mask(M - 1, (int)page_shift)) | off;
    }

    /* Rights over the entries that carry them. */
    int user_addr = 1, w_all = 1, xd_any = 0, w_nonleaf = 1;
    for (int i = 0; i < n; i++) {
        if (!ent[i].rights)
            continue;
        if (!bit(ent[i].value, 2))
            user_addr = 0;
        if (!bit(ent[i].value, 1)) {
            w_all = 0;
            if (!ent[i].leaf)
                w_nonleaf = 0;
        }
        if (pae && nxe && ent[i].size == 8 && bit(ent[i].value, 63))
            xd_any = 1;
    }
    int ok;
    if (acc->kind == MODEL_FETCH) {
        if (xd_any)
            ok = 0;
        else if (user_access)
            ok = user_addr;
        else
            ok = !(smep && user_addr);
    } else if (acc->shstk) {
        int ss_page = w_nonleaf && !bit(le, 1) && bit(le, 6);
        ok = ss_page && (user_access ? user_addr : !user_addr);
    } else if (user_access) {
        ok = user_addr && (acc->kind != MODEL_WRITE || w_all);
    } else {
        ok = 1;
        if (user_addr && smap && !(acc->ac && !acc->implicit))
            ok = 0;
        if (acc->kind == MODEL_WRITE && wp && !w_all)
            ok = 0;
    }
    int pk = 0;
    if (lma && acc->kind != MODEL_FETCH) {
        int key = (int)field(le, 62, 59);
        int have = 0;
        uint32_t reg = 0;
        if (user_addr && pke) {
            have = 1;
            reg = cpu->pkru;
        } else if (!user_addr && pks) {
            have = 1;
            reg = cpu->pkrs;
        }
        if (have) {
            int ad = (int)bit(reg, 2 * key), wd = (int)bit(reg, 2 * key + 1);
            if (ad || (acc->kind == MODEL_WRITE && wd && (user_access || wp)))
                pk = 1;
        }
    }
    if (!ok || pk) {
        out->status = MODEL_PF;
        out->err = code | 1 | (pk ? 32u : 0u);
        out->cr2 = la;
        return;
    }

    /* A/D: top-down, changed entries only; an entry used at several levels
     * (tables that point at themselves) is one write with all its new bits,
     * at the place of its first change. */
    for (int i = 0; i < n; i++) {
        if (!ent[i].rights)
            continue;
        uint64_t want = 1ull << 5;
        if (ent[i].leaf && acc->kind == MODEL_WRITE)
            want |= 1ull << 6;
        int found = -1;
        for (int k = 0; k < out->nwrites; k++)
            if (out->writes[k].gpa == ent[i].gpa)
                found = k;
        if (found >= 0) {
            out->writes[found].value |= want;
        } else if ((ent[i].value | want) != ent[i].value) {
            out->writes[out->nwrites].gpa = ent[i].gpa;
            out->writes[out->nwrites].value = ent[i].value | want;
            out->writes[out->nwrites].size = ent[i].size;
            out->nwrites++;
        }
    }
    out->status = MODEL_OK;
    out->gpa = pa;
    out->page_size = 1ull << page_shift;
}
