#include "clr/info.h"

#include <stdlib.h>
#include <string.h>

#include "clr/slots.h"
#include "util/array.h"
#include "util/utf16.h"

typedef HRESULT (*qi_fn)(void *, const nrp_guid *, void **);
typedef ULONG (*release_fn)(void *);

void nrp_com_release(nrp_com_object *obj)
{
    if (obj)
        NRP_COM_FN(obj, release_fn, NRP_UNK_Release)(obj);
}

HRESULT nrp_com_query(nrp_com_object *obj, const nrp_guid *iid, nrp_com_object **out)
{
    typedef HRESULT (*qi_fn)(void *, const nrp_guid *, void **);
    void *p = NULL;
    HRESULT hr = NRP_COM_FN(obj, qi_fn, NRP_UNK_QueryInterface)(obj, iid, &p);
    *out = NRP_FAILED(hr) ? NULL : p;
    return hr;
}

HRESULT nrp_info_acquire(nrp_com_object *unknown, nrp_info *out)
{
    static const struct {
        const nrp_guid *iid;
        int version;
    } wanted[] = {{&NRP_IID_ICorProfilerInfo10, 10}, {&NRP_IID_ICorProfilerInfo7, 7},
                  {&NRP_IID_ICorProfilerInfo5, 5}};
    HRESULT hr = NRP_E_NOINTERFACE;
    out->obj = NULL;
    out->version = 0;
    for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++) {
        void *p = NULL;
        hr = NRP_COM_FN(unknown, qi_fn, NRP_UNK_QueryInterface)(unknown, wanted[i].iid, &p);
        if (!NRP_FAILED(hr) && p) {
            out->obj = p;
            out->version = wanted[i].version;
            return NRP_S_OK;
        }
    }
    return hr;
}

void nrp_info_release(nrp_info *info)
{
    nrp_com_release(info->obj);
    info->obj = NULL;
}

HRESULT nrp_info_set_event_mask(const nrp_info *info, DWORD low, DWORD high)
{
    typedef HRESULT (*fn)(void *, DWORD, DWORD);
    return NRP_COM_FN(info->obj, fn, NRP_INFO_SetEventMask2)(info->obj, low, high);
}

HRESULT nrp_info_module_image(const nrp_info *info, ModuleID module, const uint8_t **base, DWORD *flags)
{
    typedef HRESULT (*fn)(void *, ModuleID, const uint8_t **, ULONG, ULONG *, WCHAR *, AssemblyID *, DWORD *);
    ULONG len = 0;
    AssemblyID assembly = 0;
    *base = NULL;
    *flags = 0;
    return NRP_COM_FN(info->obj, fn, NRP_INFO_GetModuleInfo2)(info->obj, module, base, 0, &len, NULL, &assembly,
                                                              flags);
}

HRESULT nrp_info_module_flags(const nrp_info *info, ModuleID module, DWORD *flags)
{
    const uint8_t *base = NULL;
    return nrp_info_module_image(info, module, &base, flags);
}

HRESULT nrp_info_module_assembly_name(const nrp_info *info, ModuleID module, char *out, size_t cap)
{
    typedef HRESULT (*module_info_fn)(void *, ModuleID, const uint8_t **, ULONG, ULONG *, WCHAR *,
                                      AssemblyID *);
    typedef HRESULT (*assembly_info_fn)(void *, AssemblyID, ULONG, ULONG *, WCHAR *, AppDomainID *,
                                        ModuleID *);
    const uint8_t *base = NULL;
    ULONG len = 0;
    AssemblyID assembly = 0;
    WCHAR name[512];
    HRESULT hr = NRP_COM_FN(info->obj, module_info_fn, NRP_INFO_GetModuleInfo)(info->obj, module, &base, 0,
                                                                               &len, NULL, &assembly);
    if (NRP_FAILED(hr))
        return hr;
    hr = NRP_COM_FN(info->obj, assembly_info_fn, NRP_INFO_GetAssemblyInfo)(
        info->obj, assembly, sizeof name / sizeof name[0], &len, name, NULL, NULL);
    if (NRP_FAILED(hr))
        return hr;
    nrp_utf16_to_utf8(name, len < sizeof name / sizeof name[0] ? len : sizeof name / sizeof name[0], out, cap);
    return NRP_S_OK;
}

HRESULT nrp_info_module_path(const nrp_info *info, ModuleID module, char *out, size_t cap)
{
    typedef HRESULT (*module_info_fn)(void *, ModuleID, const uint8_t **, ULONG, ULONG *, WCHAR *,
                                      AssemblyID *);
    const uint8_t *base = NULL;
    ULONG len = 0;
    AssemblyID assembly = 0;
    WCHAR name[4096];
    if (cap)
        out[0] = '\0';
    HRESULT hr = NRP_COM_FN(info->obj, module_info_fn, NRP_INFO_GetModuleInfo)(
        info->obj, module, &base, sizeof name / sizeof name[0], &len, name, &assembly);
    if (NRP_FAILED(hr))
        return hr;
    /* len counts the terminating NUL; a longer path did not fit. */
    if (len > sizeof name / sizeof name[0])
        return NRP_E_FAIL;
    while (len && name[len - 1] == 0)
        len--;
    nrp_utf16_to_utf8(name, len, out, cap);
    return NRP_S_OK;
}

HRESULT nrp_info_module_metadata(const nrp_info *info, ModuleID module, DWORD open_flags,
                                 const nrp_guid *iid, nrp_com_object **out)
{
    typedef HRESULT (*fn)(void *, ModuleID, DWORD, const nrp_guid *, void **);
    void *p = NULL;
    HRESULT hr = NRP_COM_FN(info->obj, fn, NRP_INFO_GetModuleMetaData)(info->obj, module, open_flags, iid, &p);
    *out = NRP_FAILED(hr) ? NULL : p;
    return hr;
}

HRESULT nrp_info_il_body(const nrp_info *info, ModuleID module, mdToken method, const uint8_t **body,
                         ULONG *size)
{
    typedef HRESULT (*fn)(void *, ModuleID, mdToken, const uint8_t **, ULONG *);
    return NRP_COM_FN(info->obj, fn, NRP_INFO_GetILFunctionBody)(info->obj, module, method, body, size);
}

HRESULT nrp_info_initialize_current_thread(const nrp_info *info)
{
    typedef HRESULT (*fn)(void *);
    return NRP_COM_FN(info->obj, fn, NRP_INFO_InitializeCurrentThread)(info->obj);
}

HRESULT nrp_info_request_revert(const nrp_info *info, ULONG count, ModuleID *modules, mdToken *methods)
{
    typedef HRESULT (*revert_fn)(void *, ULONG, ModuleID *, mdToken *, HRESULT *);
    HRESULT *status = calloc(count ? count : 1, sizeof *status);
    if (!status)
        return NRP_E_OUTOFMEMORY;
    HRESULT hr = NRP_COM_FN(info->obj, revert_fn, NRP_INFO_RequestRevert)(info->obj, count, modules, methods, status);
    for (ULONG i = 0; !NRP_FAILED(hr) && i < count; i++)
        if (NRP_FAILED(status[i]))
            hr = status[i];
    free(status);
    return hr;
}

HRESULT nrp_info_loaded_modules(const nrp_info *info, ModuleID **out, size_t *count)
{
    typedef HRESULT (*enum_fn)(void *, nrp_com_object **);
    typedef HRESULT (*next_fn)(void *, ULONG, ModuleID *, ULONG *);
    nrp_com_object *e = NULL;
    ModuleID *ids = NULL;
    size_t n = 0, cap = 0;
    *out = NULL;
    *count = 0;
    HRESULT hr = NRP_COM_FN(info->obj, enum_fn, NRP_INFO_EnumModules)(info->obj, &e);
    if (NRP_FAILED(hr) || !e)
        return NRP_FAILED(hr) ? hr : NRP_E_FAIL;
    for (;;) {
        ModuleID batch[64];
        ULONG got = 0;
        hr = NRP_COM_FN(e, next_fn, NRP_ME_Next)(e, 64, batch, &got);
        if (NRP_FAILED(hr) || got == 0 || got > 64)
            break;
        if (nrp_array_reserve(&ids, sizeof *ids, n + got, &cap) != NRP_OK) {
            hr = NRP_E_OUTOFMEMORY;
            break;
        }
        memcpy(ids + n, batch, got * sizeof *batch);
        n += got;
    }
    nrp_com_release(e);
    if (NRP_FAILED(hr)) {
        free(ids);
        return hr;
    }
    *out = ids;
    *count = n;
    return NRP_S_OK;
}

HRESULT nrp_info_request_rejit(const nrp_info *info, ULONG count, ModuleID *modules, mdToken *methods,
                               int *used_inliners)
{
    typedef HRESULT (*with_inliners_fn)(void *, DWORD, ULONG, ModuleID *, mdToken *);
    typedef HRESULT (*plain_fn)(void *, ULONG, ModuleID *, mdToken *);
    *used_inliners = 0;
    if (info->version >= 10) {
        HRESULT hr = NRP_COM_FN(info->obj, with_inliners_fn, NRP_INFO_RequestReJITWithInliners)(
            info->obj, NRP_PRF_REJIT_BLOCK_INLINING, count, modules, methods);
        if (!NRP_FAILED(hr)) {
            *used_inliners = 1;
            return hr;
        }
    }
    return NRP_COM_FN(info->obj, plain_fn, NRP_INFO_RequestReJIT)(info->obj, count, modules, methods);
}

HRESULT nrp_info_apply_metadata(const nrp_info *info, ModuleID module)
{
    typedef HRESULT (*fn)(void *, ModuleID);
    if (info->version < 7)
        return NRP_S_FALSE;
    return NRP_COM_FN(info->obj, fn, NRP_INFO_ApplyMetaData)(info->obj, module);
}

HRESULT nrp_info_function_info(const nrp_info *info, FunctionID function, ModuleID *module, mdToken *method)
{
    typedef HRESULT (*fn)(void *, FunctionID, ClassID *, ModuleID *, mdToken *);
    ClassID type = 0;
    return NRP_COM_FN(info->obj, fn, NRP_INFO_GetFunctionInfo)(info->obj, function, &type, module, method);
}

HRESULT nrp_info_set_il_function_body(const nrp_info *info, ModuleID module, mdToken method, const uint8_t *body,
                                      ULONG size)
{
    typedef HRESULT (*allocator_fn)(void *, ModuleID, nrp_com_object **);
    typedef void *(*alloc_fn)(void *, ULONG);
    typedef HRESULT (*set_fn)(void *, ModuleID, mdToken, const uint8_t *);
    nrp_com_object *malloc_obj = NULL;
    HRESULT hr = NRP_COM_FN(info->obj, allocator_fn, NRP_INFO_GetILFunctionBodyAllocator)(info->obj, module,
                                                                                          &malloc_obj);
    if (NRP_FAILED(hr))
        return hr;
    uint8_t *copy = NRP_COM_FN(malloc_obj, alloc_fn, NRP_MM_Alloc)(malloc_obj, size);
    if (copy) {
        memcpy(copy, body, size);
        hr = NRP_COM_FN(info->obj, set_fn, NRP_INFO_SetILFunctionBody)(info->obj, module, method, copy);
    } else {
        hr = NRP_E_OUTOFMEMORY;
    }
    nrp_com_release(malloc_obj);
    return hr;
}

HRESULT nrp_function_control_set_il(nrp_com_object *control, ULONG size, const uint8_t *body)
{
    typedef HRESULT (*fn)(void *, ULONG, const uint8_t *);
    return NRP_COM_FN(control, fn, NRP_FC_SetILFunctionBody)(control, size, body);
}
