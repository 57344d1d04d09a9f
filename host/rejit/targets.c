#include "rejit/targets.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "nrp/result.h"
#include "util/array.h"

/* Open addressing with linear probing; grows at 50% load. Entries are
 * pointers so a lookup's copy stays valid across growth. The entries of an
 * unloaded module leave the table for `retired`, freed at exit: a lookup's
 * copy shares their strings, and plugins keep their method slots until
 * exit. */
struct nrp_targets {
    pthread_mutex_t lock;
    nrp_target **slots;
    size_t cap;
    size_t count;
    nrp_target **retired;
    size_t retired_count, retired_cap;
};

static size_t hash_key(uint64_t module, uint32_t method)
{
    uint64_t h = module * 0x9E3779B97F4A7C15ull ^ method * 0xC2B2AE3D27D4EB4Full;
    return (size_t)(h ^ (h >> 29));
}

nrp_targets *nrp_targets_create(void)
{
    nrp_targets *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->cap = 256;
    t->slots = calloc(t->cap, sizeof *t->slots);
    if (!t->slots) {
        free(t);
        return NULL;
    }
    pthread_mutex_init(&t->lock, NULL);
    return t;
}

static void target_free(nrp_target *e)
{
    free(e->assembly);
    free(e->type);
    free(e->name);
    free(e->display);
    free(e->plugin_slots);
    free(e);
}

void nrp_targets_destroy(nrp_targets *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i])
            target_free(t->slots[i]);
    for (size_t i = 0; i < t->retired_count; i++)
        target_free(t->retired[i]);
    free(t->retired);
    free(t->slots);
    pthread_mutex_destroy(&t->lock);
    free(t);
}

static nrp_target **probe(nrp_target **slots, size_t cap, uint64_t module, uint32_t method)
{
    size_t i = hash_key(module, method) & (cap - 1);
    while (slots[i] && !(slots[i]->module == module && slots[i]->method == method))
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static nrp_result grow(nrp_targets *t)
{
    size_t cap = t->cap * 2;
    nrp_target **slots = calloc(cap, sizeof *slots);
    if (!slots)
        return NRP_ERROR;
    for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i])
            *probe(slots, cap, t->slots[i]->module, t->slots[i]->method) = t->slots[i];
    free(t->slots);
    t->slots = slots;
    t->cap = cap;
    return NRP_OK;
}

nrp_result nrp_targets_add(nrp_targets *t, const nrp_target *target)
{
    nrp_result rc = NRP_OK;
    nrp_target *e = calloc(1, sizeof *e);
    if (!e)
        return NRP_ERROR;
    *e = *target;
    e->assembly = strdup(target->assembly);
    e->type = strdup(target->type);
    e->name = strdup(target->name);
    e->display = strdup(target->display);
    e->plugin_slots = calloc(NRP_MAX_RULES_PER_METHOD, sizeof *e->plugin_slots);
    if (!e->assembly || !e->type || !e->name || !e->display || !e->plugin_slots) {
        target_free(e);
        return NRP_ERROR;
    }
    pthread_mutex_lock(&t->lock);
    if ((t->count + 1) * 2 > t->cap && grow(t) != NRP_OK) {
        rc = NRP_ERROR;
    } else {
        nrp_target **slot = probe(t->slots, t->cap, e->module, e->method);
        if (*slot) {
            target_free(e);
        } else {
            *slot = e;
            t->count++;
        }
        e = NULL;
    }
    pthread_mutex_unlock(&t->lock);
    if (e)
        target_free(e);
    return rc;
}

int nrp_targets_find(nrp_targets *t, uint64_t module, uint32_t method, nrp_target *out)
{
    int found = 0;
    pthread_mutex_lock(&t->lock);
    nrp_target *e = *probe(t->slots, t->cap, module, method);
    if (e) {
        *out = *e;
        found = 1;
    }
    pthread_mutex_unlock(&t->lock);
    return found;
}

int nrp_targets_claim(nrp_targets *t, uint64_t module, uint32_t method)
{
    int first = 0;
    pthread_mutex_lock(&t->lock);
    nrp_target *e = *probe(t->slots, t->cap, module, method);
    if (e && !e->claimed)
        first = e->claimed = 1;
    pthread_mutex_unlock(&t->lock);
    return first;
}

size_t nrp_targets_count(nrp_targets *t)
{
    pthread_mutex_lock(&t->lock);
    size_t n = t->count + t->retired_count;
    pthread_mutex_unlock(&t->lock);
    return n;
}

size_t nrp_targets_forget_module(nrp_targets *t, uint64_t module)
{
    size_t forgotten = 0;
    pthread_mutex_lock(&t->lock);
    size_t mine = 0;
    for (size_t i = 0; i < t->cap; i++)
        mine += t->slots[i] && t->slots[i]->module == module;
    nrp_target **slots = mine ? calloc(t->cap, sizeof *slots) : NULL;
    if (mine)
        (void)nrp_array_reserve(&t->retired, sizeof *t->retired, t->retired_count + mine, &t->retired_cap);
    /* Out of memory: the entries stay; a module reusing the ID then keeps
     * the old rules for methods of the same token, as before this existed. */
    if (slots && t->retired_count + mine <= t->retired_cap) {
        for (size_t i = 0; i < t->cap; i++) {
            nrp_target *e = t->slots[i];
            if (!e)
                continue;
            if (e->module == module) {
                t->retired[t->retired_count++] = e;
                forgotten++;
            } else {
                *probe(slots, t->cap, e->module, e->method) = e;
            }
        }
        free(t->slots);
        t->slots = slots;
        t->count -= forgotten;
    } else {
        free(slots);
    }
    pthread_mutex_unlock(&t->lock);
    return forgotten;
}
