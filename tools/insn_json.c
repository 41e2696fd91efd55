/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdio.h>

#include "insn_json.h"
#include "tool.h"

void json_set_hex(json_t *obj, const char *key, uint64_t v)
{
    char buf[24];
    snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
    json_object_set_new(obj, key, json_string(buf));
}

static uint64_t mask_to(uint64_t v, unsigned bytes)
{
    return bytes >= 8 || bytes == 0 ? v : v & ((UINT64_C(1) << (8 * bytes)) - 1);
}

static const char *access_name(unsigned access)
{
    switch (access & (XA_ACC_READ | XA_ACC_WRITE)) {
    case XA_ACC_READ: return "r";
    case XA_ACC_WRITE: return "w";
    case XA_ACC_READ | XA_ACC_WRITE: return "rw";
    default: return "none";
    }
}

static json_t *reg_or_null(unsigned reg)
{
    return reg ? json_string(xa_reg_name((enum xa_reg)reg)) : json_null();
}

static json_t *operand_to_json(const struct xa_insn *insn, const struct xa_operand *op,
                               uint64_t address)
{
    json_t *o = json_object();
    uint64_t imm = (uint64_t)insn->imm[op->imm_index & 1];
    switch (op->type) {
    case XA_OP_REG:
        json_object_set_new(o, "type", json_string("reg"));
        json_object_set_new(o, "reg", json_string(xa_reg_name((enum xa_reg)op->reg)));
        break;
    case XA_OP_MEM: json_object_set_new(o, "type", json_string("mem")); break;
    case XA_OP_IMM: json_object_set_new(o, "type", json_string("imm")); break;
    case XA_OP_REL: json_object_set_new(o, "type", json_string("rel")); break;
    case XA_OP_FAR:
        /* A far pointer is an immediate offset with its selector beside it. */
        json_object_set_new(o, "type", json_string("imm"));
        break;
    default: json_object_set_new(o, "type", json_string("none")); break;
    }
    json_object_set_new(o, "size", json_integer(op->size));
    json_object_set_new(o, "access", json_string(access_name(op->access)));
    if (op->access & XA_ACC_COND)
        json_object_set_new(o, "conditional", json_true());
    switch (op->type) {
    case XA_OP_MEM: {
        const struct xa_mem *m = &insn->mem;
        json_object_set_new(o, "seg", reg_or_null(m->seg));
        int riprel = m->base == XA_REG_RIP || m->base == XA_REG_EIP;
        json_object_set_new(o, "base", riprel ? json_null() : reg_or_null(m->base));
        json_object_set_new(o, "index", reg_or_null(m->index));
        json_object_set_new(o, "scale", json_integer(m->scale ? m->scale : 1));
        json_set_hex(o, "disp", (uint64_t)m->disp);
        if (riprel)
            json_object_set_new(o, "rip_relative", json_true());
        if (insn->evex.broadcast) {
            char b[16];
            snprintf(b, sizeof(b), "1to%u", insn->evex.broadcast);
            json_object_set_new(o, "broadcast", json_string(b));
        }
        break;
    }
    case XA_OP_IMM: json_set_hex(o, "value", mask_to(imm, op->size)); break;
    case XA_OP_REL: {
        uint64_t target = address + insn->length + imm;
        if (insn->mode != XA_MODE_64)
            target = mask_to(target, insn->opsize == 16 ? 2 : 4);
        json_set_hex(o, "target", target);
        break;
    }
    case XA_OP_FAR:
        json_set_hex(o, "value", (uint64_t)insn->imm[0]);
        json_set_hex(o, "selector", (uint64_t)insn->imm[1]);
        break;
    default: break;
    }
    return o;
}

json_t *insn_to_json(const struct xa_insn *insn, uint64_t address, const uint8_t *bytes)
{
    char hex[2 * XA_MAX_INSN_LENGTH + 1];
    char text[160];
    json_t *o = json_object();
    if (!o)
        return NULL;
    format_hex_bytes(bytes, insn->length, hex);
    json_object_set_new(o, "offset", json_integer((json_int_t)address));
    json_object_set_new(o, "length", json_integer(insn->length));
    json_object_set_new(o, "bytes", json_string(hex));
    json_object_set_new(o, "mnemonic", json_string(xa_mnemonic_name(insn->mnemonic)));
    json_object_set_new(o, "opsize", json_integer(insn->opsize));
    json_object_set_new(o, "adsize", json_integer(insn->adsize));
    json_t *ops = json_array();
    for (unsigned i = 0; i < insn->operand_count && i < 5; i++)
        json_array_append_new(ops, operand_to_json(insn, &insn->ops[i], address));
    json_object_set_new(o, "operands", ops);
    if (insn->encoding == XA_ENC_EVEX) {
        if (insn->evex.mask) {
            snprintf(text, sizeof(text), "k%u", insn->evex.mask);
            json_object_set_new(o, "mask", json_string(text));
        }
        if (insn->evex.zeroing)
            json_object_set_new(o, "zeroing", json_true());
        static const char *const rc[] = {"", "sae", "rn-sae", "rd-sae", "ru-sae", "rz-sae"};
        if (insn->evex.rounding && insn->evex.rounding < 6)
            json_object_set_new(o, "rounding", json_string(rc[insn->evex.rounding]));
    }
    xa_format(insn, address, text, sizeof(text));
    json_object_set_new(o, "text", json_string(text));
    return o;
}
