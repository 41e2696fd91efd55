/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The random numbers of the native-CPU differential tests (native_diff.c,
 * native_string.c, native_vec.c): splitmix64, so that a --seed names the same states
 * in every run and on every host.
 */
#ifndef XA_TESTS_NATIVE_RNG_H
#define XA_TESTS_NATIVE_RNG_H

#include <stdint.h>

struct rng {
    uint64_t s;
};

static inline uint64_t rnd(struct rng *r)
{
    /* splitmix64 */
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* A value in [0, n). */
static inline unsigned rndn(struct rng *r, unsigned n)
{
    return (unsigned)(rnd(r) % n);
}

#endif
