/* oersted_drive.c — pad volts to Oersted field through the Au sheet (see
 * oersted_drive.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dense.h"
#include "mh_common.h"
#include "oersted_drive.h"

struct mh_oe_drive {
    mh_sheet *sheet;
    mh_oersted *oe;
    int nx, ny, nz, npads;
    double *Gau; /* Au pad conductance matrix, computed on first need */
};

void mh_oe_drive_free(mh_oe_drive *d)
{
    if (!d)
        return;
    mh_sheet_free(d->sheet);
    mh_oersted_free(d->oe);
    free(d->Gau);
    free(d);
}

mh_oe_drive *mh_oe_drive_new(int nx, int ny, int nz, double dx, double dy, double dz,
                             const unsigned char *cond, const int *pad, int npads, double sigma,
                             double thickness, double offset, int solver, int *status)
{
    size_t n2 = (size_t)nx * ny;
    mh_oe_drive *d = calloc(1, sizeof *d);
    double *g = malloc(n2 * sizeof(double)), *z = calloc(n2, sizeof(double));
    int st = MH_ENOMEM;
    if (d && g && z) {
        d->nx = nx;
        d->ny = ny;
        d->nz = nz;
        d->npads = npads;
        for (size_t c = 0; c < n2; c++)
            g[c] = sigma * thickness;
        d->sheet = mh_sheet_new(nx, ny, dx, dy, cond, pad, npads, solver, &st);
        if (d->sheet)
            st = mh_sheet_set_conductance(d->sheet, g, z, g);
        if (st == MH_OK)
            d->oe = mh_oersted_new(nx, ny, nz, dx, dy, dz, offset, &st);
    }
    free(g);
    free(z);
    if (st != MH_OK) {
        mh_oe_drive_free(d);
        d = NULL;
    }
    *status = st;
    return d;
}

int mh_oe_drive_conductance(mh_oe_drive *d, double *G, double *relres)
{
    return mh_sheet_conductance(d->sheet, G, relres);
}

/* Pad volts after the series resistances R (vp = volts when R is NULL). */
static int series(mh_oe_drive *d, const double *volts, const double *R, double *vp, double *rr)
{
    int N = d->npads;
    memcpy(vp, volts, (size_t)N * sizeof(double));
    if (!R)
        return MH_OK;
    if (!d->Gau) {
        double *G = malloc((size_t)N * N * sizeof(double));
        if (!G)
            return MH_ENOMEM;
        int st = mh_sheet_conductance(d->sheet, G, rr);
        if (st != MH_OK) {
            free(G);
            return st;
        }
        d->Gau = G;
    }
    /* the pads see vp where (1 + R G) vp = volts */
    double *M = malloc((size_t)N * N * sizeof(double));
    if (!M)
        return MH_ENOMEM;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            M[i * N + j] = (i == j ? 1.0 : 0.0) + R[i] * d->Gau[i * N + j];
    int st = mh_dense_solve(N, 1, M, vp);
    free(M);
    return st;
}

/* max |H| over the mask cells */
static double peak_field(const double *H, const unsigned char *mask, size_t n)
{
    double peak = 0;
    for (size_t c = 0; c < n; c++) {
        if (!mask[c])
            continue;
        double h2 = H[c] * H[c] + H[n + c] * H[n + c] + H[2 * n + c] * H[2 * n + c];
        if (h2 > peak)
            peak = h2;
    }
    return sqrt(peak);
}

/* Equal pad volts drive nothing but rounding noise: never scale that up. */
static int drives_current(const double *vp, int N)
{
    double vmin = vp[0], vmax = vp[0];
    for (int k = 1; k < N; k++) {
        vmin = vp[k] < vmin ? vp[k] : vmin;
        vmax = vp[k] > vmax ? vp[k] : vmax;
    }
    return vmax - vmin > 1e-9 * fmax(fabs(vmax), fabs(vmin));
}

static void scale_all(mh_oe_drive *d, mh_oe_result *r, double s)
{
    size_t n2 = (size_t)d->nx * d->ny, n = n2 * d->nz;
    for (size_t q = 0; q < 3 * n; q++)
        r->H[q] *= s;
    for (size_t q = 0; q < 3 * n2; q++)
        r->K[q] *= s;
    for (size_t q = 0; q < n2; q++)
        r->phi[q] *= s;
    for (int k = 0; k < d->npads; k++) {
        r->I[k] *= s;
        r->pad_volts[k] *= s;
    }
}

int mh_oe_drive_solve(mh_oe_drive *d, const double *volts, const double *R, double target_peak_H,
                      const unsigned char *mask, mh_oe_result *r)
{
    size_t n = (size_t)d->nx * d->ny * d->nz;
    r->relres = 0;
    r->scale = 1.0;
    int st = series(d, volts, R, r->pad_volts, &r->relres);
    if (st != MH_OK)
        return st;
    st = mh_sheet_solve(d->sheet, r->pad_volts, r->phi, r->K, r->I, &r->relres);
    if (st != MH_OK)
        return st;
    mh_oersted_field(d->oe, r->K, r->H);
    r->peak_H = peak_field(r->H, mask, n);
    if (target_peak_H > 0) {
        if (!(r->peak_H > 0) || !drives_current(r->pad_volts, d->npads))
            return MH_EINVAL;
        r->scale = target_peak_H / r->peak_H;
        scale_all(d, r, r->scale);
        r->peak_H = target_peak_H;
    }
    return MH_OK;
}
