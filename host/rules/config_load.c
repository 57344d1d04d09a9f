#include "rules/config.h"

#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "util/log.h"
#include "util/path.h"
#include "util/strbuf.h"
#include "util/trust.h"
#include "rules/yaml_doc.h"

#define MAX_INCLUDE_DEPTH 16

typedef struct loader {
    nrp_config *cfg;
    nrp_diags *diags;
    const char *stack[MAX_INCLUDE_DEPTH]; /* real paths of the files being read */
    int depth;
    /* the file being read */
    const char *file;
    char dir[PATH_MAX];
    yaml_document_t *doc;
    int is_main;
    int check_trust;
} loader;

static int load_text(loader *ld, const char *name, const char *text, size_t len);
static int load_path(loader *ld, const char *path, const yaml_node_t *from);

/* ---- reporting and node access ----------------------------------------- */

static void error_at(loader *ld, const yaml_node_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void error_at(loader *ld, const yaml_node_t *n, const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    nrp_diags_add(ld->diags, ld->file, (unsigned)n->start_mark.line + 1, (unsigned)n->start_mark.column + 1, "%s",
                  msg);
}

static nrp_pos pos_of(loader *ld, const yaml_node_t *n)
{
    return (nrp_pos){ld->file, (unsigned)n->start_mark.line + 1, (unsigned)n->start_mark.column + 1};
}

static yaml_node_t *node(loader *ld, int id)
{
    return yaml_document_get_node(ld->doc, id);
}

static const char *scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int is_plain(const yaml_node_t *n)
{
    return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

static yaml_node_t *lookup(loader *ld, yaml_node_t *map, const char *key)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        const char *k = scalar(node(ld, p->key));
        if (k && strcmp(k, key) == 0)
            return node(ld, p->value);
    }
    return NULL;
}

/* Unknown and repeated keys are errors: YAML lets a repeated key silently
 * win, and an unknown one is usually a typo that would silently do nothing.
 * Linear in the keys: a repeat is found by the allowed key's bit. */
static void check_keys(loader *ld, yaml_node_t *map, const char *what, const char *const *allowed)
{
    uint32_t seen = 0;
    for (yaml_node_pair_t *a = map->data.mapping.pairs.start; a < map->data.mapping.pairs.top; a++) {
        yaml_node_t *k = node(ld, a->key);
        const char *key = scalar(k);
        if (!key) {
            error_at(ld, k, "%s keys must be plain strings", what);
            continue;
        }
        int known = -1;
        for (int i = 0; allowed[i] && known < 0; i++)
            if (strcmp(allowed[i], key) == 0)
                known = i;
        if (known < 0) {
            char list[300] = "";
            for (const char *const *p = allowed; *p; p++) {
                strncat(list, *p, sizeof list - strlen(list) - 1);
                if (p[1])
                    strncat(list, ", ", sizeof list - strlen(list) - 1);
            }
            error_at(ld, k, "unknown key '%s' in %s (expected one of: %s)", key, what, list);
        } else if (seen & (1u << known)) {
            error_at(ld, k, "key '%s' appears twice in %s", key, what);
        }
        seen |= known >= 0 ? 1u << known : 0;
    }
}

static char *dup_or_fail(loader *ld, const yaml_node_t *n, const char *s)
{
    char *d = strdup(s);
    if (!d)
        error_at(ld, n, "out of memory");
    return d;
}

/* A string value; NULL (with an error) when v is not a non-empty string. */
static char *get_string(loader *ld, const yaml_node_t *v, const char *key)
{
    const char *s = scalar(v);
    if (!s || !*s) {
        error_at(ld, v, "'%s' must be a non-empty string", key);
        return NULL;
    }
    return dup_or_fail(ld, v, s);
}

/* An include glob over a folder that does not exist matches nothing (the
 * bundle's instrumentation.d/ may be left out); one that cannot be read is
 * an error, not a silent gap in the rules. */
static int glob_error(const char *path, int error)
{
    (void)path;
    return error != ENOENT && error != ENOTDIR;
}

/* A name pattern: '*' and '?' are the only wildcards; names never hold
 * blanks or control characters, so a pattern holding one is a mistake. */
static char *get_glob(loader *ld, const yaml_node_t *v, const char *key)
{
    char *s = get_string(ld, v, key);
    if (!s)
        return NULL;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= ' ' || *p == 0x7F) {
            error_at(ld, v, "bad pattern '%s' for '%s': names hold no blanks or control characters", s, key);
            free(s);
            return NULL;
        }
    return s;
}

static int get_bool(loader *ld, const yaml_node_t *v, const char *key, int *out)
{
    const char *s = scalar(v);
    if (s && is_plain(v) && (strcmp(s, "true") == 0 || strcmp(s, "false") == 0)) {
        *out = s[0] == 't';
        return NRP_OK;
    }
    error_at(ld, v, "'%s' must be true or false", key);
    return NRP_ERROR;
}

static int get_int(loader *ld, const yaml_node_t *v, const char *key, long *out)
{
    const char *s = scalar(v);
    char *end = NULL;
    errno = 0;
    long n = s && is_plain(v) ? strtol(s, &end, 10) : 0;
    if (!s || !is_plain(v) || !*s || *end || errno) {
        error_at(ld, v, "'%s' must be an integer", key);
        return NRP_ERROR;
    }
    *out = n;
    return NRP_OK;
}

/* A list of strings (each checked as a pattern when globs is set). */
static int get_string_list(loader *ld, yaml_node_t *v, const char *key, int globs, char ***out, uint32_t *count)
{
    *out = NULL;
    *count = 0;
    if (v->type != YAML_SEQUENCE_NODE) {
        error_at(ld, v, "'%s' must be a list", key);
        return NRP_ERROR;
    }
    size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    *out = calloc(n ? n : 1, sizeof **out);
    if (!*out) {
        error_at(ld, v, "out of memory");
        return NRP_ERROR;
    }
    int rc = NRP_OK;
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *item = node(ld, v->data.sequence.items.start[i]);
        char *s = globs ? get_glob(ld, item, key) : get_string(ld, item, key);
        if (!s)
            rc = NRP_ERROR;
        else
            (*out)[(*count)++] = s;
    }
    return rc;
}

static void free_list(char **list, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++)
        free(list[i]);
    free(list);
}

/* ---- rules -------------------------------------------------------------- */

static void load_match(loader *ld, yaml_node_t *m, nrp_match *out, int is_exclude)
{
    static const char *const keys[] = {"assembly", "type", "method", "version", "parameters",
                                       "static", "attribute", "base", NULL};
    const char *what = is_exclude ? "an exclude" : "match";
    out->is_static = -1;
    out->pos = pos_of(ld, m);
    if (m->type != YAML_MAPPING_NODE) {
        error_at(ld, m, "'%s' must be a mapping%s", is_exclude ? "exclude" : "match",
                 is_exclude ? "" : " with assembly, type and method");
        return;
    }
    check_keys(ld, m, what, keys);
    if (is_exclude && m->data.mapping.pairs.top == m->data.mapping.pairs.start)
        error_at(ld, m, "an exclude needs at least one key, or it would exclude everything");
    static const char *const names[] = {"assembly", "type", "method"};
    char **slots[] = {&out->assembly, &out->type, &out->method};
    for (int i = 0; i < 3; i++) {
        yaml_node_t *v = lookup(ld, m, names[i]);
        if (v)
            *slots[i] = get_glob(ld, v, names[i]);
        else if (!is_exclude)
            error_at(ld, m, "match is missing required key '%s'", names[i]);
    }
    yaml_node_t *v;
    if ((v = lookup(ld, m, "version"))) {
        char why[200];
        const char *s = scalar(v);
        if (!s || !*s)
            error_at(ld, v, "'version' must be a range such as \">=1.2 <3\"");
        else if (nrp_version_range_parse(s, &out->version, why, sizeof why) != NRP_OK)
            error_at(ld, v, "bad version range '%s': %s", s, why);
        else
            out->has_version = 1;
    }
    if ((v = lookup(ld, m, "parameters")) &&
        get_string_list(ld, v, "parameters", 0, &out->parameters, &out->parameter_count) == NRP_OK)
        out->has_parameters = 1;
    int flag;
    if ((v = lookup(ld, m, "static")) && get_bool(ld, v, "static", &flag) == NRP_OK)
        out->is_static = flag;
    if ((v = lookup(ld, m, "attribute")))
        out->attribute = get_string(ld, v, "attribute");
    if ((v = lookup(ld, m, "base")))
        out->base = get_string(ld, v, "base");
}

static void load_excludes(loader *ld, yaml_node_t *v, nrp_rule *rule)
{
    if (v->type != YAML_SEQUENCE_NODE) {
        error_at(ld, v, "'exclude' must be a list of partial matches");
        return;
    }
    size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    rule->excludes = calloc(n ? n : 1, sizeof *rule->excludes);
    if (!rule->excludes) {
        error_at(ld, v, "out of memory");
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
        error_at(ld, map, "options nest deeper than %d levels", MAX_OPTION_DEPTH);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        yaml_node_pair_t *p = &map->data.mapping.pairs.start[i];
        yaml_node_t *k = node(ld, p->key), *v = node(ld, p->value);
        const char *key = scalar(k);
        if (!key || !*key || strchr(key, '.')) {
            error_at(ld, k, "option names must be plain strings without '.'");
            continue;
        }
        if (rule->option_count == MAX_OPTIONS) {
            error_at(ld, k, "a rule takes at most %d options", MAX_OPTIONS);
            return;
        }
        nrp_option *grown = realloc(rule->options, (rule->option_count + 1) * sizeof *grown);
        if (!grown) {
            error_at(ld, k, "out of memory");
            return;
        }
        rule->options = grown;
        nrp_option *o = &rule->options[rule->option_count];
        memset(o, 0, sizeof *o);
        nrp_strbuf full;
        nrp_strbuf_init(&full);
        nrp_strbuf_printf(&full, "%s%s%s", prefix ? prefix : "", prefix ? "." : "", key);
        o->key = dup_or_fail(ld, k, full.data ? full.data : "");
        nrp_strbuf_free(&full);
        o->kind = v->type == YAML_SEQUENCE_NODE ? NRP_OPTION_LIST
                  : v->type == YAML_MAPPING_NODE ? NRP_OPTION_MAPPING : NRP_OPTION_SCALAR;
        o->value = o->kind == NRP_OPTION_SCALAR ? dup_or_fail(ld, v, scalar(v)) : NULL;
        o->key_pos = pos_of(ld, k);
        o->value_pos = pos_of(ld, v);
        for (uint32_t j = 0; j < rule->option_count; j++)
            if (o->key && rule->options[j].key && strcmp(rule->options[j].key, o->key) == 0)
                error_at(ld, k, "option '%s' appears twice", o->key);
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
        error_at(ld, r, "each rule must be a mapping with name, match and strategy");
        return;
    }
    check_keys(ld, r, "a rule", keys);
    if ((v = lookup(ld, r, "name"))) {
        rule->name = get_string(ld, v, "name");
        rule->name_pos = pos_of(ld, v);
    }
    else
        error_at(ld, r, "rule is missing required key 'name'");
    if ((v = lookup(ld, r, "enabled")))
        get_bool(ld, v, "enabled", &rule->enabled);
    if ((v = lookup(ld, r, "priority")))
        get_int(ld, v, "priority", &rule->priority);
    if ((v = lookup(ld, r, "match")))
        load_match(ld, v, &rule->match, 0);
    else
        error_at(ld, r, "rule '%s' is missing required key 'match'", rule->name ? rule->name : "?");
    if ((v = lookup(ld, r, "exclude")))
        load_excludes(ld, v, rule);
    if ((v = lookup(ld, r, "strategy"))) {
        rule->strategy = get_string(ld, v, "strategy");
        rule->strategy_pos = pos_of(ld, v);
    } else {
        error_at(ld, r, "rule '%s' is missing required key 'strategy'", rule->name ? rule->name : "?");
    }
    if ((v = lookup(ld, r, "options"))) {
        rule->options_pos = pos_of(ld, v);
        if (v->type != YAML_MAPPING_NODE)
            error_at(ld, v, "'options' must be a mapping");
        else
            load_options(ld, v, rule);
    }
}

static void load_rules(loader *ld, yaml_node_t *seq)
{
    nrp_config *cfg = ld->cfg;
    if (seq->type != YAML_SEQUENCE_NODE) {
        error_at(ld, seq, "'rules' must be a list");
        return;
    }
    size_t n = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
    nrp_rule *grown = realloc(cfg->rules, (cfg->rule_count + n + 1) * sizeof *grown);
    if (!grown) {
        error_at(ld, seq, "out of memory");
        return;
    }
    cfg->rules = grown;
    for (size_t i = 0; i < n; i++) {
        nrp_rule *rule = &cfg->rules[cfg->rule_count++];
        size_t problems = nrp_diags_total(ld->diags);
        memset(rule, 0, sizeof *rule);
        load_rule(ld, node(ld, seq->data.sequence.items.start[i]), rule);
        /* Binding and matching only ever see rules read without a problem. */
        rule->invalid = nrp_diags_total(ld->diags) != problems || ld->diags->oom;
    }
}

/* ---- settings, plugins, includes --------------------------------------- */

static void load_processes(loader *ld, yaml_node_t *p)
{
    static const char *const keys[] = {"include", "exclude", NULL};
    nrp_settings *s = &ld->cfg->settings;
    yaml_node_t *v;
    if (p->type != YAML_MAPPING_NODE) {
        error_at(ld, p, "'processes' must be a mapping with include and exclude");
        return;
    }
    check_keys(ld, p, "processes", keys);
    if ((v = lookup(ld, p, "include")))
        get_string_list(ld, v, "include", 1, &s->process_include, &s->process_include_count);
    if ((v = lookup(ld, p, "exclude")))
        get_string_list(ld, v, "exclude", 1, &s->process_exclude, &s->process_exclude_count);
}

/* One metrics file per process, rewritten every interval; a day is the
 * longest interval that still reads as a mistake-free choice. */
#define MAX_METRICS_INTERVAL_S 86400

static void load_metrics(loader *ld, yaml_node_t *p)
{
    static const char *const keys[] = {"path", "format", "interval_s", NULL};
    nrp_settings *s = &ld->cfg->settings;
    yaml_node_t *v;
    if (p->type != YAML_MAPPING_NODE) {
        error_at(ld, p, "'metrics' must be a mapping with path, format and interval_s");
        return;
    }
    check_keys(ld, p, "metrics", keys);
    if ((v = lookup(ld, p, "path")))
        s->metrics_path = get_string(ld, v, "path");
    if ((v = lookup(ld, p, "format"))) {
        const char *f = scalar(v);
        if (f && strcmp(f, "prometheus") == 0)
            s->metrics_format = NRP_METRICS_PROMETHEUS;
        else if (f && strcmp(f, "json") == 0)
            s->metrics_format = NRP_METRICS_JSON;
        else
            error_at(ld, v, "'format' must be prometheus or json");
    }
    if ((v = lookup(ld, p, "interval_s"))) {
        long n;
        if (get_int(ld, v, "interval_s", &n) == NRP_OK) {
            if (n < 0 || n > MAX_METRICS_INTERVAL_S)
                error_at(ld, v, "'interval_s' must be from 0 (only at exit) to %d", MAX_METRICS_INTERVAL_S);
            else
                s->metrics_interval_s = n;
        }
    }
}

static void load_settings(loader *ld, yaml_node_t *m)
{
    static const char *const keys[] = {"log_level", "log_file", "processes", "metrics", NULL};
    nrp_settings *s = &ld->cfg->settings;
    yaml_node_t *v;
    if (!ld->is_main) {
        error_at(ld, m, "'settings' belongs in the main file (%s), not in an included one", ld->cfg->path);
        return;
    }
    if (m->type != YAML_MAPPING_NODE) {
        error_at(ld, m, "'settings' must be a mapping");
        return;
    }
    check_keys(ld, m, "settings", keys);
    if ((v = lookup(ld, m, "log_level"))) {
        const char *level = scalar(v);
        if (level && nrp_log_parse_level(level, &s->log_level) == NRP_OK)
            s->has_log_level = 1;
        else
            error_at(ld, v, "'log_level' must be one of error, warn, info, debug, trace");
    }
    if ((v = lookup(ld, m, "log_file")))
        s->log_file = get_string(ld, v, "log_file");
    if ((v = lookup(ld, m, "processes")))
        load_processes(ld, v);
    if ((v = lookup(ld, m, "metrics")))
        load_metrics(ld, v);
}

static int append_string(char ***list, uint32_t *count, const char *s)
{
    char **grown = realloc(*list, (*count + 1) * sizeof *grown);
    char *copy = strdup(s);
    if (!grown || !copy) {
        free(copy);
        if (grown)
            *list = grown;
        return NRP_ERROR;
    }
    *list = grown;
    (*list)[(*count)++] = copy;
    return NRP_OK;
}

/* Relative paths are relative to the file that names them. */
static int resolve(loader *ld, const char *path, char *out, size_t cap)
{
    if (path[0] == '/')
        return snprintf(out, cap, "%s", path) < (int)cap ? NRP_OK : NRP_ERROR;
    return nrp_path_join(ld->dir, path, out, cap);
}

static void load_plugins(loader *ld, yaml_node_t *v)
{
    char **paths;
    uint32_t count;
    if (get_string_list(ld, v, "plugins", 0, &paths, &count) == NRP_OK) {
        for (uint32_t i = 0; i < count; i++) {
            char full[PATH_MAX];
            if (resolve(ld, paths[i], full, sizeof full) != NRP_OK ||
                append_string(&ld->cfg->plugin_paths, &ld->cfg->plugin_path_count, full) != NRP_OK)
                error_at(ld, v, "cannot record plugin path '%s'", paths[i]);
        }
    }
    free_list(paths, count);
}

static int has_wildcard(const char *s)
{
    return strpbrk(s, "*?[") != NULL;
}

static void load_includes(loader *ld, yaml_node_t *v)
{
    char **patterns;
    uint32_t count;
    if (get_string_list(ld, v, "include", 0, &patterns, &count) != NRP_OK) {
        free_list(patterns, count);
        return;
    }
    for (uint32_t i = 0; i < count; i++) {
        yaml_node_t *item = node(ld, v->data.sequence.items.start[i]);
        char full[PATH_MAX];
        glob_t g;
        if (resolve(ld, patterns[i], full, sizeof full) != NRP_OK) {
            error_at(ld, item, "include path too long");
            continue;
        }
        int rc = glob(full, 0, glob_error, &g); /* sorted, as the format promises */
        if (rc == GLOB_NOMATCH) {
            if (!has_wildcard(patterns[i]))
                error_at(ld, item, "included file %s does not exist", full);
        } else if (rc != 0) {
            error_at(ld, item, "cannot read the files of include pattern '%s'", patterns[i]);
        } else {
            for (size_t k = 0; k < g.gl_pathc; k++)
                load_path(ld, g.gl_pathv[k], item);
        }
        if (rc != GLOB_NOMATCH)
            globfree(&g);
    }
    free_list(patterns, count);
}

/* ---- files -------------------------------------------------------------- */

static void load_root(loader *ld)
{
    static const char *const keys[] = {"version", "include", "plugins", "settings", "rules", NULL};
    yaml_node_t *root = yaml_document_get_root_node(ld->doc);
    yaml_node_t *v;
    if (!root) {
        nrp_diags_add(ld->diags, ld->file, 1, 1, "the file is empty (expected 'version: %d' and 'rules')",
                      NRP_CONFIG_VERSION);
        return;
    }
    if (root->type != YAML_MAPPING_NODE) {
        error_at(ld, root, "the top level must be a mapping with 'version' and 'rules'");
        return;
    }
    check_keys(ld, root, "the top level", keys);
    if (!(v = lookup(ld, root, "version"))) {
        error_at(ld, root, "missing required key 'version' (this host reads version %d)", NRP_CONFIG_VERSION);
    } else {
        char want[16];
        snprintf(want, sizeof want, "%d", NRP_CONFIG_VERSION);
        const char *vs = scalar(v);
        if (!vs || strcmp(vs, want) != 0 || !is_plain(v))
            error_at(ld, v, "unsupported version '%s' (this host reads version %d)", vs ? vs : "?",
                     NRP_CONFIG_VERSION);
    }
    if ((v = lookup(ld, root, "settings")))
        load_settings(ld, v);
    if ((v = lookup(ld, root, "plugins")))
        load_plugins(ld, v);
    /* A file's own rules come before those of the files it includes. */
    if ((v = lookup(ld, root, "rules")))
        load_rules(ld, v);
    else if (ld->is_main)
        error_at(ld, root, "missing required key 'rules'");
    if ((v = lookup(ld, root, "include")))
        load_includes(ld, v);
}

static const char *keep_file_name(loader *ld, const char *name)
{
    nrp_config *cfg = ld->cfg;
    if (append_string(&cfg->files, &cfg->file_count, name) != NRP_OK)
        return NULL;
    return cfg->files[cfg->file_count - 1];
}

static int load_text(loader *ld, const char *name, const char *text, size_t len)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    loader saved = *ld;
    const char *kept = keep_file_name(ld, name);
    if (!kept) {
        nrp_diags_add(ld->diags, name, 0, 0, "out of memory");
        return NRP_ERROR;
    }
    ld->file = kept;
    if (nrp_path_dirname(name, ld->dir, sizeof ld->dir) != NRP_OK)
        snprintf(ld->dir, sizeof ld->dir, ".");
    if (!yaml_parser_initialize(&parser)) {
        nrp_diags_add(ld->diags, name, 0, 0, "cannot initialise the YAML parser");
        *ld = saved;
        return NRP_ERROR;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    nrp_yaml_problem why;
    if (!nrp_yaml_compose(&parser, &nrp_yaml_rules_limits, &doc, &why)) {
        nrp_diags_add(ld->diags, kept, why.line, why.column, "%s", why.message);
    } else {
        ld->doc = &doc;
        load_root(ld);
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    ld->file = saved.file;
    ld->doc = saved.doc;
    ld->is_main = saved.is_main;
    memcpy(ld->dir, saved.dir, sizeof ld->dir);
    return NRP_OK;
}

/* Far above any rules file: a misnamed include (a device, a log) must not
 * fill the memory of the app the profiler lives in. */
#define MAX_FILE_BYTES ((size_t)16 << 20)

/* The whole file, or NULL with errno's value in *error (EFBIG past
 * MAX_FILE_BYTES). */
static char *read_file(const char *path, size_t *len, int *error)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    size_t cap = 0;
    *len = 0;
    *error = 0;
    if (!f) {
        *error = errno;
        return NULL;
    }
    for (;;) {
        if (*len == cap) {
            char *grown = realloc(text, cap = cap ? cap * 2 : 4096);
            if (!grown) {
                free(text);
                fclose(f);
                *error = ENOMEM;
                return NULL;
            }
            text = grown;
        }
        size_t n = fread(text + *len, 1, cap - *len, f);
        *len += n;
        if (n == 0)
            break;
        if (*len > MAX_FILE_BYTES) {
            free(text);
            fclose(f);
            *error = EFBIG;
            return NULL;
        }
    }
    if (ferror(f)) {
        *error = errno ? errno : EIO;
        free(text);
        text = NULL;
    }
    fclose(f);
    return text;
}

/* Read one file; from is the include entry naming it (NULL for the main
 * file), where a cycle or a read error is reported. */
static int load_path(loader *ld, const char *path, const yaml_node_t *from)
{
    char real[PATH_MAX];
    size_t len;
    int error;
    if (!realpath(path, real))
        snprintf(real, sizeof real, "%s", path);
    for (int i = 0; i < ld->depth; i++)
        if (strcmp(ld->stack[i], real) == 0) {
            error_at(ld, from, "include cycle: %s is already being read", path);
            return NRP_ERROR;
        }
    if (ld->depth == MAX_INCLUDE_DEPTH) {
        error_at(ld, from, "includes nest deeper than %d files", MAX_INCLUDE_DEPTH);
        return NRP_ERROR;
    }
    nrp_err why;
    if (ld->check_trust && access(path, F_OK) == 0 && nrp_file_trusted(path, &why) != NRP_OK) {
        if (from)
            error_at(ld, from, "refused: %s", why.msg);
        else
            nrp_diags_add(ld->diags, path, 0, 0, "refused: %s", why.msg);
        return NRP_ERROR;
    }
    char *text = read_file(path, &len, &error);
    if (!text) {
        char reason[128];
        if (error == EFBIG)
            snprintf(reason, sizeof reason, "larger than %zu MiB, too large for a rules file", MAX_FILE_BYTES >> 20);
        else
            snprintf(reason, sizeof reason, "%s", strerror(error));
        if (from)
            error_at(ld, from, "cannot read %s: %s", path, reason);
        else
            nrp_diags_add(ld->diags, path, 0, 0, "cannot open: %s", reason);
        return NRP_ERROR;
    }
    ld->stack[ld->depth++] = real;
    int was_main = ld->is_main;
    ld->is_main = from == NULL;
    int rc = load_text(ld, path, text, len);
    ld->is_main = was_main;
    ld->depth--;
    free(text);
    return rc;
}

/* Names are unique across every file. */
static void check_names(loader *ld)
{
    nrp_config *cfg = ld->cfg;
    for (size_t i = 0; i < cfg->rule_count; i++)
        for (size_t j = 0; j < i; j++)
            if (cfg->rules[i].name && cfg->rules[j].name && strcmp(cfg->rules[i].name, cfg->rules[j].name) == 0) {
                const nrp_pos *p = &cfg->rules[i].name_pos, *q = &cfg->rules[j].name_pos;
                nrp_diags_add(ld->diags, p->file, p->line, p->column, "rule name '%s' is already used at %s:%u:%u",
                              cfg->rules[i].name, q->file, q->line, q->column);
                break;
            }
}

static int finish(loader *ld, nrp_config **out, size_t errors_before, int keep)
{
    check_names(ld);
    if (nrp_diags_total(ld->diags) > errors_before || ld->diags->oom) {
        if (keep) {
            *out = ld->cfg;
        } else {
            nrp_config_free(ld->cfg);
            *out = NULL;
        }
        return NRP_ERROR;
    }
    *out = ld->cfg;
    return NRP_OK;
}

static int start(loader *ld, const char *name, nrp_diags *diags)
{
    memset(ld, 0, sizeof *ld);
    ld->diags = diags;
    ld->cfg = calloc(1, sizeof *ld->cfg);
    if (!ld->cfg || !(ld->cfg->path = strdup(name))) {
        free(ld->cfg);
        nrp_diags_add(diags, name, 0, 0, "out of memory");
        return NRP_ERROR;
    }
    ld->cfg->settings.metrics_interval_s = -1;
    return NRP_OK;
}

static int load_buffer(const char *name, const char *text, size_t len, nrp_config **out, nrp_diags *diags, int keep)
{
    loader ld;
    size_t before = nrp_diags_total(diags);
    *out = NULL;
    if (start(&ld, name, diags))
        return NRP_ERROR;
    ld.is_main = 1;
    load_text(&ld, name, text, len);
    return finish(&ld, out, before, keep);
}

int nrp_config_load_buffer(const char *name, const char *text, size_t len, nrp_config **out, nrp_diags *diags)
{
    return load_buffer(name, text, len, out, diags, 0);
}

int nrp_config_load_buffer_keep(const char *name, const char *text, size_t len, nrp_config **out, nrp_diags *diags)
{
    return load_buffer(name, text, len, out, diags, 1);
}

static int load_file(const char *path, nrp_config **out, nrp_diags *diags, int keep, int trust)
{
    loader ld;
    size_t before = nrp_diags_total(diags);
    *out = NULL;
    if (start(&ld, path, diags))
        return NRP_ERROR;
    ld.check_trust = trust;
    load_path(&ld, path, NULL);
    return finish(&ld, out, before, keep);
}

int nrp_config_load_file(const char *path, nrp_config **out, nrp_diags *diags)
{
    return load_file(path, out, diags, 0, 0);
}

int nrp_config_load_file_keep(const char *path, nrp_config **out, nrp_diags *diags)
{
    return load_file(path, out, diags, 1, 0);
}

int nrp_config_load_trusted(const char *path, nrp_config **out, nrp_diags *diags)
{
    return load_file(path, out, diags, 1, 1);
}

static void free_match(nrp_match *m)
{
    free(m->assembly);
    free(m->type);
    free(m->method);
    free_list(m->parameters, m->parameter_count);
    free(m->attribute);
    free(m->base);
}

void nrp_config_free(nrp_config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->rule_count; i++) {
        nrp_rule *r = &cfg->rules[i];
        free(r->name);
        free_match(&r->match);
        for (uint32_t e = 0; e < r->exclude_count; e++)
            free_match(&r->excludes[e]);
        free(r->excludes);
        free(r->strategy);
        for (uint32_t o = 0; o < r->option_count; o++) {
            free(r->options[o].key);
            free(r->options[o].value);
        }
        free(r->options);
    }
    free(cfg->rules);
    free_list(cfg->files, cfg->file_count);
    free_list(cfg->plugin_paths, cfg->plugin_path_count);
    free(cfg->settings.log_file);
    free(cfg->settings.metrics_path);
    free_list(cfg->settings.process_include, cfg->settings.process_include_count);
    free_list(cfg->settings.process_exclude, cfg->settings.process_exclude_count);
    free(cfg->path);
    free(cfg);
}
