/* rules.c — outer-product, Storkey and pseudo-inverse learning rules. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mh_common.h"
#include "dense.h"
#include "rules.h"

void mh_rule_outer(int p, int n, const double *x, double *w)
{
    memset(w, 0, sizeof(double) * (size_t)n * n);
    for (int u = 0; u < p; u++) {
        const double *xu = x + (size_t)u * n;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (i != j)
                    w[(size_t)i * n + j] += xu[i] * xu[j] / n;
    }
}

int mh_rule_storkey(int p, int n, const double *x, double *w)
{
    double *h = malloc(sizeof(double) * (size_t)n);
    if (!h)
        return MH_ENOMEM;
    memset(w, 0, sizeof(double) * (size_t)n * n);
    for (int u = 0; u < p; u++) {
        const double *xu = x + (size_t)u * n;
        /* full local fields h_i = sum_k w_ik x_k (diagonal is zero) */
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int k = 0; k < n; k++)
                s += w[(size_t)i * n + k] * xu[k];
            h[i] = s;
        }
        /* h_ij = h_i - w_ii x_i - w_ij x_j = h_i - w_ij x_j; update symmetric
         * pairs from the old weights, so compute all deltas first. */
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) {
                double wij = w[(size_t)i * n + j];
                double hij = h[i] - wij * xu[j];
                double hji = h[j] - wij * xu[i];
                double d = (xu[i] * xu[j] - xu[i] * hji - hij * xu[j]) / n;
                w[(size_t)j * n + i] = wij + d; /* lower triangle holds new values */
            }
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                w[(size_t)i * n + j] = w[(size_t)j * n + i];
    }
    free(h);
    return MH_OK;
}

int mh_rule_pinv(int p, int n, const double *x, double *w, int keep_diag)
{
    /* Y = C^{-1} X (p x n); then w_ij = (1/n) sum_u x^u_i Y_uj. */
    double *c = malloc(sizeof(double) * (size_t)p * p);
    double *y = malloc(sizeof(double) * (size_t)p * n);
    if (!c || !y) {
        free(c);
        free(y);
        return MH_ENOMEM;
    }
    for (int u = 0; u < p; u++)
        for (int v = 0; v < p; v++) {
            double s = 0;
            for (int i = 0; i < n; i++)
                s += x[(size_t)u * n + i] * x[(size_t)v * n + i];
            c[u * p + v] = s / n;
        }
    memcpy(y, x, sizeof(double) * (size_t)p * n);
    int st = mh_dense_solve(p, n, c, y);
    if (st == MH_OK) {
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int u = 0; u < p; u++)
                    s += x[(size_t)u * n + i] * y[(size_t)u * n + j];
                w[(size_t)i * n + j] = (i == j && !keep_diag) ? 0 : s / n;
            }
    }
    free(c);
    free(y);
    return st;
}
