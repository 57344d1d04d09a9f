/* meta_walk.h - read everything an opened assembly offers through every
 * reader of host/meta. test_meta runs it on damaged copies of real
 * assemblies and fuzz_meta on whatever libFuzzer makes: it must never
 * crash, read out of bounds or hang, whatever the bytes. */
#ifndef NRP_TEST_META_WALK_H
#define NRP_TEST_META_WALK_H

#include <stddef.h>

#include "meta/meta.h"

/* Rows read per table are capped at row_cap. Returns how many reads
 * succeeded (so nothing is optimised away, and tests can compare). */
size_t nrp_test_meta_walk(const nrp_meta *m, uint32_t row_cap);

#endif
