/*
 * r2r.c - a ReadyToRun image's own index of its types.
 *
 * A ReadyToRun image (every assembly of the shared framework, and any app
 * published with PublishReadyToRun) carries, for the runtime's class
 * loader, a hashtable of the types it defines and forwards, keyed by a hash
 * of their names: the AvailableTypes section (108) of the ReadyToRun header
 * that the CLI header's ManagedNativeHeader directory points at. Asking it
 * whether the file defines a type reads a few dozen bytes, where looking
 * through the TypeDef table reads the namespace of every type (CoreLib:
 * some forty reads of its #Strings heap).
 *
 * The formats, from the runtime (readytorun.h, nativeformatreader.h,
 * typehashingalgorithms.h, versionresilienthashcode.cpp):
 * - the hashtable: one byte, the bucket count's log2 << 2 | the size code
 *   of the bucket offsets (1, 2 or 4 bytes); then bucket_count + 1 such
 *   offsets, from the byte after that header; a bucket's entries are each
 *   the hash's low byte and a signed relative offset to the entry's value,
 *   in ascending order of that byte. A bucket is chosen by hash >> 8.
 * - a value: an unsigned integer, rid << 1 for a TypeDef, | 1 for an
 *   ExportedType (a forwarder, which this file does not define).
 * - integers: the low bits of the first byte say the length (x0: 1 byte,
 *   x01: 2, x011: 3, x0111: 4, 01111: 4 more bytes); signed ones extend
 *   the sign of their last byte.
 * - a top-level type's hash: name_hash(namespace) ^ name_hash(name), over
 *   the UTF-8 bytes (nrp_meta_r2r_name_hash).
 * Anything malformed makes the lookup say "no table": the caller then
 * looks through the TypeDef table as it would for an IL-only file.
 */
#include <string.h>

#include "meta/meta_internal.h"

#define SECTION_AVAILABLE_TYPES 108u
#define R2R_SIGNATURE 0x00525452u /* "RTR" */
#define R2R_HEADER 16u
#define R2R_SECTION 12u
#define MAX_SECTIONS 256u

static uint32_t rotl(uint32_t v, unsigned n)
{
    return v << n | v >> (32 - n);
}

uint32_t nrp_meta_r2r_name_hash(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    uint32_t h1 = 0x6DA3B944u, h2 = 0;
    /* Bytes are signed chars in the runtime's sum. */
    for (size_t i = 0; i < n; i += 2) {
        h1 = (h1 + rotl(h1, 5)) ^ (uint32_t)(int32_t)(signed char)s[i];
        if (i + 1 == n)
            break;
        h2 = (h2 + rotl(h2, 5)) ^ (uint32_t)(int32_t)(signed char)s[i + 1];
    }
    h1 += rotl(h1, 8);
    h2 += rotl(h2, 8);
    return h1 ^ h2;
}

/* ---- reading the section --------------------------------------------------- */

/* A view of the AvailableTypes section: [at, at + len) of the file or of
 * the reader's bytes. */
typedef struct table_view {
    const nrp_meta *m;
    uint64_t at;
    uint32_t len;
} table_view;

/* n bytes at offset off of the section, or NULL when they run past it or
 * cannot be read. */
static const uint8_t *bytes_at(const table_view *t, uint32_t off, uint32_t n)
{
    return nrp_meta_range_bytes(t->m, t->at, t->len, off, n);
}

/* The length of the integer whose first byte is b (1 to 5, 9), or 0. */
static uint32_t integer_length(uint8_t b)
{
    uint32_t n = 1;
    for (unsigned bit = 1; bit <= 32 && (b & bit); bit <<= 1)
        n++;
    return n <= 5 ? n : n == 6 ? 9 : 0;
}

/* The integer at *off (advanced past it); signed ones are sign-extended.
 * NRP_ERROR for a 9-byte one (no offset or rid is that large) or one past
 * the section. */
static nrp_result read_integer(const table_view *t, uint32_t *off, int is_signed, uint32_t *out)
{
    const uint8_t *p = bytes_at(t, *off, 1);
    uint32_t n = p ? integer_length(p[0]) : 0;
    if (n == 0 || n > 5 || !(p = bytes_at(t, *off, n)))
        return NRP_ERROR;
    uint32_t v;
    if (n == 5) {
        v = u32_at(p + 1);
    } else {
        uint64_t raw = 0;
        for (uint32_t i = 0; i < n; i++)
            raw |= (uint64_t)p[i] << (8 * i);
        unsigned bits = 8 * n - n; /* the length code takes n bits */
        v = (uint32_t)(raw >> n);
        if (is_signed && (v >> (bits - 1) & 1))
            v |= ~0u << bits;
    }
    *off += n;
    *out = v;
    return NRP_OK;
}

/* Where the section is, looked for once: 1, or -1 when the file has none. */
static int find_table(nrp_meta *m)
{
    if (m->types_state)
        return m->types_state;
    m->types_state = -1;
    if (m->r2r_len < R2R_HEADER)
        return -1;
    uint32_t len = m->r2r_len < R2R_HEADER + R2R_SECTION * MAX_SECTIONS ? m->r2r_len
                                                                       : R2R_HEADER + R2R_SECTION * MAX_SECTIONS;
    uint64_t at;
    nrp_err ignored;
    if (nrp_meta_rva_at(m, m->r2r_rva, len, &at, &ignored) != NRP_OK)
        return -1;
    table_view header = {m, at, len};
    const uint8_t *h = bytes_at(&header, 0, R2R_HEADER);
    if (!h || u32_at(h) != R2R_SIGNATURE)
        return -1;
    uint32_t sections = u32_at(h + 12);
    for (uint32_t i = 0; i < sections; i++) {
        const uint8_t *s = bytes_at(&header, R2R_HEADER + R2R_SECTION * i, R2R_SECTION);
        if (!s)
            return -1;
        if (u32_at(s) != SECTION_AVAILABLE_TYPES)
            continue;
        uint32_t rva = u32_at(s + 4), size = u32_at(s + 8);
        if (size < 2 || nrp_meta_rva_at(m, rva, size, &m->types_at, &ignored) != NRP_OK)
            return -1;
        m->types_len = size;
        return m->types_state = 1;
    }
    return -1;
}

int nrp_meta_r2r_type_rows(nrp_meta *m, uint32_t hash, uint32_t *rows, int cap)
{
    if (find_table(m) != 1)
        return -1;
    table_view t = {m, m->types_at, m->types_len};
    const uint8_t *p = bytes_at(&t, 0, 1);
    if (!p)
        return -1;
    unsigned shift = p[0] >> 2, size_code = p[0] & 3;
    if (shift > 31 || size_code > 2)
        return -1;
    uint32_t entry_size = 1u << size_code, bucket = (hash >> 8) & ((1u << shift) - 1);
    const uint8_t *b = bytes_at(&t, 1 + bucket * entry_size, 2 * entry_size);
    if (!b)
        return -1;
    uint32_t start = entry_size == 1 ? b[0] : entry_size == 2 ? u16_at(b) : u32_at(b);
    uint32_t end = entry_size == 1 ? b[1] : entry_size == 2 ? u16_at(b + 2) : u32_at(b + 4);
    if (start > end || end > t.len - 1)
        return -1;
    uint32_t off = 1 + start, stop = 1 + end;
    uint8_t low = (uint8_t)hash;
    int count = 0;
    while (off < stop) {
        const uint8_t *entry = bytes_at(&t, off, 1);
        if (!entry)
            return -1;
        off++;
        if (*entry > low)
            break; /* ascending: no more of ours */
        uint32_t from = off, delta, value;
        if (read_integer(&t, &off, 1, &delta) != NRP_OK)
            return -1;
        if (*entry < low)
            continue;
        uint32_t target = from + delta; /* relative to where the offset starts; wraps for a negative one */
        if (read_integer(&t, &target, 0, &value) != NRP_OK)
            return -1;
        if (!(value & 1) && count < cap)
            rows[count++] = value >> 1;
    }
    return count;
}
