/* l_oersted.c — Lua binding of the write path ("maghop.OerstedSolver"):
 * pad volts to Au sheet currents and their Oersted field in the film
 * (csrc/core/transport/oersted_drive.c does the work), and
 * core.oersted_field for a given sheet current. The solver keeps its film
 * alive in user value 1; the Au factorization never changes, only the
 * volts between calls. */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "film.h"
#include "l_init.h"
#include "lmh_sheet.h"
#include "oersted_drive.h"

#define OE_MT "maghop.OerstedSolver"

typedef struct {
    mh_oe_drive *d;
    int nx, ny, nz, npads;
    double dx, dy, dz, thickness, offset;
} loe;

static loe *oe_check(lua_State *L, int arg)
{
    return lmh_checkopen(L, arg, OE_MT, offsetof(loe, d), "Oersted solver");
}

static int oe_close(lua_State *L)
{
    mh_oe_drive_free(lmh_takehandle(L, OE_MT, offsetof(loe, d)));
    return 0;
}

static int oe_tostring(lua_State *L)
{
    loe *u = lmh_toopen(L, OE_MT, offsetof(loe, d), "OerstedSolver");
    if (u)
        lua_pushfstring(L, "OerstedSolver %dx%dx%d film, %d pads, offset %f nm", u->nx, u->ny, u->nz,
                        u->npads, u->offset * 1e9);
    return 1;
}

static const char *const OE_KEYS[] = {"sigma", "thickness", "offset", "footprint", "solver", NULL};

/* Au footprint into cond (nx*ny) from option 'footprint' of the options at
 * slot 3: "film" (the film's column mask, default), "full" (the whole grid)
 * or a Field nx×ny×1×1 whose nonzero cells carry Au. */
static void footprint(lua_State *L, const mm_film *f, unsigned char *cond)
{
    static const char *const kinds[] = {"film", "full", NULL};
    size_t n2 = (size_t)f->nx * f->ny;
    int ty = lua_isnoneornil(L, 3) ? LUA_TNIL : lua_getfield(L, 3, "footprint");
    if (ty == LUA_TUSERDATA) {
        const lmh_field *m = lmh_field_check(L, -1);
        if (m->nx != f->nx || m->ny != f->ny || m->nz != 1 || m->ncomp != 1)
            lmh_argerror(L, 3, "footprint Field must be %dx%dx1 with 1 comp (nonzero = Au), got "
                         "%dx%dx%d (%d comps)", f->nx, f->ny, m->nx, m->ny, m->nz, m->ncomp);
        for (size_t c = 0; c < n2; c++)
            cond[c] = m->data[c] != 0;
    } else if (ty != LUA_TNIL && !lua_isstring(L, -1)) {
        lmh_argerror(L, 3, "footprint must be 'film', 'full' or a mask Field");
    } else if (lmh_optchoice(L, 3, "footprint", 0, kinds) == 1) {
        memset(cond, 1, n2);
    } else {
        mh_column_mask(f->nx, f->ny, f->nz, f->mask, cond);
    }
    if (ty != LUA_TNIL)
        lua_pop(L, 1);
}

/* core.oersted_solver(film, pads, opts) -> OerstedSolver */
static int l_oersted_solver(lua_State *L)
{
    mm_film *f = lmh_film_check(L, 1);
    lmh_checkoptions(L, 3, OE_KEYS, "oersted options");
    double sigma = lmh_optnumber(L, 3, "sigma", 4.1e7);
    double th = lmh_optnumber(L, 3, "thickness", 50e-9);
    double off = lmh_optnumber(L, 3, "offset", 0.5 * th + 20e-9 + 0.5 * f->nz * f->dz);
    int kind = lmh_optsolver(L, 3);
    if (!(sigma > 0))
        lmh_argerror(L, 3, "sigma must be > 0 S/m, got %g", sigma);
    if (!(th > 0))
        lmh_argerror(L, 3, "thickness must be > 0 m, got %g", th);
    if (!(off - 0.5 * (f->nz - 1) * f->dz > 0))
        lmh_argerror(L, 3, "offset must put every film layer below the Au sheet (> %g m), got %g",
                     0.5 * (f->nz - 1) * f->dz, off);
    unsigned char *cond = lua_newuserdatauv(L, (size_t)f->nx * f->ny, 0);
    footprint(L, f, cond);
    int npads;
    int *pad = lmh_check_pads(L, 2, f, cond, &npads);
    loe *u = lua_newuserdatauv(L, sizeof *u, 1);
    memset(u, 0, sizeof *u);
    luaL_setmetatable(L, OE_MT);
    *u = (loe){NULL, f->nx, f->ny, f->nz, npads, f->dx, f->dy, f->dz, th, off};
    int st;
    u->d = mh_oe_drive_new(f->nx, f->ny, f->nz, f->dx, f->dy, f->dz, cond, pad, npads, sigma, th, off,
                           kind, &st);
    if (!u->d)
        return lmh_error(L, "oersted_solver: cannot build the Au sheet and its field kernels (%s)",
                         mh_strerror(st));
    lua_pushvalue(L, 1);
    lua_setiuservalue(L, -2, 1);
    return 1;
}

/* Option series_resistance of the options at slot 3 (a number for every
 * pad, or one per pad, ohm) into R[N]; returns 0 when absent. */
static int series_resistance(lua_State *L, int N, double *R)
{
    int t = lua_isnoneornil(L, 3) ? LUA_TNIL : lua_getfield(L, 3, "series_resistance");
    if (t == LUA_TNIL)
        return 0;
    if (t == LUA_TNUMBER) {
        double r = lua_tonumber(L, -1);
        if (!(r >= 0 && isfinite(r)))
            lmh_argerror(L, 3, "series_resistance must be >= 0 ohm, got %g", r);
        for (int k = 0; k < N; k++)
            R[k] = r;
    } else if (t == LUA_TTABLE) {
        if ((int)luaL_len(L, -1) != N)
            lmh_argerror(L, 3, "series_resistance: need %d values (one per pad)", N);
        for (int k = 0; k < N; k++) {
            int isnum;
            lua_geti(L, -1, k + 1);
            R[k] = lua_tonumberx(L, -1, &isnum);
            if (!isnum)
                lmh_argerror(L, 3, "series_resistance[%d] must be a number >= 0 ohm, got a %s", k + 1,
                             luaL_typename(L, -1));
            lua_pop(L, 1);
            if (!(R[k] >= 0 && isfinite(R[k])))
                lmh_argerror(L, 3, "series_resistance[%d] = %g must be a finite number >= 0 ohm", k + 1, R[k]);
        }
    } else {
        lmh_argerror(L, 3, "series_resistance must be a number or a table (ohm)");
    }
    lua_pop(L, 1);
    return 1;
}

/* Push a Field on the solver's grid (nz layers, layer thickness dz). */
static double *push_field(lua_State *L, const loe *u, int nz, int ncomp, double dz)
{
    lmh_field *fl = lmh_field_push(L, u->nx, u->ny, nz, ncomp);
    fl->dx = u->dx;
    fl->dy = u->dy;
    fl->dz = dz;
    return fl->data;
}

static const char *const SOLVE_KEYS[] = {"series_resistance", "target_peak_H", NULL};

/* o:solve(volts[, {series_resistance=, target_peak_H=}]) -> table
 * {H = Field (A/m), K = Field (A/m, z = 0), phi = Field (V), I = Array (A),
 *  pad_volts = Array (V), peak_H = A/m, scale = factor applied, relres} */
static int oe_solve(lua_State *L)
{
    loe *u = oe_check(L, 1);
    lua_settop(L, 3); /* scratch space below goes above the optional args */
    int N = u->npads;
    double *v = lua_newuserdatauv(L, (size_t)N * 2 * sizeof(double), 0), *R = v + N;
    lmh_check_volts(L, 2, N, v);
    lmh_checkoptions(L, 3, SOLVE_KEYS, "solve options");
    int have_R = series_resistance(L, N, R);
    /* absent means "no calibration"; a given target must be reachable */
    double target = lmh_optnumber(L, 3, "target_peak_H", 0);
    int given = !lua_isnoneornil(L, 3) && lua_getfield(L, 3, "target_peak_H") != LUA_TNIL;
    if (!lua_isnoneornil(L, 3))
        lua_pop(L, 1);
    if (given && !(target > 0 && target <= 1e8))
        lmh_argerror(L, 3, "target_peak_H = %g outside 0 < target_peak_H <= 1e8 A/m", target);
    lua_getiuservalue(L, 1, 1);
    const mm_film *f = lmh_film_check(L, -1);
    lua_pop(L, 1);
    lua_createtable(L, 0, 8);
    int res = lua_gettop(L);
    mh_oe_result r;
    r.phi = push_field(L, u, 1, 1, u->thickness);
    r.K = push_field(L, u, 1, 3, u->thickness);
    r.H = push_field(L, u, u->nz, 3, u->dz);
    r.I = lmh_array_push(L, N, 1)->data;
    r.pad_volts = lmh_array_push(L, N, 1)->data;
    int st = mh_oe_drive_solve(u->d, v, have_R ? R : NULL, target, f->mask, &r);
    if (st == MH_EINVAL)
        return lmh_fail(L, "oersted solve: the volts drive no current, cannot scale to target_peak_H");
    if (st != MH_OK)
        return lmh_sheet_fail(L, "oersted solve", st, r.relres);
    static const char *const names[] = {"pad_volts", "I", "H", "K", "phi"};
    for (int k = 0; k < 5; k++)
        lua_setfield(L, res, names[k]);
    lua_pushnumber(L, r.peak_H);
    lua_setfield(L, res, "peak_H");
    lua_pushnumber(L, r.scale);
    lua_setfield(L, res, "scale");
    lua_pushnumber(L, r.relres);
    lua_setfield(L, res, "relres");
    return 1;
}

/* o:conductance() -> Array: the Au pad conductance matrix (S) */
static int oe_conductance(lua_State *L)
{
    loe *u = oe_check(L, 1);
    lmh_array *G = lmh_array_push(L, u->npads, u->npads);
    double rr;
    int st = mh_oe_drive_conductance(u->d, G->data, &rr);
    if (st != MH_OK)
        return lmh_sheet_fail(L, "oersted conductance", st, rr);
    return 1;
}

/* core.oersted_field(K, offset, nz, dz) -> H Field: the field of a given
 * sheet current (Field nx×ny×1, 2 or 3 comps, A/m, cell size set) in nz
 * layers of thickness dz whose centre lies offset below the sheet. */
static int l_oersted_field(lua_State *L)
{
    lmh_field *K = lmh_field_check(L, 1);
    double off = lmh_checkfinite(L, 2);
    int nz = (int)luaL_optinteger(L, 3, 1);
    double dz = luaL_optnumber(L, 4, K->dz > 0 ? K->dz : 1e-9);
    if (K->nz != 1 || K->ncomp < 2)
        lmh_argerror(L, 1, "sheet current must be a nx x ny x 1 Field with 2 or 3 comps");
    if (!(K->dx > 0 && K->dy > 0))
        lmh_argerror(L, 1, "sheet current Field needs its cell size (dx, dy > 0)");
    if (nz < 1 || nz > 4096)
        lmh_argerror(L, 3, "nz must be in 1..4096, got %d", nz);
    if (!(dz > 0))
        lmh_argerror(L, 4, "dz must be > 0 m");
    int st;
    mh_oersted *o = mh_oersted_new(K->nx, K->ny, nz, K->dx, K->dy, dz, off, &st);
    if (!o)
        return lmh_argerror(L, 2, "offset must put every layer below the sheet (%s)", mh_strerror(st));
    size_t n2 = (size_t)K->nx * K->ny;
    lmh_field *H = lmh_field_push(L, K->nx, K->ny, nz, 3);
    H->dx = K->dx;
    H->dy = K->dy;
    H->dz = dz;
    for (size_t q = 0; q < 2 * n2; q++)
        if (!isfinite(K->data[q])) {
            mh_oersted_free(o);
            return lmh_argerror(L, 1, "sheet current holds a non-finite value");
        }
    mh_oersted_field(o, K->data, H->data);
    mh_oersted_free(o);
    return 1;
}

void lmh_open_oersted(lua_State *L)
{
    static const luaL_Reg funcs[] = {{"oersted_solver", l_oersted_solver}, {"oersted_field", l_oersted_field}, {NULL, NULL}};
    static const luaL_Reg methods[] = {{"solve", oe_solve}, {"conductance", oe_conductance}, {NULL, NULL}};
    static const luaL_Reg meta[] = {{"__tostring", oe_tostring}, {NULL, NULL}};
    lmh_newtype(L, OE_MT, methods, meta, oe_close, NULL);
    luaL_setfuncs(L, funcs, 0);
}
