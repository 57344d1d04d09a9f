/* hash.h - the host's one hash, for hash tables keyed by names or blobs:
 * FNV-1a, 64 bits. Not for keys an attacker must not be able to collide. */
#ifndef NRP_UTIL_HASH_H
#define NRP_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define NRP_HASH_INIT 14695981039346656037ull

/* Fold the string s (NULL counts as empty) into h, then one separator byte,
 * so hashing ("ab", "c") and ("a", "bc") in turn gives different values. */
static inline uint64_t nrp_hash_str(uint64_t h, const char *s)
{
    for (; s && *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return (h ^ 0xFFu) * 1099511628211ull;
}

/* nrp_hash_str with ASCII letters folded to lower case: for names compared
 * without case (assembly names, as the runtime's binder compares them). */
static inline uint64_t nrp_hash_str_nocase(uint64_t h, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        h = (h ^ (c >= 'A' && c <= 'Z' ? c + 32u : c)) * 1099511628211ull;
    }
    return (h ^ 0xFFu) * 1099511628211ull;
}

/* Fold n bytes into h: for keys that are blobs, not strings. */
static inline uint64_t nrp_hash_bytes(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

/* Fold n bytes into h eight at a time: for long blobs (an export's whole
 * text, megabytes for thousands of methods), about eight times faster than
 * nrp_hash_bytes, with the same use: telling blobs apart, not defending
 * against chosen collisions. */
static inline uint64_t nrp_hash_words(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, sizeof w);
        h = (h ^ w) * 1099511628211ull;
        h ^= h >> 29;
    }
    return nrp_hash_bytes(h ^ n, p + i, n - i);
}

#endif
