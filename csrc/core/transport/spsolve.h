/* spsolve.h — sparse symmetric positive definite solvers for the
 * conduction problems of the transport module (pure C, no Lua).
 *
 * One matrix pattern is analysed once (`mh_spsolver_new`); new values on
 * that pattern are loaded with `mh_spsolver_setup` (numeric factorization
 * or preconditioner rebuild); any number of right-hand sides are then
 * solved with `mh_spsolver_solve`. Two methods share the interface:
 *   cholmod  sparse direct Cholesky (SuiteSparse CHOLMOD), symbolic
 *            analysis reused across setups, all right-hand sides at once;
 *   mg       conjugate gradients preconditioned by an aggregation
 *            multigrid V-cycle (2×2 grid aggregates, Galerkin coarse
 *            operators, symmetric Gauss–Seidel smoothing).
 * The iterative methods start from the X passed in (warm start). */
#ifndef MH_SPSOLVE_H
#define MH_SPSOLVE_H

#include <stddef.h>

/* Compressed sparse rows, both triangles stored, column indices sorted. */
typedef struct mh_csr {
    int n, nnz;
    int *rowptr; /* n+1 */
    int *col;    /* nnz */
    double *val; /* nnz */
} mh_csr;

/* Allocate an n×n CSR with room for nnz entries (contents undefined).
 * Returns MH_OK or MH_ENOMEM (then A is left empty). */
int mh_csr_alloc(mh_csr *A, int n, int nnz);
/* Free the arrays of A and zero it; safe on a zeroed or cleared A. */
void mh_csr_clear(mh_csr *A);
/* y = A x (x, y of length n, distinct). */
void mh_csr_matvec(const mh_csr *A, const double *x, double *y);

enum {
    MH_SOLVER_CHOLMOD = 0,
    MH_SOLVER_MG = 1,
    MH_SOLVER_COUNT = 2
};
/* The default (fastest in scripts/bench_transport.lua on the reference
 * machine). */
#define MH_SOLVER_DEFAULT MH_SOLVER_CHOLMOD

/* Name of a solver kind ("cholmod", "mg"); NULL if unknown. */
const char *mh_solver_name(int kind);
/* Kind for a name, or -1 if unknown. */
int mh_solver_kind(const char *name);

typedef struct mh_spsolver mh_spsolver;

/* Analyse the pattern of A (values ignored) for method `kind`. `coords`
 * (2 ints per row: grid i, j) guides the multigrid aggregation and may be
 * NULL for the other kinds. Returns NULL with *status = MH_EINVAL or
 * MH_ENOMEM on failure. The solver copies what it needs from A. */
mh_spsolver *mh_spsolver_new(int kind, const mh_csr *A, const int *coords, int *status);

/* Load the values of A (same pattern as at creation): numeric Cholesky or
 * preconditioner setup. A is copied. Returns MH_OK, MH_ESINGULAR (not
 * positive definite) or MH_ENOMEM. */
int mh_spsolver_setup(mh_spsolver *s, const mh_csr *A);

/* Solve A X = B for nrhs columns (column-major, n per column). X holds
 * the initial guess on entry for iterative kinds (warm start) and the
 * solution on return. Stops at ‖r‖ ≤ tol‖b‖ or maxit iterations.
 * *relres (may be NULL) receives the largest relative residual over the
 * columns, *iters (may be NULL) the largest iteration count (0 for
 * cholmod). Returns MH_OK, MH_ENOCONV (maxit reached; X holds the last
 * iterate, *relres what was reached), MH_EINVAL (no setup yet) or MH_ENOMEM. */
int mh_spsolver_solve(mh_spsolver *s, int nrhs, const double *B, double *X,
                      double tol, int maxit, double *relres, int *iters);

/* Schur product S = Cᵀ A⁻¹ C (nc×nc, row-major) for C n×nc (column-major).
 * Direct kind: one sparse-aware forward substitution per column with the
 * Cholesky factor, S = WᵀW, W = L⁻¹PC; X may be NULL. Iterative kinds: X
 * (n×nc, required) is the warm start and receives A⁻¹C. *relres gets the
 * worst relative residual (direct: of column 0, checked by a back
 * substitution). Returns as mh_spsolver_solve. */
int mh_spsolver_schur(mh_spsolver *s, int nc, const double *C, double *X, double *S,
                      double tol, int maxit, double *relres, int *iters);

/* Kind of a solver. */
int mh_spsolver_kind(const mh_spsolver *s);
/* Release everything; NULL is accepted. */
void mh_spsolver_free(mh_spsolver *s);

#endif
