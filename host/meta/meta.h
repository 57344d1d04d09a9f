/*
 * meta.h - an offline ECMA-335 metadata reader over an assembly's bytes in
 * memory: no runtime, no COM. It reads the PE/COFF headers and sections,
 * the CLI header, the metadata root and its streams (#~ or #-, #Strings,
 * #Blob, #GUID, #US), and lays out every table (II.22) from the row counts,
 * the heap index sizes and the coded-index sizes, so any table's rows can
 * be found. Readers for the rows the profiler needs sit on top.
 *
 * Every read is bounds-checked: a truncated or hostile file gives NRP_ERROR
 * with a reason, never a read outside the buffer. Strings and blobs handed
 * out point into the buffer and live as long as it does.
 *
 * Rows are numbered from 1, as metadata tokens number them; a token is
 * (table << 24) | row.
 */
#ifndef NRP_META_H
#define NRP_META_H

#include <stddef.h>
#include <stdint.h>

#include "nrp/result.h"
#include "sig/sig.h"
#include "util/err.h"
#include "util/strbuf.h"

/* Table numbers (ECMA-335 II.22), as the top byte of a token. */
enum nrp_meta_table {
    NRP_META_MODULE = 0x00,
    NRP_META_TYPEREF = 0x01,
    NRP_META_TYPEDEF = 0x02,
    NRP_META_FIELDPTR = 0x03,
    NRP_META_FIELD = 0x04,
    NRP_META_METHODPTR = 0x05,
    NRP_META_METHODDEF = 0x06,
    NRP_META_PARAMPTR = 0x07,
    NRP_META_PARAM = 0x08,
    NRP_META_INTERFACEIMPL = 0x09,
    NRP_META_MEMBERREF = 0x0A,
    NRP_META_CONSTANT = 0x0B,
    NRP_META_CUSTOMATTRIBUTE = 0x0C,
    NRP_META_FIELDMARSHAL = 0x0D,
    NRP_META_DECLSECURITY = 0x0E,
    NRP_META_CLASSLAYOUT = 0x0F,
    NRP_META_FIELDLAYOUT = 0x10,
    NRP_META_STANDALONESIG = 0x11,
    NRP_META_EVENTMAP = 0x12,
    NRP_META_EVENTPTR = 0x13,
    NRP_META_EVENT = 0x14,
    NRP_META_PROPERTYMAP = 0x15,
    NRP_META_PROPERTYPTR = 0x16,
    NRP_META_PROPERTY = 0x17,
    NRP_META_METHODSEMANTICS = 0x18,
    NRP_META_METHODIMPL = 0x19,
    NRP_META_MODULEREF = 0x1A,
    NRP_META_TYPESPEC = 0x1B,
    NRP_META_IMPLMAP = 0x1C,
    NRP_META_FIELDRVA = 0x1D,
    NRP_META_ENCLOG = 0x1E,
    NRP_META_ENCMAP = 0x1F,
    NRP_META_ASSEMBLY = 0x20,
    NRP_META_ASSEMBLYPROCESSOR = 0x21,
    NRP_META_ASSEMBLYOS = 0x22,
    NRP_META_ASSEMBLYREF = 0x23,
    NRP_META_ASSEMBLYREFPROCESSOR = 0x24,
    NRP_META_ASSEMBLYREFOS = 0x25,
    NRP_META_FILE = 0x26,
    NRP_META_EXPORTEDTYPE = 0x27,
    NRP_META_MANIFESTRESOURCE = 0x28,
    NRP_META_NESTEDCLASS = 0x29,
    NRP_META_GENERICPARAM = 0x2A,
    NRP_META_METHODSPEC = 0x2B,
    NRP_META_GENERICPARAMCONSTRAINT = 0x2C,
    NRP_META_TABLE_COUNT = 0x2D
};

/* TypeDef flags (II.23.1.15) and MethodDef flags (II.23.1.10) the readers' users test. */
#define NRP_META_TYPE_VISIBILITY_MASK 0x7u
#define NRP_META_TYPE_PUBLIC 0x1u
#define NRP_META_TYPE_NESTED_PUBLIC 0x2u
#define NRP_META_TYPE_INTERFACE 0x20u
#define NRP_META_METHOD_ACCESS_MASK 0x7u
#define NRP_META_METHOD_PUBLIC 0x6u
#define NRP_META_METHOD_STATIC 0x10u
#define NRP_META_METHOD_ABSTRACT 0x400u

/* An opened assembly (or module). Opaque; read-only once opened, so one may
 * be read from several threads at once (but a sparse one: see
 * nrp_meta_open_file_sparse). */
typedef struct nrp_meta nrp_meta;

/* Open the metadata of a PE file held in data[0..len). The bytes are not
 * copied: keep them until nrp_meta_close. */
nrp_result nrp_meta_open(const uint8_t *data, size_t len, nrp_meta **out, nrp_err *err);

/* Open the metadata of an image the runtime has loaded, in place at `base`:
 * mapped (sections at their RVAs, as the loader lays them out) or flat
 * (the file's bytes as they are). Its extent comes from the PE headers
 * (SizeOfImage; for a flat image, the end of its last section's raw data)
 * and bounds every read. The image must stay loaded until nrp_meta_close. */
nrp_result nrp_meta_open_image(const uint8_t *base, int mapped, nrp_meta **out, nrp_err *err);

/* Read the file at `path` (at most 512 MB) and open it; the reader owns the
 * bytes. */
nrp_result nrp_meta_open_file(const char *path, nrp_meta **out, nrp_err *err);

/* Open the file at `path` sparsely: read, with pread, only its headers,
 * the tables whose bits are set in `tables` (1 << NRP_META_TYPEDEF, ...),
 * and the #Strings and #Blob entries those are asked for, each once, when
 * first asked; other tables read as empty, until nrp_meta_find_type needs
 * the TypeDef rows (a few of them from a ReadyToRun image, else the
 * TypeDef and NestedClass tables, read then). With `image` (a module the
 * runtime has loaded, as for nrp_meta_open_image), refused unless the
 * file's PE headers are the image's byte for byte, so that a file replaced
 * on disk since the load is not read for it.
 * Why not read the runtime's image in place: every page first read in a
 * mapping is a page fault (tens of microseconds on some VMs), after which
 * the kernel maps up to 64 KiB of the file's cached pages around it into
 * the process (fault-around), where they count in its resident memory for
 * good; the few rows a module's load needs cost a few hundred KiB of RSS
 * per assembly that way, against a few small reads here.
 * A sparse reader keeps the file open until nrp_meta_close and caches what
 * it reads: unlike the others, use it from one thread at a time. */
nrp_result nrp_meta_open_file_sparse(const char *path, const uint8_t *image, uint64_t tables, nrp_meta **out,
                                     nrp_err *err);

void nrp_meta_close(nrp_meta *m);

/* Rows in a table; 0 for a table the file does not have. */
uint32_t nrp_meta_row_count(const nrp_meta *m, unsigned table);

/* The metadata version string of the root, e.g. "v4.0.30319". */
const char *nrp_meta_runtime_version(const nrp_meta *m);

typedef struct nrp_meta_version {
    uint16_t major, minor, build, revision;
} nrp_meta_version;

/* The Assembly row (0x20). NRP_ERROR for a module without one. */
typedef struct nrp_meta_assembly {
    const char *name;
    const char *culture;      /* "" for neutral */
    nrp_meta_version version;
    uint32_t flags;
    uint32_t hash_alg;
} nrp_meta_assembly;
nrp_result nrp_meta_assembly_row(const nrp_meta *m, nrp_meta_assembly *out, nrp_err *err);

/* An AssemblyRef row (0x23). */
typedef struct nrp_meta_assembly_ref {
    const char *name;
    const char *culture;
    nrp_meta_version version;
    uint32_t flags;
    const uint8_t *public_key_or_token;
    uint32_t public_key_or_token_len;
} nrp_meta_assembly_ref;
nrp_result nrp_meta_assembly_ref_row(const nrp_meta *m, uint32_t row, nrp_meta_assembly_ref *out, nrp_err *err);
/* Only the name of an AssemblyRef row: a sparse reader then reads one
 * #Strings entry, not the #Blob heap's public key as well. */
nrp_result nrp_meta_assembly_ref_name(const nrp_meta *m, uint32_t row, const char **name, nrp_err *err);

/* A TypeRef row (0x01). scope is a token (Module, ModuleRef, AssemblyRef or,
 * for a nested type, the enclosing TypeRef), or 0. */
typedef struct nrp_meta_type_ref {
    uint32_t scope;
    const char *name;
    const char *namespace_;
} nrp_meta_type_ref;
nrp_result nrp_meta_type_ref_row(const nrp_meta *m, uint32_t row, nrp_meta_type_ref *out, nrp_err *err);

/* A TypeDef row (0x02). extends is a TypeDef, TypeRef or TypeSpec token, or
 * 0. Its methods are listed by nrp_meta_methods_begin/next. */
typedef struct nrp_meta_type_def {
    uint32_t flags;
    const char *name;
    const char *namespace_;
    uint32_t extends;
} nrp_meta_type_def;
nrp_result nrp_meta_type_def_row(const nrp_meta *m, uint32_t row, nrp_meta_type_def *out, nrp_err *err);

/* A MethodDef row (0x06). */
typedef struct nrp_meta_method_def {
    uint32_t rva;
    uint16_t impl_flags;
    uint16_t flags;
    const char *name;
    const uint8_t *signature; /* MethodDefSig (II.23.2.1) */
    uint32_t signature_len;
} nrp_meta_method_def;
nrp_result nrp_meta_method_def_row(const nrp_meta *m, uint32_t row, nrp_meta_method_def *out, nrp_err *err);

/* Why a method has no IL body a rewrite could change ("abstract",
 * "P/Invoke", ...), from its MethodDef flags, implementation flags and
 * RVA; NULL when it has one. */
const char *nrp_meta_no_il_reason(uint16_t flags, uint16_t impl_flags, uint32_t rva);

/* A Param row (0x08): a method parameter's name and flags; sequence 0 is
 * the return value, 1 the first parameter. Rows for unnamed parameters
 * may be left out, so sequences can skip. */
typedef struct nrp_meta_param {
    uint16_t flags;
    uint16_t sequence;
    const char *name;
} nrp_meta_param;
nrp_result nrp_meta_param_row(const nrp_meta *m, uint32_t row, nrp_meta_param *out, nrp_err *err);

/* The Param rows of MethodDef `method_row`: [*first, *end), through
 * ParamPtr when the file has one (then they are ParamPtr positions:
 * nrp_meta_param_row takes the row each names, via nrp_meta_param_at). */
nrp_result nrp_meta_params_of(const nrp_meta *m, uint32_t method_row, uint32_t *first, uint32_t *end,
                              nrp_err *err);
/* Position `at` of a method's parameter list as a Param row. */
nrp_result nrp_meta_param_at(const nrp_meta *m, uint32_t at, uint32_t *row, nrp_err *err);

/* The signature blob of a TypeSpec row (0x1B). */
nrp_result nrp_meta_type_spec_row(const nrp_meta *m, uint32_t row, const uint8_t **sig, uint32_t *len, nrp_err *err);

/* The TypeDef row enclosing TypeDef `row` (NestedClass, 0x29), or 0 when it
 * is not nested. */
nrp_result nrp_meta_enclosing_type(const nrp_meta *m, uint32_t row, uint32_t *enclosing, nrp_err *err);

/* Generic parameters owned by a TypeDef or MethodDef token (GenericParam, 0x2A). */
nrp_result nrp_meta_generic_param_count(const nrp_meta *m, uint32_t owner, uint32_t *count, nrp_err *err);

/* The TypeDef row of the type of that full name, as rules and metric labels
 * write it: "Namespace.Type", nested "Namespace.Outer+Inner", generic
 * "Namespace.List`1"; the namespace is all before the last dot, as the
 * runtime splits a name. *row is 0 when the file defines no such type (not
 * an error); NRP_ERROR only for a file that cannot be read. */
nrp_result nrp_meta_find_type(const nrp_meta *m, const char *full_name, uint32_t *row, nrp_err *err);

/* The methods of a TypeDef: position `next` up to `end` in its method list
 * (followed through MethodPtr when the file has one). */
typedef struct nrp_meta_method_iter {
    uint32_t next, end;
} nrp_meta_method_iter;
nrp_result nrp_meta_methods_begin(const nrp_meta *m, uint32_t type_row, nrp_meta_method_iter *it, nrp_err *err);
/* 1 and the next MethodDef row in *row; 0 at the end; NRP_ERROR on a bad list. */
int nrp_meta_methods_next(const nrp_meta *m, nrp_meta_method_iter *it, uint32_t *row, nrp_err *err);

/* What points at a row (relations.c). Tables a sparse reader has not read
 * count as empty here: these are for whole readers. */

/* The interfaces TypeDef `row` declares it implements (TypeDef, TypeRef or
 * TypeSpec tokens), in file order, the first cap of them into out; *count
 * is how many there are. */
nrp_result nrp_meta_interfaces(const nrp_meta *m, uint32_t row, uint32_t *out, size_t cap, size_t *count,
                               nrp_err *err);

/* The TypeDef row that declares MethodDef `method_row`. */
nrp_result nrp_meta_method_owner(const nrp_meta *m, uint32_t method_row, uint32_t *type_row, nrp_err *err);

/* The owner (a TypeDef, MethodDef or any token a custom attribute may sit
 * on) carries a custom attribute whose type has this full name
 * ("Demo.TracedAttribute"): 1; 0 when none does; -1 when none does among
 * those that could be read and some could not. */
int nrp_meta_has_attribute(const nrp_meta *m, uint32_t owner, const char *attribute);

/* Append the full name of a TypeDef, TypeRef or TypeSpec token to out,
 * written as sig.h writes types ("System.Object[]", "Outer+Inner",
 * "System.Collections.Generic.List`1<System.String>"). */
int nrp_meta_type_name(const nrp_meta *m, uint32_t token, nrp_strbuf *out, nrp_err *err);

/* The label of MethodDef `method_row`, declared by `type` (its full name),
 * as the profiler writes it (sig.h: nrp_sig_method_label), its generic
 * parameters named from the GenericParam table. */
nrp_result nrp_meta_method_label(const nrp_meta *m, uint32_t method_row, const char *type, nrp_sig_label *out,
                                 nrp_err *err);

/* A method signature's types by name: the return type ("System.Void" for
 * void) into ret, the parameters comma separated, without spaces, into
 * params, its head into info (may be NULL). *has_modifiers is set when a
 * custom modifier (modreq/modopt) precedes the return type or a parameter:
 * names leave them out, yet a call site must repeat them. */
nrp_result nrp_meta_method_sig_names(const nrp_meta *m, const uint8_t *sig, uint32_t len, nrp_strbuf *ret,
                                     nrp_strbuf *params, nrp_method_sig_info *info, int *has_modifiers, nrp_err *err);

/* Whether the file defines a public type `type` (full name as above, not
 * generic, every enclosing type public too) with a public static method
 * `name` that code in another assembly can call with this signature:
 * default calling convention (not generic, not varargs), no custom
 * modifiers, return type `returns` ("System.Void" for none) and parameters
 * `params` ("System.String,System.Object[]", "" for none), types by full
 * name as nrp_meta_method_sig_names writes them. NRP_OK when it does;
 * otherwise NRP_ERROR and a reason naming what is missing, e.g. "type
 * Shop.Hooks has no method OnEntr" or "type Shop.Hooks has no public
 * static method OnEnter(System.String) returning System.Object (found:
 * instance OnEnter(System.String) returning System.Object)". */
nrp_result nrp_meta_check_static_method(const nrp_meta *m, const char *type, const char *name, const char *returns,
                                        const char *params, nrp_err *reason);

/* ---- method bodies and what their code names (body.c) -------------------
 * What reading a method's IL offline needs: the rows a call site or a
 * local signature token names, and the body's bytes. Tables a sparse
 * reader has not read count as empty. */

/* A MemberRef row (0x0A). class_ is a TypeDef, TypeRef, ModuleRef,
 * MethodDef or TypeSpec token, or 0. */
typedef struct nrp_meta_member_ref {
    uint32_t class_;
    const char *name;
    const uint8_t *signature; /* MethodRefSig (II.23.2.2) or FieldSig */
    uint32_t signature_len;
} nrp_meta_member_ref;
nrp_result nrp_meta_member_ref_row(const nrp_meta *m, uint32_t row, nrp_meta_member_ref *out, nrp_err *err);

/* A MethodSpec row (0x2B): the generic method (a MethodDef or MemberRef
 * token, never 0) and its instantiation blob (II.23.2.15). */
typedef struct nrp_meta_method_spec {
    uint32_t method;
    const uint8_t *instantiation;
    uint32_t instantiation_len;
} nrp_meta_method_spec;
nrp_result nrp_meta_method_spec_row(const nrp_meta *m, uint32_t row, nrp_meta_method_spec *out, nrp_err *err);

/* The signature blob of a StandAloneSig row (0x11): a method signature
 * for calli, or a LocalVarSig. */
nrp_result nrp_meta_standalone_sig_row(const nrp_meta *m, uint32_t row, const uint8_t **sig, uint32_t *len,
                                       nrp_err *err);

/* The whole method body at `rva` (a MethodDef's RVA): its header, code and
 * exception sections, *len bytes as the header says, all inside one
 * section of the file; NRP_ERROR when they run past it. The bytes live as
 * long as the reader. */
nrp_result nrp_meta_method_body(const nrp_meta *m, uint32_t rva, const uint8_t **body, size_t *len, nrp_err *err);

#endif
