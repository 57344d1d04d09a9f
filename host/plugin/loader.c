#include "plugin/loader.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/array.h"
#include "util/log.h"
#include "util/path.h"
#include "util/trust.h"

static const char *libc_name(uint32_t libc)
{
    return libc == NRP_LIBC_GLIBC ? "glibc" : libc == NRP_LIBC_MUSL ? "musl" : "unknown libc";
}

nrp_result nrp_plugin_check(const nrp_plugin *d, const char *path, nrp_err *err)
{
    if (!d)
        return nrp_err_set(err, "plugin %s: %s() returned NULL", path, NRP_PLUGIN_ENTRY_SYMBOL);
    if (d->magic != NRP_PLUGIN_MAGIC)
        return nrp_err_set(err, "plugin %s: bad magic 0x%08x (not an nrp plugin descriptor)", path,
                           d->magic);
    if (d->abi_major != NRP_ABI_MAJOR || d->abi_minor > NRP_ABI_MINOR)
        return nrp_err_set(err, "plugin %s built for ABI %u.%u, host speaks %u.%u", path, d->abi_major,
                           d->abi_minor, NRP_ABI_MAJOR, NRP_ABI_MINOR);
    if (d->size < offsetof(nrp_plugin, reserved))
        return nrp_err_set(err, "plugin %s: descriptor of %u bytes is smaller than ABI %u.%u's %zu", path,
                           d->size, d->abi_major, d->abi_minor, offsetof(nrp_plugin, reserved));
    if (d->fingerprint.pointer_size != sizeof(void *) || d->fingerprint.libc != NRP_LIBC_FLAVOUR)
        return nrp_err_set(err, "plugin %s built for %u-bit %s, host is %zu-bit %s", path,
                           d->fingerprint.pointer_size * 8, libc_name(d->fingerprint.libc),
                           sizeof(void *) * 8, libc_name(NRP_LIBC_FLAVOUR));
    if (!d->name || !*d->name)
        return nrp_err_set(err, "plugin %s has no name", path);
    if (!d->strategies || d->strategy_count == 0)
        return nrp_err_set(err, "plugin %s (%s) provides no strategy", path, d->name);
    for (uint32_t i = 0; i < d->strategy_count; i++) {
        const nrp_strategy *s = &d->strategies[i];
        if (!s->name || !*s->name || !s->rewrite)
            return nrp_err_set(err, "plugin %s (%s): strategy #%u lacks a name or a rewrite function",
                               path, d->name, i);
        for (uint32_t j = 0; j < i; j++)
            if (strcmp(d->strategies[j].name, s->name) == 0)
                return nrp_err_set(err, "plugin %s (%s) declares strategy '%s' twice", path, d->name,
                                   s->name);
    }
    return NRP_OK;
}

const nrp_strategy *nrp_plugin_set_find(const nrp_plugin_set *set, const char *name,
                                        const nrp_loaded_plugin **owner)
{
    for (size_t i = 0; i < set->count; i++) {
        const nrp_plugin *d = set->items[i].desc;
        for (uint32_t j = 0; j < d->strategy_count; j++)
            if (strcmp(d->strategies[j].name, name) == 0) {
                if (owner)
                    *owner = &set->items[i];
                return &d->strategies[j];
            }
    }
    return NULL;
}

/* Note path as attempted; NRP_DECLINE if it was already. */
static nrp_result note_tried(nrp_plugin_set *set, const char *path, nrp_err *err)
{
    for (size_t i = 0; i < set->tried_count; i++)
        if (strcmp(set->tried[i], path) == 0)
            return NRP_DECLINE;
    char *copy = strdup(path);
    if (!copy || NRP_ARRAY_GROW(set->tried, set->tried_count, set->tried_cap) != NRP_OK) {
        free(copy);
        return nrp_err_set(err, "plugin %s: out of memory", path);
    }
    set->tried[set->tried_count++] = copy;
    return NRP_OK;
}

nrp_result nrp_plugin_set_load_file(nrp_plugin_set *set, const char *path, const nrp_host_api *api,
                                    nrp_err *err)
{
    char reason[400] = "";
    nrp_err why;
    nrp_result first = note_tried(set, path, err);
    if (first != NRP_OK)
        return first;
    if (access(path, F_OK) == 0 && nrp_file_trusted(path, &why) != NRP_OK)
        return nrp_err_set(err, "plugin refused: %s", why.msg);
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!handle)
        return nrp_err_set(err, "plugin %s: cannot load: %s", path, dlerror());
    /* From here on the object stays mapped even when refused: its
     * constructors have run and unloading buys nothing. */
    nrp_plugin_entry_fn entry = (nrp_plugin_entry_fn)(uintptr_t)dlsym(handle, NRP_PLUGIN_ENTRY_SYMBOL);
    if (!entry)
        return nrp_err_set(err, "plugin %s: missing entry point %s()", path, NRP_PLUGIN_ENTRY_SYMBOL);
    const nrp_plugin *d = entry();
    if (nrp_plugin_check(d, path, err) != NRP_OK)
        return NRP_ERROR;
    for (uint32_t i = 0; i < d->strategy_count; i++) {
        const nrp_loaded_plugin *other;
        if (nrp_plugin_set_find(set, d->strategies[i].name, &other))
            return nrp_err_set(err, "plugin %s (%s): strategy '%s' is already provided by %s", path,
                               d->name, d->strategies[i].name, other->path);
    }
    if (d->init && d->init(api, reason, sizeof reason) != NRP_OK)
        return nrp_err_set(err, "plugin %s (%s) failed to initialise: %s", path, d->name,
                           reason[0] ? reason : "no reason given");
    nrp_loaded_plugin *grown = realloc(set->items, (set->count + 1) * sizeof *grown);
    char *copy = strdup(path);
    if (!grown || !copy) {
        free(copy);
        if (grown)
            set->items = grown;
        return nrp_err_set(err, "plugin %s: out of memory", path);
    }
    set->items = grown;
    set->items[set->count].path = copy;
    set->items[set->count].desc = d;
    set->count++;
    return NRP_OK;
}

static int is_shared_object(const struct dirent *e)
{
    size_t n = strlen(e->d_name);
    return e->d_name[0] != '.' && n > 3 && strcmp(e->d_name + n - 3, ".so") == 0;
}

void nrp_plugin_refused(nrp_diags *refusals, const char *path, const char *reason)
{
    if (refusals)
        nrp_diags_add(refusals, path, 0, 0, "%s; it is not loaded", reason);
    else
        nrp_log(NRP_LOG_ERROR, "%s; it is not loaded", reason);
}

void nrp_plugin_set_load_dir(nrp_plugin_set *set, const char *dir, const nrp_host_api *api, nrp_diags *refusals)
{
    struct dirent **names = NULL;
    int n = scandir(dir, &names, is_shared_object, alphasort);
    if (n < 0) {
        if (errno != ENOENT) {
            char reason[600];
            snprintf(reason, sizeof reason, "cannot read plugin folder %s: %s", dir, strerror(errno));
            nrp_plugin_refused(refusals, dir, reason);
        }
        else
            NRP_LOG_DBG("no plugin folder at %s", dir);
        return;
    }
    for (int i = 0; i < n; i++) {
        char path[4096];
        nrp_err err;
        if (nrp_path_join(dir, names[i]->d_name, path, sizeof path) != NRP_OK)
            nrp_plugin_refused(refusals, dir, "plugin path too long");
        else if (nrp_plugin_set_load_file(set, path, api, &err) == NRP_ERROR)
            nrp_plugin_refused(refusals, path, err.msg);
        free(names[i]);
    }
    free(names);
}

void nrp_plugin_set_describe(const nrp_plugin_set *set, nrp_strbuf *out)
{
    if (set->count == 0)
        nrp_strbuf_puts(out, "none");
    for (size_t i = 0; i < set->count; i++) {
        const nrp_plugin *d = set->items[i].desc;
        uint32_t sdk = d->fingerprint.sdk_version;
        nrp_strbuf_printf(out, "%s%s %s (SDK %u.%u.%u) [", i ? "; " : "", d->name, d->version ? d->version : "?",
                          sdk >> 16, (sdk >> 8) & 0xFF, sdk & 0xFF);
        for (uint32_t j = 0; j < d->strategy_count; j++)
            nrp_strbuf_printf(out, "%s%s", j ? ", " : "", d->strategies[j].name);
        nrp_strbuf_puts(out, "]");
    }
}

void nrp_plugin_set_clear(nrp_plugin_set *set)
{
    for (size_t i = 0; i < set->count; i++)
        free(set->items[i].path);
    free(set->items);
    for (size_t i = 0; i < set->tried_count; i++)
        free(set->tried[i]);
    free(set->tried);
    *set = (nrp_plugin_set){0};
}
