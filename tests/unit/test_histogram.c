/*
 * test_histogram.c - the log-linear buckets, percentiles read from them
 * and the classic cumulative buckets exported beside them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/histogram.h"

static nrp_hist *new_hist(void)
{
    nrp_hist *h = malloc(sizeof *h);
    assert_non_null(h);
    nrp_hist_init(h);
    return h;
}

/* Every bucket holds exactly [lower(i), lower(i + 1)), the buckets tile
 * 0 .. 2^64 without gap, and none is wider than 1/16 of its lower bound
 * (from 16 ns up) but the last, which also takes everything above 2^37 ns. */
static void buckets_tile_and_are_narrow(void **state)
{
    (void)state;
    assert_int_equal(nrp_hist_lower(0), 0);
    for (unsigned i = 0; i + 1 < NRP_HIST_BUCKETS; i++) {
        uint64_t lo = nrp_hist_lower(i), next = nrp_hist_lower(i + 1);
        assert_true(next > lo);
        assert_int_equal(nrp_hist_bucket(lo), i);
        assert_int_equal(nrp_hist_bucket(next - 1), i);
        if (lo >= 16)
            assert_true((next - lo) * 16 <= lo);
    }
    /* the last cut power of two is [2^36, 2^37) ns; its last 16th holds the rest */
    assert_int_equal(nrp_hist_lower(NRP_HIST_BUCKETS - 1), ((uint64_t)1 << 36) + 15 * ((uint64_t)1 << 32));
    assert_int_equal(nrp_hist_bucket(UINT64_MAX), NRP_HIST_BUCKETS - 1);
    assert_true(nrp_hist_bucket(100000000000ull) < NRP_HIST_BUCKETS - 1); /* 100 s is still resolved */
    assert_int_equal(nrp_hist_bucket(15), 15);
    assert_int_equal(nrp_hist_bucket(16), 16);
    assert_int_equal(nrp_hist_bucket(17), 17);
    assert_int_equal(nrp_hist_bucket(32), 32);
    assert_int_equal(nrp_hist_bucket(33), 32); /* from 32 ns on, buckets are 2 ns wide */
}

static unsigned seed = 12345;
static double uniform(void)
{
    seed = seed * 1103515245u + 12345u;
    return (double)(seed >> 8) / (double)(1u << 24);
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double relative_error(uint64_t got, double want)
{
    return fabs((double)got - want) / want;
}

/* What the issue asks: busy-waits of 20, 130 and 700 us (each with a few
 * percent of jitter, as real ones have) read back within 5%, in fact
 * within the 3.2% of half a bucket. */
static void percentiles_within_a_bucket(void **state)
{
    (void)state;
    static const double truths[] = {20000, 130000, 700000, 1000, 37, 3e9};
    for (size_t t = 0; t < sizeof truths / sizeof *truths; t++) {
        nrp_hist *h = new_hist();
        double values[10001];
        size_t n = sizeof values / sizeof *values;
        for (size_t i = 0; i < n; i++) {
            values[i] = truths[t] * (1.0 + 0.04 * uniform());
            nrp_hist_record(h, (uint64_t)values[i]);
        }
        /* the true percentiles of what was recorded */
        qsort(values, n, sizeof *values, cmp);
        static const double qs[] = {0.5, 0.9, 0.99};
        for (size_t k = 0; k < 3; k++) {
            double want = values[(size_t)ceil(qs[k] * (double)n) - 1];
            uint64_t got = nrp_hist_quantile(h, qs[k]);
            if (relative_error(got, want) > 0.032)
                fail_msg("%g ns: p%g reads %llu, truth %g", truths[t], qs[k] * 100, (unsigned long long)got, want);
        }
        assert_int_equal(nrp_hist_quantile(h, 1.0), h->max_ns);
        assert_int_equal(nrp_hist_count(h), n);
        free(h);
    }
}

/* A spread from 1 us to 1 s, uniform in the logarithm. */
static void percentiles_of_a_wide_spread(void **state)
{
    (void)state;
    nrp_hist *h = new_hist();
    static double values[100000];
    size_t n = sizeof values / sizeof *values;
    for (size_t i = 0; i < n; i++) {
        values[i] = pow(10, 3 + 6 * uniform());
        nrp_hist_record(h, (uint64_t)values[i]);
    }
    qsort(values, n, sizeof *values, cmp);
    for (double q = 0.05; q < 1; q += 0.05) {
        double want = values[(size_t)ceil(q * (double)n) - 1];
        assert_true(relative_error(nrp_hist_quantile(h, q), want) <= 0.032);
    }
    free(h);
}

static void empty_and_single(void **state)
{
    (void)state;
    nrp_hist *h = new_hist();
    assert_int_equal(nrp_hist_count(h), 0);
    assert_int_equal(nrp_hist_quantile(h, 0.5), 0);
    assert_int_equal(h->min_ns, UINT64_MAX);
    nrp_hist_record(h, 123456);
    for (double q = 0.01; q <= 1; q += 0.01)
        assert_int_equal(nrp_hist_quantile(h, q), 123456);
    assert_int_equal(h->sum_ns, 123456);
    assert_int_equal(h->min_ns, 123456);
    assert_int_equal(h->max_ns, 123456);
    free(h);
}

/* Classic buckets count a duration at a bound when its whole log-linear
 * bucket lies at or below it: never under a bound it exceeds. */
static void cumulative_at_classic_bounds(void **state)
{
    (void)state;
    nrp_hist *h = new_hist();
    static const uint64_t bounds[] = {100, 1000, 1000000};
    uint64_t out[3];
    static const uint64_t durations[] = {0, 99, 100, 101, 999, 1000, 5000, 999999, 2000000};
    for (size_t i = 0; i < sizeof durations / sizeof *durations; i++)
        nrp_hist_record(h, durations[i]);
    nrp_hist_cumulative(h, bounds, 3, out);
    /* 100's bucket is [100, 104): wholly above 100 is false, so 100 is
     * counted from the next bound; 99 sits in [96, 100). */
    assert_int_equal(out[0], 2);
    assert_int_equal(out[1], 4); /* + 100, 101; 999 is in [992, 1024) */
    assert_int_equal(out[2], 7); /* + 999, 1000, 5000; 999999 is in [983040, 1015808) */
    free(h);
}

/* Recording copies (groups made as durations need them), added together,
 * give what one merged view recording everything gives; so does recording
 * into a shared one, and folding one copy into another. */
static void recording_copies_agree(void **state)
{
    (void)state;
    nrp_hist_rec *a = nrp_hist_rec_new(), *b = nrp_hist_rec_new(), *shared = nrp_hist_rec_new(),
                 *folded = nrp_hist_rec_new();
    nrp_hist *all = new_hist(), *sum = new_hist(), *view = new_hist();
    assert_true(a && b && shared && folded);
    for (uint64_t i = 0; i < 5000; i++) {
        uint64_t ns = i * i * 37 % 10000019;
        nrp_hist_rec *mine = i % 3 ? a : b;
        if (!nrp_hist_rec_record_owned(mine, ns))
            assert_true(nrp_hist_rec_record_grow(mine, ns));
        nrp_hist_record(all, ns);
        assert_true(nrp_hist_rec_record_shared(shared, ns));
    }
    nrp_hist_add_rec(sum, a);
    nrp_hist_add_rec(sum, b);
    assert_memory_equal(sum, all, sizeof *all);
    nrp_hist_add_rec(view, shared);
    assert_memory_equal(view, all, sizeof *all);
    assert_true(nrp_hist_rec_add_shared(folded, a));
    assert_true(nrp_hist_rec_add_shared(folded, b));
    nrp_hist_init(view);
    nrp_hist_add_rec(view, folded);
    assert_memory_equal(view, all, sizeof *all);
    nrp_hist_rec_free(a), nrp_hist_rec_free(b), nrp_hist_rec_free(shared), nrp_hist_rec_free(folded);
    free(all), free(sum), free(view);
}

/* A copy takes its groups only: 296 bytes empty, 128 more per power of two
 * its durations reach. */
static void recording_copy_is_small(void **state)
{
    (void)state;
    nrp_hist_rec *h = nrp_hist_rec_new();
    assert_non_null(h);
    assert_int_equal(nrp_hist_rec_bytes(h), 3 * 8 + NRP_HIST_GROUPS * sizeof(void *));
    static const uint64_t ns[] = {20000, 21000, 30000, 130000, 700000, 710000};
    for (size_t i = 0; i < sizeof ns / sizeof *ns; i++)
        if (!nrp_hist_rec_record_owned(h, ns[i]))
            assert_true(nrp_hist_rec_record_grow(h, ns[i]));
    /* 20-30 us in [2^14, 2^15) ns, 130 us in [2^16, 2^17), 700-710 us in [2^19, 2^20): 3 groups */
    assert_int_equal(nrp_hist_rec_bytes(h), 3 * 8 + NRP_HIST_GROUPS * sizeof(void *) + 3 * NRP_HIST_SUB * 8);
    nrp_hist_rec_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buckets_tile_and_are_narrow), cmocka_unit_test(percentiles_within_a_bucket),
        cmocka_unit_test(percentiles_of_a_wide_spread), cmocka_unit_test(empty_and_single),
        cmocka_unit_test(cumulative_at_classic_bounds), cmocka_unit_test(recording_copies_agree),
        cmocka_unit_test(recording_copy_is_small),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
