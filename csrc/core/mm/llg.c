/* llg.c — LLG steppers (Heun, RK4, Dormand–Prince 5(4)), relax, minimize.
 *
 * Every stage is one fused pass over cache tiles: the terms add their fields
 * into a tile-local H, the right-hand side k is formed per cell, and the next
 * stage state (a linear combination of earlier k) is written at once. Stage
 * states alternate between two buffers because exchange reads neighbour
 * cells of the state being evaluated, which other threads may be updating.
 * Reductions are max (exact in any order) or per-tile partial sums added in
 * tile order, so results do not depend on the thread count or on which
 * thread ran a tile; tiles are handed out dynamically, so a thread that the
 * OS preempts on a busy machine does not stall the others. */
/* The stage loops are simple streams over tiles; let GCC vectorize them
 * regardless of the project-wide -O2. */
#pragma GCC optimize("O3")

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mh_threads.h"
#include "llg.h"
#include "meter.h"
#include "mm_terms.h"

struct mm_work {
    size_t n;
    double *k[7];    /* stage right-hand sides, SoA 3n */
    double *ys[2];   /* alternating stage states */
    double *part;    /* per-tile partial sums, 3 per tile */
    int fsal_valid;  /* k[0] holds the rhs at (f->m, f->t) */
    int fsal_mode;
    uint64_t fsal_version;
    double fsal_t;
};

enum { MODE_LLG = 0, MODE_RELAX = 1, MODE_DESCENT = 2 };

void mm_work_free(mm_work *w)
{
    if (!w)
        return;
    for (int i = 0; i < 7; i++)
        free(w->k[i]);
    free(w->ys[0]);
    free(w->ys[1]);
    free(w->part);
    free(w);
}

static int work_get(mm_film *f, mm_work **out)
{
    if (f->work) {
        *out = f->work;
        return MH_OK;
    }
    mm_work *w = calloc(1, sizeof *w);
    if (!w)
        return MH_ENOMEM;
    size_t n3 = 3 * f->n, ntiles = (f->n + MM_TILE - 1) / MM_TILE;
    w->n = f->n;
    int ok = 1;
    for (int i = 0; i < 7; i++)
        ok &= (w->k[i] = calloc(n3, sizeof(double))) != NULL;
    for (int i = 0; i < 2; i++)
        ok &= (w->ys[i] = calloc(n3, sizeof(double))) != NULL;
    ok &= (w->part = calloc(3 * ntiles, sizeof(double))) != NULL;
    if (!ok) {
        mm_work_free(w);
        return MH_ENOMEM;
    }
    f->work = *out = w;
    return MH_OK;
}

/* One fused pass: H(y) -> k; then out = base + sum a_j ks_j (optionally
 * normalized) and err = max |sum e_j es_j| per cell. k == NULL skips the
 * field (a pure combination pass). */
typedef struct {
    const double *y;
    double *k;
    int mode;
    double *out;
    const double *base;
    int nk;
    const double *ks[7];
    double a[7];
    int norm;
    int ne;
    const double *es[7];
    double e[7];
    double errmax; /* result */
    double tqmax;  /* result: max |m x H| at y (when k != NULL) */
    int bad;       /* result: a normalized output or error term was not finite */
} pass_t;

/* Right-hand side on one tile: k = c1 (y x H) + c2 y x (y x H), and the
 * largest |y x H|^2. Cells outside the mask have y = 0, hence k = 0, so the
 * loop needs no mask test and vectorizes. */
MM_CLONES static double tile_rhs(size_t len, const double *restrict yx, const double *restrict yy,
                       const double *restrict yz, const double *restrict H, double *restrict kx,
                       double *restrict ky, double *restrict kz, double c1, double c2)
{
    const double *restrict hx = H, *restrict hy = H + MM_TILE, *restrict hz = H + 2 * MM_TILE;
    double tq = 0;
    for (size_t o = 0; o < len; o++) {
        const double mx = yx[o], my = yy[o], mz = yz[o];
        const double tx = my * hz[o] - mz * hy[o], ty = mz * hx[o] - mx * hz[o], tz = mx * hy[o] - my * hx[o];
        const double dx = my * tz - mz * ty, dy = mz * tx - mx * tz, dz = mx * ty - my * tx;
        const double t2 = tx * tx + ty * ty + tz * tz;
        tq = t2 > tq ? t2 : tq;
        kx[o] = c1 * tx + c2 * dx;
        ky[o] = c1 * ty + c2 * dy;
        kz[o] = c1 * tz + c2 * dz;
    }
    return tq;
}

/* out = base + sum_j a_j ks_j on one component slice of one tile. */
MM_CLONES static void tile_comb(size_t len, double *restrict out, const double *restrict base, int nk,
                      const double *const *ks, const double *a, size_t off)
{
    if (nk > 0) {
        const double *restrict k0 = ks[0] + off;
        const double a0 = a[0];
        for (size_t o = 0; o < len; o++)
            out[o] = base[o] + a0 * k0[o];
    } else {
        for (size_t o = 0; o < len; o++)
            out[o] = base[o];
    }
    for (int j = 1; j < nk; j++) {
        const double *restrict kj = ks[j] + off;
        const double aj = a[j];
        if (aj == 0)
            continue;
        for (size_t o = 0; o < len; o++)
            out[o] += aj * kj[o];
    }
}

/* Normalize one tile; returns the sum of |v|^2 (NaN if any is not finite). */
MM_CLONES static double tile_norm(size_t len, double *restrict x, double *restrict y, double *restrict z)
{
    double sum = 0;
    for (size_t o = 0; o < len; o++) {
        const double r2 = x[o] * x[o] + y[o] * y[o] + z[o] * z[o];
        const double s = r2 > 0 ? 1.0 / sqrt(r2) : 0.0;
        sum += r2;
        x[o] *= s;
        y[o] *= s;
        z[o] *= s;
    }
    return sum;
}

static int run_pass(mm_film *f, pass_t *p, const mm_clock *ck)
{
    const size_t n = f->n, ntiles = (n + MM_TILE - 1) / MM_TILE;
    const int nt = f->nterms;
    mh_threads_adapt(); /* fit the team to the CPUs free now (a clock read) */
    if (p->k)
        f->evals++;
    if (p->k)
        for (int i = 0; i < nt; i++)
            if (f->terms[i]->prepare) {
                int st = f->terms[i]->prepare(f->terms[i], f, p->y, ck);
                if (st != MH_OK)
                    return st;
            }
    double c1 = 0, c2 = 0;
    if (p->mode == MODE_LLG) {
        c1 = -f->gamma / (1.0 + f->alpha * f->alpha);
        c2 = c1 * f->alpha;
    } else if (p->mode == MODE_RELAX) {
        c2 = -0.5 * f->gamma; /* alpha = 1 damping-only: the fastest stable descent rate */
    } else {
        c2 = -1.0;
    }
    const pass_t P = *p; /* local copy: stores through out/k cannot alias it */
    double errmax = 0, tqmax = 0, chk = 0;
    long lt;
#pragma omp parallel reduction(max : errmax, tqmax) reduction(+ : chk) if (ntiles > 1)
    {
        double Ht[3 * MM_TILE];
#pragma omp for schedule(dynamic, 1)
        for (lt = 0; lt < (long)ntiles; lt++) {
            const size_t c0 = (size_t)lt * MM_TILE, c1t = c0 + MM_TILE < n ? c0 + MM_TILE : n;
            const size_t len = c1t - c0;
            if (P.k) {
                for (int q = 0; q < 3; q++)
                    memset(Ht + q * MM_TILE, 0, len * sizeof(double));
                for (int i = 0; i < nt; i++)
                    f->terms[i]->add(f->terms[i], f, P.y, ck, c0, c1t, Ht, MM_TILE, 0);
                double t = tile_rhs(len, P.y + c0, P.y + n + c0, P.y + 2 * n + c0, Ht, P.k + c0,
                                    P.k + n + c0, P.k + 2 * n + c0, c1, c2);
                tqmax = t > tqmax ? t : tqmax;
            }
            if (P.out) {
                for (int q = 0; q < 3; q++) {
                    size_t off = c0 + (size_t)q * n;
                    tile_comb(len, P.out + off, P.base + off, P.nk, P.ks, P.a, off);
                }
                if (P.norm)
                    chk += tile_norm(len, P.out + c0, P.out + n + c0, P.out + 2 * n + c0);
            }
            if (P.ne) {
                double *ex = Ht, *ey = Ht + MM_TILE, *ez = Ht + 2 * MM_TILE;
                for (int q = 0; q < 3; q++) {
                    double *restrict eq = Ht + q * MM_TILE;
                    size_t off = c0 + (size_t)q * n;
                    for (size_t o = 0; o < len; o++)
                        eq[o] = 0;
                    for (int j = 0; j < P.ne; j++) {
                        const double *restrict sj = P.es[j] + off;
                        const double ej = P.e[j];
                        if (ej == 0)
                            continue;
                        for (size_t o = 0; o < len; o++)
                            eq[o] += ej * sj[o];
                    }
                }
                double em = 0, sum = 0;
                for (size_t o = 0; o < len; o++) {
                    double s2 = ex[o] * ex[o] + ey[o] * ey[o] + ez[o] * ez[o];
                    em = s2 > em ? s2 : em;
                    sum += s2;
                }
                errmax = em > errmax ? em : errmax;
                chk += sum; /* NaN anywhere makes the sum NaN */
            }
        }
    }
    /* chk sums finite squares; NaN means some value is not finite */
    p->errmax = isfinite(chk) ? sqrt(errmax) : INFINITY;
    p->bad = !isfinite(chk);
    p->tqmax = sqrt(tqmax);
    return MH_OK;
}

static void pass_comb(pass_t *p, double *out, const double *base, int nk, const double *const *ks,
                      const double *a, int norm)
{
    p->out = out;
    p->base = base;
    p->nk = nk;
    for (int j = 0; j < nk; j++) {
        p->ks[j] = ks[j];
        p->a[j] = a[j];
    }
    p->norm = norm;
}

static void swap_m(mm_film *f, double **buf)
{
    double *t = f->m;
    f->m = *buf;
    *buf = t;
}

/* --- Dormand–Prince 5(4) tableau --- */
static const double DP_C[7] = {0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1};
static const double DP_A[7][6] = {
    {0},
    {1.0 / 5},
    {3.0 / 40, 9.0 / 40},
    {44.0 / 45, -56.0 / 15, 32.0 / 9},
    {19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729},
    {9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656},
    {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84}};
/* b - b*: the embedded 4th-order error weights (k1..k7) */
static const double DP_E[7] = {71.0 / 57600, 0, -71.0 / 16695, 71.0 / 1920, -17253.0 / 339200,
                               22.0 / 525, -1.0 / 40};

/* One attempted DP step of length h from (f->m, t0); k[0] must hold the rhs
 * at the start. On return ys[1] holds the normalized new state, k[6] its rhs,
 * *err the error estimate and *tq the max torque at the new state. */
static int dp_attempt(mm_film *f, mm_work *w, int mode, double t0, double h, int advance, double *err,
                      double *tq)
{
    pass_t p;
    mm_clock ck = {t0, 0.0, f->step};
    double a[7];
    int st;
    /* stage 2 state from k1 alone */
    memset(&p, 0, sizeof p);
    a[0] = h * DP_A[1][0];
    pass_comb(&p, w->ys[0], f->m, 1, (const double *const *)w->k, a, 0);
    if ((st = run_pass(f, &p, &ck)) != MH_OK)
        return st;
    int cur = 0;
    for (int s = 1; s < 7; s++) {
        memset(&p, 0, sizeof p);
        p.y = w->ys[cur];
        p.k = w->k[s];
        p.mode = mode;
        ck.t = advance ? t0 + DP_C[s] * h : t0;
        if (s < 6) {
            for (int j = 0; j <= s; j++)
                a[j] = h * DP_A[s + 1][j];
            pass_comb(&p, w->ys[1 - cur], f->m, s + 1, (const double *const *)w->k, a, s == 5);
        } else {
            p.ne = 7;
            for (int j = 0; j < 7; j++) {
                p.es[j] = w->k[j];
                p.e[j] = h * DP_E[j];
            }
        }
        if ((st = run_pass(f, &p, &ck)) != MH_OK)
            return st;
        if (s < 6)
            cur = 1 - cur;
        else {
            *err = p.errmax;
            *tq = p.tqmax;
        }
    }
    /* stages alternate 0,1,0,1,0 so the normalized new state is in ys[1] */
    return MH_OK;
}

static int fsal_ok(const mm_film *f, const mm_work *w, int mode)
{
    return w->fsal_valid && w->fsal_mode == mode && w->fsal_version == f->version && w->fsal_t == f->t;
}

static int first_stage(mm_film *f, mm_work *w, int mode, double *tq)
{
    pass_t p;
    memset(&p, 0, sizeof p);
    p.y = f->m;
    p.k = w->k[0];
    p.mode = mode;
    mm_clock ck = {f->t, 0.0, f->step};
    int st = run_pass(f, &p, &ck);
    if (st != MH_OK)
        return st;
    if (tq)
        *tq = p.tqmax;
    w->fsal_valid = 1;
    w->fsal_mode = mode;
    w->fsal_version = f->version;
    w->fsal_t = f->t;
    return MH_OK;
}

/* Adaptive DP step (mode LLG or RELAX); time advances only in LLG mode. */
static int dp_step(mm_film *f, mm_work *w, int mode, double *dt, double tol, double t_end, double *tq)
{
    int st;
    if (!fsal_ok(f, w, mode) && (st = first_stage(f, w, mode, NULL)) != MH_OK)
        return st;
    const int advance = mode == MODE_LLG;
    for (int tries = 0;; tries++) {
        double h = *dt;
        int clipped = 0;
        if (advance && f->t + h >= t_end) {
            h = t_end - f->t;
            clipped = 1;
        }
        if (clipped && h < 1e-9 * *dt) {
            /* a rounding sliver before t_end: the state cannot change */
            f->t = t_end;
            w->fsal_t = f->t;
            return MH_OK;
        }
        if (!(h > 0) || h < 1e-22 || tries > 200)
            return MH_ENOCONV;
        double err = 0, tqn = 0;
        if ((st = dp_attempt(f, w, mode, f->t, h, advance, &err, &tqn)) != MH_OK)
            return st;
        double fac = err > 0 ? 0.9 * pow(tol / err, 0.2) : 5.0;
        if (!isfinite(fac))
            fac = 0.1;
        if (err <= tol) {
            swap_m(f, &w->ys[1]);
            double *t = w->k[0];
            w->k[0] = w->k[6];
            w->k[6] = t;
            if (advance)
                f->t = clipped ? t_end : f->t + h;
            f->step++;
            f->accepted++;
            f->last_err = err;
            f->last_dt = h;
            w->fsal_t = f->t;
            w->fsal_version = f->version;
            if (isinf(tol))
                ; /* fixed-step Dormand–Prince (convergence studies): keep dt */
            else if (!clipped || fac < 1.0)
                *dt = h * fmin(5.0, fmax(0.2, fac));
            if (tq)
                *tq = tqn;
            return MH_OK;
        }
        f->rejected++;
        f->last_err = err;
        *dt = h * fmax(0.1, fmin(0.9, fac));
    }
}

/* A fixed-step explicit Runge–Kutta scheme whose stage s+1 starts from
 * m + h c[s+1] k_s (Heun, classic RK4) and whose result, normalized, is
 * m + sum_j (h / bdiv[j]) k_j. */
typedef struct {
    int stages;
    double c[4];    /* stage times, fractions of h */
    double bdiv[4]; /* result weights as divisors of h (h/6 rounds once, h*(1/6) twice) */
} rk_fixed;

static const rk_fixed RK_HEUN = {2, {0, 1}, {2, 2}};
static const rk_fixed RK_RK4 = {4, {0, 0.5, 0.5, 1}, {6, 3, 3, 6}};

/* One step of length h; on MH_OK f->m holds the new state. */
static int rk_fixed_step(mm_film *f, mm_work *w, const rk_fixed *rk, double h)
{
    pass_t p;
    mm_clock ck = {f->t, h, f->step};
    int st, last = rk->stages - 1;
    const double *ks[4] = {w->k[0], w->k[1], w->k[2], w->k[3]};
    for (int s = 0; s <= last; s++) {
        memset(&p, 0, sizeof p);
        p.y = s == 0 ? f->m : w->ys[(s - 1) & 1];
        p.k = w->k[s];
        if (s > 0)
            ck.t = f->t + rk->c[s] * h;
        if (s < last) {
            double a = h * rk->c[s + 1];
            pass_comb(&p, w->ys[s & 1], f->m, 1, &ks[s], &a, 0);
        } else {
            double a[4];
            for (int j = 0; j <= last; j++)
                a[j] = h / rk->bdiv[j];
            pass_comb(&p, w->ys[last & 1], f->m, rk->stages, ks, a, 1);
        }
        if ((st = run_pass(f, &p, &ck)) != MH_OK)
            return st;
        if (p.bad)
            return MH_ENOCONV; /* not finite: m is left as it was */
    }
    swap_m(f, &w->ys[last & 1]);
    return MH_OK;
}

int mm_llg_step(mm_film *f, mm_solver s, double *dt, double tol, double t_end)
{
    mm_work *w;
    int st;
    if (!(*dt > 0) || !isfinite(*dt) || !(t_end > f->t))
        return MH_EINVAL;
    if (s == MM_RK45 && (!(tol > 0) || f->temperature > 0))
        return MH_EINVAL;
    if ((st = work_get(f, &w)) != MH_OK)
        return st;
    if (s == MM_RK45)
        return dp_step(f, w, MODE_LLG, dt, tol, t_end, NULL);
    double h = *dt;
    int clipped = 0;
    if (f->t + h >= t_end - 1e-9 * h) {
        h = t_end - f->t;
        clipped = 1;
    }
    st = rk_fixed_step(f, w, s == MM_HEUN ? &RK_HEUN : &RK_RK4, h);
    if (st != MH_OK)
        return st;
    w->fsal_valid = 0;
    f->t = clipped ? t_end : f->t + h;
    f->step++;
    f->accepted++;
    f->last_dt = h;
    f->last_err = 0;
    return MH_OK;
}

/* Progress of a torque descent from tq0 to the target: the fraction of the
 * way in log(torque), and "step N, torque X A/m (target Y)". */
static void torque_progress(mm_film *f, const char *what, long n, double tq0, double tq, double target)
{
    if (!f->meter)
        return;
    /* the fraction follows the lowest torque so far: it never goes back */
    if (n <= 1 || tq < f->meter->best)
        f->meter->best = tq;
    if (!mh_meter_due(f->meter))
        return;
    double low = f->meter->best;
    double frac = tq0 > target && low > 0 && low < tq0 ? log(tq0 / low) / log(tq0 / target) : -1;
    char detail[96];
    snprintf(detail, sizeof detail, "%s %ld, max torque %.3g A/m (target %.3g)", what, n, tq, target);
    mh_meter_show(f->meter, frac > 0 ? frac : -1, detail);
}

int mm_relax(mm_film *f, double torque, double tol, long max_steps, long *steps, double *torque_out)
{
    mm_work *w;
    int st;
    long done = 0;
    double tq = 0, dt;
    if (!(torque > 0) || !(tol > 0))
        return MH_EINVAL;
    if ((st = work_get(f, &w)) != MH_OK)
        return st;
    if ((st = first_stage(f, w, MODE_RELAX, &tq)) != MH_OK)
        return st;
    /* Near equilibrium the step size sits at the stability limit of the
     * stiffest (exchange) modes, whose amplitude the error control only holds
     * at about tol; the torque then stalls at a noise floor. When the torque
     * has not improved for a while, tighten tol so those modes decay. The
     * stopping rule stays the torque threshold itself. */
    double best = tq, tq0 = tq;
    long since = 0;
    dt = 1e-14;
    while (tq > torque && done < max_steps) {
        if ((st = dp_step(f, w, MODE_RELAX, &dt, tol, INFINITY, &tq)) != MH_OK)
            break;
        done++;
        torque_progress(f, "step", done, tq0, tq, torque);
        if (tq < 0.95 * best) {
            best = tq;
            since = 0;
        } else if (++since >= 30 && tol > 1e-12) {
            tol *= 0.25;
            since = 0;
            best = tq;
        }
    }
    w->fsal_valid = 0;
    if (steps)
        *steps = done;
    if (torque_out)
        *torque_out = tq;
    if (st != MH_OK)
        return st;
    return tq <= torque ? MH_OK : MH_ENOCONV;
}

/* Dot products over the mask of (a - b).(c - d) style sums used by BB:
 * ss = |m1 - m0|^2, sy = -(m1 - m0).(d1 - d0), yy = |d1 - d0|^2. */
static void bb_sums(const mm_film *f, const mm_work *w, const double *m0, const double *m1,
                    const double *d0, const double *d1, double out[3])
{
    const size_t n = f->n, ntiles = (n + MM_TILE - 1) / MM_TILE;
    double *part = w->part;
    long lt;
#pragma omp parallel for schedule(dynamic, 1) if (ntiles > 1)
    for (lt = 0; lt < (long)ntiles; lt++) {
        const size_t c0 = (size_t)lt * MM_TILE, c1 = c0 + MM_TILE < n ? c0 + MM_TILE : n;
        double ss = 0, sy = 0, yy = 0;
        for (size_t i = 0; i < 3; i++)
            for (size_t c = c0 + i * n; c < c1 + i * n; c++) {
                double s = m1[c] - m0[c], y = d1[c] - d0[c];
                ss += s * s;
                sy -= s * y;
                yy += y * y;
            }
        part[3 * lt] = ss;
        part[3 * lt + 1] = sy;
        part[3 * lt + 2] = yy;
    }
    out[0] = out[1] = out[2] = 0;
    for (size_t t = 0; t < ntiles; t++)
        for (int q = 0; q < 3; q++)
            out[q] += part[3 * t + q];
}

int mm_minimize(mm_film *f, double torque, long max_iter, long *iters, double *torque_out)
{
    mm_work *w;
    int st;
    long it = 0;
    double tq = 0;
    if (!(torque > 0))
        return MH_EINVAL;
    if ((st = work_get(f, &w)) != MH_OK)
        return st;
    w->fsal_valid = 0;
    mm_clock ck = {f->t, 0.0, f->step};
    pass_t p;
    memset(&p, 0, sizeof p);
    p.y = f->m;
    p.k = w->k[0];
    p.mode = MODE_DESCENT;
    if ((st = run_pass(f, &p, &ck)) != MH_OK)
        return st;
    tq = p.tqmax;
    const double tq0 = tq;
    /* first step: move the most-torqued cell by about 0.01 rad */
    double tau = tq > 0 ? 1e-2 / tq : 0;
    while (tq > torque && it < max_iter) {
        const double *ks[1] = {w->k[0]};
        memset(&p, 0, sizeof p);
        pass_comb(&p, w->ys[0], f->m, 1, ks, &tau, 1);
        if ((st = run_pass(f, &p, &ck)) != MH_OK)
            break;
        memset(&p, 0, sizeof p);
        p.y = w->ys[0];
        p.k = w->k[1];
        p.mode = MODE_DESCENT;
        if ((st = run_pass(f, &p, &ck)) != MH_OK)
            break;
        double s[3];
        bb_sums(f, w, f->m, w->ys[0], w->k[0], w->k[1], s);
        swap_m(f, &w->ys[0]);
        double *t = w->k[0];
        w->k[0] = w->k[1];
        w->k[1] = t;
        tq = p.tqmax;
        it++;
        torque_progress(f, "iteration", it, tq0, tq, torque);
        double tn = (it & 1) ? s[0] / s[1] : s[1] / s[2];
        if (!(tn > 0) || !isfinite(tn))
            tn = tq > 0 ? 1e-2 / tq : tau;
        /* keep a single step below ~0.3 rad anywhere */
        if (tq > 0 && tn * tq > 0.3)
            tn = 0.3 / tq;
        tau = tn;
    }
    f->version++;
    if (iters)
        *iters = it;
    if (torque_out)
        *torque_out = tq;
    if (st != MH_OK)
        return st;
    return tq <= torque ? MH_OK : MH_ENOCONV;
}
