/* demag_term.c — the magnetostatic field as a film term, wrapping the FFT
 * engine of demag.h: the whole-grid convolution runs once per field
 * evaluation (prepare), then each tile copies its part (add). */
#include <stdlib.h>

#include "mm_terms.h"

#include "demag.h"

/* The engine (tensor + FFT plans) is built on the first field evaluation,
 * so films used only for their magnetization (transport) never pay for it. */
typedef struct {
    mh_demag *d;
    int nx, ny, nz;
    double dx, dy, dz;
} dm_ctx;

static int dm_prepare(mm_term *t, const mm_film *f, const double *m, const mm_clock *ck)
{
    (void)ck;
    dm_ctx *x = t->ctx;
    if (!x->d) {
        int st = MH_OK;
        x->d = mh_demag_new(x->nx, x->ny, x->nz, x->dx, x->dy, x->dz, &st);
        if (!x->d)
            return st != MH_OK ? st : MH_ENOMEM;
    }
    return mh_demag_prepare(x->d, m, f->Ms);
}

static double dm_add(const mm_term *t, const mm_film *f, const double *m, const mm_clock *ck,
                     size_t c0, size_t c1, double *H, size_t hs, int want_e)
{
    (void)ck;
    (void)want_e;
    const dm_ctx *x = t->ctx;
    return mh_demag_add_range(x->d, m, f->Ms, c0, c1, H, hs);
}

static void dm_destroy(mm_term *t)
{
    dm_ctx *x = t->ctx;
    if (x)
        mh_demag_free(x->d);
    mm_term_destroy(t);
}

mm_term *mm_demag_term_new(const mm_film *f, int *status)
{
    mm_term *t = mm_term_new("demag", 1, sizeof(dm_ctx), status);
    if (!t)
        return NULL;
    dm_ctx *x = t->ctx;
    x->nx = f->nx;
    x->ny = f->ny;
    x->nz = f->nz;
    x->dx = f->dx;
    x->dy = f->dy;
    x->dz = f->dz;
    t->prepare = dm_prepare;
    t->add = dm_add;
    t->destroy = dm_destroy;
    return t;
}
