/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * capstone 4.0.2 as an oracle (CS_OPT_DETAIL on), normalised into a ref_insn.
 *
 * Normalisation (README.md): the opmask operand and the operands of the
 * suffixed string forms are dropped; a missing (or, in 64-bit mode, ignored)
 * segment becomes the effective default segment; an immediate's size is the
 * encoded size; a relative branch's absolute target becomes the displacement
 * from the next instruction; "st(0)" is "st0"; LEA's operand has size 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <capstone/capstone.h>

#include "ref.h"

struct ref_capstone {
    csh h;
    cs_insn *insn;
    int mode;
};

struct ref_capstone *ref_capstone_new(int mode)
{
    cs_mode cm;
    switch (mode) {
    case XA_MODE_REAL:
    case XA_MODE_16: cm = CS_MODE_16; break;
    case XA_MODE_32: cm = CS_MODE_32; break;
    case XA_MODE_64: cm = CS_MODE_64; break;
    default: return NULL;
    }
    struct ref_capstone *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    if (cs_open(CS_ARCH_X86, cm, &c->h) != CS_ERR_OK) {
        free(c);
        return NULL;
    }
    cs_option(c->h, CS_OPT_DETAIL, CS_OPT_ON);
    c->insn = cs_malloc(c->h);
    if (!c->insn) {
        cs_close(&c->h);
        free(c);
        return NULL;
    }
    c->mode = mode;
    return c;
}

void ref_capstone_free(struct ref_capstone *c)
{
    if (!c)
        return;
    cs_free(c->insn, 1);
    cs_close(&c->h);
    free(c);
}

static void reg_name(csh h, char *dst, unsigned r)
{
    dst[0] = 0;
    if (r == X86_REG_INVALID)
        return;
    const char *s = cs_reg_name(h, r);
    size_t n = 0;
    for (; s && *s && n + 1 < REF_NAME; s++)
        if (*s != '(' && *s != ')') /* st(0) -> st0 */
            dst[n++] = *s;
    dst[n] = 0;
}

static bool is_string_form(unsigned id)
{
    switch (id) {
    case X86_INS_MOVSB:
    case X86_INS_MOVSW:
    case X86_INS_MOVSD:
    case X86_INS_MOVSQ:
    case X86_INS_CMPSB:
    case X86_INS_CMPSW:
    case X86_INS_CMPSD:
    case X86_INS_CMPSQ:
    case X86_INS_STOSB:
    case X86_INS_STOSW:
    case X86_INS_STOSD:
    case X86_INS_STOSQ:
    case X86_INS_LODSB:
    case X86_INS_LODSW:
    case X86_INS_LODSD:
    case X86_INS_LODSQ:
    case X86_INS_SCASB:
    case X86_INS_SCASW:
    case X86_INS_SCASD:
    case X86_INS_SCASQ:
    case X86_INS_INSB:
    case X86_INS_INSW:
    case X86_INS_INSD:
    case X86_INS_OUTSB:
    case X86_INS_OUTSW:
    case X86_INS_OUTSD: return true;
    default: return false;
    }
}

static bool is_stack_base(unsigned r)
{
    return r == X86_REG_RSP || r == X86_REG_RBP || r == X86_REG_ESP || r == X86_REG_EBP ||
           r == X86_REG_SP || r == X86_REG_BP;
}

void ref_capstone_decode(struct ref_capstone *c, const uint8_t *bytes, size_t len, bool with_text,
                         struct ref_insn *out)
{
    memset(out, 0, sizeof *out);
    const uint8_t *p = bytes;
    size_t n = len;
    uint64_t addr = 0;
    if (!cs_disasm_iter(c->h, &p, &n, &addr, c->insn)) {
        out->status = REF_INVALID;
        return;
    }
    const cs_insn *ci = c->insn;
    const cs_x86 *x = &ci->detail->x86;
    out->status = REF_VALID;
    out->length = (uint8_t)ci->size;
    out->adsize = (uint8_t)(x->addr_size * 8);
    snprintf(out->mnemonic, sizeof out->mnemonic, "%s", ci->mnemonic);
    if (with_text)
        snprintf(out->text, sizeof out->text, "%s %s", ci->mnemonic, ci->op_str);

    bool drop_all = false;
    if (is_string_form(ci->id)) {
        drop_all = true;
        for (unsigned i = 0; i < x->op_count; i++) /* SSE movsd/cmpsd share the id */
            if (x->operands[i].type == X86_OP_REG && x->operands[i].reg >= X86_REG_XMM0 &&
                x->operands[i].reg <= X86_REG_XMM31)
                drop_all = false;
    }
    bool masked = strstr(ci->op_str, "{k") != NULL;
    bool relative = cs_insn_group(c->h, ci, X86_GRP_BRANCH_RELATIVE);
    unsigned imm_count = 0;
    for (unsigned i = 0; i < x->op_count; i++)
        imm_count += x->operands[i].type == X86_OP_IMM;
    bool is_far =
        (ci->id == X86_INS_LJMP || ci->id == X86_INS_LCALL) && imm_count == 2 && x->op_count == 2;

    unsigned k = 0;
    for (unsigned i = 0; i < x->op_count && !drop_all; i++) {
        const cs_x86_op *o = &x->operands[i];
        if (i == 1 && masked && o->type == X86_OP_REG && o->reg >= X86_REG_K0 &&
            o->reg <= X86_REG_K7)
            continue; /* the {k} opmask */
        if (k == REF_MAX_OPS)
            break;
        struct ref_operand *r = &out->ops[k];
        r->size = o->size;
        if (is_far) {
            r->kind = REF_OP_FAR;
            r->sel = (uint16_t)x->operands[0].imm;
            r->imm = (uint64_t)x->operands[1].imm;
            /* The offset has the operand size; the selector adds 2. */
            r->size = (uint16_t)(x->operands[1].size + 2);
            k++;
            break;
        }
        switch (o->type) {
        case X86_OP_REG:
            r->kind = REF_OP_REG;
            reg_name(c->h, r->reg, o->reg);
            if (ref_reg_width(r->reg, c->mode)) /* k registers are 2 in capstone */
                r->size = ref_reg_width(r->reg, c->mode);
            break;
        case X86_OP_MEM: {
            r->kind = REF_OP_MEM;
            unsigned seg = o->mem.segment;
            if (seg == X86_REG_INVALID ||
                (c->mode == XA_MODE_64 && (seg == X86_REG_ES || seg == X86_REG_CS ||
                                           seg == X86_REG_SS || seg == X86_REG_DS)))
                seg = is_stack_base(o->mem.base) ? X86_REG_SS : X86_REG_DS;
            reg_name(c->h, r->seg, seg);
            reg_name(c->h, r->base, o->mem.base);
            reg_name(c->h, r->index, o->mem.index);
            r->scale = r->index[0] ? (uint8_t)o->mem.scale : 0;
            r->disp = o->mem.disp;
            r->rip_rel = o->mem.base == X86_REG_RIP || o->mem.base == X86_REG_EIP;
            if (ci->id == X86_INS_LEA)
                r->size = 0;
            break;
        }
        case X86_OP_IMM:
            if (relative) {
                r->kind = REF_OP_REL;
                r->imm = (uint64_t)o->imm - ci->size;
            } else {
                r->kind = REF_OP_IMM;
                r->imm = (uint64_t)o->imm;
            }
            if (imm_count == 1 && x->encoding.imm_size)
                r->size = x->encoding.imm_size;
            else if (imm_count == 1 && o->imm == 1 && !relative)
                r->size = 1;                  /* the constant 1 of D0-D3 shifts: no encoded bytes */
            else if (ci->id == X86_INS_ENTER) /* iw, ib; capstone gives the operand size */
                r->size = i == 0 ? 2 : 1;
            break;
        default: r->kind = REF_OP_NONE; break;
        }
        k++;
    }
    out->op_count = (uint8_t)k;
}
