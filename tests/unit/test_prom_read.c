/*
 * test_prom_read.c - the Prometheus text reader behind nrprof report, the
 * per-method grouping of the profiler's series, and the histogram quantile.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli/method_stats.h"
#include "cli/prom_read.h"
#include "nrp/plugin.h"

static void parse_ok(const char *text, nrp_prom_doc *doc)
{
    nrp_err err = {{0}};
    int rc = nrp_prom_parse(text, strlen(text), doc, &err);
    if (rc != NRP_OK)
        fail_msg("unexpected parse error: %s", err.msg);
}

/* ------------------------------------------------------------------------ */
/* Reading                                                                   */
/* ------------------------------------------------------------------------ */

static void test_series_and_comments(void **state)
{
    (void)state;
    nrp_prom_doc doc;
    parse_ok("# HELP nrp_method_calls_total Calls of the instrumented method.\n"
             "# TYPE nrp_method_calls_total counter\n"
             "nrp_method_calls_total{rule=\"add\",method=\"Demo.Calculator::Add(System.Int32,System.Int32)\"} 1000\n"
             "\n"
             "# a plain comment\n"
             "nrp_methods_rewritten_total 3\n",
             &doc);
    assert_int_equal(doc.count, 2);
    const nrp_prom_series *s = &doc.series[0];
    assert_string_equal(s->name, "nrp_method_calls_total");
    assert_int_equal(s->label_count, 2);
    assert_string_equal(s->labels[0].name, "rule");
    assert_string_equal(s->labels[0].value, "add");
    assert_string_equal(nrp_prom_label_value(s, "method"), "Demo.Calculator::Add(System.Int32,System.Int32)");
    assert_null(nrp_prom_label_value(s, "le"));
    assert_true(s->value == 1000);
    assert_int_equal(s->line, 3);
    s = &doc.series[1];
    assert_string_equal(s->name, "nrp_methods_rewritten_total");
    assert_int_equal(s->label_count, 0);
    assert_null(s->labels);
    assert_true(s->value == 3);
    assert_int_equal(s->line, 6);
    nrp_prom_doc_free(&doc);
}

static void test_label_escapes(void **state)
{
    (void)state;
    nrp_prom_doc doc;
    parse_ok("m{method=\"a\\\\b\\\"c\\nd\"} 1\n"
             "m{method=\"Gen`2<!0, System.String>::op_Addition(+x,y)\"} 2\n"
             "m{method=\"\"} 3\n"
             "m{method=\"\\\\\\\"\"} 4\n",
             &doc);
    assert_int_equal(doc.count, 4);
    assert_string_equal(doc.series[0].labels[0].value, "a\\b\"c\nd");
    assert_string_equal(doc.series[1].labels[0].value, "Gen`2<!0, System.String>::op_Addition(+x,y)");
    assert_string_equal(doc.series[2].labels[0].value, "");
    assert_string_equal(doc.series[3].labels[0].value, "\\\"");
    nrp_prom_doc_free(&doc);
}

/* Blanks between tokens, a trailing comma, empty braces, a timestamp, CRLF
 * and a missing final newline are all valid exposition text. */
static void test_lenient_layout(void **state)
{
    (void)state;
    nrp_prom_doc doc;
    parse_ok("  a { x = \"1\" , y=\"2\", } 5 1700000000000 \r\n"
             "b{} -7\n"
             "c:sub_total\t8e-3\t-12\n"
             "d 9",
             &doc);
    assert_int_equal(doc.count, 4);
    assert_string_equal(doc.series[0].name, "a");
    assert_int_equal(doc.series[0].label_count, 2);
    assert_string_equal(nrp_prom_label_value(&doc.series[0], "y"), "2");
    assert_true(doc.series[0].value == 5);
    assert_string_equal(doc.series[1].name, "b");
    assert_int_equal(doc.series[1].label_count, 0);
    assert_true(doc.series[1].value == -7);
    assert_string_equal(doc.series[2].name, "c:sub_total");
    assert_true(doc.series[2].value == 8e-3);
    assert_true(doc.series[3].value == 9);
    assert_int_equal(doc.series[3].line, 4);
    nrp_prom_doc_free(&doc);
}

static void test_special_values(void **state)
{
    (void)state;
    nrp_prom_doc doc;
    parse_ok("a +Inf\nb -Inf\nc NaN\nd 1e-07\n", &doc);
    assert_true(isinf(doc.series[0].value) && doc.series[0].value > 0);
    assert_true(isinf(doc.series[1].value) && doc.series[1].value < 0);
    assert_true(isnan(doc.series[2].value));
    assert_true(doc.series[3].value == 1e-07);
    nrp_prom_doc_free(&doc);
}

static void test_empty_text(void **state)
{
    (void)state;
    nrp_prom_doc doc;
    parse_ok("", &doc);
    assert_int_equal(doc.count, 0);
    nrp_prom_doc_free(&doc);
    parse_ok("# only comments\n\n", &doc);
    assert_int_equal(doc.count, 0);
    nrp_prom_doc_free(&doc);
}

/* Each bad line is refused with its line and column; the doc is left
 * empty, and freeing it again is harmless. */
static void test_malformed_lines(void **state)
{
    (void)state;
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"ok 1\nm{a=\"x", "2:7: label value not closed by '\"'"},
        {"m{a=\"x\"", "1:8: expected ',' or '}' after a label value"},
        {"m{a=\"x\\\"} 1", "1:12: label value not closed by '\"'"},
        {"m{a=\"x\\\n", "1:8: label value not closed by '\"'"},
        {"m{a=\"x\\ty\"} 1", "1:7: unknown escape in a label value (only \\\\, \\\" and \\n)"},
        {"m{a} 1", "1:4: expected '=' after the label name"},
        {"m{a=x} 1", "1:5: expected '\"' to open the label value"},
        {"m{a=\"1\" b=\"2\"} 1", "1:9: expected ',' or '}' after a label value"},
        {"m{a=\"1\",a=\"2\"} 1", "1:9: label 'a' appears twice"},
        {"m{,} 1", "1:3: expected a label name or '}'"},
        {"m{1=\"x\"} 1", "1:3: expected a label name or '}'"},
        {"m{a=\"1\"}", "1:9: expected a value"},
        {"m", "1:2: expected a value"},
        {"m abc", "1:3: 'abc' is not a number"},
        {"m 1 2 3", "1:7: unexpected text after the timestamp"},
        {"m 1 x", "1:5: unexpected text after the value"},
        {"m-x 1", "1:2: expected '{' or a blank after the metric name"},
        {"1m 1", "1:1: expected a metric name"},
        {"{a=\"1\"} 1", "1:1: expected a metric name"},
        {"# ok\n\nm 1\n  m2 2\nm3 ", "5:4: expected a value"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        nrp_prom_doc doc;
        nrp_err err = {{0}};
        int rc = nrp_prom_parse(cases[i].text, strlen(cases[i].text), &doc, &err);
        if (rc != NRP_ERROR || strcmp(err.msg, cases[i].msg) != 0)
            fail_msg("case %zu (%s): rc %d, message '%s', wanted '%s'", i, cases[i].text, rc, err.msg, cases[i].msg);
        assert_int_equal(doc.count, 0);
        assert_null(doc.series);
        nrp_prom_doc_free(&doc);
    }
}

static void test_nul_byte(void **state)
{
    (void)state;
    static const char text[] = "m 1\nm{a=\"x\0y\"} 2\n";
    nrp_prom_doc doc;
    nrp_err err = {{0}};
    assert_int_equal(nrp_prom_parse(text, sizeof text - 1, &doc, &err), NRP_ERROR);
    assert_string_equal(err.msg, "2:7: NUL byte");
    nrp_prom_doc_free(&doc);
}

/* ------------------------------------------------------------------------ */
/* Grouping per method                                                       */
/* ------------------------------------------------------------------------ */

#define ADD "rule=\"add\",method=\"Demo.Calculator::Add(System.Int32,System.Int32)\""
#define TW "rule=\"tw\",method=\"Shapes.Calc::TwiceAsync(System.Int32)\",async=\"true\""

/* Lines deliberately out of order: buckets before counters, +Inf first. */
static const char sample[] =
    "nrp_method_duration_seconds_bucket{" ADD ",le=\"+Inf\"} 8\n"
    "nrp_method_duration_seconds_bucket{" ADD ",le=\"4\"} 8\n"
    "nrp_method_duration_seconds_bucket{" ADD ",le=\"1\"} 2\n"
    "nrp_method_duration_seconds_bucket{" ADD ",le=\"2\"} 6\n"
    "nrp_method_duration_seconds_sum{" ADD "} 14\n"
    "nrp_method_duration_seconds_count{" ADD "} 8\n"
    "nrp_method_calls_total{" ADD "} 8\n"
    "nrp_method_exceptions_total{" ADD "} 1\n"
    "nrp_method_duration_min_seconds{" ADD "} 0.5\n"
    "nrp_method_duration_max_seconds{" ADD "} 3.5\n"
    "nrp_method_calls_total{" TW "} 3\n"
    "nrp_method_calls_total{rule=\"old\",method=\"Legacy::Run()\"} 12\n"
    "nrp_methods_rewritten_total 3\n"
    "nrp_method_rewrite_failures_total 0\n"
    "nrp_hello_calls_total{rule=\"hi\",method=\"Hello::World()\"} 5\n"
    "nrp_method_duration_seconds_bucket{" TW ",le=\"1e-07\"} 1\n"
    "nrp_method_duration_seconds_bucket{" TW ",le=\"+Inf\"} 3\n";

/* The percentile gauges the profiler exports win over the estimate from
 * the classic buckets; a method with only some of them is estimated. */
static void test_exported_percentiles(void **state)
{
    (void)state;
    static const char text[] =
        "nrp_method_duration_seconds_bucket{rule=\"r\",method=\"A()\",le=\"1\"} 10\n"
        "nrp_method_duration_seconds_bucket{rule=\"r\",method=\"A()\",le=\"+Inf\"} 10\n"
        "nrp_method_duration_quantile_seconds{rule=\"r\",method=\"A()\",quantile=\"0.5\"} 0.13\n"
        "nrp_method_duration_quantile_seconds{rule=\"r\",method=\"A()\",quantile=\"0.9\"} 0.5\n"
        "nrp_method_duration_quantile_seconds{rule=\"r\",method=\"A()\",quantile=\"0.99\"} 0.75\n"
        "nrp_method_duration_seconds_bucket{rule=\"r\",method=\"B()\",le=\"1\"} 10\n"
        "nrp_method_duration_seconds_bucket{rule=\"r\",method=\"B()\",le=\"+Inf\"} 10\n"
        "nrp_method_duration_quantile_seconds{rule=\"r\",method=\"B()\",quantile=\"0.5\"} 0.13\n";
    nrp_prom_doc doc;
    nrp_method_table t;
    nrp_err err = {{0}};
    parse_ok(text, &doc);
    assert_int_equal(nrp_method_table_build(&doc, &t, &err), NRP_OK);
    assert_int_equal(t.count, 2);
    assert_true(t.rows[0].exact_percentiles);
    assert_true(t.rows[0].p50 == 0.13 && t.rows[0].p90 == 0.5 && t.rows[0].p99 == 0.75);
    assert_false(t.rows[1].exact_percentiles);
    assert_true(t.rows[1].p50 == 0.13); /* the one it has */
    assert_true(t.rows[1].p90 == 0.9);  /* rank 9 of 10 in (0, 1] */
    nrp_method_table_free(&t);
    nrp_prom_doc_free(&doc);
}

static void test_groups_methods(void **state)
{
    (void)state;
    nrp_prom_doc doc;
    nrp_method_table t;
    nrp_err err = {{0}};
    parse_ok(sample, &doc);
    assert_int_equal(nrp_method_table_build(&doc, &t, &err), NRP_OK);
    /* By method then rule; the hello plugin's and the host's series are not
     * method rows. */
    assert_int_equal(t.count, 3);

    const nrp_method_stats *add = &t.rows[0];
    assert_string_equal(add->method, "Demo.Calculator::Add(System.Int32,System.Int32)");
    assert_string_equal(add->rule, "add");
    assert_false(add->async);
    assert_true(add->calls == 8);
    assert_true(add->exceptions == 1);
    assert_true(add->count == 8);
    assert_true(add->min == 0.5);
    assert_true(add->max == 3.5);
    assert_int_equal(add->bucket_count, 4);
    static const double le[] = {1, 2, 4, INFINITY}, counts[] = {2, 6, 8, 8};
    for (size_t i = 0; i < 4; i++) {
        assert_true(add->buckets[i].le == le[i]);
        assert_true(add->buckets[i].count == counts[i]);
    }
    assert_true(add->p50 == 1.5);  /* rank 4: halfway through (1, 2] */
    assert_true(add->p99 == 3.5);  /* rank 7.92 in (2, 4] is 3.92, clamped to max */

    const nrp_method_stats *legacy = &t.rows[1];
    assert_string_equal(legacy->method, "Legacy::Run()");
    assert_true(legacy->calls == 12);
    assert_true(isnan(legacy->exceptions));
    assert_true(isnan(legacy->count));
    assert_true(isnan(legacy->max));
    assert_int_equal(legacy->bucket_count, 0);
    assert_true(isnan(legacy->p50));
    assert_true(isnan(legacy->p99));

    const nrp_method_stats *tw = &t.rows[2];
    assert_string_equal(tw->method, "Shapes.Calc::TwiceAsync(System.Int32)");
    assert_true(tw->async);
    assert_true(tw->calls == 3);
    assert_true(tw->count == 3); /* no _count series: the +Inf bucket */
    assert_int_equal(tw->bucket_count, 2);
    assert_true(tw->buckets[0].le == 1e-07);
    assert_true(tw->p50 == 1e-07); /* in the +Inf bucket: the highest bound */

    nrp_method_table_sort(&t);
    assert_string_equal(t.rows[0].method, "Demo.Calculator::Add(System.Int32,System.Int32)");
    assert_string_equal(t.rows[1].method, "Shapes.Calc::TwiceAsync(System.Int32)");
    assert_string_equal(t.rows[2].method, "Legacy::Run()"); /* no durations: last */
    nrp_method_table_free(&t);
    nrp_prom_doc_free(&doc);
}

/* A calls counter alone (an older file, or a plugin's own counter) is a
 * row; so is a histogram alone, whose count gives the calls. */
static void test_missing_histograms(void **state)
{
    (void)state;
    nrp_prom_doc doc;
    nrp_method_table t;
    nrp_err err = {{0}};
    parse_ok("nrp_method_calls_total{rule=\"r\",method=\"A::B()\"} 4\n"
             "nrp_method_duration_seconds_bucket{method=\"C::D()\",le=\"+Inf\"} 0\n"
             "nrp_method_duration_seconds_bucket{method=\"C::D()\",le=\"0.5\"} 0\n",
             &doc);
    assert_int_equal(nrp_method_table_build(&doc, &t, &err), NRP_OK);
    assert_int_equal(t.count, 2);
    assert_true(t.rows[0].calls == 4);
    assert_int_equal(t.rows[0].bucket_count, 0);
    assert_true(isnan(t.rows[0].p99));
    assert_string_equal(t.rows[1].rule, "");
    assert_true(t.rows[1].calls == 0);
    assert_true(isnan(t.rows[1].p50)); /* no observations */
    nrp_method_table_free(&t);
    nrp_prom_doc_free(&doc);

    parse_ok("nrp_methods_rewritten_total 3\nnrp_method_calls_total 3\n", &doc);
    assert_int_equal(nrp_method_table_build(&doc, &t, &err), NRP_OK);
    assert_int_equal(t.count, 0);
    nrp_method_table_free(&t);
    nrp_prom_doc_free(&doc);
}

static void test_bad_le(void **state)
{
    (void)state;
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"m 1\nnrp_method_duration_seconds_bucket{method=\"A::B()\",le=\"fast\"} 1\n",
         "2: bucket bound le=\"fast\" is not a number"},
        {"nrp_method_duration_seconds_bucket{method=\"A::B()\",le=\"\"} 1\n", "1: bucket bound le=\"\" is not a number"},
        {"nrp_method_duration_seconds_bucket{method=\"A::B()\",le=\"1s\"} 1\n",
         "1: bucket bound le=\"1s\" is not a number"},
        {"nrp_method_duration_seconds_bucket{method=\"A::B()\",le=\"NaN\"} 1\n",
         "1: bucket bound le=\"NaN\" is not a number"},
        {"nrp_method_duration_seconds_bucket{method=\"A::B()\"} 1\n", "1: a histogram bucket without an le label"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        nrp_prom_doc doc;
        nrp_method_table t;
        nrp_err err = {{0}};
        parse_ok(cases[i].text, &doc);
        assert_int_equal(nrp_method_table_build(&doc, &t, &err), NRP_ERROR);
        assert_string_equal(err.msg, cases[i].msg);
        nrp_method_table_free(&t);
        nrp_prom_doc_free(&doc);
    }
}

static nrp_method_stats row(const char *method, double p99, double max, double calls)
{
    return (nrp_method_stats){.method = method, .rule = "r", .p99 = p99, .max = max, .calls = calls};
}

static void test_slowest_first(void **state)
{
    (void)state;
    nrp_method_stats rows[] = {
        row("none", NAN, NAN, NAN),    row("fewer", 2, 5, 1),   row("fast", 1, 9, 100),
        row("nohist", NAN, NAN, 1000), row("slow", 3, 3, 1),    row("same-b", 2, 5, 7),
        row("same-a", 2, 5, 7),        row("lower-max", 2, 4, 50),
    };
    nrp_method_table t = {rows, sizeof rows / sizeof *rows, NULL};
    nrp_method_table_sort(&t);
    static const char *const want[] = {"slow", "same-a", "same-b", "fewer", "lower-max", "fast", "nohist", "none"};
    for (size_t i = 0; i < t.count; i++)
        assert_string_equal(t.rows[i].method, want[i]);
}

/* ------------------------------------------------------------------------ */
/* Quantiles                                                                 */
/* ------------------------------------------------------------------------ */

static void test_quantile_interpolates(void **state)
{
    (void)state;
    /* 2 in (0,1], 4 in (1,2], 2 in (2,4], 2 above 4. */
    static const nrp_bucket b[] = {{1, 2}, {2, 6}, {4, 8}, {INFINITY, 10}};
    assert_true(nrp_histogram_quantile(0.1, b, 4, NAN, NAN) == 0.5);   /* rank 1 of 2 in (0,1] */
    assert_true(nrp_histogram_quantile(0.2, b, 4, NAN, NAN) == 1);     /* rank 2: top of (0,1] */
    assert_true(nrp_histogram_quantile(0.5, b, 4, NAN, NAN) == 1.75);  /* rank 5: 3 of 4 in (1,2] */
    assert_true(nrp_histogram_quantile(0.7, b, 4, NAN, NAN) == 3);     /* rank 7: 1 of 2 in (2,4] */
    assert_true(nrp_histogram_quantile(0.8, b, 4, NAN, NAN) == 4);     /* rank 8: top of (2,4] */
    assert_true(nrp_histogram_quantile(0.9, b, 4, NAN, NAN) == 4);     /* +Inf bucket: highest bound */
    assert_true(nrp_histogram_quantile(1, b, 4, NAN, NAN) == 4);
    assert_true(nrp_histogram_quantile(0, b, 4, NAN, NAN) == 0);       /* first bucket starts at 0 */
}

static void test_quantile_clamps(void **state)
{
    (void)state;
    static const nrp_bucket b[] = {{1, 2}, {2, 6}, {4, 8}, {INFINITY, 10}};
    assert_true(nrp_histogram_quantile(0.1, b, 4, 0.75, NAN) == 0.75); /* 0.5 below min */
    assert_true(nrp_histogram_quantile(0.9, b, 4, NAN, 3.5) == 3.5);   /* 4 above max */
    assert_true(nrp_histogram_quantile(0.5, b, 4, 0.25, 3.5) == 1.75); /* inside: unchanged */
    assert_true(nrp_histogram_quantile(0, b, 4, 0.25, NAN) == 0.25);
}

static void test_quantile_edge_cases(void **state)
{
    (void)state;
    static const nrp_bucket no_inf[] = {{1, 2}, {2, 6}};
    static const nrp_bucket only_inf[] = {{INFINITY, 5}};
    static const nrp_bucket empty[] = {{1, 0}, {INFINITY, 0}};
    static const nrp_bucket b[] = {{1, 2}, {2, 6}, {INFINITY, 6}};
    assert_true(isnan(nrp_histogram_quantile(0.5, no_inf, 2, NAN, NAN)));
    assert_true(isnan(nrp_histogram_quantile(0.5, only_inf, 1, NAN, NAN)));
    assert_true(isnan(nrp_histogram_quantile(0.5, empty, 2, NAN, NAN)));
    assert_true(isnan(nrp_histogram_quantile(0.5, b, 0, NAN, NAN)));
    assert_true(isnan(nrp_histogram_quantile(-0.1, b, 3, NAN, NAN)));
    assert_true(isnan(nrp_histogram_quantile(1.1, b, 3, NAN, NAN)));
    assert_true(isnan(nrp_histogram_quantile(NAN, b, 3, NAN, NAN)));

    /* A count that goes down is taken as flat: (3,4] holds 2, not 3. */
    static const nrp_bucket dips[] = {{1, 2}, {2, 6}, {3, 5}, {4, 8}, {INFINITY, 8}};
    assert_true(nrp_histogram_quantile(0.5, dips, 5, NAN, NAN) == 1.5);   /* rank 4 */
    assert_true(nrp_histogram_quantile(0.875, dips, 5, NAN, NAN) == 3.5); /* rank 7: 1 of 2 in (3,4] */

    /* A first bound at or below zero is returned as is, as Prometheus does. */
    static const nrp_bucket negative[] = {{-1, 4}, {1, 8}, {INFINITY, 8}};
    assert_true(nrp_histogram_quantile(0.25, negative, 3, NAN, NAN) == -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_series_and_comments),
        cmocka_unit_test(test_label_escapes),
        cmocka_unit_test(test_lenient_layout),
        cmocka_unit_test(test_special_values),
        cmocka_unit_test(test_empty_text),
        cmocka_unit_test(test_malformed_lines),
        cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_groups_methods),
        cmocka_unit_test(test_exported_percentiles),
        cmocka_unit_test(test_missing_histograms),
        cmocka_unit_test(test_bad_le),
        cmocka_unit_test(test_slowest_first),
        cmocka_unit_test(test_quantile_interpolates),
        cmocka_unit_test(test_quantile_clamps),
        cmocka_unit_test(test_quantile_edge_cases),
    };
    return cmocka_run_group_tests_name("prom_read", tests, NULL, NULL);
}
