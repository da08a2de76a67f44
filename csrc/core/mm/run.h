/* run.h — a timed LLG run of an mm_film with an output schedule: steps land
 * exactly on multiples of the output interval, where a row of the scalar
 * table is written and the caller's output callback runs. Pure C (no Lua);
 * the Lua binding film:run is argument checking around mm_run. */
#ifndef MM_RUN_H
#define MM_RUN_H

#include <stdio.h>

#include "film.h"
#include "llg.h"
#include "meter.h"

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
    void *ud;             /* passed to on_output, extra and save */
    /* user table columns (like MuMax3's TableAdd): names and units without
     * tabs or parentheses; extra(ud, f, out) fills nextra values per row
     * and returns MH_OK or a negative status that aborts the run */
    int nextra;
    const char *const *extra_names;
    const char *const *extra_units;
    int (*extra)(void *ud, mm_film *f, double *out);
    /* autosave: with save_every > 0 (s), steps also land on t0 + k*save_every
     * and save(ud, f, index) runs there, index 0 being the start state;
     * returns MH_OK or a negative status that aborts the run */
    double save_every;
    int (*save)(void *ud, mm_film *f, long long index);
    mh_meter *meter;      /* progress line (may be NULL) */
} mm_run_opts;

/* Integrate f for `duration` s (> 0) from f->t. With a table, the header
 * and a row for the start state come first; with autosave, save index 0
 * is the start state. The meter, when given, shows t / duration. *steps and *rejected receive
 * the accepted and rejected steps of this run (also on failure). Returns
 * MH_OK (also after MM_RUN_STOP or max_steps: compare f->t with the end
 * time), the status of mm_llg_step (MH_ENOCONV: step size underflow or a
 * non-finite state), MH_ERANGE when a step leaves f->t unchanged (t so
 * large that the step is below the spacing of doubles there), or the status
 * of the table row or of on_output. The caller owns and closes the table file. */
int mm_run(mm_film *f, double duration, const mm_run_opts *o, long long *steps,
           unsigned long long *rejected);

/* The table is in MuMax3's table.txt format: one header line "# " then
 * tab-separated "name (unit)" columns ("()" for dimensionless), then one
 * line of tab-separated numbers per output time. Columns: t (s), mx, my,
 * mz (), E_total and E_<term> (J), max_torque (A/m), dt (s), then the
 * extra columns of o (may be NULL). */
void mm_table_header(FILE *fp, const mm_film *f, const mm_run_opts *o);

/* One table row for the current state (one field evaluation, plus o's
 * extra columns). Returns MH_OK or the status of the evaluation or of
 * o->extra. */
int mm_table_row(FILE *fp, mm_film *f, const mm_run_opts *o);

#endif
