/*
 * method_stats.c - grouping is done by sorting the method series on
 * (method, rule), so a file with thousands of methods costs n log n and no
 * assumption is made about the order its lines come in.
 */
#include "cli/method_stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nrp/result.h"

enum kind { CALLS, EXCEPTIONS, CANCELLATIONS, BUCKET, COUNT, MIN, MAX, QUANTILE };

static const struct {
    const char *name;
    enum kind kind;
} known[] = {
    {"nrp_method_calls_total", CALLS},
    {"nrp_method_exceptions_total", EXCEPTIONS},
    {"nrp_method_cancellations_total", CANCELLATIONS},
    {"nrp_method_duration_seconds_bucket", BUCKET},
    {"nrp_method_duration_seconds_count", COUNT},
    {"nrp_method_duration_min_seconds", MIN},
    {"nrp_method_duration_max_seconds", MAX},
    {"nrp_method_duration_quantile_seconds", QUANTILE},
};

/* The quantile labels of nrp_method_duration_quantile_seconds, as p50, p90, p99. */
static const char *const quantile_labels[3] = {"0.5", "0.9", "0.99"};

typedef struct entry {
    const nrp_prom_series *s;
    const char *method, *rule;
    enum kind kind;
} entry;

static int by_group_then_line(const void *pa, const void *pb)
{
    const entry *a = pa, *b = pb;
    int c = strcmp(a->method, b->method);
    if (!c)
        c = strcmp(a->rule, b->rule);
    /* File order inside a group, so a repeated series means the last one. */
    return c ? c : (a->s->line > b->s->line) - (a->s->line < b->s->line);
}

static int by_le(const void *pa, const void *pb)
{
    const nrp_bucket *a = pa, *b = pb;
    return (a->le > b->le) - (a->le < b->le);
}

static int parse_le(const char *text, double *le)
{
    char *stop;
    *le = strtod(text, &stop);
    return *text && !*stop && !isnan(*le) ? NRP_OK : NRP_ERROR;
}

static int same_group(const entry *a, const entry *b)
{
    return strcmp(a->method, b->method) == 0 && strcmp(a->rule, b->rule) == 0;
}

/* Fill row from its run of entries; bucket space is reserved by the caller. */
static nrp_result fill_row(nrp_method_stats *row, const entry *e, size_t n, nrp_bucket *buckets, nrp_err *err)
{
    /* The percentiles the profiler exported (from its fine buckets), when
     * the file has them; else estimated from the classic buckets below. */
    double exported[3] = {NAN, NAN, NAN};
    *row = (nrp_method_stats){.method = e->method,
                              .rule = e->rule,
                              .calls = NAN,
                              .exceptions = NAN,
                              .cancellations = NAN,
                              .count = NAN, .min = NAN, .max = NAN, .buckets = buckets};
    for (size_t i = 0; i < n; i++) {
        const char *async = nrp_prom_label_value(e[i].s, "async");
        row->async |= async && strcmp(async, "true") == 0;
        double v = e[i].s->value;
        switch (e[i].kind) {
        case CALLS: row->calls = v; break;
        case EXCEPTIONS: row->exceptions = v; break;
        case CANCELLATIONS: row->cancellations = v; break;
        case COUNT: row->count = v; break;
        case MIN: row->min = v; break;
        case MAX: row->max = v; break;
        case QUANTILE: {
            const char *q = nrp_prom_label_value(e[i].s, "quantile");
            for (int k = 0; q && k < 3; k++)
                if (strcmp(q, quantile_labels[k]) == 0)
                    exported[k] = v;
            break;
        }
        case BUCKET: {
            const char *le = nrp_prom_label_value(e[i].s, "le");
            nrp_bucket *b = &buckets[row->bucket_count];
            if (!le)
                return nrp_err_set(err, "%u: a histogram bucket without an le label", e[i].s->line);
            if (parse_le(le, &b->le) != NRP_OK)
                return nrp_err_set(err, "%u: bucket bound le=\"%s\" is not a number", e[i].s->line, le);
            b->count = v;
            row->bucket_count++;
            break;
        }
        }
    }
    qsort(buckets, row->bucket_count, sizeof *buckets, by_le);
    const nrp_bucket *last = row->bucket_count ? &buckets[row->bucket_count - 1] : NULL;
    if (isnan(row->count) && last && isinf(last->le))
        row->count = last->count;
    if (isnan(row->calls))
        row->calls = row->count;
    static const double qs[3] = {0.5, 0.9, 0.99};
    double *out[3] = {&row->p50, &row->p90, &row->p99};
    for (int k = 0; k < 3; k++) {
        row->exact_percentiles += !isnan(exported[k]);
        *out[k] = !isnan(exported[k])
                      ? exported[k]
                      : nrp_histogram_quantile(qs[k], buckets, row->bucket_count, row->min, row->max);
    }
    row->exact_percentiles = row->exact_percentiles == 3;
    return NRP_OK;
}

nrp_result nrp_method_table_build(const nrp_prom_doc *doc, nrp_method_table *t, nrp_err *err)
{
    memset(t, 0, sizeof *t);
    entry *entries = malloc((doc->count ? doc->count : 1) * sizeof *entries);
    if (!entries)
        return nrp_err_set(err, "out of memory");
    size_t n = 0, bucket_total = 0;
    for (size_t i = 0; i < doc->count; i++) {
        const nrp_prom_series *s = &doc->series[i];
        const char *method = nrp_prom_label_value(s, "method");
        if (!method)
            continue; /* the host's own counters, say: not a method's */
        for (size_t k = 0; k < sizeof known / sizeof *known; k++) {
            if (strcmp(s->name, known[k].name) != 0)
                continue;
            const char *rule = nrp_prom_label_value(s, "rule");
            entries[n++] = (entry){s, method, rule ? rule : "", known[k].kind};
            bucket_total += known[k].kind == BUCKET;
            break;
        }
    }
    qsort(entries, n, sizeof *entries, by_group_then_line);
    size_t groups = 0;
    for (size_t i = 0; i < n; i++)
        groups += i == 0 || !same_group(&entries[i - 1], &entries[i]);
    t->rows = calloc(groups ? groups : 1, sizeof *t->rows);
    t->storage = malloc((bucket_total ? bucket_total : 1) * sizeof *t->storage);
    nrp_result rc = t->rows && t->storage ? NRP_OK : nrp_err_set(err, "out of memory");
    nrp_bucket *next = t->storage;
    for (size_t i = 0, j; rc == NRP_OK && i < n; i = j) {
        for (j = i + 1; j < n && same_group(&entries[i], &entries[j]);)
            j++;
        nrp_method_stats *row = &t->rows[t->count++];
        rc = fill_row(row, &entries[i], j - i, next, err);
        next += row->bucket_count;
    }
    free(entries);
    return rc;
}

void nrp_method_table_free(nrp_method_table *t)
{
    free(t->rows);
    free(t->storage);
    memset(t, 0, sizeof *t);
}

/* Descending, with NaN (no such figure) after every number. */
static int desc(double a, double b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) - isnan(b);
    return (a < b) - (a > b);
}

static int slowest_first(const void *pa, const void *pb)
{
    const nrp_method_stats *a = pa, *b = pb;
    int c = desc(a->p99, b->p99);
    if (!c)
        c = desc(a->max, b->max);
    if (!c)
        c = desc(a->calls, b->calls);
    if (!c)
        c = strcmp(a->method, b->method);
    return c ? c : strcmp(a->rule, b->rule);
}

void nrp_method_table_sort(nrp_method_table *t)
{
    qsort(t->rows, t->count, sizeof *t->rows, slowest_first);
}

static double larger(double a, double b)
{
    return b > a ? b : a;
}

double nrp_histogram_quantile(double q, const nrp_bucket *b, size_t n, double min, double max)
{
    if (!(q >= 0 && q <= 1) || n < 2 || !isinf(b[n - 1].le))
        return NAN;
    double total = 0;
    for (size_t i = 0; i < n; i++)
        total = larger(total, b[i].count);
    if (!(total > 0))
        return NAN;
    double rank = q * total, below = 0, upto = 0, v;
    size_t i = 0;
    for (;; i++) {
        upto = larger(below, b[i].count);
        if (upto >= rank || i == n - 1)
            break;
        below = upto;
    }
    if (i == n - 1)
        v = b[n - 2].le; /* no upper edge to interpolate towards */
    else if (i == 0 && b[0].le <= 0)
        v = b[0].le;
    else {
        double start = i ? b[i - 1].le : 0, in_bucket = upto - below;
        v = start + (b[i].le - start) * (in_bucket > 0 ? (rank - below) / in_bucket : 0);
    }
    if (!isnan(min) && v < min)
        v = min;
    if (!isnan(max) && v > max)
        v = max;
    return v;
}
