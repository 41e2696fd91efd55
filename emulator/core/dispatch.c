/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Handler lookup by mnemonic over the handler tables (see emulator/handlers.h).
 * A constant array, built by the compiler from emulator/handler_list.h, gives each
 * mnemonic the first table that has it; that table (sorted) is then searched by halves.
 * No state is kept: the library has no global mutable state.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emulator/handler_list.h"
#include "emulator/handlers.h"

/* Table indexes, in dispatch order (0: no handler). */
enum {
    T_NONE,
    T_MOV,
    T_STACK,
    T_ALU,
    T_SHIFT,
    T_MULDIV,
    T_BIT,
    T_XCHG,
    T_CC,
    T_BMI,
    T_STRING,
    T_IO,
    T_VEC,
    T_STORE,
    T_COUNT
};

struct table {
    const struct xai_handler *h; /* NULL for T_NONE */
    const unsigned *count;
};

#define TABLE(name)                                                                                \
    {                                                                                              \
        xai_##name##_handlers, &xai_##name##_handlers_count                                        \
    }

static const struct table tables[T_COUNT] = {
    [T_MOV] = TABLE(mov),       [T_STACK] = TABLE(stack),   [T_ALU] = TABLE(alu),
    [T_SHIFT] = TABLE(shift),   [T_MULDIV] = TABLE(muldiv), [T_BIT] = TABLE(bit),
    [T_XCHG] = TABLE(xchg),     [T_CC] = TABLE(cc),         [T_BMI] = TABLE(bmi),
    [T_STRING] = TABLE(string), [T_IO] = TABLE(io),         [T_VEC] = TABLE(vec),
    [T_STORE] = TABLE(store),
};

/* mnemonic -> the first table (dispatch order) that has it. A mnemonic that an earlier
 * table also has is an S entry of the later list: skipped, so that no index is given
 * twice (MOVSD: string, then vec). */
#define OF(t, m, fn)   [XA_MNEM_##m] = t,
#define SKIP(t, m, fn) /* an earlier table has it */
/* clang-format off */
static const uint8_t table_of[XA_MNEM_COUNT] = {
    XAI_LIST_MOV(OF, SKIP, T_MOV)
    XAI_LIST_STACK(OF, SKIP, T_STACK)
    XAI_LIST_ALU(OF, SKIP, T_ALU)
    XAI_LIST_SHIFT(OF, SKIP, T_SHIFT)
    XAI_LIST_MULDIV(OF, SKIP, T_MULDIV)
    XAI_LIST_BIT(OF, SKIP, T_BIT)
    XAI_LIST_XCHG(OF, SKIP, T_XCHG)
    XAI_LIST_CC(OF, SKIP, T_CC)
    XAI_LIST_BMI(OF, SKIP, T_BMI)
    XAI_LIST_STRING(OF, SKIP, T_STRING)
    XAI_LIST_IO(OF, SKIP, T_IO)
    XAI_LIST_VEC(OF, SKIP, T_VEC)
    XAI_LIST_STORE(OF, SKIP, T_STORE)
};
/* clang-format on */
#undef OF
#undef SKIP

/* The first entry of @p mnemonic in table @p t (sorted), or NULL. */
static inline const struct xai_handler *find_in(const struct table *t, unsigned mnemonic)
{
    const struct xai_handler *h = t->h;
    if (!h)
        return NULL;
    unsigned n = *t->count;
    while (n > 8) {
        unsigned half = n / 2;
        if (h[half - 1].mnemonic < mnemonic) {
            h += half;
            n -= half;
        } else {
            n = half;
        }
    }
    for (; n; h++, n--)
        if (h->mnemonic >= mnemonic)
            return h->mnemonic == mnemonic ? h : NULL;
    return NULL;
}

xai_exec_fn xai_find_handler(unsigned mnemonic)
{
    if (mnemonic == 0 || mnemonic >= XA_MNEM_COUNT)
        return NULL;
    const struct xai_handler *h = find_in(&tables[table_of[mnemonic]], mnemonic);
    return h ? h->exec : NULL;
}

xai_exec_fn xai_find_handler_after(unsigned mnemonic, xai_exec_fn after)
{
    bool seen = false;
    if (mnemonic == 0 || mnemonic >= XA_MNEM_COUNT)
        return NULL;
    for (size_t t = 0; t < T_COUNT; t++) {
        /* Every entry of the mnemonic, in table order (equal ones are adjacent). */
        for (const struct xai_handler *h = find_in(&tables[t], mnemonic);
             h && h->mnemonic == mnemonic; h++) {
            if (seen && h->exec != after)
                return h->exec;
            seen |= h->exec == after;
        }
    }
    return NULL;
}

bool xai_handlers_check(void)
{
    for (size_t t = 1; t < T_COUNT; t++) {
        const struct xai_handler *h = tables[t].h;
        unsigned n = *tables[t].count;
        if (n == 0 || h[n].mnemonic != 0 || h[n].exec != NULL)
            return false; /* empty, or the count does not end at the terminator */
        for (unsigned k = 0; k < n; k++)
            if (h[k].mnemonic == 0 || !h[k].exec ||
                (k + 1 < n && h[k].mnemonic > h[k + 1].mnemonic))
                return false;
    }
    /* Every mnemonic: the lookup gives the first entry of the tables in dispatch order. */
    for (unsigned m = 1; m < XA_MNEM_COUNT; m++) {
        xai_exec_fn first = NULL;
        for (size_t t = 1; t < T_COUNT && !first; t++)
            for (const struct xai_handler *h = tables[t].h; h && h->mnemonic; h++)
                if (h->mnemonic == m) {
                    first = h->exec;
                    break;
                }
        if (xai_find_handler(m) != first)
            return false;
    }
    return true;
}
