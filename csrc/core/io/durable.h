/* durable.h — crash-safe result files for sweeps (pure C, POSIX).
 * A results file grows by whole lines: each append is one write(2) on an
 * O_APPEND descriptor followed by fsync(2), so a process killed at any
 * instant leaves the file ending in a complete line. Whole-file rewrites go
 * through a temporary file, fsync and rename(2), so readers see the old or
 * the new content, never a mix. */
#ifndef MH_DURABLE_H
#define MH_DURABLE_H

#include <stddef.h>

/* Append len bytes of buf (expected to end in '\n') to path, creating it
 * (mode 0644) when missing, and fsync it. Returns MH_OK or MH_EIO; on
 * MH_EIO, err (errlen bytes, may be NULL) receives "path: reason". A short
 * write (disk full) is undone by truncating back to the old length. */
int mh_append_durable(const char *path, const char *buf, size_t len, char *err, size_t errlen);

/* Replace path's content with len bytes of buf atomically: write
 * path.tmp.<pid>, fsync, rename over path, fsync the directory. Returns
 * MH_OK or MH_EIO (err as above; the temporary file is removed). */
int mh_write_durable(const char *path, const char *buf, size_t len, char *err, size_t errlen);

/* Format a progress line "sweep: 12/54 tasks (2 failed), 1m05s elapsed, ETA
 * 4m10s" into out. done/total count all tasks (including those finished by
 * earlier runs); ran is how many of them this run finished, in elapsed_s
 * seconds, which sets the rate for the ETA (none shown while ran is 0). */
void mh_progress_format(char *out, size_t n, long done, long total, long failed, long ran,
                        double elapsed_s);

#endif
