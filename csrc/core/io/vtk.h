/* vtk.h — VTK legacy files (STRUCTURED_POINTS) of cell-centred fields, the
 * format ParaView, VisIt and the vtk library read. Pure C. */
#ifndef MH_VTK_H
#define MH_VTK_H

#include <stddef.h>

/* Write a field of ncomp components (1 or 3) on an nx x ny x nz grid of
 * cells dx x dy x dz (m) to path: DATASET STRUCTURED_POINTS with one point
 * per cell centre (DIMENSIONS nx ny nz, ORIGIN dx/2 dy/2 dz/2, SPACING dx dy
 * dz, in metres) and POINT_DATA nx*ny*nz values named `name` (SCALARS for
 * 1 component, VECTORS for 3), x fastest. data is component-major:
 * component q of cell c at data[c + q*n]. binary: big-endian doubles (the
 * legacy BINARY encoding), else ASCII. Creates missing parent folders.
 * Returns MH_OK, MH_EINVAL (bad sizes, name with spaces) or MH_EIO; err
 * (errlen bytes, may be NULL) gets the reason. */
int mh_vtk_write(const char *path, int nx, int ny, int nz, int ncomp, double dx, double dy,
                 double dz, const double *data, const char *name, int binary, const char *title,
                 char *err, size_t errlen);

#endif
