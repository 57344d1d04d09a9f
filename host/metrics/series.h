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

typedef struct nrp_series nrp_series;

/* All series of one metric name: exported together, in creation order. */
typedef struct nrp_family {
    char *name;                 /* histograms: without the _seconds unit */
    char *help;                 /* the first one given */
    nrp_series_kind kind;
    nrp_series *first;
    nrp_series *last;
    struct nrp_family *next_in_bucket;
    struct nrp_family *next_created;
} nrp_family;

struct nrp_series {
    uint64_t value;             /* a counter's: injected code writes here */
    nrp_histogram *histogram;   /* a histogram's, in its own cache lines */
    nrp_family *family;
    char *rule;                 /* NULL for an unlabelled series */
    char *method;
    nrp_series *next_in_bucket;
    nrp_series *next_in_family;
};

typedef struct nrp_marked {
    char *method;
    struct nrp_marked *next;
} nrp_marked;

struct nrp_metrics {
    pthread_mutex_t lock;
    nrp_series *buckets[NRP_SERIES_BUCKETS];
    nrp_family *family_buckets[NRP_SERIES_BUCKETS];
    nrp_family *first_family;
    nrp_family *last_family;
    nrp_marked *async_methods[NRP_SERIES_BUCKETS];
};

/* Callers hold m->lock. */
int nrp_metrics_is_async_locked(const nrp_metrics *m, const char *method);
/* Takes the lock. */
int nrp_metrics_is_async(nrp_metrics *m, const char *method);

/* A family as it stood at a snapshot: its series are first .. last. */
typedef struct nrp_family_view {
    const nrp_family *family;
    const nrp_series *last;
} nrp_family_view;

/* The families with at least one series, in creation order, taken under
 * the lock. Families and series are only ever appended, so the formats
 * walk a snapshot without the lock and never hold up the code that
 * creates series while a method is being rewritten. Free the result;
 * NULL with *count 0 when empty or out of memory. */
nrp_family_view *nrp_metrics_snapshot(nrp_metrics *m, size_t *count);

/* The next series of a snapshot's family, NULL after its last. */
static inline const nrp_series *nrp_view_next(const nrp_family_view *v, const nrp_series *s)
{
    return s == v->last ? NULL : s->next_in_family;
}

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
