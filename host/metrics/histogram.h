/*
 * histogram.h - log-linear duration histograms: the buckets, one thread's
 * copy of a histogram, and what is computed from the merged counts
 * (percentiles and classic Prometheus buckets). Pure C.
 *
 * Each power of two from 16 ns up is cut into NRP_HIST_SUB equal buckets,
 * so a bucket is at most 1/16 of its lower bound wide and a percentile read
 * from its middle is within 3.2% of the truth; durations under 16 ns have
 * one bucket per nanosecond. The last bucket also holds everything above
 * 2^37 ns (137 s).
 *
 * Two forms: nrp_hist, all NRP_HIST_BUCKETS counters (4.3 KiB), for the
 * merged counts an export reads; and nrp_hist_rec, what is recorded into (a
 * thread's copy, a series' shared total), whose counters come in groups of
 * NRP_HIST_SUB, one power of two each (128 bytes), each made at the first
 * duration that falls in it: a method whose calls span four powers of two
 * costs 808 bytes per recording thread, not 4.3 KiB.
 */
#ifndef NRP_METRICS_HISTOGRAM_H
#define NRP_METRICS_HISTOGRAM_H

#include <stddef.h>
#include <stdint.h>

#define NRP_HIST_SUB_BITS 4
#define NRP_HIST_SUB (1u << NRP_HIST_SUB_BITS)
#define NRP_HIST_TOP_EXP 36 /* the last power of two that is cut into buckets */
#define NRP_HIST_BUCKETS ((NRP_HIST_TOP_EXP - NRP_HIST_SUB_BITS + 2) * NRP_HIST_SUB)
#define NRP_HIST_GROUPS (NRP_HIST_BUCKETS / NRP_HIST_SUB)

/* One histogram's counts: one thread's copy, or the merge of them. A
 * thread's copy is written by that thread alone, with relaxed stores, and
 * read by the exporter with relaxed loads; the count is the sum of the
 * buckets, so it always agrees with them. */
typedef struct nrp_hist {
    uint64_t sum_ns;
    uint64_t min_ns; /* UINT64_MAX before the first record */
    uint64_t max_ns;
    uint64_t buckets[NRP_HIST_BUCKETS];
} nrp_hist;

/* The bucket that holds ns. */
static inline unsigned nrp_hist_bucket(uint64_t ns)
{
    if (ns < NRP_HIST_SUB)
        return (unsigned)ns;
    unsigned e = 63u - (unsigned)__builtin_clzll(ns);
    if (e > NRP_HIST_TOP_EXP)
        return NRP_HIST_BUCKETS - 1;
    return (e - NRP_HIST_SUB_BITS + 1) * NRP_HIST_SUB + (unsigned)((ns >> (e - NRP_HIST_SUB_BITS)) & (NRP_HIST_SUB - 1));
}

/* Smallest duration bucket i holds; its largest is nrp_hist_lower(i + 1) - 1
 * (UINT64_MAX for the last bucket). */
uint64_t nrp_hist_lower(unsigned i);

void nrp_hist_init(nrp_hist *h);

/* Record into a merged view (one thread). */
static inline void nrp_hist_record(nrp_hist *h, uint64_t ns)
{
    h->buckets[nrp_hist_bucket(ns)]++;
    h->sum_ns += ns;
    if (ns < h->min_ns)
        h->min_ns = ns;
    if (ns > h->max_ns)
        h->max_ns = ns;
}

/* Add src (read with relaxed loads: its owner may be recording) into dst,
 * a histogram only the caller writes. */
void nrp_hist_add(nrp_hist *dst, const nrp_hist *src);

/* What is recorded into. One owning thread writes with relaxed stores (or
 * any thread with atomics, for a shared total); readers load relaxed. A
 * group is published with release once zeroed, read with acquire. */
typedef struct nrp_hist_rec {
    uint64_t sum_ns;
    uint64_t min_ns; /* UINT64_MAX before the first record */
    uint64_t max_ns;
    uint64_t *groups[NRP_HIST_GROUPS];
} nrp_hist_rec;

/* An empty one; NULL when out of memory. */
nrp_hist_rec *nrp_hist_rec_new(void);
void nrp_hist_rec_free(nrp_hist_rec *h);

/* Record by the one thread that owns h: 0, with nothing recorded, when the
 * duration's group is not made yet (then nrp_hist_rec_record_grow). */
static inline int nrp_hist_rec_record_owned(nrp_hist_rec *h, uint64_t ns)
{
    unsigned i = nrp_hist_bucket(ns);
    uint64_t *g = h->groups[i / NRP_HIST_SUB];
    if (__builtin_expect(g == NULL, 0))
        return 0;
    g += i % NRP_HIST_SUB;
    __atomic_store_n(g, *g + 1, __ATOMIC_RELAXED);
    __atomic_store_n(&h->sum_ns, h->sum_ns + ns, __ATOMIC_RELAXED);
    if (ns < h->min_ns)
        __atomic_store_n(&h->min_ns, ns, __ATOMIC_RELAXED);
    if (ns > h->max_ns)
        __atomic_store_n(&h->max_ns, ns, __ATOMIC_RELAXED);
    return 1;
}

/* The owner's slow path: makes the group, then records. 0 when out of
 * memory (nothing recorded). */
int nrp_hist_rec_record_grow(nrp_hist_rec *h, uint64_t ns);

/* Record from any thread (h shared): atomic read-modify-writes, groups
 * made with compare-and-swap. 0 when out of memory. */
int nrp_hist_rec_record_shared(nrp_hist_rec *h, uint64_t ns);

/* Add src into dst: a merged view only the caller writes. */
void nrp_hist_add_rec(nrp_hist *dst, const nrp_hist_rec *src);

/* Add src, whose owner is done with it, into dst, a shared total. 0 when
 * out of memory (some groups not added). */
int nrp_hist_rec_add_shared(nrp_hist_rec *dst, const nrp_hist_rec *src);

/* Bytes h takes (for the documentation's figures and tests). */
size_t nrp_hist_rec_bytes(const nrp_hist_rec *h);

/* Count of durations in h. */
uint64_t nrp_hist_count(const nrp_hist *h);

/* The q-quantile (0 < q <= 1) of h's durations in ns: the duration of
 * rank ceil(q * count), placed inside its bucket by linear interpolation
 * and kept within [min, max]; the first and last ranks are the exact
 * minimum and maximum. 0 for an empty histogram. */
uint64_t nrp_hist_quantile(const nrp_hist *h, double q);

/* Cumulative counts at classic upper bounds: out[k] is the number of
 * durations whose bucket lies wholly at or below bounds_ns[k] (bounds
 * ascending). A duration within one bucket (at most 1/16) under a bound
 * may be counted above it, never the reverse. */
void nrp_hist_cumulative(const nrp_hist *h, const uint64_t *bounds_ns, size_t n, uint64_t *out);

#endif
