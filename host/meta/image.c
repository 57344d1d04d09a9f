/*
 * image.c - from a file's bytes to its metadata: the PE/COFF headers and
 * sections, the CLI header, the metadata root and its streams; opening and
 * closing a reader.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "meta/meta_internal.h"
#include "nrp/result.h"
#include "util/file.h"
#include "util/path.h"

/* Assemblies of real apps are tens of megabytes at most. */
#define MAX_FILE_BYTES (512u << 20)
/* The PE format's own limit on sections. */
#define MAX_SECTIONS 96

/* ---- PE/COFF: from an RVA to the file's bytes ---------------------------- */

typedef struct pe {
    const uint8_t *data;
    size_t len;
    const uint8_t *sections;
    uint32_t section_count;
    int mapped; /* laid out as loaded: an RVA is an offset from data */
} pe;

/* Where [rva, rva + size) lies in the file (or the mapped image): inside
 * one section's raw data (or, mapped, its virtual extent, whose tail past
 * the raw data the loader zeroes), and inside f->len bytes. */
static nrp_result rva_offset(const pe *f, uint32_t rva, uint32_t size, uint64_t *out, const char *what, nrp_err *err)
{
    for (uint32_t i = 0; i < f->section_count; i++) {
        const uint8_t *s = f->sections + 40u * i;
        uint32_t virtual_size = u32_at(s + 8), va = u32_at(s + 12), raw_size = u32_at(s + 16),
                 raw_ptr = u32_at(s + 20);
        uint32_t extent = f->mapped && virtual_size ? virtual_size : raw_size;
        if (rva < va || (uint64_t)rva - va >= extent)
            continue;
        uint64_t off = f->mapped ? rva : (uint64_t)raw_ptr + (rva - va);
        if ((uint64_t)rva - va + size > extent || !fits(f->len, off, size))
            return nrp_err_set(err, "%s (RVA 0x%x, %u bytes) runs past its section or the image", what, rva, size);
        *out = off;
        return NRP_OK;
    }
    return nrp_err_set(err, "%s (RVA 0x%x) lies in no section of the file", what, rva);
}

/* The bytes of [rva, rva + size), which f->data holds whole. */
static nrp_result rva_span(const pe *f, uint32_t rva, uint32_t size, span *out, const char *what, nrp_err *err)
{
    uint64_t off;
    if (rva_offset(f, rva, size, &off, what, err) != NRP_OK)
        return NRP_ERROR;
    out->p = f->data + off;
    out->len = size;
    return NRP_OK;
}

/* Where the PE headers are: the MZ stub's pointer to the PE signature,
 * the COFF header, the optional header (inside len; the section table
 * after it is the caller's to check). */
typedef struct pe_headers {
    uint64_t opt_off;
    const uint8_t *opt;
    uint32_t opt_size, section_count;
} pe_headers;

static nrp_result read_pe_headers(const uint8_t *data, size_t len, pe_headers *h, nrp_err *err)
{
    if (len < 0x40 || data[0] != 'M' || data[1] != 'Z')
        return nrp_err_set(err, "not a PE file (no MZ header)");
    uint32_t pe_off = u32_at(data + 0x3C);
    if (!fits(len, pe_off, 24) || memcmp(data + pe_off, "PE\0\0", 4) != 0)
        return nrp_err_set(err, "not a PE file (no PE signature at 0x%x)", pe_off);
    const uint8_t *coff = data + pe_off + 4;
    h->section_count = u16_at(coff + 2), h->opt_size = u16_at(coff + 16);
    h->opt_off = (uint64_t)pe_off + 24;
    if (!fits(len, h->opt_off, h->opt_size) || h->opt_size < 2)
        return nrp_err_set(err, "PE optional header truncated");
    h->opt = data + h->opt_off;
    return NRP_OK;
}

/* The PE headers and section table in data[0..len), of a file (or mapped
 * image) of file_len bytes: f, and the RVA of the CLI header. */
static nrp_result find_cli_header(const uint8_t *data, size_t len, size_t file_len, int mapped, pe *f,
                                  uint32_t *cli_rva, nrp_err *err)
{
    pe_headers h;
    if (read_pe_headers(data, len, &h, err) != NRP_OK)
        return NRP_ERROR;
    const uint8_t *opt = h.opt;
    uint32_t section_count = h.section_count, opt_size = h.opt_size;
    uint64_t opt_off = h.opt_off;
    uint32_t dirs_off, count_off;
    switch (u16_at(opt)) {
    case 0x10B: count_off = 92, dirs_off = 96; break;   /* PE32 */
    case 0x20B: count_off = 108, dirs_off = 112; break;  /* PE32+ */
    default: return nrp_err_set(err, "unknown PE optional header magic 0x%x", u16_at(opt));
    }
    enum { CLI_DIRECTORY = 14 };
    if (opt_size < dirs_off + 8u * (CLI_DIRECTORY + 1) || u32_at(opt + count_off) <= CLI_DIRECTORY)
        return nrp_err_set(err, "not a .NET assembly (no CLI header directory)");
    *cli_rva = u32_at(opt + dirs_off + 8 * CLI_DIRECTORY);
    uint32_t cli_size = u32_at(opt + dirs_off + 8 * CLI_DIRECTORY + 4);
    if (*cli_rva == 0 || cli_size < 16)
        return nrp_err_set(err, "not a .NET assembly (empty CLI header directory)");
    if (section_count > MAX_SECTIONS || !fits(len, opt_off + opt_size, 40ull * section_count))
        return nrp_err_set(err, "PE section table truncated or too long (%u sections)", section_count);
    *f = (pe){data, file_len, opt + opt_size, section_count, mapped};
    return NRP_OK;
}

/* The CLI header's bytes read: its first 16 (up to the metadata's
 * directory) or, when they are there, 72 (to ManagedNativeHeader, which
 * points at a ReadyToRun image's header). */
#define CLI_HEADER_MIN 16u
#define CLI_HEADER_R2R 72u

/* The reader's section table, and the ReadyToRun header the CLI header
 * cli[0..cli_len) points at, if any. */
static void keep_layout(nrp_meta *m, const pe *f, const uint8_t *cli, uint32_t cli_len)
{
    m->sections = f->sections;
    m->section_count = f->section_count;
    m->file_len = f->len;
    m->mapped = f->mapped;
    if (cli_len >= CLI_HEADER_R2R) {
        m->r2r_rva = u32_at(cli + 64);
        m->r2r_len = m->r2r_rva ? u32_at(cli + 68) : 0;
    }
}

nrp_result nrp_meta_rva_at(const nrp_meta *m, uint32_t rva, uint32_t n, uint64_t *at, nrp_err *err)
{
    pe f = {m->sparse ? NULL : m->data, m->file_len, m->sections, m->section_count, m->mapped};
    return rva_offset(&f, rva, n, at, "the ReadyToRun data", err);
}

/* The metadata's RVA and size, from the 16 bytes of the CLI header. */
static nrp_result metadata_directory(const uint8_t *cli, uint32_t *md_rva, uint32_t *md_size, nrp_err *err)
{
    *md_rva = u32_at(cli + 8), *md_size = u32_at(cli + 12);
    if (*md_size < 20)
        return nrp_err_set(err, "metadata of %u bytes is too small", *md_size);
    return NRP_OK;
}

/* The PE headers and section table; then the CLI header (data directory
 * 14) and the metadata root it points at. */
static nrp_result find_metadata(nrp_meta *m, const uint8_t *data, size_t len, int mapped, span *root, nrp_err *err)
{
    pe f;
    span cli;
    uint32_t cli_rva = 0, md_rva = 0, md_size = 0;
    if (find_cli_header(data, len, len, mapped, &f, &cli_rva, err) != NRP_OK)
        return NRP_ERROR;
    nrp_err ignored;
    if (rva_span(&f, cli_rva, CLI_HEADER_R2R, &cli, "the CLI header", &ignored) != NRP_OK &&
        rva_span(&f, cli_rva, CLI_HEADER_MIN, &cli, "the CLI header", err) != NRP_OK)
        return NRP_ERROR;
    if (metadata_directory(cli.p, &md_rva, &md_size, err) != NRP_OK)
        return NRP_ERROR;
    keep_layout(m, &f, cli.p, cli.len);
    return rva_span(&f, md_rva, md_size, root, "the metadata", err);
}

/* ---- metadata root and streams (II.24.2.1, II.24.2.2) --------------------- */

/* Where a stream lies in the metadata: offset from the root, and size. */
typedef struct stream_at {
    uint32_t off, len;
} stream_at;

enum { STREAM_TABLES, STREAM_STRINGS, STREAM_BLOB, STREAM_GUID, STREAM_US, STREAM_KINDS };

/* The streams of the metadata root at root[0..header_len), which heads
 * root_len bytes of metadata: the version string to m, where each stream
 * this reader knows lies to at[] (len 0: absent, or empty). */
static nrp_result read_streams(nrp_meta *m, const uint8_t *root, size_t header_len, uint32_t root_len,
                               stream_at at_out[STREAM_KINDS], nrp_err *err)
{
    if (header_len > root_len)
        header_len = root_len;
    if (header_len < 20 || u32_at(root) != 0x424A5342u)
        return nrp_err_set(err, "bad metadata signature 0x%08x", header_len < 4 ? 0 : u32_at(root));
    uint32_t vlen = u32_at(root + 12);
    if (vlen > 255 || !fits(header_len, 16, (uint64_t)vlen + 4))
        return nrp_err_set(err, "metadata version string of %u bytes is too long", vlen);
    memcpy(m->version, root + 16, vlen);
    m->version[vlen] = '\0';
    uint32_t at = 16 + vlen + 2;
    uint32_t count = u16_at(root + at);
    at += 2;
    int seen[STREAM_KINDS] = {0};
    memset(at_out, 0, sizeof(stream_at) * STREAM_KINDS);
    for (uint32_t i = 0; i < count; i++) {
        if (!fits(header_len, at, 8))
            return nrp_err_set(err, "metadata stream header %u truncated", i);
        uint32_t off = u32_at(root + at), size = u32_at(root + at + 4);
        const char *name = (const char *)root + at + 8;
        size_t room = header_len - at - 8, n = 0;
        while (n < room && n < 32 && name[n])
            n++;
        if (n == room || n == 32)
            return nrp_err_set(err, "metadata stream header %u: name unterminated", i);
        at += 8 + (uint32_t)((n + 4) & ~(size_t)3);
        if (!fits(root_len, off, size))
            return nrp_err_set(err, "metadata stream '%s' runs past the metadata", name);
        int kind = -1;
        /* #- (uncompressed) differs from #~ only in the Ptr tables, which
         * the readers follow. */
        if (strcmp(name, "#~") == 0 || strcmp(name, "#-") == 0)
            kind = STREAM_TABLES;
        else if (strcmp(name, "#Strings") == 0)
            kind = STREAM_STRINGS;
        else if (strcmp(name, "#Blob") == 0)
            kind = STREAM_BLOB;
        else if (strcmp(name, "#GUID") == 0)
            kind = STREAM_GUID;
        else if (strcmp(name, "#US") == 0)
            kind = STREAM_US;
        if (kind < 0)
            continue; /* #JTD, #Pdb...: nothing read here needs them */
        if (seen[kind]++)
            return nrp_err_set(err, kind == STREAM_TABLES ? "metadata has two table streams"
                                                          : "metadata has two '%s' streams", name);
        at_out[kind] = (stream_at){off, size};
    }
    if (!seen[STREAM_TABLES])
        return nrp_err_set(err, "metadata has no table stream");
    return NRP_OK;
}

static nrp_result open_layout(const uint8_t *data, size_t len, int mapped, nrp_meta **out, nrp_err *err)
{
    span root;
    stream_at at[STREAM_KINDS];
    *out = NULL;
    if (!data)
        return nrp_err_set(err, "no bytes to read");
    nrp_meta *m = calloc(1, sizeof *m);
    if (!m)
        return nrp_err_set(err, "out of memory");
    m->data = data;
    m->len = len;
    if (find_metadata(m, data, len, mapped, &root, err) != NRP_OK ||
        read_streams(m, root.p, root.len, root.len, at, err) != NRP_OK) {
        free(m);
        return NRP_ERROR;
    }
    span *heaps[STREAM_KINDS] = {NULL, &m->strings, &m->blob, &m->guid, &m->user_strings};
    for (int k = STREAM_STRINGS; k < STREAM_KINDS; k++)
        if (at[k].len)
            *heaps[k] = (span){root.p + at[k].off, at[k].len};
    if (nrp_meta_read_tables(m, (span){root.p + at[STREAM_TABLES].off, at[STREAM_TABLES].len}, err) != NRP_OK) {
        free(m);
        return NRP_ERROR;
    }
    *out = m;
    return NRP_OK;
}

nrp_result nrp_meta_open(const uint8_t *data, size_t len, nrp_meta **out, nrp_err *err)
{
    return open_layout(data, len, 0, out, err);
}

/* Headers of a loaded image are read before their extent is known: no
 * further than this, which the loader maps (it maps the headers whole, and
 * a page at least), and no further than SizeOfHeaders once read. */
#define IMAGE_HEADER_MAX 4096u

nrp_result nrp_meta_open_image(const uint8_t *base, int mapped, nrp_meta **out, nrp_err *err)
{
    *out = NULL;
    if (!base)
        return nrp_err_set(err, "no image");
    /* The runtime checked these headers before it loaded the module
     * (PEDecoder::CheckNTHeaders); they are checked again here, for the
     * extent they give is all that bounds the reads that follow. */
    pe_headers h;
    if (read_pe_headers(base, IMAGE_HEADER_MAX, &h, err) != NRP_OK)
        return NRP_ERROR;
    uint32_t section_count = h.section_count, opt_size = h.opt_size;
    uint64_t headers_end = h.opt_off + opt_size + 40ull * section_count;
    /* SizeOfImage at 56 and SizeOfHeaders at 60 in PE32 and PE32+ alike. */
    if (opt_size < 64 || headers_end > IMAGE_HEADER_MAX)
        return nrp_err_set(err, "PE headers of an unexpected size (%u sections)", section_count);
    const uint8_t *opt = h.opt;
    uint32_t image_size = u32_at(opt + 56), header_size = u32_at(opt + 60);
    if (header_size < headers_end)
        return nrp_err_set(err, "PE headers run past SizeOfHeaders (0x%x)", header_size);
    uint64_t len = header_size;
    if (mapped) {
        len = image_size;
    } else {
        /* A flat image is the file, mapped whole: its sections' raw data
         * ends where the file's content does. */
        const uint8_t *sections = opt + opt_size;
        for (uint32_t i = 0; i < section_count; i++) {
            uint64_t end = (uint64_t)u32_at(sections + 40u * i + 20) + u32_at(sections + 40u * i + 16);
            if (end > len)
                len = end;
        }
    }
    if (len < header_size || len > MAX_FILE_BYTES)
        return nrp_err_set(err, "PE image of 0x%llx bytes is out of range", (unsigned long long)len);
    return open_layout(base, (size_t)len, mapped, out, err);
}

nrp_result nrp_meta_open_file(const char *path, nrp_meta **out, nrp_err *err)
{
    struct stat st;
    *out = NULL;
    /* Checked before opening: opening a FIFO would block. */
    if (nrp_path_stat(path, &st) != 0)
        return nrp_err_set(err, "cannot open %s", path);
    if (!S_ISREG(st.st_mode) || st.st_size < 0 || (uint64_t)st.st_size > MAX_FILE_BYTES)
        return nrp_err_set(err, "%s is not a regular file of at most %u MB", path, MAX_FILE_BYTES >> 20);
    char *text;
    size_t size;
    int error;
    nrp_result rc = nrp_file_read(path, MAX_FILE_BYTES, &text, &size, &error);
    if (rc != NRP_OK)
        return nrp_err_set(err, "cannot read %s: %s", path, strerror(error));
    uint8_t *bytes = (uint8_t *)text;
    if (nrp_meta_open(bytes, size, out, err) != NRP_OK) {
        char reason[sizeof err->msg];
        snprintf(reason, sizeof reason, "%s", err ? err->msg : "");
        free(bytes);
        return nrp_err_set(err, "%s: %s", path, reason);
    }
    (*out)->owned = bytes;
    return NRP_OK;
}

/* n bytes at offset `at` of fd, whole; -1 when it ends before or fails. */
static int read_at(int fd, void *buf, size_t n, uint64_t at)
{
    size_t done = 0;
    while (done < n) {
        ssize_t got = pread(fd, (uint8_t *)buf + done, n - done, (off_t)(at + done));
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return -1;
        done += (size_t)got;
    }
    return 0;
}

/* The sparse reader's tables: the stream at tables_at laid out, those of
 * `wanted` read, the others left with no rows until a lookup asks for them.
 * The stream's header is header[0..header_len) when the caller has read it
 * already (else header_len 0). */
#define TABLES_HEADER_MAX (24 + 4 * 64 + 4)
static nrp_result read_sparse_tables(nrp_meta *m, uint64_t tables_at, uint32_t stream_len, uint64_t wanted,
                                     const uint8_t *header, size_t header_len, nrp_err *err)
{
    uint8_t own[TABLES_HEADER_MAX];
    size_t need = stream_len < sizeof own ? stream_len : sizeof own;
    if (header_len < need) {
        if (read_at(m->fd, own, need, tables_at) != 0)
            return nrp_err_set(err, "cannot read the table stream's header");
        header = own, header_len = need;
    }
    if (nrp_meta_lay_out_tables(m, header, header_len, stream_len, m->table_off, err) != NRP_OK)
        return NRP_ERROR;
    m->tables_at = tables_at;
    memcpy(m->stream_rows, m->rows, sizeof m->rows);
    memset(m->rows, 0, sizeof m->rows); /* none read yet: no row of them can be asked for */
    return nrp_meta_load_tables(m, wanted, err);
}

/* Whether table i is asked for, has rows and is not read yet. */
static int table_to_read(const nrp_meta *m, uint64_t mask, unsigned i)
{
    return (mask >> i & 1) && !m->table[i] && m->stream_rows[i];
}

#define TABLES_GAP (8u << 10)
nrp_result nrp_meta_load_tables(nrp_meta *m, uint64_t mask, nrp_err *err)
{
    /* The tables lie in the stream in table order. Those to read that lie
     * within TABLES_GAP of one another are read at once into one piece
     * (Assembly and AssemblyRef are neighbours). */
    for (unsigned i = 0; m->sparse && i < NRP_META_TABLE_COUNT;) {
        if (!table_to_read(m, mask, i)) {
            i++;
            continue;
        }
        uint64_t from = m->table_off[i], to = from + (uint64_t)m->stream_rows[i] * m->row_size[i];
        unsigned end = i + 1;
        for (unsigned j = i + 1; j < NRP_META_TABLE_COUNT; j++) {
            if (!table_to_read(m, mask, j))
                continue;
            if (m->table_off[j] < from || m->table_off[j] > to + TABLES_GAP)
                break;
            uint64_t j_to = m->table_off[j] + (uint64_t)m->stream_rows[j] * m->row_size[j];
            to = j_to > to ? j_to : to;
            end = j + 1;
        }
        piece *p = malloc(sizeof *p + (size_t)(to - from) + 1);
        if (!p)
            return nrp_err_set(err, "out of memory");
        if (read_at(m->fd, p->bytes, (size_t)(to - from), m->tables_at + from) != 0) {
            free(p);
            return nrp_err_set(err, "cannot read the tables at 0x%llx", (unsigned long long)from);
        }
        p->bytes[to - from] = 0;
        p->at = m->tables_at + from;
        p->len = (uint32_t)(to - from);
        p->next = m->pieces;
        m->pieces = p;
        for (unsigned k = i; k < end; k++)
            if (table_to_read(m, mask, k)) {
                m->table[k] = p->bytes + (m->table_off[k] - from);
                m->rows[k] = m->stream_rows[k];
            }
        i = end;
    }
    return NRP_OK;
}

const uint8_t *nrp_meta_row_bytes(const nrp_meta *m, unsigned table, uint32_t row)
{
    if (table >= NRP_META_TABLE_COUNT || row == 0)
        return NULL;
    if (m->table[table])
        return row <= m->rows[table] ? m->table[table] + (size_t)(row - 1) * m->row_size[table] : NULL;
    if (!m->sparse || row > m->stream_rows[table])
        return NULL;
    uint32_t len = m->stream_rows[table] * m->row_size[table]; /* below the stream's size: laid out */
    return nrp_meta_range_bytes(m, m->tables_at + m->table_off[table], len, (row - 1) * m->row_size[table],
                                m->row_size[table]);
}

/* buf[0..*len) grown to the first `want` bytes of the file (at most
 * file_len), read from fd. */
static nrp_result read_prefix(int fd, size_t file_len, uint8_t **buf, size_t *len, uint64_t want, nrp_err *err)
{
    if (want > file_len)
        want = file_len;
    if (want <= *len)
        return NRP_OK;
    uint8_t *more = realloc(*buf, (size_t)want);
    if (!more)
        return nrp_err_set(err, "out of memory");
    *buf = more;
    if (read_at(fd, more + *len, (size_t)want - *len, *len) != 0)
        return nrp_err_set(err, "cannot read the file's first %llu bytes", (unsigned long long)want);
    *len = (size_t)want;
    return NRP_OK;
}

/* The PE headers and section table, whole: most fit in 1 KiB. */
static nrp_result read_headers(int fd, size_t file_len, uint8_t **buf, size_t *len, nrp_err *err)
{
    pe_headers h;
    if (read_prefix(fd, file_len, buf, len, 1024, err) != NRP_OK)
        return NRP_ERROR;
    if (*len >= 0x40 && read_prefix(fd, file_len, buf, len, (uint64_t)u32_at(*buf + 0x3C) + 24, err) != NRP_OK)
        return NRP_ERROR;
    /* and the optional header, whose size the COFF header gives: a PE
     * signature near the end of the first KiB leaves it past what is read */
    uint64_t pe_off = *len >= 0x40 ? u32_at(*buf + 0x3C) : 0;
    if (*len >= 0x40 && fits(*len, pe_off, 24) &&
        read_prefix(fd, file_len, buf, len, pe_off + 24 + u16_at(*buf + pe_off + 4 + 16), err) != NRP_OK)
        return NRP_ERROR;
    if (read_pe_headers(*buf, *len, &h, err) != NRP_OK)
        return NRP_ERROR;
    uint32_t sections = h.section_count <= MAX_SECTIONS ? h.section_count : MAX_SECTIONS + 1;
    return read_prefix(fd, file_len, buf, len, h.opt_off + h.opt_size + 40ull * sections, err);
}

/* Stream headers fit in what is read first unless there are many. */
#define ROOT_FIRST (1024 + TABLES_HEADER_MAX)
#define ROOT_MAX (16 + 256 + 4 + 65535u * 40 + TABLES_HEADER_MAX)

static nrp_result open_sparse(nrp_meta *m, const char *path, const uint8_t *image, uint64_t tables, nrp_err *err)
{
    struct stat st;
    uint8_t *headers = NULL, *root = NULL, cli[CLI_HEADER_R2R];
    size_t header_len = 0, root_len = 0;
    nrp_result rc = NRP_ERROR;
    if ((m->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
        return nrp_err_set(err, "cannot open %s", path);
    if (nrp_path_fstat(m->fd, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > MAX_FILE_BYTES)
        return nrp_err_set(err, "%s is not a regular file of at most %u MB", path, MAX_FILE_BYTES >> 20);
    size_t file_len = (size_t)st.st_size;
    pe f;
    uint32_t cli_rva = 0, md_rva = 0, md_size = 0;
    uint64_t cli_at, md_at;
    stream_at at[STREAM_KINDS];
    if (read_headers(m->fd, file_len, &headers, &header_len, err) != NRP_OK)
        goto out;
    if (image) {
        /* The image's headers were checked when the runtime loaded it, and
         * are again here: their extent bounds the comparison. */
        pe_headers h;
        if (read_pe_headers(image, IMAGE_HEADER_MAX, &h, err) != NRP_OK)
            goto out;
        uint64_t end = h.opt_off + h.opt_size + 40ull * h.section_count;
        if (end > IMAGE_HEADER_MAX || end > header_len || memcmp(headers, image, (size_t)end) != 0) {
            nrp_err_set(err, "%s is not the image the runtime loaded (its PE headers differ)", path);
            goto out;
        }
    }
    nrp_err ignored;
    uint32_t cli_len = CLI_HEADER_R2R;
    if (find_cli_header(headers, header_len, file_len, 0, &f, &cli_rva, err) != NRP_OK)
        goto out;
    if (rva_offset(&f, cli_rva, cli_len, &cli_at, "the CLI header", &ignored) != NRP_OK &&
        rva_offset(&f, cli_rva, cli_len = CLI_HEADER_MIN, &cli_at, "the CLI header", err) != NRP_OK)
        goto out;
    if (read_at(m->fd, cli, cli_len, cli_at) != 0) {
        nrp_err_set(err, "cannot read the CLI header");
        goto out;
    }
    /* The headers stay: the section table finds the ReadyToRun data. */
    keep_layout(m, &f, cli, cli_len);
    m->pe_bytes = headers;
    headers = NULL;
    if (metadata_directory(cli, &md_rva, &md_size, err) != NRP_OK ||
        rva_offset(&f, md_rva, md_size, &md_at, "the metadata", err) != NRP_OK)
        goto out;
    /* The root, its stream headers and, most often, the tables stream's
     * header right after them, in one read; more when there are many
     * streams. */
    for (uint32_t want = md_size < ROOT_FIRST ? md_size : ROOT_FIRST;; want = md_size < ROOT_MAX ? md_size : ROOT_MAX) {
        uint8_t *more = realloc(root, want);
        if (!more) {
            nrp_err_set(err, "out of memory");
            goto out;
        }
        root = more, root_len = want;
        if (read_at(m->fd, root, root_len, md_at) != 0) {
            nrp_err_set(err, "cannot read the metadata root");
            goto out;
        }
        if (read_streams(m, root, root_len, md_size, at, err) == NRP_OK)
            break;
        if (root_len == (md_size < ROOT_MAX ? md_size : ROOT_MAX))
            goto out;
    }
    uint32_t tables_off = at[STREAM_TABLES].off;
    size_t in_root = tables_off < root_len ? root_len - tables_off : 0;
    m->strings = (span){NULL, at[STREAM_STRINGS].len};
    m->blob = (span){NULL, at[STREAM_BLOB].len};
    m->strings_at = md_at + at[STREAM_STRINGS].off;
    m->blob_at = md_at + at[STREAM_BLOB].off;
    rc = read_sparse_tables(m, md_at + tables_off, at[STREAM_TABLES].len, tables, in_root ? root + tables_off : NULL,
                            in_root, err);
out:
    free(headers);
    free(root);
    return rc;
}

nrp_result nrp_meta_open_file_sparse(const char *path, const uint8_t *image, uint64_t tables, nrp_meta **out,
                                     nrp_err *err)
{
    *out = NULL;
    nrp_meta *m = calloc(1, sizeof *m);
    if (!m)
        return nrp_err_set(err, "out of memory");
    m->sparse = 1;
    m->fd = -1;
    if (open_sparse(m, path, image, tables, err) != NRP_OK) {
        nrp_meta_close(m);
        return NRP_ERROR;
    }
    *out = m;
    return NRP_OK;
}

void nrp_meta_close(nrp_meta *m)
{
    if (!m)
        return;
    if (m->sparse) {
        if (m->fd >= 0)
            close(m->fd);
        for (piece *p = m->pieces, *next; p; p = next) {
            next = p->next;
            free(p);
        }
        free(m->pe_bytes);
    }
    free(m->owned);
    free(m);
}

const char *nrp_meta_runtime_version(const nrp_meta *m)
{
    return m->version;
}
