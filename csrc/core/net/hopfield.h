/* hopfield.h — energy, recall and energy landscape of a Hopfield network
 * with symmetric weights w (n x n, row-major) and states s_i = ±1.
 * Energy E(s) = -sum_ij w_ij s_i s_j (diagonal included: a constant for
 * ±1 states). Updates use the local field h_i = sum_{j != i} w_ij s_j and
 * keep s_i when h_i = 0, so asynchronous updates never raise E. */
#ifndef MH_HOPFIELD_H
#define MH_HOPFIELD_H

#include <stdint.h>

enum { MH_RECALL_SYNC = 0, MH_RECALL_ASYNC = 1 };

typedef struct {
    int sweeps;    /* sweeps performed (a sync step counts as one sweep) */
    int converged; /* 1 if a fixed point was reached */
    int cycle;     /* 1 if sync recall ended in a 2-cycle */
} mh_recall_info;

/* E(s) for n nodes. */
double mh_hop_energy(int n, const double *w, const double *s);

/* Recall from state s (overwritten with the final state). Async visits the
 * nodes in a fresh seeded random order each sweep and stops after a sweep
 * with no flip. Sync updates all nodes at once and stops at a fixed point
 * or a 2-cycle. At most max_sweeps sweeps. MH_ENOMEM possible. */
int mh_hop_recall(int n, const double *w, double *s, int mode, uint64_t seed, int max_sweeps,
                  mh_recall_info *info);

/* Local field h_i of node i (0-based) in state s (n entries of ±1): its
 * sign decides s_i, 0 keeps it. Returns MH_OK or a status that aborts. */
typedef int (*mh_local_field_fn)(void *ud, int n, const double *s, int i, double *h);

/* The same recall with the local fields from fn instead of weights (the
 * physical inference measures them as pad currents): same node order for
 * the same seed, same stopping rules. Returns MH_OK, MH_ENOMEM or fn's
 * status (s then holds the state reached). */
int mh_recall(int n, double *s, int mode, uint64_t seed, int max_sweeps, mh_local_field_fn fn,
              void *ud, mh_recall_info *info);

/* Energies of all 2^n states (n <= 30), into e[0 .. 2^n). State k has
 * s_i = -1 where bit (n-1-i) of k is set (k = 0 is all +1), visited in Gray
 * code order with O(n) updates. */
void mh_hop_landscape(int n, const double *w, double *e);

#endif
