#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>

#include "nrp/result.h"

nrp_result nrp_err_set(nrp_err *err, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return NRP_ERROR;
}

nrp_result nrp_err_setbuf(char *buf, size_t cap, const char *fmt, ...)
{
    if (buf && cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, cap, fmt, ap);
        va_end(ap);
    }
    return NRP_ERROR;
}
