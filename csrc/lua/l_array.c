/* l_array.c — "maghop.Array", a dense row-major matrix of doubles.
 * Built from and converted to Lua tables; bulk arithmetic runs in C. */
/***
An Array: a dense row-major matrix of doubles (a vector is n x 1), such as a
conductance matrix G (siemens) or weights w. Indexing is 1-based: `v[i]`,
`m[i][j]` (row views), `ipairs`; `+`, `-` (same shape or a number), `*`
(matrix product, or scaling by a number), unary `-`, `==` (same shape and
entries), `#a` (rows), `tostring` (every entry of small arrays). Entries are
finite: NaN or inf in arguments and overflowing arithmetic raise.
@classmod Array
*/
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dense.h"
#include "l_init.h"
#include "lmh_aux.h"

/***
Free the array's memory now (also done by the garbage collector and by `<close>`).
@function Array:close
*/

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

/***
Entry (i, j); for a vector also a:get(i).
@function Array:get
@int i row, 1..rows
@int[opt] j column, 1..cols
@treturn number
@raise for an index out of range
*/
static int array_get(lua_State *L)
{
    lmh_array *a = lmh_array_check(L, 1);
    lua_pushnumber(L, a->data[array_offset(L, a, lua_gettop(L) >= 3 ? 2 : 1)]);
    return 1;
}

/* a:set(i, j, v) or, for a vector, a:set(i, v). */
/***
Set entry (i, j) to v; for a vector also a:set(i, v).
@function Array:set
@int i row
@int j column (or the value, for a vector)
@number[opt] v finite value
@raise for an index out of range or a non-finite value
*/
static int array_set(lua_State *L)
{
    lmh_array *a = lmh_array_check(L, 1);
    int nidx = lua_gettop(L) >= 4 ? 2 : 1;
    size_t off = array_offset(L, a, nidx);
    a->data[off] = lmh_checkfinite(L, nidx + 2);
    return 0;
}

/***
The entries as Lua tables: a list of numbers for a vector, else a list of rows.
@function Array:totable
@treturn table
*/
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

/***
Size of the array.
@function Array:shape
@treturn int rows
@treturn int cols
*/
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

/* Printing: every entry of a small array; a dimension longer than
 * PRINT_FULL shows its first and last PRINT_EDGE entries around "...",
 * as NumPy does. Columns are right-aligned to the widest printed entry. */
#define PRINT_FULL 10
#define PRINT_EDGE 3

/* The k-th printed index of a dimension of length n, or -1 for the "..."
 * slot; *count receives the number of slots. */
static int print_index(int n, int k, int *count)
{
    if (n <= PRINT_FULL) {
        *count = n;
        return k;
    }
    *count = 2 * PRINT_EDGE + 1;
    if (k < PRINT_EDGE)
        return k;
    if (k == PRINT_EDGE)
        return -1;
    return n - (2 * PRINT_EDGE + 1 - k);
}

static void add_entries(luaL_Buffer *b, const double *row, int stride, int n, int width)
{
    int slots;
    print_index(n, 0, &slots);
    for (int k = 0; k < slots; k++) {
        int j = print_index(n, k, &slots);
        char num[40];
        if (j < 0)
            snprintf(num, sizeof num, " %*s", width, "...");
        else
            snprintf(num, sizeof num, " %*.6g", width, row[(size_t)j * stride]);
        luaL_addstring(b, num);
    }
}

static int print_width(const lmh_array *a)
{
    int width = 3, rslots, cslots;
    print_index(a->rows, 0, &rslots);
    print_index(a->cols, 0, &cslots);
    for (int ri = 0; ri < rslots; ri++) {
        int i = print_index(a->rows, ri, &rslots);
        for (int ci = 0; i >= 0 && ci < cslots; ci++) {
            int j = print_index(a->cols, ci, &cslots);
            if (j >= 0) {
                char num[40];
                int len = snprintf(num, sizeof num, "%.6g", a->data[(size_t)i * a->cols + j]);
                width = len > width ? len : width;
            }
        }
    }
    return width;
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
    int width = print_width(a), slots;
    print_index(a->rows, 0, &slots);
    for (int k = 0; k < slots; k++) {
        int i = print_index(a->rows, k, &slots);
        luaL_addstring(&b, "\n ");
        if (i < 0) {
            char dots[40];
            snprintf(dots, sizeof dots, " %*s", width, "...");
            luaL_addstring(&b, dots);
        } else {
            add_entries(&b, a->data + (size_t)i * a->cols, 1, a->cols, width);
        }
    }
    luaL_pushresult(&b);
    return 1;
}

/* ---------- indexing: v[i], m[i][j] through row views ---------- */

#define ROW_MT "maghop.ArrayRow"

/* A view of row `row` (1-based) of the Array in user value 1. */
typedef struct {
    int row;
} array_row;

/* Integer key at slot idx, or raise: a float or string that is no method
 * would otherwise read as nil far from the mistake. */
static lua_Integer index_key(lua_State *L, int idx, const char *what)
{
    int isint;
    lua_Integer i = lua_tointegerx(L, idx, &isint);
    if (!isint && lua_type(L, idx) == LUA_TNUMBER)
        lmh_error(L, "%s index must be an integer, got %g", what, lua_tonumber(L, idx));
    if (!isint)
        lmh_error(L, "%s index must be an integer, got a %s", what, luaL_typename(L, idx));
    return i;
}

/* The finite number assigned at slot idx, or raise naming the entry. */
static double entry_value(lua_State *L, int idx, lua_Integer i, lua_Integer j)
{
    int isnum;
    double v = lua_tonumberx(L, idx, &isnum);
    if (!isnum)
        lmh_error(L, "Array entry [%d,%d]: number expected, got a %s", (int)i, (int)j, luaL_typename(L, idx));
    if (!isfinite(v))
        lmh_error(L, "Array entry [%d,%d]: finite number expected, got %g", (int)i, (int)j, v);
    return v;
}

/* Fields (lmh_newtype): integer keys read entries (vectors) or rows
 * (matrices); like a Lua sequence, an index outside 1..#a gives nil, so
 * ipairs stops after the last one. String keys are methods. */
static int array_fields(lua_State *L)
{
    lmh_array *a = lmh_array_check(L, 1);
    if (lua_type(L, 2) == LUA_TSTRING)
        return 0;
    lua_Integer i = index_key(L, 2, "Array");
    if (i < 1 || i > a->rows)
        return 0;
    if (a->cols == 1) {
        lua_pushnumber(L, a->data[i - 1]);
        return 1;
    }
    array_row *r = lua_newuserdatauv(L, sizeof *r, 1);
    r->row = (int)i;
    lua_pushvalue(L, 1);
    lua_setiuservalue(L, -2, 1);
    luaL_setmetatable(L, ROW_MT);
    return 1;
}

/* v[i] = x for a vector; a matrix takes m[i][j] = x. */
static int array_newindex(lua_State *L)
{
    lmh_array *a = lmh_array_check(L, 1);
    lua_Integer i = index_key(L, 2, "Array");
    if (a->cols != 1)
        return lmh_error(L, "Array %dx%d: assign an entry as m[i][j] = x, not a whole row", a->rows, a->cols);
    if (i < 1 || i > a->rows)
        return lmh_error(L, "Array index %d outside 1..%d", (int)i, a->rows);
    a->data[i - 1] = entry_value(L, 3, i, 1);
    return 0;
}

/* A row view resolved: its row number, parent Array and the row's data. */
typedef struct {
    int row;
    lmh_array *a;
    double *d;
} row_ref;

/* The row view at slot 1 resolved (its parent Array left on the stack),
 * raising when the parent was closed. */
static row_ref row_at(lua_State *L)
{
    array_row *r = luaL_checkudata(L, 1, ROW_MT);
    lua_getiuservalue(L, 1, 1);
    lmh_array *a = luaL_checkudata(L, -1, LMH_ARRAY_MT);
    if (!a->data)
        lmh_error(L, "row %d of a closed Array", r->row);
    return (row_ref){r->row, a, a->data + (size_t)(r->row - 1) * a->cols};
}

static int row_index(lua_State *L)
{
    row_ref r = row_at(L);
    lua_Integer j = index_key(L, 2, "Array row");
    if (j < 1 || j > r.a->cols)
        return 0;
    lua_pushnumber(L, r.d[j - 1]);
    return 1;
}

static int row_newindex(lua_State *L)
{
    row_ref r = row_at(L);
    lua_Integer j = index_key(L, 2, "Array row");
    if (j < 1 || j > r.a->cols)
        return lmh_error(L, "Array column index %d outside 1..%d", (int)j, r.a->cols);
    r.d[j - 1] = entry_value(L, 3, r.row, j);
    return 0;
}

static int row_len(lua_State *L)
{
    lua_pushinteger(L, row_at(L).a->cols);
    return 1;
}

static int row_tostring(lua_State *L)
{
    row_ref r = row_at(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    lua_pushfstring(L, "Array row %d of %dx%d\n ", r.row, r.a->rows, r.a->cols);
    luaL_addvalue(&b);
    add_entries(&b, r.d, 1, r.a->cols, 0);
    luaL_pushresult(&b);
    return 1;
}

/* a == b: same shape and equal entries (== on numbers). */
static int array_eq(lua_State *L)
{
    lmh_array *a = luaL_testudata(L, 1, LMH_ARRAY_MT), *b = luaL_testudata(L, 2, LMH_ARRAY_MT);
    int eq = a && b && a->data && b->data && a->rows == b->rows && a->cols == b->cols;
    for (size_t k = 0; eq && k < (size_t)a->rows * a->cols; k++)
        eq = a->data[k] == b->data[k];
    lua_pushboolean(L, eq || (a && a == b));
    return 1;
}

/***
A copy.
@function Array:copy
@treturn Array
*/
static int array_copy(lua_State *L)
{
    lmh_array_check(L, 1);
    lmh_array_from(L, 1);
    return 1;
}

/***
The transpose.
@function Array:t
@treturn Array cols x rows
*/
static int array_transpose(lua_State *L)
{
    lmh_array *a = lmh_array_check(L, 1);
    lmh_array *t = lmh_array_push(L, a->cols, a->rows);
    for (int i = 0; i < a->rows; i++)
        for (int j = 0; j < a->cols; j++)
            t->data[(size_t)j * a->rows + i] = a->data[(size_t)i * a->cols + j];
    return 1;
}

/* Push the entries of the Array at slot 1 folded in storage order, from 0:
 * op '+' sums them, 'm' keeps the largest absolute value. */
static int array_fold(lua_State *L, int op)
{
    lmh_array *a = lmh_array_check(L, 1);
    double acc = 0;
    for (size_t k = 0; k < (size_t)a->rows * a->cols; k++)
        acc = op == '+' ? acc + a->data[k] : fmax(acc, fabs(a->data[k]));
    lua_pushnumber(L, acc);
    return 1;
}

/***
Sum of all entries.
@function Array:sum
@treturn number
*/
static int array_sum(lua_State *L) { return array_fold(L, '+'); }

/***
Largest absolute entry.
@function Array:maxabs
@treturn number
*/
static int array_maxabs(lua_State *L) { return array_fold(L, 'm'); }

/***
Set every entry to v.
@function Array:fill
@number v finite value
@treturn Array the array itself
*/
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
/***
Row sums (the Kirchhoff check of a conductance matrix: all near 0).
@function Array:row_sums
@treturn Array rows x 1
*/
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

/* Arithmetic on finite entries can overflow; an inf or NaN would then
 * travel on silently, so the result is checked. */
static int array_arith(lua_State *L, int op)
{
    array_binop(L, op);
    lmh_array *r = luaL_checkudata(L, -1, LMH_ARRAY_MT);
    for (size_t k = 0; k < (size_t)r->rows * r->cols; k++)
        if (!isfinite(r->data[k]))
            return lmh_error(L, "Array arithmetic (%c) overflows: entry [%zu,%zu] is %g", op,
                             k / r->cols + 1, k % r->cols + 1, r->data[k]);
    return 1;
}

static int array_add(lua_State *L) { return array_arith(L, '+'); }
static int array_sub(lua_State *L) { return array_arith(L, '-'); }
static int array_mul(lua_State *L) { return array_arith(L, '*'); }

static int array_unm(lua_State *L)
{
    lmh_array *a = lmh_array_check(L, 1);
    lmh_array *r = lmh_array_push(L, a->rows, a->cols);
    for (size_t k = 0; k < (size_t)a->rows * a->cols; k++)
        r->data[k] = -a->data[k];
    return 1;
}

/***
An Array from a Lua table: a list of numbers (a vector) or a list of equal-length rows.
@function mh.array
@tparam table|Array t
@treturn Array a copy
@raise for ragged rows or a non-finite entry
*/
static int array_new(lua_State *L)
{
    lmh_array_from(L, 1);
    return 1;
}

/***
A zero-filled Array.
@function mh.zeros
@int rows >= 1
@int[opt=1] cols >= 1
@treturn Array
*/
static int array_zeros(lua_State *L)
{
    lua_Integer r = luaL_checkinteger(L, 1), c = luaL_optinteger(L, 2, 1);
    luaL_argcheck(L, r >= 1 && r <= LMH_ARRAY_MAX_ELEMS, 1, "rows must be >= 1");
    luaL_argcheck(L, c >= 1 && c <= LMH_ARRAY_MAX_ELEMS, 2, "cols must be >= 1");
    lmh_array_push(L, (int)r, (int)c);
    return 1;
}

/* core.solve(A, B) -> X with A X = B (A m x m, B m x k); nil, message when
 * A is singular. Dense Gaussian elimination with partial pivoting (dense.h). */
static int array_solve(lua_State *L)
{
    lmh_array *a = lmh_array_from(L, 1);
    if (a->rows != a->cols)
        return lmh_argerror(L, 1, "square matrix expected, got %dx%d", a->rows, a->cols);
    lmh_array *b = lmh_array_from(L, 2);
    if (b->rows != a->rows)
        return lmh_argerror(L, 2, "%d rows expected, got %d", a->rows, b->rows);
    int st = mh_dense_solve(a->rows, b->cols, a->data, b->data);
    if (st == MH_ESINGULAR) {
        return lmh_fail(L, "singular matrix");
    }
    return 1; /* b now holds X */
}

static const luaL_Reg array_methods[] = {
    {"get", array_get},         {"set", array_set},     {"totable", array_totable},
    {"shape", array_shape},     {"copy", array_copy},   {"t", array_transpose},
    {"sum", array_sum},         {"maxabs", array_maxabs}, {"fill", array_fill},
    {"row_sums", array_row_sums}, {NULL, NULL}};

static const luaL_Reg array_meta[] = {
    {"__len", array_len},    {"__eq", array_eq},       {"__newindex", array_newindex},
    {"__tostring", array_tostring}, {"__add", array_add}, {"__sub", array_sub},
    {"__mul", array_mul},    {"__unm", array_unm},     {NULL, NULL}};

void lmh_open_array(lua_State *L)
{
    static const luaL_Reg funcs[] = {{"array", array_new}, {"zeros", array_zeros}, {"solve", array_solve}, {NULL, NULL}};
    lmh_newblocktype(L, LMH_ARRAY_MT, offsetof(lmh_array, data), array_methods, array_meta, array_fields);
    static const luaL_Reg row_meta[] = {{"__index", row_index},   {"__newindex", row_newindex},
                                        {"__len", row_len},       {"__tostring", row_tostring},
                                        {NULL, NULL}};
    lmh_newtype(L, ROW_MT, NULL, row_meta, NULL, NULL);
    luaL_setfuncs(L, funcs, 0);
}
