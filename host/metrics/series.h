/*
 * series.h - the registry's records, shared by the registry (metrics.c)
 * and the formats (format_prometheus.c, format_json.c). Private to
 * host/metrics.
 */
#ifndef NRP_METRICS_SERIES_H
#define NRP_METRICS_SERIES_H

#include <pthread.h>
#include <stdint.h>

#include "metrics/histogram.h"
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

/* A series is also the opaque nrp_counter and (for plugins of ABI minor 2
 * or later) nrp_histogram that injected code embeds: the recording
 * functions read its slot and write the calling thread's copy. */
struct nrp_series {
    /* A counter's value for counter() callers, which add to it with
     * atomics, plus the counts of exited threads (shard.h). */
    uint64_t value;
    uint32_t slot;              /* per-thread copies, or NRP_SHARD_NONE */
    nrp_hist_rec *total;        /* a histogram's exited threads, and records made without a copy */
    nrp_histogram *layout1;     /* a histogram's records by plugins of ABI minor < 2, made when they ask */
    nrp_family *family;
    char *rule;                 /* NULL for an unlabelled series */
    char *method;
    uint64_t hash;              /* of (family name, rule, method): a bucket's chain compares it first */
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
    uint64_t *bounds_ns;        /* the classic buckets exported, ascending */
    size_t bound_count;
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

/* A counter's value: counter() writes and every thread's copy. */
uint64_t nrp_series_counter_value(const nrp_series *s);

/* A histogram's merged counts: every thread's copy, and layout 1's
 * records placed at the top of their (coarser) buckets. */
void nrp_series_histogram_read(const nrp_series *s, nrp_hist *out);

#endif
