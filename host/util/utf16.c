#include "util/utf16.h"

#include "nrp/result.h"

static size_t encode(uint32_t cp, char *o)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

size_t nrp_utf16_to_utf8(const uint16_t *s, size_t n, char *out, size_t cap)
{
    size_t len = 0;
    if (cap == 0)
        return 0;
    for (size_t i = 0; i < n && s[i]; i++) {
        uint32_t cp = s[i];
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < n && s[i + 1] >= 0xDC00 && s[i + 1] <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (s[i + 1] - 0xDC00);
            i++;
        } else if (cp >= 0xD800 && cp <= 0xDFFF) {
            cp = 0xFFFD;
        }
        char tmp[4];
        size_t k = encode(cp, tmp);
        if (len + k > cap - 1)
            break;
        for (size_t j = 0; j < k; j++)
            out[len++] = tmp[j];
    }
    out[len] = '\0';
    return len;
}

nrp_result nrp_utf8_to_utf16(const char *s, uint16_t *out, size_t cap)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0;
    while (*p) {
        uint32_t cp;
        int extra;
        if (*p < 0x80)
            cp = *p, extra = 0;
        else if ((*p & 0xE0) == 0xC0)
            cp = *p & 0x1F, extra = 1;
        else if ((*p & 0xF0) == 0xE0)
            cp = *p & 0x0F, extra = 2;
        else if ((*p & 0xF8) == 0xF0)
            cp = *p & 0x07, extra = 3;
        else
            return NRP_ERROR;
        p++;
        for (int i = 0; i < extra; i++, p++) {
            if ((*p & 0xC0) != 0x80)
                return NRP_ERROR;
            cp = cp << 6 | (*p & 0x3F);
        }
        if (cp >= 0x10000) {
            if (n + 2 >= cap)
                return NRP_ERROR;
            cp -= 0x10000;
            out[n++] = (uint16_t)(0xD800 | cp >> 10);
            out[n++] = (uint16_t)(0xDC00 | (cp & 0x3FF));
        } else {
            if (n + 1 >= cap)
                return NRP_ERROR;
            out[n++] = (uint16_t)cp;
        }
    }
    if (n >= cap)
        return NRP_ERROR;
    out[n] = 0;
    return NRP_OK;
}
