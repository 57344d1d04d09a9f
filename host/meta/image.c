/*
 * image.c - from a file's bytes to its metadata: the PE/COFF headers and
 * sections, the CLI header, the metadata root and its streams; opening and
 * closing a reader.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

/* The bytes of [rva, rva + size) as the file (or the mapped image) holds
 * them: inside one section's raw data (or, mapped, its virtual extent,
 * whose tail past the raw data the loader zeroes). */
static nrp_result rva_span(const pe *f, uint32_t rva, uint32_t size, span *out, const char *what, nrp_err *err)
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
        out->p = f->data + off;
        out->len = size;
        return NRP_OK;
    }
    return nrp_err_set(err, "%s (RVA 0x%x) lies in no section of the file", what, rva);
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

/* The PE headers and section table; then the CLI header (data directory
 * 14) and the metadata root it points at. */
static nrp_result find_metadata(const uint8_t *data, size_t len, int mapped, span *root, nrp_err *err)
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
    uint32_t cli_rva = u32_at(opt + dirs_off + 8 * CLI_DIRECTORY);
    uint32_t cli_size = u32_at(opt + dirs_off + 8 * CLI_DIRECTORY + 4);
    if (cli_rva == 0 || cli_size < 16)
        return nrp_err_set(err, "not a .NET assembly (empty CLI header directory)");
    if (section_count > MAX_SECTIONS || !fits(len, opt_off + opt_size, 40ull * section_count))
        return nrp_err_set(err, "PE section table truncated or too long (%u sections)", section_count);
    pe f = {data, len, opt + opt_size, section_count, mapped};
    span cli;
    if (rva_span(&f, cli_rva, 16, &cli, "the CLI header", err) != NRP_OK)
        return NRP_ERROR;
    uint32_t md_rva = u32_at(cli.p + 8), md_size = u32_at(cli.p + 12);
    if (md_size < 20)
        return nrp_err_set(err, "metadata of %u bytes is too small", md_size);
    return rva_span(&f, md_rva, md_size, root, "the metadata", err);
}

/* ---- metadata root and streams (II.24.2.1, II.24.2.2) --------------------- */

static nrp_result read_streams(nrp_meta *m, span root, span *tables, nrp_err *err)
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

static nrp_result open_layout(const uint8_t *data, size_t len, int mapped, nrp_meta **out, nrp_err *err)
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
    if (find_metadata(data, len, mapped, &root, err) != NRP_OK || read_streams(m, root, &tables, err) != NRP_OK ||
        nrp_meta_read_tables(m, tables, err) != NRP_OK) {
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

void nrp_meta_close(nrp_meta *m)
{
    if (!m)
        return;
    free(m->owned);
    free(m);
}

const char *nrp_meta_runtime_version(const nrp_meta *m)
{
    return m->version;
}
