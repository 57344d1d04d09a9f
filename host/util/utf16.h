/* utf16.h - the runtime speaks UTF-16 (16-bit WCHAR on every platform);
 * everything inside the host is UTF-8. */
#ifndef NRP_UTIL_UTF16_H
#define NRP_UTIL_UTF16_H

#include <stddef.h>
#include <stdint.h>

#include "nrp/result.h"

/* Convert n code units (stopping early at a NUL) to UTF-8 in out, always
 * NUL-terminated. Unpaired surrogates become U+FFFD. Returns the UTF-8 length,
 * truncated to cap-1 at a character boundary. */
size_t nrp_utf16_to_utf8(const uint16_t *s, size_t n, char *out, size_t cap);

/* Convert NUL-terminated UTF-8 to NUL-terminated UTF-16 in out (cap code
 * units). Returns NRP_ERROR when it does not fit or is not valid UTF-8. */
nrp_result nrp_utf8_to_utf16(const char *s, uint16_t *out, size_t cap);

#endif
