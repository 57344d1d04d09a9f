/*
 * metrics.h - process-lifetime counters and duration histograms, and their
 * export as Prometheus text or JSON.
 *
 * Series live at stable addresses for the life of the process, so code
 * injected into methods can embed a series' address and update it with
 * atomic operations; the registry's lock is taken only to create a series
 * and to export, never on that hot path.
 */
#ifndef NRP_METRICS_H
#define NRP_METRICS_H

#include <stdint.h>

#include "metrics/format.h"
#include "nrp/metrics.h"
#include "nrp/result.h"
#include "util/err.h"
#include "util/strbuf.h"

typedef struct nrp_metrics nrp_metrics;

nrp_metrics *nrp_metrics_create(void);
void nrp_metrics_destroy(nrp_metrics *m);

/* The counter for series name{rule,method}; rule and method may both be
 * NULL for a series without labels. Created at zero on first request; later
 * requests return the same address, which callers add to with atomics. NULL
 * when out of memory or when `name` is a histogram's. */
uint64_t *nrp_metrics_counter(nrp_metrics *m, const char *name, const char *help, const char *rule,
                              const char *method);

/* The same series as a handle for nrp_metrics_count, which keeps a copy
 * per thread (shard.h): what code injected into hot methods should use.
 * Both ways of counting add up in the one series. */
nrp_counter *nrp_metrics_counter_sharded(nrp_metrics *m, const char *name, const char *help, const char *rule,
                                         const char *method);

/* The duration histogram for name{rule,method}, exported as the histogram
 * NAME_seconds, the gauges NAME_min_seconds and NAME_max_seconds, and the
 * percentiles NAME_quantile_seconds. An opaque handle for
 * nrp_metrics_record and nrp_metrics_record_since; the same for the same
 * series. NULL when out of memory or when `name` is a counter's. */
nrp_histogram *nrp_metrics_histogram(nrp_metrics *m, const char *name, const char *help, const char *rule,
                                     const char *method);

/* The same series as a layout 1 struct (nrp/metrics.h), which plugins of
 * ABI minor < 2 write themselves with atomics. Made at the first request. */
nrp_histogram *nrp_metrics_histogram_layout1(nrp_metrics *m, const char *name, const char *help, const char *rule,
                                             const char *method);

/* The recording functions, called from code injected into the app's
 * methods on any thread: no lock, no shared cache line written. */
void nrp_metrics_count(nrp_counter *c);
void nrp_metrics_record(nrp_histogram *h, uint64_t ns);
/* Records the time since `start`, a value of nrp_metrics_ticks(). */
void nrp_metrics_record_since(nrp_histogram *h, uint64_t start);
uint64_t nrp_metrics_ticks(void);

/* The classic buckets of the Prometheus export: upper bounds in
 * nanoseconds, ascending, at most NRP_METRICS_MAX_BUCKETS. By default 1-2.5-5
 * per decade from 100 ns to 10 s (nrp/metrics.h). */
#define NRP_METRICS_MAX_BUCKETS 64
nrp_result nrp_metrics_set_buckets(nrp_metrics *m, const uint64_t *bounds_ns, size_t n);

/* Every series whose method label is `method` carries async="true": the
 * method returns a task or is an async state machine (NRP_METHOD_ASYNC).
 * timing times a method that returns a task until the task completes; an
 * async void method or async iterator only up to its return. */
int nrp_metrics_mark_async(nrp_metrics *m, const char *method);

/* Append every series to out: Prometheus text exposition (one HELP and
 * TYPE line per family, then its series in creation order), or one JSON
 * document. */
void nrp_metrics_format_prometheus(nrp_metrics *m, nrp_strbuf *out);
void nrp_metrics_format_json(nrp_metrics *m, nrp_strbuf *out);

/* What an export wrote last (zero-initialise it): the next export with it
 * skips a file whose text would not change and that still has that size. */
typedef struct nrp_metrics_written {
    int valid;
    uint64_t hash;
    size_t len;
} nrp_metrics_written;

/* Write the metrics in `format` to path atomically (a temporary file in the
 * same folder, then rename), so a reader never sees half a file. The text
 * goes to the file as it is formatted, 64 KiB at a time. With
 * `last` (or NULL: always write), an unchanged file is left as it is: the
 * runtime's Shutdown and the exit handler both export, mostly the same
 * counts. */
nrp_result nrp_metrics_export_file(nrp_metrics *m, const char *path, nrp_metrics_format format,
                                   nrp_metrics_written *last, nrp_err *err);

#endif
