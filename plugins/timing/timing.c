/*
 * timing - calls, exceptions and a duration histogram for every matched
 * method, recorded by native code the method calls directly (calli), with
 * no managed helper and no lock:
 *
 *     ldc.i8 <calls>; conv.i; ldc.i8 <timing_enter>; conv.i
 *     calli  unmanaged cdecl int64(native int)         // counts, returns now
 *     stloc  start
 *     .try {
 *       .try { original body }
 *       as a [System.Runtime]System.Exception leaves it (observed by il_wrap,
 *       never caught: the app's exception handling is unchanged) {
 *         ldc.i8 <exceptions>; conv.i; ldc.i8 <timing_thrown>; conv.i
 *         calli unmanaged cdecl void(native int)
 *       }
 *     } finally {
 *       ldloc start; ldc.i8 <histogram>; conv.i; ldc.i8 <timing_exit>; conv.i
 *       calli unmanaged cdecl void(int64, native int)    // records now - start
 *     }
 *
 * timing_exit records through the host's histogram_record (ABI 1.2), so
 * the plugin does not depend on the histogram's layout; it stays a plugin
 * function because the duration is computed on the native side.
 *
 * The series belong to the host's metrics registry: nrp_method_calls_total,
 * nrp_method_exceptions_total and nrp_method_duration_seconds{rule,method},
 * with async="true" on async methods, whose duration ends when the first
 * await returns the Task.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nrp/emit.h>
#include <nrp/plugin.h>

#define TIMING_VERSION "0.2.0"

static const nrp_host_api *host;
/* host->histogram_record, read once at init: the probes run on every call. */
static void (*record)(nrp_histogram *h, uint64_t ns);

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Called from injected code, on any thread. */
static int64_t timing_enter(uint64_t *calls)
{
    __atomic_fetch_add(calls, 1, __ATOMIC_RELAXED);
    return (int64_t)now_ns();
}

static void timing_thrown(uint64_t *exceptions)
{
    __atomic_fetch_add(exceptions, 1, __ATOMIC_RELAXED);
}

static void timing_exit(int64_t start, nrp_histogram *duration)
{
    uint64_t end = now_ns();
    record(duration, end > (uint64_t)start ? end - (uint64_t)start : 0);
}

/* An unmanaged calli signature that skips the GC mode switch:
 *     unmanaged ret modopt(CallConvSuppressGCTransition) RET(PARAMS)
 * The probes only do atomic arithmetic and read the clock: they never
 * block, allocate or call back into the runtime, which is what the runtime
 * asks of such calls, and they cost a few nanoseconds instead of a full
 * transition each. */
static size_t probe_sig(uint8_t *sig, uint32_t suppress, uint8_t ret, const uint8_t *params, uint8_t count)
{
    size_t n = 0;
    sig[n++] = NRP_CALLCONV_UNMANAGED; /* the convention is in the modifiers */
    sig[n++] = count;
    sig[n++] = NRP_ELEMENT_CMOD_OPT;
    n += nrp_sig_put_type_token(sig + n, suppress);
    sig[n++] = ret;
    memcpy(sig + n, params, count);
    return n + count;
}

static int timing_rewrite(nrp_rewrite *rw, char *err, size_t errlen)
{
    static const uint8_t one_pointer[] = {NRP_ELEMENT_I};
    static const uint8_t exit_params[] = {NRP_ELEMENT_I8, NRP_ELEMENT_I};
    static const uint8_t int64[] = {NRP_ELEMENT_I8};
    /* probe_sig writes 4 bytes, the token's at most 4, then the parameters */
    uint8_t enter_sig[8 + sizeof one_pointer], thrown_sig[8 + sizeof one_pointer], exit_sig[8 + sizeof exit_params];
    nrp_emit_buf entry = {0}, thrown = {0}, finally = {0};
    uint8_t *at;
    int rc = NRP_ERROR;
    uint32_t enter_tok, thrown_tok, exit_tok, exception_type, suppress, start;

    uint64_t *calls = host->counter(rw, "nrp_method_calls_total", "Calls of the instrumented method.");
    uint64_t *exceptions = host->counter(rw, "nrp_method_exceptions_total",
                                         "Exceptions thrown out of the instrumented method.");
    nrp_histogram *duration = host->histogram(rw, "nrp_method_duration",
                                              "Time from entry of the instrumented method to its return or throw.");
    if (!calls || !exceptions || !duration ||
        host->type_ref(rw, NULL, "System.Runtime.CompilerServices.CallConvSuppressGCTransition", &suppress) !=
            NRP_OK)
        return NRP_ERROR; /* the host recorded why */
    size_t enter_len = probe_sig(enter_sig, suppress, NRP_ELEMENT_I8, one_pointer, 1);
    size_t thrown_len = probe_sig(thrown_sig, suppress, NRP_ELEMENT_VOID, one_pointer, 1);
    size_t exit_len = probe_sig(exit_sig, suppress, NRP_ELEMENT_VOID, exit_params, 2);
    if (host->standalone_sig_token(rw, enter_sig, (uint32_t)enter_len, &enter_tok) != NRP_OK ||
        host->standalone_sig_token(rw, thrown_sig, (uint32_t)thrown_len, &thrown_tok) != NRP_OK ||
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
    EMIT(entry, nrp_emit_pointer(at, (const void *)(uintptr_t)timing_enter));
    EMIT(entry, nrp_emit_calli(at, enter_tok));
    EMIT(entry, nrp_emit_stloc(at, start));

    EMIT(thrown, nrp_emit_pointer(at, exceptions));
    EMIT(thrown, nrp_emit_pointer(at, (const void *)(uintptr_t)timing_thrown));
    EMIT(thrown, nrp_emit_calli(at, thrown_tok));

    EMIT(finally, nrp_emit_ldloc(at, start));
    EMIT(finally, nrp_emit_pointer(at, duration));
    EMIT(finally, nrp_emit_pointer(at, (const void *)(uintptr_t)timing_exit));
    EMIT(finally, nrp_emit_calli(at, exit_tok));
#undef EMIT

    nrp_wrap spec = {.size = sizeof spec,
                     .entry_il = entry.data,
                     .entry_len = (uint32_t)entry.len,
                     .with_catch = 1,
                     .catch_type = exception_type,
                     .catch_il = thrown.data,
                     .catch_len = (uint32_t)thrown.len,
                     .with_finally = 1,
                     .finally_il = finally.data,
                     .finally_len = (uint32_t)finally.len};
    rc = host->il_wrap(rw, &spec, NULL);
out:
    if (rc != NRP_OK && (entry.failed || thrown.failed || finally.failed))
        snprintf(err, errlen, "out of memory building the probes");
    free(entry.data);
    free(thrown.data);
    free(finally.data);
    return rc;
}

static int timing_init(const nrp_host_api *api, char *err, size_t errlen)
{
    if (api->size < offsetof(nrp_host_api, histogram_record) + sizeof api->histogram_record) {
        snprintf(err, errlen, "host too old: needs histogram_record (ABI 1.2, SDK %s)", NRP_SDK_VERSION_STRING);
        return NRP_ERROR;
    }
    host = api;
    record = api->histogram_record;
    return NRP_OK;
}

static const nrp_strategy strategies[] = {
    {.name = "timing", .rewrite = timing_rewrite},
};

NRP_PLUGIN_DEFINE("timing", TIMING_VERSION, strategies, timing_init);
