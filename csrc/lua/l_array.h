/* l_array.h — the Lua-visible numeric array "maghop.Array": a dense
 * row-major matrix of doubles (a vector is rows x 1). */
#ifndef L_ARRAY_H
#define L_ARRAY_H

#include <lua.h>

typedef struct {
    int rows, cols;
    double *data; /* rows*cols, row-major, owned; NULL once closed */
} lmh_array;

/* Push a new zero-filled rows x cols array; raises on bad size or OOM. */
lmh_array *lmh_array_push(lua_State *L, int rows, int cols);

/* The array at stack slot `arg`, or raise naming the argument. */
lmh_array *lmh_array_check(lua_State *L, int arg);

/* Read slot `arg` — an Array or a (nested) Lua table of finite numbers —
 * into a new Array pushed on the stack; raises naming `arg` on bad input. */
lmh_array *lmh_array_from(lua_State *L, int arg);

#endif
