/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Decoder throughput: a linear sweep of the .text of an ELF64 file (default
 * this machine's libc) with full operands, by our decoder (xa_decode), Zydis
 * 4.0 (ZydisDecoderDecodeFull) and capstone 4.0.2 (cs_disasm_iter with
 * CS_OPT_DETAIL on), in the same run. Each sweep follows the decoder's own
 * lengths and steps one byte over what it rejects. Prints instructions per
 * second for each (best of --repeat passes). See bench/README.md.
 *
 *   decoder_bench [--file ELF] [--mode 64|32|16] [--repeat N]
 *   decoder_bench --only ours|zydis|capstone --iterations N     (for callgrind)
 */
#define _POSIX_C_SOURCE 199309L /* clock_gettime */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <capstone/capstone.h>
#include <Zydis/Zydis.h>

#include <x86assist/decoder.h>

#include "decoder/diff/ref.h"

struct pass {
    uint64_t insns;   /* valid instructions decoded */
    uint64_t invalid; /* offsets rejected (one byte skipped each) */
    uint64_t check;   /* a sum over the results, so nothing is optimised away */
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void pass_ours(const uint8_t *t, size_t n, int mode, struct pass *p)
{
    struct xa_insn in;
    size_t off = 0;
    while (off < n) {
        size_t avail = n - off < 16 ? n - off : 16;
        if (xa_decode(&in, (enum xa_mode)mode, XA_VENDOR_INTEL, t + off, avail) == XA_OK) {
            p->insns++;
            p->check += in.length + in.operand_count + in.ops[0].size + (uint64_t)in.mem.disp;
            off += in.length;
        } else {
            p->invalid++;
            off++;
        }
    }
}

static void pass_zydis(const ZydisDecoder *d, const uint8_t *t, size_t n, struct pass *p)
{
    ZydisDecodedInstruction in;
    ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
    size_t off = 0;
    while (off < n) {
        if (ZYAN_SUCCESS(ZydisDecoderDecodeFull(d, t + off, n - off, &in, ops))) {
            p->insns++;
            p->check +=
                in.length + in.operand_count + ops[0].size + (uint64_t)ops[1].mem.disp.value;
            off += in.length;
        } else {
            p->invalid++;
            off++;
        }
    }
}

static void pass_capstone(csh h, cs_insn *ci, const uint8_t *t, size_t n, struct pass *p)
{
    size_t off = 0;
    while (off < n) {
        const uint8_t *code = t + off;
        size_t left = n - off;
        uint64_t addr = off;
        if (cs_disasm_iter(h, &code, &left, &addr, ci)) {
            p->insns++;
            p->check += ci->size + ci->detail->x86.op_count + ci->detail->x86.operands[0].size;
            off += ci->size;
        } else {
            p->invalid++;
            off++;
        }
    }
}

enum which { OURS = 1, ZYDIS = 2, CAPSTONE = 4 };

int main(int argc, char **argv)
{
    const char *file = "/lib/x86_64-linux-gnu/libc.so.6";
    int mode = XA_MODE_64, repeat = 5, iterations = 0;
    unsigned which = OURS | ZYDIS | CAPSTONE;
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--file") == 0 && v) {
            file = v;
            i++;
        } else if (strcmp(argv[i], "--mode") == 0 && v && ref_mode_parse(v) >= 0) {
            mode = ref_mode_parse(v);
            i++;
        } else if (strcmp(argv[i], "--repeat") == 0 && v) {
            repeat = atoi(v);
            i++;
        } else if (strcmp(argv[i], "--iterations") == 0 && v) {
            iterations = atoi(v);
            i++;
        } else if (strcmp(argv[i], "--only") == 0 && v) {
            which = strcmp(v, "ours") == 0       ? OURS
                    : strcmp(v, "zydis") == 0    ? ZYDIS
                    : strcmp(v, "capstone") == 0 ? CAPSTONE
                                                 : 0;
            if (!which) {
                fprintf(stderr, "decoder_bench: --only ours|zydis|capstone\n");
                return 2;
            }
            i++;
        } else {
            fprintf(stderr, "usage: decoder_bench [--file ELF] [--mode 64|32|16] [--repeat N]\n"
                            "       decoder_bench --only ours|zydis|capstone --iterations N\n");
            return 2;
        }
    }
    if (repeat < 1)
        repeat = 1;
    char err[256];
    size_t n;
    uint64_t addr;
    uint8_t *text = ref_elf_text(file, &n, &addr, err, sizeof err);
    if (!text) {
        fprintf(stderr, "decoder_bench: %s\n", err);
        return 2;
    }

    ZydisDecoder zd;
    ZydisDecoderInit(&zd,
                     mode == XA_MODE_64   ? ZYDIS_MACHINE_MODE_LONG_64
                     : mode == XA_MODE_32 ? ZYDIS_MACHINE_MODE_LEGACY_32
                                          : ZYDIS_MACHINE_MODE_LEGACY_16,
                     mode == XA_MODE_64   ? ZYDIS_STACK_WIDTH_64
                     : mode == XA_MODE_32 ? ZYDIS_STACK_WIDTH_32
                                          : ZYDIS_STACK_WIDTH_16);
    csh h;
    if (cs_open(CS_ARCH_X86,
                mode == XA_MODE_64   ? CS_MODE_64
                : mode == XA_MODE_32 ? CS_MODE_32
                                     : CS_MODE_16,
                &h) != CS_ERR_OK) {
        fprintf(stderr, "decoder_bench: cs_open failed\n");
        return 2;
    }
    cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
    cs_insn *ci = cs_malloc(h);

    /* callgrind mode: N passes of one decoder, no timing. */
    if (iterations > 0) {
        struct pass p = {0, 0, 0};
        for (int it = 0; it < iterations; it++) {
            if (which == OURS)
                pass_ours(text, n, mode, &p);
            else if (which == ZYDIS)
                pass_zydis(&zd, text, n, &p);
            else
                pass_capstone(h, ci, text, n, &p);
        }
        printf(
            "%d passes: %llu instructions per pass, %llu rejected offsets per pass (check %llx)\n",
            iterations, (unsigned long long)(p.insns / (unsigned)iterations),
            (unsigned long long)(p.invalid / (unsigned)iterations), (unsigned long long)p.check);
        cs_free(ci, 1);
        cs_close(&h);
        free(text);
        return 0;
    }

    printf("%s: .text %zu bytes, mode %s, linear sweep with full operands, best of %d\n", file, n,
           ref_mode_name(mode), repeat);
    printf("%-10s %12s %10s %14s %10s\n", "decoder", "insns/pass", "rejected", "insns/second",
           "ns/insn");
    static const char *const names[3] = {"ours", "zydis", "capstone"};
    for (unsigned k = 0; k < 3; k++) {
        if (!(which & (1u << k)))
            continue;
        double best = 1e30;
        struct pass p = {0, 0, 0};
        for (int r = 0; r < repeat; r++) {
            struct pass q = {0, 0, 0};
            double t0 = now();
            if (k == 0)
                pass_ours(text, n, mode, &q);
            else if (k == 1)
                pass_zydis(&zd, text, n, &q);
            else
                pass_capstone(h, ci, text, n, &q);
            double t = now() - t0;
            if (t < best)
                best = t;
            p = q;
        }
        printf("%-10s %12llu %10llu %14.0f %10.1f   (check %llx)\n", names[k],
               (unsigned long long)p.insns, (unsigned long long)p.invalid, (double)p.insns / best,
               best * 1e9 / (double)p.insns, (unsigned long long)p.check);
    }
    cs_free(ci, 1);
    cs_close(&h);
    free(text);
    return 0;
}
