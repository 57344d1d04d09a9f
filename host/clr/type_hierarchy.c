#include "clr/type_hierarchy.h"

#include <string.h>

#include "clr/info.h"
#include "clr/metadata.h"
#include "clr/slots.h"
#include "meta/hierarchy.h"
#include "util/utf16.h"

/* Hierarchies this deep only come from corrupt or cyclic metadata. */
#define MAX_DEPTH 32

#define TOKEN_TYPE(t) ((t) & 0xFF000000u)
#define RID(t) ((t) & 0x00FFFFFFu)

int nrp_md_has_attribute(nrp_com_object *mdi, mdToken owner, const char *attribute)
{
    typedef HRESULT (*fn)(void *, mdToken, const WCHAR *, const void **, ULONG *);
    WCHAR name[1024];
    const void *data = NULL;
    ULONG len = 0;
    if (nrp_utf8_to_utf16(attribute, name, 1024) != NRP_OK)
        return 0;
    return NRP_COM_FN(mdi, fn, NRP_MDI_GetCustomAttributeByName)(mdi, owner, name, &data, &len) == NRP_S_OK;
}

/* Name of the assembly a TypeRef's resolution scope names ("" when the
 * type lives in this module). */
static int ref_scope_assembly(nrp_com_object *mdi, mdToken tr, char *out, size_t cap, mdToken *outermost)
{
    typedef HRESULT (*ref_fn)(void *, mdToken, mdToken *, WCHAR *, ULONG, ULONG *);
    mdToken scope = 0;
    ULONG len = 0;
    *outermost = tr;
    out[0] = '\0';
    for (int i = 0; i < MAX_DEPTH; i++) {
        if (NRP_FAILED(NRP_COM_FN(mdi, ref_fn, NRP_MDI_GetTypeRefProps)(mdi, *outermost, &scope, NULL, 0, &len)))
            return -1;
        if (TOKEN_TYPE(scope) != 0x01000000u)
            break;
        *outermost = scope; /* a nested type: its scope is the enclosing TypeRef */
    }
    if (TOKEN_TYPE(scope) != 0x23000000u) /* AssemblyRef; anything else is this module */
        return 0;
    nrp_com_object *asm_import = NULL;
    if (NRP_FAILED(nrp_com_query(mdi, &NRP_IID_IMetaDataAssemblyImport, &asm_import)))
        return -1;
    HRESULT hr = nrp_mdasm_assembly_ref_name(asm_import, scope, out, cap);
    nrp_com_release(asm_import);
    if (NRP_FAILED(hr))
        return -1;
    return 0;
}

static mdToken find_type_def(nrp_com_object *mdi, const char *full_name)
{
    mdToken td = 0;
    /* Nested types ("Outer+Inner") are not looked up across modules. */
    if (strchr(full_name, '+') || NRP_FAILED(nrp_mdi_find_type_def(mdi, full_name, 0, &td)))
        return 0;
    return td;
}

/* ---- the `base` walk (rules/hierarchy.c) over IMetaDataImport ------------ */

static nrp_result graph_extends(void *ctx, void *module, uint32_t td, uint32_t *base)
{
    DWORD flags = 0;
    (void)ctx;
    *base = 0;
    return NRP_FAILED(nrp_mdi_type_def_extends(module, td, &flags, base)) ? NRP_ERROR : NRP_OK;
}

static nrp_result graph_interfaces(void *ctx, void *module, uint32_t td, uint32_t *out, size_t cap, size_t *count)
{
    typedef HRESULT (*enum_fn)(void *, HCORENUM *, mdToken, mdToken *, ULONG, ULONG *);
    typedef HRESULT (*impl_fn)(void *, mdToken, mdToken *, mdToken *);
    nrp_com_object *mdi = module;
    HCORENUM e = NULL;
    mdToken impls[16];
    ULONG n = 0;
    (void)ctx;
    *count = 0;
    while (*count < cap && NRP_COM_FN(mdi, enum_fn, NRP_MDI_EnumInterfaceImpls)(mdi, &e, td, impls, 16, &n) == NRP_S_OK &&
           n > 0)
        for (ULONG i = 0; i < n && *count < cap; i++) {
            mdToken cls = 0, iface = 0;
            if (!NRP_FAILED(NRP_COM_FN(mdi, impl_fn, NRP_MDI_GetInterfaceImplProps)(mdi, impls[i], &cls, &iface)))
                out[(*count)++] = iface;
        }
    nrp_mdi_close_enum(mdi, e);
    return NRP_OK;
}

static nrp_result graph_type_spec(void *ctx, void *module, uint32_t spec, const uint8_t **sig, uint32_t *len)
{
    typedef HRESULT (*spec_fn)(void *, mdToken, const uint8_t **, ULONG *);
    nrp_com_object *mdi = module;
    ULONG n = 0;
    (void)ctx;
    if (NRP_FAILED(NRP_COM_FN(mdi, spec_fn, NRP_MDI_GetTypeSpecFromToken)(mdi, spec, sig, &n)))
        return NRP_ERROR;
    *len = n;
    return NRP_OK;
}

static nrp_result graph_type_name(void *ctx, void *module, uint32_t token, nrp_strbuf *out)
{
    (void)ctx;
    return NRP_FAILED(nrp_md_type_name(module, token, out)) ? NRP_ERROR : NRP_OK;
}

static nrp_result graph_ref_assembly(void *ctx, void *module, uint32_t type_ref, char *out, size_t cap)
{
    mdToken outermost;
    (void)ctx;
    return ref_scope_assembly(module, type_ref, out, cap, &outermost) == 0 ? NRP_OK : NRP_ERROR;
}

static uint32_t graph_find_type(void *ctx, void *module, const char *full_name)
{
    (void)ctx;
    return find_type_def(module, full_name);
}

static void *graph_open(void *ctx, const char *assembly)
{
    const nrp_hierarchy_env *env = ctx;
    return env && env->import_of ? env->import_of(env->ctx, assembly) : NULL;
}

static void graph_close(void *ctx, void *module)
{
    (void)ctx;
    nrp_com_release(module);
}

int nrp_md_derives_from(nrp_com_object *mdi, mdToken type, const char *base, const nrp_hierarchy_env *env)
{
    const nrp_type_graph g = {(void *)env,        graph_extends,   graph_interfaces, graph_type_spec,
                              graph_type_name,    graph_ref_assembly, graph_find_type, graph_open,
                              graph_close};
    return nrp_type_derives_from(&g, mdi, type, base);
}

int nrp_md_type_has_attribute(nrp_com_object *mdi, mdToken type, const char *attribute, const nrp_hierarchy_env *env)
{
    char assembly[512];
    mdToken outermost, td;
    nrp_strbuf name;
    int result = -1;
    if (TOKEN_TYPE(type) == 0x02000000u)
        return nrp_md_has_attribute(mdi, type, attribute);
    if (TOKEN_TYPE(type) != 0x01000000u || ref_scope_assembly(mdi, type, assembly, sizeof assembly, &outermost) != 0)
        return -1;
    nrp_strbuf_init(&name);
    if (NRP_FAILED(nrp_md_type_name(mdi, type, &name)) || !name.data) {
        nrp_strbuf_free(&name);
        return -1;
    }
    if (!assembly[0]) {
        td = find_type_def(mdi, name.data);
        result = td ? nrp_md_has_attribute(mdi, td, attribute) : -1;
    } else {
        /* Reference assemblies (System.Runtime, netstandard) forward their
         * types; the core library is where most of them are defined. */
        const char *homes[2] = {assembly, "System.Private.CoreLib"};
        for (int i = 0; i < 2 && result < 0; i++) {
            nrp_com_object *other = env && env->import_of ? env->import_of(env->ctx, homes[i]) : NULL;
            if (!other)
                continue;
            td = find_type_def(other, name.data);
            if (td)
                result = nrp_md_has_attribute(other, td, attribute);
            nrp_com_release(other);
        }
    }
    nrp_strbuf_free(&name);
    return result;
}
