/*
 * timing - counts the calls of every matched method.
 *
 * The injected prologue calls native code directly, with no managed helper:
 *
 *     ldc.i8  <address of this method's counter>
 *     conv.i
 *     ldc.i8  <address of timing_enter>
 *     conv.i
 *     calli   unmanaged cdecl void(native int)
 *
 * The counter belongs to the host's metrics registry (series
 * nrp_method_calls_total{rule,method}), which writes it out at exit.
 */
#include <string.h>

#include <nrp/emit.h>
#include <nrp/plugin.h>

#define TIMING_VERSION "0.1.0"

static const nrp_host_api *host;

/* Called from injected code on every entry of an instrumented method, on
 * any thread: one relaxed atomic add, nothing else. */
static void timing_enter(uint64_t *calls)
{
    __atomic_fetch_add(calls, 1, __ATOMIC_RELAXED);
}

static int timing_rewrite(nrp_rewrite *rw, char *err, size_t errlen)
{
    static const uint8_t enter_sig[] = {NRP_CALLCONV_C, 1, NRP_ELEMENT_VOID, NRP_ELEMENT_I};
    uint8_t il[32];
    size_t n = 0;
    uint32_t sig;

    uint64_t *calls = host->counter(rw, "nrp_method_calls_total", "Calls of the instrumented method.");
    if (!calls)
        return NRP_ERROR; /* the host recorded why */
    if (host->standalone_sig_token(rw, enter_sig, sizeof enter_sig, &sig) != NRP_OK)
        return NRP_ERROR;
    n += nrp_emit_pointer(il + n, calls);
    n += nrp_emit_pointer(il + n, (const void *)(uintptr_t)timing_enter);
    n += nrp_emit_calli(il + n, sig);
    (void)err;
    (void)errlen;
    return host->il_insert_at_entry(rw, il, (uint32_t)n);
}

static int timing_init(const nrp_host_api *api, char *err, size_t errlen)
{
    if (api->size < offsetof(nrp_host_api, counter) + sizeof api->counter) {
        strncpy(err, "host API table too small", errlen - 1);
        err[errlen - 1] = '\0';
        return NRP_ERROR;
    }
    host = api;
    return NRP_OK;
}

static const nrp_strategy strategies[] = {
    {.name = "timing", .rewrite = timing_rewrite},
};

NRP_PLUGIN_DEFINE("timing", TIMING_VERSION, strategies, timing_init);
