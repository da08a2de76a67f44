/* l_hopfield.c — "maghop.Hopfield": energy, recall and landscape of a
 * network with symmetric weights (csrc/core/net/hopfield.c does the
 * numerics); core.recall, the same recall with measured local fields; and
 * core.flip, seeded distortion of ±1 states. */
/***
A Hopfield network made by `mh.hopfield.new(w)`. States are ±1 tables,
Arrays or "+-+-" labels; the states it returns print as labels.
Field: `net.nodes`.
@classmod Network
*/
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hopfield.h"
#include "l_init.h"
#include "lmh_aux.h"
#include "mh_common.h"
#include "rng.h"

#define HOPFIELD_MT "maghop.Hopfield"
#define LANDSCAPE_MAX_N 20

typedef struct {
    int n;
    double *w; /* n x n, owned; NULL once closed */
} lmh_hopfield;

static lmh_hopfield *check_net(lua_State *L, int arg)
{
    return lmh_checkopen(L, arg, HOPFIELD_MT, offsetof(lmh_hopfield, w), "network");
}

/***
Free the network now (also done by the garbage collector and by `<close>`).
@function Network:close
*/

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

/***
Energy E(s) = -sum_ij w_ij s_i s_j.
@function Network:energy
@tparam table|string|Array s ±1 state of length nodes
@treturn number E, in the unit of w (S for device weights)
*/
static int net_energy(lua_State *L)
{
    lmh_hopfield *h = check_net(L, 1);
    double *s = lmh_check_pm1(L, 2, h->n, NULL);
    lua_pushnumber(L, mh_hop_energy(h->n, h->w, s));
    return 1;
}

typedef struct {
    int mode, max_sweeps;
    uint64_t seed;
} recall_opts;

/* {mode = "sync"|"async", seed = 1, max_sweeps = 100} at slot t (may be nil). */
static recall_opts check_recall_opts(lua_State *L, int t)
{
    static const char *const modes[] = {"sync", "async", NULL};
    static const char *const keys[] = {"mode", "seed", "max_sweeps", NULL};
    recall_opts o = {MH_RECALL_SYNC, 100, 1};
    lmh_checkoptions(L, t, keys, "recall");
    if (lua_isnoneornil(L, t))
        return o;
    o.mode = lmh_optchoice(L, t, "mode", 0, modes) == 0 ? MH_RECALL_SYNC : MH_RECALL_ASYNC;
    if (lua_getfield(L, t, "seed") != LUA_TNIL) {
        if (!lua_isinteger(L, -1))
            lmh_error(L, "option 'seed': integer expected, got %s", luaL_typename(L, -1));
        o.seed = (uint64_t)lua_tointeger(L, -1);
    }
    lua_pop(L, 1);
    o.max_sweeps = lmh_optinteger(L, t, "max_sweeps", 100, 1, 1000000);
    return o;
}

/* Push state, sweeps, converged, cycle: the results of every recall. */
static int push_recall(lua_State *L, const double *s, int n, const mh_recall_info *info)
{
    lmh_push_state(L, s, n);
    lua_pushinteger(L, info->sweeps);
    lua_pushboolean(L, info->converged);
    lua_pushboolean(L, info->cycle);
    return 4;
}

/* net:recall(s, {mode=, seed=, max_sweeps=}) -> state, sweeps, converged, cycle */
/***
Recall from a start state: synchronous (all nodes at once) or asynchronous
(seeded random order) updates s_i = sign(sum_j w_ij s_j) until nothing changes.
@function Network:recall
@tparam table|string|Array s start state
@tparam[opt] table opts {mode = "sync" (default)|"async", seed = 1, max_sweeps = 100 (1..1e6)}
@treturn table the final state (prints as "+-+-")
@treturn int sweeps done
@treturn bool converged (a fixed point)
@treturn bool cycle (sync: a 2-cycle was found)
@raise for a bad state or option
*/
static int net_recall(lua_State *L)
{
    lmh_hopfield *h = check_net(L, 1);
    recall_opts o = check_recall_opts(L, 3);
    lua_settop(L, 3);
    double *s = lmh_check_pm1(L, 2, h->n, NULL); /* pushes its buffer */
    mh_recall_info info;
    int st = mh_hop_recall(h->n, h->w, s, o.mode, o.seed, o.max_sweeps, &info);
    if (st != MH_OK)
        return lmh_status_error(L, st, "recall");
    return push_recall(L, s, h->n, &info);
}

/* Local field from the Lua function at slot 2 of core.recall: fn(i, s) with
 * 1-based i and s a fresh ±1 State; a Lua error stays on the stack top. */
static int lua_local_field(void *ud, int n, const double *s, int i, double *h)
{
    lua_State *L = ud;
    lua_pushvalue(L, 2);
    lua_pushinteger(L, i + 1);
    lmh_push_state(L, s, n);
    if (lua_pcall(L, 2, 1, 0) != LUA_OK)
        return MH_EINVAL;
    int isnum = 0;
    *h = lua_tonumberx(L, -1, &isnum);
    lua_pop(L, 1);
    if (!isnum || !isfinite(*h)) {
        lua_pushfstring(L, "recall: the local field of node %d must be a finite number", i + 1);
        return MH_EINVAL;
    }
    return MH_OK;
}

/* core.recall(s, fn(i, s) -> h_i, {mode=, seed=, max_sweeps=}) -> state,
 * sweeps, converged, cycle: the network's recall with measured local fields
 * (the physical inference), same node order and stopping rules. */
static int l_recall(lua_State *L)
{
    luaL_checktype(L, 2, LUA_TFUNCTION);
    recall_opts o = check_recall_opts(L, 3);
    lua_settop(L, 3);
    int n;
    double *s = lmh_check_pm1(L, 1, -1, &n);
    mh_recall_info info;
    int st = mh_recall(n, s, o.mode, o.seed, o.max_sweeps, lua_local_field, L, &info);
    if (st == MH_EINVAL)
        return lua_error(L); /* the callback's error, as raised */
    if (st != MH_OK)
        return lmh_status_error(L, st, "recall");
    return push_recall(L, s, n, &info);
}

/* net:landscape() -> Array of 2^n energies (state k: node i is -1 where bit
 * n-i of k is set, i.e. k read as binary with '-' = 1, node 1 the top bit). */
/***
Energies of all 2^N states (N <= 20): entry k is the energy of
mh.hopfield.state(k, N) (k = 1..2^N).
@function Network:landscape
@treturn Array 2^N x 1
@raise for N > 20
*/
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

/***
The weight matrix.
@function Network:weights
@treturn Array N x N
*/
static int net_weights(lua_State *L)
{
    lmh_hopfield *h = check_net(L, 1);
    lmh_array *a = lmh_array_push(L, h->n, h->n);
    memcpy(a->data, h->w, sizeof(double) * (size_t)h->n * h->n);
    return 1;
}

static int net_tostring(lua_State *L)
{
    lmh_hopfield *h = lmh_toopen(L, HOPFIELD_MT, offsetof(lmh_hopfield, w), "Hopfield network");
    if (h)
        lua_pushfstring(L, "Hopfield network, %d nodes", h->n);
    return 1;
}

/* core.flip(x, k, seed): x with k distinct entries flipped, chosen by a
 * seeded permutation (distorted patterns for recall tests). */
static int l_flip(lua_State *L)
{
    int n;
    double *x = lmh_check_pm1(L, 1, -1, &n);
    lua_Integer k = luaL_checkinteger(L, 2);
    luaL_argcheck(L, k >= 0 && k <= n, 2, "number of flips must be in 0..length");
    lua_Integer seed = luaL_checkinteger(L, 3);
    int *perm = lua_newuserdatauv(L, sizeof(int) * (size_t)n, 0);
    mh_rng rng;
    mh_rng_seed(&rng, (uint64_t)seed);
    mh_rng_permutation(&rng, n, perm);
    for (int i = 0; i < k; i++)
        x[perm[i]] = -x[perm[i]];
    lmh_push_state(L, x, n);
    return 1;
}

static const luaL_Reg net_methods[] = {{"energy", net_energy},       {"recall", net_recall},
                                       {"landscape", net_landscape}, {"weights", net_weights},
                                       {NULL, NULL}};

/* The one field: net.nodes. */
static int net_fields(lua_State *L)
{
    lmh_hopfield *h = check_net(L, 1);
    if (strcmp(luaL_checkstring(L, 2), "nodes") != 0)
        return 0;
    lua_pushinteger(L, h->n);
    return 1;
}

void lmh_open_hopfield(lua_State *L)
{
    static const luaL_Reg funcs[] = {{"hopfield", net_new}, {"recall", l_recall}, {"flip", l_flip}, {NULL, NULL}};
    static const luaL_Reg meta[] = {{"__tostring", net_tostring}, {NULL, NULL}};
    lmh_newblocktype(L, HOPFIELD_MT, offsetof(lmh_hopfield, w), net_methods, meta, net_fields);
    luaL_setfuncs(L, funcs, 0);
}
