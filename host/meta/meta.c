#include "meta/meta.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "nrp/il.h"
#include "nrp/result.h"
#include "util/path.h"

/* Assemblies of real apps are tens of megabytes at most. */
#define MAX_FILE_BYTES (512u << 20)
/* The PE format's own limit on sections. */
#define MAX_SECTIONS 96
/* Tokens keep a row in 24 bits. */
#define MAX_ROWS 0x00FFFFFFu
/* Deeper nesting or TypeSpec chains come only from corrupt files; the caps
 * keep hostile ones from exhausting the stack or the time. */
#define MAX_NAME_DEPTH 64
#define MAX_NAME_STEPS 4096
#define MAX_NAME_BYTES (64u << 10)
#define MAX_COLS 9

/* ---- the table schema (ECMA-335 II.22) ------------------------------------ */

/* Column kinds: fixed sizes, heap indexes, simple indexes into table t
 * (TBL(t)) and coded indexes of kind k (CODED(k)). 0 ends a row. */
enum { U16 = 1, U32, STR, GUID, BLOB };
#define TBL(t) (0x40 | (t))
#define CODED(k) (0x80 | (k))
#define IS_TBL(c) (((c) & 0xC0) == 0x40)
#define IS_CODED(c) (((c) & 0x80) != 0)

enum coded_kind {
    TYPE_DEF_OR_REF, HAS_CONSTANT, HAS_CUSTOM_ATTRIBUTE, HAS_FIELD_MARSHAL, HAS_DECL_SECURITY, MEMBER_REF_PARENT,
    HAS_SEMANTICS, METHOD_DEF_OR_REF, MEMBER_FORWARDED, IMPLEMENTATION, CUSTOM_ATTRIBUTE_TYPE, RESOLUTION_SCOPE,
    TYPE_OR_METHOD_DEF, CODED_KINDS
};

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

typedef struct span {
    const uint8_t *p;
    uint32_t len;
} span;

struct nrp_meta {
    uint8_t *owned;           /* the file's bytes when nrp_meta_open_file read them */
    const uint8_t *data;
    size_t len;
    char version[256];
    span strings, blob, guid, user_strings, tables;
    uint8_t heap_sizes;
    uint32_t rows[NRP_META_TABLE_COUNT];
    const uint8_t *table[NRP_META_TABLE_COUNT];
    uint32_t row_size[NRP_META_TABLE_COUNT];
    uint8_t col_off[NRP_META_TABLE_COUNT][MAX_COLS];
    uint8_t col_size[NRP_META_TABLE_COUNT][MAX_COLS];
};

static uint16_t u16_at(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t u32_at(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* [off, off + n) lies inside a buffer of len bytes. */
static int fits(size_t len, uint64_t off, uint64_t n)
{
    return off <= len && n <= len - off;
}

/* ---- PE/COFF: from an RVA to the file's bytes ---------------------------- */

typedef struct pe {
    const uint8_t *data;
    size_t len;
    const uint8_t *sections;
    uint32_t section_count;
} pe;

/* The bytes of [rva, rva + size) as the file holds them: inside one
 * section's raw data. */
static int rva_span(const pe *f, uint32_t rva, uint32_t size, span *out, const char *what, nrp_err *err)
{
    for (uint32_t i = 0; i < f->section_count; i++) {
        const uint8_t *s = f->sections + 40u * i;
        uint32_t va = u32_at(s + 12), raw_size = u32_at(s + 16), raw_ptr = u32_at(s + 20);
        if (rva < va || (uint64_t)rva - va >= raw_size)
            continue;
        uint64_t off = (uint64_t)raw_ptr + (rva - va);
        if ((uint64_t)rva - va + size > raw_size || !fits(f->len, off, size))
            return nrp_err_set(err, "%s (RVA 0x%x, %u bytes) runs past its section or the file", what, rva, size);
        out->p = f->data + off;
        out->len = size;
        return NRP_OK;
    }
    return nrp_err_set(err, "%s (RVA 0x%x) lies in no section of the file", what, rva);
}

/* MZ stub, PE signature, COFF header, optional header, section table; then
 * the CLI header (data directory 14) and the metadata root it points at. */
static int find_metadata(const uint8_t *data, size_t len, span *root, nrp_err *err)
{
    if (len < 0x40 || data[0] != 'M' || data[1] != 'Z')
        return nrp_err_set(err, "not a PE file (no MZ header)");
    uint32_t pe_off = u32_at(data + 0x3C);
    if (!fits(len, pe_off, 24) || memcmp(data + pe_off, "PE\0\0", 4) != 0)
        return nrp_err_set(err, "not a PE file (no PE signature at 0x%x)", pe_off);
    const uint8_t *coff = data + pe_off + 4;
    uint32_t section_count = u16_at(coff + 2), opt_size = u16_at(coff + 16);
    uint64_t opt_off = (uint64_t)pe_off + 24;
    if (!fits(len, opt_off, opt_size) || opt_size < 2)
        return nrp_err_set(err, "PE optional header truncated");
    const uint8_t *opt = data + opt_off;
    uint32_t dirs_off, count_off;
    switch (u16_at(opt)) {
    case 0x10B: count_off = 92, dirs_off = 96; break;   /* PE32 */
    case 0x20B: count_off = 108, dirs_off = 112; break;  /* PE32+ */
    default: return nrp_err_set(err, "unknown PE optional header magic 0x%x", u16_at(opt));
    }
    enum { CLI_DIRECTORY = 14 };
    if (opt_size < dirs_off + 8u * (CLI_DIRECTORY + 1) || u32_at(opt + count_off) <= CLI_DIRECTORY)
        return nrp_err_set(err, "not a .NET assembly (no CLI header directory)");
    uint32_t cli_rva = u32_at(opt + dirs_off + 8 * CLI_DIRECTORY);
    uint32_t cli_size = u32_at(opt + dirs_off + 8 * CLI_DIRECTORY + 4);
    if (cli_rva == 0 || cli_size < 16)
        return nrp_err_set(err, "not a .NET assembly (empty CLI header directory)");
    if (section_count > MAX_SECTIONS || !fits(len, opt_off + opt_size, 40ull * section_count))
        return nrp_err_set(err, "PE section table truncated or too long (%u sections)", section_count);
    pe f = {data, len, opt + opt_size, section_count};
    span cli;
    if (rva_span(&f, cli_rva, 16, &cli, "the CLI header", err))
        return NRP_ERROR;
    uint32_t md_rva = u32_at(cli.p + 8), md_size = u32_at(cli.p + 12);
    if (md_size < 20)
        return nrp_err_set(err, "metadata of %u bytes is too small", md_size);
    return rva_span(&f, md_rva, md_size, root, "the metadata", err);
}

/* ---- metadata root and streams (II.24.2.1, II.24.2.2) --------------------- */

static int read_streams(nrp_meta *m, span root, span *tables, nrp_err *err)
{
    if (u32_at(root.p) != 0x424A5342u)
        return nrp_err_set(err, "bad metadata signature 0x%08x", u32_at(root.p));
    uint32_t vlen = u32_at(root.p + 12);
    if (vlen > 255 || !fits(root.len, 16, (uint64_t)vlen + 4))
        return nrp_err_set(err, "metadata version string of %u bytes is too long", vlen);
    memcpy(m->version, root.p + 16, vlen);
    m->version[vlen] = '\0';
    uint32_t at = 16 + vlen + 2;
    uint32_t count = u16_at(root.p + at);
    at += 2;
    int have_tables = 0;
    for (uint32_t i = 0; i < count; i++) {
        if (!fits(root.len, at, 8))
            return nrp_err_set(err, "metadata stream header %u truncated", i);
        uint32_t off = u32_at(root.p + at), size = u32_at(root.p + at + 4);
        const char *name = (const char *)root.p + at + 8;
        size_t room = root.len - at - 8, n = 0;
        while (n < room && n < 32 && name[n])
            n++;
        if (n == room || n == 32)
            return nrp_err_set(err, "metadata stream header %u: name unterminated", i);
        at += 8 + (uint32_t)((n + 4) & ~(size_t)3);
        if (!fits(root.len, off, size))
            return nrp_err_set(err, "metadata stream '%s' runs past the metadata", name);
        span s = {root.p + off, size};
        span *slot = NULL;
        /* #- (uncompressed) differs from #~ only in the Ptr tables, which
         * the readers follow. */
        if (strcmp(name, "#~") == 0 || strcmp(name, "#-") == 0) {
            slot = tables;
            if (have_tables++)
                return nrp_err_set(err, "metadata has two table streams");
        } else if (strcmp(name, "#Strings") == 0)
            slot = &m->strings;
        else if (strcmp(name, "#Blob") == 0)
            slot = &m->blob;
        else if (strcmp(name, "#GUID") == 0)
            slot = &m->guid;
        else if (strcmp(name, "#US") == 0)
            slot = &m->user_strings;
        if (!slot)
            continue; /* #JTD, #Pdb...: nothing read here needs them */
        if (slot != tables && slot->p)
            return nrp_err_set(err, "metadata has two '%s' streams", name);
        *slot = s;
    }
    if (!have_tables)
        return nrp_err_set(err, "metadata has no table stream");
    return NRP_OK;
}

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

static int read_tables(nrp_meta *m, span t, nrp_err *err)
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

int nrp_meta_open(const uint8_t *data, size_t len, nrp_meta **out, nrp_err *err)
{
    span root, tables = {NULL, 0};
    *out = NULL;
    if (!data)
        return nrp_err_set(err, "no bytes to read");
    nrp_meta *m = calloc(1, sizeof *m);
    if (!m)
        return nrp_err_set(err, "out of memory");
    m->data = data;
    m->len = len;
    if (find_metadata(data, len, &root, err) || read_streams(m, root, &tables, err) ||
        read_tables(m, tables, err)) {
        free(m);
        return NRP_ERROR;
    }
    *out = m;
    return NRP_OK;
}

int nrp_meta_open_file(const char *path, nrp_meta **out, nrp_err *err)
{
    struct stat st;
    *out = NULL;
    /* Checked before opening: opening a FIFO would block. */
    if (nrp_path_stat(path, &st) != 0)
        return nrp_err_set(err, "cannot open %s", path);
    if (!S_ISREG(st.st_mode) || st.st_size < 0 || (uint64_t)st.st_size > MAX_FILE_BYTES)
        return nrp_err_set(err, "%s is not a regular file of at most %u MB", path, MAX_FILE_BYTES >> 20);
    FILE *f = fopen(path, "rbe");
    if (!f)
        return nrp_err_set(err, "cannot open %s", path);
    size_t size = (size_t)st.st_size;
    uint8_t *bytes = malloc(size ? size : 1);
    if (!bytes) {
        fclose(f);
        return nrp_err_set(err, "out of memory reading %s", path);
    }
    size_t got = fread(bytes, 1, size, f);
    fclose(f);
    if (got != size) {
        free(bytes);
        return nrp_err_set(err, "cannot read %s", path);
    }
    if (nrp_meta_open(bytes, size, out, err)) {
        char reason[sizeof err->msg];
        snprintf(reason, sizeof reason, "%s", err ? err->msg : "");
        free(bytes);
        return nrp_err_set(err, "%s: %s", path, reason);
    }
    (*out)->owned = bytes;
    return NRP_OK;
}

void nrp_meta_close(nrp_meta *m)
{
    if (!m)
        return;
    free(m->owned);
    free(m);
}

uint32_t nrp_meta_row_count(const nrp_meta *m, unsigned table)
{
    return table < NRP_META_TABLE_COUNT ? m->rows[table] : 0;
}

const char *nrp_meta_runtime_version(const nrp_meta *m)
{
    return m->version;
}

/* ---- cells and heaps ------------------------------------------------------ */

static int row_ok(const nrp_meta *m, unsigned table, uint32_t row, nrp_err *err)
{
    if (table >= NRP_META_TABLE_COUNT || row == 0 || row > m->rows[table])
        return nrp_err_set(err, "no row %u in table 0x%02x (it has %u)", row, table,
                           table < NRP_META_TABLE_COUNT ? m->rows[table] : 0);
    return NRP_OK;
}

/* Column c of a row row_ok accepted: inside the table stream, as checked
 * when the tables were laid out. */
static uint32_t cell(const nrp_meta *m, unsigned table, uint32_t row, unsigned c)
{
    const uint8_t *p = m->table[table] + (size_t)(row - 1) * m->row_size[table] + m->col_off[table][c];
    return m->col_size[table][c] == 4 ? u32_at(p) : u16_at(p);
}

/* A coded index as a token; 0 for a tag no table uses. */
static uint32_t coded_token(unsigned kind, uint32_t value)
{
    const struct coded_index *c = &coded[kind];
    uint32_t tag = value & ((1u << c->bits) - 1);
    if (tag >= c->count || c->tables[tag] == NONE)
        return 0;
    return (uint32_t)c->tables[tag] << 24 | value >> c->bits;
}

static int string_at(const nrp_meta *m, uint32_t index, const char **out, nrp_err *err)
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

static int blob_at(const nrp_meta *m, uint32_t index, const uint8_t **out, uint32_t *len, nrp_err *err)
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
    if (nrp_sig_read_compressed(&p, end, &n) || n > (uint32_t)(end - p))
        return nrp_err_set(err, "blob at 0x%x runs past the #Blob heap", index);
    *out = p;
    *len = n;
    return NRP_OK;
}

/* ---- rows ----------------------------------------------------------------- */

static nrp_meta_version version_of(const nrp_meta *m, unsigned table, uint32_t row, unsigned first)
{
    return (nrp_meta_version){(uint16_t)cell(m, table, row, first), (uint16_t)cell(m, table, row, first + 1),
                              (uint16_t)cell(m, table, row, first + 2), (uint16_t)cell(m, table, row, first + 3)};
}

int nrp_meta_assembly_row(const nrp_meta *m, nrp_meta_assembly *out, nrp_err *err)
{
    enum { T = NRP_META_ASSEMBLY };
    if (m->rows[T] == 0)
        return nrp_err_set(err, "the file is a module without an assembly manifest");
    out->hash_alg = cell(m, T, 1, 0);
    out->version = version_of(m, T, 1, 1);
    out->flags = cell(m, T, 1, 5);
    return string_at(m, cell(m, T, 1, 7), &out->name, err) || string_at(m, cell(m, T, 1, 8), &out->culture, err)
               ? NRP_ERROR
               : NRP_OK;
}

int nrp_meta_assembly_ref_row(const nrp_meta *m, uint32_t row, nrp_meta_assembly_ref *out, nrp_err *err)
{
    enum { T = NRP_META_ASSEMBLYREF };
    if (row_ok(m, T, row, err))
        return NRP_ERROR;
    out->version = version_of(m, T, row, 0);
    out->flags = cell(m, T, row, 4);
    if (blob_at(m, cell(m, T, row, 5), &out->public_key_or_token, &out->public_key_or_token_len, err) ||
        string_at(m, cell(m, T, row, 6), &out->name, err) || string_at(m, cell(m, T, row, 7), &out->culture, err))
        return NRP_ERROR;
    return NRP_OK;
}

int nrp_meta_type_ref_row(const nrp_meta *m, uint32_t row, nrp_meta_type_ref *out, nrp_err *err)
{
    enum { T = NRP_META_TYPEREF };
    if (row_ok(m, T, row, err))
        return NRP_ERROR;
    out->scope = coded_token(RESOLUTION_SCOPE, cell(m, T, row, 0));
    if ((out->scope & 0x00FFFFFFu) == 0)
        out->scope = 0;
    return string_at(m, cell(m, T, row, 1), &out->name, err) ||
                   string_at(m, cell(m, T, row, 2), &out->namespace_, err)
               ? NRP_ERROR
               : NRP_OK;
}

int nrp_meta_type_def_row(const nrp_meta *m, uint32_t row, nrp_meta_type_def *out, nrp_err *err)
{
    enum { T = NRP_META_TYPEDEF };
    if (row_ok(m, T, row, err))
        return NRP_ERROR;
    out->flags = cell(m, T, row, 0);
    out->extends = coded_token(TYPE_DEF_OR_REF, cell(m, T, row, 3));
    if ((out->extends & 0x00FFFFFFu) == 0)
        out->extends = 0;
    return string_at(m, cell(m, T, row, 1), &out->name, err) ||
                   string_at(m, cell(m, T, row, 2), &out->namespace_, err)
               ? NRP_ERROR
               : NRP_OK;
}

int nrp_meta_method_def_row(const nrp_meta *m, uint32_t row, nrp_meta_method_def *out, nrp_err *err)
{
    enum { T = NRP_META_METHODDEF };
    if (row_ok(m, T, row, err))
        return NRP_ERROR;
    out->rva = cell(m, T, row, 0);
    out->impl_flags = (uint16_t)cell(m, T, row, 1);
    out->flags = (uint16_t)cell(m, T, row, 2);
    return string_at(m, cell(m, T, row, 3), &out->name, err) ||
                   blob_at(m, cell(m, T, row, 4), &out->signature, &out->signature_len, err)
               ? NRP_ERROR
               : NRP_OK;
}

int nrp_meta_type_spec_row(const nrp_meta *m, uint32_t row, const uint8_t **sig, uint32_t *len, nrp_err *err)
{
    if (row_ok(m, NRP_META_TYPESPEC, row, err))
        return NRP_ERROR;
    return blob_at(m, cell(m, NRP_META_TYPESPEC, row, 0), sig, len, err);
}

int nrp_meta_enclosing_type(const nrp_meta *m, uint32_t row, uint32_t *enclosing, nrp_err *err)
{
    enum { T = NRP_META_NESTEDCLASS };
    *enclosing = 0;
    if (row_ok(m, NRP_META_TYPEDEF, row, err))
        return NRP_ERROR;
    for (uint32_t i = 1; i <= m->rows[T]; i++)
        if (cell(m, T, i, 0) == row) {
            uint32_t outer = cell(m, T, i, 1);
            if (outer == row || row_ok(m, NRP_META_TYPEDEF, outer, err))
                return nrp_err_set(err, "type row %u is nested in no valid type (%u)", row, outer);
            *enclosing = outer;
            return NRP_OK;
        }
    return NRP_OK;
}

int nrp_meta_generic_param_count(const nrp_meta *m, uint32_t owner, uint32_t *count, nrp_err *err)
{
    enum { T = NRP_META_GENERICPARAM };
    uint32_t table = owner >> 24;
    *count = 0;
    if ((table != NRP_META_TYPEDEF && table != NRP_META_METHODDEF) || row_ok(m, table, owner & 0x00FFFFFFu, err))
        return nrp_err_set(err, "0x%08x is not a TypeDef or MethodDef token of the file", owner);
    for (uint32_t i = 1; i <= m->rows[T]; i++)
        if (coded_token(TYPE_OR_METHOD_DEF, cell(m, T, i, 2)) == owner)
            (*count)++;
    return NRP_OK;
}

/* ---- methods of a type ---------------------------------------------------- */

int nrp_meta_methods_begin(const nrp_meta *m, uint32_t type_row, nrp_meta_method_iter *it, nrp_err *err)
{
    enum { T = NRP_META_TYPEDEF };
    /* With a MethodPtr table (uncompressed #- streams) the lists index it. */
    uint32_t listed = m->rows[NRP_META_METHODPTR] ? m->rows[NRP_META_METHODPTR] : m->rows[NRP_META_METHODDEF];
    it->next = it->end = 0;
    if (row_ok(m, T, type_row, err))
        return NRP_ERROR;
    uint32_t first = cell(m, T, type_row, 5);
    uint32_t end = type_row < m->rows[T] ? cell(m, T, type_row + 1, 5) : listed + 1;
    if (first == 0 || first > end || end > listed + 1)
        return nrp_err_set(err, "type row %u has a bad method list (%u..%u of %u)", type_row, first, end, listed);
    it->next = first;
    it->end = end;
    return NRP_OK;
}

int nrp_meta_methods_next(const nrp_meta *m, nrp_meta_method_iter *it, uint32_t *row, nrp_err *err)
{
    if (it->next >= it->end)
        return 0;
    uint32_t at = it->next++;
    if (m->rows[NRP_META_METHODPTR]) {
        if (row_ok(m, NRP_META_METHODPTR, at, err))
            return NRP_ERROR;
        at = cell(m, NRP_META_METHODPTR, at, 0);
    }
    if (row_ok(m, NRP_META_METHODDEF, at, err))
        return NRP_ERROR;
    *row = at;
    return 1;
}

/* ---- names ---------------------------------------------------------------- */

/* Recursion state of one naming: depth and total steps are capped, so
 * cycles (a type nested in itself, a TypeSpec naming itself) and wide
 * chains of TypeSpecs end with an error. */
typedef struct namer {
    const nrp_meta *m;
    int depth;
    unsigned steps;
    nrp_err *err;
} namer;

static int name_token(namer *n, uint32_t token, nrp_strbuf *out);

static int namer_cb(void *ctx, uint32_t token, nrp_strbuf *out)
{
    return name_token(ctx, token, out);
}

static void put_full_name(nrp_strbuf *out, const char *ns, const char *name)
{
    if (*ns) {
        nrp_strbuf_puts(out, ns);
        nrp_strbuf_puts(out, ".");
    }
    nrp_strbuf_puts(out, name);
}

static int name_token(namer *n, uint32_t token, nrp_strbuf *out)
{
    uint32_t row = token & 0x00FFFFFFu;
    int rc = NRP_ERROR;
    if (n->depth >= MAX_NAME_DEPTH || ++n->steps > MAX_NAME_STEPS || out->len > MAX_NAME_BYTES)
        return nrp_err_set(n->err, "type names nest too deep or grow too long (token 0x%08x)", token);
    n->depth++;
    switch (token >> 24) {
    case NRP_META_TYPEDEF: {
        nrp_meta_type_def t;
        uint32_t outer;
        if (nrp_meta_type_def_row(n->m, row, &t, n->err) || nrp_meta_enclosing_type(n->m, row, &outer, n->err))
            break;
        if (outer) {
            if (name_token(n, (uint32_t)NRP_META_TYPEDEF << 24 | outer, out))
                break;
            nrp_strbuf_puts(out, "+");
        }
        put_full_name(out, t.namespace_, t.name);
        rc = NRP_OK;
        break;
    }
    case NRP_META_TYPEREF: {
        nrp_meta_type_ref t;
        if (nrp_meta_type_ref_row(n->m, row, &t, n->err))
            break;
        if (t.scope >> 24 == NRP_META_TYPEREF) {
            if (name_token(n, t.scope, out))
                break;
            nrp_strbuf_puts(out, "+");
        }
        put_full_name(out, t.namespace_, t.name);
        rc = NRP_OK;
        break;
    }
    case NRP_META_TYPESPEC: {
        const uint8_t *sig;
        uint32_t len;
        if (nrp_meta_type_spec_row(n->m, row, &sig, &len, n->err))
            break;
        const uint8_t *p = sig;
        rc = nrp_sig_format_type(&p, sig + len, namer_cb, n, out, n->err);
        break;
    }
    default:
        nrp_err_set(n->err, "token 0x%08x is not a type", token);
    }
    n->depth--;
    if (rc == NRP_OK && out->oom)
        rc = nrp_err_set(n->err, "out of memory naming a type");
    return rc;
}

int nrp_meta_type_name(const nrp_meta *m, uint32_t token, nrp_strbuf *out, nrp_err *err)
{
    namer n = {m, 0, 0, err};
    return name_token(&n, token, out);
}

static int starts_with_modifier(const uint8_t *p, const uint8_t *end)
{
    return p < end && (*p == NRP_ELEMENT_CMOD_REQD || *p == NRP_ELEMENT_CMOD_OPT);
}

int nrp_meta_method_sig_names(const nrp_meta *m, const uint8_t *sig, uint32_t len, nrp_strbuf *ret,
                              nrp_strbuf *params, nrp_method_sig_info *info, int *has_modifiers, nrp_err *err)
{
    nrp_method_sig_info local;
    nrp_sig_span r;
    int returns;
    namer n = {m, 0, 0, err};
    if (!info)
        info = &local;
    *has_modifiers = 0;
    if (nrp_sig_method_return(sig, len, info, &r, &returns, err))
        return NRP_ERROR;
    const uint8_t *p = r.data, *end = sig + len;
    *has_modifiers |= starts_with_modifier(p, end);
    if (nrp_sig_format_type(&p, end, namer_cb, &n, ret, err))
        return NRP_ERROR;
    for (uint32_t i = 0; i < info->param_count; i++) {
        if (i)
            nrp_strbuf_puts(params, ",");
        *has_modifiers |= starts_with_modifier(p, end);
        if (nrp_sig_format_type(&p, end, namer_cb, &n, params, err))
            return NRP_ERROR;
    }
    if (params->oom || ret->oom)
        return nrp_err_set(err, "out of memory formatting a signature");
    return NRP_OK;
}

/* ---- finding a type by name ------------------------------------------------ */

/* ns + "." + name (or name alone for the empty namespace) is s[0..n). */
static int full_name_is(const char *ns, const char *name, const char *s, size_t n)
{
    size_t ns_len = strlen(ns), name_len = strlen(name);
    if (!ns_len)
        return name_len == n && memcmp(name, s, n) == 0;
    return ns_len + 1 + name_len == n && memcmp(ns, s, ns_len) == 0 && s[ns_len] == '.' &&
           memcmp(name, s + ns_len + 1, name_len) == 0;
}

int nrp_meta_find_type(const nrp_meta *m, const char *full_name, uint32_t *row, nrp_err *err)
{
    const char *part = full_name;
    const char *plus = strchr(part, '+');
    size_t n = plus ? (size_t)(plus - part) : strlen(part);
    uint32_t found = 0;
    *row = 0;
    /* The outermost type: not nested in any other. */
    for (uint32_t i = 1; i <= m->rows[NRP_META_TYPEDEF] && !found; i++) {
        nrp_meta_type_def t;
        uint32_t outer;
        if (nrp_meta_type_def_row(m, i, &t, err))
            return NRP_ERROR;
        if (!full_name_is(t.namespace_, t.name, part, n))
            continue;
        if (nrp_meta_enclosing_type(m, i, &outer, err))
            return NRP_ERROR;
        if (!outer)
            found = i;
    }
    /* Each "+Inner": a type the NestedClass table puts inside the last one. */
    while (found && plus) {
        part = plus + 1;
        plus = strchr(part, '+');
        n = plus ? (size_t)(plus - part) : strlen(part);
        uint32_t inner = 0;
        for (uint32_t i = 1; i <= m->rows[NRP_META_NESTEDCLASS] && !inner; i++) {
            nrp_meta_type_def t;
            uint32_t nested = cell(m, NRP_META_NESTEDCLASS, i, 0);
            if (cell(m, NRP_META_NESTEDCLASS, i, 1) != found)
                continue;
            if (nrp_meta_type_def_row(m, nested, &t, err))
                return NRP_ERROR;
            if (full_name_is(t.namespace_, t.name, part, n))
                inner = nested;
        }
        found = inner;
    }
    *row = found;
    return NRP_OK;
}
