/* meter.c — progress line with ETA (see meter.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "meter.h"

double mh_wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void mh_meter_start(mh_meter *m, const char *label, int enabled)
{
    memset(m, 0, sizeof *m);
    m->enabled = enabled;
    m->check_every = 1;
    m->delay = 1.0;
    m->interval = 0.5;
    snprintf(m->label, sizeof m->label, "%s", label ? label : "");
    if (enabled)
        m->t0 = m->t_last = m->t_read = mh_wall_seconds();
}

int mh_meter_due(mh_meter *m)
{
    if (!m->enabled || ++m->calls < m->check_every)
        return 0;
    m->calls = 0;
    double now = mh_wall_seconds();
    /* adapt the clock-read period to the step cost: about one read per
     * 10-100 ms of work, never more than one per call */
    double since = now - m->t_read;
    m->t_read = now;
    if (since < 0.01 && m->check_every < 4096)
        m->check_every *= 2;
    else if (since > 0.1 && m->check_every > 1)
        m->check_every /= 2;
    if (now - m->t0 < m->delay || now - m->t_last < m->interval)
        return 0;
    m->t_last = now;
    return 1;
}

static void clock_text(char *out, size_t n, double s)
{
    if (s < 60)
        snprintf(out, n, "%.0fs", s);
    else if (s < 3600)
        snprintf(out, n, "%dm%02ds", (int)(s / 60), (int)s % 60);
    else
        snprintf(out, n, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
}

void mh_meter_show(mh_meter *m, double fraction, const char *detail)
{
    if (!m->enabled)
        return;
    double el = mh_wall_seconds() - m->t0;
    char elapsed[16], eta[32] = "";
    clock_text(elapsed, sizeof elapsed, el);
    char pct[16] = "";
    if (fraction > 0) {
        if (fraction > 1)
            fraction = 1;
        snprintf(pct, sizeof pct, "%5.1f%%  ", 100 * fraction);
        char t[16];
        clock_text(t, sizeof t, el * (1 - fraction) / fraction);
        snprintf(eta, sizeof eta, "  ETA %s", t);
    }
    fprintf(stderr, "\r%s  %s%s  elapsed %s%s\033[K", m->label, pct, detail ? detail : "", elapsed, eta);
    fflush(stderr);
    m->shown = 1;
}

void mh_meter_end(mh_meter *m)
{
    if (m->enabled && m->shown) {
        fputc('\n', stderr);
        fflush(stderr);
    }
    m->shown = 0;
}
