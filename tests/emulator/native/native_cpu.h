/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Runs one instruction on the host CPU (x86-64 Linux only): a tiny code generator
 * writes "load every GPR and RFLAGS from a state block; the instruction; store them
 * back" into an executable page below 2 GiB (MAP_32BIT), so the state block and the
 * data buffer are reachable with absolute 32-bit addresses and have the same
 * addresses in the host run and in the emulated guest (identity-mapped).
 */
#ifndef XA_TESTS_NATIVE_CPU_H
#define XA_TESTS_NATIVE_CPU_H

#include <stddef.h>
#include <stdint.h>

/* GPRs in encoding order (RAX RCX RDX RBX RSP RBP RSI RDI R8..R15); RSP is never loaded. */
struct nat_state {
    uint64_t gpr[16];
    uint64_t rflags;
};

#define NAT_DATA_SIZE (64u * 1024u)

struct nat_cpu {
    uint8_t *region; /* the whole mapping */
    size_t region_size;
    uint8_t *code;           /* the generated code */
    struct nat_state *state; /* the state block the code loads and stores */
    uint8_t *data;           /* NAT_DATA_SIZE bytes for memory operands */
};

/* Maps @p size bytes readable, writable and executable below 2 GiB (MAP_32BIT: absolute
 * 32-bit addresses reach them); NULL when the host cannot. */
uint8_t *nat_map_low(size_t size);
/* Sends SIGFPE, SIGILL, SIGSEGV and SIGBUS (the faults of a tested instruction) to
 * @p handler, which leaves by siglongjmp. */
void nat_catch_signals(void (*handler)(int));

/* Maps the region. Returns 0, or -1 when the host cannot run generated code. */
int nat_init(struct nat_cpu *c);
void nat_fini(struct nat_cpu *c);

/* True when the host CPU is an AMD one (CPUID vendor "AuthenticAMD"). */
int nat_host_is_amd(void);

/* Generates the code around the instruction bytes. */
void nat_load(struct nat_cpu *c, const uint8_t *insn, size_t len);

/* Runs it from *s (updated on return). Returns 0, or the signal number that
 * stopped the instruction (SIGFPE for #DE, SIGILL for #UD, SIGSEGV, SIGBUS). */
int nat_run(struct nat_cpu *c, struct nat_state *s);

#endif
