/* SPDX-License-Identifier: BSD-2-Clause */
/* Register names and widths. */
#include "decoder/registers.h"

static const char *const gpr8[20] = {"al",   "cl",   "dl",   "bl",   "ah",   "ch",  "dh",
                                     "bh",   "spl",  "bpl",  "sil",  "dil",  "r8b", "r9b",
                                     "r10b", "r11b", "r12b", "r13b", "r14b", "r15b"};
static const char *const gpr16[16] = {"ax",  "cx",  "dx",   "bx",   "sp",   "bp",   "si",   "di",
                                      "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w"};
static const char *const gpr32[16] = {"eax", "ecx", "edx",  "ebx",  "esp",  "ebp",  "esi",  "edi",
                                      "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d"};
static const char *const gpr64[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                      "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
static const char *const ips[3] = {"ip", "eip", "rip"};
static const char *const segs[6] = {"es", "cs", "ss", "ds", "fs", "gs"};

#define N8(p)  p "0", p "1", p "2", p "3", p "4", p "5", p "6", p "7"
#define N16(p) N8(p), p "8", p "9", p "10", p "11", p "12", p "13", p "14", p "15"
#define N32(p)                                                                                     \
    N16(p), p "16", p "17", p "18", p "19", p "20", p "21", p "22", p "23", p "24", p "25",        \
        p "26", p "27", p "28", p "29", p "30", p "31"

static const char *const crs[16] = {N16("cr")};
static const char *const drs[16] = {N16("dr")};
static const char *const sts[8] = {N8("st")};
static const char *const mms[8] = {N8("mm")};
static const char *const xmms[32] = {N32("xmm")};
static const char *const ymms[32] = {N32("ymm")};
static const char *const zmms[32] = {N32("zmm")};
static const char *const ks[8] = {N8("k")};
static const char *const bnds[4] = {"bnd0", "bnd1", "bnd2", "bnd3"};
static const char *const tmms[8] = {N8("tmm")};

/* The numbered register classes, in enum order. */
static const struct {
    unsigned first, count;
    const char *const *names;
} numbered_classes[] = {
    {XA_REG_CR0, 16, crs},   {XA_REG_DR0, 16, drs},   {XA_REG_ST0, 8, sts},    {XA_REG_MM0, 8, mms},
    {XA_REG_XMM0, 32, xmms}, {XA_REG_YMM0, 32, ymms}, {XA_REG_ZMM0, 32, zmms}, {XA_REG_K0, 8, ks},
    {XA_REG_BND0, 4, bnds},  {XA_REG_TMM0, 8, tmms},
};

const char *xa_reg_name(enum xa_reg reg)
{
    unsigned r = (unsigned)reg;
    if (r >= XA_REG_AL && r <= XA_REG_R15B)
        return gpr8[r - XA_REG_AL];
    if (r >= XA_REG_AX && r <= XA_REG_R15W)
        return gpr16[r - XA_REG_AX];
    if (r >= XA_REG_EAX && r <= XA_REG_R15D)
        return gpr32[r - XA_REG_EAX];
    if (r >= XA_REG_RAX && r <= XA_REG_R15)
        return gpr64[r - XA_REG_RAX];
    if (r >= XA_REG_IP && r <= XA_REG_RIP)
        return ips[r - XA_REG_IP];
    if (r >= XA_REG_ES && r <= XA_REG_GS)
        return segs[r - XA_REG_ES];
    for (unsigned i = 0; i < sizeof(numbered_classes) / sizeof(numbered_classes[0]); i++) {
        if (r >= numbered_classes[i].first &&
            r < numbered_classes[i].first + numbered_classes[i].count)
            return numbered_classes[i].names[r - numbered_classes[i].first];
    }
    return "";
}

unsigned xai_reg_width(unsigned r)
{
    if (r >= XA_REG_AL && r <= XA_REG_R15B)
        return 1;
    if (r >= XA_REG_AX && r <= XA_REG_R15W)
        return 2;
    if (r >= XA_REG_EAX && r <= XA_REG_R15D)
        return 4;
    if (r >= XA_REG_RAX && r <= XA_REG_R15)
        return 8;
    if (r == XA_REG_IP)
        return 2;
    if (r == XA_REG_EIP)
        return 4;
    if (r == XA_REG_RIP)
        return 8;
    if (r >= XA_REG_ES && r <= XA_REG_GS)
        return 2;
    if (r >= XA_REG_CR0 && r <= XA_REG_DR15)
        return 8;
    if (r >= XA_REG_ST0 && r <= XA_REG_ST7)
        return 10;
    if (r >= XA_REG_MM0 && r <= XA_REG_MM7)
        return 8;
    if (r >= XA_REG_XMM0 && r <= XA_REG_XMM31)
        return 16;
    if (r >= XA_REG_YMM0 && r <= XA_REG_YMM31)
        return 32;
    if (r >= XA_REG_ZMM0 && r <= XA_REG_ZMM31)
        return 64;
    if (r >= XA_REG_K0 && r <= XA_REG_K7)
        return 8;
    if (r >= XA_REG_BND0 && r <= XA_REG_BND3)
        return 16;
    if (r >= XA_REG_TMM0 && r <= XA_REG_TMM7)
        return 1024;
    return 0;
}
