#include "rejit/modules.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "clr/metadata.h"
#include "nrp/result.h"
#include "util/array.h"
#include "util/hash.h"
#include "util/log.h"
#include "util/process.h"

void nrp_modules_init(nrp_loaded_modules *m, const nrp_info *info)
{
    memset(m, 0, sizeof *m);
    pthread_mutex_init(&m->lock, NULL);
    pthread_mutex_init(&m->app_lock, NULL);
    m->info = info;
}

/* The app's list of assemblies, read the first time it is needed. */
static const nrp_app_assemblies *app_list(nrp_loaded_modules *m)
{
    pthread_mutex_lock(&m->app_lock);
    if (!m->app_read) {
        char main_path[4096];
        m->app_read = 1;
        if (nrp_process_main_path(main_path, sizeof main_path) != NRP_OK ||
            nrp_app_assemblies_load(&m->app, main_path) != NRP_OK)
            nrp_log(NRP_LOG_WARN,
                    "cannot find the app's main assembly; handler assemblies count as loadable only once loaded");
    }
    pthread_mutex_unlock(&m->app_lock);
    return &m->app;
}

static void release_iface(void *iface)
{
    nrp_com_release(iface);
}

int nrp_modules_add(nrp_loaded_modules *m, const char *assembly, ModuleID module)
{
    /* Out of memory, the module's rewrites just ask the runtime every time. */
    nrp_module_cache *cache = nrp_module_cache_create(release_iface);
    pthread_mutex_lock(&m->lock);
    for (size_t i = 0; i < m->count; i++)
        if (m->items[i].module == module) {
            pthread_mutex_unlock(&m->lock);
            nrp_module_cache_release(cache);
            return 0;
        }
    char *copy = NRP_ARRAY_GROW(m->items, m->count, m->cap) == NRP_OK ? strdup(assembly) : NULL;
    if (copy) {
        m->items[m->count++] = (nrp_loaded_module){copy, nrp_hash_str_nocase(NRP_HASH_INIT, copy), module, cache};
        cache = NULL;
    }
    pthread_mutex_unlock(&m->lock);
    nrp_module_cache_release(cache);
    return 1;
}

ModuleID *nrp_modules_list(nrp_loaded_modules *m, size_t *count)
{
    pthread_mutex_lock(&m->lock);
    ModuleID *ids = m->count ? malloc(m->count * sizeof *ids) : NULL;
    *count = ids ? m->count : 0;
    for (size_t i = 0; i < *count; i++)
        ids[i] = m->items[i].module;
    pthread_mutex_unlock(&m->lock);
    return ids;
}

void nrp_modules_remove(nrp_loaded_modules *m, ModuleID module)
{
    /* One entry at a time, so the cache's interfaces are released (a call
     * into the runtime) with the lock free. */
    for (;;) {
        nrp_loaded_module gone = {NULL, 0, 0, NULL};
        pthread_mutex_lock(&m->lock);
        for (size_t i = 0; i < m->count; i++) {
            if (m->items[i].module == module) {
                /* Order kept: nrp_modules_find answers with the first of a name. */
                gone = m->items[i];
                memmove(&m->items[i], &m->items[i + 1], (m->count - i - 1) * sizeof *m->items);
                m->count--;
                break;
            }
        }
        pthread_mutex_unlock(&m->lock);
        if (!gone.assembly)
            return;
        free(gone.assembly);
        nrp_module_cache_release(gone.cache);
    }
}

void nrp_modules_drop_caches(nrp_loaded_modules *m)
{
    /* One at a time, released with the lock free, as in nrp_modules_remove. */
    for (;;) {
        nrp_module_cache *gone = NULL;
        pthread_mutex_lock(&m->lock);
        for (size_t i = 0; i < m->count && !gone; i++) {
            gone = m->items[i].cache;
            m->items[i].cache = NULL;
        }
        pthread_mutex_unlock(&m->lock);
        if (!gone)
            return;
        nrp_module_cache_release(gone);
    }
}

nrp_module_cache *nrp_modules_cache(nrp_loaded_modules *m, ModuleID module)
{
    nrp_module_cache *cache = NULL;
    pthread_mutex_lock(&m->lock);
    for (size_t i = 0; i < m->count; i++) {
        if (m->items[i].module == module) {
            cache = m->items[i].cache;
            if (cache)
                nrp_module_cache_retain(cache);
            break;
        }
    }
    pthread_mutex_unlock(&m->lock);
    return cache;
}

ModuleID nrp_modules_find(nrp_loaded_modules *m, const char *assembly, int ignore_case)
{
    ModuleID module = 0;
    uint64_t hash = nrp_hash_str_nocase(NRP_HASH_INIT, assembly);
    pthread_mutex_lock(&m->lock);
    for (size_t i = 0; i < m->count && !module; i++)
        if (m->items[i].hash == hash && (ignore_case ? strcasecmp : strcmp)(m->items[i].assembly, assembly) == 0)
            module = m->items[i].module;
    pthread_mutex_unlock(&m->lock);
    return module;
}

nrp_com_object *nrp_modules_import(nrp_loaded_modules *m, const char *assembly)
{
    nrp_com_object *mdi = NULL;
    ModuleID module = nrp_modules_find(m, assembly, 0);
    if (module && NRP_FAILED(nrp_info_module_metadata(m->info, module, NRP_OF_READ, &NRP_IID_IMetaDataImport, &mdi)))
        mdi = NULL;
    return mdi;
}

nrp_com_object *nrp_modules_import_of(void *ctx, const char *assembly)
{
    return nrp_modules_import(ctx, assembly);
}

int nrp_modules_resolvable(nrp_loaded_modules *m, const char *assembly)
{
    return nrp_modules_find(m, assembly, 1) || nrp_app_assemblies_has(app_list(m), assembly);
}

nrp_result nrp_modules_file(nrp_loaded_modules *m, const char *assembly, char *path, size_t cap, nrp_err *err)
{
    ModuleID module = nrp_modules_find(m, assembly, 1);
    if (module && !NRP_FAILED(nrp_info_module_path(m->info, module, path, cap)) && path[0] &&
        access(path, R_OK) == 0)
        return NRP_OK;
    const nrp_app_assemblies *app = app_list(m);
    if (nrp_app_assemblies_file(app, assembly, path, cap) == NRP_OK)
        return NRP_OK;
    return nrp_err_set(err, "cannot find the file of assembly %s (%s, and no %s.dll in the app's folder%s%s)",
                       assembly, module ? "loaded from no readable file" : "not loaded", assembly,
                       app->dir[0] ? " " : "", app->dir);
}
