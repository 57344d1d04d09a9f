/* One JSON document (RFC 8259) holding every family and series:
 *   {"pid":N,"metrics":[{"name":..,"type":"counter"|"histogram","help":..,
 *     "series":[{"labels":{..},"value":N} | {"labels":{..},"count":N,
 *     "sum":S,"min":S,"max":S,"buckets":[{"le":S,"count":N},..,{"le":"+Inf",..}]}]}]}
 * Durations are in seconds; buckets are cumulative, as in Prometheus. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "metrics/series.h"

static void put_escaped(nrp_strbuf *out, const char *v)
{
    for (; *v; v++) {
        unsigned char c = (unsigned char)*v;
        if (c == '"' || c == '\\')
            nrp_strbuf_printf(out, "\\%c", c);
        else if (c < 0x20)
            nrp_strbuf_printf(out, "\\u%04x", c);
        else
            nrp_strbuf_append(out, v, 1);
    }
}

static void put_string(nrp_strbuf *out, const char *v)
{
    nrp_strbuf_puts(out, "\"");
    put_escaped(out, v);
    nrp_strbuf_puts(out, "\"");
}

static void put_seconds(nrp_strbuf *out, uint64_t ns)
{
    nrp_strbuf_printf(out, "%llu.%09llu", (unsigned long long)(ns / 1000000000u),
                      (unsigned long long)(ns % 1000000000u));
}

static void put_labels(nrp_strbuf *out, nrp_metrics *m, const nrp_series *s)
{
    nrp_strbuf_puts(out, "\"labels\":{");
    if (s->rule || s->method) {
        nrp_strbuf_puts(out, "\"rule\":");
        put_string(out, s->rule ? s->rule : "");
        nrp_strbuf_puts(out, ",\"method\":");
        put_string(out, s->method ? s->method : "");
        if (nrp_metrics_is_async(m, s->method))
            nrp_strbuf_puts(out, ",\"async\":\"true\"");
    }
    nrp_strbuf_puts(out, "}");
}

static void put_histogram(nrp_strbuf *out, nrp_metrics *m, const nrp_series *s)
{
    static const double quantiles[] = {0.5, 0.9, 0.99};
    uint64_t cumulative[NRP_METRICS_MAX_BUCKETS];
    nrp_hist *h = malloc(sizeof *h);
    if (!h) {
        out->status = NRP_NOMEM;
        return;
    }
    nrp_series_histogram_read(s, h);
    uint64_t count = nrp_hist_count(h);
    nrp_strbuf_printf(out, ",\"count\":%llu,\"sum\":", (unsigned long long)count);
    put_seconds(out, h->sum_ns);
    if (count) {
        nrp_strbuf_puts(out, ",\"min\":");
        put_seconds(out, h->min_ns);
        nrp_strbuf_puts(out, ",\"max\":");
        put_seconds(out, h->max_ns);
        nrp_strbuf_puts(out, ",\"quantiles\":{");
        for (size_t k = 0; k < sizeof quantiles / sizeof *quantiles; k++) {
            nrp_strbuf_printf(out, "%s\"%g\":", k ? "," : "", quantiles[k]);
            put_seconds(out, nrp_hist_quantile(h, quantiles[k]));
        }
        nrp_strbuf_puts(out, "}");
    } else
        nrp_strbuf_puts(out, ",\"min\":null,\"max\":null,\"quantiles\":null");
    nrp_strbuf_puts(out, ",\"buckets\":[");
    nrp_hist_cumulative(h, m->bounds_ns, m->bound_count, cumulative);
    for (size_t k = 0; k < m->bound_count; k++)
        nrp_strbuf_printf(out, "{\"le\":%g,\"count\":%llu},", (double)m->bounds_ns[k] / 1e9,
                          (unsigned long long)cumulative[k]);
    nrp_strbuf_printf(out, "{\"le\":\"+Inf\",\"count\":%llu}]", (unsigned long long)count);
    free(h);
}

void nrp_metrics_format_json(nrp_metrics *m, nrp_strbuf *out)
{
    const char *family_sep = "";
    size_t count;
    nrp_family_view *views = nrp_metrics_snapshot(m, &count);
    nrp_strbuf_printf(out, "{\"pid\":%ld,\"metrics\":[", (long)getpid());
    for (size_t i = 0; i < count; i++) {
        const nrp_family *f = views[i].family;
        int histogram = f->kind == NRP_SERIES_HISTOGRAM;
        nrp_strbuf_printf(out, "%s\n{\"name\":\"", family_sep);
        family_sep = ",";
        put_escaped(out, f->name);
        nrp_strbuf_printf(out, "%s\",\"type\":\"%s\",\"help\":", histogram ? "_seconds" : "",
                          histogram ? "histogram" : "counter");
        put_string(out, f->help);
        nrp_strbuf_puts(out, ",\"series\":[");
        const char *sep = "";
        for (const nrp_series *s = f->first; s; s = nrp_view_next(&views[i], s)) {
            nrp_strbuf_printf(out, "%s\n  {", sep);
            sep = ",";
            put_labels(out, m, s);
            if (histogram)
                put_histogram(out, m, s);
            else
                nrp_strbuf_printf(out, ",\"value\":%llu",
                                  (unsigned long long)nrp_series_counter_value(s));
            nrp_strbuf_puts(out, "}");
        }
        nrp_strbuf_puts(out, "]}");
    }
    nrp_strbuf_puts(out, "\n]}\n");
    free(views);
}
