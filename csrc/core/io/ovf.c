/* ovf.c — OVF 2.0 reader/writer and OVF 1.0 reader (rectangular meshes).
 *
 * The reader works on one NUL-terminated copy of the whole file so that
 * header parsing can use the C string functions safely; binary data are
 * taken by length, never by string scanning. Every count that leads to an
 * allocation is checked for overflow, capped, and compared with the bytes
 * that are actually left in the file first, so a lying header cannot make
 * the reader allocate more than a small multiple of the file size.
 * Byte order is handled by explicit shifts, independent of the host. */
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ovf.h"

#define OVF_MAX_FILE ((size_t)1 << 34) /* 16 GiB: refuse anything larger */
#define OVF_MAX_NODES (1 << 24)        /* per axis */

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

void mh_ovf_grid(mh_ovf *o, int nx, int ny, int nz, int valuedim, double dx, double dy, double dz,
                 double *data)
{
    memset(o, 0, sizeof *o);
    o->nx = nx;
    o->ny = ny;
    o->nz = nz;
    o->valuedim = valuedim;
    o->dx = dx;
    o->dy = dy;
    o->dz = dz;
    o->xbase = 0.5 * dx;
    o->ybase = 0.5 * dy;
    o->zbase = 0.5 * dz;
    snprintf(o->meshunit, sizeof o->meshunit, "m");
    o->data = data;
}

void mh_ovf_clear(mh_ovf *o)
{
    if (!o)
        return;
    free(o->data);
    memset(o, 0, sizeof *o);
}

/* ---------------------------------------------------------------- reader */

typedef struct {
    const char *buf; /* NUL-terminated at buf[len] */
    size_t len, pos;
    int line;        /* 1-based number of the line last returned */
} cursor;

/* Next line [*s, *s + *n) without its '\n' (and '\r'); 0 at end of input. */
static int next_line(cursor *c, const char **s, size_t *n)
{
    if (c->pos >= c->len)
        return 0;
    const char *p = c->buf + c->pos;
    const char *e = memchr(p, '\n', c->len - c->pos);
    size_t m = e ? (size_t)(e - p) : c->len - c->pos;
    c->pos += m + (e ? 1 : 0);
    c->line++;
    if (m > 0 && p[m - 1] == '\r')
        m--;
    *s = p;
    *n = m;
    return 1;
}

/* Copy at most cap-1 bytes of [s, s+n) into dst with surrounding blanks
 * trimmed and embedded NULs/control bytes replaced by '?'. */
static void copy_trim(char *dst, size_t cap, const char *s, size_t n)
{
    while (n > 0 && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    if (n > cap - 1)
        n = cap - 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        dst[i] = (ch < 32 && ch != '\t') ? '?' : (char)ch;
    }
    dst[n] = '\0';
}

/* Header line "# key: value" -> normalized key (lower case, no blanks) and
 * trimmed value. Returns 0 when the line has no ':' (a plain comment). */
static int split_header(const char *s, size_t n, char *key, size_t kcap, char *val, size_t vcap)
{
    const char *colon = memchr(s, ':', n);
    if (!colon)
        return 0;
    size_t k = 0;
    for (const char *p = s + 1; p < colon; p++) /* skip the leading '#' */
        if (!isspace((unsigned char)*p) && k + 1 < kcap)
            key[k++] = (char)tolower((unsigned char)*p);
    key[k] = '\0';
    copy_trim(val, vcap, colon + 1, n - (size_t)(colon + 1 - s));
    return 1;
}

static int parse_double(const char *v, double *out)
{
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (end == v || errno == ERANGE || !isfinite(d))
        return 0;
    while (isspace((unsigned char)*end))
        end++;
    if (*end)
        return 0;
    *out = d;
    return 1;
}

static int parse_int(const char *v, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (end == v || errno == ERANGE)
        return 0;
    while (isspace((unsigned char)*end))
        end++;
    if (*end || x < lo || x > hi)
        return 0;
    *out = x;
    return 1;
}

/* What the header has told us so far. */
typedef struct {
    int version;
    long nodes[3];
    double step[3], base[3], min[3], max[3];
    int have_nodes[3], have_step[3], have_base[3], have_min[3], have_max[3];
    long valuedim;
    int have_valuedim;
    double multiplier; /* OVF 1.0 valuemultiplier */
    int rectangular, have_meshtype;
} header;

static int axis_of(char ch)
{
    return ch == 'x' ? 0 : ch == 'y' ? 1 : ch == 'z' ? 2 : -1;
}

static void append_desc(mh_ovf *o, const char *v)
{
    size_t used = strlen(o->desc), cap = sizeof o->desc;
    if (used && used + 1 < cap)
        o->desc[used++] = '\n';
    if (used < cap)
        snprintf(o->desc + used, cap - used, "%s", v);
}

/* Apply one header key; returns MH_OK or MH_EFORMAT with err set. */
static int header_key(header *h, mh_ovf *o, const char *key, const char *val, int line, char *err,
                      size_t errlen)
{
    int ax = axis_of(key[0]);
    const char *rest = key + (ax >= 0 ? 1 : 0);
    if (!strcmp(key, "title")) {
        snprintf(o->title, sizeof o->title, "%s", val);
    } else if (!strcmp(key, "desc")) {
        append_desc(o, val);
    } else if (!strcmp(key, "meshunit")) {
        snprintf(o->meshunit, sizeof o->meshunit, "%s", val);
    } else if (!strcmp(key, "meshtype")) {
        h->have_meshtype = 1;
        h->rectangular = !strcmp(val, "rectangular");
        if (!h->rectangular) {
            set_err(err, errlen, "line %d: meshtype '%s' is not supported (only rectangular)",
                    line, val);
            return MH_EFORMAT;
        }
    } else if (!strcmp(key, "valuelabels")) {
        snprintf(o->valuelabels, sizeof o->valuelabels, "%s", val);
    } else if (!strcmp(key, "valueunits") || !strcmp(key, "valueunit")) {
        snprintf(o->valueunits, sizeof o->valueunits, "%s", val);
    } else if (!strcmp(key, "valuedim")) {
        if (!parse_int(val, 1, MH_OVF_MAX_DIM, &h->valuedim)) {
            set_err(err, errlen, "line %d: valuedim '%s' is not an integer in 1..%d", line, val,
                    MH_OVF_MAX_DIM);
            return MH_EFORMAT;
        }
        h->have_valuedim = 1;
    } else if (!strcmp(key, "valuemultiplier")) {
        if (!parse_double(val, &h->multiplier)) {
            set_err(err, errlen, "line %d: valuemultiplier '%s' is not a finite number", line, val);
            return MH_EFORMAT;
        }
    } else if (ax >= 0 && !strcmp(rest, "nodes")) {
        if (!parse_int(val, 1, OVF_MAX_NODES, &h->nodes[ax])) {
            set_err(err, errlen, "line %d: %s '%s' is not an integer in 1..%d", line, key, val,
                    OVF_MAX_NODES);
            return MH_EFORMAT;
        }
        h->have_nodes[ax] = 1;
    } else if (ax >= 0 && (!strcmp(rest, "stepsize") || !strcmp(rest, "base") ||
                           !strcmp(rest, "min") || !strcmp(rest, "max"))) {
        double v;
        if (!parse_double(val, &v)) {
            set_err(err, errlen, "line %d: %s '%s' is not a finite number", line, key, val);
            return MH_EFORMAT;
        }
        if (!strcmp(rest, "stepsize")) {
            if (!(v > 0)) {
                set_err(err, errlen, "line %d: %s = %g must be > 0", line, key, v);
                return MH_EFORMAT;
            }
            h->step[ax] = v;
            h->have_step[ax] = 1;
        } else if (!strcmp(rest, "base")) {
            h->base[ax] = v;
            h->have_base[ax] = 1;
        } else if (!strcmp(rest, "min")) {
            h->min[ax] = v;
            h->have_min[ax] = 1;
        } else {
            h->max[ax] = v;
            h->have_max[ax] = 1;
        }
    }
    /* anything else (boundary, ValueRangeMaxMag, segment count...) is informational */
    return MH_OK;
}

/* Check the header is complete and consistent; fill the mesh part of o. */
static int header_finish(header *h, mh_ovf *o, char *err, size_t errlen)
{
    static const char axes[] = "xyz";
    if (h->version == 2 && !h->have_meshtype) {
        set_err(err, errlen, "header lacks meshtype");
        return MH_EFORMAT;
    }
    for (int a = 0; a < 3; a++) {
        if (!h->have_nodes[a]) {
            set_err(err, errlen, "header lacks %cnodes", axes[a]);
            return MH_EFORMAT;
        }
        if (!h->have_step[a]) {
            set_err(err, errlen, "header lacks %cstepsize", axes[a]);
            return MH_EFORMAT;
        }
        /* sizes that disagree: min/max must span nodes*stepsize */
        if (h->have_min[a] && h->have_max[a]) {
            double span = h->max[a] - h->min[a], want = (double)h->nodes[a] * h->step[a];
            /* relative tolerance, widened by the rounding of min and max themselves */
            double tol = 1e-6 * fabs(want) + 8 * DBL_EPSILON * (fabs(h->max[a]) + fabs(h->min[a]));
            if (!(fabs(span - want) <= tol)) {
                set_err(err, errlen,
                        "%cmax - %cmin = %g disagrees with %cnodes * %cstepsize = %g", axes[a],
                        axes[a], span, axes[a], axes[a], want);
                return MH_EFORMAT;
            }
        }
    }
    if (h->version == 2 && !h->have_valuedim) {
        set_err(err, errlen, "header lacks valuedim");
        return MH_EFORMAT;
    }
    if (h->version == 1)
        h->valuedim = 3; /* OVF 1.0 holds 3-vectors only */
    size_t n = (size_t)h->nodes[0];
    if (n > MH_OVF_MAX_CELLS / (size_t)h->nodes[1] ||
        n * (size_t)h->nodes[1] > MH_OVF_MAX_CELLS / (size_t)h->nodes[2]) {
        set_err(err, errlen, "mesh %ldx%ldx%ld exceeds the limit of %zu cells", h->nodes[0],
                h->nodes[1], h->nodes[2], MH_OVF_MAX_CELLS);
        return MH_EFORMAT;
    }
    o->nx = (int)h->nodes[0];
    o->ny = (int)h->nodes[1];
    o->nz = (int)h->nodes[2];
    o->valuedim = (int)h->valuedim;
    o->dx = h->step[0];
    o->dy = h->step[1];
    o->dz = h->step[2];
    double *base[3] = {&o->xbase, &o->ybase, &o->zbase};
    for (int a = 0; a < 3; a++)
        *base[a] = h->have_base[a] ? h->base[a]
                 : h->have_min[a] ? h->min[a] + 0.5 * h->step[a]
                                  : 0.5 * h->step[a];
    if (!o->meshunit[0])
        snprintf(o->meshunit, sizeof o->meshunit, "m");
    return MH_OK;
}

static uint64_t load_u(const unsigned char *p, int bytes, int big)
{
    uint64_t u = 0;
    for (int b = 0; b < bytes; b++)
        u |= (uint64_t)p[big ? bytes - 1 - b : b] << (8 * b);
    return u;
}

static double load_value(const unsigned char *p, int bytes, int big)
{
    uint64_t u = load_u(p, bytes, big);
    if (bytes == 4) {
        uint32_t w = (uint32_t)u;
        float f;
        memcpy(&f, &w, sizeof f);
        return (double)f;
    }
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* Store value v (file order index idx) SoA; non-finite values rejected. */
static int store(mh_ovf *o, size_t n, size_t idx, double v, char *err, size_t errlen)
{
    if (!isfinite(v)) {
        set_err(err, errlen, "data value %zu (cell %zu, component %zu) is not finite", idx,
                idx / (size_t)o->valuedim, idx % (size_t)o->valuedim);
        return MH_EFORMAT;
    }
    size_t c = idx / (size_t)o->valuedim, q = idx % (size_t)o->valuedim;
    o->data[c + q * n] = v;
    return MH_OK;
}

static int read_binary(cursor *c, mh_ovf *o, int bytes, int big, double mult, char *err,
                       size_t errlen)
{
    size_t n = (size_t)o->nx * (size_t)o->ny * (size_t)o->nz;
    size_t count = n * (size_t)o->valuedim; /* <= 2^28 * 16: no overflow */
    size_t left = c->len - c->pos;
    if (left < (size_t)bytes || (left - (size_t)bytes) / (size_t)bytes < count) {
        set_err(err, errlen,
                "truncated data: %zu values of %d bytes (plus check value) expected, %zu bytes "
                "present",
                count, bytes, left);
        return MH_EFORMAT;
    }
    const unsigned char *p = (const unsigned char *)c->buf + c->pos;
    double check = load_value(p, bytes, big);
    double want = bytes == 4 ? 1234567.0 : 123456789012345.0;
    if (check != want) {
        set_err(err, errlen, "binary %d check value is %.17g, expected %.1f (%s-endian)", bytes,
                check, want, big ? "big" : "little");
        return MH_EFORMAT;
    }
    p += bytes;
    o->data = malloc(count * sizeof *o->data);
    if (!o->data) {
        set_err(err, errlen, "out of memory for %zu values", count);
        return MH_ENOMEM;
    }
    for (size_t i = 0; i < count; i++) {
        int st = store(o, n, i, mult * load_value(p + i * (size_t)bytes, bytes, big), err, errlen);
        if (st != MH_OK)
            return st;
    }
    c->pos += (size_t)bytes * (count + 1);
    return MH_OK;
}

static int read_text(cursor *c, mh_ovf *o, double mult, char *err, size_t errlen)
{
    size_t n = (size_t)o->nx * (size_t)o->ny * (size_t)o->nz;
    size_t count = n * (size_t)o->valuedim;
    /* every value takes at least two bytes ("0 "): refuse before allocating */
    if ((c->len - c->pos) / 2 + 1 < count) {
        set_err(err, errlen, "truncated data: %zu text values expected, only %zu bytes present",
                count, c->len - c->pos);
        return MH_EFORMAT;
    }
    o->data = malloc(count * sizeof *o->data);
    if (!o->data) {
        set_err(err, errlen, "out of memory for %zu values", count);
        return MH_ENOMEM;
    }
    size_t i = 0;
    while (i < count) {
        const char *p = c->buf + c->pos;
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
            if (*p == '\n')
                c->line++;
            p++;
        }
        c->pos = (size_t)(p - c->buf);
        if (c->pos >= c->len || *p == '\0') {
            set_err(err, errlen, "truncated data: %zu of %zu text values present", i, count);
            return MH_EFORMAT;
        }
        if (*p == '#') {
            /* a comment line inside the data; the end marker here is premature */
            const char *s;
            size_t len;
            next_line(c, &s, &len);
            if (len >= 5 && !strncmp(s, "# End", 5)) {
                set_err(err, errlen, "truncated data: %zu of %zu text values before '# End'", i,
                        count);
                return MH_EFORMAT;
            }
            continue;
        }
        char *end;
        double v = strtod(p, &end);
        if (end == p || (*end && !isspace((unsigned char)*end))) {
            set_err(err, errlen, "line %d: bad number in text data", c->line + 1);
            return MH_EFORMAT;
        }
        int st = store(o, n, i, mult * v, err, errlen);
        if (st != MH_OK)
            return st;
        i++;
        c->pos = (size_t)(end - c->buf);
    }
    return MH_OK;
}

/* Next "# key: value" line, skipping blank lines, "##" comments and '#'
 * lines without a key. A line not starting with '#' is an error described
 * by `what`. Returns 1 (key/val filled), 0 at end of input, -1 on error. */
static int next_key(cursor *c, char *key, size_t kcap, char *val, size_t vcap, const char *what,
                    char *err, size_t errlen)
{
    const char *s;
    size_t n;
    while (next_line(c, &s, &n)) {
        size_t k = 0;
        while (k < n && isspace((unsigned char)s[k]))
            k++;
        if (k == n)
            continue;
        if (s[k] != '#') {
            set_err(err, errlen, "line %d: %s", c->line, what);
            return -1;
        }
        if (n - k >= 2 && s[k + 1] == '#')
            continue; /* "##" comment */
        if (split_header(s + k, n - k, key, kcap, val, vcap))
            return 1;
    }
    return 0;
}

/* After the data: blank space, then "# End: Data <fmt>" and "# End: Segment". */
static int read_trailer(cursor *c, const char *fmt_file, char *err, size_t errlen)
{
    int stage = 0; /* 0: want End Data, 1: want End Segment */
    /* the rest of the line holding the data end (normally just "\n") */
    while (c->pos < c->len && (c->buf[c->pos] == ' ' || c->buf[c->pos] == '\t' ||
                               c->buf[c->pos] == '\r'))
        c->pos++;
    if (c->pos < c->len && c->buf[c->pos] == '\n') {
        c->pos++;
        c->line++;
    }
    char key[32], val[MH_OVF_TEXT];
    int r;
    while ((r = next_key(c, key, sizeof key, val, sizeof val, "more data than the header announces",
                         err, errlen)) > 0) {
        if (stage == 0) {
            if (strcmp(key, "end") || strncmp(val, "Data", 4)) {
                set_err(err, errlen, "line %d: expected '# End: Data %s'", c->line, fmt_file);
                return MH_EFORMAT;
            }
            char a[MH_OVF_TEXT];
            copy_trim(a, sizeof a, val + 4, strlen(val + 4));
            if (strcmp(a, fmt_file)) {
                set_err(err, errlen, "line %d: '# End: Data %s' does not match 'Begin: Data %s'",
                        c->line, a, fmt_file);
                return MH_EFORMAT;
            }
            stage = 1;
        } else {
            if (strcmp(key, "end") || strcmp(val, "Segment")) {
                set_err(err, errlen, "line %d: expected '# End: Segment'", c->line);
                return MH_EFORMAT;
            }
            return MH_OK;
        }
    }
    if (r < 0)
        return MH_EFORMAT;
    set_err(err, errlen, "truncated file: missing '%s'",
            stage == 0 ? "# End: Data" : "# End: Segment");
    return MH_EFORMAT;
}

static int parse(cursor *c, mh_ovf *o, char *err, size_t errlen)
{
    const char *s;
    size_t n;
    header h;
    memset(&h, 0, sizeof h);
    h.multiplier = 1.0;
    if (!next_line(c, &s, &n)) {
        set_err(err, errlen, "empty file");
        return MH_EFORMAT;
    }
    char first[MH_OVF_TEXT];
    copy_trim(first, sizeof first, s, n);
    if (!strncmp(first, "# OOMMF OVF 2.0", 15))
        h.version = 2;
    else if (!strncmp(first, "# OOMMF OVF 1.0", 15) ||
             !strncmp(first, "# OOMMF: rectangular mesh v1.0", 30))
        h.version = 1;
    else if (!strncmp(first, "# OOMMF", 7)) {
        set_err(err, errlen, "unsupported OOMMF file kind '%.60s'", first);
        return MH_EFORMAT;
    } else {
        set_err(err, errlen, "not an OVF file: first line is not '# OOMMF OVF 2.0'");
        return MH_EFORMAT;
    }
    o->version = h.version;
    int in_segment = 0, in_header = 0, header_done = 0;
    char key[32], val[MH_OVF_TEXT];
    int r;
    while ((r = next_key(c, key, sizeof key, val, sizeof val, "expected a '#' header line", err,
                         errlen)) > 0) {
        if (!strcmp(key, "begin")) {
            if (!strcmp(val, "Segment")) {
                in_segment = 1;
            } else if (!strcmp(val, "Header")) {
                if (!in_segment) {
                    set_err(err, errlen, "line %d: 'Begin: Header' outside a segment", c->line);
                    return MH_EFORMAT;
                }
                in_header = 1;
            } else if (!strncmp(val, "Data", 4)) {
                if (!header_done) {
                    set_err(err, errlen, "line %d: data begins before the header ended", c->line);
                    return MH_EFORMAT;
                }
                char fmt[MH_OVF_TEXT];
                copy_trim(fmt, sizeof fmt, val + 4, strlen(val + 4));
                int st = header_finish(&h, o, err, errlen);
                if (st != MH_OK)
                    return st;
                int big = h.version == 1;
                if (!strcmp(fmt, "Text")) {
                    snprintf(o->format, sizeof o->format, "text");
                    st = read_text(c, o, h.multiplier, err, errlen);
                } else if (!strcmp(fmt, "Binary 4")) {
                    snprintf(o->format, sizeof o->format, "binary4");
                    st = read_binary(c, o, 4, big, h.multiplier, err, errlen);
                } else if (!strcmp(fmt, "Binary 8")) {
                    snprintf(o->format, sizeof o->format, "binary8");
                    st = read_binary(c, o, 8, big, h.multiplier, err, errlen);
                } else {
                    set_err(err, errlen, "line %d: unknown data format '%.40s'", c->line, fmt);
                    return MH_EFORMAT;
                }
                if (st != MH_OK)
                    return st;
                return read_trailer(c, fmt, err, errlen);
            } else {
                set_err(err, errlen, "line %d: unknown block 'Begin: %.40s'", c->line, val);
                return MH_EFORMAT;
            }
        } else if (!strcmp(key, "end")) {
            if (!strcmp(val, "Header")) {
                if (!in_header) {
                    set_err(err, errlen, "line %d: 'End: Header' without 'Begin: Header'",
                            c->line);
                    return MH_EFORMAT;
                }
                in_header = 0;
                header_done = 1;
            } else {
                set_err(err, errlen, "line %d: unexpected 'End: %.40s' before the data", c->line,
                        val);
                return MH_EFORMAT;
            }
        } else if (in_header) {
            int st = header_key(&h, o, key, val, c->line, err, errlen);
            if (st != MH_OK)
                return st;
        }
    }
    if (r < 0)
        return MH_EFORMAT;
    set_err(err, errlen, "truncated file: no '# Begin: Data' block");
    return MH_EFORMAT;
}

int mh_ovf_read_mem(const void *buf, size_t len, mh_ovf *out, char *err, size_t errlen)
{
    set_err(err, errlen, "ok");
    memset(out, 0, sizeof *out);
    if (len >= OVF_MAX_FILE) {
        set_err(err, errlen, "file of %zu bytes is too large", len);
        return MH_EFORMAT;
    }
    char *copy = malloc(len + 1);
    if (!copy) {
        set_err(err, errlen, "out of memory for a %zu byte file", len);
        return MH_ENOMEM;
    }
    if (len)
        memcpy(copy, buf, len);
    copy[len] = '\0';
    cursor c = {copy, len, 0, 0};
    int st = parse(&c, out, err, errlen);
    free(copy);
    if (st != MH_OK)
        mh_ovf_clear(out);
    return st;
}

int mh_ovf_read(const char *path, mh_ovf *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        set_err(err, errlen, "%s: %s", path, strerror(errno));
        return MH_EIO;
    }
    /* read in chunks: works for pipes too and never trusts a reported size */
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap + 1);
    int st = MH_OK;
    while (buf) {
        size_t got = fread(buf + len, 1, cap - len, fp);
        len += got;
        if (len < cap) {
            if (ferror(fp)) {
                set_err(err, errlen, "%s: read error", path);
                st = MH_EIO;
            }
            break;
        }
        if (cap >= OVF_MAX_FILE) {
            set_err(err, errlen, "%s: file too large", path);
            st = MH_EFORMAT;
            break;
        }
        char *nb = realloc(buf, 2 * cap + 1);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    fclose(fp);
    if (!buf) {
        set_err(err, errlen, "%s: out of memory", path);
        return MH_ENOMEM;
    }
    if (st == MH_OK) {
        char msg[256];
        st = mh_ovf_read_mem(buf, len, out, msg, sizeof msg);
        if (st != MH_OK)
            set_err(err, errlen, "%s: %s", path, msg);
    }
    free(buf);
    return st;
}

/* ---------------------------------------------------------------- writer */

static void put_u(unsigned char *p, uint64_t u, int bytes)
{
    for (int b = 0; b < bytes; b++)
        p[b] = (unsigned char)(u >> (8 * b)); /* OVF 2.0 binary is little-endian */
}

static int write_value_bin(FILE *fp, double v, int bytes)
{
    unsigned char b[8];
    if (bytes == 4) {
        float f = (float)v;
        uint32_t w;
        memcpy(&w, &f, sizeof w);
        put_u(b, w, 4);
    } else {
        uint64_t u;
        memcpy(&u, &v, sizeof u);
        put_u(b, u, 8);
    }
    return fwrite(b, 1, (size_t)bytes, fp) == (size_t)bytes;
}

/* Header strings must stay on one line. */
static void one_line(char *dst, size_t cap, const char *src)
{
    size_t i = 0;
    for (; src[i] && i + 1 < cap; i++)
        dst[i] = (src[i] == '\n' || src[i] == '\r') ? ' ' : src[i];
    dst[i] = '\0';
}

static void default_list(char *dst, size_t cap, int dim, int units)
{
    static const char *xyz[] = {"m_x", "m_y", "m_z"};
    size_t used = 0;
    dst[0] = '\0';
    for (int q = 0; q < dim && used < cap; q++) {
        int w;
        if (units)
            w = snprintf(dst + used, cap - used, "%s1", q ? " " : "");
        else if (dim == 3)
            w = snprintf(dst + used, cap - used, "%s%s", q ? " " : "", xyz[q]);
        else
            w = snprintf(dst + used, cap - used, "%sv%d", q ? " " : "", q + 1);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

static int write_body(FILE *fp, const mh_ovf *o, int bytes)
{
    static const char *names[] = {"Text", "Binary 4", "Binary 8"};
    const char *fmt = names[bytes == 0 ? 0 : bytes == 4 ? 1 : 2];
    size_t n = (size_t)o->nx * (size_t)o->ny * (size_t)o->nz;
    char buf[MH_OVF_TEXT], labels[MH_OVF_TEXT], units[MH_OVF_TEXT];
    double step[3] = {o->dx, o->dy, o->dz}, base[3] = {o->xbase, o->ybase, o->zbase};
    int nodes[3] = {o->nx, o->ny, o->nz};
    fprintf(fp, "# OOMMF OVF 2.0\n# Segment count: 1\n# Begin: Segment\n# Begin: Header\n");
    one_line(buf, sizeof buf, o->title[0] ? o->title : "maghop field");
    fprintf(fp, "# Title: %s\n", buf);
    const char *d = o->desc;
    while (*d) {
        const char *e = strchr(d, '\n');
        size_t len = e ? (size_t)(e - d) : strlen(d);
        fprintf(fp, "# Desc: %.*s\n", (int)len, d);
        d += len + (e ? 1 : 0);
    }
    one_line(buf, sizeof buf, o->meshunit[0] ? o->meshunit : "m");
    fprintf(fp, "# meshunit: %s\n# meshtype: rectangular\n", buf);
    for (int a = 0; a < 3; a++)
        fprintf(fp, "# %cbase: %.17g\n", "xyz"[a], base[a]);
    for (int a = 0; a < 3; a++)
        fprintf(fp, "# %cstepsize: %.17g\n", "xyz"[a], step[a]);
    for (int a = 0; a < 3; a++)
        fprintf(fp, "# %cnodes: %d\n", "xyz"[a], nodes[a]);
    for (int a = 0; a < 3; a++)
        fprintf(fp, "# %cmin: %.17g\n", "xyz"[a], base[a] - 0.5 * step[a]);
    for (int a = 0; a < 3; a++)
        fprintf(fp, "# %cmax: %.17g\n", "xyz"[a], base[a] - 0.5 * step[a] + nodes[a] * step[a]);
    if (o->valuelabels[0])
        one_line(labels, sizeof labels, o->valuelabels);
    else
        default_list(labels, sizeof labels, o->valuedim, 0);
    if (o->valueunits[0])
        one_line(units, sizeof units, o->valueunits);
    else
        default_list(units, sizeof units, o->valuedim, 1);
    fprintf(fp, "# valuedim: %d\n# valuelabels: %s\n# valueunits: %s\n", o->valuedim, labels,
            units);
    fprintf(fp, "# End: Header\n# Begin: Data %s\n", fmt);
    if (bytes)
        write_value_bin(fp, bytes == 4 ? 1234567.0 : 123456789012345.0, bytes);
    for (size_t c = 0; c < n; c++) {
        for (int q = 0; q < o->valuedim; q++) {
            double v = o->data[c + (size_t)q * n];
            if (bytes) {
                if (!write_value_bin(fp, v, bytes))
                    return 0;
            } else {
                fprintf(fp, q ? " %.17g" : "%.17g", v);
            }
        }
        if (!bytes)
            fputc('\n', fp);
    }
    if (bytes)
        fputc('\n', fp);
    fprintf(fp, "# End: Data %s\n# End: Segment\n", fmt);
    return !ferror(fp);
}

int mh_ovf_write(const char *path, const mh_ovf *o, const char *format, char *err, size_t errlen)
{
    int bytes;
    if (!format || !strcmp(format, "binary8"))
        bytes = 8;
    else if (!strcmp(format, "binary4"))
        bytes = 4;
    else if (!strcmp(format, "text"))
        bytes = 0;
    else {
        set_err(err, errlen, "unknown OVF format '%s' (text, binary4 or binary8)", format);
        return MH_EINVAL;
    }
    if (o->nx < 1 || o->ny < 1 || o->nz < 1 || o->valuedim < 1 || o->valuedim > MH_OVF_MAX_DIM ||
        !o->data) {
        set_err(err, errlen, "bad field: %dx%dx%d, valuedim %d", o->nx, o->ny, o->nz, o->valuedim);
        return MH_EINVAL;
    }
    double geo[6] = {o->dx, o->dy, o->dz, o->xbase, o->ybase, o->zbase};
    for (int a = 0; a < 6; a++)
        if (!isfinite(geo[a]) || (a < 3 && !(geo[a] > 0))) {
            set_err(err, errlen, "bad mesh: cell size %g x %g x %g, base %g %g %g", o->dx, o->dy,
                    o->dz, o->xbase, o->ybase, o->zbase);
            return MH_EINVAL;
        }
    int nodes[3] = {o->nx, o->ny, o->nz};
    for (int a = 0; a < 3; a++)
        if (!isfinite(geo[a + 3] - 0.5 * geo[a] + nodes[a] * geo[a])) {
            set_err(err, errlen, "bad mesh: %cmax overflows", "xyz"[a]);
            return MH_EINVAL;
        }
    size_t total = (size_t)o->nx * (size_t)o->ny * (size_t)o->nz * (size_t)o->valuedim;
    for (size_t i = 0; i < total; i++)
        if (!isfinite(o->data[i])) {
            set_err(err, errlen, "data value %zu is not finite", i);
            return MH_EINVAL;
        }
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    if (!tmp) {
        set_err(err, errlen, "out of memory");
        return MH_ENOMEM;
    }
    snprintf(tmp, plen + 16, "%s.tmp~", path);
    FILE *fp = fopen(tmp, "wb");
    if (!fp) {
        set_err(err, errlen, "%s: %s", tmp, strerror(errno));
        free(tmp);
        return MH_EIO;
    }
    int ok = write_body(fp, o, bytes);
    ok = (fclose(fp) == 0) && ok;
    if (ok && rename(tmp, path) != 0) {
        set_err(err, errlen, "%s: %s", path, strerror(errno));
        remove(tmp);
        free(tmp);
        return MH_EIO;
    }
    if (!ok) {
        set_err(err, errlen, "%s: write failed", tmp);
        remove(tmp);
        free(tmp);
        return MH_EIO;
    }
    free(tmp);
    return MH_OK;
}
