#include "util/escape.h"

#include <stdio.h>

size_t nrp_escape_controls(char *dst, size_t cap, const char *src, size_t len)
{
    size_t n = 0;
    if (cap == 0)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)src[i];
        char esc[5];
        size_t w;
        if (c >= 0x20 && c != 0x7F) {
            esc[0] = (char)c;
            w = 1;
        } else if (c == '\n' || c == '\r' || c == '\t') {
            esc[0] = '\\';
            esc[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
            w = 2;
        } else {
            w = (size_t)snprintf(esc, sizeof esc, "\\x%02x", c);
        }
        if (n + w >= cap)
            break; /* an escape is never cut in half */
        for (size_t k = 0; k < w; k++)
            dst[n++] = esc[k];
    }
    dst[n] = '\0';
    return n;
}
