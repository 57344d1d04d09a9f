#include "rules/config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "nrp/plugin.h"

typedef struct loader {
    const char *name;
    yaml_document_t *doc;
    nrp_err *err;
} loader;

static int fail_at(loader *ld, const yaml_node_t *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail_at(loader *ld, const yaml_node_t *node, const char *fmt, ...)
{
    char reason[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    return nrp_err_set(ld->err, "%s:%lu:%lu: %s", ld->name, (unsigned long)node->start_mark.line + 1,
                       (unsigned long)node->start_mark.column + 1, reason);
}

static const char *scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static yaml_node_t *node(loader *ld, int id)
{
    return yaml_document_get_node(ld->doc, id);
}

/* Check a mapping's keys against the allowed list, refusing unknown and
 * repeated keys (YAML itself lets a later key silently win). */
static int check_keys(loader *ld, yaml_node_t *map, const char *what, const char *const *allowed)
{
    for (yaml_node_pair_t *a = map->data.mapping.pairs.start; a < map->data.mapping.pairs.top; a++) {
        yaml_node_t *k = node(ld, a->key);
        const char *key = scalar(k);
        if (!key)
            return fail_at(ld, k, "%s keys must be plain strings", what);
        int known = 0;
        for (const char *const *p = allowed; *p; p++)
            known |= strcmp(*p, key) == 0;
        if (!known) {
            char list[200] = "";
            for (const char *const *p = allowed; *p; p++) {
                strncat(list, *p, sizeof list - strlen(list) - 1);
                if (p[1])
                    strncat(list, ", ", sizeof list - strlen(list) - 1);
            }
            return fail_at(ld, k, "unknown key '%s' in %s (expected one of: %s)", key, what, list);
        }
        for (yaml_node_pair_t *b = map->data.mapping.pairs.start; b < a; b++)
            if (scalar(node(ld, b->key)) && strcmp(scalar(node(ld, b->key)), key) == 0)
                return fail_at(ld, k, "key '%s' appears twice in %s", key, what);
    }
    return NRP_OK;
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

/* A required, non-empty string value, duplicated into *out. */
static int required_string(loader *ld, yaml_node_t *map, const char *key, const char *what, char **out)
{
    yaml_node_t *v = lookup(ld, map, key);
    if (!v)
        return fail_at(ld, map, "%s is missing required key '%s'", what, key);
    const char *s = scalar(v);
    if (!s || !*s)
        return fail_at(ld, v, "'%s' must be a non-empty string", key);
    *out = strdup(s);
    if (!*out)
        return fail_at(ld, v, "out of memory");
    return NRP_OK;
}

static int load_match(loader *ld, yaml_node_t *m, nrp_rule *rule)
{
    static const char *const keys[] = {"assembly", "type", "method", NULL};
    if (m->type != YAML_MAPPING_NODE)
        return fail_at(ld, m, "'match' must be a mapping with assembly, type and method");
    if (check_keys(ld, m, "match", keys))
        return NRP_ERROR;
    if (required_string(ld, m, "assembly", "match", &rule->assembly) ||
        required_string(ld, m, "type", "match", &rule->type) ||
        required_string(ld, m, "method", "match", &rule->method))
        return NRP_ERROR;
    return NRP_OK;
}

static int load_rule(loader *ld, yaml_node_t *r, nrp_rule *rule)
{
    static const char *const keys[] = {"name", "match", "strategy", NULL};
    rule->line = (unsigned)r->start_mark.line + 1;
    rule->column = (unsigned)r->start_mark.column + 1;
    if (r->type != YAML_MAPPING_NODE)
        return fail_at(ld, r, "each rule must be a mapping with name, match and strategy");
    if (check_keys(ld, r, "a rule", keys) || required_string(ld, r, "name", "rule", &rule->name))
        return NRP_ERROR;
    yaml_node_t *m = lookup(ld, r, "match");
    if (!m)
        return fail_at(ld, r, "rule '%s' is missing required key 'match'", rule->name);
    if (load_match(ld, m, rule))
        return NRP_ERROR;
    return required_string(ld, r, "strategy", "rule", &rule->strategy);
}

static int load_rules(loader *ld, yaml_node_t *seq, nrp_config *cfg)
{
    if (seq->type != YAML_SEQUENCE_NODE)
        return fail_at(ld, seq, "'rules' must be a list");
    size_t n = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
    cfg->rules = calloc(n ? n : 1, sizeof *cfg->rules);
    if (!cfg->rules)
        return fail_at(ld, seq, "out of memory");
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *r = node(ld, seq->data.sequence.items.start[i]);
        nrp_rule *rule = &cfg->rules[cfg->rule_count++];
        if (load_rule(ld, r, rule))
            return NRP_ERROR;
        for (size_t j = 0; j + 1 < cfg->rule_count; j++)
            if (strcmp(cfg->rules[j].name, rule->name) == 0)
                return fail_at(ld, lookup(ld, r, "name"), "rule name '%s' is already used at line %u",
                               rule->name, cfg->rules[j].line);
    }
    return NRP_OK;
}

static int load_root(loader *ld, nrp_config *cfg)
{
    static const char *const keys[] = {"version", "rules", NULL};
    yaml_node_t *root = yaml_document_get_root_node(ld->doc);
    if (!root)
        return nrp_err_set(ld->err, "%s:1:1: the file is empty (expected 'version: 1' and 'rules')",
                           ld->name);
    if (root->type != YAML_MAPPING_NODE)
        return fail_at(ld, root, "the top level must be a mapping with 'version' and 'rules'");
    if (check_keys(ld, root, "the top level", keys))
        return NRP_ERROR;
    yaml_node_t *v = lookup(ld, root, "version");
    if (!v)
        return fail_at(ld, root, "missing required key 'version' (this host reads version %d)",
                       NRP_CONFIG_VERSION);
    const char *vs = scalar(v);
    char want[16];
    snprintf(want, sizeof want, "%d", NRP_CONFIG_VERSION);
    if (!vs || strcmp(vs, want) != 0 || v->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return fail_at(ld, v, "unsupported version '%s' (this host reads version %d)", vs ? vs : "?",
                       NRP_CONFIG_VERSION);
    yaml_node_t *rules = lookup(ld, root, "rules");
    if (!rules)
        return fail_at(ld, root, "missing required key 'rules'");
    return load_rules(ld, rules, cfg);
}

/* libyaml stops after one document; a second one would be silently
 * ignored, so it is refused like every other ambiguity. */
static int refuse_more_documents(yaml_parser_t *parser, const char *name, nrp_err *err)
{
    yaml_document_t next;
    if (!yaml_parser_load(parser, &next))
        return nrp_err_set(err, "%s:%lu:%lu: %s", name, (unsigned long)parser->problem_mark.line + 1,
                           (unsigned long)parser->problem_mark.column + 1,
                           parser->problem ? parser->problem : "invalid YAML");
    int more = yaml_document_get_root_node(&next) != NULL;
    unsigned long line = (unsigned long)next.start_mark.line + 1, col = (unsigned long)next.start_mark.column + 1;
    yaml_document_delete(&next);
    if (more)
        return nrp_err_set(err, "%s:%lu:%lu: a second YAML document; the file must hold exactly one", name, line,
                           col);
    return NRP_OK;
}

int nrp_config_load_buffer(const char *name, const char *text, size_t len, nrp_config **out,
                           nrp_err *err)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    nrp_config *cfg;
    int rc;

    *out = NULL;
    cfg = calloc(1, sizeof *cfg);
    if (!cfg || !(cfg->path = strdup(name))) {
        free(cfg);
        return nrp_err_set(err, "%s: out of memory", name);
    }
    if (!yaml_parser_initialize(&parser)) {
        nrp_config_free(cfg);
        return nrp_err_set(err, "%s: cannot initialise the YAML parser", name);
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        rc = nrp_err_set(err, "%s:%lu:%lu: %s%s%s", name, (unsigned long)parser.problem_mark.line + 1,
                         (unsigned long)parser.problem_mark.column + 1,
                         parser.problem ? parser.problem : "invalid YAML",
                         parser.context ? " " : "", parser.context ? parser.context : "");
        yaml_parser_delete(&parser);
        nrp_config_free(cfg);
        return rc;
    }
    loader ld = {name, &doc, err};
    rc = load_root(&ld, cfg);
    yaml_document_delete(&doc);
    if (rc == NRP_OK)
        rc = refuse_more_documents(&parser, name, err);
    yaml_parser_delete(&parser);
    if (rc) {
        nrp_config_free(cfg);
        return rc;
    }
    *out = cfg;
    return NRP_OK;
}

int nrp_config_load_file(const char *path, nrp_config **out, nrp_err *err)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    size_t len = 0, cap = 0;
    int rc;

    *out = NULL;
    if (!f)
        return nrp_err_set(err, "%s: cannot open: %s", path, strerror(errno));
    for (;;) {
        if (len == cap) {
            char *grown = realloc(text, cap = cap ? cap * 2 : 4096);
            if (!grown) {
                free(text);
                fclose(f);
                return nrp_err_set(err, "%s: out of memory reading the file", path);
            }
            text = grown;
        }
        size_t n = fread(text + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    if (ferror(f)) {
        rc = nrp_err_set(err, "%s: read error: %s", path, strerror(errno));
    } else {
        rc = nrp_config_load_buffer(path, text, len, out, err);
    }
    free(text);
    fclose(f);
    return rc;
}

void nrp_config_free(nrp_config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->rule_count; i++) {
        nrp_rule *r = &cfg->rules[i];
        free(r->name);
        free(r->assembly);
        free(r->type);
        free(r->method);
        free(r->strategy);
    }
    free(cfg->rules);
    free(cfg->path);
    free(cfg);
}
