/* ovf.h — OOMMF Vector Field files (OVF 2.0 read/write, OVF 1.0 read) on
 * rectangular meshes. Pure C (no Lua).
 *
 * Data are held SoA like every grid in maghop: component q of cell
 * c = i + nx*(j + ny*k) at data[c + q*n], n = nx*ny*nz. The file stores the
 * components of one node together, x fastest, then y, then z.
 * Readers never trust the input: every size is checked against limits and
 * against the bytes actually present before anything is allocated. */
#ifndef MH_OVF_H
#define MH_OVF_H

#include <stddef.h>

#include "mh_common.h"

#define MH_OVF_MAX_CELLS ((size_t)1 << 28) /* cap on nx*ny*nz */
#define MH_OVF_MAX_DIM 16                  /* cap on valuedim */
#define MH_OVF_TEXT 256                    /* size of each header string */

typedef struct {
    int nx, ny, nz, valuedim;
    double xbase, ybase, zbase; /* centre of the first cell, meshunit */
    double dx, dy, dz;          /* cell size (x/y/zstepsize), meshunit */
    char title[MH_OVF_TEXT];
    char meshunit[MH_OVF_TEXT];    /* "m" unless the file says otherwise */
    char valuelabels[MH_OVF_TEXT]; /* as in the file, space separated */
    char valueunits[MH_OVF_TEXT];
    char desc[4 * MH_OVF_TEXT];    /* Desc lines joined by '\n' */
    int version;                   /* 1 or 2 (set by the reader) */
    char format[16];               /* "text" | "binary4" | "binary8" (set by the reader) */
    double *data;                  /* SoA valuedim*n, owned (malloc) */
} mh_ovf;

/* Read the first segment of the OVF file at path into *out (any previous
 * content is overwritten, not freed; call mh_ovf_clear when done).
 * Returns MH_OK, MH_EIO (cannot read), MH_EFORMAT (malformed; err holds a
 * precise message) or MH_ENOMEM. On failure *out holds no allocation. */
int mh_ovf_read(const char *path, mh_ovf *out, char *err, size_t errlen);

/* Same as mh_ovf_read for an in-memory file of len bytes (not necessarily
 * NUL-terminated; copied internally). */
int mh_ovf_read_mem(const void *buf, size_t len, mh_ovf *out, char *err, size_t errlen);

/* Write o as OVF 2.0 in format "text" | "binary4" | "binary8" to path
 * (through a temporary file renamed into place). Empty labels/units get
 * defaults. MH_EINVAL for bad sizes, an unknown format or non-finite data,
 * MH_EIO when the file cannot be written; err holds the reason. */
int mh_ovf_write(const char *path, const mh_ovf *o, const char *format, char *err, size_t errlen);

/* Zero *o and describe a grid of nx x ny x nz cells of dx x dy x dz m with
 * valuedim components: bases at the first cell's centre, meshunit "m",
 * texts empty. data (SoA) is borrowed: do not mh_ovf_clear such an o. */
void mh_ovf_grid(mh_ovf *o, int nx, int ny, int nz, int valuedim, double dx, double dy, double dz,
                 double *data);

/* Free o->data and zero *o. NULL is ignored. */
void mh_ovf_clear(mh_ovf *o);

#endif
