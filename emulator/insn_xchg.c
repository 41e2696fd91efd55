/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * XCHG, CMPXCHG, CMPXCHG8B, CMPXCHG16B, XADD.
 *
 * Atomicity is the core's: with LOCK (implicit for XCHG with memory) it commits a
 * memory operand the handler read and wrote with mem_cmpxchg against the value read,
 * and re-runs the handler when memory changed. So a failed CMPXCHG* writes the
 * destination back with its own value, as the SDM describes ("the destination operand
 * receives a write cycle without regard to the result of the comparison"): under LOCK
 * that makes the comparison itself atomic. A register destination of CMPXCHG is not
 * written when the comparison fails (so a 32-bit one is not zero-extended either).
 */
#include <string.h>

#include "emulator/emu.h"
#include "emulator/handler_list.h"
#include "emulator/flags.h"

static unsigned acc_reg(unsigned size)
{
    return size == 1 ? XA_REG_AL : size == 2 ? XA_REG_AX : size == 4 ? XA_REG_EAX : XA_REG_RAX;
}

static xa_status exec_xchg(struct xai_emu *e)
{
    uint64_t a, b;
    XAI_TRY(xai_op_read(e, 0, &a));
    XAI_TRY(xai_op_read(e, 1, &b));
    XAI_TRY(xai_op_write(e, 1, a));
    return xai_op_write(e, 0, b);
}

/* XADD: TEMP = SRC + DEST; SRC = DEST; DEST = TEMP (so XADD r, r leaves the sum). */
static xa_status exec_xadd(struct xai_emu *e)
{
    unsigned size = xai_insn(e)->ops[0].size;
    uint64_t d, s, r;
    XAI_TRY(xai_op_read(e, 0, &d));
    XAI_TRY(xai_op_read(e, 1, &s));
    r = xai_alu_add(xai_rflags(e), d, s, 0, size);
    XAI_TRY(xai_op_write(e, 1, d));
    return xai_op_write(e, 0, r);
}

static xa_status exec_cmpxchg(struct xai_emu *e)
{
    const struct xa_insn *in = xai_insn(e);
    unsigned size = in->ops[0].size;
    uint64_t dst, src, acc;

    XAI_TRY(xai_op_read(e, 0, &dst));
    XAI_TRY(xai_op_read(e, 1, &src));
    XAI_TRY(xai_gpr_read(e, acc_reg(size), &acc));
    xai_alu_sub(xai_rflags(e), acc, dst, 0, size);
    if ((acc & xai_size_mask(size)) == dst)
        return xai_op_write(e, 0, src);
    if (in->ops[0].type == XA_OP_MEM)
        XAI_TRY(xai_op_write(e, 0, dst));
    return xai_gpr_write(e, acc_reg(size), dst);
}

/* CMPXCHG8B m64: compare EDX:EAX with m64; equal: m64 = ECX:EBX, else EDX:EAX = m64. */
static xa_status exec_cmpxchg8b(struct xai_emu *e)
{
    uint64_t m, eax, edx, ebx, ecx;

    XAI_TRY(xai_op_read(e, 0, &m));
    XAI_TRY(xai_gpr_read(e, XA_REG_EAX, &eax));
    XAI_TRY(xai_gpr_read(e, XA_REG_EDX, &edx));
    if (m == (edx << 32 | eax)) {
        XAI_TRY(xai_gpr_read(e, XA_REG_EBX, &ebx));
        XAI_TRY(xai_gpr_read(e, XA_REG_ECX, &ecx));
        xai_flags_put(xai_rflags(e), XAI_ZF, XAI_ZF);
        return xai_op_write(e, 0, ecx << 32 | ebx);
    }
    xai_flags_put(xai_rflags(e), XAI_ZF, 0);
    XAI_TRY(xai_op_write(e, 0, m));
    XAI_TRY(xai_gpr_write(e, XA_REG_EAX, m & 0xffffffffu));
    return xai_gpr_write(e, XA_REG_EDX, m >> 32);
}

/*
 * The low bits of the memory operand's linear address: emu.h has no accessor for the
 * effective address, so it is recomputed here from the decoded operand (64-bit mode
 * only, where CMPXCHG16B exists: only FS and GS have a base).
 */
static xa_status operand_linear(struct xai_emu *e, uint64_t *la)
{
    const struct xa_insn *in = xai_insn(e);
    const struct xa_mem *mem = &in->mem;
    uint64_t ea = (uint64_t)mem->disp, v;

    if (mem->base == XA_REG_RIP || mem->base == XA_REG_EIP) {
        XAI_TRY(xai_reg_get(e, XA_R_RIP, &v));
        ea += v + in->length;
    } else if (mem->base != XA_REG_NONE) {
        XAI_TRY(xai_gpr_read(e, mem->base, &v));
        ea += v;
    }
    if (mem->index != XA_REG_NONE) {
        XAI_TRY(xai_gpr_read(e, mem->index, &v));
        ea += v * mem->scale;
    }
    if (in->adsize == 32)
        ea &= 0xffffffffu;
    if (mem->seg == XA_REG_FS || mem->seg == XA_REG_GS) {
        union xa_regval seg;
        XAI_TRY(xai_vreg_get(e, mem->seg == XA_REG_FS ? XA_R_FS : XA_R_GS, &seg));
        ea += seg.seg.base;
    }
    *la = ea;
    return XA_OK;
}

static uint64_t load_le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void store_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* CMPXCHG16B m128: as CMPXCHG8B with RDX:RAX / RCX:RBX; #GP(0) unless 16-byte aligned. */
static xa_status exec_cmpxchg16b(struct xai_emu *e)
{
    uint8_t m[16], n[16];
    uint64_t la, rax, rdx, rbx, rcx;

    XAI_TRY(operand_linear(e, &la));
    if (la & 15u)
        return xai_raise(e, XA_VEC_GP, true, 0);
    XAI_TRY(xai_op_read_bytes(e, 0, m, 16));
    XAI_TRY(xai_gpr_read(e, XA_REG_RAX, &rax));
    XAI_TRY(xai_gpr_read(e, XA_REG_RDX, &rdx));
    if (load_le64(m) == rax && load_le64(m + 8) == rdx) {
        XAI_TRY(xai_gpr_read(e, XA_REG_RBX, &rbx));
        XAI_TRY(xai_gpr_read(e, XA_REG_RCX, &rcx));
        store_le64(n, rbx);
        store_le64(n + 8, rcx);
        xai_flags_put(xai_rflags(e), XAI_ZF, XAI_ZF);
        return xai_op_write_bytes(e, 0, n, 16);
    }
    xai_flags_put(xai_rflags(e), XAI_ZF, 0);
    memcpy(n, m, sizeof(n));
    XAI_TRY(xai_op_write_bytes(e, 0, n, 16));
    XAI_TRY(xai_gpr_write(e, XA_REG_RAX, load_le64(m)));
    return xai_gpr_write(e, XA_REG_RDX, load_le64(m + 8));
}

/* The entries are in emulator/handler_list.h (XAI_LIST_XCHG). */
#define ENTRY(t, m, fn) {XA_MNEM_##m, fn},
const struct xai_handler xai_xchg_handlers[] = {XAI_LIST_XCHG(ENTRY, ENTRY, 0){0, NULL}};
#undef ENTRY
const unsigned xai_xchg_handlers_count =
    sizeof(xai_xchg_handlers) / sizeof(xai_xchg_handlers[0]) - 1;
