/* l_init.h — the openers of the maghop.core bindings. Each binding file
 * exports one opener that adds its functions (and registers its types)
 * into the module table on top of the stack; l_init.c runs them. */
#ifndef L_INIT_H
#define L_INIT_H

#include <lua.h>

/* The bindings, in opening order: binding X exports lmh_open_X. Adding a
 * binding file adds one name here. */
#define LMH_BINDINGS(X)                                                                            \
    X(array) X(field) X(compact) X(hopfield) X(rules) X(film) X(ovf) X(demag) X(amr) X(oersted) \
    X(sweep)

#define LMH_DECLARE_OPENER(name) void lmh_open_##name(lua_State *L);
LMH_BINDINGS(LMH_DECLARE_OPENER)

/* require "maghop.core": the module table with every binding opened. */
int luaopen_maghop_core(lua_State *L);

#endif
