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

#define LMH_OPENER(name) lmh_open_##name,
static void (*const openers[])(lua_State *L) = {LMH_BINDINGS(LMH_OPENER) NULL};

int luaopen_maghop_core(lua_State *L)
{
    static const luaL_Reg funcs[] = {{"wtime", l_wtime}, {"as_state", lmh_as_state}, {NULL, NULL}};
    lua_newtable(L);
    luaL_setfuncs(L, funcs, 0);
    for (int i = 0; openers[i]; i++)
        openers[i](L);
    return 1;
}
