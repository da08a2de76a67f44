/* l_demag.c — direct Lua access to the demag engine (csrc/demag.c), for
 * tests and for users who want the magnetostatic field of a given state
 * without a film:
 *   core.demag_field(m [, Ms])  m: 3-component Field with its cell size set
 *   core.demag_field(nx, ny, nz, dx, dy, dz, mx, my, mz [, Ms])  uniform m
 *       -> H (Field, A/m), energy (J)
 *   core.demag_tensor(X, Y, Z, dx, dy, dz) -> Nxx, Nyy, Nzz, Nxy, Nxz, Nyz
 *   core.demag_factors(nx, ny, nz, dx, dy, dz) -> the same six, box average
 *       computed through the FFT convolution
 * Ms defaults to 1 A/m, so H is then -N m directly. */
/***
The demagnetization (magnetostatic) engine on its own, without a film:
`mh.demag.field`, `mh.demag.tensor`, `mh.demag.factors` (Newell's tensor,
FFT convolution). Lengths in metres, fields in A/m.
@module maghop.demag
*/
#include <math.h>
#include <string.h>

#include "l_init.h"
#include "lmh_aux.h"

#include "demag.h"

static void free_engine(void *p)
{
    mh_demag_free(*(mh_demag **)p);
}

/* An engine owned for the span of one call, freed even if Lua raises. */
static mh_demag *push_engine(lua_State *L, int nx, int ny, int nz, double dx, double dy,
                             double dz)
{
    mh_demag **p = lmh_newowned(L, sizeof *p, free_engine);
    int st;
    *p = mh_demag_new(nx, ny, nz, dx, dy, dz, &st);
    if (!*p)
        lmh_error(L, "demag engine for %dx%dx%d cells of %g x %g x %g nm: %s", nx, ny, nz, dx * 1e9,
                  dy * 1e9, dz * 1e9, mh_strerror(st));
    return *p;
}

static int check_size(lua_State *L, int arg)
{
    lua_Integer v = luaL_checkinteger(L, arg);
    if (v < 1 || v > 65536)
        lmh_argerror(L, arg, "grid size %lld outside 1..65536", (long long)v);
    return (int)v;
}

static double check_cell(lua_State *L, int arg)
{
    double v = lmh_checkfinite(L, arg);
    if (!(v > 0))
        lmh_argerror(L, arg, "cell size must be > 0 (m), got %g", v);
    return v;
}

/* Cell sides dx, dy, dz (args arg..arg+2, or of a Field at arg) within
 * the aspect ratio the Newell tensor resolves. */
static void check_aspect(lua_State *L, int arg, double dx, double dy, double dz)
{
    double hi = fmax(dx, fmax(dy, dz)), lo = fmin(dx, fmin(dy, dz));
    if (hi > MH_DEMAG_MAX_ASPECT * lo)
        lmh_argerror(L, arg, "cell sides %g x %g x %g m differ by a factor %g, above the %g the demag "
                             "tensor resolves in double precision", dx, dy, dz, hi / lo, MH_DEMAG_MAX_ASPECT);
}

/***
Demagnetizing field of a magnetization. Called as field(m [, Ms]) with a
3-component Field m (cell size set), or as field(nx, ny, nz, dx, dy, dz,
mx, my, mz [, Ms]) for a uniform m.
@function mh.demag.field
@param ... see above; Ms (A/m, default 1, so that H = -N m)
@treturn Field H, A/m
@treturn number the demag energy, J
@raise for bad sizes or a cell aspect ratio the tensor does not resolve
*/
static int l_demag_field(lua_State *L)
{
    int nx, ny, nz, msarg;
    double dx, dy, dz, mu[3] = {0, 0, 0};
    const lmh_field *mf = NULL;
    if (luaL_testudata(L, 1, LMH_FIELD_MT)) {
        mf = lmh_field_check(L, 1);
        if (mf->ncomp != 3)
            return lmh_argerror(L, 1, "m must have 3 components, has %d", mf->ncomp);
        if (!(mf->dx > 0 && mf->dy > 0 && mf->dz > 0))
            return lmh_argerror(L, 1, "m has no cell size (dx, dy, dz = %g, %g, %g)", mf->dx,
                               mf->dy, mf->dz);
        nx = mf->nx;
        ny = mf->ny;
        nz = mf->nz;
        dx = mf->dx;
        dy = mf->dy;
        dz = mf->dz;
        msarg = 2;
    } else {
        nx = check_size(L, 1);
        ny = check_size(L, 2);
        nz = check_size(L, 3);
        dx = check_cell(L, 4);
        dy = check_cell(L, 5);
        dz = check_cell(L, 6);
        for (int q = 0; q < 3; q++)
            mu[q] = lmh_checkfinite(L, 7 + q);
        msarg = 10;
    }
    check_aspect(L, mf ? 1 : 4, dx, dy, dz);
    double Ms = 1.0;
    if (!lua_isnoneornil(L, msarg)) {
        Ms = lmh_checkfinite(L, msarg);
        if (!(Ms >= 0 && Ms <= 1e8))
            return lmh_argerror(L, msarg, "Ms must be in [0, 1e8] A/m, got %g", Ms);
    }
    mh_demag *d = push_engine(L, nx, ny, nz, dx, dy, dz);
    size_t n = (size_t)nx * ny * nz;
    lmh_field *m = lmh_field_push(L, nx, ny, nz, 3); /* scratch copy of m */
    if (mf) {
        for (size_t i = 0; i < 3 * n; i++)
            if (!isfinite(mf->data[i]))
                return lmh_argerror(L, 1, "m holds a non-finite value at index %d", (int)i);
        memcpy(m->data, mf->data, 3 * n * sizeof(double));
    } else {
        for (int q = 0; q < 3; q++)
            for (size_t c = 0; c < n; c++)
                m->data[(size_t)q * n + c] = mu[q];
    }
    lmh_field *H = lmh_field_push(L, nx, ny, nz, 3);
    H->dx = dx;
    H->dy = dy;
    H->dz = dz;
    double e = mh_demag_add(d, m->data, Ms, H->data);
    lua_pushnumber(L, e);
    return 2;
}

/***
Newell's demag tensor between two cells dx x dy x dz at offset (X, Y, Z) (m).
@function mh.demag.tensor
@number X
@number Y
@number Z
@number dx
@number dy
@number dz
@return Nxx, Nyy, Nzz, Nxy, Nxz, Nyz (dimensionless)
*/
static int l_demag_tensor(lua_State *L)
{
    double X = lmh_checkfinite(L, 1), Y = lmh_checkfinite(L, 2), Z = lmh_checkfinite(L, 3);
    double dx = check_cell(L, 4), dy = check_cell(L, 5), dz = check_cell(L, 6), N[6];
    check_aspect(L, 4, dx, dy, dz);
    mh_demag_tensor(X, Y, Z, dx, dy, dz, N);
    for (int c = 0; c < 6; c++)
        lua_pushnumber(L, N[c]);
    return 6;
}

/***
Demagnetizing factors of a box of nx x ny x nz cells, averaged over the box
(through the same FFT convolution as the film).
@function mh.demag.factors
@int nx
@int ny
@int nz
@number dx m
@number dy m
@number dz m
@return Nxx, Nyy, Nzz, Nxy, Nxz, Nyz (Nxx + Nyy + Nzz = 1)
*/
static int l_demag_factors(lua_State *L)
{
    int nx = check_size(L, 1), ny = check_size(L, 2), nz = check_size(L, 3);
    double dx = check_cell(L, 4), dy = check_cell(L, 5), dz = check_cell(L, 6), N[6];
    check_aspect(L, 4, dx, dy, dz);
    mh_demag *d = push_engine(L, nx, ny, nz, dx, dy, dz);
    if (mh_demag_tensor_avg(d, N) != MH_OK)
        return lmh_status_error(L, MH_ENOMEM, "demag_factors");
    for (int c = 0; c < 6; c++)
        lua_pushnumber(L, N[c]);
    return 6;
}

void lmh_open_demag(lua_State *L)
{
    static const luaL_Reg fns[] = {{"demag_field", l_demag_field},
                                   {"demag_tensor", l_demag_tensor},
                                   {"demag_factors", l_demag_factors},
                                   {NULL, NULL}};
    luaL_setfuncs(L, fns, 0);
}
