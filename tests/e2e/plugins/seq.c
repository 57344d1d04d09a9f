/*
 * seq - a test plugin that makes the order of composed strategies visible.
 * Strategy `seq` takes options {id: 1..9, last: true|false}; its probe
 * counts a call in nrp_seq_in_order_total only when the probe that ran just
 * before it, on this thread, had id - 1 (id 1 expects none). The probe
 * marked `last` clears the trail for the next call. Rules composed in the
 * right order therefore count every call; any other order counts none.
 */
#include <stdio.h>
#include <string.h>

#include <nrp/emit.h>
#include <nrp/plugin.h>

static const nrp_host_api *host;
static __thread int trail;

static void seq_hit(uint64_t *in_order, int32_t id, int32_t last)
{
    if (trail == id - 1)
        __atomic_fetch_add(in_order, 1, __ATOMIC_RELAXED);
    trail = last ? 0 : id;
}

static int option_int(const nrp_options *o, const char *name, int fallback)
{
    const char *v = host->option_string(o, name);
    return v ? (strcmp(v, "true") == 0 ? 1 : strcmp(v, "false") == 0 ? 0 : v[0] - '0') : fallback;
}

static int seq_validate(const nrp_options *o, const char **bad, char *err, size_t errlen)
{
    const char *id = host->option_string(o, "id"), *last = host->option_string(o, "last");
    if (!id || strlen(id) != 1 || id[0] < '1' || id[0] > '9') {
        *bad = id ? "id" : NULL;
        snprintf(err, errlen, "seq needs 'id', a digit from 1 to 9");
        return NRP_ERROR;
    }
    if (last && strcmp(last, "true") != 0 && strcmp(last, "false") != 0) {
        *bad = "last";
        snprintf(err, errlen, "'last' must be true or false");
        return NRP_ERROR;
    }
    return NRP_OK;
}

static int seq_rewrite(nrp_rewrite *rw, char *err, size_t errlen)
{
    static const uint8_t sig[] = {NRP_CALLCONV_C, 3, NRP_ELEMENT_VOID, NRP_ELEMENT_I, NRP_ELEMENT_I4, NRP_ELEMENT_I4};
    const nrp_options *o = host->rule_options(rw);
    uint8_t il[64];
    size_t n = 0;
    uint32_t token;
    uint64_t *in_order = host->counter(rw, "nrp_seq_in_order_total", "Calls whose probes ran in the expected order.");
    if (!in_order || host->standalone_sig_token(rw, sig, sizeof sig, &token) != NRP_OK) {
        snprintf(err, errlen, "no counter or token");
        return NRP_ERROR;
    }
    n += nrp_emit_pointer(il + n, in_order);
    n += nrp_emit_i4(il + n, option_int(o, "id", 0));
    n += nrp_emit_i4(il + n, option_int(o, "last", 0));
    n += nrp_emit_pointer(il + n, (const void *)(uintptr_t)seq_hit);
    n += nrp_emit_calli(il + n, token);
    return host->il_insert_at_entry(rw, il, (uint32_t)n);
}

static int seq_init(const nrp_host_api *api, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    host = api;
    return NRP_OK;
}

static const nrp_strategy strategies[] = {{.name = "seq", .rewrite = seq_rewrite, .validate = seq_validate}};

NRP_PLUGIN_DEFINE("seq", "1.0.0", strategies, seq_init);
