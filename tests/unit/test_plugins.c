/* Plugin loading (every refusal, word for word) and the host services as a
 * real plugin, the bundled timing plugin, uses them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "il/il_method.h"
#include "metrics/metrics.h"
#include "metrics/series.h"
#include "plugin/bind.h"
#include "plugin/loader.h"
#include "plugin/rewrite.h"

/* "1.2": the version refusals name as the host's. */
#define HOST_ABI NRP_SDK_STR(NRP_ABI_MAJOR) "." NRP_SDK_STR(NRP_ABI_MINOR)

static char fake_dir[2048];
static char bundle_dir[2048];

static const char *fake(const char *name)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/libfake_%s.so", fake_dir, name);
    return path;
}

static void expect_refusal(const char *name, const char *fmt)
{
    nrp_plugin_set set = {0};
    nrp_err err = {{0}};
    char want[1024];
    const char *path = fake(name);
    snprintf(want, sizeof want, fmt, path);
    assert_int_equal(nrp_plugin_set_load_file(&set, path, nrp_host_api_table(), &err), NRP_ERROR);
    assert_string_equal(err.msg, want);
    assert_int_equal(set.count, 0);
    nrp_plugin_set_clear(&set);
}

static void refuses_bad_magic(void **state)
{
    (void)state;
    expect_refusal("bad_magic", "plugin %s: bad magic 0x12345678 (not an nrp plugin descriptor)");
}

static void refuses_other_abi_major(void **state)
{
    (void)state;
    expect_refusal("abi_major", "plugin %s built for ABI 2.0, host speaks " HOST_ABI);
}

static void refuses_newer_abi_minor(void **state)
{
    (void)state;
    expect_refusal("abi_minor", "plugin %s built for ABI 1.99, host speaks " HOST_ABI);
}

static void refuses_other_libc(void **state)
{
    (void)state;
#if defined(__GLIBC__)
    expect_refusal("other_libc", "plugin %s built for 64-bit musl, host is 64-bit glibc");
#else
    expect_refusal("other_libc", "plugin %s built for 64-bit glibc, host is 64-bit musl");
#endif
}

static void refuses_duplicate_strategy_in_one_plugin(void **state)
{
    (void)state;
    expect_refusal("dup_strategy", "plugin %s (fake) declares strategy 'alpha' twice");
}

static void refuses_plugin_without_strategies(void **state)
{
    (void)state;
    expect_refusal("no_strategies", "plugin %s (fake) provides no strategy");
}

static void refuses_failed_init(void **state)
{
    (void)state;
    expect_refusal("init_fails", "plugin %s (fake) failed to initialise: no licence key");
}

static void refuses_missing_entry_point(void **state)
{
    (void)state;
    expect_refusal("no_entry", "plugin %s: missing entry point nrp_plugin_entry()");
}

static void refuses_unloadable_file(void **state)
{
    (void)state;
    nrp_plugin_set set = {0};
    nrp_err err;
    assert_int_equal(nrp_plugin_set_load_file(&set, "/nonexistent/libx.so", nrp_host_api_table(), &err), NRP_ERROR);
    assert_non_null(strstr(err.msg, "plugin /nonexistent/libx.so: cannot load: "));
    /* attempted once: a second attempt is declined without a word */
    assert_int_equal(nrp_plugin_set_load_file(&set, "/nonexistent/libx.so", nrp_host_api_table(), &err), NRP_DECLINE);
    nrp_plugin_set_clear(&set);
}

static void refuses_strategy_provided_twice(void **state)
{
    (void)state;
    nrp_plugin_set set = {0};
    nrp_err err;
    char good[4096], want[9000];
    snprintf(good, sizeof good, "%s", fake("good"));
    assert_int_equal(nrp_plugin_set_load_file(&set, good, nrp_host_api_table(), &err), NRP_OK);
    assert_int_equal(nrp_plugin_set_load_file(&set, fake("good_twin"), nrp_host_api_table(), &err), NRP_ERROR);
    snprintf(want, sizeof want, "plugin %s (fake): strategy 'alpha' is already provided by %s", fake("good_twin"), good);
    assert_string_equal(err.msg, want);
    assert_int_equal(set.count, 1);
    nrp_plugin_set_clear(&set);
}

static void loads_folder_in_name_order_keeping_the_good(void **state)
{
    (void)state;
    nrp_plugin_set set = {0};
    nrp_strbuf sb;
    const nrp_loaded_plugin *owner = NULL;
    nrp_plugin_set_load_dir(&set, fake_dir, nrp_host_api_table(), NULL);
    /* beta sorts before good; good_twin is refused (alpha taken). */
    assert_int_equal(set.count, 2);
    assert_non_null(strstr(set.items[0].path, "libfake_beta.so"));
    assert_non_null(strstr(set.items[1].path, "libfake_good.so"));
    assert_non_null(nrp_plugin_set_find(&set, "alpha", &owner));
    assert_ptr_equal(owner, &set.items[1]);
    assert_null(nrp_plugin_set_find(&set, "gamma", NULL));
    nrp_strbuf_init(&sb);
    nrp_plugin_set_describe(&set, &sb);
    assert_string_equal(sb.data, "fake 9.9 (SDK " NRP_SDK_VERSION_STRING ") [beta]; fake 9.9 (SDK " NRP_SDK_VERSION_STRING ") [alpha]");
    nrp_strbuf_free(&sb);
    nrp_plugin_set_clear(&set);
}

static void missing_folder_loads_nothing(void **state)
{
    (void)state;
    nrp_plugin_set set = {0};
    nrp_strbuf sb;
    nrp_plugin_set_load_dir(&set, "/nonexistent-plugin-dir", nrp_host_api_table(), NULL);
    assert_int_equal(set.count, 0);
    nrp_strbuf_init(&sb);
    nrp_plugin_set_describe(&set, &sb);
    assert_string_equal(sb.data, "none");
    nrp_strbuf_free(&sb);
}

/* ---- which plugins a configuration loads ------------------------------- */

/* Load and bind yaml's rules against the folder fake-plugins/named into
 * set; returns how many problems were reported. */
static size_t load_for(nrp_plugin_set *set, const char *rules, nrp_plugin_choice choice)
{
    char dir[4096], yaml[1024];
    nrp_config *cfg = NULL;
    nrp_diags d;
    nrp_diags_init(&d);
    snprintf(dir, sizeof dir, "%s/named", fake_dir);
    snprintf(yaml, sizeof yaml, "version: 1\nrules:\n%s", rules);
    assert_int_equal(nrp_config_load_buffer("t.yaml", yaml, strlen(yaml), &cfg, &d), NRP_OK);
    nrp_load_config_plugins(set, dir, cfg, choice, &d);
    free(nrp_bind_rules(cfg, set, choice, &d));
    size_t problems = nrp_diags_total(&d);
    nrp_diags_free(&d);
    nrp_config_free(cfg);
    return problems;
}

#define RULE(name, strategy, enabled)                                                               \
    "  - name: " name "\n    match: { assembly: A, type: T, method: M }\n    strategy: " strategy \
    "\n    enabled: " enabled "\n"

static void profiler_loads_only_the_plugins_enabled_rules_use(void **state)
{
    (void)state;
    nrp_plugin_set set = {0};
    /* beta's plugin is found by its name; the disabled rule's strategy is
     * not looked for, not even when no plugin has it. */
    assert_int_equal(load_for(&set, RULE("b", "beta", "true") RULE("g", "gamma", "false"), NRP_PLUGINS_USED), 0);
    assert_int_equal(set.count, 1);
    assert_non_null(strstr(set.items[0].path, "/named/libnrp_beta.so"));
    /* nrprof check loads the rest and checks every rule; nothing is
     * attempted twice, so the loaded one is not refused as a duplicate. */
    assert_int_equal(load_for(&set, RULE("b", "beta", "true") RULE("g", "gamma", "false"), NRP_PLUGINS_ALL), 1);
    assert_int_equal(set.count, 2);
    assert_int_equal(set.tried_count, 2);
    nrp_plugin_set_clear(&set);

    /* No plugin is named alpha: the whole folder is loaded, in name order. */
    assert_int_equal(load_for(&set, RULE("a", "alpha", "true"), NRP_PLUGINS_USED), 0);
    assert_int_equal(set.count, 2);
    assert_non_null(strstr(set.items[0].path, "/named/libfake_alpha.so"));
    assert_non_null(strstr(set.items[1].path, "/named/libnrp_beta.so"));
    nrp_plugin_set_clear(&set);

    /* A strategy no plugin provides is still an error, after every plugin
     * was tried. */
    assert_int_equal(load_for(&set, RULE("x", "nothing", "true"), NRP_PLUGINS_USED), 1);
    assert_int_equal(set.count, 2);
    nrp_plugin_set_clear(&set);
}

/* ---- the timing plugin through the host services ---------------------- */

static uint32_t sig_calls;
/* Signatures timing asks tokens for, and what the fake module answers. */
static const struct {
    uint8_t sig[8];
    uint32_t len, token, params, returns;
} known_sigs[] = {
    /* unmanaged, modopt(CallConvSuppressGCTransition = TypeRef 3, coded 0x0D) */
    {{0x09, 0x01, 0x20, 0x0D, 0x01, 0x18}, 6, 0x11000007, 1, 0},       /* void counter_increment(native int) */
    {{0x09, 0x00, 0x20, 0x0D, 0x0A}, 5, 0x11000008, 0, 1},             /* int64 clock_ticks() */
    {{0x09, 0x02, 0x20, 0x0D, 0x01, 0x18, 0x0A}, 7, 0x11000009, 2, 0}, /* void record_since(native int, int64) */
};
static int fake_sig_token(void *ctx, const uint8_t *sig, uint32_t len, uint32_t *token, nrp_err *err)
{
    sig_calls++;
    if (ctx)
        return nrp_err_set(err, "metadata is read-only here");
    if (len > 0 && sig[0] == 0x07) { /* a local signature */
        *token = 0x1100000A;
        return NRP_OK;
    }
    for (size_t i = 0; i < sizeof known_sigs / sizeof *known_sigs; i++)
        if (len == known_sigs[i].len && memcmp(sig, known_sigs[i].sig, len) == 0) {
            *token = known_sigs[i].token;
            return NRP_OK;
        }
    return nrp_err_set(err, "unexpected signature");
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* calli's standalone signatures as the fake runtime describes them. */
/* The members the code that waits for a task calls (fake_member_ref's
 * tokens for them), as stack effects: instance getters pop the task and
 * push a value; newobj ValueTask(Task) pops the task; Watch pops 4. */
#define FAKE_WATCH 0x06000099u
static const struct {
    const char *name;
    uint32_t token, params, returns;
} task_members[] = {
    {"get_IsCompletedSuccessfully", 0x0A000010, 1, 1},
    {"AsTask", 0x0A000011, 1, 1},
    {".ctor", 0x0A000012, 1, 0},
    {"Watch", FAKE_WATCH, 4, 0},
};

static int fake_call_info(void *ctx, uint32_t token, nrp_il_call_info *out, nrp_err *err)
{
    (void)ctx;
    for (size_t i = 0; i < sizeof task_members / sizeof *task_members; i++)
        if (token == task_members[i].token) {
            *out = (nrp_il_call_info){0, task_members[i].params, task_members[i].returns};
            return NRP_OK;
        }
    for (size_t i = 0; i < sizeof known_sigs / sizeof *known_sigs; i++)
        if (token == known_sigs[i].token) {
            *out = (nrp_il_call_info){0, known_sigs[i].params, known_sigs[i].returns};
            return NRP_OK;
        }
    return nrp_err_set(err, "unexpected token 0x%08x", token);
}

/* A module whose metadata services record what they were asked. */
static char md_log[512];
static int fake_type_spec(void *ctx, const uint8_t *sig, uint32_t len, uint32_t *token, nrp_err *err)
{
    (void)ctx;
    (void)err;
    snprintf(md_log + strlen(md_log), sizeof md_log - strlen(md_log), "typespec %u:%02x;", len, sig[0]);
    *token = 0x1B000001;
    return NRP_OK;
}
static int fake_assembly_ref(void *ctx, const char *name, uint32_t *token, nrp_err *err)
{
    (void)ctx;
    (void)err;
    snprintf(md_log + strlen(md_log), sizeof md_log - strlen(md_log), "asmref %s;", name);
    *token = 0x23000002;
    return NRP_OK;
}
static int fake_type_ref(void *ctx, const char *assembly, const char *type, uint32_t *token, nrp_err *err)
{
    (void)ctx;
    if (strcmp(type, "Missing") == 0)
        return nrp_err_set(err, "type_ref: no type Missing");
    snprintf(md_log + strlen(md_log), sizeof md_log - strlen(md_log), "typeref [%s]%s;",
             assembly ? assembly : "corlib", type);
    *token = 0x01000003;
    return NRP_OK;
}
static int fake_member_ref(void *ctx, uint32_t parent, const char *name, const uint8_t *sig, uint32_t len,
                           uint32_t *token, nrp_err *err)
{
    (void)ctx;
    (void)err;
    (void)sig;
    snprintf(md_log + strlen(md_log), sizeof md_log - strlen(md_log), "memberref %08x::%s/%u;", parent, name, len);
    *token = 0x0A000004;
    /* the members of the code that waits for a task (a constructor of
     * ValueTask: one Task parameter) */
    for (size_t i = 0; i < sizeof task_members / sizeof *task_members; i++)
        if (strcmp(name, task_members[i].name) == 0 && (strcmp(name, ".ctor") != 0 || sig[1] == 1))
            *token = task_members[i].token;
    return NRP_OK;
}
static int fake_user_string(void *ctx, const char *text, uint32_t *token, nrp_err *err)
{
    (void)ctx;
    (void)err;
    snprintf(md_log + strlen(md_log), sizeof md_log - strlen(md_log), "string '%s';", text);
    *token = 0x70000005;
    return NRP_OK;
}

static int fake_param_info(void *ctx, const nrp_method_info *method, int32_t index, nrp_param_info *out,
                           nrp_err *err)
{
    static const uint8_t int32[] = {0x08};
    (void)ctx;
    (void)method;
    if (index > 1)
        return nrp_err_set(err, "no parameter %d", (int)index);
    /* The host hands the module its own full layout, whatever the plugin's. */
    if (out->size != sizeof *out)
        return nrp_err_set(err, "param_info got a struct of %u bytes", out->size);
    out->flags = NRP_PARAM_BOXABLE;
    out->type = int32;
    out->type_len = sizeof int32;
    return NRP_OK;
}
static int fake_assembly_resolvable(void *ctx, const char *name)
{
    (void)ctx;
    return strcmp(name, "Shop.Telemetry") == 0;
}

static int fake_assembly_file(void *ctx, const char *name, char *path, size_t cap, nrp_err *err)
{
    (void)ctx;
    if (strcmp(name, "Shop.Telemetry") != 0)
        return nrp_err_set(err, "cannot find the file of assembly %s", name);
    snprintf(path, cap, "/nonexistent/%s.dll", name);
    return NRP_OK;
}

/* The module's <nrp>TaskWatch::Watch, and the TypeDef of <nrp>TaskExit`1. */
static int fake_task_watch(void *ctx, uint32_t *token, nrp_err *err)
{
    (void)ctx;
    (void)err;
    *token = FAKE_WATCH;
    return NRP_OK;
}
#define FAKE_EXIT_CLASS 0x02000077u
static int fake_task_exit(void *ctx, uint32_t *type, nrp_err *err)
{
    (void)ctx;
    (void)err;
    *type = FAKE_EXIT_CLASS;
    return NRP_OK;
}

static void setup_rewrite(nrp_rewrite *rw, nrp_metrics *m, void *sig_ctx)
{
    static const uint8_t add_body[] = {0x12, 0x02, 0x03, 0x58, 0x2A}; /* tiny: ldarg.0 ldarg.1 add ret */
    static const uint8_t add_sig[] = {0x00, 0x02, 0x08, 0x08, 0x08};  /* static int32(int32, int32) */
    nrp_il_env env = {NULL, fake_call_info, NULL, fake_sig_token};
    nrp_err err;
    memset(rw, 0, sizeof *rw);
    rw->method = (nrp_method_info){.size = sizeof(nrp_method_info), .assembly = "Demo", .type = "Demo.Calculator",
                                   .name = "Add", .display = "Demo.Calculator::Add(System.Int32,System.Int32)",
                                   .rule = "add", .flags = NRP_METHOD_STATIC | NRP_METHOD_RETURNS_VALUE};
    static nrp_module_md md;
    md = (nrp_module_md){sig_ctx,          fake_sig_token, fake_type_spec,  fake_assembly_ref,
                         fake_type_ref,    fake_member_ref, fake_user_string, fake_param_info,
                         fake_assembly_resolvable, fake_assembly_file, fake_task_watch,
                         fake_task_exit};
    rw->metrics = m;
    rw->md = &md;
    rw->plugin_abi_minor = NRP_ABI_MINOR;
    assert_int_equal(nrp_il_method_decode(add_body, sizeof add_body, add_sig, sizeof add_sig, &env, &rw->il, &err),
                     NRP_OK);
}

static const nrp_strategy *load_timing_with(nrp_plugin_set *set, const nrp_host_api *api)
{
    char path[4096];
    nrp_err err;
    snprintf(path, sizeof path, "%s/plugins/libnrp_timing.so", bundle_dir);
    assert_int_equal(nrp_plugin_set_load_file(set, path, api, &err), NRP_OK);
    const nrp_strategy *s = nrp_plugin_set_find(set, "timing", NULL);
    assert_non_null(s);
    return s;
}

static const nrp_strategy *load_timing(nrp_plugin_set *set)
{
    return load_timing_with(set, nrp_host_api_table());
}

/* The ldc.i8 operands of code, in order. */
static size_t embedded_pointers(const uint8_t *code, size_t len, uint64_t *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i + 10 <= len && n < cap; i++)
        if (code[i] == 0x21 && code[i + 9] == 0xD3) { /* ldc.i8 x; conv.i */
            out[n++] = le64(code + i + 1);
            i += 9;
        }
    return n;
}

static void timing_wraps_the_body_with_native_probes(void **state)
{
    (void)state;
    nrp_plugin_set set = {0};
    nrp_metrics *m = nrp_metrics_create();
    nrp_rewrite rw;
    nrp_err err;
    const nrp_strategy *timing = load_timing(&set);
    const char *display = "Demo.Calculator::Add(System.Int32,System.Int32)";

    setup_rewrite(&rw, m, NULL);
    sig_calls = 0;
    md_log[0] = '\0';
    assert_int_equal(nrp_rewrite_apply(&rw, "timing", timing, &err), NRP_OK);
    assert_int_equal(sig_calls, 3);
    assert_string_equal(md_log, "typeref [corlib]System.Runtime.CompilerServices.CallConvSuppressGCTransition;"
                                "typeref [corlib]System.Exception;");

    nrp_counter *calls = nrp_metrics_counter_sharded(m, "nrp_method_calls_total", NULL, "add", display);
    nrp_counter *exceptions = nrp_metrics_counter_sharded(m, "nrp_method_exceptions_total", NULL, "add", display);
    nrp_histogram *duration = nrp_metrics_histogram(m, "nrp_method_duration", NULL, "add", display);
    const nrp_host_api *api = nrp_host_api_table();
    uint8_t *out;
    size_t size;
    assert_int_equal(nrp_il_method_encode(rw.il, &out, &size, &err), NRP_OK);

    /* A fat body with a local for the start time; the exception observed
     * by a declining filter and a fault block. No finally: a calli in a
     * handler would not be a direct call. */
    nrp_il_body body;
    assert_int_equal(nrp_il_decode(out, size, &body, &err), NRP_OK);
    assert_int_equal(body.local_sig_token, 0x1100000A);
    assert_int_equal(body.clause_count, 2);
    assert_int_equal(body.clauses[0].flags, NRP_EH_FILTER);
    assert_int_equal(body.clauses[1].flags, NRP_EH_FAULT);
    assert_int_equal(body.clauses[0].try_offset, body.clauses[1].try_offset);
    /* The filter tests for System.Exception: isinst 0x01000003. */
    const uint8_t *filter = body.code + body.clauses[0].class_token_or_filter_offset;
    static const uint8_t isinst_exception[] = {0x75, 0x03, 0x00, 0x00, 0x01};
    assert_memory_equal(filter, isinst_exception, sizeof isinst_exception);

    /* Entry: calls, counter_increment, clock_ticks; the fault's exceptions,
     * counter_increment, histogram, histogram_record_since; the epilogue's
     * histogram, histogram_record_since. The series are the registry's,
     * the functions the host's own, called directly: timing has no code on
     * the hot path. */
    uint64_t p[10];
    assert_int_equal(embedded_pointers(body.code, body.code_size, p, 10), 9);
    const uint64_t want[9] = {
        (uint64_t)(uintptr_t)calls,      (uint64_t)(uintptr_t)api->counter_increment,
        (uint64_t)(uintptr_t)api->clock_ticks, (uint64_t)(uintptr_t)exceptions,
        (uint64_t)(uintptr_t)api->counter_increment, (uint64_t)(uintptr_t)duration,
        (uint64_t)(uintptr_t)api->histogram_record_since, (uint64_t)(uintptr_t)duration,
        (uint64_t)(uintptr_t)api->histogram_record_since};
    for (int i = 0; i < 9; i++)
        if (p[i] != want[i])
            fail_msg("pointer %d is %llx, not %llx", i, (unsigned long long)p[i], (unsigned long long)want[i]);

    /* Called the way the injected calli calls them, they record. */
    uint64_t start = api->clock_ticks();
    api->counter_increment(calls);
    api->counter_increment(calls);
    api->counter_increment(exceptions);
    api->histogram_record_since(duration, start);
    assert_int_equal(nrp_series_counter_value((const nrp_series *)calls), 2);
    assert_int_equal(nrp_series_counter_value((const nrp_series *)exceptions), 1);
    nrp_hist *h = malloc(sizeof *h);
    assert_non_null(h);
    nrp_series_histogram_read((const nrp_series *)duration, h);
    assert_int_equal(nrp_hist_count(h), 1);
    assert_true(h->min_ns == h->max_ns && h->sum_ns == h->max_ns);
    free(h);

    nrp_il_body_free(&body);
    free(out);
    nrp_il_method_free(rw.il);
    nrp_metrics_destroy(m);
    nrp_plugin_set_clear(&set);
}

/* The method of setup_rewrite replaced by one that returns a task:
 * `static <ret> Get()` whose body is `ldnull; ret` (Task) or
 * `ldloca 0; initobj; ldloc.0; ret` is not needed: the glue only looks at
 * the signature, so ValueTask's body returns a default local too. */
static void setup_task_rewrite(nrp_rewrite *rw, nrp_metrics *m, void **slot, const uint8_t *sig, size_t sig_len,
                               uint32_t flags)
{
    static const uint8_t body[] = {0x0A, 0x14, 0x2A}; /* tiny: ldnull ret */
    nrp_il_env env = {NULL, fake_call_info, NULL, fake_sig_token};
    nrp_err err;
    setup_rewrite(rw, m, NULL);
    nrp_il_method_free(rw->il);
    rw->il = NULL;
    rw->method.name = "Get";
    rw->method.display = "Demo.Calculator::Get()";
    rw->method.signature = sig;
    rw->method.signature_len = (uint32_t)sig_len;
    rw->method.param_count = 0;
    rw->method.flags = NRP_METHOD_STATIC | NRP_METHOD_RETURNS_VALUE | NRP_METHOD_ASYNC | flags;
    rw->slot = slot;
    assert_int_equal(nrp_il_method_decode(body, sizeof body, sig, sig_len, &env, &rw->il, &err), NRP_OK);
}

/* The offsets of `call FAKE_WATCH` in code. */
static size_t watch_calls(const uint8_t *code, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i + 5 <= len; i++)
        if (code[i] == 0x28 && le32(code + i + 1) == FAKE_WATCH)
            n++;
    return n;
}

/* A method that returns a Task is timed until the task completes: the
 * exit code tests IsCompletedSuccessfully and hands a pending task to the
 * module's Watch with timing's task_done and the method's series, which
 * task_done records into: the duration always, a fault as an exception, a
 * cancellation as one. */
static void timing_waits_for_a_task(void **state)
{
    (void)state;
    static const uint8_t task_sig[] = {0x00, 0x00, 0x12, 0x0D}; /* static Task() (TypeRef 3) */
    nrp_plugin_set set = {0};
    nrp_metrics *m = nrp_metrics_create();
    nrp_rewrite rw;
    nrp_err err;
    void *slot = NULL;
    const nrp_strategy *timing = load_timing(&set);
    setup_task_rewrite(&rw, m, &slot, task_sig, sizeof task_sig, NRP_METHOD_RETURNS_TASK);
    md_log[0] = '\0';
    if (nrp_rewrite_apply(&rw, "timing", timing, &err) != NRP_OK)
        fail_msg("%s", err.msg);
    assert_non_null(strstr(md_log, "typeref [corlib]System.Threading.Tasks.Task;memberref 01000003::"
                                   "get_IsCompletedSuccessfully/3;"));
    assert_non_null(slot);

    uint8_t *out;
    size_t size;
    nrp_il_body body;
    assert_int_equal(nrp_il_method_encode(rw.il, &out, &size, &err), NRP_OK);
    assert_int_equal(nrp_il_decode(out, size, &body, &err), NRP_OK);
    assert_int_equal(watch_calls(body.code, body.code_size), 1);
    /* ..., task_done, the cookie (the method's slot), call Watch */
    uint64_t p[16];
    size_t n = embedded_pointers(body.code, body.code_size, p, 16);
    size_t k = 0;
    while (k < n && p[k] != (uint64_t)(uintptr_t)slot)
        k++;
    assert_true(k > 0 && k < n);
    void (*task_done)(void *, uint64_t, int32_t) = (void (*)(void *, uint64_t, int32_t))(uintptr_t)p[k - 1];

    const nrp_host_api *api = nrp_host_api_table();
    const char *display = rw.method.display;
    nrp_counter *exceptions = nrp_metrics_counter_sharded(m, "nrp_method_exceptions_total", NULL, "add", display);
    nrp_counter *canceled = nrp_metrics_counter_sharded(m, "nrp_method_cancellations_total", NULL, "add", display);
    nrp_histogram *duration = nrp_metrics_histogram(m, "nrp_method_duration", NULL, "add", display);
    task_done(slot, api->clock_ticks(), NRP_TASK_RAN_TO_COMPLETION);
    task_done(slot, api->clock_ticks(), NRP_TASK_FAULTED);
    task_done(slot, api->clock_ticks(), NRP_TASK_CANCELED);
    assert_int_equal(nrp_series_counter_value((const nrp_series *)exceptions), 1);
    assert_int_equal(nrp_series_counter_value((const nrp_series *)canceled), 1);
    nrp_hist *h = malloc(sizeof *h);
    assert_non_null(h);
    nrp_series_histogram_read((const nrp_series *)duration, h);
    assert_int_equal(nrp_hist_count(h), 3);
    free(h);
    /* async="true" on its series, the cancellations' among them */
    nrp_strbuf text;
    nrp_strbuf_init(&text);
    nrp_metrics_format_prometheus(m, &text);
    assert_non_null(strstr(text.data, "nrp_method_cancellations_total{rule=\"add\",method=\"Demo.Calculator::Get()\","
                                      "async=\"true\"} 1\n"));
    nrp_strbuf_free(&text);

    /* Rewritten again (ReJIT after a reload), it reuses the slot's series. */
    void *first = slot;
    nrp_il_method_free(rw.il);
    setup_task_rewrite(&rw, m, &slot, task_sig, sizeof task_sig, NRP_METHOD_RETURNS_TASK);
    assert_int_equal(nrp_rewrite_apply(&rw, "timing", timing, &err), NRP_OK);
    assert_ptr_equal(slot, first);

    nrp_il_body_free(&body);
    free(out);
    free(slot);
    nrp_il_method_free(rw.il);
    nrp_metrics_destroy(m);
    nrp_plugin_set_clear(&set);
}

/* ValueTask<int>: the members are ValueTask<int>'s (a TypeSpec of the
 * return type), the Task behind it a new local, and the exit code leaves
 * the value returned: a ValueTask over that Task when it was pending. */
static void timing_waits_for_a_value_task(void **state)
{
    (void)state;
    /* static ValueTask`1<int32>() with ValueTask`1 as TypeRef 3 */
    static const uint8_t sig[] = {0x00, 0x00, 0x15, 0x11, 0x0D, 0x01, 0x08};
    nrp_plugin_set set = {0};
    nrp_metrics *m = nrp_metrics_create();
    nrp_rewrite rw;
    nrp_err err;
    void *slot = NULL;
    const nrp_strategy *timing = load_timing(&set);
    setup_task_rewrite(&rw, m, &slot, sig, sizeof sig, NRP_METHOD_RETURNS_VALUE_TASK);
    md_log[0] = '\0';
    if (nrp_rewrite_apply(&rw, "timing", timing, &err) != NRP_OK)
        fail_msg("%s", err.msg);
    if (!strstr(md_log, "typeref [corlib]System.Threading.Tasks.Task`1;typespec 5:15;"
                                   "memberref 1b000001::get_IsCompletedSuccessfully/3;"
                                   "memberref 1b000001::AsTask/8;memberref 1b000001::.ctor/9;"))
        fail_msg("%s", md_log);
    uint8_t *out;
    size_t size;
    nrp_il_body body;
    assert_int_equal(nrp_il_method_encode(rw.il, &out, &size, &err), NRP_OK);
    assert_int_equal(nrp_il_decode(out, size, &body, &err), NRP_OK);
    assert_int_equal(watch_calls(body.code, body.code_size), 1);
    /* newobj ValueTask<int>(Task<int>) */
    size_t newobj = 0;
    for (size_t i = 0; i + 5 <= body.code_size; i++)
        newobj += body.code[i] == 0x73 && le32(body.code + i + 1) == 0x0A000012;
    assert_int_equal(newobj, 1);
    nrp_il_body_free(&body);
    free(out);
    free(slot);
    nrp_il_method_free(rw.il);
    nrp_metrics_destroy(m);
    nrp_plugin_set_clear(&set);
}

static void spy_task_done(void *cookie, uint64_t start, int32_t status)
{
    (void)cookie;
    (void)start;
    (void)status;
}

/* The managed way (the tracer's await: true): every normal return hands
 * its task to <nrp>TaskExit`1<X>::Watch with the state local, ldftn of the
 * exit method and whether to pass the result; guarded code stays allowed,
 * the host's own call unguarded. ValueTask<int>: over its Task. */
static void task_exit_method_hands_the_task_over(void **state)
{
    (void)state;
    static const uint8_t vt_sig[] = {0x00, 0x00, 0x15, 0x11, 0x0D, 0x01, 0x08}; /* ValueTask`1<int32>() */
    static const uint8_t object_type[] = {NRP_ELEMENT_OBJECT};
    nrp_metrics *m = nrp_metrics_create();
    nrp_rewrite rw;
    nrp_err err;
    void *slot = NULL;
    uint32_t state_local;
    const nrp_host_api *api = nrp_host_api_table();
    setup_task_rewrite(&rw, m, &slot, vt_sig, sizeof vt_sig, NRP_METHOD_RETURNS_VALUE_TASK);
    assert_int_equal(api->il_add_local(&rw, object_type, 1, &state_local), NRP_OK);
    nrp_wrap spec = {.size = sizeof spec, .guard_type = 0x01000003, .task_exit_method = 0x0A0000EE,
                     .task_state_local = state_local, .task_exit_result = 1};
    md_log[0] = '\0';
    if (api->il_wrap(&rw, &spec, NULL) != NRP_OK)
        fail_msg("%s", rw.err.msg);
    /* Watch on <nrp>TaskExit`1<int32>: a TypeSpec of GENERICINST CLASS 0x02000077 1 I4,
     * void (Task, object, native int, bool) */
    if (!strstr(md_log, "typespec 6:15;memberref 1b000001::Watch/8;"))
        fail_msg("%s", md_log);
    uint8_t *out;
    size_t size;
    nrp_il_body body;
    assert_int_equal(nrp_il_method_encode(rw.il, &out, &size, &err), NRP_OK);
    assert_int_equal(nrp_il_decode(out, size, &body, &err), NRP_OK);
    /* ldftn <exit>; ldc.i4 1; call Watch, unguarded: no clause but the body's own none */
    static const uint8_t handover[] = {0xFE, 0x06, 0xEE, 0x00, 0x00, 0x0A, 0x20, 0x01, 0x00, 0x00, 0x00};
    int found = 0;
    for (size_t i = 0; i + sizeof handover <= body.code_size; i++)
        found += memcmp(body.code + i, handover, sizeof handover) == 0;
    assert_int_equal(found, 1);
    assert_int_equal(body.clause_count, 0);
    nrp_il_body_free(&body);
    free(out);
    nrp_il_method_free(rw.il);

    /* task_done and task_exit_method together: refused */
    setup_task_rewrite(&rw, m, &slot, vt_sig, sizeof vt_sig, NRP_METHOD_RETURNS_VALUE_TASK);
    spec.task_done = spy_task_done;
    assert_int_equal(api->il_wrap(&rw, &spec, NULL), NRP_ERROR);
    assert_string_equal(rw.err.msg, "il_wrap: task_done and task_exit_method are set; one way to wait at most");
    nrp_il_method_free(rw.il);
    nrp_metrics_destroy(m);
}

/* task_done on a method that returns no task, or with guard_type, is
 * refused with the reason; nothing is waited for. */
static void task_done_needs_a_task(void **state)
{
    (void)state;
    static const uint8_t task_sig[] = {0x00, 0x00, 0x12, 0x0D};
    static const uint8_t ret[] = {0x2A};
    nrp_metrics *m = nrp_metrics_create();
    nrp_rewrite rw;
    void *slot = NULL;
    const nrp_host_api *api = nrp_host_api_table();
    nrp_wrap spec = {.size = sizeof spec, .exit_il = ret, .exit_len = 0, .task_done = spy_task_done,
                     .task_cookie = &slot};
    setup_rewrite(&rw, m, NULL); /* int Add(int, int) */
    assert_int_equal(api->il_wrap(&rw, &spec, NULL), NRP_ERROR);
    assert_string_equal(rw.err.msg, "il_wrap: task_done is set but the method returns no Task or ValueTask");
    nrp_il_method_free(rw.il);
    setup_task_rewrite(&rw, m, &slot, task_sig, sizeof task_sig, NRP_METHOD_RETURNS_TASK);
    spec.guard_type = 0x01000003;
    assert_int_equal(api->il_wrap(&rw, &spec, NULL), NRP_ERROR);
    assert_string_equal(rw.err.msg, "il_wrap: task_done cannot be combined with guard_type");
    nrp_il_method_free(rw.il);
    nrp_metrics_destroy(m);
}

/* What a plugin gets from histogram() depends on the ABI minor it was
 * built for: layout 1, which it may write itself, before 1.2; the opaque
 * series, recorded through the host, from 1.2. Both kinds of record reach
 * the one series. */
static void histogram_layout_follows_the_plugin_abi(void **state)
{
    (void)state;
    const nrp_host_api *api = nrp_host_api_table();
    nrp_metrics *m = nrp_metrics_create();
    nrp_rewrite rw;
    setup_rewrite(&rw, m, NULL);
    rw.plugin_abi_minor = 1;
    nrp_histogram *old = api->histogram(&rw, "d", NULL);
    rw.plugin_abi_minor = 2;
    nrp_histogram *opaque = api->histogram(&rw, "d", NULL);
    assert_non_null(old);
    assert_non_null(opaque);
    assert_ptr_equal(old, nrp_metrics_histogram_layout1(m, "d", NULL, "add", rw.method.display));
    assert_ptr_equal(opaque, nrp_metrics_histogram(m, "d", NULL, "add", rw.method.display));
    nrp_histogram_record(old, 1500);
    api->histogram_record(opaque, 700);
    assert_int_equal(old->count, 1);
    nrp_hist *h = malloc(sizeof *h);
    assert_non_null(h);
    nrp_series_histogram_read((const nrp_series *)opaque, h);
    assert_int_equal(nrp_hist_count(h), 2);
    assert_int_equal(h->sum_ns, 2200);
    assert_int_equal(h->min_ns, 700);
    assert_int_equal(h->max_ns, 1500);
    free(h);
    nrp_il_method_free(rw.il);
    nrp_metrics_destroy(m);
}

/* timing embeds the functions of the table it was given, never its own:
 * with spies in the table, the injected code calls the spies. */
static unsigned spy_counts, spy_records;
static void spy_counter_increment(nrp_counter *c)
{
    spy_counts++;
    nrp_host_api_table()->counter_increment(c);
}
static void spy_histogram_record_since(nrp_histogram *h, uint64_t start)
{
    spy_records++;
    nrp_host_api_table()->histogram_record_since(h, start);
}

static void timing_records_through_the_host(void **state)
{
    (void)state;
    static nrp_host_api spying; /* kept by the plugin until it is loaded again */
    nrp_plugin_set set = {0};
    nrp_metrics *m = nrp_metrics_create();
    nrp_rewrite rw;
    nrp_err err;
    uint8_t *out;
    size_t size;
    nrp_il_body body;
    uint64_t p[10];
    spying = *nrp_host_api_table();
    spying.counter_increment = spy_counter_increment;
    spying.histogram_record_since = spy_histogram_record_since;
    const nrp_strategy *timing = load_timing_with(&set, &spying);

    setup_rewrite(&rw, m, NULL);
    assert_int_equal(nrp_rewrite_apply(&rw, "timing", timing, &err), NRP_OK);
    assert_int_equal(nrp_il_method_encode(rw.il, &out, &size, &err), NRP_OK);
    assert_int_equal(nrp_il_decode(out, size, &body, &err), NRP_OK);
    assert_int_equal(embedded_pointers(body.code, body.code_size, p, 10), 9);
    void (*count)(nrp_counter *) = (void (*)(nrp_counter *))(uintptr_t)p[1];
    void (*leave)(nrp_histogram *, uint64_t) = (void (*)(nrp_histogram *, uint64_t))(uintptr_t)p[8];
    spy_counts = spy_records = 0;
    count((nrp_counter *)(uintptr_t)p[0]);
    leave((nrp_histogram *)(uintptr_t)p[7], nrp_host_api_table()->clock_ticks());
    assert_int_equal(spy_counts, 1);
    assert_int_equal(spy_records, 1);
    assert_int_equal(nrp_series_counter_value((const nrp_series *)(uintptr_t)p[0]), 1);

    nrp_il_body_free(&body);
    free(out);
    nrp_il_method_free(rw.il);
    nrp_metrics_destroy(m);
    nrp_plugin_set_clear(&set);
}

static void timing_failure_names_plugin_and_reason(void **state)
{
    (void)state;
    nrp_plugin_set set = {0};
    nrp_metrics *m = nrp_metrics_create();
    nrp_rewrite rw;
    nrp_err err;
    const nrp_strategy *timing = load_timing(&set);
    int not_null = 1;

    setup_rewrite(&rw, m, &not_null);
    assert_int_equal(nrp_rewrite_apply(&rw, "timing", timing, &err), NRP_ERROR);
    assert_string_equal(err.msg, "plugin 'timing' strategy 'timing' failed: metadata is read-only here");
    nrp_il_method_free(rw.il);
    nrp_metrics_destroy(m);
    nrp_plugin_set_clear(&set);
}

static void strategy_reason_is_reported(void **state)
{
    (void)state;
    nrp_plugin_set set = {0};
    nrp_metrics *m = nrp_metrics_create();
    nrp_rewrite rw;
    nrp_err err;
    assert_int_equal(nrp_plugin_set_load_file(&set, fake("good"), nrp_host_api_table(), &err), NRP_OK);
    setup_rewrite(&rw, m, NULL);
    assert_int_equal(nrp_rewrite_apply(&rw, "fake", nrp_plugin_set_find(&set, "alpha", NULL), &err), NRP_ERROR);
    assert_string_equal(err.msg, "plugin 'fake' strategy 'alpha' failed: fake strategies never rewrite");
    nrp_il_method_free(rw.il);
    nrp_metrics_destroy(m);
    nrp_plugin_set_clear(&set);
}

/* ---- options: the strategy's plugin judges them ------------------------ */

static void bind_one(nrp_plugin_set *set, const char *yaml, nrp_diags *d)
{
    nrp_config *cfg = NULL;
    nrp_diags_init(d);
    assert_int_equal(nrp_config_load_buffer("t.yaml", yaml, strlen(yaml), &cfg, d), NRP_OK);
    free(nrp_bind_rules(cfg, set, NRP_PLUGINS_ALL, d));
    nrp_config_free(cfg);
}

static void options_are_validated_by_the_plugin(void **state)
{
    (void)state;
    nrp_plugin_set set = {0};
    nrp_err err;
    nrp_diags d;
    nrp_strbuf sb;
    char good[4096];
    snprintf(good, sizeof good, "%s", fake("good"));
    assert_int_equal(nrp_plugin_set_load_file(&set, fake("beta"), nrp_host_api_table(), &err), NRP_OK);
    assert_int_equal(nrp_plugin_set_load_file(&set, good, nrp_host_api_table(), &err), NRP_OK);

    const char *head = "version: 1\nrules:\n  - name: r\n    match: { assembly: A, type: T, method: M }\n";
    char yaml[512];

    snprintf(yaml, sizeof yaml, "%s    strategy: beta\n    options: { speed: slow }\n", head);
    bind_one(&set, yaml, &d);
    assert_int_equal(d.count, 0);
    nrp_diags_free(&d);

    snprintf(yaml, sizeof yaml, "%s    strategy: beta\n    options:\n      speed: fast\n", head);
    bind_one(&set, yaml, &d);
    assert_int_equal(d.count, 1);
    nrp_strbuf_init(&sb);
    nrp_diag_format(&d.items[0], &sb);
    assert_string_equal(sb.data, "t.yaml:7:14: error: speed must be 'slow', not 'fast' (plugin 'fake', strategy 'beta')");
    nrp_strbuf_free(&sb);
    nrp_diags_free(&d);

    snprintf(yaml, sizeof yaml, "%s    strategy: beta\n    options: { colour: [red] }\n", head);
    bind_one(&set, yaml, &d);
    assert_int_equal(d.count, 1);
    assert_string_equal(d.items[0].message, "unknown option 'colour' (plugin 'fake', strategy 'beta')");
    assert_int_equal(d.items[0].column, 24);
    nrp_diags_free(&d);

    /* a strategy without validate() takes no options */
    snprintf(yaml, sizeof yaml, "%s    strategy: alpha\n    options: { speed: slow }\n", head);
    bind_one(&set, yaml, &d);
    assert_int_equal(d.count, 1);
    assert_string_equal(d.items[0].message, "strategy 'alpha' takes no options");
    assert_int_equal(d.items[0].line, 6);
    nrp_diags_free(&d);
    nrp_plugin_set_clear(&set);
}

static void option_services(void **state)
{
    (void)state;
    const nrp_host_api *api = nrp_host_api_table();
    nrp_option items[2] = {{"speed", "slow", NRP_OPTION_SCALAR, {0}, {0}},
                           {"handler", NULL, NRP_OPTION_MAPPING, {0}, {0}}};
    nrp_rule rule = {.options = items, .option_count = 2};
    nrp_options o = nrp_options_of(&rule);
    assert_int_equal(api->option_count(&o), 2);
    assert_string_equal(api->option_name(&o, 1), "handler");
    assert_null(api->option_name(&o, 2));
    assert_string_equal(api->option_string(&o, "speed"), "slow");
    assert_null(api->option_string(&o, "handler")); /* not a scalar */
    assert_null(api->option_string(&o, "missing"));
    nrp_rewrite rw = {0};
    assert_int_equal(api->option_count(api->rule_options(&rw)), 0); /* none given: an empty view */
    rw.options = &o;
    assert_ptr_equal(api->rule_options(&rw), &o);
}

static void metadata_services(void **state)
{
    (void)state;
    const nrp_host_api *api = nrp_host_api_table();
    nrp_metrics *m = nrp_metrics_create();
    nrp_rewrite rw;
    uint32_t token = 0;
    static const uint8_t sig[] = {0x00, 0x01, 0x01, 0x0E}; /* static void(string) */
    static const uint8_t generic_param[] = {0x13, 0x00};  /* !0 */
    setup_rewrite(&rw, m, NULL);
    md_log[0] = '\0';
    assert_int_equal(api->assembly_ref(&rw, "Shop.Telemetry", &token), NRP_OK);
    assert_int_equal(token, 0x23000002);
    assert_int_equal(api->type_ref(&rw, "System.Console", "System.Console", &token), NRP_OK);
    assert_int_equal(api->type_ref(&rw, NULL, "System.Exception", &token), NRP_OK);
    assert_int_equal(api->member_ref(&rw, token, "WriteLine", sig, sizeof sig, &token), NRP_OK);
    assert_int_equal(token, 0x0A000004);
    assert_int_equal(api->user_string(&rw, "h\xc3\xa9llo", &token), NRP_OK);
    assert_int_equal(token, 0x70000005);
    assert_int_equal(api->type_spec(&rw, generic_param, sizeof generic_param, &token), NRP_OK);
    assert_string_equal(md_log, "asmref Shop.Telemetry;typeref [System.Console]System.Console;"
                                "typeref [corlib]System.Exception;memberref 01000003::WriteLine/4;"
                                "string 'h\xc3\xa9llo';typespec 2:13;");

    /* Bad arguments are refused before the module is asked, with a reason. */
    md_log[0] = '\0';
    assert_int_equal(api->assembly_ref(&rw, "", &token), NRP_ERROR);
    assert_string_equal(rw.err.msg, "assembly_ref: empty name or NULL token");
    assert_int_equal(api->type_ref(&rw, "", "T", &token), NRP_ERROR);
    assert_int_equal(api->type_ref(&rw, NULL, "T", NULL), NRP_ERROR);
    assert_int_equal(api->member_ref(&rw, 0x01000003, "M", sig, 0, &token), NRP_ERROR);
    assert_int_equal(api->user_string(&rw, NULL, &token), NRP_ERROR);
    assert_int_equal(api->type_spec(&rw, NULL, 0, &token), NRP_ERROR);
    assert_string_equal(md_log, "");
    /* The module's own refusal is kept as the reason rewrite() fails with. */
    assert_int_equal(api->type_ref(&rw, "Demo", "Missing", &token), NRP_ERROR);
    assert_string_equal(rw.err.msg, "type_ref: no type Missing");

    /* Parameters and resolution are the module's answers. */
    nrp_param_info info = {sizeof info, 0, NULL, 0};
    assert_int_equal(api->param_info(&rw, 1, &info), NRP_OK);
    assert_int_equal(info.flags, NRP_PARAM_BOXABLE);
    assert_int_equal(info.type_len, 1);
    assert_int_equal(info.type[0], 0x08);
    assert_int_equal(api->param_info(&rw, 2, &info), NRP_ERROR);
    assert_string_equal(rw.err.msg, "no parameter 2");
    assert_true(api->assembly_resolvable(&rw, "Shop.Telemetry"));
    assert_false(api->assembly_resolvable(&rw, "Nowhere"));
    assert_false(api->assembly_resolvable(&rw, ""));

    /* check_static_method (ABI 1.1) reads the file the session names; every
     * way it cannot is a one-line reason, never a crash. The reader itself
     * is tested on real assemblies in test_meta. */
    char reason[256];
    assert_true(api->size >= offsetof(nrp_host_api, check_static_method) + sizeof api->check_static_method);
    assert_int_equal(api->check_static_method(&rw, "Shop.Telemetry", "Shop.Telemetry.Hooks", "OnEnter",
                                              "System.Object", "System.String", reason, sizeof reason),
                     NRP_ERROR);
    assert_string_equal(reason, "cannot read the metadata of assembly Shop.Telemetry: cannot open "
                                "/nonexistent/Shop.Telemetry.dll");
    assert_int_equal(api->check_static_method(&rw, "Nowhere", "N.T", "M", "System.Void", "", reason, sizeof reason),
                     NRP_ERROR);
    assert_string_equal(reason, "cannot find the file of assembly Nowhere");
    assert_int_equal(api->check_static_method(&rw, "Nowhere", "", "M", "System.Void", "", reason, sizeof reason),
                     NRP_ERROR);
    assert_string_equal(reason, "check_static_method: empty assembly, type, method or signature");
    assert_int_equal(api->check_static_method(&rw, "Nowhere", "N.T", "M", "System.Void", "", NULL, 0), NRP_ERROR);

    /* The slot is the one the orchestrator gave for this (method, rule). */
    void *slot = NULL;
    rw.slot = &slot;
    assert_ptr_equal(api->method_slot(&rw), &slot);
    assert_null(*api->method_slot(&rw));

    nrp_il_method_free(rw.il);
    nrp_metrics_destroy(m);
}

/* A plugin built with an older SDK passes a shorter nrp_param_info: it
 * gets the fields that fit and nothing past its end is written. One
 * shorter than ABI 1.0's fields is refused, untouched. */
static void param_info_fills_only_what_fits(void **state)
{
    (void)state;
    const nrp_host_api *api = nrp_host_api_table();
    nrp_metrics *m = nrp_metrics_create();
    nrp_rewrite rw;
    union {
        nrp_param_info info;
        unsigned char bytes[2 * sizeof(nrp_param_info)];
    } older;
    const size_t v10_end = offsetof(nrp_param_info, type_len) + sizeof older.info.type_len;
    char want[128];
    setup_rewrite(&rw, m, NULL);

    /* Exactly ABI 1.0's fields, without the tail padding sizeof adds. */
    memset(&older, 0xAA, sizeof older);
    older.info.size = (uint32_t)v10_end;
    assert_int_equal(api->param_info(&rw, 0, &older.info), NRP_OK);
    assert_int_equal(older.info.size, v10_end);
    assert_int_equal(older.info.flags, NRP_PARAM_BOXABLE);
    assert_int_equal(older.info.type_len, 1);
    assert_int_equal(older.info.type[0], 0x08);
    for (size_t i = v10_end; i < sizeof older.bytes; i++)
        assert_int_equal(older.bytes[i], 0xAA);

    /* Smaller than ABI 1.0's: refused with the sizes, and left as it was. */
    memset(&older, 0xAA, sizeof older);
    older.info.size = (uint32_t)offsetof(nrp_param_info, type_len);
    assert_int_equal(api->param_info(&rw, 0, &older.info), NRP_ERROR);
    snprintf(want, sizeof want, "param_info: result of %zu bytes is smaller than ABI 1.0's nrp_param_info (%zu)",
             offsetof(nrp_param_info, type_len), v10_end);
    assert_string_equal(rw.err.msg, want);
    for (size_t i = sizeof older.info.size; i < sizeof older.bytes; i++)
        assert_int_equal(older.bytes[i], 0xAA);
    assert_int_equal(api->param_info(&rw, 0, NULL), NRP_ERROR);
    assert_string_equal(rw.err.msg, "param_info: NULL result");

    nrp_il_method_free(rw.il);
    nrp_metrics_destroy(m);
}

static void nested_options_are_flattened(void **state)
{
    (void)state;
    const nrp_host_api *api = nrp_host_api_table();
    nrp_config *cfg = NULL;
    nrp_diags d;
    const char *yaml = "version: 1\nrules:\n  - name: r\n    match: { assembly: A, type: T, method: M }\n"
                       "    strategy: tracer\n    options:\n"
                       "      handler: { assembly: Shop.Telemetry, type: Shop.Telemetry.Hooks, enter: OnEnter }\n"
                       "      capture_args: false\n";
    nrp_diags_init(&d);
    assert_int_equal(nrp_config_load_buffer("t.yaml", yaml, strlen(yaml), &cfg, &d), NRP_OK);
    assert_int_equal(d.count, 0);
    nrp_options o = nrp_options_of(&cfg->rules[0]);
    assert_int_equal(api->option_count(&o), 5);
    assert_string_equal(api->option_name(&o, 0), "handler");
    assert_string_equal(api->option_name(&o, 1), "handler.assembly");
    assert_string_equal(api->option_name(&o, 3), "handler.enter");
    assert_string_equal(api->option_name(&o, 4), "capture_args");
    assert_null(api->option_string(&o, "handler"));
    assert_string_equal(api->option_string(&o, "handler.type"), "Shop.Telemetry.Hooks");
    assert_int_equal(cfg->rules[0].options[3].value_pos.line, 7);
    nrp_config_free(cfg);
    nrp_diags_free(&d);

    /* '.' in a name would make flattened names ambiguous. */
    yaml = "version: 1\nrules:\n  - name: r\n    match: { assembly: A, type: T, method: M }\n"
           "    strategy: tracer\n    options: { a.b: 1 }\n";
    nrp_diags_init(&d);
    nrp_config_load_buffer("t.yaml", yaml, strlen(yaml), &cfg, &d);
    assert_int_equal(d.count, 1);
    assert_string_equal(d.items[0].message, "option names must be plain strings without '.'");
    nrp_config_free(cfg);
    nrp_diags_free(&d);
}

int main(void)
{
    const char *f = getenv("NRP_TEST_FAKE_PLUGINS"), *b = getenv("NRP_TEST_BUNDLE");
    if (!f || !b) {
        fprintf(stderr, "NRP_TEST_FAKE_PLUGINS and NRP_TEST_BUNDLE must be set (ctest sets them)\n");
        return 1;
    }
    snprintf(fake_dir, sizeof fake_dir, "%s", f);
    snprintf(bundle_dir, sizeof bundle_dir, "%s", b);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(refuses_bad_magic),
        cmocka_unit_test(refuses_other_abi_major),
        cmocka_unit_test(refuses_newer_abi_minor),
        cmocka_unit_test(refuses_other_libc),
        cmocka_unit_test(refuses_duplicate_strategy_in_one_plugin),
        cmocka_unit_test(refuses_plugin_without_strategies),
        cmocka_unit_test(refuses_failed_init),
        cmocka_unit_test(refuses_missing_entry_point),
        cmocka_unit_test(refuses_unloadable_file),
        cmocka_unit_test(refuses_strategy_provided_twice),
        cmocka_unit_test(loads_folder_in_name_order_keeping_the_good),
        cmocka_unit_test(missing_folder_loads_nothing),
        cmocka_unit_test(profiler_loads_only_the_plugins_enabled_rules_use),
        cmocka_unit_test(timing_wraps_the_body_with_native_probes),
        cmocka_unit_test(timing_waits_for_a_task),
        cmocka_unit_test(timing_waits_for_a_value_task),
        cmocka_unit_test(task_done_needs_a_task),
        cmocka_unit_test(task_exit_method_hands_the_task_over),
        cmocka_unit_test(histogram_layout_follows_the_plugin_abi),
        cmocka_unit_test(timing_records_through_the_host),
        cmocka_unit_test(timing_failure_names_plugin_and_reason),
        cmocka_unit_test(strategy_reason_is_reported),
        cmocka_unit_test(options_are_validated_by_the_plugin),
        cmocka_unit_test(option_services),
        cmocka_unit_test(metadata_services),
        cmocka_unit_test(param_info_fills_only_what_fits),
        cmocka_unit_test(nested_options_are_flattened),
    };
    return cmocka_run_group_tests_name("plugins", tests, NULL, NULL);
}
