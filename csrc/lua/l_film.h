/* l_film.h — the Lua film type "maghop.Film" (created by core.film(opts)). */
#ifndef L_FILM_H
#define L_FILM_H

#include <lua.h>

#include "film.h"

#define LMH_FILM_MT "maghop.Film"

/* The film at stack slot arg; raises if it is not an open Film. */
mm_film *lmh_film_check(lua_State *L, int arg);

void lmh_open_film(lua_State *L);

#endif
