/*
 * info.h - typed calls into ICorProfilerInfo4..10, the runtime's side of the
 * profiling API. Thin: each function is one vtable call plus unit
 * conversions, so failures come back as the runtime's HRESULT.
 */
#ifndef NRP_CLR_INFO_H
#define NRP_CLR_INFO_H

#include <stddef.h>

#include "clr/com.h"

typedef struct nrp_info {
    nrp_com_object *obj; /* the newest interface the runtime gave, at least Info5 */
    int version;         /* 5, 7 or 10 */
} nrp_info;

/* Ask the runtime's IUnknown for Info10, Info7 or Info5 (newest first). */
HRESULT nrp_info_acquire(nrp_com_object *unknown, nrp_info *out);
void nrp_info_release(nrp_info *info);

HRESULT nrp_info_set_event_mask(const nrp_info *info, DWORD low, DWORD high);

/* COR_PRF_MODULE_FLAGS of a module (NRP_PRF_MODULE_*). */
HRESULT nrp_info_module_flags(const nrp_info *info, ModuleID module, DWORD *flags);
/* Where the module's image is loaded (NULL for one without an image) and
 * its COR_PRF_MODULE_FLAGS. */
HRESULT nrp_info_module_image(const nrp_info *info, ModuleID module, const uint8_t **base, DWORD *flags);

/* Simple name of the assembly a module belongs to, UTF-8. */
HRESULT nrp_info_module_assembly_name(const nrp_info *info, ModuleID module, char *out, size_t cap);

/* The file a module was loaded from, UTF-8; "" for one loaded from bytes. */
HRESULT nrp_info_module_path(const nrp_info *info, ModuleID module, char *out, size_t cap);

HRESULT nrp_info_module_metadata(const nrp_info *info, ModuleID module, DWORD open_flags,
                                 const nrp_guid *iid, nrp_com_object **out);

HRESULT nrp_info_il_body(const nrp_info *info, ModuleID module, mdToken method, const uint8_t **body,
                         ULONG *size);

HRESULT nrp_info_initialize_current_thread(const nrp_info *info);

/* The modules loaded so far (ICorProfilerInfo3::EnumModules), into a
 * malloc'd array the caller frees: what a profiler attached to a running
 * process has not seen load. A module still loading may be left out (its
 * ModuleLoadFinished comes later) or listed. */
HRESULT nrp_info_loaded_modules(const nrp_info *info, ModuleID **out, size_t *count);

/* RequestReJITWithInliners (blocking inlining) where the runtime has it,
 * else RequestReJIT. *used_inliners tells which one answered. */
HRESULT nrp_info_request_rejit(const nrp_info *info, ULONG count, ModuleID *modules, mdToken *methods,
                               int *used_inliners);

/* ICorProfilerInfo4::RequestRevert: the methods' next calls run their
 * original IL. The first failure of a method's own status, else hr. */
HRESULT nrp_info_request_revert(const nrp_info *info, ULONG count, ModuleID *modules, mdToken *methods);

/* ICorProfilerInfo7::ApplyMetaData; S_FALSE when the runtime lacks Info7. */
HRESULT nrp_info_apply_metadata(const nrp_info *info, ModuleID module);

/* ICorProfilerFunctionControl::SetILFunctionBody (the runtime copies it). */
HRESULT nrp_function_control_set_il(nrp_com_object *control, ULONG size, const uint8_t *body);

/* The module and MethodDef of a function being compiled. */
HRESULT nrp_info_function_info(const nrp_info *info, FunctionID function, ModuleID *module, mdToken *method);

/* Give a method a new body before its first compilation (the JIT-time way,
 * for code ReJIT cannot reach): copied into memory from the module's
 * IMethodMalloc, as ICorProfilerInfo::SetILFunctionBody requires. */
HRESULT nrp_info_set_il_function_body(const nrp_info *info, ModuleID module, mdToken method, const uint8_t *body,
                                      ULONG size);

void nrp_com_release(nrp_com_object *obj);
/* IUnknown::QueryInterface; *out is NULL on failure. */
HRESULT nrp_com_query(nrp_com_object *obj, const nrp_guid *iid, nrp_com_object **out);

#endif
