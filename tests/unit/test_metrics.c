/*
 * test_metrics.c - counter registry, Prometheus text exposition, atomic file
 * export and concurrent increments.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "metrics/metrics.h"
#include "metrics/series.h"
#include "metrics/shard.h"
#include "nrp/plugin.h"

/* The percentile gauges of test_histogram_buckets_and_extremes: p50 (rank
 * 2 of 4) falls in 1500's bucket [1472, 1536), which holds two, at the
 * middle of the first's share; p90 and p99 are rank 4, the maximum. */
#define QUANTILE_LINES                                                                                         \
    "d_quantile_seconds{rule=\"r\",method=\"A::M()\",quantile=\"0.5\"} 0.000001488\n"                      \
    "d_quantile_seconds{rule=\"r\",method=\"A::M()\",quantile=\"0.9\"} 20.000000000\n"                     \
    "d_quantile_seconds{rule=\"r\",method=\"A::M()\",quantile=\"0.99\"} 20.000000000\n"

static char *format(nrp_metrics *m)
{
    nrp_strbuf sb;
    nrp_strbuf_init(&sb);
    nrp_metrics_format_prometheus(m, &sb);
    assert_int_equal(sb.status, NRP_OK);
    char *s = nrp_strbuf_take(&sb);
    assert_non_null(s);
    return s;
}

static void assert_format(nrp_metrics *m, const char *want)
{
    char *got = format(m);
    assert_string_equal(got, want);
    free(got);
}

static void test_same_series_same_pointer(void **state)
{
    (void)state;
    nrp_metrics *m = nrp_metrics_create();
    assert_non_null(m);
    uint64_t *a = nrp_metrics_counter(m, "calls", "help", "r", "A::M()");
    uint64_t *b = nrp_metrics_counter(m, "calls", "other help", "r", "A::M()");
    assert_non_null(a);
    assert_ptr_equal(a, b);
    assert_int_equal(*a, 0); /* created at zero */
    *a = 42;
    assert_int_equal(*nrp_metrics_counter(m, "calls", NULL, "r", "A::M()"), 42);

    uint64_t *c = nrp_metrics_counter(m, "calls", "help", "r", "A::N()");   /* other method */
    uint64_t *d = nrp_metrics_counter(m, "calls", "help", "r2", "A::M()");  /* other rule */
    uint64_t *e = nrp_metrics_counter(m, "calls2", "help", "r", "A::M()");  /* other name */
    assert_non_null(c);
    assert_non_null(d);
    assert_non_null(e);
    assert_ptr_not_equal(a, c);
    assert_ptr_not_equal(a, d);
    assert_ptr_not_equal(a, e);
    assert_ptr_not_equal(c, d);
    assert_ptr_not_equal(c, e);
    assert_ptr_not_equal(d, e);
    assert_int_equal(*c, 0);
    /* swapping the labels is a different series */
    uint64_t *f = nrp_metrics_counter(m, "calls", "help", "A::M()", "r");
    assert_ptr_not_equal(a, f);
    /* label boundaries matter: ("ab","c") != ("a","bc") */
    uint64_t *g = nrp_metrics_counter(m, "x", NULL, "ab", "c");
    uint64_t *h = nrp_metrics_counter(m, "x", NULL, "a", "bc");
    assert_ptr_not_equal(g, h);
    nrp_metrics_destroy(m);
}

/* A missing label prints as "", so (r, NULL) and (r, "") are one series,
 * never two identical lines in the export. */
static void test_missing_label_is_empty_label(void **state)
{
    (void)state;
    nrp_metrics *m = nrp_metrics_create();
    nrp_strbuf sb;
    uint64_t *a = nrp_metrics_counter(m, "c", "C.", "r", NULL);
    assert_ptr_equal(nrp_metrics_counter(m, "c", "C.", "r", ""), a);
    assert_ptr_equal(nrp_metrics_counter(m, "c", "C.", NULL, ""), nrp_metrics_counter(m, "c", "C.", "", NULL));
    assert_ptr_not_equal(nrp_metrics_counter(m, "c", "C.", NULL, NULL), a);
    nrp_strbuf_init(&sb);
    nrp_metrics_format_prometheus(m, &sb);
    assert_string_equal(sb.data, "# HELP c C.\n# TYPE c counter\n"
                                 "c{rule=\"r\",method=\"\"} 0\n"
                                 "c{rule=\"\",method=\"\"} 0\n"
                                 "c 0\n");
    nrp_strbuf_free(&sb);
    nrp_metrics_destroy(m);
}

static void test_label_free_series(void **state)
{
    (void)state;
    nrp_metrics *m = nrp_metrics_create();
    uint64_t *a = nrp_metrics_counter(m, "up", "Up.", NULL, NULL);
    uint64_t *b = nrp_metrics_counter(m, "up", "Up.", NULL, NULL);
    assert_non_null(a);
    assert_ptr_equal(a, b);
    uint64_t *c = nrp_metrics_counter(m, "up", "Up.", "r", NULL);
    uint64_t *d = nrp_metrics_counter(m, "up", "Up.", NULL, "m");
    uint64_t *e = nrp_metrics_counter(m, "up", "Up.", "", "");
    assert_ptr_not_equal(a, c);
    assert_ptr_not_equal(a, d);
    assert_ptr_not_equal(c, d);
    assert_ptr_not_equal(a, e); /* NULL labels differ from empty ones */
    *a = 1;
    *c = 2;
    *d = 3;
    *e = 4;
    assert_format(m, "# HELP up Up.\n"
                     "# TYPE up counter\n"
                     "up 1\n"
                     "up{rule=\"r\",method=\"\"} 2\n"
                     "up{rule=\"\",method=\"m\"} 3\n"
                     "up{rule=\"\",method=\"\"} 4\n");
    nrp_metrics_destroy(m);
}

static void test_empty_registry(void **state)
{
    (void)state;
    nrp_metrics *m = nrp_metrics_create();
    assert_format(m, "");
    nrp_metrics_destroy(m);
    nrp_metrics_destroy(NULL);
}

static void test_exposition_exact(void **state)
{
    (void)state;
    nrp_metrics *m = nrp_metrics_create();
    /* families and series created interleaved */
    uint64_t *a = nrp_metrics_counter(m, "nrp_calls_total", "Calls \"made\".", "r1", "A::M()");
    uint64_t *b = nrp_metrics_counter(m, "nrp_up", "Up \\ and\nnewline", NULL, NULL);
    uint64_t *c = nrp_metrics_counter(m, "nrp_calls_total", "ignored: the first help wins", "r2",
                                      "B::\"q\"\\x\ny");
    uint64_t *d = nrp_metrics_counter(m, "nrp_errors_total", NULL, "r1", "A::M()");
    uint64_t *e = nrp_metrics_counter(m, "nrp_up", "x", "only-rule", NULL);
    uint64_t *f = nrp_metrics_counter(m, "nrp_calls_total", "", "r3", "C::M(System.String[])");
    assert_ptr_equal(nrp_metrics_counter(m, "nrp_up", "y", NULL, NULL), b);
    *a = 5;
    *b = 1;
    *c = UINT64_MAX;
    *d = 0;
    *e = 7;
    __atomic_fetch_add(f, 3, __ATOMIC_RELAXED);
    assert_format(m,
                  "# HELP nrp_calls_total Calls \"made\".\n"
                  "# TYPE nrp_calls_total counter\n"
                  "nrp_calls_total{rule=\"r1\",method=\"A::M()\"} 5\n"
                  "nrp_calls_total{rule=\"r2\",method=\"B::\\\"q\\\"\\\\x\\ny\"} 18446744073709551615\n"
                  "nrp_calls_total{rule=\"r3\",method=\"C::M(System.String[])\"} 3\n"
                  "# HELP nrp_up Up \\\\ and\\nnewline\n"
                  "# TYPE nrp_up counter\n"
                  "nrp_up 1\n"
                  "nrp_up{rule=\"only-rule\",method=\"\"} 7\n"
                  "# HELP nrp_errors_total \n"
                  "# TYPE nrp_errors_total counter\n"
                  "nrp_errors_total{rule=\"r1\",method=\"A::M()\"} 0\n");
    /* formatting appends and is repeatable */
    nrp_strbuf sb;
    nrp_strbuf_init(&sb);
    nrp_strbuf_puts(&sb, "X\n");
    nrp_metrics_format_prometheus(m, &sb);
    char *once = format(m);
    assert_int_equal(sb.len, 2 + strlen(once));
    assert_memory_equal(sb.data, "X\n", 2);
    assert_string_equal(sb.data + 2, once);
    free(once);
    nrp_strbuf_free(&sb);
    nrp_metrics_destroy(m);
}

static void test_many_series_stable_addresses(void **state)
{
    (void)state;
    nrp_metrics *m = nrp_metrics_create();
    enum { N = 10000 };
    uint64_t **ptrs = calloc(N, sizeof *ptrs);
    assert_non_null(ptrs);
    char method[64];
    for (int i = 0; i < N; i++) {
        snprintf(method, sizeof method, "T::M%d()", i);
        ptrs[i] = nrp_metrics_counter(m, i % 2 ? "odd" : "even", "h", "r", method);
        assert_non_null(ptrs[i]);
        *ptrs[i] = (uint64_t)i;
    }
    for (int i = 0; i < N; i++) {
        snprintf(method, sizeof method, "T::M%d()", i);
        uint64_t *p = nrp_metrics_counter(m, i % 2 ? "odd" : "even", "h", "r", method);
        assert_ptr_equal(p, ptrs[i]);
        assert_int_equal(*p, (uint64_t)i);
    }
    /* all distinct */
    for (int i = 1; i < N; i++)
        assert_ptr_not_equal(ptrs[i], ptrs[i - 1]);
    /* families grouped: "even" first, all its series, then "odd" */
    char *text = format(m);
    const char *odd = strstr(text, "# HELP odd h\n");
    assert_non_null(odd);
    const char *head = "# HELP even h\n# TYPE even counter\neven{rule=\"r\",method=\"T::M0()\"} 0\n"
                       "even{rule=\"r\",method=\"T::M2()\"} 2\n";
    assert_true(strncmp(text, head, strlen(head)) == 0);
    assert_null(strstr(odd, "even{"));
    assert_null(strstr(odd + 1, "# HELP"));
    assert_non_null(strstr(odd, "odd{rule=\"r\",method=\"T::M9999()\"} 9999\n"));
    free(text);
    free(ptrs);
    nrp_metrics_destroy(m);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    assert_true(size >= 0);
    rewind(f);
    char *buf = malloc((size_t)size + 1);
    assert_non_null(buf);
    size_t n = fread(buf, 1, (size_t)size, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int count_entries(const char *dir, char *only, size_t cap)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        n++;
        snprintf(only, cap, "%s", e->d_name);
    }
    closedir(d);
    return n;
}

static void test_export_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/nrp-test-metrics-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/metrics.prom", dir);

    nrp_metrics *m = nrp_metrics_create();
    uint64_t *a = nrp_metrics_counter(m, "calls", "Calls.", "r", "A::M()");
    *a = 3;
    nrp_err err = {{0}};
    assert_int_equal(nrp_metrics_export_file(m, path, NRP_METRICS_PROMETHEUS, NULL, &err), NRP_OK);
    char *text = read_file(path);
    assert_string_equal(text, "# HELP calls Calls.\n# TYPE calls counter\ncalls{rule=\"r\",method=\"A::M()\"} 3\n");
    free(text);
    char name[256];
    assert_int_equal(count_entries(dir, name, sizeof name), 1); /* no temporary left */
    assert_string_equal(name, "metrics.prom");

    /* a second export replaces the file */
    *a = 4;
    assert_int_equal(nrp_metrics_export_file(m, path, NRP_METRICS_PROMETHEUS, NULL, &err), NRP_OK);
    text = read_file(path);
    assert_string_equal(text, "# HELP calls Calls.\n# TYPE calls counter\ncalls{rule=\"r\",method=\"A::M()\"} 4\n");
    free(text);
    assert_int_equal(count_entries(dir, name, sizeof name), 1);

    /* with what it wrote last, an export leaves an unchanged file alone
     * (shown by a same-size edit it does not undo), and writes it again
     * when the text changes or the file does not have its size */
    nrp_metrics_written last = {0};
    assert_int_equal(nrp_metrics_export_file(m, path, NRP_METRICS_PROMETHEUS, &last, &err), NRP_OK);
    assert_true(last.valid);
    FILE *f = fopen(path, "r+");
    assert_non_null(f);
    assert_int_equal(fputs("X", f) >= 0, 1);
    fclose(f);
    assert_int_equal(nrp_metrics_export_file(m, path, NRP_METRICS_PROMETHEUS, &last, &err), NRP_OK);
    text = read_file(path);
    assert_string_equal(text, "X HELP calls Calls.\n# TYPE calls counter\ncalls{rule=\"r\",method=\"A::M()\"} 4\n");
    free(text);
    assert_int_equal(truncate(path, 3), 0);
    assert_int_equal(nrp_metrics_export_file(m, path, NRP_METRICS_PROMETHEUS, &last, &err), NRP_OK);
    text = read_file(path);
    assert_string_equal(text, "# HELP calls Calls.\n# TYPE calls counter\ncalls{rule=\"r\",method=\"A::M()\"} 4\n");
    free(text);
    f = fopen(path, "r+");
    assert_non_null(f);
    assert_int_equal(fputs("XX", f) >= 0, 1);
    fclose(f);
    *a = 5;
    assert_int_equal(nrp_metrics_export_file(m, path, NRP_METRICS_PROMETHEUS, &last, &err), NRP_OK);
    text = read_file(path);
    assert_string_equal(text, "# HELP calls Calls.\n# TYPE calls counter\ncalls{rule=\"r\",method=\"A::M()\"} 5\n");
    free(text);
    assert_int_equal(count_entries(dir, name, sizeof name), 1);

    /* a text of many pieces is the file, byte for byte */
    nrp_metrics *big = nrp_metrics_create();
    assert_non_null(big);
    for (int i = 0; i < 3000; i++) {
        char method[96];
        snprintf(method, sizeof method, "Some.Namespace.SomeType::Method%d(System.String,System.Int32)", i);
        uint64_t *c = nrp_metrics_counter(big, "nrp_method_calls_total", "Calls.", "rule", method);
        assert_non_null(c);
        *c = (uint64_t)i * 7;
    }
    nrp_strbuf whole;
    nrp_strbuf_init(&whole);
    nrp_metrics_format_prometheus(big, &whole);
    assert_true(whole.len > 4 * (64u << 10));
    assert_int_equal(nrp_metrics_export_file(big, path, NRP_METRICS_PROMETHEUS, NULL, &err), NRP_OK);
    text = read_file(path);
    assert_string_equal(text, whole.data);
    free(text);
    nrp_strbuf_free(&whole);
    nrp_metrics_destroy(big);

    /* an empty registry writes an empty file */
    nrp_metrics *empty = nrp_metrics_create();
    assert_int_equal(nrp_metrics_export_file(empty, path, NRP_METRICS_PROMETHEUS, NULL, &err), NRP_OK);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 0);
    nrp_metrics_destroy(empty);

    unlink(path);
    rmdir(dir);
    nrp_metrics_destroy(m);
}

/* Whatever sits at the temporary's name (a symlink to another file, a FIFO)
 * is neither followed nor opened: it is replaced. */
static void test_export_replaces_what_sits_at_the_temporary(void **state)
{
    (void)state;
    char dir[] = "/tmp/nrp-test-metrics-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256], tmp[320], victim[256];
    snprintf(path, sizeof path, "%s/metrics.prom", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    snprintf(victim, sizeof victim, "%s/victim", dir);
    FILE *f = fopen(victim, "w");
    assert_non_null(f);
    fputs("precious\n", f);
    fclose(f);
    nrp_metrics *m = nrp_metrics_create();
    *nrp_metrics_counter(m, "calls", "Calls.", NULL, NULL) = 5;
    nrp_err err = {{0}};

    assert_int_equal(symlink(victim, tmp), 0);
    assert_int_equal(nrp_metrics_export_file(m, path, NRP_METRICS_PROMETHEUS, NULL, &err), NRP_OK);
    char *text = read_file(victim);
    assert_string_equal(text, "precious\n");
    free(text);
    text = read_file(path);
    assert_string_equal(text, "# HELP calls Calls.\n# TYPE calls counter\ncalls 5\n");
    free(text);

    assert_int_equal(mkfifo(tmp, 0644), 0); /* opening it for writing would block */
    assert_int_equal(nrp_metrics_export_file(m, path, NRP_METRICS_PROMETHEUS, NULL, &err), NRP_OK);
    struct stat st;
    assert_int_equal(lstat(tmp, &st), -1); /* gone, renamed over the file */
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISREG(st.st_mode));

    unlink(path);
    unlink(victim);
    rmdir(dir);
    nrp_metrics_destroy(m);
}

static void test_export_missing_dir(void **state)
{
    (void)state;
    char dir[] = "/tmp/nrp-test-metrics-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/no/such/dir/metrics.prom", dir);
    nrp_metrics *m = nrp_metrics_create();
    nrp_metrics_counter(m, "calls", "Calls.", NULL, NULL);
    nrp_err err = {{0}};
    assert_int_equal(nrp_metrics_export_file(m, path, NRP_METRICS_PROMETHEUS, NULL, &err), NRP_ERROR);
    char want[512];
    snprintf(want, sizeof want, "cannot create %s.tmp.%ld: %s", path, (long)getpid(), strerror(ENOENT));
    assert_string_equal(err.msg, want);
    char name[256];
    assert_int_equal(count_entries(dir, name, sizeof name), 0);
    rmdir(dir);
    nrp_metrics_destroy(m);
}

static void test_export_rename_fails_leaves_no_temp(void **state)
{
    (void)state;
    char dir[] = "/tmp/nrp-test-metrics-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256], inner[300];
    /* the target is a non-empty directory: the rename must fail */
    snprintf(path, sizeof path, "%s/metrics.prom", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(inner, sizeof inner, "%s/keep", path);
    FILE *f = fopen(inner, "w");
    assert_non_null(f);
    fclose(f);

    nrp_metrics *m = nrp_metrics_create();
    nrp_metrics_counter(m, "calls", "Calls.", NULL, NULL);
    nrp_err err = {{0}};
    assert_int_equal(nrp_metrics_export_file(m, path, NRP_METRICS_PROMETHEUS, NULL, &err), NRP_ERROR);
    assert_true(strncmp(err.msg, "cannot rename ", 14) == 0);
    char name[256];
    assert_int_equal(count_entries(dir, name, sizeof name), 1);
    assert_string_equal(name, "metrics.prom");

    unlink(inner);
    rmdir(path);
    rmdir(dir);
    nrp_metrics_destroy(m);
}

static void test_export_path_too_long(void **state)
{
    (void)state;
    char path[5000];
    memset(path, 'a', sizeof path - 1);
    path[sizeof path - 1] = '\0';
    nrp_metrics *m = nrp_metrics_create();
    nrp_err err = {{0}};
    assert_int_equal(nrp_metrics_export_file(m, path, NRP_METRICS_PROMETHEUS, NULL, &err), NRP_ERROR);
    assert_true(strncmp(err.msg, "metrics path too long: ", 23) == 0);
    nrp_metrics_destroy(m);
}

typedef struct worker_arg {
    nrp_metrics *m;
    uint64_t *counter;
    int index;
} worker_arg;

enum { THREADS = 4, ADDS = 100000 };

static void *worker(void *p)
{
    worker_arg *a = p;
    uint64_t *c = nrp_metrics_counter(a->m, "conc_total", "Concurrent.", "r", "M()");
    a->counter = c;
    if (!c)
        return NULL;
    char own[32];
    snprintf(own, sizeof own, "thread%d", a->index);
    for (int i = 0; i < ADDS; i++) {
        __atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
        if (i % 1000 == 0) /* create series while others add */
            nrp_metrics_counter(a->m, own, NULL, own, NULL);
    }
    return NULL;
}

static void test_concurrent_increments(void **state)
{
    (void)state;
    nrp_metrics *m = nrp_metrics_create();
    pthread_t t[THREADS];
    worker_arg args[THREADS];
    for (int i = 0; i < THREADS; i++) {
        args[i] = (worker_arg){m, NULL, i};
        assert_int_equal(pthread_create(&t[i], NULL, worker, &args[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    for (int i = 0; i < THREADS; i++) {
        assert_non_null(args[i].counter);
        assert_ptr_equal(args[i].counter, args[0].counter);
    }
    assert_int_equal(__atomic_load_n(args[0].counter, __ATOMIC_RELAXED), (uint64_t)THREADS * ADDS);
    char *text = format(m);
    assert_non_null(strstr(text, "conc_total{rule=\"r\",method=\"M()\"} 400000\n"));
    for (int i = 0; i < THREADS; i++) {
        char line[64];
        snprintf(line, sizeof line, "thread%d{rule=\"thread%d\",method=\"\"} 0\n", i, i);
        assert_non_null(strstr(text, line));
    }
    free(text);
    nrp_metrics_destroy(m);
}

static void test_histogram_buckets_and_extremes(void **state)
{
    (void)state;
    nrp_metrics *m = nrp_metrics_create();
    nrp_histogram *h = nrp_metrics_histogram(m, "d", "Durations.", "r", "A::M()");
    assert_non_null(h);
    assert_ptr_equal(nrp_metrics_histogram(m, "d", NULL, "r", "A::M()"), h);
    /* one name, one kind */
    assert_null(nrp_metrics_counter(m, "d", NULL, "r", "A::M()"));
    assert_non_null(nrp_metrics_counter(m, "c", NULL, NULL, NULL));
    assert_null(nrp_metrics_histogram(m, "c", NULL, NULL, NULL));

    nrp_metrics_record(h, 80);
    nrp_metrics_record(h, 1500);
    nrp_metrics_record(h, 1500);
    nrp_metrics_record(h, 20000000000ull);
    char *text = format(m);
    /* Classic bounds are inclusive upper bounds (Prometheus `le`). */
    const char *want =
        "# HELP d_seconds Durations.\n# TYPE d_seconds histogram\n"
        "d_seconds_bucket{rule=\"r\",method=\"A::M()\",le=\"1e-07\"} 1\n"
        "d_seconds_bucket{rule=\"r\",method=\"A::M()\",le=\"2.5e-07\"} 1\n"
        "d_seconds_bucket{rule=\"r\",method=\"A::M()\",le=\"5e-07\"} 1\n"
        "d_seconds_bucket{rule=\"r\",method=\"A::M()\",le=\"1e-06\"} 1\n"
        "d_seconds_bucket{rule=\"r\",method=\"A::M()\",le=\"2.5e-06\"} 3\n";
    assert_memory_equal(text, want, strlen(want));
    assert_non_null(strstr(text, "d_seconds_bucket{rule=\"r\",method=\"A::M()\",le=\"0.00025\"} 3\n"));
    assert_non_null(strstr(text, "d_seconds_bucket{rule=\"r\",method=\"A::M()\",le=\"10\"} 3\n"
                                 "d_seconds_bucket{rule=\"r\",method=\"A::M()\",le=\"+Inf\"} 4\n"
                                 "d_seconds_sum{rule=\"r\",method=\"A::M()\"} 20.000003080\n"
                                 "d_seconds_count{rule=\"r\",method=\"A::M()\"} 4\n"
                                 "# HELP d_min_seconds Shortest duration recorded in d_seconds.\n"
                                 "# TYPE d_min_seconds gauge\n"
                                 "d_min_seconds{rule=\"r\",method=\"A::M()\"} 0.000000080\n"
                                 "# HELP d_max_seconds Longest duration recorded in d_seconds.\n"
                                 "# TYPE d_max_seconds gauge\n"
                                 "d_max_seconds{rule=\"r\",method=\"A::M()\"} 20.000000000\n"
                                 "# HELP d_quantile_seconds Percentiles (within 3.2%, from 16 buckets per power "
                                 "of two) of the durations in d_seconds.\n"
                                 "# TYPE d_quantile_seconds gauge\n"
                                 QUANTILE_LINES));
    free(text);
    nrp_metrics_destroy(m);
}

static void test_async_label_and_json(void **state)
{
    (void)state;
    nrp_metrics *m = nrp_metrics_create();
    *nrp_metrics_counter(m, "calls_total", "Calls.", "r", "A::Run()") = 2;
    *nrp_metrics_counter(m, "calls_total", "Calls.", "r", "A::Sync()") = 1;
    nrp_histogram *h = nrp_metrics_histogram(m, "d", "Durations \"quoted\".", "r", "A::Run()");
    assert_int_equal(nrp_metrics_mark_async(m, "A::Run()"), NRP_OK);
    assert_int_equal(nrp_metrics_mark_async(m, "A::Run()"), NRP_OK); /* twice is once */
    nrp_metrics_record(h, 2000);
    char *text = format(m);
    assert_non_null(strstr(text, "calls_total{rule=\"r\",method=\"A::Run()\",async=\"true\"} 2\n"
                                 "calls_total{rule=\"r\",method=\"A::Sync()\"} 1\n"));
    assert_non_null(strstr(text, "d_seconds_count{rule=\"r\",method=\"A::Run()\",async=\"true\"} 1\n"));
    free(text);

    nrp_strbuf sb;
    nrp_strbuf_init(&sb);
    nrp_metrics_format_json(m, &sb);
    char head[64];
    snprintf(head, sizeof head, "{\"pid\":%ld,\"metrics\":[\n", (long)getpid());
    assert_memory_equal(sb.data, head, strlen(head));
    const char *rest = sb.data + strlen(head);
    assert_string_equal(
        rest,
        "{\"name\":\"calls_total\",\"type\":\"counter\",\"help\":\"Calls.\",\"series\":[\n"
        "  {\"labels\":{\"rule\":\"r\",\"method\":\"A::Run()\",\"async\":\"true\"},\"value\":2},\n"
        "  {\"labels\":{\"rule\":\"r\",\"method\":\"A::Sync()\"},\"value\":1}]},\n"
        "{\"name\":\"d_seconds\",\"type\":\"histogram\",\"help\":\"Durations \\\"quoted\\\".\",\"series\":[\n"
        "  {\"labels\":{\"rule\":\"r\",\"method\":\"A::Run()\",\"async\":\"true\"},\"count\":1,"
        "\"sum\":0.000002000,\"min\":0.000002000,\"max\":0.000002000,"
        "\"quantiles\":{\"0.5\":0.000002000,\"0.9\":0.000002000,\"0.99\":0.000002000},\"buckets\":["
        "{\"le\":1e-07,\"count\":0},{\"le\":2.5e-07,\"count\":0},{\"le\":5e-07,\"count\":0},"
        "{\"le\":1e-06,\"count\":0},{\"le\":2.5e-06,\"count\":1},{\"le\":5e-06,\"count\":1},"
        "{\"le\":1e-05,\"count\":1},{\"le\":2.5e-05,\"count\":1},{\"le\":5e-05,\"count\":1},"
        "{\"le\":0.0001,\"count\":1},{\"le\":0.00025,\"count\":1},{\"le\":0.0005,\"count\":1},"
        "{\"le\":0.001,\"count\":1},{\"le\":0.0025,\"count\":1},{\"le\":0.005,\"count\":1},"
        "{\"le\":0.01,\"count\":1},{\"le\":0.025,\"count\":1},{\"le\":0.05,\"count\":1},"
        "{\"le\":0.1,\"count\":1},{\"le\":0.25,\"count\":1},{\"le\":0.5,\"count\":1},"
        "{\"le\":1,\"count\":1},{\"le\":2.5,\"count\":1},{\"le\":5,\"count\":1},"
        "{\"le\":10,\"count\":1},{\"le\":\"+Inf\",\"count\":1}]}]}\n]}\n");
    nrp_strbuf_free(&sb);
    nrp_metrics_destroy(m);
}

/* Threads recording at once lose nothing, and threads that have exited
 * leave their counts behind. */
static void *record_many(void *arg)
{
    nrp_histogram *h = arg;
    for (uint64_t i = 1; i <= 100000; i++)
        nrp_metrics_record(h, i % 7 == 0 ? 3000 : i % 1000);
    return NULL;
}

static void test_histogram_exact_under_concurrency(void **state)
{
    (void)state;
    nrp_metrics *m = nrp_metrics_create();
    nrp_histogram *h = nrp_metrics_histogram(m, "d", NULL, "r", "M()");
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, record_many, h), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    record_many(h); /* and the main thread, which lives on */
    uint64_t want_sum = 0, want_big = 0;
    for (uint64_t i = 1; i <= 100000; i++) {
        want_sum += i % 7 == 0 ? 3000 : i % 1000;
        want_big += i % 7 == 0;
    }
    nrp_hist *got = malloc(sizeof *got);
    assert_non_null(got);
    nrp_series_histogram_read((const nrp_series *)h, got);
    assert_int_equal(nrp_hist_count(got), 500000);
    assert_int_equal(got->sum_ns, 5 * want_sum);
    assert_int_equal(got->buckets[nrp_hist_bucket(3000)], 5 * want_big);
    assert_int_equal(got->min_ns, 0);
    assert_int_equal(got->max_ns, 3000);
    free(got);
    nrp_metrics_destroy(m);
}

/* Sharded counters: exact at every export while threads count and exit,
 * never going down, and both ways of counting add up in the one series. */
typedef struct shard_run {
    nrp_counter *c;
    int rounds;
} shard_run;

static void *count_then_exit(void *arg)
{
    shard_run *r = arg;
    for (int i = 0; i < r->rounds; i++)
        nrp_metrics_count(r->c);
    return NULL;
}

static uint64_t counter_in(nrp_metrics *m, const char *line_prefix)
{
    char *text = format(m);
    const char *at = strstr(text, line_prefix);
    assert_non_null(at);
    uint64_t v = strtoull(at + strlen(line_prefix), NULL, 10);
    free(text);
    return v;
}

static void test_sharded_counter_exact(void **state)
{
    (void)state;
    nrp_metrics *m = nrp_metrics_create();
    nrp_counter *c = nrp_metrics_counter_sharded(m, "calls_total", "Calls.", "r", "M()");
    assert_non_null(c);
    assert_ptr_equal(nrp_metrics_counter_sharded(m, "calls_total", NULL, "r", "M()"), c);
    uint64_t *plain = nrp_metrics_counter(m, "calls_total", NULL, "r", "M()");
    __atomic_fetch_add(plain, 5, __ATOMIC_RELAXED);
    shard_run run = {c, 20000};
    uint64_t last = 0;
    enum { WAVES = 20, PER_WAVE = 4 };
    for (int w = 0; w < WAVES; w++) {
        pthread_t t[PER_WAVE];
        for (int i = 0; i < PER_WAVE; i++)
            assert_int_equal(pthread_create(&t[i], NULL, count_then_exit, &run), 0);
        /* Read while they count and exit. */
        uint64_t now = counter_in(m, "calls_total{rule=\"r\",method=\"M()\"} ");
        assert_true(now >= last);
        last = now;
        for (int i = 0; i < PER_WAVE; i++)
            pthread_join(t[i], NULL);
    }
    nrp_metrics_count(c);
    assert_int_equal(counter_in(m, "calls_total{rule=\"r\",method=\"M()\"} "), 5 + WAVES * PER_WAVE * 20000 + 1);
    nrp_metrics_destroy(m);
}

/* Past the last slot a series still counts exactly, on its shared total. */
static void test_series_beyond_the_slots_still_count(void **state)
{
    (void)state;
    nrp_metrics *m = nrp_metrics_create();
    nrp_counter *last = NULL;
    char method[32];
    for (unsigned i = 0; i <= NRP_SHARD_SLOTS; i++) {
        snprintf(method, sizeof method, "M%u()", i);
        assert_non_null(last = nrp_metrics_counter_sharded(m, "many_total", NULL, "r", method));
    }
    nrp_metrics_count(last);
    nrp_metrics_count(last);
    assert_int_equal(nrp_series_counter_value((const nrp_series *)last), 2);
    nrp_metrics_destroy(m);
}

/* A plugin of ABI minor < 2 records into layout 1 itself; its durations
 * join the series just under their bucket's upper bound. */
static void test_layout1_records_merge(void **state)
{
    (void)state;
    nrp_metrics *m = nrp_metrics_create();
    nrp_histogram *h = nrp_metrics_histogram(m, "d", NULL, "r", "M()");
    nrp_histogram *old = nrp_metrics_histogram_layout1(m, "d", NULL, "r", "M()");
    assert_non_null(old);
    assert_ptr_equal(nrp_metrics_histogram_layout1(m, "d", NULL, "r", "M()"), old);
    assert_int_equal((uintptr_t)old % 64, 0); /* own cache lines */
    assert_int_equal(old->min_ns, UINT64_MAX);
    nrp_histogram_record(old, 1500);
    nrp_histogram_record(old, 20000000000ull);
    nrp_metrics_record(h, 90);
    nrp_hist *got = malloc(sizeof *got);
    assert_non_null(got);
    nrp_series_histogram_read((const nrp_series *)h, got);
    assert_int_equal(nrp_hist_count(got), 3);
    assert_int_equal(got->sum_ns, 20000001590ull);
    assert_int_equal(got->min_ns, 90);
    assert_int_equal(got->max_ns, 20000000000ull);
    assert_int_equal(got->buckets[nrp_hist_bucket(2431)], 1);         /* 1500: [2304, 2432) under 2.5 us */
    assert_int_equal(got->buckets[nrp_hist_bucket(10000000001ull)], 1); /* above the last bound */
    free(got);
    nrp_metrics_destroy(m);
}

/* Classic buckets are the user's to choose. */
static void test_custom_buckets(void **state)
{
    (void)state;
    nrp_metrics *m = nrp_metrics_create();
    static const uint64_t bounds[] = {1000, 1000000};
    static const uint64_t unsorted[] = {1000, 1000};
    uint64_t too_many[NRP_METRICS_MAX_BUCKETS + 1];
    for (size_t i = 0; i < sizeof too_many / sizeof *too_many; i++)
        too_many[i] = 1000 * (i + 1);
    assert_int_equal(nrp_metrics_set_buckets(m, unsorted, 2), NRP_ERROR);
    assert_int_equal(nrp_metrics_set_buckets(m, too_many, sizeof too_many / sizeof *too_many), NRP_ERROR);
    assert_int_equal(nrp_metrics_set_buckets(m, bounds, 2), NRP_OK);
    nrp_histogram *h = nrp_metrics_histogram(m, "d", "D.", NULL, NULL);
    nrp_metrics_record(h, 500);
    nrp_metrics_record(h, 2000000);
    char *text = format(m);
    const char *want = "# HELP d_seconds D.\n# TYPE d_seconds histogram\n"
                       "d_seconds_bucket{le=\"1e-06\"} 1\n"
                       "d_seconds_bucket{le=\"0.001\"} 1\n"
                       "d_seconds_bucket{le=\"+Inf\"} 2\n"
                       "d_seconds_sum 0.002000500\n"
                       "d_seconds_count 2\n";
    assert_memory_equal(text, want, strlen(want));
    free(text);
    nrp_metrics_destroy(m);
}

static void test_export_json_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/nrp-test-metrics-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/metrics.json", dir);
    nrp_metrics *m = nrp_metrics_create();
    *nrp_metrics_counter(m, "up", "Up.", NULL, NULL) = 1;
    nrp_err err = {{0}};
    assert_int_equal(nrp_metrics_export_file(m, path, NRP_METRICS_JSON, NULL, &err), NRP_OK);
    char *text = read_file(path);
    char want[256];
    snprintf(want, sizeof want,
             "{\"pid\":%ld,\"metrics\":[\n{\"name\":\"up\",\"type\":\"counter\",\"help\":\"Up.\",\"series\":[\n"
             "  {\"labels\":{},\"value\":1}]}\n]}\n",
             (long)getpid());
    assert_string_equal(text, want);
    free(text);
    unlink(path);
    rmdir(dir);
    nrp_metrics_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_histogram_buckets_and_extremes),
        cmocka_unit_test(test_async_label_and_json),
        cmocka_unit_test(test_histogram_exact_under_concurrency),
        cmocka_unit_test(test_sharded_counter_exact),
        cmocka_unit_test(test_series_beyond_the_slots_still_count),
        cmocka_unit_test(test_layout1_records_merge),
        cmocka_unit_test(test_custom_buckets),
        cmocka_unit_test(test_export_json_file),
        cmocka_unit_test(test_same_series_same_pointer),
        cmocka_unit_test(test_label_free_series),
        cmocka_unit_test(test_missing_label_is_empty_label),
        cmocka_unit_test(test_empty_registry),
        cmocka_unit_test(test_exposition_exact),
        cmocka_unit_test(test_many_series_stable_addresses),
        cmocka_unit_test(test_export_file),
        cmocka_unit_test(test_export_replaces_what_sits_at_the_temporary),
        cmocka_unit_test(test_export_missing_dir),
        cmocka_unit_test(test_export_rename_fails_leaves_no_temp),
        cmocka_unit_test(test_export_path_too_long),
        cmocka_unit_test(test_concurrent_increments),
    };
    return cmocka_run_group_tests_name("metrics", tests, NULL, NULL);
}
