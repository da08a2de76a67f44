/* rng.h — small seeded generators (splitmix64 seeding xoshiro256**), so
 * every stochastic step of maghop is reproducible from an integer seed. */
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

#endif
