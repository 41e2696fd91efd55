/* SPDX-License-Identifier: BSD-2-Clause */
/* Handler lookup by mnemonic over the tables that are built (see emulator/handlers.h). */
#include <stdbool.h>
#include <stddef.h>

#include "emulator/handlers.h"

static const struct xai_handler *const tables[] = {
    xai_mov_handlers,    xai_stack_handlers,
#ifdef XA_HAVE_INSN_ALU
    xai_alu_handlers,
#endif
#ifdef XA_HAVE_INSN_SHIFT
    xai_shift_handlers,
#endif
#ifdef XA_HAVE_INSN_MULDIV
    xai_muldiv_handlers,
#endif
#ifdef XA_HAVE_INSN_BIT
    xai_bit_handlers,
#endif
#ifdef XA_HAVE_INSN_XCHG
    xai_xchg_handlers,
#endif
#ifdef XA_HAVE_INSN_CC
    xai_cc_handlers,
#endif
#ifdef XA_HAVE_INSN_BMI
    xai_bmi_handlers,
#endif
#ifdef XA_HAVE_INSN_STRING
    xai_string_handlers,
#endif
#ifdef XA_HAVE_INSN_IO
    xai_io_handlers,
#endif
#ifdef XA_HAVE_INSN_VEC
    xai_vec_handlers,
#endif
#ifdef XA_HAVE_INSN_STORE
    xai_store_handlers,
#endif
};

xai_exec_fn xai_find_handler(unsigned mnemonic)
{
    if (mnemonic == 0)
        return NULL;
    for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
        for (const struct xai_handler *h = tables[t]; h->mnemonic; h++)
            if (h->mnemonic == mnemonic)
                return h->exec;
    return NULL;
}

xai_exec_fn xai_find_handler_after(unsigned mnemonic, xai_exec_fn after)
{
    bool seen = false;
    for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
        for (const struct xai_handler *h = tables[t]; h->mnemonic; h++) {
            if (h->mnemonic != mnemonic)
                continue;
            if (seen && h->exec != after)
                return h->exec;
            seen |= h->exec == after;
        }
    return NULL;
}
