/*
 * config_settings.c - the `settings` of the main rules file: log level and
 * file, the processes to instrument, the metrics file.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "rules/config_internal.h"

static void load_processes(loader *ld, yaml_node_t *p)
{
    static const char *const keys[] = {"include", "exclude", NULL};
    nrp_settings *s = &ld->cfg->settings;
    yaml_node_t *v;
    if (p->type != YAML_MAPPING_NODE) {
        nrp_cfg_error_at(ld, p, "'processes' must be a mapping with include and exclude");
        return;
    }
    nrp_cfg_check_keys(ld, p, "processes", keys);
    if ((v = nrp_cfg_lookup(ld, p, "include")))
        nrp_cfg_get_string_list(ld, v, "include", 1, &s->process_include, &s->process_include_count);
    if ((v = nrp_cfg_lookup(ld, p, "exclude")))
        nrp_cfg_get_string_list(ld, v, "exclude", 1, &s->process_exclude, &s->process_exclude_count);
}

/* One metrics file per process, rewritten every interval; a day is the
 * longest interval that still reads as a mistake-free choice. */
#define MAX_METRICS_INTERVAL_S 86400

/* As many classic buckets as the registry exports (NRP_METRICS_MAX_BUCKETS
 * in host/metrics/metrics.h, which host/rules may not include). */
#define MAX_METRICS_BUCKETS 64
/* Bounds are nanoseconds at heart; a day is the longest one that reads as
 * meant. */
#define MAX_BUCKET_S 86400.0

/* `buckets`: the upper bounds, in seconds, of the classic buckets of each
 * duration histogram in the Prometheus and JSON exports, ascending. */
static void load_buckets(loader *ld, yaml_node_t *v)
{
    nrp_settings *s = &ld->cfg->settings;
    if (v->type != YAML_SEQUENCE_NODE) {
        nrp_cfg_error_at(ld, v, "'buckets' must be a list of durations in seconds, e.g. [0.001, 0.01, 0.1, 1]");
        return;
    }
    size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    if (n < 1 || n > MAX_METRICS_BUCKETS) {
        nrp_cfg_error_at(ld, v, "'buckets' must list from 1 to %d bounds (it lists %zu)", MAX_METRICS_BUCKETS, n);
        return;
    }
    uint64_t *bounds = calloc(n, sizeof *bounds);
    if (!bounds) {
        nrp_cfg_error_at(ld, v, "out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *item = node(ld, v->data.sequence.items.start[i]);
        const char *text = scalar(item);
        char *end = NULL;
        double seconds = 0;
        if (text) {
            errno = 0;
            seconds = strtod(text, &end);
        }
        if (!text || !*text || *end || errno || !isfinite(seconds) || seconds < 1e-9 || seconds > MAX_BUCKET_S) {
            nrp_cfg_error_at(ld, item, "a bucket bound is a number of seconds from 0.000000001 to %.0f",
                             MAX_BUCKET_S);
            free(bounds);
            return;
        }
        bounds[i] = (uint64_t)(seconds * 1e9 + 0.5); /* to the nearest ns, without libm */
        if (i && bounds[i] <= bounds[i - 1]) {
            nrp_cfg_error_at(ld, item, "bucket bounds must ascend: %s is not above the one before", text);
            free(bounds);
            return;
        }
    }
    free(s->metrics_buckets_ns);
    s->metrics_buckets_ns = bounds;
    s->metrics_bucket_count = (uint32_t)n;
}

static void load_metrics(loader *ld, yaml_node_t *p)
{
    static const char *const keys[] = {"path", "format", "interval_s", "buckets", NULL};
    nrp_settings *s = &ld->cfg->settings;
    yaml_node_t *v;
    if (p->type != YAML_MAPPING_NODE) {
        nrp_cfg_error_at(ld, p, "'metrics' must be a mapping with path, format, interval_s and buckets");
        return;
    }
    nrp_cfg_check_keys(ld, p, "metrics", keys);
    if ((v = nrp_cfg_lookup(ld, p, "path")))
        s->metrics_path = nrp_cfg_get_string(ld, v, "path");
    if ((v = nrp_cfg_lookup(ld, p, "format"))) {
        const char *f = scalar(v);
        if (f && strcmp(f, "prometheus") == 0)
            s->metrics_format = NRP_METRICS_PROMETHEUS;
        else if (f && strcmp(f, "json") == 0)
            s->metrics_format = NRP_METRICS_JSON;
        else
            nrp_cfg_error_at(ld, v, "'format' must be prometheus or json");
    }
    if ((v = nrp_cfg_lookup(ld, p, "interval_s"))) {
        long n;
        if (nrp_cfg_get_int(ld, v, "interval_s", &n) == NRP_OK) {
            if (n < 0 || n > MAX_METRICS_INTERVAL_S)
                nrp_cfg_error_at(ld, v, "'interval_s' must be from 0 (only at exit) to %d", MAX_METRICS_INTERVAL_S);
            else
                s->metrics_interval_s = n;
        }
    }
    if ((v = nrp_cfg_lookup(ld, p, "buckets")))
        load_buckets(ld, v);
}

void nrp_cfg_load_settings(loader *ld, yaml_node_t *m)
{
    static const char *const keys[] = {"log_level", "log_file", "processes", "metrics", "reload", NULL};
    nrp_settings *s = &ld->cfg->settings;
    yaml_node_t *v;
    if (!ld->is_main) {
        nrp_cfg_error_at(ld, m, "'settings' belongs in the main file (%s), not in an included one", ld->cfg->path);
        return;
    }
    if (m->type != YAML_MAPPING_NODE) {
        nrp_cfg_error_at(ld, m, "'settings' must be a mapping");
        return;
    }
    nrp_cfg_check_keys(ld, m, "settings", keys);
    if ((v = nrp_cfg_lookup(ld, m, "log_level"))) {
        const char *level = scalar(v);
        if (level && nrp_log_parse_level(level, &s->log_level) == NRP_OK)
            s->has_log_level = 1;
        else
            nrp_cfg_error_at(ld, v, "'log_level' must be one of error, warn, info, debug, trace");
    }
    if ((v = nrp_cfg_lookup(ld, m, "log_file")))
        s->log_file = nrp_cfg_get_string(ld, v, "log_file");
    if ((v = nrp_cfg_lookup(ld, m, "processes")))
        load_processes(ld, v);
    if ((v = nrp_cfg_lookup(ld, m, "metrics")))
        load_metrics(ld, v);
    if ((v = nrp_cfg_lookup(ld, m, "reload")))
        nrp_cfg_get_bool(ld, v, "reload", &s->reload);
}
