/* escape.h - text from files and metadata made safe to print on one line. */
#ifndef NRP_UTIL_ESCAPE_H
#define NRP_UTIL_ESCAPE_H

#include <stddef.h>

/* Copy src[0..len) to dst (cap bytes, NUL-terminated, cut short to fit),
 * writing control characters as \n, \r, \t or \xNN, so one message stays
 * one log line whatever a YAML key or a method name holds. Returns the
 * length written. */
size_t nrp_escape_controls(char *dst, size_t cap, const char *src, size_t len);

#endif
