#include "core/profiler.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "clr/info.h"
#include "clr/metadata.h"
#include "clr/module_scan.h"
#include "clr/type_hierarchy.h"
#include "core/app_assemblies.h"
#include "core/exporter.h"
#include "core/log.h"
#include "core/self_path.h"
#include "core/signals.h"
#include "il/il_method.h"
#include "sig/sig.h"
#include "metrics/metrics.h"
#include "plugin/bind.h"
#include "plugin/loader.h"
#include "plugin/rewrite.h"
#include "rejit/module_env.h"
#include "rejit/targets.h"
#include "rejit/worker.h"
#include "rules/config.h"
#include "rules/glob.h"
#include "rules/match.h"
#include "rules/rule_index.h"
#include "core/process.h"
#include "util/path.h"

#define DEFAULT_METRICS_PATH "/tmp/nrprof-{pid}.prom"
#define DEFAULT_METRICS_INTERVAL_S 60
#define CONFIG_FILE_NAME "instrumentation.yaml"
#define PLUGIN_DIR_NAME "plugins"
/* The runtime events the profiler asks for. JIT compilation is added when
 * a collectible module needs it (watch_jit). */
#define EVENTS (NRP_PRF_MONITOR_MODULE_LOADS | NRP_PRF_ENABLE_REJIT)

/* How long ModuleLoadFinished waits for the worker's RequestReJIT. Long
 * enough that the rewrite is in place before the module's first call in
 * practice; bounded so a stuck runtime can never hang the app. */
#define REJIT_WAIT_MS 2000

typedef nrp_bound_rule active_rule;

static struct session {
    nrp_info info;
    nrp_config *config;
    active_rule *rules;
    size_t active_count;
    nrp_plugin_set plugins;
    nrp_rule_index *index;
    nrp_metrics *metrics;
    nrp_targets *targets;
    char metrics_path[4096];
    nrp_app_assemblies app;     /* what the app's assembly resolution can load */
    uint64_t *rewritten;
    uint64_t *skipped;
    uint64_t *failed;
    int ready;
} S;

/* ---- start-up ---------------------------------------------------------- */

static int resolve_config_path(const char *self_dir, char *out, size_t cap)
{
    const char *env = getenv("NRP_CONFIG");
    if (env && *env)
        return snprintf(out, cap, "%s", env) < (int)cap ? NRP_OK : NRP_ERROR;
    return nrp_path_join(self_dir, CONFIG_FILE_NAME, out, cap);
}

static void log_diags(const nrp_diags *diags)
{
    for (size_t i = 0; i < diags->count; i++) {
        nrp_strbuf line;
        nrp_strbuf_init(&line);
        nrp_diag_format(&diags->items[i], &line);
        nrp_log(NRP_LOG_ERROR, "%s", line.data ? line.data : "?");
        nrp_strbuf_free(&line);
    }
}

/* settings.processes, after the built-in SDK excludes. NULL when this
 * process is to be profiled, else the reason. */
static const char *process_refusal(const char *name, char *why, size_t cap)
{
    const nrp_settings *st = &S.config->settings;
    for (const char *const *p = nrp_builtin_process_excludes; *p; p++)
        if (nrp_glob_match(*p, name)) {
            snprintf(why, cap, "process '%s' is an SDK or build process (built-in exclude '%s')", name, *p);
            return why;
        }
    int included = st->process_include_count == 0;
    for (uint32_t i = 0; i < st->process_include_count && !included; i++)
        included = nrp_glob_match(st->process_include[i], name);
    if (!included) {
        snprintf(why, cap, "process '%s' matches no settings.processes.include pattern", name);
        return why;
    }
    for (uint32_t i = 0; i < st->process_exclude_count; i++)
        if (nrp_glob_match(st->process_exclude[i], name)) {
            snprintf(why, cap, "process '%s' is excluded by settings.processes.exclude '%s'", name,
                     st->process_exclude[i]);
            return why;
        }
    return NULL;
}

/* Exit paths vary (Environment.Exit, unhandled exceptions, return from
 * Main); the runtime's Shutdown callback is not reached on all of them. */
static void export_at_exit(void)
{
    nrp_exporter_stop();
}

static void finish_on_signal(int signo);

static void describe_start(void)
{
    nrp_strbuf plugins;
    nrp_strbuf_init(&plugins);
    nrp_plugin_set_describe(&S.plugins, &plugins);
    nrp_log(NRP_LOG_INFO, "nrprof %s: config %s: %zu rule(s), %zu active; plugins: %s; metrics to %s",
            NRP_SDK_VERSION_STRING, S.config->path, S.config->rule_count, S.active_count,
            plugins.data ? plugins.data : "?", S.metrics_path);
    nrp_strbuf_free(&plugins);
}

static HRESULT cancel(const char *why)
{
    nrp_log(NRP_LOG_ERROR, "%s; the process runs uninstrumented", why);
    nrp_info_release(&S.info);
    return NRP_CORPROF_E_PROFILER_CANCEL_ACTIVATION;
}

/* What CreateInstance decides, before the runtime hands us anything:
 * read the configuration and apply the process filter, so an excluded
 * process (the SDK, build servers, settings.processes) pays nothing more.
 * Errors in the configuration are kept for Initialize to report. */
static struct prepared {
    int done;
    HRESULT verdict;
    char self_dir[4096];
    char config_path[4096];
    nrp_diags diags;
} P;

HRESULT nrp_profiler_prepare(void)
{
    char name[256], why[600];
    if (P.done)
        return P.verdict;
    P.done = 1;
    P.verdict = NRP_CORPROF_E_PROFILER_CANCEL_ACTIVATION;
    nrp_log_init_from_env();
    nrp_diags_init(&P.diags);
    if (nrp_self_dir(P.self_dir, sizeof P.self_dir) != NRP_OK) {
        nrp_log(NRP_LOG_ERROR, "cannot find the folder of libNewRelicProfiler.so; the process runs uninstrumented");
        return P.verdict;
    }
    if (resolve_config_path(P.self_dir, P.config_path, sizeof P.config_path) != NRP_OK) {
        nrp_log(NRP_LOG_ERROR, "config path too long; the process runs uninstrumented");
        return P.verdict;
    }
    if (nrp_config_load_trusted(P.config_path, &S.config, &P.diags) != NRP_OK && !S.config) {
        log_diags(&P.diags);
        nrp_log(NRP_LOG_ERROR, "out of memory loading the config; the process runs uninstrumented");
        return P.verdict;
    }
    if (nrp_diags_total(&P.diags) == 0) {
        nrp_log_apply_settings(S.config->settings.has_log_level, S.config->settings.log_level,
                               S.config->settings.log_file);
        nrp_process_name(name, sizeof name);
        if (process_refusal(name, why, sizeof why)) {
            /* Debug: a process left out (the SDK's, a tool's) makes no log file. */
            nrp_log(NRP_LOG_DEBUG, "%s: not profiled", why);
            return P.verdict;
        }
    }
    P.verdict = NRP_S_OK;
    return P.verdict;
}

HRESULT nrp_profiler_initialize(nrp_com_object *runtime_info)
{
    char path[4096], why[4400];
    const char *metrics_env = getenv("NRP_METRICS_FILE");
    const nrp_settings *settings;
    nrp_diags diags;
    HRESULT hr;

    if (NRP_FAILED(nrp_profiler_prepare()))
        return NRP_CORPROF_E_PROFILER_CANCEL_ACTIVATION;
    hr = nrp_info_acquire(runtime_info, &S.info);
    if (NRP_FAILED(hr))
        return cancel("the runtime offers no ICorProfilerInfo5 (needs .NET Core 3.0 or later)");
    diags = P.diags;
    memset(&P.diags, 0, sizeof P.diags);
    settings = &S.config->settings;
    if (nrp_path_expand_pid(metrics_env && *metrics_env ? metrics_env
                            : settings->metrics_path ? settings->metrics_path
                                                     : DEFAULT_METRICS_PATH,
                            S.metrics_path, sizeof S.metrics_path) != NRP_OK)
        return cancel("the metrics path is too long");
    S.metrics = nrp_metrics_create();
    S.targets = nrp_targets_create();
    if (!S.metrics || !S.targets)
        return cancel("out of memory at start-up");
    S.rewritten = nrp_metrics_counter(S.metrics, "nrp_methods_rewritten_total",
                                      "Methods whose IL the profiler rewrote.", NULL, NULL);
    S.failed = nrp_metrics_counter(S.metrics, "nrp_method_rewrite_failures_total",
                                   "Methods left uninstrumented because a rewrite failed.", NULL, NULL);
    S.skipped = nrp_metrics_counter(S.metrics, "nrp_methods_skipped_total",
                                    "Matched methods left as they are: the IL decoder cannot handle them, or every strategy declined.", NULL, NULL);
    if (!S.rewritten || !S.skipped || !S.failed)
        return cancel("out of memory at start-up");

    if (nrp_path_join(P.self_dir, PLUGIN_DIR_NAME, path, sizeof path) != NRP_OK)
        return cancel("plugin folder path too long");
    nrp_load_config_plugins(&S.plugins, path, S.config, NULL);
    S.rules = nrp_bind_rules(S.config, &S.plugins, &diags);
    for (size_t i = 0; S.rules && i < S.config->rule_count; i++)
        S.active_count += S.rules[i].strategy && S.rules[i].rule->enabled;
    if (!S.rules || nrp_diags_total(&diags) || diags.oom) {
        size_t errors = nrp_diags_total(&diags);
        log_diags(&diags);
        snprintf(why, sizeof why, "config %s rejected (%zu error%s%s)", S.config->path, errors,
                 errors == 1 ? "" : "s", diags.dropped ? ", the first " NRP_SDK_STR(NRP_DIAGS_MAX) " logged" : "");
        nrp_diags_free(&diags);
        return cancel(why);
    }
    describe_start();
    if (S.active_count == 0)
        return cancel("no rule is enabled");
    S.index = nrp_rule_index_build(S.config->rules, S.config->rule_count);
    if (!S.index)
        return cancel("out of memory indexing the rules");
    nrp_err err;
    if (nrp_rejit_worker_start(&S.info, &err) != NRP_OK)
        return cancel(err.msg);
    /* ReadyToRun code and tiered compilation stay on: rewrites go through
     * ReJIT, which reaches precompiled methods too. */
    hr = nrp_info_set_event_mask(&S.info, EVENTS, 0);
    if (NRP_FAILED(hr)) {
        snprintf(why, sizeof why, "the runtime refused the event mask (0x%08x)", (unsigned)hr);
        return cancel(why);
    }
    if (nrp_exporter_start(S.metrics, S.metrics_path, settings->metrics_format,
                           settings->metrics_interval_s < 0 ? DEFAULT_METRICS_INTERVAL_S : settings->metrics_interval_s,
                           &err) != NRP_OK)
        return cancel(err.msg);
    char main_path[4096];
    if (nrp_process_main_path(main_path, sizeof main_path) != NRP_OK ||
        nrp_app_assemblies_load(&S.app, main_path) != NRP_OK)
        nrp_log(NRP_LOG_WARN, "cannot find the app's main assembly; handler assemblies count as loadable only once loaded");
    atexit(export_at_exit);
    S.ready = 1;
    if (nrp_signals_start(finish_on_signal, &err) != NRP_OK)
        nrp_log(NRP_LOG_WARN, "%s; metrics are not written when SIGTERM or SIGINT ends the process", err.msg);
    return NRP_S_OK;
}

/* ---- matching at module load ------------------------------------------- */

/* Loaded modules by assembly name, for `base` to follow a type into the
 * assembly that defines it. Appended at every module load. */
static struct {
    pthread_mutex_t lock;
    struct loaded_module {
        char *assembly;
        ModuleID module;
    } *items;
    size_t count, cap;
} M = {PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0};

static void remember_module(const char *assembly, ModuleID module)
{
    pthread_mutex_lock(&M.lock);
    if (M.count == M.cap) {
        size_t cap = M.cap ? M.cap * 2 : 64;
        struct loaded_module *grown = realloc(M.items, cap * sizeof *grown);
        if (grown) {
            M.items = grown;
            M.cap = cap;
        }
    }
    char *copy = M.count < M.cap ? strdup(assembly) : NULL;
    if (copy)
        M.items[M.count++] = (struct loaded_module){copy, module};
    pthread_mutex_unlock(&M.lock);
}

/* Unloaded modules leave the list: asking the runtime about one would
 * name a module that no longer exists. */
static void forget_module(ModuleID module)
{
    pthread_mutex_lock(&M.lock);
    size_t kept = 0;
    for (size_t i = 0; i < M.count; i++) {
        if (M.items[i].module == module)
            free(M.items[i].assembly);
        else
            M.items[kept++] = M.items[i];
    }
    M.count = kept;
    pthread_mutex_unlock(&M.lock);
}

typedef struct module_scan module_scan;
static void note_missing(module_scan *m, const char *assembly);

static nrp_com_object *import_of(void *ctx, const char *assembly)
{
    ModuleID module = 0;
    nrp_com_object *mdi = NULL;
    pthread_mutex_lock(&M.lock);
    for (size_t i = 0; i < M.count && !module; i++)
        if (strcmp(M.items[i].assembly, assembly) == 0)
            module = M.items[i].module;
    pthread_mutex_unlock(&M.lock);
    if (module && NRP_FAILED(nrp_info_module_metadata(&S.info, module, NRP_OF_READ, &NRP_IID_IMetaDataImport, &mdi)))
        mdi = NULL;
    if (!module)
        note_missing(ctx, assembly);
    return mdi;
}

struct module_scan {
    ModuleID module;
    nrp_com_object *mdi;
    const nrp_scan_method *current;
    char missing[256];           /* an assembly `base` needed that is not loaded yet */
    const char *assembly;
    const nrp_version *version;  /* NULL when the assembly has none we could read */
    const nrp_module_rules *rules;
    ModuleID *modules;
    mdToken *methods;
    size_t count;
    size_t cap;
    int oom;
    int jit_time;                /* a collectible module: see hand_over */
};

static void note_missing(module_scan *m, const char *assembly)
{
    if (m)
        snprintf(m->missing, sizeof m->missing, "%s", assembly);
}

/* The app's normal resolution finds an assembly it has loaded, or one in
 * its trusted list (its deps.json, or its folder when it has none). */
static int assembly_resolvable(const char *assembly)
{
    int loaded = 0;
    pthread_mutex_lock(&M.lock);
    for (size_t i = 0; i < M.count && !loaded; i++)
        loaded = strcasecmp(M.items[i].assembly, assembly) == 0;
    pthread_mutex_unlock(&M.lock);
    return loaded || nrp_app_assemblies_has(&S.app, assembly);
}

/* The file behind an assembly: the loaded module's, else NAME.dll in the
 * app's folder, where the runtime finds what the app references. */
static int assembly_file(const char *assembly, char *path, size_t cap, nrp_err *err)
{
    ModuleID module = 0;
    pthread_mutex_lock(&M.lock);
    for (size_t i = 0; i < M.count && !module; i++)
        if (strcasecmp(M.items[i].assembly, assembly) == 0)
            module = M.items[i].module;
    pthread_mutex_unlock(&M.lock);
    if (module && !NRP_FAILED(nrp_info_module_path(&S.info, module, path, cap)) && path[0] &&
        access(path, R_OK) == 0)
        return NRP_OK;
    if (nrp_app_assemblies_file(&S.app, assembly, path, cap) == NRP_OK)
        return NRP_OK;
    return nrp_err_set(err, "cannot find the file of assembly %s (%s, and no %s.dll in the app's folder%s%s)",
                       assembly, module ? "loaded from no readable file" : "not loaded", assembly,
                       S.app.dir[0] ? " " : "", S.app.dir);
}

/* Methods whose `base` question needs an assembly that is not loaded yet:
 * asked again when it loads, before any of its types can be used. */
typedef struct pending_method {
    ModuleID module;
    char *assembly;              /* of the method */
    int have_version;
    nrp_version version;
    char *waiting_for;           /* the assembly to load */
    char *type, *name, *params, *display;
    mdToken method, type_token;
    int is_static;
    struct pending_method *next;
} pending_method;

static pthread_mutex_t pending_lock = PTHREAD_MUTEX_INITIALIZER;
static pending_method *pending;

static int want_type(void *ctx, const char *type)
{
    return nrp_module_rules_want_type(((const module_scan *)ctx)->rules, type);
}

static int want_method(void *ctx, const char *type, const char *method)
{
    return nrp_module_rules_want_method(((const module_scan *)ctx)->rules, type, method);
}

static int grow_batch(module_scan *m)
{
    if (m->count < m->cap)
        return NRP_OK;
    size_t cap = m->cap ? m->cap * 2 : 16;
    ModuleID *mods = realloc(m->modules, cap * sizeof *mods);
    if (mods)
        m->modules = mods;
    mdToken *meths = mods ? realloc(m->methods, cap * sizeof *meths) : NULL;
    if (!mods || !meths)
        return NRP_ERROR;
    m->methods = meths;
    m->cap = cap;
    return NRP_OK;
}

static void hand_over(const module_scan *scan);
static int module_is_collectible(ModuleID module);

static void free_pending(pending_method *p)
{
    free(p->assembly), free(p->waiting_for), free(p->type), free(p->name), free(p->params), free(p->display);
    free(p);
}

static void defer_method(const module_scan *m, const nrp_scan_method *sm)
{
    pending_method *p = calloc(1, sizeof *p);
    if (!p)
        return;
    *p = (pending_method){m->module, strdup(m->assembly), m->version != NULL, {{0}}, strdup(m->missing),
                          strdup(sm->type), strdup(sm->name), strdup(sm->params), strdup(sm->display),
                          sm->method, sm->type_token, sm->is_static, NULL};
    if (m->version)
        p->version = *m->version;
    if (!p->assembly || !p->waiting_for || !p->type || !p->name || !p->params || !p->display) {
        free_pending(p);
        return;
    }
    NRP_LOG_DBG("%s waits for %s to load before its base types can be checked", sm->display, m->missing);
    pthread_mutex_lock(&pending_lock);
    p->next = pending;
    pending = p;
    pthread_mutex_unlock(&pending_lock);
}

static void on_method(void *ctx, const nrp_scan_method *sm);

/* Unlink the waiting methods `match` picks, as a list of their own. */
static pending_method *take_pending(int (*match)(const pending_method *, const void *), const void *key)
{
    pending_method *taken = NULL;
    pthread_mutex_lock(&pending_lock);
    for (pending_method **pp = &pending; *pp;) {
        if (match(*pp, key)) {
            pending_method *p = *pp;
            *pp = p->next;
            p->next = taken;
            taken = p;
        } else {
            pp = &(*pp)->next;
        }
    }
    pthread_mutex_unlock(&pending_lock);
    return taken;
}

static int waits_for(const pending_method *p, const void *assembly)
{
    return strcmp(p->waiting_for, assembly) == 0;
}

static int is_of_module(const pending_method *p, const void *module)
{
    return p->module == *(const ModuleID *)module;
}

/* An assembly loaded: ask again for the methods that waited for it. */
static void resume_pending(const char *loaded)
{
    pending_method *ready = take_pending(waits_for, loaded);
    while (ready) {
        pending_method *p = ready;
        ready = p->next;
        int oom = 0;
        nrp_com_object *mdi = NULL;
        nrp_module_rules *rules = nrp_rule_index_module(S.index, p->assembly, p->have_version ? &p->version : NULL, &oom);
        if (rules && !NRP_FAILED(nrp_info_module_metadata(&S.info, p->module, NRP_OF_READ, &NRP_IID_IMetaDataImport, &mdi))) {
            module_scan scan = {p->module, mdi, NULL, "", p->assembly, p->have_version ? &p->version : NULL, rules,
                                NULL, NULL, 0, 0, 0, module_is_collectible(p->module)};
            nrp_scan_method sm = {p->type, p->name, p->params, p->display, p->method, p->type_token, p->is_static};
            on_method(&scan, &sm); /* may defer again, waiting for the next assembly */
            hand_over(&scan);
            free(scan.modules);
            free(scan.methods);
            nrp_com_release(mdi);
        }
        nrp_module_rules_free(rules);
        free_pending(p);
    }
}

static int has_attribute(void *ctx, const char *attribute)
{
    const module_scan *m = ctx;
    return nrp_md_has_attribute(m->mdi, m->current->method, attribute);
}

static int derives_from(void *ctx, const char *base)
{
    module_scan *m = ctx;
    const nrp_hierarchy_env env = {m, import_of};
    return nrp_md_derives_from(m->mdi, m->current->type_token, base, &env);
}

/* More rules select the method than may apply: the highest priorities do;
 * the log names the others. Rare, so the full list is asked for again. */
static void warn_rules_left_out(const nrp_module_rules *rules, const nrp_method_view *view, size_t n,
                                const char *display)
{
    uint32_t *all = malloc(n * sizeof *all);
    nrp_strbuf names;
    nrp_strbuf_init(&names);
    if (all && nrp_module_rules_select_all(rules, view, all, n) == n)
        for (size_t i = 0; i < n - NRP_MAX_RULES_PER_METHOD; i++)
            nrp_strbuf_printf(&names, "%s'%s'", i ? ", " : "", S.rules[all[i]].rule->name);
    nrp_log(NRP_LOG_WARN, "%zu rules select %s; the %d of highest priority apply, these are left out: %s", n, display,
            NRP_MAX_RULES_PER_METHOD, names.data ? names.data : "(out of memory)");
    nrp_strbuf_free(&names);
    free(all);
}

/* Every rule that selects the method applies, in ascending priority. */
static void on_method(void *ctx, const nrp_scan_method *sm)
{
    module_scan *m = ctx;
    m->current = sm;
    m->missing[0] = '\0';
    nrp_method_view view = {m->assembly, m->version, sm->type,      sm->name,     sm->is_static,
                            sm->params,  m,          has_attribute, derives_from};
    uint32_t rules[NRP_MAX_RULES_PER_METHOD];
    size_t n = nrp_module_rules_select_all(m->rules, &view, rules, NRP_MAX_RULES_PER_METHOD);
    if (n == 0) {
        if (m->missing[0])
            defer_method(m, sm);
        return;
    }
    if (n > NRP_MAX_RULES_PER_METHOD) {
        warn_rules_left_out(m->rules, &view, n, sm->display);
        n = NRP_MAX_RULES_PER_METHOD;
    }
    nrp_target t = {m->module, sm->method, {0}, (uint32_t)n, (char *)m->assembly, (char *)sm->type, (char *)sm->name,
                    (char *)sm->display, sm->is_static, NULL, m->jit_time, 0};
    memcpy(t.rules, rules, n * sizeof rules[0]);
    if (grow_batch(m) != NRP_OK || nrp_targets_add(S.targets, &t) != NRP_OK) {
        m->oom = 1;
        return;
    }
    NRP_LOG_DBG("%zu rule(s) select %s in %s, first '%s'", n, sm->display, m->assembly, S.rules[rules[0]].rule->name);
    m->modules[m->count] = m->module;
    m->methods[m->count] = sm->method;
    m->count++;
}

static int read_assembly_version(ModuleID module, nrp_version *v)
{
    nrp_com_object *asm_import = NULL;
    uint16_t parts[4];
    HRESULT hr = nrp_info_module_metadata(&S.info, module, NRP_OF_READ, &NRP_IID_IMetaDataAssemblyImport, &asm_import);
    if (!NRP_FAILED(hr))
        hr = nrp_mdasm_assembly_version(asm_import, parts);
    nrp_com_release(asm_import);
    if (NRP_FAILED(hr))
        return NRP_ERROR;
    for (int i = 0; i < 4; i++)
        v->part[i] = parts[i];
    return NRP_OK;
}

static void request_rejit(const module_scan *scan)
{
    HRESULT rejit_hr = NRP_S_OK;
    nrp_rejit_outcome o = nrp_rejit_request(scan->modules, scan->methods, scan->count, REJIT_WAIT_MS, &rejit_hr);
    if (o == NRP_REJIT_TIMED_OUT)
        nrp_log(NRP_LOG_WARN, "ReJIT of %zu method(s) in %s not confirmed within %d ms; their first calls may "
                "run uninstrumented", scan->count, scan->assembly, REJIT_WAIT_MS);
    else if (o == NRP_REJIT_NO_MEMORY)
        nrp_log(NRP_LOG_ERROR, "out of memory requesting ReJIT in %s", scan->assembly);
    else if (NRP_FAILED(rejit_hr))
        nrp_log(NRP_LOG_ERROR, "the runtime refused ReJIT of %zu method(s) in %s (0x%08x)", scan->count,
                scan->assembly, (unsigned)rejit_hr);
    else
        nrp_log(NRP_LOG_DEBUG, "ReJIT requested for %zu method(s) in %s", scan->count, scan->assembly);
}

/* The runtime never ReJITs code of a collectible AssemblyLoadContext (asked,
 * it says yes and never calls back), so such a module's matched methods get
 * their new body when first compiled (JITCompilationStarted). */
static int module_is_collectible(ModuleID module)
{
    DWORD flags = 0;
    return !NRP_FAILED(nrp_info_module_flags(&S.info, module, &flags)) && (flags & NRP_PRF_MODULE_COLLECTIBLE);
}

/* JIT events cost a callback per compiled method: asked for only once a
 * collectible module needs them. */
static int jit_watched;

static void watch_jit(const char *assembly, size_t count)
{
    if (__atomic_exchange_n(&jit_watched, 1, __ATOMIC_ACQ_REL))
        return;
    HRESULT hr = nrp_info_set_event_mask(&S.info, EVENTS | NRP_PRF_MONITOR_JIT_COMPILATION, 0);
    if (NRP_FAILED(hr)) {
        nrp_log(NRP_LOG_WARN, "the runtime refused JIT events (0x%08x): %zu matched method(s) of %s, a collectible "
                "assembly, and those of any later one stay uninstrumented", (unsigned)hr, count, assembly);
        __atomic_store_n(&jit_watched, 0, __ATOMIC_RELEASE);
    }
}

static void hand_over(const module_scan *scan)
{
    if (!scan->count)
        return;
    if (!scan->jit_time) {
        request_rejit(scan);
        return;
    }
    watch_jit(scan->assembly, scan->count);
    NRP_LOG_DBG("%zu method(s) of %s (collectible: no ReJIT) are rewritten when first compiled", scan->count,
                scan->assembly);
}

void nrp_profiler_module_load_finished(ModuleID module, HRESULT status)
{
    char assembly[512];
    nrp_com_object *mdi = NULL;
    nrp_version version;
    int oom = 0;

    if (!S.ready || NRP_FAILED(status))
        return;
    if (NRP_FAILED(nrp_info_module_assembly_name(&S.info, module, assembly, sizeof assembly)))
        return;
    remember_module(assembly, module);
    resume_pending(assembly);
    if (!nrp_rule_index_names(S.index, assembly))
        return; /* the common case: no rule names this assembly */
    int have_version = read_assembly_version(module, &version) == NRP_OK;
    nrp_module_rules *rules = nrp_rule_index_module(S.index, assembly, have_version ? &version : NULL, &oom);
    if (oom)
        nrp_log(NRP_LOG_ERROR, "out of memory matching rules in %s; its methods stay uninstrumented", assembly);
    if (!rules)
        return;
    HRESULT hr = nrp_info_module_metadata(&S.info, module, NRP_OF_READ, &NRP_IID_IMetaDataImport, &mdi);
    if (NRP_FAILED(hr)) {
        nrp_log(NRP_LOG_WARN, "cannot read metadata of %s (0x%08x); its methods stay uninstrumented", assembly,
                (unsigned)hr);
        nrp_module_rules_free(rules);
        return;
    }
    module_scan scan = {module, mdi,  NULL, "", assembly, have_version ? &version : NULL, rules, NULL, NULL, 0, 0, 0,
                        module_is_collectible(module)};
    nrp_scan_visitor visitor = {&scan, want_type, want_method, on_method};
    hr = nrp_module_scan(mdi, &visitor);
    if (NRP_FAILED(hr))
        nrp_log(NRP_LOG_WARN, "reading the types of %s failed (0x%08x); some methods may stay uninstrumented",
                assembly, (unsigned)hr);
    if (scan.oom)
        nrp_log(NRP_LOG_ERROR, "out of memory matching rules in %s; some methods stay uninstrumented", assembly);
    nrp_com_release(mdi);
    hand_over(&scan);
    free(scan.modules);
    free(scan.methods);
    nrp_module_rules_free(rules);
}

/* Methods of an unloading module that waited for another assembly: there
 * is nothing left to rewrite. */
static void forget_pending(ModuleID module)
{
    pending_method *gone = take_pending(is_of_module, &module);
    while (gone) {
        pending_method *p = gone;
        gone = p->next;
        free_pending(p);
    }
}

void nrp_profiler_module_unload_started(ModuleID module)
{
    if (!S.ready)
        return;
    forget_module(module);
    forget_pending(module);
    size_t n = nrp_targets_forget_module(S.targets, module);
    if (n)
        NRP_LOG_DBG("module 0x%llx unloading: %zu matched method(s) forgotten", (unsigned long long)module, n);
}

/* ---- rewriting ---------------------------------------------------------- */

typedef enum rewrite_outcome { REWRITTEN, SKIPPED, FAILED } rewrite_outcome;

/* Cost of one rewrite, reported at trace level for bench/il_cost.sh. */
typedef struct rewrite_cost {
    uint64_t engine_ns; /* decode + strategy + encode */
    uint32_t in_size;
    size_t out_size;
} rewrite_cost;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Where a new body goes: ReJIT's function control, or SetILFunctionBody
 * before a first compilation. */
typedef struct il_sink {
    nrp_com_object *control; /* NULL: the JIT-time way */
    ModuleID module;
    mdToken method;
} il_sink;

static HRESULT sink_set_il(const il_sink *sink, const uint8_t *body, size_t size)
{
    if (sink->control)
        return nrp_function_control_set_il(sink->control, (ULONG)size, body);
    return nrp_info_set_il_function_body(&S.info, sink->module, sink->method, body, (ULONG)size);
}

static rewrite_outcome rewrite(const nrp_target *t, const il_sink *sink, rewrite_cost *cost, nrp_err *err)
{
    nrp_module_env env;
    nrp_rewrite rw;
    const uint8_t *il = NULL;
    ULONG il_size = 0;
    uint8_t *out = NULL;
    size_t size = 0;
    rewrite_outcome result = FAILED;
    HRESULT hr;

    memset(&rw, 0, sizeof rw);
    static const nrp_hierarchy_env types = {NULL, import_of};
    if (nrp_module_env_open(&env, &S.info, t->module, t->assembly, &types, assembly_resolvable, assembly_file,
                            err) != NRP_OK)
        goto done;
    hr = nrp_info_il_body(&S.info, t->module, t->method, &il, &il_size);
    if (NRP_FAILED(hr)) {
        nrp_err_set(err, "cannot read its IL (0x%08x)", (unsigned)hr);
        goto done;
    }
    rw.method = (nrp_method_info){.size = sizeof(nrp_method_info), .assembly = t->assembly, .type = t->type,
                                  .name = t->name, .display = t->display};
    if (nrp_module_env_method(&env, t->method, &rw.method, err) != NRP_OK)
        goto done;
    cost->in_size = il_size;
    uint64_t engine_start = now_ns();
    if (nrp_il_method_decode(il, il_size, rw.method.signature, rw.method.signature_len, &env.il, &rw.il, err) !=
        NRP_OK) {
        result = SKIPPED;
        goto done;
    }
    rw.metrics = S.metrics;
    rw.md = &env.md;
    /* Each strategy wraps what the ones before it built; one failure and
     * the method keeps its original IL (nothing is encoded). */
    uint32_t applied = 0;
    for (uint32_t k = 0; k < t->rule_count; k++) {
        const active_rule *ar = &S.rules[t->rules[k]];
        nrp_options options = nrp_options_of(ar->rule);
        rw.method.rule = ar->rule->name;
        rw.options = &options;
        rw.slot = &t->plugin_slots[k];
        int rc = nrp_rewrite_apply(&rw, ar->plugin, ar->strategy, err);
        if (rc == NRP_DECLINE) {
            NRP_LOG_DBG("rule '%s' (strategy '%s') declines %s", ar->rule->name, ar->strategy->name, t->display);
            continue;
        }
        applied++;
        if (rc != NRP_OK) {
            char reason[sizeof err->msg];
            snprintf(reason, sizeof reason, "%s", err->msg);
            nrp_err_set(err, "rule '%s': %s", ar->rule->name, reason);
            goto done;
        }
    }
    rw.options = NULL;
    if (!applied) {
        nrp_err_set(err, "every rule's strategy declined it");
        result = SKIPPED;
        goto done;
    }
    if (nrp_il_method_encode(rw.il, &out, &size, err) != NRP_OK || nrp_module_env_publish(&env, err) != NRP_OK)
        goto done;
    cost->engine_ns = now_ns() - engine_start;
    cost->out_size = size;
    hr = sink_set_il(sink, out, size);
    if (NRP_FAILED(hr)) {
        nrp_err_set(err, "the runtime refused the new body (0x%08x)", (unsigned)hr);
        goto done;
    }
    result = REWRITTEN;
done:
    free(out);
    nrp_il_method_free(rw.il);
    nrp_module_env_close(&env);
    return result;
}

/* Rewrite one target through sink, and count and log the outcome. */
static void rewrite_target(const nrp_target *t, const il_sink *sink)
{
    nrp_err err;
    rewrite_cost cost = {0, 0, 0};
    int tracing = nrp_log_enabled(NRP_LOG_TRACE);
    uint64_t start = tracing ? now_ns() : 0;

    switch (rewrite(t, sink, &cost, &err)) {
    case REWRITTEN:
        __atomic_fetch_add(S.rewritten, 1, __ATOMIC_RELAXED);
        if (nrp_log_enabled(NRP_LOG_DEBUG)) {
            nrp_strbuf names;
            nrp_strbuf_init(&names);
            for (uint32_t k = 0; k < t->rule_count; k++)
                nrp_strbuf_printf(&names, "%s'%s'", k ? ", " : "", S.rules[t->rules[k]].rule->name);
            nrp_log(NRP_LOG_DEBUG, "rewrote %s with rule%s %s", t->display, t->rule_count > 1 ? "s" : "",
                    names.data ? names.data : "?");
            nrp_strbuf_free(&names);
        }
        if (tracing)
            nrp_log(NRP_LOG_TRACE, "cost: %.2f us engine, %.2f us in all, IL %u -> %zu bytes: %s",
                    cost.engine_ns / 1000.0, (now_ns() - start) / 1000.0, cost.in_size, cost.out_size, t->display);
        break;
    case SKIPPED:
        __atomic_fetch_add(S.skipped, 1, __ATOMIC_RELAXED);
        NRP_LOG_DBG("skipping %s: %s", t->display, err.msg);
        break;
    case FAILED:
        __atomic_fetch_add(S.failed, 1, __ATOMIC_RELAXED);
        nrp_log(NRP_LOG_ERROR, "%s stays uninstrumented: %s", t->display, err.msg);
        break;
    }
}

HRESULT nrp_profiler_get_rejit_parameters(ModuleID module, mdToken method, nrp_com_object *control)
{
    nrp_target t;
    if (!S.ready || !nrp_targets_find(S.targets, module, method, &t))
        return NRP_S_OK; /* not ours: the runtime keeps the original IL */
    const il_sink sink = {control, module, method};
    rewrite_target(&t, &sink);
    return NRP_S_OK;
}

void nrp_profiler_jit_compilation_started(FunctionID function)
{
    ModuleID module = 0;
    mdToken method = 0;
    nrp_target t;
    if (!S.ready || !__atomic_load_n(&jit_watched, __ATOMIC_ACQUIRE) ||
        NRP_FAILED(nrp_info_function_info(&S.info, function, &module, &method)) ||
        !nrp_targets_find(S.targets, module, method, &t) || !t.jit_time)
        return; /* not ours */
    if (!nrp_targets_claim(S.targets, module, method)) {
        NRP_LOG_DBG("%s compiled again: it keeps its new body", t.display);
        return;
    }
    const il_sink sink = {NULL, module, method};
    rewrite_target(&t, &sink);
}

void nrp_profiler_rejit_error(ModuleID module, mdToken method, HRESULT status)
{
    nrp_target t;
    if (S.ready && nrp_targets_find(S.targets, module, method, &t))
        nrp_log(NRP_LOG_ERROR, "the runtime could not rejit %s (0x%08x); it stays uninstrumented", t.display,
                (unsigned)status);
}

/* The runtime's Shutdown or a terminating signal (why), whichever comes
 * first, logs the one shutdown line. Both export: a process a signal did
 * not end at once (the runtime's own SIGTERM path on .NET 8 runs
 * ProcessExit handlers, then Shutdown) writes its last counts again. */
static void finish(const char *why)
{
    static int logged;
    if (!S.ready)
        return;
    if (!__atomic_exchange_n(&logged, 1, __ATOMIC_ACQ_REL))
        nrp_log(NRP_LOG_INFO, "shutdown%s: %zu method(s) matched, %llu rewritten, %llu skipped, %llu failed", why,
                nrp_targets_count(S.targets), (unsigned long long)__atomic_load_n(S.rewritten, __ATOMIC_RELAXED),
                (unsigned long long)__atomic_load_n(S.skipped, __ATOMIC_RELAXED),
                (unsigned long long)__atomic_load_n(S.failed, __ATOMIC_RELAXED));
    nrp_exporter_stop();
}

/* On the signal thread (core/signals.c), never in the handler itself. */
static void finish_on_signal(int signo)
{
    char why[32];
    snprintf(why, sizeof why, " (%s)", nrp_signals_name(signo));
    finish(why);
}

void nrp_profiler_shutdown(void)
{
    finish("");
}
