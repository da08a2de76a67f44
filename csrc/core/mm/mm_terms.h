/* mm_terms.h — constructors of the effective-field terms (one C unit each).
 * Each returns a new term owned by the caller (normally handed to
 * mm_film_add_term), or NULL with *status set. Field formulas (A/m):
 *   exchange   H = 2A/(mu0 Ms) lap m, free (Neumann) boundaries at the mask edge
 *   anisotropy H = 2Ku/(mu0 Ms) (m.u) u, energy Ku (1 - (m.u)^2) V
 *   zeeman     H = happ (+ callback) + map
 *   demag      FFT convolution with the Newell tensor (demag.h)
 *   thermal    Gaussian, variance 2 alpha kB T / (mu0 Ms gamma V dt) per component */
#ifndef MM_TERMS_H
#define MM_TERMS_H

#include "film.h"

#define MM_KB 1.380649e-23 /* Boltzmann constant, J/K */

/* A new term copied from the prototype `kind` (name, has_energy, prepare,
 * add, destroy; a NULL destroy becomes mm_term_destroy) with a zeroed
 * context of ctx_size bytes (none for 0). NULL with *status = MH_ENOMEM;
 * *status = MH_OK otherwise. */
mm_term *mm_term_new(const mm_term *kind, size_t ctx_size, int *status);

/* Free t->ctx and t (the default destroy). */
void mm_term_destroy(mm_term *t);

mm_term *mm_exchange_new(const mm_film *f, int *status);
mm_term *mm_anisotropy_new(const mm_film *f, int *status);
mm_term *mm_zeeman_new(const mm_film *f, int *status);
mm_term *mm_thermal_new(const mm_film *f, int *status);
mm_term *mm_demag_term_new(const mm_film *f, int *status);

/* Cells per work tile: field terms are evaluated tile by tile so H stays in
 * cache, and reductions are summed per tile in tile order, which keeps them
 * independent of the thread count. */
#define MM_TILE 1024

/* AVX2 clones of the tile kernels, picked at load time (no FMA, so the
 * rounding is the same as the baseline clone). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define MM_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define MM_CLONES
#endif

#endif
