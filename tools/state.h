/* SPDX-License-Identifier: BSD-2-Clause */
/* The STATE JSON of the command-line tool (docs: cli-json.md, "STATE"):
 * the guest CPU model, the registers with segment caches, and a sparse
 * guest-physical memory of RAM and MMIO ranges. Shared by the walk and
 * emulate subcommands. */
#ifndef XA_TOOL_STATE_H
#define XA_TOOL_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <x86assist/x86assist.h>

/* Segment registers in the order of the instruction set, then TR and LDTR. */
enum state_seg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_TR, SEG_LDTR, SEG_COUNT };

struct state_segment {
    uint16_t sel;
    uint64_t base;
    uint32_t limit; /* byte-granular */
    uint32_t attr;  /* VMX access-rights layout */
};

/* One 4 KiB page of RAM that has been given or written. */
struct state_page {
    uint64_t pfn;
    uint8_t *data;
};

/* An MMIO range: reads come from data (zero-padded), writes update it. */
struct state_mmio {
    uint64_t gpa, size;
    uint8_t *data;
};

/* Guest-physical memory: sparse RAM pages (sorted by pfn) and MMIO ranges.
 * Bytes of RAM never given nor written read as zero. */
struct state_mem {
    struct state_page *pages;
    size_t npages, cap;
    struct state_mmio *mmio;
    size_t nmmio;
};

/* Successive IN data of one port. */
struct state_port {
    uint16_t port;
    uint8_t *data;
    size_t len, pos;
};

struct state_exit {
    bool present;
    bool is_io;        /* kind "io", else "mmio" */
    uint64_t gpa, gva; /* mmio */
    bool has_gva;
    uint8_t bytes[15];
    size_t nbytes;
    uint16_t port; /* io */
    unsigned size;
    bool in, string, rep;
};

struct state {
    struct xa_cpu_model cpu;
    uint64_t gpr[16]; /* rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8..r15 */
    uint64_t rip, rflags;
    uint64_t cr0, cr2, cr3, cr4, cr8, efer, xcr0;
    uint32_t pkru;
    uint64_t pkrs;
    struct state_segment seg[SEG_COUNT];
    uint8_t zmm[32][64]; /* xmmN/ymmN/zmmN are the low 16/32/64 bytes */
    uint64_t k[8];
    uint64_t mm[8]; /* MMX registers (u64) */
    struct state_mem mem;
    struct state_port *ports;
    size_t nports;
    struct state_exit exit;
};

/* Fills *st from a STATE object. Returns 0, or -1 with a one-line message
 * naming the bad field in err. st must be freed with state_free() either way. */
int state_from_json(const json_t *root, struct state *st, char *err, size_t errlen);
void state_free(struct state *st);

/* The CPL: the DPL of SS (attr[6:5]); 0 in real mode, 3 in virtual-8086. */
unsigned state_cpl(const struct state *st);

/* Guest-physical access (no page crossing restriction; never fails below
 * 2^52): 0, or -1 for an address beyond 2^52 or out of memory. */
int state_mem_read(struct state_mem *m, uint64_t gpa, void *buf, size_t n);
int state_mem_write(struct state_mem *m, uint64_t gpa, const void *buf, size_t n);

/* True when gpa lies inside one of the mmio ranges (the emulate subcommand logs
 * MMIO accesses element by element). */
bool state_is_mmio(struct state_mem *m, uint64_t gpa);

/* Parses a JSON integer or a string ("0x1f", "31") into *out: 0 or -1. */
int state_json_u64(const json_t *v, uint64_t *out);

#endif
