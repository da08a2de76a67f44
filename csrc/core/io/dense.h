/* dense.h — dense linear algebra shared by the core and the bindings: the
 * one Gaussian elimination of maghop (series-resistance drive, pseudo-
 * inverse rule, core.solve for the G reconstruction in Lua). Row-major. */
#ifndef MH_DENSE_H
#define MH_DENSE_H

/* Solve A X = B in place (A m x m, B m x k): forward elimination with
 * partial pivoting, then back substitution; A is destroyed and B holds X.
 * MH_ESINGULAR when a pivot is not above 1e-12 times the largest |entry| of
 * A (then A and B hold partial results). */
int mh_dense_solve(int m, int k, double *a, double *b);

#endif
