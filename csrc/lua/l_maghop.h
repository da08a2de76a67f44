/* l_maghop.h — binding-side registry of the maghop.core Lua module.
 * Each binding file exports one opener that adds its functions (and
 * registers its metatables) into the module table on top of the stack. */
#ifndef L_MAGHOP_H
#define L_MAGHOP_H

#include <lua.h>
#include <lauxlib.h>

void lmh_open_array(lua_State *L);
void lmh_open_compact(lua_State *L);
void lmh_open_hopfield(lua_State *L);
void lmh_open_rules(lua_State *L);
/* engine (issue 3), transport (issue 4): add openers here */
void lmh_open_field(lua_State *L);
void lmh_open_film(lua_State *L);
void lmh_open_ovf(lua_State *L);
void lmh_open_demag(lua_State *L);
void lmh_open_transport(lua_State *L);
void lmh_open_sweep(lua_State *L);

/* Raise a Lua error that names argument `arg` of the current function. */
int lmh_argfail(lua_State *L, int arg, const char *fmt, ...);

/* Read a finite number from stack slot `arg`, or raise naming it. */
double lmh_checkfinite(lua_State *L, int arg);

/* Read an optional finite number field `key` of the table at `t`. */
double lmh_optfield(lua_State *L, int t, const char *key, double def);


/* Read a ±1 state vector of length n (n < 0: any length) from slot `arg`
 * (Lua table or Array) into a new n x 1 Array pushed on the stack; raises
 * naming `arg` for wrong length, non-±1 entries or non-finite values. */
double *lmh_check_pm1(lua_State *L, int arg, int n, int *len);

/* Read a list of ±1 patterns of equal length into a new p x n Array pushed
 * on the stack; raises naming `arg`. Returns the data pointer. */
double *lmh_check_patterns(lua_State *L, int arg, int *p, int *n);

/* Push a Lua table {s1, ..., sn} of numbers. */
void lmh_push_vector(lua_State *L, const double *v, int n);

int luaopen_maghop_core(lua_State *L);

#endif
