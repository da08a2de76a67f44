/* anisotropy.c — uniaxial anisotropy H = 2Ku/(mu0 Ms) (m.u) u; energy
 * Ku (1 - (m.u)^2) V per cell, so Ku > 0 is an easy axis, Ku < 0 a hard one. */
#include <stdlib.h>

#include "mm_terms.h"

static double anis_add(const mm_term *t, const mm_film *f, const double *m, const mm_clock *ck,
                       size_t c0, size_t c1, double *H, size_t hs, int want_e)
{
    (void)t;
    (void)ck;
    const size_t n = f->n;
    const double ux = f->anis[0], uy = f->anis[1], uz = f->anis[2];
    const double k = 2.0 * f->Ku / (MH_MU0 * f->Ms);
    double e = 0;
    for (size_t c = c0; c < c1; c++) {
        if (!f->mask[c])
            continue;
        double mu = m[c] * ux + m[c + n] * uy + m[c + 2 * n] * uz;
        size_t o = c - c0;
        H[o] += k * mu * ux;
        H[o + hs] += k * mu * uy;
        H[o + 2 * hs] += k * mu * uz;
        if (want_e)
            e += 1.0 - mu * mu;
    }
    return f->Ku * f->dx * f->dy * f->dz * e;
}

mm_term *mm_anisotropy_new(const mm_film *f, int *status)
{
    (void)f;
    static const mm_term kind = {.name = "anisotropy", .has_energy = 1, .add = anis_add};
    return mm_term_new(&kind, 0, status);
}
