/* SPDX-License-Identifier: BSD-2-Clause */
/* Intel-syntax formatter: for the tool, logs and people. */
#include <stdarg.h>
#include <stdio.h>

#include "decoder/registers.h"

/* An snprintf-style appender that counts what the full text needs. */
struct out {
    char *buf;
    size_t size;
    size_t len;
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
put(struct out *o, const char *fmt, ...)
{
    va_list ap;
    char *dst = o->len < o->size ? o->buf + o->len : NULL;
    size_t room = o->len < o->size ? o->size - o->len : 0;
    va_start(ap, fmt);
    int n = vsnprintf(dst, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len += (size_t)n;
}

static const char *size_keyword(unsigned size)
{
    switch (size) {
    case 1: return "byte ptr ";
    case 2: return "word ptr ";
    case 4: return "dword ptr ";
    case 6: return "fword ptr ";
    case 8: return "qword ptr ";
    case 10: return "tbyte ptr ";
    case 16: return "xmmword ptr ";
    case 32: return "ymmword ptr ";
    case 64: return "zmmword ptr ";
    default: return "";
    }
}

static uint64_t mask_to(uint64_t v, unsigned bytes)
{
    return bytes >= 8 || bytes == 0 ? v : v & ((UINT64_C(1) << (8 * bytes)) - 1);
}

static void put_memory(struct out *o, const struct xa_insn *insn, const struct xa_operand *op)
{
    const struct xa_mem *m = &insn->mem;
    int any = 0;
    put(o, "%s", size_keyword(op->size));
    if (insn->seg_override && m->seg == insn->seg_override)
        put(o, "%s:", xa_reg_name((enum xa_reg)m->seg));
    put(o, "[");
    if (m->base) {
        put(o, "%s", xa_reg_name((enum xa_reg)m->base));
        any = 1;
    }
    if (m->index) {
        put(o, "%s%s", any ? "+" : "", xa_reg_name((enum xa_reg)m->index));
        if (m->scale > 1)
            put(o, "*%u", m->scale);
        any = 1;
    }
    if (m->disp || !any) {
        uint64_t d = (uint64_t)m->disp;
        if (!any)
            put(o, "0x%llx", (unsigned long long)mask_to(d, insn->adsize / 8));
        else if (m->disp < 0)
            put(o, "-0x%llx", (unsigned long long)(0 - d));
        else
            put(o, "+0x%llx", (unsigned long long)d);
    }
    put(o, "]");
    if (insn->evex.broadcast)
        put(o, "{1to%u}", insn->evex.broadcast);
}

static const char *const rounding_names[] = {"",         "{sae}",    "{rn-sae}",
                                             "{rd-sae}", "{ru-sae}", "{rz-sae}"};

size_t xa_format(const struct xa_insn *insn, uint64_t address, char *buf, size_t size)
{
    struct out o = {buf, size, 0};
    if (size)
        buf[0] = '\0';
    if (!insn || !insn->mnemonic) {
        put(&o, "(bad)");
        return o.len;
    }
    if (insn->prefixes & XA_PFX_LOCK)
        put(&o, "lock ");
    if (insn->attributes & XA_ATTR_REPCC) {
        if (insn->prefixes & XA_PFX_REP)
            put(&o, "repe ");
        else if (insn->prefixes & XA_PFX_REPNE)
            put(&o, "repne ");
    } else if ((insn->attributes & XA_ATTR_REP) && (insn->prefixes & (XA_PFX_REP | XA_PFX_REPNE))) {
        put(&o, "rep ");
    }
    if (insn->prefixes & XA_PFX_XACQUIRE)
        put(&o, "xacquire ");
    if (insn->prefixes & XA_PFX_XRELEASE)
        put(&o, "xrelease ");
    if (insn->prefixes & XA_PFX_BND)
        put(&o, "bnd ");
    if (insn->prefixes & XA_PFX_NOTRACK)
        put(&o, "notrack ");
    put(&o, "%s", xa_mnemonic_name(insn->mnemonic));

    for (unsigned i = 0; i < insn->operand_count && i < 5; i++) {
        const struct xa_operand *op = &insn->ops[i];
        put(&o, i ? ", " : " ");
        switch (op->type) {
        case XA_OP_REG: put(&o, "%s", xa_reg_name((enum xa_reg)op->reg)); break;
        case XA_OP_MEM: put_memory(&o, insn, op); break;
        case XA_OP_IMM:
            put(&o, "0x%llx",
                (unsigned long long)mask_to((uint64_t)insn->imm[op->imm_index & 1], op->size));
            break;
        case XA_OP_REL: {
            uint64_t target = address + insn->length + (uint64_t)insn->imm[op->imm_index & 1];
            if (insn->mode != XA_MODE_64)
                target = mask_to(target, insn->opsize == 16 ? 2 : 4);
            put(&o, "0x%llx", (unsigned long long)target);
            break;
        }
        case XA_OP_FAR:
            put(&o, "0x%llx:0x%llx", (unsigned long long)insn->imm[1],
                (unsigned long long)insn->imm[0]);
            break;
        default: put(&o, "?"); break;
        }
        if (i == 0 && insn->encoding == XA_ENC_EVEX) {
            if (insn->evex.mask)
                put(&o, "{k%u}", insn->evex.mask);
            if (insn->evex.zeroing)
                put(&o, "{z}");
        }
    }
    if (insn->evex.rounding && insn->evex.rounding < 6)
        put(&o, ", %s", rounding_names[insn->evex.rounding]);
    return o.len;
}
