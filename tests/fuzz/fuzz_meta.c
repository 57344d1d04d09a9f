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
#include <stdlib.h>
#include <string.h>

#include "../unit/meta_walk.h"
#include "fuzz_check.h"
#include "meta/meta.h"
#include "nrp/plugin.h"

/* Rows read per table: enough to cover any table of a small input, and a
 * bound on the time a large one takes. */
#define ROW_CAP 512

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
        free(copy);
        return 0;
    }
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
