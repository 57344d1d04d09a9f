#include "rejit/scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clr/metadata.h"
#include "clr/module_scan.h"
#include "clr/type_hierarchy.h"
#include "util/log.h"
#include "nrp/result.h"
#include "rejit/worker.h"
#include "rules/match.h"
#include "util/array.h"
#include "util/strbuf.h"

/* How long ModuleLoadFinished waits for the worker's RequestReJIT. Long
 * enough that the rewrite is in place before the module's first call in
 * practice; bounded so a stuck runtime can never hang the app. */
#define REJIT_WAIT_MS 2000

/* One module being matched, and the batch of methods it selects. */
typedef struct module_scan {
    nrp_scanner *s;
    ModuleID module;
    nrp_com_object *mdi;
    const nrp_scan_method *current;
    char missing[256];           /* an assembly `base` needed that is not loaded yet */
    const char *assembly;
    const nrp_version *version;  /* NULL when the assembly has none we could read */
    const nrp_module_rules *rules;
    ModuleID *modules;           /* the batch for the worker, as two arrays */
    mdToken *methods;
    size_t count;
    size_t modules_cap, methods_cap;
    nrp_result result;           /* NRP_NOMEM once a selected method could not be kept */
    int jit_time;                /* a collectible module: see hand_over */
} module_scan;

/* Methods whose `base` question needs an assembly that is not loaded yet. */
struct nrp_pending_method {
    ModuleID module;
    char *assembly;              /* of the method */
    int have_version;
    nrp_version version;
    char *waiting_for;           /* the assembly to load */
    char *type, *name, *params, *display;
    mdToken method, type_token;
    int is_static;
    struct nrp_pending_method *next;
};

void nrp_scanner_init(nrp_scanner *s)
{
    pthread_mutex_init(&s->pending_lock, NULL);
    pthread_mutex_init(&s->reach_lock, NULL);
    s->reach = NULL;
    s->reach_count = s->reach_cap = 0;
    s->pending = NULL;
    s->jit_watched = 0;
}

int nrp_scanner_jit_watched(const nrp_scanner *s)
{
    return __atomic_load_n(&s->jit_watched, __ATOMIC_ACQUIRE);
}

/* ---- the rules' questions about one method ------------------------------ */

/* `base` walks into other assemblies; one that is not loaded yet is noted,
 * and the method waits for it. */
static nrp_com_object *import_for_base(void *ctx, const char *assembly)
{
    module_scan *m = ctx;
    if (!nrp_modules_find(m->s->modules, assembly, 0)) {
        snprintf(m->missing, sizeof m->missing, "%s", assembly);
        return NULL;
    }
    return nrp_modules_import(m->s->modules, assembly);
}

static int want_type(void *ctx, const char *type)
{
    return nrp_module_rules_want_type(((const module_scan *)ctx)->rules, type);
}

static int want_method(void *ctx, const char *type, const char *method)
{
    return nrp_module_rules_want_method(((const module_scan *)ctx)->rules, type, method);
}

static int has_attribute(void *ctx, const char *attribute)
{
    const module_scan *m = ctx;
    return nrp_md_has_attribute(m->mdi, m->current->method, attribute);
}

static int derives_from(void *ctx, const char *base)
{
    module_scan *m = ctx;
    const nrp_hierarchy_env env = {m, import_for_base};
    return nrp_md_derives_from(m->mdi, m->current->type_token, base, &env);
}

/* ---- methods waiting for an assembly ------------------------------------ */

static void free_pending(nrp_pending_method *p)
{
    free(p->assembly), free(p->waiting_for), free(p->type), free(p->name), free(p->params), free(p->display);
    free(p);
}

static void defer_method(const module_scan *m, const nrp_scan_method *sm)
{
    nrp_pending_method *p = calloc(1, sizeof *p);
    if (!p)
        return;
    *p = (nrp_pending_method){m->module, strdup(m->assembly), m->version != NULL, {{0}}, strdup(m->missing),
                              strdup(sm->type), strdup(sm->name), strdup(sm->params), strdup(sm->display),
                              sm->method, sm->type_token, sm->is_static, NULL};
    if (m->version)
        p->version = *m->version;
    if (!p->assembly || !p->waiting_for || !p->type || !p->name || !p->params || !p->display) {
        free_pending(p);
        return;
    }
    NRP_LOG_DBG("%s waits for %s to load before its base types can be checked", sm->display, m->missing);
    pthread_mutex_lock(&m->s->pending_lock);
    p->next = m->s->pending;
    m->s->pending = p;
    pthread_mutex_unlock(&m->s->pending_lock);
}

/* Unlink the waiting methods `match` picks, as a list of their own. */
static nrp_pending_method *take_pending(nrp_scanner *s, int (*match)(const nrp_pending_method *, const void *),
                                        const void *key)
{
    nrp_pending_method *taken = NULL;
    pthread_mutex_lock(&s->pending_lock);
    for (nrp_pending_method **pp = &s->pending; *pp;) {
        if (match(*pp, key)) {
            nrp_pending_method *p = *pp;
            *pp = p->next;
            p->next = taken;
            taken = p;
        } else {
            pp = &(*pp)->next;
        }
    }
    pthread_mutex_unlock(&s->pending_lock);
    return taken;
}

static int waits_for(const nrp_pending_method *p, const void *assembly)
{
    return strcmp(p->waiting_for, assembly) == 0;
}

static int is_of_module(const nrp_pending_method *p, const void *module)
{
    return p->module == *(const ModuleID *)module;
}

/* ---- selecting methods -------------------------------------------------- */

static nrp_result grow_batch(module_scan *m)
{
    if (NRP_ARRAY_GROW(m->modules, m->count, m->modules_cap) != NRP_OK ||
        NRP_ARRAY_GROW(m->methods, m->count, m->methods_cap) != NRP_OK)
        return NRP_NOMEM;
    return NRP_OK;
}

/* More rules select the method than may apply: the highest priorities do;
 * the log names the others (the first NAMES_SHOWN: one line stays
 * readable with thousands). Rare, so the full list is asked for again. */
#define NAMES_SHOWN 20

static void warn_rules_left_out(const module_scan *m, const nrp_method_view *view, size_t n, const char *display)
{
    uint32_t *all = malloc(n * sizeof *all);
    nrp_strbuf names;
    nrp_strbuf_init(&names);
    size_t left_out = n - NRP_MAX_RULES_PER_METHOD, named = left_out < NAMES_SHOWN ? left_out : NAMES_SHOWN;
    if (all && nrp_module_rules_select_all(m->rules, view, all, n) == n) {
        for (size_t i = 0; i < named; i++)
            nrp_strbuf_printf(&names, "%s'%s'", i ? ", " : "", m->s->rules[all[i]].rule->name);
        if (left_out > named)
            nrp_strbuf_printf(&names, " and %zu more", left_out - named);
    }
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
        warn_rules_left_out(m, &view, n, sm->display);
        n = NRP_MAX_RULES_PER_METHOD;
    }
    nrp_target t = {m->module, sm->method, {0}, (uint32_t)n, (char *)m->assembly, (char *)sm->type, (char *)sm->name,
                    (char *)sm->display, sm->is_static, NULL, m->jit_time, 0};
    memcpy(t.rules, rules, n * sizeof rules[0]);
    if (grow_batch(m) != NRP_OK || nrp_targets_add(m->s->targets, &t) != NRP_OK) {
        m->result = NRP_NOMEM;
        return;
    }
    NRP_LOG_DBG("%zu rule(s) select %s in %s, first '%s'", n, sm->display, m->assembly,
                m->s->rules[rules[0]].rule->name);
    m->modules[m->count] = m->module;
    m->methods[m->count] = sm->method;
    m->count++;
}

/* ---- handing the batch over --------------------------------------------- */

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
static int module_is_collectible(const nrp_scanner *s, ModuleID module)
{
    DWORD flags = 0;
    return !NRP_FAILED(nrp_info_module_flags(s->info, module, &flags)) && (flags & NRP_PRF_MODULE_COLLECTIBLE);
}

/* JIT events cost a callback per compiled method: asked for only once a
 * collectible module needs them. */
static void watch_jit(nrp_scanner *s, const char *assembly, size_t count)
{
    if (__atomic_exchange_n(&s->jit_watched, 1, __ATOMIC_ACQ_REL))
        return;
    HRESULT hr = nrp_info_set_event_mask(s->info, s->events | NRP_PRF_MONITOR_JIT_COMPILATION, 0);
    if (NRP_FAILED(hr)) {
        nrp_log(NRP_LOG_WARN, "the runtime refused JIT events (0x%08x): %zu matched method(s) of %s, a collectible "
                "assembly, and those of any later one stay uninstrumented", (unsigned)hr, count, assembly);
        __atomic_store_n(&s->jit_watched, 0, __ATOMIC_RELEASE);
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
    watch_jit(scan->s, scan->assembly, scan->count);
    NRP_LOG_DBG("%zu method(s) of %s (collectible: no ReJIT) are rewritten when first compiled", scan->count,
                scan->assembly);
}

static void free_batch(module_scan *scan)
{
    free(scan->modules);
    free(scan->methods);
}

/* ---- can a module hold a type deriving from `base`? ---------------------- */

/* A type derives from (or implements) B only through TypeRefs into the
 * assemblies its module references, each of which reaches on the same way:
 * B's assembly is reachable from the module along AssemblyRefs (type
 * forwarders too: a facade references where it forwards). So a module that
 * neither defines B nor references an assembly that reaches B holds nothing
 * a `base: B` rule can select, and its types need not be walked.
 * CoreLib, which references nothing, is the big win. An answer that needs
 * an assembly not loaded yet is "unknown", and the module is walked. */
#define REACH_DEPTH 16
#define IN_PROGRESS 2

static int reaches_base(nrp_scanner *s, const char *assembly, ModuleID module, const char *base, int depth);

typedef struct reach_walk {
    nrp_scanner *s;
    const char *base;
    int depth;
    int answer; /* 0 until a reference says yes (1) or unknown (-1) */
} reach_walk;

static int visit_ref(void *ctx, mdToken ref, const char *name)
{
    reach_walk *w = ctx;
    (void)ref;
    ModuleID module = nrp_modules_find(w->s->modules, name, 1);
    int r = module ? reaches_base(w->s, name, module, w->base, w->depth + 1) : -1;
    if (r)
        w->answer = r;
    return r == 1; /* yes settles it; unknown goes on looking for a yes */
}

static int memo_get(nrp_scanner *s, const char *assembly, const char *base)
{
    int r = -2;
    pthread_mutex_lock(&s->reach_lock);
    for (size_t i = 0; i < s->reach_count && r == -2; i++)
        if (s->reach[i].base == base && strcasecmp(s->reach[i].assembly, assembly) == 0)
            r = s->reach[i].reaches;
    pthread_mutex_unlock(&s->reach_lock);
    return r;
}

static void memo_put(nrp_scanner *s, const char *assembly, const char *base, int reaches)
{
    pthread_mutex_lock(&s->reach_lock);
    char *copy = NRP_ARRAY_GROW(s->reach, s->reach_count, s->reach_cap) == NRP_OK ? strdup(assembly) : NULL;
    if (copy)
        s->reach[s->reach_count++] = (nrp_base_reach){copy, base, reaches};
    pthread_mutex_unlock(&s->reach_lock);
}

static int reaches_base(nrp_scanner *s, const char *assembly, ModuleID module, const char *base, int depth)
{
    int memo = memo_get(s, assembly, base);
    if (memo == IN_PROGRESS)
        return -1; /* a cycle of references: say unknown, so nothing wrong is kept */
    if (memo != -2)
        return memo;
    if (depth > REACH_DEPTH || strchr(base, '+'))
        return -1; /* nested base types: no lookup by name here; walk */
    nrp_com_object *mdi = NULL, *asm_import = NULL;
    mdToken def = 0;
    int answer = -1;
    if (!NRP_FAILED(nrp_info_module_metadata(s->info, module, NRP_OF_READ, &NRP_IID_IMetaDataImport, &mdi)) &&
        !NRP_FAILED(nrp_info_module_metadata(s->info, module, NRP_OF_READ, &NRP_IID_IMetaDataAssemblyImport,
                                             &asm_import))) {
        if (nrp_mdi_find_type_def(mdi, base, 0, &def) == NRP_S_OK) {
            answer = 1;
        } else {
            memo_put(s, assembly, base, IN_PROGRESS);
            reach_walk w = {s, base, depth, 0};
            HRESULT hr = nrp_mdasm_each_assembly_ref(asm_import, visit_ref, &w);
            answer = NRP_FAILED(hr) ? -1 : w.answer;
        }
    }
    nrp_com_release(mdi);
    nrp_com_release(asm_import);
    if (answer != -1) {
        pthread_mutex_lock(&s->reach_lock);
        for (size_t i = 0; i < s->reach_count; i++)
            if (s->reach[i].base == base && strcasecmp(s->reach[i].assembly, assembly) == 0)
                s->reach[i].reaches = answer;
        pthread_mutex_unlock(&s->reach_lock);
        if (memo_get(s, assembly, base) == -2)
            memo_put(s, assembly, base, answer);
    } else {
        /* unknown is not kept: the assembly it waited for may load */
        pthread_mutex_lock(&s->reach_lock);
        size_t kept = 0;
        for (size_t i = 0; i < s->reach_count; i++) {
            if (s->reach[i].base == base && strcasecmp(s->reach[i].assembly, assembly) == 0)
                free(s->reach[i].assembly);
            else
                s->reach[kept++] = s->reach[i];
        }
        s->reach_count = kept;
        pthread_mutex_unlock(&s->reach_lock);
    }
    return answer;
}

/* Every rule of the module needs a base, and none is reachable: skip it. */
static int holds_nothing(nrp_scanner *s, const char *assembly, ModuleID module, const nrp_module_rules *rules)
{
    const char *bases[4];
    size_t n = nrp_module_rules_bases(rules, bases, 4);
    if (!n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (reaches_base(s, assembly, module, bases[i], 0) != 0)
            return 0;
    return 1;
}

/* ---- module events ------------------------------------------------------ */

/* An assembly loaded: ask again for the methods that waited for it. */
static void resume_pending(nrp_scanner *s, const char *loaded)
{
    nrp_pending_method *ready = take_pending(s, waits_for, loaded);
    while (ready) {
        nrp_pending_method *p = ready;
        ready = p->next;
        nrp_com_object *mdi = NULL;
        const nrp_version *version = p->have_version ? &p->version : NULL;
        nrp_module_rules *rules = NULL;
        if (nrp_rule_index_module(s->index, p->assembly, &rules) != NRP_OK)
            nrp_log(NRP_LOG_ERROR, "out of memory matching rules in %s; %s stays uninstrumented", p->assembly,
                    p->display);
        if (rules && !NRP_FAILED(nrp_info_module_metadata(s->info, p->module, NRP_OF_READ, &NRP_IID_IMetaDataImport,
                                                           &mdi))) {
            module_scan scan = {s,    p->module, mdi, NULL, "", p->assembly, version, rules,
                                NULL, NULL,      0,   0,    0,  NRP_OK,      module_is_collectible(s, p->module)};
            nrp_scan_method sm = {p->type, p->name, p->params, p->display, p->method, p->type_token, p->is_static};
            on_method(&scan, &sm); /* may defer again, waiting for the next assembly */
            hand_over(&scan);
            free_batch(&scan);
            nrp_com_release(mdi);
        }
        nrp_module_rules_free(rules);
        free_pending(p);
    }
}

static nrp_result read_assembly_version(const nrp_scanner *s, ModuleID module, nrp_version *v)
{
    nrp_com_object *asm_import = NULL;
    uint16_t parts[4];
    HRESULT hr =
        nrp_info_module_metadata(s->info, module, NRP_OF_READ, &NRP_IID_IMetaDataAssemblyImport, &asm_import);
    if (!NRP_FAILED(hr))
        hr = nrp_mdasm_assembly_version(asm_import, parts);
    nrp_com_release(asm_import);
    if (NRP_FAILED(hr))
        return NRP_ERROR;
    for (int i = 0; i < 4; i++)
        v->part[i] = parts[i];
    return NRP_OK;
}

void nrp_scanner_module_loaded(nrp_scanner *s, ModuleID module)
{
    char assembly[512];
    nrp_com_object *mdi = NULL;
    nrp_version version;
    nrp_module_rules *rules = NULL;

    if (NRP_FAILED(nrp_info_module_assembly_name(s->info, module, assembly, sizeof assembly)))
        return;
    nrp_modules_add(s->modules, assembly, module);
    resume_pending(s, assembly);
    if (!nrp_rule_index_names(s->index, assembly))
        return; /* the common case: no rule names this assembly */
    int have_version = read_assembly_version(s, module, &version) == NRP_OK;
    if (nrp_rule_index_module(s->index, assembly, &rules) != NRP_OK)
        nrp_log(NRP_LOG_ERROR, "out of memory matching rules in %s; its methods stay uninstrumented", assembly);
    if (!rules)
        return;
    if (holds_nothing(s, assembly, module, rules)) {
        NRP_LOG_DBG("%s reaches no base type its rules name: not walked", assembly);
        nrp_module_rules_free(rules);
        return;
    }
    HRESULT hr = nrp_info_module_metadata(s->info, module, NRP_OF_READ, &NRP_IID_IMetaDataImport, &mdi);
    if (NRP_FAILED(hr)) {
        nrp_log(NRP_LOG_WARN, "cannot read metadata of %s (0x%08x); its methods stay uninstrumented", assembly,
                (unsigned)hr);
        nrp_module_rules_free(rules);
        return;
    }
    module_scan scan = {s,    module, mdi, NULL, "", assembly, have_version ? &version : NULL, rules,
                        NULL, NULL,   0,   0,    0,  NRP_OK,   module_is_collectible(s, module)};
    nrp_scan_visitor visitor = {&scan, want_type, want_method, on_method};
    hr = nrp_module_scan(mdi, &visitor);
    if (NRP_FAILED(hr))
        nrp_log(NRP_LOG_WARN, "reading the types of %s failed (0x%08x); some methods may stay uninstrumented",
                assembly, (unsigned)hr);
    if (scan.result != NRP_OK)
        nrp_log(NRP_LOG_ERROR, "out of memory matching rules in %s; some methods stay uninstrumented", assembly);
    nrp_com_release(mdi);
    hand_over(&scan);
    free_batch(&scan);
    nrp_module_rules_free(rules);
}

void nrp_scanner_module_unloading(nrp_scanner *s, ModuleID module)
{
    nrp_modules_remove(s->modules, module);
    /* What waited for another assembly: nothing is left to rewrite. */
    nrp_pending_method *gone = take_pending(s, is_of_module, &module);
    while (gone) {
        nrp_pending_method *p = gone;
        gone = p->next;
        free_pending(p);
    }
    size_t n = nrp_targets_forget_module(s->targets, module);
    if (n)
        NRP_LOG_DBG("module 0x%llx unloading: %zu matched method(s) forgotten", (unsigned long long)module, n);
}
