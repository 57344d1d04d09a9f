/*
 * com.h - the COM and profiling-API types the host needs, declared from the
 * runtime's public corprof.idl, cor.h and pal_mstypes.h (sizes and values
 * only). On Linux x86_64 a COM call is a plain SysV call with the object as
 * the first argument; an object starts with a pointer to its vtable.
 */
#ifndef NRP_CLR_COM_H
#define NRP_CLR_COM_H

#include <stdint.h>

typedef int32_t HRESULT;
typedef uint32_t ULONG;   /* 32-bit in the PAL, never C long */
typedef uint32_t DWORD;
typedef int32_t BOOL;
typedef uint16_t WCHAR;   /* UTF-16 code unit; Linux wchar_t is 32-bit */
typedef uint32_t mdToken;
typedef uintptr_t ModuleID;
typedef uintptr_t AssemblyID;
typedef uintptr_t AppDomainID;
typedef uintptr_t FunctionID;
typedef uintptr_t ClassID;
typedef uintptr_t ReJITID;
typedef void *HCORENUM;

typedef struct nrp_guid {
    uint32_t data1;
    uint16_t data2;
    uint16_t data3;
    uint8_t data4[8];
} nrp_guid;

#define NRP_S_OK ((HRESULT)0)
#define NRP_S_FALSE ((HRESULT)1)
#define NRP_E_NOINTERFACE ((HRESULT)0x80004002u)
#define NRP_E_POINTER ((HRESULT)0x80004003u)
#define NRP_E_FAIL ((HRESULT)0x80004005u)
#define NRP_E_OUTOFMEMORY ((HRESULT)0x8007000Eu)
#define NRP_CLASS_E_NOAGGREGATION ((HRESULT)0x80040110u)
#define NRP_CLASS_E_CLASSNOTAVAILABLE ((HRESULT)0x80040111u)
/* The clean "do not profile this process" answer from Initialize. */
#define NRP_CORPROF_E_PROFILER_CANCEL_ACTIVATION ((HRESULT)0x80131375u)
#define NRP_FAILED(hr) ((HRESULT)(hr) < 0)

/* COR_PRF_MONITOR flags (low word of SetEventMask2). */
#define NRP_PRF_MONITOR_MODULE_LOADS 0x00000004u /* loads and unloads */
#define NRP_PRF_MONITOR_JIT_COMPILATION 0x00000020u
/* COR_PRF_MODULE_FLAGS (corprof.idl) */
#define NRP_PRF_MODULE_DYNAMIC 0x00000004u     /* Reflection.Emit: no image */
#define NRP_PRF_MODULE_COLLECTIBLE 0x00000008u /* in a collectible AssemblyLoadContext */
#define NRP_PRF_MODULE_RESOURCE 0x00000010u
#define NRP_PRF_MODULE_FLAT_LAYOUT 0x00000020u /* the image as the file has it, not at its RVAs */
#define NRP_PRF_ENABLE_REJIT 0x00040000u
#define NRP_PRF_REJIT_BLOCK_INLINING 0x1u

/* CorOpenFlags */
#define NRP_OF_READ 0x0u
#define NRP_OF_WRITE 0x1u

/* CorTypeAttr visibility: nested types have 2..7. */
#define NRP_TD_VISIBILITY_MASK 0x7u
#define NRP_TD_NESTED_PUBLIC 0x2u
/* CorMethodAttr / CorMethodImpl bits the scanner reads. */
#define NRP_MD_STATIC 0x0010u
#define NRP_MD_ABSTRACT 0x0400u
#define NRP_MD_PINVOKE_IMPL 0x2000u
/* CorGenericParamAttr: the parameter may be a by-ref-like type
 * (C# `allows ref struct`, .NET 9) */
#define NRP_GP_ALLOW_BYREF_LIKE 0x0020u
#define NRP_MI_CODE_TYPE_MASK 0x0003u /* 0 = IL */
#define NRP_MI_INTERNAL_CALL 0x1000u

/* A COM object as seen from C: only its vtable is known. */
typedef struct nrp_com_object {
    void *const *vtbl;
} nrp_com_object;

/* The slot'th function of obj's vtable, cast to type. */
#define NRP_COM_FN(obj, type, slot) ((type)((const nrp_com_object *)(obj))->vtbl[slot])

int nrp_guid_equal(const nrp_guid *a, const nrp_guid *b);

extern const nrp_guid NRP_IID_IUnknown;
extern const nrp_guid NRP_IID_IClassFactory;
extern const nrp_guid NRP_IID_ICorProfilerCallback[11]; /* [0] = Callback, [10] = Callback11 */
extern const nrp_guid NRP_IID_ICorProfilerInfo4;
extern const nrp_guid NRP_IID_ICorProfilerInfo5;
extern const nrp_guid NRP_IID_ICorProfilerInfo7;
extern const nrp_guid NRP_IID_ICorProfilerInfo10;
extern const nrp_guid NRP_IID_IMetaDataImport;
extern const nrp_guid NRP_IID_IMetaDataImport2;
extern const nrp_guid NRP_IID_IMetaDataEmit;
extern const nrp_guid NRP_IID_IMetaDataEmit2;
extern const nrp_guid NRP_IID_IMetaDataAssemblyImport;
extern const nrp_guid NRP_IID_IMetaDataAssemblyEmit;
/* CLSID New Relic agent installs put in CORECLR_PROFILER. */
extern const nrp_guid NRP_CLSID_PROFILER;

#endif
