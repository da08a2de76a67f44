/* mh_threads.h — OpenMP team size on machines shared with other jobs.
 *
 * An OpenMP team larger than the CPUs other processes leave free is slower
 * than one thread: every barrier waits for a thread the kernel has
 * descheduled. mh_threads_adapt() measures, over the last interval of at
 * least 0.2 s, how much CPU time other processes used (/proc/stat minus this
 * process's own CPU time) and sets the team size of the calling thread's
 * next parallel regions (omp_set_num_threads) to the CPUs left free, between
 * 1 and the thread count OpenMP started with. It is a no-op when the user
 * set OMP_NUM_THREADS (an explicit choice is kept), when MAGHOP_THREADS=fixed
 * is set, or where /proc/stat is missing. Results do not depend on the team
 * size (every reduction in the core runs over fixed tiles in a fixed order).
 * Pure C (no Lua). */
#ifndef MH_THREADS_H
#define MH_THREADS_H

/* Re-evaluate (at most every 0.2 s; otherwise a clock read) and apply the
 * team size; returns it. Call from serial code (outside parallel regions),
 * before a sequence of parallel regions. */
int mh_threads_adapt(void);

/* The largest team the core may use (what OpenMP started with, or
 * OMP_NUM_THREADS). */
int mh_threads_max(void);

#endif
