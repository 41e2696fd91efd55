/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: our decoder against capstone 4.0.2 on arbitrary bytes, all
 * modes (decoder_diff.h). capstone knows no vendor: Intel rules.
 */
#include "decoder_diff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ref_capstone *capstone[4];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    diff_init();
    int mode = data[0] & 3;
    const uint8_t *bytes = data + 1;
    size_t len = size - 1 < 16 ? size - 1 : 16;
    if (!capstone[mode] && !(capstone[mode] = ref_capstone_new(mode)))
        abort();
    struct ref_insn ours, other;
    struct xa_insn in;
    xa_status st = xa_decode(&in, (enum xa_mode)mode, XA_VENDOR_INTEL, bytes, len);
    ref_from_xa(&in, st, true, &ours);
    ref_capstone_decode(capstone[mode], bytes, len, true, &other);
    diff_check(mode, REF_CAPSTONE, bytes, len, &ours, &other);
    return 0;
}
