#include "rejit/scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clr/metadata.h"
#include "clr/module_scan.h"
#include "clr/type_hierarchy.h"
#include "meta/meta.h"
#include "util/log.h"
#include "nrp/result.h"
#include "rejit/worker.h"
#include "rules/glob.h"
#include "rules/match.h"
#include "util/array.h"
#include "util/hash.h"
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
    const char *base;            /* the `base` derives_from is asking about */
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
    mdToken marked_type;         /* the type type_generated last asked about (0: none yet) */
    int type_marked;             /* its answer */
} module_scan;

/* Methods whose `base` question needs an assembly that is not loaded yet. */
struct nrp_pending_method {
    ModuleID module;
    char *assembly;              /* of the method */
    int have_version;
    nrp_version version;
    char *waiting_for;           /* the assembly to load */
    char *type, *name, *params, *params_named, *display; /* params_named may be NULL */
    mdToken method, type_token;
    int is_static;
    struct nrp_pending_method *next;
};

void nrp_scanner_init(nrp_scanner *s)
{
    pthread_mutex_init(&s->pending_lock, NULL);
    pthread_mutex_init(&s->reach_lock, NULL);
    memset(s->facts, 0, sizeof s->facts);
    s->questions = 0;
    s->pending = NULL;
    s->waiting = NULL;
    s->jit_watched = 0;
    s->selected = calloc(s->rule_count ? s->rule_count : 1, sizeof *s->selected);
}

/* The loaded assembly of the name a rule's `assembly` gives exactly (no
 * pattern: a pattern such as "*" matches some assembly of every app, so
 * that one loaded says nothing); with nocase, compared without case. */
static const char *loaded_assembly(const nrp_scanner *s, const nrp_rule *r, int nocase)
{
    const char *a = r->match.assembly;
    if (!a || strpbrk(a, "*?"))
        return NULL;
    for (size_t i = 0; i < s->modules->count; i++)
        if ((nocase ? strcasecmp : strcmp)(s->modules->items[i].assembly, a) == 0)
            return s->modules->items[i].assembly;
    return NULL;
}

void nrp_scanner_warn_unused_rules(const nrp_scanner *s)
{
    pthread_mutex_lock(&s->modules->lock);
    for (size_t i = 0; s->selected && i < s->rule_count; i++) {
        const nrp_rule *r = s->rules[i].rule;
        const char *loaded;
        if (!r->enabled || !s->rules[i].strategy || __atomic_load_n(&s->selected[i], __ATOMIC_RELAXED))
            continue;
        /* A rule for a library the app never loads (the bundle's HTTP or
         * ADO.NET rules in an app without them) is no mistake: said at
         * info level. One whose assembly was loaded, or one of the same
         * name but for case, names something else wrong. */
        if ((loaded = loaded_assembly(s, r, 0)) != NULL)
            nrp_log(NRP_LOG_WARN, "%s:%u:%u: rule '%s' selected no method in this process, which loaded %s",
                    r->pos.file, r->pos.line, r->pos.column, r->name, loaded);
        else if ((loaded = loaded_assembly(s, r, 1)) != NULL)
            nrp_log(NRP_LOG_WARN,
                    "%s:%u:%u: rule '%s' selected no method in this process: it names assembly '%s', the process "
                    "loaded '%s' (assembly names match with case)",
                    r->pos.file, r->pos.line, r->pos.column, r->name, r->match.assembly, loaded);
        else
            nrp_log(NRP_LOG_INFO, "%s:%u:%u: rule '%s' selected no method in this process", r->pos.file,
                    r->pos.line, r->pos.column, r->name);
    }
    pthread_mutex_unlock(&s->modules->lock);
}

int nrp_scanner_jit_watched(const nrp_scanner *s)
{
    return __atomic_load_n(&s->jit_watched, __ATOMIC_ACQUIRE);
}

/* ---- the rules' questions about one method ------------------------------ */

static int known_not_to_reach(nrp_scanner *s, const char *assembly, const char *base);

/* `base` walks into other assemblies; one that is not loaded yet is noted,
 * and the method waits for it. */
static nrp_com_object *import_for_base(void *ctx, const char *assembly)
{
    module_scan *m = ctx;
    if (!nrp_modules_find(m->s->modules, assembly, 0)) {
        snprintf(m->missing, sizeof m->missing, "%s", assembly);
        return NULL;
    }
    /* Nothing in an assembly that cannot reach the base derives from it:
     * not opened (its IMetaDataImport would turn the runtime's reader of
     * it read-write: CoreLib, System.Runtime, on every walk). */
    if (m->base && known_not_to_reach(m->s, assembly, m->base))
        return NULL;
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

static int type_generated(void *ctx)
{
    module_scan *m = ctx;
    if (m->marked_type != m->current->type_token) {
        m->marked_type = m->current->type_token;
        m->type_marked = nrp_md_has_attribute(m->mdi, m->marked_type, NRP_COMPILER_GENERATED);
    }
    return m->type_marked;
}

static int derives_from(void *ctx, const char *base)
{
    module_scan *m = ctx;
    const nrp_hierarchy_env env = {m, import_for_base};
    m->base = base;
    int r = nrp_md_derives_from(m->mdi, m->current->type_token, base, &env);
    m->base = NULL;
    return r;
}

/* ---- methods waiting for an assembly ------------------------------------ */

static void free_pending(nrp_pending_method *p)
{
    free(p->assembly), free(p->waiting_for), free(p->type), free(p->name), free(p->params), free(p->params_named);
    free(p->display);
    free(p);
}

static void defer_method(const module_scan *m, const nrp_scan_method *sm)
{
    nrp_pending_method *p = calloc(1, sizeof *p);
    if (!p)
        return;
    *p = (nrp_pending_method){m->module, strdup(m->assembly), m->version != NULL, {{0}}, strdup(m->missing),
                              strdup(sm->type), strdup(sm->name), strdup(sm->params),
                              sm->params_named ? strdup(sm->params_named) : NULL, strdup(sm->display),
                              sm->method, sm->type_token, sm->is_static, NULL};
    if (m->version)
        p->version = *m->version;
    if (!p->assembly || !p->waiting_for || !p->type || !p->name || !p->params || !p->display ||
        (sm->params_named && !p->params_named)) {
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
    nrp_method_view view = {m->assembly, m->version,    sm->type,     sm->name,      sm->is_static, sm->params,
                            sm->params_named, m, has_attribute, derives_from, type_generated};
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
    if (nrp_log_enabled(NRP_LOG_DEBUG)) { /* the line `nrprof check --app` is compared with (tests/e2e) */
        nrp_strbuf names;
        nrp_strbuf_init(&names);
        for (size_t k = 0; k < n; k++)
            nrp_strbuf_printf(&names, "%s'%s'", k ? ", " : "", m->s->rules[rules[k]].rule->name);
        nrp_log(NRP_LOG_DEBUG, "selected %s in %s for rule%s %s", sm->display, m->assembly, n > 1 ? "s" : "",
                names.data ? names.data : "?");
        nrp_strbuf_free(&names);
    }
    for (size_t k = 0; m->s->selected && k < n; k++)
        __atomic_fetch_add(&m->s->selected[rules[k]], 1, __ATOMIC_RELAXED);
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

/* Set while this thread matches for a reload (nrp_scanner_rematch). */
static __thread int rematching;

static void hand_over(const module_scan *scan)
{
    if (!scan->count)
        return;
    if (!scan->jit_time) {
        if (!rematching)
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

/* ---- a module's own metadata, read from its file or image ---------------- */

/* What a module's load reads of it at once: its Assembly row (version)
 * and its AssemblyRefs. Whether it defines a base reads what it needs
 * when asked: a few rows in a ReadyToRun image (meta/r2r.c), else the
 * TypeDef and NestedClass tables. */
#define SCAN_TABLES (1ull << NRP_META_ASSEMBLY | 1ull << NRP_META_ASSEMBLYREF)

/* The image read last on this thread, kept for the rest of the module
 * load that read it: the questions of one load (version, references,
 * bases defined) ask the same module one after another. Dropped at the
 * end of nrp_scanner_module_loaded. */
static __thread struct {
    ModuleID module;
    nrp_meta *image;
} last_read;

static void drop_last_read(void)
{
    nrp_meta_close(last_read.image);
    last_read.image = NULL;
    last_read.module = 0;
}

static nrp_meta *open_image_now(const nrp_scanner *s, ModuleID module);

/* The module's metadata (see open_image_now), owned by last_read: not to
 * be closed, and good until the next call. */
static nrp_meta *open_image(const nrp_scanner *s, ModuleID module)
{
    if (last_read.image && last_read.module == module)
        return last_read.image;
    drop_last_read();
    if ((last_read.image = open_image_now(s, module)))
        last_read.module = module;
    return last_read.image;
}

/* The module's metadata as its file (or its loaded image) holds it, read
 * by host/meta; NULL for a module without one (dynamic, resource, or
 * unreadable): then the caller asks GetModuleMetaData. Why not ask it
 * always: the first GetModuleMetaData on a module turns the runtime's own
 * reader of that module read-write for good (PEAssembly::OpenImporter),
 * and every later type load in it pays; a module that is only asked its
 * name, version and references, never walked nor rewritten, is better
 * left alone. What is read here (AssemblyRefs, the Assembly row, TypeDefs)
 * is the file's; a profiler adds to a module only once it rewrites it. */
static nrp_meta *open_image_now(const nrp_scanner *s, ModuleID module)
{
    const uint8_t *base = NULL;
    DWORD flags = 0;
    nrp_meta *m = NULL;
    nrp_err err;
    char path[4096];
    if (NRP_FAILED(nrp_info_module_image(s->info, module, &base, &flags)) || !base ||
        (flags & (NRP_PRF_MODULE_DYNAMIC | NRP_PRF_MODULE_RESOURCE)))
        return NULL;
    /* The module's file, read sparsely, when it is the image (see
     * nrp_meta_open_file_sparse for why); the image in place otherwise (a
     * module loaded from memory or a single-file bundle, or a file
     * replaced since). */
    if (!NRP_FAILED(nrp_info_module_path(s->info, module, path, sizeof path)) && path[0] == '/' &&
        nrp_meta_open_file_sparse(path, base, SCAN_TABLES, &m, &err) == NRP_OK)
        return m;
    if (nrp_meta_open_image(base, !(flags & NRP_PRF_MODULE_FLAT_LAYOUT), &m, &err) != NRP_OK) {
        NRP_LOG_DBG("module 0x%llx: its image cannot be read (%s); asking the runtime", (unsigned long long)module,
                    err.msg);
        return NULL;
    }
    return m;
}

/* ---- can a module hold a type deriving from `base`? ---------------------- */

/* A type derives from (or implements) B only through TypeRefs into the
 * assemblies its module references, each of which reaches on the same way:
 * B's assembly is reachable from the module along AssemblyRefs (type
 * forwarders too: a facade references where it forwards). So a module that
 * neither defines B nor references an assembly that reaches B holds nothing
 * a `base: B` rule can select, and its types need not be walked.
 * CoreLib, which references nothing, is the big win.
 *
 * An answer that needs an assembly not loaded yet is "unknown". When that
 * is the only reason (no cycle, no failure), the module's `base` rules
 * wait for one of those assemblies to load (nrp_waiting_module): a type
 * whose chain of bases goes through an assembly cannot be loaded, nor any
 * of its methods run, before that assembly is, and the question is asked
 * again in that assembly's ModuleLoadFinished. */
#define REACH_DEPTH 16
#define IN_PROGRESS 2
#define MISSING_MAX 64
#define BASES_MAX 8

/* Why an answer is unknown: the assemblies not loaded yet, or something
 * else (a cycle, a failure, too many), which means "walk now". One per
 * top-level question, which numbers it: an unknown answer is memoized for
 * the rest of that question only (a framework assembly is reached along
 * many paths), a yes or no for good. */
typedef struct reach_why {
    unsigned question;
    char missing[MISSING_MAX][128];
    size_t missing_count;
    int other;
} reach_why;

static void note_missing(reach_why *why, const char *assembly)
{
    for (size_t i = 0; i < why->missing_count; i++)
        if (strcasecmp(why->missing[i], assembly) == 0)
            return;
    if (why->missing_count == MISSING_MAX || strlen(assembly) >= sizeof why->missing[0]) {
        why->other = 1; /* cannot wait for them all: walk */
        return;
    }
    snprintf(why->missing[why->missing_count++], sizeof why->missing[0], "%s", assembly);
}

/* What reach questions read of a loaded assembly, read once: the names
 * it references and, per base asked, whether it defines it and whether it
 * reaches it. Entries are never freed (a traversal holds them without the
 * lock); an unloading assembly's is unlinked, so a later load reads its
 * own. `refs` never changes once made; the per-base fields under
 * reach_lock. */
struct nrp_asm_facts {
    char *assembly;
    ModuleID module;
    uint64_t hash;
    char **refs;
    size_t ref_count, ref_cap;
    const char *bases[BASES_MAX];
    int defines[BASES_MAX];
    int reaches[BASES_MAX];       /* 1, 0, -1 (unknown, in `question` only), IN_PROGRESS (same) */
    unsigned question[BASES_MAX];
    size_t base_count;
    nrp_asm_facts *next;
};

static uint64_t name_hash(const char *name)
{
    return nrp_hash_str_nocase(NRP_HASH_INIT, name);
}

static int note_ref(void *ctx, mdToken ref, const char *name)
{
    nrp_asm_facts *f = ctx;
    (void)ref;
    if (NRP_ARRAY_GROW(f->refs, f->ref_count, f->ref_cap) != NRP_OK || !(f->refs[f->ref_count] = strdup(name)))
        return 1; /* stop: out of memory, seen by the caller */
    f->ref_count++;
    return 0;
}

/* An array of strdup'd names, and the names. */
static void free_names(char **names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

/* The names of the image's AssemblyRefs, to f: S_FALSE once every one is
 * seen (as nrp_mdasm_each_assembly_ref says it), else a failure (then the
 * module is walked, as for one whose references cannot be read). */
static HRESULT image_assembly_refs(const nrp_meta *m, nrp_asm_facts *f)
{
    nrp_err err;
    for (uint32_t row = 1; row <= nrp_meta_row_count(m, NRP_META_ASSEMBLYREF); row++) {
        const char *name;
        if (nrp_meta_assembly_ref_name(m, row, &name, &err) != NRP_OK) {
            NRP_LOG_DBG("%s: AssemblyRef %u: %s", f->assembly, row, err.msg);
            return NRP_E_FAIL;
        }
        if (note_ref(f, (mdToken)(NRP_META_ASSEMBLYREF << 24 | row), name))
            return NRP_E_FAIL; /* out of memory */
    }
    return NRP_S_FALSE;
}

static void free_facts(nrp_asm_facts *f)
{
    if (f) {
        free_names(f->refs, f->ref_count);
        free(f->assembly);
    }
    free(f);
}

/* With reach_lock held. */
static nrp_asm_facts *find_facts(nrp_scanner *s, const char *assembly, uint64_t hash)
{
    for (nrp_asm_facts *f = s->facts[hash % NRP_FACTS_BUCKETS]; f; f = f->next)
        if (f->hash == hash && strcasecmp(f->assembly, assembly) == 0)
            return f;
    return NULL;
}

/* The facts of a loaded assembly (module 0: look it up among the loaded
 * modules), read on first use; NULL when it is not loaded or they cannot
 * be read. */
static nrp_asm_facts *get_facts(nrp_scanner *s, const char *assembly, ModuleID module)
{
    uint64_t hash = name_hash(assembly);
    pthread_mutex_lock(&s->reach_lock);
    nrp_asm_facts *f = find_facts(s, assembly, hash);
    pthread_mutex_unlock(&s->reach_lock);
    if (f)
        return f;
    if (!module && !(module = nrp_modules_find(s->modules, assembly, 1)))
        return NULL;
    nrp_com_object *asm_import = NULL;
    nrp_meta *image = NULL;
    HRESULT hr = NRP_E_FAIL;
    if ((f = calloc(1, sizeof *f)) && (f->assembly = strdup(assembly))) {
        if ((image = open_image(s, module)))
            hr = image_assembly_refs(image, f);
        else if (!NRP_FAILED(nrp_info_module_metadata(s->info, module, NRP_OF_READ,
                                                      &NRP_IID_IMetaDataAssemblyImport, &asm_import)))
            hr = nrp_mdasm_each_assembly_ref(asm_import, note_ref, f);
    }
    nrp_com_release(asm_import);
    if (hr != NRP_S_FALSE) { /* S_FALSE: every reference seen */
        free_facts(f);
        return NULL;
    }
    f->module = module;
    f->hash = hash;
    pthread_mutex_lock(&s->reach_lock);
    nrp_asm_facts *other = find_facts(s, assembly, hash); /* another thread read them meanwhile */
    if (!other) {
        f->next = s->facts[hash % NRP_FACTS_BUCKETS];
        s->facts[hash % NRP_FACTS_BUCKETS] = other = f;
    }
    pthread_mutex_unlock(&s->reach_lock);
    if (other != f)
        free_facts(f);
    return other;
}

/* The slot of `base` in f (made on first use), or -1 when f has no room
 * left; with reach_lock held. */
static int base_slot(nrp_asm_facts *f, const char *base)
{
    for (size_t i = 0; i < f->base_count; i++)
        if (strcmp(f->bases[i], base) == 0)
            return (int)i;
    if (f->base_count == BASES_MAX)
        return -1;
    f->bases[f->base_count] = base;
    f->defines[f->base_count] = -2; /* not looked up */
    f->reaches[f->base_count] = -2; /* not asked */
    return (int)f->base_count++;
}

/* The answer "cannot reach `base`" is kept for the assembly (asked
 * before, by a module's load); nothing is read to find out. */
static int known_not_to_reach(nrp_scanner *s, const char *assembly, const char *base)
{
    int no = 0;
    pthread_mutex_lock(&s->reach_lock);
    nrp_asm_facts *f = find_facts(s, assembly, name_hash(assembly));
    for (size_t i = 0; f && i < f->base_count && !no; i++)
        no = strcmp(f->bases[i], base) == 0 && f->reaches[i] == 0;
    pthread_mutex_unlock(&s->reach_lock);
    return no;
}

/* Whether the assembly defines `base`: 1, 0, or -1 when it cannot be read. */
static int defines_base(nrp_scanner *s, nrp_asm_facts *f, int slot, const char *base)
{
    pthread_mutex_lock(&s->reach_lock);
    int known = f->defines[slot];
    pthread_mutex_unlock(&s->reach_lock);
    if (known != -2)
        return known;
    nrp_com_object *mdi = NULL;
    mdToken def = 0;
    nrp_meta *image = open_image(s, f->module);
    if (image) {
        uint32_t row = 0;
        nrp_err err;
        known = nrp_meta_find_type(image, base, &row, &err) == NRP_OK ? row != 0 : -1;
    } else if (!NRP_FAILED(nrp_info_module_metadata(s->info, f->module, NRP_OF_READ, &NRP_IID_IMetaDataImport,
                                                    &mdi))) {
        known = nrp_mdi_find_type_def(mdi, base, 0, &def) == NRP_S_OK;
        nrp_com_release(mdi);
    } else {
        return -1;
    }
    if (known == -1)
        return -1;
    pthread_mutex_lock(&s->reach_lock);
    f->defines[slot] = known;
    pthread_mutex_unlock(&s->reach_lock);
    return known;
}

/* 1 yes, 0 no, -1 unknown (why says why). A yes or no is kept for good;
 * an unknown (and IN_PROGRESS, a cycle) within this question only. */
static int reaches_base(nrp_scanner *s, const char *assembly, ModuleID module, const char *base, int depth,
                        reach_why *why)
{
    if (depth > REACH_DEPTH || strchr(base, '+')) {
        why->other = 1; /* nested base types: no lookup by name here; walk */
        return -1;
    }
    nrp_asm_facts *f = get_facts(s, assembly, module);
    if (!f) {
        if (module || nrp_modules_find(s->modules, assembly, 1))
            why->other = 1; /* loaded, but its references cannot be read */
        else
            note_missing(why, assembly);
        return -1;
    }
    pthread_mutex_lock(&s->reach_lock);
    int slot = base_slot(f, base), memo = -2;
    if (slot >= 0 && (f->reaches[slot] == 0 || f->reaches[slot] == 1 || f->question[slot] == why->question))
        memo = f->reaches[slot];
    if (memo == -2 && slot >= 0) {
        f->reaches[slot] = IN_PROGRESS;
        f->question[slot] = why->question;
    }
    pthread_mutex_unlock(&s->reach_lock);
    if (slot < 0 || memo == IN_PROGRESS) {
        why->other = 1; /* a cycle of references, or too many bases: say unknown, so nothing wrong is kept */
        return -1;
    }
    if (memo != -2)
        return memo; /* an unknown of this question: its missing assemblies are noted already */
    int answer = defines_base(s, f, slot, base);
    if (answer == -1) {
        why->other = 1;
    } else if (!answer) {
        /* yes settles it; unknown goes on looking for a yes */
        for (size_t i = 0; i < f->ref_count && answer != 1; i++) {
            int r = reaches_base(s, f->refs[i], 0, base, depth + 1, why);
            if (r)
                answer = r;
        }
    }
    pthread_mutex_lock(&s->reach_lock);
    if (f->reaches[slot] != 0 && f->reaches[slot] != 1) /* a yes or no found meanwhile stays */
        f->reaches[slot] = answer, f->question[slot] = why->question;
    pthread_mutex_unlock(&s->reach_lock);
    return answer;
}

/* A top-level question: may the module's types reach `base`? */
static int ask_reach(nrp_scanner *s, const char *assembly, ModuleID module, const char *base, reach_why *why)
{
    pthread_mutex_lock(&s->reach_lock);
    why->question = ++s->questions;
    pthread_mutex_unlock(&s->reach_lock);
    why->missing_count = 0;
    why->other = 0;
    return reaches_base(s, assembly, module, base, 0, why);
}

/* ---- modules whose `base` rules wait for an assembly --------------------- */

/* One module's rules with one base, unknown for want of assemblies not
 * loaded yet: its frontier. When one of them loads, its own answer
 * settles the module's: yes walks the module, no takes it off the
 * frontier (an empty frontier is a no), unknown puts its own missing
 * assemblies in its place. Answers for loaded assemblies never change (a
 * yes or no is memoized for good), so the module is never asked again
 * from the start. */
struct nrp_waiting_module {
    ModuleID module;
    char *assembly;
    int have_version;
    nrp_version version;
    const char *base;             /* the rule's string */
    struct frontier {             /* the frontier: any one of them may lead to the base */
        char *name;
        uint64_t hash;            /* name_hash: every module load asks every waiting module */
    } *missing;
    size_t missing_count, missing_cap;
    struct nrp_waiting_module *next;
};

static void free_waiting(nrp_waiting_module *w)
{
    if (w) {
        for (size_t i = 0; i < w->missing_count; i++)
            free(w->missing[i].name);
        free(w->missing);
        free(w->assembly);
    }
    free(w);
}

static int waiting_for(const nrp_waiting_module *w, const char *assembly, uint64_t hash)
{
    for (size_t i = 0; i < w->missing_count; i++)
        if (w->missing[i].hash == hash && strcasecmp(w->missing[i].name, assembly) == 0)
            return 1;
    return 0;
}

/* Add why's missing assemblies to the frontier: NRP_OK or NRP_NOMEM. */
static nrp_result widen_frontier(nrp_waiting_module *w, const reach_why *why)
{
    for (size_t k = 0; k < why->missing_count; k++) {
        uint64_t hash = name_hash(why->missing[k]);
        if (waiting_for(w, why->missing[k], hash))
            continue;
        if (NRP_ARRAY_GROW(w->missing, w->missing_count, w->missing_cap) != NRP_OK ||
            !(w->missing[w->missing_count].name = strdup(why->missing[k])))
            return NRP_NOMEM;
        w->missing[w->missing_count++].hash = hash;
    }
    return NRP_OK;
}

static void drop_from_frontier(nrp_waiting_module *w, const char *assembly)
{
    size_t kept = 0;
    for (size_t i = 0; i < w->missing_count; i++)
        if (strcasecmp(w->missing[i].name, assembly) == 0)
            free(w->missing[i].name);
        else
            w->missing[kept++] = w->missing[i];
    w->missing_count = kept;
}

/* Unlink the waiting modules that wait for `assembly` (NULL: those of
 * `module`), as a list of their own. */
static nrp_waiting_module *take_waiting(nrp_scanner *s, const char *assembly, ModuleID module)
{
    nrp_waiting_module *taken = NULL;
    uint64_t hash = assembly ? name_hash(assembly) : 0;
    pthread_mutex_lock(&s->pending_lock);
    for (nrp_waiting_module **pp = &s->waiting; *pp;) {
        nrp_waiting_module *w = *pp;
        if (assembly ? waiting_for(w, assembly, hash) : w->module == module) {
            *pp = w->next;
            w->next = taken;
            taken = w;
        } else {
            pp = &w->next;
        }
    }
    pthread_mutex_unlock(&s->pending_lock);
    return taken;
}

/* Put the entry on the list, then make sure none of its frontier loaded in
 * between (that assembly's ModuleLoadFinished, on another thread, may have
 * looked at the list before the entry was on it): such an entry is taken
 * back and returned with the assembly that loaded, to be looked at again. */
static nrp_waiting_module *wait_for_assemblies(nrp_scanner *s, nrp_waiting_module *w, char *loaded, size_t cap)
{
    NRP_LOG_DBG("%s: its rules with base %s wait for %s%s to load", w->assembly, w->base, w->missing[0].name,
                w->missing_count > 1 ? " (or another assembly it references)" : "");
    pthread_mutex_lock(&s->pending_lock);
    w->next = s->waiting;
    s->waiting = w;
    pthread_mutex_unlock(&s->pending_lock);
    for (size_t i = 0; i < w->missing_count; i++)
        if (nrp_modules_find(s->modules, w->missing[i].name, 1)) {
            snprintf(loaded, cap, "%s", w->missing[i].name);
            nrp_waiting_module *back = NULL;
            pthread_mutex_lock(&s->pending_lock);
            for (nrp_waiting_module **pp = &s->waiting; *pp; pp = &(*pp)->next)
                if (*pp == w) {
                    *pp = w->next;
                    w->next = NULL;
                    back = w;
                    break;
                }
            pthread_mutex_unlock(&s->pending_lock);
            return back; /* NULL: the loading thread took it */
        }
    return NULL;
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
            module_scan scan = {s,    p->module, mdi, NULL, NULL,   "", p->assembly, version, rules,
                                NULL, NULL,      0,   0,    0,    NRP_OK, module_is_collectible(s, p->module), 0, 0};
            nrp_scan_method sm = {p->type,   p->name,   p->params,     p->params_named,
                                  p->display, p->method, p->type_token, p->is_static};
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
    nrp_meta *image = open_image(s, module);
    if (image) {
        nrp_meta_assembly row;
        nrp_err err;
        nrp_result rc = nrp_meta_assembly_row(image, &row, &err);
        if (rc != NRP_OK)
            return NRP_ERROR;
        v->part[0] = row.version.major, v->part[1] = row.version.minor;
        v->part[2] = row.version.build, v->part[3] = row.version.revision;
        return NRP_OK;
    }
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

/* Which of the module's rules to match now: those without a `base` (on
 * the first look only), and those whose base it may reach. */
typedef struct split {
    int first_look;
    const char *walk[BASES_MAX];
    size_t walk_count;
} split;

static int keep_now(void *ctx, const nrp_rule *rule)
{
    const split *sp = ctx;
    if (!rule->match.base)
        return sp->first_look;
    for (size_t i = 0; i < sp->walk_count; i++)
        if (strcmp(sp->walk[i], rule->match.base) == 0)
            return 1;
    return 0;
}

/* Walk the module's types for `rules`: by lookup when every rule names
 * its type exactly, else every type. */
static void walk_module(nrp_scanner *s, ModuleID module, const char *assembly, const nrp_version *version,
                        const nrp_module_rules *rules)
{
    nrp_com_object *mdi = NULL;
    const char *types[16];
    HRESULT hr = nrp_info_module_metadata(s->info, module, NRP_OF_READ, &NRP_IID_IMetaDataImport, &mdi);
    if (NRP_FAILED(hr)) {
        nrp_log(NRP_LOG_WARN, "cannot read metadata of %s (0x%08x); its methods stay uninstrumented", assembly,
                (unsigned)hr);
        return;
    }
    module_scan scan = {s,    module, mdi, NULL, NULL,   "", assembly, version, rules,
                        NULL, NULL,   0,   0,    0,    NRP_OK, module_is_collectible(s, module), 0, 0};
    nrp_scan_visitor visitor = {&scan, want_type, want_method, on_method};
    size_t n = nrp_module_rules_exact_types(rules, types, sizeof types / sizeof types[0]);
    for (size_t i = 0; i < n; i++)
        if (strchr(types[i], '+'))
            n = 0; /* a nested type is found through its encloser: walk */
    hr = n ? nrp_module_scan_types(mdi, &visitor, types, n) : nrp_module_scan(mdi, &visitor);
    if (NRP_FAILED(hr))
        nrp_log(NRP_LOG_WARN, "reading the types of %s failed (0x%08x); some methods may stay uninstrumented",
                assembly, (unsigned)hr);
    if (scan.result != NRP_OK)
        nrp_log(NRP_LOG_ERROR, "out of memory matching rules in %s; some methods stay uninstrumented", assembly);
    nrp_com_release(mdi);
    hand_over(&scan);
    free_batch(&scan);
}

/* Walk the module for the rules `sp` keeps (all of `rules` when all). */
static void walk_split(nrp_scanner *s, ModuleID module, const char *assembly, const nrp_version *version,
                       const nrp_module_rules *rules, const split *sp)
{
    nrp_module_rules *now = NULL;
    if (nrp_module_rules_filter(rules, keep_now, (void *)sp, &now) != NRP_OK)
        nrp_log(NRP_LOG_ERROR, "out of memory matching rules in %s; its methods stay uninstrumented", assembly);
    else if (now)
        walk_module(s, module, assembly, version, now);
    nrp_module_rules_free(now);
}

/* A module's `base` rules for one base, unknown for want of assemblies:
 * a new waiting entry (NULL when out of memory: then walk now). */
static nrp_waiting_module *new_waiting(ModuleID module, const char *assembly, const nrp_version *version,
                                       const char *base, const reach_why *why)
{
    nrp_waiting_module *w = calloc(1, sizeof *w);
    if (!w || !(w->assembly = strdup(assembly)) || widen_frontier(w, why) != NRP_OK) {
        free_waiting(w);
        return NULL;
    }
    w->module = module;
    w->base = base;
    w->have_version = version != NULL;
    if (version)
        w->version = *version;
    return w;
}

static void recheck_waiting(nrp_scanner *s, nrp_waiting_module *w, const char *loaded);

/* The answer's reasons when it could not be asked (out of memory): none. */
static const reach_why no_why;

/* An assembly of the entry's frontier loaded, with answer r (and why):
 * walk the module for the entry's base, drop it, or wait again. */
static void settle_waiting(nrp_scanner *s, nrp_waiting_module *w, const char *loaded, int r, const reach_why *why)
{
    char again[256];
    drop_from_frontier(w, loaded);
    int walk = r == 1 || (r == -1 && (why->other || !why->missing_count));
    if (!walk && r == -1 && widen_frontier(w, why) != NRP_OK)
        walk = 1; /* out of memory: walk now rather than lose a method */
    if (walk || !w->missing_count) {
        nrp_module_rules *rules = NULL;
        split sp = {0, {w->base}, 1};
        if (!walk)
            NRP_LOG_DBG("%s reaches no base %s: not walked for it", w->assembly, w->base);
        else if (nrp_rule_index_module(s->index, w->assembly, &rules) != NRP_OK)
            nrp_log(NRP_LOG_ERROR, "out of memory matching rules in %s; some methods stay uninstrumented",
                    w->assembly);
        if (rules)
            walk_split(s, w->module, w->assembly, w->have_version ? &w->version : NULL, rules, &sp);
        nrp_module_rules_free(rules);
        free_waiting(w);
        return;
    }
    nrp_waiting_module *back = wait_for_assemblies(s, w, again, sizeof again);
    if (back)
        recheck_waiting(s, back, again);
}

/* An assembly of the entry's frontier loaded while it was being put on
 * the list: ask that assembly now. */
static void recheck_waiting(nrp_scanner *s, nrp_waiting_module *w, const char *loaded)
{
    reach_why *why = malloc(sizeof *why);
    ModuleID m = nrp_modules_find(s->modules, loaded, 1);
    int r = why && m ? ask_reach(s, loaded, m, w->base, why) : 1; /* cannot ask: walk */
    settle_waiting(s, w, loaded, r, why && m ? why : &no_why);
    free(why);
}

/* An assembly loaded: settle the modules whose `base` rules waited for
 * it. Its answer for each base is asked once. */
static void resume_waiting(nrp_scanner *s, const char *loaded, ModuleID module)
{
    nrp_waiting_module *ready = take_waiting(s, loaded, 0);
    if (!ready)
        return;
    reach_why *why = malloc(sizeof *why);
    const char *asked = NULL;
    int r = 1; /* out of memory: walk */
    while (ready) {
        nrp_waiting_module *w = ready;
        ready = w->next;
        w->next = NULL;
        if (why && (!asked || strcmp(asked, w->base) != 0)) {
            r = ask_reach(s, loaded, module, w->base, why);
            asked = w->base;
        }
        settle_waiting(s, w, loaded, why ? r : 1, why ? why : &no_why);
    }
    free(why);
}

/* Match a module's rules on its load. Each base its rules name is asked
 * whether the module can reach it: no drops those rules, yes (or unknown
 * for another reason) walks them now, unknown for want of assemblies not
 * loaded yet makes them wait for one of those (nrp_waiting_module). */
static void match_module(nrp_scanner *s, ModuleID module, const char *assembly, const nrp_version *version)
{
    nrp_module_rules *rules = NULL;
    nrp_waiting_module *waits[BASES_MAX];
    size_t wait_count = 0;
    if (nrp_rule_index_module(s->index, assembly, &rules) != NRP_OK)
        nrp_log(NRP_LOG_ERROR, "out of memory matching rules in %s; its methods stay uninstrumented", assembly);
    if (!rules)
        return;
    const char *bases[BASES_MAX];
    size_t nb = nrp_module_rules_some_bases(rules, bases, BASES_MAX);
    split sp = {1, {0}, 0};
    reach_why *why = nb && nb <= BASES_MAX ? malloc(sizeof *why) : NULL;
    if (!why) { /* no base, too many to follow, or out of memory: walk for every rule */
        walk_module(s, module, assembly, version, rules);
        nrp_module_rules_free(rules);
        return;
    }
    for (size_t i = 0; i < nb; i++) {
        int r = ask_reach(s, assembly, module, bases[i], why);
        if (r == 0)
            continue;
        if (r == -1 && !why->other && why->missing_count &&
            (waits[wait_count] = new_waiting(module, assembly, version, bases[i], why)))
            wait_count++;
        else
            sp.walk[sp.walk_count++] = bases[i];
    }
    free(why);
    if (!wait_count && !sp.walk_count && nrp_module_rules_bases(rules, bases, BASES_MAX))
        NRP_LOG_DBG("%s reaches no base type its rules name: not walked", assembly);
    else if (!wait_count && sp.walk_count == nb)
        walk_module(s, module, assembly, version, rules); /* nothing left out */
    else
        walk_split(s, module, assembly, version, rules, &sp);
    nrp_module_rules_free(rules);
    for (size_t i = 0; i < wait_count; i++) {
        char loaded[256];
        nrp_waiting_module *back = wait_for_assemblies(s, waits[i], loaded, sizeof loaded);
        if (back) /* an assembly of its frontier loaded meanwhile */
            recheck_waiting(s, back, loaded);
    }
}

static void match_loaded(nrp_scanner *s, ModuleID module, int known)
{
    char assembly[512];
    nrp_version version;

    if (NRP_FAILED(nrp_info_module_assembly_name(s->info, module, assembly, sizeof assembly)))
        return;
    if (!nrp_modules_add(s->modules, assembly, module) && !known)
        return; /* matched already: heard of twice after an attach */
    /* What a comparison with nrprof check --app needs to know (tests/e2e). */
    if (nrp_log_enabled(NRP_LOG_TRACE))
        nrp_log(NRP_LOG_TRACE, "loaded %s", assembly);
    resume_pending(s, assembly);
    resume_waiting(s, assembly, module);
    /* The common case: no rule names this assembly. */
    if (nrp_rule_index_names(s->index, assembly)) {
        int have_version = read_assembly_version(s, module, &version) == NRP_OK;
        match_module(s, module, assembly, have_version ? &version : NULL);
    }
    drop_last_read();
}

void nrp_scanner_module_loaded(nrp_scanner *s, ModuleID module)
{
    match_loaded(s, module, 0);
}

void nrp_scanner_rematch(nrp_scanner *s, ModuleID module)
{
    rematching = 1;
    match_loaded(s, module, 1);
    rematching = 0;
}

void nrp_scanner_module_unloading(nrp_scanner *s, ModuleID module)
{
    nrp_modules_remove(s->modules, module);
    /* Its facts are unlinked, not freed: a question on another thread may
     * be reading them. A later load of the name reads its own. */
    pthread_mutex_lock(&s->reach_lock);
    for (size_t b = 0; b < NRP_FACTS_BUCKETS; b++)
        for (nrp_asm_facts **pp = &s->facts[b]; *pp;)
            if ((*pp)->module == module)
                *pp = (*pp)->next;
            else
                pp = &(*pp)->next;
    pthread_mutex_unlock(&s->reach_lock);
    nrp_waiting_module *waiting = take_waiting(s, NULL, module);
    while (waiting) {
        nrp_waiting_module *w = waiting;
        waiting = w->next;
        free_waiting(w);
    }
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
