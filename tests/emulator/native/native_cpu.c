/* SPDX-License-Identifier: BSD-2-Clause */
#define _GNU_SOURCE
#include "native_cpu.h"

#if defined(__x86_64__) && defined(__linux__)

#include <cpuid.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>

/* The signal handler needs somewhere to jump back to: test-only process state. */
static sigjmp_buf nat_jump;

static void nat_on_signal(int sig)
{
    siglongjmp(nat_jump, sig);
}

#define CODE_SIZE 4096u
#define STATE_OFF 4096u
#define DATA_OFF  8192u

uint8_t *nat_map_low(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE | PROT_EXEC,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    if ((uintptr_t)p + size >= 0x80000000u) {
        munmap(p, size);
        return NULL;
    }
    return p;
}

void nat_catch_signals(void (*handler)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_NODEFER;
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
}

int nat_init(struct nat_cpu *c)
{
    memset(c, 0, sizeof(*c));
    c->region_size = DATA_OFF + NAT_DATA_SIZE;
    c->region = nat_map_low(c->region_size);
    if (!c->region)
        return -1;
    c->code = c->region;
    c->state = (struct nat_state *)(void *)(c->region + STATE_OFF);
    c->data = c->region + DATA_OFF;
    nat_catch_signals(nat_on_signal);
    return 0;
}

int nat_host_is_amd(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(0, &a, &b, &c, &d))
        return 0;
    return b == 0x68747541u && d == 0x69746e65u && c == 0x444d4163u; /* "AuthenticAMD" */
}

void nat_fini(struct nat_cpu *c)
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

static void d32(struct emit *e, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b(e, (uint8_t)(v >> (8 * i)));
}

/* mov r64, [abs32] (load) or mov [abs32], r64 (store) */
static void mov_abs(struct emit *e, unsigned reg, uint32_t addr, int store)
{
    b(e, (uint8_t)(0x48 | ((reg >> 3) << 2)));
    b(e, store ? 0x89 : 0x8B);
    b(e, (uint8_t)(((reg & 7) << 3) | 4));
    b(e, 0x25);
    d32(e, addr);
}

void nat_load(struct nat_cpu *c, const uint8_t *insn, size_t len)
{
    struct emit e = {c->code};
    uint32_t st = (uint32_t)(uintptr_t)c->state;
    /* callee-saved registers of the SysV ABI */
    b(&e, 0x53);
    b(&e, 0x55);
    b(&e, 0x41), b(&e, 0x54);
    b(&e, 0x41), b(&e, 0x55);
    b(&e, 0x41), b(&e, 0x56);
    b(&e, 0x41), b(&e, 0x57);
    /* push qword [rflags]; popfq */
    b(&e, 0xFF), b(&e, 0x34), b(&e, 0x25), d32(&e, st + 16 * 8);
    b(&e, 0x9D);
    for (unsigned r = 0; r < 16; r++)
        if (r != 4)
            mov_abs(&e, r, st + r * 8, 0);
    memcpy(e.p, insn, len);
    e.p += len;
    for (unsigned r = 0; r < 16; r++)
        if (r != 4)
            mov_abs(&e, r, st + r * 8, 1);
    /* pushfq; pop qword [rflags]; cld */
    b(&e, 0x9C);
    b(&e, 0x8F), b(&e, 0x04), b(&e, 0x25), d32(&e, st + 16 * 8);
    b(&e, 0xFC);
    b(&e, 0x41), b(&e, 0x5F);
    b(&e, 0x41), b(&e, 0x5E);
    b(&e, 0x41), b(&e, 0x5D);
    b(&e, 0x41), b(&e, 0x5C);
    b(&e, 0x5D);
    b(&e, 0x5B);
    b(&e, 0xC3);
}

int nat_run(struct nat_cpu *c, struct nat_state *s)
{
    void (*fn)(void);
    void *code = c->code;
    memcpy(&fn, &code, sizeof(fn));
    *c->state = *s;
    int sig = sigsetjmp(nat_jump, 1);
    if (sig == 0) {
        fn();
        *s = *c->state;
    }
    return sig;
}

#else

/* Not an x86-64 Linux host: nothing here (native_diff reports SKIP). */
typedef int nat_cpu_unavailable;

#endif /* x86-64 Linux */
