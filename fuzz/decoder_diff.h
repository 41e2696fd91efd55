/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The body shared by decoder_vs_zydis.c and decoder_vs_capstone.c: decode the
 * input with ours and an oracle, normalise both (tests/decoder/diff/ref.h),
 * and abort on a disagreement that is neither in the reviewed allowlist
 * (tests/decoder/diff/allowlist.txt, compiled in) nor, for capstone, one of
 * its documented known defects (ref_capstone_known(): AVX-512 opmask
 * instructions missing, UD0/UD1 without ModRM, LOCK accepted anywhere).
 *
 * Input: byte 0 picks the mode (bits 0-1) and the vendor (bit 2); then up to
 * 16 instruction bytes.
 *
 * XA_DIFF_ABORT=0 in the environment reports each new disagreement group once
 * (opcode group and field) instead of aborting: for surveying while the
 * tables are incomplete.
 */
#ifndef XA_FUZZ_DECODER_DIFF_H
#define XA_FUZZ_DECODER_DIFF_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decoder/diff/ref.h"

extern const unsigned char xa_fuzz_allowlist[];
extern const size_t xa_fuzz_allowlist_len;

static struct ref_allowlist diff_allow;
static int diff_abort = -1;

static void diff_init(void)
{
    if (diff_abort >= 0)
        return;
    char err[256];
    if (ref_allowlist_parse((const char *)xa_fuzz_allowlist, xa_fuzz_allowlist_len, &diff_allow,
                            err, sizeof err) != 0) {
        fprintf(stderr, "allowlist.txt: %s\n", err);
        abort();
    }
    const char *e = getenv("XA_DIFF_ABORT");
    diff_abort = !(e && strcmp(e, "0") == 0);
}

/* Seen disagreement groups (report mode): a small hash set; collisions only hide repeats. */
static uint64_t diff_seen[4096];

static bool diff_first_time(const char *key)
{
    uint64_t h = 1469598103934665603ull;
    for (; *key; key++)
        h = (h ^ (uint8_t)*key) * 1099511628211ull;
    h |= 1;
    size_t i = (size_t)(h % 4096);
    for (size_t n = 0; n < 4096; n++, i = (i + 1) % 4096) {
        if (diff_seen[i] == h)
            return false;
        if (diff_seen[i] == 0) {
            diff_seen[i] = h;
            return true;
        }
    }
    return false;
}

/* Compares; aborts (or reports) on a disagreement that is not accepted. */
static void diff_check(int mode, int oracle, const uint8_t *bytes, size_t len,
                       const struct ref_insn *ours, const struct ref_insn *other)
{
    struct ref_diff d;
    if (!ref_compare(ours, other, &d))
        return;
    size_t span = ref_insn_span(ours, other, len);
    char key[96];
    ref_opcode_key(mode, bytes, len, key, sizeof key);
    if (ref_allowlist_match(&diff_allow, mode, oracle, d.category, bytes, span, key))
        return;
    if (oracle == REF_CAPSTONE && ref_capstone_known(ours, other, &d, bytes, len))
        return;
    char hex[2 * XA_MAX_INSN_LENGTH + 1], gkey[200];
    ref_hex(bytes, span, hex);
    snprintf(gkey, sizeof gkey, "%s  %s", key, d.what);
    if (!diff_abort) {
        if (diff_first_time(gkey))
            fprintf(stderr, "DISAGREEMENT mode %s %-30s %s  %s\n", ref_mode_name(mode), hex, key,
                    d.detail);
        return;
    }
    fprintf(stderr, "DISAGREEMENT (%s) mode %s bytes %s group %s: %s\n",
            oracle == REF_ZYDIS ? "zydis" : "capstone", ref_mode_name(mode), hex, key, d.detail);
    ref_print("ours", ours);
    ref_print(oracle == REF_ZYDIS ? "zydis" : "capstone", other);
    fflush(stdout);
    fprintf(stderr, "reproduce: xa_diff --mode %s %s\n", ref_mode_name(mode), hex);
    abort();
}

#endif
