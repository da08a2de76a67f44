/* mh_threads.c — team size from the CPUs other processes leave free (see
 * mh_threads.h). */
#define _DEFAULT_SOURCE /* getloadavg */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mh_threads.h"

#define INTERVAL_S 0.2

static int inited, adapt, nmax, current;
static double t_last, own_last, busy_last; /* s */
static double tick_s;                      /* one /proc/stat jiffy, s */

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Busy CPU time of the whole machine so far (s), from the "cpu" line of
 * /proc/stat: user + nice + system + irq + softirq + steal. 0 on success. */
static int machine_busy(double *busy)
{
    FILE *fp = fopen("/proc/stat", "r");
    if (!fp)
        return -1;
    unsigned long long v[8] = {0};
    int got = fscanf(fp, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
                     &v[4], &v[5], &v[6], &v[7]);
    fclose(fp);
    if (got < 4)
        return -1;
    *busy = (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) * tick_s;
    return 0;
}

/* Team for `free_cpus` idle CPUs: round up from 0.7 of a CPU. */
static int team_for(double free_cpus)
{
    int t = (int)floor(free_cpus + 0.3);
    return t < 1 ? 1 : t > nmax ? nmax : t;
}

static void init(void)
{
    inited = 1;
    nmax = omp_get_max_threads();
    current = nmax;
    const char *env = getenv("OMP_NUM_THREADS"), *fixed = getenv("MAGHOP_THREADS");
    long hz = sysconf(_SC_CLK_TCK);
    adapt = nmax > 1 && !(env && *env) && !(fixed && !strcmp(fixed, "fixed")) && hz > 0;
    if (!adapt)
        return;
    tick_s = 1.0 / (double)hz;
    if (machine_busy(&busy_last) != 0) {
        adapt = 0;
        return;
    }
    t_last = clock_s(CLOCK_MONOTONIC);
    own_last = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    /* first guess, before any interval is measured: the 1-minute load
     * average (this process has not run long enough to be part of it) */
    double load[1];
    if (getloadavg(load, 1) == 1)
        current = team_for(omp_get_num_procs() - load[0]);
    omp_set_num_threads(current);
}

int mh_threads_max(void)
{
    if (!inited)
        init();
    return nmax;
}

int mh_threads_adapt(void)
{
    if (!inited)
        init();
    if (!adapt)
        return nmax;
    double t = clock_s(CLOCK_MONOTONIC);
    if (t - t_last < INTERVAL_S)
        return current;
    double busy, own = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    if (machine_busy(&busy) != 0)
        return current;
    double others = (busy - busy_last) - (own - own_last); /* CPU s used by other processes */
    double free_cpus = omp_get_num_procs() - fmax(others, 0) / (t - t_last);
    int team = team_for(free_cpus);
    if (team != current) {
        current = team;
        omp_set_num_threads(team);
    }
    t_last = t;
    own_last = own;
    busy_last = busy;
    return current;
}
