/* oersted.h — magnetic field of a thin current sheet (the Au write layer)
 * in the layers of the film below it (pure C).
 *
 * The sheet current density K (A/m, SoA x, y on the nx×ny cells of the
 * film's grid) is convolved with the Biot–Savart kernel of a sheet,
 * integrated exactly over each source cell, by zero-padded FFTs (2nx×2ny,
 * no wrap-around). Film layer k (of nz, thickness dz each) lies
 * d_k = offset − (k − (nz−1)/2)·dz below the sheet (offset: sheet centre to
 * film centre). For a uniform sheet K x̂ the field below is +K/2 ŷ. */
#ifndef MH_OERSTED_H
#define MH_OERSTED_H

typedef struct mh_oersted mh_oersted;

/* Kernels and FFTW plans for one geometry. Returns NULL with *status =
 * MH_EINVAL (sizes, or a layer not strictly below the sheet) or MH_ENOMEM. */
mh_oersted *mh_oersted_new(int nx, int ny, int nz, double dx, double dy, double dz,
                           double offset, int *status);
void mh_oersted_free(mh_oersted *o);

/* H (SoA 3*nx*ny*nz, A/m, overwritten) of the sheet current K (SoA
 * 2*nx*ny, A/m). Not reentrant on one object (shared FFT buffers). */
void mh_oersted_field(mh_oersted *o, const double *K, double *H);

#endif
