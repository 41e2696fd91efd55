/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The front of xa_assist_mmio (emulator/core/fast.c) against the general path: random
 * 64-bit (and some other) states, MOV forms and others with every prefix, ModRM, SIB
 * and displacement, page-table entries with random rights and A/D bits, CPL 0 and 3,
 * CR0.AM/WP, EFLAGS.AC/RF, SMAP/SMEP, protection keys, exits that match or not, too few
 * exit bytes, failing callbacks, with and without the RAM and register windows. Each
 * state runs three times from the same start: the general path alone, xa_assist_mmio,
 * and the front alone (when it finishes the instruction). Everything a hypervisor can
 * see must be the same: the outcome, the instruction, the registers, RAM, the device's
 * accesses in order, set_regs calls.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <x86assist/x86assist.h>

#include "emulator/core/fast.h"

/* Guest physical layout: RAM [0, RAM) holds the tables, the code and two data pages; the
 * page at MMIO is the device. Virtual page k maps to physical page k (k < 16). */
#define RAM  0x8000u
#define PML4 0x0000u
#define PDPT 0x1000u
#define PD   0x2000u
#define PT   0x3000u
#define CODE 0x4000u
#define DATA 0x5000u
#define MMIO 0x8000u
#define NLOG 32

/* Which callback fails (every call of it): get_regs, set_regs, a data read or write, a
 * page-table read (the RAM window off). */
enum fail_kind { FAIL_NONE, FAIL_GET, FAIL_SET, FAIL_READ, FAIL_WRITE, FAIL_WALK, FAIL_KINDS };

struct access {
    char op; /* 'r', 'w', 'x' (cmpxchg) */
    uint64_t gpa;
    uint32_t size;
    unsigned flags;
    uint8_t data[16];
};

struct hv {
    uint8_t ram[RAM];
    union xa_regval regs[XA_R_COUNT];
    uint8_t device[4096];
    struct access log[NLOG];
    unsigned nlog;
    unsigned set_calls, get_calls;
    enum fail_kind fail;
    bool failed; /* a callback failed: no call may follow */
};

static void log_access(struct hv *h, char op, uint64_t gpa, const void *buf, size_t size,
                       unsigned flags)
{
    if (h->nlog < NLOG) {
        struct access *a = &h->log[h->nlog];
        a->op = op;
        a->gpa = gpa;
        a->size = (uint32_t)size;
        a->flags = flags;
        memcpy(a->data, buf, size < 16 ? size : 16);
    }
    h->nlog++;
}

static int get_regs(void *ctx, const uint16_t *names, unsigned count, union xa_regval *values)
{
    struct hv *h = ctx;
    assert_false(h->failed);
    h->get_calls++;
    if (h->fail == FAIL_GET) {
        h->failed = true;
        return -1;
    }
    for (unsigned i = 0; i < count; i++) {
        assert_true(names[i] < XA_R_COUNT);
        values[i] = h->regs[names[i]];
    }
    return 0;
}

static int set_regs(void *ctx, const uint16_t *names, unsigned count, const union xa_regval *values)
{
    struct hv *h = ctx;
    assert_false(h->failed);
    h->set_calls++;
    if (h->fail == FAIL_SET) {
        h->failed = true;
        return -1;
    }
    for (unsigned i = 0; i < count; i++) {
        assert_true(names[i] < XA_R_COUNT);
        /* Only what the name holds (the rest of the union is not the library's). */
        if (names[i] >= XA_R_ES && names[i] <= XA_R_LDTR)
            h->regs[names[i]].seg = values[i].seg;
        else if (names[i] >= XA_R_ZMM0 && names[i] <= XA_R_ZMM31)
            h->regs[names[i]] = values[i];
        else
            h->regs[names[i]].u64 = values[i].u64;
    }
    return 0;
}

/* RAM, the device page, or nothing (a callback error). */
static uint8_t *where(struct hv *h, uint64_t gpa, size_t size)
{
    if (gpa < RAM && size <= RAM - gpa)
        return h->ram + gpa;
    if (gpa >= MMIO && gpa - MMIO + size <= sizeof(h->device))
        return h->device + (gpa - MMIO);
    return NULL;
}

static int mem_read(void *ctx, uint64_t gpa, void *buf, size_t size, unsigned flags)
{
    struct hv *h = ctx;
    assert_false(h->failed);
    uint8_t *p = where(h, gpa, size);
    unsigned kind = flags & XA_MEM_KIND_MASK;
    if (!p || (h->fail == FAIL_READ && kind == XA_MEM_DATA) ||
        (h->fail == FAIL_WALK && kind == XA_MEM_PAGE_WALK)) {
        h->failed = true;
        return -1;
    }
    memcpy(buf, p, size);
    log_access(h, 'r', gpa, buf, size, flags);
    return 0;
}

static int mem_write(void *ctx, uint64_t gpa, const void *buf, size_t size, unsigned flags)
{
    struct hv *h = ctx;
    assert_false(h->failed);
    uint8_t *p = where(h, gpa, size);
    if (!p || (h->fail == FAIL_WRITE && (flags & XA_MEM_KIND_MASK) == XA_MEM_DATA)) {
        h->failed = true;
        return -1;
    }
    memcpy(p, buf, size);
    log_access(h, 'w', gpa, buf, size, flags);
    return 0;
}

static int mem_cmpxchg(void *ctx, uint64_t gpa, void *expected, const void *desired, size_t size,
                       unsigned flags)
{
    struct hv *h = ctx;
    assert_false(h->failed);
    uint8_t *p = where(h, gpa, size);
    if (!p) {
        h->failed = true;
        return -1;
    }
    log_access(h, 'x', gpa, desired, size, flags);
    if (memcmp(p, expected, size)) {
        memcpy(expected, p, size);
        return 1;
    }
    memcpy(p, desired, size);
    return 0;
}

static const struct xa_cpu_ops ops = {get_regs,    set_regs, mem_read, mem_write,
                                      mem_cmpxchg, NULL,     NULL};

/* ---- random states ------------------------------------------------------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rnd(void)
{
    /* xorshift64*: reproducible from the seed on every host. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * UINT64_C(2685821657736338717);
}

static unsigned below(unsigned n)
{
    return (unsigned)(rnd() % n);
}

static void put64(uint8_t *p, uint64_t v)
{
    for (unsigned k = 0; k < 8; k++)
        p[k] = (uint8_t)(v >> (8 * k));
}

/* Instruction bytes: prefixes, an opcode (mostly MOV forms), ModRM, SIB, disp, imm. */
static void make_bytes(uint8_t *b)
{
    static const uint8_t prefixes[] = {0x66, 0x67, 0xf2, 0xf3, 0x2e, 0x3e,
                                       0x26, 0x36, 0x64, 0x65, 0xf0};
    static const uint8_t movs[] = {0x88, 0x89, 0x8a, 0x8b, 0xc6, 0xc7, 0xa0, 0xa1, 0xa2, 0xa3};
    static const uint8_t others[] = {0x01, 0x31, 0x85, 0x80, 0xf7, 0xff, 0x8f, 0x8c, 0x8e, 0x87};
    unsigned n = 0;
    for (unsigned k = 0; k < 15; k++)
        b[k] = (uint8_t)rnd();
    if (below(4) == 0) {
        unsigned np = 1 + below(2);
        for (unsigned k = 0; k < np; k++)
            b[n++] = prefixes[below(sizeof(prefixes))];
    }
    if (below(2))
        b[n++] = (uint8_t)(0x40 | below(16));
    unsigned pick = below(10);
    if (pick < 8) {
        b[n++] = movs[below(sizeof(movs))];
        if (b[n - 1] >= 0xa0 && b[n - 1] <= 0xa3) {
            /* moffs: an address in the device page (4 or 8 bytes, whatever follows) */
            uint64_t at = MMIO + below(4096);
            for (unsigned k = 0; k < 8 && n + k < 15; k++)
                b[n + k] = (uint8_t)(at >> (8 * k));
            return;
        }
    } else if (pick == 8) {
        b[n++] = others[below(sizeof(others))];
    } else {
        b[n++] = 0x0f;
        b[n++] = below(2) ? 0xb6 : 0xaf;
    }
    /* ModRM: mostly memory forms, C6/C7 with reg 0. */
    uint8_t modrm = (uint8_t)rnd();
    if (below(8))
        modrm = (uint8_t)((modrm & 0x3f) | (below(3) << 6));
    if ((b[n - 1] == 0xc6 || b[n - 1] == 0xc7) && below(8))
        modrm &= 0xc7;
    b[n] = modrm;
}

/* A 64-bit guest (sometimes not), CPL 0 or 3, random control bits and PTE rights. */
static void make_state(struct hv *h)
{
    memset(h, 0, sizeof(*h));
    put64(h->ram + PML4, PDPT | 0x67);
    put64(h->ram + PDPT, PD | 0x67);
    put64(h->ram + PD, PT | 0x67);
    for (unsigned k = 0; k < 16; k++) {
        uint64_t pte = ((uint64_t)k << 12) | 0x67;
        if (k >= 5 && below(3) == 0) /* data and device pages: rights and A/D vary */
            pte = ((uint64_t)k << 12) | (rnd() & 0x67) | (below(8) ? 1 : 0);
        if (k >= 5 && below(16) == 0)
            pte |= (uint64_t)below(16) << 59; /* a protection key */
        put64(h->ram + PT + 8 * k, pte);
    }
    unsigned cpl = below(4) == 0 ? 3 : 0;
    h->regs[XA_R_CR0].u64 = 0x80010033u | (below(4) == 0 ? (1u << 18) : 0);
    if (below(16) == 0)
        h->regs[XA_R_CR0].u64 &= ~UINT64_C(0x10000); /* WP off */
    h->regs[XA_R_CR3].u64 = PML4;
    h->regs[XA_R_CR4].u64 =
        0x20 | (below(4) == 0 ? (3u << 20) : 0) | (below(16) == 0 ? (1u << 22) : 0);
    h->regs[XA_R_EFER].u64 = 0xd00;
    h->regs[XA_R_PKRU].u64 = rnd() & 0xffffffffu;
    h->regs[XA_R_RFLAGS].u64 =
        0x2 | (below(4) == 0 ? (1u << 18) : 0) | (below(8) == 0 ? (1u << 16) : 0);
    for (unsigned r = XA_R_ES; r <= XA_R_GS; r++) {
        h->regs[r].seg.limit = 0xffffffff;
        h->regs[r].seg.attr = (uint16_t)(0xc093 | cpl << 5);
        h->regs[r].seg.base = r >= XA_R_FS ? (rnd() & 0x7000) : 0;
    }
    h->regs[XA_R_CS].seg.attr = (uint16_t)(0xa09b | cpl << 5);
    unsigned odd = below(32);
    if (odd == 0)
        h->regs[XA_R_CS].seg.attr = (uint16_t)(0xc09b | cpl << 5); /* compatibility mode */
    else if (odd == 1)
        h->regs[XA_R_EFER].u64 = 0; /* protected mode with paging, legacy tables */
    h->regs[XA_R_RIP].u64 = CODE + below(64);
    for (unsigned r = 0; r < 16; r++)
        h->regs[r].u64 = below(2) ? rnd() : rnd() & 0xffff;
}

static bool has_memory(const struct xa_insn *insn)
{
    for (unsigned k = 0; k < insn->operand_count && k < 5; k++)
        if (insn->ops[k].type == XA_OP_MEM)
            return true;
    return false;
}

/* The linear address of the memory operand in 64-bit mode (as the test set it up). */
static uint64_t operand_address(const struct hv *h, const struct xa_insn *insn)
{
    const struct xa_mem *m = &insn->mem;
    uint64_t ea = (uint64_t)m->disp;
    if (m->base == XA_REG_RIP || m->base == XA_REG_EIP)
        ea += h->regs[XA_R_RIP].u64 + insn->length;
    else if (m->base >= XA_REG_RAX && m->base <= XA_REG_R15)
        ea += h->regs[m->base - XA_REG_RAX].u64;
    else if (m->base >= XA_REG_EAX && m->base <= XA_REG_R15D)
        ea += h->regs[m->base - XA_REG_EAX].u64;
    if (m->index >= XA_REG_RAX && m->index <= XA_REG_R15)
        ea += h->regs[m->index - XA_REG_RAX].u64 * m->scale;
    else if (m->index >= XA_REG_EAX && m->index <= XA_REG_R15D)
        ea += h->regs[m->index - XA_REG_EAX].u64 * m->scale;
    if (insn->adsize == 32)
        ea &= 0xffffffffu;
    if (m->seg == XA_REG_FS || m->seg == XA_REG_GS)
        ea += h->regs[m->seg == XA_REG_FS ? XA_R_FS : XA_R_GS].seg.base;
    return ea;
}

/* The register values that aim the memory operand at @p target, when it has a base. */
static void aim(struct hv *h, const struct xa_insn *insn, uint64_t target)
{
    const struct xa_mem *m = &insn->mem;
    uint64_t index = 0;
    if (m->index >= XA_REG_RAX && m->index <= XA_REG_R15)
        index = h->regs[m->index - XA_REG_RAX].u64 &= 0xff;
    else if (m->index >= XA_REG_EAX && m->index <= XA_REG_R15D)
        index = h->regs[m->index - XA_REG_EAX].u64 &= 0xff;
    uint64_t base = target - (uint64_t)m->disp - index * m->scale;
    if (m->base >= XA_REG_RAX && m->base <= XA_REG_R15)
        h->regs[m->base - XA_REG_RAX].u64 = base;
    else if (m->base >= XA_REG_EAX && m->base <= XA_REG_R15D)
        h->regs[m->base - XA_REG_EAX].u64 = base & 0xffffffffu;
}

/* ---- the comparison ------------------------------------------------------ */

struct run {
    struct hv h;
    struct xa_vcpu v;
    struct xa_outcome out;
    xa_status st;
};

static struct run *A, *B, *C, *D;
static struct hv *start;

static void vcpu_for(struct run *r, bool ram_window, bool regfile)
{
    r->v.ram = ram_window ? r->h.ram : NULL;
    r->v.ram_size = ram_window ? RAM : 0;
    r->v.regfile = regfile ? r->h.regs : NULL;
}

static void assert_same(const struct run *x, const struct run *y)
{
    assert_int_equal(x->st, y->st);
    assert_int_equal(x->out.status, y->out.status);
    assert_int_equal(x->out.mnemonic, y->out.mnemonic);
    assert_int_equal(x->out.exception.vector, y->out.exception.vector);
    assert_int_equal(x->out.exception.has_error_code, y->out.exception.has_error_code);
    assert_int_equal(x->out.exception.error_code, y->out.exception.error_code);
    assert_int_equal(x->out.exception.cr2, y->out.exception.cr2);
    if (x->st == XA_OK)
        assert_memory_equal(&x->out.insn, &y->out.insn, sizeof(x->out.insn));
    assert_memory_equal(x->h.ram, y->h.ram, sizeof(x->h.ram));
    assert_memory_equal(x->h.device, y->h.device, sizeof(x->h.device));
    for (unsigned r = 0; r < XA_R_COUNT; r++) {
        if (r >= XA_R_ES && r <= XA_R_LDTR)
            assert_memory_equal(&x->h.regs[r].seg, &y->h.regs[r].seg, sizeof(struct xa_segment));
        else
            assert_memory_equal(&x->h.regs[r], &y->h.regs[r], sizeof(union xa_regval));
    }
    assert_int_equal(x->h.set_calls, y->h.set_calls);
    /* The device's accesses in order (page-walk A/D updates included). */
    unsigned nx = 0, ny = 0;
    for (unsigned k = 0; k < x->h.nlog && k < NLOG; k++)
        nx += (x->h.log[k].flags & XA_MEM_KIND_MASK) == XA_MEM_DATA;
    for (unsigned k = 0; k < y->h.nlog && k < NLOG; k++)
        ny += (y->h.log[k].flags & XA_MEM_KIND_MASK) == XA_MEM_DATA;
    if (nx != ny) { /* both logs, to see what differs */
        print_message("data accesses %u vs %u, status %d\n", nx, ny, x->st);
        for (unsigned k = 0; k < x->h.nlog && k < NLOG; k++)
            print_message(" x %c %llx %u %x\n", x->h.log[k].op, (unsigned long long)x->h.log[k].gpa,
                          x->h.log[k].size, x->h.log[k].flags);
        for (unsigned k = 0; k < y->h.nlog && k < NLOG; k++)
            print_message(" y %c %llx %u %x\n", y->h.log[k].op, (unsigned long long)y->h.log[k].gpa,
                          y->h.log[k].size, y->h.log[k].flags);
    }
    assert_int_equal(nx, ny);
    for (unsigned k = 0, j = 0; k < x->h.nlog && k < NLOG; k++) {
        const struct access *a = &x->h.log[k];
        if ((a->flags & XA_MEM_KIND_MASK) != XA_MEM_DATA)
            continue;
        while ((y->h.log[j].flags & XA_MEM_KIND_MASK) != XA_MEM_DATA)
            j++;
        const struct access *b = &y->h.log[j++];
        assert_int_equal(a->op, b->op);
        assert_int_equal(a->gpa, b->gpa);
        assert_int_equal(a->size, b->size);
        assert_int_equal(a->flags, b->flags);
        assert_memory_equal(a->data, b->data, a->size < 16 ? a->size : 16);
    }
}

static void run_states(unsigned count, uint64_t seed, unsigned *finished, unsigned *ok)
{
    rng_state = seed;
    struct xa_cpu_model model = {XA_VENDOR_INTEL, 52, XA_FEAT_ALL};
    assert_int_equal(xa_vcpu_init(&A->v, &ops, &A->h, &model), XA_OK);
    assert_int_equal(xa_vcpu_init(&B->v, &ops, &B->h, &model), XA_OK);
    assert_int_equal(xa_vcpu_init(&C->v, &ops, &C->h, &model), XA_OK);
    assert_int_equal(xa_vcpu_init(&D->v, &ops, &D->h, &model), XA_OK);
    uint8_t last[15] = {0};
    for (unsigned i = 0; i < count; i++) {
        make_state(start);
        uint8_t bytes[15];
        /* A quarter of the states repeat the last one's bytes in a new state: the decode
         * memo's hits (struct xa_decode_memo), checked like its misses. */
        if (i > 0 && below(4) == 0)
            memcpy(bytes, last, sizeof(bytes));
        else
            make_bytes(bytes);
        memcpy(last, bytes, sizeof(last));
        struct xa_insn insn;
        unsigned len = 15;
        if (xa_decode(&insn, XA_MODE_64, XA_VENDOR_INTEL, bytes, 15) == XA_OK) {
            len = insn.length;
            if (has_memory(&insn)) {
                /* The device page mostly, sometimes a data page; near the page's end. */
                uint64_t page = below(4) ? MMIO : DATA + 0x1000 * below(3);
                uint64_t off = below(4) ? below(4096) : 4096 - below(16);
                aim(start, &insn, page + off);
            }
        }
        memcpy(start->ram + (start->regs[XA_R_RIP].u64 & (RAM - 1)), bytes, 15);
        struct xa_mmio_exit ex;
        memset(&ex, 0, sizeof(ex));
        /* Mostly the instruction's bytes; none (fetched) in a quarter of the states. */
        unsigned how = below(16);
        ex.nbytes = (uint8_t)(how < 4 ? 0 : how < 6 ? below(16) : how < 8 ? 15 : len);
        memcpy(ex.bytes, bytes, ex.nbytes);
        /* The exit: where the operand is (virtual page k is physical page k), or elsewhere. */
        uint64_t aimed = MMIO + below(4096);
        if (len < 15 && has_memory(&insn))
            aimed = operand_address(start, &insn) + below(2);
        ex.gpa = below(8) ? aimed : rnd() & 0xffff;
        ex.gva = ex.gpa + (below(8) == 0 ? 8 : 0);
        ex.gva_valid = below(2);
        start->fail = below(8) == 0 ? (enum fail_kind)(1 + below(FAIL_KINDS - 1)) : FAIL_NONE;
        bool ram_window = below(2), regfile = below(2);

        struct run *runs[3] = {A, B, C};
        for (unsigned k = 0; k < 3; k++) {
            runs[k]->h = *start;
            memset(&runs[k]->out, 0x5a, sizeof(runs[k]->out));
            vcpu_for(runs[k], ram_window, regfile);
        }
        B->st = xai_assist_mmio_general(&B->v, &ex, &B->out);
        C->st = xa_assist_mmio(&C->v, &ex, &C->out);
        assert_same(B, C);
        if (regfile && start->fail != FAIL_GET) {
            /* The register window gives what get_regs gives. */
            D->h = *start;
            memset(&D->out, 0x5a, sizeof(D->out));
            vcpu_for(D, ram_window, false);
            D->st = xa_assist_mmio(&D->v, &ex, &D->out);
            assert_same(C, D);
        }
        unsigned ready;
        A->st = xai_fast_mmio(&A->v, &ex, &A->out, &ready);
        if (A->st != XAI_FAST_DECLINED) {
            assert_same(B, A);
            ++*finished;
            *ok += A->st == XA_OK;
        } else {
            /* Declined: nothing a hypervisor sees has changed but registers read. */
            assert_memory_equal(A->h.ram, start->ram, sizeof(A->h.ram));
            assert_int_equal(A->h.set_calls, 0);
            for (unsigned k = 0; k < A->h.nlog && k < NLOG; k++)
                assert_int_not_equal(A->h.log[k].op, 'w');
        }
    }
}

static void test_front_equals_general(void **state)
{
    (void)state;
    /* FAST_MMIO_STATES and FAST_MMIO_SEED (environment) for longer runs by hand. */
    unsigned finished = 0, ok = 0, count = 20000;
    uint64_t seed = 0x1234;
    if (getenv("FAST_MMIO_STATES"))
        count = (unsigned)strtoul(getenv("FAST_MMIO_STATES"), NULL, 0);
    if (getenv("FAST_MMIO_SEED"))
        seed = strtoull(getenv("FAST_MMIO_SEED"), NULL, 0);
    run_states(count, seed, &finished, &ok);
    print_message("%u states: the front finished %u (%u XA_OK), the general path the rest\n", count,
                  finished, ok);
    /* The comparison must not be vacuous: a good share of the MOV states is finished. */
    assert_true(finished > count / 10);
    assert_true(ok > count / 20);
}

/* The benchmark's instruction: finished by the front, one get_regs, no fetch. */
/* *start: `mov dword [rax], ebx` at CODE, RAX at the device's byte 4, CPL 0, paging on,
 * A/D set, CS attributes @p cs_attr (0xa09b: 64-bit code). */
static void mov_store_state(uint16_t cs_attr, uint64_t rbx)
{
    make_state(start);
    start->regs[XA_R_CR0].u64 = 0x80010033u;
    start->regs[XA_R_CR4].u64 = 0x20;
    start->regs[XA_R_EFER].u64 = 0xd00;
    start->regs[XA_R_RFLAGS].u64 = 0x2;
    for (unsigned r = XA_R_ES; r <= XA_R_GS; r++)
        start->regs[r].seg.attr = r == XA_R_CS ? cs_attr : 0xc093;
    put64(start->ram + PT + 8 * 8, MMIO | 0x67);
    start->regs[XA_R_RAX].u64 = MMIO + 4;
    start->regs[XA_R_RAX + 3].u64 = rbx;
    start->regs[XA_R_RIP].u64 = CODE;
}

static void test_mov_store_one_get_regs(void **state)
{
    (void)state;
    mov_store_state(0xa09b, 0x1122334455667788u);
    A->h = *start;
    struct xa_cpu_model model = {XA_VENDOR_INTEL, 52, XA_FEAT_ALL};
    assert_int_equal(xa_vcpu_init(&A->v, &ops, &A->h, &model), XA_OK);
    A->v.ram = A->h.ram; /* page-table entries from the window: no mem_read of them */
    A->v.ram_size = RAM;
    struct xa_mmio_exit ex = {MMIO + 4, MMIO + 4, true, 2, {0x89, 0x18}};
    unsigned ready;
    assert_int_equal(xai_fast_mmio(&A->v, &ex, &A->out, &ready), XA_OK);
    assert_int_equal(A->h.get_calls, 1);
    assert_int_equal(A->h.set_calls, 1);
    assert_int_equal(A->h.nlog, 1); /* A and D were set: the one write is the device's */
    assert_int_equal(A->h.log[0].op, 'w');
    assert_int_equal(A->h.log[0].gpa, MMIO + 4);
    assert_int_equal(A->h.log[0].size, 4);
    assert_memory_equal(A->h.device + 4, "\x88\x77\x66\x55", 4);
    assert_int_equal(A->h.regs[XA_R_RIP].u64, CODE + 2);
    assert_int_equal(A->out.mnemonic, XA_MNEM_MOV);
    /* With the register window: no get_regs at all, the same result. */
    B->h = *start;
    assert_int_equal(xa_vcpu_init(&B->v, &ops, &B->h, &model), XA_OK);
    B->v.regfile = B->h.regs;
    assert_int_equal(xa_assist_mmio(&B->v, &ex, &B->out), XA_OK);
    assert_int_equal(B->h.get_calls, 0);
    assert_memory_equal(B->h.device, A->h.device, sizeof(A->h.device));
    assert_int_equal(B->h.regs[XA_R_RIP].u64, CODE + 2);
}

/* After an instruction outside 64-bit mode (compatibility mode here) the next exit goes
 * to the general path at once (two get_regs), and the one after that through the front
 * again (one); every result the same. */
static void test_mode_hint(void **state)
{
    (void)state;
    mov_store_state(0xc09b, 0x11223344u); /* CS.L = 0, D = 1 */
    A->h = *start;
    struct xa_cpu_model model = {XA_VENDOR_INTEL, 52, XA_FEAT_ALL};
    assert_int_equal(xa_vcpu_init(&A->v, &ops, &A->h, &model), XA_OK);
    struct xa_mmio_exit ex = {MMIO + 4, MMIO + 4, true, 2, {0x89, 0x18}};
    static const unsigned want_get_calls[3] = {2, 2, 1};
    for (unsigned k = 0; k < 3; k++) {
        A->h.get_calls = 0;
        A->h.regs[XA_R_RIP].u64 = CODE;
        A->h.regs[XA_R_CS].seg.attr = k == 0 ? 0xc09b : 0xa09b; /* then 64-bit */
        assert_int_equal(xa_assist_mmio(&A->v, &ex, &A->out), XA_OK);
        assert_int_equal(A->h.get_calls, want_get_calls[k]);
        assert_int_equal(A->h.regs[XA_R_RIP].u64, CODE + 2);
        assert_memory_equal(A->h.device + 4, "\x44\x33\x22\x11", 4);
    }
}

/* The decode memo is keyed by the vendor too: the same bytes after a change of vendor
 * (66 E9: JMP rel32 on Intel, which ignores the 66 in 64-bit mode, rel16 on AMD) are
 * decoded again, and a repeat is served the memo's copy (equal to a fresh decode). */
static void test_decode_memo_vendor(void **state)
{
    (void)state;
    mov_store_state(0xa09b, 1);
    A->h = *start;
    struct xa_cpu_model model = {XA_VENDOR_INTEL, 52, XA_FEAT_ALL};
    assert_int_equal(xa_vcpu_init(&A->v, &ops, &A->h, &model), XA_OK);
    struct xa_mmio_exit ex = {MMIO, MMIO, true, 6, {0x66, 0xe9, 0x10, 0x20, 0x30, 0x40}};
    static const enum xa_vendor vendor[4] = {XA_VENDOR_INTEL, XA_VENDOR_INTEL, XA_VENDOR_AMD,
                                             XA_VENDOR_AMD};
    static const unsigned length[4] = {6, 6, 4, 4};
    for (unsigned k = 0; k < 4; k++) {
        A->v.model.vendor = vendor[k];
        struct xa_insn want;
        assert_int_equal(xa_decode(&want, XA_MODE_64, vendor[k], ex.bytes, ex.nbytes), XA_OK);
        assert_int_equal(want.length, length[k]);
        unsigned ready;
        memset(&A->out, 0x5a, sizeof(A->out));
        assert_int_equal(xai_fast_mmio(&A->v, &ex, &A->out, &ready), XAI_FAST_DECLINED);
        assert_int_equal(ready, XAI_FAST_DECODED64);
        assert_memory_equal(&A->out.insn, &want, sizeof(want));
    }
}

static int setup(void **state)
{
    (void)state;
    A = calloc(1, sizeof(*A));
    B = calloc(1, sizeof(*B));
    C = calloc(1, sizeof(*C));
    D = calloc(1, sizeof(*D));
    start = calloc(1, sizeof(*start));
    return A && B && C && D && start ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(A);
    free(B);
    free(C);
    free(D);
    free(start);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mov_store_one_get_regs),
        cmocka_unit_test(test_mode_hint),
        cmocka_unit_test(test_decode_memo_vendor),
        cmocka_unit_test(test_front_equals_general),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
