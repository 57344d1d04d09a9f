/*
 * loader.h - find, check and keep strategy plugins.
 *
 * Plugins are never dlclose()d: code they injected into methods may run
 * until the process ends.
 */
#ifndef NRP_PLUGIN_LOADER_H
#define NRP_PLUGIN_LOADER_H

#include <stddef.h>

#include "nrp/plugin.h"
#include "nrp/result.h"
#include "rules/diag.h"
#include "util/err.h"
#include "util/strbuf.h"

typedef struct nrp_loaded_plugin {
    char *path;
    const nrp_plugin *desc;
} nrp_loaded_plugin;

typedef struct nrp_plugin_set {
    nrp_loaded_plugin *items;
    size_t count;
    char **tried; /* every path attempted, loaded or refused: none is attempted twice */
    size_t tried_count, tried_cap;
} nrp_plugin_set;

/* Check a descriptor against this host: magic, size, ABI version and
 * fingerprint, and the shape of its strategy table. Pure; no loading. */
nrp_result nrp_plugin_check(const nrp_plugin *desc, const char *path, nrp_err *err);

/* Load every "*.so" in dir (sorted by name). A missing folder is not an
 * error. Each refused plugin is skipped and reported: to refusals when
 * given (nrprof check makes them errors), else as one error log line. */
void nrp_plugin_set_load_dir(nrp_plugin_set *set, const char *dir, const nrp_host_api *api, nrp_diags *refusals);

/* Report one refusal the way nrp_plugin_set_load_dir does. */
void nrp_plugin_refused(nrp_diags *refusals, const char *path, const char *reason);

/* Load one plugin file. On refusal returns NRP_ERROR with the reason;
 * NRP_DECLINE, with nothing reported, for a path attempted before (the
 * loader may meet a file twice: by its name, then in its folder). */
nrp_result nrp_plugin_set_load_file(nrp_plugin_set *set, const char *path, const nrp_host_api *api,
                                    nrp_err *err);

/* The strategy called name, and the plugin that provides it; NULL if none. */
const nrp_strategy *nrp_plugin_set_find(const nrp_plugin_set *set, const char *name,
                                        const nrp_loaded_plugin **owner);

/* "timing 0.1.0 [timing]; other 1.2 [a, b]" for the start-up log line. */
void nrp_plugin_set_describe(const nrp_plugin_set *set, nrp_strbuf *out);

/* Forget the bookkeeping (the shared objects stay mapped). */
void nrp_plugin_set_clear(nrp_plugin_set *set);

#endif
