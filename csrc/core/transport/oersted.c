/* oersted.c — Biot–Savart field of a current sheet by zero-padded FFT
 * convolution with cell-integrated kernels. */
#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <fftw3.h>

#include "mh_common.h"
#include "oersted.h"

struct mh_oersted {
    int nx, ny, nz, px, py, pxh; /* padded sizes, px/2+1 */
    double *rbuf;
    fftw_complex *kx, *ky, *tmp;
    fftw_complex *kern; /* per layer: 3 spectra (d, X, Y), py*pxh each */
    fftw_plan fwd, bwd;
};

void mh_oersted_free(mh_oersted *o)
{
    if (!o)
        return;
    if (o->fwd)
        fftw_destroy_plan(o->fwd);
    if (o->bwd)
        fftw_destroy_plan(o->bwd);
    fftw_free(o->rbuf);
    fftw_free(o->kx);
    fftw_free(o->ky);
    fftw_free(o->tmp);
    fftw_free(o->kern);
    free(o);
}

/* ln(u + sqrt(u² + w2)), w2 > 0, without cancellation for u < 0. */
static double log_plus(double u, double w2)
{
    double R = sqrt(u * u + w2);
    return u >= 0.0 ? log(u + R) : log(w2 / (R - u));
}

/* Antiderivatives in X and Y (∂²F/∂X∂Y = integrand) at depth d. */
static double F_d(double X, double Y, double d)
{
    return atan(X * Y / (d * sqrt(X * X + Y * Y + d * d)));
}
static double F_X(double X, double Y, double d) { return -log_plus(Y, X * X + d * d); }
static double F_Y(double X, double Y, double d) { return -log_plus(X, Y * Y + d * d); }

static double rect(double (*F)(double, double, double), double X, double Y, double hx, double hy,
                   double d)
{
    return F(X + hx, Y + hy, d) - F(X - hx, Y + hy, d) - F(X + hx, Y - hy, d) +
           F(X - hx, Y - hy, d);
}

mh_oersted *mh_oersted_new(int nx, int ny, int nz, double dx, double dy, double dz,
                           double offset, int *status)
{
    int st = MH_EINVAL;
    mh_oersted *o = NULL;
    if (nx < 1 || ny < 1 || nz < 1 || !(dx > 0.0) || !(dy > 0.0) || !(dz > 0.0) ||
        !isfinite(offset) || nx > 1 << 15 || ny > 1 << 15)
        goto fail;
    if (!(offset - 0.5 * (nz - 1) * dz > 0.0))
        goto fail;
    st = MH_ENOMEM;
    if (!(o = calloc(1, sizeof *o)))
        goto fail;
    o->nx = nx;
    o->ny = ny;
    o->nz = nz;
    o->px = 2 * nx;
    o->py = 2 * ny;
    o->pxh = nx + 1;
    size_t nr = (size_t)o->px * o->py, nc = (size_t)o->py * o->pxh;
    o->rbuf = fftw_malloc(nr * sizeof(double));
    o->kx = fftw_malloc(nc * sizeof(fftw_complex));
    o->ky = fftw_malloc(nc * sizeof(fftw_complex));
    o->tmp = fftw_malloc(nc * sizeof(fftw_complex));
    o->kern = fftw_malloc(3 * (size_t)nz * nc * sizeof(fftw_complex));
    if (!o->rbuf || !o->kx || !o->ky || !o->tmp || !o->kern)
        goto fail;
    /* plans first: the planner may scribble on the buffers. Single-threaded
     * plans even when another module turned FFTW threads on: these 2-D
     * transforms are small, and threaded ones ran ~10x slower on a busy
     * 2-core machine. */
    int nthr = fftw_planner_nthreads();
    if (nthr > 1)
        fftw_plan_with_nthreads(1);
    o->fwd = fftw_plan_dft_r2c_2d(o->py, o->px, o->rbuf, o->tmp, FFTW_ESTIMATE);
    o->bwd = fftw_plan_dft_c2r_2d(o->py, o->px, o->tmp, o->rbuf, FFTW_ESTIMATE);
    if (nthr > 1)
        fftw_plan_with_nthreads(nthr);
    if (!o->fwd || !o->bwd)
        goto fail;
    /* kernels in units of dx (dimensionless integrals), 1/(4π) and the
     * 1/(px·py) of the unnormalized inverse FFT folded in */
    double scale = 1.0 / (4.0 * MH_PI * (double)nr);
    double hx = 0.5, hy = 0.5 * dy / dx;
    for (int k = 0; k < nz; k++) {
        double d = (offset - (k - 0.5 * (nz - 1)) * dz) / dx;
        for (int which = 0; which < 3; which++) {
            double (*F)(double, double, double) = which == 0 ? F_d : which == 1 ? F_X : F_Y;
            memset(o->rbuf, 0, nr * sizeof(double));
            for (int b = -(ny - 1); b <= ny - 1; b++)
                for (int a = -(nx - 1); a <= nx - 1; a++) {
                    double X = a, Y = b * dy / dx;
                    size_t ia = (size_t)(a < 0 ? a + o->px : a), ib = (size_t)(b < 0 ? b + o->py : b);
                    double v = rect(F, X, Y, hx, hy, d);
                    o->rbuf[ia + (size_t)o->px * ib] = v * scale;
                }
            fftw_execute_dft_r2c(o->fwd, o->rbuf, o->kern + ((size_t)3 * k + which) * nc);
        }
    }
    *status = MH_OK;
    return o;
fail:
    mh_oersted_free(o);
    *status = st;
    return NULL;
}

static void load_padded(const mh_oersted *o, const double *src)
{
    memset(o->rbuf, 0, (size_t)o->px * o->py * sizeof(double));
    for (int j = 0; j < o->ny; j++)
        memcpy(o->rbuf + (size_t)o->px * j, src + (size_t)o->nx * j, (size_t)o->nx * sizeof(double));
}

static void store_unpadded(const mh_oersted *o, double *dst)
{
    for (int j = 0; j < o->ny; j++)
        memcpy(dst + (size_t)o->nx * j, o->rbuf + (size_t)o->px * j, (size_t)o->nx * sizeof(double));
}

void mh_oersted_field(mh_oersted *o, const double *K, double *H)
{
    size_t n2 = (size_t)o->nx * o->ny, n = n2 * o->nz, nc = (size_t)o->py * o->pxh;
    load_padded(o, K);
    fftw_execute_dft_r2c(o->fwd, o->rbuf, o->kx);
    load_padded(o, K + n2);
    fftw_execute_dft_r2c(o->fwd, o->rbuf, o->ky);
    for (int k = 0; k < o->nz; k++) {
        const fftw_complex *kd = o->kern + (size_t)3 * k * nc, *kX = kd + nc, *kY = kd + 2 * nc;
        for (int comp = 0; comp < 3; comp++) {
            for (size_t q = 0; q < nc; q++) {
                double complex a = o->kx[q], b = o->ky[q], v;
                if (comp == 0)
                    v = -kd[q] * b; /* Hx = −(d/R³) * Ky */
                else if (comp == 1)
                    v = kd[q] * a; /* Hy = (d/R³) * Kx */
                else
                    v = kY[q] * a - kX[q] * b; /* Hz = (Y Kx − X Ky)/R³ */
                o->tmp[q] = v;
            }
            fftw_execute_dft_c2r(o->bwd, o->tmp, o->rbuf);
            store_unpadded(o, H + (size_t)comp * n + n2 * k);
        }
    }
}
