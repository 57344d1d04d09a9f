/* err.h - an error message a caller can show. Functions that fail return
 * NRP_ERROR (or NULL) and fill one of these with the reason. */
#ifndef NRP_UTIL_ERR_H
#define NRP_UTIL_ERR_H

#include <stddef.h>

#include "nrp/result.h"

typedef struct nrp_err {
    char msg[512];
} nrp_err;

/* Format the reason into err (err may be NULL) and return NRP_ERROR. */
nrp_result nrp_err_set(nrp_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Same, into a plain buffer, as plugins receive it. */
nrp_result nrp_err_setbuf(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
