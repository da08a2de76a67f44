/* rng.c — xoshiro256** seeded by splitmix64, and counter-based deviates. */
#include <math.h>

#include "mh_common.h"
#include "rng.h"

/* splitmix64's output function */
static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t splitmix64(uint64_t *x)
{
    return mix64(*x += 0x9e3779b97f4a7c15ULL);
}

void mh_rng_seed(mh_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t mh_rng_next(mh_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double mh_rng_uniform(mh_rng *r) { return (double)(mh_rng_next(r) >> 11) * 0x1.0p-53; }

uint64_t mh_rng_below(mh_rng *r, uint64_t n)
{
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do
        x = mh_rng_next(r);
    while (x >= limit);
    return x % n;
}

double mh_rng_normal(mh_rng *r)
{
    double u1 = 1.0 - mh_rng_uniform(r); /* (0, 1]: log is finite */
    double u2 = mh_rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * MH_PI * u2);
}

void mh_rng_permutation(mh_rng *r, int n, int *perm)
{
    for (int i = 0; i < n; i++)
        perm[i] = i;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)mh_rng_below(r, (uint64_t)i + 1);
        int t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
}

static uint64_t counter_key(uint64_t seed, uint64_t step, uint64_t idx, uint64_t lane)
{
    uint64_t h = mix64(seed + 0x9e3779b97f4a7c15ULL);
    h = mix64(h ^ (step + 0x632be59bd9b4e019ULL));
    h = mix64(h ^ (idx * 4 + lane + 0x8cb92ba72f3d8dd7ULL));
    return h;
}

static double counter_u01(uint64_t h) { return ((double)(h >> 11) + 0.5) * 0x1.0p-53; }

double mh_rng_counter_uniform(uint64_t seed, uint64_t step, uint64_t idx)
{
    return counter_u01(counter_key(seed, step, idx, 0));
}

double mh_rng_counter_normal(uint64_t seed, uint64_t step, uint64_t idx)
{
    double u1 = counter_u01(counter_key(seed, step, idx, 1));
    double u2 = counter_u01(counter_key(seed, step, idx, 2));
    return sqrt(-2.0 * log(u1)) * cos(2.0 * MH_PI * u2);
}
