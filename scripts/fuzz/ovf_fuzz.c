/* ovf_fuzz.c — libFuzzer harness for the OVF reader (make fuzz).
 * Any input must give MH_OK or an error code with a message; on MH_OK the
 * result is also written back and re-read to exercise the writer. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ovf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mh_ovf o;
    char err[256];
    int st = mh_ovf_read_mem(data, size, &o, err, sizeof err);
    if (st != MH_OK) {
        if (!err[0])
            abort(); /* every failure must explain itself */
        return 0;
    }
    size_t n = (size_t)o.nx * (size_t)o.ny * (size_t)o.nz;
    if (n * (size_t)o.valuedim <= 4096) {
        char path[64];
        snprintf(path, sizeof path, "/tmp/ovf_fuzz_%d.ovf", (int)getpid());
        if (mh_ovf_write(path, &o, "binary8", err, sizeof err) == MH_OK) {
            mh_ovf b;
            if (mh_ovf_read(path, &b, err, sizeof err) != MH_OK)
                abort(); /* what we write we must read */
            if (memcmp(b.data, o.data, n * (size_t)o.valuedim * sizeof(double)))
                abort();
            mh_ovf_clear(&b);
        }
        remove(path);
    }
    mh_ovf_clear(&o);
    return 0;
}
