/* rules.h — software learning rules for Hopfield weights, the baselines the
 * device's Oja-type rule is compared with. Patterns: p rows of n entries
 * (±1), row-major. Weights: n x n row-major, written to w. */
#ifndef MH_RULES_H
#define MH_RULES_H

/* Outer product (Hebb): w = (1/n) sum_p x^p x^pT, zero diagonal. */
void mh_rule_outer(int p, int n, const double *x, double *w);

/* Storkey (1997) incremental rule, zero diagonal:
 * w_ij += (1/n)[x_i x_j - x_i h_ji - h_ij x_j], h_ij = sum_{k != i,j} w_ik x_k.
 * MH_ENOMEM possible. */
int mh_rule_storkey(int p, int n, const double *x, double *w);

/* Pseudo-inverse (projection): w = (1/n) X C^{-1} X^T with
 * C_uv = (1/n) x^u . x^v; zero diagonal unless keep_diag. MH_ESINGULAR if
 * the patterns are linearly dependent; MH_ENOMEM. */
int mh_rule_pinv(int p, int n, const double *x, double *w, int keep_diag);

#endif
