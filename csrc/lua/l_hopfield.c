/* l_hopfield.c — "maghop.Hopfield": energy, recall and landscape of a
 * network with symmetric weights (csrc/hopfield.c does the numerics). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "l_init.h"
#include "lmh_aux.h"

#include "hopfield.h"
#include "mh_common.h"

#define HOPFIELD_MT "maghop.Hopfield"
#define LANDSCAPE_MAX_N 20

typedef struct {
    int n;
    double *w; /* n x n, owned; NULL once closed */
} lmh_hopfield;

static lmh_hopfield *check_net(lua_State *L, int arg)
{
    lmh_hopfield *h = luaL_checkudata(L, arg, HOPFIELD_MT);
    if (!h->w)
        luaL_argerror(L, arg, "network is closed");
    return h;
}

static int net_close(lua_State *L)
{
    lmh_hopfield *h = luaL_checkudata(L, 1, HOPFIELD_MT);
    free(h->w);
    h->w = NULL;
    return 0;
}

/* core.hopfield(w): w square, finite, symmetric to 1e-12 of its largest entry. */
static int net_new(lua_State *L)
{
    lmh_array *a = lmh_array_from(L, 1);
    if (a->rows != a->cols)
        return lmh_argerror(L, 1, "square weight matrix expected, got %dx%d", a->rows, a->cols);
    int n = a->rows;
    double big = 0;
    for (int k = 0; k < n * n; k++)
        big = fmax(big, fabs(a->data[k]));
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (fabs(a->data[i * n + j] - a->data[j * n + i]) > 1e-12 * big)
                return lmh_argerror(L, 1, "symmetric weights expected: w[%d][%d]=%g but w[%d][%d]=%g",
                                   i + 1, j + 1, a->data[i * n + j], j + 1, i + 1, a->data[j * n + i]);
    lmh_hopfield *h = lua_newuserdatauv(L, sizeof *h, 0);
    h->n = 0;
    h->w = NULL;
    luaL_setmetatable(L, HOPFIELD_MT);
    h->w = malloc(sizeof(double) * (size_t)n * n);
    if (!h->w)
        return luaL_error(L, "out of memory for a %d-node network", n);
    memcpy(h->w, a->data, sizeof(double) * (size_t)n * n);
    h->n = n;
    return 1;
}

static int net_energy(lua_State *L)
{
    lmh_hopfield *h = check_net(L, 1);
    double *s = lmh_check_pm1(L, 2, h->n, NULL);
    lua_pushnumber(L, mh_hop_energy(h->n, h->w, s));
    return 1;
}

/* net:recall(s, {mode=, seed=, max_sweeps=}) -> state, sweeps, converged, cycle */
static int net_recall(lua_State *L)
{
    static const char *const modes[] = {"sync", "async", NULL};
    lmh_hopfield *h = check_net(L, 1);
    int mode = MH_RECALL_SYNC;
    lua_Integer seed = 1, max_sweeps = 100;
    static const char *const keys[] = {"mode", "seed", "max_sweeps", NULL};
    lmh_checkoptions(L, 3, keys, "recall");
    if (!lua_isnoneornil(L, 3)) {
        if (lua_getfield(L, 3, "mode") != LUA_TNIL)
            mode = lmh_optchoice(L, 3, "mode", 0, modes) == 0 ? MH_RECALL_SYNC : MH_RECALL_ASYNC;
        lua_pop(L, 1);
        if (lua_getfield(L, 3, "seed") != LUA_TNIL) {
            if (!lua_isinteger(L, -1))
                return luaL_error(L, "option 'seed': integer expected, got %s", luaL_typename(L, -1));
            seed = lua_tointeger(L, -1);
        }
        lua_pop(L, 1);
        if (lua_getfield(L, 3, "max_sweeps") != LUA_TNIL) {
            if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1 || lua_tointeger(L, -1) > 1000000)
                return luaL_error(L, "option 'max_sweeps': integer in 1..1000000 expected");
            max_sweeps = lua_tointeger(L, -1);
        }
        lua_pop(L, 1);
    }
    lua_settop(L, 3);
    double *s = lmh_check_pm1(L, 2, h->n, NULL); /* pushes its buffer */
    mh_recall_info info;
    int st = mh_hop_recall(h->n, h->w, s, mode, (uint64_t)seed, (int)max_sweeps, &info);
    if (st != MH_OK)
        return lmh_status_error(L, st, "recall");
    lmh_push_state(L, s, h->n);
    lua_pushinteger(L, info.sweeps);
    lua_pushboolean(L, info.converged);
    lua_pushboolean(L, info.cycle);
    return 4;
}

/* net:landscape() -> Array of 2^n energies (state k: node i is -1 where bit
 * n-i of k is set, i.e. k read as binary with '-' = 1, node 1 the top bit). */
static int net_landscape(lua_State *L)
{
    lmh_hopfield *h = check_net(L, 1);
    if (h->n > LANDSCAPE_MAX_N)
        return luaL_error(L, "landscape: at most %d nodes (2^%d states), network has %d",
                          LANDSCAPE_MAX_N, LANDSCAPE_MAX_N, h->n);
    lmh_array *e = lmh_array_push(L, 1 << h->n, 1);
    mh_hop_landscape(h->n, h->w, e->data);
    return 1;
}

static int net_weights(lua_State *L)
{
    lmh_hopfield *h = check_net(L, 1);
    lmh_array *a = lmh_array_push(L, h->n, h->n);
    memcpy(a->data, h->w, sizeof(double) * (size_t)h->n * h->n);
    return 1;
}

static int net_tostring(lua_State *L)
{
    lmh_hopfield *h = luaL_checkudata(L, 1, HOPFIELD_MT);
    if (!h->w)
        lua_pushliteral(L, "Hopfield network (closed)");
    else
        lua_pushfstring(L, "Hopfield network, %d nodes", h->n);
    return 1;
}

static const luaL_Reg net_methods[] = {{"energy", net_energy},       {"recall", net_recall},
                                       {"landscape", net_landscape}, {"weights", net_weights},
                                       {NULL, NULL}};

static int net_index(lua_State *L)
{
    lmh_hopfield *h = check_net(L, 1);
    const char *k = luaL_checkstring(L, 2);
    if (!strcmp(k, "nodes"))
        lua_pushinteger(L, h->n);
    else
        lua_getfield(L, lua_upvalueindex(1), k);
    return 1;
}

void lmh_open_hopfield(lua_State *L)
{
    static const luaL_Reg meta[] = {{"__tostring", net_tostring}, {NULL, NULL}};
    lmh_newtype(L, HOPFIELD_MT, net_methods, meta, net_close, net_index);
    lua_pushcfunction(L, net_new);
    lua_setfield(L, -2, "hopfield");
}
