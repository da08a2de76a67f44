/* thermal.c — stochastic thermal field (Brown) and the counter-based RNG.
 * The deviate of (step, cell, component) is a pure function of the seed and
 * those counters, so results do not depend on thread count or order. The
 * field is constant within a step (all stages see the same noise), which is
 * the Stratonovich-consistent choice for Heun and fixed-step RK4. */
#include <math.h>
#include <stdlib.h>

#include "mm_terms.h"

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t key(uint64_t seed, uint64_t step, uint64_t idx, uint64_t lane)
{
    uint64_t h = mix64(seed + 0x9e3779b97f4a7c15ULL);
    h = mix64(h ^ (step + 0x632be59bd9b4e019ULL));
    h = mix64(h ^ (idx * 4 + lane + 0x8cb92ba72f3d8dd7ULL));
    return h;
}

static double u01(uint64_t h) { return ((double)(h >> 11) + 0.5) * 0x1.0p-53; }

double mm_uniform(uint64_t seed, uint64_t step, uint64_t idx)
{
    return u01(key(seed, step, idx, 0));
}

double mm_gauss(uint64_t seed, uint64_t step, uint64_t idx)
{
    double u1 = u01(key(seed, step, idx, 1)), u2 = u01(key(seed, step, idx, 2));
    return sqrt(-2.0 * log(u1)) * cos(2.0 * MH_PI * u2);
}

static double therm_add(const mm_term *t, const mm_film *f, const double *m, const mm_clock *ck,
                        size_t c0, size_t c1, double *H, size_t hs, int want_e)
{
    (void)t;
    (void)m;
    (void)want_e;
    if (!(ck->dt > 0) || f->temperature <= 0)
        return 0; /* outside a step (energy, torque queries) there is no noise */
    double V = f->dx * f->dy * f->dz;
    double sigma = sqrt(2.0 * f->alpha * MM_KB * f->temperature / (MH_MU0 * f->Ms * f->gamma * V * ck->dt));
    uint64_t seed = f->seed;
    for (size_t c = c0; c < c1; c++) {
        if (!f->mask[c])
            continue;
        size_t o = c - c0;
        for (int q = 0; q < 3; q++)
            H[o + (size_t)q * hs] += sigma * mm_gauss(seed, ck->step, 3 * (uint64_t)c + (uint64_t)q);
    }
    return 0;
}

mm_term *mm_thermal_new(const mm_film *f, int *status)
{
    (void)f;
    mm_term *t = mm_term_new("thermal", 0, 0, status);
    if (t)
        t->add = therm_add;
    return t;
}
