/* mh_common.c — status code texts; parent folders of output files. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mh_common.h"

int mh_mkdir_parents(const char *path)
{
    size_t len = strlen(path);
    char *dir = malloc(len + 1);
    if (!dir)
        return MH_ENOMEM;
    memcpy(dir, path, len + 1);
    char *slash = strrchr(dir, '/');
    int st = MH_OK;
    if (slash && slash != dir) {
        *slash = '\0';
        for (char *p = dir + 1; *p && st == MH_OK; p++) {
            if (*p != '/')
                continue;
            *p = '\0';
            if (mkdir(dir, 0777) != 0 && errno != EEXIST)
                st = MH_EIO;
            *p = '/';
        }
        if (st == MH_OK && mkdir(dir, 0777) != 0 && errno != EEXIST)
            st = MH_EIO;
        if (st == MH_OK) {
            struct stat sb;
            if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
                errno = ENOTDIR;
                st = MH_EIO;
            }
        }
    }
    free(dir);
    return st;
}

const char *mh_strerror(int status)
{
    switch (status) {
    case MH_OK: return "ok";
    case MH_ENOMEM: return "out of memory";
    case MH_EINVAL: return "invalid argument";
    case MH_ESINGULAR: return "singular system";
    case MH_ENOCONV: return "no convergence";
    case MH_EIO: return "input/output error";
    case MH_EFORMAT: return "malformed file";
    case MH_ERANGE: return "value outside the range of double precision";
    default: return "unknown error";
    }
}
