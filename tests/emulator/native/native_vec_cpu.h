/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Runs one vector instruction on the host CPU (x86-64 Linux with AVX-512 only): a
 * tiny code generator writes "load ZMM0-31, K0-7, MM0-7, RFLAGS and every GPR but
 * RSP from a state block; the instruction; store them back; EMMS" into an
 * executable page below 2 GiB, next to the state block and a data buffer, so the
 * guest of the emulated run sees the same addresses (identity-mapped).
 */
#ifndef XA_TESTS_NATIVE_VEC_CPU_H
#define XA_TESTS_NATIVE_VEC_CPU_H

#include <stddef.h>
#include <stdint.h>

struct nv_state {
    uint8_t zmm[32][64];
    uint64_t k[8];
    uint64_t mm[8];
    uint64_t gpr[16]; /* encoding order; RSP is never loaded */
    uint64_t rflags;
};

#define NV_DATA_SIZE (64u * 1024u)

struct nv_cpu {
    uint8_t *region;
    size_t region_size;
    uint8_t *code;
    struct nv_state *state;
    uint8_t *data;
};

/* True when the host runs AVX-512 F/BW/VL code (CPUID and XCR0 agree). */
int nv_host_has_avx512(void);
/* A CPUID.(EAX=7,ECX=0) bit: @p leaf7_reg 1 = EBX, 2 = ECX, 3 = EDX
 * (ECX bit 27 MOVDIRI, bit 28 MOVDIR64B). */
int nv_host_has(unsigned leaf7_reg, unsigned bit);

/* Maps the region. Returns 0, or -1 when the host cannot run generated code. */
int nv_init(struct nv_cpu *c);
void nv_fini(struct nv_cpu *c);
/* Generates the code around the instruction bytes. */
void nv_load(struct nv_cpu *c, const uint8_t *insn, size_t len);
/* Runs it from *s (updated on return). Returns 0 or the signal that stopped it. */
int nv_run(struct nv_cpu *c, struct nv_state *s);

#endif
