/* l_compact.c — "maghop.Compact", the paper's Eq. (2) device model.
 * Defaults (the 4-node device) live in lua/maghop/compact.lua; this file
 * only checks arguments and runs the numerics of csrc/compact.c. */
/***
A compact device (the paper's Eq. 2), made by `mh.compact.new` or
`mh.compact.grid`. Conductances in siemens (S); patterns are ±1 tables,
Arrays or "+-+-" labels. Fields: `dev.nodes`, `dev.eta` (S/V^2), `dev.model`
("compact").
@classmod CompactDevice
*/
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "l_init.h"
#include "lmh_aux.h"

#include "compact.h"
#include "mh_common.h"

#define COMPACT_MT "maghop.Compact"

static mh_compact *check_compact(lua_State *L, int arg)
{
    return lmh_checkopen(L, arg, COMPACT_MT, offsetof(mh_compact, g), "device");
}

/***
Free the device now (also done by the garbage collector and by `<close>`).
@function CompactDevice:close
*/
static int compact_close(lua_State *L)
{
    mh_compact_clear(luaL_checkudata(L, 1, COMPACT_MT));
    return 0;
}

/* An n x n matrix argument; raises naming it unless square of size n. */
static double *check_square(lua_State *L, int arg, int n, const char *name)
{
    lmh_array *a = lmh_array_from(L, arg);
    if (a->rows != n || a->cols != n)
        lmh_argerror(L, arg, "%s must be %dx%d, got %dx%d", name, n, n, a->rows, a->cols);
    return a->data;
}

/* core.compact(n, eta, alpha, gavg, g0) */
static int compact_new(lua_State *L)
{
    lua_Integer n = luaL_checkinteger(L, 1);
    luaL_argcheck(L, n >= 2 && n <= 1024, 1, "nodes must be in 2..1024 (compact.MAX_NODES)");
    double eta = lmh_checkfinite(L, 2);
    luaL_argcheck(L, eta > 0, 2, "eta must be > 0 (S/V^2)");
    double *alpha = check_square(L, 3, (int)n, "alpha");
    double *gavg = check_square(L, 4, (int)n, "gavg");
    double *g0 = check_square(L, 5, (int)n, "start matrix");
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (!(alpha[i * n + j] > 0) || !(2.0 * alpha[i * n + j] * eta < 2.0))
                lmh_argerror(L, 3,
                            "alpha[%d][%d] = %g; need 0 < alpha < 1/eta = %g V^2/S (Eq. 2 is "
                            "unstable when 2 alpha eta >= 2)",
                            i + 1, j + 1, alpha[i * n + j], 1.0 / eta);
    mh_compact *c = lua_newuserdatauv(L, sizeof *c, 0);
    memset(c, 0, sizeof *c);
    luaL_setmetatable(L, COMPACT_MT);
    int st = mh_compact_init(c, (int)n, eta, alpha, gavg, g0);
    if (st != MH_OK)
        return lmh_status_error(L, st, "compact model");
    return 1;
}

static lua_Integer check_count(lua_State *L, int arg)
{
    if (lua_isnoneornil(L, arg))
        return 1;
    int isint;
    lua_Integer k = lua_tointegerx(L, arg, &isint);
    if (!isint)
        lmh_argerror(L, arg, "count must be a non-negative integer, got %s",
                    lua_type(L, arg) == LUA_TNUMBER ? "a non-integer number" : luaL_typename(L, arg));
    if (k < 0)
        lmh_argerror(L, arg, "count must be a non-negative integer, got %d", (int)k);
    return k;
}

/***
Apply pulses of pattern x: per pulse, G_ij += eta [x_i x_j - 2 alpha_ij (G_ij - Gavg_ij)]
(i ~= j), then G_ii = -sum_j G_ij (Kirchhoff).
@function CompactDevice:pulse
@tparam table|string|Array x ±1 pattern of length nodes
@int[opt=1] count number of pulses (>= 0)
@return the device
@raise for a wrong length, a non-±1 entry or a bad count
*/
static int compact_pulse(lua_State *L)
{
    mh_compact *c = check_compact(L, 1);
    lua_Integer k = check_count(L, 3); /* before pushing anything */
    lua_settop(L, 3);
    double *x = lmh_check_pm1(L, 2, c->n, NULL);
    mh_compact_pulse(c, x, (long)k);
    lua_settop(L, 1);
    return 1;
}

static int push_matrix(lua_State *L, int n, const double *src, const double *minus)
{
    lmh_array *a = lmh_array_push(L, n, n);
    for (int k = 0; k < n * n; k++)
        a->data[k] = src[k] - (minus ? minus[k] : 0.0);
    return 1;
}

/***
The conductance matrix G.
@function CompactDevice:conductance
@treturn Array nodes x nodes, S (symmetric, rows sum to 0)
*/
static int compact_conductance(lua_State *L)
{
    mh_compact *c = check_compact(L, 1);
    return push_matrix(L, c->n, c->g, NULL);
}

/***
The Hopfield weights w = G - Gavg.
@function CompactDevice:weights
@treturn Array nodes x nodes, S
*/
static int compact_weights(lua_State *L)
{
    mh_compact *c = check_compact(L, 1);
    return push_matrix(L, c->n, c->g, c->gavg);
}

/***
The average conductance Gavg that G decays to.
@function CompactDevice:gavg
@treturn Array S
*/
static int compact_gavg(lua_State *L)
{
    mh_compact *c = check_compact(L, 1);
    return push_matrix(L, c->n, c->gavg, NULL);
}

/***
The decay matrix alpha.
@function CompactDevice:alpha
@treturn Array V^2/S (0 on the diagonal)
*/
static int compact_alpha(lua_State *L)
{
    mh_compact *c = check_compact(L, 1);
    push_matrix(L, c->n, c->alpha, NULL);
    lmh_array *a = lmh_array_check(L, -1);
    for (int i = 0; i < c->n; i++)
        a->data[i * c->n + i] = 0;
    return 1;
}

/* Optional G argument: an n x n matrix to evaluate instead of the state. */
static const double *opt_g(lua_State *L, int arg, mh_compact *c)
{
    if (lua_isnil(L, arg))
        return NULL;
    return check_square(L, arg, c->n, "G");
}

/***
The cost C(G) = sum_{i<j} [-x_i x_j G_ij + alpha_ij (G_ij - Gavg_ij)^2], whose
gradient descent with step eta is Eq. (2), for G (the state's G by default).
@function CompactDevice:cost
@tparam table|string|Array x ±1 pattern
@tparam[opt] table|Array G nodes x nodes, S
@treturn number S
*/
static int compact_cost(lua_State *L)
{
    mh_compact *c = check_compact(L, 1);
    lua_settop(L, 3);
    const double *g = opt_g(L, 3, c);
    double *x = lmh_check_pm1(L, 2, c->n, NULL);
    lua_pushnumber(L, mh_compact_cost(c, x, g));
    return 1;
}

/***
Gradient dC/dG_ij of the cost (symmetric, zero diagonal).
@function CompactDevice:gradient
@tparam table|string|Array x ±1 pattern
@tparam[opt] table|Array G nodes x nodes, S
@treturn Array nodes x nodes (dimensionless)
*/
static int compact_gradient(lua_State *L)
{
    mh_compact *c = check_compact(L, 1);
    lua_settop(L, 3);
    const double *g = opt_g(L, 3, c);
    double *x = lmh_check_pm1(L, 2, c->n, NULL);
    lmh_array *out = lmh_array_push(L, c->n, c->n);
    mh_compact_grad(c, x, g, out->data);
    return 1;
}

/* dev:set_conductance(G): replace the state (symmetrized, Kirchhoff). */
/***
Replace the state G (symmetrized, Kirchhoff diagonal).
@function CompactDevice:set_conductance
@tparam table|Array G nodes x nodes, S
@return the device
@raise for a wrong size or a non-finite entry
*/
static int compact_set_conductance(lua_State *L)
{
    mh_compact *c = check_compact(L, 1);
    double *g = check_square(L, 2, c->n, "G");
    memcpy(c->g, g, sizeof(double) * c->n * c->n);
    mh_kirchhoff(c->n, c->g);
    lua_settop(L, 1);
    return 1;
}

static int compact_tostring(lua_State *L)
{
    mh_compact *c = lmh_toopen(L, COMPACT_MT, offsetof(mh_compact, g), "Compact device");
    if (c)
        lua_pushfstring(L, "Compact device, %d nodes, eta=%f S/V^2", c->n, c->eta);
    return 1;
}

static const luaL_Reg compact_methods[] = {
    {"pulse", compact_pulse},       {"conductance", compact_conductance},
    {"weights", compact_weights},   {"gavg", compact_gavg},
    {"alpha", compact_alpha},       {"cost", compact_cost},
    {"gradient", compact_gradient}, {"set_conductance", compact_set_conductance},
    {NULL, NULL}};

/* Fields read like a table's: dev.nodes, dev.eta, dev.model. */
static int compact_fields(lua_State *L)
{
    mh_compact *c = check_compact(L, 1);
    const char *k = luaL_checkstring(L, 2);
    if (!strcmp(k, "nodes"))
        lua_pushinteger(L, c->n);
    else if (!strcmp(k, "eta"))
        lua_pushnumber(L, c->eta);
    else if (!strcmp(k, "model"))
        lua_pushliteral(L, "compact");
    else
        return 0;
    return 1;
}

void lmh_open_compact(lua_State *L)
{
    static const luaL_Reg funcs[] = {{"compact", compact_new}, {NULL, NULL}};
    static const luaL_Reg meta[] = {{"__tostring", compact_tostring}, {NULL, NULL}};
    lmh_newtype(L, COMPACT_MT, compact_methods, meta, compact_close, compact_fields);
    luaL_setfuncs(L, funcs, 0);
}
