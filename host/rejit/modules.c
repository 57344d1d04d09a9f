#include "rejit/modules.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "clr/metadata.h"
#include "nrp/result.h"
#include "util/array.h"

void nrp_modules_init(nrp_loaded_modules *m, const nrp_info *info, const nrp_app_assemblies *app)
{
    memset(m, 0, sizeof *m);
    pthread_mutex_init(&m->lock, NULL);
    m->info = info;
    m->app = app;
}

void nrp_modules_add(nrp_loaded_modules *m, const char *assembly, ModuleID module)
{
    pthread_mutex_lock(&m->lock);
    char *copy = NRP_ARRAY_GROW(m->items, m->count, m->cap) == NRP_OK ? strdup(assembly) : NULL;
    if (copy)
        m->items[m->count++] = (nrp_loaded_module){copy, module};
    pthread_mutex_unlock(&m->lock);
}

void nrp_modules_remove(nrp_loaded_modules *m, ModuleID module)
{
    pthread_mutex_lock(&m->lock);
    size_t kept = 0;
    for (size_t i = 0; i < m->count; i++) {
        if (m->items[i].module == module)
            free(m->items[i].assembly);
        else
            m->items[kept++] = m->items[i];
    }
    m->count = kept;
    pthread_mutex_unlock(&m->lock);
}

ModuleID nrp_modules_find(nrp_loaded_modules *m, const char *assembly, int ignore_case)
{
    ModuleID module = 0;
    pthread_mutex_lock(&m->lock);
    for (size_t i = 0; i < m->count && !module; i++)
        if ((ignore_case ? strcasecmp : strcmp)(m->items[i].assembly, assembly) == 0)
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
    return nrp_modules_find(m, assembly, 1) || nrp_app_assemblies_has(m->app, assembly);
}

nrp_result nrp_modules_file(nrp_loaded_modules *m, const char *assembly, char *path, size_t cap, nrp_err *err)
{
    ModuleID module = nrp_modules_find(m, assembly, 1);
    if (module && !NRP_FAILED(nrp_info_module_path(m->info, module, path, cap)) && path[0] &&
        access(path, R_OK) == 0)
        return NRP_OK;
    if (nrp_app_assemblies_file(m->app, assembly, path, cap) == NRP_OK)
        return NRP_OK;
    return nrp_err_set(err, "cannot find the file of assembly %s (%s, and no %s.dll in the app's folder%s%s)",
                       assembly, module ? "loaded from no readable file" : "not loaded", assembly,
                       m->app->dir[0] ? " " : "", m->app->dir);
}
