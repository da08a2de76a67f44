/* hopfield.c — Hopfield energy, recall and landscape. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hopfield.h"
#include "mh_common.h"
#include "rng.h"

double mh_hop_energy(int n, const double *w, const double *s)
{
    double e = 0;
    for (int i = 0; i < n; i++) {
        double h = 0;
        for (int j = 0; j < n; j++)
            h += w[(size_t)i * n + j] * s[j];
        e -= s[i] * h;
    }
    return e;
}

static double local_field(int n, const double *w, const double *s, int i)
{
    const double *row = w + (size_t)i * n;
    double h = 0;
    for (int j = 0; j < n; j++)
        h += row[j] * s[j];
    return h - row[i] * s[i];
}

/* Recall keeps the local fields h in step with s: a flip of node j adds
 * 2 s_j w_ij to every h_i (w symmetric, so row j serves as column j), which
 * makes a quiet sweep O(n) instead of O(n^2). Near a tie the field is
 * recomputed exactly, so decisions match the direct formula. */
typedef struct {
    int n;
    const double *w;
    double *s, *h, *absrow; /* absrow_i = sum_j |w_ij|: scale for ties */
} field_state;

static double decide_field(field_state *f, int i)
{
    double h = f->h[i];
    if (fabs(h) <= 1e-9 * f->absrow[i])
        h = f->h[i] = local_field(f->n, f->w, f->s, i);
    return h;
}

static void apply_flip(field_state *f, int j)
{
    const double *row = f->w + (size_t)j * f->n;
    double d = -2.0 * f->s[j]; /* s_j changes by d */
    f->s[j] = -f->s[j];
    for (int i = 0; i < f->n; i++)
        if (i != j)
            f->h[i] += row[i] * d;
}

static int field_init(field_state *f, int n, const double *w, double *s)
{
    f->n = n;
    f->w = w;
    f->s = s;
    f->h = malloc(sizeof(double) * 2 * (size_t)n);
    if (!f->h)
        return MH_ENOMEM;
    f->absrow = f->h + n;
#pragma omp parallel for if (n >= 512) schedule(static)
    for (int i = 0; i < n; i++) {
        double a = 0;
        for (int j = 0; j < n; j++)
            a += fabs(w[(size_t)i * n + j]);
        f->absrow[i] = a;
        f->h[i] = local_field(n, w, s, i);
    }
    return MH_OK;
}

/* Where a recall gets its local fields: from the weights (field_state,
 * incremental) or from a caller's function (the physical inference). */
typedef struct {
    int (*field)(void *ctx, int i, double *h); /* h_i of the current state */
    void (*flip)(void *ctx, int i);            /* s_i = -s_i (and bookkeeping) */
    void *ctx;
} field_source;

static int weights_field(void *ctx, int i, double *h)
{
    *h = decide_field(ctx, i);
    return MH_OK;
}

static void weights_flip(void *ctx, int i)
{
    apply_flip(ctx, i);
}

typedef struct {
    int n;
    double *s;
    mh_local_field_fn fn;
    void *ud;
} fn_source;

static int fn_field(void *ctx, int i, double *h)
{
    fn_source *c = ctx;
    return c->fn(c->ud, c->n, c->s, i, h);
}

static void fn_flip(void *ctx, int i)
{
    fn_source *c = ctx;
    c->s[i] = -c->s[i];
}

/* One sweep: visit the nodes order[0..n) (0..n-1 when order is NULL); a
 * node whose field is nonzero and opposes its sign wants to flip. It flips
 * at once when flip is NULL (asynchronous) or is listed in flip[]
 * (synchronous: the caller flips after the sweep). Counts the sweep in info,
 * converged when no node wants to flip, and returns MH_OK with that number
 * of nodes in *nflip, or the field source's status (the sweep not counted). */
static int sweep(int n, const double *s, const int *order, field_source *src, int *flip,
                 int *nflip, mh_recall_info *info)
{
    int count = 0;
    for (int k = 0; k < n; k++) {
        int i = order ? order[k] : k;
        double h = 0;
        int st = src->field(src->ctx, i, &h);
        if (st != MH_OK)
            return st;
        if (h != 0 && (h > 0) != (s[i] > 0)) {
            if (flip)
                flip[count] = i;
            else
                src->flip(src->ctx, i);
            count++;
        }
    }
    *nflip = count;
    info->sweeps++;
    info->converged = count == 0;
    return MH_OK;
}

static int recall_async(int n, double *s, uint64_t seed, int max_sweeps, field_source *src,
                        mh_recall_info *info)
{
    int *order = malloc(sizeof(int) * (size_t)n);
    if (!order)
        return MH_ENOMEM;
    mh_rng rng;
    mh_rng_seed(&rng, seed);
    int st = MH_OK, nflip;
    while (st == MH_OK && !info->converged && info->sweeps < max_sweeps) {
        mh_rng_permutation(&rng, n, order);
        st = sweep(n, s, order, src, NULL, &nflip, info);
    }
    free(order);
    return st;
}

static int recall_sync(int n, double *s, int max_sweeps, field_source *src, mh_recall_info *info)
{
    double *prev = malloc(sizeof(double) * (size_t)n); /* state two steps back */
    int *flip = malloc(sizeof(int) * (size_t)n);
    if (!prev || !flip) {
        free(prev);
        free(flip);
        return MH_ENOMEM;
    }
    int have_prev = 0, st = MH_OK, nflip;
    while (info->sweeps < max_sweeps) {
        st = sweep(n, s, NULL, src, flip, &nflip, info);
        if (st != MH_OK || info->converged)
            break;
        /* a 2-cycle: the next state equals the one before the current */
        int cycle = have_prev;
        for (int k = 0, i = 0; cycle && i < n; i++) {
            double next = (k < nflip && flip[k] == i) ? (k++, -s[i]) : s[i];
            cycle = next == prev[i];
        }
        memcpy(prev, s, sizeof(double) * n);
        have_prev = 1;
        /* all flips use the fields of the old state: flip after deciding */
        for (int k = 0; k < nflip; k++)
            src->flip(src->ctx, flip[k]);
        if (cycle) {
            info->cycle = 1;
            break;
        }
    }
    free(prev);
    free(flip);
    return st;
}

static int recall(int n, double *s, int mode, uint64_t seed, int max_sweeps, field_source *src,
                  mh_recall_info *info)
{
    memset(info, 0, sizeof *info);
    if (mode == MH_RECALL_ASYNC)
        return recall_async(n, s, seed, max_sweeps, src, info);
    return recall_sync(n, s, max_sweeps, src, info);
}

int mh_hop_recall(int n, const double *w, double *s, int mode, uint64_t seed, int max_sweeps,
                  mh_recall_info *info)
{
    field_state f;
    if (field_init(&f, n, w, s) != MH_OK) {
        memset(info, 0, sizeof *info);
        return MH_ENOMEM;
    }
    field_source src = {weights_field, weights_flip, &f};
    int st = recall(n, s, mode, seed, max_sweeps, &src, info);
    free(f.h);
    return st;
}

int mh_recall(int n, double *s, int mode, uint64_t seed, int max_sweeps, mh_local_field_fn fn,
              void *ud, mh_recall_info *info)
{
    fn_source c = {n, s, fn, ud};
    field_source src = {fn_field, fn_flip, &c};
    return recall(n, s, mode, seed, max_sweeps, &src, info);
}

void mh_hop_landscape(int n, const double *w, double *e)
{
    /* Start at all +1; flipping node i changes E by 4 s_i h_i (symmetric w). */
    double s[32] = {0}, h[32] = {0};
    for (int i = 0; i < n; i++)
        s[i] = 1.0;
    for (int i = 0; i < n; i++)
        h[i] = local_field(n, w, s, i);
    double energy = mh_hop_energy(n, w, s);
    uint64_t total = (uint64_t)1 << n;
    e[0] = energy;
    for (uint64_t g = 1; g < total; g++) {
        int bit = __builtin_ctzll(g);     /* Gray code flips bit `bit` */
        int i = n - 1 - bit;              /* node whose sign flips */
        energy += 4.0 * s[i] * h[i];
        s[i] = -s[i];
        for (int j = 0; j < n; j++)
            if (j != i)
                h[j] += 2.0 * w[(size_t)j * n + i] * s[i];
        uint64_t k = g ^ (g >> 1);
        e[k] = energy;
    }
}
