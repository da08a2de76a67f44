/* thermal.c — stochastic thermal field (Brown). The deviate of (step,
 * cell, component) is the counter-based mh_rng_counter_normal of rng.h, a
 * pure function of the seed and those counters, so results do not depend
 * on thread count or order. The field is constant within a step (all stages
 * see the same noise), which is the Stratonovich-consistent choice for Heun
 * and fixed-step RK4. */
#include <math.h>
#include <stdlib.h>

#include "mm_terms.h"
#include "rng.h"

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
            H[o + (size_t)q * hs] += sigma * mh_rng_counter_normal(seed, ck->step, 3 * (uint64_t)c + (uint64_t)q);
    }
    return 0;
}

mm_term *mm_thermal_new(const mm_film *f, int *status)
{
    (void)f;
    static const mm_term kind = {.name = "thermal", .has_energy = 0, .add = therm_add};
    return mm_term_new(&kind, 0, status);
}
