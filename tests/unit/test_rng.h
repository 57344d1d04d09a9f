/* test_rng.h - xorshift64*: a fixed, portable pseudo-random sequence for the
 * property and fuzz-style tests, so every run checks the same inputs. Seed
 * rng_state (non-zero) before use. */
#ifndef NRP_TEST_RNG_H
#define NRP_TEST_RNG_H

#include <stdint.h>

static uint64_t rng_state;

static inline uint32_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 2685821657736338717ull) >> 32);
}

#endif
