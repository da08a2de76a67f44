/* lmh_aux.h — auxiliary library of the maghop bindings, in the spirit of
 * Lua's lauxlib: it knows no binding, and every binding (csrc/lua/l_*.c)
 * uses it. It holds
 *   - one error family (raise, raise naming an argument, `nil, message`),
 *   - finite-number checks,
 *   - option-table reading with one unknown-key checker,
 *   - one way to register a userdata type (__gc and __close share the
 *     idempotent closer, which is also the "close" method),
 *   - the value types every binding passes around: Array, Field, the Film
 *     handle, ±1 state vectors.
 * Functions that raise never return normally from the error path; the int
 * ones return a value to `return` from a lua_CFunction for symmetry. */
#ifndef LMH_AUX_H
#define LMH_AUX_H

#include <lauxlib.h>
#include <lua.h>

#include "film.h"

/* ---------- errors ---------- */

/* Raise a Lua error; fmt takes C printf formats (%g, %zu, ...). */
int lmh_error(lua_State *L, const char *fmt, ...);

/* Raise "bad argument #arg to 'fn' (message)"; printf formats. */
int lmh_argerror(lua_State *L, int arg, const char *fmt, ...);

/* Expected runtime failure: push nil and the message; returns 2. */
int lmh_fail(lua_State *L, const char *fmt, ...);

/* Raise "what: <text of core status st>". */
int lmh_status_error(lua_State *L, int st, const char *what);

/* Push nil, "what: <text of core status st>"; returns 2. */
int lmh_status_fail(lua_State *L, int st, const char *what);

/* ---------- numbers ---------- */

/* The finite number at slot arg, or raise naming it. */
double lmh_checkfinite(lua_State *L, int arg);

/* Three finite numbers from a table {x, y, z} at slot arg, or from the
 * slots arg, arg+1, arg+2; raises naming the argument and `what`. */
void lmh_checkvec3(lua_State *L, int arg, double v[3], const char *what);

/* ---------- result tables ---------- */

/* Set field key of the table on top of the stack to the integer v. */
void lmh_setinteger(lua_State *L, const char *key, lua_Integer v);

/* Set field key of the table on top of the stack to the number v. */
void lmh_setnumber(lua_State *L, const char *key, double v);

/* ---------- option tables ---------- */
/* t is the stack slot of an options table; nil or none there means "all
 * defaults" for every reader below. Messages name the option key. */

/* Raise "what: unknown option 'k' (accepted: a, b, c)" for a key of t that
 * is not in the NULL-terminated list keys; raises if t is neither a table
 * nor nil. */
void lmh_checkoptions(lua_State *L, int t, const char *const *keys, const char *what);

/* Finite number option key, def when absent. */
double lmh_optnumber(lua_State *L, int t, const char *key, double def);

/* Finite number option in [lo, hi] ((lo, hi] when lo_open); `range` is the
 * human text of the range used in the error ("0 < dx <= 1e-3 m"). */
double lmh_optrange(lua_State *L, int t, const char *key, double def, double lo, double hi,
                    int lo_open, const char *range);

/* Integer option in lo..hi. */
int lmh_optinteger(lua_State *L, int t, const char *key, int def, int lo, int hi);

/* Boolean option. */
int lmh_optboolean(lua_State *L, int t, const char *key, int def);

/* String option (NULL def allowed); the string stays valid while t lives. */
const char *lmh_optstring(lua_State *L, int t, const char *key, const char *def);

/* String option that must be one of the NULL-terminated list; returns its
 * index, or def_index when absent. */
int lmh_optchoice(lua_State *L, int t, const char *key, int def_index, const char *const *list);

/* ---------- userdata types ---------- */

/* Register metatable tname: metamethods from meta (may be NULL), `closer`
 * (may be NULL) as __gc, __close and method "close", methods (may be NULL)
 * reachable through __index. With `fields` non-NULL (read-only fields),
 * __index first runs fields with the object at slot 1 and the key at slot
 * 2: it checks the object, pushes the field's value and returns 1, or
 * returns 0 for a key that is no field, which is then looked up among the
 * methods. fields runs as part of __index, so its argument errors read as
 * that metamethod's. The closer must be idempotent: it runs again at
 * collection after an explicit close. Leaves the stack as it was. */
void lmh_newtype(lua_State *L, const char *tname, const luaL_Reg *methods, const luaL_Reg *meta,
                 lua_CFunction closer, lua_CFunction fields);

/* lmh_newtype for a type that owns one malloc'd block through the pointer
 * at byte offset `block` of its userdata (NULL once closed): its closer
 * frees the block and clears the pointer. */
void lmh_newblocktype(lua_State *L, const char *tname, size_t block, const luaL_Reg *methods,
                      const luaL_Reg *meta, lua_CFunction fields);

/* The userdata of type tname at slot arg, provided its handle (the pointer
 * at byte offset `handle` inside it, NULL once closed) is set; raises
 * naming the argument ("<what> is closed") otherwise. */
void *lmh_checkopen(lua_State *L, int arg, const char *tname, size_t handle, const char *what);

/* For a __tostring: the userdata of type tname at slot 1 when its handle
 * (as for lmh_checkopen) is set; when closed, pushes "<name> (closed)" and
 * returns NULL. */
void *lmh_toopen(lua_State *L, const char *tname, size_t handle, const char *name);

/* For a closer: the handle of the userdata of type tname at slot 1 (as for
 * lmh_checkopen), which this clears, so that closing again finds NULL. The
 * caller frees what is returned (NULL once closed). */
void *lmh_takehandle(lua_State *L, const char *tname, size_t handle);

/* Push a scratch userdata of `size` zeroed bytes whose finalizer fin (NULL
 * ignored) runs on that memory at collection: C objects owned for the span
 * of one call are freed even when Lua raises. Returns the memory. */
void *lmh_newowned(lua_State *L, size_t size, void (*fin)(void *p));

/* ---------- value types shared by bindings ---------- */

#define LMH_ARRAY_MT "maghop.Array"
#define LMH_FIELD_MT "maghop.Field"
#define LMH_FILM_MT "maghop.Film"

/* A dense row-major matrix of doubles (a vector is rows x 1). */
typedef struct {
    int rows, cols;
    double *data; /* rows*cols, row-major, owned; NULL once closed */
} lmh_array;

/* An nx x ny x nz grid with ncomp components per cell, stored SoA
 * (component q of cell c = i + nx*(j + ny*k) at data[c + q*n]). */
typedef struct {
    int nx, ny, nz, ncomp;
    double dx, dy, dz; /* cell size, m (0 when unknown) */
    double *data;      /* SoA ncomp*n, owned; NULL once closed */
} lmh_field;

#define LMH_ARRAY_MAX_ELEMS (1 << 28)

/* Push a new zero-filled rows x cols Array; raises on bad size or OOM. */
lmh_array *lmh_array_push(lua_State *L, int rows, int cols);

/* The open Array at slot arg, or raise naming the argument. */
lmh_array *lmh_array_check(lua_State *L, int arg);

/* Read slot arg — an Array or a (nested) Lua table of finite numbers —
 * into a new Array pushed on the stack; raises naming arg on bad input. */
lmh_array *lmh_array_from(lua_State *L, int arg);

/* Push a new Field with zeroed data (dx..dz = 0, set by the caller).
 * Raises on bad sizes or out of memory. */
lmh_field *lmh_field_push(lua_State *L, int nx, int ny, int nz, int ncomp);

/* The open Field at slot arg, or raise naming the argument. */
lmh_field *lmh_field_check(lua_State *L, int arg);

/* The film of the open Film at slot arg, or raise naming the argument.
 * Contract with l_film.c: the Film userdata starts with its mm_film pointer,
 * NULL once closed. */
mm_film *lmh_film_check(lua_State *L, int arg);

/* Read a ±1 state vector of length n (n < 0: any length) from slot arg
 * (Lua table, Array or "+-+-" label string) into a new n x 1 Array pushed on the stack; raises
 * naming arg for wrong length, non-±1 entries or non-finite values. */
double *lmh_check_pm1(lua_State *L, int arg, int n, int *len);

/* Read a list of ±1 patterns of equal length into a new p x n Array pushed
 * on the stack; raises naming arg. Returns the data pointer. */
double *lmh_check_patterns(lua_State *L, int arg, int *p, int *n);

/* Push a Lua table {v1, ..., vn} of numbers. */
void lmh_push_vector(lua_State *L, const double *v, int n);

/* Push a ±1 state {s1, ..., sn} with the maghop.State metatable: it prints
 * and concatenates as its "+-+-" label and compares element-wise with ==. */
void lmh_push_state(lua_State *L, const double *v, int n);

/* core.as_state(t) -> t with the State metatable (a lua_CFunction). */
int lmh_as_state(lua_State *L);

#endif
