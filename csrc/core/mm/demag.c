/* demag.c — demagnetizing field: Newell tensor, zero-padded FFT convolution.
 *
 * Tensor. Near cells use Newell, Williams & Dunlop (1993): each component is
 * a 27-point second difference of the functions f (diagonal) and g
 * (off-diagonal). The difference cancels about (r^3/V)^2 of magnitude, so it
 * is evaluated in long double and only out to NEAR_CELLS cell sizes; beyond
 * that the cell-pair average of the dipole kernel is expanded to second
 * order in the cell size (point dipole + sum_i dx_i^2/12 d_i^2 term), whose
 * error falls as (d/r)^4. Both halves agree to ~1e-8 relative at the switch.
 *
 * Convolution. M is zero-padded to px x py x pz (smooth sizes >= 2n-1; pz = 1
 * when nz = 1, so thin films only pay for 2-D transforms). Zero blocks are
 * never transformed: the x-r2c runs on the ny*nz data rows only and the
 * inverse stops at the rows that hold real cells. The y and z transforms,
 * the k-space product and the inverse y and z transforms are fused per
 * block of kx columns in cache-resident scratch (zero padding written
 * there), so the padded spectrum is never stored and each data row is read
 * and written once per call. Every tensor component is even or odd along
 * each axis, so its transform is real and determined by one octant of
 * k-space: six real arrays of (px/2+1)(py/2+1)(pz/2+1) values, signs
 * restored on the fly.
 * The transformed tensor (scaled by -1/(px py pz)) is cached by geometry. */
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <fftw3.h>
#include <omp.h>

#include "demag.h"
#include "mh_threads.h"

#define NEAR_CELLS 40.0           /* Newell inside this many (largest) cell sizes */
#define DEMAG_MAX_CELLS ((size_t)1 << 27)
#define DEMAG_CHUNKS 64           /* cell ranges of mh_demag_add's energy sum */
#define YBLK 16                   /* at most this many kx columns per cache block */

typedef long double ld;

/* ------------------------------------------------------------ the tensor */

/* Newell's f (diagonal terms) in the first octant: x, y, z >= 0 and
 * R = |(x, y, z)| > 0 (newell_at folds any other point into it). */
static ld newell_f(ld x, ld y, ld z, ld R)
{
    ld x2 = x * x, y2 = y * y, z2 = z * z, s = 0;
    /* each guarded term has a prefactor that vanishes where its asinh/atan
     * argument is singular, so skipping it is the exact limit */
    if (y > 0 && x2 + z2 > 0)
        s += 0.5L * y * (z2 - x2) * asinhl(y / sqrtl(x2 + z2));
    if (z > 0 && x2 + y2 > 0)
        s += 0.5L * z * (y2 - x2) * asinhl(z / sqrtl(x2 + y2));
    if (x > 0 && y > 0 && z > 0)
        s -= x * y * z * atanl(y * z / (x * R));
    s += (2 * x2 - y2 - z2) * R / 6;
    return s;
}

/* Newell's g (off-diagonal xy) in the first octant, as newell_f. */
static ld newell_g(ld x, ld y, ld z, ld R)
{
    ld x2 = x * x, y2 = y * y, z2 = z * z, s = 0;
    if (x2 + y2 > 0)
        s += x * y * z * asinhl(z / sqrtl(x2 + y2));
    if (y2 + z2 > 0)
        s += y / 6 * (3 * z2 - y2) * asinhl(x / sqrtl(y2 + z2));
    if (x2 + z2 > 0)
        s += x / 6 * (3 * z2 - x2) * asinhl(y / sqrtl(x2 + z2));
    if (z > 0)
        s -= z * z2 / 6 * atanl(x * y / (z * R));
    if (y > 0)
        s -= z * y2 / 2 * atanl(x * z / (y * R));
    if (x > 0)
        s -= z * x2 / 2 * atanl(y * z / (x * R));
    s -= x * y * R / 3;
    return s;
}

/* A Newell function and its symmetry: f is even in every argument, g is odd
 * in x and y and even in z. */
typedef struct {
    ld (*octant)(ld x, ld y, ld z, ld R);
    int odd_xy;
} newell_fn;
static const newell_fn NEWELL_F = {newell_f, 0}, NEWELL_G = {newell_g, 1};

/* fn at any point: folded into the first octant by its symmetry; 0 at the
 * origin. */
static ld newell_at(const newell_fn *fn, ld x, ld y, ld z)
{
    ld sign = fn->odd_xy && ((x < 0) != (y < 0)) ? -1 : 1;
    x = fabsl(x);
    y = fabsl(y);
    z = fabsl(z);
    ld R2 = x * x + y * y + z * z;
    if (R2 == 0)
        return 0;
    return sign * fn->octant(x, y, z, sqrtl(R2));
}

/* 27-point second difference of fn around (X,Y,Z) with steps (a,b,c),
 * normalized: the Newell tensor element. */
static double newell_sum(const newell_fn *fn, ld X, ld Y, ld Z, ld a, ld b, ld c)
{
    static const ld w[3] = {-1, 2, -1};
    ld s = 0;
    for (int i = -1; i <= 1; i++)
        for (int j = -1; j <= 1; j++)
            for (int k = -1; k <= 1; k++)
                s += w[i + 1] * w[j + 1] * w[k + 1] * newell_at(fn, X + i * a, Y + j * b, Z + k * c);
    return (double)(s / (4 * (ld)MH_PI * a * b * c));
}

/* Far field: -V/(4 pi) [d_a d_b (1/r) + sum_i dx_i^2/12 d_i^2 d_a d_b (1/r)]. */
static void tensor_far(double X, double Y, double Z, double dx, double dy, double dz, double N[6])
{
    static const int pa[6] = {0, 1, 2, 0, 0, 1}, pb[6] = {0, 1, 2, 1, 2, 2};
    double x[3] = {X, Y, Z}, h2[3] = {dx * dx / 12, dy * dy / 12, dz * dz / 12};
    double r2 = X * X + Y * Y + Z * Z, r = sqrt(r2);
    double ir3 = 1 / (r2 * r), ir5 = ir3 / r2, ir7 = ir5 / r2, ir9 = ir7 / r2;
    double pre = -dx * dy * dz / (4 * MH_PI);
    for (int p = 0; p < 6; p++) {
        int a = pa[p], b = pb[p];
        double dab = a == b;
        double v = 3 * x[a] * x[b] * ir5 - dab * ir3;
        for (int i = 0; i < 3; i++) {
            double dai = a == i, dbi = b == i, xi2 = x[i] * x[i];
            v += h2[i] * (105 * x[a] * x[b] * xi2 * ir9 -
                          15 * (dab * xi2 + 2 * dai * x[b] * x[i] + 2 * dbi * x[a] * x[i] +
                                x[a] * x[b]) * ir7 +
                          3 * (dab + 2 * dai * dbi) * ir5);
        }
        N[p] = pre * v;
    }
}

void mh_demag_tensor(double X, double Y, double Z, double dx, double dy, double dz, double N[6])
{
    /* N is scale-free: work in units of the largest cell side, so that
     * neither tiny nor huge lengths overflow the powers below. */
    double h = fmax(dx, fmax(dy, dz));
    X /= h;
    Y /= h;
    Z /= h;
    dx /= h;
    dy /= h;
    dz /= h;
    h = 1;
    if (fmax(fabs(X), fmax(fabs(Y), fabs(Z))) > 1e50) {
        for (int c = 0; c < 6; c++)
            N[c] = 0; /* |N| < 1e-150: the dipole term underflows anyway */
        return;
    }
    if (X * X + Y * Y + Z * Z > NEAR_CELLS * NEAR_CELLS * h * h) {
        tensor_far(X, Y, Z, dx, dy, dz, N);
        return;
    }
    N[0] = newell_sum(&NEWELL_F, X, Y, Z, dx, dy, dz);
    N[1] = newell_sum(&NEWELL_F, Y, X, Z, dy, dx, dz);
    N[2] = newell_sum(&NEWELL_F, Z, Y, X, dz, dy, dx);
    N[3] = newell_sum(&NEWELL_G, X, Y, Z, dx, dy, dz);
    N[4] = newell_sum(&NEWELL_G, X, Z, Y, dx, dz, dy);
    N[5] = newell_sum(&NEWELL_G, Y, Z, X, dy, dz, dx);
}

/* ------------------------------------------------- shared kernel cache */

/* A geometry: nx x ny x nz cells of dx x dy x dz (m); the cache key. */
typedef struct grid {
    int nx, ny, nz;
    double dx, dy, dz;
} grid;

static int grid_eq(const grid *a, const grid *b)
{
    return a->nx == b->nx && a->ny == b->ny && a->nz == b->nz && a->dx == b->dx &&
           a->dy == b->dy && a->dz == b->dz;
}

typedef struct kernel {
    grid g;
    int px, py, pz;
    size_t ksize;         /* (px/2+1)(py/2+1)(pz/2+1) */
    double *K[6];         /* -FFT(N)/(px py pz), one octant, fftw_malloc */
    int refs;
    struct kernel *next;
} kernel;

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static kernel *cache_head;
static int fftw_ready;

/* Smallest 2^a 3^b 5^c 7^d >= n. */
static int smooth_size(int n)
{
    for (int m = n > 1 ? n : 1;; m++) {
        int r = m;
        static const int p[4] = {2, 3, 5, 7};
        for (int i = 0; i < 4; i++)
            while (r % p[i] == 0)
                r /= p[i];
        if (r == 1)
            return m;
    }
}

static void kernel_free(kernel *k)
{
    if (!k)
        return;
    for (int c = 0; c < 6; c++)
        fftw_free(k->K[c]);
    free(k);
}

/* Compute the transformed tensor for a geometry; NULL on out of memory.
 * Called with cache_lock held (FFTW planning is serialized there too). */
static kernel *kernel_compute(const grid *g)
{
    kernel *k = calloc(1, sizeof *k);
    if (!k)
        return NULL;
    k->g = *g;
    int nx = g->nx, ny = g->ny, nz = g->nz;
    double dx = g->dx, dy = g->dy, dz = g->dz;
    k->px = smooth_size(2 * nx - 1);
    k->py = smooth_size(2 * ny - 1);
    k->pz = nz > 1 ? smooth_size(2 * nz - 1) : 1;
    int px = k->px, py = k->py, pz = k->pz, hx = px / 2 + 1, qy = py / 2 + 1, qz = pz / 2 + 1;
    k->ksize = (size_t)hx * qy * qz;
    size_t nreal = (size_t)px * py * pz, ncplx = (size_t)hx * py * pz;
    size_t noct = (size_t)nx * ny * nz;
    double *real = fftw_malloc(nreal * sizeof *real);
    fftw_complex *cplx = fftw_malloc(ncplx * sizeof *cplx);
    double *oct = malloc(6 * noct * sizeof *oct);
    int ok = real && cplx && oct;
    for (int c = 0; c < 6 && ok; c++)
        ok = (k->K[c] = fftw_malloc(k->ksize * sizeof(double))) != NULL;
    fftw_plan plan = NULL;
    if (ok) {
        fftw_plan_with_nthreads(mh_threads_max());
        plan = pz > 1 ? fftw_plan_dft_r2c_3d(pz, py, px, real, cplx, FFTW_ESTIMATE)
                      : fftw_plan_dft_r2c_2d(py, px, real, cplx, FFTW_ESTIMATE);
        ok = plan != NULL;
    }
    if (!ok) {
        fftw_free(real);
        fftw_free(cplx);
        free(oct);
        kernel_free(k);
        return NULL;
    }
    /* real-space tensor on the first octant of offsets; the rest by parity */
#pragma omp parallel for schedule(dynamic, 16)
    for (size_t o = 0; o < noct; o++) {
        int i = (int)(o % (size_t)nx), j = (int)(o / (size_t)nx % (size_t)ny),
            l = (int)(o / ((size_t)nx * ny));
        double N[6];
        mh_demag_tensor(i * dx, j * dy, l * dz, dx, dy, dz, N);
        for (int c = 0; c < 6; c++)
            oct[c * noct + o] = N[c];
    }
    /* parity of each component along x, y, z (1 even, -1 odd) */
    static const int par[6][3] = {{1, 1, 1}, {1, 1, 1}, {1, 1, 1},
                                  {-1, -1, 1}, {-1, 1, -1}, {1, -1, -1}};
    double scale = -1.0 / ((double)px * py * pz);
    for (int c = 0; c < 6; c++) {
        memset(real, 0, nreal * sizeof *real);
        for (int l = -(nz - 1); l <= nz - 1; l++)
            for (int j = -(ny - 1); j <= ny - 1; j++)
                for (int i = -(nx - 1); i <= nx - 1; i++) {
                    int s = (i < 0 ? par[c][0] : 1) * (j < 0 ? par[c][1] : 1) *
                            (l < 0 ? par[c][2] : 1);
                    size_t src = (size_t)abs(i) + nx * ((size_t)abs(j) + (size_t)ny * abs(l));
                    size_t dst = (size_t)((i + px) % px) +
                                 px * ((size_t)((j + py) % py) + (size_t)py * ((l + pz) % pz));
                    real[dst] = s * oct[c * noct + src];
                }
        fftw_execute(plan);
        /* the transform is real (even/odd symmetry): keep one octant */
        for (int l = 0; l < qz; l++)
            for (int j = 0; j < qy; j++)
                for (int i = 0; i < hx; i++)
                    k->K[c][j + (size_t)qy * (i + (size_t)hx * l)] =
                        scale * cplx[i + (size_t)hx * (j + (size_t)py * l)][0];
    }
    fftw_destroy_plan(plan);
    fftw_free(real);
    fftw_free(cplx);
    free(oct);
    return k;
}

static kernel *kernel_get(const grid *g)
{
    for (kernel *k = cache_head; k; k = k->next)
        if (grid_eq(&k->g, g)) {
            k->refs++;
            return k;
        }
    kernel *k = kernel_compute(g);
    if (!k)
        return NULL;
    k->refs = 1;
    k->next = cache_head;
    cache_head = k;
    return k;
}

static void kernel_release(kernel *k)
{
    pthread_mutex_lock(&cache_lock);
    if (--k->refs == 0) {
        kernel **p = &cache_head;
        while (*p != k)
            p = &(*p)->next;
        *p = k->next;
        kernel_free(k);
    }
    pthread_mutex_unlock(&cache_lock);
}

/* ------------------------------------------------------------ the engine */

struct mh_demag {
    grid g;
    size_t n;
    int px, py, pz, hx;
    kernel *k;
    int nthreads;
    double *rin[3];         /* px*ny*nz real rows per component, padding columns zero */
    int threaded_x;         /* x plans use FFTW threads (large row sets) */
    fftw_complex *rowc[3];  /* hx*ny*nz each: x-transformed data rows of Mx, My, Mz, then H */
    double *hd[3];          /* px*ny*nz each: H_d rows (A/m) after the inverse */
    fftw_plan fx, bx;       /* x: r2c / c2r on the ny*nz data rows */
    /* the fused y/z pass over blocks of nbk kx columns, per-thread scratch;
     * block index: j + ps*(l + pz*(q + nb*c)) for row j, plane l, column q,
     * component c */
    int nbk, ps;
    fftw_complex *blk;      /* nthreads * 3*nbk*pz*ps */
    fftw_plan fb, bb, fr, br; /* full block, remainder block */
    double *partial;        /* energy partials of DEMAG_CHUNKS cell ranges */
};

void mh_demag_free(mh_demag *d)
{
    if (!d)
        return;
    fftw_plan *pl[6] = {&d->fx, &d->bx, &d->fb, &d->bb, &d->fr, &d->br};
    pthread_mutex_lock(&cache_lock); /* plan destruction touches planner state */
    for (int p = 0; p < 6; p++)
        if (*pl[p])
            fftw_destroy_plan(*pl[p]);
    pthread_mutex_unlock(&cache_lock);
    for (int c = 0; c < 3; c++)
        fftw_free(d->rin[c]);
    fftw_free(d->blk);
    for (int c = 0; c < 3; c++) {
        fftw_free(d->rowc[c]);
        fftw_free(d->hd[c]);
    }
    free(d->partial);
    if (d->k)
        kernel_release(d->k);
    free(d);
}

/* The y (and z) transforms of one scratch block: 3*nb columns, each a
 * py x pz array with row stride ps. Single-threaded: the block loop itself
 * runs on the OpenMP threads. */
static fftw_plan block_plan(const mh_demag *d, int nb, int sign, unsigned flags)
{
    int py = d->py, pz = d->pz, ps = d->ps;
    fftw_iodim t[2] = {{pz, ps, ps}, {py, 1, 1}};
    fftw_iodim many = {3 * nb, pz * ps, pz * ps};
    return pz > 1 ? fftw_plan_guru_dft(2, t, 1, &many, d->blk, d->blk, sign, flags)
                  : fftw_plan_guru_dft(1, t + 1, 1, &many, d->blk, d->blk, sign, flags);
}

/* Plans (see the file comment). Cache lock held. */
static int make_plans(mh_demag *d)
{
    int px = d->px, hx = d->hx, ny = d->g.ny, nz = d->g.nz;
    unsigned flags = getenv("MH_FFTW_MEASURE") ? FFTW_MEASURE : FFTW_ESTIMATE;
    /* threads only pay off on large row sets (each parallel region costs
     * a barrier, expensive on busy cores) */
    d->threaded_x = (size_t)px * ny * nz >= ((size_t)1 << 17);
    fftw_plan_with_nthreads(d->threaded_x ? d->nthreads : 1);
    d->fx = fftw_plan_many_dft_r2c(1, &px, ny * nz, d->rin[0], NULL, 1, px, d->rowc[0], NULL, 1, hx,
                                   flags);
    d->bx = fftw_plan_many_dft_c2r(1, &px, ny * nz, d->rowc[0], NULL, 1, hx, d->hd[0], NULL, 1,
                                   px, flags);
    fftw_plan_with_nthreads(1);
    int rem = hx % d->nbk;
    d->fb = block_plan(d, d->nbk, FFTW_FORWARD, flags);
    d->bb = block_plan(d, d->nbk, FFTW_BACKWARD, flags);
    if (rem) {
        d->fr = block_plan(d, rem, FFTW_FORWARD, flags);
        d->br = block_plan(d, rem, FFTW_BACKWARD, flags);
    }
    return d->fx && d->bx && d->fb && d->bb && (!rem || (d->fr && d->br));
}

mh_demag *mh_demag_new(int nx, int ny, int nz, double dx, double dy, double dz, int *status)
{
    int dummy;
    if (!status)
        status = &dummy;
    *status = MH_EINVAL;
    if (nx < 1 || ny < 1 || nz < 1 || nx > (1 << 16) || ny > (1 << 16) || nz > (1 << 16) ||
        !(dx > 0) || !(dy > 0) || !(dz > 0) || !isfinite(dx) || !isfinite(dy) || !isfinite(dz) ||
        fmax(dx, fmax(dy, dz)) > MH_DEMAG_MAX_ASPECT * fmin(dx, fmin(dy, dz)))
        return NULL;
    size_t n = (size_t)nx * ny * nz;
    if (n > DEMAG_MAX_CELLS)
        return NULL;
    *status = MH_ENOMEM;
    mh_demag *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->g = (grid){nx, ny, nz, dx, dy, dz};
    d->n = n;
    d->nthreads = mh_threads_max(); /* the largest team: scratch is sized for it */
    d->partial = calloc(DEMAG_CHUNKS, sizeof *d->partial);
    pthread_mutex_lock(&cache_lock);
    if (!fftw_ready) {
        fftw_init_threads();
        fftw_make_planner_thread_safe(); /* other modules plan too */
        fftw_ready = 1;
    }
    d->k = d->partial ? kernel_get(&d->g) : NULL;
    int ok = d->k != NULL;
    size_t nrow = 0;
    if (ok) {
        d->px = d->k->px;
        d->py = d->k->py;
        d->pz = d->k->pz;
        d->hx = d->px / 2 + 1;
        /* row stride off powers of two (cache sets); blocks of ~0.75 MiB */
        d->ps = d->py + 8;
        size_t col = (size_t)d->pz * d->ps;
        d->nbk = (int)(((size_t)1 << 14) / col);
        d->nbk = d->nbk < 1 ? 1 : d->nbk > YBLK ? YBLK : d->nbk;
        nrow = (size_t)d->px * ny * nz;
        size_t nrc = (size_t)d->hx * ny * nz;
        d->blk = fftw_malloc((size_t)d->nthreads * 3 * d->nbk * col * sizeof(fftw_complex));
        ok = d->blk != NULL;
        for (int c = 0; c < 3 && ok; c++) {
            d->rin[c] = fftw_malloc(nrow * sizeof(double));
            d->rowc[c] = fftw_malloc(nrc * sizeof(fftw_complex));
            d->hd[c] = fftw_malloc(nrow * sizeof(double));
            ok = d->rin[c] && d->rowc[c] && d->hd[c];
        }
        ok = ok && make_plans(d);
    }
    pthread_mutex_unlock(&cache_lock);
    if (!ok) {
        mh_demag_free(d);
        return NULL;
    }
    /* zero after planning (the planner may scribble): the padding columns
     * of rin are never written again */
    for (int c = 0; c < 3; c++) {
        memset(d->rin[c], 0, nrow * sizeof(double));
        memset(d->hd[c], 0, nrow * sizeof(double));
    }
    *status = MH_OK;
    return d;
}

/* H = K M at one k-space point (kernel octant index ko; signs of the
 * components odd in y and z passed as sgy, sgz). */
static inline void mult_point(const kernel *k, size_t ko, double sgy, double sgz, double *X,
                              double *Y, double *Z)
{
    double axx = k->K[0][ko], ayy = k->K[1][ko], azz = k->K[2][ko];
    double axy = sgy * k->K[3][ko], axz = sgz * k->K[4][ko], ayz = sgy * sgz * k->K[5][ko];
    double xr = X[0], xi = X[1], yr = Y[0], yi = Y[1], zr = Z[0], zi = Z[1];
    X[0] = axx * xr + axy * yr + axz * zr;
    X[1] = axx * xi + axy * yi + axz * zi;
    Y[0] = axy * xr + ayy * yr + ayz * zr;
    Y[1] = axy * xi + ayy * yi + ayz * zi;
    Z[0] = axz * xr + ayz * yr + azz * zr;
    Z[1] = axz * xi + ayz * yi + azz * zi;
}

/* One block: gather the data rows of columns k0..k0+nb-1 of the three
 * components (zero-padded in y and z), transform, multiply by the kernel,
 * transform back, scatter the data rows. */
static void do_block(mh_demag *d, fftw_complex *b, int k0, int nb)
{
    const kernel *k = d->k;
    int hx = d->hx, py = d->py, pz = d->pz, ny = d->g.ny, nz = d->g.nz, ps = d->ps;
    int qy = py / 2 + 1;
    size_t cs = (size_t)pz * ps, bs = (size_t)nb * cs; /* column and component strides */
    for (int c = 0; c < 3; c++) {
        fftw_complex *bc = b + (size_t)c * bs;
        for (int l = 0; l < nz; l++)
            for (int j = 0; j < ny; j++) {
                const fftw_complex *src = d->rowc[c] + ((size_t)l * ny + j) * hx + k0;
                for (int q = 0; q < nb; q++) {
                    bc[q * cs + (size_t)l * ps + j][0] = src[q][0];
                    bc[q * cs + (size_t)l * ps + j][1] = src[q][1];
                }
            }
        for (int q = 0; q < nb; q++) {
            for (int l = 0; l < nz; l++)
                memset(bc[q * cs + (size_t)l * ps + ny], 0, (size_t)(py - ny) * sizeof(fftw_complex));
            for (int l = nz; l < pz; l++)
                memset(bc[q * cs + (size_t)l * ps], 0, (size_t)py * sizeof(fftw_complex));
        }
    }
    fftw_execute_dft(nb == d->nbk ? d->fb : d->fr, b, b);
    const double *Kxx = k->K[0], *Kyy = k->K[1], *Kzz = k->K[2], *Kxy = k->K[3];
    for (int q = 0; q < nb; q++)
        for (int l = 0; l < pz; l++) {
            int ll = l <= pz / 2 ? l : pz - l;
            double sgz = l <= pz / 2 ? 1 : -1;
            size_t ko = (size_t)qy * ((size_t)(k0 + q) + (size_t)hx * ll);
            size_t o = q * cs + (size_t)l * ps;
            double *X = b[o], *Y = b[bs + o], *Z = b[2 * bs + o];
            if (pz == 1) {
                /* a single layer: Nxz = Nyz = 0 (odd in z) */
                for (int j = 0; j < py; j++) {
                    int up = j <= py / 2;
                    size_t kj = ko + (size_t)(up ? j : py - j);
                    double axx = Kxx[kj], ayy = Kyy[kj], azz = Kzz[kj];
                    double axy = up ? Kxy[kj] : -Kxy[kj]; /* Nxy odd in y */
                    double xr = X[2 * j], xi = X[2 * j + 1], yr = Y[2 * j], yi = Y[2 * j + 1];
                    X[2 * j] = axx * xr + axy * yr;
                    X[2 * j + 1] = axx * xi + axy * yi;
                    Y[2 * j] = axy * xr + ayy * yr;
                    Y[2 * j + 1] = axy * xi + ayy * yi;
                    Z[2 * j] *= azz;
                    Z[2 * j + 1] *= azz;
                }
            } else {
                for (int j = 0; j < py; j++) {
                    int up = j <= py / 2;
                    mult_point(k, ko + (size_t)(up ? j : py - j), up ? 1 : -1, sgz, X + 2 * j,
                               Y + 2 * j, Z + 2 * j);
                }
            }
        }
    fftw_execute_dft(nb == d->nbk ? d->bb : d->br, b, b);
    for (int c = 0; c < 3; c++) {
        const fftw_complex *bc = b + (size_t)c * bs;
        for (int l = 0; l < nz; l++)
            for (int j = 0; j < ny; j++) {
                fftw_complex *dst = d->rowc[c] + ((size_t)l * ny + j) * hx + k0;
                for (int q = 0; q < nb; q++) {
                    dst[q][0] = bc[q * cs + (size_t)l * ps + j][0];
                    dst[q][1] = bc[q * cs + (size_t)l * ps + j][1];
                }
            }
    }
}

/* Team of a parallel region: the current team size (mh_threads_adapt),
 * never more than the engine's scratch was sized for. */
static int team(const mh_demag *d)
{
    int t = omp_get_max_threads();
    return t < d->nthreads ? t : d->nthreads;
}

/* Fill the real rows of component c with Ms*m and transform them along x. */
static void forward_x(mh_demag *d, const double *m, double Ms, int c, int par_fill)
{
    int nx = d->g.nx, px = d->px;
    size_t rows = (size_t)d->g.ny * d->g.nz;
    const double *mc = m + (size_t)c * d->n;
    double *rin = d->rin[c];
#pragma omp parallel for schedule(static) num_threads(team(d)) if (par_fill)
    for (size_t r = 0; r < rows; r++)
        for (int i = 0; i < nx; i++)
            rin[r * px + i] = Ms * mc[r * nx + i];
    fftw_execute_dft_r2c(d->fx, rin, d->rowc[c]);
}

int mh_demag_prepare(mh_demag *d, const double *m, double Ms)
{
    int hx = d->hx, nbk = d->nbk;
    /* Small grids: the x transforms are single-threaded plans, so the three
     * components run side by side; large grids: each transform and fill is
     * itself threaded. Either way each component is computed identically. */
    int small = !d->threaded_x;
    if (small) {
#pragma omp parallel for schedule(static) num_threads(team(d))
        for (int c = 0; c < 3; c++)
            forward_x(d, m, Ms, c, 0);
    } else {
        for (int c = 0; c < 3; c++)
            forward_x(d, m, Ms, c, 1);
    }
    int nblocks = (hx + nbk - 1) / nbk;
    size_t per_thread = (size_t)3 * nbk * d->pz * d->ps;
    /* static schedule: every block is computed the same way whatever the
     * thread count, so H_d does not depend on it */
#pragma omp parallel for schedule(static) num_threads(team(d))
    for (int blk = 0; blk < nblocks; blk++) {
        int k0 = blk * nbk;
        do_block(d, d->blk + (size_t)omp_get_thread_num() * per_thread, k0,
                 hx - k0 < nbk ? hx - k0 : nbk);
    }
    if (small) {
#pragma omp parallel for schedule(static) num_threads(team(d))
        for (int c = 0; c < 3; c++)
            fftw_execute_dft_c2r(d->bx, d->rowc[c], d->hd[c]);
    } else {
        for (int c = 0; c < 3; c++)
            fftw_execute_dft_c2r(d->bx, d->rowc[c], d->hd[c]);
    }
    return MH_OK;
}

double mh_demag_add_range(const mh_demag *d, const double *m, double Ms, size_t c0, size_t c1,
                          double *H, size_t hs)
{
    size_t n = d->n, nx = (size_t)d->g.nx, px = (size_t)d->px;
    double e = 0;
    for (int q = 0; q < 3; q++) {
        const double *h = d->hd[q], *mq = m + (size_t)q * n;
        double *Hq = H + (size_t)q * hs - c0;
        size_t c = c0;
        while (c < c1) {
            size_t row = c / nx, end = row * nx + nx;
            if (end > c1)
                end = c1;
            const double *hr = h + row * px - row * nx; /* hr[c] = H_d of cell c */
            for (; c < end; c++) {
                Hq[c] += hr[c];
                e += mq[c] * hr[c];
            }
        }
    }
    return -0.5 * MH_MU0 * Ms * d->g.dx * d->g.dy * d->g.dz * e;
}

double mh_demag_add(mh_demag *d, const double *m, double Ms, double *H)
{
    mh_demag_prepare(d, m, Ms);
    /* fixed chunks: the energy sums the same partials in the same order
     * whatever the team size or the machine's core count */
    const int T = DEMAG_CHUNKS;
#pragma omp parallel for schedule(static) num_threads(team(d))
    for (int t = 0; t < T; t++) {
        size_t c0 = d->n * (size_t)t / (size_t)T, c1 = d->n * (size_t)(t + 1) / (size_t)T;
        d->partial[t] = mh_demag_add_range(d, m, Ms, c0, c1, H + c0, d->n);
    }
    double e = 0;
    for (int t = 0; t < T; t++) /* fixed order */
        e += d->partial[t];
    return e;
}

int mh_demag_tensor_avg(mh_demag *d, double N[6])
{
    /* through the convolution itself, so this checks the whole pipeline:
     * the field of the uniformly magnetized box along x, y, z in turn */
    size_t n = d->n;
    double *m = calloc(3 * n, sizeof *m), *H = calloc(3 * n, sizeof *H);
    if (!m || !H) {
        free(m);
        free(H);
        return MH_ENOMEM;
    }
    double S[3][3];
    for (int a = 0; a < 3; a++) {
        memset(m, 0, 3 * n * sizeof *m);
        memset(H, 0, 3 * n * sizeof *H);
        for (size_t c = 0; c < n; c++)
            m[(size_t)a * n + c] = 1;
        mh_demag_add(d, m, 1.0, H);
        for (int b = 0; b < 3; b++) {
            double s = 0;
            for (size_t c = 0; c < n; c++)
                s += H[(size_t)b * n + c];
            S[b][a] = -s / (double)n;
        }
    }
    N[0] = S[0][0];
    N[1] = S[1][1];
    N[2] = S[2][2];
    N[3] = 0.5 * (S[0][1] + S[1][0]);
    N[4] = 0.5 * (S[0][2] + S[2][0]);
    N[5] = 0.5 * (S[1][2] + S[2][1]);
    free(m);
    free(H);
    return MH_OK;
}
