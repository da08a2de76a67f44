/* l_init.c — entry point of the maghop.core C module: the list of binding
 * openers (in the spirit of Lua's linit.c), core.wtime and the RNG draws
 * (core.normal, core.uniform). */
#include <time.h>

#include "l_init.h"
#include "lmh_aux.h"
#include "rng.h"

/* core.wtime() -> monotonic wall-clock seconds (for benchmarks and ETAs;
 * os.clock() sums CPU time over threads). */
static int l_wtime(lua_State *L)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    lua_pushnumber(L, (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec);
    return 1;
}

/* Counter arguments (seed, step[, idx]), integers >= 0, of core.normal and
 * core.uniform. */
static void check_counters(lua_State *L, uint64_t c[3])
{
    static const char *const names[3] = {"seed", "step", "idx"};
    for (int i = 0; i < 3; i++) {
        lua_Integer v = i == 2 ? luaL_optinteger(L, 3, 0) : luaL_checkinteger(L, i + 1);
        if (v < 0)
            lmh_argerror(L, i + 1, "'%s' must be an integer >= 0, got %lld", names[i], (long long)v);
        c[i] = (uint64_t)v;
    }
}

/* core.normal(seed, step[, idx]) -> a standard normal deviate and
 * core.uniform(seed, step[, idx]) -> a uniform deviate in (0, 1), each a pure
 * function of its three integers (the counter-based generator of the thermal
 * field), so Lua callers draw reproducible noise from the one RNG of the
 * core: e.g. the k-th noisy measurement of a seeded run is normal(seed, k). */
static int l_normal(lua_State *L)
{
    uint64_t c[3];
    check_counters(L, c);
    lua_pushnumber(L, mh_rng_counter_normal(c[0], c[1], c[2]));
    return 1;
}

static int l_uniform(lua_State *L)
{
    uint64_t c[3];
    check_counters(L, c);
    lua_pushnumber(L, mh_rng_counter_uniform(c[0], c[1], c[2]));
    return 1;
}

#define LMH_OPENER(name) lmh_open_##name,
static void (*const openers[])(lua_State *L) = {LMH_BINDINGS(LMH_OPENER) NULL};

int luaopen_maghop_core(lua_State *L)
{
    static const luaL_Reg funcs[] = {
        {"wtime", l_wtime}, {"normal", l_normal}, {"uniform", l_uniform}, {"as_state", lmh_as_state}, {NULL, NULL}};
    lua_newtable(L);
    luaL_setfuncs(L, funcs, 0);
    for (int i = 0; openers[i]; i++)
        openers[i](L);
    return 1;
}
