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

/* Open addressing with linear probing, grown at 50% load; entries are never
 * removed, so no tombstones. The lock is held only to look up or insert,
 * never while the runtime is called. */
struct nrp_module_cache {
    pthread_mutex_t lock;
    int refs;
    void (*release)(void *iface);
    void *ifaces[NRP_CACHE_IFACES];
    cache_entry **slots;
    size_t cap, count;
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
    for (size_t i = 0; i < c->cap; i++)
        free(c->slots[i]);
    free(c->slots);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

void *nrp_module_cache_iface(nrp_module_cache *c, int slot)
{
    pthread_mutex_lock(&c->lock);
    void *iface = c->ifaces[slot];
    pthread_mutex_unlock(&c->lock);
    return iface;
}

void *nrp_module_cache_keep_iface(nrp_module_cache *c, int slot, void *iface)
{
    pthread_mutex_lock(&c->lock);
    void *kept = c->ifaces[slot];
    if (!kept)
        kept = c->ifaces[slot] = iface;
    pthread_mutex_unlock(&c->lock);
    if (kept != iface && iface && c->release)
        c->release(iface);
    return kept;
}

static uint64_t key_hash(nrp_cache_kind kind, const void *key, size_t len)
{
    uint32_t k = (uint32_t)kind;
    return nrp_hash_bytes(nrp_hash_bytes(NRP_HASH_INIT, &k, sizeof k), key, len);
}

/* The slot holding the key, or the empty slot where it would go. */
static cache_entry **probe(cache_entry **slots, size_t cap, uint64_t hash, nrp_cache_kind kind, const void *key,
                           size_t len)
{
    size_t i = (size_t)hash & (cap - 1);
    for (cache_entry *e; (e = slots[i]) != NULL; i = (i + 1) & (cap - 1))
        if (e->hash == hash && e->kind == (uint32_t)kind && e->len == len && memcmp(e->key, key, len) == 0)
            break;
    return &slots[i];
}

int nrp_module_cache_find(nrp_module_cache *c, nrp_cache_kind kind, const void *key, size_t len, uint32_t *value)
{
    uint64_t hash = key_hash(kind, key, len);
    int found = 0;
    pthread_mutex_lock(&c->lock);
    if (c->cap) {
        cache_entry *e = *probe(c->slots, c->cap, hash, kind, key, len);
        if (e) {
            *value = e->value;
            found = 1;
        }
    }
    pthread_mutex_unlock(&c->lock);
    return found;
}

static nrp_result grow(nrp_module_cache *c)
{
    size_t cap = c->cap ? c->cap * 2 : FIRST_SLOTS;
    cache_entry **slots = calloc(cap, sizeof *slots);
    if (!slots)
        return NRP_NOMEM;
    for (size_t i = 0; i < c->cap; i++) {
        cache_entry *e = c->slots[i];
        if (e)
            *probe(slots, cap, e->hash, (nrp_cache_kind)e->kind, e->key, e->len) = e;
    }
    free(c->slots);
    c->slots = slots;
    c->cap = cap;
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
    if ((c->count + 1) * 2 > c->cap && grow(c) != NRP_OK) {
        rc = NRP_NOMEM;
    } else {
        cache_entry **slot = probe(c->slots, c->cap, e->hash, kind, key, len);
        if (!*slot) {
            *slot = e;
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
