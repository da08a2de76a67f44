/* l_maghop.c — entry point of the maghop.core C module and small helpers
 * shared by the binding files. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "l_array.h"
#include "l_maghop.h"

int lmh_argfail(lua_State *L, int arg, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return luaL_argerror(L, arg, msg);
}

double lmh_checkfinite(lua_State *L, int arg)
{
    double v = luaL_checknumber(L, arg);
    if (!isfinite(v))
        lmh_argfail(L, arg, "finite number expected, got %g", v);
    return v;
}

double lmh_optfield(lua_State *L, int t, const char *key, double def)
{
    double v = def;
    int ty = lua_getfield(L, t, key);
    if (ty == LUA_TNUMBER) {
        v = lua_tonumber(L, -1);
        if (!isfinite(v)) {
            char num[32]; /* luaL_error has no %g */
            snprintf(num, sizeof num, "%g", v);
            luaL_error(L, "option '%s': finite number expected, got %s", key, num);
        }
    } else if (ty != LUA_TNIL) {
        luaL_error(L, "option '%s': number expected, got %s", key, luaL_typename(L, -1));
    }
    lua_pop(L, 1);
    return v;
}

/* Copy a ±1 vector at stack index idx (table or Array) into out[0..n),
 * raising against argument `arg`; `what` prefixes messages ("pattern 2"). */
static void read_pm1(lua_State *L, int idx, int arg, int n, double *out, const char *what)
{
    lmh_array *a = luaL_testudata(L, idx, "maghop.Array");
    int len;
    if (a) {
        if (a->cols != 1)
            lmh_argfail(L, arg, "%s: vector expected, got a %dx%d matrix", what, a->rows, a->cols);
        len = a->rows;
    } else if (lua_istable(L, idx)) {
        len = (int)luaL_len(L, idx);
    } else {
        lmh_argfail(L, arg, "%s: table of +1/-1 expected, got %s", what, luaL_typename(L, idx));
        return;
    }
    if (len != n)
        lmh_argfail(L, arg, "%s: length %d expected, got %d", what, n, len);
    for (int i = 0; i < n; i++) {
        double v;
        if (a) {
            v = a->data[i];
        } else {
            int isnum;
            lua_geti(L, idx, i + 1);
            v = lua_tonumberx(L, -1, &isnum);
            lua_pop(L, 1);
            if (!isnum)
                lmh_argfail(L, arg, "%s: entry %d is not a number; entries must be +1 or -1", what, i + 1);
        }
        if (v != 1.0 && v != -1.0)
            lmh_argfail(L, arg, "%s: entry %d is %g; entries must be +1 or -1", what, i + 1, v);
        out[i] = v;
    }
}

static int vector_len(lua_State *L, int idx, int arg, const char *what)
{
    lmh_array *a = luaL_testudata(L, idx, "maghop.Array");
    if (a)
        return a->rows;
    if (!lua_istable(L, idx))
        lmh_argfail(L, arg, "%s: table of +1/-1 expected, got %s", what, luaL_typename(L, idx));
    int n = (int)luaL_len(L, idx);
    if (n < 1)
        lmh_argfail(L, arg, "%s: empty state", what);
    return n;
}

double *lmh_check_pm1(lua_State *L, int arg, int n, int *len)
{
    arg = lua_absindex(L, arg);
    if (n < 0)
        n = vector_len(L, arg, arg, "state");
    lmh_array *out = lmh_array_push(L, n, 1);
    read_pm1(L, arg, arg, n, out->data, "state");
    if (len)
        *len = n;
    return out->data;
}

double *lmh_check_patterns(lua_State *L, int arg, int *p, int *n)
{
    arg = lua_absindex(L, arg);
    luaL_checktype(L, arg, LUA_TTABLE);
    int np = (int)luaL_len(L, arg);
    if (np < 1 || np > 100000)
        lmh_argfail(L, arg, "list of 1..100000 patterns expected, got %d", np);
    lua_geti(L, arg, 1);
    int len = vector_len(L, -1, arg, "pattern 1");
    lua_pop(L, 1);
    lmh_array *out = lmh_array_push(L, np, len);
    for (int u = 1; u <= np; u++) {
        char what[32];
        snprintf(what, sizeof what, "pattern %d", u);
        lua_geti(L, arg, u);
        read_pm1(L, lua_gettop(L), arg, len, out->data + (size_t)(u - 1) * len, what);
        lua_pop(L, 1);
    }
    *p = np;
    *n = len;
    return out->data;
}

void lmh_push_vector(lua_State *L, const double *v, int n)
{
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        lua_pushnumber(L, v[i]);
        lua_rawseti(L, -2, i + 1);
    }
}

/* core.wtime() -> monotonic wall-clock seconds (for benchmarks and ETAs;
 * os.clock() sums CPU time over threads). */
static int l_wtime(lua_State *L)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    lua_pushnumber(L, (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec);
    return 1;
}

int luaopen_maghop_core(lua_State *L)
{
    lua_newtable(L);
    lua_pushcfunction(L, l_wtime);
    lua_setfield(L, -2, "wtime");
    lmh_open_array(L);
    lmh_open_compact(L);
    lmh_open_hopfield(L);
    lmh_open_rules(L);
    /* engine (issue 3), transport (issue 4): add openers here */
    lmh_open_field(L);
    lmh_open_film(L);
    lmh_open_ovf(L);
    lmh_open_demag(L);
    lmh_open_transport(L);
    lmh_open_sweep(L);
    return 1;
}
