/*
 * metrics.h - process-lifetime counters and their Prometheus text export.
 *
 * Counters live at stable addresses for the life of the process, so code
 * injected into methods can embed a counter's address and bump it with one
 * atomic add; the registry's lock is taken only to create a series and to
 * export, never on that hot path.
 */
#ifndef NRP_METRICS_H
#define NRP_METRICS_H

#include <stdint.h>

#include "util/err.h"
#include "util/strbuf.h"

typedef struct nrp_metrics nrp_metrics;

nrp_metrics *nrp_metrics_create(void);
void nrp_metrics_destroy(nrp_metrics *m);

/* The counter for series name{rule,method}; rule and method may both be
 * NULL for a series without labels. Created at zero on first request; later
 * requests return the same address. NULL only when out of memory. */
uint64_t *nrp_metrics_counter(nrp_metrics *m, const char *name, const char *help, const char *rule,
                              const char *method);

/* Append the Prometheus text exposition of every series to out: one HELP
 * and TYPE line per metric, then its series in creation order. */
void nrp_metrics_format_prometheus(nrp_metrics *m, nrp_strbuf *out);

/* Write the exposition to path atomically (a temporary file in the same
 * folder, then rename), so a reader never sees half a file. */
int nrp_metrics_export_file(nrp_metrics *m, const char *path, nrp_err *err);

#endif
