/* run.h — a timed LLG run of an mm_film with an output schedule: steps land
 * exactly on multiples of the output interval, where a row of the scalar
 * table is written and the caller's output callback runs. Pure C (no Lua);
 * the Lua binding film:run is argument checking around mm_run. */
#ifndef MM_RUN_H
#define MM_RUN_H

#include <stdio.h>

#include "film.h"
#include "llg.h"

/* Called at every output point with the film at the output time. Returns
 * MH_OK to go on, MM_RUN_STOP to end the run early (not an error), or a
 * negative MH_E* status that aborts the run with that status. */
typedef int (*mm_output_fn)(void *ud, mm_film *f);

#define MM_RUN_STOP 1

typedef struct mm_run_opts {
    mm_solver solver;
    double dt;            /* first (RK45) or fixed (Heun, RK4) step, s */
    double tol;           /* RK45 error tolerance; INFINITY: fixed step dt */
    double every;         /* output interval, s; 0: output after every step */
    long long max_steps;  /* cap on accepted steps */
    FILE *table;          /* scalar table (mm_table_header/row), NULL: none */
    mm_output_fn on_output; /* may be NULL */
    void *ud;             /* passed to on_output */
} mm_run_opts;

/* Integrate f for `duration` s (> 0) from f->t. With a table, the header
 * and a row for the start state come first. *steps and *rejected receive
 * the accepted and rejected steps of this run (also on failure). Returns
 * MH_OK (also after MM_RUN_STOP or max_steps: compare f->t with the end
 * time), the status of mm_llg_step (MH_ENOCONV: step size underflow or a
 * non-finite state), MH_ERANGE when a step leaves f->t unchanged (t so
 * large that the step is below the spacing of doubles there), or the status
 * of the table row or of on_output. The caller owns and closes the table file. */
int mm_run(mm_film *f, double duration, const mm_run_opts *o, long long *steps,
           unsigned long long *rejected);

/* Table columns: t(s), <m>, total and per-term energies (J), max torque
 * (A/m), last step (s), tab-separated, one header line starting with '#'. */
void mm_table_header(FILE *fp, const mm_film *f);

/* One table row for the current state (one field evaluation). Returns MH_OK
 * or the status of the field evaluation. */
int mm_table_row(FILE *fp, mm_film *f);

#endif
