#include "rules/rule_index.h"

#include <stdlib.h>
#include <string.h>

#include "rules/glob.h"

/* ---- a string -> list of rule ids map ---------------------------------- */

typedef struct id_list {
    uint32_t *ids;
    uint32_t count;
    uint32_t cap;
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

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static int list_add(id_list *l, uint32_t id)
{
    if (l->count == l->cap) {
        uint32_t cap = l->cap ? l->cap * 2 : 4;
        uint32_t *grown = realloc(l->ids, cap * sizeof *grown);
        if (!grown)
            return NRP_ERROR;
        l->ids = grown;
        l->cap = cap;
    }
    l->ids[l->count++] = id;
    return NRP_OK;
}

static entry *map_slot(entry *slots, size_t cap, const char *key)
{
    size_t i = hash(key) & (cap - 1);
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

static int map_add(str_map *m, const char *key, uint32_t id)
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

/* Ids from an exact list and a pattern list, merged in rule order. */
static int collect(const id_list *exact, const pattern_rule *patterns, uint32_t pattern_count, const char *name,
                   id_list *out)
{
    uint32_t e = 0, p = 0;
    uint32_t ne = exact ? exact->count : 0;
    for (;;) {
        while (p < pattern_count && !pattern_matches(&patterns[p], name))
            p++;
        uint32_t a = e < ne ? exact->ids[e] : UINT32_MAX, b = p < pattern_count ? patterns[p].id : UINT32_MAX;
        if (a == UINT32_MAX && b == UINT32_MAX)
            return NRP_OK;
        if (list_add(out, a < b ? a : b) != NRP_OK)
            return NRP_ERROR;
        if (a < b)
            e++;
        else
            p++;
    }
}

/* ---- the index ---------------------------------------------------------- */

struct nrp_rule_index {
    const nrp_rule *rules;
    str_map by_assembly;            /* exact assembly names */
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
    if (!ix->assembly_patterns)
        goto fail;
    for (size_t i = 0; i < count; i++) {
        const char *a = rules[i].match.assembly;
        if (!rules[i].enabled || !a)
            continue;
        if (is_exact(a)) {
            if (map_add(&ix->by_assembly, a, (uint32_t)i) != NRP_OK)
                goto fail;
        } else {
            ix->assembly_patterns[ix->assembly_pattern_count++] = make_pattern((uint32_t)i, a);
        }
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
    str_map by_type;                /* exact type names -> candidate rule ids */
    pattern_rule *type_patterns;
    uint32_t type_pattern_count;
    id_list all;                    /* the candidates, in rule order */
};

void nrp_module_rules_free(nrp_module_rules *mr)
{
    if (!mr)
        return;
    map_free(&mr->by_type);
    free(mr->type_patterns);
    free(mr->all.ids);
    free(mr);
}

nrp_module_rules *nrp_rule_index_module(const nrp_rule_index *ix, const char *assembly, const nrp_version *version,
                                        int *oom)
{
    id_list named = {0};
    nrp_module_rules *mr = NULL;
    *oom = 0;
    if (collect(map_get(&ix->by_assembly, assembly), ix->assembly_patterns, ix->assembly_pattern_count, assembly,
                &named) != NRP_OK)
        goto fail;
    if (named.count == 0)
        return NULL;
    mr = calloc(1, sizeof *mr);
    if (!mr || !(mr->type_patterns = calloc(named.count, sizeof *mr->type_patterns)))
        goto fail;
    mr->rules = ix->rules;
    for (uint32_t k = 0; k < named.count; k++) {
        uint32_t id = named.ids[k];
        const nrp_match *m = &ix->rules[id].match;
        if (!nrp_match_assembly(m, assembly, version))
            continue; /* the version range fails */
        if (list_add(&mr->all, id) != NRP_OK)
            goto fail;
        if (is_exact(m->type)) {
            if (map_add(&mr->by_type, m->type, id) != NRP_OK)
                goto fail;
        } else {
            mr->type_patterns[mr->type_pattern_count++] = make_pattern(id, m->type);
        }
    }
    free(named.ids);
    if (mr->all.count == 0) {
        nrp_module_rules_free(mr);
        return NULL;
    }
    return mr;
fail:
    free(named.ids);
    nrp_module_rules_free(mr);
    *oom = 1;
    return NULL;
}

int nrp_module_rules_want_type(const nrp_module_rules *mr, const char *type)
{
    if (map_get(&mr->by_type, type))
        return 1;
    for (uint32_t i = 0; i < mr->type_pattern_count; i++)
        if (pattern_matches(&mr->type_patterns[i], type))
            return 1;
    return 0;
}

static int method_named(const nrp_rule *r, const char *method)
{
    return nrp_glob_match(r->match.method, method);
}

int nrp_module_rules_want_method(const nrp_module_rules *mr, const char *type, const char *method)
{
    const id_list *exact = map_get(&mr->by_type, type);
    for (uint32_t i = 0; exact && i < exact->count; i++)
        if (method_named(&mr->rules[exact->ids[i]], method))
            return 1;
    for (uint32_t i = 0; i < mr->type_pattern_count; i++)
        if (pattern_matches(&mr->type_patterns[i], type) && method_named(&mr->rules[mr->type_patterns[i].id], method))
            return 1;
    return 0;
}

long nrp_module_rules_select(const nrp_module_rules *mr, const nrp_method_view *view)
{
    const id_list *exact = map_get(&mr->by_type, view->type);
    long best = -1;
    /* The lowest id (first in rule order) among both lists wins. */
    for (uint32_t i = 0; exact && i < exact->count; i++)
        if (nrp_rule_selects(&mr->rules[exact->ids[i]], view)) {
            best = exact->ids[i];
            break;
        }
    for (uint32_t i = 0; i < mr->type_pattern_count && (best < 0 || mr->type_patterns[i].id < (uint32_t)best); i++)
        if (pattern_matches(&mr->type_patterns[i], view->type) &&
            nrp_rule_selects(&mr->rules[mr->type_patterns[i].id], view))
            best = mr->type_patterns[i].id;
    return best;
}
