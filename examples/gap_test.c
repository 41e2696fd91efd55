/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The instructions a compiler may choose for device copies that x86assist did
 * not emulate at first (the SSE moves MOVDQU and MOVUPS are emulated now, and
 * report "emulated, result correct"): each case runs one, written out in
 * assembly so that the bytes are exactly these whatever the compiler, against a
 * trapped region.
 *
 * Usage: gap_test rep-movsb | movdqu | movups
 * While the instruction is unsupported, mmiotrap ends the run with exit status
 * 3 and "mmiotrap: unsupported instruction '<mnemonic>'" (what
 * check_unsupported.cmake expects). Once it is emulated, the case checks the
 * bytes it copied and exits 0 with "emulated, result correct".
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mmiotrap.h"

/* A device of 64 bytes whose byte at offset k reads as 0x40 + k. */
static uint64_t pattern_read(void *ctx, uint64_t offset, unsigned size)
{
    uint64_t v = 0;
    for (unsigned k = 0; k < size; k++)
        v |= (uint64_t)(0x40 + offset + k) << (8 * k);
    return v;
}

static void ignore_write(void *ctx, uint64_t offset, unsigned size, uint64_t value)
{
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s rep-movsb | movdqu | movups\n", argv[0]);
        return 2;
    }
    struct mmiotrap_device dev = {"pattern", NULL, pattern_read, ignore_write, NULL};
    uint8_t *mmio = mmiotrap_map(64, &dev);
    if (!mmio)
        return 1;
    uint8_t buf[16] = {0};
    if (strcmp(argv[1], "rep-movsb") == 0) {
        /* What gcc and clang emit for a large copy at -Os or with -mtune favouring ERMS. */
        void *dst = buf, *src = mmio;
        size_t n = sizeof(buf);
        __asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
    } else if (strcmp(argv[1], "movdqu") == 0) {
        /* gcc -O2/-O3 for a 16-byte struct copy through a volatile pointer. */
        __asm__ volatile("movdqu (%0), %%xmm0\n\tmovdqu %%xmm0, (%1)"
                         :
                         : "r"(mmio), "r"(buf)
                         : "xmm0", "memory");
    } else if (strcmp(argv[1], "movups") == 0) {
        /* clang at every level for the same copy. */
        __asm__ volatile("movups (%0), %%xmm0\n\tmovups %%xmm0, (%1)"
                         :
                         : "r"(mmio), "r"(buf)
                         : "xmm0", "memory");
    } else {
        fprintf(stderr, "unknown case %s\n", argv[1]);
        return 2;
    }
    for (unsigned k = 0; k < sizeof(buf); k++)
        if (buf[k] != 0x40 + k) {
            printf("%s: emulated, but byte %u is 0x%02x, not 0x%02x\n", argv[1], k, buf[k],
                   0x40 + k);
            return 1;
        }
    printf("%s: emulated, result correct\n", argv[1]);
    return 0;
}
