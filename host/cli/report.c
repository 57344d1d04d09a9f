/*
 * nrprof report [--wide] FILE
 *
 * Shows the metrics file the profiler writes (Prometheus text) as a table:
 * one row per instrumented method, slowest first, with its calls,
 * exceptions, cancellations (when the file counts them: methods that
 * return a task), p50, p90, p99 and max durations and a small histogram. Exit 0
 * when shown, 1 when the file cannot be read or holds no method series, 2
 * on a usage error.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/method_stats.h"
#include "cli/prom_read.h"
#include "nrp/result.h"
#include "util/file.h"
#include "util/strbuf.h"

/* Wide enough for Namespace.Type::Method(params) of most code, narrow
 * enough that the figures stay on an ordinary terminal line. */
#define METHOD_COLUMNS 60

static const char async_marker[] = " (async)";

enum {
    C_METHOD,
    C_RULE,
    C_CALLS,
    C_EXCEPTIONS,
    C_CANCELLATIONS,
    C_P50,
    C_P90,
    C_P99,
    C_MAX,
    C_HISTOGRAM,
    NCOLS
};
static const char *const titles[NCOLS] = {"method", "rule", "calls", "exceptions", "cancellations",
                                          "p50",    "p90",  "p99",   "max",        "histogram"};
static const int right_aligned[NCOLS] = {0, 0, 1, 1, 1, 1, 1, 1, 1, 0};

/* Eighths of a block, U+2581..U+2588. */
static const char *const bars[8] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};

static int usage(FILE *to)
{
    fprintf(to, "usage: nrprof report [--wide] FILE\n"
                "  Shows a metrics file written by the profiler (NRP_METRICS_FILE) as a table,\n"
                "  one row per instrumented method, slowest first (by p99, then max, then calls).\n"
                "  --wide  print long method names whole (default: cut in the middle to %d columns)\n"
                "  Exit status: 0 shown, 1 unreadable or no method series, 2 usage error.\n",
            METHOD_COLUMNS);
    return to == stdout ? 0 : 2;
}

/* A metrics file: the exporter writes a few kilobytes per method. */
#define MAX_METRICS_BYTES ((size_t)1 << 30)

static char *read_all(const char *path, size_t *len)
{
    char *text;
    int error;
    if (nrp_file_read(path, MAX_METRICS_BYTES, &text, len, &error) != NRP_OK) {
        fprintf(stderr, "nrprof: cannot read %s: %s\n", path, strerror(error));
        return NULL;
    }
    return text;
}

/* Terminal columns of UTF-8 text: one per code point (names are not
 * expected to hold double-width characters). */
static size_t columns(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Byte length of the first n code points of s. */
static size_t prefix_bytes(const char *s, size_t n)
{
    const char *p = s;
    for (; *p && n; n--)
        for (p++; ((unsigned char)*p & 0xC0) == 0x80;)
            p++;
    return (size_t)(p - s);
}

/* 85 ns, 12.3 µs, 4.56 ms, 1.20 s: three significant figures (whole
 * nanoseconds) in the largest unit that keeps the number >= 1. trim drops
 * trailing zeros, for bucket bounds, which are round numbers. */
static void fmt_duration(double v, int trim, char *buf, size_t cap)
{
    static const struct {
        double scale;
        const char *name;
    } units[] = {{1e-9, "ns"}, {1e-6, "µs"}, {1e-3, "ms"}, {1, "s"}};
    const size_t last = sizeof units / sizeof *units - 1;
    if (isnan(v)) {
        snprintf(buf, cap, "-");
        return;
    }
    if (isinf(v)) {
        snprintf(buf, cap, v > 0 ? "+Inf" : "-Inf");
        return;
    }
    double mag = v < 0 ? -v : v;
    size_t u = 0;
    while (u < last && mag >= units[u + 1].scale)
        u++;
    char num[64];
    for (;; u++) {
        double x = v / units[u].scale, ax = mag / units[u].scale;
        int decimals = u == 0 || ax >= 99.95 ? 0 : ax >= 9.995 ? 1 : 2;
        snprintf(num, sizeof num, "%.*f", decimals, x);
        /* 999.7 µs rounds to "1000": say 1.00 ms instead. */
        double shown = strtod(num, NULL);
        if (u == last || (shown < 1000 && shown > -1000))
            break;
    }
    if (trim && strchr(num, '.')) {
        char *end = num + strlen(num);
        while (end[-1] == '0')
            *--end = '\0';
        if (end[-1] == '.')
            end[-1] = '\0';
    }
    snprintf(buf, cap, "%s %s", num, units[u].name);
}

static void fmt_count(double v, char *buf, size_t cap)
{
    if (isnan(v))
        snprintf(buf, cap, "-");
    else if (v < 1e15 && v > -1e15 && v == (double)(long long)v)
        snprintf(buf, cap, "%lld", (long long)v);
    else
        snprintf(buf, cap, "%g", v);
}

/* A label value fit for one table cell: control characters, newlines
 * included, would break the row. */
static char *printable(const char *s)
{
    nrp_strbuf sb;
    nrp_strbuf_init(&sb);
    for (; *s; s++) {
        if (*s == '\n')
            nrp_strbuf_puts(&sb, "\\n");
        else if ((unsigned char)*s < 0x20 || *s == 0x7F)
            nrp_strbuf_puts(&sb, "?");
        else
            nrp_strbuf_append(&sb, s, 1);
    }
    return nrp_strbuf_take(&sb);
}

/* The method cell: the name, cut in the middle with "…" unless wide so
 * that name and marker fit METHOD_COLUMNS; both ends of a name tell the
 * most (the type, and the parameters that tell overloads apart). */
static char *method_cell(const nrp_method_stats *r, int wide)
{
    char *name = printable(r->method);
    if (!name)
        return NULL;
    nrp_strbuf sb;
    nrp_strbuf_init(&sb);
    size_t marker = r->async ? columns(async_marker) : 0, width = columns(name);
    if (!wide && width + marker > METHOD_COLUMNS) {
        size_t keep = METHOD_COLUMNS - marker - 1, tail = keep / 2, head = keep - tail;
        size_t head_bytes = prefix_bytes(name, head);
        nrp_strbuf_append(&sb, name, head_bytes);
        nrp_strbuf_puts(&sb, "…");
        nrp_strbuf_puts(&sb, name + prefix_bytes(name, width - tail));
    } else {
        nrp_strbuf_puts(&sb, name);
    }
    if (r->async)
        nrp_strbuf_puts(&sb, async_marker);
    free(name);
    return nrp_strbuf_take(&sb);
}

/* The histogram columns: every bucket bound found in the file, so rows
 * whose bounds differ still line up, each bucket under its upper bound. */
typedef struct histogram {
    double *bounds;
    size_t count;
    double *fill;  /* rows x count observations per bucket */
    size_t lo, hi; /* the non-empty range over all rows; lo > hi if none */
} histogram;

static int by_value(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

static size_t column_of(const histogram *h, double le)
{
    size_t lo = 0, hi = h->count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (h->bounds[mid] < le)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static nrp_result histogram_build(const nrp_method_table *t, histogram *h)
{
    size_t total = 0;
    for (size_t r = 0; r < t->count; r++)
        total += t->rows[r].bucket_count;
    *h = (histogram){.bounds = malloc((total ? total : 1) * sizeof *h->bounds), .lo = 1, .hi = 0};
    if (!h->bounds)
        return NRP_ERROR;
    for (size_t r = 0; r < t->count; r++)
        for (size_t b = 0; b < t->rows[r].bucket_count; b++)
            h->bounds[h->count++] = t->rows[r].buckets[b].le;
    qsort(h->bounds, h->count, sizeof *h->bounds, by_value);
    size_t distinct = 0;
    for (size_t i = 0; i < h->count; i++)
        if (i == 0 || h->bounds[i] != h->bounds[distinct - 1])
            h->bounds[distinct++] = h->bounds[i];
    h->count = distinct;
    size_t cells = t->count * h->count;
    h->fill = calloc(cells ? cells : 1, sizeof *h->fill);
    if (!h->fill)
        return NRP_ERROR;
    int any = 0;
    for (size_t r = 0; r < t->count; r++) {
        const nrp_method_stats *row = &t->rows[r];
        double below = 0;
        for (size_t b = 0; b < row->bucket_count; b++) {
            double upto = row->buckets[b].count > below ? row->buckets[b].count : below;
            size_t c = column_of(h, row->buckets[b].le);
            h->fill[r * h->count + c] += upto - below;
            below = upto;
            if (h->fill[r * h->count + c] > 0) {
                h->lo = any && h->lo < c ? h->lo : c;
                h->hi = any && h->hi > c ? h->hi : c;
                any = 1;
            }
        }
    }
    return NRP_OK;
}

static void histogram_free(histogram *h)
{
    free(h->bounds);
    free(h->fill);
}

/* One character per bucket in [lo, hi], scaled to the row's fullest. */
static char *bar_cell(const histogram *h, size_t r)
{
    const double *fill = &h->fill[r * h->count];
    double most = 0;
    for (size_t c = h->lo; c <= h->hi; c++)
        most = fill[c] > most ? fill[c] : most;
    nrp_strbuf sb;
    nrp_strbuf_init(&sb);
    for (size_t c = h->lo; c <= h->hi && most > 0; c++) {
        if (!(fill[c] > 0)) {
            nrp_strbuf_puts(&sb, " ");
            continue;
        }
        /* Rounded up, so a bucket holding anything shows at least ▁. */
        double eighths = fill[c] * 8 / most;
        int level = (int)eighths;
        level += level < eighths;
        nrp_strbuf_puts(&sb, bars[(level < 1 ? 1 : level > 8 ? 8 : level) - 1]);
    }
    return nrp_strbuf_take(&sb);
}

/* The row's cells of the columns shown (shown[c] != 0). */
static void print_row(char *const *cells, const size_t *width, const int *shown)
{
    nrp_strbuf line;
    nrp_strbuf_init(&line);
    for (int c = 0, first = 1; c < NCOLS; c++) {
        if (!shown[c])
            continue;
        size_t pad = width[c] - columns(cells[c]);
        if (!first)
            nrp_strbuf_puts(&line, "  ");
        first = 0;
        for (size_t i = 0; right_aligned[c] && i < pad; i++)
            nrp_strbuf_puts(&line, " ");
        nrp_strbuf_puts(&line, cells[c]);
        for (size_t i = 0; !right_aligned[c] && i < pad; i++)
            nrp_strbuf_puts(&line, " ");
    }
    /* Padding of the last cells, and blank buckets at the end of a bar. */
    while (line.len && line.data[line.len - 1] == ' ')
        line.data[--line.len] = '\0';
    if (line.status == NRP_OK)
        printf("%s\n", line.data ? line.data : "");
    nrp_strbuf_free(&line);
}

/* The cells of one row, each a string to free. */
static nrp_result fill_cells(const nrp_method_stats *r, const histogram *h, size_t index, int wide, char **cells)
{
    char buf[64];
    cells[C_METHOD] = method_cell(r, wide);
    cells[C_RULE] = printable(*r->rule ? r->rule : "-");
    fmt_count(r->calls, buf, sizeof buf);
    cells[C_CALLS] = strdup(buf);
    fmt_count(r->exceptions, buf, sizeof buf);
    cells[C_EXCEPTIONS] = strdup(buf);
    fmt_count(r->cancellations, buf, sizeof buf);
    cells[C_CANCELLATIONS] = strdup(buf);
    fmt_duration(r->p50, 0, buf, sizeof buf);
    cells[C_P50] = strdup(buf);
    fmt_duration(r->p90, 0, buf, sizeof buf);
    cells[C_P90] = strdup(buf);
    fmt_duration(r->p99, 0, buf, sizeof buf);
    cells[C_P99] = strdup(buf);
    /* No calls, no durations, whatever the gauges were left at. */
    fmt_duration(r->calls == 0 ? NAN : r->max, 0, buf, sizeof buf);
    cells[C_MAX] = strdup(buf);
    cells[C_HISTOGRAM] = h->lo <= h->hi ? bar_cell(h, index) : strdup("");
    for (int c = 0; c < NCOLS; c++)
        if (!cells[c])
            return NRP_ERROR;
    return NRP_OK;
}

/* The host's unlabelled counters, those the file has, on one line. */
static void host_summary(const nrp_prom_doc *doc, nrp_strbuf *out)
{
    static const struct {
        const char *name, *what;
    } counters[] = {
        {"nrp_methods_rewritten_total", "rewritten"},
        {"nrp_methods_skipped_total", "skipped"},
        {"nrp_method_rewrite_failures_total", "failed to rewrite"},
    };
    int any = 0;
    for (size_t k = 0; k < sizeof counters / sizeof *counters; k++) {
        const nrp_prom_series *found = NULL;
        for (size_t i = 0; i < doc->count; i++)
            if (doc->series[i].label_count == 0 && strcmp(doc->series[i].name, counters[k].name) == 0)
                found = &doc->series[i];
        if (!found)
            continue;
        char n[64];
        fmt_count(found->value, n, sizeof n);
        nrp_strbuf_printf(out, "%s%s %s", any ? ", " : "methods: ", n, counters[k].what);
        any = 1;
    }
}

static void print_footnotes(const nrp_method_table *t, const histogram *h, const nrp_prom_doc *doc)
{
    int async = 0, estimated = 0;
    for (size_t r = 0; r < t->count; r++) {
        async |= t->rows[r].async;
        estimated |= !t->rows[r].exact_percentiles && !isnan(t->rows[r].p50);
    }
    nrp_strbuf notes;
    nrp_strbuf_init(&notes);
    if (async)
        nrp_strbuf_puts(&notes, "(async): the method returns a task (timed until the task completes) or is an async state machine.\n");
    /* Files of profilers before 0.2 have no percentile gauges. */
    if (estimated)
        nrp_strbuf_puts(&notes, "percentiles: some estimated from the classic buckets (the file has no "
                                "nrp_method_duration_quantile_seconds)\n");
    if (h->lo <= h->hi) {
        char from[64], to[64], above[64];
        fmt_duration(h->bounds[h->lo], 1, to, sizeof to);
        snprintf(from, sizeof from, "%s", "0");
        if (h->lo)
            fmt_duration(h->bounds[h->lo - 1], 1, from, sizeof from);
        nrp_strbuf_printf(&notes, "histogram: one column per duration bucket, (%s, %s]", from, to);
        if (h->hi > h->lo) {
            fmt_duration(h->bounds[h->hi - 1], 1, above, sizeof above);
            fmt_duration(h->bounds[h->hi], 1, to, sizeof to);
            nrp_strbuf_printf(&notes, " to (%s, %s%s", above, to, isinf(h->bounds[h->hi]) ? ")" : "]");
        }
        nrp_strbuf_puts(&notes, "\n");
    }
    size_t before = notes.len;
    host_summary(doc, &notes);
    if (notes.len > before)
        nrp_strbuf_puts(&notes, "\n");
    if (notes.len && notes.status == NRP_OK)
        printf("\n%s", notes.data);
    nrp_strbuf_free(&notes);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Methods, not (rule, method) rows: a method several rules compose on has
 * one row per rule. Rows when out of memory. */
static size_t distinct_methods(const nrp_method_table *t)
{
    const char **names = malloc((t->count ? t->count : 1) * sizeof *names);
    size_t n = 0;
    if (!names)
        return t->count;
    for (size_t r = 0; r < t->count; r++)
        names[r] = t->rows[r].method;
    qsort(names, t->count, sizeof *names, by_name);
    for (size_t r = 0; r < t->count; r++)
        n += r == 0 || strcmp(names[r], names[r - 1]) != 0;
    free(names);
    return n;
}

static int print_table(const char *file, const nrp_method_table *t, const nrp_prom_doc *doc, int wide)
{
    histogram h = {0}; /* freed at out, even when cells cannot be allocated */
    int rc = NRP_ERROR, shown[NCOLS];
    char **cells = calloc((t->count + 1) * NCOLS, sizeof *cells);
    if (!cells || histogram_build(t, &h) != NRP_OK)
        goto out;
    for (int c = 0; c < NCOLS; c++)
        shown[c] = c != C_CANCELLATIONS && c != C_HISTOGRAM;
    /* Cancellations only when the file counts them (timing 0.4 does, for
     * methods that return a task), so older files and synchronous code
     * keep their table; the histogram only when some row has durations. */
    for (size_t r = 0; r < t->count; r++)
        shown[C_CANCELLATIONS] |= !isnan(t->rows[r].cancellations);
    shown[C_HISTOGRAM] = h.lo <= h.hi;
    size_t width[NCOLS] = {0};
    for (int c = 0; c < NCOLS; c++)
        if (!(cells[c] = strdup(titles[c])))
            goto out;
    for (size_t r = 0; r < t->count; r++)
        if (fill_cells(&t->rows[r], &h, r, wide, &cells[(r + 1) * NCOLS]) != NRP_OK)
            goto out;
    for (size_t r = 0; r <= t->count; r++)
        for (int c = 0; c < NCOLS; c++) {
            size_t w = columns(cells[r * NCOLS + c]);
            width[c] = w > width[c] ? w : width[c];
        }
    size_t methods = distinct_methods(t);
    printf("%s: %zu instrumented method%s", file, methods, methods == 1 ? "" : "s");
    if (methods != t->count)
        printf(" in %zu rows (methods under several rules have a row per rule)", t->count);
    printf("\n\n");
    for (size_t r = 0; r <= t->count; r++)
        print_row(&cells[r * NCOLS], width, shown);
    print_footnotes(t, &h, doc);
    rc = NRP_OK;
out:
    if (rc != NRP_OK)
        fprintf(stderr, "nrprof: out of memory\n");
    for (size_t i = 0; cells && i < (t->count + 1) * NCOLS; i++)
        free(cells[i]);
    free(cells);
    if (cells)
        histogram_free(&h);
    return rc;
}

/* The profiler can also write its metrics as JSON; say so rather than
 * point at the first brace. */
static int looks_like_json(const char *text, size_t len)
{
    size_t i = 0;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
        i++;
    return i < len && text[i] == '{';
}

static int report(const char *file, int wide)
{
    size_t len = 0;
    char *text = read_all(file, &len);
    if (!text)
        return 1;
    nrp_prom_doc doc;
    nrp_method_table table = {0};
    nrp_err err;
    int status = 1;
    if (nrp_prom_parse(text, len, &doc, &err) != NRP_OK) {
        if (looks_like_json(text, len))
            fprintf(stderr, "nrprof: %s looks like the JSON metrics format; report reads the Prometheus text format\n",
                    file);
        else
            fprintf(stderr, "%s:%s\n", file, err.msg);
    } else if (nrp_method_table_build(&doc, &table, &err) != NRP_OK) {
        fprintf(stderr, "%s:%s\n", file, err.msg);
    } else if (table.count == 0) {
        nrp_strbuf host;
        nrp_strbuf_init(&host);
        host_summary(&doc, &host);
        fprintf(stderr, "nrprof: %s holds no method series (nrp_method_calls_total and the like)%s%s\n", file,
                host.len ? "; " : "", host.len && host.status == NRP_OK ? host.data : "");
        nrp_strbuf_free(&host);
    } else {
        nrp_method_table_sort(&table);
        status = print_table(file, &table, &doc, wide) == NRP_OK ? 0 : 1;
    }
    nrp_method_table_free(&table);
    nrp_prom_doc_free(&doc);
    free(text);
    return status;
}

int nrp_cli_report(int argc, char **argv)
{
    const char *file = NULL;
    int wide = 0, options = 1;
    for (int i = 0; i < argc; i++) {
        if (options && (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0))
            return usage(stdout);
        if (options && strcmp(argv[i], "--wide") == 0)
            wide = 1;
        else if (options && strcmp(argv[i], "--") == 0)
            options = 0;
        else if (nrp_cli_operand(argv[i], options, &file) != NRP_OK)
            return usage(stderr);
    }
    if (!file)
        return usage(stderr);
    return report(file, wide);
}
