/*
 * api.c - include/nrp/api.h, the calls the managed agent makes: the only
 * symbols the profiler exports besides DllGetClassObject. They forward to
 * the session (core/lifetime.c).
 */
#include "nrp/api.h"

#include "core/lifetime.h"

#define NRP_API_VERSION 1
#define NRP_EXPORT __attribute__((visibility("default")))

NRP_EXPORT int nrp_api_version(void)
{
    return NRP_API_VERSION;
}

NRP_EXPORT int nrp_api_apply_rules(const char *source, const char *yaml, size_t len, char *err, size_t errlen)
{
    return nrp_profiler_set_source(source, yaml, len, err, errlen);
}

NRP_EXPORT int nrp_api_remove_rules(const char *source)
{
    return nrp_profiler_remove_source(source);
}
