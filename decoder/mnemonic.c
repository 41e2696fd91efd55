/* SPDX-License-Identifier: BSD-2-Clause */
#include "decoder/tables.h"

const char *xa_mnemonic_name(unsigned mnemonic)
{
    return mnemonic < xai_mnemonic_count ? xai_mnemonic_names[mnemonic] : "";
}
