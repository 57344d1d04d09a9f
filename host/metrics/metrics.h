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
 * requests return the same address. NULL when out of memory or when `name`
 * is a histogram's. */
uint64_t *nrp_metrics_counter(nrp_metrics *m, const char *name, const char *help, const char *rule,
                              const char *method);

/* The duration histogram for name{rule,method}, exported as the histogram
 * NAME_seconds and the gauges NAME_min_seconds and NAME_max_seconds. Same
 * address for the same series; NULL when out of memory or when `name` is a
 * counter's. */
nrp_histogram *nrp_metrics_histogram(nrp_metrics *m, const char *name, const char *help, const char *rule,
                                     const char *method);

/* Every series whose method label is `method` carries async="true": its
 * durations cover only the synchronous part up to the returned Task. */
int nrp_metrics_mark_async(nrp_metrics *m, const char *method);

/* Append every series to out: Prometheus text exposition (one HELP and
 * TYPE line per family, then its series in creation order), or one JSON
 * document. */
void nrp_metrics_format_prometheus(nrp_metrics *m, nrp_strbuf *out);
void nrp_metrics_format_json(nrp_metrics *m, nrp_strbuf *out);

/* Write the metrics in `format` to path atomically (a temporary file in the
 * same folder, then rename), so a reader never sees half a file. */
nrp_result nrp_metrics_export_file(nrp_metrics *m, const char *path, nrp_metrics_format format, nrp_err *err);

#endif
