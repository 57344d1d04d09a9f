/*
 * tables.c - the tables stream: the schema of every table (ECMA-335
 * II.22), their layout from the row counts and index sizes, and the heaps
 * their cells point into.
 */
#include <string.h>

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

nrp_result nrp_meta_read_tables(nrp_meta *m, span t, nrp_err *err)
{
    if (t.len < 24)
        return nrp_err_set(err, "table stream of %u bytes is too small", t.len);
    m->heap_sizes = t.p[6];
    uint64_t valid = (uint64_t)u32_at(t.p + 8) | (uint64_t)u32_at(t.p + 12) << 32;
    uint64_t at = 24;
    for (unsigned i = 0; i < 64; i++) {
        if (!(valid >> i & 1))
            continue;
        if (i >= NRP_META_TABLE_COUNT)
            return nrp_err_set(err, "metadata has table 0x%02x, which no assembly has", i);
        if (!fits(t.len, at, 4))
            return nrp_err_set(err, "table row counts truncated");
        m->rows[i] = u32_at(t.p + at);
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
        if (!fits(t.len, at, bytes))
            return nrp_err_set(err, "table 0x%02x (%u rows of %u bytes) runs past the table stream", i, m->rows[i],
                               off);
        m->table[i] = t.p + at;
        at += bytes;
    }
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

nrp_result nrp_meta_string_at(const nrp_meta *m, uint32_t index, const char **out, nrp_err *err)
{
    if (index == 0 && m->strings.len == 0) {
        *out = "";
        return NRP_OK;
    }
    if (index >= m->strings.len)
        return nrp_err_set(err, "string index 0x%x past the #Strings heap (%u bytes)", index, m->strings.len);
    const uint8_t *s = m->strings.p + index;
    if (!memchr(s, 0, m->strings.len - index))
        return nrp_err_set(err, "string at 0x%x is not terminated", index);
    *out = (const char *)s;
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
    const uint8_t *p = m->blob.p + index, *end = m->blob.p + m->blob.len;
    if (nrp_sig_read_compressed(&p, end, &n) != NRP_OK || n > (uint32_t)(end - p))
        return nrp_err_set(err, "blob at 0x%x runs past the #Blob heap", index);
    *out = p;
    *len = n;
    return NRP_OK;
}
