/*
 * nrp/plugin.h - the interface between the profiler host and strategy plugins.
 *
 * A plugin is a shared object that exports exactly one function,
 * nrp_plugin_entry(), returning a pointer to a constant nrp_plugin
 * descriptor. The host dlopen()s every plugin it is told about, checks the
 * descriptor (magic, size, ABI version, fingerprint) and refuses, with one log
 * line, anything it cannot run safely.
 *
 * Plugins never link against host symbols: everything the host offers reaches
 * them through the nrp_host_api table handed to init(). That table and the
 * descriptor are append-only: fields are only ever added at the end, and each
 * side checks the other's `size` before touching a field it did not know of.
 *
 * This header is C11 and can be included from C++.
 */
#ifndef NRP_PLUGIN_H
#define NRP_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include "nrp/il.h"
#include "nrp/log.h"
#include "nrp/metrics.h"
#include "nrp/result.h"

#ifdef __cplusplus
extern "C" {
#endif

/* "NRP1" read as a little-endian u32; the first field of every descriptor. */
#define NRP_PLUGIN_MAGIC 0x3150524Eu

/* A plugin built for ABI major M runs only on a host whose major is M and
 * whose minor is at least the plugin's minor. A member added to
 * nrp_host_api, nrp_wrap, nrp_param_info, nrp_method_info, nrp_strategy or
 * nrp_plugin raises the minor (the test unit.abi checks it);
 * docs/PLUGINS.md lists what each minor added. */
#define NRP_ABI_MAJOR 1
#define NRP_ABI_MINOR 5

/* libc flavour a binary was built against; a glibc host never loads a musl
 * plugin and the reverse (their C runtimes cannot share a process). */
#define NRP_LIBC_GLIBC 1u
#define NRP_LIBC_MUSL 2u
#if defined(__GLIBC__)
#define NRP_LIBC_FLAVOUR NRP_LIBC_GLIBC
#else
#define NRP_LIBC_FLAVOUR NRP_LIBC_MUSL
#endif

#if defined(__GNUC__)
#define NRP_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define NRP_PLUGIN_EXPORT
#endif

/* One method being rewritten. Opaque: plugins reach it only through the
 * host services below, and only during the rewrite() call it was given to. */
typedef struct nrp_rewrite nrp_rewrite;

/* Parameters of il_wrap, defined below. */
typedef struct nrp_wrap nrp_wrap;

/* A rule's `options` mapping, read through the host services option_*.
 * Opaque; valid during the validate() or rewrite() call it was given to. */
typedef struct nrp_options nrp_options;

/* Facts about the method being rewritten, as bits of nrp_method_info.flags. */
#define NRP_METHOD_STATIC 0x01u         /* no `this` */
#define NRP_METHOD_CONSTRUCTOR 0x02u    /* .ctor or .cctor */
#define NRP_METHOD_GENERIC 0x04u        /* has its own generic parameters */
#define NRP_METHOD_GENERIC_TYPE 0x08u   /* its declaring type has generic parameters */
#define NRP_METHOD_VALUE_TYPE 0x10u     /* its declaring type is a struct or an enum */
#define NRP_METHOD_ASYNC 0x20u          /* returns a task (below) or is compiled to an async state machine */
#define NRP_METHOD_ITERATOR 0x40u       /* compiled to an iterator state machine */
#define NRP_METHOD_RETURNS_VALUE 0x80u  /* its return type is not void */
#define NRP_METHOD_BYREF_LIKE_TYPE 0x100u /* declared on a ref struct: `this` can never be boxed */
#define NRP_METHOD_RETURNS_TASK 0x200u       /* returns System.Threading.Tasks.Task or Task<T> (ABI 1.4) */
#define NRP_METHOD_RETURNS_VALUE_TASK 0x400u /* returns ValueTask or ValueTask<T> (ABI 1.4) */

/* How the task a method returned ended, as nrp_wrap.task_done hears it. */
#define NRP_TASK_RAN_TO_COMPLETION 0
#define NRP_TASK_FAULTED 1
#define NRP_TASK_CANCELED 2

/* How a parameter or the return value reaches managed code as an object,
 * as bits of nrp_param_info.flags. */
#define NRP_PARAM_BYREF 0x1u   /* passed by reference (ref, out, in): ldarg gives its address; ldobj <type> reads it */
/* `box <type_spec(type)>` turns the value into an object (no-op for references).
 * Never set for pointers, by-ref-like structs, or type parameters that allow them. */
#define NRP_PARAM_BOXABLE 0x2u
#define NRP_PARAM_VOID 0x4u    /* a void return */

typedef struct nrp_param_info {
    uint32_t size;            /* sizeof(nrp_param_info) as the plugin built it */
    uint32_t flags;           /* NRP_PARAM_* */
    const uint8_t *type;      /* the type's signature, without BYREF or custom modifiers */
    uint32_t type_len;
} nrp_param_info;

/* Identity of the method being rewritten. All strings are UTF-8; they and
 * the signature live at least as long as the rewrite() call. */
typedef struct nrp_method_info {
    uint32_t size;            /* sizeof(nrp_method_info) as the host built it */
    const char *assembly;     /* simple assembly name, e.g. "System.Linq" */
    const char *type;         /* full type name, nested types as "Outer+Inner" */
    const char *name;         /* method name, e.g. "Add" or ".ctor" */
    const char *display;      /* "Namespace.Type::Method(ParamTypes)", the metrics label */
    const char *rule;         /* name of the rule that matched */
    int is_static;            /* 1 for static methods (also NRP_METHOD_STATIC) */
    uint32_t flags;           /* NRP_METHOD_* bits */
    uint32_t token;           /* its MethodDef token in the module */
    uint32_t type_token;      /* its declaring TypeDef token */
    const uint8_t *signature; /* MethodDefSig blob (ECMA-335 II.23.2.1) */
    uint32_t signature_len;
    uint32_t param_count;     /* parameters, `this` not counted */
    uint32_t generic_param_count;      /* the method's own */
    uint32_t type_generic_param_count; /* its declaring type's */
} nrp_method_info;

/* Services the host offers to plugins. Append-only; check `size` (or the ABI
 * minor) before using a field added after ABI 1.0. */
typedef struct nrp_host_api {
    uint32_t size;            /* sizeof(nrp_host_api) as the host built it */
    uint16_t abi_major;
    uint16_t abi_minor;

    /* printf-style log line tagged with the calling plugin's name. */
    void (*log)(nrp_log_level level, const char *plugin, const char *fmt, ...)
#if defined(__GNUC__)
        __attribute__((format(printf, 3, 4)))
#endif
        ;

    /* Identity of the method being rewritten. Never NULL during rewrite(). */
    const nrp_method_info *(*method)(nrp_rewrite *rw);

    /* Insert `len` bytes of IL at the method entry, before the original first
     * instruction; it must leave the stack empty. Branches inside the
     * snippet are relative to it; branches of the body that went to its
     * first instruction still do. The host recomputes max stack. */
    int (*il_insert_at_entry)(nrp_rewrite *rw, const uint8_t *il, uint32_t len);

    /* Token of a standalone signature blob (ECMA-335 II.23.2.3) in the
     * rewritten method's module, for `calli`. Identical blobs share a token. */
    int (*standalone_sig_token)(nrp_rewrite *rw, const uint8_t *sig, uint32_t len,
                                uint32_t *token);

    /* A process-lifetime 64-bit counter named `metric`, labelled with the
     * rewritten method's rule and display name (and async="true" for an
     * async method), written to the metrics file periodically and at exit.
     * Metric names follow Prometheus: [a-zA-Z_:][a-zA-Z0-9_:]*. The same (metric, rule, method) always yields the same
     * address, so injected code may embed it. `help` is the metric's
     * one-line description. NULL on failure (out of memory). */
    uint64_t *(*counter)(nrp_rewrite *rw, const char *metric, const char *help);

    /* Add a local of the type given by its signature bytes (e.g. {0x08} for
     * System.Int32); its index goes to *index. */
    int (*il_add_local)(nrp_rewrite *rw, const uint8_t *type, uint32_t len, uint32_t *index);

    /* Wrap the whole original body, as described at nrp_wrap. Every ret
     * becomes a leave to one epilogue after the handlers; a non-void
     * method's return value is kept in a new local whose index goes to
     * *return_local (-1 for void; may be NULL). */
    int (*il_wrap)(nrp_rewrite *rw, const nrp_wrap *spec, int32_t *return_local);

    /* The options of the rule being applied (also reachable from rewrite). */
    const nrp_options *(*rule_options)(nrp_rewrite *rw);
    /* How many options there are, and the i-th one's name, in file order.
     * A nested mapping is listed, then each of its entries as
     * "outer.inner": `handler: { type: T }` gives "handler" (not a scalar)
     * and "handler.type" = "T". */
    uint32_t (*option_count)(const nrp_options *options);
    const char *(*option_name)(const nrp_options *options, uint32_t i);
    /* The value of `name` as text; NULL when absent or not a scalar (a list
     * or a mapping). */
    const char *(*option_string)(const nrp_options *options, const char *name);

    /* ---- metadata of the rewritten method's module ----
     * Each returns NRP_OK with the token in *token, or NRP_ERROR (the
     * reason is what rewrite() fails with when the plugin gives none).
     * Asking twice for the same thing yields the same token. */

    /* AssemblyRef for the assembly of simple name `name`. An existing
     * reference is reused; otherwise one is added without version or key,
     * so the runtime binds it by the app's normal assembly resolution. */
    int (*assembly_ref)(nrp_rewrite *rw, const char *name, uint32_t *token);

    /* Token for type `type` ("Namespace.Type", nested "Namespace.Outer+Inner")
     * of assembly `assembly`: the TypeDef when the module defines it, a
     * TypeRef otherwise. `assembly` NULL means the core library (System.Object,
     * System.Exception...), reached through whichever facade the module
     * already references. */
    int (*type_ref)(nrp_rewrite *rw, const char *assembly, const char *type, uint32_t *token);

    /* TypeSpec token for a type signature blob (II.23.2.14), e.g. a generic
     * parameter {0x13, 0} to box `!0`. */
    int (*type_spec)(nrp_rewrite *rw, const uint8_t *sig, uint32_t len, uint32_t *token);

    /* MemberRef for the method or field `name` with signature blob `sig` on
     * `parent` (a TypeRef, TypeDef or TypeSpec token), for call, newobj,
     * ldfld... */
    int (*member_ref)(nrp_rewrite *rw, uint32_t parent, const char *name, const uint8_t *sig, uint32_t len,
                      uint32_t *token);

    /* User-string token of the UTF-8 `text`, for ldstr. */
    int (*user_string)(nrp_rewrite *rw, const char *text, uint32_t *token);

    /* A pointer-sized slot owned by the rule being applied to this method,
     * NULL at first and kept for the life of the process: when the runtime
     * asks for the same method again the plugin finds what it left there
     * (for example the address of its per-method state, which injected code
     * may embed). Two rewrites of one method may run at once; install with
     * an atomic compare-and-swap. */
    void **(*method_slot)(nrp_rewrite *rw);

    /* A process-lifetime duration histogram labelled like counter(),
     * exported as `metric`_seconds (with _bucket, _sum, _count) and the
     * gauges `metric`_min_seconds and `metric`_max_seconds, at a fixed
     * address that injected code may embed. NULL on failure. A plugin that
     * declares ABI minor 2 or later must treat nrp_histogram as opaque and
     * record with histogram_record() below. One that declares an older
     * minor gets layout 1, the struct in <nrp/metrics.h>, and may record
     * with the inline nrp_histogram_record() from there. */
    nrp_histogram *(*histogram)(nrp_rewrite *rw, const char *metric, const char *help);

    /* Parameter `index` of the method (0 = the first after `this`; -1 = the
     * return value): its type and whether and how it can be boxed. Not
     * boxable: pointers, TypedReference, and by-ref-like structs (Span<T>,
     * Utf8JsonReader...) or structs whose module is not loaded yet. */
    int (*param_info)(nrp_rewrite *rw, int32_t index, nrp_param_info *out);

    /* 1 when the app's assembly resolution can load the assembly of that
     * simple name: it is loaded already, or the app's deps.json lists it
     * (or, for an app without one, NAME.dll is in its folder). Code calling
     * into an assembly that cannot be loaded throws when it is compiled, so
     * check before referencing one the app does not. */
    int (*assembly_resolvable)(nrp_rewrite *rw, const char *name);

    /* ---- added in ABI 1.1: check host->size before use ---- */

    /* Whether code may call `type`::`name` in assembly `assembly`: a call
     * to a type or method that is not there throws when the caller is
     * compiled (TypeLoadException, MissingMethodException). Reads the
     * metadata of the file the app would load for `assembly` (the loaded
     * module's file, else NAME.dll in the app's folder) and looks for a
     * public, non-generic type `type` ("Namespace.Type", nested
     * "Namespace.Outer+Inner") with a public static method `name`, not
     * generic, taking `params` and returning `returns`. Types are full
     * names as metric labels write them, compared by name: returns
     * "System.Object" ("System.Void" for none), params
     * "System.String,System.Object,System.Object[]" ("" for none).
     * NRP_OK when it is there; otherwise NRP_ERROR with a one-line reason
     * in `reason` naming what is missing and the file, e.g. "type
     * Shop.Hooks has no method OnEntr in /app/Shop.dll", or saying why no
     * file could be read. The file is read at every call: keep the answer.
     * Since ABI 1.5 (host->abi_minor >= 5), rw may be NULL, from a
     * strategy's validate(): `nrprof check --app` then looks in the app it
     * reads (its files, then its frameworks'), so a rules file's handlers
     * are checked before the app runs; anywhere else (the profiler's own
     * start-up, nrprof check without --app) the answer is NRP_DECLINE:
     * nothing to look in, not an error. */
    int (*check_static_method)(nrp_rewrite *rw, const char *assembly, const char *type, const char *name,
                               const char *returns, const char *params, char *reason, size_t reason_len);

    /* ---- added in ABI 1.2: check host->size before use ---- */

    /* Record one duration of `ns` nanoseconds into `h`, a histogram from
     * histogram() (never NULL). Lock-free and exact under concurrency;
     * callable from any thread, including from code injected into the app.
     * A plugin that declares ABI minor 2 or later treats nrp_histogram as
     * opaque and records only through this, so that the host may change
     * the histogram's layout. */
    void (*histogram_record)(nrp_histogram *h, uint64_t ns);

    /* ---- added in ABI 1.3: check host->size before use ---- */

    /* The series counter() names, as a handle for counter_increment(),
     * which keeps one copy per thread: no cache line is written by two
     * threads, so a hot method called on every core costs what it costs
     * on one. Both ways of counting add up in the one series. NULL on
     * failure. */
    nrp_counter *(*counter_sharded)(nrp_rewrite *rw, const char *metric, const char *help);

    /* The functions below are meant to be called from injected code by
     * `calli` (unmanaged cdecl, with modopt(CallConvSuppressGCTransition):
     * they never block, allocate managed memory or call the runtime), or
     * from the plugin's own native probes. Any thread. */

    /* Add one to c. */
    void (*counter_increment)(nrp_counter *c);

    /* The host's clock, in ticks of its own (the time-stamp counter where
     * the kernel says it is usable, else CLOCK_MONOTONIC nanoseconds; the
     * log's first line names it). Only differences mean anything, and
     * only to histogram_record_since(). */
    uint64_t (*clock_ticks)(void);

    /* Record the time from `start`, a value of clock_ticks(), to now, in
     * nanoseconds, into h (a histogram from histogram()). */
    void (*histogram_record_since)(nrp_histogram *h, uint64_t start);
} nrp_host_api;

/* What il_wrap builds:
 *
 *     entry_il
 *     .try {
 *       .try { .try { original body }                                     <- with_catch
 *              filter { isinst catch_type; stloc ex; ldc.i4.0; endfilter } { pop; rethrow } }
 *       fault { ldloc ex; brfalse E; ldloc ex; catch_il; pop; E: endfinally }
 *     } finally { finally_il; endfinally }                                <- with_finally
 *     epilogue: exit_il; [ldloc return_local] ret
 *
 * The exception is observed, never caught: the filter sets it aside and
 * declines it, so exception handling goes on exactly as without the wrap
 * (callers' filters run before any finally block; an unhandled exception
 * stays unhandled where it was thrown), and catch_il runs in the fault
 * block as the exception leaves the method, after the body's own finally
 * blocks. catch_il starts with the exception (of catch_type) on the stack
 * and must leave it there; finally_il must leave the stack empty. Branches
 * inside each snippet are relative to the snippet. */
struct nrp_wrap {
    uint32_t size;            /* sizeof(nrp_wrap) as the plugin built it */
    const uint8_t *entry_il;
    uint32_t entry_len;
    int with_catch;
    uint32_t catch_type;      /* TypeRef/TypeDef token, e.g. of System.Exception */
    const uint8_t *catch_il;
    uint32_t catch_len;
    int with_finally;
    const uint8_t *finally_il;
    uint32_t finally_len;
    /* Runs on normal return only, after any finally. It starts with a copy
     * of the return value on the stack (nothing for void) and must leave
     * the stack empty. May be empty. */
    const uint8_t *exit_il;
    uint32_t exit_len;
    /* Nonzero: a TypeRef/TypeDef token (e.g. of System.Object). entry_il,
     * catch_il and exit_il then each run inside try { } catch (guard_type)
     * { pop }: whatever they throw is swallowed and never reaches the app,
     * and the app's own exception still goes on. */
    uint32_t guard_type;

    /* ABI 1.4: wait for the task. For a method that returns a task
     * (NRP_METHOD_RETURNS_TASK or NRP_METHOD_RETURNS_VALUE_TASK), a
     * non-NULL task_done makes the normal return look at the task:
     *   - completed successfully already (or a null Task): exit_il runs as
     *     above, with the task's copy on the stack;
     *   - otherwise exit_il does not run; when the task completes (at once
     *     if it already has, faulted or canceled),
     *         task_done(task_cookie, start, NRP_TASK_*)
     *     runs on the thread that completes it, `start` being the value
     *     the int64 local task_start_local held at the return.
     * The method returns the same Task; a ValueTask not yet complete comes
     * back as a ValueTask over the Task that stands for it (the same Task
     * when one backs it). The wait is a ContinueWith continuation run
     * synchronously on the default scheduler, the one kind of continuation
     * that does not push the app's own await continuation off the
     * completing thread: the app's continuations keep their order, thread
     * and context, and no exception is observed. task_done must not block,
     * throw or call into the runtime. Not with guard_type. */
    void (*task_done)(void *task_cookie, uint64_t start, int32_t status);
    void *task_cookie;
    uint32_t task_start_local;

    /* ABI 1.4: wait for the task, the managed way (not with task_done).
     * For a method that returns a task, a nonzero task_exit_method (a
     * MethodDef or MemberRef of a static
     *     void (object state, object result, System.Exception exception))
     * makes every normal return hand its task to the host instead of
     * running exit_il, and the method is called once, when the task
     * completes (at once if it has), on the thread that completes it:
     *   - state: the object local task_state_local held at the return;
     *   - result: the task's result, boxed, when it ran to completion, the
     *     task is a Task<T> or ValueTask<T> and task_exit_result is
     *     nonzero; else null;
     *   - exception: a faulted task's (the first, as `await` throws it;
     *     reading it marks the task's exception observed), a
     *     TaskCanceledException for a canceled one; else null.
     * A null task: called with result and exception null. What the method
     * throws itself still runs catch_il. Whatever the method called throws
     * is caught and dropped. A ValueTask comes back as a ValueTask over its
     * Task (AsTask). Allowed with guard_type. */
    uint32_t task_exit_method;
    uint32_t task_state_local;
    int32_t task_exit_result;
};

/* One rewriting strategy, named in instrumentation.yaml by `strategy:`. */
typedef struct nrp_strategy {
    const char *name;
    /* Rewrite the method. Return NRP_OK; NRP_DECLINE to leave it alone
     * (before changing anything); or NRP_ERROR after writing a reason into
     * err (NUL-terminated, at most errlen bytes): the method then keeps its
     * original IL. */
    int (*rewrite)(nrp_rewrite *rw, char *err, size_t errlen);
    /* Check a rule's options when the configuration loads. Return NRP_OK,
     * or NRP_ERROR with a reason in err and, in *bad_option, the name of
     * the option at fault (its line is then the one reported; leave NULL
     * for the `options` key itself). NULL: the strategy takes no options,
     * and any given is an error. */
    int (*validate)(const nrp_options *options, const char **bad_option, char *err, size_t errlen);
    /* Reserved for fields of later minor versions; keep zero. The size of
     * this struct never changes, so strategy arrays stay readable. */
    void *reserved[4];
} nrp_strategy;

/* Version of this SDK, as (major << 16) | (minor << 8) | patch. It names
 * the headers a plugin was built with (shown in the host's log); whether the
 * host can run the plugin is decided by the ABI version alone. */
#define NRP_SDK_VERSION_MAJOR 0
#define NRP_SDK_VERSION_MINOR 1
#define NRP_SDK_VERSION_PATCH 0
#define NRP_SDK_VERSION ((NRP_SDK_VERSION_MAJOR << 16) | (NRP_SDK_VERSION_MINOR << 8) | NRP_SDK_VERSION_PATCH)
#define NRP_SDK_STR_(x) #x
#define NRP_SDK_STR(x) NRP_SDK_STR_(x)
/* The same as text, e.g. "0.1.0". */
#define NRP_SDK_VERSION_STRING \
    NRP_SDK_STR(NRP_SDK_VERSION_MAJOR) "." NRP_SDK_STR(NRP_SDK_VERSION_MINOR) "." NRP_SDK_STR(NRP_SDK_VERSION_PATCH)

/* What the plugin was compiled for. pointer_size and libc must equal the
 * host's. */
typedef struct nrp_abi_fingerprint {
    uint32_t pointer_size;
    uint32_t libc;            /* NRP_LIBC_GLIBC or NRP_LIBC_MUSL */
    uint32_t sdk_version;     /* NRP_SDK_VERSION */
    uint32_t reserved;        /* zero */
} nrp_abi_fingerprint;

#define NRP_ABI_FINGERPRINT_INIT { (uint32_t)sizeof(void *), NRP_LIBC_FLAVOUR, NRP_SDK_VERSION, 0 }

/* The descriptor a plugin returns from nrp_plugin_entry(). */
typedef struct nrp_plugin {
    uint32_t magic;           /* NRP_PLUGIN_MAGIC */
    uint32_t size;            /* sizeof(nrp_plugin) as the plugin was built */
    uint16_t abi_major;       /* NRP_ABI_MAJOR */
    uint16_t abi_minor;       /* NRP_ABI_MINOR */
    nrp_abi_fingerprint fingerprint;
    const char *name;
    const char *version;
    const nrp_strategy *strategies;
    uint32_t strategy_count;
    /* Called once after the checks pass, before any rewrite(). Keep `host`:
     * it stays valid until exit. Return NRP_ERROR with a reason to be
     * refused. May be NULL. */
    int (*init)(const nrp_host_api *host, char *err, size_t errlen);
    /* Reserved for fields of later minor versions; keep zero. */
    void *reserved[8];
} nrp_plugin;

/* The only symbol a plugin exports. */
#define NRP_PLUGIN_ENTRY_SYMBOL "nrp_plugin_entry"
typedef const nrp_plugin *(*nrp_plugin_entry_fn)(void);

/* The descriptor and nrp_plugin_entry() in one line, with magic, size, ABI
 * version and fingerprint filled in for this SDK:
 *     NRP_PLUGIN_DEFINE("timing", "0.1.0", strategies, timing_init);
 * strategy_array must be an array (its length is taken with sizeof);
 * init_fn may be NULL. The entry point is declared before it is defined so
 * that plugins built with -Wmissing-prototypes -Werror compile. */
#define NRP_PLUGIN_DEFINE(plugin_name, plugin_version, strategy_array, init_fn)                                  \
    static const nrp_plugin nrp_plugin_descriptor_ = {                                                           \
        NRP_PLUGIN_MAGIC, (uint32_t)sizeof(nrp_plugin), NRP_ABI_MAJOR, NRP_ABI_MINOR, NRP_ABI_FINGERPRINT_INIT,   \
        plugin_name, plugin_version, strategy_array,                                                            \
        (uint32_t)(sizeof(strategy_array) / sizeof((strategy_array)[0])), init_fn, {0}};                        \
    NRP_PLUGIN_EXPORT const nrp_plugin *nrp_plugin_entry(void);                                                 \
    NRP_PLUGIN_EXPORT const nrp_plugin *nrp_plugin_entry(void)                                                  \
    {                                                                                                           \
        return &nrp_plugin_descriptor_;                                                                         \
    }                                                                                                           \
    typedef int nrp_plugin_defined_ /* the caller's ';' ends this */

#ifdef __cplusplus
}
#endif

#endif /* NRP_PLUGIN_H */
