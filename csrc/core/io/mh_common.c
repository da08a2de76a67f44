/* mh_common.c — status code texts. */
#include "mh_common.h"

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
