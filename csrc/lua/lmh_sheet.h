/* lmh_sheet.h — auxiliary layer for the two sheet bindings (AMR read-out,
 * Oersted write): electrode pads, volts vectors, the sheet-solver option
 * and the `nil, message` of a failed sheet solve. */
#ifndef LMH_SHEET_H
#define LMH_SHEET_H

#include "lmh_aux.h"

/* Pads from the list at slot arg ({x=, y=, w=, h=} or {x, y, w, h}, m),
 * mapped onto the film's cells where cond (nx*ny) conducts. Returns
 * pad_of_cell (nx*ny, pad index or -1) in scratch memory pushed on the
 * stack; raises naming arg for a malformed, misplaced or overlapping pad. */
int *lmh_check_pads(lua_State *L, int arg, const mm_film *f, const unsigned char *cond, int *npads);

/* Volts vector of length n (table or Array at slot arg) into v; raises. */
void lmh_check_volts(lua_State *L, int arg, int n, double *v);

/* Option 'solver' of the options at slot t: a sheet solver kind. */
int lmh_optsolver(lua_State *L, int t);

/* nil, message for a failed sheet solve (what: the method). */
int lmh_sheet_fail(lua_State *L, const char *what, int st, double relres);

#endif
