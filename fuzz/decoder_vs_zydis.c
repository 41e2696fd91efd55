/* SPDX-License-Identifier: BSD-2-Clause */
/* libFuzzer target: our decoder against Zydis 4.0 on arbitrary bytes, all modes (decoder_diff.h).
 */
#include "decoder_diff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ref_zydis *zydis[4][2];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    diff_init();
    int mode = data[0] & 3, vendor = (data[0] >> 2) & 1;
    const uint8_t *bytes = data + 1;
    size_t len = size - 1 < 16 ? size - 1 : 16;
    if (!zydis[mode][vendor] && !(zydis[mode][vendor] = ref_zydis_new(mode, vendor)))
        abort();
    struct ref_insn ours, other;
    struct xa_insn in;
    xa_status st = xa_decode(&in, (enum xa_mode)mode, (enum xa_vendor)vendor, bytes, len);
    ref_from_xa(&in, st, true, &ours);
    ref_zydis_decode(zydis[mode][vendor], bytes, len, true, &other);
    diff_check(mode, REF_ZYDIS, bytes, len, &ours, &other);
    return 0;
}
