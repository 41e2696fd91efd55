/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file mmiotrap.h
 * @brief Trap a process's own memory accesses into a device model, with x86assist.
 *
 * mmiotrap_map() returns a region mapped with no access. When code touches it,
 * the SIGSEGV handler decodes and emulates the faulting instruction with
 * x86assist (64-bit mode, flat segments, an identity map: the faulting address
 * is the "guest-physical" address), sends the accesses inside the region to the
 * device's callbacks, writes the registers back into the signal context and
 * resumes after the instruction. A driver in plain C is so tested in an
 * ordinary process against a device model: every register access it makes is
 * an emulated MMIO access, as in a virtual machine.
 *
 * An instruction x86assist cannot emulate ends the process (exit status 3)
 * with a message naming its mnemonic. x86-64 Linux only; one thread.
 */
#ifndef MMIOTRAP_H
#define MMIOTRAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/**
 * A device model. The callbacks run inside the signal handler: they must be
 * async-signal-safe (no stdio, no malloc). Accesses come one element at a
 * time: 1, 2, 4 or 8 bytes at @p offset from the start of the region (a
 * 16-byte vector access would be two 8-byte ones).
 */
struct mmiotrap_device {
    const char *name; /**< Short name for the trace ("uart"). */
    void *ctx;        /**< Passed to every callback. */
    /** Returns the value read (little-endian, @p size bytes). */
    uint64_t (*read)(void *ctx, uint64_t offset, unsigned size);
    /** Stores @p value (@p size bytes). */
    void (*write)(void *ctx, uint64_t offset, unsigned size, uint64_t value);
    /** Optional, for the trace: the register's name ("LCR"), or NULL. */
    const char *(*reg_name)(void *ctx, uint64_t offset, bool write);
};

/**
 * Maps @p size bytes (rounded up to pages) with no access and routes every
 * access to them to @p dev (copied; dev->ctx must stay valid). Installs the
 * SIGSEGV handler on the first call. Returns the region, or NULL (errno set)
 * when mmap fails or every slot (8) is taken.
 */
void *mmiotrap_map(size_t size, const struct mmiotrap_device *dev);

/** Unmaps a region of mmiotrap_map(). */
void mmiotrap_unmap(void *region);

/**
 * Traces the next @p max_lines accesses to @p fd, one line each with the
 * instruction that made it (0 turns the trace off).
 */
void mmiotrap_trace(int fd, unsigned max_lines);

/** Accesses the trace has not shown since mmiotrap_trace() (over the line limit). */
unsigned long mmiotrap_untraced(void);

/** Instructions emulated so far. */
unsigned long mmiotrap_emulated(void);

/**
 * Prints, on one line, each mnemonic emulated so far with its count
 * ("movzx x12, mov x9, or x2"), most frequent first.
 */
void mmiotrap_print_mnemonics(FILE *f);

#endif
