/*
 * callback.c - our ICorProfilerCallback11 object: the runtime's way in.
 *
 * Every one of the 98 slots is present. The few the host uses forward to
 * core/lifetime.c; the rest return S_OK, which on this ABI is safe whatever
 * the arguments (the caller owns and cleans its argument registers/stack).
 */
#include <pthread.h>
#include <stdlib.h>

#include "core/callback.h"
#include "clr/slots.h"
#include "util/log.h"
#include "core/lifetime.h"

typedef void (*nrp_any_fn)(void);

typedef struct nrp_callback {
    const nrp_any_fn *vtbl;
    int refs;
} nrp_callback;

static nrp_any_fn vtable[NRP_CB_SLOT_COUNT];
static pthread_once_t vtable_once = PTHREAD_ONCE_INIT;

static HRESULT cb_ok(void *self)
{
    (void)self;
    return NRP_S_OK;
}

static HRESULT cb_query_interface(nrp_callback *self, const nrp_guid *iid, void **out)
{
    if (!out)
        return NRP_E_POINTER;
    int known = nrp_guid_equal(iid, &NRP_IID_IUnknown);
    for (size_t i = 0; i < sizeof NRP_IID_ICorProfilerCallback / sizeof NRP_IID_ICorProfilerCallback[0]; i++)
        known |= nrp_guid_equal(iid, &NRP_IID_ICorProfilerCallback[i]);
    if (!known) {
        *out = NULL;
        return NRP_E_NOINTERFACE;
    }
    __atomic_fetch_add(&self->refs, 1, __ATOMIC_RELAXED);
    *out = self;
    return NRP_S_OK;
}

static ULONG cb_add_ref(nrp_callback *self)
{
    return (ULONG)__atomic_add_fetch(&self->refs, 1, __ATOMIC_RELAXED);
}

static ULONG cb_release(nrp_callback *self)
{
    int left = __atomic_sub_fetch(&self->refs, 1, __ATOMIC_ACQ_REL);
    if (left == 0)
        free(self);
    return (ULONG)left;
}

static HRESULT cb_initialize(nrp_callback *self, nrp_com_object *info)
{
    (void)self;
    return nrp_profiler_initialize(info);
}

static HRESULT cb_shutdown(nrp_callback *self)
{
    (void)self;
    nrp_profiler_shutdown();
    return NRP_S_OK;
}

static HRESULT cb_module_load_finished(nrp_callback *self, ModuleID module, HRESULT status)
{
    (void)self;
    nrp_profiler_module_load_finished(module, status);
    return NRP_S_OK;
}

static HRESULT cb_module_unload_started(nrp_callback *self, ModuleID module)
{
    (void)self;
    nrp_profiler_module_unload_started(module);
    return NRP_S_OK;
}

static HRESULT cb_jit_compilation_started(nrp_callback *self, FunctionID function, BOOL safe_to_block)
{
    (void)self;
    (void)safe_to_block;
    nrp_profiler_jit_compilation_started(function);
    return NRP_S_OK;
}

static HRESULT cb_get_rejit_parameters(nrp_callback *self, ModuleID module, mdToken method,
                                       nrp_com_object *control)
{
    (void)self;
    return nrp_profiler_get_rejit_parameters(module, method, control);
}

static HRESULT cb_rejit_error(nrp_callback *self, ModuleID module, mdToken method, FunctionID function,
                              HRESULT status)
{
    (void)self;
    (void)function;
    nrp_profiler_rejit_error(module, method, status);
    return NRP_S_OK;
}

static HRESULT cb_initialize_for_attach(nrp_callback *self, nrp_com_object *info, void *data, ULONG size)
{
    (void)self;
    return nrp_profiler_initialize_for_attach(info, data, size);
}

#define SET(slot, fn) vtable[slot] = (nrp_any_fn)(fn)

static void build_vtable(void)
{
    for (int i = 0; i < NRP_CB_SLOT_COUNT; i++)
        SET(i, cb_ok);
    SET(NRP_CB_QueryInterface, cb_query_interface);
    SET(NRP_CB_AddRef, cb_add_ref);
    SET(NRP_CB_Release, cb_release);
    SET(NRP_CB_Initialize, cb_initialize);
    SET(NRP_CB_Shutdown, cb_shutdown);
    SET(NRP_CB_ModuleLoadFinished, cb_module_load_finished);
    SET(NRP_CB_ModuleUnloadStarted, cb_module_unload_started);
    SET(NRP_CB_JITCompilationStarted, cb_jit_compilation_started);
    SET(NRP_CB_GetReJITParameters, cb_get_rejit_parameters);
    SET(NRP_CB_ReJITError, cb_rejit_error);
    SET(NRP_CB_InitializeForAttach, cb_initialize_for_attach);
}

void *nrp_callback_create(void)
{
    nrp_callback *cb;
    pthread_once(&vtable_once, build_vtable);
    cb = calloc(1, sizeof *cb);
    if (!cb)
        return NULL;
    cb->vtbl = vtable;
    cb->refs = 1;
    return cb;
}

HRESULT nrp_callback_query(void *callback, const nrp_guid *iid, void **out)
{
    return cb_query_interface(callback, iid, out);
}

ULONG nrp_callback_release(void *callback)
{
    return cb_release(callback);
}
