/* The Prometheus text exposition format, version 0.0.4, as node_exporter's
 * textfile collector reads it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/series.h"

/* The format escapes backslash and newline in HELP text, and double quotes
 * as well in label values. */
static void put_escaped(nrp_strbuf *out, const char *v, int quotes)
{
    for (; *v; v++) {
        if (*v == '\\')
            nrp_strbuf_puts(out, "\\\\");
        else if (*v == '\n')
            nrp_strbuf_puts(out, "\\n");
        else if (*v == '"' && quotes)
            nrp_strbuf_puts(out, "\\\"");
        else
            nrp_strbuf_append(out, v, 1);
    }
}

/* name{rule="..",method="..",async="true",le=".."} with the labels the
 * series has; `le` NULL for none. */
static void put_series_name(nrp_strbuf *out, nrp_metrics *m, const nrp_series *s, const char *suffix,
                            const char *le)
{
    const char *sep = "{";
    nrp_strbuf_printf(out, "%s%s", s->family->name, suffix);
    if (s->rule || s->method) {
        nrp_strbuf_puts(out, "{rule=\"");
        put_escaped(out, s->rule ? s->rule : "", 1);
        nrp_strbuf_puts(out, "\",method=\"");
        put_escaped(out, s->method ? s->method : "", 1);
        nrp_strbuf_puts(out, "\"");
        if (nrp_metrics_is_async(m, s->method))
            nrp_strbuf_puts(out, ",async=\"true\"");
        sep = ",";
    }
    if (le)
        nrp_strbuf_printf(out, "%sle=\"%s\"", sep, le);
    if (s->rule || s->method || le)
        nrp_strbuf_puts(out, "}");
}

static void put_family_header(nrp_strbuf *out, const char *name, const char *suffix, const char *help,
                              const char *type)
{
    nrp_strbuf_printf(out, "# HELP %s%s ", name, suffix);
    put_escaped(out, help, 0);
    nrp_strbuf_printf(out, "\n# TYPE %s%s %s\n", name, suffix, type);
}

/* Nanoseconds as exact decimal seconds. */
static void put_seconds(nrp_strbuf *out, uint64_t ns)
{
    nrp_strbuf_printf(out, "%llu.%09llu", (unsigned long long)(ns / 1000000000u),
                      (unsigned long long)(ns % 1000000000u));
}

static void put_histograms(nrp_strbuf *out, nrp_metrics *m, const nrp_family_view *v)
{
    const nrp_family *f = v->family;
    char le[32];
    put_family_header(out, f->name, "_seconds", f->help, "histogram");
    for (const nrp_series *s = f->first; s; s = nrp_view_next(v, s)) {
        nrp_histogram_view h;
        uint64_t cumulative = 0;
        nrp_histogram_read(s->histogram, &h);
        for (unsigned i = 0; i <= NRP_HISTOGRAM_BOUNDS; i++) {
            cumulative += h.buckets[i];
            if (i < NRP_HISTOGRAM_BOUNDS)
                snprintf(le, sizeof le, "%g", (double)nrp_histogram_bound_ns(i) / 1e9);
            else
                snprintf(le, sizeof le, "+Inf");
            put_series_name(out, m, s, "_seconds_bucket", le);
            nrp_strbuf_printf(out, " %llu\n", (unsigned long long)cumulative);
        }
        put_series_name(out, m, s, "_seconds_sum", NULL);
        nrp_strbuf_puts(out, " ");
        put_seconds(out, h.sum_ns);
        nrp_strbuf_puts(out, "\n");
        put_series_name(out, m, s, "_seconds_count", NULL);
        nrp_strbuf_printf(out, " %llu\n", (unsigned long long)h.count);
    }
    /* The extremes, which a histogram cannot give, as gauges; a series
     * with no call yet has none. */
    static const struct {
        const char *suffix, *help;
        int max;
    } extremes[] = {{"_min_seconds", "Shortest duration recorded", 0}, {"_max_seconds", "Longest duration recorded", 1}};
    for (size_t e = 0; e < 2; e++) {
        int header = 0;
        for (const nrp_series *s = f->first; s; s = nrp_view_next(v, s)) {
            nrp_histogram_view h;
            nrp_histogram_read(s->histogram, &h);
            if (!h.count)
                continue;
            if (!header) {
                nrp_strbuf_printf(out, "# HELP %s%s %s in %s_seconds.\n# TYPE %s%s gauge\n", f->name,
                                  extremes[e].suffix, extremes[e].help, f->name, f->name, extremes[e].suffix);
                header = 1;
            }
            put_series_name(out, m, s, extremes[e].suffix, NULL);
            nrp_strbuf_puts(out, " ");
            put_seconds(out, extremes[e].max ? h.max_ns : h.min_ns);
            nrp_strbuf_puts(out, "\n");
        }
    }
}

void nrp_metrics_format_prometheus(nrp_metrics *m, nrp_strbuf *out)
{
    size_t count;
    nrp_family_view *views = nrp_metrics_snapshot(m, &count);
    /* Families in order of first creation; each family's series together,
     * as the exposition format requires. */
    for (size_t i = 0; i < count; i++) {
        const nrp_family *f = views[i].family;
        if (f->kind == NRP_SERIES_HISTOGRAM) {
            put_histograms(out, m, &views[i]);
            continue;
        }
        put_family_header(out, f->name, "", f->help, "counter");
        for (const nrp_series *s = f->first; s; s = nrp_view_next(&views[i], s)) {
            put_series_name(out, m, s, "", NULL);
            nrp_strbuf_printf(out, " %llu\n", (unsigned long long)__atomic_load_n(&s->value, __ATOMIC_RELAXED));
        }
    }
    free(views);
}
