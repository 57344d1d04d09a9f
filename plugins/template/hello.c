/*
 * hello - a complete strategy plugin, built out of tree against the
 * installed SDK (see docs/PLUGINS.md). Strategy `hello` counts the calls of
 * every method it is given, in the metric nrp_hello_calls_total.
 *
 * The injected prologue calls native code directly:
 *     ldc.i8 <counter>; conv.i; ldc.i8 <hello_enter>; conv.i; calli void(native int)
 */
#include <stdio.h>

#include <nrp/emit.h>
#include <nrp/plugin.h>

static const nrp_host_api *host;

/* Runs on every call of an instrumented method, on any thread. */
static void hello_enter(uint64_t *calls)
{
    __atomic_fetch_add(calls, 1, __ATOMIC_RELAXED);
}

static int hello_rewrite(nrp_rewrite *rw, char *err, size_t errlen)
{
    static const uint8_t sig[] = {NRP_CALLCONV_C, 1, NRP_ELEMENT_VOID, NRP_ELEMENT_I};
    uint8_t il[32];
    size_t n = 0;
    uint32_t token;
    uint64_t *calls = host->counter(rw, "nrp_hello_calls_total", "Calls seen by the hello template plugin.");
    if (!calls || host->standalone_sig_token(rw, sig, sizeof sig, &token) != NRP_OK) {
        snprintf(err, errlen, "no counter or signature token for %s", host->method(rw)->display);
        return NRP_ERROR;
    }
    n += nrp_emit_pointer(il + n, calls);
    n += nrp_emit_pointer(il + n, (const void *)(uintptr_t)hello_enter);
    n += nrp_emit_calli(il + n, token);
    return host->il_insert_at_entry(rw, il, (uint32_t)n);
}

static int hello_init(const nrp_host_api *api, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    host = api;
    host->log(NRP_LOG_DEBUG, "hello", "ready");
    return NRP_OK;
}

static const nrp_strategy strategies[] = {{.name = "hello", .rewrite = hello_rewrite}};

NRP_PLUGIN_DEFINE("hello", "1.0.0", strategies, hello_init);
