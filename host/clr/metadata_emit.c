/*
 * metadata_emit.c - adding rows to a module's metadata for injected code:
 * assembly, type and member references, type specs and user strings, plus
 * the lookups that find an existing row first.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clr/metadata.h"
#include "clr/slots.h"
#include "util/utf16.h"

#define NAME_CAP 1024

HRESULT nrp_mdasm_assembly_ref_name(nrp_com_object *asm_import, mdToken ref, char *out, size_t cap)
{
    typedef HRESULT (*fn)(void *, mdToken, const void **, ULONG *, WCHAR *, ULONG, ULONG *, nrp_assembly_metadata *,
                          const void **, ULONG *, DWORD *);
    WCHAR name[512];
    nrp_assembly_metadata md;
    const void *key = NULL, *hash = NULL;
    ULONG key_len = 0, hash_len = 0, len = 0;
    DWORD flags = 0;
    memset(&md, 0, sizeof md);
    HRESULT hr = NRP_COM_FN(asm_import, fn, NRP_MDASM_GetAssemblyRefProps)(asm_import, ref, &key, &key_len, name,
                                                                            512, &len, &md, &hash, &hash_len, &flags);
    if (!NRP_FAILED(hr))
        nrp_utf16_to_utf8(name, len < 512 ? len : 512, out, cap);
    return hr;
}

HRESULT nrp_mdasm_each_assembly_ref(nrp_com_object *asm_import,
                                    int (*visit)(void *ctx, mdToken ref, const char *name), void *ctx)
{
    typedef HRESULT (*enum_fn)(void *, HCORENUM *, mdToken *, ULONG, ULONG *);
    typedef void (*close_fn)(void *, HCORENUM);
    HCORENUM e = NULL;
    mdToken refs[32];
    ULONG n = 0;
    HRESULT stopped = NRP_S_FALSE;
    while (stopped == NRP_S_FALSE &&
           NRP_COM_FN(asm_import, enum_fn, NRP_MDASM_EnumAssemblyRefs)(asm_import, &e, refs, 32, &n) == NRP_S_OK &&
           n > 0)
        for (ULONG i = 0; i < n; i++) {
            char ref_name[512];
            if (!NRP_FAILED(nrp_mdasm_assembly_ref_name(asm_import, refs[i], ref_name, sizeof ref_name)) &&
                visit(ctx, refs[i], ref_name)) {
                stopped = NRP_S_OK;
                break;
            }
        }
    if (e)
        NRP_COM_FN(asm_import, close_fn, NRP_MDASM_CloseEnum)(asm_import, e);
    return stopped;
}

typedef struct ref_search {
    const char *name;
    mdToken found;
} ref_search;

static int is_the_ref(void *ctx, mdToken ref, const char *name)
{
    ref_search *r = ctx;
    /* Assembly names compare without case (ECMA-335 II.6.2.1.1). */
    if (strcasecmp(name, r->name) != 0)
        return 0;
    r->found = ref;
    return 1;
}

HRESULT nrp_mdasm_find_assembly_ref(nrp_com_object *asm_import, const char *name, mdToken *out)
{
    ref_search r = {name, 0};
    HRESULT hr = nrp_mdasm_each_assembly_ref(asm_import, is_the_ref, &r);
    if (hr == NRP_S_OK)
        *out = r.found;
    return hr;
}

HRESULT nrp_mdae_define_assembly_ref(nrp_com_object *asm_emit, const char *name, mdToken *out)
{
    typedef HRESULT (*fn)(void *, const void *, ULONG, const WCHAR *, const nrp_assembly_metadata *, const void *,
                          ULONG, DWORD, mdToken *);
    WCHAR w[512];
    nrp_assembly_metadata md;
    if (nrp_utf8_to_utf16(name, w, 512) != NRP_OK)
        return NRP_E_FAIL;
    memset(&md, 0, sizeof md);
    return NRP_COM_FN(asm_emit, fn, NRP_MDAE_DefineAssemblyRef)(asm_emit, NULL, 0, w, &md, NULL, 0, 0, out);
}

HRESULT nrp_mdi_find_type_def(nrp_com_object *mdi, const char *name, mdToken enclosing, mdToken *out)
{
    typedef HRESULT (*fn)(void *, const WCHAR *, mdToken, mdToken *);
    WCHAR w[NAME_CAP];
    if (nrp_utf8_to_utf16(name, w, NAME_CAP) != NRP_OK)
        return NRP_E_FAIL;
    return NRP_COM_FN(mdi, fn, NRP_MDI_FindTypeDefByName)(mdi, w, enclosing, out);
}

HRESULT nrp_mdi_type_def_extends(nrp_com_object *mdi, mdToken td, DWORD *flags, mdToken *extends)
{
    typedef HRESULT (*fn)(void *, mdToken, WCHAR *, ULONG, ULONG *, DWORD *, mdToken *);
    ULONG len = 0;
    return NRP_COM_FN(mdi, fn, NRP_MDI_GetTypeDefProps)(mdi, td, NULL, 0, &len, flags, extends);
}

HRESULT nrp_mdi2_generic_param_count(nrp_com_object *mdi2, mdToken owner, ULONG *count)
{
    typedef HRESULT (*enum_fn)(void *, HCORENUM *, mdToken, mdToken *, ULONG, ULONG *);
    HCORENUM e = NULL;
    mdToken params[16];
    ULONG n = 0;
    HRESULT hr;
    *count = 0;
    while ((hr = NRP_COM_FN(mdi2, enum_fn, NRP_MDI_EnumGenericParams)(mdi2, &e, owner, params, 16, &n)) == NRP_S_OK &&
           n > 0)
        *count += n;
    nrp_mdi_close_enum(mdi2, e);
    return NRP_FAILED(hr) ? hr : NRP_S_OK;
}

HRESULT nrp_mdi2_generic_param_flags(nrp_com_object *mdi2, mdToken owner, ULONG number, DWORD *flags)
{
    typedef HRESULT (*enum_fn)(void *, HCORENUM *, mdToken, mdToken *, ULONG, ULONG *);
    typedef HRESULT (*props_fn)(void *, mdToken, ULONG *, DWORD *, mdToken *, DWORD *, WCHAR *, ULONG, ULONG *);
    HCORENUM e = NULL;
    mdToken params[16];
    ULONG n = 0;
    HRESULT hr, found = NRP_S_FALSE;
    *flags = 0;
    while (found == NRP_S_FALSE &&
           (hr = NRP_COM_FN(mdi2, enum_fn, NRP_MDI_EnumGenericParams)(mdi2, &e, owner, params, 16, &n)) == NRP_S_OK &&
           n > 0) {
        for (ULONG i = 0; i < n && found == NRP_S_FALSE; i++) {
            ULONG seq = 0, name_len = 0;
            DWORD gp_flags = 0, reserved = 0;
            mdToken gp_owner = 0;
            HRESULT props = NRP_COM_FN(mdi2, props_fn, NRP_MDI_GetGenericParamProps)(
                mdi2, params[i], &seq, &gp_flags, &gp_owner, &reserved, NULL, 0, &name_len);
            if (NRP_FAILED(props))
                found = props;
            else if (seq == number) {
                *flags = gp_flags;
                found = NRP_S_OK;
            }
        }
    }
    nrp_mdi_close_enum(mdi2, e);
    return found;
}

HRESULT nrp_mdi2_generic_param_names(nrp_com_object *mdi2, mdToken owner, char (*names)[NRP_GENERIC_NAME_CAP],
                                     ULONG cap, ULONG *count)
{
    typedef HRESULT (*enum_fn)(void *, HCORENUM *, mdToken, mdToken *, ULONG, ULONG *);
    typedef HRESULT (*props_fn)(void *, mdToken, ULONG *, DWORD *, mdToken *, DWORD *, WCHAR *, ULONG, ULONG *);
    HCORENUM e = NULL;
    mdToken params[16];
    ULONG n = 0;
    HRESULT hr, failed = NRP_S_OK;
    *count = 0;
    for (ULONG i = 0; i < cap; i++)
        names[i][0] = '\0';
    while ((hr = NRP_COM_FN(mdi2, enum_fn, NRP_MDI_EnumGenericParams)(mdi2, &e, owner, params, 16, &n)) == NRP_S_OK &&
           n > 0)
        for (ULONG i = 0; i < n; i++) {
            WCHAR w[NRP_GENERIC_NAME_CAP];
            ULONG seq = 0, len = 0;
            DWORD flags = 0, reserved = 0;
            mdToken gp_owner = 0;
            (*count)++;
            HRESULT props = NRP_COM_FN(mdi2, props_fn, NRP_MDI_GetGenericParamProps)(
                mdi2, params[i], &seq, &flags, &gp_owner, &reserved, w, NRP_GENERIC_NAME_CAP, &len);
            if (NRP_FAILED(props))
                failed = props;
            else if (seq < cap && len > 0)
                nrp_utf16_to_utf8(w, len - 1, names[seq], NRP_GENERIC_NAME_CAP);
        }
    nrp_mdi_close_enum(mdi2, e);
    return NRP_FAILED(hr) ? hr : failed;
}

HRESULT nrp_mde_type_ref(nrp_com_object *mde, mdToken scope, const char *name, mdToken *out)
{
    typedef HRESULT (*fn)(void *, mdToken, const WCHAR *, mdToken *);
    WCHAR w[NAME_CAP];
    if (nrp_utf8_to_utf16(name, w, NAME_CAP) != NRP_OK)
        return NRP_E_FAIL;
    return NRP_COM_FN(mde, fn, NRP_MDE_DefineTypeRefByName)(mde, scope, w, out);
}

HRESULT nrp_mde_member_ref(nrp_com_object *mde, mdToken parent, const char *name, const uint8_t *sig, ULONG len,
                           mdToken *out)
{
    typedef HRESULT (*fn)(void *, mdToken, const WCHAR *, const uint8_t *, ULONG, mdToken *);
    WCHAR w[NAME_CAP];
    if (nrp_utf8_to_utf16(name, w, NAME_CAP) != NRP_OK)
        return NRP_E_FAIL;
    return NRP_COM_FN(mde, fn, NRP_MDE_DefineMemberRef)(mde, parent, w, sig, len, out);
}

HRESULT nrp_mde_user_string(nrp_com_object *mde, const char *text, mdToken *out)
{
    typedef HRESULT (*fn)(void *, const WCHAR *, ULONG, mdToken *);
    size_t cap = strlen(text) + 1; /* UTF-16 never needs more units than UTF-8 has bytes */
    WCHAR *w = malloc(cap * sizeof *w);
    HRESULT hr = NRP_E_OUTOFMEMORY;
    if (w) {
        hr = NRP_E_FAIL;
        if (nrp_utf8_to_utf16(text, w, cap) == NRP_OK) {
            ULONG units = 0;
            while (w[units])
                units++;
            hr = NRP_COM_FN(mde, fn, NRP_MDE_DefineUserString)(mde, w, units, out);
        }
        free(w);
    }
    return hr;
}

HRESULT nrp_mde_type_spec(nrp_com_object *mde, const uint8_t *sig, ULONG len, mdToken *out)
{
    typedef HRESULT (*fn)(void *, const uint8_t *, ULONG, mdToken *);
    return NRP_COM_FN(mde, fn, NRP_MDE_GetTokenFromTypeSpec)(mde, sig, len, out);
}

HRESULT nrp_mde_define_type(nrp_com_object *mde, const char *name, DWORD flags, mdToken extends, mdToken *out)
{
    typedef HRESULT (*fn)(void *, const WCHAR *, DWORD, mdToken, const mdToken *, mdToken *);
    static const mdToken no_interfaces[1] = {0};
    WCHAR w[NAME_CAP];
    if (nrp_utf8_to_utf16(name, w, NAME_CAP) != NRP_OK)
        return NRP_E_FAIL;
    return NRP_COM_FN(mde, fn, NRP_MDE_DefineTypeDef)(mde, w, flags, extends, no_interfaces, out);
}

HRESULT nrp_mde_define_method(nrp_com_object *mde, mdToken type, const char *name, DWORD flags, const uint8_t *sig,
                              ULONG len, mdToken *out)
{
    typedef HRESULT (*fn)(void *, mdToken, const WCHAR *, DWORD, const uint8_t *, ULONG, ULONG, DWORD, mdToken *);
    WCHAR w[NAME_CAP];
    if (nrp_utf8_to_utf16(name, w, NAME_CAP) != NRP_OK)
        return NRP_E_FAIL;
    /* No RVA: the body comes from SetILFunctionBody. Implementation: IL, managed. */
    return NRP_COM_FN(mde, fn, NRP_MDE_DefineMethod)(mde, type, w, flags, sig, len, 0, 0, out);
}

HRESULT nrp_mde_define_field(nrp_com_object *mde, mdToken type, const char *name, DWORD flags, const uint8_t *sig,
                             ULONG len, mdToken *out)
{
    typedef HRESULT (*fn)(void *, mdToken, const WCHAR *, DWORD, const uint8_t *, ULONG, DWORD, const void *, ULONG,
                          mdToken *);
    WCHAR w[NAME_CAP];
    if (nrp_utf8_to_utf16(name, w, NAME_CAP) != NRP_OK)
        return NRP_E_FAIL;
    return NRP_COM_FN(mde, fn, NRP_MDE_DefineField)(mde, type, w, flags, sig, len, 0, NULL, 0, out);
}

HRESULT nrp_mde2_define_generic_param(nrp_com_object *mde2, mdToken owner, ULONG index, const char *name,
                                      mdToken *out)
{
    typedef HRESULT (*fn)(void *, mdToken, ULONG, DWORD, const WCHAR *, DWORD, const mdToken *, mdToken *);
    static const mdToken no_constraints[1] = {0};
    WCHAR w[NAME_CAP];
    if (nrp_utf8_to_utf16(name, w, NAME_CAP) != NRP_OK)
        return NRP_E_FAIL;
    return NRP_COM_FN(mde2, fn, NRP_MDE_DefineGenericParam)(mde2, owner, index, 0, w, 0, no_constraints, out);
}
