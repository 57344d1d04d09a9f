/*
 * probe_cost - what `timing` costs per call in native code: the host's
 * recording functions called the way injected code calls them (through
 * the host API table's pointers, one indirect call each), on one thread.
 *
 *   build/bench/probe_cost [CALLS]          nanoseconds per call, medians of 11
 *   valgrind --tool=callgrind build/bench/probe_cost 1000000 callgrind
 *                                           one pass of each, for instruction counts
 *
 * Each line is one probe sequence:
 *   empty             the loop alone (an indirect call to a function that returns)
 *   count             counter_increment: the calls counter
 *   clock             clock_ticks
 *   record            histogram_record_since with a fixed start
 *   timing            what a timed call runs: count, clock, record_since
 * The callgrind mode runs each sequence CALLS times in its own function
 * (probe_<name>), so `callgrind_annotate` gives instructions per sequence as
 * Ir / CALLS; bench/run.sh does that.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "metrics/metrics.h"
#include "nrp/plugin.h"
#include "plugin/rewrite.h"
#include "util/clock.h"

#define REPEATS 11

static const nrp_host_api *api;
static nrp_counter *calls;
static nrp_histogram *duration;
static volatile uint64_t sink;

static void nothing(nrp_counter *c)
{
    (void)c;
}
static void (*volatile empty_fn)(nrp_counter *) = nothing;

/* noinline: each is one function for callgrind_annotate. */
__attribute__((noinline)) static void probe_empty(long n)
{
    for (long i = 0; i < n; i++)
        empty_fn(calls);
}

__attribute__((noinline)) static void probe_count(long n)
{
    for (long i = 0; i < n; i++)
        api->counter_increment(calls);
}

__attribute__((noinline)) static void probe_clock(long n)
{
    uint64_t s = 0;
    for (long i = 0; i < n; i++)
        s += api->clock_ticks();
    sink = s;
}

__attribute__((noinline)) static void probe_record(long n)
{
    uint64_t start = api->clock_ticks();
    for (long i = 0; i < n; i++)
        api->histogram_record_since(duration, start);
}

__attribute__((noinline)) static void probe_timing(long n)
{
    for (long i = 0; i < n; i++) {
        api->counter_increment(calls);
        uint64_t start = api->clock_ticks();
        api->histogram_record_since(duration, start);
    }
}

static const struct {
    const char *name;
    void (*run)(long);
} probes[] = {
    {"empty", probe_empty}, {"count", probe_count}, {"clock", probe_clock},
    {"record", probe_record}, {"timing", probe_timing},
};
#define PROBES (sizeof probes / sizeof *probes)

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 10000000;
    int callgrind = argc > 2 && strcmp(argv[2], "callgrind") == 0;
    nrp_metrics *m = nrp_metrics_create();
    if (n <= 0 || !m)
        return 2;
    nrp_clock_start();
    nrp_clock_calibrate();
    api = nrp_host_api_table();
    calls = nrp_metrics_counter_sharded(m, "calls_total", NULL, "r", "M()");
    duration = nrp_metrics_histogram(m, "duration", NULL, "r", "M()");
    if (!calls || !duration)
        return 1;
    /* The thread's tables and histogram are made at its first record. */
    api->counter_increment(calls);
    api->histogram_record_since(duration, api->clock_ticks());
    if (callgrind) {
        for (size_t p = 0; p < PROBES; p++)
            probes[p].run(n);
        printf("ran each probe %ld times (clock %s)\n", n, nrp_clock_name());
        nrp_metrics_destroy(m);
        return 0;
    }
    double ns[PROBES][REPEATS];
    for (int r = 0; r < REPEATS; r++) /* interleaved: drift hits every probe alike */
        for (size_t p = 0; p < PROBES; p++) {
            uint64_t t0 = nrp_clock_monotonic_ns();
            probes[p].run(n);
            ns[p][r] = (double)(nrp_clock_monotonic_ns() - t0) / (double)n;
        }
    printf("ns per call, median of %d interleaved runs of %ld calls (clock %s)\n", REPEATS, n, nrp_clock_name());
    for (size_t p = 0; p < PROBES; p++) {
        qsort(ns[p], REPEATS, sizeof *ns[p], by_value);
        printf("  %-8s %6.2f\n", probes[p].name, ns[p][REPEATS / 2]);
    }
    nrp_metrics_destroy(m);
    return 0;
}
