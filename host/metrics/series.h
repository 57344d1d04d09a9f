/*
 * series.h - the registry's records, shared by the registry (metrics.c)
 * and the formats (format_prometheus.c, format_json.c). Private to
 * host/metrics.
 */
#ifndef NRP_METRICS_SERIES_H
#define NRP_METRICS_SERIES_H

#include <pthread.h>
#include <stdint.h>

#include "metrics/metrics.h"
#include "nrp/metrics.h"

#define NRP_SERIES_BUCKETS 4096

typedef enum nrp_series_kind { NRP_SERIES_COUNTER, NRP_SERIES_HISTOGRAM } nrp_series_kind;

typedef struct nrp_series {
    uint64_t value;             /* a counter's: injected code writes here */
    nrp_histogram *histogram;   /* a histogram's, in its own cache lines */
    nrp_series_kind kind;
    char *name;                 /* histograms: without the _seconds unit */
    char *help;
    char *rule;                 /* NULL for an unlabelled series */
    char *method;
    struct nrp_series *next_in_bucket;
    struct nrp_series *next_created;
} nrp_series;

typedef struct nrp_marked {
    char *method;
    struct nrp_marked *next;
} nrp_marked;

struct nrp_metrics {
    pthread_mutex_t lock;
    nrp_series *buckets[NRP_SERIES_BUCKETS];
    nrp_series *first;
    nrp_series *last;
    nrp_marked *async_methods[NRP_SERIES_BUCKETS];
};

/* Callers hold m->lock. */
int nrp_metrics_is_async_locked(const nrp_metrics *m, const char *method);
/* The first series of each family, in creation order: visits f, then
 * returns whether an earlier series already had f's name. */
int nrp_series_family_seen(const nrp_metrics *m, const nrp_series *f);

/* A consistent-enough view of a histogram: the count is the sum of the
 * buckets read, so the +Inf bucket always equals it. */
typedef struct nrp_histogram_view {
    uint64_t count, sum_ns, min_ns, max_ns;
    uint64_t buckets[NRP_HISTOGRAM_BOUNDS + 1];
} nrp_histogram_view;

void nrp_histogram_read(const nrp_histogram *h, nrp_histogram_view *out);

/* Upper bound of bucket i in nanoseconds (i < NRP_HISTOGRAM_BOUNDS). */
uint64_t nrp_histogram_bound_ns(unsigned i);

#endif
