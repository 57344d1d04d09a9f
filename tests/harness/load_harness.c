/*
 * load_harness.c - the built bundle, driven the way the .NET runtime drives
 * it, with no runtime at all.
 *
 * It dlopens ${NRP_TEST_BUNDLE}/libNewRelicProfiler.so (RTLD_NOW|RTLD_LOCAL),
 * gets the profiler through DllGetClassObject and IClassFactory, and calls
 * Initialize with a fake runtime: C objects whose vtables implement the
 * ICorProfilerInfo, IMetaDataImport2, IMetaDataEmit, IMetaDataAssemblyImport/
 * Emit and ICorProfilerFunctionControl slots the host uses (every other slot
 * records an unexpected call and returns E_NOTIMPL). The fake module holds
 * one type, Harness.Calc, whose Add a temporary rules file selects for the
 * bundle's timing plugin. After ModuleLoadFinished the host's ReJIT worker
 * asks for a ReJIT; GetReJITParameters then produces the new body, compared
 * byte for byte with the timing rewrite (the six embedded addresses checked
 * structurally). Shutdown writes the metrics file, which is checked too.
 *
 * Prints one ok:/FAIL: line per check; exits 1 on any failure. The
 * temporary folder (rules, log, metrics) is removed after a clean run,
 * unless NRP_HARNESS_KEEP is set.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clr/com.h"
#include "clr/metadata.h"
#include "clr/slots.h"

typedef void (*any_fn)(void);

#define E_NOTIMPL ((HRESULT)0x80004001u)
#define E_INVALIDARG ((HRESULT)0x80070057u)
#define CLDB_E_RECORD_NOTFOUND ((HRESULT)0x80131130u)

/* ---- the fake module ---------------------------------------------------- */

#define HARNESS_MODULE ((ModuleID)0x5EED0001u)
#define HARNESS_ASSEMBLY ((AssemblyID)0xA55E0001u)
#define HARNESS_APPDOMAIN ((AppDomainID)0xD0D0u)
#define ASSEMBLY_TOKEN 0x20000001u   /* the module's own Assembly row */
#define RUNTIME_REF 0x23000001u      /* AssemblyRef System.Runtime */
#define CALC 0x02000002u             /* TypeDef Harness.Calc */
#define ADD 0x06000001u
#define SUB 0x06000002u
#define CTOR 0x06000003u
#define OBJECT_REF 0x01000001u       /* TypeRef System.Object */
#define SUPPRESS_REF 0x01000011u     /* TypeRef ...CallConvSuppressGCTransition */
#define EXCEPTION_REF 0x01000012u    /* TypeRef System.Exception */
#define FIRST_SIG 0x11000001u        /* StandAloneSig tokens, one per distinct blob */
#define MEMBER_REF 0x0A000001u       /* what DefineMemberRef hands out */
#define NEW_ASSEMBLY_REF 0x23000009u /* what DefineAssemblyRef hands out */

/* static int32 (int32, int32) */
static const uint8_t binary_int_sig[] = {0x00, 0x02, 0x08, 0x08, 0x08};
/* instance void () */
static const uint8_t ctor_sig[] = {0x20, 0x00, 0x01};
/* Tiny bodies: header (size << 2 | 2), then the code. */
static const uint8_t add_il[] = {0x12, 0x02, 0x03, 0x58, 0x2A}; /* ldarg.0 ldarg.1 add ret */
static const uint8_t sub_il[] = {0x12, 0x02, 0x03, 0x59, 0x2A}; /* ldarg.0 ldarg.1 sub ret */
static const uint8_t ctor_il[] = {0x06, 0x2A};                  /* ret */

typedef struct md_method {
    mdToken token, type;
    const char *name;
    DWORD attributes; /* Public|HideBySig (|Static) */
    const uint8_t *sig;
    ULONG sig_len;
    ULONG rva;
    const uint8_t *il;
    ULONG il_len;
} md_method;

static const md_method methods[] = {
    {ADD, CALC, "Add", 0x0096, binary_int_sig, sizeof binary_int_sig, 0x2050, add_il, sizeof add_il},
    {SUB, CALC, "Sub", 0x0096, binary_int_sig, sizeof binary_int_sig, 0x2058, sub_il, sizeof sub_il},
    {CTOR, CALC, ".ctor", 0x1886, ctor_sig, sizeof ctor_sig, 0x2060, ctor_il, sizeof ctor_il},
};
static const mdToken calc_methods[] = {ADD, SUB, CTOR};

typedef struct md_type {
    mdToken token;
    const char *name;
    DWORD flags;
    mdToken extends;
    const mdToken *methods;
    ULONG method_count;
} md_type;

static const md_type types[] = {
    {CALC, "Harness.Calc", 0x00100001u /* Public|BeforeFieldInit */, OBJECT_REF, calc_methods, 3},
};
static const mdToken type_defs[] = {CALC};

typedef struct md_type_ref {
    mdToken token, scope;
    const char *name;
} md_type_ref;

/* The module's own TypeRef and the two timing defines, at fixed tokens. */
static const md_type_ref type_refs[] = {
    {OBJECT_REF, RUNTIME_REF, "System.Object"},
    {SUPPRESS_REF, RUNTIME_REF, "System.Runtime.CompilerServices.CallConvSuppressGCTransition"},
    {EXCEPTION_REF, RUNTIME_REF, "System.Exception"},
};

typedef struct md_assembly_ref {
    mdToken token;
    const char *name;
    uint16_t version[4];
} md_assembly_ref;

static const md_assembly_ref assembly_refs[] = {{RUNTIME_REF, "System.Runtime", {10, 0, 0, 0}}};
static const mdToken assembly_ref_tokens[] = {RUNTIME_REF};

/* ASSEMBLYMETADATA, laid out once for the host and the harness. */
typedef nrp_assembly_metadata assembly_metadata;

/* ---- what the fakes saw ------------------------------------------------- */

static pthread_mutex_t rec_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    char unexpected[2048];
    int unexpected_count;
    const nrp_guid *info_iid; /* first Info interface handed out */
    int event_mask_calls;
    DWORD event_low, event_high;
    int init_thread_calls;
    int init_thread_on_main;
    int rejit_with_inliners_calls, rejit_plain_calls;
    DWORD rejit_flags;
    ULONG rejit_count;
    ModuleID rejit_module;
    mdToken rejit_method;
    int rejit_before_init_thread;
    int apply_calls;
    ModuleID apply_module;
    int write_opens;
    char emit_log[1024];
    int set_il_calls;
    uint8_t *new_il;
    ULONG new_il_len;
    int open_enums;
} R;
static pthread_t main_thread;

static struct {
    uint8_t blob[64];
    ULONG len;
} sigs[16];
static ULONG sig_count;

static HRESULT unexpected(const char *what)
{
    pthread_mutex_lock(&rec_lock);
    R.unexpected_count++;
    size_t used = strlen(R.unexpected);
    snprintf(R.unexpected + used, sizeof R.unexpected - used, "%s%s", used ? ", " : "", what);
    pthread_mutex_unlock(&rec_lock);
    return E_NOTIMPL;
}

static void note_emit(const char *fmt, ...)
{
    va_list ap;
    pthread_mutex_lock(&rec_lock);
    size_t used = strlen(R.emit_log);
    va_start(ap, fmt);
    vsnprintf(R.emit_log + used, sizeof R.emit_log - used, fmt, ap);
    va_end(ap);
    pthread_mutex_unlock(&rec_lock);
}

/* ---- strings ------------------------------------------------------------- */

/* The runtime's convention: *len counts the NUL; the copy is cut to fit. */
static HRESULT put_name(const char *s, WCHAR *buf, ULONG cap, ULONG *len)
{
    ULONG n = (ULONG)strlen(s);
    if (len)
        *len = n + 1;
    if (buf && cap) {
        ULONG k = n < cap - 1 ? n : cap - 1;
        for (ULONG i = 0; i < k; i++)
            buf[i] = (WCHAR)(unsigned char)s[i];
        buf[k] = 0;
    }
    return NRP_S_OK;
}

static void from_wide(const WCHAR *w, char *out, size_t cap)
{
    size_t i = 0;
    for (; w && w[i] && i + 1 < cap; i++)
        out[i] = (char)(w[i] < 0x80 ? w[i] : '?');
    out[i] = '\0';
}

/* ---- the objects ---------------------------------------------------------- */

typedef struct fake_obj {
    any_fn *vtbl;
    const char *name;
    int refs; /* AddRef/QueryInterface minus Release, for the leak check */
} fake_obj;

/* Every slot of every list gets a stub that names itself; the ones the host
 * uses are then replaced by real implementations. */
#define INFO_STUB(m, i) static HRESULT stub_info_##m(void *s) { (void)s; return unexpected(#i "::" #m); }
#define MDI_STUB(m, i) static HRESULT stub_mdi_##m(void *s) { (void)s; return unexpected(#i "::" #m); }
#define MDE_STUB(m, i) static HRESULT stub_mde_##m(void *s) { (void)s; return unexpected(#i "::" #m); }
#define MDASM_STUB(m, i) static HRESULT stub_mdasm_##m(void *s) { (void)s; return unexpected(#i "::" #m); }
#define MDAE_STUB(m, i) static HRESULT stub_mdae_##m(void *s) { (void)s; return unexpected(#i "::" #m); }
#define FC_STUB(m, i) static HRESULT stub_fc_##m(void *s) { (void)s; return unexpected(#i "::" #m); }
NRP_INFO_SLOTS(INFO_STUB)
NRP_MDIMPORT_SLOTS(MDI_STUB)
NRP_MDEMIT_SLOTS(MDE_STUB)
NRP_MDASM_SLOTS(MDASM_STUB)
NRP_MDAE_SLOTS(MDAE_STUB)
NRP_FUNCTION_CONTROL_SLOTS(FC_STUB)

#define INFO_REF(m, i) (any_fn)stub_info_##m,
#define MDI_REF(m, i) (any_fn)stub_mdi_##m,
#define MDE_REF(m, i) (any_fn)stub_mde_##m,
#define MDASM_REF(m, i) (any_fn)stub_mdasm_##m,
#define MDAE_REF(m, i) (any_fn)stub_mdae_##m,
#define FC_REF(m, i) (any_fn)stub_fc_##m,
static any_fn info_vtbl[NRP_INFO_SLOT_COUNT] = {NRP_INFO_SLOTS(INFO_REF)};
static any_fn mdi_vtbl[NRP_MDI_SLOT_COUNT] = {NRP_MDIMPORT_SLOTS(MDI_REF)};
static any_fn mde_vtbl[NRP_MDE_SLOT_COUNT] = {NRP_MDEMIT_SLOTS(MDE_REF)};
static any_fn mdasm_vtbl[NRP_MDASM_SLOT_COUNT] = {NRP_MDASM_SLOTS(MDASM_REF)};
static any_fn mdae_vtbl[NRP_MDAE_SLOT_COUNT] = {NRP_MDAE_SLOTS(MDAE_REF)};
static any_fn fc_vtbl[NRP_FC_SLOT_COUNT] = {NRP_FUNCTION_CONTROL_SLOTS(FC_REF)};
static any_fn runtime_vtbl[NRP_UNK_SLOT_COUNT];

static fake_obj runtime_obj = {runtime_vtbl, "runtime", 0};
static fake_obj info_obj = {info_vtbl, "ICorProfilerInfo", 0};
static fake_obj mdi_obj = {mdi_vtbl, "IMetaDataImport2", 0};
static fake_obj mde_obj = {mde_vtbl, "IMetaDataEmit", 0};
static fake_obj mdasm_obj = {mdasm_vtbl, "IMetaDataAssemblyImport", 0};
static fake_obj mdae_obj = {mdae_vtbl, "IMetaDataAssemblyEmit", 0};
static fake_obj fc_obj = {fc_vtbl, "ICorProfilerFunctionControl", 0};

/* The interfaces each object answers, besides IUnknown. The four metadata
 * views are one scope, as in the runtime: any of them hands out the rest. */
typedef struct iface_entry {
    const nrp_guid *iid;
    fake_obj *obj;
} iface_entry;

static const iface_entry metadata_ifaces[] = {
    {&NRP_IID_IMetaDataImport, &mdi_obj},        {&NRP_IID_IMetaDataImport2, &mdi_obj},
    {&NRP_IID_IMetaDataEmit, &mde_obj},          {&NRP_IID_IMetaDataAssemblyImport, &mdasm_obj},
    {&NRP_IID_IMetaDataAssemblyEmit, &mdae_obj},
};
static const iface_entry info_ifaces[] = {
    {&NRP_IID_ICorProfilerInfo10, &info_obj}, {&NRP_IID_ICorProfilerInfo7, &info_obj},
    {&NRP_IID_ICorProfilerInfo5, &info_obj},  {&NRP_IID_ICorProfilerInfo4, &info_obj},
};

static fake_obj *find_iface(const iface_entry *t, size_t n, const nrp_guid *iid)
{
    for (size_t i = 0; i < n; i++)
        if (nrp_guid_equal(t[i].iid, iid))
            return t[i].obj;
    return NULL;
}

static HRESULT hand_out(fake_obj *obj, void **out)
{
    if (!obj) {
        *out = NULL;
        return NRP_E_NOINTERFACE;
    }
    __atomic_add_fetch(&obj->refs, 1, __ATOMIC_RELAXED);
    *out = obj;
    return NRP_S_OK;
}

static ULONG obj_add_ref(fake_obj *self)
{
    return (ULONG)__atomic_add_fetch(&self->refs, 1, __ATOMIC_RELAXED);
}

static ULONG obj_release(fake_obj *self)
{
    return (ULONG)__atomic_sub_fetch(&self->refs, 1, __ATOMIC_RELAXED);
}

static HRESULT metadata_qi(fake_obj *self, const nrp_guid *iid, void **out)
{
    if (nrp_guid_equal(iid, &NRP_IID_IUnknown))
        return hand_out(self, out);
    return hand_out(find_iface(metadata_ifaces, sizeof metadata_ifaces / sizeof *metadata_ifaces, iid), out);
}

static HRESULT info_qi(fake_obj *self, const nrp_guid *iid, void **out)
{
    (void)self;
    const nrp_guid *answered = nrp_guid_equal(iid, &NRP_IID_IUnknown) ? &NRP_IID_IUnknown : NULL;
    for (size_t i = 0; !answered && i < sizeof info_ifaces / sizeof *info_ifaces; i++)
        if (nrp_guid_equal(info_ifaces[i].iid, iid))
            answered = info_ifaces[i].iid;
    if (answered) {
        pthread_mutex_lock(&rec_lock);
        if (!R.info_iid)
            R.info_iid = answered;
        pthread_mutex_unlock(&rec_lock);
    }
    return hand_out(answered ? &info_obj : NULL, out);
}

static HRESULT plain_qi(fake_obj *self, const nrp_guid *iid, void **out)
{
    return hand_out(nrp_guid_equal(iid, &NRP_IID_IUnknown) ? self : NULL, out);
}

/* ---- enumerations ------------------------------------------------------- */

typedef struct fake_enum {
    const mdToken *items;
    ULONG count, pos;
} fake_enum;

static HRESULT enum_next(HCORENUM *e, const mdToken *items, ULONG count, mdToken *out, ULONG max, ULONG *n)
{
    fake_enum *f = *e;
    if (!f) {
        f = calloc(1, sizeof *f);
        if (!f)
            return NRP_E_OUTOFMEMORY;
        f->items = items;
        f->count = count;
        *e = f;
        __atomic_add_fetch(&R.open_enums, 1, __ATOMIC_RELAXED);
    }
    ULONG k = 0;
    while (k < max && f->pos < f->count)
        out[k++] = f->items[f->pos++];
    if (n)
        *n = k;
    return k ? NRP_S_OK : NRP_S_FALSE;
}

static void close_enum(fake_obj *self, HCORENUM e)
{
    (void)self;
    if (e) {
        free(e);
        __atomic_sub_fetch(&R.open_enums, 1, __ATOMIC_RELAXED);
    }
}

/* ---- lookups -------------------------------------------------------------- */

#define COUNT(a) (sizeof(a) / sizeof *(a))

static const md_method *method_of(mdToken t)
{
    for (size_t i = 0; i < COUNT(methods); i++)
        if (methods[i].token == t)
            return &methods[i];
    return NULL;
}

static const md_type *type_of(mdToken t)
{
    for (size_t i = 0; i < COUNT(types); i++)
        if (types[i].token == t)
            return &types[i];
    return NULL;
}

static const md_type_ref *type_ref_of(mdToken t)
{
    for (size_t i = 0; i < COUNT(type_refs); i++)
        if (type_refs[i].token == t)
            return &type_refs[i];
    return NULL;
}

static const md_assembly_ref *assembly_ref_of(mdToken t)
{
    for (size_t i = 0; i < COUNT(assembly_refs); i++)
        if (assembly_refs[i].token == t)
            return &assembly_refs[i];
    return NULL;
}

/* ---- ICorProfilerInfo ----------------------------------------------------- */

static HRESULT info_set_event_mask(fake_obj *self, DWORD mask)
{
    (void)self;
    pthread_mutex_lock(&rec_lock);
    R.event_mask_calls++;
    R.event_low = mask;
    R.event_high = 0;
    pthread_mutex_unlock(&rec_lock);
    return NRP_S_OK;
}

static HRESULT info_set_event_mask2(fake_obj *self, DWORD low, DWORD high)
{
    (void)self;
    pthread_mutex_lock(&rec_lock);
    R.event_mask_calls++;
    R.event_low = low;
    R.event_high = high;
    pthread_mutex_unlock(&rec_lock);
    return NRP_S_OK;
}

static const uint8_t image[64]; /* stands for the module's mapped image */

static HRESULT info_get_module_info(fake_obj *self, ModuleID module, const uint8_t **base, ULONG cap, ULONG *len,
                                    WCHAR *name, AssemblyID *assembly)
{
    (void)self;
    if (module != HARNESS_MODULE)
        return E_INVALIDARG;
    if (base)
        *base = image;
    if (assembly)
        *assembly = HARNESS_ASSEMBLY;
    return put_name("/harness/Harness.dll", name, cap, len);
}

/* A module loaded from disk (COR_PRF_MODULE_DISK), not collectible. */
static HRESULT info_get_module_info2(fake_obj *self, ModuleID module, const uint8_t **base, ULONG cap, ULONG *len,
                                     WCHAR *name, AssemblyID *assembly, DWORD *flags)
{
    if (flags)
        *flags = 0x1;
    return info_get_module_info(self, module, base, cap, len, name, assembly);
}

static HRESULT info_get_assembly_info(fake_obj *self, AssemblyID assembly, ULONG cap, ULONG *len, WCHAR *name,
                                      AppDomainID *domain, ModuleID *module)
{
    (void)self;
    if (assembly != HARNESS_ASSEMBLY)
        return E_INVALIDARG;
    if (domain)
        *domain = HARNESS_APPDOMAIN;
    if (module)
        *module = HARNESS_MODULE;
    return put_name("Harness", name, cap, len);
}

static HRESULT info_get_module_metadata(fake_obj *self, ModuleID module, DWORD flags, const nrp_guid *iid,
                                        void **out)
{
    (void)self;
    if (module != HARNESS_MODULE) {
        *out = NULL;
        return E_INVALIDARG;
    }
    if (flags & NRP_OF_WRITE)
        __atomic_add_fetch(&R.write_opens, 1, __ATOMIC_RELAXED);
    return hand_out(find_iface(metadata_ifaces, COUNT(metadata_ifaces), iid), out);
}

static HRESULT info_get_il_function_body(fake_obj *self, ModuleID module, mdToken method, const uint8_t **body,
                                         ULONG *size)
{
    (void)self;
    const md_method *m = method_of(method);
    if (module != HARNESS_MODULE || !m)
        return E_INVALIDARG;
    *body = m->il;
    *size = m->il_len;
    return NRP_S_OK;
}

static HRESULT info_initialize_current_thread(fake_obj *self)
{
    (void)self;
    pthread_mutex_lock(&rec_lock);
    R.init_thread_calls++;
    R.init_thread_on_main = pthread_equal(pthread_self(), main_thread);
    pthread_mutex_unlock(&rec_lock);
    return NRP_S_OK;
}

static void note_rejit(int with_inliners, DWORD flags, ULONG count, const ModuleID *modules, const mdToken *methods_)
{
    pthread_mutex_lock(&rec_lock);
    if (with_inliners)
        R.rejit_with_inliners_calls++;
    else
        R.rejit_plain_calls++;
    R.rejit_flags = flags;
    R.rejit_count = count;
    R.rejit_module = count ? modules[0] : 0;
    R.rejit_method = count ? methods_[0] : 0;
    R.rejit_before_init_thread = R.init_thread_calls == 0;
    pthread_mutex_unlock(&rec_lock);
}

static HRESULT info_request_rejit(fake_obj *self, ULONG count, ModuleID *modules, mdToken *methods_)
{
    (void)self;
    note_rejit(0, 0, count, modules, methods_);
    return NRP_S_OK;
}

static HRESULT info_request_rejit_with_inliners(fake_obj *self, DWORD flags, ULONG count, ModuleID *modules,
                                                mdToken *methods_)
{
    (void)self;
    note_rejit(1, flags, count, modules, methods_);
    return NRP_S_OK;
}

static HRESULT info_apply_metadata(fake_obj *self, ModuleID module)
{
    (void)self;
    pthread_mutex_lock(&rec_lock);
    R.apply_calls++;
    R.apply_module = module;
    pthread_mutex_unlock(&rec_lock);
    return NRP_S_OK;
}

/* ---- IMetaDataImport2 ------------------------------------------------------ */

static HRESULT mdi_enum_type_defs(fake_obj *self, HCORENUM *e, mdToken *out, ULONG max, ULONG *n)
{
    (void)self;
    return enum_next(e, type_defs, COUNT(type_defs), out, max, n);
}

static HRESULT mdi_enum_methods(fake_obj *self, HCORENUM *e, mdToken type, mdToken *out, ULONG max, ULONG *n)
{
    (void)self;
    const md_type *t = type_of(type);
    return enum_next(e, t ? t->methods : NULL, t ? t->method_count : 0, out, max, n);
}

static HRESULT mdi_empty_enum(fake_obj *self, HCORENUM *e, mdToken owner, mdToken *out, ULONG max, ULONG *n)
{
    (void)self;
    (void)owner;
    return enum_next(e, NULL, 0, out, max, n);
}

static HRESULT mdi_enum_custom_attributes(fake_obj *self, HCORENUM *e, mdToken owner, mdToken type, mdToken *out,
                                          ULONG max, ULONG *n)
{
    (void)self;
    (void)owner;
    (void)type;
    return enum_next(e, NULL, 0, out, max, n); /* no custom attributes in this module */
}

static HRESULT mdi_get_type_def_props(fake_obj *self, mdToken td, WCHAR *name, ULONG cap, ULONG *len, DWORD *flags,
                                      mdToken *extends)
{
    (void)self;
    const md_type *t = type_of(td);
    if (!t)
        return CLDB_E_RECORD_NOTFOUND;
    if (flags)
        *flags = t->flags;
    if (extends)
        *extends = t->extends;
    return put_name(t->name, name, cap, len);
}

static HRESULT mdi_get_type_ref_props(fake_obj *self, mdToken tr, mdToken *scope, WCHAR *name, ULONG cap, ULONG *len)
{
    (void)self;
    const md_type_ref *r = type_ref_of(tr);
    if (!r)
        return CLDB_E_RECORD_NOTFOUND;
    if (scope)
        *scope = r->scope;
    return put_name(r->name, name, cap, len);
}

static HRESULT mdi_get_nested_class_props(fake_obj *self, mdToken td, mdToken *outer)
{
    (void)self;
    (void)td;
    *outer = 0;
    return CLDB_E_RECORD_NOTFOUND; /* no nested types here */
}

static HRESULT mdi_find_type_def_by_name(fake_obj *self, const WCHAR *wname, mdToken enclosing, mdToken *out)
{
    (void)self;
    char name[512];
    from_wide(wname, name, sizeof name);
    for (size_t i = 0; i < COUNT(types); i++)
        if (!enclosing && strcmp(types[i].name, name) == 0) {
            *out = types[i].token;
            return NRP_S_OK;
        }
    *out = 0;
    return CLDB_E_RECORD_NOTFOUND;
}

static HRESULT mdi_get_method_props(fake_obj *self, mdToken md, mdToken *type, WCHAR *name, ULONG cap, ULONG *len,
                                    DWORD *attributes, const uint8_t **sig, ULONG *sig_len, ULONG *rva, DWORD *impl)
{
    (void)self;
    const md_method *m = method_of(md);
    if (!m)
        return CLDB_E_RECORD_NOTFOUND;
    if (type)
        *type = m->type;
    if (attributes)
        *attributes = m->attributes;
    if (sig)
        *sig = m->sig;
    if (sig_len)
        *sig_len = m->sig_len;
    if (rva)
        *rva = m->rva;
    if (impl)
        *impl = 0; /* IL, managed */
    return put_name(m->name, name, cap, len);
}

static HRESULT mdi_get_name_from_token(fake_obj *self, mdToken token, const char **name)
{
    (void)self;
    const md_method *m = method_of(token);
    if (!m)
        return unexpected("GetNameFromToken of anything but a method");
    *name = m->name;
    return NRP_S_OK;
}

static HRESULT mdi_get_sig_from_token(fake_obj *self, mdToken token, const uint8_t **sig, ULONG *len)
{
    (void)self;
    ULONG i = token - FIRST_SIG;
    if ((token & 0xFF000000u) != 0x11000000u || i >= sig_count)
        return CLDB_E_RECORD_NOTFOUND;
    *sig = sigs[i].blob;
    *len = sigs[i].len;
    return NRP_S_OK;
}

static HRESULT mdi_get_custom_attribute_by_name(fake_obj *self, mdToken owner, const WCHAR *name, const void **data,
                                                ULONG *len)
{
    (void)self;
    (void)owner;
    (void)name;
    if (data)
        *data = NULL;
    if (len)
        *len = 0;
    return NRP_S_FALSE; /* no custom attributes in this module */
}

/* ---- IMetaDataEmit --------------------------------------------------------- */

static HRESULT mde_get_token_from_sig(fake_obj *self, const uint8_t *sig, ULONG len, mdToken *out)
{
    (void)self;
    pthread_mutex_lock(&rec_lock);
    ULONG i = 0;
    while (i < sig_count && !(sigs[i].len == len && memcmp(sigs[i].blob, sig, len) == 0))
        i++;
    HRESULT hr = NRP_S_OK;
    if (i == sig_count) {
        if (sig_count == COUNT(sigs) || len > sizeof sigs[0].blob)
            hr = NRP_E_OUTOFMEMORY;
        else {
            memcpy(sigs[i].blob, sig, len);
            sigs[i].len = len;
            sig_count++;
        }
    }
    pthread_mutex_unlock(&rec_lock);
    if (hr == NRP_S_OK)
        *out = FIRST_SIG + i;
    return hr;
}

static HRESULT mde_define_type_ref_by_name(fake_obj *self, mdToken scope, const WCHAR *wname, mdToken *out)
{
    (void)self;
    char name[512];
    from_wide(wname, name, sizeof name);
    note_emit("typeref [%08x]%s;", scope, name);
    for (size_t i = 0; i < COUNT(type_refs); i++)
        if (type_refs[i].scope == scope && strcmp(type_refs[i].name, name) == 0) {
            *out = type_refs[i].token;
            return NRP_S_OK;
        }
    return unexpected("DefineTypeRefByName of a type the harness does not know");
}

static HRESULT mde_define_member_ref(fake_obj *self, mdToken parent, const WCHAR *wname, const uint8_t *sig, ULONG len,
                                     mdToken *out)
{
    (void)self;
    (void)sig;
    char name[512];
    from_wide(wname, name, sizeof name);
    note_emit("memberref %08x::%s/%u;", parent, name, len);
    *out = MEMBER_REF;
    return NRP_S_OK;
}

/* ---- IMetaDataAssemblyImport / Emit ----------------------------------------- */

static HRESULT mdasm_get_assembly_from_scope(fake_obj *self, mdToken *out)
{
    (void)self;
    *out = ASSEMBLY_TOKEN;
    return NRP_S_OK;
}

static HRESULT mdasm_get_assembly_props(fake_obj *self, mdToken assembly, const void **key, ULONG *key_len,
                                        ULONG *hash_alg, WCHAR *name, ULONG cap, ULONG *len, assembly_metadata *md,
                                        DWORD *flags)
{
    (void)self;
    if (assembly != ASSEMBLY_TOKEN)
        return CLDB_E_RECORD_NOTFOUND;
    if (key)
        *key = NULL;
    if (key_len)
        *key_len = 0;
    if (hash_alg)
        *hash_alg = 0x8004; /* SHA1 */
    if (flags)
        *flags = 0;
    if (md) {
        md->major = 1, md->minor = 2, md->build = 3, md->revision = 4;
        md->locale_len = 0;
        md->processor_count = 0;
        md->os_count = 0;
    }
    return put_name("Harness", name, cap, len);
}

static HRESULT mdasm_get_assembly_ref_props(fake_obj *self, mdToken ref, const void **key, ULONG *key_len, WCHAR *name,
                                            ULONG cap, ULONG *len, assembly_metadata *md, const void **hash,
                                            ULONG *hash_len, DWORD *flags)
{
    (void)self;
    const md_assembly_ref *r = assembly_ref_of(ref);
    if (!r)
        return CLDB_E_RECORD_NOTFOUND;
    if (key)
        *key = NULL;
    if (key_len)
        *key_len = 0;
    if (hash)
        *hash = NULL;
    if (hash_len)
        *hash_len = 0;
    if (flags)
        *flags = 0;
    if (md) {
        md->major = r->version[0], md->minor = r->version[1], md->build = r->version[2], md->revision = r->version[3];
        md->locale_len = 0;
        md->processor_count = 0;
        md->os_count = 0;
    }
    return put_name(r->name, name, cap, len);
}

static HRESULT mdasm_enum_assembly_refs(fake_obj *self, HCORENUM *e, mdToken *out, ULONG max, ULONG *n)
{
    (void)self;
    return enum_next(e, assembly_ref_tokens, COUNT(assembly_ref_tokens), out, max, n);
}

static HRESULT mdae_define_assembly_ref(fake_obj *self, const void *key, ULONG key_len, const WCHAR *wname,
                                        const assembly_metadata *md, const void *hash, ULONG hash_len, DWORD flags,
                                        mdToken *out)
{
    (void)self, (void)key, (void)key_len, (void)md, (void)hash, (void)hash_len, (void)flags;
    char name[512];
    from_wide(wname, name, sizeof name);
    note_emit("asmref %s;", name);
    *out = NEW_ASSEMBLY_REF;
    return NRP_S_OK;
}

/* ---- ICorProfilerFunctionControl --------------------------------------------- */

static HRESULT fc_set_il_function_body(fake_obj *self, ULONG size, const uint8_t *body)
{
    (void)self;
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        return NRP_E_OUTOFMEMORY;
    memcpy(copy, body, size);
    pthread_mutex_lock(&rec_lock);
    R.set_il_calls++;
    free(R.new_il);
    R.new_il = copy;
    R.new_il_len = size;
    pthread_mutex_unlock(&rec_lock);
    return NRP_S_OK;
}

/* ---- vtables ----------------------------------------------------------------- */

#define SET(vtbl, slot, fn) (vtbl)[slot] = (any_fn)(fn)

static void set_unknown(any_fn *vtbl, HRESULT (*qi)(fake_obj *, const nrp_guid *, void **))
{
    SET(vtbl, NRP_UNK_QueryInterface, qi);
    SET(vtbl, NRP_UNK_AddRef, obj_add_ref);
    SET(vtbl, NRP_UNK_Release, obj_release);
}

static void build_vtables(void)
{
    set_unknown(runtime_vtbl, info_qi);
    set_unknown(info_vtbl, info_qi);
    SET(info_vtbl, NRP_INFO_SetEventMask, info_set_event_mask);
    SET(info_vtbl, NRP_INFO_SetEventMask2, info_set_event_mask2);
    SET(info_vtbl, NRP_INFO_GetModuleInfo, info_get_module_info);
    SET(info_vtbl, NRP_INFO_GetModuleInfo2, info_get_module_info2);
    SET(info_vtbl, NRP_INFO_GetAssemblyInfo, info_get_assembly_info);
    SET(info_vtbl, NRP_INFO_GetModuleMetaData, info_get_module_metadata);
    SET(info_vtbl, NRP_INFO_GetILFunctionBody, info_get_il_function_body);
    SET(info_vtbl, NRP_INFO_InitializeCurrentThread, info_initialize_current_thread);
    SET(info_vtbl, NRP_INFO_RequestReJIT, info_request_rejit);
    SET(info_vtbl, NRP_INFO_RequestReJITWithInliners, info_request_rejit_with_inliners);
    SET(info_vtbl, NRP_INFO_ApplyMetaData, info_apply_metadata);

    set_unknown(mdi_vtbl, metadata_qi);
    SET(mdi_vtbl, NRP_MDI_CloseEnum, close_enum);
    SET(mdi_vtbl, NRP_MDI_EnumTypeDefs, mdi_enum_type_defs);
    SET(mdi_vtbl, NRP_MDI_EnumMethods, mdi_enum_methods);
    SET(mdi_vtbl, NRP_MDI_EnumInterfaceImpls, mdi_empty_enum);
    SET(mdi_vtbl, NRP_MDI_EnumGenericParams, mdi_empty_enum);
    SET(mdi_vtbl, NRP_MDI_GetTypeDefProps, mdi_get_type_def_props);
    SET(mdi_vtbl, NRP_MDI_GetTypeRefProps, mdi_get_type_ref_props);
    SET(mdi_vtbl, NRP_MDI_GetNestedClassProps, mdi_get_nested_class_props);
    SET(mdi_vtbl, NRP_MDI_FindTypeDefByName, mdi_find_type_def_by_name);
    SET(mdi_vtbl, NRP_MDI_GetMethodProps, mdi_get_method_props);
    SET(mdi_vtbl, NRP_MDI_GetNameFromToken, mdi_get_name_from_token);
    SET(mdi_vtbl, NRP_MDI_GetSigFromToken, mdi_get_sig_from_token);
    SET(mdi_vtbl, NRP_MDI_GetCustomAttributeByName, mdi_get_custom_attribute_by_name);
    SET(mdi_vtbl, NRP_MDI_EnumCustomAttributes, mdi_enum_custom_attributes);

    set_unknown(mde_vtbl, metadata_qi);
    SET(mde_vtbl, NRP_MDE_GetTokenFromSig, mde_get_token_from_sig);
    SET(mde_vtbl, NRP_MDE_DefineTypeRefByName, mde_define_type_ref_by_name);
    SET(mde_vtbl, NRP_MDE_DefineMemberRef, mde_define_member_ref);

    set_unknown(mdasm_vtbl, metadata_qi);
    SET(mdasm_vtbl, NRP_MDASM_CloseEnum, close_enum);
    SET(mdasm_vtbl, NRP_MDASM_GetAssemblyFromScope, mdasm_get_assembly_from_scope);
    SET(mdasm_vtbl, NRP_MDASM_GetAssemblyProps, mdasm_get_assembly_props);
    SET(mdasm_vtbl, NRP_MDASM_GetAssemblyRefProps, mdasm_get_assembly_ref_props);
    SET(mdasm_vtbl, NRP_MDASM_EnumAssemblyRefs, mdasm_enum_assembly_refs);

    set_unknown(mdae_vtbl, metadata_qi);
    SET(mdae_vtbl, NRP_MDAE_DefineAssemblyRef, mdae_define_assembly_ref);

    set_unknown(fc_vtbl, plain_qi);
    SET(fc_vtbl, NRP_FC_SetILFunctionBody, fc_set_il_function_body);
}

/* ---- checks -------------------------------------------------------------------- */

static int failures;

static int check(int cond, const char *fmt, ...)
{
    va_list ap;
    printf("%s", cond ? "ok: " : "FAIL: ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
    if (!cond)
        failures++;
    return cond;
}

static void hex_dump(const char *label, const uint8_t *p, size_t n)
{
    printf("  %s (%zu bytes):", label, n);
    for (size_t i = 0; i < n; i++)
        printf("%s%02x", i % 16 ? " " : "\n    ", p[i]);
    printf("\n");
}

/* ---- the expected timing rewrite of Add ------------------------------------------ */

/*
 * Derived from the engine's layout rules (host/il/il_edit.c nrp_il_edit_wrap,
 * host/il/il_encode.c nrp_il_layout, host/il/il_body.c nrp_il_encode):
 * the entry probes (count the call, read the clock), then the original code
 * as the protected block (its ret turned into stloc <value>; leave
 * <epilogue>), the filter that notes the exception and declines it, its
 * handler (never entered), the fault block that counts the exception and
 * records the duration, and the epilogue, which records the duration of a
 * normal return (exit_il: it is handed a copy of the value, which it pops)
 * and returns. Locals: 0 = start (int64, timing's il_add_local), 1 = the
 * exception (object) and 2 = the return value (int32), both added by the
 * wrap. Branches start short; leave.s and brfalse.s reach. The declared
 * max stack of a tiny body (8) is kept as a floor over the computed 3. Two
 * small EH clauses, inner first: filter, fault. Eight-byte holes (X) are
 * the run-time addresses.
 */
#define X 0, 0, 0, 0, 0, 0, 0, 0
#define HDR 12
static const uint8_t expected_body[] = {
    /* fat header: flags FatFormat|MoreSects, 3 dwords (0x300B) */ 0x0B, 0x30,
    /* max stack 8 */ 0x08, 0x00,
    /* code size 155 */ 0x9B, 0x00, 0x00, 0x00,
    /* local signature token 0x11000004 (07 03 0A 1C 08) */ 0x04, 0x00, 0x00, 0x11,
    /* IL_0000 ldc.i8 <calls counter>          */ 0x21, X,
    /* IL_0009 conv.i                          */ 0xD3,
    /* IL_000a ldc.i8 <counter_increment>      */ 0x21, X,
    /* IL_0013 conv.i                          */ 0xD3,
    /* IL_0014 calli 0x11000001 (count)        */ 0x29, 0x01, 0x00, 0x00, 0x11,
    /* IL_0019 ldc.i8 <clock_ticks>            */ 0x21, X,
    /* IL_0022 conv.i                          */ 0xD3,
    /* IL_0023 calli 0x11000002 (clock)        */ 0x29, 0x02, 0x00, 0x00, 0x11,
    /* IL_0028 stloc 0 (start)                 */ 0xFE, 0x0E, 0x00, 0x00,
    /* IL_002c ldarg.0   .try x2 {             */ 0x02,
    /* IL_002d ldarg.1                         */ 0x03,
    /* IL_002e add                             */ 0x58,
    /* IL_002f stloc.2   (was ret)             */ 0x0C,
    /* IL_0030 leave.s IL_007a                 */ 0xDE, 0x48,
    /* IL_0032 isinst Exception } filter {     */ 0x75, 0x12, 0x00, 0x00, 0x01,
    /* IL_0037 stloc.1                         */ 0x0B,
    /* IL_0038 ldc.i4.0  (decline)             */ 0x16,
    /* IL_0039 endfilter } {                   */ 0xFE, 0x11,
    /* IL_003b pop       (never entered)       */ 0x26,
    /* IL_003c rethrow } } fault {             */ 0xFE, 0x1A,
    /* IL_003e ldloc.1                         */ 0x07,
    /* IL_003f brfalse.s IL_0079               */ 0x2C, 0x38,
    /* IL_0041 ldloc.1                         */ 0x07,
    /* IL_0042 ldc.i8 <exceptions counter>     */ 0x21, X,
    /* IL_004b conv.i                          */ 0xD3,
    /* IL_004c ldc.i8 <counter_increment>      */ 0x21, X,
    /* IL_0055 conv.i                          */ 0xD3,
    /* IL_0056 calli 0x11000001 (count)        */ 0x29, 0x01, 0x00, 0x00, 0x11,
    /* IL_005b ldc.i8 <duration histogram>     */ 0x21, X,
    /* IL_0064 conv.i                          */ 0xD3,
    /* IL_0065 ldloc 0                         */ 0xFE, 0x0C, 0x00, 0x00,
    /* IL_0069 ldc.i8 <histogram_record_since> */ 0x21, X,
    /* IL_0072 conv.i                          */ 0xD3,
    /* IL_0073 calli 0x11000003 (record)       */ 0x29, 0x03, 0x00, 0x00, 0x11,
    /* IL_0078 pop                             */ 0x26,
    /* IL_0079 endfinally (end of fault) }     */ 0xDC,
    /* IL_007a ldloc.2   (epilogue: a copy)    */ 0x08,
    /* IL_007b pop                             */ 0x26,
    /* IL_007c ldc.i8 <duration histogram>     */ 0x21, X,
    /* IL_0085 conv.i                          */ 0xD3,
    /* IL_0086 ldloc 0                         */ 0xFE, 0x0C, 0x00, 0x00,
    /* IL_008a ldc.i8 <histogram_record_since> */ 0x21, X,
    /* IL_0093 conv.i                          */ 0xD3,
    /* IL_0094 calli 0x11000003 (record)       */ 0x29, 0x03, 0x00, 0x00, 0x11,
    /* IL_0099 ldloc.2                         */ 0x08,
    /* IL_009a ret                             */ 0x2A,
    /* pad to 4 */ 0x00,
    /* EH section: EHTable, small, 28 bytes */ 0x01, 0x1C, 0x00, 0x00,
    /* filter: flags 1, try 0x2c+6, handler 0x3b+3, filter at 0x32 */
    0x01, 0x00, 0x2C, 0x00, 0x06, 0x3B, 0x00, 0x03, 0x32, 0x00, 0x00, 0x00,
    /* fault: flags 4, try 0x2c+18, handler 0x3e+60, no token */
    0x04, 0x00, 0x2C, 0x00, 0x12, 0x3E, 0x00, 0x3C, 0x00, 0x00, 0x00, 0x00,
};
#undef X

/* DATA: a series of the metrics registry (heap); CODE: one of the host's
 * recording functions, which timing's injected code calls directly. Holes
 * of the same `what` hold the same address. */
enum hole_kind { DATA, CODE };
static const struct hole {
    size_t at; /* offset in the body of the 8 address bytes */
    enum hole_kind kind;
    const char *what;
} holes[] = {
    {HDR + 0x01, DATA, "calls counter"},      {HDR + 0x0B, CODE, "counter_increment"},
    {HDR + 0x1A, CODE, "clock_ticks"},        {HDR + 0x43, DATA, "exceptions counter"},
    {HDR + 0x4D, CODE, "counter_increment"},  {HDR + 0x5C, DATA, "duration histogram"},
    {HDR + 0x6A, CODE, "histogram_record_since"}, {HDR + 0x7D, DATA, "duration histogram"},
    {HDR + 0x8B, CODE, "histogram_record_since"},
};

/* The probes' calli signatures: unmanaged (0x09), param count, modopt
 * (0x20) CallConvSuppressGCTransition (TypeRef 0x11 -> 0x45), return, params. */
static const struct {
    uint8_t blob[8];
    ULONG len;
    const char *what;
} expected_sigs[] = {
    {{0x09, 0x01, 0x20, 0x45, 0x01, 0x18}, 6, "count: void(native int)"},
    {{0x09, 0x00, 0x20, 0x45, 0x0A}, 5, "clock: int64()"},
    {{0x09, 0x02, 0x20, 0x45, 0x01, 0x18, 0x0A}, 7, "record: void(native int, int64)"},
    {{0x07, 0x03, 0x0A, 0x1C, 0x08}, 5, "locals: int64, object, int32"},
};

static uint64_t read_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static int in_hole(size_t i)
{
    for (size_t h = 0; h < COUNT(holes); h++)
        if (i >= holes[h].at && i < holes[h].at + 8)
            return 1;
    return 0;
}

static void check_body(const uint8_t *body, size_t len)
{
    /* The table itself: every hole follows an ldc.i8 and is followed by conv.i. */
    for (size_t h = 0; h < COUNT(holes); h++)
        if (expected_body[holes[h].at - 1] != 0x21 || expected_body[holes[h].at + 8] != 0xD3) {
            check(0, "harness table: hole %zu is not an ldc.i8 operand", h);
            return;
        }
    if (!check(len == sizeof expected_body, "the new body is %zu bytes (expected %zu)", len, sizeof expected_body)) {
        hex_dump("got", body, len);
        hex_dump("expected (zeros for addresses)", expected_body, sizeof expected_body);
        return;
    }
    size_t diffs = 0, first = 0;
    for (size_t i = 0; i < len; i++)
        if (!in_hole(i) && body[i] != expected_body[i] && diffs++ == 0)
            first = i;
    if (!check(diffs == 0, "every byte but the %zu addresses matches the timing rewrite (%zu differ, first at %zu)",
               COUNT(holes), diffs, first)) {
        hex_dump("got", body, len);
        hex_dump("expected (zeros for addresses)", expected_body, sizeof expected_body);
    }

    uint64_t addr[COUNT(holes)];
    for (size_t h = 0; h < COUNT(holes); h++) {
        addr[h] = read_u64(body + holes[h].at);
        Dl_info dl;
        void *p = (void *)(uintptr_t)addr[h];
        memset(&dl, 0, sizeof dl);
        int found = addr[h] && dladdr(p, &dl) != 0 && dl.dli_fname;
        if (holes[h].kind == CODE) {
            const char *base = found ? strrchr(dl.dli_fname, '/') : NULL;
            base = base ? base + 1 : found ? dl.dli_fname : "(nothing)";
            check(found && strcmp(base, "libNewRelicProfiler.so") == 0, "%s (0x%llx) is code in %s", holes[h].what,
                  (unsigned long long)addr[h], base);
        } else {
            check(addr[h] && addr[h] % 8 == 0 && !found,
                  "%s (0x%llx) is an aligned address outside any loaded image (the metrics registry's heap)",
                  holes[h].what, (unsigned long long)addr[h]);
        }
    }
    for (size_t a = 0; a < COUNT(holes); a++)
        for (size_t b = a + 1; b < COUNT(holes); b++)
            if ((addr[a] == addr[b]) != (strcmp(holes[a].what, holes[b].what) == 0))
                check(0, "%s (0x%llx) and %s (0x%llx): the same address for the same thing, else another",
                      holes[a].what, (unsigned long long)addr[a], holes[b].what, (unsigned long long)addr[b]);
}

/* ---- files ------------------------------------------------------------------------- */

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap) {
            char *grown = realloc(buf, cap * 2);
            if (!grown) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = grown;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}

static int has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; p && *p;) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && memcmp(p, line, n) == 0)
            return 1;
        p = end ? end + 1 : NULL;
    }
    return 0;
}

/* ---- the run ----------------------------------------------------------------------- */

typedef HRESULT (*get_class_object_fn)(const nrp_guid *, const nrp_guid *, void **);
typedef HRESULT (*qi_fn)(void *, const nrp_guid *, void **);
typedef ULONG (*ref_fn)(void *);
typedef HRESULT (*create_fn)(void *, void *, const nrp_guid *, void **);
typedef HRESULT (*initialize_fn)(void *, void *);
typedef HRESULT (*shutdown_fn)(void *);
typedef HRESULT (*module_load_finished_fn)(void *, ModuleID, HRESULT);
typedef HRESULT (*get_rejit_parameters_fn)(void *, ModuleID, mdToken, void *);

#define RULE "harness-add"
#define DISPLAY "Harness.Calc::Add(System.Int32,System.Int32)"

static const char config_text[] = "version: 1\n"
                                  "rules:\n"
                                  "  - name: " RULE "\n"
                                  "    match: { assembly: Harness, type: Harness.Calc, method: Add }\n"
                                  "    strategy: timing\n";

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int main(void)
{
    const char *bundle = getenv("NRP_TEST_BUNDLE");
    char dir[] = "/tmp/nrp-harness-XXXXXX", config[512], log_path[512], metrics_path[512], lib_path[4096];
    main_thread = pthread_self();
    if (!bundle || !*bundle) {
        fprintf(stderr, "NRP_TEST_BUNDLE must name the bundle folder (ctest sets it)\n");
        return 2;
    }
    build_vtables();

    /* The rules file: the host refuses group- or world-writable ones. */
    umask(022);
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 2;
    }
    snprintf(config, sizeof config, "%s/instrumentation.yaml", dir);
    snprintf(log_path, sizeof log_path, "%s/nrprof.log", dir);
    snprintf(metrics_path, sizeof metrics_path, "%s/nrprof.prom", dir);
    FILE *f = fopen(config, "w");
    if (!f || fputs(config_text, f) < 0 || fclose(f) != 0) {
        perror(config);
        return 2;
    }
    setenv("NRP_CONFIG", config, 1);
    setenv("NRP_LOG_FILE", log_path, 1);
    setenv("NRP_LOG_LEVEL", "debug", 1);
    setenv("NRP_METRICS_FILE", metrics_path, 1);
    printf("harness: bundle %s, files in %s\n", bundle, dir);

    /* 1. Load it as the runtime does. */
    snprintf(lib_path, sizeof lib_path, "%s/libNewRelicProfiler.so", bundle);
    void *lib = dlopen(lib_path, RTLD_NOW | RTLD_LOCAL);
    if (!check(lib != NULL, "dlopen(%s, RTLD_NOW|RTLD_LOCAL)%s%s", lib_path, lib ? "" : ": ", lib ? "" : dlerror()))
        return 1;
    get_class_object_fn get_class_object = (get_class_object_fn)(uintptr_t)dlsym(lib, "DllGetClassObject");
    if (!check(get_class_object != NULL, "DllGetClassObject is exported"))
        return 1;
    void *factory = NULL, *first = NULL, *cb = NULL;
    HRESULT hr = get_class_object(&NRP_CLSID_PROFILER, &NRP_IID_IClassFactory, &factory);
    if (!check(hr == NRP_S_OK && factory, "DllGetClassObject(CLSID, IID_IClassFactory) = 0x%08x", (unsigned)hr))
        return 1;
    hr = NRP_COM_FN(factory, create_fn, NRP_CF_CreateInstance)(factory, NULL, &NRP_IID_ICorProfilerCallback[1], &first);
    if (!check(hr == NRP_S_OK && first, "CreateInstance(NULL, IID_ICorProfilerCallback2) = 0x%08x", (unsigned)hr))
        return 1;
    hr = NRP_COM_FN(first, qi_fn, NRP_UNK_QueryInterface)(first, &NRP_IID_ICorProfilerCallback[10], &cb);
    if (!check(hr == NRP_S_OK && cb, "QueryInterface(IID_ICorProfilerCallback11) = 0x%08x", (unsigned)hr))
        return 1;
    NRP_COM_FN(first, ref_fn, NRP_UNK_Release)(first);
    NRP_COM_FN(factory, ref_fn, NRP_UNK_Release)(factory);

    /* 2. Initialize with the fake runtime. */
    hr = NRP_COM_FN(cb, initialize_fn, NRP_CB_Initialize)(cb, &runtime_obj);
    if (!check(hr == NRP_S_OK, "Initialize(fake runtime) = 0x%08x", (unsigned)hr)) {
        char *log = slurp(log_path);
        printf("--- log ---\n%s-----------\n", log ? log : "(none)\n");
        free(log);
        return 1;
    }
    pthread_mutex_lock(&rec_lock);
    check(R.info_iid == &NRP_IID_ICorProfilerInfo10, "the host took ICorProfilerInfo10 first");
    check(R.event_mask_calls == 1 && R.event_low == (NRP_PRF_MONITOR_MODULE_LOADS | NRP_PRF_ENABLE_REJIT) &&
              R.event_high == 0,
          "event mask set once to MONITOR_MODULE_LOADS|ENABLE_REJIT (0x%x, 0x%x; %d call(s))", (unsigned)R.event_low,
          (unsigned)R.event_high, R.event_mask_calls);
    pthread_mutex_unlock(&rec_lock);

    /* 3. The module loads; the worker thread asks for the ReJIT. */
    NRP_COM_FN(cb, module_load_finished_fn, NRP_CB_ModuleLoadFinished)(cb, HARNESS_MODULE, NRP_S_OK);
    int requested = 0;
    for (int waited = 0; waited <= 5000 && !requested; waited += 10) {
        pthread_mutex_lock(&rec_lock);
        requested = R.rejit_with_inliners_calls + R.rejit_plain_calls;
        pthread_mutex_unlock(&rec_lock);
        if (!requested)
            sleep_ms(10);
    }
    pthread_mutex_lock(&rec_lock);
    check(R.init_thread_calls == 1 && !R.init_thread_on_main && !R.rejit_before_init_thread,
          "the ReJIT worker called InitializeCurrentThread on its own thread before RequestReJIT");
    check(R.rejit_with_inliners_calls == 1 && R.rejit_plain_calls == 0,
          "RequestReJITWithInliners called once, RequestReJIT never (%d, %d)", R.rejit_with_inliners_calls,
          R.rejit_plain_calls);
    check(R.rejit_flags == NRP_PRF_REJIT_BLOCK_INLINING && R.rejit_count == 1 && R.rejit_module == HARNESS_MODULE &&
              R.rejit_method == ADD,
          "ReJIT requested for exactly (module, Add 0x%08x) with BLOCK_INLINING (got flags %u, %u pair(s), 0x%llx, "
          "0x%08x)",
          ADD, (unsigned)R.rejit_flags, (unsigned)R.rejit_count, (unsigned long long)R.rejit_module, R.rejit_method);
    pthread_mutex_unlock(&rec_lock);

    /* 4. The runtime asks for the new IL. */
    void *cb4 = NULL;
    hr = NRP_COM_FN(cb, qi_fn, NRP_UNK_QueryInterface)(cb, &NRP_IID_ICorProfilerCallback[3], &cb4);
    check(hr == NRP_S_OK && cb4 == cb, "QueryInterface(IID_ICorProfilerCallback4)");
    if (cb4)
        NRP_COM_FN(cb4, ref_fn, NRP_UNK_Release)(cb4);
    hr = NRP_COM_FN(cb, get_rejit_parameters_fn, NRP_CB_GetReJITParameters)(cb, HARNESS_MODULE, ADD, &fc_obj);
    check(hr == NRP_S_OK, "GetReJITParameters(module, Add) = 0x%08x", (unsigned)hr);
    pthread_mutex_lock(&rec_lock);
    check(R.set_il_calls == 1, "SetILFunctionBody called once (%d)", R.set_il_calls);
    uint8_t *body = R.new_il;
    ULONG body_len = R.new_il_len;
    R.new_il = NULL;
    pthread_mutex_unlock(&rec_lock);
    if (body)
        check_body(body, body_len);
    free(body);

    pthread_mutex_lock(&rec_lock);
    static const char expected_emit[] = "typeref [23000001]System.Runtime.CompilerServices.CallConvSuppressGCTransition;"
                                        "typeref [23000001]System.Exception;";
    check(strcmp(R.emit_log, expected_emit) == 0, "metadata defined: %s", R.emit_log);
    int sigs_ok = sig_count == COUNT(expected_sigs);
    for (ULONG i = 0; sigs_ok && i < sig_count; i++)
        sigs_ok = sigs[i].len == expected_sigs[i].len && memcmp(sigs[i].blob, expected_sigs[i].blob, sigs[i].len) == 0;
    check(sigs_ok, "GetTokenFromSig got exactly the count, clock, record and locals blobs, in that order (%u blob(s))",
          (unsigned)sig_count);
    if (!sigs_ok)
        for (ULONG i = 0; i < sig_count; i++)
            hex_dump("blob", sigs[i].blob, sigs[i].len);
    check(R.apply_calls == 1 && R.apply_module == HARNESS_MODULE, "ApplyMetaData(module) called once (%d)",
          R.apply_calls);
    check(R.write_opens >= 1, "the metadata was opened for writing (%d time(s))", R.write_opens);
    pthread_mutex_unlock(&rec_lock);

    /* A method no rule selects keeps its IL. */
    hr = NRP_COM_FN(cb, get_rejit_parameters_fn, NRP_CB_GetReJITParameters)(cb, HARNESS_MODULE, SUB, &fc_obj);
    pthread_mutex_lock(&rec_lock);
    check(hr == NRP_S_OK && R.set_il_calls == 1, "GetReJITParameters(module, Sub) leaves Sub alone");
    pthread_mutex_unlock(&rec_lock);

    /* 5. Shutdown writes the metrics. */
    hr = NRP_COM_FN(cb, shutdown_fn, NRP_CB_Shutdown)(cb);
    check(hr == NRP_S_OK, "Shutdown = 0x%08x", (unsigned)hr);
    char *metrics = slurp(metrics_path);
    if (check(metrics != NULL, "the metrics file %s exists", metrics_path)) {
        const char *calls_line = "nrp_method_calls_total{rule=\"" RULE "\",method=\"" DISPLAY "\"} 0";
        int a = check(has_line(metrics, "nrp_methods_rewritten_total 1"), "metrics: nrp_methods_rewritten_total 1");
        int b = check(has_line(metrics, "nrp_method_rewrite_failures_total 0"),
                      "metrics: nrp_method_rewrite_failures_total 0");
        int c = check(has_line(metrics, calls_line), "metrics: %s", calls_line);
        if (!a || !b || !c)
            printf("--- metrics ---\n%s---------------\n", metrics);
    }
    free(metrics);
    char *log = slurp(log_path);
    if (check(log != NULL, "the log file %s exists", log_path)) {
        int errors = 0;
        for (const char *p = log; (p = strstr(p, "] error ")) != NULL; p++)
            errors++;
        int a = check(errors == 0, "the log has no error line (%d)", errors);
        int b = check(strstr(log, "rewrote " DISPLAY " with rule '" RULE "'") != NULL, "the log reports the rewrite");
        if (!a || !b)
            printf("--- log ---\n%s-----------\n", log);
    }
    free(log);

    /* 6. Everything the host took, it gave back; it called nothing else. */
    check(__atomic_load_n(&R.open_enums, __ATOMIC_RELAXED) == 0, "every metadata enumeration was closed (%d open)",
          R.open_enums);
    fake_obj *md[] = {&mdi_obj, &mde_obj, &mdasm_obj, &mdae_obj, &fc_obj};
    for (size_t i = 0; i < COUNT(md); i++)
        check(__atomic_load_n(&md[i]->refs, __ATOMIC_RELAXED) == 0, "%s references released (%d left)", md[i]->name,
              md[i]->refs);
    pthread_mutex_lock(&rec_lock);
    check(R.unexpected_count == 0, "the host called only the slots the harness implements%s%s",
          R.unexpected_count ? ": " : "", R.unexpected);
    pthread_mutex_unlock(&rec_lock);
    NRP_COM_FN(cb, ref_fn, NRP_UNK_Release)(cb);

    if (failures == 0 && !getenv("NRP_HARNESS_KEEP")) {
        unlink(config);
        unlink(log_path);
        unlink(metrics_path);
        rmdir(dir);
        printf("harness: all checks passed\n");
    } else if (failures == 0) {
        printf("harness: all checks passed; files kept in %s\n", dir);
    } else {
        printf("harness: %d check(s) failed; files kept in %s\n", failures, dir);
    }
    return failures ? 1 : 0;
}
