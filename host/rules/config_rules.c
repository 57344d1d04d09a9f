/*
 * config_rules.c - the `rules` of a rules file: each rule, what its match
 * and excludes select, and the shape of its options.
 */
#include <stdlib.h>
#include <string.h>

#include "rules/config_internal.h"
#include "util/strbuf.h"

static nrp_pos pos_of(loader *ld, const yaml_node_t *n)
{
    return (nrp_pos){ld->file, (unsigned)n->start_mark.line + 1, (unsigned)n->start_mark.column + 1};
}

/* The C# keywords for types, and their names as method labels spell them. */
static const struct {
    const char *keyword, *name;
} type_keywords[] = {
    {"bool", "System.Boolean"}, {"byte", "System.Byte"},     {"sbyte", "System.SByte"},   {"char", "System.Char"},
    {"decimal", "System.Decimal"}, {"double", "System.Double"}, {"float", "System.Single"}, {"int", "System.Int32"},
    {"uint", "System.UInt32"},   {"nint", "System.IntPtr"},   {"nuint", "System.UIntPtr"}, {"long", "System.Int64"},
    {"ulong", "System.UInt64"},  {"short", "System.Int16"},   {"ushort", "System.UInt16"}, {"object", "System.Object"},
    {"string", "System.String"},
};

static int name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '`' || c == '!';
}

/* A parameter type as labels spell it: the C# keywords in it (`int`,
 * `string[]`, `int&`, ``List`1<string>``) become System names; a name
 * that merely contains one (`Shop.int`, `integer`) is left alone. NULL
 * when out of memory. */
static char *label_spelling(const char *type)
{
    nrp_strbuf out;
    nrp_strbuf_init(&out);
    for (const char *p = type; *p;) {
        if (!name_char(*p)) {
            nrp_strbuf_append(&out, p++, 1);
            continue;
        }
        const char *start = p;
        while (*p && name_char(*p))
            p++;
        size_t n = (size_t)(p - start);
        const char *name = NULL;
        for (size_t i = 0; i < sizeof type_keywords / sizeof *type_keywords && !name; i++)
            if (strlen(type_keywords[i].keyword) == n && memcmp(type_keywords[i].keyword, start, n) == 0)
                name = type_keywords[i].name;
        if (name)
            nrp_strbuf_puts(&out, name);
        else
            nrp_strbuf_append(&out, start, n);
    }
    return nrp_strbuf_take(&out);
}

/* `parameters` with C# keywords accepted: `[string, int]` selects what
 * `[System.String, System.Int32]` does. */
static void spell_parameters(loader *ld, yaml_node_t *v, nrp_match *out)
{
    for (uint32_t i = 0; i < out->parameter_count; i++) {
        char *spelt = label_spelling(out->parameters[i]);
        if (!spelt) {
            nrp_cfg_error_at(ld, v, "out of memory");
            return;
        }
        free(out->parameters[i]);
        out->parameters[i] = spelt;
    }
}

static void load_match(loader *ld, yaml_node_t *m, nrp_match *out, int is_exclude)
{
    static const char *const keys[] = {"assembly", "type", "method", "version", "parameters",
                                       "static", "attribute", "base", NULL};
    const char *what = is_exclude ? "an exclude" : "match";
    out->is_static = -1;
    out->pos = pos_of(ld, m);
    if (m->type != YAML_MAPPING_NODE) {
        nrp_cfg_error_at(ld, m, "'%s' must be a mapping%s", is_exclude ? "exclude" : "match",
                         is_exclude ? "" : " with assembly, type and method");
        return;
    }
    nrp_cfg_check_keys(ld, m, what, keys);
    if (is_exclude && m->data.mapping.pairs.top == m->data.mapping.pairs.start)
        nrp_cfg_error_at(ld, m, "an exclude needs at least one key, or it would exclude everything");
    static const char *const names[] = {"assembly", "type", "method"};
    char **slots[] = {&out->assembly, &out->type, &out->method};
    for (int i = 0; i < 3; i++) {
        yaml_node_t *v = nrp_cfg_lookup(ld, m, names[i]);
        if (v)
            *slots[i] = nrp_cfg_get_glob(ld, v, names[i]);
        else if (!is_exclude)
            nrp_cfg_error_at(ld, m, "match is missing required key '%s'", names[i]);
    }
    yaml_node_t *v;
    if ((v = nrp_cfg_lookup(ld, m, "version"))) {
        char why[200];
        const char *s = scalar(v);
        if (!s || !*s)
            nrp_cfg_error_at(ld, v, "'version' must be a range such as \">=1.2 <3\"");
        else if (nrp_version_range_parse(s, &out->version, why, sizeof why) != NRP_OK)
            nrp_cfg_error_at(ld, v, "bad version range '%s': %s", s, why);
        else
            out->has_version = 1;
    }
    if ((v = nrp_cfg_lookup(ld, m, "parameters")) &&
        nrp_cfg_get_string_list(ld, v, "parameters", 0, &out->parameters, &out->parameter_count) == NRP_OK) {
        out->has_parameters = 1;
        spell_parameters(ld, v, out);
    }
    int flag;
    if ((v = nrp_cfg_lookup(ld, m, "static")) && nrp_cfg_get_bool(ld, v, "static", &flag) == NRP_OK)
        out->is_static = flag;
    if ((v = nrp_cfg_lookup(ld, m, "attribute")))
        out->attribute = nrp_cfg_get_string(ld, v, "attribute");
    if ((v = nrp_cfg_lookup(ld, m, "base")))
        out->base = nrp_cfg_get_string(ld, v, "base");
}

static void load_excludes(loader *ld, yaml_node_t *v, nrp_rule *rule)
{
    if (v->type != YAML_SEQUENCE_NODE) {
        nrp_cfg_error_at(ld, v, "'exclude' must be a list of partial matches");
        return;
    }
    size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    rule->excludes = calloc(n ? n : 1, sizeof *rule->excludes);
    if (!rule->excludes) {
        nrp_cfg_error_at(ld, v, "out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++)
        load_match(ld, node(ld, v->data.sequence.items.start[i]), &rule->excludes[rule->exclude_count++], 1);
}

/* Options nest no deeper than this, and a rule has no more than that many
 * (each name is compared with the others). */
#define MAX_OPTION_DEPTH 8
#define MAX_OPTIONS 256

/* Add the options of mapping `map` to the rule, a nested mapping's entries
 * flattened after it as "outer.inner". */
static void load_option_map(loader *ld, yaml_node_t *map, const char *prefix, int depth, nrp_rule *rule)
{
    size_t n = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
    if (depth > MAX_OPTION_DEPTH) {
        nrp_cfg_error_at(ld, map, "options nest deeper than %d levels", MAX_OPTION_DEPTH);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        yaml_node_pair_t *p = &map->data.mapping.pairs.start[i];
        yaml_node_t *k = node(ld, p->key), *v = node(ld, p->value);
        const char *key = scalar(k);
        if (!key || !*key || strchr(key, '.')) {
            nrp_cfg_error_at(ld, k, "option names must be plain strings without '.'");
            continue;
        }
        if (rule->option_count == MAX_OPTIONS) {
            nrp_cfg_error_at(ld, k, "a rule takes at most %d options", MAX_OPTIONS);
            return;
        }
        nrp_option *grown = realloc(rule->options, (rule->option_count + 1) * sizeof *grown);
        if (!grown) {
            nrp_cfg_error_at(ld, k, "out of memory");
            return;
        }
        rule->options = grown;
        nrp_option *o = &rule->options[rule->option_count];
        memset(o, 0, sizeof *o);
        nrp_strbuf full;
        nrp_strbuf_init(&full);
        nrp_strbuf_printf(&full, "%s%s%s", prefix ? prefix : "", prefix ? "." : "", key);
        o->key = nrp_cfg_dup_or_fail(ld, k, full.data ? full.data : "");
        nrp_strbuf_free(&full);
        o->kind = v->type == YAML_SEQUENCE_NODE ? NRP_OPTION_LIST
                  : v->type == YAML_MAPPING_NODE ? NRP_OPTION_MAPPING : NRP_OPTION_SCALAR;
        o->value = o->kind == NRP_OPTION_SCALAR ? nrp_cfg_dup_or_fail(ld, v, scalar(v)) : NULL;
        o->key_pos = pos_of(ld, k);
        o->value_pos = pos_of(ld, v);
        for (uint32_t j = 0; j < rule->option_count; j++)
            if (o->key && rule->options[j].key && strcmp(rule->options[j].key, o->key) == 0)
                nrp_cfg_error_at(ld, k, "option '%s' appears twice", o->key);
        rule->option_count++;
        if (o->kind == NRP_OPTION_MAPPING && o->key)
            load_option_map(ld, v, rule->options[rule->option_count - 1].key, depth + 1, rule);
    }
}

/* A strategy's options: checked by its plugin once the plugins are loaded
 * (plugin/bind.c); here only their shape is kept. */
static void load_options(loader *ld, yaml_node_t *map, nrp_rule *rule)
{
    rule->has_options = map->data.mapping.pairs.top > map->data.mapping.pairs.start;
    load_option_map(ld, map, NULL, 0, rule);
}

static void load_rule(loader *ld, yaml_node_t *r, nrp_rule *rule)
{
    static const char *const keys[] = {"name", "enabled", "priority", "match", "exclude", "strategy", "options", NULL};
    yaml_node_t *v;
    rule->pos = pos_of(ld, r);
    rule->enabled = 1;
    rule->match.is_static = -1;
    if (r->type != YAML_MAPPING_NODE) {
        nrp_cfg_error_at(ld, r, "each rule must be a mapping with name, match and strategy");
        return;
    }
    nrp_cfg_check_keys(ld, r, "a rule", keys);
    if ((v = nrp_cfg_lookup(ld, r, "name"))) {
        rule->name = nrp_cfg_get_string(ld, v, "name");
        rule->name_pos = pos_of(ld, v);
    }
    else
        nrp_cfg_error_at(ld, r, "rule is missing required key 'name'");
    if ((v = nrp_cfg_lookup(ld, r, "enabled")))
        nrp_cfg_get_bool(ld, v, "enabled", &rule->enabled);
    if ((v = nrp_cfg_lookup(ld, r, "priority")))
        nrp_cfg_get_int(ld, v, "priority", &rule->priority);
    if ((v = nrp_cfg_lookup(ld, r, "match")))
        load_match(ld, v, &rule->match, 0);
    else
        nrp_cfg_error_at(ld, r, "rule '%s' is missing required key 'match'", rule->name ? rule->name : "?");
    if ((v = nrp_cfg_lookup(ld, r, "exclude")))
        load_excludes(ld, v, rule);
    if ((v = nrp_cfg_lookup(ld, r, "strategy"))) {
        rule->strategy = nrp_cfg_get_string(ld, v, "strategy");
        rule->strategy_pos = pos_of(ld, v);
    } else {
        nrp_cfg_error_at(ld, r, "rule '%s' is missing required key 'strategy'", rule->name ? rule->name : "?");
    }
    if ((v = nrp_cfg_lookup(ld, r, "options"))) {
        rule->options_pos = pos_of(ld, v);
        if (v->type != YAML_MAPPING_NODE)
            nrp_cfg_error_at(ld, v, "'options' must be a mapping");
        else
            load_options(ld, v, rule);
    }
}

void nrp_cfg_load_rules(loader *ld, yaml_node_t *seq)
{
    nrp_config *cfg = ld->cfg;
    if (seq->type != YAML_SEQUENCE_NODE) {
        nrp_cfg_error_at(ld, seq, "'rules' must be a list");
        return;
    }
    size_t n = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
    nrp_rule *grown = realloc(cfg->rules, (cfg->rule_count + n + 1) * sizeof *grown);
    if (!grown) {
        nrp_cfg_error_at(ld, seq, "out of memory");
        return;
    }
    cfg->rules = grown;
    for (size_t i = 0; i < n; i++) {
        nrp_rule *rule = &cfg->rules[cfg->rule_count++];
        size_t problems = nrp_diags_total(ld->diags);
        memset(rule, 0, sizeof *rule);
        load_rule(ld, node(ld, seq->data.sequence.items.start[i]), rule);
        /* Binding and matching only ever see rules read without a problem. */
        rule->invalid = nrp_diags_total(ld->diags) != problems || ld->diags->status != NRP_OK;
    }
}
