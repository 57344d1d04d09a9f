#include "metrics/metrics.h"

#include <stdlib.h>
#include <string.h>

#include "metrics/series.h"
#include "nrp/result.h"
#include "util/hash.h"

/* Histograms sit in their own cache lines so that hot methods recording on
 * different cores do not contend for a neighbour's line. */
#define CACHE_LINE 64

nrp_metrics *nrp_metrics_create(void)
{
    nrp_metrics *m = calloc(1, sizeof *m);
    if (m)
        pthread_mutex_init(&m->lock, NULL);
    return m;
}

static void series_free(nrp_series *s)
{
    free(s->histogram);
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
    size_t h = nrp_hash_str(nrp_hash_str(nrp_hash_str(NRP_HASH_INIT, name), rule), method) % NRP_SERIES_BUCKETS;

    pthread_mutex_lock(&m->lock);
    for (s = m->buckets[h]; s; s = s->next_in_bucket)
        if (strcmp(s->family->name, name) == 0 && same(s->rule, rule) && same(s->method, method)) {
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
    nrp_result made = dup_or_null(rule, &s->rule);
    if (made == NRP_OK)
        made = dup_or_null(method, &s->method);
    if (made == NRP_OK && kind == NRP_SERIES_HISTOGRAM) {
        s->histogram = aligned_alloc(CACHE_LINE, (sizeof *s->histogram + CACHE_LINE - 1) / CACHE_LINE * CACHE_LINE);
        if (s->histogram) {
            memset(s->histogram, 0, sizeof *s->histogram);
            s->histogram->min_ns = UINT64_MAX;
        } else
            made = NRP_NOMEM;
    }
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

nrp_histogram *nrp_metrics_histogram(nrp_metrics *m, const char *name, const char *help, const char *rule,
                                     const char *method)
{
    nrp_series *s = find_or_create(m, NRP_SERIES_HISTOGRAM, name, help, rule, method);
    return s ? s->histogram : NULL;
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

uint64_t nrp_histogram_bound_ns(unsigned i)
{
#define BOUND_ENTRY(b) b##ull,
    static const uint64_t bounds[] = {NRP_HISTOGRAM_BOUNDS_NS(BOUND_ENTRY)};
#undef BOUND_ENTRY
    return i < NRP_HISTOGRAM_BOUNDS ? bounds[i] : UINT64_MAX;
}

void nrp_histogram_read(const nrp_histogram *h, nrp_histogram_view *out)
{
    out->count = 0;
    for (unsigned i = 0; i <= NRP_HISTOGRAM_BOUNDS; i++) {
        out->buckets[i] = __atomic_load_n(&h->buckets[i], __ATOMIC_RELAXED);
        out->count += out->buckets[i];
    }
    out->sum_ns = __atomic_load_n(&h->sum_ns, __ATOMIC_RELAXED);
    out->min_ns = __atomic_load_n(&h->min_ns, __ATOMIC_RELAXED);
    out->max_ns = __atomic_load_n(&h->max_ns, __ATOMIC_RELAXED);
}
