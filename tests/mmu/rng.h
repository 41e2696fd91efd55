/* SPDX-License-Identifier: BSD-2-Clause */
/* The random numbers of the MMU's randomized tests: xorshift64*, one stream per test
 * program (it seeds rng_state, never 0). */
#ifndef XA_TESTS_MMU_RNG_H
#define XA_TESTS_MMU_RNG_H

#include <stdint.h>

static uint64_t rng_state = 1;

static inline uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

/* A random number below n (n > 0). */
static inline uint64_t below(uint64_t n)
{
    return rnd() % n;
}

/* True once in n. */
static inline int one_in(uint64_t n)
{
    return below(n) == 0;
}

#endif
