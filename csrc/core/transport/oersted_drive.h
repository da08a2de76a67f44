/* oersted_drive.h — the write path of the device (pure C): pad volts,
 * applied through optional series resistances, drive currents in the Au
 * sheet (amr.h sheet solver, isotropic conductance σ·t); their Oersted
 * field (oersted.h) acts on the film layers below; optionally every output
 * is scaled so the peak field over the film's cells reaches a target. */
#ifndef MH_OERSTED_DRIVE_H
#define MH_OERSTED_DRIVE_H

#include "amr.h"
#include "oersted.h"

typedef struct mh_oe_drive mh_oe_drive;

/* Au sheet on the film's nx×ny grid (cells dx×dy, m): cond[c] nonzero
 * where the Au conducts, pad[c] the pad index or -1 (as for mh_sheet_new),
 * conductivity sigma (S/m) and thickness (m), sheet solver kind (spsolve.h);
 * Oersted kernels for nz film layers of dz (m) whose centre lies offset
 * (m) below the sheet's. Returns NULL with *status (MH_EINVAL, MH_ENOMEM,
 * or the sheet's factorization status). Arrays are copied. */
mh_oe_drive *mh_oe_drive_new(int nx, int ny, int nz, double dx, double dy, double dz,
                             const unsigned char *cond, const int *pad, int npads, double sigma,
                             double thickness, double offset, int solver, int *status);

/* NULL is ignored. */
void mh_oe_drive_free(mh_oe_drive *d);

/* Au pad conductance matrix (npads², row-major, S); see mh_sheet_conductance. */
int mh_oe_drive_conductance(mh_oe_drive *d, double *G, double *relres);

/* Outputs of one solve, all caller-allocated, n2 = nx*ny, n = n2*nz. */
typedef struct mh_oe_result {
    double *phi;       /* n2: sheet potential, V */
    double *K;         /* 3*n2 SoA: sheet current density, A/m (z = 0) */
    double *H;         /* 3*n SoA: Oersted field in the film layers, A/m */
    double *I;         /* npads: currents into the pads, A */
    double *pad_volts; /* npads: volts at the pads (after series resistances), V */
    double peak_H;     /* max |H| over the cells where mask is set, A/m */
    double scale;      /* factor applied to every output (1 without a target) */
    double relres;     /* worst relative residual of the sheet solves */
} mh_oe_result;

/* Drive with applied volts (npads, V) through series resistances R
 * (npads, Ω >= 0; NULL: none; the Au conductance matrix is computed on
 * first need and kept). mask (n cells) selects where the peak is taken.
 * target_peak_H > 0 (A/m) scales volts, currents and fields linearly so
 * the peak equals it. Returns MH_OK, MH_ENOCONV (iterative sheet solver;
 * r->relres tells how far), MH_ESINGULAR (series system), MH_ENOMEM, or
 * MH_EINVAL when a target is asked for but the volts drive no current
 * (all equal, or a zero field). */
int mh_oe_drive_solve(mh_oe_drive *d, const double *volts, const double *R, double target_peak_H,
                      const unsigned char *mask, mh_oe_result *r);

#endif
