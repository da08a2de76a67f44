/* vtk.c — VTK legacy STRUCTURED_POINTS writer (see vtk.h). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mh_common.h"
#include "vtk.h"

static void set_err(char *err, size_t errlen, const char *path, const char *why)
{
    if (err && errlen)
        snprintf(err, errlen, "%s: %s", path, why);
}

static void put_be_double(unsigned char *out, double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    for (int b = 0; b < 8; b++)
        out[b] = (unsigned char)(u >> (56 - 8 * b));
}

int mh_vtk_write(const char *path, int nx, int ny, int nz, int ncomp, double dx, double dy,
                 double dz, const double *data, const char *name, int binary, const char *title,
                 char *err, size_t errlen)
{
    if (nx < 1 || ny < 1 || nz < 1 || (ncomp != 1 && ncomp != 3) || !(dx > 0) || !(dy > 0) ||
        !(dz > 0) || !name || !name[0] || strpbrk(name, " \t\r\n")) {
        set_err(err, errlen, path, "bad grid, component count (1 or 3) or name (no spaces)");
        return MH_EINVAL;
    }
    if (mh_mkdir_parents(path) != MH_OK) {
        set_err(err, errlen, path, strerror(errno));
        return MH_EIO;
    }
    FILE *fp = fopen(path, "wb");
    if (!fp) {
        set_err(err, errlen, path, strerror(errno));
        return MH_EIO;
    }
    size_t n = (size_t)nx * (size_t)ny * (size_t)nz;
    /* the title line: at most 255 characters, no line break */
    char line[256];
    snprintf(line, sizeof line, "%s", title && title[0] ? title : "maghop field");
    line[strcspn(line, "\r\n")] = '\0';
    fprintf(fp, "# vtk DataFile Version 3.0\n%s\n%s\nDATASET STRUCTURED_POINTS\n", line,
            binary ? "BINARY" : "ASCII");
    fprintf(fp, "DIMENSIONS %d %d %d\nORIGIN %.17g %.17g %.17g\nSPACING %.17g %.17g %.17g\n", nx, ny,
            nz, dx / 2, dy / 2, dz / 2, dx, dy, dz);
    fprintf(fp, "POINT_DATA %zu\n", n);
    if (ncomp == 1)
        fprintf(fp, "SCALARS %s double 1\nLOOKUP_TABLE default\n", name);
    else
        fprintf(fp, "VECTORS %s double\n", name);
    for (size_t c = 0; c < n; c++) {
        if (binary) {
            unsigned char buf[24];
            for (int q = 0; q < ncomp; q++)
                put_be_double(buf + 8 * q, data[c + (size_t)q * n]);
            fwrite(buf, 8, (size_t)ncomp, fp);
        } else if (ncomp == 1) {
            fprintf(fp, "%.17g\n", data[c]);
        } else {
            fprintf(fp, "%.17g %.17g %.17g\n", data[c], data[c + n], data[c + 2 * n]);
        }
    }
    if (binary)
        fputc('\n', fp);
    int bad = ferror(fp);
    if (fclose(fp) != 0 || bad) {
        set_err(err, errlen, path, "write failed (disk full?)");
        remove(path);
        return MH_EIO;
    }
    return MH_OK;
}
