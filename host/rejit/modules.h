/*
 * modules.h - the modules the runtime has loaded, by simple assembly name,
 * and the app's own list of what it can load.
 *
 * Matching asks it where `base` follows a type into another assembly;
 * rewrites ask it whether the app can load an assembly and from which
 * file. Appended at every module load, pruned at unload; any thread.
 */
#ifndef NRP_REJIT_MODULES_H
#define NRP_REJIT_MODULES_H

#include <pthread.h>
#include <stddef.h>

#include "clr/info.h"
#include "clr/type_hierarchy.h"
#include "nrp/result.h"
#include "rejit/app_assemblies.h"
#include "rejit/module_cache.h"
#include "util/err.h"

typedef struct nrp_loaded_module {
    char *assembly;
    uint64_t hash;           /* nrp_hash_str_nocase of the name: looked at before the name */
    ModuleID module;
    nrp_module_cache *cache; /* what its rewrites reuse; NULL when out of memory */
} nrp_loaded_module;

typedef struct nrp_loaded_modules {
    pthread_mutex_t lock;
    const nrp_info *info;
    /* What the app's assembly resolution can load: read when first asked
     * (only rewrites that reference another assembly ask), not at start-up. */
    pthread_mutex_t app_lock;
    int app_read;
    nrp_app_assemblies app;
    nrp_loaded_module *items;
    size_t count, cap;
} nrp_loaded_modules;

void nrp_modules_init(nrp_loaded_modules *m, const nrp_info *info);

/* A module finished loading. Out of memory, it is left out: `base` then
 * waits for it as if it were not loaded. Returns 0 when the module is
 * listed already (a profiler that attached may hear of a module both from
 * its list of loaded modules and from ModuleLoadFinished), else 1. */
int nrp_modules_add(nrp_loaded_modules *m, const char *assembly, ModuleID module);

/* The ModuleIDs listed now, in a malloc'd array (NULL when out of memory
 * or none). */
ModuleID *nrp_modules_list(nrp_loaded_modules *m, size_t *count);

/* A module is unloading: asking the runtime about it would name a module
 * that no longer exists. Its cache goes with it (a rewrite still running
 * keeps its own reference). */
void nrp_modules_remove(nrp_loaded_modules *m, ModuleID module);

/* The runtime shuts down: every module's cache is dropped, its interfaces
 * released (a rewrite still running keeps its own reference). Later
 * rewrites, if any, ask the runtime each time. */
void nrp_modules_drop_caches(nrp_loaded_modules *m);

/* The cache of a loaded module, with a reference for the caller
 * (nrp_module_cache_release it), or NULL: the module is not in the list
 * (unloading, or its load was never seen) or has no cache. A module that
 * is not listed gets none, so nothing is kept for a ModuleID the runtime
 * may give to a later module. */
nrp_module_cache *nrp_modules_cache(nrp_loaded_modules *m, ModuleID module);

/* The loaded module of that assembly (names compared exactly, or without
 * case as the runtime's binder does), or 0. */
ModuleID nrp_modules_find(nrp_loaded_modules *m, const char *assembly, int ignore_case);

/* IMetaDataImport of the loaded module of that assembly, AddRef'd, or NULL
 * when it is not loaded or cannot be read. */
nrp_com_object *nrp_modules_import(nrp_loaded_modules *m, const char *assembly);

/* The app's normal resolution finds the assembly: it is loaded, or in the
 * app's trusted list (its deps.json, or its folder when it has none). */
int nrp_modules_resolvable(nrp_loaded_modules *m, const char *assembly);

/* The file behind an assembly: the loaded module's, else NAME.dll in the
 * app's folder, where the runtime finds what the app references. */
nrp_result nrp_modules_file(nrp_loaded_modules *m, const char *assembly, char *path, size_t cap, nrp_err *err);

/* For type_hierarchy's walks across assemblies (ctx: the nrp_loaded_modules). */
nrp_com_object *nrp_modules_import_of(void *ctx, const char *assembly);

#endif
