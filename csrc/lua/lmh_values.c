/* lmh_values.c — the value types every binding passes around: Array and
 * Field (construction and checks; their Lua methods live in l_array.c and
 * l_field.c), the Film handle and ±1 state vectors (see lmh_aux.h). */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lmh_aux.h"

#define FIELD_MAX_CELLS ((size_t)1 << 31)

/* ---------- Array ---------- */

lmh_array *lmh_array_push(lua_State *L, int rows, int cols)
{
    if (rows < 1 || cols < 1 || (long long)rows * cols > LMH_ARRAY_MAX_ELEMS)
        luaL_error(L, "array size %dx%d outside 1..%d elements", rows, cols, LMH_ARRAY_MAX_ELEMS);
    lmh_array *a = lua_newuserdatauv(L, sizeof *a, 0);
    a->rows = a->cols = 0;
    a->data = NULL; /* consistent before anything can raise */
    luaL_setmetatable(L, LMH_ARRAY_MT);
    a->data = calloc((size_t)rows * cols, sizeof(double));
    if (!a->data)
        luaL_error(L, "out of memory for a %dx%d array", rows, cols);
    a->rows = rows;
    a->cols = cols;
    return a;
}

lmh_array *lmh_array_check(lua_State *L, int arg)
{
    return lmh_checkopen(L, arg, LMH_ARRAY_MT, offsetof(lmh_array, data), "array");
}

/* Number of entries of a sequence, refusing holes so errors name them. */
static int seq_len(lua_State *L, int arg, int t)
{
    lua_Integer n = luaL_len(L, t);
    if (n < 1 || n > LMH_ARRAY_MAX_ELEMS)
        lmh_argerror(L, arg, "non-empty table expected");
    return (int)n;
}

static double table_number(lua_State *L, int arg, int idx, int i, int j)
{
    int isnum;
    double v = lua_tonumberx(L, idx, &isnum);
    if (!isnum)
        lmh_argerror(L, arg, "entry [%d]%s%.0d is %s, number expected", i, j ? "," : "", j,
                    luaL_typename(L, idx));
    if (!isfinite(v))
        lmh_argerror(L, arg, "entry [%d] is not finite (%g)", i, v);
    return v;
}

lmh_array *lmh_array_from(lua_State *L, int arg)
{
    arg = lua_absindex(L, arg);
    if (luaL_testudata(L, arg, LMH_ARRAY_MT)) {
        lmh_array *src = lmh_array_check(L, arg);
        /* the same values are refused in an Array as in a table */
        for (size_t k = 0; k < (size_t)src->rows * src->cols; k++)
            if (!isfinite(src->data[k]))
                lmh_argerror(L, arg, "entry [%zu,%zu] is not finite (%g)", k / src->cols + 1,
                             k % src->cols + 1, src->data[k]);
        lmh_array *a = lmh_array_push(L, src->rows, src->cols);
        memcpy(a->data, src->data, sizeof(double) * src->rows * src->cols);
        return a;
    }
    if (!lua_istable(L, arg))
        lmh_argerror(L, arg, "array or table expected, got %s", luaL_typename(L, arg));
    int rows = seq_len(L, arg, arg);
    lua_geti(L, arg, 1);
    int nested = lua_istable(L, -1);
    int cols = nested ? seq_len(L, arg, lua_gettop(L)) : 1;
    lua_pop(L, 1);
    lmh_array *a = lmh_array_push(L, rows, cols);
    for (int i = 1; i <= rows; i++) {
        lua_geti(L, arg, i);
        if (!nested) {
            a->data[i - 1] = table_number(L, arg, -1, i, 0);
        } else {
            if (!lua_istable(L, -1) || luaL_len(L, -1) != cols)
                lmh_argerror(L, arg, "row %d must be a table of %d numbers", i, cols);
            for (int j = 1; j <= cols; j++) {
                lua_geti(L, -1, j);
                a->data[(size_t)(i - 1) * cols + j - 1] = table_number(L, arg, -1, i, j);
                lua_pop(L, 1);
            }
        }
        lua_pop(L, 1);
    }
    return a;
}

/* ---------- Field ---------- */

lmh_field *lmh_field_push(lua_State *L, int nx, int ny, int nz, int ncomp)
{
    if (nx < 1 || ny < 1 || nz < 1 || ncomp < 1 || ncomp > 16)
        luaL_error(L, "field size %dx%dx%d (%d comps) out of range (each >= 1, comps 1..16)",
                   nx, ny, nz, ncomp);
    size_t n = (size_t)nx * (size_t)ny * (size_t)nz;
    if (n > FIELD_MAX_CELLS)
        luaL_error(L, "field of %I cells exceeds the limit of %I", (lua_Integer)n, (lua_Integer)FIELD_MAX_CELLS);
    lmh_field *f = lua_newuserdatauv(L, sizeof *f, 1);
    memset(f, 0, sizeof *f); /* consistent (closed) before anything can raise */
    luaL_setmetatable(L, LMH_FIELD_MT);
    double *d = calloc(n * (size_t)ncomp, sizeof *d);
    if (!d)
        luaL_error(L, "out of memory for a %dx%dx%d field", nx, ny, nz);
    f->nx = nx;
    f->ny = ny;
    f->nz = nz;
    f->ncomp = ncomp;
    f->data = d;
    return f;
}

lmh_field *lmh_field_check(lua_State *L, int arg)
{
    return lmh_checkopen(L, arg, LMH_FIELD_MT, offsetof(lmh_field, data), "field");
}

/* ---------- Film handle ---------- */

mm_film *lmh_film_check(lua_State *L, int arg)
{
    return *(mm_film **)lmh_checkopen(L, arg, LMH_FILM_MT, 0, "film");
}

/* ---------- ±1 state vectors ---------- */

/* A "+-+-" label: '+' is +1, '-' or the minus sign U+2212 is -1, spaces
 * are skipped. Writes up to `cap` values to out (may be NULL) and returns
 * the count, or -(byte offset + 1) of the first other character. */
static int pm1_label(const char *s, size_t len, double *out, int cap)
{
    int n = 0;
    for (size_t i = 0; i < len; i++) {
        double v;
        if (s[i] == '+')
            v = 1.0;
        else if (s[i] == '-')
            v = -1.0;
        else if (s[i] == ' ')
            continue;
        else if (i + 2 < len && (unsigned char)s[i] == 0xE2 && (unsigned char)s[i + 1] == 0x88 &&
                 (unsigned char)s[i + 2] == 0x92) {
            v = -1.0;
            i += 2;
        } else
            return -(int)i - 1;
        if (out && n < cap)
            out[n] = v;
        n++;
    }
    return n;
}

static int label_len(lua_State *L, int idx, int arg, const char *what)
{
    size_t len;
    const char *s = lua_tolstring(L, idx, &len);
    if (len > 1000000)
        lmh_argerror(L, arg, "%s: label of %d bytes is too long", what, (int)len);
    int n = pm1_label(s, len, NULL, 0);
    if (n < 0)
        lmh_argerror(L, arg, "%s: label \"%s\" has '%c' at position %d; use '+' and '-'", what, s, s[-n - 1], -n);
    return n;
}

/* Copy a ±1 vector at stack index idx (table, Array or "+-+-" label) into
 * out[0..n), raising against argument `arg`; `what` prefixes messages
 * ("pattern 2"). */
static void read_pm1(lua_State *L, int idx, int arg, int n, double *out, const char *what)
{
    lmh_array *a = luaL_testudata(L, idx, LMH_ARRAY_MT);
    int len;
    if (lua_type(L, idx) == LUA_TSTRING) {
        len = label_len(L, idx, arg, what);
        if (len != n)
            lmh_argerror(L, arg, "%s: length %d expected, got %d (\"%s\")", what, n, len, lua_tostring(L, idx));
        size_t bytes;
        const char *s = lua_tolstring(L, idx, &bytes);
        pm1_label(s, bytes, out, n);
        return;
    }
    if (a) {
        if (a->cols != 1)
            lmh_argerror(L, arg, "%s: vector expected, got a %dx%d matrix", what, a->rows, a->cols);
        len = a->rows;
    } else if (lua_istable(L, idx)) {
        len = (int)luaL_len(L, idx);
    } else {
        lmh_argerror(L, arg, "%s: table of +1/-1 or a \"+-+-\" label expected, got %s", what,
                     luaL_typename(L, idx));
        return;
    }
    if (len != n)
        lmh_argerror(L, arg, "%s: length %d expected, got %d", what, n, len);
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
                lmh_argerror(L, arg, "%s: entry %d is not a number; entries must be +1 or -1", what, i + 1);
        }
        if (v != 1.0 && v != -1.0)
            lmh_argerror(L, arg, "%s: entry %d is %g; entries must be +1 or -1", what, i + 1, v);
        out[i] = v;
    }
}

static int vector_len(lua_State *L, int idx, int arg, const char *what)
{
    lmh_array *a = luaL_testudata(L, idx, LMH_ARRAY_MT);
    if (a)
        return a->rows;
    if (lua_type(L, idx) == LUA_TSTRING) {
        int n = label_len(L, idx, arg, what);
        if (n < 1)
            lmh_argerror(L, arg, "%s: empty state", what);
        return n;
    }
    if (!lua_istable(L, idx))
        lmh_argerror(L, arg, "%s: table of +1/-1 or a \"+-+-\" label expected, got %s", what,
                     luaL_typename(L, idx));
    int n = (int)luaL_len(L, idx);
    if (n < 1)
        lmh_argerror(L, arg, "%s: empty state", what);
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
        lmh_argerror(L, arg, "list of 1..100000 patterns expected, got %d", np);
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

/* ---------- State: a ±1 table that prints as its "+-+-" label ---------- */

#define STATE_MT "maghop.State"

static void state_label(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    lua_Integer n = luaL_len(L, idx);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_geti(L, idx, i);
        int positive = lua_tonumber(L, -1) > 0;
        lua_pop(L, 1);
        luaL_addchar(&b, positive ? '+' : '-');
    }
    luaL_pushresult(&b);
}

static int state_tostring(lua_State *L)
{
    state_label(L, 1);
    return 1;
}

static int state_concat(lua_State *L)
{
    for (int i = 1; i <= 2; i++) {
        if (lua_istable(L, i))
            state_label(L, i);
        else
            luaL_tolstring(L, i, NULL);
    }
    lua_concat(L, 2);
    return 1;
}

static int state_eq(lua_State *L)
{
    lua_Integer n = luaL_len(L, 1);
    int eq = n == luaL_len(L, 2);
    for (lua_Integer i = 1; eq && i <= n; i++) {
        lua_geti(L, 1, i);
        lua_geti(L, 2, i);
        eq = lua_compare(L, -1, -2, LUA_OPEQ);
        lua_pop(L, 2);
    }
    lua_pushboolean(L, eq);
    return 1;
}

static void push_state_mt(lua_State *L)
{
    if (luaL_newmetatable(L, STATE_MT)) {
        static const luaL_Reg meta[] = {{"__tostring", state_tostring}, {"__concat", state_concat},
                                        {"__eq", state_eq}, {NULL, NULL}};
        luaL_setfuncs(L, meta, 0);
    }
}

void lmh_push_state(lua_State *L, const double *v, int n)
{
    lmh_push_vector(L, v, n);
    push_state_mt(L);
    lua_setmetatable(L, -2);
}

int lmh_as_state(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    push_state_mt(L);
    lua_setmetatable(L, 1);
    return 1;
}
