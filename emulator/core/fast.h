/* SPDX-License-Identifier: BSD-2-Clause */
/* The front of xa_assist_mmio for the common exit (fast.c). */
#ifndef XA_EMULATOR_CORE_FAST_H
#define XA_EMULATOR_CORE_FAST_H

#include <x86assist/emulator.h>

/* What fast.c returns when the general path must go on (never a status of the API). */
#define XAI_FAST_DECLINED ((xa_status)0x7f)

/* How far fast.c got when it declined: what the general path need not do again. */
enum xai_fast_ready {
    XAI_FAST_NOTHING = 0, /* nothing fetched: start from the beginning */
    XAI_FAST_REGS = 1,    /* the vCPU's register cache holds the mode registers (reset first) */
    XAI_FAST_DECODED = 2, /* that, and out->insn is the instruction decoded in the vCPU's mode */
    /* Nothing fetched, but out->insn is the instruction decoded as 64-bit code from the
     * exit's bytes: the vCPU's, if it turns out to be in 64-bit mode. */
    XAI_FAST_DECODED64 = 3,
};

/* The front alone (xa_assist_mmio is the front, then the general path when it declines;
 * the tests call it alone). Finishes a MOV to or from memory in 64-bit mode (the outcome
 * in @p out, its status returned), or returns XAI_FAST_DECLINED with *ready saying what
 * is done. Nothing guest-visible has changed when it declines. */
xa_status xai_fast_mmio(struct xa_vcpu *v, const struct xa_mmio_exit *ex, struct xa_outcome *out,
                        unsigned *ready);

/* The general path of xa_assist_mmio (run.c) from where the front left it. */
xa_status xai_assist_mmio_from(struct xa_vcpu *vcpu, const struct xa_mmio_exit *exit,
                               struct xa_outcome *out, unsigned ready);

/* xa_assist_mmio without this front (run.c; the tests compare the two). Arguments as
 * xa_assist_mmio has checked them. */
xa_status xai_assist_mmio_general(struct xa_vcpu *vcpu, const struct xa_mmio_exit *exit,
                                  struct xa_outcome *out);

#endif
