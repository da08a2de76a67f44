/* mh_common.h — shared constants and status codes of the maghop C core.
 * Pure C: no Lua here. Every core function that can fail returns an int
 * status (MH_OK or a negative MH_E* code); the Lua bindings turn codes into
 * errors or `nil, message` results. Units are SI throughout. */
#ifndef MH_COMMON_H
#define MH_COMMON_H

#include <stddef.h>

#define MH_MU0 1.25663706212e-6 /* vacuum permeability, T·m/A (N/A²) */
#define MH_PI 3.14159265358979323846

enum {
    MH_OK = 0,
    MH_ENOMEM = -1,    /* allocation failed */
    MH_EINVAL = -2,    /* argument outside its accepted range */
    MH_ESINGULAR = -3, /* singular or non-positive-definite system */
    MH_ENOCONV = -4,   /* iterative method did not converge */
    MH_EIO = -5,       /* file could not be read or written */
    MH_EFORMAT = -6,   /* file content malformed */
    MH_ERANGE = -7     /* result or intermediate outside the range of doubles */
};

/* Human-readable text for a status code; never NULL. */
const char *mh_strerror(int status);

/* Create the missing parent folders of file `path` (like mkdir -p on its
 * dirname; mode 0777 before umask). Returns MH_OK (also when they exist or
 * path has no folder part) or MH_EIO, with errno set. */
int mh_mkdir_parents(const char *path);

#endif
