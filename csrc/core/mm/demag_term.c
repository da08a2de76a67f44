/* demag_term.c — the magnetostatic field as a film term, wrapping the FFT
 * engine of demag.h: the whole-grid convolution runs once per field
 * evaluation (prepare), then each tile copies its part (add). */
#include <stdlib.h>

#include "mm_terms.h"

#include "demag.h"

/* The term's context is the engine itself (tensor + FFT plans), built from
 * the film's grid on the first field evaluation, so films used only for
 * their magnetization (transport) never pay for it. */
static int dm_prepare(mm_term *t, const mm_film *f, const double *m, const mm_clock *ck)
{
    (void)ck;
    if (!t->ctx) {
        int st = MH_OK;
        t->ctx = mh_demag_new(f->nx, f->ny, f->nz, f->dx, f->dy, f->dz, &st);
        if (!t->ctx)
            return st != MH_OK ? st : MH_ENOMEM;
    }
    return mh_demag_prepare(t->ctx, m, f->Ms);
}

static double dm_add(const mm_term *t, const mm_film *f, const double *m, const mm_clock *ck,
                     size_t c0, size_t c1, double *H, size_t hs, int want_e)
{
    (void)ck;
    (void)want_e;
    return mh_demag_add_range(t->ctx, m, f->Ms, c0, c1, H, hs);
}

static void dm_destroy(mm_term *t)
{
    mh_demag_free(t->ctx);
    free(t);
}

mm_term *mm_demag_term_new(const mm_film *f, int *status)
{
    (void)f;
    static const mm_term kind = {.name = "demag",
                                 .has_energy = 1,
                                 .prepare = dm_prepare,
                                 .add = dm_add,
                                 .destroy = dm_destroy};
    return mm_term_new(&kind, 0, status);
}
