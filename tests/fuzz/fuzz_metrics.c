/*
 * fuzz_metrics.c - libFuzzer target for the metrics text: what the host
 * writes (format_prometheus.c) and what nrprof report reads (prom_read.c,
 * method_stats.c).
 *
 * The input is used twice:
 *   1. as a metrics file: nrp_prom_parse must accept it or point at a line,
 *      and whatever it accepts must build and sort a method table;
 *   2. as label values: up to 4 NUL-separated pieces name the rule and
 *      method of a counter and of a histogram. The registry's Prometheus
 *      text must parse back, and every series must carry exactly the rule
 *      and method it was created with, whatever quotes, backslashes or line
 *      breaks they hold.
 *
 * Every broken invariant is reported on stderr and ends in __builtin_trap().
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/method_stats.h"
#include "cli/prom_read.h"
#include "metrics/metrics.h"
#include "nrp/metrics.h"
#include "nrp/plugin.h"
#include "util/strbuf.h"

#include "fuzz_check.h"

static void read_as_metrics_file(const uint8_t *data, size_t size)
{
    nrp_prom_doc doc;
    nrp_err err = {{0}};
    if (nrp_prom_parse((const char *)data, size, &doc, &err) == NRP_OK) {
        nrp_method_table table;
        if (nrp_method_table_build(&doc, &table, &err) == NRP_OK)
            nrp_method_table_sort(&table);
        nrp_method_table_free(&table); /* either way, as the header says */
    } else {
        CHECK(doc.count == 0 && err.msg[0] != '\0');
    }
    nrp_prom_doc_free(&doc);
}

static void round_trip_labels(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return;
    memcpy(text, data, size);
    text[size] = '\0';
    const char *piece[4] = {"", "", "", ""};
    const char *p = text;
    for (int i = 0; i < 4 && p <= text + size; i++) {
        piece[i] = p;
        p += strlen(p) + 1;
    }
    nrp_metrics *m = nrp_metrics_create();
    uint64_t *calls = m ? nrp_metrics_counter(m, "nrp_method_calls_total", "Calls.", piece[0], piece[1]) : NULL;
    nrp_histogram *duration = m ? nrp_metrics_histogram(m, "nrp_method_duration", "Time.", piece[2], piece[3]) : NULL;
    if (calls && duration) {
        *calls = 42;
        nrp_metrics_record(duration, 1500);
        nrp_strbuf out;
        nrp_strbuf_init(&out);
        nrp_metrics_format_prometheus(m, &out);
        nrp_prom_doc doc;
        nrp_err err = {{0}};
        if (out.status == NRP_OK) {
            CHECK(nrp_prom_parse(out.data, out.len, &doc, &err) == NRP_OK);
            size_t seen_calls = 0, seen_histogram = 0;
            for (size_t i = 0; i < doc.count; i++) {
                const nrp_prom_series *s = &doc.series[i];
                const char *rule = nrp_prom_label_value(s, "rule"), *method = nrp_prom_label_value(s, "method");
                CHECK(rule && method);
                if (strcmp(s->name, "nrp_method_calls_total") == 0) {
                    CHECK(strcmp(rule, piece[0]) == 0 && strcmp(method, piece[1]) == 0 && s->value == 42);
                    seen_calls++;
                } else {
                    CHECK(strcmp(rule, piece[2]) == 0 && strcmp(method, piece[3]) == 0);
                    seen_histogram++;
                }
            }
            CHECK(seen_calls == 1 && seen_histogram > 0);
            nrp_prom_doc_free(&doc);
        }
        nrp_strbuf_free(&out);
    }
    nrp_metrics_destroy(m);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    read_as_metrics_file(data, size);
    round_trip_labels(data, size);
    return 0;
}
