/* l_init.h — the openers of the maghop.core bindings. Each binding file
 * exports one opener that adds its functions (and registers its types)
 * into the module table on top of the stack; l_init.c lists them. */
#ifndef L_INIT_H
#define L_INIT_H

#include <lua.h>

void lmh_open_array(lua_State *L);
void lmh_open_field(lua_State *L);
void lmh_open_compact(lua_State *L);
void lmh_open_hopfield(lua_State *L);
void lmh_open_rules(lua_State *L);
void lmh_open_film(lua_State *L);
void lmh_open_ovf(lua_State *L);
void lmh_open_demag(lua_State *L);
void lmh_open_amr(lua_State *L);
void lmh_open_oersted(lua_State *L);
void lmh_open_sweep(lua_State *L);

/* require "maghop.core": the module table with every binding opened. */
int luaopen_maghop_core(lua_State *L);

#endif
