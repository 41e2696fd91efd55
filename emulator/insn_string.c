/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * MOVS STOS LODS CMPS SCAS INS OUTS in every element size: the string engine
 * (emulator/core/string.c) runs them, REP/REPE/REPNE included. The mnemonic gives the
 * element size (MOVSD here is the string form: the SSE MOVSD has its own map).
 */
#include "emulator/emu.h"
#include "emulator/handler_list.h"
#include "emulator/handlers.h"

static xa_status exec_string(struct xai_emu *e)
{
    const struct xa_insn *in = xai_insn(e);
    unsigned op, elem;
    switch (in->mnemonic) {
    case XA_MNEM_MOVSB: op = XAI_STR_MOVS, elem = 1; break;
    case XA_MNEM_MOVSW: op = XAI_STR_MOVS, elem = 2; break;
    case XA_MNEM_MOVSD: op = XAI_STR_MOVS, elem = 4; break;
    case XA_MNEM_MOVSQ: op = XAI_STR_MOVS, elem = 8; break;
    case XA_MNEM_STOSB: op = XAI_STR_STOS, elem = 1; break;
    case XA_MNEM_STOSW: op = XAI_STR_STOS, elem = 2; break;
    case XA_MNEM_STOSD: op = XAI_STR_STOS, elem = 4; break;
    case XA_MNEM_STOSQ: op = XAI_STR_STOS, elem = 8; break;
    case XA_MNEM_LODSB: op = XAI_STR_LODS, elem = 1; break;
    case XA_MNEM_LODSW: op = XAI_STR_LODS, elem = 2; break;
    case XA_MNEM_LODSD: op = XAI_STR_LODS, elem = 4; break;
    case XA_MNEM_LODSQ: op = XAI_STR_LODS, elem = 8; break;
    case XA_MNEM_CMPSB: op = XAI_STR_CMPS, elem = 1; break;
    case XA_MNEM_CMPSW: op = XAI_STR_CMPS, elem = 2; break;
    case XA_MNEM_CMPSD: op = XAI_STR_CMPS, elem = 4; break;
    case XA_MNEM_CMPSQ: op = XAI_STR_CMPS, elem = 8; break;
    case XA_MNEM_SCASB: op = XAI_STR_SCAS, elem = 1; break;
    case XA_MNEM_SCASW: op = XAI_STR_SCAS, elem = 2; break;
    case XA_MNEM_SCASD: op = XAI_STR_SCAS, elem = 4; break;
    case XA_MNEM_SCASQ: op = XAI_STR_SCAS, elem = 8; break;
    case XA_MNEM_INSB: op = XAI_STR_INS, elem = 1; break;
    case XA_MNEM_INSW: op = XAI_STR_INS, elem = 2; break;
    case XA_MNEM_INSD: op = XAI_STR_INS, elem = 4; break;
    case XA_MNEM_OUTSB: op = XAI_STR_OUTS, elem = 1; break;
    case XA_MNEM_OUTSW: op = XAI_STR_OUTS, elem = 2; break;
    case XA_MNEM_OUTSD: op = XAI_STR_OUTS, elem = 4; break;
    default: return XA_ERR_UNSUPPORTED;
    }
    /* MOVSD and CMPSD also name SSE instructions (F2 0F 10, F2 0F C2): another table's. */
    if (in->map != XA_MAP_1BYTE || in->operand_count != 0) {
        xai_exec_fn next = xai_find_handler_after(in->mnemonic, exec_string);
        return next ? next(e) : XA_ERR_UNSUPPORTED;
    }
    return xai_string(e, op, elem);
}

/* The entries are in emulator/handler_list.h (XAI_LIST_STRING). */
#define ENTRY(t, m, fn) {XA_MNEM_##m, fn},
const struct xai_handler xai_string_handlers[] = {XAI_LIST_STRING(ENTRY, ENTRY, 0){0, NULL}};
#undef ENTRY
const unsigned xai_string_handlers_count =
    sizeof(xai_string_handlers) / sizeof(xai_string_handlers[0]) - 1;
