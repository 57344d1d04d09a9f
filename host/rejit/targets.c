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

nrp_result nrp_targets_list(nrp_targets *t, nrp_target **out, size_t *count)
{
    pthread_mutex_lock(&t->lock);
    nrp_target *all = malloc((t->count ? t->count : 1) * sizeof *all);
    size_t n = 0;
    for (size_t i = 0; all && i < t->cap; i++)
        if (t->slots[i])
            all[n++] = *t->slots[i];
    pthread_mutex_unlock(&t->lock);
    *out = all;
    *count = n;
    return all ? NRP_OK : NRP_NOMEM;
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

/* Two rules do the same to a method. */
static int same_rule(const nrp_bound_rule *a, const nrp_bound_rule *b)
{
    const nrp_rule *x = a->rule, *y = b->rule;
    if (strcmp(x->name, y->name) != 0 || a->strategy != b->strategy || x->priority != y->priority ||
        x->option_count != y->option_count)
        return 0;
    for (uint32_t i = 0; i < x->option_count; i++) {
        const nrp_option *p = &x->options[i], *q = &y->options[i];
        if (p->kind != q->kind || strcmp(p->key, q->key) != 0 || (p->value == NULL) != (q->value == NULL) ||
            (p->value && strcmp(p->value, q->value) != 0))
            return 0;
    }
    return 1;
}

static int same_rules(const nrp_target *a, const nrp_bound_rule *a_rules, const nrp_target *b,
                      const nrp_bound_rule *b_rules)
{
    if (a->rule_count != b->rule_count)
        return 0;
    for (uint32_t k = 0; k < a->rule_count; k++)
        if (!same_rule(&a_rules[a->rules[k]], &b_rules[b->rules[k]]))
            return 0;
    return 1;
}

static nrp_result add_change(uint64_t **modules, uint32_t **methods, size_t *count, size_t *cap, const nrp_target *t)
{
    size_t cap_methods = *cap;
    if (nrp_array_reserve(modules, sizeof **modules, *count + 1, cap) != NRP_OK ||
        nrp_array_reserve(methods, sizeof **methods, *count + 1, &cap_methods) != NRP_OK)
        return NRP_NOMEM;
    (*modules)[*count] = t->module;
    (*methods)[*count] = t->method;
    (*count)++;
    return NRP_OK;
}

nrp_result nrp_targets_compare(nrp_targets *old, const nrp_bound_rule *old_rules, nrp_targets *now,
                               const nrp_bound_rule *new_rules, nrp_target_changes *out)
{
    nrp_target *list = NULL, other;
    size_t n = 0, rewrite_cap = 0, revert_cap = 0;
    nrp_result r = NRP_OK;
    memset(out, 0, sizeof *out);
    if (nrp_targets_list(now, &list, &n) != NRP_OK)
        return NRP_NOMEM;
    for (size_t i = 0; r == NRP_OK && i < n; i++) {
        if (list[i].jit_time)
            continue;
        if (nrp_targets_find(old, list[i].module, list[i].method, &other) &&
            same_rules(&other, old_rules, &list[i], new_rules))
            out->kept++;
        else
            r = add_change(&out->rewrite_modules, &out->rewrite_methods, &out->rewrite_count, &rewrite_cap, &list[i]);
    }
    free(list);
    if (r != NRP_OK || nrp_targets_list(old, &list, &n) != NRP_OK)
        return NRP_NOMEM;
    for (size_t i = 0; r == NRP_OK && i < n; i++)
        if (!list[i].jit_time && !nrp_targets_find(now, list[i].module, list[i].method, &other))
            r = add_change(&out->revert_modules, &out->revert_methods, &out->revert_count, &revert_cap, &list[i]);
    free(list);
    return r;
}

void nrp_target_changes_free(nrp_target_changes *c)
{
    free(c->rewrite_modules);
    free(c->rewrite_methods);
    free(c->revert_modules);
    free(c->revert_methods);
    memset(c, 0, sizeof *c);
}
