/*
 * prom_read.h - reads the Prometheus text exposition format (version
 * 0.0.4) into a flat list of series: a name, its labels with their values
 * unescaped, and the sample value. Comments (HELP, TYPE) are skipped; the
 * reader does not group series into metric families, so it assumes nothing
 * about line order.
 */
#ifndef NRP_CLI_PROM_READ_H
#define NRP_CLI_PROM_READ_H

#include <stddef.h>

#include "util/arena.h"
#include "util/err.h"

typedef struct nrp_prom_label {
    const char *name;
    const char *value; /* unescaped: \\ \" and \n are the characters */
} nrp_prom_label;

typedef struct nrp_prom_series {
    const char *name;
    const nrp_prom_label *labels;
    size_t label_count;
    double value; /* NaN, +Inf and -Inf included */
    unsigned line; /* 1-based, so later checks can point at the text */
} nrp_prom_series;

typedef struct nrp_prom_doc {
    nrp_prom_series *series; /* in file order */
    size_t count;
    nrp_arena arena; /* every name, label and string above */
} nrp_prom_doc;

/* Parse len bytes of text into doc (which needs no set-up). NRP_OK, or
 * NRP_ERROR with "LINE:COLUMN: reason" in err at the first malformed line;
 * doc is then empty. Either way, free doc with nrp_prom_doc_free. */
int nrp_prom_parse(const char *text, size_t len, nrp_prom_doc *doc, nrp_err *err);
void nrp_prom_doc_free(nrp_prom_doc *doc);

/* The value of label name on s, or NULL when s has no such label. */
const char *nrp_prom_label_value(const nrp_prom_series *s, const char *name);

#endif
