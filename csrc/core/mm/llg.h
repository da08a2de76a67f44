/* llg.h — time integration of the Landau–Lifshitz–Gilbert equation
 *   dm/dt = -gamma/(1+alpha^2) [ m x H + alpha m x (m x H) ]
 * for an mm_film, plus energy minimizers. The steppers know only the film's
 * term list. Field, torque and stage update are fused per cache tile; all
 * buffers live in the film's workspace, allocated on first use, so a step
 * allocates nothing. |m| = 1 is restored after every accepted step. */
#ifndef MM_LLG_H
#define MM_LLG_H

#include "film.h"

typedef enum { MM_HEUN = 0, MM_RK4 = 1, MM_RK45 = 2 } mm_solver;

/* Take one accepted step of solver s from f->t, never past t_end (s).
 * Fixed-step solvers (Heun, RK4): *dt is the step, shortened to land on
 * t_end. MM_RK45 (Dormand–Prince 5(4), FSAL): *dt is the trial step on entry
 * and the proposed next step on return; tol bounds the per-step error
 * estimate max_cells |dm| (tol = INFINITY: fixed step *dt, never rejected). Updates f->m, t, step, accepted, rejected,
 * last_err, last_dt. Returns MH_OK, MH_EINVAL (bad dt/tol, or RK45 with a
 * thermal term), MH_ENOMEM, MH_ENOCONV (step size underflow, or a state that
 * is not finite; m is then left unchanged), or the status
 * of a failing term (e.g. the field callback). */
int mm_llg_step(mm_film *f, mm_solver s, double *dt, double tol, double t_end);

/* Damping-only (precession-free) dynamics, adaptive Dormand–Prince with
 * tolerance tol, until max |m x H| <= torque (A/m). Simulated time is not
 * advanced; the thermal field is off. *steps and *torque_out (may be NULL)
 * report the work done and the final max torque. MH_ENOCONV if max_steps
 * did not suffice. */
int mm_relax(mm_film *f, double torque, double tol, long max_steps, long *steps, double *torque_out);

/* Steepest descent on the unit sphere with Barzilai–Borwein step sizes
 * until max |m x H| <= torque (A/m). Same reporting and failure as mm_relax. */
int mm_minimize(mm_film *f, double torque, long max_iter, long *iters, double *torque_out);

/* Free a workspace (NULL ignored); used by mm_film_free. */
void mm_work_free(mm_work *w);

#endif
