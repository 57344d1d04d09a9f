/*
 * config_nodes.c - reading the nodes of a rules file's YAML document: an
 * error at a node's FILE:LINE:COL, a mapping's keys (each known, none
 * twice), and its values as strings, name patterns, booleans, integers
 * and lists of strings.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/config_internal.h"

void nrp_cfg_error_at(loader *ld, const yaml_node_t *n, const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    nrp_diags_add(ld->diags, ld->file, (unsigned)n->start_mark.line + 1, (unsigned)n->start_mark.column + 1, "%s",
                  msg);
}

yaml_node_t *nrp_cfg_lookup(loader *ld, yaml_node_t *map, const char *key)
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
void nrp_cfg_check_keys(loader *ld, yaml_node_t *map, const char *what, const char *const *allowed)
{
    uint32_t seen = 0;
    for (yaml_node_pair_t *a = map->data.mapping.pairs.start; a < map->data.mapping.pairs.top; a++) {
        yaml_node_t *k = node(ld, a->key);
        const char *key = scalar(k);
        if (!key) {
            nrp_cfg_error_at(ld, k, "%s keys must be plain strings", what);
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
            nrp_cfg_error_at(ld, k, "unknown key '%s' in %s (expected one of: %s)", key, what, list);
        } else if (seen & (1u << known)) {
            nrp_cfg_error_at(ld, k, "key '%s' appears twice in %s", key, what);
        }
        seen |= known >= 0 ? 1u << known : 0;
    }
}

char *nrp_cfg_dup_or_fail(loader *ld, const yaml_node_t *n, const char *s)
{
    char *d = strdup(s);
    if (!d)
        nrp_cfg_error_at(ld, n, "out of memory");
    return d;
}

/* A string value; NULL (with an error) when v is not a non-empty string. */
char *nrp_cfg_get_string(loader *ld, const yaml_node_t *v, const char *key)
{
    const char *s = scalar(v);
    if (!s || !*s) {
        nrp_cfg_error_at(ld, v, "'%s' must be a non-empty string", key);
        return NULL;
    }
    return nrp_cfg_dup_or_fail(ld, v, s);
}

/* A name pattern: '*' and '?' are the only wildcards; names never hold
 * blanks or control characters, so a pattern holding one is a mistake. */
char *nrp_cfg_get_glob(loader *ld, const yaml_node_t *v, const char *key)
{
    char *s = nrp_cfg_get_string(ld, v, key);
    if (!s)
        return NULL;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= ' ' || *p == 0x7F) {
            nrp_cfg_error_at(ld, v, "bad pattern '%s' for '%s': names hold no blanks or control characters", s, key);
            free(s);
            return NULL;
        }
    return s;
}

nrp_result nrp_cfg_get_bool(loader *ld, const yaml_node_t *v, const char *key, int *out)
{
    const char *s = scalar(v);
    if (s && is_plain(v) && (strcmp(s, "true") == 0 || strcmp(s, "false") == 0)) {
        *out = s[0] == 't';
        return NRP_OK;
    }
    nrp_cfg_error_at(ld, v, "'%s' must be true or false", key);
    return NRP_ERROR;
}

nrp_result nrp_cfg_get_int(loader *ld, const yaml_node_t *v, const char *key, long *out)
{
    const char *s = scalar(v);
    char *end = NULL;
    errno = 0;
    long n = s && is_plain(v) ? strtol(s, &end, 10) : 0;
    if (!s || !is_plain(v) || !*s || *end || errno) {
        nrp_cfg_error_at(ld, v, "'%s' must be an integer", key);
        return NRP_ERROR;
    }
    *out = n;
    return NRP_OK;
}

/* A list of strings (each checked as a pattern when globs is set). */
nrp_result nrp_cfg_get_string_list(loader *ld, yaml_node_t *v, const char *key, int globs, char ***out, uint32_t *count)
{
    *out = NULL;
    *count = 0;
    if (v->type != YAML_SEQUENCE_NODE) {
        nrp_cfg_error_at(ld, v, "'%s' must be a list", key);
        return NRP_ERROR;
    }
    size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    *out = calloc(n ? n : 1, sizeof **out);
    if (!*out) {
        nrp_cfg_error_at(ld, v, "out of memory");
        return NRP_ERROR;
    }
    nrp_result rc = NRP_OK;
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *item = node(ld, v->data.sequence.items.start[i]);
        char *s = globs ? nrp_cfg_get_glob(ld, item, key) : nrp_cfg_get_string(ld, item, key);
        if (!s)
            rc = NRP_ERROR;
        else
            (*out)[(*count)++] = s;
    }
    return rc;
}

void nrp_cfg_free_list(char **list, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++)
        free(list[i]);
    free(list);
}
