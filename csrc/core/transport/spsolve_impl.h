/* spsolve_impl.h — internal interface between spsolve.c (shared CSR code
 * and the method-independent mh_spsolver front end) and the one file per
 * method: spsolve_cholmod.c (direct) and spsolve_mg.c (multigrid CG).
 * Not part of the public API; spsolve.h is. */
#ifndef MH_SPSOLVE_IMPL_H
#define MH_SPSOLVE_IMPL_H

#include "spsolve.h"

/* Copy src into dst (arrays allocated here). MH_OK or MH_ENOMEM. */
int mh_csr_copy(mh_csr *dst, const mh_csr *src);
/* Dot product of two length-n vectors. */
double mh_vec_dot(const double *a, const double *b, int n);
/* True relative residual ‖b − A x‖/‖b‖ (‖b − A x‖ when b = 0); tmp holds n
 * doubles of scratch. */
double mh_csr_relres(const mh_csr *A, const double *b, const double *x, double *tmp);

/* CHOLMOD direct method (spsolve_cholmod.c). */
typedef struct mh_sp_chol mh_sp_chol;
/* Symbolic analysis of the pattern of A; NULL when out of memory. */
mh_sp_chol *mh_sp_chol_new(const mh_csr *A);
/* Numeric factorization of A: MH_OK, MH_ESINGULAR or MH_ENOMEM. */
int mh_sp_chol_setup(mh_sp_chol *c, const mh_csr *A);
/* X = A⁻¹B for nrhs columns; *worst = largest true relative residual.
 * MH_OK or MH_ENOMEM. */
int mh_sp_chol_solve(mh_sp_chol *c, const mh_csr *A, int nrhs, const double *B, double *X,
                     double *worst);
/* S = Cᵀ A⁻¹ C as described for mh_spsolver_schur (direct kind). */
int mh_sp_chol_schur(mh_sp_chol *c, const mh_csr *A, int nc, const double *C, double *S,
                     double *relres);
/* Release; NULL accepted. */
void mh_sp_chol_free(mh_sp_chol *c);

/* Aggregation-multigrid preconditioned CG (spsolve_mg.c). */
typedef struct mh_sp_mg mh_sp_mg;
/* Keep a copy of the n grid coordinate pairs; NULL when out of memory. */
mh_sp_mg *mh_sp_mg_new(const int *coords, int n);
/* (Re)build the hierarchy for A: MH_OK, MH_ESINGULAR or MH_ENOMEM. */
int mh_sp_mg_setup(mh_sp_mg *m, const mh_csr *A);
/* Warm-started PCG on nrhs columns (threads over columns); *worst and
 * *maxits as in mh_spsolver_solve. MH_OK, MH_ENOCONV or MH_ENOMEM. */
int mh_sp_mg_solve(const mh_sp_mg *m, const mh_csr *A, int nrhs, const double *B, double *X,
                   double tol, int maxit, double *worst, int *maxits);
/* Release; NULL accepted. */
void mh_sp_mg_free(mh_sp_mg *m);

#endif
