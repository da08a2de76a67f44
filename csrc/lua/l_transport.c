/* l_transport.c — Lua binding of the transport core: the AMR read-out
 * solver ("maghop.AMRSolver", conductance matrix, potentials and pad
 * currents of a film's magnetization) and the Au write solver
 * ("maghop.OerstedSolver", sheet currents and their Oersted field).
 * Both keep their film alive in user value 1 and cache the factorization:
 * the AMR solver refactors only when the film's m changed, the Oersted
 * solver never (only the volts change between calls). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "l_init.h"
#include "lmh_aux.h"

#include "amr.h"
#include "film.h"
#include "oersted.h"
#include "spsolve.h"

#define AMR_MT "maghop.AMRSolver"
#define OE_MT "maghop.OerstedSolver"

enum { MODE_NONE = -1, MODE_FILM = 0, MODE_SATURATED = 1 };

typedef struct {
    mh_sheet *sheet;
    int nx, ny, nz, npads;
    double dx, dy, dz, sperp, sdelta, thickness;
    double *gxx, *gxy, *gyy; /* nx*ny work */
    unsigned char *cond;
    int mode;                /* loaded tensor */
    uint64_t mhash;          /* hash of the film's m for MODE_FILM */
    double relres;
} lamr;

typedef struct {
    mh_sheet *sheet;
    mh_oersted *oe;
    int nx, ny, nz, npads;
    double dx, dy, dz, sigma, thickness, offset;
    double *Gau; /* Au pad conductance matrix, computed on first need */
    unsigned char *cond;
} loe;

/* ---------------------------------------------------------------- helpers */

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

/* Column mask: a column conducts where any layer is material. */
static void column_mask(const mm_film *f, unsigned char *cond)
{
    size_t n2 = (size_t)f->nx * f->ny;
    for (size_t c = 0; c < n2; c++) {
        unsigned char on = 0;
        for (int k = 0; k < f->nz; k++)
            on |= f->mask[c + n2 * k] ? 1 : 0;
        cond[c] = on;
    }
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

static int opt_solver(lua_State *L, int t)
{
    int kind = MH_SOLVER_DEFAULT;
    if (lua_isnoneornil(L, t))
        return kind;
    if (lua_getfield(L, t, "solver") != LUA_TNIL) {
        const char *nm = lua_tostring(L, -1);
        kind = nm ? mh_solver_kind(nm) : -1;
        if (kind < 0)
            lmh_argerror(L, t, "solver must be one of cholmod, ic0, jacobi, mg; got %s",
                        nm ? nm : luaL_typename(L, -1));
    }
    lua_pop(L, 1);
    return kind;
}

/* Largest pad voltage, V: far above any on-chip drive (the paper uses
 * +-3 V), and small enough that currents, fields and powers stay finite. */
#define LMH_MAX_VOLTS 1e3

/* Volts vector of length n from a table or an Array at `arg` into v; each
 * finite with |v| <= LMH_MAX_VOLTS. */
static void read_volts(lua_State *L, int arg, int n, double *v)
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
            if (!(fabs(v[k]) <= LMH_MAX_VOLTS))
                lmh_argerror(L, arg, "volts[%d] = %g V outside [-%g, %g] V", k + 1, v[k], LMH_MAX_VOLTS,
                             LMH_MAX_VOLTS);
        }
        return;
    }
    lmh_array *a = lmh_array_check(L, arg);
    if (a->rows * a->cols != n)
        lmh_argerror(L, arg, "volts: need %d values (one per pad), got %d", n, a->rows * a->cols);
    for (int k = 0; k < n; k++) {
        v[k] = a->data[k];
        if (!(fabs(v[k]) <= LMH_MAX_VOLTS))
            lmh_argerror(L, arg, "volts[%d] = %g V outside [-%g, %g] V", k + 1, v[k], LMH_MAX_VOLTS,
                         LMH_MAX_VOLTS);
    }
}

/* FNV-style hash of m, a word at a time: detects any change of the film's
 * magnetization between reads (so the factorization is redone only then). */
static uint64_t hash_m(const mm_film *f)
{
    uint64_t h = 1469598103934665603ULL;
    size_t nw = 3 * f->n;
    for (size_t i = 0; i < nw; i++) {
        uint64_t w;
        memcpy(&w, f->m + i, sizeof w);
        h = (h ^ w) * 1099511628211ULL;
        h ^= h >> 29;
    }
    return h;
}

/* nil, message for a failed sheet solve (the residual tells how far an
 * iterative solver got). */
static int solve_fail(lua_State *L, const char *what, int st, double relres)
{
    if (st == MH_ENOCONV)
        return lmh_fail(L, "%s: iterative solver did not converge (relative residual reached %g)",
                        what, relres);
    return lmh_status_fail(L, st, what);
}

/* ------------------------------------------------------------ AMR solver */

static lamr *amr_check(lua_State *L, int arg)
{
    lamr *u = luaL_checkudata(L, arg, AMR_MT);
    if (!u->sheet)
        luaL_argerror(L, arg, "AMR solver is closed");
    return u;
}

static int amr_close(lua_State *L)
{
    lamr *u = luaL_checkudata(L, 1, AMR_MT);
    mh_sheet_free(u->sheet);
    u->sheet = NULL;
    free(u->gxx);
    free(u->gxy);
    free(u->gyy);
    free(u->cond);
    u->gxx = u->gxy = u->gyy = NULL;
    u->cond = NULL;
    return 0;
}

static int amr_tostring(lua_State *L)
{
    lamr *u = luaL_checkudata(L, 1, AMR_MT);
    if (!u->sheet)
        lua_pushstring(L, "AMRSolver (closed)");
    else
        lua_pushfstring(L, "AMRSolver %dx%d film, %d pads, %d unknowns (%s)", u->nx, u->ny, u->npads,
                        mh_sheet_unknowns(u->sheet), mh_solver_name(mh_sheet_solver(u->sheet)));
    return 1;
}

static const char *const AMR_KEYS[] = {"sigma0", "amr_ratio", "thickness", "solver", "tol", "maxit", NULL};

/* core.amr_solver(film, pads, opts) -> AMRSolver */
static int l_amr_solver(lua_State *L)
{
    mm_film *f = lmh_film_check(L, 1);
    lmh_checkoptions(L, 3, AMR_KEYS, "amr options");
    double sigma0 = lmh_optnumber(L, 3, "sigma0", 5e6);
    double a = lmh_optnumber(L, 3, "amr_ratio", 0.02);
    double th = lmh_optnumber(L, 3, "thickness", f->nz * f->dz);
    double tol = lmh_optnumber(L, 3, "tol", 1e-10);
    double maxit = lmh_optnumber(L, 3, "maxit", 20000);
    int kind = opt_solver(L, 3);
    if (!(sigma0 > 0))
        lmh_argerror(L, 3, "sigma0 must be > 0 S/m, got %g", sigma0);
    if (!(a > -1 && a < 1))
        lmh_argerror(L, 3, "amr_ratio must be in (-1, 1), got %g", a);
    if (!(th > 0))
        lmh_argerror(L, 3, "thickness must be > 0 m, got %g", th);
    if (!(tol > 0 && tol < 1))
        lmh_argerror(L, 3, "tol must be in (0, 1), got %g", tol);
    if (!(maxit >= 1 && maxit <= 1e9))
        lmh_argerror(L, 3, "maxit must be in 1..1e9, got %g", maxit);
    int npads;
    double *rects = read_rects(L, 2, &npads);
    size_t n2 = (size_t)f->nx * f->ny;
    unsigned char *cond = lua_newuserdatauv(L, n2, 0);
    column_mask(f, cond);
    int *pad = map_pads(L, 2, f, cond, npads, rects);

    lamr *u = lua_newuserdatauv(L, sizeof *u, 1);
    memset(u, 0, sizeof *u);
    luaL_setmetatable(L, AMR_MT);
    u->nx = f->nx;
    u->ny = f->ny;
    u->nz = f->nz;
    u->dx = f->dx;
    u->dy = f->dy;
    u->dz = f->dz;
    u->npads = npads;
    u->thickness = th;
    u->mode = MODE_NONE;
    mh_amr_sigmas(sigma0, a, &u->sperp, &u->sdelta);
    u->gxx = malloc(n2 * sizeof(double));
    u->gxy = malloc(n2 * sizeof(double));
    u->gyy = malloc(n2 * sizeof(double));
    u->cond = malloc(n2);
    if (!u->gxx || !u->gxy || !u->gyy || !u->cond)
        return lmh_status_error(L, MH_ENOMEM, "amr_solver");
    int st;
    u->sheet = mh_sheet_new(f->nx, f->ny, f->dx, f->dy, cond, pad, npads, kind, &st);
    if (!u->sheet) {
        amr_close(L);
        return luaL_error(L, "amr_solver: cannot build the conduction problem (%s)", mh_strerror(st));
    }
    mh_sheet_set_tolerance(u->sheet, tol, (int)maxit);
    lua_pushvalue(L, 1);
    lua_setiuservalue(L, -2, 1);
    return 1;
}

/* Load the tensor for `mode` unless already loaded for this m. Returns a
 * status; raises on a film that no longer matches. */
static int amr_load(lua_State *L, lamr *u, int mode)
{
    lua_getiuservalue(L, 1, 1);
    mm_film *f = lmh_film_check(L, -1);
    lua_pop(L, 1);
    if (f->nx != u->nx || f->ny != u->ny || f->nz != u->nz)
        luaL_error(L, "AMR solver: the film's grid changed");
    uint64_t h = mode == MODE_FILM ? hash_m(f) : 0;
    if (u->mode == mode && (mode == MODE_SATURATED || h == u->mhash))
        return MH_OK;
    u->mode = MODE_NONE;
    for (size_t q = 0; q < 3 * f->n; q++)
        if (!isfinite(f->m[q]))
            luaL_error(L, "AMR solver: the film's magnetization holds a non-finite value");
    /* saturated out of plane: m∥ = 0, Σ = σ⊥ I */
    mh_amr_tensor(f->nx, f->ny, f->nz, f->mask, f->m, u->sperp,
                  mode == MODE_SATURATED ? 0.0 : u->sdelta, u->thickness, u->gxx, u->gxy, u->gyy,
                  u->cond);
    int st = mh_sheet_set_conductance(u->sheet, u->gxx, u->gxy, u->gyy);
    if (st == MH_OK) {
        u->mode = mode;
        u->mhash = h;
    }
    return st;
}

static int opt_mode(lua_State *L, int arg)
{
    static const char *const modes[] = {"film", "saturated", NULL};
    return luaL_checkoption(L, arg, "film", modes);
}

/* s:conductance([mode]) -> Array G (siemens), worst relative residual */
static int amr_conductance(lua_State *L)
{
    lamr *u = amr_check(L, 1);
    int mode = opt_mode(L, 2);
    int st = amr_load(L, u, mode);
    if (st != MH_OK)
        return solve_fail(L, "conductance", st, 0.0);
    lmh_array *G = lmh_array_push(L, u->npads, u->npads);
    double rr = 0;
    st = mh_sheet_conductance(u->sheet, G->data, &rr);
    u->relres = rr;
    if (st != MH_OK)
        return solve_fail(L, "conductance", st, rr);
    lua_pushnumber(L, rr);
    return 2;
}

/* Common start of s:currents and s:potential: read volts (arg 2) into
 * scratch kept on the stack above the optional mode (arg 3), then load the
 * sheet for that mode. Returns the load status. */
static int amr_volts_load(lua_State *L, lamr *u, double **v)
{
    lua_settop(L, 3);
    *v = lua_newuserdatauv(L, (size_t)u->npads * sizeof(double), 0);
    read_volts(L, 2, u->npads, *v);
    return amr_load(L, u, opt_mode(L, 3));
}

/* s:currents(volts[, mode]) -> Array N×1 of currents into the pads (A) */
static int amr_currents(lua_State *L)
{
    lamr *u = amr_check(L, 1);
    double *v;
    int st = amr_volts_load(L, u, &v);
    if (st != MH_OK)
        return solve_fail(L, "currents", st, 0.0);
    lmh_array *I = lmh_array_push(L, u->npads, 1);
    double rr = 0;
    st = mh_sheet_solve(u->sheet, v, NULL, NULL, I->data, &rr);
    u->relres = rr;
    if (st != MH_OK)
        return solve_fail(L, "currents", st, rr);
    lua_pushnumber(L, rr);
    return 2;
}

/* s:potential(volts[, mode]) -> phi Field (V), J Field (A/m², z = 0), I Array (A) */
static int amr_potential(lua_State *L)
{
    lamr *u = amr_check(L, 1);
    double *v;
    int st = amr_volts_load(L, u, &v);
    if (st != MH_OK)
        return solve_fail(L, "potential", st, 0.0);
    lmh_field *phi = lmh_field_push(L, u->nx, u->ny, 1, 1);
    lmh_field *J = lmh_field_push(L, u->nx, u->ny, 1, 3);
    lmh_array *I = lmh_array_push(L, u->npads, 1);
    phi->dx = J->dx = u->dx;
    phi->dy = J->dy = u->dy;
    phi->dz = J->dz = u->thickness;
    double rr = 0;
    st = mh_sheet_solve(u->sheet, v, phi->data, J->data, I->data, &rr);
    u->relres = rr;
    if (st != MH_OK)
        return solve_fail(L, "potential", st, rr);
    size_t n2 = (size_t)u->nx * u->ny;
    for (size_t c = 0; c < 2 * n2; c++)
        J->data[c] /= u->thickness; /* sheet current -> current density */
    lua_pushnumber(L, rr);
    return 4;
}

static int amr_info(lua_State *L)
{
    lamr *u = amr_check(L, 1);
    lua_createtable(L, 0, 8);
    lua_pushinteger(L, mh_sheet_unknowns(u->sheet));
    lua_setfield(L, -2, "unknowns");
    lua_pushinteger(L, u->npads);
    lua_setfield(L, -2, "pads");
    lua_pushstring(L, mh_solver_name(mh_sheet_solver(u->sheet)));
    lua_setfield(L, -2, "solver");
    lua_pushinteger(L, mh_sheet_last_iters(u->sheet));
    lua_setfield(L, -2, "iters");
    lua_pushnumber(L, u->relres);
    lua_setfield(L, -2, "relres");
    lua_pushnumber(L, u->sperp);
    lua_setfield(L, -2, "sigma_perp");
    lua_pushnumber(L, u->sperp + u->sdelta);
    lua_setfield(L, -2, "sigma_par");
    lua_pushnumber(L, u->thickness);
    lua_setfield(L, -2, "thickness");
    return 1;
}

/* -------------------------------------------------------- Oersted solver */

static loe *oe_check(lua_State *L, int arg)
{
    loe *u = luaL_checkudata(L, arg, OE_MT);
    if (!u->sheet)
        luaL_argerror(L, arg, "Oersted solver is closed");
    return u;
}

static int oe_close(lua_State *L)
{
    loe *u = luaL_checkudata(L, 1, OE_MT);
    mh_sheet_free(u->sheet);
    mh_oersted_free(u->oe);
    free(u->Gau);
    free(u->cond);
    u->sheet = NULL;
    u->oe = NULL;
    u->Gau = NULL;
    u->cond = NULL;
    return 0;
}

static int oe_tostring(lua_State *L)
{
    loe *u = luaL_checkudata(L, 1, OE_MT);
    if (!u->sheet)
        lua_pushstring(L, "OerstedSolver (closed)");
    else
        lua_pushfstring(L, "OerstedSolver %dx%dx%d film, %d pads, offset %f nm", u->nx, u->ny, u->nz,
                        u->npads, u->offset * 1e9);
    return 1;
}

static const char *const OE_KEYS[] = {"sigma", "thickness", "offset", "footprint", "solver", NULL};
/* footprint: "film" (the film's column mask, default), "full" (the whole
 * grid) or a Field nx×ny×1×1 whose nonzero cells carry Au. */

/* core.oersted_solver(film, pads, opts) -> OerstedSolver */
static int l_oersted_solver(lua_State *L)
{
    mm_film *f = lmh_film_check(L, 1);
    lmh_checkoptions(L, 3, OE_KEYS, "oersted options");
    double sigma = lmh_optnumber(L, 3, "sigma", 4.1e7);
    double th = lmh_optnumber(L, 3, "thickness", 50e-9);
    double off = lmh_optnumber(L, 3, "offset", 0.5 * th + 20e-9 + 0.5 * f->nz * f->dz);
    int kind = opt_solver(L, 3);
    int full = 0;
    const lmh_field *fpm = NULL; /* footprint given as a mask Field */
    if (!lua_isnoneornil(L, 3)) {
        lua_getfield(L, 3, "footprint");
        if (lua_isuserdata(L, -1)) {
            fpm = lmh_field_check(L, lua_gettop(L));
            if (fpm->nx != f->nx || fpm->ny != f->ny || fpm->nz != 1 || fpm->ncomp != 1)
                lmh_argerror(L, 3, "footprint Field must be %dx%dx1 with 1 comp (nonzero = Au), got "
                            "%dx%dx%d (%d comps)", f->nx, f->ny, fpm->nx, fpm->ny, fpm->nz, fpm->ncomp);
            full = 2;
        } else if (!lua_isnil(L, -1)) {
            static const char *const fp[] = {"film", "full", NULL};
            const char *s = lua_tostring(L, -1);
            int k = -1;
            for (int q = 0; s && fp[q]; q++)
                if (strcmp(s, fp[q]) == 0)
                    k = q;
            if (k < 0)
                lmh_argerror(L, 3, "footprint must be 'film', 'full' or a mask Field");
            full = k == 1;
        }
        lua_pop(L, 1); /* the Field stays referenced by the options table */
    }
    if (!(sigma > 0))
        lmh_argerror(L, 3, "sigma must be > 0 S/m, got %g", sigma);
    if (!(th > 0))
        lmh_argerror(L, 3, "thickness must be > 0 m, got %g", th);
    if (!(off - 0.5 * (f->nz - 1) * f->dz > 0))
        lmh_argerror(L, 3, "offset must put every film layer below the Au sheet (> %g m), got %g",
                    0.5 * (f->nz - 1) * f->dz, off);
    int npads;
    double *rects = read_rects(L, 2, &npads);
    size_t n2 = (size_t)f->nx * f->ny;
    unsigned char *cond = lua_newuserdatauv(L, n2, 0);
    column_mask(f, cond);
    if (full == 1)
        memset(cond, 1, n2);
    else if (full == 2)
        for (size_t c = 0; c < n2; c++)
            cond[c] = fpm->data[c] != 0;
    int *pad = map_pads(L, 2, f, cond, npads, rects);

    loe *u = lua_newuserdatauv(L, sizeof *u, 1);
    memset(u, 0, sizeof *u);
    luaL_setmetatable(L, OE_MT);
    u->nx = f->nx;
    u->ny = f->ny;
    u->nz = f->nz;
    u->dx = f->dx;
    u->dy = f->dy;
    u->dz = f->dz;
    u->npads = npads;
    u->sigma = sigma;
    u->thickness = th;
    u->offset = off;
    u->cond = malloc(n2);
    double *g = malloc(n2 * sizeof(double)), *z = calloc(n2, sizeof(double));
    if (!u->cond || !g || !z) {
        free(g);
        free(z);
        return lmh_status_error(L, MH_ENOMEM, "oersted_solver");
    }
    memcpy(u->cond, cond, n2);
    for (size_t c = 0; c < n2; c++)
        g[c] = sigma * th;
    int st;
    u->sheet = mh_sheet_new(f->nx, f->ny, f->dx, f->dy, cond, pad, npads, kind, &st);
    if (u->sheet)
        st = mh_sheet_set_conductance(u->sheet, g, z, g);
    free(g);
    free(z);
    if (st != MH_OK) {
        oe_close(L);
        return luaL_error(L, "oersted_solver: cannot build the Au sheet problem (%s)", mh_strerror(st));
    }
    u->oe = mh_oersted_new(f->nx, f->ny, f->nz, f->dx, f->dy, f->dz, off, &st);
    if (!u->oe) {
        oe_close(L);
        return luaL_error(L, "oersted_solver: cannot build the field kernels (%s)", mh_strerror(st));
    }
    lua_pushvalue(L, 1);
    lua_setiuservalue(L, -2, 1);
    return 1;
}

static const char *const SOLVE_KEYS[] = {"series_resistance", "target_peak_H", NULL};

/* o:solve(volts[, {series_resistance=, target_peak_H=}]) -> table
 * {H = Field (A/m), K = Field (A/m, z = 0), phi = Field (V), I = Array (A),
 *  pad_volts = Array (V), peak_H = A/m, scale = factor applied} */
static int oe_solve(lua_State *L)
{
    loe *u = oe_check(L, 1);
    lua_settop(L, 3); /* scratch space below goes above the optional args */
    int N = u->npads;
    double *v = lua_newuserdatauv(L, (size_t)N * 3 * sizeof(double), 0);
    double *R = v + N, *vp = v + 2 * N;
    read_volts(L, 2, N, v);
    lmh_checkoptions(L, 3, SOLVE_KEYS, "solve options");
    int have_R = 0;
    double target = 0;
    if (!lua_isnoneornil(L, 3)) {
        int t = lua_getfield(L, 3, "series_resistance");
        if (t == LUA_TNUMBER) {
            double r = lua_tonumber(L, -1);
            if (!(r >= 0 && isfinite(r)))
                lmh_argerror(L, 3, "series_resistance must be >= 0 ohm, got %g", r);
            for (int k = 0; k < N; k++)
                R[k] = r;
            have_R = 1;
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
            have_R = 1;
        } else if (t != LUA_TNIL) {
            lmh_argerror(L, 3, "series_resistance must be a number or a table (ohm)");
        }
        lua_pop(L, 1);
        /* absent means "no calibration"; a given target must be reachable */
        target = lmh_optnumber(L, 3, "target_peak_H", 0);
        lua_getfield(L, 3, "target_peak_H");
        int given = !lua_isnil(L, -1);
        lua_pop(L, 1);
        if (given && !(target > 0 && target <= 1e8))
            lmh_argerror(L, 3, "target_peak_H = %g outside 0 < target_peak_H <= 1e8 A/m", target);
    }
    int st;
    memcpy(vp, v, (size_t)N * sizeof(double));
    if (have_R) {
        if (!u->Gau) {
            double *G = malloc((size_t)N * N * sizeof(double));
            if (!G)
                return lmh_status_error(L, MH_ENOMEM, "oersted solve");
            double rr;
            st = mh_sheet_conductance(u->sheet, G, &rr);
            if (st != MH_OK) {
                free(G);
                return solve_fail(L, "oersted solve", st, rr);
            }
            u->Gau = G;
        }
        st = mh_series_volts(N, u->Gau, R, v, vp);
        if (st != MH_OK)
            return solve_fail(L, "oersted solve", st, 0);
    }
    size_t n2 = (size_t)u->nx * u->ny, n = n2 * u->nz;
    lua_createtable(L, 0, 8);
    int res = lua_gettop(L);
    lmh_field *phi = lmh_field_push(L, u->nx, u->ny, 1, 1);
    lmh_field *K = lmh_field_push(L, u->nx, u->ny, 1, 3);
    lmh_field *H = lmh_field_push(L, u->nx, u->ny, u->nz, 3);
    lmh_array *I = lmh_array_push(L, N, 1);
    lmh_array *PV = lmh_array_push(L, N, 1);
    phi->dx = K->dx = H->dx = u->dx;
    phi->dy = K->dy = H->dy = u->dy;
    phi->dz = K->dz = u->thickness;
    H->dz = u->dz;
    double rr = 0;
    st = mh_sheet_solve(u->sheet, vp, phi->data, K->data, I->data, &rr);
    if (st != MH_OK)
        return solve_fail(L, "oersted solve", st, rr);
    mh_oersted_field(u->oe, K->data, H->data);
    /* peak |H| over the film cells the Au sheet can act on */
    lua_getiuservalue(L, 1, 1);
    mm_film *f = lmh_film_check(L, -1);
    lua_pop(L, 1);
    double peak = 0;
    for (size_t c = 0; c < n; c++) {
        if (!f->mask[c])
            continue;
        double h2 = H->data[c] * H->data[c] + H->data[n + c] * H->data[n + c] +
                    H->data[2 * n + c] * H->data[2 * n + c];
        if (h2 > peak)
            peak = h2;
    }
    peak = sqrt(peak);
    double scale = 1.0;
    if (target > 0) {
        /* equal pad volts drive nothing but rounding noise; do not blow it up */
        double vmin = vp[0], vmax = vp[0];
        for (int k = 1; k < N; k++) {
            vmin = vp[k] < vmin ? vp[k] : vmin;
            vmax = vp[k] > vmax ? vp[k] : vmax;
        }
        if (!(peak > 0) || !(vmax - vmin > 1e-9 * fmax(fabs(vmax), fabs(vmin))))
            return lmh_fail(L, "oersted solve: the volts drive no current, cannot scale to target_peak_H");
        scale = target / peak;
        for (size_t q = 0; q < 3 * n; q++)
            H->data[q] *= scale;
        for (size_t q = 0; q < 3 * n2; q++)
            K->data[q] *= scale;
        for (size_t q = 0; q < n2; q++)
            phi->data[q] *= scale;
        for (int k = 0; k < N; k++) {
            I->data[k] *= scale;
            vp[k] *= scale;
        }
        peak = target;
    }
    memcpy(PV->data, vp, (size_t)N * sizeof(double));
    lua_setfield(L, res, "pad_volts");
    lua_setfield(L, res, "I");
    lua_setfield(L, res, "H");
    lua_setfield(L, res, "K");
    lua_setfield(L, res, "phi");
    lua_pushnumber(L, peak);
    lua_setfield(L, res, "peak_H");
    lua_pushnumber(L, scale);
    lua_setfield(L, res, "scale");
    lua_pushnumber(L, rr);
    lua_setfield(L, res, "relres");
    return 1;
}

/* o:conductance() -> Array: the Au pad conductance matrix (S) */
static int oe_conductance(lua_State *L)
{
    loe *u = oe_check(L, 1);
    lmh_array *G = lmh_array_push(L, u->npads, u->npads);
    double rr;
    int st = mh_sheet_conductance(u->sheet, G->data, &rr);
    if (st != MH_OK)
        return solve_fail(L, "oersted conductance", st, rr);
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

static const luaL_Reg amr_methods[] = {{"conductance", amr_conductance}, {"currents", amr_currents},
                                       {"potential", amr_potential},     {"info", amr_info},
                                       {NULL, NULL}};
static const luaL_Reg amr_meta[] = {{"__tostring", amr_tostring}, {NULL, NULL}};
static const luaL_Reg oe_methods[] = {{"solve", oe_solve}, {"conductance", oe_conductance}, {NULL, NULL}};
static const luaL_Reg oe_meta[] = {{"__tostring", oe_tostring}, {NULL, NULL}};
static const luaL_Reg funcs[] = {{"amr_solver", l_amr_solver}, {"oersted_solver", l_oersted_solver},
                                 {"oersted_field", l_oersted_field}, {NULL, NULL}};

void lmh_open_transport(lua_State *L)
{
    lmh_newtype(L, AMR_MT, amr_methods, amr_meta, amr_close, NULL);
    lmh_newtype(L, OE_MT, oe_methods, oe_meta, oe_close, NULL);
    luaL_setfuncs(L, funcs, 0);
}
