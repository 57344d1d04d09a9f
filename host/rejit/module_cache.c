#include "rejit/module_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"

#define FIRST_SLOTS 16

/* One answer; the key bytes follow. */
typedef struct cache_entry {
    uint64_t hash;
    uint32_t kind;
    uint32_t value;
    size_t len;
    unsigned char key[];
} cache_entry;

/* Open addressing with linear probing, grown at 50% load; answers are never
 * removed, so no tombstones. Every rewrite looks up a dozen answers, often
 * on several threads at once, so lookups take no lock: a table and its
 * entries are complete before they are published (release stores, acquire
 * loads), and a table outgrown stays allocated (`older`) until the cache is
 * freed, for lookups still probing it. Only inserts take the lock. */
typedef struct cache_table {
    struct cache_table *older;
    size_t cap;
    cache_entry *slots[];
} cache_table;

struct nrp_module_cache {
    pthread_mutex_t lock; /* inserts */
    int refs;
    void (*release)(void *iface);
    void *ifaces[NRP_CACHE_IFACES]; /* set once each, compare-and-swap */
    cache_table *table;             /* NULL until the first insert */
    size_t count;
};

nrp_module_cache *nrp_module_cache_create(void (*release)(void *iface))
{
    nrp_module_cache *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    pthread_mutex_init(&c->lock, NULL);
    c->refs = 1;
    c->release = release;
    return c;
}

void nrp_module_cache_retain(nrp_module_cache *c)
{
    __atomic_fetch_add(&c->refs, 1, __ATOMIC_RELAXED);
}

void nrp_module_cache_release(nrp_module_cache *c)
{
    if (!c || __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    for (int i = 0; i < NRP_CACHE_IFACES; i++)
        if (c->ifaces[i] && c->release)
            c->release(c->ifaces[i]);
    cache_table *t = c->table;
    if (t)
        for (size_t i = 0; i < t->cap; i++)
            free(t->slots[i]);
    while (t) {
        cache_table *older = t->older;
        free(t);
        t = older;
    }
    pthread_mutex_destroy(&c->lock);
    free(c);
}

void *nrp_module_cache_iface(nrp_module_cache *c, int slot)
{
    return __atomic_load_n(&c->ifaces[slot], __ATOMIC_ACQUIRE);
}

void *nrp_module_cache_keep_iface(nrp_module_cache *c, int slot, void *iface)
{
    void *kept = NULL;
    if (__atomic_compare_exchange_n(&c->ifaces[slot], &kept, iface, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return iface;
    if (iface && c->release) /* another thread kept one first: `kept` holds it */
        c->release(iface);
    return kept;
}

static uint64_t key_hash(nrp_cache_kind kind, const void *key, size_t len)
{
    uint32_t k = (uint32_t)kind;
    return nrp_hash_bytes(nrp_hash_bytes(NRP_HASH_INIT, &k, sizeof k), key, len);
}

static int same_key(const cache_entry *e, uint64_t hash, nrp_cache_kind kind, const void *key, size_t len)
{
    return e->hash == hash && e->kind == (uint32_t)kind && e->len == len && memcmp(e->key, key, len) == 0;
}

int nrp_module_cache_find(nrp_module_cache *c, nrp_cache_kind kind, const void *key, size_t len, uint32_t *value)
{
    uint64_t hash = key_hash(kind, key, len);
    const cache_table *t = __atomic_load_n(&c->table, __ATOMIC_ACQUIRE);
    if (!t)
        return 0;
    for (size_t i = (size_t)hash & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        const cache_entry *e = __atomic_load_n(&t->slots[i], __ATOMIC_ACQUIRE);
        if (!e)
            return 0;
        if (same_key(e, hash, kind, key, len)) {
            *value = e->value;
            return 1;
        }
    }
}

/* The slot of `t` holding the key, or the empty slot where it would go
 * (with the lock held: slots change only under it). */
static cache_entry **slot_of(cache_table *t, uint64_t hash, nrp_cache_kind kind, const void *key, size_t len)
{
    size_t i = (size_t)hash & (t->cap - 1);
    while (t->slots[i] && !same_key(t->slots[i], hash, kind, key, len))
        i = (i + 1) & (t->cap - 1);
    return &t->slots[i];
}

static nrp_result grow(nrp_module_cache *c)
{
    cache_table *old = c->table;
    size_t cap = old ? old->cap * 2 : FIRST_SLOTS;
    if (cap > (SIZE_MAX - sizeof(cache_table)) / sizeof(cache_entry *))
        return NRP_NOMEM;
    cache_table *t = calloc(1, sizeof *t + cap * sizeof(cache_entry *));
    if (!t)
        return NRP_NOMEM;
    t->cap = cap;
    t->older = old;
    for (size_t i = 0; old && i < old->cap; i++) {
        cache_entry *e = old->slots[i];
        if (e)
            *slot_of(t, e->hash, (nrp_cache_kind)e->kind, e->key, e->len) = e;
    }
    __atomic_store_n(&c->table, t, __ATOMIC_RELEASE);
    return NRP_OK;
}

nrp_result nrp_module_cache_put(nrp_module_cache *c, nrp_cache_kind kind, const void *key, size_t len,
                                uint32_t value)
{
    if (len > SIZE_MAX - sizeof(cache_entry))
        return NRP_NOMEM;
    cache_entry *e = malloc(sizeof *e + len);
    if (!e)
        return NRP_NOMEM;
    e->hash = key_hash(kind, key, len);
    e->kind = (uint32_t)kind;
    e->value = value;
    e->len = len;
    memcpy(e->key, key, len);
    nrp_result rc = NRP_OK;
    pthread_mutex_lock(&c->lock);
    if ((!c->table || (c->count + 1) * 2 > c->table->cap) && grow(c) != NRP_OK) {
        rc = NRP_NOMEM;
    } else {
        cache_entry **slot = slot_of(c->table, e->hash, kind, key, len);
        if (!*slot) {
            __atomic_store_n(slot, e, __ATOMIC_RELEASE);
            c->count++;
            e = NULL;
        }
    }
    pthread_mutex_unlock(&c->lock);
    free(e); /* not kept: out of memory, or the key was there already */
    return rc;
}

size_t nrp_module_cache_count(nrp_module_cache *c)
{
    pthread_mutex_lock(&c->lock);
    size_t n = c->count;
    pthread_mutex_unlock(&c->lock);
    return n;
}
