/* exchange.c — exchange field H = 2A/(mu0 Ms) lap m with the 6-point
 * Laplacian. A neighbour outside the grid or the mask contributes nothing,
 * which is the free (Neumann, dm/dn = 0) boundary at the mask edge. */
/* The stage loops are simple streams over tiles; let GCC vectorize them
 * regardless of the project-wide -O2. */
#pragma GCC optimize("O3")

#include <stddef.h>
#include <stdlib.h>

#include "mm_terms.h"

typedef struct {
    unsigned char *nb; /* per cell: bit q set = neighbour q exists and is material */
    double w[3];       /* 2A/(mu0 Ms d^2) for x, y, z, A/m */
    int full;          /* every cell is material: branch-free fast path */
} exch_ctx;

enum { NB_XM = 1, NB_XP = 2, NB_YM = 4, NB_YP = 8, NB_ZM = 16, NB_ZP = 32 };

/* Whole-material films: walk row segments; a missing neighbour at the grid
 * edge is replaced by the cell itself (zero difference), so the inner loop
 * has constant offsets, no branches, and vectorizes. */
MM_CLONES static void exch_full(const mm_film *f, const exch_ctx *x, const double *m, size_t c0, size_t c1,
                      double *H, size_t hs)
{
    const size_t n = f->n, nx = (size_t)f->nx, ny = (size_t)f->ny, nz = (size_t)f->nz;
    const size_t sxy = nx * ny;
    const double wx = x->w[0], wy = x->w[1], wz = x->w[2];
    size_t c = c0;
    while (c < c1) {
        const size_t i0 = c % nx, row = c / nx, j = row % ny, k = row / ny;
        const size_t cend = c - i0 + nx < c1 ? c - i0 + nx : c1; /* end of this row segment */
        const ptrdiff_t oym = j > 0 ? -(ptrdiff_t)nx : 0, oyp = j + 1 < ny ? (ptrdiff_t)nx : 0;
        const ptrdiff_t ozm = k > 0 ? -(ptrdiff_t)sxy : 0, ozp = k + 1 < nz ? (ptrdiff_t)sxy : 0;
        for (int q = 0; q < 3; q++) {
            const double *restrict mq = m + (size_t)q * n;
            double *restrict hq = H + (size_t)q * hs - c0;
            size_t a = c, b = cend;
            /* first and last cell of the grid row have one x neighbour */
            if (a - (c - i0) == 0) {
                hq[a] += wx * (mq[a + 1 < c - i0 + nx ? a + 1 : a] - mq[a]) +
                         wy * (mq[a + oym] + mq[a + oyp] - 2 * mq[a]) +
                         wz * (mq[a + ozm] + mq[a + ozp] - 2 * mq[a]);
                a++;
            }
            int last = b == c - i0 + nx && b > a;
            if (last)
                b--;
            if (nz == 1) /* thin films: no z neighbours at all */
                for (size_t e = a; e < b; e++)
                    hq[e] += wx * (mq[e - 1] + mq[e + 1] - 2 * mq[e]) + wy * (mq[e + oym] + mq[e + oyp] - 2 * mq[e]);
            else
                for (size_t e = a; e < b; e++)
                    hq[e] += wx * (mq[e - 1] + mq[e + 1] - 2 * mq[e]) +
                             wy * (mq[e + oym] + mq[e + oyp] - 2 * mq[e]) +
                             wz * (mq[e + ozm] + mq[e + ozp] - 2 * mq[e]);
            if (last)
                hq[b] += wx * (mq[b - 1] - mq[b]) + wy * (mq[b + oym] + mq[b + oyp] - 2 * mq[b]) +
                         wz * (mq[b + ozm] + mq[b + ozp] - 2 * mq[b]);
        }
        c = cend;
    }
}

static double exch_add(const mm_term *t, const mm_film *f, const double *m, const mm_clock *ck,
                       size_t c0, size_t c1, double *H, size_t hs, int want_e)
{
    (void)ck;
    const exch_ctx *x = t->ctx;
    if (x->full && !want_e) {
        exch_full(f, x, m, c0, c1, H, hs);
        return 0;
    }
    const size_t n = f->n, sx = 1, sy = (size_t)f->nx, sz = (size_t)f->nx * f->ny;
    const double *mx = m, *my = m + n, *mz = m + 2 * n;
    const double wx = x->w[0], wy = x->w[1], wz = x->w[2];
    const unsigned char *nb = x->nb;
    double e = 0;
    for (size_t c = c0; c < c1; c++) {
        unsigned b = nb[c];
        if (!b)
            continue;
        const double ax = mx[c], ay = my[c], az = mz[c];
        double hx = 0, hy = 0, hz = 0;
        /* Differences (not sums) keep the field exact for uniform m. */
        if (b & NB_XM) { hx += wx * (mx[c - sx] - ax); hy += wx * (my[c - sx] - ay); hz += wx * (mz[c - sx] - az); }
        if (b & NB_XP) { hx += wx * (mx[c + sx] - ax); hy += wx * (my[c + sx] - ay); hz += wx * (mz[c + sx] - az); }
        if (b & NB_YM) { hx += wy * (mx[c - sy] - ax); hy += wy * (my[c - sy] - ay); hz += wy * (mz[c - sy] - az); }
        if (b & NB_YP) { hx += wy * (mx[c + sy] - ax); hy += wy * (my[c + sy] - ay); hz += wy * (mz[c + sy] - az); }
        if (b & NB_ZM) { hx += wz * (mx[c - sz] - ax); hy += wz * (my[c - sz] - ay); hz += wz * (mz[c - sz] - az); }
        if (b & NB_ZP) { hx += wz * (mx[c + sz] - ax); hy += wz * (my[c + sz] - ay); hz += wz * (mz[c + sz] - az); }
        size_t o = c - c0;
        H[o] += hx;
        H[o + hs] += hy;
        H[o + 2 * hs] += hz;
        if (want_e)
            e += ax * hx + ay * hy + az * hz;
    }
    return -0.5 * MH_MU0 * f->Ms * f->dx * f->dy * f->dz * e;
}

static void exch_destroy(mm_term *t)
{
    exch_ctx *x = t->ctx;
    if (x)
        free(x->nb);
    mm_term_destroy(t);
}

mm_term *mm_exchange_new(const mm_film *f, int *status)
{
    static const mm_term kind = {
        .name = "exchange", .has_energy = 1, .add = exch_add, .destroy = exch_destroy};
    mm_term *t = mm_term_new(&kind, sizeof(exch_ctx), status);
    unsigned char *nb = malloc(f->n ? f->n : 1);
    if (!t || !nb) {
        if (t)
            mm_term_destroy(t);
        free(nb);
        *status = MH_ENOMEM;
        return NULL;
    }
    exch_ctx *x = t->ctx;
    const int nx = f->nx, ny = f->ny, nz = f->nz;
    const size_t sy = (size_t)nx, sz = (size_t)nx * ny;
    const unsigned char *mk = f->mask;
    for (int k = 0; k < nz; k++)
        for (int j = 0; j < ny; j++)
            for (int i = 0; i < nx; i++) {
                size_t c = i + sy * j + sz * k;
                unsigned b = 0;
                if (mk[c]) {
                    if (i > 0 && mk[c - 1]) b |= NB_XM;
                    if (i < nx - 1 && mk[c + 1]) b |= NB_XP;
                    if (j > 0 && mk[c - sy]) b |= NB_YM;
                    if (j < ny - 1 && mk[c + sy]) b |= NB_YP;
                    if (k > 0 && mk[c - sz]) b |= NB_ZM;
                    if (k < nz - 1 && mk[c + sz]) b |= NB_ZP;
                }
                nb[c] = (unsigned char)b;
            }
    double s = 2.0 * f->A / (MH_MU0 * f->Ms);
    x->nb = nb;
    x->full = f->ncells == f->n;
    x->w[0] = s / (f->dx * f->dx);
    x->w[1] = s / (f->dy * f->dy);
    x->w[2] = s / (f->dz * f->dz);
    return t;
}
