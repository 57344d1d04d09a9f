/*
 * version.h - assembly version ranges as rules write them: comparators
 * (>=, >, <=, <, =) joined by spaces, all of which must hold, e.g.
 * ">=1.2 <3". A version has up to four parts; missing parts are 0, except
 * that "=1.2" (or a bare "1.2") matches every 1.2.x.y.
 */
#ifndef NRP_RULES_VERSION_H
#define NRP_RULES_VERSION_H

#include <stddef.h>
#include <stdint.h>

#include "nrp/result.h"

typedef struct nrp_version {
    uint32_t part[4]; /* major, minor, build, revision */
} nrp_version;

typedef enum nrp_version_op { NRP_VERSION_EQ, NRP_VERSION_GT, NRP_VERSION_GE, NRP_VERSION_LT, NRP_VERSION_LE } nrp_version_op;

#define NRP_VERSION_MAX_BOUNDS 8

typedef struct nrp_version_range {
    struct {
        nrp_version_op op;
        nrp_version version;
        uint8_t parts; /* how many parts were written */
    } bound[NRP_VERSION_MAX_BOUNDS];
    uint32_t count;
} nrp_version_range;

/* Parse text; on failure why explains (without the text itself). */
nrp_result nrp_version_range_parse(const char *text, nrp_version_range *out, char *why, size_t why_cap);

int nrp_version_range_contains(const nrp_version_range *r, const nrp_version *v);

#endif
