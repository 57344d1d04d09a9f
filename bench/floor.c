/*
 * floor.c - the cheapest profiler there is: the runtime loads this library
 * and asks it for the profiler's class, and it declines at once
 * (CLASS_E_CLASSNOTAVAILABLE). What a process pays for it is what loading
 * any profiler costs; bench/startup.sh measures the bundle against it.
 */
#include <stdint.h>

#define CLASS_E_CLASSNOTAVAILABLE ((int32_t)0x80040111)

__attribute__((visibility("default"))) int32_t DllGetClassObject(const void *clsid, const void *iid, void **out);

int32_t DllGetClassObject(const void *clsid, const void *iid, void **out)
{
    (void)clsid;
    (void)iid;
    if (out)
        *out = 0;
    return CLASS_E_CLASSNOTAVAILABLE;
}
