/* SPDX-License-Identifier: BSD-2-Clause */
/* The .text section of an ELF64 little-endian file, every offset checked against the file size. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref.h"

static uint64_t rd(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* True when [off, off + n) lies within a file of size size (no overflow). */
static bool inside(uint64_t off, uint64_t n, uint64_t size)
{
    return off <= size && n <= size - off;
}

static uint8_t *read_file(const char *path, size_t *size, char *err, size_t errsize)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errsize, "%s: cannot open", path);
        return NULL;
    }
    size_t cap = 1 << 20, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        if (cap >= (size_t)1 << 31) { /* 2 GiB: not a libc */
            free(buf);
            buf = NULL;
            break;
        }
        uint8_t *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    fclose(f);
    if (!buf)
        snprintf(err, errsize, "%s: too large or out of memory", path);
    *size = n;
    return buf;
}

uint8_t *ref_elf_text(const char *path, size_t *size, uint64_t *addr, char *err, size_t errsize)
{
    size_t fsize;
    uint8_t *f = read_file(path, &fsize, err, errsize);
    if (!f)
        return NULL;
    uint8_t *out = NULL;
    if (fsize < 64 ||
        memcmp(f,
               "\x7f"
               "ELF",
               4) != 0 ||
        f[4] != 2 /* ELFCLASS64 */ || f[5] != 1 /* little-endian */) {
        snprintf(err, errsize, "%s: not an ELF64 little-endian file", path);
        goto done;
    }
    uint64_t shoff = rd(f + 0x28, 8);
    uint64_t shentsize = rd(f + 0x3A, 2), shnum = rd(f + 0x3C, 2), shstrndx = rd(f + 0x3E, 2);
    if (shentsize < 64 || shnum == 0 || shstrndx >= shnum ||
        !inside(shoff, shentsize * shnum, fsize)) {
        snprintf(err, errsize, "%s: bad section header table", path);
        goto done;
    }
    const uint8_t *strsh = f + shoff + shentsize * shstrndx;
    uint64_t stroff = rd(strsh + 0x18, 8), strsize = rd(strsh + 0x20, 8);
    if (!inside(stroff, strsize, fsize)) {
        snprintf(err, errsize, "%s: bad section name table", path);
        goto done;
    }
    for (uint64_t i = 0; i < shnum; i++) {
        const uint8_t *sh = f + shoff + shentsize * i;
        uint64_t name = rd(sh, 4);
        if (name >= strsize || strsize - name < 6 || memcmp(f + stroff + name, ".text", 6) != 0)
            continue;
        if (rd(sh + 4, 4) != 1 /* SHT_PROGBITS */) {
            snprintf(err, errsize, "%s: .text is not PROGBITS", path);
            goto done;
        }
        uint64_t off = rd(sh + 0x18, 8), sz = rd(sh + 0x20, 8);
        if (!inside(off, sz, fsize) || sz == 0) {
            snprintf(err, errsize, "%s: .text outside the file", path);
            goto done;
        }
        out = malloc(sz);
        if (!out) {
            snprintf(err, errsize, "out of memory");
            goto done;
        }
        memcpy(out, f + off, sz);
        *size = sz;
        *addr = rd(sh + 0x10, 8);
        goto done;
    }
    snprintf(err, errsize, "%s: no .text section", path);
done:
    free(f);
    return out;
}
