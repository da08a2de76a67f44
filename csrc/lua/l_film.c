/* l_film.c — Lua binding of the micromagnetic film ("maghop.Film").
 * core.film{...} builds an mm_film; methods set the state and fields, run
 * the LLG integrators, relax/minimize, and read/write OVF. Lua callbacks
 * (time-dependent field, on_step) are called with lua_pcall between or
 * before parallel regions, never from inside them, and their errors are
 * re-raised after the C state is consistent again.
 *
 * Lua API (SI units; A/m for fields):
 *   mh.film{nx=, ny=, nz=1, dx=, dy=dx, dz=dx, shape="rect"|"disk"|mask Field|fn(x,y,z),
 *           Ms=8e5, A=1.3e-11, Ku=0, anis_axis={0,0,1}, alpha=0.02, gamma=2.211e5,
 *           demag=true, temperature=0, seed=1}                       -> Film
 *   f:set_uniform(mx,my,mz)  f:set_random(seed)  f:set_m(fn(x,y,z)->mx,my,mz)
 *   f:set_m_field(Field)  f:m() -> Field  f:mask() -> Field  f:avg() -> <mx>,<my>,<mz>
 *   f:set_field{hx,hy,hz}  f:set_field_map(Field|nil)  f:set_field_fn(fn(t)->hx,hy,hz | nil)
 *   f:energy() -> total, {exchange=, anisotropy=, zeeman=, demag=}   f:max_torque()
 *   f:field() -> Field (effective field)   f:time([t])   f:shape()   f:stats()
 *   f:run(seconds, {solver="rk45"|"rk4"|"heun", dt=, tol=1e-5, adaptive=true, table=path,
 *         every=, on_step=fn(film,t), field_fn=fn(t), max_steps=}) -> steps, rejected
 *   f:relax{torque=1e-4*Ms, tol=1e-4, max_steps=1e6} -> steps, torque | nil, msg
 *   f:minimize{torque=1e-4*Ms, max_iter=1e5} -> iterations, torque | nil, msg
 *   f:load_ovf(path) -> true | nil, msg    f:save_ovf(path, {format="binary8"|"binary4"|"text"})
 *   f:close() (also __gc / __close)
 */
/***
A micromagnetic film: a finite-difference grid of magnetization unit
vectors m (SI units: metres, seconds, A/m, J) integrated with the
Landau-Lifshitz-Gilbert equation. Energy terms: exchange (A), uniaxial
anisotropy (Ku along anis_axis), Zeeman (uniform, map or time-dependent
applied field H, A/m), FFT demagnetization, thermal field. Cells are
indexed 1-based (i, j, k); cell (i, j, k) has its centre at
((i - 0.5) dx, (j - 0.5) dy, (k - 0.5) dz) from the grid's corner.
Bad arguments raise an error naming the argument, the value and the
accepted range; expected runtime failures return nil and a message.
@classmod Film
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "demag.h"
#include "film.h"
#include "l_init.h"
#include "llg.h"
#include "lmh_aux.h"
#include "mm_terms.h"
#include "meter.h"
#include "ovf.h"
#include "run.h"
#include "vtk.h"

#include <unistd.h>

/* user values of the Film userdata: the field function of set_field_fn
 * (kept across calls), the one of the current film:run (that run only) and
 * the autosave counters (prefix -> files written, so numbering continues
 * from one run to the next) */
enum { UV_FIELD_FN = 1, UV_RUN_FN = 2, UV_SAVES = 3, UV_COUNT = 3 };

typedef struct {
    mm_film *f;
    lua_State *L;  /* state of the current call (for the field callback) */
    int cb_failed; /* field callback left its error message on L's stack top */
    int fn_slot;   /* user value the field callback calls (UV_FIELD_FN or UV_RUN_FN) */
    /* Lua callbacks of this film now running: in_eval counts those called in
     * the middle of a computation (field_fn during a field evaluation, the
     * function of set_m), in_step those called between two steps (on_step).
     * `cb` names the innermost one for error messages. */
    int in_eval, in_step;
    const char *cb;
    int stopped; /* on_step returned false in the current run */
} lfilm;

/* The open Film at slot arg (lmh_film_check relies on f coming first). */
static lfilm *film_ud(lua_State *L, int arg)
{
    lmh_film_check(L, arg);
    return lua_touserdata(L, arg);
}

/* What a method does to the film, for calls made from the film's own
 * callbacks: READ works anywhere; CHANGE (set the state or the field,
 * evaluate fields) is refused in the middle of a computation; OWN (run,
 * relax, minimize, set_field_fn, close) is refused from any callback. */
enum { USE_READ, USE_CHANGE, USE_OWN };

/* The open Film at slot 1 for method `method`, or raise "film in use" when
 * a callback of the film calls a method it may not (a free or a state
 * change in the middle of a step would corrupt the running call). */
static lfilm *film_use(lua_State *L, int use, const char *method)
{
    lfilm *u = film_ud(L, 1);
    if ((use >= USE_CHANGE && u->in_eval) || (use == USE_OWN && u->in_step))
        lmh_error(L, "film in use: film:%s cannot be called from %s of the same film "
                     "(call it after the running film method returns)", method, u->cb);
    return u;
}

/* A callback of the film starts: *depth (u->in_eval or u->in_step) counts
 * it and u->cb names it for film_use's refusals. Returns the outer name,
 * which callback_leave restores. */
static const char *callback_enter(lfilm *u, int *depth, const char *name)
{
    const char *outer = u->cb;
    (*depth)++;
    u->cb = name;
    return outer;
}

static void callback_leave(lfilm *u, int *depth, const char *outer)
{
    (*depth)--;
    u->cb = outer;
}

/* ---------- option parsing ---------- */

static const char *const FILM_KEYS[] = {"nx", "ny", "nz", "dx", "dy", "dz", "shape", "Ms", "A", "Ku",
                                        "anis_axis", "alpha", "gamma", "demag", "temperature", "seed",
                                        NULL};
static const char *const RUN_KEYS[] = {"solver", "dt", "tol", "table", "every", "on_step", "field_fn",
                                       "max_steps", "adaptive", "columns", "autosave", "progress", NULL};
static const char *const RELAX_KEYS[] = {"torque", "tol", "max_steps", "progress", NULL};
static const char *const MIN_KEYS[] = {"torque", "max_iter", "progress", NULL};

/* Build the mask from opts.shape at table t; returns malloc'd n bytes or NULL for rect. */
static unsigned char *get_mask(lua_State *L, int t, const mm_params *p)
{
    size_t n = (size_t)p->nx * p->ny * p->nz;
    int ty = lua_getfield(L, t, "shape");
    unsigned char *mask = NULL;
    if (ty == LUA_TNIL || (ty == LUA_TSTRING && strcmp(lua_tostring(L, -1), "rect") == 0)) {
        lua_pop(L, 1);
        return NULL;
    }
    if (ty == LUA_TSTRING && strcmp(lua_tostring(L, -1), "disk") == 0) {
        /* Allocate as a userdata so an error cannot leak it. */
        mask = lua_newuserdatauv(L, n, 0);
        mm_mask_disk(p->nx, p->ny, p->nz, mask);
    } else if (ty == LUA_TUSERDATA && luaL_testudata(L, -1, LMH_FIELD_MT)) {
        lmh_field *fl = lmh_field_check(L, -1);
        if (fl->nx != p->nx || fl->ny != p->ny || fl->nz != p->nz || fl->ncomp != 1)
            lmh_error(L, "option 'shape': mask Field must be %dx%dx%d with 1 comp, got %dx%dx%d (%d comps)",
                       p->nx, p->ny, p->nz, fl->nx, fl->ny, fl->nz, fl->ncomp);
        mask = lua_newuserdatauv(L, n, 0);
        for (size_t c = 0; c < n; c++)
            mask[c] = fl->data[c] != 0;
    } else if (ty == LUA_TFUNCTION) {
        mask = lua_newuserdatauv(L, n, 0);
        size_t c = 0;
        for (int k = 0; k < p->nz; k++)
            for (int j = 0; j < p->ny; j++)
                for (int i = 0; i < p->nx; i++, c++) {
                    lua_pushvalue(L, -2);
                    lua_pushnumber(L, (i + 0.5) * p->dx);
                    lua_pushnumber(L, (j + 0.5) * p->dy);
                    lua_pushnumber(L, (k + 0.5) * p->dz);
                    lua_call(L, 3, 1);
                    mask[c] = lua_toboolean(L, -1);
                    lua_pop(L, 1);
                }
    } else {
        lmh_error(L, "option 'shape': expected \"rect\", \"disk\", a 1-comp mask Field or a function "
                      "(x, y, z) -> boolean, got %s",
                   ty == LUA_TSTRING ? lua_tostring(L, -1) : luaL_typename(L, -1));
    }
    unsigned char *copy = malloc(n);
    if (!copy)
        lmh_error(L, "out of memory for the mask");
    memcpy(copy, mask, n);
    lua_pop(L, 2);
    size_t any = 0;
    for (size_t c = 0; c < n; c++)
        any += copy[c];
    if (!any) {
        free(copy);
        lmh_error(L, "option 'shape': the mask selects no cell");
    }
    return copy;
}

/* core.film{nx=, ny=, nz=1, dx=, dy=, dz=dx, shape=, Ms=8e5, A=1.3e-11, Ku=0,
 * anis_axis={0,0,1}, alpha=0.02, gamma=2.211e5, demag=true, temperature=0, seed=1} */
/***
Create a film: `mh.film{nx =, ny =, dx =, ...}`. m starts uniform along +x
in the material cells.
@function mh.film
@tparam table opts
@int opts.nx cells along x (1..65536, required)
@int opts.ny cells along y (1..65536, required)
@int[opt=1] opts.nz cells along z (1..4096)
@number opts.dx cell size along x, m (0 < dx <= 1e-3, required)
@number[opt=dx] opts.dy cell size along y, m
@number[opt=dx] opts.dz cell size along z (film thickness / nz), m
@tparam[opt="rect"] string|Field|function opts.shape "rect", "disk" (the inscribed
 ellipse), a 1-component mask Field (> 0 = material) or fn(x, y, z) -> boolean (m)
@number[opt=8e5] opts.Ms saturation magnetization, A/m (0 < Ms <= 1e8)
@number[opt=1.3e-11] opts.A exchange stiffness, J/m (0..1e-9)
@number[opt=0] opts.Ku uniaxial anisotropy constant, J/m^3 (-1e8..1e8; < 0: easy plane)
@tparam[opt={0,0,1}] table opts.anis_axis anisotropy axis {x, y, z} (normalized)
@number[opt=0.02] opts.alpha Gilbert damping (0..100)
@number[opt=2.211e5] opts.gamma gyromagnetic ratio, m/(A s)
@bool[opt=true] opts.demag include the magnetostatic (demag) field
@number[opt=0] opts.temperature K, for the thermal field (needs a fixed-step solver)
@int[opt=1] opts.seed seed of the thermal noise
@treturn Film the film
@raise on a missing or out-of-range option, an unknown key, or a grid too large for memory
@usage local film = mh.film{nx = 64, ny = 64, dx = 5e-9, dz = 20e-9, shape = "disk"}
*/
/* The film options at slot 1 into *p, every range and resource checked. */
static void film_params(lua_State *L, mm_params *pp)
{
    mm_params p;
    memset(&p, 0, sizeof p);
    if (lua_getfield(L, 1, "nx") == LUA_TNIL || (lua_pop(L, 1), lua_getfield(L, 1, "ny")) == LUA_TNIL)
        lmh_error(L, "film: options 'nx' and 'ny' are required (integers 1..65536)");
    lua_pop(L, 1);
    p.nx = lmh_optinteger(L, 1, "nx", 1, 1, 65536);
    p.ny = lmh_optinteger(L, 1, "ny", 1, 1, 65536);
    p.nz = lmh_optinteger(L, 1, "nz", 1, 1, 4096);
    if ((double)p.nx * p.ny * p.nz > 1 << 28)
        lmh_error(L, "film: nx*ny*nz = %.0f cells exceeds 2^28", (double)p.nx * p.ny * p.nz);
    if (lua_getfield(L, 1, "dx") == LUA_TNIL)
        lmh_error(L, "film: option 'dx' (cell size, m, > 0) is required");
    lua_pop(L, 1);
    p.dx = lmh_optrange(L, 1, "dx", 0, 0, 1e-3, 1, "0 < dx <= 1e-3 m");
    p.dy = lmh_optrange(L, 1, "dy", p.dx, 0, 1e-3, 1, "0 < dy <= 1e-3 m");
    p.dz = lmh_optrange(L, 1, "dz", p.dx, 0, 1e-3, 1, "0 < dz <= 1e-3 m");
    p.Ms = lmh_optrange(L, 1, "Ms", 8e5, 0, 1e8, 1, "0 < Ms <= 1e8 A/m");
    p.A = lmh_optrange(L, 1, "A", 1.3e-11, 0, 1e-9, 0, "0 <= A <= 1e-9 J/m");
    p.Ku = lmh_optrange(L, 1, "Ku", 0, -1e8, 1e8, 0, "-1e8 <= Ku <= 1e8 J/m^3");
    p.alpha = lmh_optrange(L, 1, "alpha", 0.02, 0, 100, 0, "0 <= alpha <= 100");
    p.gamma = lmh_optrange(L, 1, "gamma", 2.211e5, 0, 1e8, 1, "0 < gamma <= 1e8 m/(A s)");
    p.temperature = lmh_optrange(L, 1, "temperature", 0, 0, 1e5, 0, "0 <= temperature <= 1e5 K");
    p.seed = (uint64_t)lmh_optinteger(L, 1, "seed", 1, 0, 0x7fffffff);
    p.demag = lmh_optboolean(L, 1, "demag", 1);
    p.anis[2] = 1;
    int ty = lua_getfield(L, 1, "anis_axis");
    if (ty == LUA_TTABLE) {
        for (int q = 0; q < 3; q++) {
            lua_geti(L, -1, q + 1);
            int isnum = 0;
            p.anis[q] = lua_tonumberx(L, -1, &isnum);
            if (!isnum || !isfinite(p.anis[q]))
                lmh_error(L, "option 'anis_axis': expected {x, y, z} of finite numbers (component %d bad)",
                           q + 1);
            lua_pop(L, 1);
        }
        if (p.anis[0] == 0 && p.anis[1] == 0 && p.anis[2] == 0)
            lmh_error(L, "option 'anis_axis': must be a nonzero vector {x, y, z}");
    } else if (ty != LUA_TNIL) {
        lmh_error(L, "option 'anis_axis': expected {x, y, z}, got %s", luaL_typename(L, -1));
    }
    lua_pop(L, 1);
    if (p.demag && fmax(p.dx, fmax(p.dy, p.dz)) > MH_DEMAG_MAX_ASPECT * fmin(p.dx, fmin(p.dy, p.dz)))
        lmh_error(L, "film: cells %g x %g x %g m differ by a factor %g, above the %g the demag tensor "
                     "resolves; use demag = false or less elongated cells", p.dx, p.dy, p.dz,
                  fmax(p.dx, fmax(p.dy, p.dz)) / fmin(p.dx, fmin(p.dy, p.dz)), MH_DEMAG_MAX_ASPECT);
    /* memory before allocating: about 440 bytes per cell with demag (m,
     * RK45 stages, padded FFT buffers, kernel; 436 MiB measured on 1024^2)
     * and 260 without; refuse what this machine cannot hold */
    double cells = (double)p.nx * p.ny * p.nz, need = cells * (p.demag ? 440.0 : 260.0);
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    if (pages > 0 && psize > 0 && need > (double)pages * (double)psize)
        lmh_error(L, "film: %dx%dx%d = %.0f cells need about %.1f GB (%s), more than this machine's %.1f GB "
                     "of memory", p.nx, p.ny, p.nz, cells, need / 1e9, p.demag ? "with demag" : "without demag",
                  (double)pages * (double)psize / 1e9);
    if (p.temperature > 0 && p.alpha == 0)
        lmh_error(L, "option 'temperature' > 0 needs alpha > 0 (fluctuation–dissipation)");
    *pp = p;
}

static int film_new(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lmh_checkoptions(L, 1, FILM_KEYS, "film");
    mm_params p;
    film_params(L, &p);
    lfilm *u = lua_newuserdatauv(L, sizeof *u, UV_COUNT);
    memset(u, 0, sizeof *u);
    u->L = L;
    u->fn_slot = UV_FIELD_FN;
    luaL_setmetatable(L, LMH_FILM_MT);
    lua_insert(L, 2); /* keep the userdata below the mask work */
    unsigned char *mask = get_mask(L, 1, &p);
    int st = MH_OK;
    mm_film *f = mm_film_new(&p, mask, &st);
    free(mask);
    if (!f)
        lmh_error(L, "film: cannot create (%s)", mh_strerror(st));
    u->f = f;
    lua_settop(L, 2);
    return 1;
}

/* ---------- state ---------- */

/***
Set m to one direction in every material cell.
@function Film:set_uniform
@number mx
@number my
@number mz (any nonzero vector; normalized)
@raise for a zero or non-finite vector
*/
static int film_set_uniform(lua_State *L)
{
    mm_film *f = film_use(L, USE_CHANGE, "set_uniform")->f;
    double v[3];
    for (int q = 0; q < 3; q++)
        v[q] = lmh_checkfinite(L, 2 + q);
    if (mm_film_set_uniform(f, v[0], v[1], v[2]) != MH_OK)
        return lmh_argerror(L, 2, "direction must be a nonzero vector");
    return 0;
}

/***
Set m to seeded random directions (uniform on the sphere).
@function Film:set_random
@int[opt=1] seed >= 0; the same seed gives the same state
*/
static int film_set_random(lua_State *L)
{
    mm_film *f = film_use(L, USE_CHANGE, "set_random")->f;
    lua_Integer s = luaL_optinteger(L, 2, 1);
    if (s < 0)
        return lmh_argerror(L, 2, "seed must be >= 0, got %lld", (long long)s);
    mm_film_set_random(f, (uint64_t)s);
    return 0;
}

/* Call fn(x, y, z) (slot 2) for every mask cell into tmp (SoA 3n); returns
 * 0, or 1 with an error message on the stack top. Protected calls: fn runs
 * with the film marked in use, so it cannot free or change it. */
static int set_m_fill(lua_State *L, lfilm *u, double *tmp)
{
    mm_film *f = u->f;
    size_t n = f->n, c = 0;
    for (int k = 0; k < f->nz; k++)
        for (int j = 0; j < f->ny; j++)
            for (int i = 0; i < f->nx; i++, c++) {
                tmp[c] = tmp[c + n] = tmp[c + 2 * n] = 0;
                if (!f->mask[c])
                    continue;
                lua_pushvalue(L, 2);
                lua_pushnumber(L, (i + 0.5) * f->dx);
                lua_pushnumber(L, (j + 0.5) * f->dy);
                lua_pushnumber(L, (k + 0.5) * f->dz);
                if (lua_pcall(L, 3, 3, 0) != LUA_OK)
                    return 1;
                double big = 0;
                for (int q = 0; q < 3; q++) {
                    int isnum = 0;
                    double v = lua_tonumberx(L, -3 + q, &isnum);
                    if (!isnum || !isfinite(v)) {
                        lua_pushfstring(L, "set_m: fn must return three finite numbers (cell %d,%d,%d)",
                                        i + 1, j + 1, k + 1);
                        return 1;
                    }
                    tmp[c + (size_t)q * n] = v;
                    big = fmax(big, fabs(v));
                }
                if (!(big > 0)) {
                    lua_pushfstring(L, "set_m: fn returned a zero vector at cell %d,%d,%d", i + 1, j + 1,
                                    k + 1);
                    return 1;
                }
                lua_pop(L, 3);
            }
    return 0;
}

/* film:set_m(fn): fn(x, y, z) -> mx, my, mz at cell centres (m), mask cells
 * only; any finite nonzero vector (normalized without overflow). */
/***
Set m from a function of position.
@function Film:set_m
@tparam function fn fn(x, y, z) -> mx, my, mz, called at every material
 cell centre (x, y, z in m from the grid corner); any finite nonzero vector (normalized)
@raise when fn errors or returns a zero or non-finite vector (m is left unchanged)
*/
static int film_set_m(lua_State *L)
{
    lfilm *u = film_use(L, USE_CHANGE, "set_m");
    mm_film *f = u->f;
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_settop(L, 2);
    /* Fill a scratch copy first so an error in fn leaves m unchanged. */
    double *tmp = lua_newuserdatauv(L, 3 * f->n * sizeof(double), 0);
    const char *outer = callback_enter(u, &u->in_eval, "the function given to film:set_m");
    int failed = set_m_fill(L, u, tmp);
    callback_leave(u, &u->in_eval, outer);
    if (failed)
        return lua_error(L);
    memcpy(f->m, tmp, 3 * f->n * sizeof(double));
    if (mm_film_normalize(f) != MH_OK)
        return lmh_error(L, "set_m: a vector of fn could not be normalized");
    return 0;
}

/* Component c of SoA data (n cells) is a direction m can be set to:
 * finite and not zero (its length may overflow; normalization scales). */
static int usable_vector(const double *d, size_t c, size_t n)
{
    double x = d[c], y = d[c + n], z = d[c + 2 * n];
    return isfinite(x) && isfinite(y) && isfinite(z) && (x != 0 || y != 0 || z != 0);
}

/* Push a new Field on the film's grid with its cell size; data zeroed. */
static lmh_field *push_film_field(lua_State *L, const mm_film *f, int ncomp)
{
    lmh_field *fl = lmh_field_push(L, f->nx, f->ny, f->nz, ncomp);
    fl->dx = f->dx;
    fl->dy = f->dy;
    fl->dz = f->dz;
    return fl;
}

/* film:m() -> Field (3 comps, copy). */
/***
The magnetization as a Field (a copy).
@function Film:m
@treturn Field nx x ny x nz, 3 components (unit vectors; 0 outside the material)
*/
static int film_m(lua_State *L)
{
    mm_film *f = lmh_film_check(L, 1);
    lmh_field *fl = push_film_field(L, f, 3);
    memcpy(fl->data, f->m, 3 * f->n * sizeof(double));
    return 1;
}

/* film:mask() -> Field (1 comp, 1 = material). */
/***
The material mask as a Field.
@function Film:mask
@treturn Field 1 component: 1 = material, 0 = empty
*/
static int film_mask(lua_State *L)
{
    mm_film *f = lmh_film_check(L, 1);
    lmh_field *fl = push_film_field(L, f, 1);
    for (size_t c = 0; c < f->n; c++)
        fl->data[c] = f->mask[c];
    return 1;
}

/* film:set_m_field(field): copy a 3-comp Field into m (normalized). */
/***
Set m from a 3-component Field of the film's grid (normalized in the material).
@function Film:set_m_field
@tparam Field field nx x ny x nz, 3 components
@raise for another grid, or a zero or non-finite vector in a material cell
*/
static int film_set_m_field(lua_State *L)
{
    mm_film *f = film_use(L, USE_CHANGE, "set_m_field")->f;
    lmh_field *fl = lmh_field_check(L, 2);
    if (fl->nx != f->nx || fl->ny != f->ny || fl->nz != f->nz || fl->ncomp != 3)
        return lmh_argerror(L, 2, "Field must be %dx%dx%d with 3 comps", f->nx, f->ny, f->nz);
    for (size_t c = 0; c < f->n; c++)
        if (f->mask[c] && !usable_vector(fl->data, c, f->n))
            return lmh_argerror(L, 2, "zero or non-finite vector in a material cell");
    memcpy(f->m, fl->data, 3 * f->n * sizeof(double));
    mm_film_normalize(f);
    return 0;
}

/***
Mean magnetization over the material cells.
@function Film:avg
@treturn number <mx>
@treturn number <my>
@treturn number <mz> (dimensionless, |<m>| <= 1)
*/
static int film_avg(lua_State *L)
{
    mm_film *f = lmh_film_check(L, 1);
    double a[3];
    mm_film_avg(f, a);
    for (int q = 0; q < 3; q++)
        lua_pushnumber(L, a[q]);
    return 3;
}

/***
Simulated time of the film.
@function Film:time
@number[opt] t when given, sets the time (s)
@treturn number the time, s (when called without t)
*/
static int film_time(lua_State *L)
{
    mm_film *f = film_use(L, lua_gettop(L) >= 2 ? USE_CHANGE : USE_READ, "time")->f;
    if (lua_gettop(L) >= 2) {
        double t = lmh_checkfinite(L, 2);
        f->t = t;
        mm_film_touch(f);
        return 0;
    }
    lua_pushnumber(L, f->t);
    return 1;
}

/* film:shape() -> nx, ny, nz, dx, dy, dz, cells in mask */
/***
Grid of the film.
@function Film:shape
@treturn int nx
@treturn int ny
@treturn int nz
@treturn number dx (m)
@treturn number dy (m)
@treturn number dz (m)
@treturn int number of material cells
*/
static int film_shape(lua_State *L)
{
    mm_film *f = lmh_film_check(L, 1);
    lua_pushinteger(L, f->nx);
    lua_pushinteger(L, f->ny);
    lua_pushinteger(L, f->nz);
    lua_pushnumber(L, f->dx);
    lua_pushnumber(L, f->dy);
    lua_pushnumber(L, f->dz);
    lua_pushinteger(L, (lua_Integer)f->ncells);
    return 7;
}

/* film:stats() -> {accepted=, rejected=, last_err=, last_dt=, steps=, evals=} */
/***
Step statistics of the integrators.
@function Film:stats
@treturn table {accepted =, rejected =, last_err =, last_dt = (s), steps =, evals =}
*/
static int film_stats(lua_State *L)
{
    mm_film *f = lmh_film_check(L, 1);
    lua_createtable(L, 0, 6);
    lmh_setinteger(L, "accepted", (lua_Integer)f->accepted);
    lmh_setinteger(L, "rejected", (lua_Integer)f->rejected);
    lmh_setnumber(L, "last_err", f->last_err);
    lmh_setnumber(L, "last_dt", f->last_dt);
    lmh_setinteger(L, "steps", (lua_Integer)f->step);
    lmh_setinteger(L, "evals", (lua_Integer)f->evals);
    return 1;
}

/* ---------- fields ---------- */

/* Largest applied field, A/m (1e10 A/m, about 1.3e4 T: far above any
 * magnet; energies and torques of larger fields overflow). */
#define LMH_MAX_FIELD 1e10

/***
Set the uniform applied field.
@function Film:set_field
@tparam table H {hx, hy, hz} in A/m (or three numbers)
@raise for non-finite components or |H| above 1e10 A/m
*/
static int film_set_field(lua_State *L)
{
    mm_film *f = film_use(L, USE_CHANGE, "set_field")->f;
    double H[3];
    if (lua_istable(L, 2)) {
        for (int q = 0; q < 3; q++) {
            lua_geti(L, 2, q + 1);
            int isnum = 0;
            H[q] = lua_tonumberx(L, -1, &isnum);
            if (!isnum || !isfinite(H[q]))
                return lmh_argerror(L, 2, "expected {hx, hy, hz} of finite numbers (A/m), component %d bad",
                                   q + 1);
            lua_pop(L, 1);
        }
    } else {
        for (int q = 0; q < 3; q++)
            H[q] = lmh_checkfinite(L, 2 + q);
    }
    for (int q = 0; q < 3; q++)
        if (!(fabs(H[q]) <= LMH_MAX_FIELD))
            return lmh_argerror(L, 2, "field component %d = %g A/m outside [-%g, %g] A/m", q + 1, H[q],
                                LMH_MAX_FIELD, LMH_MAX_FIELD);
    mm_film_set_field(f, H);
    return 0;
}

/***
Set (or with nil remove) a cell-wise applied field, added to the uniform one.
@function Film:set_field_map
@tparam Field|nil H nx x ny x nz, 3 components, A/m (e.g. the H of mh.oersted.solve)
@raise for another grid or a non-finite value
*/
static int film_set_field_map(lua_State *L)
{
    mm_film *f = film_use(L, USE_CHANGE, "set_field_map")->f;
    if (lua_isnoneornil(L, 2)) {
        mm_film_set_field_map(f, NULL);
        return 0;
    }
    lmh_field *fl = lmh_field_check(L, 2);
    if (fl->nx != f->nx || fl->ny != f->ny || fl->nz != f->nz || fl->ncomp != 3)
        return lmh_argerror(L, 2, "field map must be %dx%dx%d with 3 comps (A/m), got %dx%dx%d (%d)", f->nx,
                           f->ny, f->nz, fl->nx, fl->ny, fl->nz, fl->ncomp);
    for (size_t i = 0; i < 3 * f->n; i++)
        if (!(fabs(fl->data[i]) <= LMH_MAX_FIELD))
            return lmh_argerror(L, 2, "field map holds %g A/m, outside [-%g, %g] A/m", fl->data[i],
                                LMH_MAX_FIELD, LMH_MAX_FIELD);
    if (mm_film_set_field_map(f, fl->data) != MH_OK)
        return lmh_error(L, "set_field_map: out of memory");
    return 0;
}

/* Field callback: calls the Lua function held in user value UV_FIELD_FN of
 * the film, which every method that evaluates fields has at stack slot 1.
 * On error the message stays on the stack top and cb_failed is set. */
static int lua_field_cb(void *ud, double t, double H[3])
{
    lfilm *u = ud;
    lua_State *L = u->L;
    if (!lua_checkstack(L, 8))
        return MH_ENOMEM;
    lua_getiuservalue(L, 1, u->fn_slot);
    lua_pushnumber(L, t);
    const char *outer = callback_enter(u, &u->in_eval, "its field_fn");
    int rc = lua_pcall(L, 1, 3, 0);
    callback_leave(u, &u->in_eval, outer);
    if (rc != LUA_OK) {
        u->cb_failed = 1;
        return MH_EINVAL;
    }
    for (int q = 0; q < 3; q++) {
        int isnum = 0;
        H[q] = lua_tonumberx(L, -3 + q, &isnum);
        if (!isnum || !(fabs(H[q]) <= LMH_MAX_FIELD)) {
            lua_pop(L, 3);
            lua_pushfstring(L, "field_fn(t = %f) must return three finite numbers hx, hy, hz within [-1e10, 1e10] A/m", t);
            u->cb_failed = 1;
            return MH_EINVAL;
        }
    }
    lua_pop(L, 3);
    return MH_OK;
}

/* Prepare a method call that may evaluate fields: remember L for the callback. */
static lfilm *film_enter(lua_State *L, int use, const char *method)
{
    lfilm *u = film_use(L, use, method);
    u->L = L;
    u->cb_failed = 0;
    return u;
}

/* Turn a core status into a Lua error (callback errors re-raised as they were). */
static int film_error(lua_State *L, lfilm *u, int st, const char *what)
{
    if (u->cb_failed) {
        u->cb_failed = 0;
        return lua_error(L);
    }
    return lmh_status_error(L, st, what);
}

/* film:set_field_fn(fn | nil): fn(t) -> hx, hy, hz (A/m) replaces the uniform
 * field at every field evaluation (once per stage). */
/***
Set (or with nil remove) a time-dependent uniform applied field; it
replaces the uniform field at every field evaluation (once per stage).
@function Film:set_field_fn
@tparam function|nil fn fn(t) -> hx, hy, hz in A/m (t in s)
@raise (at the next evaluation) when fn errors or returns non-finite values
*/
static int film_set_field_fn(lua_State *L)
{
    lfilm *u = film_use(L, USE_OWN, "set_field_fn");
    if (lua_isnoneornil(L, 2)) {
        lua_pushnil(L);
        lua_setiuservalue(L, 1, UV_FIELD_FN);
        mm_film_set_field_fn(u->f, NULL, NULL);
        return 0;
    }
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_setiuservalue(L, 1, UV_FIELD_FN);
    mm_film_set_field_fn(u->f, lua_field_cb, u);
    return 0;
}

/* ---------- energy and torque ---------- */

/* film:energy() -> total (J), {exchange=, zeeman=, ...} */
/***
Energies of the current state.
@function Film:energy
@treturn number total energy, J
@treturn table per term, J: {exchange =, anisotropy =, zeeman =, demag =} (the terms the film has)
*/
static int film_energy(lua_State *L)
{
    lfilm *u = film_enter(L, USE_CHANGE, "energy");
    mm_film *f = u->f;
    double E[MM_MAX_TERMS], total;
    int st = mm_film_eval(f, &total, E, NULL);
    if (st != MH_OK)
        return film_error(L, u, st, "energy");
    lua_pushnumber(L, total);
    lua_createtable(L, 0, f->nterms);
    for (int i = 0; i < f->nterms; i++)
        if (f->terms[i]->has_energy) {
            lua_pushnumber(L, E[i]);
            lua_setfield(L, -2, f->terms[i]->name);
        }
    return 2;
}

/***
Largest torque |m x H_eff| over the material cells.
@function Film:max_torque
@treturn number A/m (absolute, not relative to Ms)
*/
static int film_max_torque(lua_State *L)
{
    lfilm *u = film_enter(L, USE_CHANGE, "max_torque");
    double tq = mm_film_max_torque(u->f);
    if (tq < 0)
        return film_error(L, u, MH_ENOMEM, "max_torque");
    lua_pushnumber(L, tq);
    return 1;
}

/* film:field() -> Field of the effective field (A/m) for the current state. */
/***
The effective field of the current state.
@function Film:field
@treturn Field 3 components, A/m
*/
static int film_field(lua_State *L)
{
    lfilm *u = film_enter(L, USE_CHANGE, "field");
    mm_film *f = u->f;
    lmh_field *fl = push_film_field(L, f, 3);
    int st = mm_film_field(f, NULL, f->t, fl->data, NULL);
    if (st != MH_OK)
        return film_error(L, u, st, "field");
    return 1;
}

/* ---------- progress ---------- */

/* Registry flag: progress lines allowed (core.set_progress); the default
 * is on unless $MAGHOP_PROGRESS is "0". */
static const char PROGRESS_KEY[] = "maghop.progress";

static int progress_allowed(lua_State *L)
{
    int ty = lua_getfield(L, LUA_REGISTRYINDEX, PROGRESS_KEY);
    int on = ty == LUA_TNIL ? !(getenv("MAGHOP_PROGRESS") && !strcmp(getenv("MAGHOP_PROGRESS"), "0"))
                            : lua_toboolean(L, -1);
    lua_pop(L, 1);
    return on;
}

/* core.set_progress(on): allow (true) or silence (false) the progress lines
 * of film:run, relax and minimize for this Lua state. */
static int l_set_progress(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TBOOLEAN);
    lua_pushboolean(L, lua_toboolean(L, 1));
    lua_setfield(L, LUA_REGISTRYINDEX, PROGRESS_KEY);
    return 0;
}

/* core.progress_allowed() -> whether progress lines would show now:
 * allowed (core.set_progress, MAGHOP_PROGRESS) and stderr a terminal. */
static int l_progress_allowed(lua_State *L)
{
    lua_pushboolean(L, progress_allowed(L) && isatty(2));
    return 1;
}

/* Option `progress` of the table at slot t: true/false, or absent: on when
 * allowed and stderr is a terminal. */
static int progress_option(lua_State *L, int t)
{
    int ty = lua_istable(L, t) ? lua_getfield(L, t, "progress") : LUA_TNIL;
    if (lua_istable(L, t))
        lua_pop(L, 1);
    if (ty != LUA_TNIL)
        return lmh_optboolean(L, t, "progress", 0);
    return progress_allowed(L) && isatty(2);
}

/* ---------- run / relax / minimize ---------- */

/* State of one film:run call shared by its callbacks. */
typedef struct {
    lfilm *u;
    int ncols;            /* user table columns (option columns at slot 3) */
    const char *save_prefix;
    const char *save_format;
    int save_vtk;
    long long save_base;  /* files this film already wrote with this prefix */
    long long saved;      /* files written by this run */
    char err[320];        /* autosave I/O failure (returned as nil, msg) */
} run_ctx;

/* Keep the error message on top and drop what a callback pushed below it. */
static void keep_message(lua_State *L, int top)
{
    lua_replace(L, top + 1);
    lua_settop(L, top + 1);
}

/* Output callback of film:run: calls on_step(film, t) (stack slot 4 of the
 * run call); false from it stops the run. On error the message stays on
 * the stack top and cb_failed is set. */
static int lua_output_cb(void *ud, mm_film *f)
{
    lfilm *u = ((run_ctx *)ud)->u;
    lua_State *L = u->L;
    if (!lua_checkstack(L, 8))
        return MH_ENOMEM;
    lua_pushvalue(L, 4);
    lua_pushvalue(L, 1);
    lua_pushnumber(L, f->t);
    const char *outer = callback_enter(u, &u->in_step, "its on_step");
    int rc = lua_pcall(L, 2, 1, 0);
    callback_leave(u, &u->in_step, outer);
    u->L = L; /* a method called from on_step (perhaps in a coroutine) moved it */
    if (rc != LUA_OK) {
        u->cb_failed = 1;
        return MH_EINVAL;
    }
    int stop = lua_type(L, -1) == LUA_TBOOLEAN && !lua_toboolean(L, -1);
    lua_pop(L, 1);
    u->stopped |= stop;
    return stop ? MM_RUN_STOP : MH_OK;
}

/* Extra table columns: fn(film, t) of each entry of option columns (slot 3). */
static int lua_columns_cb(void *ud, mm_film *f, double *out)
{
    run_ctx *c = ud;
    lua_State *L = c->u->L;
    int top = lua_gettop(L);
    lua_getfield(L, 3, "columns");
    for (int i = 0; i < c->ncols; i++) {
        lua_geti(L, -1, i + 1);
        lua_geti(L, -1, 3);
        lua_pushvalue(L, 1);
        lua_pushnumber(L, f->t);
        if (lua_pcall(L, 2, 1, 0) != LUA_OK) {
            c->u->cb_failed = 1;
            keep_message(L, top);
            return MH_EINVAL;
        }
        int isnum;
        double v = lua_tonumberx(L, -1, &isnum);
        if (!isnum) {
            lua_geti(L, -2, 1);
            lua_pushfstring(L, "run: table column '%s' must return a number, got %s", lua_tostring(L, -1),
                            luaL_typename(L, -2));
            c->u->cb_failed = 1;
            keep_message(L, top);
            return MH_EINVAL;
        }
        out[i] = v;
        lua_pop(L, 2);
    }
    lua_settop(L, top);
    return MH_OK;
}

/* Write the film's m to an OVF file (parent folders created); MH status,
 * reason in err. */
static int write_m_ovf(mm_film *f, const char *path, const char *format, const char *title, char *err,
                       size_t errlen)
{
    if (mh_mkdir_parents(path) != MH_OK) {
        snprintf(err, errlen, "cannot create the folder of %s", path);
        return MH_EIO;
    }
    mh_ovf o;
    mh_ovf_grid(&o, f->nx, f->ny, f->nz, 3, f->dx, f->dy, f->dz, f->m);
    snprintf(o.title, sizeof o.title, "%s", title);
    snprintf(o.valuelabels, sizeof o.valuelabels, "m_x m_y m_z");
    snprintf(o.valueunits, sizeof o.valueunits, "1 1 1");
    snprintf(o.desc, sizeof o.desc, "maghop film, t = %.9e s", f->t);
    return mh_ovf_write(path, &o, format, err, errlen);
}

/* Autosave: <prefix><index, 6 digits>.ovf (and .vtk). */
static int lua_save_cb(void *ud, mm_film *f, long long index)
{
    run_ctx *c = ud;
    /* a run continuing the numbering does not save its start again: it is
     * the state the previous run ended in */
    if (c->save_base > 0 && index == 0)
        return MH_OK;
    long long number = c->save_base > 0 ? c->save_base + index - 1 : index;
    char path[4096], err[256] = "";
    snprintf(path, sizeof path, "%s%06lld.ovf", c->save_prefix, number);
    int st = write_m_ovf(f, path, c->save_format, "m", err, sizeof err);
    if (st == MH_OK)
        c->saved++;
    if (st == MH_OK && c->save_vtk) {
        snprintf(path, sizeof path, "%s%06lld.vtk", c->save_prefix, number);
        st = mh_vtk_write(path, f->nx, f->ny, f->nz, 3, f->dx, f->dy, f->dz, f->m, "m", 1, "maghop m",
                          err, sizeof err);
    }
    if (st != MH_OK)
        snprintf(c->err, sizeof c->err, "run: autosave: %s", err[0] ? err : mh_strerror(st));
    return st;
}

/* Options columns and autosave of film:run (table at slot 3). */
static void run_outputs(lua_State *L, run_ctx *c, mm_run_opts *o)
{
    static const char *const formats[] = {"binary4", "binary8", "text", NULL};
    static const char *const save_keys[] = {"every", "prefix", "format", "vtk", NULL};
    int ty = lua_getfield(L, 3, "columns");
    if (ty == LUA_TTABLE) {
        int n = (int)luaL_len(L, -1);
        if (n > 64)
            lmh_error(L, "run: option 'columns' holds %d columns, at most 64", n);
        const char **names = lmh_newowned(L, 2 * (size_t)(n > 0 ? n : 1) * sizeof(char *), NULL);
        lua_insert(L, -2);
        for (int i = 0; i < n; i++) {
            if (lua_geti(L, -1, i + 1) != LUA_TTABLE)
                lmh_error(L, "run: columns[%d] must be {name, unit, fn(film, t) -> number}", i + 1);
            for (int q = 1; q <= 2; q++) {
                lua_geti(L, -1, q);
                const char *v = lua_tostring(L, -1);
                if (!v || (q == 1 && !v[0]) || strpbrk(v, " \t\r\n()"))
                    lmh_error(L, "run: columns[%d][%d] (%s) must be a word without spaces or parentheses",
                              i + 1, q, q == 1 ? "name" : "unit, \"\" for none");
                names[i + (q - 1) * n] = v; /* the string lives in the options table */
                lua_pop(L, 1);
            }
            if (lua_geti(L, -1, 3) != LUA_TFUNCTION)
                lmh_error(L, "run: columns[%d][3] must be a function(film, t) -> number", i + 1);
            lua_pop(L, 2);
        }
        lua_pop(L, 1); /* the owned names array stays on the stack top for the call */
        c->ncols = n;
        o->nextra = n;
        o->extra_names = names;
        o->extra_units = names + n;
        o->extra = lua_columns_cb;
    } else {
        if (ty != LUA_TNIL)
            lmh_error(L, "run: option 'columns' must be a list of {name, unit, fn(film, t)}");
        lua_pop(L, 1);
    }
    ty = lua_getfield(L, 3, "autosave");
    int t = lua_gettop(L);
    if (ty == LUA_TTABLE) {
        lmh_checkoptions(L, t, save_keys, "run: autosave");
        o->save_every = lmh_optrange(L, t, "every", 0, 0, 1.0, 1, "0 < autosave.every <= 1 s");
        c->save_prefix = lmh_optstring(L, t, "prefix", "m");
        c->save_format = formats[lmh_optchoice(L, t, "format", 0, formats)];
        c->save_vtk = lmh_optboolean(L, t, "vtk", 0);
        o->save = lua_save_cb;
        if (lua_getiuservalue(L, 1, UV_SAVES) == LUA_TTABLE) {
            lua_getfield(L, -1, c->save_prefix);
            c->save_base = (long long)lua_tointeger(L, -1);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    } else if (ty != LUA_TNIL) {
        lmh_error(L, "run: option 'autosave' must be {every = s, prefix = \"path/m\", format =, vtk =}");
    }
    lua_pop(L, 1);
}

/* Read film:run's options (table at slot 3) into *o. Leaves on_step at
 * slot 4, field_fn at slot 5 and the table path (or nil) at slot 6. */
static void run_options(lua_State *L, lfilm *u, mm_run_opts *o)
{
    static const char *const solvers[] = {"heun", "rk4", "rk45", NULL};
    static const mm_solver svals[] = {MM_HEUN, MM_RK4, MM_RK45};
    mm_film *f = u->f;
    lmh_checkoptions(L, 3, RUN_KEYS, "run");
    int si = lmh_optchoice(L, 3, "solver", 2, solvers);
    o->solver = svals[si];
    int has_dt = lua_getfield(L, 3, "dt") != LUA_TNIL;
    lua_pop(L, 1);
    if (o->solver != MM_RK45 && !has_dt)
        lmh_error(L, "run: solver '%s' is fixed-step and needs option 'dt' (s, 1e-18..1e-9)", solvers[si]);
    o->dt = lmh_optrange(L, 3, "dt", f->last_dt > 0 ? f->last_dt : 1e-13, 1e-18, 1e-9, 0,
                         "1e-18 <= dt <= 1e-9 s");
    o->tol = lmh_optrange(L, 3, "tol", 1e-5, 1e-12, 1e-1, 0, "1e-12 <= tol <= 0.1");
    if (!lmh_optboolean(L, 3, "adaptive", 1)) {
        if (o->solver != MM_RK45 || !has_dt)
            lmh_error(L, "run: option 'adaptive' = false applies to solver \"rk45\" with option 'dt'");
        o->tol = INFINITY;
    }
    o->every = lmh_optrange(L, 3, "every", 0, 0, 1.0, 0, "0 <= every <= 1 s");
    o->max_steps = (long long)lmh_optrange(L, 3, "max_steps", 1e12, 1, 1e15, 0, "max_steps >= 1");
    if (o->solver == MM_RK45 && f->temperature > 0)
        lmh_error(L, "run: temperature > 0 needs a fixed-step solver (solver = \"heun\" or \"rk4\", with dt)");
    int ty = lua_getfield(L, 3, "on_step"); /* slot 4 */
    if (ty != LUA_TNIL && ty != LUA_TFUNCTION)
        lmh_error(L, "run: option 'on_step' must be a function(film, t), got %s", luaL_typename(L, -1));
    o->on_output = ty == LUA_TFUNCTION ? lua_output_cb : NULL;
    ty = lua_getfield(L, 3, "field_fn"); /* slot 5 */
    if (ty != LUA_TNIL && ty != LUA_TFUNCTION) {
        lmh_error(L, "run: option 'field_fn' must be a function(t) -> hx, hy, hz, got %s",
                  luaL_typename(L, -1));
    }
    if (lua_getfield(L, 3, "table") != LUA_TNIL && !lua_isstring(L, 6)) /* slot 6 */
        lmh_error(L, "run: option 'table' must be a file path");
}

/* After a run: remember how far autosave numbered (a later run with the
 * same prefix continues), and give the film its own field_fn back when the
 * run brought one. */
static void run_restore(lua_State *L, lfilm *u, const run_ctx *c, int run_fn)
{
    if (c->saved > 0) {
        if (lua_getiuservalue(L, 1, UV_SAVES) != LUA_TTABLE) {
            lua_pop(L, 1);
            lua_newtable(L);
            lua_pushvalue(L, -1);
            lua_setiuservalue(L, 1, UV_SAVES);
        }
        lua_pushinteger(L, (lua_Integer)(c->save_base + c->saved));
        lua_setfield(L, -2, c->save_prefix);
        lua_pop(L, 1);
    }
    if (run_fn) {
        u->fn_slot = UV_FIELD_FN;
        int keep = lua_getiuservalue(L, 1, UV_FIELD_FN) == LUA_TFUNCTION;
        lua_pop(L, 1);
        mm_film_set_field_fn(u->f, keep ? lua_field_cb : NULL, keep ? u : NULL);
        lua_pushnil(L);
        lua_setiuservalue(L, 1, UV_RUN_FN);
    }
}

/* film:run's results for core status st: steps, rejected, or nil and a
 * message (expected failures), or a raised error. */
static int run_result(lua_State *L, lfilm *u, const run_ctx *cp, const mm_run_opts *op, int st, int closed,
                      double t_end, long long steps, unsigned long long rejected)
{
    mm_film *f = u->f;
    if (cp->err[0] && !u->cb_failed)
        return lmh_fail(L, "%s", cp->err);
    if (st == MH_ENOCONV && !u->cb_failed)
        return lmh_fail(L, "run: integration failed at t = %g ns: %s", f->t * 1e9,
                        op->solver == MM_RK45 ? "step size underflow (state not finite or tol too tight)"
                                            : "state not finite (dt too large for this field?)");
    if (st == MH_ERANGE && !u->cb_failed)
        return lmh_error(L, "run: time does not advance at t = %g s (steps of %g s are below the spacing of "
                            "doubles there); set a smaller time with film:time(t)", f->t, f->last_dt);
    if (st != MH_OK)
        return film_error(L, u, st, "run");
    if (!closed)
        return lmh_fail(L, "run: error writing the table file");
    if (f->t < t_end && !u->stopped)
        return lmh_fail(L, "run: max_steps = %lld reached at t = %g ns, before the end of the run at %g ns "
                           "(%lld steps done; raise max_steps or run again to continue)",
                        op->max_steps, f->t * 1e9, t_end * 1e9, steps);
    lua_pushinteger(L, steps);
    lua_pushinteger(L, (lua_Integer)rejected);
    return 2;
}

/* film:run(seconds, {solver="rk45"|"rk4"|"heun", dt=, tol=1e-5, adaptive=true,
 * table=path, every=s, columns={{name, unit, fn(film, t)}, ...},
 * autosave={every=s, prefix=, format=, vtk=}, progress=, on_step=fn(film, t)
 * [-> false stops], field_fn=fn(t), max_steps=}) -> steps, rejected | nil,
 * msg (step size underflow, table or autosave I/O). With every > 0, steps
 * land exactly on multiples of every, where the table row is written and
 * on_step called; else after every step. */
/***
Integrate the LLG equation for a time.
@function Film:run
@number seconds duration, s (0 < seconds <= 1)
@tparam[opt] table opts
@string[opt="rk45"] opts.solver "rk45" (adaptive Dormand-Prince), "rk4" or "heun" (fixed step)
@number[opt] opts.dt first (rk45) or fixed step, s (1e-18..1e-9; required by rk4/heun)
@number[opt=1e-5] opts.tol rk45 error tolerance (1e-12..0.1)
@bool[opt=true] opts.adaptive false with rk45 and dt: fixed step
@string[opt] opts.table path of the run table, MuMax3 table.txt format: "# t (s)",
 "mx ()", "my ()", "mz ()", "E_total (J)", "E_<term> (J)", "max_torque (A/m)", "dt (s)"
 and the user columns, tab-separated; folders are created
@number[opt=0] opts.every output interval, s (0: after every step); steps land on its multiples
@tparam[opt] table opts.columns user table columns {{name, unit, fn(film, t) -> number}, ...}
 (names and units without spaces or parentheses; "" for no unit)
@tparam[opt] table opts.autosave {every = s, prefix = "path/m", format = "binary4"|"binary8"|"text",
 vtk = false}: m saved as prefix000000.ovf (the start), prefix000001.ovf, ... every `every` s
 of the run; a later run of the same film with the same prefix continues the numbering
@bool[opt] opts.progress progress line with ETA on stderr (default: on a terminal unless
 mh.set_progress(false) or MAGHOP_PROGRESS=0)
@tparam[opt] function opts.on_step fn(film, t) at every output; returning false stops the run
@tparam[opt] function opts.field_fn fn(t) -> hx, hy, hz (A/m) for this run only
@int[opt=1e12] opts.max_steps cap on accepted steps
@treturn int accepted steps
@treturn int rejected steps
@return or nil and a message: step size underflow, a non-finite state, max_steps reached,
 table or autosave I/O failure
@raise on bad options, or when a callback raises (re-raised after the film is consistent)
@usage film:run(1e-9, {table = "out/table.txt", every = 1e-12,
  columns = {{"Hx", "A/m", function(f, t) return hx(t) end}}})
*/
static int film_run(lua_State *L)
{
    lfilm *u = film_enter(L, USE_OWN, "run");
    mm_film *f = u->f;
    double secs = lmh_checkfinite(L, 2);
    if (!(secs > 0) || secs > 1.0)
        return lmh_argerror(L, 2, "duration must be in (0, 1] s, got %g", secs);
    if (lua_isnoneornil(L, 3)) {
        lua_settop(L, 2);
        lua_newtable(L);
    }
    luaL_checktype(L, 3, LUA_TTABLE);
    lua_settop(L, 3);
    mm_run_opts o = {0};
    run_ctx c = {0};
    c.u = u;
    o.ud = &c;
    run_options(L, u, &o);
    /* Steps must be resolvable at the film's time: t + dt == t never ends. */
    const double t0 = f->t, t_end = t0 + secs;
    double spacing = nextafter(fabs(t_end), INFINITY) - fabs(t_end);
    if (!(spacing <= 1e-6 * fmin(secs, o.dt)))
        return lmh_error(L, "run: the film's time t = %g s is too large to resolve steps of %g s in double "
                            "precision (doubles there are %g s apart); set a smaller time with film:time(t)",
                         t0, fmin(secs, o.dt), spacing);
    const char *path = lua_tostring(L, 6); /* alive: the options table holds it */
    lua_settop(L, 5);       /* 4 on_step, 5 field_fn: the callbacks read these slots */
    run_outputs(L, &c, &o); /* may leave the column names above */
    mh_meter meter;
    mh_meter_start(&meter, "run", progress_option(L, 3));
    o.meter = &meter;
    if (path && mh_mkdir_parents(path) != MH_OK)
        return lmh_fail(L, "run: cannot create the folder of table '%s'", path);
    if (path && !(o.table = fopen(path, "w")))
        return lmh_fail(L, "run: cannot open table '%s' for writing", path);
    /* field_fn belongs to this run: the film's own (set_field_fn) comes back after it */
    int run_fn = lua_isfunction(L, 5);
    if (run_fn) {
        lua_pushvalue(L, 5);
        lua_setiuservalue(L, 1, UV_RUN_FN);
        u->fn_slot = UV_RUN_FN;
        mm_film_set_field_fn(f, lua_field_cb, u);
    }
    u->stopped = 0;
    long long steps;
    unsigned long long rejected;
    int st = mm_run(f, secs, &o, &steps, &rejected);
    mh_meter_end(&meter);
    run_restore(L, u, &c, run_fn);
    int closed = !o.table || fclose(o.table) == 0;
    return run_result(L, u, &c, &o, st, closed, t_end, steps, rejected);
}

/* Option table of relax/minimize at index 2 (absent = empty), checked
 * against keys. */
static void descent_options(lua_State *L, const char *const *keys, const char *what)
{
    if (lua_isnoneornil(L, 2)) {
        lua_settop(L, 1);
        lua_newtable(L);
    }
    luaL_checktype(L, 2, LUA_TTABLE);
    lmh_checkoptions(L, 2, keys, what);
}

/* Results of relax/minimize: n (count of `unit`s) and the final torque tq
 * (A/m); nil + message when the target torque was not reached. */
static int descent_result(lua_State *L, lfilm *u, int st, const char *what, const char *unit,
                          long n, double tq, double torque)
{
    if (st == MH_ENOCONV)
        return lmh_fail(L, "%s: max torque %f A/m above %f after %d %s", what, tq, torque, (int)n,
                        unit);
    if (st != MH_OK)
        return film_error(L, u, st, what);
    lua_pushinteger(L, n);
    lua_pushnumber(L, tq);
    return 2;
}

/* film:relax (relax true: damped dynamics, step count "steps") and
 * film:minimize (steepest descent, count "iterations"): options at slot 2,
 * the descent under a progress meter, then descent_result. */
static int film_descent(lua_State *L, int relax)
{
    const char *what = relax ? "relax" : "minimize";
    lfilm *u = film_enter(L, USE_OWN, what);
    mm_film *f = u->f;
    descent_options(L, relax ? RELAX_KEYS : MIN_KEYS, what);
    double torque = lmh_optrange(L, 2, "torque", 1e-4 * f->Ms, 0, 1e12, 1, "torque > 0 A/m");
    double tol = relax ? lmh_optrange(L, 2, "tol", 1e-4, 1e-12, 1e-1, 0, "1e-12 <= tol <= 0.1") : 0;
    double maxn = relax ? lmh_optrange(L, 2, "max_steps", 1e6, 1, 1e12, 0, "max_steps >= 1")
                        : lmh_optrange(L, 2, "max_iter", 1e5, 1, 1e12, 0, "max_iter >= 1");
    long n = 0;
    double tq = 0;
    mh_meter meter;
    mh_meter_start(&meter, what, progress_option(L, 2));
    f->meter = &meter;
    int st = relax ? mm_relax(f, torque, tol, (long)maxn, &n, &tq)
                   : mm_minimize(f, torque, (long)maxn, &n, &tq);
    f->meter = NULL;
    mh_meter_end(&meter);
    return descent_result(L, u, st, what, relax ? "steps" : "iterations", n, tq, torque);
}

/* film:relax{torque = 1e-2*Ms... , tol = 1e-4, max_steps = 1e6} -> steps, torque | nil, msg */
/***
Relax with damping-only (precession-free) dynamics, adaptive Dormand-Prince,
until the torque is small. The simulated time is not advanced; the thermal
field is off.
@function Film:relax
@tparam[opt] table opts
@number[opt=1e-4*Ms] opts.torque stop when max |m x H_eff| <= torque, A/m (absolute)
@number[opt=1e-4] opts.tol step error tolerance
@int[opt=1e6] opts.max_steps
@bool[opt] opts.progress progress line (as in run)
@treturn int steps
@treturn number final max torque, A/m
@return or nil and a message when max_steps pass before the torque is reached
*/
static int film_relax(lua_State *L) { return film_descent(L, 1); }

/* film:minimize{torque = 1e-4*Ms, max_iter = 1e5} -> iterations, torque | nil, msg */
/***
Energy minimization by steepest descent with Barzilai-Borwein steps. The
stopping rule and the progress line are those of `Film:relax`; an
iteration count replaces the step count.
@function Film:minimize
@tparam[opt] table opts torque and progress as in `Film:relax`
@int[opt=1e5] opts.max_iter most iterations
@treturn int iterations
@treturn number final max torque, A/m
@return or nil and a message when max_iter pass first
*/
static int film_minimize(lua_State *L) { return film_descent(L, 0); }

/* ---------- OVF ---------- */

/* film:load_ovf(path) -> true | nil, msg. Grid must match; cells outside the
 * mask are zeroed, cells inside must be nonzero. */
/***
Load m from an OVF 1.0/2.0 file of the same grid (OOMMF, MuMax3, maghop).
@function Film:load_ovf
@string path
@return true, or nil and a message (missing or malformed file, other grid, zero vector in the material)
*/
static int film_load_ovf(lua_State *L)
{
    mm_film *f = film_use(L, USE_CHANGE, "load_ovf")->f;
    const char *path = luaL_checkstring(L, 2);
    mh_ovf o;
    char err[256] = "";
    int st = mh_ovf_read(path, &o, err, sizeof err);
    if (st != MH_OK)
        return lmh_fail(L, "load_ovf: %s: %s", path, err[0] ? err : mh_strerror(st));
    if (o.nx != f->nx || o.ny != f->ny || o.nz != f->nz || o.valuedim != 3) {
        lmh_fail(L, "load_ovf: %s holds %dx%dx%d (%d comps), film is %dx%dx%d", path, o.nx, o.ny,
                 o.nz, o.valuedim, f->nx, f->ny, f->nz);
        mh_ovf_clear(&o);
        return 2;
    }
    const double step[3] = {o.dx, o.dy, o.dz}, cell[3] = {f->dx, f->dy, f->dz};
    int same = !o.meshunit[0] || !strcmp(o.meshunit, "m");
    for (int q = 0; q < 3; q++)
        same = same && fabs(step[q] - cell[q]) <= 1e-6 * cell[q];
    if (!same) {
        lmh_fail(L, "load_ovf: %s has cells of %g x %g x %g %s, the film %g x %g x %g m", path, o.dx, o.dy,
                 o.dz, o.meshunit[0] ? o.meshunit : "m", f->dx, f->dy, f->dz);
        mh_ovf_clear(&o);
        return 2;
    }
    size_t n = f->n;
    for (size_t c = 0; c < n; c++) {
        if (f->mask[c] && !usable_vector(o.data, c, n)) {
            mh_ovf_clear(&o);
            return lmh_fail(L, "load_ovf: %s: zero or non-finite vector in material cell %d", path,
                            (int)c);
        }
    }
    memcpy(f->m, o.data, 3 * n * sizeof(double));
    mh_ovf_clear(&o);
    mm_film_normalize(f);
    lua_pushboolean(L, 1);
    return 1;
}

/* film:save_ovf(path, {format = "binary8"|"binary4"|"text", title=}) -> true | nil, msg */
/***
Save m as OVF 2.0 (folders are created).
@function Film:save_ovf
@string path used exactly as given
@tparam[opt] table opts {format = "binary8" (default)|"binary4"|"text", title = "m"}
@return true, or nil and a message
*/
static int film_save_ovf(lua_State *L)
{
    static const char *const formats[] = {"binary8", "binary4", "text", NULL};
    static const char *const keys[] = {"format", "title", NULL};
    mm_film *f = lmh_film_check(L, 1);
    const char *path = luaL_checkstring(L, 2);
    lmh_checkoptions(L, 3, keys, "save_ovf");
    const char *format = formats[lmh_optchoice(L, 3, "format", 0, formats)];
    const char *title = lmh_optstring(L, 3, "title", "m");
    char err[256] = "";
    int st = write_m_ovf(f, path, format, title, err, sizeof err);
    if (st != MH_OK)
        return lmh_fail(L, "save_ovf: %s: %s", path, err[0] ? err : mh_strerror(st));
    lua_pushboolean(L, 1);
    return 1;
}

/* film:save_vtk(path, {format = "binary"|"ascii"}) -> true | nil, msg: m as
 * a VTK legacy STRUCTURED_POINTS file (one point per cell centre, VECTORS
 * m; ParaView opens it); parent folders are created. */
/***
Save m as a VTK legacy STRUCTURED_POINTS file (ParaView): one point per
cell centre (metres), VECTORS m; folders are created.
@function Film:save_vtk
@string path
@tparam[opt] table opts {format = "binary" (default, big-endian doubles)|"ascii"}
@return true, or nil and a message
*/
static int film_save_vtk(lua_State *L)
{
    static const char *const formats[] = {"binary", "ascii", NULL};
    static const char *const keys[] = {"format", NULL};
    mm_film *f = lmh_film_check(L, 1);
    const char *path = luaL_checkstring(L, 2);
    lmh_checkoptions(L, 3, keys, "save_vtk");
    int binary = lmh_optchoice(L, 3, "format", 0, formats) == 0;
    char err[320] = "";
    char title[96];
    snprintf(title, sizeof title, "maghop film m, t = %.9e s", f->t);
    int st = mh_vtk_write(path, f->nx, f->ny, f->nz, 3, f->dx, f->dy, f->dz, f->m, "m", binary, title, err,
                          sizeof err);
    if (st != MH_OK)
        return lmh_fail(L, "save_vtk: %s", err[0] ? err : mh_strerror(st));
    lua_pushboolean(L, 1);
    return 1;
}

/* ---------- metamethods ---------- */

/* close / __close / __gc. A film in use by a running method (closed from
 * one of its callbacks) raises instead of freeing under that method; __gc
 * never meets that case, since a running method keeps the film reachable. */
/***
Free the film's memory now (also done by the garbage collector and by `<close>`).
@function Film:close
*/
static int film_close(lua_State *L)
{
    lfilm *u = luaL_checkudata(L, 1, LMH_FILM_MT);
    if (u->in_eval || u->in_step)
        return lmh_error(L, "film in use: film:close cannot be called from %s of the same film "
                            "(close it after the running film method returns)", u->cb);
    mm_film_free(u->f);
    u->f = NULL;
    return 0;
}

static int film_tostring(lua_State *L)
{
    lfilm *u = luaL_checkudata(L, 1, LMH_FILM_MT);
    mm_film *f = u->f;
    if (!f) {
        lua_pushliteral(L, "Film (closed)");
        return 1;
    }
    char buf[160];
    snprintf(buf, sizeof buf, "Film %dx%dx%d (%gx%gx%g nm, %zu cells%s, t = %g ns)", f->nx, f->ny, f->nz,
             f->dx * 1e9, f->dy * 1e9, f->dz * 1e9, f->ncells, f->demag ? ", demag" : "", f->t * 1e9);
    lua_pushstring(L, buf);
    return 1;
}

static const luaL_Reg film_methods[] = {
    {"set_uniform", film_set_uniform}, {"set_random", film_set_random},   {"set_m", film_set_m},
    {"set_m_field", film_set_m_field}, {"m", film_m},                     {"mask", film_mask},
    {"avg", film_avg},                 {"time", film_time},               {"shape", film_shape},
    {"stats", film_stats},             {"set_field", film_set_field},     {"set_field_map", film_set_field_map},
    {"set_field_fn", film_set_field_fn}, {"energy", film_energy},         {"max_torque", film_max_torque},
    {"field", film_field},             {"run", film_run},                 {"relax", film_relax},
    {"minimize", film_minimize},       {"load_ovf", film_load_ovf},       {"save_ovf", film_save_ovf},
    {"save_vtk", film_save_vtk},       {NULL, NULL}};

void lmh_open_film(lua_State *L)
{
    static const luaL_Reg funcs[] = {{"film", film_new},
                                     {"set_progress", l_set_progress},
                                     {"progress_allowed", l_progress_allowed},
                                     {NULL, NULL}};
    static const luaL_Reg meta[] = {{"__tostring", film_tostring}, {NULL, NULL}};
    lmh_newtype(L, LMH_FILM_MT, film_methods, meta, film_close, NULL);
    luaL_setfuncs(L, funcs, 0);
    /* core.Film: the method table, where the Lua half adds film:snapshot */
    luaL_getmetatable(L, LMH_FILM_MT);
    lua_getfield(L, -1, "__index");
    lua_setfield(L, -3, "Film");
    lua_pop(L, 1);
}
