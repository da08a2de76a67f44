/* zeeman.c — applied field: uniform part (or the film's time callback,
 * evaluated once per field evaluation in prepare) plus the optional map. */
/* The stage loops are simple streams over tiles; let GCC vectorize them
 * regardless of the project-wide -O2. */
#pragma GCC optimize("O3")

#include <stdlib.h>

#include "mm_terms.h"

typedef struct {
    double h[3]; /* uniform field of the current evaluation, A/m */
} zee_ctx;

static int zee_prepare(mm_term *t, const mm_film *f, const double *m, const mm_clock *ck)
{
    (void)m;
    zee_ctx *z = t->ctx;
    for (int q = 0; q < 3; q++)
        z->h[q] = f->happ[q];
    if (f->field_fn)
        return f->field_fn(f->field_ud, ck->t, z->h);
    return MH_OK;
}

static double zee_add(const mm_term *t, const mm_film *f, const double *m, const mm_clock *ck,
                      size_t c0, size_t c1, double *H, size_t hs, int want_e)
{
    (void)ck;
    const zee_ctx *z = t->ctx;
    const size_t n = f->n;
    const double *map = f->hmap;
    double e = 0;
    if (!map && z->h[0] == 0 && z->h[1] == 0 && z->h[2] == 0)
        return 0; /* nothing to add, and no energy */
    if (!map && !want_e && f->ncells == f->n) {
        for (int q = 0; q < 3; q++) {
            double *restrict hq = H + (size_t)q * hs;
            const double v = z->h[q];
            for (size_t o = 0; o < c1 - c0; o++)
                hq[o] += v;
        }
        return 0;
    }
    for (size_t c = c0; c < c1; c++) {
        if (!f->mask[c])
            continue;
        double hx = z->h[0], hy = z->h[1], hz = z->h[2];
        if (map) {
            hx += map[c];
            hy += map[c + n];
            hz += map[c + 2 * n];
        }
        size_t o = c - c0;
        H[o] += hx;
        H[o + hs] += hy;
        H[o + 2 * hs] += hz;
        if (want_e)
            e += m[c] * hx + m[c + n] * hy + m[c + 2 * n] * hz;
    }
    return -MH_MU0 * f->Ms * f->dx * f->dy * f->dz * e;
}

mm_term *mm_zeeman_new(const mm_film *f, int *status)
{
    (void)f;
    static const mm_term kind = {
        .name = "zeeman", .has_energy = 1, .prepare = zee_prepare, .add = zee_add};
    return mm_term_new(&kind, sizeof(zee_ctx), status);
}
