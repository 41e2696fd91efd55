/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The native-CPU differential test of the vector moves and direct stores: every
 * form (legacy SSE, MMX, VEX 128/256, EVEX 128/256/512 with merge and zero
 * masking, MOVDIRI, MOVDIR64B, the cache-line flushes and prefetches) with random
 * registers, opmasks (all-zero, all-ones, random, and masks that select only
 * the elements on one side of a page boundary) and operand addresses (crossing a
 * page, misaligned for the aligned forms) runs on the host (native_vec_cpu.c) and
 * through xa_decode + xa_emulate on flat_vcpu.c. ZMM0-31, K0-7, MM0-7, the GPRs,
 * RFLAGS and the whole data buffer must agree; a fault must be the same fault on
 * both sides: the #GP of a misaligned aligned form, the #UD of a VEX/EVEX.vvvv that
 * must be 1111, of {z} on a store to memory or without a mask.
 *
 *   native_vec [--states N] [--seed S] [--filter TEXT] [--verbose]
 *
 * N defaults to $XA_NATIVE_STATES, else 100. Exit status: 0 all agree, 1 a
 * mismatch, 77 skipped (not x86-64 Linux, or no AVX-512 F/BW/VL on the host).
 */
#if defined(__x86_64__) && defined(__linux__)

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <x86assist/x86assist.h>

#include "flat_vcpu.h"
#include "native_vec_cpu.h"
#include "native_rng.h"

/* ---- forms ----------------------------------------------------------------- */

enum { E_LEG, E_VEX, E_EVEX };
enum { K_XMM, K_MM, K_GPR, K_DIGIT };
enum { M_BOTH, M_MEM, M_REG };
enum {
    F_NDS = 1,     /* VEX/EVEX.vvvv is a source */
    F_K = 2,       /* EVEX masking */
    F_STORE = 4,   /* r/m is the destination */
    F_ALIGN = 8,   /* aligned to the vector length */
    F_DIR64B = 16, /* MOVDIR64B: reg is the destination address */
    F_NEEDMOVDIRI = 32,
    F_NEEDDIR64B = 64,
    F_ESZ8 = 128, /* EVEX.W1 element size (for the page-side masks) */
};

struct vform {
    const char *name;
    uint8_t enc, pp, map, op, w, regk, digit, rmk, mem, ls;
    uint16_t flags;
    uint8_t esize; /* element size of the mask (EVEX masked forms) */
};

#define L128 1
#define L256 2
#define L512 4

static const struct vform forms[] = {
    /* legacy SSE */
    {"movups", E_LEG, 0, 1, 0x10, 0, K_XMM, 0, K_XMM, M_BOTH, L128, 0, 0},
    {"movups.st", E_LEG, 0, 1, 0x11, 0, K_XMM, 0, K_XMM, M_BOTH, L128, F_STORE, 0},
    {"movupd", E_LEG, 1, 1, 0x10, 0, K_XMM, 0, K_XMM, M_BOTH, L128, 0, 0},
    {"movupd.st", E_LEG, 1, 1, 0x11, 0, K_XMM, 0, K_XMM, M_BOTH, L128, F_STORE, 0},
    {"movaps", E_LEG, 0, 1, 0x28, 0, K_XMM, 0, K_XMM, M_BOTH, L128, F_ALIGN, 0},
    {"movaps.st", E_LEG, 0, 1, 0x29, 0, K_XMM, 0, K_XMM, M_BOTH, L128, F_STORE | F_ALIGN, 0},
    {"movapd", E_LEG, 1, 1, 0x28, 0, K_XMM, 0, K_XMM, M_BOTH, L128, F_ALIGN, 0},
    {"movapd.st", E_LEG, 1, 1, 0x29, 0, K_XMM, 0, K_XMM, M_BOTH, L128, F_STORE | F_ALIGN, 0},
    {"movss", E_LEG, 2, 1, 0x10, 0, K_XMM, 0, K_XMM, M_BOTH, L128, 0, 0},
    {"movss.st", E_LEG, 2, 1, 0x11, 0, K_XMM, 0, K_XMM, M_BOTH, L128, F_STORE, 0},
    {"movsd", E_LEG, 3, 1, 0x10, 0, K_XMM, 0, K_XMM, M_BOTH, L128, 0, 0},
    {"movsd.st", E_LEG, 3, 1, 0x11, 0, K_XMM, 0, K_XMM, M_BOTH, L128, F_STORE, 0},
    {"movlps", E_LEG, 0, 1, 0x12, 0, K_XMM, 0, K_XMM, M_MEM, L128, 0, 0},
    {"movlps.st", E_LEG, 0, 1, 0x13, 0, K_XMM, 0, K_XMM, M_MEM, L128, F_STORE, 0},
    {"movlpd", E_LEG, 1, 1, 0x12, 0, K_XMM, 0, K_XMM, M_MEM, L128, 0, 0},
    {"movlpd.st", E_LEG, 1, 1, 0x13, 0, K_XMM, 0, K_XMM, M_MEM, L128, F_STORE, 0},
    {"movhps", E_LEG, 0, 1, 0x16, 0, K_XMM, 0, K_XMM, M_MEM, L128, 0, 0},
    {"movhps.st", E_LEG, 0, 1, 0x17, 0, K_XMM, 0, K_XMM, M_MEM, L128, F_STORE, 0},
    {"movhpd", E_LEG, 1, 1, 0x16, 0, K_XMM, 0, K_XMM, M_MEM, L128, 0, 0},
    {"movhpd.st", E_LEG, 1, 1, 0x17, 0, K_XMM, 0, K_XMM, M_MEM, L128, F_STORE, 0},
    {"movntps", E_LEG, 0, 1, 0x2B, 0, K_XMM, 0, K_XMM, M_MEM, L128, F_STORE | F_ALIGN, 0},
    {"movntpd", E_LEG, 1, 1, 0x2B, 0, K_XMM, 0, K_XMM, M_MEM, L128, F_STORE | F_ALIGN, 0},
    {"movd.x", E_LEG, 1, 1, 0x6E, 0, K_XMM, 0, K_GPR, M_BOTH, L128, 0, 0},
    {"movq.x", E_LEG, 1, 1, 0x6E, 1, K_XMM, 0, K_GPR, M_BOTH, L128, 0, 0},
    {"movdqa", E_LEG, 1, 1, 0x6F, 0, K_XMM, 0, K_XMM, M_BOTH, L128, F_ALIGN, 0},
    {"movdqu", E_LEG, 2, 1, 0x6F, 0, K_XMM, 0, K_XMM, M_BOTH, L128, 0, 0},
    {"movd.x.st", E_LEG, 1, 1, 0x7E, 0, K_XMM, 0, K_GPR, M_BOTH, L128, F_STORE, 0},
    {"movq.x.st", E_LEG, 1, 1, 0x7E, 1, K_XMM, 0, K_GPR, M_BOTH, L128, F_STORE, 0},
    {"movq.xx", E_LEG, 2, 1, 0x7E, 0, K_XMM, 0, K_XMM, M_BOTH, L128, 0, 0},
    {"movdqa.st", E_LEG, 1, 1, 0x7F, 0, K_XMM, 0, K_XMM, M_BOTH, L128, F_STORE | F_ALIGN, 0},
    {"movdqu.st", E_LEG, 2, 1, 0x7F, 0, K_XMM, 0, K_XMM, M_BOTH, L128, F_STORE, 0},
    {"movq.xx.st", E_LEG, 1, 1, 0xD6, 0, K_XMM, 0, K_XMM, M_BOTH, L128, F_STORE, 0},
    {"movntdq", E_LEG, 1, 1, 0xE7, 0, K_XMM, 0, K_XMM, M_MEM, L128, F_STORE | F_ALIGN, 0},
    {"lddqu", E_LEG, 3, 1, 0xF0, 0, K_XMM, 0, K_XMM, M_MEM, L128, 0, 0},
    {"movntdqa", E_LEG, 1, 2, 0x2A, 0, K_XMM, 0, K_XMM, M_MEM, L128, F_ALIGN, 0},
    /* MMX */
    {"movd.mm", E_LEG, 0, 1, 0x6E, 0, K_MM, 0, K_GPR, M_BOTH, L128, 0, 0},
    {"movq.mm", E_LEG, 0, 1, 0x6E, 1, K_MM, 0, K_GPR, M_BOTH, L128, 0, 0},
    {"movq.mmmm", E_LEG, 0, 1, 0x6F, 0, K_MM, 0, K_MM, M_BOTH, L128, 0, 0},
    {"movd.mm.st", E_LEG, 0, 1, 0x7E, 0, K_MM, 0, K_GPR, M_BOTH, L128, F_STORE, 0},
    {"movq.mm.st", E_LEG, 0, 1, 0x7E, 1, K_MM, 0, K_GPR, M_BOTH, L128, F_STORE, 0},
    {"movq.mmmm.st", E_LEG, 0, 1, 0x7F, 0, K_MM, 0, K_MM, M_BOTH, L128, F_STORE, 0},
    /* VEX */
    {"vmovups", E_VEX, 0, 1, 0x10, 0, K_XMM, 0, K_XMM, M_BOTH, L128 | L256, 0, 0},
    {"vmovups.st", E_VEX, 0, 1, 0x11, 0, K_XMM, 0, K_XMM, M_BOTH, L128 | L256, F_STORE, 0},
    {"vmovupd", E_VEX, 1, 1, 0x10, 0, K_XMM, 0, K_XMM, M_BOTH, L128 | L256, 0, 0},
    {"vmovupd.st", E_VEX, 1, 1, 0x11, 0, K_XMM, 0, K_XMM, M_BOTH, L128 | L256, F_STORE, 0},
    {"vmovss.m", E_VEX, 2, 1, 0x10, 0, K_XMM, 0, K_XMM, M_MEM, L128, 0, 0},
    {"vmovss.r", E_VEX, 2, 1, 0x10, 0, K_XMM, 0, K_XMM, M_REG, L128, F_NDS, 0},
    {"vmovss.st", E_VEX, 2, 1, 0x11, 0, K_XMM, 0, K_XMM, M_MEM, L128, F_STORE, 0},
    {"vmovss.r.st", E_VEX, 2, 1, 0x11, 0, K_XMM, 0, K_XMM, M_REG, L128, F_STORE | F_NDS, 0},
    {"vmovsd.m", E_VEX, 3, 1, 0x10, 0, K_XMM, 0, K_XMM, M_MEM, L128, 0, 0},
    {"vmovsd.r", E_VEX, 3, 1, 0x10, 0, K_XMM, 0, K_XMM, M_REG, L128, F_NDS, 0},
    {"vmovsd.st", E_VEX, 3, 1, 0x11, 0, K_XMM, 0, K_XMM, M_MEM, L128, F_STORE, 0},
    {"vmovsd.r.st", E_VEX, 3, 1, 0x11, 0, K_XMM, 0, K_XMM, M_REG, L128, F_STORE | F_NDS, 0},
    {"vmovlps", E_VEX, 0, 1, 0x12, 0, K_XMM, 0, K_XMM, M_MEM, L128, F_NDS, 0},
    {"vmovlps.st", E_VEX, 0, 1, 0x13, 0, K_XMM, 0, K_XMM, M_MEM, L128, F_STORE, 0},
    {"vmovlpd", E_VEX, 1, 1, 0x12, 0, K_XMM, 0, K_XMM, M_MEM, L128, F_NDS, 0},
    {"vmovlpd.st", E_VEX, 1, 1, 0x13, 0, K_XMM, 0, K_XMM, M_MEM, L128, F_STORE, 0},
    {"vmovhps", E_VEX, 0, 1, 0x16, 0, K_XMM, 0, K_XMM, M_MEM, L128, F_NDS, 0},
    {"vmovhps.st", E_VEX, 0, 1, 0x17, 0, K_XMM, 0, K_XMM, M_MEM, L128, F_STORE, 0},
    {"vmovhpd", E_VEX, 1, 1, 0x16, 0, K_XMM, 0, K_XMM, M_MEM, L128, F_NDS, 0},
    {"vmovhpd.st", E_VEX, 1, 1, 0x17, 0, K_XMM, 0, K_XMM, M_MEM, L128, F_STORE, 0},
    {"vmovaps", E_VEX, 0, 1, 0x28, 0, K_XMM, 0, K_XMM, M_BOTH, L128 | L256, F_ALIGN, 0},
    {"vmovaps.st", E_VEX, 0, 1, 0x29, 0, K_XMM, 0, K_XMM, M_BOTH, L128 | L256, F_STORE | F_ALIGN,
     0},
    {"vmovapd", E_VEX, 1, 1, 0x28, 0, K_XMM, 0, K_XMM, M_BOTH, L128 | L256, F_ALIGN, 0},
    {"vmovapd.st", E_VEX, 1, 1, 0x29, 0, K_XMM, 0, K_XMM, M_BOTH, L128 | L256, F_STORE | F_ALIGN,
     0},
    {"vmovntps", E_VEX, 0, 1, 0x2B, 0, K_XMM, 0, K_XMM, M_MEM, L128 | L256, F_STORE | F_ALIGN, 0},
    {"vmovntpd", E_VEX, 1, 1, 0x2B, 0, K_XMM, 0, K_XMM, M_MEM, L128 | L256, F_STORE | F_ALIGN, 0},
    {"vmovd", E_VEX, 1, 1, 0x6E, 0, K_XMM, 0, K_GPR, M_BOTH, L128, 0, 0},
    {"vmovq", E_VEX, 1, 1, 0x6E, 1, K_XMM, 0, K_GPR, M_BOTH, L128, 0, 0},
    {"vmovdqa", E_VEX, 1, 1, 0x6F, 0, K_XMM, 0, K_XMM, M_BOTH, L128 | L256, F_ALIGN, 0},
    {"vmovdqu", E_VEX, 2, 1, 0x6F, 0, K_XMM, 0, K_XMM, M_BOTH, L128 | L256, 0, 0},
    {"vmovd.st", E_VEX, 1, 1, 0x7E, 0, K_XMM, 0, K_GPR, M_BOTH, L128, F_STORE, 0},
    {"vmovq.st", E_VEX, 1, 1, 0x7E, 1, K_XMM, 0, K_GPR, M_BOTH, L128, F_STORE, 0},
    {"vmovq.xx", E_VEX, 2, 1, 0x7E, 0, K_XMM, 0, K_XMM, M_BOTH, L128, 0, 0},
    {"vmovdqa.st", E_VEX, 1, 1, 0x7F, 0, K_XMM, 0, K_XMM, M_BOTH, L128 | L256, F_STORE | F_ALIGN,
     0},
    {"vmovdqu.st", E_VEX, 2, 1, 0x7F, 0, K_XMM, 0, K_XMM, M_BOTH, L128 | L256, F_STORE, 0},
    {"vmovq.xx.st", E_VEX, 1, 1, 0xD6, 0, K_XMM, 0, K_XMM, M_BOTH, L128, F_STORE, 0},
    {"vmovntdq", E_VEX, 1, 1, 0xE7, 0, K_XMM, 0, K_XMM, M_MEM, L128 | L256, F_STORE | F_ALIGN, 0},
    {"vlddqu", E_VEX, 3, 1, 0xF0, 0, K_XMM, 0, K_XMM, M_MEM, L128 | L256, 0, 0},
    {"vmovntdqa", E_VEX, 1, 2, 0x2A, 0, K_XMM, 0, K_XMM, M_MEM, L128 | L256, F_ALIGN, 0},
/* EVEX */
#define LALL (L128 | L256 | L512)
    {"vmovups.e", E_EVEX, 0, 1, 0x10, 0, K_XMM, 0, K_XMM, M_BOTH, LALL, F_K, 4},
    {"vmovups.e.st", E_EVEX, 0, 1, 0x11, 0, K_XMM, 0, K_XMM, M_BOTH, LALL, F_K | F_STORE, 4},
    {"vmovupd.e", E_EVEX, 1, 1, 0x10, 1, K_XMM, 0, K_XMM, M_BOTH, LALL, F_K, 8},
    {"vmovupd.e.st", E_EVEX, 1, 1, 0x11, 1, K_XMM, 0, K_XMM, M_BOTH, LALL, F_K | F_STORE, 8},
    {"vmovaps.e", E_EVEX, 0, 1, 0x28, 0, K_XMM, 0, K_XMM, M_BOTH, LALL, F_K | F_ALIGN, 4},
    {"vmovaps.e.st", E_EVEX, 0, 1, 0x29, 0, K_XMM, 0, K_XMM, M_BOTH, LALL, F_K | F_STORE | F_ALIGN,
     4},
    {"vmovapd.e", E_EVEX, 1, 1, 0x28, 1, K_XMM, 0, K_XMM, M_BOTH, LALL, F_K | F_ALIGN, 8},
    {"vmovapd.e.st", E_EVEX, 1, 1, 0x29, 1, K_XMM, 0, K_XMM, M_BOTH, LALL, F_K | F_STORE | F_ALIGN,
     8},
    {"vmovdqa32", E_EVEX, 1, 1, 0x6F, 0, K_XMM, 0, K_XMM, M_BOTH, LALL, F_K | F_ALIGN, 4},
    {"vmovdqa32.st", E_EVEX, 1, 1, 0x7F, 0, K_XMM, 0, K_XMM, M_BOTH, LALL, F_K | F_STORE | F_ALIGN,
     4},
    {"vmovdqa64", E_EVEX, 1, 1, 0x6F, 1, K_XMM, 0, K_XMM, M_BOTH, LALL, F_K | F_ALIGN, 8},
    {"vmovdqa64.st", E_EVEX, 1, 1, 0x7F, 1, K_XMM, 0, K_XMM, M_BOTH, LALL, F_K | F_STORE | F_ALIGN,
     8},
    {"vmovdqu32", E_EVEX, 2, 1, 0x6F, 0, K_XMM, 0, K_XMM, M_BOTH, LALL, F_K, 4},
    {"vmovdqu32.st", E_EVEX, 2, 1, 0x7F, 0, K_XMM, 0, K_XMM, M_BOTH, LALL, F_K | F_STORE, 4},
    {"vmovdqu64", E_EVEX, 2, 1, 0x6F, 1, K_XMM, 0, K_XMM, M_BOTH, LALL, F_K, 8},
    {"vmovdqu64.st", E_EVEX, 2, 1, 0x7F, 1, K_XMM, 0, K_XMM, M_BOTH, LALL, F_K | F_STORE, 8},
    {"vmovdqu8", E_EVEX, 3, 1, 0x6F, 0, K_XMM, 0, K_XMM, M_BOTH, LALL, F_K, 1},
    {"vmovdqu8.st", E_EVEX, 3, 1, 0x7F, 0, K_XMM, 0, K_XMM, M_BOTH, LALL, F_K | F_STORE, 1},
    {"vmovdqu16", E_EVEX, 3, 1, 0x6F, 1, K_XMM, 0, K_XMM, M_BOTH, LALL, F_K, 2},
    {"vmovdqu16.st", E_EVEX, 3, 1, 0x7F, 1, K_XMM, 0, K_XMM, M_BOTH, LALL, F_K | F_STORE, 2},
    {"vmovss.e.m", E_EVEX, 2, 1, 0x10, 0, K_XMM, 0, K_XMM, M_MEM, L128, F_K, 4},
    {"vmovss.e.r", E_EVEX, 2, 1, 0x10, 0, K_XMM, 0, K_XMM, M_REG, L128, F_K | F_NDS, 4},
    {"vmovss.e.st", E_EVEX, 2, 1, 0x11, 0, K_XMM, 0, K_XMM, M_MEM, L128, F_K | F_STORE, 4},
    {"vmovss.e.r.st", E_EVEX, 2, 1, 0x11, 0, K_XMM, 0, K_XMM, M_REG, L128, F_K | F_STORE | F_NDS,
     4},
    {"vmovsd.e.m", E_EVEX, 3, 1, 0x10, 1, K_XMM, 0, K_XMM, M_MEM, L128, F_K, 8},
    {"vmovsd.e.r", E_EVEX, 3, 1, 0x10, 1, K_XMM, 0, K_XMM, M_REG, L128, F_K | F_NDS, 8},
    {"vmovsd.e.st", E_EVEX, 3, 1, 0x11, 1, K_XMM, 0, K_XMM, M_MEM, L128, F_K | F_STORE, 8},
    {"vmovsd.e.r.st", E_EVEX, 3, 1, 0x11, 1, K_XMM, 0, K_XMM, M_REG, L128, F_K | F_STORE | F_NDS,
     8},
    {"vmovntdq.e", E_EVEX, 1, 1, 0xE7, 0, K_XMM, 0, K_XMM, M_MEM, LALL, F_STORE | F_ALIGN, 0},
    {"vmovntps.e", E_EVEX, 0, 1, 0x2B, 0, K_XMM, 0, K_XMM, M_MEM, LALL, F_STORE | F_ALIGN, 0},
    {"vmovntpd.e", E_EVEX, 1, 1, 0x2B, 1, K_XMM, 0, K_XMM, M_MEM, LALL, F_STORE | F_ALIGN, 0},
    {"vmovntdqa.e", E_EVEX, 1, 2, 0x2A, 0, K_XMM, 0, K_XMM, M_MEM, LALL, F_ALIGN, 0},
    {"vmovd.e", E_EVEX, 1, 1, 0x6E, 0, K_XMM, 0, K_GPR, M_BOTH, L128, 0, 0},
    {"vmovq.e", E_EVEX, 1, 1, 0x6E, 1, K_XMM, 0, K_GPR, M_BOTH, L128, 0, 0},
    {"vmovd.e.st", E_EVEX, 1, 1, 0x7E, 0, K_XMM, 0, K_GPR, M_BOTH, L128, F_STORE, 0},
    {"vmovq.e.st", E_EVEX, 1, 1, 0x7E, 1, K_XMM, 0, K_GPR, M_BOTH, L128, F_STORE, 0},
    {"vmovq.e.xx", E_EVEX, 2, 1, 0x7E, 1, K_XMM, 0, K_XMM, M_BOTH, L128, 0, 0},
    {"vmovq.e.xx.st", E_EVEX, 1, 1, 0xD6, 1, K_XMM, 0, K_XMM, M_BOTH, L128, F_STORE, 0},
    {"vmovlps.e", E_EVEX, 0, 1, 0x12, 0, K_XMM, 0, K_XMM, M_MEM, L128, F_NDS, 0},
    {"vmovlps.e.st", E_EVEX, 0, 1, 0x13, 0, K_XMM, 0, K_XMM, M_MEM, L128, F_STORE, 0},
    {"vmovlpd.e", E_EVEX, 1, 1, 0x12, 1, K_XMM, 0, K_XMM, M_MEM, L128, F_NDS, 0},
    {"vmovlpd.e.st", E_EVEX, 1, 1, 0x13, 1, K_XMM, 0, K_XMM, M_MEM, L128, F_STORE, 0},
    {"vmovhps.e", E_EVEX, 0, 1, 0x16, 0, K_XMM, 0, K_XMM, M_MEM, L128, F_NDS, 0},
    {"vmovhps.e.st", E_EVEX, 0, 1, 0x17, 0, K_XMM, 0, K_XMM, M_MEM, L128, F_STORE, 0},
    {"vmovhpd.e", E_EVEX, 1, 1, 0x16, 1, K_XMM, 0, K_XMM, M_MEM, L128, F_NDS, 0},
    {"vmovhpd.e.st", E_EVEX, 1, 1, 0x17, 1, K_XMM, 0, K_XMM, M_MEM, L128, F_STORE, 0},
    /* direct stores, flushes, prefetches */
    {"movdiri", E_LEG, 0, 2, 0xF9, 0, K_GPR, 0, K_GPR, M_MEM, L128, F_STORE | F_NEEDMOVDIRI, 0},
    {"movdiri.q", E_LEG, 0, 2, 0xF9, 1, K_GPR, 0, K_GPR, M_MEM, L128, F_STORE | F_NEEDMOVDIRI, 0},
    {"movdir64b", E_LEG, 1, 2, 0xF8, 0, K_GPR, 0, K_GPR, M_MEM, L128, F_DIR64B | F_NEEDDIR64B, 0},
    {"clflush", E_LEG, 0, 1, 0xAE, 0, K_DIGIT, 7, K_GPR, M_MEM, L128, 0, 0},
    {"clflushopt", E_LEG, 1, 1, 0xAE, 0, K_DIGIT, 7, K_GPR, M_MEM, L128, 0, 0},
    {"clwb", E_LEG, 1, 1, 0xAE, 0, K_DIGIT, 6, K_GPR, M_MEM, L128, 0, 0},
    {"prefetchnta", E_LEG, 0, 1, 0x18, 0, K_DIGIT, 0, K_GPR, M_MEM, L128, 0, 0},
    {"prefetcht0", E_LEG, 0, 1, 0x18, 0, K_DIGIT, 1, K_GPR, M_MEM, L128, 0, 0},
    {"prefetcht1", E_LEG, 0, 1, 0x18, 0, K_DIGIT, 2, K_GPR, M_MEM, L128, 0, 0},
    {"prefetcht2", E_LEG, 0, 1, 0x18, 0, K_DIGIT, 3, K_GPR, M_MEM, L128, 0, 0},
    {"prefetchw", E_LEG, 0, 1, 0x0D, 0, K_DIGIT, 1, K_GPR, M_MEM, L128, 0, 0},
};

/* ---- one instance -------------------------------------------------------- */

struct inst {
    uint8_t bytes[16];
    unsigned len;
    bool mem;
    unsigned vl; /* bytes: 16, 32, 64 */
    unsigned reg, rm, vvvv, aaa;
    bool z;
    int disp; /* the displacement in bytes (exact for the masked forms: disp8 * N) */
};

static unsigned pick_gpr(struct rng *r)
{
    for (;;) {
        unsigned g = rndn(r, 16);
        if (g != 4 && g != 6) /* RSP, RSI (the memory operand's base) */
            return g;
    }
}

static unsigned pick_reg(struct rng *r, const struct vform *f, unsigned kind)
{
    if (kind == K_GPR)
        return pick_gpr(r);
    if (kind == K_MM)
        return rndn(r, 8);
    return rndn(r, f->enc == E_EVEX ? 32 : 16);
}

static void encode(const struct vform *f, struct rng *r, struct inst *in)
{
    uint8_t *p = in->bytes;
    unsigned ls[3], nls = 0;
    for (unsigned k = 0; k < 3; k++)
        if (f->ls & (1u << k))
            ls[nls++] = k;
    unsigned l = ls[rndn(r, nls)];
    in->vl = 16u << l;
    in->mem = f->mem == M_MEM || (f->mem == M_BOTH && rndn(r, 3) != 0);
    in->reg = f->regk == K_DIGIT ? f->digit : pick_reg(r, f, f->regk);
    in->rm = in->mem ? 6 : pick_reg(r, f, f->rmk);
    in->vvvv = (f->flags & F_NDS) ? pick_reg(r, f, K_XMM) : 0;
    /* Now and then a vvvv that must be 1111 (and V' 1) is not: #UD on both sides. */
    if (!(f->flags & F_NDS) && f->enc != E_LEG && rndn(r, 16) == 0)
        in->vvvv = 1 + rndn(r, f->enc == E_EVEX ? 31 : 15);
    in->aaa = (f->flags & F_K) && rndn(r, 4) ? 1 + rndn(r, 7) : 0;
    /* {z} only with a mask and a register destination (with a store to memory it is #UD). */
    in->z = in->aaa && !((f->flags & F_STORE) && in->mem) && rndn(r, 2);
    if (in->aaa && (f->flags & F_STORE) && in->mem && rndn(r, 16) == 0)
        in->z = true; /* now and then the #UD cases too: {z} on a store... */
    if ((f->flags & F_K) && !in->aaa && rndn(r, 16) == 0)
        in->z = true; /* ...and {z} without a mask */
    unsigned R = (in->reg >> 3) & 1, B = in->mem ? 0 : (in->rm >> 3) & 1;
    /* [rsi], or [rsi + disp8] one time in three (EVEX scales it by the operand size:
     * disp8*N, which the decoder applies and the emulator's address must follow). */
    bool disp8 = in->mem && rndn(r, 3) == 0;
    unsigned modrm = (in->mem ? (disp8 ? 0x40 : 0x00) : 0xC0) | ((in->reg & 7) << 3) | (in->rm & 7);
    static const uint8_t pfx[4] = {0, 0x66, 0xF3, 0xF2};
    if (f->enc == E_LEG) {
        if (f->pp)
            *p++ = pfx[f->pp];
        unsigned rex = (f->w << 3) | (R << 2) | B;
        if (f->regk == K_MM || f->regk == K_DIGIT)
            rex &= ~4u;
        if (rex)
            *p++ = (uint8_t)(0x40 | rex);
        *p++ = 0x0F;
        if (f->map == 2)
            *p++ = 0x38;
    } else if (f->enc == E_VEX) {
        *p++ = 0xC4;
        *p++ = (uint8_t)((R ? 0 : 0x80) | 0x40 | (B ? 0 : 0x20) | f->map);
        *p++ = (uint8_t)((f->w << 7) | ((~in->vvvv & 15) << 3) | (l << 2) | f->pp);
    } else {
        unsigned X = in->mem ? 0 : (in->rm >> 4) & 1, R2 = (in->reg >> 4) & 1;
        *p++ = 0x62;
        *p++ =
            (uint8_t)((R ? 0 : 0x80) | (X ? 0 : 0x40) | (B ? 0 : 0x20) | (R2 ? 0 : 0x10) | f->map);
        *p++ = (uint8_t)((f->w << 7) | ((~in->vvvv & 15) << 3) | 4 | f->pp);
        *p++ = (uint8_t)((in->z ? 0x80 : 0) | (l << 5) | (((in->vvvv >> 4) & 1) ? 0 : 8) | in->aaa);
    }
    *p++ = f->op;
    *p++ = (uint8_t)modrm;
    in->disp = 0;
    if (disp8) {
        int d = (int)rndn(r, 9) - 4;
        *p++ = (uint8_t)(int8_t)d;
        /* N: the element size for the scalar EVEX moves, the vector length for the
         * masked full-vector ones (the only forms whose masks depend on the address). */
        in->disp = d * (f->enc != E_EVEX                               ? 1
                        : f->esize && in->vl == 16 && f->mem != M_BOTH ? (int)f->esize
                                                                       : (int)in->vl);
    }
    in->len = (unsigned)(p - in->bytes);
}

/* ---- states ---------------------------------------------------------------- */

#define DATA_BASE_OFF 0x2000u /* the operand lives around the page boundary at data + this */

static uint64_t pick_mask(struct rng *r, const struct vform *f, const struct inst *in,
                          uint64_t addr)
{
    unsigned es = f->esize ? f->esize : 4;
    unsigned n = in->vl / es;
    uint64_t all = n >= 64 ? ~0ull : (1ull << n) - 1;
    unsigned split = 4096u - (unsigned)(addr & 0xfff); /* bytes on the first page */
    unsigned first = split >= in->vl ? n : split / es; /* elements wholly on page 1 */
    switch (rndn(r, 6)) {
    case 0: return 0;
    case 1: return ~0ull;
    case 2: return first >= 64 ? all : all & ((1ull << first) - 1); /* first page only */
    case 3: return first >= 64 ? 0 : all & ~((1ull << first) - 1);  /* second page only */
    default: return rnd(r);
    }
}

static void make_state(const struct vform *f, const struct inst *in, struct rng *r,
                       struct nv_state *s, uint8_t *data, uint64_t data_gpa)
{
    for (unsigned k = 0; k < 32; k++)
        for (unsigned b = 0; b < 64; b += 8) {
            uint64_t v = rnd(r);
            memcpy(&s->zmm[k][b], &v, 8);
        }
    for (unsigned k = 0; k < 8; k++) {
        s->k[k] = rnd(r);
        s->mm[k] = rnd(r);
    }
    for (unsigned g = 0; g < 16; g++)
        s->gpr[g] = rndn(r, 4) ? rnd(r) : rnd(r) & 0xffffffffu;
    s->gpr[4] = 0;
    s->rflags = 0x202 | (rnd(r) & 0x8d5); /* random status flags */
    for (unsigned b = 0; b < NV_DATA_SIZE; b += 8) {
        uint64_t v = rnd(r);
        memcpy(data + b, &v, 8);
    }
    /* The operand: across the page boundary often, aligned for the aligned forms
     * (misaligned one time in eight: both sides must fault). */
    unsigned size = in->vl;
    uint64_t off = DATA_BASE_OFF - 64 + rndn(r, 128);
    if (f->flags & F_ALIGN) {
        off &= ~(uint64_t)(size - 1);
        if (rndn(r, 8) == 0)
            off += 4u << rndn(r, 3);
    }
    uint64_t addr = data_gpa + off;
    s->gpr[6] = addr;
    if (in->aaa)
        s->k[in->aaa] = pick_mask(r, f, in, addr + (uint64_t)(int64_t)in->disp);
    if (f->flags & F_DIR64B) {
        uint64_t d = data_gpa + 0x4000 + 64 * rndn(r, 64);
        if (rndn(r, 8) == 0)
            d += 8;
        s->gpr[in->reg] = d;
    }
}

/* ---- run and compare ------------------------------------------------------- */

struct ctx {
    struct nv_cpu cpu;
    struct flat_vcpu *fv;
    uint8_t *emu_data;
    struct xa_vcpu vcpu;
    bool verbose;
    unsigned fails, runs, faults;
};

static void to_flat(struct flat_vcpu *f, const struct nv_state *s)
{
    for (unsigned g = 0; g < 16; g++)
        f->regs[XA_R_RAX + g].u64 = s->gpr[g];
    f->regs[XA_R_RFLAGS].u64 = s->rflags;
    for (unsigned k = 0; k < 32; k++)
        memcpy(f->regs[XA_R_ZMM0 + k].vec, s->zmm[k], 64);
    for (unsigned k = 0; k < 8; k++) {
        f->regs[XA_R_K0 + k].u64 = s->k[k];
        f->regs[XA_R_MM0 + k].u64 = s->mm[k];
    }
}

static void from_flat(const struct flat_vcpu *f, struct nv_state *s)
{
    for (unsigned g = 0; g < 16; g++)
        if (g != 4)
            s->gpr[g] = f->regs[XA_R_RAX + g].u64;
    s->rflags = f->regs[XA_R_RFLAGS].u64;
    for (unsigned k = 0; k < 32; k++)
        memcpy(s->zmm[k], f->regs[XA_R_ZMM0 + k].vec, 64);
    for (unsigned k = 0; k < 8; k++) {
        s->k[k] = f->regs[XA_R_K0 + k].u64;
        s->mm[k] = f->regs[XA_R_MM0 + k].u64;
    }
}

static void hex(const uint8_t *p, unsigned n)
{
    for (unsigned k = n; k-- > 0;)
        printf("%02x", p[k]);
}

static bool run_one(struct ctx *c, const struct vform *f, const struct inst *in,
                    const struct nv_state *s0)
{
    struct flat_vcpu *fv = c->fv;
    uint64_t data_gpa = (uint64_t)(uintptr_t)c->cpu.data;
    flat_init(fv, c->emu_data, data_gpa, NV_DATA_SIZE, 0x1000);
    fv->regs[XA_R_CR4].u64 |= 1u << 18; /* OSXSAVE */
    fv->regs[XA_R_XCR0].u64 = 0xe7;
    to_flat(fv, s0);
    memcpy(c->emu_data, c->cpu.data, NV_DATA_SIZE);

    struct xa_insn xi;
    struct xa_outcome out;
    xa_status dst = xa_decode(&xi, XA_MODE_64, XA_VENDOR_INTEL, in->bytes, in->len);
    xa_status st = dst;
    if (dst == XA_OK)
        st = xa_emulate(&c->vcpu, &xi, &out);

    struct nv_state host = *s0;
    nv_load(&c->cpu, in->bytes, in->len);
    int sig = nv_run(&c->cpu, &host);
    c->runs++;

    bool ok = true;
    const char *why = "";
    if (sig) {
        c->faults++;
        unsigned want = sig == SIGILL ? XA_VEC_UD : XA_VEC_GP;
        if (dst == XA_ERR_INVALID && want == XA_VEC_UD) {
            /* Invalid bytes: the decoder's #UD (nothing was emulated). */
        } else if (st != XA_EXCEPTION || out.exception.vector != want)
            ok = false, why = "the host faulted, the emulator did not (or another fault)";
        else if (fv->set_regs_calls || memcmp(c->emu_data, c->cpu.data, NV_DATA_SIZE) != 0)
            ok = false, why = "a faulting instruction changed state";
    } else if (st != XA_OK) {
        ok = false, why = "the emulator did not complete";
    } else {
        struct nv_state emu = *s0;
        from_flat(fv, &emu);
        emu.gpr[4] = host.gpr[4] = 0;
        if (memcmp(&emu, &host, sizeof(emu)) != 0)
            ok = false, why = "registers differ";
        else if (memcmp(c->emu_data, c->cpu.data, NV_DATA_SIZE) != 0)
            ok = false, why = "memory differs";
        else if (fv->regs[XA_R_RIP].u64 != 0x1000 + in->len)
            ok = false, why = "RIP";
        else if (fv->bad_accesses)
            ok = false, why = "an access outside the data window";
        if (!ok && c->verbose) {
            for (unsigned k = 0; k < 32; k++)
                if (memcmp(emu.zmm[k], host.zmm[k], 64)) {
                    printf("  zmm%u emu ", k), hex(emu.zmm[k], 64);
                    printf("\n        host "), hex(host.zmm[k], 64), printf("\n");
                }
            for (unsigned k = 0; k < 8; k++)
                if (emu.mm[k] != host.mm[k] || emu.k[k] != host.k[k])
                    printf("  mm%u/k%u emu %llx/%llx host %llx/%llx\n", k, k,
                           (unsigned long long)emu.mm[k], (unsigned long long)emu.k[k],
                           (unsigned long long)host.mm[k], (unsigned long long)host.k[k]);
            for (unsigned g = 0; g < 16; g++)
                if (emu.gpr[g] != host.gpr[g])
                    printf("  gpr%u emu %llx host %llx\n", g, (unsigned long long)emu.gpr[g],
                           (unsigned long long)host.gpr[g]);
        }
    }
    if (!ok) {
        c->fails++;
        printf("FAIL %s: ", f->name);
        for (unsigned k = 0; k < in->len; k++)
            printf("%02x", in->bytes[k]);
        printf(" (%s; decode %s, emulate %s vector %u, host signal %d, rsi %llx, k%u=%llx)\n", why,
               xa_status_name(dst), xa_status_name(st),
               st == XA_EXCEPTION ? out.exception.vector : 0, sig, (unsigned long long)s0->gpr[6],
               in->aaa, (unsigned long long)s0->k[in->aaa]);
    }
    return ok;
}

int main(int argc, char **argv)
{
    unsigned states = 100;
    uint64_t seed = 0x5eed;
    const char *filter = NULL;
    bool verbose = false;
    const char *env = getenv("XA_NATIVE_STATES");
    if (env)
        states = (unsigned)strtoul(env, NULL, 0);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--states") && i + 1 < argc)
            states = (unsigned)strtoul(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--filter") && i + 1 < argc)
            filter = argv[++i];
        else if (!strcmp(argv[i], "--verbose"))
            verbose = true;
        else {
            fprintf(stderr, "usage: native_vec [--states N] [--seed S] [--filter TEXT] "
                            "[--verbose]\n");
            return 2;
        }
    }
    if (!nv_host_has_avx512()) {
        printf("SKIP: the host has no AVX-512 F/BW/VL\n");
        return 77;
    }
    static struct ctx c;
    c.verbose = verbose;
    if (nv_init(&c.cpu) != 0) {
        printf("SKIP: cannot map generated code below 2 GiB\n");
        return 77;
    }
    c.fv = calloc(1, sizeof(*c.fv));
    c.emu_data = malloc(NV_DATA_SIZE);
    if (!c.fv || !c.emu_data)
        return 2;
    struct xa_cpu_model model = {XA_VENDOR_INTEL, 46, XA_FEAT_ALL};
    if (xa_vcpu_init(&c.vcpu, &flat_ops, c.fv, &model) != XA_OK)
        return 2;
    bool host_movdiri = nv_host_has(2, 27), host_dir64b = nv_host_has(2, 28);
    struct rng r = {seed};
    unsigned nforms = 0;
    for (size_t fi = 0; fi < sizeof(forms) / sizeof(forms[0]); fi++) {
        const struct vform *f = &forms[fi];
        if (filter && !strstr(f->name, filter))
            continue;
        if (((f->flags & F_NEEDMOVDIRI) && !host_movdiri) ||
            ((f->flags & F_NEEDDIR64B) && !host_dir64b))
            continue;
        nforms++;
        unsigned fails0 = c.fails;
        for (unsigned k = 0; k < states && c.fails - fails0 < 5; k++) {
            struct inst in;
            encode(f, &r, &in);
            struct nv_state s;
            make_state(f, &in, &r, &s, c.cpu.data, (uint64_t)(uintptr_t)c.cpu.data);
            run_one(&c, f, &in, &s);
        }
    }
    printf("%u forms, %u states each: %u runs (%u faulting on both sides), %u mismatches\n", nforms,
           states, c.runs, c.faults, c.fails);
    nv_fini(&c.cpu);
    free(c.fv);
    free(c.emu_data);
    return c.fails ? 1 : 0;
}

#else

#include <stdio.h>

int main(void)
{
    printf("SKIP: not an x86-64 Linux host\n");
    return 77;
}

#endif
