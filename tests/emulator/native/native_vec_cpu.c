/* SPDX-License-Identifier: BSD-2-Clause */
#define _GNU_SOURCE
#include "native_vec_cpu.h"
#include "native_cpu.h"

#if defined(__x86_64__) && defined(__linux__)

#include <cpuid.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>

static sigjmp_buf nv_jump;

static void nv_on_signal(int sig)
{
    siglongjmp(nv_jump, sig);
}

#define CODE_SIZE 8192u
#define STATE_OFF 8192u
#define DATA_OFF  16384u
#define EMMS_OFF  (CODE_SIZE - 16u) /* "emms; ret": the FPU out of MMX mode after a fault */

int nv_host_has(unsigned leaf7_reg, unsigned bit)
{
    unsigned a, b, c, d;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return 0;
    unsigned r = leaf7_reg == 1 ? b : leaf7_reg == 2 ? c : d;
    return (r >> bit) & 1;
}

int nv_host_has_avx512(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !((c >> 27) & 1)) /* OSXSAVE */
        return 0;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 0xe6) != 0xe6)
        return 0;
    return nv_host_has(1, 16) && nv_host_has(1, 30) && nv_host_has(1, 31); /* F BW VL */
}

int nv_init(struct nv_cpu *c)
{
    memset(c, 0, sizeof(*c));
    c->region_size = DATA_OFF + NV_DATA_SIZE;
    c->region = nat_map_low(c->region_size);
    if (!c->region)
        return -1;
    c->code = c->region;
    c->state = (struct nv_state *)(void *)(c->region + STATE_OFF);
    c->data = c->region + DATA_OFF;
    c->code[EMMS_OFF] = 0x0F;
    c->code[EMMS_OFF + 1] = 0x77;
    c->code[EMMS_OFF + 2] = 0xC3;
    nat_catch_signals(nv_on_signal);
    return 0;
}

void nv_fini(struct nv_cpu *c)
{
    if (c->region)
        munmap(c->region, c->region_size);
    c->region = NULL;
}

struct emit {
    uint8_t *p;
};

static void b(struct emit *e, uint8_t v)
{
    *e->p++ = v;
}

static void abs32(struct emit *e, unsigned reg, uint32_t addr)
{
    b(e, (uint8_t)(((reg & 7) << 3) | 4)); /* mod 00, SIB, no base: [disp32] */
    b(e, 0x25);
    for (int i = 0; i < 4; i++)
        b(e, (uint8_t)(addr >> (8 * i)));
}

static void mov_gpr(struct emit *e, unsigned reg, uint32_t addr, int store)
{
    b(e, (uint8_t)(0x48 | ((reg >> 3) << 2)));
    b(e, store ? 0x89 : 0x8B);
    abs32(e, reg, addr);
}

/* vmovdqu64 zmmN, [addr] / [addr], zmmN */
static void mov_zmm(struct emit *e, unsigned n, uint32_t addr, int store)
{
    b(e, 0x62);
    b(e, (uint8_t)((((n >> 3) & 1) ? 0 : 0x80) | 0x60 | (((n >> 4) & 1) ? 0 : 0x10) | 0x01));
    b(e, 0xFE);
    b(e, 0x48);
    b(e, store ? 0x7F : 0x6F);
    abs32(e, n, addr);
}

/* kmovq kN, [addr] / [addr], kN */
static void mov_k(struct emit *e, unsigned n, uint32_t addr, int store)
{
    b(e, 0xC4), b(e, 0xE1), b(e, 0xF8), b(e, store ? 0x91 : 0x90);
    abs32(e, n, addr);
}

/* movq mmN, [addr] / [addr], mmN */
static void mov_mm(struct emit *e, unsigned n, uint32_t addr, int store)
{
    b(e, 0x0F), b(e, store ? 0x7F : 0x6F);
    abs32(e, n, addr);
}

void nv_load(struct nv_cpu *c, const uint8_t *insn, size_t len)
{
    struct emit e = {c->code};
    uint32_t st = (uint32_t)(uintptr_t)c->state;
    uint32_t zo = st + (uint32_t)offsetof(struct nv_state, zmm);
    uint32_t ko = st + (uint32_t)offsetof(struct nv_state, k);
    uint32_t mo = st + (uint32_t)offsetof(struct nv_state, mm);
    uint32_t go = st + (uint32_t)offsetof(struct nv_state, gpr);
    uint32_t fo = st + (uint32_t)offsetof(struct nv_state, rflags);
    b(&e, 0x53), b(&e, 0x55); /* the SysV callee-saved registers */
    b(&e, 0x41), b(&e, 0x54), b(&e, 0x41), b(&e, 0x55), b(&e, 0x41), b(&e, 0x56);
    b(&e, 0x41), b(&e, 0x57);
    for (unsigned n = 0; n < 32; n++)
        mov_zmm(&e, n, zo + 64 * n, 0);
    for (unsigned n = 0; n < 8; n++)
        mov_k(&e, n, ko + 8 * n, 0);
    for (unsigned n = 0; n < 8; n++)
        mov_mm(&e, n, mo + 8 * n, 0);
    b(&e, 0xFF), b(&e, 0x34), b(&e, 0x25); /* push qword [rflags]; popfq */
    for (int i = 0; i < 4; i++)
        b(&e, (uint8_t)(fo >> (8 * i)));
    b(&e, 0x9D);
    for (unsigned r = 0; r < 16; r++)
        if (r != 4)
            mov_gpr(&e, r, go + 8 * r, 0);
    memcpy(e.p, insn, len);
    e.p += len;
    for (unsigned r = 0; r < 16; r++)
        if (r != 4)
            mov_gpr(&e, r, go + 8 * r, 1);
    b(&e, 0x9C); /* pushfq; pop qword [rflags]; cld */
    b(&e, 0x8F), b(&e, 0x04), b(&e, 0x25);
    for (int i = 0; i < 4; i++)
        b(&e, (uint8_t)(fo >> (8 * i)));
    b(&e, 0xFC);
    for (unsigned n = 0; n < 32; n++)
        mov_zmm(&e, n, zo + 64 * n, 1);
    for (unsigned n = 0; n < 8; n++)
        mov_k(&e, n, ko + 8 * n, 1);
    for (unsigned n = 0; n < 8; n++)
        mov_mm(&e, n, mo + 8 * n, 1);
    b(&e, 0x0F), b(&e, 0x77); /* emms */
    b(&e, 0x41), b(&e, 0x5F), b(&e, 0x41), b(&e, 0x5E), b(&e, 0x41), b(&e, 0x5D);
    b(&e, 0x41), b(&e, 0x5C), b(&e, 0x5D), b(&e, 0x5B);
    b(&e, 0xC3);
}

/* Calls generated code (a function pointer made from a data pointer, without a cast). */
static void call_code(void *code)
{
    void (*fn)(void);
    memcpy(&fn, &code, sizeof(fn));
    fn();
}

int nv_run(struct nv_cpu *c, struct nv_state *s)
{
    /* No local is changed between sigsetjmp and the longjmp (nothing to be clobbered). */
    *c->state = *s;
    int sig = sigsetjmp(nv_jump, 1);
    if (sig == 0) {
        call_code(c->code);
        *s = *c->state;
    } else {
        call_code(c->code + EMMS_OFF); /* leave the x87/MMX state as it was */
    }
    return sig;
}

#else

typedef int nv_cpu_unavailable;

#endif
