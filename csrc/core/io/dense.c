/* dense.c — Gaussian elimination with partial pivoting (see dense.h). */
#include <math.h>

#include "dense.h"
#include "mh_common.h"

static void swap_rows(double *x, int cols, int r1, int r2)
{
    for (int j = 0; j < cols; j++) {
        double t = x[r1 * cols + j];
        x[r1 * cols + j] = x[r2 * cols + j];
        x[r2 * cols + j] = t;
    }
}

int mh_dense_solve(int m, int k, double *a, double *b)
{
    double big = 0;
    for (int i = 0; i < m * m; i++)
        big = fmax(big, fabs(a[i]));
    for (int c = 0; c < m; c++) {
        int piv = c;
        for (int r = c + 1; r < m; r++)
            if (fabs(a[r * m + c]) > fabs(a[piv * m + c]))
                piv = r;
        if (!(fabs(a[piv * m + c]) > 1e-12 * big))
            return MH_ESINGULAR;
        if (piv != c) {
            swap_rows(a, m, c, piv);
            swap_rows(b, k, c, piv);
        }
        for (int r = c + 1; r < m; r++) {
            double f = a[r * m + c] / a[c * m + c];
            for (int j = c; j < m; j++)
                a[r * m + j] -= f * a[c * m + j];
            for (int j = 0; j < k; j++)
                b[r * k + j] -= f * b[c * k + j];
        }
    }
    for (int r = m - 1; r >= 0; r--)
        for (int j = 0; j < k; j++) {
            double s = b[r * k + j];
            for (int q = r + 1; q < m; q++)
                s -= a[r * m + q] * b[q * k + j];
            b[r * k + j] = s / a[r * m + r];
        }
    return MH_OK;
}
