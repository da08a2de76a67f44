/* l_field.h — the Lua vector-field type "maghop.Field": an nx x ny x nz grid
 * with ncomp components per cell, stored SoA (component q of cell
 * c = i + nx*(j + ny*k) at data[c + q*n]). Used for m(), field maps, etc. */
#ifndef L_FIELD_H
#define L_FIELD_H

#include <lua.h>

#define LMH_FIELD_MT "maghop.Field"

typedef struct {
    int nx, ny, nz, ncomp;
    double dx, dy, dz; /* cell size, m (0 when unknown) */
    double *data;      /* SoA ncomp*n, owned; NULL once closed */
} lmh_field;

/* Push a new Field userdata with zeroed data (dx..dz = 0, set by the caller).
 * Raises a Lua error on bad sizes or out of memory. */
lmh_field *lmh_field_push(lua_State *L, int nx, int ny, int nz, int ncomp);

/* The Field at stack slot arg; raises if it is not an open Field. */
lmh_field *lmh_field_check(lua_State *L, int arg);

void lmh_open_field(lua_State *L);

#endif
