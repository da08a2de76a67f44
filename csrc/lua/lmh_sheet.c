/* lmh_sheet.c — pads, volts, solver option and failures shared by the
 * AMR and Oersted bindings (see lmh_sheet.h). */
#include <math.h>
#include <string.h>

#include "amr.h"
#include "lmh_sheet.h"
#include "spsolve.h"

/* Pads from the table at `arg`: a list of {x=, y=, w=, h=} (or {x, y, w, h}),
 * metres. Returns a malloc'd array of 4 doubles per pad. */
static double *read_rects(lua_State *L, int arg, int *npads)
{
    luaL_checktype(L, arg, LUA_TTABLE);
    int n = (int)luaL_len(L, arg);
    if (n < 2 || n > 100000)
        lmh_argerror(L, arg, "electrodes: need at least 2 pads, got %d", n);
    double *r = lua_newuserdatauv(L, (size_t)n * 4 * sizeof(double), 0); /* GC-safe scratch */
    static const char *const keys[4] = {"x", "y", "w", "h"};
    for (int k = 0; k < n; k++) {
        if (lua_geti(L, arg, k + 1) != LUA_TTABLE)
            lmh_argerror(L, arg, "electrodes: pad %d must be a table {x=, y=, w=, h=} (m)", k + 1);
        for (int q = 0; q < 4; q++) {
            int t = lua_getfield(L, -1, keys[q]);
            if (t == LUA_TNIL) {
                lua_pop(L, 1);
                t = lua_geti(L, -1, q + 1);
            }
            int isnum = 0;
            double v = lua_tonumberx(L, -1, &isnum);
            if (!isnum || !isfinite(v))
                lmh_argerror(L, arg, "electrodes: pad %d field '%s' must be a finite number (m)", k + 1,
                            keys[q]);
            if (q >= 2 && !(v > 0))
                lmh_argerror(L, arg, "electrodes: pad %d size '%s' must be > 0 m, got %g", k + 1, keys[q], v);
            r[4 * k + q] = v;
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    *npads = n;
    return r; /* stays on the stack top */
}

/* Map pads to cells or raise naming the electrodes argument. */
static int *map_pads(lua_State *L, int arg, const mm_film *f, const unsigned char *cond,
                     int npads, const double *rects)
{
    size_t n2 = (size_t)f->nx * f->ny;
    int *pad = lua_newuserdatauv(L, n2 * sizeof(int), 0);
    int bad, why, other;
    if (mh_pads_map(f->nx, f->ny, f->dx, f->dy, cond, npads, rects, pad, &bad, &why, &other) != MH_OK) {
        const double *r = rects + 4 * bad;
        switch (why) {
        case 1:
            lmh_argerror(L, arg, "electrodes: pad %d (centre %g, %g m, size %g x %g m) lies outside the "
                        "film (0..%g x 0..%g m)", bad + 1, r[0], r[1], r[2], r[3], f->nx * f->dx,
                        f->ny * f->dy);
            break;
        case 2:
            lmh_argerror(L, arg, "electrodes: pad %d covers no cell centre (cells are %g x %g m)",
                        bad + 1, f->dx, f->dy);
            break;
        case 3:
            lmh_argerror(L, arg, "electrodes: pads %d and %d overlap", other + 1, bad + 1);
            break;
        case 4:
            lmh_argerror(L, arg, "electrodes: pad %d covers cells outside the film's mask", bad + 1);
            break;
        default:
            lmh_argerror(L, arg, "electrodes: pads %d and %d touch (no gap of at least one cell)",
                        other + 1, bad + 1);
        }
    }
    return pad;
}

int *lmh_check_pads(lua_State *L, int arg, const mm_film *f, const unsigned char *cond, int *npads)
{
    double *rects = read_rects(L, arg, npads);
    return map_pads(L, arg, f, cond, *npads, rects);
}

int lmh_optsolver(lua_State *L, int t)
{
    int kind = MH_SOLVER_DEFAULT;
    if (lua_isnoneornil(L, t))
        return kind;
    if (lua_getfield(L, t, "solver") != LUA_TNIL) {
        const char *nm = lua_tostring(L, -1);
        kind = nm ? mh_solver_kind(nm) : -1;
        if (kind < 0)
            lmh_argerror(L, t, "solver must be one of cholmod, mg; got %s",
                        nm ? nm : luaL_typename(L, -1));
    }
    lua_pop(L, 1);
    return kind;
}

/* Largest pad voltage, V: far above any on-chip drive (the paper uses
 * +-3 V), and small enough that currents, fields and powers stay finite. */
#define LMH_MAX_VOLTS 1e3

static void check_volt(lua_State *L, int arg, int k, double v)
{
    if (!(fabs(v) <= LMH_MAX_VOLTS))
        lmh_argerror(L, arg, "volts[%d] = %g V outside [-%g, %g] V", k + 1, v, LMH_MAX_VOLTS, LMH_MAX_VOLTS);
}

/* Volts vector of length n from a table or an Array at `arg` into v; each
 * finite with |v| <= LMH_MAX_VOLTS. */
void lmh_check_volts(lua_State *L, int arg, int n, double *v)
{
    if (lua_type(L, arg) == LUA_TTABLE) {
        int len = (int)luaL_len(L, arg);
        if (len != n)
            lmh_argerror(L, arg, "volts: need %d values (one per pad), got %d", n, len);
        for (int k = 0; k < n; k++) {
            lua_geti(L, arg, k + 1);
            int isnum = 0;
            v[k] = lua_tonumberx(L, -1, &isnum);
            lua_pop(L, 1);
            if (!isnum)
                lmh_argerror(L, arg, "volts[%d] must be a number (V)", k + 1);
            check_volt(L, arg, k, v[k]);
        }
        return;
    }
    lmh_array *a = lmh_array_check(L, arg);
    if (a->rows * a->cols != n)
        lmh_argerror(L, arg, "volts: need %d values (one per pad), got %d", n, a->rows * a->cols);
    for (int k = 0; k < n; k++) {
        v[k] = a->data[k];
        check_volt(L, arg, k, v[k]);
    }
}

int lmh_sheet_fail(lua_State *L, const char *what, int st, double relres)
{
    if (st == MH_ENOCONV)
        return lmh_fail(L, "%s: iterative solver did not converge (relative residual reached %g)",
                        what, relres);
    return lmh_status_fail(L, st, what);
}
