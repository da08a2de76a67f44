/* l_init.c — entry point of the maghop.core C module: the list of binding
 * openers (in the spirit of Lua's linit.c) and core.wtime. */
#include <time.h>

#include "l_init.h"
#include "lmh_aux.h"

/* core.wtime() -> monotonic wall-clock seconds (for benchmarks and ETAs;
 * os.clock() sums CPU time over threads). */
static int l_wtime(lua_State *L)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    lua_pushnumber(L, (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec);
    return 1;
}

static void (*const openers[])(lua_State *L) = {
    lmh_open_array, lmh_open_field,  lmh_open_compact, lmh_open_hopfield,  lmh_open_rules,
    lmh_open_film,  lmh_open_ovf,    lmh_open_demag,   lmh_open_amr, lmh_open_oersted, lmh_open_sweep,
    NULL};

int luaopen_maghop_core(lua_State *L)
{
    lua_newtable(L);
    lua_pushcfunction(L, l_wtime);
    lua_setfield(L, -2, "wtime");
    lua_pushcfunction(L, lmh_as_state);
    lua_setfield(L, -2, "as_state");
    for (int i = 0; openers[i]; i++)
        openers[i](L);
    return 1;
}
