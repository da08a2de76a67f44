/* compact.h — the paper's compact device model, Eq. (2): per pulse of the
 * ±1 pattern x, for i != j
 *     G_ij <- G_ij + eta [ x_i x_j - 2 alpha_ij (G_ij - Gavg_ij) ]
 * and G_ii = -sum_{j != i} G_ij (Kirchhoff). Matrices are n x n row-major,
 * G and Gavg in siemens, eta in S/V^2, alpha in V^2/S. */
#ifndef MH_COMPACT_H
#define MH_COMPACT_H

typedef struct {
    int n;
    double eta;
    double *alpha; /* only off-diagonal entries used */
    double *gavg;  /* off-diagonal centres; diagonal kept Kirchhoff */
    double *g;     /* current conductance matrix */
} mh_compact;

/* Copy parameters and the start matrix into a new model (symmetrized from
 * the upper triangle, diagonals made Kirchhoff). MH_EINVAL for n < 2,
 * eta <= 0, alpha_ij <= 0 or alpha_ij eta >= 1 (unstable); MH_ENOMEM. */
int mh_compact_init(mh_compact *c, int n, double eta, const double *alpha, const double *gavg,
                    const double *g0);

/* Release the model's buffers; safe to call twice. */
void mh_compact_clear(mh_compact *c);

/* Apply `count` pulses of pattern x (n entries, each ±1). */
void mh_compact_pulse(mh_compact *c, const double *x, long count);

/* Cost C(G) = sum_{i<j} [ -x_i x_j G_ij + alpha_ij (G_ij - Gavg_ij)^2 ]
 * whose gradient descent with step eta is exactly Eq. (2); in watts/volt^2
 * scaled units (S). `g` may be NULL for the model's own G. */
double mh_compact_cost(const mh_compact *c, const double *x, const double *g);

/* dC/dG_ij for i < j, written symmetrically into grad (n x n, zero diagonal). */
void mh_compact_grad(const mh_compact *c, const double *x, const double *g, double *grad);

/* Make G_ii = -sum_{j != i} G_ij and mirror the upper triangle. */
void mh_kirchhoff(int n, double *g);

#endif
