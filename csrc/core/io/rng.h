/* rng.h — the seeded generators of maghop: streams (splitmix64 seeding
 * xoshiro256**) and counter-based deviates (splitmix64's mixer over the
 * counters), so every stochastic step is reproducible from an integer seed. */
#ifndef MH_RNG_H
#define MH_RNG_H

#include <stdint.h>

typedef struct {
    uint64_t s[4];
} mh_rng;

/* Seed the generator state from one 64-bit integer. */
void mh_rng_seed(mh_rng *r, uint64_t seed);

/* Next raw 64-bit output. */
uint64_t mh_rng_next(mh_rng *r);

/* Uniform double in [0, 1). */
double mh_rng_uniform(mh_rng *r);

/* Uniform integer in [0, n), n >= 1, without modulo bias. */
uint64_t mh_rng_below(mh_rng *r, uint64_t n);

/* Standard normal deviate (Box–Muller, no cached second value). */
double mh_rng_normal(mh_rng *r);

/* Fill perm[0..n) with a uniformly random permutation of 0..n-1. */
void mh_rng_permutation(mh_rng *r, int n, int *perm);

/* Counter-based uniform deviate in (0, 1): a pure function of (seed, step,
 * idx), independent of the normal deviates of the same counters. */
double mh_rng_counter_uniform(uint64_t seed, uint64_t step, uint64_t idx);

/* Counter-based standard normal deviate: a pure function of (seed, step,
 * idx), so draws made in parallel do not depend on the thread count or
 * order (the thermal field, film:set_random). */
double mh_rng_counter_normal(uint64_t seed, uint64_t step, uint64_t idx);

#endif
