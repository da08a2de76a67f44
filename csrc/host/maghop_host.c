/* maghop_host.c — the `maghop` command: Lua 5.4 with maghop built in.
 * Usage: maghop script.lua [args...]   (or `maghop -e 'code'`, `maghop -v`)
 * The C module and its Lua half are preloaded, so scripts run with no
 * LUA_PATH/LUA_CPATH; `arg` is set as the standalone interpreter does. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "l_maghop.h"

struct mh_embedded {
    const char *name;
    const unsigned char *src;
    size_t len;
};
extern const struct mh_embedded mh_embedded_lua[];

static int load_embedded(lua_State *L)
{
    const struct mh_embedded *e = lua_touserdata(L, lua_upvalueindex(1));
    char chunk[128];
    snprintf(chunk, sizeof chunk, "=[maghop] %s", e->name);
    if (luaL_loadbuffer(L, (const char *)e->src, e->len, chunk) != LUA_OK)
        return lua_error(L);
    lua_pushstring(L, e->name);
    lua_call(L, 1, 1);
    return 1;
}

static void preload(lua_State *L)
{
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(L, luaopen_maghop_core);
    lua_setfield(L, -2, "maghop.core");
    for (const struct mh_embedded *e = mh_embedded_lua; e->name; e++) {
        lua_pushlightuserdata(L, (void *)e);
        lua_pushcclosure(L, load_embedded, 1);
        lua_setfield(L, -2, e->name);
    }
    lua_pop(L, 1);
}

/* SIGINT: as in the standalone interpreter, raise "interrupted!" at the
 * next Lua instruction so scripts can catch it and save a checkpoint. */
static lua_State *running_state;

static void stop_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    lua_sethook(L, NULL, 0, 0);
    luaL_error(L, "interrupted!");
}

static void on_sigint(int sig)
{
    signal(sig, SIG_DFL); /* a second Ctrl-C kills at once */
    lua_sethook(running_state, stop_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}

/* Message handler: a traceback for program errors; a table error {msg = ...}
 * (raised by maghop.cli.fail for bad command-line use) prints just msg. */
static int traceback(lua_State *L)
{
    if (lua_istable(L, 1) && lua_getfield(L, 1, "msg") == LUA_TSTRING)
        return 1;
    const char *msg = lua_tostring(L, 1);
    if (!msg)
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    luaL_traceback(L, L, msg, 1);
    return 1;
}

static int run(lua_State *L, int argc, char **argv)
{
    int script = 1;
    if (argc < 2) {
        fprintf(stderr, "usage: maghop script.lua [args...]\n       maghop -e 'lua code'\n       maghop -v\n");
        return 2;
    }
    if (!strcmp(argv[1], "-v") || !strcmp(argv[1], "--version")) {
        lua_getglobal(L, "require");
        lua_pushliteral(L, "maghop");
        lua_call(L, 1, 1);
        lua_getfield(L, -1, "version");
        printf("maghop %s (%s)\n", lua_tostring(L, -1), LUA_RELEASE);
        return 0;
    }
    lua_pushcfunction(L, traceback);
    int status;
    if (!strcmp(argv[1], "-e")) {
        if (argc < 3) {
            fprintf(stderr, "maghop: -e needs an argument\n");
            return 2;
        }
        status = luaL_loadbuffer(L, argv[2], strlen(argv[2]), "=(command line)");
        script = 2;
    } else {
        status = luaL_loadfile(L, argv[1]);
    }
    /* arg table: arg[0] = script, arg[1..] = its arguments */
    lua_createtable(L, argc, 1);
    for (int i = 0; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i - script);
    }
    lua_setglobal(L, "arg");
    if (status == LUA_OK) {
        int nargs = argc - script - 1;
        for (int i = script + 1; i < argc; i++)
            lua_pushstring(L, argv[i]);
        running_state = L;
        signal(SIGINT, on_sigint);
        status = lua_pcall(L, nargs, 0, -nargs - 2);
        signal(SIGINT, SIG_DFL);
    }
    if (status != LUA_OK) {
        fprintf(stderr, "maghop: %s\n", lua_tostring(L, -1));
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    lua_State *L = luaL_newstate();
    if (!L) {
        fprintf(stderr, "maghop: cannot create Lua state (out of memory)\n");
        return 1;
    }
    luaL_openlibs(L);
    preload(L);
    int rc = run(L, argc, argv);
    lua_close(L);
    return rc;
}
