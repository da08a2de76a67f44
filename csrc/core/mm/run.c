/* run.c — mm_run (timed run with an output schedule) and the scalar table
 * it writes (see run.h). */
#include <math.h>

#include "run.h"

void mm_table_header(FILE *fp, const mm_film *f, const mm_run_opts *o)
{
    fprintf(fp, "# t (s)\tmx ()\tmy ()\tmz ()\tE_total (J)");
    for (int i = 0; i < f->nterms; i++)
        if (f->terms[i]->has_energy)
            fprintf(fp, "\tE_%s (J)", f->terms[i]->name);
    fprintf(fp, "\tmax_torque (A/m)\tdt (s)");
    for (int i = 0; o && i < o->nextra; i++)
        fprintf(fp, "\t%s (%s)", o->extra_names[i], o->extra_units[i] ? o->extra_units[i] : "");
    fputc('\n', fp);
}

int mm_table_row(FILE *fp, mm_film *f, const mm_run_opts *o)
{
    double E[MM_MAX_TERMS], total, tq, a[3];
    int st = mm_film_eval(f, &total, E, &tq);
    if (st != MH_OK)
        return st;
    double xv[64];
    int nx = o && o->extra ? o->nextra : 0;
    if (nx > 64)
        return MH_EINVAL;
    if (nx > 0 && (st = o->extra(o->ud, f, xv)) != MH_OK)
        return st;
    mm_film_avg(f, a);
    fprintf(fp, "%.10e\t%.10f\t%.10f\t%.10f\t%.10e", f->t, a[0], a[1], a[2], total);
    for (int i = 0; i < f->nterms; i++)
        if (f->terms[i]->has_energy)
            fprintf(fp, "\t%.10e", E[i]);
    fprintf(fp, "\t%.6e\t%.6e", tq, f->last_dt);
    for (int i = 0; i < nx; i++)
        fprintf(fp, "\t%.10e", xv[i]);
    fputc('\n', fp);
    return MH_OK;
}

/* Output time k+1 of the schedule, clipped to t_end; a target within a
 * rounding sliver of t_end becomes t_end. */
static double next_target(double t0, double t_end, double every, long long k)
{
    if (!(every > 0))
        return t_end;
    double target = fmin(t0 + (double)(k + 1) * every, t_end);
    return t_end - target < 1e-6 * every ? t_end : target;
}

/* Table row and callback at an output point; sets *stop on MM_RUN_STOP. */
static int output(mm_film *f, const mm_run_opts *o, int *stop)
{
    int st = o->table ? mm_table_row(o->table, f, o) : MH_OK;
    if (st == MH_OK && o->on_output) {
        st = o->on_output(o->ud, f);
        *stop = st == MM_RUN_STOP;
        if (*stop)
            st = MH_OK;
    }
    return st;
}

/* Progress: simulated time done of the run. */
static void show_progress(mm_film *f, const mm_run_opts *o, double t0, double duration)
{
    if (!o->meter || !mh_meter_due(o->meter))
        return;
    char detail[64];
    snprintf(detail, sizeof detail, "t = %.4g ns", f->t * 1e9);
    mh_meter_show(o->meter, (f->t - t0) / duration, detail);
}

int mm_run(mm_film *f, double duration, const mm_run_opts *o, long long *steps,
           unsigned long long *rejected)
{
    const double t0 = f->t, t_end = t0 + duration;
    const uint64_t rej0 = f->rejected;
    const int saving = o->save_every > 0 && o->save;
    double dt = o->dt;
    long long k = 0, n = 0, ks = 0;
    int st = MH_OK, stop = 0;
    if (o->table) {
        mm_table_header(o->table, f, o);
        st = mm_table_row(o->table, f, o);
    }
    if (st == MH_OK && saving)
        st = o->save(o->ud, f, 0);
    while (st == MH_OK && f->t < t_end && !stop && n < o->max_steps) {
        double target = next_target(t0, t_end, o->every, k);
        if (target <= f->t) {
            k++;
            continue;
        }
        /* the next autosave time, when it falls inside the run (t_end itself
         * only when it is a multiple of save_every) */
        int save_due = saving && t0 + (double)(ks + 1) * o->save_every <= t_end + 1e-6 * o->save_every;
        double save_target = save_due ? next_target(t0, t_end, o->save_every, ks) : t_end;
        if (save_due && save_target <= f->t) {
            ks++;
            continue;
        }
        double t_before = f->t;
        st = mm_llg_step(f, o->solver, &dt, o->tol, fmin(target, save_target));
        if (st != MH_OK)
            break;
        if (!(f->t > t_before)) {
            st = MH_ERANGE; /* the step is below the spacing of doubles at t */
            break;
        }
        n++;
        show_progress(f, o, t0, duration);
        if (save_due && f->t >= save_target) {
            ks++;
            if ((st = o->save(o->ud, f, ks)) != MH_OK)
                break;
        }
        if (o->every > 0) {
            if (f->t < target)
                continue;
            k++;
        }
        st = output(f, o, &stop);
    }
    *steps = n;
    *rejected = f->rejected - rej0;
    return st;
}
