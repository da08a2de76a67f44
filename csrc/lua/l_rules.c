/* l_rules.c — Lua entry points of the software learning rules:
 * core.rule_outer(patterns), core.rule_storkey(patterns),
 * core.rule_pinv(patterns[, keep_diagonal]) -> n x n Array. Plus
 * core.flip(x, k, seed): a seeded distortion flipping k distinct entries. */
#include <stdint.h>
#include <string.h>

#include "l_init.h"
#include "lmh_aux.h"

#include "mh_common.h"
#include "rng.h"
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

static int flip(lua_State *L)
{
    int n;
    double *x = lmh_check_pm1(L, 1, -1, &n);
    lua_Integer k = luaL_checkinteger(L, 2);
    luaL_argcheck(L, k >= 0 && k <= n, 2, "number of flips must be in 0..length");
    lua_Integer seed = luaL_checkinteger(L, 3);
    int *perm = lua_newuserdatauv(L, sizeof(int) * (size_t)n, 0);
    mh_rng rng;
    mh_rng_seed(&rng, (uint64_t)seed);
    mh_rng_permutation(&rng, n, perm);
    for (int i = 0; i < k; i++)
        x[perm[i]] = -x[perm[i]];
    lmh_push_state(L, x, n);
    return 1;
}

/* core.solve(A, B) -> X with A X = B (A m x m, B m x k); nil, message when
 * A is singular. Dense Gaussian elimination with partial pivoting. */
static int solve(lua_State *L)
{
    lmh_array *a = lmh_array_from(L, 1);
    if (a->rows != a->cols)
        return lmh_argerror(L, 1, "square matrix expected, got %dx%d", a->rows, a->cols);
    lmh_array *b = lmh_array_from(L, 2);
    if (b->rows != a->rows)
        return lmh_argerror(L, 2, "%d rows expected, got %d", a->rows, b->rows);
    int st = mh_solve_dense(a->rows, b->cols, a->data, b->data);
    if (st == MH_ESINGULAR) {
        return lmh_fail(L, "singular matrix");
    }
    return 1; /* b now holds X */
}

void lmh_open_rules(lua_State *L)
{
    static const luaL_Reg fns[] = {{"rule_outer", rule_outer},
                                   {"rule_storkey", rule_storkey},
                                   {"rule_pinv", rule_pinv},
                                   {"flip", flip},
                                   {"solve", solve},
                                   {NULL, NULL}};
    luaL_setfuncs(L, fns, 0);
}
