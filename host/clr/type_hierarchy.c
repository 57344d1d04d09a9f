#include "clr/type_hierarchy.h"

#include <string.h>

#include "clr/info.h"
#include "clr/metadata.h"
#include "clr/slots.h"
#include "nrp/il.h"
#include "sig/sig.h"
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

static int check_token(nrp_com_object *mdi, mdToken tok, const char *base, const nrp_hierarchy_env *env, int depth);

static int derives(nrp_com_object *mdi, mdToken td, const char *base, const nrp_hierarchy_env *env, int depth)
{
    typedef HRESULT (*enum_fn)(void *, HCORENUM *, mdToken, mdToken *, ULONG, ULONG *);
    typedef HRESULT (*impl_fn)(void *, mdToken, mdToken *, mdToken *);
    DWORD flags = 0;
    mdToken extends = 0;
    if (depth > MAX_DEPTH)
        return 0;
    if (NRP_FAILED(nrp_mdi_type_def_extends(mdi, td, &flags, &extends)))
        return 0;
    if (RID(extends) && check_token(mdi, extends, base, env, depth + 1))
        return 1;
    HCORENUM e = NULL;
    mdToken impls[16];
    ULONG n = 0;
    int found = 0;
    while (!found && NRP_COM_FN(mdi, enum_fn, NRP_MDI_EnumInterfaceImpls)(mdi, &e, td, impls, 16, &n) == NRP_S_OK &&
           n > 0)
        for (ULONG i = 0; i < n && !found; i++) {
            mdToken cls = 0, iface = 0;
            if (!NRP_FAILED(NRP_COM_FN(mdi, impl_fn, NRP_MDI_GetInterfaceImplProps)(mdi, impls[i], &cls, &iface)))
                found = check_token(mdi, iface, base, env, depth + 1);
        }
    nrp_mdi_close_enum(mdi, e);
    return found;
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

static int check_ref(nrp_com_object *mdi, mdToken tr, const char *name, const char *base,
                     const nrp_hierarchy_env *env, int depth)
{
    char assembly[512];
    mdToken outermost;
    if (ref_scope_assembly(mdi, tr, assembly, sizeof assembly, &outermost) != 0)
        return 0;
    if (!assembly[0]) {
        mdToken td = find_type_def(mdi, name);
        return td && derives(mdi, td, base, env, depth);
    }
    nrp_com_object *other = env && env->import_of ? env->import_of(env->ctx, assembly) : NULL;
    if (!other)
        return 0;
    mdToken td = find_type_def(other, name);
    int found = td && derives(other, td, base, env, depth);
    nrp_com_release(other);
    return found;
}

static int check_token(nrp_com_object *mdi, mdToken tok, const char *base, const nrp_hierarchy_env *env, int depth)
{
    typedef HRESULT (*spec_fn)(void *, mdToken, const uint8_t **, ULONG *);
    nrp_strbuf name;
    int found = 0;
    if (depth > MAX_DEPTH)
        return 0;
    if (TOKEN_TYPE(tok) == 0x1B000000u) {
        /* A generic instantiation: follow its generic type definition. */
        const uint8_t *sig = NULL;
        ULONG len = 0;
        uint32_t generic;
        if (NRP_FAILED(NRP_COM_FN(mdi, spec_fn, NRP_MDI_GetTypeSpecFromToken)(mdi, tok, &sig, &len)) || len < 3 ||
            sig[0] != NRP_ELEMENT_GENERICINST)
            return 0;
        const uint8_t *p = sig + 2;
        if (nrp_sig_read_type_token(&p, sig + len, &generic) != NRP_OK)
            return 0;
        return check_token(mdi, generic, base, env, depth + 1);
    }
    nrp_strbuf_init(&name);
    if (NRP_FAILED(nrp_md_type_name(mdi, tok, &name)) || !name.data) {
        nrp_strbuf_free(&name);
        return 0;
    }
    if (strcmp(name.data, base) == 0)
        found = 1;
    else if (TOKEN_TYPE(tok) == 0x02000000u)
        found = derives(mdi, tok, base, env, depth);
    else if (TOKEN_TYPE(tok) == 0x01000000u)
        found = check_ref(mdi, tok, name.data, base, env, depth);
    nrp_strbuf_free(&name);
    return found;
}

int nrp_md_derives_from(nrp_com_object *mdi, mdToken type, const char *base, const nrp_hierarchy_env *env)
{
    return derives(mdi, type, base, env, 0);
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
