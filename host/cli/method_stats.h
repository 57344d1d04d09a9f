/*
 * method_stats.h - the profiler's per-method series (nrp_method_calls_total,
 * nrp_method_exceptions_total, nrp_method_cancellations_total, the
 * nrp_method_duration_seconds histogram and its min, max and quantile
 * gauges) gathered into one record per (rule, method), with its
 * percentiles: those the profiler exported, else those Prometheus would
 * compute from the buckets.
 */
#ifndef NRP_CLI_METHOD_STATS_H
#define NRP_CLI_METHOD_STATS_H

#include <stddef.h>

#include "cli/prom_read.h"
#include "nrp/result.h"
#include "util/err.h"

/* One histogram bucket: how many observations were <= le (cumulative). */
typedef struct nrp_bucket {
    double le;
    double count;
} nrp_bucket;

/* Every number is NaN when the file has no series for it. */
typedef struct nrp_method_stats {
    const char *method; /* point into the document */
    const char *rule;   /* "" when the series had no rule label */
    int async;          /* some series of the method carries async="true" */
    double calls;       /* the calls counter, else the histogram's count */
    double exceptions;
    double cancellations; /* only methods that return a task have the series */
    double count; /* the histogram's _count, else its +Inf bucket */
    double min, max;
    const nrp_bucket *buckets; /* sorted by le */
    size_t bucket_count;
    /* nrp_method_duration_quantile_seconds{quantile="0.5|0.9|0.99"} (within
     * 3.2%) when the file has all three; else from the buckets, clamped to
     * [min, max]. */
    double p50, p90, p99;
    int exact_percentiles; /* 1: the exported gauges */
} nrp_method_stats;

typedef struct nrp_method_table {
    nrp_method_stats *rows; /* one per (rule, method), by method then rule */
    size_t count;
    nrp_bucket *storage;
} nrp_method_table;

/* Gather doc's method series into t; other series are left out. NRP_OK
 * (possibly with no rows), or NRP_ERROR with "LINE: reason" in err for a
 * bucket whose le label is missing or not a number. The rows point into
 * doc, which must outlive t. Free t with nrp_method_table_free either way. */
nrp_result nrp_method_table_build(const nrp_prom_doc *doc, nrp_method_table *t, nrp_err *err);
void nrp_method_table_free(nrp_method_table *t);

/* Slowest first: by p99, then max, then calls, all descending with the
 * missing ones last; then by method and rule, so the order is total. */
void nrp_method_table_sort(nrp_method_table *t);

/* The q-quantile (0 <= q <= 1) of a histogram, as Prometheus'
 * histogram_quantile estimates it: find the bucket holding rank q*total and
 * interpolate linearly inside it, the first bucket starting at 0; a rank in
 * the +Inf bucket gives the highest finite bound. The result is then clamped
 * to [min, max] (either may be NaN: no bound). buckets are sorted by le, the
 * last +Inf; counts that decrease are taken as flat, as Prometheus does.
 * NaN without such buckets (at least two), without observations, or for q
 * out of range. */
double nrp_histogram_quantile(double q, const nrp_bucket *buckets, size_t n, double min, double max);

#endif
