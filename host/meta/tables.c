/*
 * tables.c - the tables stream: the schema of every table (ECMA-335
 * II.22), their layout from the row counts and index sizes, and the heaps
 * their cells point into.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "meta/meta_internal.h"
#include "nrp/result.h"

/* Tokens keep a row in 24 bits. */
#define MAX_ROWS 0x00FFFFFFu

/* ---- the table schema (ECMA-335 II.22) ------------------------------------ */

/* Column kinds: fixed sizes, heap indexes, simple indexes into table t
 * (TBL(t)) and coded indexes of kind k (CODED(k)). 0 ends a row. */
enum { U16 = 1, U32, STR, GUID, BLOB };
#define TBL(t) (0x40 | (t))
#define CODED(k) (0x80 | (k))
#define IS_TBL(c) (((c) & 0xC0) == 0x40)
#define IS_CODED(c) (((c) & 0x80) != 0)

#define NONE 0xFF /* a tag no table uses */

/* II.24.2.6: the tag bits and the tables, in tag order. */
static const struct coded_index {
    uint8_t bits;
    uint8_t count;
    uint8_t tables[22];
} coded[CODED_KINDS] = {
    [TYPE_DEF_OR_REF] = {2, 3, {NRP_META_TYPEDEF, NRP_META_TYPEREF, NRP_META_TYPESPEC}},
    [HAS_CONSTANT] = {2, 3, {NRP_META_FIELD, NRP_META_PARAM, NRP_META_PROPERTY}},
    [HAS_CUSTOM_ATTRIBUTE] = {5, 22, {NRP_META_METHODDEF, NRP_META_FIELD, NRP_META_TYPEREF, NRP_META_TYPEDEF,
                                      NRP_META_PARAM, NRP_META_INTERFACEIMPL, NRP_META_MEMBERREF, NRP_META_MODULE,
                                      NRP_META_DECLSECURITY, NRP_META_PROPERTY, NRP_META_EVENT,
                                      NRP_META_STANDALONESIG, NRP_META_MODULEREF, NRP_META_TYPESPEC,
                                      NRP_META_ASSEMBLY, NRP_META_ASSEMBLYREF, NRP_META_FILE, NRP_META_EXPORTEDTYPE,
                                      NRP_META_MANIFESTRESOURCE, NRP_META_GENERICPARAM,
                                      NRP_META_GENERICPARAMCONSTRAINT, NRP_META_METHODSPEC}},
    [HAS_FIELD_MARSHAL] = {1, 2, {NRP_META_FIELD, NRP_META_PARAM}},
    [HAS_DECL_SECURITY] = {2, 3, {NRP_META_TYPEDEF, NRP_META_METHODDEF, NRP_META_ASSEMBLY}},
    [MEMBER_REF_PARENT] = {3, 5, {NRP_META_TYPEDEF, NRP_META_TYPEREF, NRP_META_MODULEREF, NRP_META_METHODDEF,
                                  NRP_META_TYPESPEC}},
    [HAS_SEMANTICS] = {1, 2, {NRP_META_EVENT, NRP_META_PROPERTY}},
    [METHOD_DEF_OR_REF] = {1, 2, {NRP_META_METHODDEF, NRP_META_MEMBERREF}},
    [MEMBER_FORWARDED] = {1, 2, {NRP_META_FIELD, NRP_META_METHODDEF}},
    [IMPLEMENTATION] = {2, 3, {NRP_META_FILE, NRP_META_ASSEMBLYREF, NRP_META_EXPORTEDTYPE}},
    /* Tags 0, 1 and 4 are reserved; they count as empty tables for the size. */
    [CUSTOM_ATTRIBUTE_TYPE] = {3, 5, {NONE, NONE, NRP_META_METHODDEF, NRP_META_MEMBERREF, NONE}},
    [RESOLUTION_SCOPE] = {2, 4, {NRP_META_MODULE, NRP_META_MODULEREF, NRP_META_ASSEMBLYREF, NRP_META_TYPEREF}},
    [TYPE_OR_METHOD_DEF] = {1, 2, {NRP_META_TYPEDEF, NRP_META_METHODDEF}},
};

/* The columns of every table, in order. Constant's Type is a byte and a
 * padding byte: one U16. */
static const uint8_t schema[NRP_META_TABLE_COUNT][MAX_COLS + 1] = {
    [NRP_META_MODULE] = {U16, STR, GUID, GUID, GUID},
    [NRP_META_TYPEREF] = {CODED(RESOLUTION_SCOPE), STR, STR},
    [NRP_META_TYPEDEF] = {U32, STR, STR, CODED(TYPE_DEF_OR_REF), TBL(NRP_META_FIELD), TBL(NRP_META_METHODDEF)},
    [NRP_META_FIELDPTR] = {TBL(NRP_META_FIELD)},
    [NRP_META_FIELD] = {U16, STR, BLOB},
    [NRP_META_METHODPTR] = {TBL(NRP_META_METHODDEF)},
    [NRP_META_METHODDEF] = {U32, U16, U16, STR, BLOB, TBL(NRP_META_PARAM)},
    [NRP_META_PARAMPTR] = {TBL(NRP_META_PARAM)},
    [NRP_META_PARAM] = {U16, U16, STR},
    [NRP_META_INTERFACEIMPL] = {TBL(NRP_META_TYPEDEF), CODED(TYPE_DEF_OR_REF)},
    [NRP_META_MEMBERREF] = {CODED(MEMBER_REF_PARENT), STR, BLOB},
    [NRP_META_CONSTANT] = {U16, CODED(HAS_CONSTANT), BLOB},
    [NRP_META_CUSTOMATTRIBUTE] = {CODED(HAS_CUSTOM_ATTRIBUTE), CODED(CUSTOM_ATTRIBUTE_TYPE), BLOB},
    [NRP_META_FIELDMARSHAL] = {CODED(HAS_FIELD_MARSHAL), BLOB},
    [NRP_META_DECLSECURITY] = {U16, CODED(HAS_DECL_SECURITY), BLOB},
    [NRP_META_CLASSLAYOUT] = {U16, U32, TBL(NRP_META_TYPEDEF)},
    [NRP_META_FIELDLAYOUT] = {U32, TBL(NRP_META_FIELD)},
    [NRP_META_STANDALONESIG] = {BLOB},
    [NRP_META_EVENTMAP] = {TBL(NRP_META_TYPEDEF), TBL(NRP_META_EVENT)},
    [NRP_META_EVENTPTR] = {TBL(NRP_META_EVENT)},
    [NRP_META_EVENT] = {U16, STR, CODED(TYPE_DEF_OR_REF)},
    [NRP_META_PROPERTYMAP] = {TBL(NRP_META_TYPEDEF), TBL(NRP_META_PROPERTY)},
    [NRP_META_PROPERTYPTR] = {TBL(NRP_META_PROPERTY)},
    [NRP_META_PROPERTY] = {U16, STR, BLOB},
    [NRP_META_METHODSEMANTICS] = {U16, TBL(NRP_META_METHODDEF), CODED(HAS_SEMANTICS)},
    [NRP_META_METHODIMPL] = {TBL(NRP_META_TYPEDEF), CODED(METHOD_DEF_OR_REF), CODED(METHOD_DEF_OR_REF)},
    [NRP_META_MODULEREF] = {STR},
    [NRP_META_TYPESPEC] = {BLOB},
    [NRP_META_IMPLMAP] = {U16, CODED(MEMBER_FORWARDED), STR, TBL(NRP_META_MODULEREF)},
    [NRP_META_FIELDRVA] = {U32, TBL(NRP_META_FIELD)},
    [NRP_META_ENCLOG] = {U32, U32},
    [NRP_META_ENCMAP] = {U32},
    [NRP_META_ASSEMBLY] = {U32, U16, U16, U16, U16, U32, BLOB, STR, STR},
    [NRP_META_ASSEMBLYPROCESSOR] = {U32},
    [NRP_META_ASSEMBLYOS] = {U32, U32, U32},
    [NRP_META_ASSEMBLYREF] = {U16, U16, U16, U16, U32, BLOB, STR, STR, BLOB},
    [NRP_META_ASSEMBLYREFPROCESSOR] = {U32, TBL(NRP_META_ASSEMBLYREF)},
    [NRP_META_ASSEMBLYREFOS] = {U32, U32, U32, TBL(NRP_META_ASSEMBLYREF)},
    [NRP_META_FILE] = {U32, STR, BLOB},
    [NRP_META_EXPORTEDTYPE] = {U32, U32, STR, STR, CODED(IMPLEMENTATION)},
    [NRP_META_MANIFESTRESOURCE] = {U32, U32, STR, CODED(IMPLEMENTATION)},
    [NRP_META_NESTEDCLASS] = {TBL(NRP_META_TYPEDEF), TBL(NRP_META_TYPEDEF)},
    [NRP_META_GENERICPARAM] = {U16, U16, CODED(TYPE_OR_METHOD_DEF), STR},
    [NRP_META_METHODSPEC] = {CODED(METHOD_DEF_OR_REF), BLOB},
    [NRP_META_GENERICPARAMCONSTRAINT] = {TBL(NRP_META_GENERICPARAM), CODED(TYPE_DEF_OR_REF)},
};

/* HeapSizes bits of the tables stream (II.24.2.6), and the runtime's
 * "extra data" bit: a 4-byte field after the row counts. */
#define HEAP_STRING_4 0x01u
#define HEAP_GUID_4 0x02u
#define HEAP_BLOB_4 0x04u
#define HEAP_EXTRA_DATA 0x40u

/* ---- the tables stream (II.24.2.6) ---------------------------------------- */

static uint32_t coded_size(const nrp_meta *m, unsigned kind)
{
    const struct coded_index *c = &coded[kind];
    uint32_t max = 0;
    for (unsigned i = 0; i < c->count; i++)
        if (c->tables[i] != NONE && m->rows[c->tables[i]] > max)
            max = m->rows[c->tables[i]];
    return max < (1u << (16 - c->bits)) ? 2 : 4;
}

static uint32_t column_size(const nrp_meta *m, uint8_t c)
{
    if (IS_CODED(c))
        return coded_size(m, c & 0x7F);
    if (IS_TBL(c))
        return m->rows[c & 0x3F] > 0xFFFF ? 4 : 2;
    switch (c) {
    case U16: return 2;
    case U32: return 4;
    case STR: return m->heap_sizes & HEAP_STRING_4 ? 4 : 2;
    case GUID: return m->heap_sizes & HEAP_GUID_4 ? 4 : 2;
    default: return m->heap_sizes & HEAP_BLOB_4 ? 4 : 2; /* BLOB */
    }
}

nrp_result nrp_meta_lay_out_tables(nrp_meta *m, const uint8_t *header, size_t header_len, uint32_t stream_len,
                                   uint32_t offset[NRP_META_TABLE_COUNT], nrp_err *err)
{
    if (stream_len < 24 || header_len < 24)
        return nrp_err_set(err, "table stream of %u bytes is too small", stream_len);
    m->heap_sizes = header[6];
    m->sorted = (uint64_t)u32_at(header + 16) | (uint64_t)u32_at(header + 20) << 32;
    uint64_t valid = (uint64_t)u32_at(header + 8) | (uint64_t)u32_at(header + 12) << 32;
    uint64_t at = 24;
    for (unsigned i = 0; i < 64; i++) {
        if (!(valid >> i & 1))
            continue;
        if (i >= NRP_META_TABLE_COUNT)
            return nrp_err_set(err, "metadata has table 0x%02x, which no assembly has", i);
        if (!fits(header_len, at, 4) || !fits(stream_len, at, 4))
            return nrp_err_set(err, "table row counts truncated");
        m->rows[i] = u32_at(header + at);
        if (m->rows[i] > MAX_ROWS)
            return nrp_err_set(err, "table 0x%02x claims %u rows", i, m->rows[i]);
        at += 4;
    }
    if (m->heap_sizes & HEAP_EXTRA_DATA)
        at += 4;
    for (unsigned i = 0; i < NRP_META_TABLE_COUNT; i++) {
        uint32_t off = 0;
        for (unsigned c = 0; c < MAX_COLS && schema[i][c]; c++) {
            m->col_off[i][c] = (uint8_t)off;
            m->col_size[i][c] = (uint8_t)column_size(m, schema[i][c]);
            off += m->col_size[i][c];
        }
        m->row_size[i] = off;
        uint64_t bytes = (uint64_t)off * m->rows[i];
        if (!fits(stream_len, at, bytes))
            return nrp_err_set(err, "table 0x%02x (%u rows of %u bytes) runs past the table stream", i, m->rows[i],
                               off);
        offset[i] = (uint32_t)at;
        at += bytes;
    }
    return NRP_OK;
}

nrp_result nrp_meta_read_tables(nrp_meta *m, span t, nrp_err *err)
{
    uint32_t offset[NRP_META_TABLE_COUNT];
    if (nrp_meta_lay_out_tables(m, t.p, t.len, t.len, offset, err) != NRP_OK)
        return NRP_ERROR;
    for (unsigned i = 0; i < NRP_META_TABLE_COUNT; i++)
        m->table[i] = t.p + offset[i];
    m->tables = t;
    return NRP_OK;
}

uint32_t nrp_meta_row_count(const nrp_meta *m, unsigned table)
{
    return table < NRP_META_TABLE_COUNT ? m->rows[table] : 0;
}

/* A coded index as a token; 0 for a tag no table uses. */
uint32_t nrp_meta_coded_token(unsigned kind, uint32_t value)
{
    const struct coded_index *c = &coded[kind];
    uint32_t tag = value & ((1u << c->bits) - 1);
    if (tag >= c->count || c->tables[tag] == NONE)
        return 0;
    return (uint32_t)c->tables[tag] << 24 | value >> c->bits;
}

uint32_t nrp_meta_coded_value(unsigned kind, uint32_t token)
{
    const struct coded_index *c = &coded[kind];
    uint32_t row = token & 0x00FFFFFFu;
    for (unsigned tag = 0; tag < c->count; tag++)
        if (c->tables[tag] == token >> 24 && row < (1u << (32 - c->bits)))
            return row << c->bits | tag;
    return UINT32_MAX;
}

/* ---- heap entries of a sparse reader --------------------------------------- */

/* Heap entries are read in aligned blocks of this many bytes, and a heap
 * of at most SPARSE_WHOLE bytes at once: the entries one module's load
 * needs (its references' names, its types' namespaces) are tens, and a
 * read costs microseconds on a VM, where the bytes copied cost little. */
#define SPARSE_BLOCK 1024u
#define SPARSE_WHOLE (64u << 10)

/* A piece of the file holding [heap_at + index, + len) of a heap of
 * heap_len bytes at heap_at, read before or now: exactly that extent (block
 * 0), or the aligned blocks around it (2), or those or the whole heap when
 * it is small (1); *avail is how many bytes it holds from there on. NULL
 * when it cannot be read. */
static const uint8_t *sparse_read(const nrp_meta *cm, uint64_t heap_at, uint32_t heap_len, uint32_t index,
                                  uint32_t len, int block, size_t *avail)
{
    nrp_meta *m = (nrp_meta *)cm; /* the pieces are a cache: see meta.h on sparse readers and threads */
    uint64_t at = heap_at + index;
    /* A piece read for another range (a table, the other heap, the
     * ReadyToRun index) may hold these bytes too, and more: what it holds
     * past this range's end is not this range's. */
    uint64_t range_end = heap_at + heap_len;
    for (const piece *p = m->pieces; p; p = p->next)
        if (p->at <= at && at + len <= p->at + p->len) {
            uint64_t end = p->at + p->len < range_end ? p->at + p->len : range_end;
            *avail = (size_t)(end - at);
            return p->bytes + (at - p->at);
        }
    uint64_t from = at, to = at + len;
    if (block == 1 && heap_len <= SPARSE_WHOLE) {
        from = heap_at, to = heap_at + heap_len;
    } else if (block) {
        from = heap_at + (index & ~(SPARSE_BLOCK - 1));
        to = heap_at + (((uint64_t)index + len + SPARSE_BLOCK - 1) & ~(uint64_t)(SPARSE_BLOCK - 1));
        if (to > heap_at + heap_len)
            to = heap_at + heap_len;
    }
    piece *p = malloc(sizeof *p + (size_t)(to - from) + 1);
    if (!p)
        return NULL;
    size_t done = 0, want = (size_t)(to - from);
    while (done < want) {
        ssize_t n = pread(m->fd, p->bytes + done, want - done, (off_t)(from + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            free(p);
            return NULL;
        }
        done += (size_t)n;
    }
    p->bytes[want] = 0;
    p->at = from;
    p->len = (uint32_t)want;
    p->next = m->pieces;
    m->pieces = p;
    *avail = (size_t)(to - at);
    return p->bytes + (at - from);
}

const uint8_t *nrp_meta_range_bytes(const nrp_meta *m, uint64_t range_at, uint32_t range_len, uint32_t off,
                                    uint32_t n)
{
    if (off > range_len || n > range_len - off)
        return NULL;
    if (!m->sparse)
        return m->data + range_at + off;
    size_t avail;
    return sparse_read(m, range_at, range_len, off, n, 2, &avail);
}

/* A #Strings entry of a sparse reader: its bytes from index up to its
 * terminator (*len counts it) or, when it has none, the heap's end (*len
 * 0 more: *terminated says which). Read from its block, or, running past
 * it, from a longer piece of its own. */
static nrp_result sparse_entry(const nrp_meta *m, uint32_t index, const uint8_t **out, size_t *len, int *terminated,
                               nrp_err *err)
{
    uint32_t room = m->strings.len - index;
    for (uint32_t want = 1;; want = want == 1 ? 256 : want * 16) {
        uint32_t n = want < room ? want : room;
        size_t avail;
        const uint8_t *s = sparse_read(m, m->strings_at, m->strings.len, index, n, want == 1, &avail);
        if (!s)
            return nrp_err_set(err, "cannot read the string at 0x%x", index);
        const uint8_t *nul = memchr(s, 0, avail);
        if (nul || avail >= room) {
            *out = s;
            *len = nul ? (size_t)(nul - s) + 1 : room;
            *terminated = nul != NULL;
            return NRP_OK;
        }
    }
}

nrp_result nrp_meta_string_at(const nrp_meta *m, uint32_t index, const char **out, nrp_err *err)
{
    if (index == 0 && m->strings.len == 0) {
        *out = "";
        return NRP_OK;
    }
    if (index >= m->strings.len)
        return nrp_err_set(err, "string index 0x%x past the #Strings heap (%u bytes)", index, m->strings.len);
    if (m->sparse) {
        const uint8_t *bytes;
        size_t len;
        int terminated;
        if (sparse_entry(m, index, &bytes, &len, &terminated, err) != NRP_OK)
            return NRP_ERROR;
        if (!terminated)
            return nrp_err_set(err, "string at 0x%x is not terminated", index);
        *out = (const char *)bytes;
        return NRP_OK;
    }
    const uint8_t *s = m->strings.p + index;
    if (!memchr(s, 0, m->strings.len - index))
        return nrp_err_set(err, "string at 0x%x is not terminated", index);
    *out = (const char *)s;
    return NRP_OK;
}

nrp_result nrp_meta_string_bytes(const nrp_meta *m, uint32_t index, const uint8_t **p, const uint8_t **end,
                                 nrp_err *err)
{
    if (index >= m->strings.len)
        return nrp_err_set(err, "string index 0x%x past the #Strings heap (%u bytes)", index, m->strings.len);
    if (!m->sparse) {
        *p = m->strings.p + index;
        *end = m->strings.p + m->strings.len;
        return NRP_OK;
    }
    size_t len;
    int terminated;
    if (sparse_entry(m, index, p, &len, &terminated, err) != NRP_OK)
        return NRP_ERROR;
    *end = *p + len;
    return NRP_OK;
}

nrp_result nrp_meta_blob_at(const nrp_meta *m, uint32_t index, const uint8_t **out, uint32_t *len, nrp_err *err)
{
    static const uint8_t empty[1];
    uint32_t n = 0;
    if (index == 0) {
        *out = empty;
        *len = 0;
        return NRP_OK;
    }
    if (index >= m->blob.len)
        return nrp_err_set(err, "blob index 0x%x past the #Blob heap (%u bytes)", index, m->blob.len);
    const uint8_t *p, *end;
    if (m->sparse) {
        /* The length first (at most 4 bytes, from its block), then the
         * whole entry. */
        uint32_t room = m->blob.len - index, head = room < 4 ? room : 4;
        size_t avail;
        const uint8_t *start = sparse_read(m, m->blob_at, m->blob.len, index, head, 1, &avail);
        if (!start)
            return nrp_err_set(err, "cannot read the blob at 0x%x", index);
        p = start, end = start + head;
        if (nrp_sig_read_compressed(&p, end, &n) != NRP_OK || n > room - (uint32_t)(p - start))
            return nrp_err_set(err, "blob at 0x%x runs past the #Blob heap", index);
        uint32_t skip = (uint32_t)(p - start);
        if (!(start = sparse_read(m, m->blob_at, m->blob.len, index, skip + n, 1, &avail)))
            return nrp_err_set(err, "cannot read the blob at 0x%x", index);
        *out = start + skip;
        *len = n;
        return NRP_OK;
    }
    p = m->blob.p + index, end = m->blob.p + m->blob.len;
    if (nrp_sig_read_compressed(&p, end, &n) != NRP_OK || n > (uint32_t)(end - p))
        return nrp_err_set(err, "blob at 0x%x runs past the #Blob heap", index);
    *out = p;
    *len = n;
    return NRP_OK;
}
