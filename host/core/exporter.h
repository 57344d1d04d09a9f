/*
 * exporter.h - writes the metrics file every interval from a thread of its
 * own (never a runtime thread), and once more at exit.
 */
#ifndef NRP_CORE_EXPORTER_H
#define NRP_CORE_EXPORTER_H

#include "metrics/metrics.h"
#include "nrp/result.h"
#include "util/err.h"

/* Remember where and how to export; start the periodic thread when
 * interval_s > 0. The strings are copied. */
nrp_result nrp_exporter_start(nrp_metrics *metrics, const char *path, nrp_metrics_format format, long interval_s,
                              nrp_err *err);

/* Export now (serialised with the periodic thread); errors are logged. */
void nrp_exporter_export(void);

/* Stop the periodic thread (waiting at most for one export in progress)
 * and export a last time. Idempotent. */
void nrp_exporter_stop(void);

#endif
