/* l_field.c — the "maghop.Field" userdata: a grid of ncomp-vectors (SoA).
 * The data block is allocated separately from the userdata so the closer
 * can release it early (`<close>` variables) and __gc stays idempotent. */
/***
A Field: an nx x ny x nz grid of ncomp-component values (a magnetization,
an applied field in A/m, a mask), with the cell size dx, dy, dz in metres.
Cells are indexed 1-based (i, j, k). `film:m()`, `film:field()`,
`mh.ovf.read` and `mh.oersted.solve` return Fields; `mh.field` makes one.
@classmod Field
*/
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "l_init.h"
#include "lmh_aux.h"

static size_t field_n(const lmh_field *f)
{
    return (size_t)f->nx * (size_t)f->ny * (size_t)f->nz;
}

/* 1-based (i, j[, k]) at slots a, a+1, a+2 -> 0-based cell index. */
static size_t field_cell(lua_State *L, const lmh_field *f, int a, int need_k)
{
    lua_Integer i = luaL_checkinteger(L, a), j = luaL_checkinteger(L, a + 1);
    lua_Integer k = need_k ? luaL_checkinteger(L, a + 2) : luaL_optinteger(L, a + 2, 1);
    if (i < 1 || i > f->nx)
        lmh_argerror(L, a, "i = %lld outside 1..%d", (long long)i, f->nx);
    if (j < 1 || j > f->ny)
        lmh_argerror(L, a + 1, "j = %lld outside 1..%d", (long long)j, f->ny);
    if (k < 1 || k > f->nz)
        lmh_argerror(L, a + 2, "k = %lld outside 1..%d", (long long)k, f->nz);
    return (size_t)(i - 1) + (size_t)f->nx * ((size_t)(j - 1) + (size_t)f->ny * (size_t)(k - 1));
}

/***
The components of cell (i, j, k).
@function Field:get
@int i 1..nx
@int j 1..ny
@int[opt=1] k 1..nz
@return ncomp numbers
@raise for an index out of range
*/
static int field_get(lua_State *L)
{
    lmh_field *f = lmh_field_check(L, 1);
    size_t c = field_cell(L, f, 2, 0), n = field_n(f);
    for (int q = 0; q < f->ncomp; q++)
        lua_pushnumber(L, f->data[c + (size_t)q * n]);
    return f->ncomp;
}

/***
Set the components of cell (i, j, k).
@function Field:set
@int i 1..nx
@int j 1..ny
@int k 1..nz
@param ... ncomp finite numbers
@raise for an index out of range or a non-finite value
*/
static int field_set(lua_State *L)
{
    lmh_field *f = lmh_field_check(L, 1);
    size_t c = field_cell(L, f, 2, 1), n = field_n(f);
    double v[16];
    for (int q = 0; q < f->ncomp; q++)
        v[q] = lmh_checkfinite(L, 5 + q);
    for (int q = 0; q < f->ncomp; q++)
        f->data[c + (size_t)q * n] = v[q];
    return 0;
}

/* {comp1 = {n values}, ..., nx=, ny=, nz=, ncomp=}: t[q][c+1] in cell order. */
/***
All values as Lua tables: t[q][c] is component q of cell c (c = i + nx (j - 1
+ ny (k - 1)), x fastest), plus t.nx, t.ny, t.nz, t.ncomp.
@function Field:totable
@treturn table
*/
static int field_totable(lua_State *L)
{
    lmh_field *f = lmh_field_check(L, 1);
    size_t n = field_n(f);
    lua_createtable(L, f->ncomp, 4);
    for (int q = 0; q < f->ncomp; q++) {
        lua_createtable(L, (int)(n < 0x7fffffff ? n : 0), 0);
        const double *d = f->data + (size_t)q * n;
        for (size_t c = 0; c < n; c++) {
            lua_pushnumber(L, d[c]);
            lua_rawseti(L, -2, (lua_Integer)c + 1);
        }
        lua_rawseti(L, -2, q + 1);
    }
    lmh_setinteger(L, "nx", f->nx);
    lmh_setinteger(L, "ny", f->ny);
    lmh_setinteger(L, "nz", f->nz);
    lmh_setinteger(L, "ncomp", f->ncomp);
    return 1;
}

/* Mean of each component over all cells (a film's m() is 0 outside its mask;
 * film:avg() averages over the mask instead). */
/***
Mean of each component over all cells (a film's m() is 0 outside the
material; film:avg() averages over the material only).
@function Field:avg
@return ncomp numbers
*/
static int field_avg(lua_State *L)
{
    lmh_field *f = lmh_field_check(L, 1);
    size_t n = field_n(f);
    for (int q = 0; q < f->ncomp; q++) {
        const double *d = f->data + (size_t)q * n;
        double s = 0;
        for (size_t c = 0; c < n; c++)
            s += d[c];
        lua_pushnumber(L, s / (double)n);
    }
    return f->ncomp;
}

/***
Size of the field.
@function Field:shape
@treturn int nx
@treturn int ny
@treturn int nz
@treturn int ncomp
*/
static int field_shape(lua_State *L)
{
    lmh_field *f = lmh_field_check(L, 1);
    lua_pushinteger(L, f->nx);
    lua_pushinteger(L, f->ny);
    lua_pushinteger(L, f->nz);
    lua_pushinteger(L, f->ncomp);
    return 4;
}

/* Largest Euclidean norm of a cell's component vector. */
/***
Largest Euclidean norm of a cell's component vector (e.g. the peak |H|, A/m).
@function Field:norm_max
@treturn number
*/
static int field_norm_max(lua_State *L)
{
    lmh_field *f = lmh_field_check(L, 1);
    size_t n = field_n(f);
    double best = 0;
    for (size_t c = 0; c < n; c++) {
        double s = 0;
        for (int q = 0; q < f->ncomp; q++) {
            double v = f->data[c + (size_t)q * n];
            s += v * v;
        }
        if (s > best)
            best = s;
    }
    lua_pushnumber(L, sqrt(best));
    return 1;
}

/* f:cellsize() -> dx, dy, dz (m); f:cellsize(dx, dy, dz) sets them. */
/***
Cell size: get it, or set it (needed by mh.ovf.write, mh.vtk.write, mh.demag.field).
@function Field:cellsize
@number[opt] dx m (> 0); with dy, dz, sets the size
@number[opt] dy m
@number[opt] dz m
@treturn number dx, m (when called without arguments)
@treturn number dy, m
@treturn number dz, m
*/
static int field_cellsize(lua_State *L)
{
    lmh_field *f = lmh_field_check(L, 1);
    if (lua_gettop(L) >= 2) {
        double d[3];
        for (int q = 0; q < 3; q++) {
            d[q] = lmh_checkfinite(L, 2 + q);
            if (d[q] < 0)
                lmh_argerror(L, 2 + q, "cell size must be >= 0 m, got %g", d[q]);
        }
        f->dx = d[0];
        f->dy = d[1];
        f->dz = d[2];
        return 0;
    }
    lua_pushnumber(L, f->dx);
    lua_pushnumber(L, f->dy);
    lua_pushnumber(L, f->dz);
    return 3;
}

static int field_len(lua_State *L)
{
    lmh_field *f = lmh_field_check(L, 1);
    lua_pushinteger(L, (lua_Integer)field_n(f));
    return 1;
}

/***
Free the field's memory now (also done by the garbage collector and by `<close>`).
@function Field:close
*/

static int field_tostring(lua_State *L)
{
    lmh_field *f = lmh_toopen(L, LMH_FIELD_MT, offsetof(lmh_field, data), "Field");
    if (f)
        lua_pushfstring(L, "Field %dx%dx%d (%d comps)", f->nx, f->ny, f->nz, f->ncomp);
    return 1;
}

/* core.field(nx, ny, nz, ncomp) -> zeroed Field. */
/***
A new zero-filled Field (cell size 0 until set with Field:cellsize).
@function mh.field
@int[opt=1] nx cells along x (1..2^20)
@int[opt=1] ny cells along y
@int[opt=1] nz cells along z
@int[opt=3] ncomp components per cell (1..16)
@treturn Field
@raise for sizes out of range or when memory runs out
*/
static int field_new(lua_State *L)
{
    lua_Integer v[4];
    for (int a = 0; a < 4; a++) {
        v[a] = luaL_optinteger(L, a + 1, a == 3 ? 3 : 1);
        if (v[a] < 1 || v[a] > (a == 3 ? 16 : 1 << 20))
            lmh_argerror(L, a + 1, "%s = %lld outside 1..%d", a == 3 ? "ncomp" : "size",
                        (long long)v[a], a == 3 ? 16 : 1 << 20);
    }
    lmh_field_push(L, (int)v[0], (int)v[1], (int)v[2], (int)v[3]);
    return 1;
}

static const luaL_Reg field_methods[] = {
    {"get", field_get},         {"set", field_set},           {"totable", field_totable},
    {"avg", field_avg},         {"shape", field_shape},       {"norm_max", field_norm_max},
    {"cellsize", field_cellsize}, {NULL, NULL}};

static const luaL_Reg field_meta[] = {
    {"__len", field_len}, {"__tostring", field_tostring}, {NULL, NULL}};

void lmh_open_field(lua_State *L)
{
    static const luaL_Reg funcs[] = {{"field", field_new}, {NULL, NULL}};
    lmh_newblocktype(L, LMH_FIELD_MT, offsetof(lmh_field, data), field_methods, field_meta, NULL);
    luaL_setfuncs(L, funcs, 0);
}
