/* format.h - how the metrics file is written (settings.metrics.format).
 * Alone, so the configuration names it without the metrics registry. */
#ifndef NRP_METRICS_FORMAT_H
#define NRP_METRICS_FORMAT_H

typedef enum nrp_metrics_format { NRP_METRICS_PROMETHEUS = 0, NRP_METRICS_JSON = 1 } nrp_metrics_format;

#endif
