/*
 * One plugin source, built several times with a FAKE_* variant defined, to
 * give the loader every kind of descriptor it must accept or refuse.
 */
#include <stdio.h>
#include <string.h>

#include <nrp/plugin.h>

static int fake_rewrite(nrp_rewrite *rw, char *err, size_t errlen)
{
    (void)rw;
    snprintf(err, errlen, "fake strategies never rewrite");
    return NRP_ERROR;
}

static const nrp_host_api *host_api;

/* Accepts only `speed: slow`; anything else is refused at the option. */
__attribute__((unused)) static int fake_validate(const nrp_options *options, const char **bad_option, char *err, size_t errlen)
{
    for (uint32_t i = 0; i < host_api->option_count(options); i++) {
        const char *name = host_api->option_name(options, i);
        const char *value = host_api->option_string(options, name);
        if (strcmp(name, "speed") != 0) {
            *bad_option = name;
            snprintf(err, errlen, "unknown option '%s'", name);
            return NRP_ERROR;
        }
        if (!value || strcmp(value, "slow") != 0) {
            *bad_option = name;
            snprintf(err, errlen, "speed must be 'slow', not '%s'", value ? value : "(a list or mapping)");
            return NRP_ERROR;
        }
    }
    return NRP_OK;
}

static int fake_init(const nrp_host_api *host, char *err, size_t errlen)
{
    host_api = host;
#ifdef FAKE_INIT_FAILS
    snprintf(err, errlen, "no licence key");
    return NRP_ERROR;
#else
    (void)err;
    (void)errlen;
    return NRP_OK;
#endif
}

static const nrp_strategy strategies[] = {
#ifdef FAKE_STRATEGY_NAME
    {.name = FAKE_STRATEGY_NAME, .rewrite = fake_rewrite, .validate = fake_validate},
#else
    {.name = "alpha", .rewrite = fake_rewrite},
#endif
#ifdef FAKE_DUPLICATE_STRATEGY
    {.name = "alpha", .rewrite = fake_rewrite},
#endif
};

#ifndef FAKE_MAGIC
#define FAKE_MAGIC NRP_PLUGIN_MAGIC
#endif
#ifndef FAKE_ABI_MAJOR
#define FAKE_ABI_MAJOR NRP_ABI_MAJOR
#endif
#ifndef FAKE_ABI_MINOR
#define FAKE_ABI_MINOR NRP_ABI_MINOR
#endif
#ifdef FAKE_OTHER_LIBC
#define FAKE_LIBC (NRP_LIBC_FLAVOUR == NRP_LIBC_GLIBC ? NRP_LIBC_MUSL : NRP_LIBC_GLIBC)
#endif
#ifndef FAKE_LIBC
#define FAKE_LIBC NRP_LIBC_FLAVOUR
#endif

static const nrp_plugin descriptor = {
    .magic = FAKE_MAGIC,
    .size = sizeof(nrp_plugin),
    .abi_major = FAKE_ABI_MAJOR,
    .abi_minor = FAKE_ABI_MINOR,
    .fingerprint = {sizeof(void *), FAKE_LIBC, NRP_SDK_VERSION, 0},
    .name = "fake",
    .version = "9.9",
    .strategies = strategies,
#ifdef FAKE_NO_STRATEGIES
    .strategy_count = 0,
#else
    .strategy_count = sizeof strategies / sizeof strategies[0],
#endif
    .init = fake_init,
};

#ifndef FAKE_NO_ENTRY
NRP_PLUGIN_EXPORT const nrp_plugin *nrp_plugin_entry(void)
{
    return &descriptor;
}
#else
NRP_PLUGIN_EXPORT const nrp_plugin *some_other_function(void)
{
    return &descriptor;
}
#endif
