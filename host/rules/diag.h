/*
 * diag.h - every problem found in a configuration, each with its place,
 * reported like a compiler: FILE:LINE:COL: error: MESSAGE.
 */
#ifndef NRP_RULES_DIAG_H
#define NRP_RULES_DIAG_H

#include <stddef.h>

#include "nrp/result.h"
#include "util/strbuf.h"

typedef struct nrp_diag {
    char *file;
    unsigned line;   /* 1-based; 0 when the problem has no line (a file that cannot be read) */
    unsigned column;
    char *message;
} nrp_diag;

typedef struct nrp_diags {
    nrp_diag *items;
    size_t count;
    size_t cap;
    size_t dropped;  /* problems past NRP_DIAGS_MAX, counted but not kept */
    nrp_result status; /* NRP_NOMEM once a message was lost for want of memory */
} nrp_diags;

/* Problems kept with their text, as compilers stop listing after a few
 * hundred: a hostile file must not fill the app's log. */
#define NRP_DIAGS_MAX 100

/* Every problem reported, kept or not. */
size_t nrp_diags_total(const nrp_diags *d);

void nrp_diags_init(nrp_diags *d);
void nrp_diags_free(nrp_diags *d);

void nrp_diags_add(nrp_diags *d, const char *file, unsigned line, unsigned column, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* "FILE:LINE:COL: error: MESSAGE" (or "FILE: error: MESSAGE" without a line). */
void nrp_diag_format(const nrp_diag *d, nrp_strbuf *out);

/* Every diagnostic, one per line. */
void nrp_diags_format(const nrp_diags *d, nrp_strbuf *out);

#endif
