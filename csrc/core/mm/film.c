/* film.c — mesh, mask, magnetization state and the term list of a film. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "film.h"
#include "mh_threads.h"
#include "llg.h"
#include "mm_terms.h"
#include "rng.h"

static int finite_pos(double v) { return isfinite(v) && v > 0; }

static int params_ok(const mm_params *p)
{
    if (p->nx < 1 || p->ny < 1 || p->nz < 1)
        return 0;
    if ((double)p->nx * p->ny * p->nz > 2147483647.0)
        return 0;
    if (!finite_pos(p->dx) || !finite_pos(p->dy) || !finite_pos(p->dz))
        return 0;
    if (!finite_pos(p->Ms) || !isfinite(p->A) || p->A < 0 || !isfinite(p->Ku))
        return 0;
    if (!isfinite(p->alpha) || p->alpha < 0 || !finite_pos(p->gamma))
        return 0;
    if (!isfinite(p->temperature) || p->temperature < 0)
        return 0;
    double u2 = p->anis[0] * p->anis[0] + p->anis[1] * p->anis[1] + p->anis[2] * p->anis[2];
    if (p->Ku != 0 && !(isfinite(u2) && u2 > 0))
        return 0;
    return 1;
}

static int add_new(mm_film *f, mm_term *(*make)(const mm_film *, int *))
{
    int st = MH_OK;
    mm_term *t = make(f, &st);
    if (!t)
        return st ? st : MH_ENOMEM;
    st = mm_film_add_term(f, t);
    if (st != MH_OK && t->destroy)
        t->destroy(t);
    return st;
}

mm_term *mm_term_new(const mm_term *kind, size_t ctx_size, int *status)
{
    mm_term *t = malloc(sizeof *t);
    void *ctx = ctx_size ? calloc(1, ctx_size) : NULL;
    if (!t || (ctx_size && !ctx)) {
        free(t);
        free(ctx);
        *status = MH_ENOMEM;
        return NULL;
    }
    *t = *kind;
    if (!t->destroy)
        t->destroy = mm_term_destroy;
    t->ctx = ctx;
    *status = MH_OK;
    return t;
}

void mm_term_destroy(mm_term *t)
{
    free(t->ctx);
    free(t);
}

mm_film *mm_film_new(const mm_params *p, const unsigned char *mask, int *status)
{
    int st = MH_OK;
    mm_film *f = NULL;
    if (!params_ok(p)) {
        st = MH_EINVAL;
        goto fail;
    }
    f = calloc(1, sizeof *f);
    if (!f) {
        st = MH_ENOMEM;
        goto fail;
    }
    f->nx = p->nx;
    f->ny = p->ny;
    f->nz = p->nz;
    f->dx = p->dx;
    f->dy = p->dy;
    f->dz = p->dz;
    f->n = (size_t)p->nx * (size_t)p->ny * (size_t)p->nz;
    f->Ms = p->Ms;
    f->A = p->A;
    f->Ku = p->Ku;
    double u = sqrt(p->anis[0] * p->anis[0] + p->anis[1] * p->anis[1] + p->anis[2] * p->anis[2]);
    for (int q = 0; q < 3; q++)
        f->anis[q] = u > 0 ? p->anis[q] / u : (q == 2);
    f->alpha = p->alpha;
    f->gamma = p->gamma;
    f->temperature = p->temperature;
    f->seed = p->seed;
    f->demag = p->demag != 0;
    f->mask = malloc(f->n);
    f->m = calloc(3 * f->n, sizeof *f->m);
    if (!f->mask || !f->m) {
        st = MH_ENOMEM;
        goto fail;
    }
    if (mask) {
        for (size_t c = 0; c < f->n; c++)
            f->mask[c] = mask[c] != 0;
    } else {
        memset(f->mask, 1, f->n);
    }
    for (size_t c = 0; c < f->n; c++)
        f->ncells += f->mask[c];
    mm_film_set_uniform(f, 1, 0, 0);

    /* The term list: the integrators walk it and know no term by name. */
    if ((st = add_new(f, mm_exchange_new)) != MH_OK)
        goto fail;
    if (f->Ku != 0 && (st = add_new(f, mm_anisotropy_new)) != MH_OK)
        goto fail;
    if ((st = add_new(f, mm_zeeman_new)) != MH_OK)
        goto fail;
    if (f->demag && (st = add_new(f, mm_demag_term_new)) != MH_OK)
        goto fail;
    if (f->temperature > 0 && (st = add_new(f, mm_thermal_new)) != MH_OK)
        goto fail;
    if (status)
        *status = MH_OK;
    return f;
fail:
    mm_film_free(f);
    if (status)
        *status = st;
    return NULL;
}

void mm_film_free(mm_film *f)
{
    if (!f)
        return;
    for (int i = 0; i < f->nterms; i++)
        if (f->terms[i]->destroy)
            f->terms[i]->destroy(f->terms[i]);
    mm_work_free(f->work);
    free(f->hmap);
    free(f->mask);
    free(f->m);
    free(f);
}

void mm_mask_disk(int nx, int ny, int nz, unsigned char *mask)
{
    double cx = 0.5 * nx, cy = 0.5 * ny;
    for (int k = 0; k < nz; k++)
        for (int j = 0; j < ny; j++)
            for (int i = 0; i < nx; i++) {
                double x = (i + 0.5 - cx) / cx, y = (j + 0.5 - cy) / cy;
                mask[i + (size_t)nx * (j + (size_t)ny * k)] = x * x + y * y <= 1.0;
            }
}

void mm_film_touch(mm_film *f) { f->version++; }

int mm_film_set_uniform(mm_film *f, double mx, double my, double mz)
{
    double r = sqrt(mx * mx + my * my + mz * mz);
    if (!(isfinite(r) && r > 0))
        return MH_EINVAL;
    size_t n = f->n;
    for (size_t c = 0; c < n; c++) {
        double s = f->mask[c] ? 1.0 / r : 0.0;
        f->m[c] = mx * s;
        f->m[c + n] = my * s;
        f->m[c + 2 * n] = mz * s;
    }
    mm_film_touch(f);
    return MH_OK;
}

void mm_film_set_random(mm_film *f, uint64_t seed)
{
    size_t n = f->n;
    for (size_t c = 0; c < n; c++) {
        /* Normalized Gaussian triples are uniform on the sphere. */
        double v[3], r;
        uint64_t draw = 0;
        do {
            for (int q = 0; q < 3; q++)
                v[q] = mh_rng_counter_normal(seed, draw, 3 * (uint64_t)c + (uint64_t)q);
            r = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
            draw++;
        } while (r < 1e-12);
        double s = f->mask[c] ? 1.0 / r : 0.0;
        for (int q = 0; q < 3; q++)
            f->m[c + (size_t)q * n] = v[q] * s;
    }
    mm_film_touch(f);
}

int mm_film_normalize(mm_film *f)
{
    size_t n = f->n;
    int st = MH_OK;
    for (size_t c = 0; c < n; c++) {
        double *x = f->m + c, *y = x + n, *z = y + n;
        if (!f->mask[c]) {
            *x = *y = *z = 0;
            continue;
        }
        double r2 = *x * *x + *y * *y + *z * *z, r = sqrt(r2);
        if (!(isfinite(r) && r > 1e-150)) {
            /* r2 overflowed or underflowed: scale by the largest component first */
            double big = fmax(fabs(*x), fmax(fabs(*y), fabs(*z)));
            if (!(isfinite(big) && big > 0)) {
                st = MH_EINVAL;
                continue;
            }
            *x /= big;
            *y /= big;
            *z /= big;
            r = sqrt(*x * *x + *y * *y + *z * *z);
        }
        if (fabs(r2 - 1.0) <= 2e-15)
            continue; /* already unit to rounding: keep the bits (exact reloads) */
        *x /= r;
        *y /= r;
        *z /= r;
    }
    mm_film_touch(f);
    return st;
}

void mm_film_set_field(mm_film *f, const double H[3])
{
    for (int q = 0; q < 3; q++)
        f->happ[q] = H[q];
    mm_film_touch(f);
}

int mm_film_set_field_map(mm_film *f, const double *H)
{
    if (!H) {
        free(f->hmap);
        f->hmap = NULL;
    } else {
        if (!f->hmap && !(f->hmap = malloc(3 * f->n * sizeof *f->hmap)))
            return MH_ENOMEM;
        memcpy(f->hmap, H, 3 * f->n * sizeof *H);
    }
    mm_film_touch(f);
    return MH_OK;
}

void mm_film_set_field_fn(mm_film *f, mm_field_fn fn, void *ud)
{
    f->field_fn = fn;
    f->field_ud = ud;
    mm_film_touch(f);
}

int mm_film_add_term(mm_film *f, mm_term *t)
{
    if (f->nterms >= MM_MAX_TERMS)
        return MH_EINVAL;
    f->terms[f->nterms++] = t;
    return MH_OK;
}

int mm_film_field(mm_film *f, const double *m, double t, double *H, double *E)
{
    mh_threads_adapt(); /* fit the team to the CPUs free now (a clock read) */
    if (!m)
        m = f->m;
    mm_clock ck = {t, 0.0, f->step};
    for (int i = 0; i < f->nterms; i++)
        if (f->terms[i]->prepare) {
            int st = f->terms[i]->prepare(f->terms[i], f, m, &ck);
            if (st != MH_OK)
                return st;
        }
    size_t n = f->n, ntiles = (n + MM_TILE - 1) / MM_TILE;
    int nt = f->nterms;
    double *part = NULL;
    if (E && !(part = calloc(ntiles * (size_t)nt, sizeof *part)))
        return MH_ENOMEM;
    memset(H, 0, 3 * n * sizeof *H);
    long lt;
#pragma omp parallel for schedule(dynamic, 1) if (ntiles > 1)
    for (lt = 0; lt < (long)ntiles; lt++) {
        size_t c0 = (size_t)lt * MM_TILE, c1 = c0 + MM_TILE < n ? c0 + MM_TILE : n;
        for (int i = 0; i < nt; i++) {
            const mm_term *tm = f->terms[i];
            double e = tm->add(tm, f, m, &ck, c0, c1, H + c0, n, E != NULL);
            if (part)
                part[(size_t)lt * nt + i] = tm->has_energy ? e : 0.0;
        }
        for (size_t c = c0; c < c1; c++)
            if (!f->mask[c])
                H[c] = H[c + n] = H[c + 2 * n] = 0;
    }
    if (E) {
        for (int i = 0; i < nt; i++) {
            double s = 0;
            for (size_t tl = 0; tl < ntiles; tl++)
                s += part[tl * nt + i];
            E[i] = s;
        }
        free(part);
    }
    return MH_OK;
}

int mm_film_eval(mm_film *f, double *total, double *E, double *torque)
{
    size_t n = f->n;
    double Eloc[MM_MAX_TERMS];
    int want_e = total || E;
    double *H = malloc(3 * n * sizeof *H);
    if (!H)
        return MH_ENOMEM;
    int st = mm_film_field(f, NULL, f->t, H, want_e ? Eloc : NULL);
    if (st == MH_OK && want_e) {
        double s = 0;
        for (int i = 0; i < f->nterms; i++) {
            s += Eloc[i];
            if (E)
                E[i] = Eloc[i];
        }
        if (total)
            *total = s;
    }
    if (st == MH_OK && torque) {
        const double *m = f->m;
        double best = 0;
        for (size_t c = 0; c < n; c++) {
            double mx = m[c], my = m[c + n], mz = m[c + 2 * n];
            double hx = H[c], hy = H[c + n], hz = H[c + 2 * n];
            double tx = my * hz - mz * hy, ty = mz * hx - mx * hz, tz = mx * hy - my * hx;
            double s2 = tx * tx + ty * ty + tz * tz;
            if (s2 > best)
                best = s2;
        }
        *torque = sqrt(best);
    }
    free(H);
    return st;
}

double mm_film_max_torque(mm_film *f)
{
    double tq;
    return mm_film_eval(f, NULL, NULL, &tq) == MH_OK ? tq : -1;
}

void mm_film_avg(const mm_film *f, double avg[3])
{
    size_t n = f->n;
    for (int q = 0; q < 3; q++) {
        double s = 0;
        const double *d = f->m + (size_t)q * n;
        for (size_t c = 0; c < n; c++)
            s += d[c];
        avg[q] = f->ncells ? s / (double)f->ncells : 0.0;
    }
}
