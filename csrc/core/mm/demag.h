/* demag.h — magnetostatic (demagnetizing) field by FFT convolution with the
 * cell-averaged Newell tensor on a zero-padded grid. Pure C (no Lua).
 *
 * H_d = -N * M with M = Ms m. The tensor of a geometry (nx,ny,nz,dx,dy,dz)
 * is computed once and shared by every mh_demag of that geometry (reference
 * counted cache); plans and work buffers belong to each mh_demag, so one
 * object must be used from one thread at a time (it runs OpenMP and FFTW
 * threads inside, with the thread count seen when it was created).
 * Plans use FFTW_ESTIMATE, so results are reproducible from run to run;
 * setting the environment variable MH_FFTW_MEASURE selects FFTW_MEASURE
 * (a few percent faster, slower to create, not bitwise reproducible). */
#ifndef MH_DEMAG_H
#define MH_DEMAG_H

#include <stddef.h>

#include "mh_common.h"

typedef struct mh_demag mh_demag;

/* Demag engine for an nx x ny x nz grid of dx x dy x dz cells (m). Returns
 * NULL and sets *status (MH_EINVAL for sizes < 1, non-finite or non-positive
 * cell sizes, or grids too large; MH_ENOMEM) on failure. status may be NULL. */
mh_demag *mh_demag_new(int nx, int ny, int nz, double dx, double dy, double dz, int *status);

/* Free the engine (the shared tensor when its last user goes). NULL ignored. */
void mh_demag_free(mh_demag *d);

/* Add the demag field of m (SoA 3n, unit vectors, 0 outside the mask) with
 * saturation Ms (A/m) into H (SoA 3n, A/m, accumulated). Returns the demag
 * energy -mu0/2 sum M.H_d V in J. No allocation. */
double mh_demag_add(mh_demag *d, const double *m, double Ms, double *H);

/* Two-phase form of mh_demag_add for callers that add fields by cell range:
 * mh_demag_prepare computes H_d of m internally (returns MH_OK); then
 * mh_demag_add_range adds H_d of cells [c0,c1) into H, where component q of
 * cell c goes to H[(c - c0) + q*hs], and returns those cells' energy (J).
 * add_range only reads the engine, so disjoint ranges may run in parallel. */
int mh_demag_prepare(mh_demag *d, const double *m, double Ms);
double mh_demag_add_range(const mh_demag *d, const double *m, double Ms, size_t c0, size_t c1,
                          double *H, size_t hs);

/* Largest ratio of cell sides (max/min) the Newell formulas resolve in
 * double precision (the trace of the self term stays 1 within 1e-9 up to
 * 1e5 and is lost beyond 1e8). mh_demag_new refuses more elongated cells. */
#define MH_DEMAG_MAX_ASPECT 1e5

/* Cell-averaged demag tensor between two dx x dy x dz cells whose centres
 * are (X,Y,Z) m apart: N[6] = Nxx, Nyy, Nzz, Nxy, Nxz, Nyz (dimensionless,
 * H = -N M). Uses exact Newell formulas near and a multipole expansion far;
 * any finite offset (0 beyond 1e50 cell sizes); cells within
 * MH_DEMAG_MAX_ASPECT for full accuracy. */
void mh_demag_tensor(double X, double Y, double Z, double dx, double dy, double dz, double N[6]);

/* Volume-averaged demag factors of the whole nx x ny x nz box, i.e. minus
 * the mean over cells of the field of the uniformly magnetized box, computed
 * through the FFT convolution (a test of the whole pipeline): N[6] as in
 * mh_demag_tensor. Allocates scratch; MH_OK or MH_ENOMEM. */
int mh_demag_tensor_avg(mh_demag *d, double N[6]);

#endif
