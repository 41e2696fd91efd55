/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The entries of the handler tables, one list per emulator/insn_<name>.c, each sorted by
 * mnemonic (enum xa_mnemonic order). XAI_LIST_<NAME>(X, S, t) expands X(t, MNEMONIC,
 * handler) for each entry, S(t, ...) instead for a mnemonic that an earlier table of the
 * dispatch order (mov stack alu shift muldiv bit xchg cc bmi string io vec store) also
 * has. The file of the table expands it into its entries (the handlers are its static
 * functions); core/dispatch.c into its constant mnemonic -> table index, where only the
 * first table of a mnemonic counts. Not API.
 */
#ifndef XA_EMULATOR_HANDLER_LIST_H
#define XA_EMULATOR_HANDLER_LIST_H

/* clang-format off */
#define XAI_LIST_MOV(X, S, t) \
    X(t, MOV, exec_mov) \
    X(t, MOVBE, exec_movbe) \
    X(t, MOVNTI, exec_mov) \
    X(t, MOVSX, exec_movsx) \
    X(t, MOVSXD, exec_movsx) \
    X(t, MOVZX, exec_movzx)

#define XAI_LIST_STACK(X, S, t) \
    X(t, POP, exec_pop) \
    X(t, PUSH, exec_push)

#define XAI_LIST_ALU(X, S, t) \
    X(t, ADC, exec_binary) \
    X(t, ADD, exec_binary) \
    X(t, AND, exec_binary) \
    X(t, CMP, exec_binary) \
    X(t, DEC, exec_unary) \
    X(t, INC, exec_unary) \
    X(t, NEG, exec_unary) \
    X(t, NOT, exec_unary) \
    X(t, OR, exec_binary) \
    X(t, SBB, exec_binary) \
    X(t, SUB, exec_binary) \
    X(t, TEST, exec_binary) \
    X(t, XOR, exec_binary)

#define XAI_LIST_SHIFT(X, S, t) \
    X(t, RCL, exec_shift) \
    X(t, RCR, exec_shift) \
    X(t, ROL, exec_shift) \
    X(t, ROR, exec_shift) \
    X(t, SAL, exec_shift) \
    X(t, SAR, exec_shift) \
    X(t, SHL, exec_shift) \
    X(t, SHLD, exec_shxd) \
    X(t, SHR, exec_shift) \
    X(t, SHRD, exec_shxd)

#define XAI_LIST_MULDIV(X, S, t) \
    X(t, DIV, exec_div) \
    X(t, IDIV, exec_div) \
    X(t, IMUL, exec_imul) \
    X(t, MUL, exec_mul)

#define XAI_LIST_BIT(X, S, t) \
    X(t, BSF, exec_bsf_bsr) \
    X(t, BSR, exec_bsf_bsr) \
    X(t, BT, exec_bt) \
    X(t, BTC, exec_bt) \
    X(t, BTR, exec_bt) \
    X(t, BTS, exec_bt) \
    X(t, LZCNT, exec_count) \
    X(t, POPCNT, exec_count) \
    X(t, TZCNT, exec_count)

#define XAI_LIST_XCHG(X, S, t) \
    X(t, CMPXCHG, exec_cmpxchg) \
    X(t, CMPXCHG16B, exec_cmpxchg16b) \
    X(t, CMPXCHG8B, exec_cmpxchg8b) \
    X(t, XADD, exec_xadd) \
    X(t, XCHG, exec_xchg)

#define XAI_LIST_CC(X, S, t) \
    X(t, CMOVB, exec_cmovcc) \
    X(t, CMOVBE, exec_cmovcc) \
    X(t, CMOVL, exec_cmovcc) \
    X(t, CMOVLE, exec_cmovcc) \
    X(t, CMOVNB, exec_cmovcc) \
    X(t, CMOVNBE, exec_cmovcc) \
    X(t, CMOVNL, exec_cmovcc) \
    X(t, CMOVNLE, exec_cmovcc) \
    X(t, CMOVNO, exec_cmovcc) \
    X(t, CMOVNP, exec_cmovcc) \
    X(t, CMOVNS, exec_cmovcc) \
    X(t, CMOVNZ, exec_cmovcc) \
    X(t, CMOVO, exec_cmovcc) \
    X(t, CMOVP, exec_cmovcc) \
    X(t, CMOVS, exec_cmovcc) \
    X(t, CMOVZ, exec_cmovcc) \
    X(t, SETB, exec_setcc) \
    X(t, SETBE, exec_setcc) \
    X(t, SETL, exec_setcc) \
    X(t, SETLE, exec_setcc) \
    X(t, SETNB, exec_setcc) \
    X(t, SETNBE, exec_setcc) \
    X(t, SETNL, exec_setcc) \
    X(t, SETNLE, exec_setcc) \
    X(t, SETNO, exec_setcc) \
    X(t, SETNP, exec_setcc) \
    X(t, SETNS, exec_setcc) \
    X(t, SETNZ, exec_setcc) \
    X(t, SETO, exec_setcc) \
    X(t, SETP, exec_setcc) \
    X(t, SETS, exec_setcc) \
    X(t, SETZ, exec_setcc)

#define XAI_LIST_BMI(X, S, t) \
    X(t, ANDN, exec_three) \
    X(t, BEXTR, exec_three) \
    X(t, BLSI, exec_bls) \
    X(t, BLSMSK, exec_bls) \
    X(t, BLSR, exec_bls) \
    X(t, BZHI, exec_three) \
    X(t, MULX, exec_mulx) \
    X(t, PDEP, exec_three) \
    X(t, PEXT, exec_three) \
    X(t, RORX, exec_three) \
    X(t, SARX, exec_three) \
    X(t, SHLX, exec_three) \
    X(t, SHRX, exec_three)

#define XAI_LIST_STRING(X, S, t) \
    X(t, CMPSB, exec_string) \
    X(t, CMPSD, exec_string) \
    X(t, CMPSQ, exec_string) \
    X(t, CMPSW, exec_string) \
    X(t, INSB, exec_string) \
    X(t, INSD, exec_string) \
    X(t, INSW, exec_string) \
    X(t, LODSB, exec_string) \
    X(t, LODSD, exec_string) \
    X(t, LODSQ, exec_string) \
    X(t, LODSW, exec_string) \
    X(t, MOVSB, exec_string) \
    X(t, MOVSD, exec_string) \
    X(t, MOVSQ, exec_string) \
    X(t, MOVSW, exec_string) \
    X(t, OUTSB, exec_string) \
    X(t, OUTSD, exec_string) \
    X(t, OUTSW, exec_string) \
    X(t, SCASB, exec_string) \
    X(t, SCASD, exec_string) \
    X(t, SCASQ, exec_string) \
    X(t, SCASW, exec_string) \
    X(t, STOSB, exec_string) \
    X(t, STOSD, exec_string) \
    X(t, STOSQ, exec_string) \
    X(t, STOSW, exec_string)

#define XAI_LIST_IO(X, S, t) \
    X(t, IN, exec_in) \
    X(t, OUT, exec_out)

#define XAI_LIST_VEC(X, S, t) \
    X(t, LDDQU, exec_full) \
    X(t, MOVAPD, exec_full) \
    X(t, MOVAPS, exec_full) \
    X(t, MOVD, exec_movdq) \
    X(t, MOVDQA, exec_full) \
    X(t, MOVDQU, exec_full) \
    X(t, MOVHPD, exec_half) \
    X(t, MOVHPS, exec_half) \
    X(t, MOVLPD, exec_half) \
    X(t, MOVLPS, exec_half) \
    X(t, MOVNTDQ, exec_full) \
    X(t, MOVNTDQA, exec_full) \
    X(t, MOVNTPD, exec_full) \
    X(t, MOVNTPS, exec_full) \
    X(t, MOVQ, exec_movdq) \
    S(t, MOVSD, exec_scalar) \
    X(t, MOVSS, exec_scalar) \
    X(t, MOVUPD, exec_full) \
    X(t, MOVUPS, exec_full) \
    X(t, VLDDQU, exec_full) \
    X(t, VMOVAPD, exec_full) \
    X(t, VMOVAPS, exec_full) \
    X(t, VMOVD, exec_movdq) \
    X(t, VMOVDQA, exec_full) \
    X(t, VMOVDQA32, exec_full) \
    X(t, VMOVDQA64, exec_full) \
    X(t, VMOVDQU, exec_full) \
    X(t, VMOVDQU16, exec_full) \
    X(t, VMOVDQU32, exec_full) \
    X(t, VMOVDQU64, exec_full) \
    X(t, VMOVDQU8, exec_full) \
    X(t, VMOVHPD, exec_half) \
    X(t, VMOVHPS, exec_half) \
    X(t, VMOVLPD, exec_half) \
    X(t, VMOVLPS, exec_half) \
    X(t, VMOVNTDQ, exec_full) \
    X(t, VMOVNTDQA, exec_full) \
    X(t, VMOVNTPD, exec_full) \
    X(t, VMOVNTPS, exec_full) \
    X(t, VMOVQ, exec_movdq) \
    X(t, VMOVSD, exec_scalar) \
    X(t, VMOVSS, exec_scalar) \
    X(t, VMOVUPD, exec_full) \
    X(t, VMOVUPS, exec_full)

#define XAI_LIST_STORE(X, S, t) \
    X(t, CLFLUSH, exec_flush) \
    X(t, CLFLUSHOPT, exec_flush) \
    X(t, CLWB, exec_flush) \
    X(t, MOVDIR64B, exec_movdir64b) \
    X(t, MOVDIRI, exec_movdiri) \
    X(t, PREFETCH, exec_prefetch) \
    X(t, PREFETCHNTA, exec_prefetch) \
    X(t, PREFETCHT0, exec_prefetch) \
    X(t, PREFETCHT1, exec_prefetch) \
    X(t, PREFETCHT2, exec_prefetch) \
    X(t, PREFETCHW, exec_prefetch) \
    X(t, PREFETCHWT1, exec_prefetch)

/* clang-format on */

#endif
