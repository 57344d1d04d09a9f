/*
 * nrp/metrics.h - duration histograms shared by the host, which creates
 * and exports them, and plugins, whose injected code records into them.
 *
 * A histogram lives at a fixed address for the life of the process. Any
 * thread records into it with a few relaxed atomic operations and no lock,
 * so every count is exact under concurrency; an export running at the same
 * moment may see a record half applied (count bumped, sum not yet), never a
 * lost one.
 *
 * The struct and nrp_histogram_record() below are layout 1. A plugin that
 * declares ABI minor 2 or later must treat nrp_histogram as opaque and
 * record through host->histogram_record or host->histogram_record_since
 * (nrp/plugin.h), so that the host may change the layout; the host keeps
 * giving layout 1 to plugins that declare an older minor, which may go on
 * using the inline function. Since ABI 1.3 the host keeps a copy of each
 * histogram per recording thread, with log-linear buckets (16 per power of
 * two) from which it exports percentiles and the classic buckets below.
 */
#ifndef NRP_METRICS_PUBLIC_H
#define NRP_METRICS_PUBLIC_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A counter kept per thread by the host (ABI 1.3): opaque, see
 * host->counter_sharded in nrp/plugin.h. */
typedef struct nrp_counter nrp_counter;

/* Upper bounds of the buckets in nanoseconds, 1-2.5-5 per decade from
 * 100 ns to 10 s; exported as the `le` labels in seconds. One more bucket
 * holds everything above the last bound. */
#define NRP_HISTOGRAM_BOUNDS_NS(X)                                                                              \
    X(100) X(250) X(500) X(1000) X(2500) X(5000) X(10000) X(25000) X(50000) X(100000) X(250000) X(500000)      \
    X(1000000) X(2500000) X(5000000) X(10000000) X(25000000) X(50000000) X(100000000) X(250000000)              \
    X(500000000) X(1000000000) X(2500000000) X(5000000000) X(10000000000)

#define NRP_HISTOGRAM_COUNT_BOUND_(ns) +1
enum { NRP_HISTOGRAM_BOUNDS = 0 NRP_HISTOGRAM_BOUNDS_NS(NRP_HISTOGRAM_COUNT_BOUND_) };

/* Layout 1: see above before reading or writing its fields. */
typedef struct nrp_histogram {
    uint64_t count;
    uint64_t sum_ns;
    uint64_t min_ns;   /* UINT64_MAX until the first record */
    uint64_t max_ns;
    uint64_t buckets[NRP_HISTOGRAM_BOUNDS + 1]; /* per bucket, not cumulative */
} nrp_histogram;

/* Index of the bucket that holds a duration of ns. */
static inline unsigned nrp_histogram_bucket(uint64_t ns)
{
#define NRP_HISTOGRAM_BOUND_ENTRY_(b) b##ull,
    static const uint64_t bounds[] = {NRP_HISTOGRAM_BOUNDS_NS(NRP_HISTOGRAM_BOUND_ENTRY_)};
#undef NRP_HISTOGRAM_BOUND_ENTRY_
    unsigned i = 0;
    while (i < NRP_HISTOGRAM_BOUNDS && ns > bounds[i])
        i++;
    return i;
}

/* Record one duration into a layout 1 histogram. Lock-free; callable from
 * any thread. The host's histogram_record() is this same code. */
static inline void nrp_histogram_record(nrp_histogram *h, uint64_t ns)
{
    uint64_t seen;
    __atomic_fetch_add(&h->buckets[nrp_histogram_bucket(ns)], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&h->sum_ns, ns, __ATOMIC_RELAXED);
    seen = __atomic_load_n(&h->min_ns, __ATOMIC_RELAXED);
    while (ns < seen &&
           !__atomic_compare_exchange_n(&h->min_ns, &seen, ns, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
    seen = __atomic_load_n(&h->max_ns, __ATOMIC_RELAXED);
    while (ns > seen &&
           !__atomic_compare_exchange_n(&h->max_ns, &seen, ns, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
    /* Last, so an export that sees the count also sees its bucket. */
    __atomic_fetch_add(&h->count, 1, __ATOMIC_RELEASE);
}

#ifdef __cplusplus
}
#endif

#endif
