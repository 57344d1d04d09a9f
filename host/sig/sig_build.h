/*
 * sig_build.h - build signature blobs (ECMA-335 II.23.2): method and
 * standalone method signatures, local-variable signatures, and the pieces
 * they are made of. Types are passed as the bytes of one signature type.
 */
#ifndef NRP_SIG_BUILD_H
#define NRP_SIG_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "nrp/emit.h" /* nrp_sig_put_compressed, nrp_sig_put_type_token: shared with plugins */
#include "nrp/result.h"
#include "sig/sig.h"
#include "util/err.h"

/* A growable blob of signature bytes (strbuf is its text twin; both grow
 * through nrp_array_reserve); check `status` once at the end. */
typedef struct nrp_sig_blob {
    uint8_t *data;
    size_t len;
    size_t cap;
    nrp_result status; /* NRP_NOMEM once an append failed; later appends do nothing */
} nrp_sig_blob;

void nrp_sig_blob_init(nrp_sig_blob *b);
void nrp_sig_blob_free(nrp_sig_blob *b);
void nrp_sig_blob_bytes(nrp_sig_blob *b, const uint8_t *p, size_t n);
void nrp_sig_blob_compressed(nrp_sig_blob *b, uint32_t v);
void nrp_sig_blob_byte(nrp_sig_blob *b, uint8_t v);
/* An element type and a TypeDef, TypeRef or TypeSpec token after it, as
 * TypeDefOrRefOrSpecEncoded: CLASS <token>, VALUETYPE <token>, CMOD_OPT
 * <token>. Any other token makes the blob unusable (status). */
void nrp_sig_blob_type(nrp_sig_blob *b, uint8_t element, uint32_t token);

/* callconv [generic count] param count, return type, parameter types. The
 * generic count is written when callconv has NRP_CALLCONV_GENERIC. Each
 * type must be exactly one signature type. */
nrp_result nrp_sig_build_method(nrp_sig_blob *out, uint8_t callconv, uint32_t generic_params, nrp_sig_span ret,
                                const nrp_sig_span *params, uint32_t count, nrp_err *err);

/* 0x07, count, types. */
nrp_result nrp_sig_build_locals(nrp_sig_blob *out, const nrp_sig_span *types, uint32_t count, nrp_err *err);

/* Split a local-variable signature into its types (spans point into sig).
 * *count gets the number of locals; up to max spans are filled. */
nrp_result nrp_sig_parse_locals(const uint8_t *sig, size_t len, uint32_t *count, nrp_sig_span *types, uint32_t max,
                                nrp_err *err);

/* Append one type to a local-variable signature: a new blob with count+1
 * (a NULL/empty sig starts a new one). */
nrp_result nrp_sig_locals_append(const uint8_t *sig, size_t len, nrp_sig_span type, nrp_sig_blob *out, uint32_t *index,
                                 nrp_err *err);

#endif
