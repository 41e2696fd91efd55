/* SPDX-License-Identifier: BSD-2-Clause */
/* Access rights: the parts of rights.h kept out of line (protection keys), and the
 * check of a path record for the general walk. */
#include "mmu/rights.h"

bool xai_key_violation(uint64_t leaf, uint32_t keys, bool wd_applies)
{
    unsigned k = (unsigned)(leaf >> 59) & 0xf;
    unsigned bits = (keys >> (2 * k)) & 3;
    if (bits & 1) /* AD: no data access */
        return true;
    return (bits & 2) && wd_applies; /* WD */
}

uint32_t xai_check_rights(const struct xai_walk_cfg *c, const struct xai_path *path)
{
    uint32_t bits =
        xai_rights_check(c, path->and_all, path->and_nonleaf, path->or_all, path->val[path->n - 1]);
    return bits ? xai_pfec(c) | bits : 0;
}
