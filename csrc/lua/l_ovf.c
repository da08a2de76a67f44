/* l_ovf.c — Lua side of the OVF reader/writer (csrc/ovf.c):
 *   core.ovf_read(path) -> Field, header | nil, message
 *   core.ovf_write(path, field[, {format=, title=, desc=, valuelabels=, valueunits=}])
 *       -> true | nil, message
 * A file that cannot be read or is malformed is an expected runtime failure
 * (nil, message); a wrong argument is a programming error (raises). */
/***
Field files: OVF 1.0/2.0 (OOMMF, MuMax3; text, binary 4 and binary 8) and
VTK legacy STRUCTURED_POINTS (ParaView). Available as `mh.ovf.read`,
`mh.ovf.write` and `mh.vtk.write`. Paths are used exactly as given; missing
parent folders are created when writing. Files that cannot be read or
written give nil and a message.
@module maghop.ovf
*/
#include <string.h>

#include "l_init.h"
#include "lmh_aux.h"

#include "ovf.h"
#include "vtk.h"

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

static void clear_ovf(void *p)
{
    mh_ovf_clear(p);
}

/***
Read an OVF file (1.0 or 2.0; text, binary 4 or binary 8; OOMMF's .omf/.ohf too).
@function mh.ovf.read
@string path
@treturn Field the data with its cell size (m)
@treturn table the header: title, desc, meshunit, valuelabels, valueunits, ...
@return or nil and a message (missing, truncated or malformed file)
*/
static int l_ovf_read(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    /* owned by a scratch userdata: an error while building the result leaks nothing */
    mh_ovf *o = lmh_newowned(L, sizeof *o, clear_ovf);
    char err[320] = "";
    int st = mh_ovf_read(path, o, err, sizeof err);
    if (st != MH_OK)
        return lmh_fail(L, "%s", err[0] ? err : mh_strerror(st));
    if (o->valuedim > 16) /* Field holds at most 16 components */
        return lmh_fail(L, "%s: valuedim %d exceeds the 16 components of a Field", path, o->valuedim);
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

static const char *const OVF_FORMATS[] = {"binary8", "binary4", "text", NULL};

/* Copy string option key of t (if given) into dst. */
static void opt_text(lua_State *L, int t, const char *key, char *dst, size_t len)
{
    const char *s = lmh_optstring(L, t, key, NULL);
    if (s)
        snprintf(dst, len, "%s", s);
}

/***
Write a Field as OVF 2.0.
@function mh.ovf.write
@string path
@tparam Field field with its cell size set (Field:cellsize)
@tparam[opt] table opts {format = "binary8" (default)|"binary4"|"text", title =, desc =,
 valuelabels =, valueunits =}
@return true, or nil and a message
@raise for a field without a cell size, an unknown format or option
*/
static int l_ovf_write(lua_State *L)
{
    static const char *const keys[] = {"format", "title", "desc", "valuelabels", "valueunits", NULL};
    const char *path = luaL_checkstring(L, 1);
    lmh_field *f = lmh_field_check(L, 2);
    lmh_checkoptions(L, 3, keys, "ovf_write");
    const char *format = OVF_FORMATS[lmh_optchoice(L, 3, "format", 0, OVF_FORMATS)];
    if (!(f->dx > 0 && f->dy > 0 && f->dz > 0))
        return lmh_argerror(L, 2, "field has no cell size (dx, dy, dz = %g, %g, %g); set it first",
                            f->dx, f->dy, f->dz);
    mh_ovf o;
    mh_ovf_grid(&o, f->nx, f->ny, f->nz, f->ncomp, f->dx, f->dy, f->dz, f->data);
    opt_text(L, 3, "title", o.title, sizeof o.title);
    opt_text(L, 3, "desc", o.desc, sizeof o.desc);
    opt_text(L, 3, "valuelabels", o.valuelabels, sizeof o.valuelabels);
    opt_text(L, 3, "valueunits", o.valueunits, sizeof o.valueunits);
    char err[320] = "";
    if (mh_mkdir_parents(path) != MH_OK)
        return lmh_fail(L, "%s: cannot create its folder", path);
    int st = mh_ovf_write(path, &o, format, err, sizeof err);
    if (st != MH_OK)
        return lmh_fail(L, "%s", err[0] ? err : mh_strerror(st));
    lua_pushboolean(L, 1);
    return 1;
}

/* core.vtk_write(path, field, {name = "m", format = "binary"|"ascii", title =})
 * -> true | nil, msg: a 1- or 3-component Field with its cell size as a VTK
 * legacy STRUCTURED_POINTS file (one point per cell centre; ParaView opens
 * it); parent folders are created. */
/***
Write a 1- or 3-component Field as a VTK legacy STRUCTURED_POINTS file:
one point per cell centre (ORIGIN dx/2, dy/2, dz/2 and SPACING dx, dy, dz in
metres), POINT_DATA with SCALARS (1 component) or VECTORS (3), x fastest.
@function mh.vtk.write
@string path
@tparam Field field with its cell size set
@tparam[opt] table opts {name = "m" (3 components) or "value", format = "binary" (default,
 big-endian doubles)|"ascii", title =}
@return true, or nil and a message
@raise for another component count, no cell size, a name with spaces
*/
static int l_vtk_write(lua_State *L)
{
    static const char *const keys[] = {"name", "format", "title", NULL};
    static const char *const formats[] = {"binary", "ascii", NULL};
    const char *path = luaL_checkstring(L, 1);
    lmh_field *f = lmh_field_check(L, 2);
    lmh_checkoptions(L, 3, keys, "vtk_write");
    if (f->ncomp != 1 && f->ncomp != 3)
        return lmh_argerror(L, 2, "VTK needs a 1- or 3-component field, got %d components", f->ncomp);
    if (!(f->dx > 0 && f->dy > 0 && f->dz > 0))
        return lmh_argerror(L, 2, "field has no cell size (dx, dy, dz = %g, %g, %g); set it first",
                            f->dx, f->dy, f->dz);
    const char *name = lmh_optstring(L, 3, "name", f->ncomp == 3 ? "m" : "value");
    if (!name[0] || strpbrk(name, " \t\r\n"))
        return lmh_error(L, "vtk_write: option 'name' must be a word without spaces, got \"%s\"", name);
    int binary = lmh_optchoice(L, 3, "format", 0, formats) == 0;
    const char *title = lmh_optstring(L, 3, "title", "maghop field");
    char err[320] = "";
    int st = mh_vtk_write(path, f->nx, f->ny, f->nz, f->ncomp, f->dx, f->dy, f->dz, f->data, name, binary,
                          title, err, sizeof err);
    if (st != MH_OK)
        return lmh_fail(L, "%s", err[0] ? err : mh_strerror(st));
    lua_pushboolean(L, 1);
    return 1;
}

void lmh_open_ovf(lua_State *L)
{
    static const luaL_Reg funcs[] = {{"vtk_write", l_vtk_write}, {"ovf_read", l_ovf_read}, {"ovf_write", l_ovf_write}, {NULL, NULL}};
    luaL_setfuncs(L, funcs, 0);
}
