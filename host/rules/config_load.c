/*
 * config_load.c - the loader's entry points (config.h): a load from a file
 * or from text, the checks across every file read, and freeing.
 */
#include <stdlib.h>
#include <string.h>

#include "rules/config_internal.h"

typedef struct named_rule {
    const char *name;
    size_t index;
} named_rule;

static int by_name_then_index(const void *a, const void *b)
{
    const named_rule *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* Names are unique across every file: each later use of a name is reported
 * at its own line, naming the first. Sorted, not compared pairwise, so tens
 * of thousands of rules cost milliseconds. */
static void check_names(loader *ld)
{
    nrp_config *cfg = ld->cfg;
    named_rule *sorted = malloc((cfg->rule_count ? cfg->rule_count : 1) * sizeof *sorted);
    size_t *first = malloc((cfg->rule_count ? cfg->rule_count : 1) * sizeof *first);
    size_t n = 0;
    if (!sorted || !first) {
        nrp_diags_add(ld->diags, cfg->path, 0, 0, "out of memory checking rule names");
        goto out;
    }
    for (size_t i = 0; i < cfg->rule_count; i++) {
        first[i] = i;
        if (cfg->rules[i].name)
            sorted[n++] = (named_rule){cfg->rules[i].name, i};
    }
    qsort(sorted, n, sizeof *sorted, by_name_then_index);
    for (size_t k = 1; k < n; k++)
        if (strcmp(sorted[k].name, sorted[k - 1].name) == 0)
            first[sorted[k].index] = first[sorted[k - 1].index];
    for (size_t i = 0; i < cfg->rule_count; i++)
        if (first[i] != i) { /* in file order, as the loader reports everything */
            const nrp_pos *p = &cfg->rules[i].name_pos, *q = &cfg->rules[first[i]].name_pos;
            nrp_diags_add(ld->diags, p->file, p->line, p->column, "rule name '%s' is already used at %s:%u:%u",
                          cfg->rules[i].name, q->file, q->line, q->column);
        }
out:
    free(sorted);
    free(first);
}

static nrp_result finish(loader *ld, nrp_config **out, size_t errors_before, int keep)
{
    check_names(ld);
    if (nrp_diags_total(ld->diags) > errors_before || ld->diags->status != NRP_OK) {
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

static nrp_result start(loader *ld, const char *name, nrp_diags *diags)
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
    ld->cfg->settings.reload = 1;
    return NRP_OK;
}

static nrp_result load_buffer(const char *name, const char *text, size_t len, nrp_config **out, nrp_diags *diags,
                              int keep)
{
    loader ld;
    size_t before = nrp_diags_total(diags);
    *out = NULL;
    if (start(&ld, name, diags) != NRP_OK)
        return NRP_ERROR;
    ld.is_main = 1;
    nrp_cfg_load_text(&ld, name, text, len);
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

static nrp_result load_file(const char *path, const nrp_config_source *sources, size_t count, nrp_config **out,
                            nrp_diags *diags, int keep, int trust)
{
    loader ld;
    size_t before = nrp_diags_total(diags);
    *out = NULL;
    if (start(&ld, path, diags) != NRP_OK)
        return NRP_ERROR;
    ld.check_trust = trust;
    nrp_cfg_load_path(&ld, path, NULL);
    ld.is_main = 0;
    for (size_t i = 0; i < count; i++)
        nrp_cfg_load_text(&ld, sources[i].name, sources[i].text, sources[i].len);
    return finish(&ld, out, before, keep);
}

int nrp_config_load_file(const char *path, nrp_config **out, nrp_diags *diags)
{
    return load_file(path, NULL, 0, out, diags, 0, 0);
}

int nrp_config_load_file_keep(const char *path, nrp_config **out, nrp_diags *diags)
{
    return load_file(path, NULL, 0, out, diags, 1, 0);
}

int nrp_config_load_trusted(const char *path, nrp_config **out, nrp_diags *diags)
{
    return load_file(path, NULL, 0, out, diags, 1, 1);
}

int nrp_config_load_trusted_with(const char *path, const nrp_config_source *sources, size_t count,
                                 nrp_config **out, nrp_diags *diags)
{
    return load_file(path, sources, count, out, diags, 1, 1);
}

static void free_match(nrp_match *m)
{
    free(m->assembly);
    free(m->type);
    free(m->method);
    nrp_cfg_free_list(m->parameters, m->parameter_count);
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
    nrp_cfg_free_list(cfg->files, cfg->file_count);
    nrp_cfg_free_list(cfg->plugin_paths, cfg->plugin_path_count);
    nrp_cfg_free_list(cfg->include_patterns, cfg->include_pattern_count);
    free(cfg->settings.log_file);
    free(cfg->settings.metrics_path);
    free(cfg->settings.metrics_buckets_ns);
    nrp_cfg_free_list(cfg->settings.process_include, cfg->settings.process_include_count);
    nrp_cfg_free_list(cfg->settings.process_exclude, cfg->settings.process_exclude_count);
    free(cfg->path);
    free(cfg);
}
