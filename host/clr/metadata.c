#include "clr/metadata.h"

#include "clr/slots.h"
#include "util/utf16.h"

#define TOKEN_TYPE(t) ((t) & 0xFF000000u)
#define TYPE_DEF 0x02000000u
#define TYPE_REF 0x01000000u

/* Nesting deeper than this only comes from corrupt metadata. */
#define MAX_NESTING 32

HRESULT nrp_mdi_enum_type_defs(nrp_com_object *mdi, HCORENUM *e, mdToken *out, ULONG max, ULONG *count)
{
    typedef HRESULT (*fn)(void *, HCORENUM *, mdToken *, ULONG, ULONG *);
    return NRP_COM_FN(mdi, fn, NRP_MDI_EnumTypeDefs)(mdi, e, out, max, count);
}

HRESULT nrp_mdi_enum_methods(nrp_com_object *mdi, HCORENUM *e, mdToken type, mdToken *out, ULONG max,
                             ULONG *count)
{
    typedef HRESULT (*fn)(void *, HCORENUM *, mdToken, mdToken *, ULONG, ULONG *);
    return NRP_COM_FN(mdi, fn, NRP_MDI_EnumMethods)(mdi, e, type, out, max, count);
}

void nrp_mdi_close_enum(nrp_com_object *mdi, HCORENUM e)
{
    typedef void (*fn)(void *, HCORENUM);
    if (e)
        NRP_COM_FN(mdi, fn, NRP_MDI_CloseEnum)(mdi, e);
}

HRESULT nrp_mdi_enum_custom_attributes(nrp_com_object *mdi, HCORENUM *e, mdToken owner, mdToken *out, ULONG max,
                                       ULONG *count)
{
    typedef HRESULT (*fn)(void *, HCORENUM *, mdToken, mdToken, mdToken *, ULONG, ULONG *);
    return NRP_COM_FN(mdi, fn, NRP_MDI_EnumCustomAttributes)(mdi, e, owner, 0, out, max, count);
}

HRESULT nrp_mdi_custom_attribute_ctor(nrp_com_object *mdi, mdToken attribute, mdToken *ctor)
{
    typedef HRESULT (*fn)(void *, mdToken, mdToken *, mdToken *, const void **, ULONG *);
    mdToken owner;
    const void *blob;
    ULONG len;
    return NRP_COM_FN(mdi, fn, NRP_MDI_GetCustomAttributeProps)(mdi, attribute, &owner, ctor, &blob, &len);
}

HRESULT nrp_mdi_member_parent(nrp_com_object *mdi, mdToken member, mdToken *parent)
{
    typedef HRESULT (*ref_fn)(void *, mdToken, mdToken *, WCHAR *, ULONG, ULONG *, const uint8_t **, ULONG *);
    typedef HRESULT (*def_fn)(void *, mdToken, mdToken *, WCHAR *, ULONG, ULONG *, DWORD *, const uint8_t **,
                              ULONG *, ULONG *, DWORD *);
    const uint8_t *sig;
    ULONG name_len, sig_len, rva;
    DWORD attr, impl;
    if ((member & 0xFF000000u) == 0x0A000000u)
        return NRP_COM_FN(mdi, ref_fn, NRP_MDI_GetMemberRefProps)(mdi, member, parent, NULL, 0, &name_len, &sig,
                                                                  &sig_len);
    return NRP_COM_FN(mdi, def_fn, NRP_MDI_GetMethodProps)(mdi, member, parent, NULL, 0, &name_len, &attr, &sig,
                                                           &sig_len, &rva, &impl);
}

HRESULT nrp_mdi_method_props(nrp_com_object *mdi, mdToken method, nrp_md_method_props *out)
{
    typedef HRESULT (*fn)(void *, mdToken, mdToken *, WCHAR *, ULONG, ULONG *, DWORD *, const uint8_t **,
                          ULONG *, ULONG *, DWORD *);
    WCHAR name[1024];
    ULONG len = 0;
    HRESULT hr = NRP_COM_FN(mdi, fn, NRP_MDI_GetMethodProps)(mdi, method, &out->type, name, 1024, &len,
                                                             &out->attributes, &out->sig, &out->sig_len,
                                                             &out->rva, &out->impl_flags);
    if (!NRP_FAILED(hr))
        nrp_utf16_to_utf8(name, len < 1024 ? len : 1024, out->name, sizeof out->name);
    return hr;
}

HRESULT nrp_mdi_name_of(nrp_com_object *mdi, mdToken token, const char **name)
{
    typedef HRESULT (*fn)(void *, mdToken, const char **);
    *name = NULL;
    return NRP_COM_FN(mdi, fn, NRP_MDI_GetNameFromToken)(mdi, token, name);
}

static HRESULT type_def_props(nrp_com_object *mdi, mdToken td, char *name, size_t cap, DWORD *flags)
{
    typedef HRESULT (*fn)(void *, mdToken, WCHAR *, ULONG, ULONG *, DWORD *, mdToken *);
    WCHAR w[1024];
    ULONG len = 0;
    mdToken extends = 0;
    HRESULT hr = NRP_COM_FN(mdi, fn, NRP_MDI_GetTypeDefProps)(mdi, td, w, 1024, &len, flags, &extends);
    if (!NRP_FAILED(hr))
        nrp_utf16_to_utf8(w, len < 1024 ? len : 1024, name, cap);
    return hr;
}

static HRESULT type_ref_props(nrp_com_object *mdi, mdToken tr, char *name, size_t cap, mdToken *scope)
{
    typedef HRESULT (*fn)(void *, mdToken, mdToken *, WCHAR *, ULONG, ULONG *);
    WCHAR w[1024];
    ULONG len = 0;
    HRESULT hr = NRP_COM_FN(mdi, fn, NRP_MDI_GetTypeRefProps)(mdi, tr, scope, w, 1024, &len);
    if (!NRP_FAILED(hr))
        nrp_utf16_to_utf8(w, len < 1024 ? len : 1024, name, cap);
    return hr;
}

static HRESULT enclosing_type(nrp_com_object *mdi, mdToken td, mdToken *outer)
{
    typedef HRESULT (*fn)(void *, mdToken, mdToken *);
    return NRP_COM_FN(mdi, fn, NRP_MDI_GetNestedClassProps)(mdi, td, outer);
}

static HRESULT name_type(nrp_com_object *mdi, mdToken token, nrp_strbuf *out, int depth)
{
    char name[1024];
    HRESULT hr;
    if (depth > MAX_NESTING)
        return NRP_E_FAIL;
    if (TOKEN_TYPE(token) == TYPE_DEF) {
        DWORD flags = 0;
        mdToken outer = 0;
        hr = type_def_props(mdi, token, name, sizeof name, &flags);
        if (NRP_FAILED(hr))
            return hr;
        if ((flags & NRP_TD_VISIBILITY_MASK) >= NRP_TD_NESTED_PUBLIC &&
            !NRP_FAILED(enclosing_type(mdi, token, &outer)) && outer) {
            hr = name_type(mdi, outer, out, depth + 1);
            if (NRP_FAILED(hr))
                return hr;
            nrp_strbuf_puts(out, "+");
        }
        nrp_strbuf_puts(out, name);
        return NRP_S_OK;
    }
    if (TOKEN_TYPE(token) == TYPE_REF) {
        mdToken scope = 0;
        hr = type_ref_props(mdi, token, name, sizeof name, &scope);
        if (NRP_FAILED(hr))
            return hr;
        if (TOKEN_TYPE(scope) == TYPE_REF) { /* a nested type's scope is its enclosing type */
            hr = name_type(mdi, scope, out, depth + 1);
            if (NRP_FAILED(hr))
                return hr;
            nrp_strbuf_puts(out, "+");
        }
        nrp_strbuf_puts(out, name);
        return NRP_S_OK;
    }
    nrp_strbuf_puts(out, "?");
    return NRP_S_OK;
}

HRESULT nrp_md_type_name(nrp_com_object *mdi, mdToken token, nrp_strbuf *out)
{
    return name_type(mdi, token, out, 0);
}

HRESULT nrp_mde_token_from_sig(nrp_com_object *mde, const uint8_t *sig, ULONG len, mdToken *out)
{
    typedef HRESULT (*fn)(void *, const uint8_t *, ULONG, mdToken *);
    return NRP_COM_FN(mde, fn, NRP_MDE_GetTokenFromSig)(mde, sig, len, out);
}

HRESULT nrp_mdi_method_sig(nrp_com_object *mdi, mdToken method, const uint8_t **sig, ULONG *len)
{
    typedef HRESULT (*fn)(void *, mdToken, mdToken *, WCHAR *, ULONG, ULONG *, DWORD *, const uint8_t **,
                          ULONG *, ULONG *, DWORD *);
    mdToken type;
    ULONG name_len, rva;
    DWORD attr, impl;
    return NRP_COM_FN(mdi, fn, NRP_MDI_GetMethodProps)(mdi, method, &type, NULL, 0, &name_len, &attr, sig, len, &rva,
                                                       &impl);
}

HRESULT nrp_mdi_member_ref_sig(nrp_com_object *mdi, mdToken member, const uint8_t **sig, ULONG *len)
{
    typedef HRESULT (*fn)(void *, mdToken, mdToken *, WCHAR *, ULONG, ULONG *, const uint8_t **, ULONG *);
    mdToken parent;
    ULONG name_len;
    return NRP_COM_FN(mdi, fn, NRP_MDI_GetMemberRefProps)(mdi, member, &parent, NULL, 0, &name_len, sig, len);
}

HRESULT nrp_mdi_sig_from_token(nrp_com_object *mdi, mdToken standalone, const uint8_t **sig, ULONG *len)
{
    typedef HRESULT (*fn)(void *, mdToken, const uint8_t **, ULONG *);
    return NRP_COM_FN(mdi, fn, NRP_MDI_GetSigFromToken)(mdi, standalone, sig, len);
}

HRESULT nrp_mdi2_method_spec_parent(nrp_com_object *mdi2, mdToken spec, mdToken *parent)
{
    typedef HRESULT (*fn)(void *, mdToken, mdToken *, const uint8_t **, ULONG *);
    const uint8_t *sig;
    ULONG len;
    return NRP_COM_FN(mdi2, fn, NRP_MDI_GetMethodSpecProps)(mdi2, spec, parent, &sig, &len);
}

HRESULT nrp_mdasm_assembly_version(nrp_com_object *asm_import, uint16_t version[4])
{
    typedef HRESULT (*scope_fn)(void *, mdToken *);
    typedef HRESULT (*props_fn)(void *, mdToken, const void **, ULONG *, ULONG *, WCHAR *, ULONG, ULONG *,
                                nrp_assembly_metadata *, DWORD *);
    mdToken assembly = 0;
    HRESULT hr = NRP_COM_FN(asm_import, scope_fn, NRP_MDASM_GetAssemblyFromScope)(asm_import, &assembly);
    if (NRP_FAILED(hr))
        return hr;
    nrp_assembly_metadata md = {0};
    const void *key = NULL;
    ULONG key_len = 0, hash = 0, name_len = 0;
    DWORD flags = 0;
    hr = NRP_COM_FN(asm_import, props_fn, NRP_MDASM_GetAssemblyProps)(asm_import, assembly, &key, &key_len, &hash,
                                                                       NULL, 0, &name_len, &md, &flags);
    if (!NRP_FAILED(hr)) {
        version[0] = md.major;
        version[1] = md.minor;
        version[2] = md.build;
        version[3] = md.revision;
    }
    return hr;
}
