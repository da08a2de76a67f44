/* spsolve.c — shared part of the sparse SPD solvers of spsolve.h: the CSR
 * matrix (allocation, copy, product, true residual), solver names, and the
 * method-independent mh_spsolver front end that validates arguments and
 * dispatches to spsolve_cholmod.c or spsolve_mg.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mh_common.h"
#include "spsolve_impl.h"

int mh_csr_alloc(mh_csr *A, int n, int nnz)
{
    memset(A, 0, sizeof *A);
    A->rowptr = malloc((size_t)(n + 1) * sizeof(int));
    A->col = malloc((size_t)(nnz > 0 ? nnz : 1) * sizeof(int));
    A->val = malloc((size_t)(nnz > 0 ? nnz : 1) * sizeof(double));
    if (!A->rowptr || !A->col || !A->val) {
        mh_csr_clear(A);
        return MH_ENOMEM;
    }
    A->n = n;
    A->nnz = nnz;
    return MH_OK;
}

void mh_csr_clear(mh_csr *A)
{
    free(A->rowptr);
    free(A->col);
    free(A->val);
    memset(A, 0, sizeof *A);
}

void mh_csr_matvec(const mh_csr *A, const double *x, double *y)
{
    for (int i = 0; i < A->n; i++) {
        double s = 0.0;
        for (int p = A->rowptr[i]; p < A->rowptr[i + 1]; p++)
            s += A->val[p] * x[A->col[p]];
        y[i] = s;
    }
}
int mh_csr_copy(mh_csr *dst, const mh_csr *src)
{
    int st = mh_csr_alloc(dst, src->n, src->nnz);
    if (st != MH_OK)
        return st;
    memcpy(dst->rowptr, src->rowptr, (size_t)(src->n + 1) * sizeof(int));
    memcpy(dst->col, src->col, (size_t)src->nnz * sizeof(int));
    memcpy(dst->val, src->val, (size_t)src->nnz * sizeof(double));
    return MH_OK;
}

double mh_vec_dot(const double *a, const double *b, int n)
{
    double s = 0.0;
    for (int i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

double mh_csr_relres(const mh_csr *A, const double *b, const double *x, double *tmp)
{
    mh_csr_matvec(A, x, tmp);
    double rr = 0.0, bb = mh_vec_dot(b, b, A->n);
    for (int i = 0; i < A->n; i++)
        rr += (b[i] - tmp[i]) * (b[i] - tmp[i]);
    return bb > 0.0 ? sqrt(rr / bb) : sqrt(rr);
}

static const char *solver_names[MH_SOLVER_COUNT] = {"cholmod", "mg"};

const char *mh_solver_name(int kind)
{
    return (kind >= 0 && kind < MH_SOLVER_COUNT) ? solver_names[kind] : NULL;
}

int mh_solver_kind(const char *name)
{
    for (int k = 0; k < MH_SOLVER_COUNT; k++)
        if (name && strcmp(name, solver_names[k]) == 0)
            return k;
    return -1;
}

struct mh_spsolver {
    int kind, n, ready;
    mh_csr A;        /* values of the last setup */
    mh_sp_chol *chol; /* MH_SOLVER_CHOLMOD */
    mh_sp_mg *mg;     /* MH_SOLVER_MG */
};

int mh_spsolver_kind(const mh_spsolver *s) { return s->kind; }

void mh_spsolver_free(mh_spsolver *s)
{
    if (!s)
        return;
    mh_sp_chol_free(s->chol);
    mh_csr_clear(&s->A);
    mh_sp_mg_free(s->mg);
    free(s);
}

mh_spsolver *mh_spsolver_new(int kind, const mh_csr *A, const int *coords, int *status)
{
    int st = MH_EINVAL;
    mh_spsolver *s = NULL;
    if (kind < 0 || kind >= MH_SOLVER_COUNT || !A || A->n <= 0 ||
        (kind == MH_SOLVER_MG && !coords))
        goto fail;
    st = MH_ENOMEM;
    s = calloc(1, sizeof *s);
    if (!s)
        goto fail;
    s->kind = kind;
    s->n = A->n;
    if ((st = mh_csr_copy(&s->A, A)) != MH_OK)
        goto fail;
    st = MH_ENOMEM;
    if (kind == MH_SOLVER_MG && !(s->mg = mh_sp_mg_new(coords, A->n)))
        goto fail;
    if (kind == MH_SOLVER_CHOLMOD && !(s->chol = mh_sp_chol_new(A)))
        goto fail;
    *status = MH_OK;
    return s;
fail:
    mh_spsolver_free(s);
    *status = st;
    return NULL;
}

int mh_spsolver_setup(mh_spsolver *s, const mh_csr *A)
{
    if (!s || !A || A->n != s->n || A->nnz != s->A.nnz)
        return MH_EINVAL;
    memcpy(s->A.val, A->val, (size_t)A->nnz * sizeof(double));
    s->ready = 0;
    int st;
    switch (s->kind) {
    case MH_SOLVER_CHOLMOD:
        st = mh_sp_chol_setup(s->chol, &s->A);
        break;
    case MH_SOLVER_MG:
        st = mh_sp_mg_setup(s->mg, &s->A);
        break;
    default:
        return MH_EINVAL;
    }
    if (st != MH_OK)
        return st;
    s->ready = 1;
    return MH_OK;
}

int mh_spsolver_solve(mh_spsolver *s, int nrhs, const double *B, double *X,
                      double tol, int maxit, double *relres, int *iters)
{
    if (!s || !s->ready || nrhs < 0)
        return MH_EINVAL;
    int st = MH_OK, maxits = 0;
    double worst = 0.0;
    if (nrhs > 0) {
        if (s->kind == MH_SOLVER_CHOLMOD) {
            st = mh_sp_chol_solve(s->chol, &s->A, nrhs, B, X, &worst);
            if (st != MH_OK)
                return st;
        } else {
            st = mh_sp_mg_solve(s->mg, &s->A, nrhs, B, X, tol, maxit, &worst, &maxits);
        }
    }
    if (relres)
        *relres = worst;
    if (iters)
        *iters = maxits;
    return st;
}

int mh_spsolver_schur(mh_spsolver *s, int nc, const double *C, double *X, double *S,
                      double tol, int maxit, double *relres, int *iters)
{
    if (!s || !s->ready || nc < 0)
        return MH_EINVAL;
    if (relres)
        *relres = 0.0;
    if (iters)
        *iters = 0;
    if (s->kind == MH_SOLVER_CHOLMOD)
        return mh_sp_chol_schur(s->chol, &s->A, nc, C, S, relres);
    if (!X)
        return MH_EINVAL;
    int st = mh_spsolver_solve(s, nc, C, X, tol, maxit, relres, iters);
    if (st != MH_OK && st != MH_ENOCONV)
        return st;
    int n = s->n;
    for (int a = 0; a < nc; a++)
        for (int b = a; b < nc; b++) {
            const double *ca = C + (size_t)a * n, *xb = X + (size_t)b * n;
            const double *cb = C + (size_t)b * n, *xa = X + (size_t)a * n;
            double sab = 0.0, sba = 0.0;
            for (int k = 0; k < n; k++) {
                sab += ca[k] * xb[k];
                sba += cb[k] * xa[k];
            }
            S[a * nc + b] = S[b * nc + a] = 0.5 * (sab + sba);
        }
    return st;
}
