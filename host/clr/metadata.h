/*
 * metadata.h - typed calls into IMetaDataImport / IMetaDataEmit and the
 * naming of types the way rules write them.
 */
#ifndef NRP_CLR_METADATA_H
#define NRP_CLR_METADATA_H

#include "clr/com.h"
#include "util/strbuf.h"

HRESULT nrp_mdi_enum_type_defs(nrp_com_object *mdi, HCORENUM *e, mdToken *out, ULONG max, ULONG *count);
HRESULT nrp_mdi_enum_methods(nrp_com_object *mdi, HCORENUM *e, mdToken type, mdToken *out, ULONG max,
                             ULONG *count);
void nrp_mdi_close_enum(nrp_com_object *mdi, HCORENUM e);
/* The custom attributes on `owner`, and the constructor each one calls (a
 * MethodDef or MemberRef). */
HRESULT nrp_mdi_enum_custom_attributes(nrp_com_object *mdi, HCORENUM *e, mdToken owner, mdToken *out, ULONG max,
                                       ULONG *count);
HRESULT nrp_mdi_custom_attribute_ctor(nrp_com_object *mdi, mdToken attribute, mdToken *ctor);
/* The type that declares a MethodDef or MemberRef (a MemberRef's parent may
 * also be a TypeSpec, a ModuleRef or a MethodDef). */
HRESULT nrp_mdi_member_parent(nrp_com_object *mdi, mdToken member, mdToken *parent);

typedef struct nrp_md_method_props {
    mdToken type;
    char name[1024];
    DWORD attributes;
    DWORD impl_flags;
    ULONG rva;
    const uint8_t *sig;
    ULONG sig_len;
} nrp_md_method_props;

HRESULT nrp_mdi_method_props(nrp_com_object *mdi, mdToken method, nrp_md_method_props *out);

/* The name of a token that has one (a MethodDef...), UTF-8, where the
 * metadata keeps it (GetNameFromToken): no copy, no conversion. A walk
 * asks it of every method, and GetMethodProps only of those it keeps.
 * Fails (or leaves *name NULL) where the runtime does not implement it. */
HRESULT nrp_mdi_name_of(nrp_com_object *mdi, mdToken token, const char **name);

/* Full name of a TypeDef or TypeRef: "Namespace.Type", nested types as
 * "Namespace.Outer+Inner". TypeSpecs are named "?" (none occur where the
 * host asks). */
HRESULT nrp_md_type_name(nrp_com_object *mdi, mdToken token, nrp_strbuf *out);

/* Signature blob of a MethodDef, MemberRef or StandAloneSig token. */
HRESULT nrp_mdi_method_sig(nrp_com_object *mdi, mdToken method, const uint8_t **sig, ULONG *len);
HRESULT nrp_mdi_member_ref_sig(nrp_com_object *mdi, mdToken member, const uint8_t **sig, ULONG *len);
HRESULT nrp_mdi_sig_from_token(nrp_com_object *mdi, mdToken standalone, const uint8_t **sig, ULONG *len);
/* The generic method a MethodSpec instantiates (needs IMetaDataImport2). */
HRESULT nrp_mdi2_method_spec_parent(nrp_com_object *mdi2, mdToken spec, mdToken *parent);

/* Version of the module's assembly (from its manifest, through
 * IMetaDataAssemblyImport). */
HRESULT nrp_mdasm_assembly_version(nrp_com_object *asm_import, uint16_t version[4]);

/* A new TypeDef, MethodDef (no RVA: its body is set with SetILFunctionBody)
 * or FieldDef in the module, with the flags of cor.h's CorTypeAttr,
 * CorMethodAttr and CorFieldAttr. */
HRESULT nrp_mde_define_type(nrp_com_object *mde, const char *name, DWORD flags, mdToken extends, mdToken *out);
HRESULT nrp_mde_define_method(nrp_com_object *mde, mdToken type, const char *name, DWORD flags, const uint8_t *sig,
                              ULONG len, mdToken *out);
HRESULT nrp_mde_define_field(nrp_com_object *mde, mdToken type, const char *name, DWORD flags, const uint8_t *sig,
                             ULONG len, mdToken *out);
/* Generic parameter `index` of a TypeDef or MethodDef, without
 * constraints (IMetaDataEmit2, which mde2 must be). */
HRESULT nrp_mde2_define_generic_param(nrp_com_object *mde2, mdToken owner, ULONG index, const char *name,
                                      mdToken *out);

HRESULT nrp_mde_token_from_sig(nrp_com_object *mde, const uint8_t *sig, ULONG len, mdToken *out);

/* ASSEMBLYMETADATA as cor.h lays it out. */
typedef struct nrp_assembly_metadata {
    uint16_t major, minor, build, revision;
    WCHAR *locale;
    ULONG locale_len;
    DWORD *processors;
    ULONG processor_count;
    void *os;
    ULONG os_count;
} nrp_assembly_metadata;

/* Simple name of an AssemblyRef, UTF-8. */
HRESULT nrp_mdasm_assembly_ref_name(nrp_com_object *asm_import, mdToken ref, char *out, size_t cap);
/* The module's AssemblyRef to `name` (compared without case): S_OK with
 * the token, S_FALSE when there is none. */
/* Call visit with each AssemblyRef's token and simple name until it returns
 * nonzero: S_OK when it did, S_FALSE when the list ran out. */
HRESULT nrp_mdasm_each_assembly_ref(nrp_com_object *asm_import,
                                    int (*visit)(void *ctx, mdToken ref, const char *name), void *ctx);

HRESULT nrp_mdasm_find_assembly_ref(nrp_com_object *asm_import, const char *name, mdToken *out);
/* A new AssemblyRef with no version, culture or key: bound by name. */
HRESULT nrp_mdae_define_assembly_ref(nrp_com_object *asm_emit, const char *name, mdToken *out);

/* TypeDef of full name `name` ("Namespace.Type"; for a nested type the bare
 * name and its enclosing TypeDef). */
HRESULT nrp_mdi_find_type_def(nrp_com_object *mdi, const char *name, mdToken enclosing, mdToken *out);
/* Flags and base type (TypeDef, TypeRef, TypeSpec or nil) of a TypeDef. */
HRESULT nrp_mdi_type_def_extends(nrp_com_object *mdi, mdToken td, DWORD *flags, mdToken *extends);
/* Number of generic parameters of a TypeDef or MethodDef. */
HRESULT nrp_mdi2_generic_param_count(nrp_com_object *mdi2, mdToken owner, ULONG *count);
/* Flags (NRP_GP_*) of generic parameter `number` of a TypeDef or MethodDef;
 * S_FALSE when it has no such parameter. */
HRESULT nrp_mdi2_generic_param_flags(nrp_com_object *mdi2, mdToken owner, ULONG number, DWORD *flags);

/* The names of owner's generic parameters ("TValue"), by number, into
 * names[0..cap); *count is how many it has (more than cap: those past cap
 * are not named). */
#define NRP_GENERIC_NAME_CAP 128
HRESULT nrp_mdi2_generic_param_names(nrp_com_object *mdi2, mdToken owner, char (*names)[NRP_GENERIC_NAME_CAP],
                                     ULONG cap, ULONG *count);

/* IMetaDataEmit rows; an identical existing row is returned as is. */
HRESULT nrp_mde_type_ref(nrp_com_object *mde, mdToken scope, const char *name, mdToken *out);
HRESULT nrp_mde_member_ref(nrp_com_object *mde, mdToken parent, const char *name, const uint8_t *sig, ULONG len,
                           mdToken *out);
HRESULT nrp_mde_user_string(nrp_com_object *mde, const char *text, mdToken *out);
HRESULT nrp_mde_type_spec(nrp_com_object *mde, const uint8_t *sig, ULONG len, mdToken *out);

#endif
