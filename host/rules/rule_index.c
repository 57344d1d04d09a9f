#include "rules/rule_index.h"

#include <stdlib.h>
#include <string.h>

#include "rules/glob.h"
#include "util/array.h"
#include "util/hash.h"

/* ---- a string -> list of rule ids map ---------------------------------- */

typedef struct id_list {
    uint32_t *ids;
    uint32_t count;
    size_t cap;
} id_list;

typedef struct entry {
    const char *key; /* borrowed from the rules */
    id_list list;
} entry;

typedef struct str_map {
    entry *slots;
    size_t cap;
    size_t count;
} str_map;

static nrp_result list_add(id_list *l, uint32_t id)
{
    if (NRP_ARRAY_GROW(l->ids, l->count, l->cap) != NRP_OK)
        return NRP_ERROR;
    l->ids[l->count++] = id;
    return NRP_OK;
}

static entry *map_slot(entry *slots, size_t cap, const char *key)
{
    size_t i = nrp_hash_str(NRP_HASH_INIT, key) & (cap - 1);
    while (slots[i].key && strcmp(slots[i].key, key) != 0)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static const id_list *map_get(const str_map *m, const char *key)
{
    if (!m->cap)
        return NULL;
    const entry *e = map_slot(m->slots, m->cap, key);
    return e->key ? &e->list : NULL;
}

static nrp_result map_add(str_map *m, const char *key, uint32_t id)
{
    if ((m->count + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 16;
        entry *slots = calloc(cap, sizeof *slots);
        if (!slots)
            return NRP_ERROR;
        for (size_t i = 0; i < m->cap; i++)
            if (m->slots[i].key)
                *map_slot(slots, cap, m->slots[i].key) = m->slots[i];
        free(m->slots);
        m->slots = slots;
        m->cap = cap;
    }
    entry *e = map_slot(m->slots, m->cap, key);
    if (!e->key) {
        e->key = key;
        m->count++;
    }
    return list_add(&e->list, id);
}

static void map_free(str_map *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->slots[i].list.ids);
    free(m->slots);
    memset(m, 0, sizeof *m);
}

/* ---- patterns ---------------------------------------------------------- */

static int is_exact(const char *pattern)
{
    return !strpbrk(pattern, "*?");
}

/* A pattern's literal prefix (before its first wildcard) must start any
 * name it matches: one strncmp dismisses most names before the full match. */
typedef struct pattern_rule {
    uint32_t id;
    const char *pattern;
    size_t prefix_len;
} pattern_rule;

static pattern_rule make_pattern(uint32_t id, const char *pattern)
{
    return (pattern_rule){id, pattern, strcspn(pattern, "*?")};
}

static int pattern_matches(const pattern_rule *p, const char *name)
{
    return strncmp(p->pattern, name, p->prefix_len) == 0 && nrp_glob_match(p->pattern, name);
}

/* ---- groups: the rules of one assembly, by type ------------------------ */

/* Rules naming their type exactly sit in a hash by type; the others in a
 * list, in rule order. */
typedef struct group {
    str_map by_type;
    pattern_rule *type_patterns;
    uint32_t type_pattern_count;
    size_t type_pattern_cap;
} group;

static nrp_result group_add(group *g, const nrp_rule *rules, uint32_t id)
{
    const char *type = rules[id].match.type;
    if (is_exact(type))
        return map_add(&g->by_type, type, id);
    if (NRP_ARRAY_GROW(g->type_patterns, g->type_pattern_count, g->type_pattern_cap) != NRP_OK)
        return NRP_ERROR;
    g->type_patterns[g->type_pattern_count++] = make_pattern(id, type);
    return NRP_OK;
}

static void group_free(group *g)
{
    map_free(&g->by_type);
    free(g->type_patterns);
    memset(g, 0, sizeof *g);
}

static int group_wants_type(const group *g, const char *type)
{
    if (map_get(&g->by_type, type))
        return 1;
    for (uint32_t i = 0; i < g->type_pattern_count; i++)
        if (pattern_matches(&g->type_patterns[i], type))
            return 1;
    return 0;
}

static int group_wants_method(const group *g, const nrp_rule *rules, const char *type, const char *method)
{
    const id_list *exact = map_get(&g->by_type, type);
    for (uint32_t i = 0; exact && i < exact->count; i++)
        if (nrp_glob_match(rules[exact->ids[i]].match.method, method))
            return 1;
    for (uint32_t i = 0; i < g->type_pattern_count; i++)
        if (pattern_matches(&g->type_patterns[i], type) &&
            nrp_glob_match(rules[g->type_patterns[i].id].match.method, method))
            return 1;
    return 0;
}

/* ---- the index ---------------------------------------------------------- */

/* Built once at start-up: a prebuilt group per exactly named assembly, so
 * a module load costs one hash lookup plus the (usually few) rules whose
 * assembly is a pattern. */
struct nrp_rule_index {
    const nrp_rule *rules;
    str_map by_assembly;            /* exact assembly name -> index into groups (one id) */
    group *groups;
    uint32_t group_count;
    pattern_rule *assembly_patterns;
    uint32_t assembly_pattern_count;
};

nrp_rule_index *nrp_rule_index_build(const nrp_rule *rules, size_t count)
{
    nrp_rule_index *ix = calloc(1, sizeof *ix);
    if (!ix)
        return NULL;
    ix->rules = rules;
    ix->assembly_patterns = calloc(count ? count : 1, sizeof *ix->assembly_patterns);
    ix->groups = calloc(count ? count : 1, sizeof *ix->groups);
    if (!ix->assembly_patterns || !ix->groups)
        goto fail;
    for (size_t i = 0; i < count; i++) {
        const char *a = rules[i].match.assembly;
        if (!rules[i].enabled || !a)
            continue;
        if (!is_exact(a)) {
            ix->assembly_patterns[ix->assembly_pattern_count++] = make_pattern((uint32_t)i, a);
            continue;
        }
        const id_list *known = map_get(&ix->by_assembly, a);
        uint32_t g = known ? known->ids[0] : ix->group_count++;
        if ((!known && map_add(&ix->by_assembly, a, g) != NRP_OK) ||
            group_add(&ix->groups[g], rules, (uint32_t)i) != NRP_OK)
            goto fail;
    }
    return ix;
fail:
    nrp_rule_index_free(ix);
    return NULL;
}

void nrp_rule_index_free(nrp_rule_index *ix)
{
    if (!ix)
        return;
    map_free(&ix->by_assembly);
    for (uint32_t g = 0; ix->groups && g < ix->group_count; g++)
        group_free(&ix->groups[g]);
    free(ix->groups);
    free(ix->assembly_patterns);
    free(ix);
}

int nrp_rule_index_names(const nrp_rule_index *ix, const char *assembly)
{
    if (map_get(&ix->by_assembly, assembly))
        return 1;
    for (uint32_t i = 0; i < ix->assembly_pattern_count; i++)
        if (pattern_matches(&ix->assembly_patterns[i], assembly))
            return 1;
    return 0;
}

struct nrp_module_rules {
    const nrp_rule *rules;
    const group *named;             /* the prebuilt group of this assembly, if any */
    group patterned;                /* rules whose assembly pattern holds, built per module */
};

void nrp_module_rules_free(nrp_module_rules *mr)
{
    if (!mr)
        return;
    group_free(&mr->patterned);
    free(mr);
}

nrp_result nrp_rule_index_module(const nrp_rule_index *ix, const char *assembly, nrp_module_rules **out)
{
    *out = NULL;
    const id_list *g = map_get(&ix->by_assembly, assembly);
    nrp_module_rules *mr = calloc(1, sizeof *mr);
    if (!mr)
        return NRP_NOMEM;
    mr->rules = ix->rules;
    mr->named = g ? &ix->groups[g->ids[0]] : NULL;
    int any = mr->named != NULL;
    for (uint32_t i = 0; i < ix->assembly_pattern_count; i++)
        if (pattern_matches(&ix->assembly_patterns[i], assembly)) {
            any = 1;
            if (group_add(&mr->patterned, ix->rules, ix->assembly_patterns[i].id) != NRP_OK) {
                nrp_module_rules_free(mr);
                return NRP_NOMEM;
            }
        }
    if (any)
        *out = mr;
    else
        nrp_module_rules_free(mr);
    return NRP_OK;
}

/* Call visit with every rule id of the group (those by type name, then
 * those by pattern) until it returns 0; 0 then, else 1. */
static int group_each(const group *g, int (*visit)(void *ctx, uint32_t id), void *ctx)
{
    for (size_t i = 0; i < g->by_type.cap; i++)
        for (uint32_t k = 0; g->by_type.slots[i].key && k < g->by_type.slots[i].list.count; k++)
            if (!visit(ctx, g->by_type.slots[i].list.ids[k]))
                return 0;
    for (uint32_t i = 0; i < g->type_pattern_count; i++)
        if (!visit(ctx, g->type_patterns[i].id))
            return 0;
    return 1;
}

/* The distinct bases of a group's rules, at most cap. A rule without a
 * base ends the list, unless baseless_ok passes it over. */
typedef struct base_list {
    const nrp_rule *rules;
    const char **bases;
    size_t cap, n;
    int baseless_ok;
} base_list;

static int note_base(void *ctx, uint32_t id)
{
    base_list *l = ctx;
    const char *base = l->rules[id].match.base;
    if (!base)
        return l->baseless_ok;
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->bases[i], base) == 0)
            return 1;
    if (l->n == l->cap)
        return 0;
    l->bases[l->n++] = base;
    return 1;
}

static int group_bases(const group *g, base_list *l)
{
    return group_each(g, note_base, l);
}

size_t nrp_module_rules_bases(const nrp_module_rules *mr, const char **bases, size_t cap)
{
    base_list l = {mr->rules, bases, cap, 0, 0};
    if ((mr->named && !group_bases(mr->named, &l)) || !group_bases(&mr->patterned, &l))
        return 0;
    return l.n;
}

size_t nrp_module_rules_some_bases(const nrp_module_rules *mr, const char **bases, size_t cap)
{
    base_list l = {mr->rules, bases, cap, 0, 1};
    if ((mr->named && !group_bases(mr->named, &l)) || !group_bases(&mr->patterned, &l))
        return cap + 1;
    return l.n;
}

/* The rules `keep` keeps, added to `into`. */
typedef struct keeper {
    const nrp_rule *rules;
    int (*keep)(void *ctx, const nrp_rule *rule);
    void *ctx;
    group *into;
} keeper;

static int keep_rule(void *ctx, uint32_t id)
{
    keeper *k = ctx;
    return !k->keep(k->ctx, &k->rules[id]) || group_add(k->into, k->rules, id) == NRP_OK;
}

static nrp_result group_keep(const group *g, keeper *k)
{
    return group_each(g, keep_rule, k) ? NRP_OK : NRP_NOMEM;
}

nrp_result nrp_module_rules_filter(const nrp_module_rules *mr, int (*keep)(void *ctx, const nrp_rule *rule), void *ctx,
                                   nrp_module_rules **out)
{
    *out = NULL;
    nrp_module_rules *kept = calloc(1, sizeof *kept);
    if (!kept)
        return NRP_NOMEM;
    kept->rules = mr->rules;
    keeper k = {mr->rules, keep, ctx, &kept->patterned};
    if ((mr->named && group_keep(mr->named, &k) != NRP_OK) || group_keep(&mr->patterned, &k) != NRP_OK) {
        nrp_module_rules_free(kept);
        return NRP_NOMEM;
    }
    if (kept->patterned.by_type.count || kept->patterned.type_pattern_count)
        *out = kept;
    else
        nrp_module_rules_free(kept);
    return NRP_OK;
}

static int group_exact_types(const group *g, const char **types, size_t cap, size_t *n)
{
    if (g->type_pattern_count)
        return 0;
    for (size_t i = 0; i < g->by_type.cap; i++) {
        const char *t = g->by_type.slots[i].key;
        if (!t)
            continue;
        size_t k = 0;
        while (k < *n && strcmp(types[k], t) != 0)
            k++;
        if (k < *n)
            continue;
        if (*n == cap)
            return 0;
        types[(*n)++] = t;
    }
    return 1;
}

size_t nrp_module_rules_exact_types(const nrp_module_rules *mr, const char **types, size_t cap)
{
    size_t n = 0;
    if ((mr->named && !group_exact_types(mr->named, types, cap, &n)) ||
        !group_exact_types(&mr->patterned, types, cap, &n))
        return 0;
    return n;
}

int nrp_module_rules_want_type(const nrp_module_rules *mr, const char *type)
{
    return (mr->named && group_wants_type(mr->named, type)) || group_wants_type(&mr->patterned, type);
}

int nrp_module_rules_want_method(const nrp_module_rules *mr, const char *type, const char *method)
{
    return (mr->named && group_wants_method(mr->named, mr->rules, type, method)) ||
           group_wants_method(&mr->patterned, mr->rules, type, method);
}


/* (priority, rule order): the order strategies apply in; the last is outermost. */
static int applies_before(const nrp_rule *rules, uint32_t a, uint32_t b)
{
    return rules[a].priority < rules[b].priority || (rules[a].priority == rules[b].priority && a < b);
}

/* Keep out[0..kept) sorted and holding the cap rules that apply last (the
 * highest priorities): a rule below all of them when out is full is the
 * one left out. */
static void keep_selected(const nrp_rule *rules, uint32_t id, uint32_t *out, size_t cap, size_t *n)
{
    size_t kept = *n < cap ? *n : cap;
    (*n)++;
    if (!cap)
        return;
    if (kept == cap) {
        if (applies_before(rules, id, out[0]))
            return;
        memmove(out, out + 1, (cap - 1) * sizeof *out);
        kept--;
    }
    size_t j = kept;
    while (j > 0 && applies_before(rules, id, out[j - 1])) {
        out[j] = out[j - 1];
        j--;
    }
    out[j] = id;
}

static void collect_group(const group *g, const nrp_rule *rules, const nrp_method_view *v, uint32_t *out, size_t cap,
                          size_t *n)
{
    const id_list *exact = map_get(&g->by_type, v->type);
    for (uint32_t i = 0; exact && i < exact->count; i++)
        if (nrp_rule_selects(&rules[exact->ids[i]], v))
            keep_selected(rules, exact->ids[i], out, cap, n);
    for (uint32_t i = 0; i < g->type_pattern_count; i++)
        if (pattern_matches(&g->type_patterns[i], v->type) && nrp_rule_selects(&rules[g->type_patterns[i].id], v))
            keep_selected(rules, g->type_patterns[i].id, out, cap, n);
}

size_t nrp_module_rules_select_all(const nrp_module_rules *mr, const nrp_method_view *view, uint32_t *out,
                                   size_t cap)
{
    size_t n = 0;
    if (mr->named)
        collect_group(mr->named, mr->rules, view, out, cap, &n);
    collect_group(&mr->patterned, mr->rules, view, out, cap, &n);
    return n;
}
