/* l_amr.c — Lua binding of the AMR read-out ("maghop.AMRSolver"): the
 * conductance matrix, potentials and pad currents of a film's
 * magnetization. The solver keeps its film alive in user value 1 and
 * refactors only when the film's m changed since the last load. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "amr.h"
#include "film.h"
#include "l_init.h"
#include "lmh_sheet.h"
#include "spsolve.h"

#define AMR_MT "maghop.AMRSolver"

enum { MODE_NONE = -1, MODE_FILM = 0, MODE_SATURATED = 1 };

typedef struct {
    mh_sheet *sheet;
    int nx, ny, npads;
    double dx, dy, sperp, sdelta, thickness;
    double *gxx, *gxy, *gyy; /* nx*ny work */
    int mode;                /* loaded tensor */
    uint64_t mhash;          /* hash of the film's m for MODE_FILM */
    double relres;
} lamr;

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

static lamr *amr_check(lua_State *L, int arg)
{
    return lmh_checkopen(L, arg, AMR_MT, offsetof(lamr, sheet), "AMR solver");
}

static int amr_close(lua_State *L)
{
    mh_sheet_free(lmh_takehandle(L, AMR_MT, offsetof(lamr, sheet)));
    lamr *u = lua_touserdata(L, 1);
    free(u->gxx);
    free(u->gxy);
    free(u->gyy);
    u->gxx = u->gxy = u->gyy = NULL;
    return 0;
}

static int amr_tostring(lua_State *L)
{
    lamr *u = lmh_toopen(L, AMR_MT, offsetof(lamr, sheet), "AMRSolver");
    if (u)
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
    int kind = lmh_optsolver(L, 3);
    if (!(sigma0 > 0 && sigma0 <= 1e9))
        lmh_argerror(L, 3, "sigma0 must be in (0, 1e9] S/m, got %g", sigma0);
    if (!(a > -1 && a < 1))
        lmh_argerror(L, 3, "amr_ratio must be in (-1, 1), got %g", a);
    if (!(th >= 1e-12 && th <= 1e-3))
        lmh_argerror(L, 3, "thickness must be in [1e-12, 1e-3] m, got %g", th);
    if (!(tol > 0 && tol < 1))
        lmh_argerror(L, 3, "tol must be in (0, 1), got %g", tol);
    if (!(maxit >= 1 && maxit <= 1e9))
        lmh_argerror(L, 3, "maxit must be in 1..1e9, got %g", maxit);
    int npads;
    size_t n2 = (size_t)f->nx * f->ny;
    unsigned char *cond = lua_newuserdatauv(L, n2, 0);
    mh_column_mask(f->nx, f->ny, f->nz, f->mask, cond);
    int *pad = lmh_check_pads(L, 2, f, cond, &npads);

    lamr *u = lua_newuserdatauv(L, sizeof *u, 1);
    memset(u, 0, sizeof *u);
    luaL_setmetatable(L, AMR_MT);
    *u = (lamr){.nx = f->nx, .ny = f->ny, .npads = npads, .dx = f->dx, .dy = f->dy, .thickness = th,
                .mode = MODE_NONE};
    mh_amr_sigmas(sigma0, a, &u->sperp, &u->sdelta);
    u->gxx = malloc(n2 * sizeof(double));
    u->gxy = malloc(n2 * sizeof(double));
    u->gyy = malloc(n2 * sizeof(double));
    if (!u->gxx || !u->gxy || !u->gyy)
        return lmh_status_error(L, MH_ENOMEM, "amr_solver");
    int st;
    u->sheet = mh_sheet_new(f->nx, f->ny, f->dx, f->dy, cond, pad, npads, kind, &st);
    if (!u->sheet) /* the work arrays go with the userdata at collection */
        return luaL_error(L, "amr_solver: cannot build the conduction problem (%s)", mh_strerror(st));
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
    uint64_t h = mode == MODE_FILM ? hash_m(f) : 0;
    if (u->mode == mode && (mode == MODE_SATURATED || h == u->mhash))
        return MH_OK;
    u->mode = MODE_NONE;
    for (size_t q = 0; q < 3 * f->n; q++)
        if (!isfinite(f->m[q]))
            luaL_error(L, "AMR solver: the film's magnetization holds a non-finite value");
    /* saturated out of plane: m∥ = 0, Σ = σ⊥ I */
    mh_amr_tensor(f->nx, f->ny, f->nz, f->mask, f->m, u->sperp,
                  mode == MODE_SATURATED ? 0.0 : u->sdelta, u->thickness, u->gxx, u->gxy, u->gyy);
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
        return lmh_sheet_fail(L, "conductance", st, 0.0);
    lmh_array *G = lmh_array_push(L, u->npads, u->npads);
    double rr = 0;
    st = mh_sheet_conductance(u->sheet, G->data, &rr);
    u->relres = rr;
    if (st != MH_OK)
        return lmh_sheet_fail(L, "conductance", st, rr);
    lua_pushnumber(L, rr);
    return 2;
}

/* s:currents and s:potential: load the sheet for the volts at slot 2 and
 * the optional mode at slot 3, then solve it. Pushes the potential phi and
 * current density J Fields when `fields`, then the pad currents I and the
 * relative residual; returns their count, or nil, message. */
static int amr_solve(lua_State *L, const char *what, int fields)
{
    lamr *u = amr_check(L, 1);
    lua_settop(L, 3);
    double *v = lua_newuserdatauv(L, (size_t)u->npads * sizeof(double), 0);
    lmh_check_volts(L, 2, u->npads, v);
    int st = amr_load(L, u, opt_mode(L, 3));
    if (st != MH_OK)
        return lmh_sheet_fail(L, what, st, 0.0);
    lmh_field *phi = NULL, *J = NULL;
    if (fields) {
        phi = lmh_field_push(L, u->nx, u->ny, 1, 1);
        J = lmh_field_push(L, u->nx, u->ny, 1, 3);
        phi->dx = J->dx = u->dx;
        phi->dy = J->dy = u->dy;
        phi->dz = J->dz = u->thickness;
    }
    lmh_array *I = lmh_array_push(L, u->npads, 1);
    double rr = 0;
    st = mh_sheet_solve(u->sheet, v, phi ? phi->data : NULL, J ? J->data : NULL, I->data, &rr);
    u->relres = rr;
    if (st != MH_OK)
        return lmh_sheet_fail(L, what, st, rr);
    size_t n2 = (size_t)u->nx * u->ny;
    for (size_t c = 0; J && c < 2 * n2; c++)
        J->data[c] /= u->thickness; /* sheet current -> current density */
    lua_pushnumber(L, rr);
    return fields ? 4 : 2;
}

/* s:currents(volts[, mode]) -> Array N×1 of currents into the pads (A) */
static int amr_currents(lua_State *L) { return amr_solve(L, "currents", 0); }

/* s:potential(volts[, mode]) -> phi Field (V), J Field (A/m², z = 0), I Array (A) */
static int amr_potential(lua_State *L) { return amr_solve(L, "potential", 1); }

static int amr_info(lua_State *L)
{
    lamr *u = amr_check(L, 1);
    lua_createtable(L, 0, 8);
    lmh_setinteger(L, "unknowns", mh_sheet_unknowns(u->sheet));
    lmh_setinteger(L, "pads", u->npads);
    lua_pushstring(L, mh_solver_name(mh_sheet_solver(u->sheet)));
    lua_setfield(L, -2, "solver");
    lmh_setinteger(L, "iters", mh_sheet_last_iters(u->sheet));
    lmh_setnumber(L, "relres", u->relres);
    lmh_setnumber(L, "sigma_perp", u->sperp);
    lmh_setnumber(L, "sigma_par", u->sperp + u->sdelta);
    lmh_setnumber(L, "thickness", u->thickness);
    return 1;
}

void lmh_open_amr(lua_State *L)
{
    static const luaL_Reg funcs[] = {{"amr_solver", l_amr_solver}, {NULL, NULL}};
    static const luaL_Reg methods[] = {{"conductance", amr_conductance}, {"currents", amr_currents},
                                       {"potential", amr_potential},     {"info", amr_info},
                                       {NULL, NULL}};
    static const luaL_Reg meta[] = {{"__tostring", amr_tostring}, {NULL, NULL}};
    lmh_newtype(L, AMR_MT, methods, meta, amr_close, NULL);
    luaL_setfuncs(L, funcs, 0);
}
