/*
 * fuzz_meta.c - libFuzzer target for the offline metadata reader
 * (host/meta): the input is a whole file, as nrp_meta_open_file would read
 * it. Seeded with tests/unit/data/Meta.Sample.dll (a real 4.5 KB assembly).
 *
 * Each input is opened from an exact-size copy (so ASan sees any read past
 * its end); when it opens, everything it offers is read through every
 * reader (tests/unit/meta_walk.c). Invariants: a failed open gives a
 * reason and no reader; opening is deterministic; reading the same file
 * twice gives the same answers.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../unit/meta_walk.h"
#include "fuzz_check.h"
#include "meta/meta.h"
#include "nrp/plugin.h"

/* Rows read per table: enough to cover any table of a small input, and a
 * bound on the time a large one takes. */
#define ROW_CAP 512

/* What a module's load reads at once (rejit/scan.c): the TypeDef rows a
 * lookup by name needs are read then. */
#define SPARSE_TABLES (1ull << NRP_META_ASSEMBLY | 1ull << NRP_META_ASSEMBLYREF)

/* The input read sparsely, from a file (a memfd) holding it: opens when
 * the whole read opened, and then reads as it does (Assembly row,
 * AssemblyRefs, the first types found by their names). */
static void check_sparse(const uint8_t *data, size_t size, nrp_meta *whole)
{
    char path[64];
    nrp_meta *m = NULL;
    nrp_err err = {{0}};
    int fd = memfd_create("fuzz_meta", MFD_CLOEXEC);
    if (fd < 0)
        return; /* no memfd here: the sparse path is not fuzzed */
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return;
    }
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    int rc = nrp_meta_open_file_sparse(path, NULL, SPARSE_TABLES, &m, &err);
    close(fd);
    if (!whole) {
        CHECK(rc == NRP_OK || (m == NULL && err.msg[0] != '\0'));
        nrp_meta_close(m);
        return;
    }
    CHECK(rc == NRP_OK);
    nrp_meta_assembly a, b;
    int ra = nrp_meta_assembly_row(whole, &a, &err), rb = nrp_meta_assembly_row(m, &b, &err);
    CHECK(ra == rb);
    if (ra == NRP_OK)
        CHECK(strcmp(a.name, b.name) == 0 && strcmp(a.culture, b.culture) == 0);
    CHECK(nrp_meta_row_count(m, NRP_META_ASSEMBLYREF) == nrp_meta_row_count(whole, NRP_META_ASSEMBLYREF));
    for (uint32_t r = 1; r <= nrp_meta_row_count(whole, NRP_META_ASSEMBLYREF) && r <= ROW_CAP; r++) {
        nrp_meta_assembly_ref x, y;
        ra = nrp_meta_assembly_ref_row(whole, r, &x, &err), rb = nrp_meta_assembly_ref_row(m, r, &y, &err);
        CHECK(ra == rb);
        if (ra == NRP_OK)
            CHECK(strcmp(x.name, y.name) == 0 && x.public_key_or_token_len == y.public_key_or_token_len &&
                  memcmp(x.public_key_or_token, y.public_key_or_token, x.public_key_or_token_len) == 0);
    }
    for (uint32_t r = 1; r <= nrp_meta_row_count(whole, NRP_META_TYPEDEF) && r <= 64; r++) {
        nrp_meta_type_def t;
        uint32_t in_whole = 0, in_sparse = 0;
        char name[512];
        if (nrp_meta_type_def_row(whole, r, &t, &err) != NRP_OK)
            continue;
        snprintf(name, sizeof name, "%s%s%s", t.namespace_, *t.namespace_ ? "." : "", t.name);
        ra = nrp_meta_find_type(whole, name, &in_whole, &err), rb = nrp_meta_find_type(m, name, &in_sparse, &err);
        CHECK(ra == rb);
        if (ra == NRP_OK)
            CHECK(in_whole == in_sparse);
    }
    nrp_meta_close(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char not_opened; /* open must set the reader to NULL when it fails */
    uint8_t *copy = malloc(size ? size : 1);
    nrp_meta *m = (nrp_meta *)&not_opened, *again = NULL;
    nrp_err err = {{0}};
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    int rc = nrp_meta_open(copy, size, &m, &err);
    if (rc != NRP_OK) {
        CHECK(rc == NRP_ERROR);
        CHECK(m == NULL);
        CHECK(err.msg[0] != '\0');
        check_sparse(data, size, NULL);
        free(copy);
        return 0;
    }
    check_sparse(data, size, m);
    CHECK(nrp_meta_open(copy, size, &again, &err) == NRP_OK);
    for (unsigned t = 0; t < NRP_META_TABLE_COUNT; t++)
        CHECK(nrp_meta_row_count(m, t) == nrp_meta_row_count(again, t));
    size_t first = nrp_test_meta_walk(m, ROW_CAP);
    CHECK(nrp_test_meta_walk(again, ROW_CAP) == first);
    nrp_meta_close(again);
    nrp_meta_close(m);
    free(copy);
    return 0;
}
