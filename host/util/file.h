/* file.h - the one whole-file reader of the host. */
#ifndef NRP_UTIL_FILE_H
#define NRP_UTIL_FILE_H

#include <stddef.h>

#include "nrp/result.h"

/* Read the file at path whole, at most `max` bytes, into a malloc'd buffer
 * (*data, *len bytes, followed by a NUL that *len does not count, so text
 * can be used as a string). NRP_OK; otherwise *data is NULL, *error holds
 * an errno value (EFBIG when the file is larger than max) and the result is
 * NRP_NOMEM (ENOMEM) or NRP_ERROR. Reads to the end rather than trusting
 * the size a stat reports, so files of /proc and pipes work too. */
nrp_result nrp_file_read(const char *path, size_t max, char **data, size_t *len, int *error);

#endif
