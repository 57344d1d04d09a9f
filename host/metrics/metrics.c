#include "metrics/metrics.h"

#include <stdlib.h>
#include <string.h>

#include "metrics/series.h"
#include "metrics/shard.h"
#include "nrp/result.h"
#include "util/clock.h"
#include "util/hash.h"

/* Shared totals sit in their own cache lines so that hot methods recording
 * on different cores do not contend for a neighbour's line. */
#define CACHE_LINE 64

static void *aligned_zalloc(size_t size)
{
    size = (size + CACHE_LINE - 1) / CACHE_LINE * CACHE_LINE;
    void *p = aligned_alloc(CACHE_LINE, size);
    if (p)
        memset(p, 0, size);
    return p;
}

/* Layout 1's bucket bounds, which are also the default classic buckets. */
#define BOUND_ENTRY(b) b##ull,
static const uint64_t layout1_bounds[] = {NRP_HISTOGRAM_BOUNDS_NS(BOUND_ENTRY)};
#undef BOUND_ENTRY

nrp_metrics *nrp_metrics_create(void)
{
    nrp_metrics *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    pthread_mutex_init(&m->lock, NULL);
    if (nrp_metrics_set_buckets(m, layout1_bounds, NRP_HISTOGRAM_BOUNDS) != NRP_OK) {
        nrp_metrics_destroy(m);
        return NULL;
    }
    return m;
}

nrp_result nrp_metrics_set_buckets(nrp_metrics *m, const uint64_t *bounds_ns, size_t n)
{
    uint64_t *copy;
    if (n > NRP_METRICS_MAX_BUCKETS)
        return NRP_ERROR;
    for (size_t i = 1; i < n; i++)
        if (bounds_ns[i] <= bounds_ns[i - 1])
            return NRP_ERROR;
    if (!(copy = malloc((n ? n : 1) * sizeof *copy)))
        return NRP_NOMEM;
    memcpy(copy, bounds_ns, n * sizeof *copy);
    pthread_mutex_lock(&m->lock);
    free(m->bounds_ns);
    m->bounds_ns = copy;
    m->bound_count = n;
    pthread_mutex_unlock(&m->lock);
    return NRP_OK;
}

static void series_free(nrp_series *s)
{
    nrp_shard_slot_drop(s->slot);
    nrp_hist_rec_free(s->total);
    free(s->layout1);
    free(s->rule);
    free(s->method);
    free(s);
}

static void family_free(nrp_family *f)
{
    for (nrp_series *s = f->first, *next; s; s = next) {
        next = s->next_in_family;
        series_free(s);
    }
    free(f->name);
    free(f->help);
    free(f);
}

void nrp_metrics_destroy(nrp_metrics *m)
{
    if (!m)
        return;
    for (nrp_family *f = m->first_family, *next; f; f = next) {
        next = f->next_created;
        family_free(f);
    }
    for (size_t i = 0; i < NRP_SERIES_BUCKETS; i++)
        for (nrp_marked *a = m->async_methods[i], *next; a; a = next) {
            next = a->next;
            free(a->method);
            free(a);
        }
    pthread_mutex_destroy(&m->lock);
    free(m->bounds_ns);
    free(m);
}

static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* A copy of s into *out (NULL stays NULL). */
static nrp_result dup_or_null(const char *s, char **out)
{
    *out = s ? strdup(s) : NULL;
    return s && !*out ? NRP_NOMEM : NRP_OK;
}

/* Caller holds the lock. The family of that name, created when new; NULL
 * when out of memory or when the name belongs to the other kind. */
static nrp_family *family_of(nrp_metrics *m, nrp_series_kind kind, const char *name, const char *help)
{
    size_t h = nrp_hash_str(NRP_HASH_INIT, name) % NRP_SERIES_BUCKETS;
    nrp_family *f;
    for (f = m->family_buckets[h]; f; f = f->next_in_bucket)
        if (strcmp(f->name, name) == 0)
            return f->kind == kind ? f : NULL;
    if (!(f = calloc(1, sizeof *f)))
        return NULL;
    f->kind = kind;
    if (dup_or_null(name, &f->name) != NRP_OK || dup_or_null(help ? help : "", &f->help) != NRP_OK) {
        family_free(f);
        return NULL;
    }
    f->next_in_bucket = m->family_buckets[h];
    m->family_buckets[h] = f;
    if (m->last_family)
        m->last_family->next_created = f;
    else
        m->first_family = f;
    m->last_family = f;
    return f;
}

static nrp_series *find_or_create(nrp_metrics *m, nrp_series_kind kind, const char *name, const char *help,
                                  const char *rule, const char *method)
{
    nrp_series *s;
    /* A labelled series prints a missing label as "": store it that way so
     * (r, NULL) and (r, "") are one series, as they print the same. */
    if (rule || method) {
        rule = rule ? rule : "";
        method = method ? method : "";
    }
    uint64_t hash = nrp_hash_str(nrp_hash_str(nrp_hash_str(NRP_HASH_INIT, name), rule), method);
    size_t h = hash % NRP_SERIES_BUCKETS;

    /* The full hash first: every rewrite asks for its series (thousands of
     * them), and each string compared is two more pointers to follow. */
    pthread_mutex_lock(&m->lock);
    for (s = m->buckets[h]; s; s = s->next_in_bucket)
        if (s->hash == hash && strcmp(s->family->name, name) == 0 && same(s->rule, rule) && same(s->method, method)) {
            if (s->family->kind != kind)
                s = NULL;
            goto out;
        }
    nrp_family *f = family_of(m, kind, name, help);
    if (!f || !(s = calloc(1, sizeof *s))) {
        s = NULL;
        goto out;
    }
    s->family = f;
    s->hash = hash;
    s->slot = NRP_SHARD_NONE;
    nrp_result made = dup_or_null(rule, &s->rule);
    if (made == NRP_OK)
        made = dup_or_null(method, &s->method);
    if (made == NRP_OK && kind == NRP_SERIES_HISTOGRAM) {
        if (!(s->total = nrp_hist_rec_new()))
            made = NRP_NOMEM;
    }
    /* Without a slot the series still counts, with atomics on its totals. */
    if (made == NRP_OK)
        s->slot = nrp_shard_slot_new(kind == NRP_SERIES_COUNTER ? NRP_SHARD_COUNTER : NRP_SHARD_HISTOGRAM, &s->value,
                                     s->total);
    if (made != NRP_OK) {
        series_free(s);
        s = NULL;
        goto out;
    }
    s->next_in_bucket = m->buckets[h];
    m->buckets[h] = s;
    if (f->last)
        f->last->next_in_family = s;
    else
        f->first = s;
    f->last = s;
out:
    pthread_mutex_unlock(&m->lock);
    return s;
}

uint64_t *nrp_metrics_counter(nrp_metrics *m, const char *name, const char *help, const char *rule,
                              const char *method)
{
    nrp_series *s = find_or_create(m, NRP_SERIES_COUNTER, name, help, rule, method);
    return s ? &s->value : NULL;
}

nrp_counter *nrp_metrics_counter_sharded(nrp_metrics *m, const char *name, const char *help, const char *rule,
                                         const char *method)
{
    return (nrp_counter *)find_or_create(m, NRP_SERIES_COUNTER, name, help, rule, method);
}

nrp_histogram *nrp_metrics_histogram(nrp_metrics *m, const char *name, const char *help, const char *rule,
                                     const char *method)
{
    return (nrp_histogram *)find_or_create(m, NRP_SERIES_HISTOGRAM, name, help, rule, method);
}

nrp_histogram *nrp_metrics_histogram_layout1(nrp_metrics *m, const char *name, const char *help, const char *rule,
                                             const char *method)
{
    nrp_series *s = find_or_create(m, NRP_SERIES_HISTOGRAM, name, help, rule, method);
    nrp_histogram *h;
    if (!s)
        return NULL;
    if ((h = __atomic_load_n(&s->layout1, __ATOMIC_ACQUIRE)))
        return h;
    if (!(h = aligned_zalloc(sizeof *h)))
        return NULL;
    h->min_ns = UINT64_MAX;
    nrp_histogram *none = NULL;
    /* Two rewrites may ask at once: the first one's stays. */
    if (!__atomic_compare_exchange_n(&s->layout1, &none, h, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        free(h);
        h = none;
    }
    return h;
}

void nrp_metrics_count(nrp_counter *c)
{
    nrp_series *s = (nrp_series *)c;
    nrp_shard_count(s->slot, &s->value);
}

void nrp_metrics_record(nrp_histogram *h, uint64_t ns)
{
    nrp_series *s = (nrp_series *)h;
    nrp_shard_record(s->slot, s->total, ns);
}

/* The clock read that is not the TSC's, out of line: it calls the vDSO,
 * whose registers the TSC path below then need not save. */
__attribute__((noinline)) static void record_since_monotonic(nrp_series *s, uint64_t start)
{
    uint64_t now = nrp_clock_monotonic_ns();
    nrp_shard_record(s->slot, s->total, now > start ? now - start : 0);
}

void nrp_metrics_record_since(nrp_histogram *h, uint64_t start)
{
    nrp_series *s = (nrp_series *)h;
    if (__builtin_expect(nrp_clock.kind != NRP_CLOCK_TSC, 0)) {
        record_since_monotonic(s, start);
        return;
    }
    uint64_t now = nrp_clock_ticks();
    /* A thread that moved to a core whose counter lags reads 0, not 2^64. */
    nrp_shard_record(s->slot, s->total, nrp_clock_ticks_to_ns(now > start ? now - start : 0));
}

uint64_t nrp_metrics_ticks(void)
{
    return nrp_clock_ticks();
}

uint64_t nrp_series_counter_value(const nrp_series *s)
{
    nrp_shard_lock();
    uint64_t v = __atomic_load_n(&s->value, __ATOMIC_RELAXED) + nrp_shard_sum_counter(s->slot);
    nrp_shard_unlock();
    return v;
}

void nrp_series_histogram_read(const nrp_series *s, nrp_hist *out)
{
    const nrp_histogram *old = __atomic_load_n(&s->layout1, __ATOMIC_ACQUIRE);
    nrp_hist_init(out);
    nrp_shard_lock();
    nrp_hist_add_rec(out, s->total);
    nrp_shard_sum_histogram(s->slot, out);
    nrp_shard_unlock();
    if (!old)
        return;
    /* Layout 1 knows each duration only to its bucket: it is placed in the
     * last fine bucket that lies wholly under that bucket's upper bound, so
     * the default classic buckets count it where layout 1 did (the last
     * one's just above its lower bound). */
    uint64_t in = 0, min = __atomic_load_n(&old->min_ns, __ATOMIC_RELAXED),
             max = __atomic_load_n(&old->max_ns, __ATOMIC_RELAXED);
    for (unsigned i = 0; i <= NRP_HISTOGRAM_BOUNDS; i++) {
        uint64_t n = __atomic_load_n(&old->buckets[i], __ATOMIC_RELAXED);
        out->buckets[i < NRP_HISTOGRAM_BOUNDS ? nrp_hist_bucket(layout1_bounds[i] + 1) - 1
                                              : nrp_hist_bucket(layout1_bounds[i - 1] + 1)] += n;
        in += n;
    }
    out->sum_ns += __atomic_load_n(&old->sum_ns, __ATOMIC_RELAXED);
    if (in && min < out->min_ns)
        out->min_ns = min;
    if (in && max > out->max_ns)
        out->max_ns = max;
}

int nrp_metrics_is_async_locked(const nrp_metrics *m, const char *method)
{
    if (!method)
        return 0;
    size_t h = nrp_hash_str(NRP_HASH_INIT, method) % NRP_SERIES_BUCKETS;
    for (const nrp_marked *a = m->async_methods[h]; a; a = a->next)
        if (strcmp(a->method, method) == 0)
            return 1;
    return 0;
}

int nrp_metrics_is_async(nrp_metrics *m, const char *method)
{
    pthread_mutex_lock(&m->lock);
    int yes = nrp_metrics_is_async_locked(m, method);
    pthread_mutex_unlock(&m->lock);
    return yes;
}

nrp_family_view *nrp_metrics_snapshot(nrp_metrics *m, size_t *count)
{
    size_t n = 0, i = 0;
    nrp_family_view *views = NULL;
    pthread_mutex_lock(&m->lock);
    for (const nrp_family *f = m->first_family; f; f = f->next_created)
        n += f->last != NULL;
    if (n && (views = malloc(n * sizeof *views)))
        for (const nrp_family *f = m->first_family; f; f = f->next_created)
            if (f->last)
                views[i++] = (nrp_family_view){f, f->last};
    pthread_mutex_unlock(&m->lock);
    *count = i;
    return views;
}

int nrp_metrics_mark_async(nrp_metrics *m, const char *method)
{
    nrp_result rc = NRP_OK;
    size_t h = nrp_hash_str(NRP_HASH_INIT, method) % NRP_SERIES_BUCKETS;
    pthread_mutex_lock(&m->lock);
    if (!nrp_metrics_is_async_locked(m, method)) {
        nrp_marked *a = calloc(1, sizeof *a);
        if (a && (a->method = strdup(method))) {
            a->next = m->async_methods[h];
            m->async_methods[h] = a;
        } else {
            free(a);
            rc = NRP_ERROR;
        }
    }
    pthread_mutex_unlock(&m->lock);
    return rc;
}
