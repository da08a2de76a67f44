/* l_rules.c — Lua entry points of the software learning rules:
 * core.rule_outer(patterns), core.rule_storkey(patterns),
 * core.rule_pinv(patterns[, keep_diagonal]) -> n x n Array. */
#include <string.h>

#include "l_init.h"
#include "lmh_aux.h"

#include "mh_common.h"
#include "rules.h"

static int rule_outer(lua_State *L)
{
    int p, n;
    double *x = lmh_check_patterns(L, 1, &p, &n);
    lmh_array *w = lmh_array_push(L, n, n);
    mh_rule_outer(p, n, x, w->data);
    return 1;
}

static int rule_storkey(lua_State *L)
{
    int p, n;
    double *x = lmh_check_patterns(L, 1, &p, &n);
    lmh_array *w = lmh_array_push(L, n, n);
    int st = mh_rule_storkey(p, n, x, w->data);
    if (st != MH_OK)
        return lmh_status_error(L, st, "storkey");
    return 1;
}

static int rule_pinv(lua_State *L)
{
    int p, n;
    double *x = lmh_check_patterns(L, 1, &p, &n);
    int keep = lua_toboolean(L, 2);
    lmh_array *w = lmh_array_push(L, n, n);
    int st = mh_rule_pinv(p, n, x, w->data, keep);
    if (st == MH_ESINGULAR)
        return lmh_argerror(L, 1, "patterns are linearly dependent (pseudo-inverse rule needs independent patterns)");
    if (st != MH_OK)
        return lmh_status_error(L, st, "pinv");
    return 1;
}

void lmh_open_rules(lua_State *L)
{
    static const luaL_Reg fns[] = {{"rule_outer", rule_outer},
                                   {"rule_storkey", rule_storkey},
                                   {"rule_pinv", rule_pinv},
                                   {NULL, NULL}};
    luaL_setfuncs(L, fns, 0);
}
