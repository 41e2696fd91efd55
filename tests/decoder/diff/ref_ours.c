/* SPDX-License-Identifier: BSD-2-Clause */
/* Our decoder (xa_decode) normalised into a ref_insn: no adjustments beyond the shape. */
#include <stdio.h>
#include <string.h>

#include "ref.h"

static void copy_reg(char *dst, unsigned r)
{
    const char *s = r == XA_REG_NONE ? "" : xa_reg_name((enum xa_reg)r);
    snprintf(dst, REF_NAME, "%s", s ? s : "");
}

void ref_from_xa(const struct xa_insn *in, xa_status st, bool with_text, struct ref_insn *out)
{
    memset(out, 0, sizeof *out);
    switch (st) {
    case XA_OK: out->status = REF_VALID; break;
    case XA_ERR_INVALID: out->status = REF_INVALID; return;
    case XA_ERR_TRUNCATED: out->status = REF_TRUNCATED; return;
    case XA_ERR_TOO_LONG: out->status = REF_TOO_LONG; return;
    default: out->status = REF_ERROR; return;
    }
    out->length = in->length;
    out->adsize = in->adsize;
    snprintf(out->mnemonic, sizeof out->mnemonic, "%s", xa_mnemonic_name(in->mnemonic));
    if (with_text)
        xa_format(in, 0, out->text, sizeof out->text);

    /*
     * Immediates are compared by their encoded width (xa_insn.imm_size), as
     * Zydis reports them; ours gives the size after sign extension. With two
     * immediates (ENTER iw ib, EXTRQ ib ib) the second is the one-byte one.
     */
    unsigned imm_ops = 0;
    for (unsigned i = 0; i < in->operand_count && i < 5; i++)
        imm_ops += in->ops[i].type == XA_OP_IMM;
    unsigned imm_seen = 0;

    unsigned n = in->operand_count;
    if (n > 5)
        n = 5; /* the fuzz target reports this; the record stays in bounds */
    for (unsigned i = 0; i < n; i++) {
        const struct xa_operand *o = &in->ops[i];
        struct ref_operand *r = &out->ops[i];
        r->size = o->size;
        unsigned ix = o->imm_index < 2 ? o->imm_index : 0;
        switch (o->type) {
        case XA_OP_REG:
            r->kind = REF_OP_REG;
            copy_reg(r->reg, o->reg);
            break;
        case XA_OP_MEM:
            r->kind = REF_OP_MEM;
            copy_reg(r->seg, in->mem.seg);
            copy_reg(r->base, in->mem.base);
            copy_reg(r->index, in->mem.index);
            r->scale = in->mem.index != XA_REG_NONE ? in->mem.scale : 0;
            r->disp = in->mem.disp;
            r->rip_rel = in->mem.base == XA_REG_RIP || in->mem.base == XA_REG_EIP;
            break;
        case XA_OP_IMM:
            r->kind = REF_OP_IMM;
            r->imm = (uint64_t)in->imm[ix];
            if (in->imm_size && imm_ops == 1)
                r->size = in->imm_size;
            else if (in->imm_size > 1 && imm_ops == 2)
                r->size = (uint16_t)(imm_seen == 0 ? in->imm_size - 1u : 1u);
            imm_seen++;
            break;
        case XA_OP_REL:
            r->kind = REF_OP_REL;
            r->imm = (uint64_t)in->imm[ix];
            break;
        case XA_OP_FAR:
            r->kind = REF_OP_FAR;
            r->imm = (uint64_t)in->imm[0];
            r->sel = (uint16_t)in->imm[1];
            break;
        default: r->kind = REF_OP_NONE; break;
        }
    }
    out->op_count = (uint8_t)n;
}

void ref_ours_decode(int mode, int vendor, const uint8_t *bytes, size_t len, struct ref_insn *out)
{
    struct xa_insn in;
    xa_status st = xa_decode(&in, (enum xa_mode)mode, (enum xa_vendor)vendor, bytes, len);
    ref_from_xa(&in, st, true, out);
}
