#include "plugin/bind.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/log.h"
#include "plugin/rewrite.h"
#include "util/path.h"

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "a, b, c": the strategies plugins provide, in name order. */
static void list_strategies(const nrp_plugin_set *set, nrp_strbuf *out)
{
    size_t n = 0, k = 0;
    for (size_t i = 0; i < set->count; i++)
        n += set->items[i].desc->strategy_count;
    const char **names = malloc((n ? n : 1) * sizeof *names);
    if (!names) {
        nrp_strbuf_puts(out, "?");
        return;
    }
    for (size_t i = 0; i < set->count; i++)
        for (uint32_t j = 0; j < set->items[i].desc->strategy_count; j++)
            names[k++] = set->items[i].desc->strategies[j].name;
    qsort(names, n, sizeof *names, by_name);
    for (k = 0; k < n; k++)
        nrp_strbuf_printf(out, "%s%s", k ? ", " : "", names[k]);
    free(names);
}

/* The strategy's plugin judges the rule's options; its message is
 * reported at the faulty option's own line. */
static void check_options(const nrp_rule *r, const nrp_strategy *s, const char *plugin, nrp_diags *diags)
{
    const nrp_pos *at = &r->options_pos;
    if (!s->validate) {
        if (r->has_options)
            nrp_diags_add(diags, at->file, at->line, at->column, "strategy '%s' takes no options", r->strategy);
        return;
    }
    nrp_options view = nrp_options_of(r);
    const char *bad = NULL;
    char reason[400] = "";
    if (s->validate(&view, &bad, reason, sizeof reason) == NRP_OK)
        return;
    for (uint32_t k = 0; bad && k < r->option_count; k++)
        if (r->options[k].key && strcmp(r->options[k].key, bad) == 0)
            at = &r->options[k].value_pos;
    if (!at->file) /* no options given at all: point at the strategy */
        at = &r->strategy_pos;
    nrp_diags_add(diags, at->file, at->line, at->column, "%s (plugin '%s', strategy '%s')",
                  reason[0] ? reason : "options rejected", plugin, r->strategy);
}

nrp_bound_rule *nrp_bind_rules(const nrp_config *cfg, const nrp_plugin_set *plugins, nrp_plugin_choice choice,
                               nrp_diags *diags)
{
    nrp_bound_rule *bound = calloc(cfg->rule_count ? cfg->rule_count : 1, sizeof *bound);
    if (!bound) {
        nrp_diags_add(diags, cfg->path, 0, 0, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < cfg->rule_count; i++) {
        const nrp_rule *r = &cfg->rules[i];
        const nrp_loaded_plugin *owner = NULL;
        bound[i].rule = r;
        if (r->invalid || !r->strategy)
            continue; /* the loader reported it already */
        bound[i].strategy = nrp_plugin_set_find(plugins, r->strategy, &owner);
        if (!bound[i].strategy && !r->enabled && choice == NRP_PLUGINS_USED)
            continue;
        if (!bound[i].strategy) {
            nrp_strbuf known;
            nrp_strbuf_init(&known);
            list_strategies(plugins, &known);
            nrp_diags_add(diags, r->strategy_pos.file, r->strategy_pos.line, r->strategy_pos.column,
                          "unknown strategy '%s' (loaded plugins provide: %s)", r->strategy,
                          known.data ? known.data : "none");
            nrp_strbuf_free(&known);
            continue;
        }
        bound[i].plugin = owner->desc->name;
        bound[i].plugin_abi_minor = owner->desc->abi_minor;
        check_options(r, bound[i].strategy, owner->desc->name, diags);
    }
    return bound;
}

/* A strategy an enabled rule needs that no plugin in set provides. */
static const char *missing_strategy(const nrp_config *cfg, const nrp_plugin_set *set)
{
    for (size_t i = 0; i < cfg->rule_count; i++) {
        const nrp_rule *r = &cfg->rules[i];
        if (r->enabled && !r->invalid && r->strategy && !nrp_plugin_set_find(set, r->strategy, NULL))
            return r->strategy;
    }
    return NULL;
}

/* A strategy name that can be part of a file name as it is. */
static int plain_name(const char *name)
{
    if (!*name || *name == '.')
        return 0;
    for (const char *c = name; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '_' && *c != '-' && *c != '.')
            return 0;
    return 1;
}

/* Load from dir the plugins named after strategies still missing. */
static void load_named(nrp_plugin_set *set, const char *dir, const nrp_config *cfg, nrp_diags *refusals)
{
    static const char *const forms[] = {"libnrp_%s.so", "%s.so"};
    for (size_t i = 0; i < cfg->rule_count; i++) {
        const nrp_rule *r = &cfg->rules[i];
        if (!r->enabled || r->invalid || !r->strategy || !plain_name(r->strategy) ||
            nrp_plugin_set_find(set, r->strategy, NULL))
            continue;
        for (size_t f = 0; f < sizeof forms / sizeof *forms; f++) {
            char name[300], path[4096];
            nrp_err err;
            struct stat st;
            if ((size_t)snprintf(name, sizeof name, forms[f], r->strategy) >= sizeof name ||
                nrp_path_join(dir, name, path, sizeof path) != NRP_OK || nrp_path_stat(path, &st) != 0)
                continue;
            if (nrp_plugin_set_load_file(set, path, nrp_host_api_table(), &err) == NRP_ERROR)
                nrp_plugin_refused(refusals, path, err.msg);
            break;
        }
    }
}

/* One source of plugins: the bundle's folder (a folder even when missing),
 * or an entry of `plugins:`. */
static void load_source(nrp_plugin_set *set, const char *path, int is_dir, int named_only, const nrp_config *cfg,
                        nrp_diags *refusals)
{
    struct stat st;
    nrp_err err;
    if (is_dir || (nrp_path_stat(path, &st) == 0 && S_ISDIR(st.st_mode))) {
        if (named_only)
            load_named(set, path, cfg, refusals);
        else
            nrp_plugin_set_load_dir(set, path, nrp_host_api_table(), refusals);
    }
    else if (nrp_plugin_set_load_file(set, path, nrp_host_api_table(), &err) == NRP_ERROR)
        nrp_plugin_refused(refusals, path, err.msg);
}

void nrp_load_config_plugins(nrp_plugin_set *set, const char *bundle_plugin_dir, const nrp_config *cfg,
                             nrp_plugin_choice choice, nrp_diags *refusals)
{
    for (int pass = choice == NRP_PLUGINS_USED ? 0 : 1; pass < 2; pass++) {
        if (pass == 1 && choice == NRP_PLUGINS_USED && !missing_strategy(cfg, set))
            return;
        if (bundle_plugin_dir)
            load_source(set, bundle_plugin_dir, 1, pass == 0, cfg, refusals);
        for (uint32_t i = 0; i < cfg->plugin_path_count; i++)
            load_source(set, cfg->plugin_paths[i], 0, pass == 0, cfg, refusals);
    }
}
