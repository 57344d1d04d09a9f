/*
 * timing - calls, exceptions and a duration histogram for every matched
 * method, recorded by the host's own recording functions, which the
 * method calls directly (calli), with no managed helper, no lock and no
 * cache line shared between threads (ABI 1.3):
 *
 *     ldc.i8 <calls>; conv.i; ldc.i8 <host->counter_increment>; conv.i
 *     calli  unmanaged void(native int)
 *     ldc.i8 <host->clock_ticks>; conv.i
 *     calli  unmanaged int64()                        // TSC or monotonic ns
 *     stloc  start
 *     .try { original body }
 *     as a [System.Runtime]System.Exception leaves it (observed by il_wrap,
 *     never caught: the app's exception handling is unchanged) {
 *       ldc.i8 <exceptions>; conv.i; ldc.i8 <host->counter_increment>; conv.i
 *       calli unmanaged void(native int)
 *       RECORD
 *     }
 *     epilogue (normal return): [pop the return value's copy] RECORD
 *
 *     RECORD: ldc.i8 <histogram>; conv.i; ldloc start
 *             ldc.i8 <host->histogram_record_since>; conv.i
 *             calli unmanaged void(native int, int64)    // records now - start
 *
 * The duration is recorded on each way out rather than in one finally
 * block: the JIT turns a calli into a direct call only outside exception
 * handlers, and calls one made inside a handler (a finally included)
 * through a generic P/Invoke helper that costs more than everything else
 * here. The normal return, the hot path, thus runs three direct calls.
 *
 * The plugin has no native code on the hot path: the host keeps each
 * counter and histogram per thread (counts exact at every export, merged
 * then) and reads the time-stamp counter where the kernel says it may.
 *
 * A method that returns a Task or ValueTask (ABI 1.4) is timed until its
 * task completes: the host runs the exit code above when the task has
 * completed successfully by the return (the common case, at the cost of
 * one property read), and otherwise hands the task to the module's
 * <nrp>TaskWatch, which calls timing_task_done when it completes, on the
 * completing thread: the duration, and a fault as an exception or a
 * cancellation as one (docs/ARCHITECTURE.md, "What timing injects").
 *
 * The series belong to the host's metrics registry: nrp_method_calls_total,
 * nrp_method_exceptions_total, nrp_method_cancellations_total (methods that
 * return a task) and nrp_method_duration_seconds{rule,method}, with
 * async="true" on methods that return a task or are async state machines.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nrp/emit.h>
#include <nrp/plugin.h>

#define TIMING_VERSION "0.4.0" /* 0.4: methods that return a task are timed until it completes */

static const nrp_host_api *host;

/* An unmanaged calli signature that skips the GC mode switch:
 *     unmanaged ret modopt(CallConvSuppressGCTransition) RET(PARAMS)
 * The host's recording functions only store to the calling thread's
 * counters and read the clock: they never block, allocate managed memory
 * or call back into the runtime, which is what the runtime asks of such
 * calls, and they cost a few nanoseconds instead of a full transition
 * each. */
static size_t probe_sig(uint8_t *sig, uint32_t suppress, uint8_t ret, const uint8_t *params, uint8_t count)
{
    size_t n = 0;
    sig[n++] = NRP_CALLCONV_UNMANAGED; /* the convention is in the modifiers */
    sig[n++] = count;
    sig[n++] = NRP_ELEMENT_CMOD_OPT;
    n += nrp_sig_put_type_token(sig + n, suppress);
    sig[n++] = ret;
    if (count)
        memcpy(sig + n, params, count);
    return n + count;
}

/* What a method's task reports to when it completes, one per rule and
 * method, kept in its method slot for the life of the process (code that
 * embeds its address may run until then). */
typedef struct task_series {
    nrp_histogram *duration;
    nrp_counter *exceptions, *cancellations;
} task_series;

/* Called by <nrp>TaskWatch on the thread that completed the task: only
 * the host's recording functions, which never block or call the runtime. */
static void timing_task_done(void *cookie, uint64_t start, int32_t status)
{
    const task_series *t = cookie;
    host->histogram_record_since(t->duration, start);
    if (status == NRP_TASK_FAULTED)
        host->counter_increment(t->exceptions);
    else if (status == NRP_TASK_CANCELED)
        host->counter_increment(t->cancellations);
}

/* The method's task_series, made on its first rewrite; NULL with the
 * reason in err. */
static task_series *task_series_of(nrp_rewrite *rw, nrp_histogram *duration, nrp_counter *exceptions, char *err,
                                   size_t errlen)
{
    void **slot = host->method_slot(rw);
    if (!slot) {
        snprintf(err, errlen, "the host gave no method slot");
        return NULL;
    }
    _Atomic(task_series *) *shared = (_Atomic(task_series *) *)slot;
    task_series *t = atomic_load(shared), *none = NULL;
    if (t)
        return t;
    nrp_counter *cancellations = host->counter_sharded(rw, "nrp_method_cancellations_total",
                                                       "Tasks of the instrumented method that were canceled.");
    if (!cancellations)
        return NULL; /* the host recorded why */
    if (!(t = malloc(sizeof *t))) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    *t = (task_series){duration, exceptions, cancellations};
    if (!atomic_compare_exchange_strong(shared, &none, t)) {
        free(t); /* another rewrite of the method installed one */
        t = none;
    }
    return t;
}

static int timing_rewrite(nrp_rewrite *rw, char *err, size_t errlen)
{
    static const uint8_t one_pointer[] = {NRP_ELEMENT_I};
    static const uint8_t exit_params[] = {NRP_ELEMENT_I, NRP_ELEMENT_I8};
    static const uint8_t int64[] = {NRP_ELEMENT_I8};
    /* probe_sig writes 4 bytes, the token's at most 4, then the parameters */
    uint8_t count_sig[8 + sizeof one_pointer], clock_sig[8], exit_sig[8 + sizeof exit_params];
    nrp_emit_buf entry = {0}, thrown = {0}, exit = {0};
    uint8_t *at;
    int rc = NRP_ERROR;
    uint32_t count_tok, clock_tok, exit_tok, exception_type, suppress, start;

    nrp_counter *calls = host->counter_sharded(rw, "nrp_method_calls_total", "Calls of the instrumented method.");
    nrp_counter *exceptions = host->counter_sharded(rw, "nrp_method_exceptions_total",
                                                    "Exceptions thrown out of the instrumented method.");
    nrp_histogram *duration = host->histogram(rw, "nrp_method_duration",
                                              "Time from entry of the instrumented method to its return or throw.");
    if (!calls || !exceptions || !duration ||
        host->type_ref(rw, NULL, "System.Runtime.CompilerServices.CallConvSuppressGCTransition", &suppress) !=
            NRP_OK)
        return NRP_ERROR; /* the host recorded why */
    size_t count_len = probe_sig(count_sig, suppress, NRP_ELEMENT_VOID, one_pointer, 1);
    size_t clock_len = probe_sig(clock_sig, suppress, NRP_ELEMENT_I8, NULL, 0);
    size_t exit_len = probe_sig(exit_sig, suppress, NRP_ELEMENT_VOID, exit_params, 2);
    if (host->standalone_sig_token(rw, count_sig, (uint32_t)count_len, &count_tok) != NRP_OK ||
        host->standalone_sig_token(rw, clock_sig, (uint32_t)clock_len, &clock_tok) != NRP_OK ||
        host->standalone_sig_token(rw, exit_sig, (uint32_t)exit_len, &exit_tok) != NRP_OK ||
        host->type_ref(rw, NULL, "System.Exception", &exception_type) != NRP_OK ||
        host->il_add_local(rw, int64, sizeof int64, &start) != NRP_OK)
        return NRP_ERROR;

/* Each instruction goes where nrp_emit_room says, or the rewrite fails. */
#define EMIT(b, emit_call)                                                                                         \
    do {                                                                                                           \
        if (!(at = nrp_emit_room(&(b))))                                                                           \
            goto out;                                                                                              \
        (b).len += emit_call;                                                                                      \
    } while (0)

    EMIT(entry, nrp_emit_pointer(at, calls));
    EMIT(entry, nrp_emit_pointer(at, (const void *)(uintptr_t)host->counter_increment));
    EMIT(entry, nrp_emit_calli(at, count_tok));
    EMIT(entry, nrp_emit_pointer(at, (const void *)(uintptr_t)host->clock_ticks));
    EMIT(entry, nrp_emit_calli(at, clock_tok));
    EMIT(entry, nrp_emit_stloc(at, start));

    EMIT(thrown, nrp_emit_pointer(at, exceptions));
    EMIT(thrown, nrp_emit_pointer(at, (const void *)(uintptr_t)host->counter_increment));
    EMIT(thrown, nrp_emit_calli(at, count_tok));
    EMIT(thrown, nrp_emit_pointer(at, duration));
    EMIT(thrown, nrp_emit_ldloc(at, start));
    EMIT(thrown, nrp_emit_pointer(at, (const void *)(uintptr_t)host->histogram_record_since));
    EMIT(thrown, nrp_emit_calli(at, exit_tok));

    /* The epilogue starts with a copy of the return value, if any. */
    if (host->method(rw)->flags & NRP_METHOD_RETURNS_VALUE)
        EMIT(exit, nrp_emit_op(at, NRP_OP_POP));
    EMIT(exit, nrp_emit_pointer(at, duration));
    EMIT(exit, nrp_emit_ldloc(at, start));
    EMIT(exit, nrp_emit_pointer(at, (const void *)(uintptr_t)host->histogram_record_since));
    EMIT(exit, nrp_emit_calli(at, exit_tok));
#undef EMIT

    nrp_wrap spec = {.size = sizeof spec,
                     .entry_il = entry.data,
                     .entry_len = (uint32_t)entry.len,
                     .with_catch = 1,
                     .catch_type = exception_type,
                     .catch_il = thrown.data,
                     .catch_len = (uint32_t)thrown.len,
                     .exit_il = exit.data,
                     .exit_len = (uint32_t)exit.len};
    /* A method returning a task is timed until the task completes. */
    if (host->abi_minor >= 4 &&
        (host->method(rw)->flags & (NRP_METHOD_RETURNS_TASK | NRP_METHOD_RETURNS_VALUE_TASK))) {
        task_series *t = task_series_of(rw, duration, exceptions, err, errlen);
        if (!t)
            goto out;
        spec.task_done = timing_task_done;
        spec.task_cookie = t;
        spec.task_start_local = start;
    }
    rc = host->il_wrap(rw, &spec, NULL);
out:
    if (rc != NRP_OK && (entry.failed || thrown.failed || exit.failed))
        snprintf(err, errlen, "out of memory building the probes");
    free(entry.data);
    free(thrown.data);
    free(exit.data);
    return rc;
}

static int timing_init(const nrp_host_api *api, char *err, size_t errlen)
{
    if (api->size < offsetof(nrp_host_api, histogram_record_since) + sizeof api->histogram_record_since) {
        snprintf(err, errlen, "host too old: needs the sharded counters and clock of ABI 1.3 (SDK %s)",
                 NRP_SDK_VERSION_STRING);
        return NRP_ERROR;
    }
    host = api;
    return NRP_OK;
}

static const nrp_strategy strategies[] = {
    {.name = "timing", .rewrite = timing_rewrite},
};

NRP_PLUGIN_DEFINE("timing", TIMING_VERSION, strategies, timing_init);
