/*
 * il_body.h - decode and encode CIL method bodies (ECMA-335 II.25.4).
 *
 * Pure C, no runtime types: the host hands in the bytes GetILFunctionBody
 * returned and gets back the bytes SetILFunctionBody wants.
 */
#ifndef NRP_IL_BODY_H
#define NRP_IL_BODY_H

#include <stddef.h>
#include <stdint.h>

#include "nrp/result.h"
#include "util/err.h"

/* Exception clause kinds (CorExceptionFlag). */
#define NRP_EH_CATCH 0x0u
#define NRP_EH_FILTER 0x1u
#define NRP_EH_FINALLY 0x2u
#define NRP_EH_FAULT 0x4u

/* One exception-handling clause, always held in the fat (32-bit) form. */
typedef struct nrp_il_clause {
    uint32_t flags;
    uint32_t try_offset;
    uint32_t try_length;
    uint32_t handler_offset;
    uint32_t handler_length;
    uint32_t class_token_or_filter_offset; /* filter offset when flags has NRP_EH_FILTER */
} nrp_il_clause;

typedef struct nrp_il_body {
    uint32_t max_stack;
    int init_locals;
    uint32_t local_sig_token; /* 0 when the method has no locals */
    uint8_t *code;
    uint32_t code_size;
    nrp_il_clause *clauses;
    uint32_t clause_count;
} nrp_il_body;

/* Decode the `size` bytes at data into out (owned copies; free with
 * nrp_il_body_free). Fails with a reason on anything malformed or
 * unsupported; out is then empty. */
nrp_result nrp_il_decode(const uint8_t *data, size_t size, nrp_il_body *out, nrp_err *err);

void nrp_il_body_free(nrp_il_body *body);

/* Exact number of bytes nrp_il_encode will write. */
size_t nrp_il_encoded_size(const nrp_il_body *body);

/* Encode into out (cap bytes). The tiny header is used only when it keeps
 * every field as it is (no locals, no clauses, max stack 8, code under 64
 * bytes), so decode(encode(b)) == b. Returns the size written, or 0 with a
 * reason when cap is too small or the body cannot be encoded. */
size_t nrp_il_encode(const nrp_il_body *body, uint8_t *out, size_t cap, nrp_err *err);

/* Put `len` bytes of IL before the first instruction. Branches are relative,
 * so they need no change; clause offsets move by len. `stack` is the depth
 * the inserted code needs (it must leave the stack empty). */
nrp_result nrp_il_insert_at_entry(nrp_il_body *body, const uint8_t *il, uint32_t len, uint32_t stack,
                                  nrp_err *err);

#endif
