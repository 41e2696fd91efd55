/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Behaviour checker for decoder work (bench/README.md): decodes a fixed, large set of
 * inputs and records a hash of the status and of every byte of struct xa_insn (padding
 * included: the output starts filled with a varying pattern) per input. Run it with the
 * decoder before a change to write the reference, after it to compare:
 *
 *   decoder_check write REF [--file ELF]    reference hashes (4 bytes per input)
 *   decoder_check check REF [--file ELF]    compares; prints the first differences
 *
 * Inputs: bad arguments; every offset of the ELF's .text in all four modes and both
 * vendors with the rest of .text available; every offset in 64-bit and 32-bit mode cut
 * to a short length (truncation); 3 M random strings of 0..16 bytes (uniform, biased to
 * prefixes and escapes, or a VEX/EVEX/XOP lead after prefixes) in a random mode and
 * again in 64-bit mode, each from a buffer of exactly its length (build it with
 * -fsanitize=address to catch a read past the end).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <x86assist/decoder.h>

#include "decoder/diff/ref.h"

static uint32_t *ref;
static size_t nref, ncase, ndiff;
static FILE *out;

static uint32_t hash_result(xa_status st, const struct xa_insn *in)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325) ^ (uint64_t)(uint32_t)st;
    const uint8_t *p = (const uint8_t *)in;
    for (size_t i = 0; i < sizeof(*in); i++)
        h = (h ^ p[i]) * UINT64_C(0x100000001b3);
    return (uint32_t)(h ^ (h >> 32));
}

/* exact: decode from a copy in a buffer of exactly len bytes, so that a sanitizer sees a
 * read past the end. */
static void one_buffer(int mode, int vendor, const uint8_t *b, size_t len, int exact)
{
    struct xa_insn in;
    uint8_t *copy = NULL;
    if (exact && b) {
        copy = malloc(len ? len : 1);
        if (!copy)
            exit(2);
        memcpy(copy, b, len);
    }
    memset(&in, 0xA5 ^ (int)(ncase & 0xFF), sizeof(in));
    xa_status st = xa_decode(&in, (enum xa_mode)mode, (enum xa_vendor)vendor, copy ? copy : b, len);
    free(copy);
    uint32_t h = hash_result(st, &in);
    if (out) {
        fwrite(&h, sizeof h, 1, out);
    } else if (ncase >= nref || ref[ncase] != h) {
        if (ndiff < 20) {
            printf("differs: case %zu mode %d vendor %d len %zu status %d bytes", ncase, mode,
                   vendor, len, (int)st);
            for (size_t i = 0; b && i < len && i < 16; i++)
                printf(" %02x", b[i]);
            printf("\n");
        }
        ndiff++;
    }
    ncase++;
}

static void one(int mode, int vendor, const uint8_t *b, size_t len)
{
    one_buffer(mode, vendor, b, len, 0);
}

static uint64_t rng_state = UINT64_C(0x243F6A8885A308D3);
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

int main(int argc, char **argv)
{
    const char *file = "/lib/x86_64-linux-gnu/libc.so.6";
    if (argc != 3 && !(argc == 5 && strcmp(argv[3], "--file") == 0)) {
        fprintf(stderr, "usage: decoder_check write|check REF [--file ELF]\n");
        return 2;
    }
    if (argc == 5)
        file = argv[4];
    int writing = strcmp(argv[1], "write") == 0;
    if (writing) {
        out = fopen(argv[2], "wb");
        if (!out) {
            perror(argv[2]);
            return 2;
        }
    } else {
        FILE *f = fopen(argv[2], "rb");
        if (!f) {
            perror(argv[2]);
            return 2;
        }
        fseek(f, 0, SEEK_END);
        nref = (size_t)ftell(f) / sizeof *ref;
        fseek(f, 0, SEEK_SET);
        ref = malloc(nref * sizeof *ref + 1);
        if (!ref || fread(ref, sizeof *ref, nref, f) != nref)
            return 2;
        fclose(f);
    }
    char err[256];
    size_t n;
    uint64_t addr;
    uint8_t *text = ref_elf_text(file, &n, &addr, err, sizeof err);
    if (!text) {
        fprintf(stderr, "decoder_check: %s\n", err);
        return 2;
    }

    /* Bad arguments. */
    one(XA_MODE_64, XA_VENDOR_INTEL, NULL, 0);
    one(XA_MODE_64, XA_VENDOR_INTEL, NULL, 1);
    one(4, XA_VENDOR_INTEL, text, 16);
    one(XA_MODE_64, 2, text, 16);
    one(-1, XA_VENDOR_INTEL, text, 16);
    one(XA_MODE_64, XA_VENDOR_INTEL, text, 0);

    /* Every offset, every mode and vendor. */
    for (int mode = 0; mode < 4; mode++)
        for (int vendor = 0; vendor < 2; vendor++)
            for (size_t off = 0; off < n; off++)
                one(mode, vendor, text + off, n - off);
    /* Every offset cut short. */
    for (size_t off = 0; off < n; off++) {
        one(XA_MODE_64, XA_VENDOR_INTEL, text + off, (off * 7) % 16);
        one(XA_MODE_32, XA_VENDOR_AMD, text + off, (off * 5) % 13);
    }
    /* Random strings. */
    static const uint8_t special[] = {0x66, 0x67, 0xF2, 0xF3, 0xF0, 0x26, 0x2E, 0x36, 0x3E,
                                      0x64, 0x65, 0x40, 0x41, 0x42, 0x44, 0x48, 0x4C, 0x4F,
                                      0x0F, 0x0F, 0x38, 0x3A, 0xC4, 0xC5, 0x62, 0x8F, 0xD9};
    static const uint8_t leads[] = {0xC4, 0xC5, 0x62, 0x8F};
    uint8_t buf[16];
    for (long i = 0; i < 3000000; i++) {
        uint64_t r = rnd();
        size_t len = (size_t)(r % 17);
        unsigned kind = (unsigned)((r >> 8) % 3);
        for (size_t k = 0; k < sizeof buf; k++) {
            uint64_t q = rnd();
            buf[k] = (uint8_t)q;
            if ((kind == 1 && (q >> 8) % 3 == 0) || (kind == 2 && k < 4 && (q >> 8) % 2 == 0))
                buf[k] = special[(q >> 16) % sizeof special];
        }
        if (kind == 2)
            buf[(r >> 20) % 3] = leads[(r >> 24) % 4];
        one_buffer((int)((r >> 32) % 4), (int)((r >> 40) & 1), buf, len, 1);
        one_buffer(XA_MODE_64, (int)((r >> 41) & 1), buf, len, 1);
    }

    free(text);
    if (writing) {
        fclose(out);
        printf("wrote %zu reference hashes (.text of %zu bytes)\n", ncase, n);
        return 0;
    }
    if (nref != ncase)
        printf("input count differs: reference %zu, now %zu\n", nref, ncase);
    printf("compared %zu inputs: %zu differ\n", ncase, ndiff);
    return ndiff || nref != ncase;
}
