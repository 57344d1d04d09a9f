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

static void put_histogram(nrp_strbuf *out, const nrp_series *s)
{
    nrp_histogram_view v;
    uint64_t cumulative = 0;
    nrp_histogram_read(s->histogram, &v);
    nrp_strbuf_printf(out, ",\"count\":%llu,\"sum\":", (unsigned long long)v.count);
    put_seconds(out, v.sum_ns);
    if (v.count) {
        nrp_strbuf_puts(out, ",\"min\":");
        put_seconds(out, v.min_ns);
        nrp_strbuf_puts(out, ",\"max\":");
        put_seconds(out, v.max_ns);
    } else
        nrp_strbuf_puts(out, ",\"min\":null,\"max\":null");
    nrp_strbuf_puts(out, ",\"buckets\":[");
    for (unsigned i = 0; i <= NRP_HISTOGRAM_BOUNDS; i++) {
        cumulative += v.buckets[i];
        if (i < NRP_HISTOGRAM_BOUNDS)
            nrp_strbuf_printf(out, "{\"le\":%g,\"count\":%llu},", (double)nrp_histogram_bound_ns(i) / 1e9,
                              (unsigned long long)cumulative);
        else
            nrp_strbuf_printf(out, "{\"le\":\"+Inf\",\"count\":%llu}]", (unsigned long long)cumulative);
    }
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
                put_histogram(out, s);
            else
                nrp_strbuf_printf(out, ",\"value\":%llu",
                                  (unsigned long long)__atomic_load_n(&s->value, __ATOMIC_RELAXED));
            nrp_strbuf_puts(out, "}");
        }
        nrp_strbuf_puts(out, "]}");
    }
    nrp_strbuf_puts(out, "\n]}\n");
    free(views);
}
