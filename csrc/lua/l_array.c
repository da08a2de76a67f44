/* l_array.c — "maghop.Array", a dense row-major matrix of doubles.
 * Built from and converted to Lua tables; bulk arithmetic runs in C. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "l_init.h"
#include "lmh_aux.h"

static int array_close(lua_State *L)
{
    lmh_array *a = luaL_checkudata(L, 1, LMH_ARRAY_MT);
    free(a->data);
    a->data = NULL;
    return 0;
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
    lmh_array *a = luaL_checkudata(L, 1, LMH_ARRAY_MT);
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
    int ai = luaL_testudata(L, 1, LMH_ARRAY_MT) ? 1 : 2;
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
    luaL_argcheck(L, r >= 1 && r <= LMH_ARRAY_MAX_ELEMS, 1, "rows must be >= 1");
    luaL_argcheck(L, c >= 1 && c <= LMH_ARRAY_MAX_ELEMS, 2, "cols must be >= 1");
    lmh_array_push(L, (int)r, (int)c);
    return 1;
}

static const luaL_Reg array_methods[] = {
    {"get", array_get},         {"set", array_set},     {"totable", array_totable},
    {"shape", array_shape},     {"copy", array_copy},   {"t", array_transpose},
    {"sum", array_sum},         {"maxabs", array_maxabs}, {"fill", array_fill},
    {"row_sums", array_row_sums}, {NULL, NULL}};

static const luaL_Reg array_meta[] = {
    {"__len", array_len},
    {"__tostring", array_tostring}, {"__add", array_add}, {"__sub", array_sub},
    {"__mul", array_mul},    {"__unm", array_unm},     {NULL, NULL}};

void lmh_open_array(lua_State *L)
{
    lmh_newtype(L, LMH_ARRAY_MT, array_methods, array_meta, array_close, NULL);
    lua_pushcfunction(L, array_new);
    lua_setfield(L, -2, "array");
    lua_pushcfunction(L, array_zeros);
    lua_setfield(L, -2, "zeros");
}
