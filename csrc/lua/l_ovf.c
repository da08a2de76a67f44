/* l_ovf.c — Lua side of the OVF reader/writer (csrc/ovf.c):
 *   core.ovf_read(path) -> Field, header | nil, message
 *   core.ovf_write(path, field[, {format=, title=, desc=, valuelabels=, valueunits=}])
 *       -> true | nil, message
 * A file that cannot be read or is malformed is an expected runtime failure
 * (nil, message); a wrong argument is a programming error (raises). */
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "l_field.h"
#include "l_maghop.h"
#include "ovf.h"

static void set_str(lua_State *L, const char *key, const char *v)
{
    lua_pushstring(L, v);
    lua_setfield(L, -2, key);
}

static void set_num(lua_State *L, const char *key, double v)
{
    lua_pushnumber(L, v);
    lua_setfield(L, -2, key);
}

static void set_int(lua_State *L, const char *key, int v)
{
    lua_pushinteger(L, v);
    lua_setfield(L, -2, key);
}

/* The mh_ovf being read lives in a userdata whose __gc frees its data, so a
 * Lua error while building the result (out of memory) leaks nothing. */
#define OVF_TMP_MT "maghop.ovf_tmp"

static int tmp_gc(lua_State *L)
{
    mh_ovf_clear(luaL_checkudata(L, 1, OVF_TMP_MT));
    return 0;
}

static int l_ovf_read(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    mh_ovf *o = lua_newuserdatauv(L, sizeof *o, 0);
    memset(o, 0, sizeof *o);
    luaL_setmetatable(L, OVF_TMP_MT);
    char err[320] = "";
    int st = mh_ovf_read(path, o, err, sizeof err);
    if (st != MH_OK) {
        lua_pushnil(L);
        lua_pushstring(L, err[0] ? err : mh_strerror(st));
        return 2;
    }
    if (o->valuedim > 16) { /* Field holds at most 16 components */
        lua_pushnil(L);
        lua_pushfstring(L, "%s: valuedim %d exceeds the 16 components of a Field", path,
                        o->valuedim);
        return 2;
    }
    lmh_field *f = lmh_field_push(L, o->nx, o->ny, o->nz, o->valuedim);
    size_t n = (size_t)o->nx * o->ny * o->nz;
    memcpy(f->data, o->data, n * (size_t)o->valuedim * sizeof(double));
    f->dx = o->dx;
    f->dy = o->dy;
    f->dz = o->dz;
    lua_createtable(L, 0, 20);
    set_str(L, "title", o->title);
    set_str(L, "desc", o->desc);
    set_str(L, "meshunit", o->meshunit);
    set_str(L, "valuelabels", o->valuelabels);
    set_str(L, "valueunits", o->valueunits);
    set_str(L, "format", o->format);
    set_int(L, "version", o->version);
    set_int(L, "nx", o->nx);
    set_int(L, "ny", o->ny);
    set_int(L, "nz", o->nz);
    set_int(L, "valuedim", o->valuedim);
    set_num(L, "dx", o->dx);
    set_num(L, "dy", o->dy);
    set_num(L, "dz", o->dz);
    set_num(L, "xbase", o->xbase);
    set_num(L, "ybase", o->ybase);
    set_num(L, "zbase", o->zbase);
    mh_ovf_clear(o);
    return 2;
}

/* Optional string option key of the table at t (NULL when absent). */
static const char *opt_string(lua_State *L, int t, const char *key)
{
    const char *s = NULL;
    int ty = lua_getfield(L, t, key);
    if (ty == LUA_TSTRING)
        s = lua_tostring(L, -1); /* stays alive: the options table holds it */
    else if (ty != LUA_TNIL)
        luaL_error(L, "ovf_write: option '%s' must be a string, got %s", key,
                   luaL_typename(L, -1));
    lua_pop(L, 1);
    return s;
}

static int l_ovf_write(lua_State *L)
{
    static const char *const formats[] = {"binary8", "binary4", "text", NULL};
    static const char *const keys[] = {"format", "title", "desc", "valuelabels", "valueunits",
                                       NULL};
    const char *path = luaL_checkstring(L, 1);
    lmh_field *f = lmh_field_check(L, 2);
    mh_ovf o;
    memset(&o, 0, sizeof o);
    const char *format = "binary8";
    if (!lua_isnoneornil(L, 3)) {
        luaL_checktype(L, 3, LUA_TTABLE);
        lua_pushnil(L);
        while (lua_next(L, 3)) {
            lua_pop(L, 1);
            int i = 0;
            if (lua_type(L, -1) == LUA_TSTRING)
                while (keys[i] && strcmp(keys[i], lua_tostring(L, -1)))
                    i++;
            if (lua_type(L, -1) != LUA_TSTRING || !keys[i])
                return lmh_argfail(L, 3, "unknown option '%s' (format, title, desc, valuelabels, "
                                   "valueunits)", luaL_tolstring(L, -1, NULL));
        }
        const char *fmt = opt_string(L, 3, "format");
        if (fmt) {
            int i = 0;
            while (formats[i] && strcmp(formats[i], fmt))
                i++;
            if (!formats[i])
                return lmh_argfail(L, 3, "format '%s' not one of binary8, binary4, text", fmt);
            format = formats[i];
        }
        const char *s;
        if ((s = opt_string(L, 3, "title")))
            snprintf(o.title, sizeof o.title, "%s", s);
        if ((s = opt_string(L, 3, "desc")))
            snprintf(o.desc, sizeof o.desc, "%s", s);
        if ((s = opt_string(L, 3, "valuelabels")))
            snprintf(o.valuelabels, sizeof o.valuelabels, "%s", s);
        if ((s = opt_string(L, 3, "valueunits")))
            snprintf(o.valueunits, sizeof o.valueunits, "%s", s);
    }
    if (!(f->dx > 0 && f->dy > 0 && f->dz > 0))
        return lmh_argfail(L, 2, "field has no cell size (dx, dy, dz = %g, %g, %g); set it first",
                           f->dx, f->dy, f->dz);
    o.nx = f->nx;
    o.ny = f->ny;
    o.nz = f->nz;
    o.valuedim = f->ncomp;
    o.dx = f->dx;
    o.dy = f->dy;
    o.dz = f->dz;
    o.xbase = 0.5 * f->dx;
    o.ybase = 0.5 * f->dy;
    o.zbase = 0.5 * f->dz;
    snprintf(o.meshunit, sizeof o.meshunit, "m");
    o.data = f->data; /* borrowed: never cleared here */
    char err[320] = "";
    int st = mh_ovf_write(path, &o, format, err, sizeof err);
    if (st != MH_OK) {
        lua_pushnil(L);
        lua_pushstring(L, err[0] ? err : mh_strerror(st));
        return 2;
    }
    lua_pushboolean(L, 1);
    return 1;
}

void lmh_open_ovf(lua_State *L)
{
    luaL_newmetatable(L, OVF_TMP_MT);
    lua_pushcfunction(L, tmp_gc);
    lua_setfield(L, -2, "__gc");
    lua_pop(L, 1);
    lua_pushcfunction(L, l_ovf_read);
    lua_setfield(L, -2, "ovf_read");
    lua_pushcfunction(L, l_ovf_write);
    lua_setfield(L, -2, "ovf_write");
}
