/* spsolve_cholmod.c — the "cholmod" method of spsolve.h: sparse direct
 * Cholesky (SuiteSparse CHOLMOD, simplicial LL'), symbolic analysis once
 * per pattern, numeric factorization per setup, all right-hand sides in
 * one solve; plus the sparse-aware triangular solves behind the direct
 * Schur product. Columns are spread over threads, each one computed
 * serially, so results do not depend on the thread count. */
#include <stdlib.h>
#include <string.h>

#include <suitesparse/cholmod.h>

#include "mh_threads.h"
#include "mh_common.h"
#include "spsolve_impl.h"

struct mh_sp_chol {
    cholmod_common cc;
    cholmod_sparse *Ac; /* upper triangle, CSC */
    cholmod_factor *L;
};

/* Upper triangle of symmetric CSR row j = column j of the CSC upper part. */
static void fill_upper_csc(cholmod_sparse *Ac, const mh_csr *A)
{
    int *p = Ac->p, *ii = Ac->i, q = 0;
    double *x = Ac->x;
    for (int j = 0; j < A->n; j++) {
        p[j] = q;
        for (int t = A->rowptr[j]; t < A->rowptr[j + 1]; t++)
            if (A->col[t] <= j) {
                ii[q] = A->col[t];
                x[q] = A->val[t];
                q++;
            }
    }
    p[A->n] = q;
}

void mh_sp_chol_free(mh_sp_chol *s)
{
    if (!s)
        return;
    if (s->L)
        cholmod_free_factor(&s->L, &s->cc);
    if (s->Ac)
        cholmod_free_sparse(&s->Ac, &s->cc);
    cholmod_finish(&s->cc);
    free(s);
}

mh_sp_chol *mh_sp_chol_new(const mh_csr *A)
{
    mh_sp_chol *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    cholmod_start(&s->cc);
    s->cc.print = 0;
    /* Simplicial LL' lets mh_spsolver_schur run its own sparse-aware
     * forward substitution; with the reference BLAS the supernodal
     * kernels were also slower on these 2-D problems. Nested
     * dissection pays off on large grids; the analysis is done once. */
    s->cc.supernodal = CHOLMOD_SIMPLICIAL;
    s->cc.final_ll = 1;
    s->cc.nmethods = 1;
    s->cc.method[0].ordering = A->n > 20000 ? CHOLMOD_METIS : CHOLMOD_AMD;
    s->cc.postorder = 1;
    int nnzu = 0;
    for (int j = 0; j < A->n; j++)
        for (int t = A->rowptr[j]; t < A->rowptr[j + 1]; t++)
            nnzu += A->col[t] <= j;
    s->Ac = cholmod_allocate_sparse((size_t)A->n, (size_t)A->n, (size_t)nnzu, 1, 1, 1,
                                    CHOLMOD_REAL, &s->cc);
    if (!s->Ac)
        goto fail;
    fill_upper_csc(s->Ac, A);
    s->L = cholmod_analyze(s->Ac, &s->cc);
    if (!s->L)
        goto fail;
    return s;
fail:
    mh_sp_chol_free(s);
    return NULL;
}

int mh_sp_chol_setup(mh_sp_chol *s, const mh_csr *A)
{
    fill_upper_csc(s->Ac, A);
    if (!cholmod_factorize(s->Ac, s->L, &s->cc))
        return MH_ENOMEM;
    if (s->cc.status == CHOLMOD_NOT_POSDEF)
        return MH_ESINGULAR;
    if (s->cc.status < CHOLMOD_OK)
        return MH_ENOMEM;
    return MH_OK;
}

int mh_sp_chol_solve(mh_sp_chol *s, const mh_csr *A, int nrhs, const double *B, double *X,
                     double *worst)
{
    int n = A->n;
    cholmod_dense *Bd = cholmod_allocate_dense((size_t)n, (size_t)nrhs, (size_t)n,
                                               CHOLMOD_REAL, &s->cc);
    if (!Bd)
        return MH_ENOMEM;
    memcpy(Bd->x, B, (size_t)n * (size_t)nrhs * sizeof(double));
    cholmod_dense *Xd = cholmod_solve(CHOLMOD_A, s->L, Bd, &s->cc);
    cholmod_free_dense(&Bd, &s->cc);
    if (!Xd)
        return MH_ENOMEM;
    memcpy(X, Xd->x, (size_t)n * (size_t)nrhs * sizeof(double));
    cholmod_free_dense(&Xd, &s->cc);
    double *tmp = malloc((size_t)n * sizeof(double));
    if (!tmp)
        return MH_ENOMEM;
    for (int c = 0; c < nrhs; c++) {
        double rr = mh_csr_relres(A, B + (size_t)c * n, X + (size_t)c * n, tmp);
        if (rr > *worst)
            *worst = rr;
    }
    free(tmp);
    return MH_OK;
}

/* Forward substitution y ← L⁻¹ y with the simplicial LL' factor, skipping
 * zeros (the nonzeros of the result are the elimination-tree reach of the
 * right-hand side). Returns the first nonzero index (n if none). */
static int chol_forward(const cholmod_factor *L, double *y)
{
    const int *Lp = L->p, *Li = L->i, *Lnz = L->nz;
    const double *Lx = L->x;
    int n = (int)L->n, first = n;
    for (int j = 0; j < n; j++) {
        double yj = y[j];
        if (yj == 0.0)
            continue;
        if (first == n)
            first = j;
        yj /= Lx[Lp[j]];
        y[j] = yj;
        for (int q = Lp[j] + 1; q < Lp[j] + Lnz[j]; q++)
            y[Li[q]] -= Lx[q] * yj;
    }
    return first;
}

static void chol_backward(const cholmod_factor *L, double *y)
{
    const int *Lp = L->p, *Li = L->i, *Lnz = L->nz;
    const double *Lx = L->x;
    for (int j = (int)L->n - 1; j >= 0; j--) {
        double sum = y[j];
        for (int q = Lp[j] + 1; q < Lp[j] + Lnz[j]; q++)
            sum -= Lx[q] * y[Li[q]];
        y[j] = sum / Lx[Lp[j]];
    }
}

int mh_sp_chol_schur(mh_sp_chol *s, const mh_csr *A, int nc, const double *C, double *S,
                     double *relres)
{
    const cholmod_factor *L = s->L;
    if (!L->is_ll || L->is_super)
        return MH_EINVAL;
    int n = A->n;
    const int *perm = L->Perm;
    double *W = malloc((size_t)n * (size_t)nc * sizeof(double));
    int *first = malloc((size_t)nc * sizeof(int));
    if (!W || !first) {
        free(W);
        free(first);
        return MH_ENOMEM;
    }
    mh_threads_adapt();
#pragma omp parallel for schedule(dynamic, 1)
    for (int c = 0; c < nc; c++) {
        double *w = W + (size_t)c * n;
        const double *cc = C + (size_t)c * n;
        for (int k = 0; k < n; k++)
            w[k] = cc[perm[k]];
        first[c] = chol_forward(L, w);
    }
#pragma omp parallel for schedule(dynamic, 1)
    for (int a = 0; a < nc; a++)
        for (int b = a; b < nc; b++) {
            const double *wa = W + (size_t)a * n, *wb = W + (size_t)b * n;
            int k0 = first[a] > first[b] ? first[a] : first[b];
            double sum = 0.0;
            for (int k = k0; k < n; k++)
                sum += wa[k] * wb[k];
            S[a * nc + b] = S[b * nc + a] = sum;
        }
    int st = MH_OK;
    if (relres && nc > 0) {
        double *y = malloc((size_t)n * sizeof(double)), *x = malloc((size_t)n * sizeof(double));
        double *t = malloc((size_t)n * sizeof(double));
        if (!y || !x || !t) {
            st = MH_ENOMEM;
        } else {
            memcpy(y, W, (size_t)n * sizeof(double));
            chol_backward(L, y);
            for (int k = 0; k < n; k++)
                x[perm[k]] = y[k];
            *relres = mh_csr_relres(A, C, x, t);
        }
        free(y);
        free(x);
        free(t);
    }
    free(W);
    free(first);
    return st;
}
