#include "plugin/bind.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/log.h"
#include "plugin/rewrite.h"
#include "util/path.h"

static void list_strategies(const nrp_plugin_set *set, nrp_strbuf *out)
{
    for (size_t i = 0; i < set->count; i++)
        for (uint32_t j = 0; j < set->items[i].desc->strategy_count; j++)
            nrp_strbuf_printf(out, "%s%s", out->len ? ", " : "", set->items[i].desc->strategies[j].name);
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

nrp_bound_rule *nrp_bind_rules(const nrp_config *cfg, const nrp_plugin_set *plugins, nrp_diags *diags)
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

void nrp_load_config_plugins(nrp_plugin_set *set, const char *bundle_plugin_dir, const nrp_config *cfg,
                             nrp_diags *refusals)
{
    if (bundle_plugin_dir)
        nrp_plugin_set_load_dir(set, bundle_plugin_dir, nrp_host_api_table(), refusals);
    for (uint32_t i = 0; i < cfg->plugin_path_count; i++) {
        const char *p = cfg->plugin_paths[i];
        struct stat st;
        nrp_err err;
        if (nrp_path_stat(p, &st) == 0 && S_ISDIR(st.st_mode))
            nrp_plugin_set_load_dir(set, p, nrp_host_api_table(), refusals);
        else if (nrp_plugin_set_load_file(set, p, nrp_host_api_table(), &err) != NRP_OK)
            nrp_plugin_refused(refusals, p, err.msg);
    }
}
