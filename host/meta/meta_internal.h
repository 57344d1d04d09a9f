/*
 * meta_internal.h - what the parts of the metadata reader (meta.h) share:
 * the opened reader, the little-endian and bounds helpers, and access to
 * table cells and heaps. Private to host/meta, whose files are:
 *
 *   image.c   PE/COFF, CLI header, metadata root and streams; open and close
 *   tables.c  the table schema and layout, coded indexes, #Strings and #Blob
 *   rows.c    typed rows and the methods of a type
 *   names.c   type names, signature names, finding a type by name
 *   r2r.c     a ReadyToRun image's own index of its types
 *   check.c   whether a method another assembly will call is there
 *   relations.c  what points at a row: interfaces, custom attributes, a
 *             method's declaring type
 *   hierarchy.c  the `base` walk of rules, over this reader or any other
 *             (meta/hierarchy.h)
 */
#ifndef NRP_META_INTERNAL_H
#define NRP_META_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "meta/meta.h"
#include "nrp/result.h"
#include "util/err.h"

#define MAX_COLS 9

/* Coded index kinds (II.24.2.6); their tags and tables are in tables.c. */
enum coded_kind {
    TYPE_DEF_OR_REF, HAS_CONSTANT, HAS_CUSTOM_ATTRIBUTE, HAS_FIELD_MARSHAL, HAS_DECL_SECURITY, MEMBER_REF_PARENT,
    HAS_SEMANTICS, METHOD_DEF_OR_REF, MEMBER_FORWARDED, IMPLEMENTATION, CUSTOM_ATTRIBUTE_TYPE, RESOLUTION_SCOPE,
    TYPE_OR_METHOD_DEF, CODED_KINDS
};

typedef struct span {
    const uint8_t *p;
    uint32_t len;
} span;

/* Bytes a sparse reader has read from its file (tables, heap entries),
 * kept until it closes: what it hands out points into them. */
typedef struct piece {
    struct piece *next;
    uint64_t at; /* file offset */
    uint32_t len;
    uint8_t bytes[];
} piece;

struct nrp_meta {
    uint8_t *owned;           /* the file's bytes when nrp_meta_open_file read them */
    /* A sparse reader (nrp_meta_open_file_sparse) holds no image: its
     * heaps' spans have a length but no bytes; their entries are read from
     * fd, at these file offsets, into pieces, and so are its tables, those
     * it was opened with and those read later. */
    int sparse, fd;
    uint64_t strings_at, blob_at;
    /* The tables stream's file offset, and where each table lies in it
     * with its rows, read or not (rows[] counts only those read). */
    uint64_t tables_at;
    uint32_t table_off[NRP_META_TABLE_COUNT];
    uint32_t stream_rows[NRP_META_TABLE_COUNT];
    piece *pieces;
    const uint8_t *data;
    size_t len;
    char version[256];
    span strings, blob, guid, user_strings, tables;
    uint8_t heap_sizes;
    uint64_t sorted;          /* the tables the file says are sorted by their key (II.24.2.6) */
    uint32_t rows[NRP_META_TABLE_COUNT];
    const uint8_t *table[NRP_META_TABLE_COUNT];
    uint32_t row_size[NRP_META_TABLE_COUNT];
    uint8_t col_off[NRP_META_TABLE_COUNT][MAX_COLS];
    uint8_t col_size[NRP_META_TABLE_COUNT][MAX_COLS];
    /* The PE section table (of pe_bytes, the headers a sparse reader read
     * and keeps, or of data), to find where an RVA lies; the ReadyToRun
     * header's extent, r2r_len 0 for an IL-only file. */
    uint8_t *pe_bytes;
    const uint8_t *sections;
    uint32_t section_count;
    size_t file_len;
    int mapped;
    uint32_t r2r_rva, r2r_len;
    /* Its AvailableTypes section (r2r.c), looked for on first use: 0 not
     * yet, 1 at types_at (a file offset, or an offset into data), -1 none. */
    int types_state;
    uint64_t types_at;
    uint32_t types_len;
};

static inline uint16_t u16_at(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t u32_at(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* [off, off + n) lies inside a buffer of len bytes. */
static inline int fits(size_t len, uint64_t off, uint64_t n)
{
    return off <= len && n <= len - off;
}

/* ---- cells and heaps ------------------------------------------------------ */

static inline nrp_result row_ok(const nrp_meta *m, unsigned table, uint32_t row, nrp_err *err)
{
    if (table >= NRP_META_TABLE_COUNT || row == 0 || row > m->rows[table])
        return nrp_err_set(err, "no row %u in table 0x%02x (it has %u)", row, table,
                           table < NRP_META_TABLE_COUNT ? m->rows[table] : 0);
    return NRP_OK;
}

/* Column c of a row row_ok accepted: inside the table stream, as checked
 * when the tables were laid out. */
static inline uint32_t cell(const nrp_meta *m, unsigned table, uint32_t row, unsigned c)
{
    const uint8_t *p = m->table[table] + (size_t)(row - 1) * m->row_size[table] + m->col_off[table][c];
    return m->col_size[table][c] == 4 ? u32_at(p) : u16_at(p);
}

/* Column c of the row whose bytes are r (nrp_meta_row_bytes). */
static inline uint32_t row_cell(const nrp_meta *m, unsigned table, const uint8_t *r, unsigned c)
{
    const uint8_t *p = r + m->col_off[table][c];
    return m->col_size[table][c] == 4 ? u32_at(p) : u16_at(p);
}

/* In tables.c: lay out every table of the tables stream t (or, from its
 * header alone, say where each table lies in a stream of stream_len
 * bytes); a coded index as a token; a #Strings or #Blob entry; the bytes
 * of a #Strings entry up to `end`, its terminator or the heap's end, where
 * it may be compared without reading it whole. */
nrp_result nrp_meta_read_tables(nrp_meta *m, span t, nrp_err *err);
nrp_result nrp_meta_lay_out_tables(nrp_meta *m, const uint8_t *header, size_t header_len, uint32_t stream_len,
                                   uint32_t offset[NRP_META_TABLE_COUNT], nrp_err *err);
nrp_result nrp_meta_string_bytes(const nrp_meta *m, uint32_t index, const uint8_t **p, const uint8_t **end,
                                 nrp_err *err);
uint32_t nrp_meta_coded_token(unsigned kind, uint32_t value);
/* The inverse: a token as a coded index of that kind; UINT32_MAX when no
 * tag of the kind names its table. */
uint32_t nrp_meta_coded_value(unsigned kind, uint32_t token);

/* The rows [*lo, *hi) of `table` that may have `key` in column `col`:
 * exactly those when the header's Sorted mask says the table is sorted by
 * it (ECMA-335 II.22: the tables keyed by a parent are), else every row
 * (the caller compares each). */
void nrp_meta_key_range(const nrp_meta *m, unsigned table, unsigned col, uint32_t key, uint32_t *lo, uint32_t *hi);
nrp_result nrp_meta_string_at(const nrp_meta *m, uint32_t index, const char **out, nrp_err *err);
nrp_result nrp_meta_blob_at(const nrp_meta *m, uint32_t index, const uint8_t **out, uint32_t *len, nrp_err *err);

/* In image.c: where the n bytes at `rva` lie, all in one section: an
 * offset into the file (a sparse reader) or into data. */
nrp_result nrp_meta_rva_at(const nrp_meta *m, uint32_t rva, uint32_t n, uint64_t *at, nrp_err *err);
/* In tables.c: bytes [off, off + n) of the range [range_at, + range_len)
 * of the file: in the image of a whole reader, or read by a sparse one in
 * aligned blocks kept until it closes. NULL when they run past the range
 * or cannot be read. */
const uint8_t *nrp_meta_range_bytes(const nrp_meta *m, uint64_t range_at, uint32_t range_len, uint32_t off,
                                    uint32_t n);

/* In image.c, for a sparse reader: read the tables of `mask` it has not
 * read yet (when it opens, and when a lookup needs more), neighbours in
 * one read; NRP_ERROR when they cannot be read. And the bytes of one row of a table it may not have
 * read (NULL when the row is not there or cannot be read). */
nrp_result nrp_meta_load_tables(nrp_meta *m, uint64_t mask, nrp_err *err);
const uint8_t *nrp_meta_row_bytes(const nrp_meta *m, unsigned table, uint32_t row);

/* In r2r.c: the TypeDef rows (at most cap) that a ReadyToRun image's
 * AvailableTypes hashtable lists under the type-name hash `hash` (the
 * runtime's version-resilient one: nrp_meta_r2r_name_hash), for the
 * caller to check by name; -1 when the file has no such table or it
 * cannot be read, and the caller looks by name instead. */
int nrp_meta_r2r_type_rows(nrp_meta *m, uint32_t hash, uint32_t *rows, int cap);
uint32_t nrp_meta_r2r_name_hash(const char *s, size_t n);

#endif
