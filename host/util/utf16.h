/* utf16.h - the runtime speaks UTF-16 (16-bit WCHAR on every platform);
 * everything inside the host is UTF-8. */
#ifndef NRP_UTIL_UTF16_H
#define NRP_UTIL_UTF16_H

#include <stddef.h>
#include <stdint.h>

/* Convert n code units (stopping early at a NUL) to UTF-8 in out, always
 * NUL-terminated. Unpaired surrogates become U+FFFD. Returns the UTF-8 length,
 * truncated to cap-1 at a character boundary. */
size_t nrp_utf16_to_utf8(const uint16_t *s, size_t n, char *out, size_t cap);

#endif
