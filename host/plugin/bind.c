#include "plugin/bind.h"

#include <stdlib.h>
#include <sys/stat.h>

#include "core/log.h"
#include "plugin/rewrite.h"

static void list_strategies(const nrp_plugin_set *set, nrp_strbuf *out)
{
    for (size_t i = 0; i < set->count; i++)
        for (uint32_t j = 0; j < set->items[i].desc->strategy_count; j++)
            nrp_strbuf_printf(out, "%s%s", out->len ? ", " : "", set->items[i].desc->strategies[j].name);
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
        /* Plugins cannot validate options yet (the plugin SDK milestone
         * adds it), so any given would be silently ignored: refuse. */
        if (r->has_options)
            nrp_diags_add(diags, r->options_pos.file, r->options_pos.line, r->options_pos.column,
                          "strategy '%s' takes no options", r->strategy);
    }
    return bound;
}

void nrp_load_config_plugins(nrp_plugin_set *set, const char *bundle_plugin_dir, const nrp_config *cfg)
{
    if (bundle_plugin_dir)
        nrp_plugin_set_load_dir(set, bundle_plugin_dir, nrp_host_api_table());
    for (uint32_t i = 0; i < cfg->plugin_path_count; i++) {
        const char *p = cfg->plugin_paths[i];
        struct stat st;
        nrp_err err;
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
            nrp_plugin_set_load_dir(set, p, nrp_host_api_table());
        else if (nrp_plugin_set_load_file(set, p, nrp_host_api_table(), &err) != NRP_OK)
            nrp_log(NRP_LOG_ERROR, "%s; it is not loaded", err.msg);
    }
}
