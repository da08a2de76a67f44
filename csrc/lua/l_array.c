/* l_array.c — "maghop.Array", a dense row-major matrix of doubles.
 * Built from and converted to Lua tables; bulk arithmetic runs in C. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "l_array.h"
#include "l_maghop.h"

#define ARRAY_MT "maghop.Array"
#define ARRAY_MAX_ELEMS (1 << 28)

static int array_close(lua_State *L)
{
    lmh_array *a = luaL_checkudata(L, 1, ARRAY_MT);
    free(a->data);
    a->data = NULL;
    return 0;
}

lmh_array *lmh_array_push(lua_State *L, int rows, int cols)
{
    if (rows < 1 || cols < 1 || (long long)rows * cols > ARRAY_MAX_ELEMS)
        luaL_error(L, "array size %dx%d outside 1..%d elements", rows, cols, ARRAY_MAX_ELEMS);
    lmh_array *a = lua_newuserdatauv(L, sizeof *a, 0);
    a->rows = a->cols = 0;
    a->data = NULL; /* consistent before anything can raise */
    luaL_setmetatable(L, ARRAY_MT);
    a->data = calloc((size_t)rows * cols, sizeof(double));
    if (!a->data)
        luaL_error(L, "out of memory for a %dx%d array", rows, cols);
    a->rows = rows;
    a->cols = cols;
    return a;
}

lmh_array *lmh_array_check(lua_State *L, int arg)
{
    lmh_array *a = luaL_checkudata(L, arg, ARRAY_MT);
    if (!a->data)
        luaL_argerror(L, arg, "array is closed");
    return a;
}

/* Number of entries of a sequence, refusing holes so errors name them. */
static int seq_len(lua_State *L, int arg, int t)
{
    lua_Integer n = luaL_len(L, t);
    if (n < 1 || n > ARRAY_MAX_ELEMS)
        lmh_argfail(L, arg, "non-empty table expected");
    return (int)n;
}

static double table_number(lua_State *L, int arg, int idx, int i, int j)
{
    int isnum;
    double v = lua_tonumberx(L, idx, &isnum);
    if (!isnum)
        lmh_argfail(L, arg, "entry [%d]%s%.0d is %s, number expected", i, j ? "," : "", j,
                    luaL_typename(L, idx));
    if (!isfinite(v))
        lmh_argfail(L, arg, "entry [%d] is not finite (%g)", i, v);
    return v;
}

lmh_array *lmh_array_from(lua_State *L, int arg)
{
    arg = lua_absindex(L, arg);
    if (luaL_testudata(L, arg, ARRAY_MT)) {
        lmh_array *src = lmh_array_check(L, arg);
        lmh_array *a = lmh_array_push(L, src->rows, src->cols);
        memcpy(a->data, src->data, sizeof(double) * src->rows * src->cols);
        return a;
    }
    if (!lua_istable(L, arg))
        lmh_argfail(L, arg, "array or table expected, got %s", luaL_typename(L, arg));
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
                lmh_argfail(L, arg, "row %d must be a table of %d numbers", i, cols);
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

/* 1-based (i, j) -> offset. `nidx` is 1 when the call gave only a row
 * index (allowed for vectors), else 2. */
static size_t array_offset(lua_State *L, lmh_array *a, int nidx)
{
    lua_Integer i = luaL_checkinteger(L, 2), j = 1;
    if (nidx == 2)
        j = luaL_checkinteger(L, 3);
    else if (a->cols != 1)
        luaL_argerror(L, 3, "column index expected for a matrix");
    luaL_argcheck(L, i >= 1 && i <= a->rows, 2, "row index out of range");
    luaL_argcheck(L, j >= 1 && j <= a->cols, 3, "column index out of range");
    return (size_t)(i - 1) * a->cols + (size_t)(j - 1);
}

static int array_get(lua_State *L)
{
    lmh_array *a = lmh_array_check(L, 1);
    lua_pushnumber(L, a->data[array_offset(L, a, lua_gettop(L) >= 3 ? 2 : 1)]);
    return 1;
}

/* a:set(i, j, v) or, for a vector, a:set(i, v). */
static int array_set(lua_State *L)
{
    lmh_array *a = lmh_array_check(L, 1);
    int nidx = lua_gettop(L) >= 4 ? 2 : 1;
    size_t off = array_offset(L, a, nidx);
    a->data[off] = lmh_checkfinite(L, nidx + 2);
    return 0;
}

static int array_totable(lua_State *L)
{
    lmh_array *a = lmh_array_check(L, 1);
    lua_createtable(L, a->rows, 0);
    for (int i = 0; i < a->rows; i++) {
        if (a->cols == 1) {
            lua_pushnumber(L, a->data[i]);
        } else {
            lua_createtable(L, a->cols, 0);
            for (int j = 0; j < a->cols; j++) {
                lua_pushnumber(L, a->data[(size_t)i * a->cols + j]);
                lua_rawseti(L, -2, j + 1);
            }
        }
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

static int array_shape(lua_State *L)
{
    lmh_array *a = lmh_array_check(L, 1);
    lua_pushinteger(L, a->rows);
    lua_pushinteger(L, a->cols);
    return 2;
}

static int array_len(lua_State *L)
{
    lua_pushinteger(L, lmh_array_check(L, 1)->rows);
    return 1;
}

static int array_tostring(lua_State *L)
{
    lmh_array *a = luaL_checkudata(L, 1, ARRAY_MT);
    if (!a->data) {
        lua_pushliteral(L, "Array (closed)");
        return 1;
    }
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    lua_pushfstring(L, "Array %dx%d", a->rows, a->cols);
    luaL_addvalue(&b);
    if (a->rows <= 8 && a->cols <= 8) {
        for (int i = 0; i < a->rows; i++) {
            luaL_addstring(&b, "\n ");
            for (int j = 0; j < a->cols; j++) {
                char num[32];
                snprintf(num, sizeof num, " %+.6g", a->data[(size_t)i * a->cols + j]);
                luaL_addstring(&b, num);
            }
        }
    }
    luaL_pushresult(&b);
    return 1;
}

static int array_copy(lua_State *L)
{
    lmh_array_check(L, 1);
    lmh_array_from(L, 1);
    return 1;
}

static int array_transpose(lua_State *L)
{
    lmh_array *a = lmh_array_check(L, 1);
    lmh_array *t = lmh_array_push(L, a->cols, a->rows);
    for (int i = 0; i < a->rows; i++)
        for (int j = 0; j < a->cols; j++)
            t->data[(size_t)j * a->rows + i] = a->data[(size_t)i * a->cols + j];
    return 1;
}

static int array_sum(lua_State *L)
{
    lmh_array *a = lmh_array_check(L, 1);
    double s = 0;
    for (size_t k = 0; k < (size_t)a->rows * a->cols; k++)
        s += a->data[k];
    lua_pushnumber(L, s);
    return 1;
}

static int array_maxabs(lua_State *L)
{
    lmh_array *a = lmh_array_check(L, 1);
    double m = 0;
    for (size_t k = 0; k < (size_t)a->rows * a->cols; k++)
        m = fmax(m, fabs(a->data[k]));
    lua_pushnumber(L, m);
    return 1;
}

static int array_fill(lua_State *L)
{
    lmh_array *a = lmh_array_check(L, 1);
    double v = lmh_checkfinite(L, 2);
    for (size_t k = 0; k < (size_t)a->rows * a->cols; k++)
        a->data[k] = v;
    lua_settop(L, 1);
    return 1;
}

/* Row sums as a rows x 1 vector (Kirchhoff check of a conductance matrix). */
static int array_row_sums(lua_State *L)
{
    lmh_array *a = lmh_array_check(L, 1);
    lmh_array *r = lmh_array_push(L, a->rows, 1);
    for (int i = 0; i < a->rows; i++) {
        double s = 0;
        for (int j = 0; j < a->cols; j++)
            s += a->data[(size_t)i * a->cols + j];
        r->data[i] = s;
    }
    return 1;
}

/* Elementwise a op b where b is an Array of the same shape or a number. */
static int array_binop(lua_State *L, int op)
{
    int ai = luaL_testudata(L, 1, ARRAY_MT) ? 1 : 2;
    int bi = 3 - ai;
    lmh_array *a = lmh_array_check(L, ai);
    size_t n = (size_t)a->rows * a->cols;
    if (lua_isnumber(L, bi)) {
        double s = lmh_checkfinite(L, bi);
        lmh_array *r = lmh_array_push(L, a->rows, a->cols);
        for (size_t k = 0; k < n; k++) {
            double x = a->data[k];
            double lhs = ai == 1 ? x : s, rhs = ai == 1 ? s : x;
            r->data[k] = op == '+' ? lhs + rhs : op == '-' ? lhs - rhs : lhs * rhs;
        }
        return 1;
    }
    lmh_array *b = lmh_array_check(L, bi);
    if (op == '*') { /* matrix product */
        if (a->cols != b->rows)
            return luaL_error(L, "matrix product: %dx%d times %dx%d", a->rows, a->cols, b->rows, b->cols);
        lmh_array *r = lmh_array_push(L, a->rows, b->cols);
        for (int i = 0; i < a->rows; i++)
            for (int k = 0; k < a->cols; k++) {
                double aik = a->data[(size_t)i * a->cols + k];
                for (int j = 0; j < b->cols; j++)
                    r->data[(size_t)i * b->cols + j] += aik * b->data[(size_t)k * b->cols + j];
            }
        return 1;
    }
    if (a->rows != b->rows || a->cols != b->cols)
        return luaL_error(L, "shape mismatch: %dx%d and %dx%d", a->rows, a->cols, b->rows, b->cols);
    lmh_array *r = lmh_array_push(L, a->rows, a->cols);
    for (size_t k = 0; k < n; k++)
        r->data[k] = op == '+' ? a->data[k] + b->data[k] : a->data[k] - b->data[k];
    return 1;
}

static int array_add(lua_State *L) { return array_binop(L, '+'); }
static int array_sub(lua_State *L) { return array_binop(L, '-'); }
static int array_mul(lua_State *L) { return array_binop(L, '*'); }

static int array_unm(lua_State *L)
{
    lmh_array *a = lmh_array_check(L, 1);
    lmh_array *r = lmh_array_push(L, a->rows, a->cols);
    for (size_t k = 0; k < (size_t)a->rows * a->cols; k++)
        r->data[k] = -a->data[k];
    return 1;
}

static int array_new(lua_State *L)
{
    lmh_array_from(L, 1);
    return 1;
}

static int array_zeros(lua_State *L)
{
    lua_Integer r = luaL_checkinteger(L, 1), c = luaL_optinteger(L, 2, 1);
    luaL_argcheck(L, r >= 1 && r <= ARRAY_MAX_ELEMS, 1, "rows must be >= 1");
    luaL_argcheck(L, c >= 1 && c <= ARRAY_MAX_ELEMS, 2, "cols must be >= 1");
    lmh_array_push(L, (int)r, (int)c);
    return 1;
}

static const luaL_Reg array_methods[] = {
    {"get", array_get},         {"set", array_set},     {"totable", array_totable},
    {"shape", array_shape},     {"copy", array_copy},   {"t", array_transpose},
    {"sum", array_sum},         {"maxabs", array_maxabs}, {"fill", array_fill},
    {"row_sums", array_row_sums}, {"close", array_close}, {NULL, NULL}};

static const luaL_Reg array_meta[] = {
    {"__gc", array_close},   {"__close", array_close}, {"__len", array_len},
    {"__tostring", array_tostring}, {"__add", array_add}, {"__sub", array_sub},
    {"__mul", array_mul},    {"__unm", array_unm},     {"__index", NULL},
    {NULL, NULL}};

void lmh_open_array(lua_State *L)
{
    luaL_newmetatable(L, ARRAY_MT);
    luaL_setfuncs(L, array_meta, 0);
    luaL_newlib(L, array_methods);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
    lua_pushcfunction(L, array_new);
    lua_setfield(L, -2, "array");
    lua_pushcfunction(L, array_zeros);
    lua_setfield(L, -2, "zeros");
}
