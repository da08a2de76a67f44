/* durable.c — crash-safe appends and atomic rewrites (see durable.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "durable.h"
#include "mh_common.h"

static int fail(char *err, size_t errlen, const char *path, const char *what, int code)
{
    if (err && errlen)
        snprintf(err, errlen, "%s: %s (%s)", path, strerror(code), what);
    return MH_EIO;
}

static int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, buf, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        buf += w;
        len -= (size_t)w;
    }
    return 0;
}

int mh_append_durable(const char *path, const char *buf, size_t len, char *err, size_t errlen)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return fail(err, errlen, path, "open for append", errno);
    struct stat st;
    off_t old = fstat(fd, &st) == 0 ? st.st_size : -1;
    if (write_all(fd, buf, len) != 0) {
        int code = errno;
        if (old >= 0 && ftruncate(fd, old) != 0) { /* best effort: keep whole lines */
        }
        close(fd);
        return fail(err, errlen, path, "write", code);
    }
    if (fsync(fd) != 0) {
        int code = errno;
        close(fd);
        return fail(err, errlen, path, "fsync", code);
    }
    if (close(fd) != 0)
        return fail(err, errlen, path, "close", errno);
    return MH_OK;
}

static void fsync_dir(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash) {
        strcpy(dir, ".");
    } else {
        size_t n = (size_t)(slash - path);
        if (n == 0)
            n = 1;
        if (n >= sizeof dir)
            return;
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd); /* durability of the rename; not all filesystems allow it */
        close(fd);
    }
}

int mh_write_durable(const char *path, const char *buf, size_t len, char *err, size_t errlen)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 32);
    if (!tmp)
        return fail(err, errlen, path, "out of memory", ENOMEM);
    snprintf(tmp, plen + 32, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        int code = errno;
        free(tmp);
        return fail(err, errlen, path, "create temporary file", code);
    }
    const char *what = NULL;
    if (write_all(fd, buf, len) != 0)
        what = "write";
    else if (fsync(fd) != 0)
        what = "fsync";
    int code = errno;
    if (close(fd) != 0 && !what) {
        what = "close";
        code = errno;
    }
    if (!what && rename(tmp, path) != 0) {
        what = "rename";
        code = errno;
    }
    if (what) {
        unlink(tmp);
        free(tmp);
        return fail(err, errlen, path, what, code);
    }
    free(tmp);
    fsync_dir(path);
    return MH_OK;
}

static void fmt_duration(char *out, size_t n, double s)
{
    long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(out, n, "%ldh%02ldm", t / 3600, (t / 60) % 60);
    else if (t >= 60)
        snprintf(out, n, "%ldm%02lds", t / 60, t % 60);
    else
        snprintf(out, n, "%lds", t);
}

void mh_progress_format(char *out, size_t n, long done, long total, long failed, long ran,
                        double elapsed_s)
{
    char el[32], eta[32];
    fmt_duration(el, sizeof el, elapsed_s);
    int k = snprintf(out, n, "sweep: %ld/%ld tasks", done, total);
    if (k < 0 || (size_t)k >= n)
        return;
    if (failed > 0)
        k += snprintf(out + k, n - (size_t)k, " (%ld failed)", failed);
    if ((size_t)k >= n)
        return;
    k += snprintf(out + k, n - (size_t)k, ", %s elapsed", el);
    if ((size_t)k >= n)
        return;
    if (ran > 0 && done < total) {
        fmt_duration(eta, sizeof eta, elapsed_s / (double)ran * (double)(total - done));
        snprintf(out + k, n - (size_t)k, ", ETA %s", eta);
    }
}
