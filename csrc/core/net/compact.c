/* compact.c — Eq. (2) of the paper and its cost function. */
#include <stdlib.h>
#include <string.h>

#include "compact.h"
#include "mh_common.h"

void mh_kirchhoff(int n, double *g)
{
    for (int i = 0; i < n; i++) {
        double s = 0;
        for (int j = 0; j < n; j++) {
            if (j < i)
                g[i * n + j] = g[j * n + i];
            if (j != i)
                s += g[i * n + j];
        }
        g[i * n + i] = -s;
    }
}

int mh_compact_init(mh_compact *c, int n, double eta, const double *alpha, const double *gavg,
                    const double *g0)
{
    memset(c, 0, sizeof *c);
    if (n < 2 || !(eta > 0))
        return MH_EINVAL;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (!(alpha[i * n + j] > 0) || !(alpha[i * n + j] * eta < 1.0))
                return MH_EINVAL; /* 2 alpha eta >= 2: Eq. 2 diverges */
    size_t bytes = sizeof(double) * (size_t)n * n;
    c->alpha = malloc(bytes);
    c->gavg = malloc(bytes);
    c->g = malloc(bytes);
    if (!c->alpha || !c->gavg || !c->g) {
        mh_compact_clear(c);
        return MH_ENOMEM;
    }
    c->n = n;
    c->eta = eta;
    memcpy(c->alpha, alpha, bytes);
    memcpy(c->gavg, gavg, bytes);
    memcpy(c->g, g0, bytes);
    /* alpha is symmetric by definition; take the upper triangle */
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            c->alpha[i * n + j] = c->alpha[j * n + i];
    mh_kirchhoff(n, c->gavg);
    mh_kirchhoff(n, c->g);
    return MH_OK;
}

void mh_compact_clear(mh_compact *c)
{
    free(c->alpha);
    free(c->gavg);
    free(c->g);
    c->alpha = c->gavg = c->g = NULL;
    c->n = 0;
}

void mh_compact_pulse(mh_compact *c, const double *x, long count)
{
    int n = c->n;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            double xx = x[i] * x[j], a2 = 2.0 * c->alpha[i * n + j];
            double avg = c->gavg[i * n + j], g = c->g[i * n + j];
            for (long p = 0; p < count; p++)
                g += c->eta * (xx - a2 * (g - avg));
            c->g[i * n + j] = g;
        }
    mh_kirchhoff(n, c->g);
}

double mh_compact_cost(const mh_compact *c, const double *x, const double *g)
{
    int n = c->n;
    if (!g)
        g = c->g;
    double cost = 0;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            double d = g[i * n + j] - c->gavg[i * n + j];
            cost += -x[i] * x[j] * g[i * n + j] + c->alpha[i * n + j] * d * d;
        }
    return cost;
}

void mh_compact_grad(const mh_compact *c, const double *x, const double *g, double *grad)
{
    int n = c->n;
    if (!g)
        g = c->g;
    for (int i = 0; i < n; i++) {
        grad[i * n + i] = 0;
        for (int j = i + 1; j < n; j++) {
            double d = -x[i] * x[j] + 2.0 * c->alpha[i * n + j] * (g[i * n + j] - c->gavg[i * n + j]);
            grad[i * n + j] = grad[j * n + i] = d;
        }
    }
}
