#include "core/lifetime.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clr/info.h"
#include "rejit/app_assemblies.h"
#include "core/exporter.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/process.h"
#include "core/self_path.h"
#include "core/signals.h"
#include "metrics/metrics.h"
#include "nrp/plugin.h"
#include "plugin/bind.h"
#include "plugin/loader.h"
#include "rejit/modules.h"
#include "rejit/rewrite.h"
#include "rejit/scan.h"
#include "rejit/targets.h"
#include "rejit/worker.h"
#include "rules/config.h"
#include "rules/glob.h"
#include "rules/rule_index.h"
#include "util/path.h"
#include "util/strbuf.h"
#include "util/array.h"
#include "util/thread.h"
#include "util/watch.h"

#define DEFAULT_METRICS_PATH "/tmp/nrprof-{pid}.prom"
#define DEFAULT_METRICS_INTERVAL_S 60
#define CONFIG_FILE_NAME "instrumentation.yaml"
#define PLUGIN_DIR_NAME "plugins"
/* The runtime events the profiler asks for. JIT compilation is added when
 * a collectible module needs it (rejit/scan.c). */
#define EVENTS (NRP_PRF_MONITOR_MODULE_LOADS | NRP_PRF_ENABLE_REJIT)

/* The one profiling session of the process. CreateInstance decides
 * (prepare) before the runtime hands us anything: an SDK or build process,
 * known by its name, pays nothing more. Initialize takes the runtime's
 * interface, sets the event mask (ReJIT can only be enabled there) and
 * starts the start-up thread, which does the rest while the runtime goes on
 * starting: the configuration (settings.processes may still leave the
 * process out), the plugins, the rule index. The session is then READY,
 * and the callbacks forward to the scanner (module loads) and the
 * rewriter (ReJIT), or DORMANT, and they return at once; a callback that
 * comes first waits for the outcome (ready()). The start-up thread then
 * starts what no callback needs (the exporter, the exit handler, the
 * signal thread) and becomes the ReJIT worker. */
enum session_state { NOT_STARTED, STARTING, READY, DORMANT };

/* One rule set in force: a configuration, its rules bound and indexed, the
 * methods they select, and the scanner and rewriter that work from them.
 * The start-up builds the first; a reload builds the next, matches the
 * loaded modules against it, swaps it in and asks for what changed. A
 * generation replaced stays allocated until exit: a callback may still be
 * reading it, and a reload is rare. */
typedef struct generation {
    unsigned number;
    nrp_config *config;
    nrp_bound_rule *rules;
    size_t active_count;
    nrp_rule_index *index;
    nrp_targets *targets;
    nrp_scanner scanner;
    nrp_rewriter rewriter;
    struct generation *previous; /* asked for methods while this one is still being matched */
    int matching;                /* a reload is matching the loaded modules against it */
    int busy;                    /* module loads matching against it now */
} generation;
enum phase { P_CONFIG, P_PLUGINS, P_INDEX, P_EXPORTER, P_SIGNALS, P_COUNT };
static struct session {
    /* prepare */
    int prepared;
    HRESULT verdict;
    char self_dir[4096];
    char config_path[4096];
    nrp_diags diags;
    nrp_config *config;
    /* initialize */
    nrp_info info;
    nrp_plugin_set plugins;     /* of every generation: plugins are never unloaded */
    nrp_metrics *metrics;
    char metrics_path[4096];
    nrp_loaded_modules modules;
    nrp_rewriter rewriter_base; /* the counters every generation's rewriter shares */
    struct generation *gen;     /* the rules in force (current()) */
    nrp_watch *watch;           /* the rules files, when settings.reload */
    uint64_t config_signature;  /* theirs when start() read them */
    int state;                  /* enum session_state, read by the callbacks */
    int serving;                /* exporter, exit handler and signal thread started (or failed to) */
    int attached;               /* InitializeForAttach: the process ran before we came */
    char process_name[256];
    /* start-up phases, for the debug line that says where the time went */
    struct timespec phase_at;
    double prepare_ms, initialize_ms;
    double ms[P_COUNT]; /* the start-up thread's, by enum phase */
} S;

static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t state_settled = PTHREAD_COND_INITIALIZER;

/* The rules in force. */
static generation *current(void)
{
    return __atomic_load_n(&S.gen, __ATOMIC_SEQ_CST);
}

/* Whether the session is READY, once the start-up thread has decided: a
 * callback that comes while it works waits for it, as it would have waited
 * for Initialize. */
static uint64_t startup_wait_ns; /* how long callbacks waited in ready(), for the debug log */
static double phase_ms(struct timespec *at);
static int ready(void)
{
    int state = __atomic_load_n(&S.state, __ATOMIC_ACQUIRE);
    if (state == STARTING) {
        struct timespec at;
        clock_gettime(CLOCK_MONOTONIC, &at);
        pthread_mutex_lock(&state_lock);
        while ((state = __atomic_load_n(&S.state, __ATOMIC_ACQUIRE)) == STARTING)
            pthread_cond_wait(&state_settled, &state_lock);
        pthread_mutex_unlock(&state_lock);
        __atomic_add_fetch(&startup_wait_ns, (uint64_t)(phase_ms(&at) * 1e6), __ATOMIC_RELAXED);
    }
    return state == READY;
}

static void settle(enum session_state state)
{
    pthread_mutex_lock(&state_lock);
    __atomic_store_n(&S.state, (int)state, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&state_settled);
    pthread_mutex_unlock(&state_lock);
}

/* finish() waits for start_services, which never blocks: a process that
 * ends right after the session became READY still writes its metrics. */
static void wait_for_services(void)
{
    if (__atomic_load_n(&S.serving, __ATOMIC_ACQUIRE))
        return;
    pthread_mutex_lock(&state_lock);
    while (!__atomic_load_n(&S.serving, __ATOMIC_ACQUIRE))
        pthread_cond_wait(&state_settled, &state_lock);
    pthread_mutex_unlock(&state_lock);
}

/* Milliseconds since the last call (or since *at was set), and restart. */
static double phase_ms(struct timespec *at)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double ms = (double)(now.tv_sec - at->tv_sec) * 1e3 + (double)(now.tv_nsec - at->tv_nsec) / 1e6;
    *at = now;
    return ms;
}

/* ---- prepare: CreateInstance ------------------------------------------- */

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

/* The built-in excludes: the SDK's and build tools' processes. NULL when
 * this process is not one, else the reason. */
static const char *builtin_refusal(const char *name, char *why, size_t cap)
{
    for (const char *const *p = nrp_builtin_process_excludes; *p; p++)
        if (nrp_glob_match(*p, name)) {
            snprintf(why, cap, "process '%s' is an SDK or build process (built-in exclude '%s')", name, *p);
            return why;
        }
    return NULL;
}

/* settings.processes. NULL when this process is to be profiled, else the
 * reason. */
static const char *settings_refusal(const char *name, char *why, size_t cap)
{
    const nrp_settings *st = &S.config->settings;
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

HRESULT nrp_profiler_prepare(void)
{
    char why[600];
    if (S.prepared)
        return S.verdict;
    S.prepared = 1;
    S.verdict = NRP_CORPROF_E_PROFILER_CANCEL_ACTIVATION;
    clock_gettime(CLOCK_MONOTONIC, &S.phase_at);
    nrp_log_init_from_env();
    /* The first calibration point: the start-up itself is the span the
     * TSC's first scale is measured over (util/clock.h). */
    nrp_clock_start();
    nrp_diags_init(&S.diags);
    if (nrp_self_dir(S.self_dir, sizeof S.self_dir) != NRP_OK) {
        nrp_log(NRP_LOG_ERROR, "cannot find the folder of libNewRelicProfiler.so; the process runs uninstrumented");
        return S.verdict;
    }
    if (resolve_config_path(S.self_dir, S.config_path, sizeof S.config_path) != NRP_OK) {
        nrp_log(NRP_LOG_ERROR, "config path too long; the process runs uninstrumented");
        return S.verdict;
    }
    nrp_process_name(S.process_name, sizeof S.process_name);
    if (builtin_refusal(S.process_name, why, sizeof why)) {
        /* Debug: a process left out (the SDK's, a tool's) makes no log file. */
        nrp_log(NRP_LOG_DEBUG, "%s: not profiled", why);
        return S.verdict;
    }
    S.verdict = NRP_S_OK;
    S.prepare_ms = phase_ms(&S.phase_at);
    return S.verdict;
}

/* The configuration, on the start-up thread: NRP_OK to go on, NRP_ERROR
 * when the process stays uninstrumented (said in the log). Errors in it
 * are kept for build_generation to report with the plugins' own. */
static nrp_result load_config(void)
{
    char why[600];
    if (nrp_config_load_trusted(S.config_path, &S.config, &S.diags) != NRP_OK && !S.config) {
        log_diags(&S.diags);
        nrp_log(NRP_LOG_ERROR, "out of memory loading the config; the process runs uninstrumented");
        return NRP_ERROR;
    }
    if (nrp_diags_total(&S.diags) == 0) {
        nrp_log_apply_settings(S.config->settings.has_log_level, S.config->settings.log_level,
                               S.config->settings.log_file);
        if (settings_refusal(S.process_name, why, sizeof why)) {
            /* Debug: a process the settings leave out makes no log file. */
            nrp_log(NRP_LOG_DEBUG, "%s: not profiled", why);
            return NRP_ERROR;
        }
    }
    return NRP_OK;
}

/* ---- the end: Shutdown, a signal, or exit ------------------------------- */

static uint64_t module_load_ns, module_loads;

/* The process is ending: edits of the rules no longer apply, and the
 * watches go now, at the cost of a system call each, rather than in the
 * process's exit, where the kernel waits milliseconds to tear them down
 * (util/watch.h). */
static void stop_watching(void)
{
    nrp_watch *w = __atomic_load_n(&S.watch, __ATOMIC_ACQUIRE);
    if (w)
        nrp_watch_stop(w);
}

/* The runtime's Shutdown or a terminating signal (why), whichever comes
 * first, logs the one shutdown line. Both export: a process a signal did
 * not end at once (the runtime's own SIGTERM path on .NET 8 runs
 * ProcessExit handlers, then Shutdown) writes its last counts again. */
static void finish(const char *why)
{
    static int logged;
    if (!ready())
        return;
    wait_for_services();
    if (!ready())
        return;
    if (!__atomic_exchange_n(&logged, 1, __ATOMIC_ACQ_REL)) {
        nrp_scanner_warn_unused_rules(&current()->scanner);
        nrp_log(NRP_LOG_INFO, "shutdown%s: %zu method(s) matched, %llu rewritten, %llu skipped, %llu failed", why,
                nrp_targets_count(current()->targets),
                (unsigned long long)__atomic_load_n(S.rewriter_base.rewritten, __ATOMIC_RELAXED),
                (unsigned long long)__atomic_load_n(S.rewriter_base.skipped, __ATOMIC_RELAXED),
                (unsigned long long)__atomic_load_n(S.rewriter_base.failed, __ATOMIC_RELAXED));
    }
    NRP_LOG_DBG("module loads: %llu, %.3f ms in ModuleLoadFinished; callbacks waited %.3f ms for start-up",
                (unsigned long long)__atomic_load_n(&module_loads, __ATOMIC_RELAXED),
                (double)__atomic_load_n(&module_load_ns, __ATOMIC_RELAXED) / 1e6,
                (double)__atomic_load_n(&startup_wait_ns, __ATOMIC_RELAXED) / 1e6);
    stop_watching();
    nrp_exporter_stop();
}

/* On the signal thread (core/signals.c), never in the handler itself. */
static void finish_on_signal(int signo)
{
    char why[32];
    snprintf(why, sizeof why, " (%s)", nrp_signals_name(signo));
    finish(why);
}

/* Exit paths vary (Environment.Exit, unhandled exceptions, return from
 * Main); the runtime's Shutdown callback is not reached on all of them. */
static void export_at_exit(void)
{
    stop_watching();
    nrp_exporter_stop();
}

void nrp_profiler_shutdown(void)
{
    finish("");
    /* Nothing is rewritten after Shutdown: give the runtime back the
     * metadata interfaces the module caches kept. */
    if (ready())
        nrp_modules_drop_caches(&S.modules);
}

/* ---- initialize: ICorProfilerCallback::Initialize ---------------------- */

static void describe_start(const generation *g)
{
    nrp_strbuf plugins;
    nrp_strbuf_init(&plugins);
    nrp_plugin_set_describe(&S.plugins, &plugins);
    nrp_log(NRP_LOG_INFO, "nrprof %s: clock %s; config %s: %zu rule(s), %zu active; plugins: %s; metrics to %s",
            NRP_SDK_VERSION_STRING, nrp_clock_name(), g->config->path, g->config->rule_count, g->active_count,
            plugins.data ? plugins.data : "?", S.metrics_path);
    nrp_strbuf_free(&plugins);
}

/* Said once; the caller leaves the process uninstrumented: Initialize
 * cancels the activation, the start-up thread leaves the session DORMANT
 * (the runtime keeps the interface it gave us until it unloads us). */
static HRESULT cancel(const char *why)
{
    nrp_log(NRP_LOG_ERROR, "%s; the process runs uninstrumented", why);
    return NRP_CORPROF_E_PROFILER_CANCEL_ACTIVATION;
}

/* Rules refused: every problem logged, and why says how many. */
static void rejected(const char *path, const nrp_diags *diags, char *why, size_t cap)
{
    size_t errors = nrp_diags_total(diags);
    log_diags(diags);
    snprintf(why, cap, "config %s rejected (%zu error%s%s)", path, errors, errors == 1 ? "" : "s",
             diags->dropped ? ", the first " NRP_SDK_STR(NRP_DIAGS_MAX) " logged" : "");
}

/* The generation of cfg: the plugins its enabled rules use loaded, every
 * rule bound to its strategy, the rules indexed. On any error the
 * configuration is refused whole, each error logged at its line: NULL,
 * with the reason in why (as it is when out of memory). */
static generation *build_generation(nrp_config *cfg, nrp_diags *diags, char *why, size_t cap)
{
    char path[4096];
    generation *g = calloc(1, sizeof *g);
    if (!g || nrp_path_join(S.self_dir, PLUGIN_DIR_NAME, path, sizeof path) != NRP_OK) {
        snprintf(why, cap, "%s", g ? "plugin folder path too long" : "out of memory");
        free(g);
        return NULL;
    }
    g->config = cfg;
    nrp_load_config_plugins(&S.plugins, path, cfg, NRP_PLUGINS_USED, NULL);
    g->rules = nrp_bind_rules(cfg, &S.plugins, NRP_PLUGINS_USED, diags);
    for (size_t i = 0; g->rules && i < cfg->rule_count; i++)
        g->active_count += g->rules[i].strategy && g->rules[i].rule->enabled;
    if (!g->rules || nrp_diags_total(diags) || diags->status != NRP_OK) {
        rejected(cfg->path, diags, why, cap);
        free(g->rules);
        free(g);
        return NULL;
    }
    g->index = nrp_rule_index_build(cfg->rules, cfg->rule_count);
    g->targets = nrp_targets_create();
    if (!g->index || !g->targets) {
        snprintf(why, cap, "out of memory indexing the rules");
        nrp_rule_index_free(g->index);
        nrp_targets_destroy(g->targets);
        free(g->rules);
        free(g);
        return NULL;
    }
    g->rewriter = S.rewriter_base;
    g->rewriter.rules = g->rules;
    g->rewriter.targets = g->targets;
    g->scanner = (nrp_scanner){.info = &S.info, .index = g->index, .rules = g->rules, .targets = g->targets,
                               .modules = &S.modules, .events = EVENTS, .rule_count = cfg->rule_count};
    nrp_scanner_init(&g->scanner);
    return g;
}

static HRESULT start(void)
{
    nrp_err err;
    if (load_config() != NRP_OK)
        return NRP_CORPROF_E_PROFILER_CANCEL_ACTIVATION;
    const nrp_settings *settings = &S.config->settings;
    /* The files as they were read: an edit before the watch begins counts. */
    if (settings->reload)
        S.config_signature = nrp_watch_signature((const char *const *)S.config->files, S.config->file_count,
                                                 (const char *const *)S.config->include_patterns,
                                                 S.config->include_pattern_count);
    S.ms[P_CONFIG] = phase_ms(&S.phase_at);
    const char *metrics_env = getenv("NRP_METRICS_FILE");
    if (nrp_path_expand_pid(metrics_env && *metrics_env ? metrics_env
                            : settings->metrics_path ? settings->metrics_path
                                                     : DEFAULT_METRICS_PATH,
                            S.metrics_path, sizeof S.metrics_path) != NRP_OK)
        return cancel("the metrics path is too long");
    S.metrics = nrp_metrics_create();
    if (!S.metrics)
        return cancel("out of memory at start-up");
    /* Checked by the loader: ascending, at most NRP_METRICS_MAX_BUCKETS. */
    if (settings->metrics_buckets_ns &&
        nrp_metrics_set_buckets(S.metrics, settings->metrics_buckets_ns, settings->metrics_bucket_count) != NRP_OK)
        return cancel("out of memory at start-up");
    nrp_modules_init(&S.modules, &S.info);
    /* The counters first, so that they are exported first. */
    S.rewriter_base = (nrp_rewriter){.info = &S.info, .metrics = S.metrics, .modules = &S.modules};
    if (nrp_rewriter_init(&S.rewriter_base, &err) != NRP_OK)
        return cancel(err.msg);
    nrp_diags diags = S.diags;
    char why[600];
    memset(&S.diags, 0, sizeof S.diags);
    generation *g = build_generation(S.config, &diags, why, sizeof why);
    nrp_diags_free(&diags);
    if (!g)
        return cancel(why);
    S.ms[P_PLUGINS] = phase_ms(&S.phase_at);
    describe_start(g); /* no rule enabled yet is a session still: an edit or the agent may add some */
    __atomic_store_n(&S.gen, g, __ATOMIC_SEQ_CST);
    nrp_rejit_worker_init(&S.info);
    S.ms[P_INDEX] = phase_ms(&S.phase_at);
    return NRP_S_OK;
}

/* ---- reload: the rules files changed ------------------------------------ */

#define RELOAD_WAIT_MS 2000

static void watch_files_of(const nrp_config *cfg)
{
    nrp_watch_set(S.watch, (const char *const *)cfg->files, cfg->file_count,
                  (const char *const *)cfg->include_patterns, cfg->include_pattern_count);
}

static void ask_runtime(const char *what, const uint64_t *modules, const uint32_t *methods, size_t n, int revert)
{
    HRESULT hr = NRP_S_OK;
    if (!n)
        return;
    nrp_rejit_outcome o = revert ? nrp_rejit_revert((const ModuleID *)modules, methods, n, RELOAD_WAIT_MS, &hr)
                                 : nrp_rejit_request((const ModuleID *)modules, methods, n, RELOAD_WAIT_MS, &hr);
    if (o == NRP_REJIT_TIMED_OUT)
        nrp_log(NRP_LOG_WARN, "%s of %zu method(s) not confirmed within %d ms", what, n, RELOAD_WAIT_MS);
    else if (o == NRP_REJIT_NO_MEMORY)
        nrp_log(NRP_LOG_ERROR, "out of memory asking for the %s of %zu method(s)", what, n);
    else if (NRP_FAILED(hr))
        nrp_log(NRP_LOG_ERROR, "the runtime refused the %s of %zu method(s) (0x%08x)", what, n, (unsigned)hr);
}

/* Reloads, from the watcher or the API, one at a time; it guards the
 * agent's in-memory rules sources too. */
static pthread_mutex_t reload_lock = PTHREAD_MUTEX_INITIALIZER;
static nrp_config_source *sources; /* owned copies, in the order they came */
static size_t source_count, source_cap;

/* Load the rules file and sources, and put them in force. They are
 * checked as at start-up; with any error the rules in force stay (0 is not
 * returned): every error is logged, and the first goes to err. Otherwise
 * the new generation is put in force at once for modules that load from
 * now on, every module loaded before is matched against it (methods it has
 * not matched yet keep the old rules meanwhile), and then the runtime is
 * asked to rewrite the methods it selects anew or differently and to
 * revert those it no longer selects. Metric series are the metrics
 * registry's: a rule that stays keeps counting into its own, a removed
 * rule's keep their last values. Returns 0 applied, 1 refused. Called with
 * reload_lock held. */
static int apply(const nrp_config_source *list, size_t count, char *err, size_t errlen)
{
    char why[4200];
    nrp_diags diags;
    nrp_config *cfg = NULL;
    generation *g = NULL;
    struct timespec at;
    double load_ms, match_ms, ask_ms;
    clock_gettime(CLOCK_MONOTONIC, &at);
    nrp_diags_init(&diags);
    if (nrp_config_load_trusted_with(S.config_path, list, count, &cfg, &diags) == NRP_OK &&
        nrp_diags_total(&diags) == 0)
        g = build_generation(cfg, &diags, why, sizeof why);
    else
        rejected(S.config_path, &diags, why, sizeof why);
    if (!g) {
        if (err && errlen) {
            nrp_strbuf first;
            nrp_strbuf_init(&first);
            if (diags.count)
                nrp_diag_format(&diags.items[0], &first);
            snprintf(err, errlen, "%s", first.data ? first.data : why);
            nrp_strbuf_free(&first);
        }
        nrp_diags_free(&diags);
        nrp_log(NRP_LOG_ERROR, "%s; the rules in force stay", why);
        if (cfg && S.watch)
            watch_files_of(cfg); /* a file it now includes may be the one to fix */
        nrp_config_free(cfg);
        return 1;
    }
    nrp_diags_free(&diags);
    load_ms = phase_ms(&at);
    generation *old = current();
    g->number = old->number + 1;
    g->previous = old;
    g->matching = 1;
    g->scanner.jit_watched = __atomic_load_n(&old->scanner.jit_watched, __ATOMIC_ACQUIRE);
    __atomic_store_n(&S.gen, g, __ATOMIC_SEQ_CST);
    /* Loads already matching against the old rules finish first: then each
     * module is either listed now, or loads against the new rules. */
    for (int i = 0; __atomic_load_n(&old->busy, __ATOMIC_SEQ_CST) && i < 10 * RELOAD_WAIT_MS; i++)
        nanosleep(&(struct timespec){0, 100000}, NULL);
    size_t n = 0;
    ModuleID *modules = nrp_modules_list(&S.modules, &n);
    for (size_t i = 0; i < n; i++)
        nrp_scanner_rematch(&g->scanner, modules[i]);
    free(modules);
    __atomic_store_n(&g->matching, 0, __ATOMIC_RELEASE);
    match_ms = phase_ms(&at);
    nrp_target_changes c;
    if (nrp_targets_compare(old->targets, old->rules, g->targets, g->rules, &c) != NRP_OK)
        nrp_log(NRP_LOG_ERROR, "out of memory comparing the rules: some methods keep their old instrumentation");
    ask_runtime("rewrite", c.rewrite_modules, c.rewrite_methods, c.rewrite_count, 0);
    ask_runtime("revert", c.revert_modules, c.revert_methods, c.revert_count, 1);
    ask_ms = phase_ms(&at);
    NRP_LOG_DBG("reload: %.3f ms: config, plugins and index %.3f, matching %zu module(s) %.3f, comparing and asking "
                "the runtime %.3f", load_ms + match_ms + ask_ms, load_ms, n, match_ms, ask_ms);
    nrp_log(NRP_LOG_INFO,
            "config %s reloaded: %zu rule(s), %zu active; %zu method(s) rewritten anew, %zu reverted, %zu unchanged",
            cfg->path, cfg->rule_count, g->active_count, c.rewrite_count, c.revert_count, c.kept);
    nrp_target_changes_free(&c);
    if (S.watch)
        watch_files_of(cfg);
    return 0;
}

/* apply() for a call of the agent's: on a native thread of ours, not on
 * the agent's managed thread, where the runtime does not answer all that
 * matching asks of it (a module's name, for one). */
typedef struct apply_call {
    const nrp_config_source *list;
    size_t count;
    char *err;
    size_t errlen;
    int rc;
} apply_call;

static void *apply_on_thread(void *arg)
{
    apply_call *c = arg;
    c->rc = apply(c->list, c->count, c->err, c->errlen);
    nrp_thread_stack_check();
    return NULL;
}

static int apply_natively(const nrp_config_source *list, size_t count, char *err, size_t errlen)
{
    apply_call c = {list, count, err, errlen, 1};
    pthread_t thread;
    nrp_err why;
    if (nrp_thread_start("rules apply", apply_on_thread, &c, &thread, &why) != NRP_OK) {
        nrp_log(NRP_LOG_ERROR, "%s; the rules in force stay", why.msg);
        if (err && errlen)
            snprintf(err, errlen, "%s", why.msg);
        return 1;
    }
    pthread_join(thread, NULL);
    return c.rc;
}

/* On the watcher's thread: the files changed. */
static void reload(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&reload_lock);
    apply(sources, source_count, NULL, 0);
    pthread_mutex_unlock(&reload_lock);
}

int nrp_profiler_set_source(const char *name, const char *yaml, size_t len, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    if (!ready())
        return 2;
    if (!name || !*name || (!yaml && len)) {
        if (err && errlen)
            snprintf(err, errlen, "a rules source needs a name and its text");
        return 1;
    }
    char *name_copy = strdup(name), *text = malloc(len + 1);
    if (!name_copy || !text) {
        free(name_copy);
        free(text);
        if (err && errlen)
            snprintf(err, errlen, "out of memory");
        return 1;
    }
    if (len)
        memcpy(text, yaml, len);
    text[len] = '\0';
    pthread_mutex_lock(&reload_lock);
    size_t at = 0;
    while (at < source_count && strcmp(sources[at].name, name) != 0)
        at++;
    int rc = 1;
    if (NRP_ARRAY_GROW(sources, source_count, source_cap) != NRP_OK) {
        if (err && errlen)
            snprintf(err, errlen, "out of memory");
    } else {
        /* Tried in place (or appended); put back as it was if refused. */
        nrp_config_source was = at < source_count ? sources[at] : (nrp_config_source){0};
        sources[at] = (nrp_config_source){name_copy, text, len};
        rc = apply_natively(sources, at < source_count ? source_count : source_count + 1, err, errlen);
        if (rc == 0) {
            if (at == source_count)
                source_count++;
            else {
                free((char *)was.name);
                free((char *)was.text);
            }
            name_copy = text = NULL;
        } else if (at < source_count)
            sources[at] = was;
    }
    pthread_mutex_unlock(&reload_lock);
    free(name_copy);
    free(text);
    return rc;
}

int nrp_profiler_remove_source(const char *name)
{
    if (!ready())
        return 2;
    pthread_mutex_lock(&reload_lock);
    size_t at = 0;
    while (name && at < source_count && strcmp(sources[at].name, name) != 0)
        at++;
    int rc = 1;
    if (name && at < source_count) {
        nrp_config_source gone = sources[at];
        memmove(&sources[at], &sources[at + 1], (source_count - at - 1) * sizeof *sources);
        source_count--;
        rc = apply_natively(sources, source_count, NULL, 0);
        if (rc == 0) {
            free((char *)gone.name);
            free((char *)gone.text);
        } else { /* the rules file itself is refused now: the source stays */
            memmove(&sources[at + 1], &sources[at], (source_count - at) * sizeof *sources);
            sources[at] = gone;
            source_count++;
        }
    }
    pthread_mutex_unlock(&reload_lock);
    return rc;
}

/* What the callbacks do not need, started once they may go on: CoreLib's
 * ModuleLoadFinished waits for start() only. No rewrite can come before
 * these are done: rewrites follow ReJIT requests, which the worker makes
 * when this thread becomes it. */
static HRESULT start_services(void)
{
    nrp_err err;
    const nrp_settings *settings = &S.config->settings;
    if (nrp_exporter_start(S.metrics, S.metrics_path, settings->metrics_format,
                           settings->metrics_interval_s < 0 ? DEFAULT_METRICS_INTERVAL_S : settings->metrics_interval_s,
                           &err) != NRP_OK)
        return cancel(err.msg);
    S.ms[P_EXPORTER] = phase_ms(&S.phase_at);
    atexit(export_at_exit);
    if (settings->reload &&
        nrp_watch_start((const char *const *)S.config->files, S.config->file_count,
                        (const char *const *)S.config->include_patterns, S.config->include_pattern_count,
                        S.config_signature, reload, NULL, &S.watch, &err) != NRP_OK)
        nrp_log(NRP_LOG_WARN, "%s; changes to the rules apply at the next start", err.msg);
    nrp_clock_calibrate();
    if (nrp_signals_start(finish_on_signal, &err) != NRP_OK)
        nrp_log(NRP_LOG_WARN, "%s; metrics are not written when SIGTERM or SIGINT ends the process", err.msg);
    S.ms[P_SIGNALS] = phase_ms(&S.phase_at);
    double total = 0;
    for (int i = 0; i < P_COUNT; i++)
        total += S.ms[i];
    NRP_LOG_DBG("start-up thread: %.3f ms: config %.3f, plugins and binding %.3f, rule index %.3f (ready), "
                "exporter %.3f, signals %.3f (the runtime's thread: %.3f ms in CreateInstance and Initialize)",
                total, S.ms[P_CONFIG], S.ms[P_PLUGINS], S.ms[P_INDEX], S.ms[P_EXPORTER], S.ms[P_SIGNALS],
                S.prepare_ms + S.initialize_ms);
    return NRP_S_OK;
}

/* After an attach: the modules loaded before it, matched as if each had
 * just loaded. On a thread of its own, as a callback would be: matching a
 * module waits (bounded) for the worker to have asked for its ReJITs. */
static void *scan_loaded_modules(void *unused)
{
    (void)unused;
    ModuleID *modules = NULL;
    size_t count = 0;
    HRESULT hr = nrp_info_loaded_modules(&S.info, &modules, &count);
    if (NRP_FAILED(hr)) {
        nrp_log(NRP_LOG_ERROR, "cannot list the modules loaded before the attach (0x%08x); only modules loaded "
                "from now on are instrumented", (unsigned)hr);
        return NULL;
    }
    for (size_t i = 0; i < count; i++)
        nrp_profiler_module_load_finished(modules[i], NRP_S_OK);
    free(modules);
    nrp_log(NRP_LOG_INFO, "attached: %zu module(s) were loaded before; %zu method(s) matched so far", count,
            nrp_targets_count(current()->targets));
    nrp_thread_stack_check();
    return NULL;
}

/* The start-up thread: the session, then the ReJIT worker. */
static void *start_up(void *unused)
{
    nrp_err err;
    (void)unused;
    phase_ms(&S.phase_at);
    HRESULT hr = start();
    if (NRP_FAILED(hr)) {
        nrp_thread_stack_check();
        settle(DORMANT);
        return NULL;
    }
    settle(READY);
    hr = start_services();
    if (!NRP_FAILED(hr) && S.attached && nrp_thread_start("attach scan", scan_loaded_modules, NULL, NULL, &err) != NRP_OK)
        nrp_log(NRP_LOG_ERROR, "%s; only modules loaded from now on are instrumented", err.msg);
    nrp_thread_stack_check();
    pthread_mutex_lock(&state_lock);
    if (NRP_FAILED(hr)) /* no metrics would ever be written: instrument nothing more */
        __atomic_store_n(&S.state, (int)DORMANT, __ATOMIC_RELEASE);
    __atomic_store_n(&S.serving, 1, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&state_settled);
    pthread_mutex_unlock(&state_lock);
    nrp_rejit_worker_run();
    return NULL;
}

HRESULT nrp_profiler_initialize(nrp_com_object *runtime_info)
{
    char why[600];
    nrp_err err;
    if (NRP_FAILED(nrp_profiler_prepare()))
        return NRP_CORPROF_E_PROFILER_CANCEL_ACTIVATION;
    phase_ms(&S.phase_at);
    if (NRP_FAILED(nrp_info_acquire(runtime_info, &S.info)))
        return cancel("the runtime offers no ICorProfilerInfo5 (needs .NET Core 3.0 or later)");
    /* ReadyToRun code and tiered compilation stay on: rewrites go through
     * ReJIT, which reaches precompiled methods too. Set before anything is
     * known of the rules: ReJIT cannot be enabled later. */
    HRESULT hr = nrp_info_set_event_mask(&S.info, EVENTS, 0);
    if (NRP_FAILED(hr)) {
        snprintf(why, sizeof why, "the runtime refused the event mask (0x%08x)", (unsigned)hr);
        nrp_info_release(&S.info);
        return cancel(why);
    }
    S.state = STARTING;
    S.initialize_ms = phase_ms(&S.phase_at);
    if (nrp_thread_start("ReJIT worker", start_up, NULL, NULL, &err) != NRP_OK) {
        S.state = NOT_STARTED;
        nrp_info_release(&S.info);
        return cancel(err.msg);
    }
    return NRP_S_OK;
}

/* ---- initialize for attach: ICorProfilerCallback3::InitializeForAttach -- */

/* What `nrprof attach` sends along (the runtime frees it after the call):
 * lines "key=value". "config=PATH" names the rules file, which otherwise
 * is the bundle's, as at start-up. Keys this version does not know are
 * passed over: a later nrprof may say more. */
static void read_attach_data(const char *data, size_t size)
{
    static const char key[] = "config=";
    while (data && size) {
        const char *nl = memchr(data, '\n', size);
        size_t len = nl ? (size_t)(nl - data) : size;
        if (len > sizeof key - 1 && len - (sizeof key - 1) < sizeof S.config_path &&
            memcmp(data, key, sizeof key - 1) == 0) {
            memcpy(S.config_path, data + sizeof key - 1, len - (sizeof key - 1));
            S.config_path[len - (sizeof key - 1)] = '\0';
        }
        data += nl ? len + 1 : len;
        size -= nl ? len + 1 : len;
    }
}

HRESULT nrp_profiler_initialize_for_attach(nrp_com_object *runtime_info, const void *data, ULONG size)
{
    if (NRP_FAILED(nrp_profiler_prepare()))
        return NRP_CORPROF_E_PROFILER_CANCEL_ACTIVATION;
    read_attach_data(data, size);
    S.attached = 1;
    /* The event mask asks only what the runtime allows after an attach:
     * module loads and ReJIT (and JIT events, added later for collectible
     * modules). */
    return nrp_profiler_initialize(runtime_info);
}

/* ---- the callbacks, once ready ------------------------------------------ */

/* module_load_ns, module_loads: time spent in ModuleLoadFinished (the
 * runtime's thread waits for it), logged at debug level at shutdown. */

void nrp_profiler_module_load_finished(ModuleID module, HRESULT status)
{
    if (NRP_FAILED(status) || !ready())
        return;
    struct timespec at;
    clock_gettime(CLOCK_MONOTONIC, &at);
    /* Counted busy on the generation it matches against, which is still
     * the current one once counted: a reload waits for the loads counted
     * on the one it replaces before it lists the loaded modules. */
    generation *g;
    for (;;) {
        g = current();
        __atomic_add_fetch(&g->busy, 1, __ATOMIC_SEQ_CST);
        if (current() == g)
            break;
        __atomic_sub_fetch(&g->busy, 1, __ATOMIC_SEQ_CST);
    }
    nrp_scanner_module_loaded(&g->scanner, module);
    __atomic_sub_fetch(&g->busy, 1, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&module_load_ns, (uint64_t)(phase_ms(&at) * 1e6), __ATOMIC_RELAXED);
    __atomic_add_fetch(&module_loads, 1, __ATOMIC_RELAXED);
}

void nrp_profiler_module_unload_started(ModuleID module)
{
    if (ready())
        nrp_scanner_module_unloading(&current()->scanner, module);
}

/* The generation whose rules apply to a method: the current one, or,
 * while a reload is still matching against it, the one it replaces for a
 * method it has not matched yet. */
static generation *for_method(ModuleID module, mdToken method)
{
    generation *g = current();
    nrp_target t;
    if (__atomic_load_n(&g->matching, __ATOMIC_ACQUIRE) && g->previous &&
        !nrp_targets_find(g->targets, module, method, &t))
        return g->previous;
    return g;
}

void nrp_profiler_jit_compilation_started(FunctionID function)
{
    ModuleID module = 0;
    mdToken method = 0;
    if (ready() && nrp_scanner_jit_watched(&current()->scanner) &&
        !NRP_FAILED(nrp_info_function_info(&S.info, function, &module, &method)))
        nrp_rewriter_first_jit(&for_method(module, method)->rewriter, module, method);
}

HRESULT nrp_profiler_get_rejit_parameters(ModuleID module, mdToken method, nrp_com_object *control)
{
    if (ready())
        nrp_rewriter_rejit(&for_method(module, method)->rewriter, module, method, control);
    return NRP_S_OK; /* a method not rewritten keeps its original IL */
}

void nrp_profiler_rejit_error(ModuleID module, mdToken method, HRESULT status)
{
    if (ready())
        nrp_rewriter_rejit_error(&for_method(module, method)->rewriter, module, method, status);
}
