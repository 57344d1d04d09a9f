/* The Prometheus text exposition format, version 0.0.4, as node_exporter's
 * textfile collector reads it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/series.h"

/* The format escapes backslash and newline in HELP text, and double quotes
 * as well in label values. Runs of plain bytes are appended at once. */
static void put_escaped(nrp_strbuf *out, const char *v, int quotes)
{
    for (;;) {
        size_t plain = strcspn(v, quotes ? "\\\n\"" : "\\\n");
        nrp_strbuf_append(out, v, plain);
        v += plain;
        if (!*v)
            return;
        nrp_strbuf_puts(out, *v == '\\' ? "\\\\" : *v == '\n' ? "\\n" : "\\\"");
        v++;
    }
}

/* A series' labels as they appear between the braces, escaped once per
 * series and export rather than once per line:
 * rule="..",method="..",async="true". Empty for an unlabelled series. */
static void series_labels(nrp_strbuf *labels, nrp_metrics *m, const nrp_series *s)
{
    labels->len = 0;
    if (labels->data)
        labels->data[0] = '\0';
    if (!s->rule && !s->method)
        return;
    nrp_strbuf_puts(labels, "rule=\"");
    put_escaped(labels, s->rule ? s->rule : "", 1);
    nrp_strbuf_puts(labels, "\",method=\"");
    put_escaped(labels, s->method ? s->method : "", 1);
    nrp_strbuf_puts(labels, "\"");
    if (nrp_metrics_is_async(m, s->method))
        nrp_strbuf_puts(labels, ",async=\"true\"");
}

/* NAME SUFFIX{LABELS,EXTRA} with what the series has; EXTRA (e.g.
 * le="0.5") NULL for none. */
static void put_series_name(nrp_strbuf *out, const nrp_family *f, const nrp_strbuf *labels, const char *suffix,
                            const char *extra)
{
    nrp_strbuf_puts(out, f->name);
    nrp_strbuf_puts(out, suffix);
    if (!labels->len && !extra)
        return;
    nrp_strbuf_puts(out, "{");
    if (labels->len)
        nrp_strbuf_append(out, labels->data, labels->len);
    if (extra) {
        if (labels->len)
            nrp_strbuf_puts(out, ",");
        nrp_strbuf_puts(out, extra);
    }
    nrp_strbuf_puts(out, "}");
}

/* " VALUE\n" for a count, without printf. */
static void put_count(nrp_strbuf *out, uint64_t v)
{
    char digits[24], *p = digits + sizeof digits;
    *--p = '\0';
    *--p = '\n';
    do
        *--p = (char)('0' + v % 10);
    while (v /= 10);
    *--p = ' ';
    nrp_strbuf_append(out, p, (size_t)(digits + sizeof digits - 1 - p));
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

/* The percentiles exported beside each histogram, for `nrprof report`. */
static const struct {
    const char *label;
    double q;
} quantiles[] = {{"quantile=\"0.5\"", 0.5}, {"quantile=\"0.9\"", 0.9}, {"quantile=\"0.99\"", 0.99}};
#define QUANTILES (sizeof quantiles / sizeof *quantiles)

/* What the gauges of one series export, taken from the same read as its
 * buckets so that they agree with them: a few words per series, where the
 * counts read are 4.3 KiB. */
typedef struct digest {
    uint64_t count, min_ns, max_ns, quantile_ns[QUANTILES];
    nrp_strbuf labels; /* series_labels() */
} digest;

/* One gauge family NAME SUFFIX with a line per series that has recorded
 * something (what: 0 its minimum, 1 its maximum, 2 one line per entry of
 * quantiles[]). */
static void put_gauges(nrp_strbuf *out, const nrp_family_view *v, const digest *digests, const char *suffix,
                       const char *help, int what)
{
    const nrp_family *f = v->family;
    int header = 0;
    size_t i = 0;
    for (const nrp_series *s = f->first; s; s = nrp_view_next(v, s), i++) {
        const digest *d = &digests[i];
        if (!d->count)
            continue;
        if (!header) {
            nrp_strbuf_printf(out, "# HELP %s%s %s in %s_seconds.\n# TYPE %s%s gauge\n", f->name, suffix, help,
                              f->name, f->name, suffix);
            header = 1;
        }
        for (size_t k = 0; k < (what == 2 ? QUANTILES : 1); k++) {
            put_series_name(out, f, &d->labels, suffix, what == 2 ? quantiles[k].label : NULL);
            nrp_strbuf_puts(out, " ");
            put_seconds(out, what == 0 ? d->min_ns : what == 1 ? d->max_ns : d->quantile_ns[k]);
            nrp_strbuf_puts(out, "\n");
        }
    }
}

static void put_histograms(nrp_strbuf *out, nrp_metrics *m, const nrp_family_view *v)
{
    const nrp_family *f = v->family;
    size_t n = 0, i = 0;
    uint64_t cumulative[NRP_METRICS_MAX_BUCKETS];
    char le[NRP_METRICS_MAX_BUCKETS + 1][40];
    for (const nrp_series *s = f->first; s; s = nrp_view_next(v, s))
        n++;
    nrp_hist *h = malloc(sizeof *h);
    digest *digests = calloc(n, sizeof *digests);
    if (!h || !digests) {
        out->status = NRP_NOMEM;
        goto out;
    }
    for (size_t k = 0; k < m->bound_count; k++)
        snprintf(le[k], sizeof le[k], "le=\"%g\"", (double)m->bounds_ns[k] / 1e9);
    snprintf(le[m->bound_count], sizeof le[m->bound_count], "le=\"+Inf\"");
    put_family_header(out, f->name, "_seconds", f->help, "histogram");
    for (const nrp_series *s = f->first; s; s = nrp_view_next(v, s), i++) {
        digest *d = &digests[i];
        nrp_strbuf_init(&d->labels);
        series_labels(&d->labels, m, s);
        nrp_series_histogram_read(s, h);
        d->count = nrp_hist_count(h);
        d->min_ns = h->min_ns;
        d->max_ns = h->max_ns;
        for (size_t k = 0; d->count && k < QUANTILES; k++)
            d->quantile_ns[k] = nrp_hist_quantile(h, quantiles[k].q);
        nrp_hist_cumulative(h, m->bounds_ns, m->bound_count, cumulative);
        for (size_t k = 0; k <= m->bound_count; k++) {
            put_series_name(out, f, &d->labels, "_seconds_bucket", le[k]);
            put_count(out, k < m->bound_count ? cumulative[k] : d->count);
        }
        put_series_name(out, f, &d->labels, "_seconds_sum", NULL);
        nrp_strbuf_puts(out, " ");
        put_seconds(out, h->sum_ns);
        nrp_strbuf_puts(out, "\n");
        put_series_name(out, f, &d->labels, "_seconds_count", NULL);
        put_count(out, d->count);
    }
    /* The extremes and percentiles, which classic buckets cannot give, as
     * gauges; a series with no call yet has none. */
    put_gauges(out, v, digests, "_min_seconds", "Shortest duration recorded", 0);
    put_gauges(out, v, digests, "_max_seconds", "Longest duration recorded", 1);
    put_gauges(out, v, digests, "_quantile_seconds",
               "Percentiles (within 3.2%, from 16 buckets per power of two) of the durations", 2);
out:
    for (size_t k = 0; digests && k < i; k++) {
        if (digests[k].labels.status != NRP_OK)
            out->status = NRP_NOMEM;
        nrp_strbuf_free(&digests[k].labels);
    }
    free(h);
    free(digests);
}

void nrp_metrics_format_prometheus(nrp_metrics *m, nrp_strbuf *out)
{
    size_t count;
    nrp_strbuf labels;
    nrp_family_view *views = nrp_metrics_snapshot(m, &count);
    nrp_strbuf_init(&labels);
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
            series_labels(&labels, m, s);
            put_series_name(out, f, &labels, "", NULL);
            put_count(out, nrp_series_counter_value(s));
        }
    }
    if (labels.status != NRP_OK)
        out->status = NRP_NOMEM;
    nrp_strbuf_free(&labels);
    free(views);
}
