/* meter.h — a progress line with an ETA for long core loops (pure C).
 * The loop calls mh_meter_due() once per step: it reads the clock only
 * every `check_every` calls (adapted so that reads come about every 10 to
 * 100 ms of work, so cheap steps are not slowed) and answers 1 when a line
 * is due (the first after `delay` seconds, then at most every `interval`
 * seconds); only then does the caller format its detail and call
 * mh_meter_show(). A disabled meter (not a terminal, quiet) costs one
 * branch per step. Lines go to stderr and are rewritten in place with '\r'. */
#ifndef MH_METER_H
#define MH_METER_H

typedef struct mh_meter {
    int enabled;
    int shown;                /* a line is on the terminal */
    unsigned check_every;     /* clock reads: every this many calls (>= 1, adaptive) */
    unsigned long calls;
    double delay, interval;   /* s: quiet start, then the refresh period */
    double t0, t_last, t_read; /* wall-clock s: start, last line, last clock read */
    double best;              /* free for the caller (lowest torque so far, ...) */
    char label[48];
} mh_meter;

/* Start a meter (enabled: print at all). Defaults: first line after 1 s,
 * refresh every 0.5 s. */
void mh_meter_start(mh_meter *m, const char *label, int enabled);

/* 1 when a line should be shown now (cheap; see above). */
int mh_meter_due(mh_meter *m);

/* Show "label  42.0%  detail  elapsed 12s  ETA 17s" (fraction in [0, 1];
 * fraction <= 0 or unknown (negative): no percentage and no ETA). */
void mh_meter_show(mh_meter *m, double fraction, const char *detail);

/* End the line (a newline when one was shown). */
void mh_meter_end(mh_meter *m);

/* Wall-clock seconds (monotonic). */
double mh_wall_seconds(void);

#endif
