/*
 * sig.h - read method signatures (ECMA-335 II.23.2) and format their types
 * the way rules and metric labels write them: "System.Int32",
 * "System.Collections.Generic.List`1<System.String>", "System.Byte[]",
 * "System.Int32&", nested types as "Outer+Inner", generic parameters as
 * "!0" (type) and "!!0" (method).
 *
 * Pure C: type tokens are named through a caller-supplied resolver, so the
 * module needs no metadata reader of its own.
 */
#ifndef NRP_SIG_H
#define NRP_SIG_H

#include <stddef.h>
#include <stdint.h>

#include "nrp/result.h"
#include "util/err.h"
#include "util/strbuf.h"

/* Names the type behind a TypeDef (0x02......), TypeRef (0x01......) or
 * TypeSpec (0x1B......) token by appending it to out. Returns NRP_OK or
 * NRP_ERROR. */
typedef int (*nrp_sig_type_namer)(void *ctx, uint32_t token, nrp_strbuf *out);

/* Decode one compressed unsigned integer (II.23.2) at *p, advancing *p. */
nrp_result nrp_sig_read_compressed(const uint8_t **p, const uint8_t *end, uint32_t *out);

/* Read a TypeDefOrRefOrSpecEncoded type (II.23.2.8) at *p as a metadata
 * token, advancing *p. NRP_ERROR when truncated or the table tag is bad. */
nrp_result nrp_sig_read_type_token(const uint8_t **p, const uint8_t *end, uint32_t *token);

typedef struct nrp_method_sig_info {
    uint8_t callconv;         /* first byte: NRP_CALLCONV_* flags and kind */
    int has_this;             /* instance method */
    uint32_t generic_params;  /* method generic arity */
    uint32_t param_count;
} nrp_method_sig_info;

/* Parse a method signature and append its parameter types, comma separated
 * with no spaces, to params (e.g. "System.Int32,System.String[]").
 * info may be NULL. */
nrp_result nrp_sig_format_method_params(const uint8_t *sig, size_t len, nrp_sig_type_namer namer,
                                        void *namer_ctx, nrp_strbuf *params, nrp_method_sig_info *info,
                                        nrp_err *err);

/* A method's label, as metrics and rules name it. */
typedef struct nrp_sig_label {
    nrp_strbuf params;       /* "!!0,System.Int32": generic parameters by number */
    nrp_strbuf named_params; /* "TValue,System.Int32" for a generic method whose names are known; else empty */
    nrp_strbuf display;      /* "Ns.Type::Name<TValue>(TValue,System.Int32)", or "Ns.Type::Name(System.Int32)" */
} nrp_sig_label;

void nrp_sig_label_init(nrp_sig_label *l);
void nrp_sig_label_free(nrp_sig_label *l);

/* The label of method `name` of `type` with signature sig: its parameter
 * types, and the display name metrics carry. A generic method's type
 * parameters are named when `generics` gives them all (by number), as
 * C# writes them; without their names it keeps "!!0". One function for the
 * profiler and nrprof check, so both write the same labels. */
nrp_result nrp_sig_method_label(const char *type, const char *name, const uint8_t *sig, size_t len,
                                nrp_sig_type_namer namer, void *namer_ctx, const char *const *generics,
                                uint32_t generic_count, nrp_sig_label *out, nrp_err *err);

/* A run of bytes inside a signature. */
typedef struct nrp_sig_span {
    const uint8_t *data;
    size_t len;
} nrp_sig_span;

/* Read a method signature's head and return type: *returns_value is 0 for
 * void (modifiers before it allowed); ret (may be NULL) gets the bytes of
 * the return type, modifiers included, ready to declare a local of it. */
nrp_result nrp_sig_method_return(const uint8_t *sig, size_t len, nrp_method_sig_info *info, nrp_sig_span *ret,
                                 int *returns_value, nrp_err *err);

/* Parameter `index` of a method signature (-1: the return type): its type
 * without custom modifiers or BYREF, and whether it is passed by reference. */
nrp_result nrp_sig_method_param(const uint8_t *sig, size_t len, int32_t index, nrp_sig_span *type, int *byref,
                                nrp_err *err);

/* Advance *p over one type. */
int nrp_sig_skip_type(const uint8_t **p, const uint8_t *end, nrp_err *err);

/* Append the name of the one type at *p to out, as the parameters above are
 * written (custom modifiers left out), advancing *p over it. */
int nrp_sig_format_type(const uint8_t **p, const uint8_t *end, nrp_sig_type_namer namer, void *namer_ctx,
                        nrp_strbuf *out, nrp_err *err);

#endif
