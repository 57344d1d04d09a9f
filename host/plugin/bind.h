/*
 * bind.h - tie each rule of a configuration to the strategy that runs it.
 * Shared by the profiler and `nrprof check`, so both report the same
 * errors for the same files.
 */
#ifndef NRP_PLUGIN_BIND_H
#define NRP_PLUGIN_BIND_H

#include "plugin/loader.h"
#include "rules/config.h"
#include "rules/diag.h"

typedef struct nrp_bound_rule {
    const nrp_rule *rule;
    const nrp_strategy *strategy; /* NULL when binding failed, or the loader found a problem in the rule */
    const char *plugin;           /* the providing plugin's name */
    uint16_t plugin_abi_minor;    /* the ABI minor it declares: what it may assume of the host */
} nrp_bound_rule;

/* Which plugins a configuration needs loaded. */
typedef enum nrp_plugin_choice {
    NRP_PLUGINS_ALL, /* every plugin of every folder, every rule checked: nrprof check */
    NRP_PLUGINS_USED /* those the enabled rules use: the profiler (see nrp_load_config_plugins) */
} nrp_plugin_choice;

/* One entry per rule, in rule order. Unknown strategies and options no
 * plugin can validate are reported to diags (at the strategy's or the
 * options' own line). With NRP_PLUGINS_USED a disabled rule whose
 * strategy is not loaded is left unbound without a word: its plugin was
 * not loaded for it. Returns NULL only when out of memory. */
nrp_bound_rule *nrp_bind_rules(const nrp_config *cfg, const nrp_plugin_set *plugins, nrp_plugin_choice choice,
                               nrp_diags *diags);

/* Load the plugins a configuration names (`plugins:` files and folders),
 * after those of the bundle folder (may be NULL). Plugins already in set
 * stay, and no path is attempted twice, so a changed configuration can be
 * loaded into the same set.
 *
 * NRP_PLUGINS_ALL loads every plugin, folder by folder in name order.
 * NRP_PLUGINS_USED first loads, from each folder in turn, the plugin named
 * after a strategy that an enabled rule needs and no loaded plugin has yet
 * (`libnrp_NAME.so`, else `NAME.so`), and every file `plugins:` names;
 * only when some strategy is still missing does it load the rest as
 * NRP_PLUGINS_ALL does. The bundle's default rules thus load one plugin.
 *
 * Refusals go to refusals when given, else to the log (see
 * nrp_plugin_set_load_dir). */
void nrp_load_config_plugins(nrp_plugin_set *set, const char *bundle_plugin_dir, const nrp_config *cfg,
                             nrp_plugin_choice choice, nrp_diags *refusals);

#endif
