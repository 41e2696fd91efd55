/* SPDX-License-Identifier: BSD-2-Clause */
/* x86assist decode: a linear sweep over bytes from the command line or a file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <x86assist/decoder.h>

#include "insn_json.h"
#include "tool.h"

static int parse_mode(const char *s, enum xa_mode *mode)
{
    if (!strcmp(s, "real"))
        *mode = XA_MODE_REAL;
    else if (!strcmp(s, "16"))
        *mode = XA_MODE_16;
    else if (!strcmp(s, "32"))
        *mode = XA_MODE_32;
    else if (!strcmp(s, "64"))
        *mode = XA_MODE_64;
    else
        return -1;
    return 0;
}

/* Reads a whole file (at most 256 MiB) into a new buffer. */
static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0;
    if (!f)
        return NULL;
    for (;;) {
        if (n == cap) {
            if (cap >= ((size_t)256 << 20)) {
                free(buf);
                fclose(f);
                errno = EFBIG;
                return NULL;
            }
            cap = cap ? cap * 2 : 65536;
            uint8_t *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    int err = ferror(f);
    fclose(f);
    if (err) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

static void print_error(int json, uint64_t offset, xa_status st, const struct xa_insn *insn)
{
    const char *name = st == XA_ERR_TRUNCATED  ? "truncated"
                       : st == XA_ERR_TOO_LONG ? "too-long"
                                               : "invalid";
    if (json) {
        if (st == XA_ERR_TRUNCATED)
            printf("{\"offset\":%llu,\"error\":\"%s\",\"needed\":%u}\n", (unsigned long long)offset,
                   name, insn->length);
        else
            printf("{\"offset\":%llu,\"error\":\"%s\"}\n", (unsigned long long)offset, name);
    } else {
        printf("%llx: (%s)\n", (unsigned long long)offset, name);
    }
}

int cmd_decode(int argc, char **argv)
{
    enum xa_mode mode = XA_MODE_64;
    enum xa_vendor vendor = XA_VENDOR_INTEL;
    int json = 0;
    const char *file = NULL;
    uint64_t offset = 0, count = UINT64_MAX;
    int have_offset = 0;
    size_t hex_cap = 0;
    char **hex_args = calloc((size_t)argc + 1, sizeof(char *));
    size_t nhex = 0;

    if (!hex_args)
        return 1;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--mode") && i + 1 < argc) {
            if (parse_mode(argv[++i], &mode)) {
                fprintf(stderr, "x86assist decode: --mode: expected real, 16, 32 or 64\n");
                goto fail;
            }
        } else if (!strcmp(a, "--vendor") && i + 1 < argc) {
            const char *v = argv[++i];
            if (!strcmp(v, "intel"))
                vendor = XA_VENDOR_INTEL;
            else if (!strcmp(v, "amd"))
                vendor = XA_VENDOR_AMD;
            else {
                fprintf(stderr, "x86assist decode: --vendor: expected intel or amd\n");
                goto fail;
            }
        } else if (!strcmp(a, "--json")) {
            json = 1;
        } else if (!strcmp(a, "--file") && i + 1 < argc) {
            file = argv[++i];
        } else if (!strcmp(a, "--offset") && i + 1 < argc) {
            if (parse_u64(argv[++i], &offset)) {
                fprintf(stderr, "x86assist decode: --offset: not a number\n");
                goto fail;
            }
            have_offset = 1;
        } else if (!strcmp(a, "--count") && i + 1 < argc) {
            if (parse_u64(argv[++i], &count)) {
                fprintf(stderr, "x86assist decode: --count: not a number\n");
                goto fail;
            }
        } else if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, "x86assist decode: unknown or incomplete option '%s'\n", a);
            goto fail;
        } else {
            hex_args[nhex++] = argv[i];
            hex_cap += strlen(a) / 2 + 1;
        }
    }

    uint8_t *buf = NULL;
    size_t len = 0, start = 0;
    if (file) {
        if (nhex) {
            fprintf(stderr, "x86assist decode: give either --file or hex bytes, not both\n");
            goto fail;
        }
        buf = read_file(file, &len);
        if (!buf) {
            fprintf(stderr, "x86assist decode: --file: cannot read '%s': %s\n", file,
                    strerror(errno));
            goto fail;
        }
        if (offset > len) {
            fprintf(stderr, "x86assist decode: --offset: beyond the end of the file\n");
            free(buf);
            goto fail;
        }
        start = (size_t)offset;
    } else {
        if (!nhex) {
            fprintf(stderr, "x86assist decode: no bytes given (HEX... or --file FILE)\n");
            goto fail;
        }
        buf = malloc(hex_cap ? hex_cap : 1);
        if (!buf)
            goto fail;
        for (size_t k = 0; k < nhex; k++) {
            long n = parse_hex_bytes(hex_args[k], buf + len, hex_cap - len);
            if (n < 0) {
                fprintf(stderr, "x86assist decode: bytes: '%s' is not hex bytes\n", hex_args[k]);
                free(buf);
                goto fail;
            }
            len += (size_t)n;
        }
    }
    (void)have_offset;

    /* Addresses count from --offset as the RIP of the first byte decoded. */
    for (size_t pos = start; pos < len && count > 0; count--) {
        struct xa_insn insn;
        uint64_t address = (uint64_t)pos;
        xa_status st = xa_decode(&insn, mode, vendor, buf + pos, len - pos);
        if (st != XA_OK) {
            print_error(json, address, st, &insn);
            if (st == XA_ERR_TRUNCATED)
                break;
            pos++;
            continue;
        }
        if (json) {
            json_t *o = insn_to_json(&insn, address, buf + pos);
            char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
            if (s)
                puts(s);
            free(s);
            json_decref(o);
        } else {
            char hex[2 * XA_MAX_INSN_LENGTH + 1], text[160];
            format_hex_bytes(buf + pos, insn.length, hex);
            xa_format(&insn, address, text, sizeof(text));
            printf("%llx: %-24s %s\n", (unsigned long long)address, hex, text);
        }
        pos += insn.length;
    }
    free(buf);
    free(hex_args);
    return 0;
fail:
    free(hex_args);
    return 1;
}
