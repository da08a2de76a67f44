/* l_sweep.c — the C helpers behind maghop.sweep: durable appends and
 * rewrites of results files, the progress line, and whether stderr is a
 * terminal. The sweep logic itself is Lua (lua/maghop/sweep.lua). */
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "durable.h"
#include "l_init.h"
#include "lmh_aux.h"
#include "mh_common.h"

/* Write the text at slot 2 to the path at slot 1 with `write` (one of the
 * durable writers of durable.h) -> true | nil, message. */
static int write_with(lua_State *L,
                      int (*write)(const char *path, const char *buf, size_t len, char *err, size_t errlen))
{
    const char *path = luaL_checkstring(L, 1);
    size_t len;
    const char *text = luaL_checklstring(L, 2, &len);
    char err[512];
    if (write(path, text, len, err, sizeof err) != MH_OK)
        return lmh_fail(L, "%s", err);
    lua_pushboolean(L, 1);
    return 1;
}

/* core.append_line(path, text) -> true | nil, message: append text (whole
 * lines) with one write and fsync; see mh_append_durable. */
static int l_append_line(lua_State *L) { return write_with(L, mh_append_durable); }

/* core.write_durable(path, text) -> true | nil, message: replace the file
 * atomically (temporary file, fsync, rename). */
static int l_write_durable(lua_State *L) { return write_with(L, mh_write_durable); }

/* core.progress_line(done, total, failed, ran, elapsed_s) -> string. */
static int l_progress_line(lua_State *L)
{
    lua_Integer done = luaL_checkinteger(L, 1), total = luaL_checkinteger(L, 2);
    lua_Integer failed = luaL_checkinteger(L, 3), ran = luaL_checkinteger(L, 4);
    double elapsed = lmh_checkfinite(L, 5);
    char line[160];
    mh_progress_format(line, sizeof line, (long)done, (long)total, (long)failed, (long)ran, elapsed);
    lua_pushstring(L, line);
    return 1;
}

/* core.stderr_isatty() -> boolean. */
static int l_stderr_isatty(lua_State *L)
{
    lua_pushboolean(L, isatty(STDERR_FILENO));
    return 1;
}

void lmh_open_sweep(lua_State *L)
{
    static const luaL_Reg fns[] = {
        {"append_line", l_append_line},
        {"write_durable", l_write_durable},
        {"progress_line", l_progress_line},
        {"stderr_isatty", l_stderr_isatty},
        {NULL, NULL},
    };
    luaL_setfuncs(L, fns, 0);
}
