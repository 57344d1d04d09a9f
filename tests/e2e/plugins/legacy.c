/*
 * legacy - a plugin as one built before ABI 1.3 is: it declares ABI minor
 * LEGACY_MINOR (1 or 2) and records from native probes of its own, the way
 * such plugins do. Its probe adds one to a counter() with an atomic and
 * records a duration of 1500 ns: with minor 1 into the histogram's struct
 * itself (layout 1, the inline nrp_histogram_record of <nrp/metrics.h>);
 * with minor 2 through host->histogram_record. The host must keep both
 * exact in the series it exports, whatever it keeps per thread now.
 */
#include <stdio.h>

#include <nrp/emit.h>
#include <nrp/metrics.h>
#include <nrp/plugin.h>

#define STR_(x) #x
#define STR(x) STR_(x)

static const nrp_host_api *host;

static void legacy_hit(uint64_t *calls, nrp_histogram *duration)
{
    __atomic_fetch_add(calls, 1, __ATOMIC_RELAXED);
#if LEGACY_MINOR < 2
    nrp_histogram_record(duration, 1500);
#else
    host->histogram_record(duration, 1500);
#endif
}

static int legacy_rewrite(nrp_rewrite *rw, char *err, size_t errlen)
{
    static const uint8_t sig[] = {NRP_CALLCONV_C, 2, NRP_ELEMENT_VOID, NRP_ELEMENT_I, NRP_ELEMENT_I};
    uint8_t il[64];
    size_t n = 0;
    uint32_t token;
    uint64_t *calls = host->counter(rw, "legacy_calls_total", "Calls seen by the legacy plugin.");
    nrp_histogram *duration = host->histogram(rw, "legacy_duration", "1500 ns per call.");
    if (!calls || !duration || host->standalone_sig_token(rw, sig, sizeof sig, &token) != NRP_OK) {
        snprintf(err, errlen, "no counter, histogram or token");
        return NRP_ERROR;
    }
    n += nrp_emit_pointer(il + n, calls);
    n += nrp_emit_pointer(il + n, duration);
    n += nrp_emit_pointer(il + n, (const void *)(uintptr_t)legacy_hit);
    n += nrp_emit_calli(il + n, token);
    return host->il_insert_at_entry(rw, il, (uint32_t)n);
}

static int legacy_init(const nrp_host_api *api, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    host = api;
    return NRP_OK;
}

static const nrp_strategy strategies[] = {{.name = "legacy" STR(LEGACY_MINOR), .rewrite = legacy_rewrite}};

/* NRP_PLUGIN_DEFINE would declare this SDK's minor. */
static const nrp_plugin descriptor = {
    .magic = NRP_PLUGIN_MAGIC,
    .size = sizeof(nrp_plugin),
    .abi_major = NRP_ABI_MAJOR,
    .abi_minor = LEGACY_MINOR,
    .fingerprint = NRP_ABI_FINGERPRINT_INIT,
    .name = "legacy" STR(LEGACY_MINOR),
    .version = "1.0.0",
    .strategies = strategies,
    .strategy_count = 1,
    .init = legacy_init,
};

NRP_PLUGIN_EXPORT const nrp_plugin *nrp_plugin_entry(void);
NRP_PLUGIN_EXPORT const nrp_plugin *nrp_plugin_entry(void)
{
    return &descriptor;
}
