/* lmh_aux.c — errors, number checks, option tables and type registration
 * for the bindings (see lmh_aux.h). Knows no binding. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lmh_aux.h"

#define MSG_MAX 1024

/* ---------- errors ---------- */

/* Format the printf-style arguments after fmt of the enclosing variadic
 * function into the char array msg (va_start must run in that function). */
#define FORMAT_VARARGS(msg, fmt)                                                                   \
    do {                                                                                           \
        va_list ap;                                                                                \
        va_start(ap, fmt);                                                                         \
        vsnprintf(msg, sizeof msg, fmt, ap);                                                       \
        va_end(ap);                                                                                \
    } while (0)

int lmh_error(lua_State *L, const char *fmt, ...)
{
    char msg[MSG_MAX];
    FORMAT_VARARGS(msg, fmt);
    return luaL_error(L, "%s", msg);
}

int lmh_argerror(lua_State *L, int arg, const char *fmt, ...)
{
    char msg[MSG_MAX];
    FORMAT_VARARGS(msg, fmt);
    return luaL_argerror(L, arg, msg);
}

int lmh_fail(lua_State *L, const char *fmt, ...)
{
    char msg[MSG_MAX];
    FORMAT_VARARGS(msg, fmt);
    lua_pushnil(L);
    lua_pushstring(L, msg);
    return 2;
}

int lmh_status_error(lua_State *L, int st, const char *what)
{
    return lmh_error(L, "%s: %s", what, mh_strerror(st));
}

int lmh_status_fail(lua_State *L, int st, const char *what)
{
    return lmh_fail(L, "%s: %s", what, mh_strerror(st));
}

/* ---------- numbers ---------- */

double lmh_checkfinite(lua_State *L, int arg)
{
    double v = luaL_checknumber(L, arg);
    if (!isfinite(v))
        lmh_argerror(L, arg, "finite number expected, got %g", v);
    return v;
}

void lmh_checkvec3(lua_State *L, int arg, double v[3], const char *what)
{
    if (!lua_istable(L, arg)) {
        for (int q = 0; q < 3; q++)
            v[q] = lmh_checkfinite(L, arg + q);
        return;
    }
    for (int q = 0; q < 3; q++) {
        int isnum = 0;
        lua_geti(L, arg, q + 1);
        v[q] = lua_tonumberx(L, -1, &isnum);
        lua_pop(L, 1);
        if (!isnum || !isfinite(v[q]))
            lmh_argerror(L, arg, "expected %s {x, y, z} of finite numbers, component %d bad", what, q + 1);
    }
}

/* ---------- result tables ---------- */

void lmh_setinteger(lua_State *L, const char *key, lua_Integer v)
{
    lua_pushinteger(L, v);
    lua_setfield(L, -2, key);
}

void lmh_setnumber(lua_State *L, const char *key, double v)
{
    lua_pushnumber(L, v);
    lua_setfield(L, -2, key);
}

/* ---------- option tables ---------- */

static int has_options(lua_State *L, int t)
{
    return !lua_isnoneornil(L, t);
}

/* Push "a, b, c" for the NULL-terminated list of names; returns it. */
static const char *push_list(lua_State *L, const char *const *names)
{
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 0; names[i]; i++) {
        luaL_addstring(&b, i ? ", " : "");
        luaL_addstring(&b, names[i]);
    }
    luaL_pushresult(&b);
    return lua_tostring(L, -1);
}

void lmh_checkoptions(lua_State *L, int t, const char *const *keys, const char *what)
{
    t = lua_absindex(L, t);
    if (!has_options(L, t))
        return;
    if (!lua_istable(L, t))
        lmh_argerror(L, t, "%s: options table expected, got %s", what, luaL_typename(L, t));
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        int ok = 0;
        if (lua_type(L, -1) == LUA_TSTRING)
            for (int i = 0; keys[i] && !ok; i++)
                ok = strcmp(lua_tostring(L, -1), keys[i]) == 0;
        if (ok)
            continue;
        const char *key = luaL_tolstring(L, -1, NULL); /* raising next: the stack may grow */
        lmh_error(L, "%s: unknown option '%s' (accepted: %s)", what, key, push_list(L, keys));
    }
}

/* Push field key of options t; returns its type (LUA_TNIL without options). */
static int get_option(lua_State *L, int t, const char *key)
{
    if (!has_options(L, t)) {
        lua_pushnil(L);
        return LUA_TNIL;
    }
    return lua_getfield(L, t, key);
}

double lmh_optnumber(lua_State *L, int t, const char *key, double def)
{
    double v = def;
    int ty = get_option(L, t, key);
    if (ty == LUA_TNUMBER) {
        v = lua_tonumber(L, -1);
        if (!isfinite(v))
            lmh_error(L, "option '%s': finite number expected, got %g", key, v);
    } else if (ty != LUA_TNIL) {
        lmh_error(L, "option '%s': number expected, got %s", key, luaL_typename(L, -1));
    }
    lua_pop(L, 1);
    return v;
}

double lmh_optrange(lua_State *L, int t, const char *key, double def, double lo, double hi,
                    int lo_open, const char *range)
{
    double v = lmh_optnumber(L, t, key, def);
    if (!(lo_open ? v > lo : v >= lo) || !(v <= hi))
        lmh_error(L, "option '%s' = %g out of range (%s)", key, v, range);
    return v;
}

int lmh_optinteger(lua_State *L, int t, const char *key, int def, int lo, int hi)
{
    int ty = get_option(L, t, key);
    lua_Integer v = def;
    if (ty != LUA_TNIL) {
        int isint = 0;
        v = lua_tointegerx(L, -1, &isint);
        if (!isint)
            lmh_error(L, "option '%s': integer expected, got %s", key,
                      ty == LUA_TNUMBER ? "a non-integer number" : luaL_typename(L, -1));
    }
    lua_pop(L, 1);
    if (v < lo || v > hi)
        lmh_error(L, "option '%s' = %lld out of range (%d..%d)", key, (long long)v, lo, hi);
    return (int)v;
}

int lmh_optboolean(lua_State *L, int t, const char *key, int def)
{
    int ty = get_option(L, t, key), v = def;
    if (ty == LUA_TBOOLEAN)
        v = lua_toboolean(L, -1);
    else if (ty != LUA_TNIL)
        lmh_error(L, "option '%s': boolean expected, got %s", key, luaL_typename(L, -1));
    lua_pop(L, 1);
    return v;
}

const char *lmh_optstring(lua_State *L, int t, const char *key, const char *def)
{
    const char *s = def;
    int ty = get_option(L, t, key);
    if (ty == LUA_TSTRING)
        s = lua_tostring(L, -1); /* stays alive: the options table holds it */
    else if (ty != LUA_TNIL)
        lmh_error(L, "option '%s': string expected, got %s", key, luaL_typename(L, -1));
    lua_pop(L, 1);
    return s;
}

int lmh_optchoice(lua_State *L, int t, const char *key, int def_index, const char *const *list)
{
    const char *s = lmh_optstring(L, t, key, NULL);
    if (!s)
        return def_index;
    for (int i = 0; list[i]; i++)
        if (strcmp(s, list[i]) == 0)
            return i;
    return lmh_error(L, "option '%s' = '%s' not one of %s", key, s, push_list(L, list));
}

/* ---------- userdata types ---------- */

/* __index of a type with fields: upvalue 1 the method table, upvalue 2 the
 * type's field reader, called directly so that it shares this frame. */
static int fields_index(lua_State *L)
{
    lua_CFunction fields = lua_tocfunction(L, lua_upvalueindex(2));
    lua_settop(L, 2);
    if (fields(L))
        return 1;
    lua_settop(L, 2);
    lua_gettable(L, lua_upvalueindex(1));
    return 1;
}

/* lmh_newtype with its closer on top of the stack (nil for none), which
 * this pops with the metatable. */
static void newtype(lua_State *L, const char *tname, const luaL_Reg *methods, const luaL_Reg *meta,
                    lua_CFunction fields)
{
    int closer = lua_absindex(L, -1), has_closer = !lua_isnil(L, closer);
    luaL_newmetatable(L, tname);
    if (meta)
        luaL_setfuncs(L, meta, 0);
    if (has_closer) {
        lua_pushvalue(L, closer);
        lua_setfield(L, -2, "__gc");
        lua_pushvalue(L, closer);
        lua_setfield(L, -2, "__close");
    }
    if (methods) {
        lua_newtable(L);
        luaL_setfuncs(L, methods, 0);
        if (has_closer) {
            lua_pushvalue(L, closer);
            lua_setfield(L, -2, "close");
        }
        if (fields) {
            lua_pushcfunction(L, fields);
            lua_pushcclosure(L, fields_index, 2);
        }
        lua_setfield(L, -2, "__index");
    }
    lua_pop(L, 2);
}

void lmh_newtype(lua_State *L, const char *tname, const luaL_Reg *methods, const luaL_Reg *meta,
                 lua_CFunction closer, lua_CFunction fields)
{
    if (closer)
        lua_pushcfunction(L, closer);
    else
        lua_pushnil(L);
    newtype(L, tname, methods, meta, fields);
}

/* Closer of lmh_newblocktype types: upvalue 1 the metatable name, upvalue 2
 * the byte offset of the block pointer. */
static int block_close(lua_State *L)
{
    const char *tname = lua_tostring(L, lua_upvalueindex(1));
    free(lmh_takehandle(L, tname, (size_t)lua_tointeger(L, lua_upvalueindex(2))));
    return 0;
}

void lmh_newblocktype(lua_State *L, const char *tname, size_t block, const luaL_Reg *methods,
                      const luaL_Reg *meta, lua_CFunction fields)
{
    lua_pushstring(L, tname);
    lua_pushinteger(L, (lua_Integer)block);
    lua_pushcclosure(L, block_close, 2);
    newtype(L, tname, methods, meta, fields);
}

/* The handle stored at byte offset `handle` of userdata u (unaligned-safe). */
static void *handle_of(const char *u, size_t handle)
{
    void *h;
    memcpy(&h, u + handle, sizeof h);
    return h;
}

void *lmh_checkopen(lua_State *L, int arg, const char *tname, size_t handle, const char *what)
{
    char *u = luaL_checkudata(L, arg, tname);
    if (!handle_of(u, handle))
        lmh_argerror(L, arg, "%s is closed", what);
    return u;
}

void *lmh_toopen(lua_State *L, const char *tname, size_t handle, const char *name)
{
    char *u = luaL_checkudata(L, 1, tname);
    if (handle_of(u, handle))
        return u;
    lua_pushfstring(L, "%s (closed)", name);
    return NULL;
}

void *lmh_takehandle(lua_State *L, const char *tname, size_t handle)
{
    char *u = luaL_checkudata(L, 1, tname);
    void *h = handle_of(u, handle), *none = NULL;
    memcpy(u + handle, &none, sizeof none);
    return h;
}

#define OWNED_MT "maghop.owned"

typedef struct {
    void (*fin)(void *p);
    double payload[]; /* aligned for any C object the bindings store */
} owned;

static int owned_gc(lua_State *L)
{
    owned *o = luaL_checkudata(L, 1, OWNED_MT);
    if (o->fin)
        o->fin(o->payload);
    o->fin = NULL;
    return 0;
}

void *lmh_newowned(lua_State *L, size_t size, void (*fin)(void *p))
{
    owned *o = lua_newuserdatauv(L, sizeof *o + size, 0);
    o->fin = NULL;
    memset(o->payload, 0, size);
    if (luaL_newmetatable(L, OWNED_MT)) {
        lua_pushcfunction(L, owned_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    o->fin = fin;
    return o->payload;
}
