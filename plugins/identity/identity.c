/*
 * identity - diagnostics strategies that change nothing the app can see.
 * They tell a user whether the profiler can rewrite their methods safely:
 *
 *   roundtrip  decode the body and encode it again, unchanged;
 *   wrap       add a nop at entry and wrap the whole body in an empty
 *              try/finally: the structure every real strategy builds.
 */
#include <stdio.h>

#include <nrp/plugin.h>

#define IDENTITY_VERSION "0.1.0"

static const nrp_host_api *host;

/* The host decodes before and encodes after every strategy: doing nothing
 * here is the round trip. */
static int roundtrip_rewrite(nrp_rewrite *rw, char *err, size_t errlen)
{
    (void)rw;
    (void)err;
    (void)errlen;
    return NRP_OK;
}

static int wrap_rewrite(nrp_rewrite *rw, char *err, size_t errlen)
{
    static const uint8_t nop[] = {NRP_OP_NOP};
    nrp_wrap spec = {
        .size = sizeof spec,
        .entry_il = nop,
        .entry_len = sizeof nop,
        .with_finally = 1, /* empty: just endfinally */
    };
    (void)err;
    (void)errlen;
    return host->il_wrap(rw, &spec, NULL);
}

static int identity_init(const nrp_host_api *api, char *err, size_t errlen)
{
    if (api->size < offsetof(nrp_host_api, il_wrap) + sizeof api->il_wrap) {
        snprintf(err, errlen, "host API table too small (no il_wrap)");
        return NRP_ERROR;
    }
    host = api;
    return NRP_OK;
}

static const nrp_strategy strategies[] = {
    {.name = "roundtrip", .rewrite = roundtrip_rewrite},
    {.name = "wrap", .rewrite = wrap_rewrite},
};

NRP_PLUGIN_DEFINE("identity", IDENTITY_VERSION, strategies, identity_init);
