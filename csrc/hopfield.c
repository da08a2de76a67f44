/* hopfield.c — Hopfield energy, recall and landscape. */
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

static int recall_async(int n, const double *w, double *s, uint64_t seed, int max_sweeps,
                        mh_recall_info *info)
{
    int *order = malloc(sizeof(int) * (size_t)n);
    if (!order)
        return MH_ENOMEM;
    mh_rng rng;
    mh_rng_seed(&rng, seed);
    while (info->sweeps < max_sweeps) {
        int flips = 0;
        mh_rng_permutation(&rng, n, order);
        for (int k = 0; k < n; k++) {
            int i = order[k];
            double h = local_field(n, w, s, i);
            if (h != 0 && (h > 0) != (s[i] > 0)) {
                s[i] = -s[i];
                flips++;
            }
        }
        info->sweeps++;
        if (!flips) {
            info->converged = 1;
            break;
        }
    }
    free(order);
    return MH_OK;
}

static int recall_sync(int n, const double *w, double *s, int max_sweeps, mh_recall_info *info)
{
    double *next = malloc(sizeof(double) * 2 * (size_t)n);
    if (!next)
        return MH_ENOMEM;
    double *prev = next + n; /* state two steps back, for 2-cycles */
    int have_prev = 0;
    while (info->sweeps < max_sweeps) {
#pragma omp parallel for if (n >= 512) schedule(static)
        for (int i = 0; i < n; i++) {
            double h = local_field(n, w, s, i);
            next[i] = h > 0 ? 1.0 : h < 0 ? -1.0 : s[i];
        }
        info->sweeps++;
        if (!memcmp(next, s, sizeof(double) * n)) {
            info->converged = 1;
            break;
        }
        if (have_prev && !memcmp(next, prev, sizeof(double) * n)) {
            info->cycle = 1;
            memcpy(s, next, sizeof(double) * n);
            break;
        }
        memcpy(prev, s, sizeof(double) * n);
        have_prev = 1;
        memcpy(s, next, sizeof(double) * n);
    }
    free(next);
    return MH_OK;
}

int mh_hop_recall(int n, const double *w, double *s, int mode, uint64_t seed, int max_sweeps,
                  mh_recall_info *info)
{
    memset(info, 0, sizeof *info);
    if (mode == MH_RECALL_ASYNC)
        return recall_async(n, w, s, seed, max_sweeps, info);
    return recall_sync(n, w, s, max_sweeps, info);
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
