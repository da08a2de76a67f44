/* film.h — finite-difference micromagnetic film: mesh, mask, magnetization
 * and the list of effective-field terms. Pure C (no Lua).
 *
 * Grid: cell c = i + nx*(j + ny*k); vector fields are SoA (x in [0,n),
 * y in [n,2n), z in [2n,3n)). Cells outside the mask carry m = 0.
 * Every field term is an mm_term: it adds its field (A/m) into H for a range
 * of cells and reports its energy (J); the integrators (llg.h) only walk the
 * term list, so adding a term touches its own file and one line in film.c. */
#ifndef MM_FILM_H
#define MM_FILM_H

#include <stddef.h>
#include <stdint.h>

#include "mh_common.h"

#define MM_MAX_TERMS 8

typedef struct mm_film mm_film;
typedef struct mm_term mm_term;

/* Where and when a field evaluation happens; passed to every term. */
typedef struct mm_clock {
    double t;      /* simulated time of the evaluation, s */
    double dt;     /* length of the current step, s (0 outside a step) */
    uint64_t step; /* index of the current step (thermal noise key) */
} mm_clock;

struct mm_term {
    const char *name; /* short name used in energy tables: "exchange", ... */
    int has_energy;   /* 0 for non-conservative terms (thermal) */
    /* Global work before any add for state m (FFT demag, time-dependent
     * uniform field); called serially, may be NULL. Returns MH_OK or a code. */
    int (*prepare)(mm_term *t, const mm_film *f, const double *m, const mm_clock *ck);
    /* Add the field (A/m) for cells [c0,c1) into H, where component q of
     * cell c lives at H[(c - c0) + q*hs]. Called from OpenMP threads on
     * disjoint ranges after prepare. Returns the energy (J) of those cells
     * when want_e is nonzero, else anything. */
    double (*add)(const mm_term *t, const mm_film *f, const double *m, const mm_clock *ck,
                  size_t c0, size_t c1, double *H, size_t hs, int want_e);
    void (*destroy)(mm_term *t); /* frees ctx; may be NULL */
    void *ctx;
};

/* Time-dependent uniform applied field: fill H[3] (A/m) for time t (s).
 * Return MH_OK, or a status that aborts the current step. */
typedef int (*mm_field_fn)(void *ud, double t, double H[3]);

/* Solver workspace (llg.c); opaque here. */
typedef struct mm_work mm_work;

typedef struct mm_params {
    int nx, ny, nz;
    double dx, dy, dz;   /* cell size, m */
    double Ms;           /* saturation magnetization, A/m (> 0) */
    double A;            /* exchange stiffness, J/m (>= 0) */
    double Ku;           /* uniaxial anisotropy, J/m^3 (< 0: hard axis) */
    double anis[3];      /* anisotropy axis (normalized by mm_film_new) */
    double alpha;        /* Gilbert damping (>= 0) */
    double gamma;        /* gyromagnetic ratio, m/(A s) (> 0) */
    int demag;           /* nonzero: add the magnetostatic field */
    double temperature;  /* K (>= 0); 0 disables the thermal term */
    uint64_t seed;       /* thermal noise seed */
} mm_params;

struct mm_film {
    int nx, ny, nz;
    double dx, dy, dz;
    size_t n;             /* nx*ny*nz */
    unsigned char *mask;  /* n, 1 = material (owned) */
    double *m;            /* SoA 3n, unit vectors in mask, 0 outside (owned). The
                           * steppers swap this pointer with workspace buffers:
                           * read f->m afresh after a step, never cache it. */
    double Ms, A, Ku, anis[3], alpha, gamma;
    double temperature;
    uint64_t seed;
    int demag;
    size_t ncells;        /* cells in the mask */
    double t;             /* simulated time, s */
    uint64_t step;        /* accepted steps so far */
    uint64_t version;     /* bumped when m or the applied field change outside a step */

    /* applied field: uniform part, optional map (SoA 3n, owned), optional callback */
    double happ[3];
    double *hmap;
    mm_field_fn field_fn;
    void *field_ud;

    mm_term *terms[MM_MAX_TERMS];
    int nterms;

    /* step statistics of the last run */
    uint64_t accepted, rejected;
    uint64_t evals;       /* field evaluations by the steppers (for throughput) */
    double last_err, last_dt;

    mm_work *work;

    /* progress line of mm_relax / mm_minimize (meter.h), NULL: none; set
     * by the caller around the call */
    struct mh_meter *meter;
};

/* Create a film with parameters p and mask (n bytes, copied; NULL = full
 * rectangle). m starts uniform along +x in the mask. Returns NULL and sets
 * *status (MH_EINVAL for a bad parameter, MH_ENOMEM) on failure. */
mm_film *mm_film_new(const mm_params *p, const unsigned char *mask, int *status);

/* Free the film, its terms and workspace; NULL is ignored. */
void mm_film_free(mm_film *f);

/* Fill mask (n bytes) with the inscribed ellipse (a disk on a square grid),
 * the same for every layer k. */
void mm_mask_disk(int nx, int ny, int nz, unsigned char *mask);

/* m = (mx,my,mz)/|.| in the mask. MH_EINVAL if the vector is zero or not finite. */
int mm_film_set_uniform(mm_film *f, double mx, double my, double mz);

/* Random unit vectors (uniform on the sphere) from a counter-based RNG:
 * the result depends only on seed and the grid. */
void mm_film_set_random(mm_film *f, uint64_t seed);

/* Normalize m in the mask and zero it outside. MH_EINVAL if some cell in the
 * mask has a zero or non-finite vector. */
int mm_film_normalize(mm_film *f);

/* Uniform applied field, A/m. */
void mm_film_set_field(mm_film *f, const double H[3]);

/* Per-cell applied field (SoA 3n, A/m, copied), added to the uniform part;
 * H == NULL removes the map. MH_ENOMEM on allocation failure. */
int mm_film_set_field_map(mm_film *f, const double *H);

/* Time-dependent uniform field: fn replaces happ at every field evaluation;
 * fn == NULL removes it. */
void mm_film_set_field_fn(mm_film *f, mm_field_fn fn, void *ud);

/* Effective field of state m (SoA 3n; NULL = f->m) at time t into H (SoA
 * 3n, A/m, overwritten; 0 outside the mask). Per-term energies (J) go into
 * E[0..nterms) when E is non-NULL. Returns MH_OK or a term's status. */
int mm_film_field(mm_film *f, const double *m, double t, double *H, double *E);

/* One field evaluation of the current state: total energy (J) into *total,
 * per-term energies into E[0..nterms), max over the mask of |m x H| (A/m)
 * into *torque; each output may be NULL. Returns MH_OK, MH_ENOMEM or a
 * term's status (outputs then unset). */
int mm_film_eval(mm_film *f, double *total, double *E, double *torque);

/* max over the mask of |m x H| (A/m) for the current state; -1 on failure. */
double mm_film_max_torque(mm_film *f);

/* Mean magnetization over the mask. */
void mm_film_avg(const mm_film *f, double avg[3]);

/* Record that m or the applied field were changed from outside (invalidates
 * the integrator's cached first stage). Call after writing f->m directly. */
void mm_film_touch(mm_film *f);

/* Append a term (ownership passes to the film). MH_EINVAL when full. */
int mm_film_add_term(mm_film *f, mm_term *t);

#endif
