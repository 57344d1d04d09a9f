/*
 * factory.c - DllGetClassObject and the class factory: how the runtime
 * creates our profiler from the CLSID in CORECLR_PROFILER. This is the only
 * symbol libNewRelicProfiler.so exports.
 */
#include <stddef.h>

#include "core/callback.h"
#include "clr/com.h"
#include "clr/slots.h"
#include "core/lifetime.h"

typedef void (*nrp_any_fn)(void);

typedef struct class_factory {
    const nrp_any_fn *vtbl;
} class_factory;

static HRESULT cf_query_interface(class_factory *self, const nrp_guid *iid, void **out)
{
    if (!out)
        return NRP_E_POINTER;
    if (nrp_guid_equal(iid, &NRP_IID_IUnknown) || nrp_guid_equal(iid, &NRP_IID_IClassFactory)) {
        *out = self;
        return NRP_S_OK;
    }
    *out = NULL;
    return NRP_E_NOINTERFACE;
}

/* The factory is a static singleton: reference counts are moot. */
static ULONG cf_add_ref(class_factory *self)
{
    (void)self;
    return 1;
}

static ULONG cf_release(class_factory *self)
{
    (void)self;
    return 1;
}

static HRESULT cf_create_instance(class_factory *self, void *outer, const nrp_guid *iid, void **out)
{
    (void)self;
    if (!out)
        return NRP_E_POINTER;
    *out = NULL;
    if (outer)
        return NRP_CLASS_E_NOAGGREGATION;
    /* Excluded processes stop here and pay nothing more. */
    HRESULT verdict = nrp_profiler_prepare();
    if (NRP_FAILED(verdict))
        return verdict;
    void *cb = nrp_callback_create();
    if (!cb)
        return NRP_E_OUTOFMEMORY;
    HRESULT hr = nrp_callback_query(cb, iid, out);
    nrp_callback_release(cb); /* the query's reference keeps it alive */
    return hr;
}

static HRESULT cf_lock_server(class_factory *self, BOOL lock)
{
    (void)self;
    (void)lock;
    return NRP_S_OK;
}

static const nrp_any_fn factory_vtable[NRP_CF_SLOT_COUNT] = {
    [NRP_CF_QueryInterface] = (nrp_any_fn)cf_query_interface,
    [NRP_CF_AddRef] = (nrp_any_fn)cf_add_ref,
    [NRP_CF_Release] = (nrp_any_fn)cf_release,
    [NRP_CF_CreateInstance] = (nrp_any_fn)cf_create_instance,
    [NRP_CF_LockServer] = (nrp_any_fn)cf_lock_server,
};

static class_factory factory = {factory_vtable};

__attribute__((visibility("default"))) HRESULT DllGetClassObject(const nrp_guid *clsid, const nrp_guid *iid,
                                                                 void **out)
{
    if (!clsid || !iid || !out)
        return NRP_E_POINTER;
    *out = NULL;
    if (!nrp_guid_equal(clsid, &NRP_CLSID_PROFILER))
        return NRP_CLASS_E_CLASSNOTAVAILABLE;
    return cf_query_interface(&factory, iid, out);
}
