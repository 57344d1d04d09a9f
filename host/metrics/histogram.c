#include "metrics/histogram.h"

#include <stdlib.h>
#include <string.h>

uint64_t nrp_hist_lower(unsigned i)
{
    if (i >= NRP_HIST_BUCKETS)
        return UINT64_MAX;
    if (i < NRP_HIST_SUB)
        return i;
    unsigned e = i / NRP_HIST_SUB + NRP_HIST_SUB_BITS - 1, sub = i % NRP_HIST_SUB;
    return ((uint64_t)1 << e) + ((uint64_t)sub << (e - NRP_HIST_SUB_BITS));
}

void nrp_hist_init(nrp_hist *h)
{
    memset(h, 0, sizeof *h);
    h->min_ns = UINT64_MAX;
}

void nrp_hist_add(nrp_hist *dst, const nrp_hist *src)
{
    uint64_t min = __atomic_load_n(&src->min_ns, __ATOMIC_RELAXED), max = __atomic_load_n(&src->max_ns, __ATOMIC_RELAXED);
    for (unsigned i = 0; i < NRP_HIST_BUCKETS; i++)
        dst->buckets[i] += __atomic_load_n(&src->buckets[i], __ATOMIC_RELAXED);
    dst->sum_ns += __atomic_load_n(&src->sum_ns, __ATOMIC_RELAXED);
    if (min < dst->min_ns)
        dst->min_ns = min;
    if (max > dst->max_ns)
        dst->max_ns = max;
}

nrp_hist_rec *nrp_hist_rec_new(void)
{
    nrp_hist_rec *h = calloc(1, sizeof *h);
    if (h)
        h->min_ns = UINT64_MAX;
    return h;
}

void nrp_hist_rec_free(nrp_hist_rec *h)
{
    if (!h)
        return;
    for (unsigned g = 0; g < NRP_HIST_GROUPS; g++)
        free(h->groups[g]);
    free(h);
}

/* Group g of h, made if needed; several threads may ask at once: the first
 * one's stays. */
static uint64_t *group(nrp_hist_rec *h, unsigned g)
{
    uint64_t *have = __atomic_load_n(&h->groups[g], __ATOMIC_ACQUIRE), *made;
    if (have)
        return have;
    if (!(made = calloc(NRP_HIST_SUB, sizeof *made)))
        return NULL;
    if (__atomic_compare_exchange_n(&h->groups[g], &have, made, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return made;
    free(made);
    return have;
}

int nrp_hist_rec_record_grow(nrp_hist_rec *h, uint64_t ns)
{
    return group(h, nrp_hist_bucket(ns) / NRP_HIST_SUB) && nrp_hist_rec_record_owned(h, ns);
}

static void lower_to(uint64_t *at, uint64_t v)
{
    uint64_t seen = __atomic_load_n(at, __ATOMIC_RELAXED);
    while (v < seen && !__atomic_compare_exchange_n(at, &seen, v, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
}

static void raise_to(uint64_t *at, uint64_t v)
{
    uint64_t seen = __atomic_load_n(at, __ATOMIC_RELAXED);
    while (v > seen && !__atomic_compare_exchange_n(at, &seen, v, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
}

int nrp_hist_rec_record_shared(nrp_hist_rec *h, uint64_t ns)
{
    unsigned i = nrp_hist_bucket(ns);
    uint64_t *g = group(h, i / NRP_HIST_SUB);
    if (!g)
        return 0;
    __atomic_fetch_add(&g[i % NRP_HIST_SUB], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&h->sum_ns, ns, __ATOMIC_RELAXED);
    lower_to(&h->min_ns, ns);
    raise_to(&h->max_ns, ns);
    return 1;
}

void nrp_hist_add_rec(nrp_hist *dst, const nrp_hist_rec *src)
{
    uint64_t min = __atomic_load_n(&src->min_ns, __ATOMIC_RELAXED), max = __atomic_load_n(&src->max_ns, __ATOMIC_RELAXED);
    for (unsigned g = 0; g < NRP_HIST_GROUPS; g++) {
        const uint64_t *counts = __atomic_load_n(&src->groups[g], __ATOMIC_ACQUIRE);
        for (unsigned k = 0; counts && k < NRP_HIST_SUB; k++)
            dst->buckets[g * NRP_HIST_SUB + k] += __atomic_load_n(&counts[k], __ATOMIC_RELAXED);
    }
    dst->sum_ns += __atomic_load_n(&src->sum_ns, __ATOMIC_RELAXED);
    if (min < dst->min_ns)
        dst->min_ns = min;
    if (max > dst->max_ns)
        dst->max_ns = max;
}

int nrp_hist_rec_add_shared(nrp_hist_rec *dst, const nrp_hist_rec *src)
{
    int whole = 1;
    for (unsigned g = 0; g < NRP_HIST_GROUPS; g++) {
        const uint64_t *counts = src->groups[g];
        uint64_t *into = counts ? group(dst, g) : NULL;
        whole &= !counts || into != NULL;
        for (unsigned k = 0; into && k < NRP_HIST_SUB; k++)
            if (counts[k])
                __atomic_fetch_add(&into[k], counts[k], __ATOMIC_RELAXED);
    }
    __atomic_fetch_add(&dst->sum_ns, src->sum_ns, __ATOMIC_RELAXED);
    lower_to(&dst->min_ns, src->min_ns);
    raise_to(&dst->max_ns, src->max_ns);
    return whole;
}

size_t nrp_hist_rec_bytes(const nrp_hist_rec *h)
{
    size_t n = sizeof *h;
    for (unsigned g = 0; g < NRP_HIST_GROUPS; g++)
        n += h->groups[g] ? NRP_HIST_SUB * sizeof *h->groups[g] : 0;
    return n;
}

uint64_t nrp_hist_count(const nrp_hist *h)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < NRP_HIST_BUCKETS; i++)
        n += h->buckets[i];
    return n;
}

uint64_t nrp_hist_quantile(const nrp_hist *h, double q)
{
    uint64_t count = nrp_hist_count(h), seen = 0;
    if (!count)
        return 0;
    double want = q * (double)count;
    uint64_t rank = (uint64_t)want + ((double)(uint64_t)want < want); /* ceil */
    if (rank < 1)
        rank = 1;
    /* The extremes are known exactly. */
    if (rank == 1)
        return h->min_ns;
    if (rank >= count)
        return h->max_ns;
    for (unsigned i = 0; i < NRP_HIST_BUCKETS; i++) {
        uint64_t in = h->buckets[i];
        if (seen + in < rank) {
            seen += in;
            continue;
        }
        /* The durations of bucket i taken as evenly spread over it, rank
         * r sitting at the middle of its share. The bucket's ends are
         * narrowed to the extremes seen, which bound every duration. */
        double lo = (double)nrp_hist_lower(i), hi = i + 1 < NRP_HIST_BUCKETS ? (double)nrp_hist_lower(i + 1) : lo;
        if (lo < (double)h->min_ns)
            lo = (double)h->min_ns;
        if (hi > (double)h->max_ns + 1)
            hi = (double)h->max_ns + 1;
        if (hi < lo)
            hi = lo;
        double at = lo + (hi - lo) * ((double)(rank - seen) - 0.5) / (double)in;
        uint64_t v = (uint64_t)at;
        return v < h->min_ns ? h->min_ns : v > h->max_ns ? h->max_ns : v;
    }
    return h->max_ns;
}

void nrp_hist_cumulative(const nrp_hist *h, const uint64_t *bounds_ns, size_t n, uint64_t *out)
{
    unsigned i = 0;
    uint64_t cumulative = 0;
    for (size_t k = 0; k < n; k++) {
        /* Bucket i lies wholly at or below the bound when its largest
         * duration, lower(i + 1) - 1, does. */
        while (i < NRP_HIST_BUCKETS && nrp_hist_lower(i + 1) - 1 <= bounds_ns[k])
            cumulative += h->buckets[i++];
        out[k] = cumulative;
    }
}
