/* amr.h — conduction in a thin sheet with electrode pads (pure C).
 *
 * A sheet of nx×ny rectangular cells (dx×dy, metres) carries a piecewise
 * constant in-plane sheet-conductance tensor g = σ·t per cell (siemens):
 * [gxx gxy; gxy gyy]. ∇·(g∇φ) = 0 is discretized with bilinear elements on
 * the cells (potentials live on cell corners): symmetric, exact for
 * uniform fields, cross terms included. Pads are sets of cells held
 * equipotential (all their corners share one voltage); cells that do not
 * conduct carry nothing; islands touching no pad float and are dropped.
 * Used by the AMR read-out (Py, tensor from m) and the Au write sheet
 * (isotropic). */
#ifndef MH_AMR_H
#define MH_AMR_H

#include <stddef.h>

typedef struct mh_sheet mh_sheet;

/* Build the geometry: cond[c] (c = i + nx*j) nonzero where the sheet
 * conducts; pad[c] = pad index 0..npads-1 or -1. Every pad needs at least
 * one conducting cell; pads must not share a cell corner. solver is an
 * MH_SOLVER_* kind (spsolve.h). Returns NULL with *status = MH_EINVAL
 * (bad sizes, empty or touching pads), MH_ENOMEM. The arrays are copied. */
mh_sheet *mh_sheet_new(int nx, int ny, double dx, double dy, const unsigned char *cond,
                       const int *pad, int npads, int solver, int *status);
void mh_sheet_free(mh_sheet *s);

/* Load per-cell sheet conductances (S; arrays of nx*ny, read only where
 * cond is set) and factorize / precondition. Returns MH_OK, MH_EINVAL
 * (non-finite or not positive definite tensor in a conducting cell),
 * MH_ESINGULAR, MH_ENOMEM. */
int mh_sheet_set_conductance(mh_sheet *s, const double *gxx, const double *gxy, const double *gyy);

/* Iterative-solver controls (defaults tol 1e-10, maxit 20000). */
void mh_sheet_set_tolerance(mh_sheet *s, double tol, int maxit);

/* Conductance matrix G (npads×npads, row-major, siemens): column j =
 * currents into all pads with pad j at 1 V and the others at 0 V. Computed
 * as the Schur complement G = A_pp − Cᵀ A_ff⁻¹ C of the corner system (one
 * sparse forward substitution per pad with the direct solver), then made
 * exactly symmetric with zero row sums. *relres (may be NULL) gets the
 * worst relative residual. Returns MH_OK, MH_ENOCONV (G from the last
 * iterates), MH_EINVAL (no conductances loaded), MH_ENOMEM. */
int mh_sheet_conductance(mh_sheet *s, double *G, double *relres);

/* Potentials for pad voltages `volts` (npads, V): phi (nx*ny cell-centre
 * potentials, V; 0 on cells that do not conduct or float; may be NULL),
 * K (SoA 2*nx*ny sheet current density -g∇φ at cell centres, A/m; may be
 * NULL), I (npads currents into the pads, A; may be NULL), relres (may be
 * NULL). Returns MH_OK, MH_ENOCONV (outputs from the last iterate),
 * MH_EINVAL, MH_ENOMEM. */
int mh_sheet_solve(mh_sheet *s, const double *volts, double *phi, double *K, double *I,
                   double *relres);

/* Sizes of the geometry. */
int mh_sheet_npads(const mh_sheet *s);
/* Number of unknown (free-corner) potentials, the size of the SPD system. */
int mh_sheet_unknowns(const mh_sheet *s);
/* Solver kind in use. */
int mh_sheet_solver(const mh_sheet *s);
/* Iterations of the last solve (0 for the direct solver). */
int mh_sheet_last_iters(const mh_sheet *s);

/* AMR conductivities: from the mean conductivity sigma0 = σ⊥ + σδ/3 (S/m)
 * and the AMR ratio a = 2(ρ∥−ρ⊥)/(ρ∥+ρ⊥) in (-1, 1), the perpendicular
 * conductivity σ⊥ = 1/ρ⊥ and σδ = 1/ρ∥ − 1/ρ⊥. Returns MH_EINVAL out of range. */
int mh_amr_sigmas(double sigma0, double a, double *sperp, double *sdelta);

/* Per-column sheet tensor of a film (nx×ny×nz cells, mask per cell, m SoA
 * 3n unit vectors): the layers conduct in parallel, each with thickness
 * thickness/nz and Σ = σ⊥ I + σδ m∥m∥ᵀ. Writes gxx, gxy, gyy (nx*ny, S). */
void mh_amr_tensor(int nx, int ny, int nz, const unsigned char *mask, const double *m,
                   double sperp, double sdelta, double thickness,
                   double *gxx, double *gxy, double *gyy);

/* Column mask of a film: cond[c] (nx*ny) = 1 where any of the nz layers of
 * mask (nx*ny*nz) is material, else 0. */
void mh_column_mask(int nx, int ny, int nz, const unsigned char *mask, unsigned char *cond);

/* Map rectangular pads (4 doubles each: centre x, y, width, height, m, in
 * film coordinates with the origin at the outer corner of cell (0,0)) to
 * the cells whose centres they cover: pad_of_cell (nx*ny) gets the pad
 * index or -1. On failure returns MH_EINVAL with *bad = offending pad
 * index and *why = 1 outside the film, 2 covers no cell centre,
 * 3 overlaps pad *other, 4 covers a cell outside cond, 5 touches pad *other
 * (shares a cell corner). */
int mh_pads_map(int nx, int ny, double dx, double dy, const unsigned char *cond, int npads,
                const double *rect, int *pad_of_cell, int *bad, int *why, int *other);

#endif
