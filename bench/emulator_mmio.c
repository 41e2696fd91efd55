/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Benchmark for callgrind: one whole MMIO exit of `mov dword [rax], ebx` in
 * 64-bit mode with 4-level paging (4 KiB pages), as a hypervisor handles it:
 *   emulator_mmio N [ours|unicorn] [nobytes] [noram] [lowpt] [regfile] [add] [cold]
 * ours:    xa_assist_mmio: registers (get_regs), fetch (the exit's bytes; with
 *          "nobytes" the fetch walks and reads the code page), decode, the walk
 *          of the data operand, the exit check, emulate, commit (one mem_write to
 *          the device, one set_regs). The hypervisor gives its guest-RAM window
 *          (struct xa_vcpu ram/ram_size: the RAM below the MMIO page), so page-table
 *          entries and code bytes are read from it; with "noram" every such read
 *          goes through the mem_read callback instead; with "lowpt" the page
 *          tables are at PT_LOW instead (inside the largest power-of-two prefix
 *          of the window, where the MMU's hot path read them before it took
 *          tables anywhere in the window: now the same cost);
 *          with "regfile" the hypervisor also gives its register array as the
 *          vCPU's register window (struct xa_vcpu regfile): no get_regs; with
 *          "add" the instruction is add dword [rax], ebx instead (a read-modify-write:
 *          the general path after the front, ours only); with "cold" every exit
 *          differs from the one before, so nothing remembered from it applies: the
 *          instruction alternates between two encodings (89 18 and 89 58 00, the
 *          same MOV) and its operand between two linear pages mapped to the MMIO
 *          page (the vCPU's decode memo and the walk's memo miss every time);
 * unicorn: the same instruction emulated by unicorn (when built with it): the
 *          registers written into the engine, uc_emu_start for one instruction
 *          (unicorn's flat map, not the guest's page tables), the MMIO page
 *          an MMIO region whose write callback is the device, the registers
 *          read back.
 * Per-exit cost = (Ir(2N) - Ir(N)) / N, e.g.
 *   valgrind --tool=callgrind --callgrind-out-file=cg.1 ./emulator_mmio 10000
 *   valgrind --tool=callgrind --callgrind-out-file=cg.2 ./emulator_mmio 20000
 * The callbacks are those of a hypervisor with guest RAM mapped flat and the
 * registers in an array: a copy per register, a bounds check and a copy per
 * memory access. A/D bits are already set after the first exit.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <x86assist/x86assist.h>

#include "flat_hv.h"

#ifdef XA_BENCH_UNICORN
#include <unicorn/unicorn.h>
#endif

#define PT     0x100000u /* page tables (with "lowpt": PT_LOW) */
#define PT_LOW 0x80000u
#define CODE   0x10000u
#define MMIO   0x1f0000u
#define ALIAS  0x1f1000u /* with "cold": a second linear page of the MMIO page */

struct guest {
    struct flat_hv hv; /* first: the context of the flat_* callbacks */
    uint8_t device[16];
    unsigned long sink;
};

static int mem_write(void *ctx, uint64_t gpa, const void *buf, size_t size, unsigned flags)
{
    struct guest *g = ctx;
    (void)flags;
    if (gpa >= MMIO && gpa - MMIO + size <= sizeof(g->device)) {
        memcpy(g->device + (gpa - MMIO), buf, size); /* the device */
        g->sink += g->device[0];
        return 0;
    }
    if (gpa >= FLAT_RAM_SIZE || size > FLAT_RAM_SIZE - gpa)
        return -1;
    memcpy(g->hv.ram + gpa, buf, size);
    return 0;
}

static int mem_cmpxchg(void *ctx, uint64_t gpa, void *expected, const void *desired, size_t size,
                       unsigned flags)
{
    struct guest *g = ctx;
    (void)flags;
    if (gpa >= FLAT_RAM_SIZE || size > FLAT_RAM_SIZE - gpa)
        return -1;
    if (memcmp(g->hv.ram + gpa, expected, size)) {
        memcpy(expected, g->hv.ram + gpa, size);
        return 1;
    }
    memcpy(g->hv.ram + gpa, desired, size);
    return 0;
}

static void setup(struct guest *g, uint64_t pt)
{
    memset(g, 0, sizeof(*g));
    flat_setup_long(&g->hv, pt);
    g->hv.ram[CODE] = 0x89; /* mov dword [rax], ebx */
    g->hv.ram[CODE + 1] = 0x18;
    g->hv.regs[XA_R_RAX].u64 = MMIO + 4;
    g->hv.regs[XA_R_RAX + 3].u64 = 0x12345678;
    g->hv.regs[XA_R_RAX + 4].u64 = 0x8000;
    g->hv.regs[XA_R_RIP].u64 = CODE;
}

static const struct xa_cpu_ops ops = {flat_get_regs, flat_set_regs, flat_mem_read, mem_write,
                                      mem_cmpxchg,   NULL,          NULL};

static int run_ours(struct guest *g, long n, int give_bytes, int ram_window, int regfile, int add,
                    int cold)
{
    struct xa_vcpu vcpu;
    if (xa_vcpu_init(&vcpu, &ops, g, NULL) != XA_OK)
        return 1;
    if (ram_window) {
        vcpu.ram = g->hv.ram; /* guest RAM: everything below the MMIO page */
        vcpu.ram_size = MMIO;
    }
    if (regfile)
        vcpu.regfile = g->hv.regs; /* the registers as the hypervisor keeps them */
    struct xa_mmio_exit ex;
    memset(&ex, 0, sizeof(ex));
    ex.gpa = MMIO + 4;
    ex.gva = MMIO + 4;
    ex.gva_valid = true;
    if (give_bytes) {
        ex.nbytes = 2;
        ex.bytes[0] = add ? 0x01 : 0x89;
        ex.bytes[1] = 0x18;
    }
    struct xa_outcome out;
    xa_status st = XA_OK;
    if (!cold) {
        for (long i = 0; i < n && st == XA_OK; i++) {
            g->hv.regs[XA_R_RIP].u64 = CODE; /* the guest runs the same instruction again */
            st = xa_assist_mmio(&vcpu, &ex, &out);
        }
    } else {
        for (long i = 0; i < n && st == XA_OK; i++) {
            /* Or the other encoding, through the other linear page. */
            const bool other = (i & 1) != 0;
            g->hv.regs[XA_R_RIP].u64 = CODE;
            g->hv.regs[XA_R_RAX].u64 = (other ? ALIAS : MMIO) + 4;
            ex.gva = g->hv.regs[XA_R_RAX].u64;
            g->hv.ram[CODE + 1] = ex.bytes[1] = other ? 0x58 : 0x18;
            ex.nbytes = give_bytes ? (other ? 3 : 2) : 0;
            st = xa_assist_mmio(&vcpu, &ex, &out);
        }
    }
    if (st != XA_OK) {
        fprintf(stderr, "xa_assist_mmio: %s\n", xa_status_name(out.status));
        return 1;
    }
    printf("ours: %ld exits, device %08x\n", n,
           (unsigned)(g->device[4] | g->device[5] << 8 | g->device[6] << 16 |
                      (unsigned)g->device[7] << 24));
    return 0;
}

#ifdef XA_BENCH_UNICORN
static void on_mmio_write(uc_engine *uc, uint64_t offset, unsigned size, uint64_t value, void *user)
{
    struct guest *g = user;
    (void)uc;
    if (offset + size > sizeof(g->device))
        return;
    for (unsigned k = 0; k < size; k++)
        g->device[offset + k] = (uint8_t)(value >> (8 * k));
    g->sink += g->device[0];
}

static uint64_t on_mmio_read(uc_engine *uc, uint64_t offset, unsigned size, void *user)
{
    (void)uc, (void)offset, (void)size, (void)user;
    return 0;
}

static int run_unicorn(struct guest *g, long n)
{
    uc_engine *uc;
    if (uc_open(UC_ARCH_X86, UC_MODE_64, &uc) != UC_ERR_OK)
        return 1;
    /* Guest RAM below the MMIO page mapped into the engine, the MMIO page as an MMIO
     * region whose callbacks are the device, as an MMIO exit reaches the hypervisor.
     * Unicorn's 64-bit mode runs with its own flat mapping: the guest's paging is not
     * walked. */
    if (uc_mem_map_ptr(uc, 0, MMIO, UC_PROT_ALL, g->hv.ram) != UC_ERR_OK ||
        uc_mmio_map(uc, MMIO, 0x1000, on_mmio_read, g, on_mmio_write, g) != UC_ERR_OK)
        return 1;
    for (long i = 0; i < n; i++) {
        /* What a hypervisor does per exit: registers in, one instruction, registers out. */
        uint64_t rax = g->hv.regs[XA_R_RAX].u64, rbx = g->hv.regs[XA_R_RAX + 3].u64, rip = CODE;
        uint64_t rsp = g->hv.regs[XA_R_RAX + 4].u64, rflags = g->hv.regs[XA_R_RFLAGS].u64;
        uc_reg_write(uc, UC_X86_REG_RAX, &rax);
        uc_reg_write(uc, UC_X86_REG_RBX, &rbx);
        uc_reg_write(uc, UC_X86_REG_RSP, &rsp);
        uc_reg_write(uc, UC_X86_REG_EFLAGS, &rflags);
        uc_reg_write(uc, UC_X86_REG_RIP, &rip);
        uc_err err = uc_emu_start(uc, CODE, CODE + 2, 0, 1);
        if (err != UC_ERR_OK) {
            fprintf(stderr, "uc_emu_start: %s\n", uc_strerror(err));
            return 1;
        }
        uc_reg_read(uc, UC_X86_REG_RIP, &rip);
        uc_reg_read(uc, UC_X86_REG_EFLAGS, &rflags);
        g->hv.regs[XA_R_RIP].u64 = rip;
        g->hv.regs[XA_R_RFLAGS].u64 = rflags;
    }
    printf("unicorn: %ld exits, device %08x\n", n,
           (unsigned)(g->device[4] | g->device[5] << 8 | g->device[6] << 16 |
                      (unsigned)g->device[7] << 24));
    uc_close(uc);
    return 0;
}
#endif

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 0) : 10000;
    const char *which = argc > 2 ? argv[2] : "ours";
    int give = 1, ram_window = 1, regfile = 0, add = 0, cold = 0;
    uint64_t pt = PT;
    for (int a = 3; a < argc; a++) {
        if (!strcmp(argv[a], "nobytes"))
            give = 0;
        else if (!strcmp(argv[a], "noram"))
            ram_window = 0;
        else if (!strcmp(argv[a], "lowpt"))
            pt = PT_LOW;
        else if (!strcmp(argv[a], "regfile"))
            regfile = 1;
        else if (!strcmp(argv[a], "add"))
            add = 1;
        else if (!strcmp(argv[a], "cold"))
            cold = 1;
    }
    struct guest g;
    setup(&g, pt);
    if (cold) /* ALIAS -> MMIO; byte CODE + 2 is the disp8 (0) of 89 58 00 */
        flat_map(&g.hv, pt, ALIAS, MMIO);
    if (add)
        g.hv.ram[CODE] = 0x01; /* add dword [rax], ebx: the general path (a read-modify-write) */
    int rc;
    if (!strcmp(which, "ours")) {
        rc = run_ours(&g, n, give, ram_window, regfile, add, cold);
    } else if (!strcmp(which, "unicorn")) {
#ifdef XA_BENCH_UNICORN
        rc = run_unicorn(&g, n);
#else
        fprintf(stderr, "built without unicorn (libunicorn-dev)\n");
        rc = 2;
#endif
    } else {
        fprintf(stderr,
                "usage: emulator_mmio N [ours|unicorn] [nobytes] [noram] [lowpt] [regfile] [add] "
                "[cold]\n");
        rc = 1;
    }
    free(g.hv.ram);
    return rc;
}
