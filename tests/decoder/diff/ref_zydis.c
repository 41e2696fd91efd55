/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Zydis 4.0 as an oracle: ZydisDecoderDecodeFull, normalised into a ref_insn.
 *
 * Normalisation (README.md): the visible operands only, without the EVEX
 * opmask (encoding MASK, which ours keeps in xa_insn.evex); sizes in bytes;
 * an address-only memory operand (AGEN, MIB) has size 0; an immediate with
 * is_relative is a relative target.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <Zydis/Zydis.h>

#include "ref.h"

struct ref_zydis {
    int mode;
    ZydisDecoder dec;
    ZydisFormatter fmt;
};

struct ref_zydis *ref_zydis_new(int mode, int vendor)
{
    ZydisMachineMode mm;
    ZydisStackWidth sw;
    switch (mode) {
    case XA_MODE_REAL:
        mm = ZYDIS_MACHINE_MODE_REAL_16;
        sw = ZYDIS_STACK_WIDTH_16;
        break;
    case XA_MODE_16:
        mm = ZYDIS_MACHINE_MODE_LEGACY_16;
        sw = ZYDIS_STACK_WIDTH_16;
        break;
    case XA_MODE_32:
        mm = ZYDIS_MACHINE_MODE_LEGACY_32;
        sw = ZYDIS_STACK_WIDTH_32;
        break;
    case XA_MODE_64:
        mm = ZYDIS_MACHINE_MODE_LONG_64;
        sw = ZYDIS_STACK_WIDTH_64;
        break;
    default: return NULL;
    }
    struct ref_zydis *z = calloc(1, sizeof *z);
    if (!z)
        return NULL;
    if (!ZYAN_SUCCESS(ZydisDecoderInit(&z->dec, mm, sw)) ||
        !ZYAN_SUCCESS(ZydisFormatterInit(&z->fmt, ZYDIS_FORMATTER_STYLE_INTEL))) {
        free(z);
        return NULL;
    }
    z->mode = mode;
    /* Current hardware: F3 0F 09 is WBNOINVD (Zydis leaves it off by default). */
    ZydisDecoderEnableMode(&z->dec, ZYDIS_DECODER_MODE_WBNOINVD, ZYAN_TRUE);
    /* AMD honours 66 on near branches in 64-bit mode. */
    if (vendor == XA_VENDOR_AMD)
        ZydisDecoderEnableMode(&z->dec, ZYDIS_DECODER_MODE_AMD_BRANCHES, ZYAN_TRUE);
    return z;
}

void ref_zydis_free(struct ref_zydis *z)
{
    free(z);
}

static void copy_name(char *dst, const char *src)
{
    size_t i = 0;
    if (src)
        for (; src[i] && i + 1 < REF_NAME; i++)
            dst[i] = (char)((src[i] >= 'A' && src[i] <= 'Z') ? src[i] - 'A' + 'a' : src[i]);
    dst[i] = 0;
}

static void reg_name(char *dst, ZydisRegister r)
{
    if (r == ZYDIS_REGISTER_NONE)
        dst[0] = 0;
    else
        copy_name(dst, ZydisRegisterGetString(r));
}

void ref_zydis_decode(struct ref_zydis *z, const uint8_t *bytes, size_t len, bool with_text,
                      struct ref_insn *out)
{
    ZydisDecodedInstruction in;
    ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];

    memset(out, 0, sizeof *out);
    ZyanStatus st = ZydisDecoderDecodeFull(&z->dec, bytes, len, &in, ops);
    if (!ZYAN_SUCCESS(st)) {
        if (st == ZYDIS_STATUS_NO_MORE_DATA)
            out->status = REF_TRUNCATED;
        else if (st == ZYDIS_STATUS_INSTRUCTION_TOO_LONG)
            out->status = REF_TOO_LONG;
        else
            out->status = REF_INVALID;
        return;
    }
    out->status = REF_VALID;
    out->length = in.length;
    out->adsize = in.address_width;
    copy_name(out->mnemonic, ZydisMnemonicGetString(in.mnemonic));
    if (with_text) {
        if (!ZYAN_SUCCESS(ZydisFormatterFormatInstruction(
                &z->fmt, &in, ops, in.operand_count_visible, out->text, sizeof out->text, 0, NULL)))
            snprintf(out->text, sizeof out->text, "(format failed)");
    }

    unsigned n = 0;
    for (unsigned i = 0; i < in.operand_count_visible && i < ZYDIS_MAX_OPERAND_COUNT; i++) {
        const ZydisDecodedOperand *o = &ops[i];
        if (o->visibility == ZYDIS_OPERAND_VISIBILITY_HIDDEN)
            continue;
        /* The EVEX opmask: ours keeps it in xa_insn.evex, not in ops[]. */
        if (o->encoding == ZYDIS_OPERAND_ENCODING_MASK)
            continue;
        if (n == REF_MAX_OPS)
            break;
        struct ref_operand *r = &out->ops[n++];
        r->size = (uint16_t)(o->size / 8);
        switch (o->type) {
        case ZYDIS_OPERAND_TYPE_REGISTER:
            r->kind = REF_OP_REG;
            reg_name(r->reg, o->reg.value);
            /* Zydis gives the logical size (64 for the source of punpcklqdq xmm, xmm);
               ours the register's width, which its name already says. */
            if (ref_reg_width(r->reg, z->mode))
                r->size = ref_reg_width(r->reg, z->mode);
            break;
        case ZYDIS_OPERAND_TYPE_MEMORY:
            r->kind = REF_OP_MEM;
            if (o->mem.type == ZYDIS_MEMOP_TYPE_AGEN || o->mem.type == ZYDIS_MEMOP_TYPE_MIB)
                r->size = 0;
            reg_name(r->seg, o->mem.segment);
            reg_name(r->base, o->mem.base);
            reg_name(r->index, o->mem.index);
            r->scale = r->index[0] ? o->mem.scale : 0;
            r->disp = o->mem.disp.has_displacement ? o->mem.disp.value : 0;
            r->rip_rel = o->mem.base == ZYDIS_REGISTER_RIP || o->mem.base == ZYDIS_REGISTER_EIP;
            break;
        case ZYDIS_OPERAND_TYPE_IMMEDIATE:
            r->kind = o->imm.is_relative ? REF_OP_REL : REF_OP_IMM;
            r->imm = o->imm.value.u;
            break;
        case ZYDIS_OPERAND_TYPE_POINTER:
            r->kind = REF_OP_FAR;
            r->imm = o->ptr.offset;
            r->sel = o->ptr.segment;
            break;
        default: r->kind = REF_OP_NONE; break;
        }
    }
    out->op_count = (uint8_t)n;
}
