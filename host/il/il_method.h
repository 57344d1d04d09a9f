/*
 * il_method.h - a method body as an editable list of instructions.
 *
 * Decoding turns the bytes into instructions whose branch targets and
 * exception-clause boundaries point at instructions, never at byte offsets,
 * so edits never have to patch offsets. Encoding lays the list out again:
 * it picks short or long branch forms, recomputes every offset, computes
 * the max stack over all paths, and orders clauses inner before outer.
 *
 * Pure C, no runtime types. What only the runtime knows (the stack effect of
 * a call token, the blob behind a local-signature token, a token for a new
 * blob) is asked through the callbacks of nrp_il_env.
 */
#ifndef NRP_IL_METHOD_H
#define NRP_IL_METHOD_H

#include <stddef.h>
#include <stdint.h>

#include "il/il_body.h"
#include "nrp/result.h"
#include "util/arena.h"
#include "util/err.h"

typedef struct nrp_il_instr nrp_il_instr;

struct nrp_il_instr {
    nrp_il_instr *prev;
    nrp_il_instr *next;
    uint16_t op;               /* NRP_OP_*; branches always in their long form */
    int64_t value;             /* integer, index, token, or the raw bits of a float */
    nrp_il_instr *target;      /* branch target */
    nrp_il_instr **targets;    /* switch targets */
    uint32_t target_count;
    uint32_t offset;           /* byte offset, as decoded or as last laid out */
    int32_t depth;             /* stack depth on entry, from the last analysis; -1 unreached */
    uint8_t short_form;        /* layout: branch encoded in its short form */
};

/* An exception clause. `*_end` is the first instruction after the range,
 * NULL for the end of the code. */
typedef struct nrp_il_clause_ref {
    uint32_t flags;            /* NRP_EH_* */
    nrp_il_instr *try_start;
    nrp_il_instr *try_end;
    nrp_il_instr *handler_start;
    nrp_il_instr *handler_end;
    nrp_il_instr *filter_start; /* NRP_EH_FILTER only */
    uint32_t class_token;       /* NRP_EH_CATCH only */
} nrp_il_clause_ref;

/* Stack effect of a call-site token (MethodDef, MemberRef, MethodSpec, or a
 * StandAloneSig for calli). */
typedef struct nrp_il_call_info {
    int has_this;              /* an instance method: `this` is popped too */
    uint32_t params;
    int returns_value;
} nrp_il_call_info;

typedef struct nrp_il_env {
    void *ctx;
    nrp_result (*call_info)(void *ctx, uint32_t token, nrp_il_call_info *out, nrp_err *err);
    /* The blob behind a local-variable-signature token. */
    nrp_result (*local_sig)(void *ctx, uint32_t token, const uint8_t **blob, uint32_t *len, nrp_err *err);
    /* A StandAloneSig token for a new blob. */
    nrp_result (*sig_token)(void *ctx, const uint8_t *blob, uint32_t len, uint32_t *token, nrp_err *err);
} nrp_il_env;

typedef struct nrp_il_method {
    nrp_il_instr *first;
    nrp_il_instr *last;
    uint32_t count;
    nrp_il_clause_ref *clauses;
    uint32_t clause_count;
    size_t clause_cap;
    uint32_t max_stack;        /* as declared by the original header */
    int init_locals;
    uint32_t local_sig_token;  /* 0: no locals */
    uint8_t *locals;           /* local signature blob once read or extended */
    uint32_t locals_len;
    int locals_changed;        /* a new token is needed when encoding */
    const uint8_t *method_sig; /* the method's own signature (for ret and new locals) */
    uint32_t method_sig_len;
    nrp_il_env env;
    nrp_arena arena;
} nrp_il_method;

/* Decode a whole method body (header, code, exception sections). The
 * method's signature is needed for `ret`; env may have NULL callbacks when
 * the caller will not encode or add locals. */
nrp_result nrp_il_method_decode(const uint8_t *body, size_t size, const uint8_t *method_sig, uint32_t sig_len,
                                const nrp_il_env *env, nrp_il_method **out, nrp_err *err);

void nrp_il_method_free(nrp_il_method *m);

/* Lay out, analyse and encode. *out is malloc'd. */
nrp_result nrp_il_method_encode(nrp_il_method *m, uint8_t **out, size_t *size, nrp_err *err);

/* Lay the list out (offsets, branch forms) without encoding. Returns the
 * code size. */
uint32_t nrp_il_layout(nrp_il_method *m);

/* Max stack over every path from the entry and every handler. Fails on
 * underflow, on inconsistent depths where paths meet, on code that falls
 * off the end or into a handler, and on tokens the env cannot describe. */
int nrp_il_max_stack(nrp_il_method *m, uint32_t *max, nrp_err *err);

/* ---- building blocks for edits ---------------------------------------- */

/* A new, unlinked instruction. */
nrp_il_instr *nrp_il_new(nrp_il_method *m, uint16_t op, int64_t value);

void nrp_il_insert_before(nrp_il_method *m, nrp_il_instr *pos, nrp_il_instr *ins);
void nrp_il_insert_after(nrp_il_method *m, nrp_il_instr *pos, nrp_il_instr *ins);
/* Append after the last instruction. Clauses that reached the end of the
 * code end before ins: appended code is outside every existing clause. */
void nrp_il_append(nrp_il_method *m, nrp_il_instr *ins);

/* Unlink ins; branches and clauses that pointed at it move to its
 * successor. Refused (NRP_ERROR, nothing changed) for a last instruction
 * that something still points at. */
nrp_result nrp_il_remove(nrp_il_method *m, nrp_il_instr *ins);

/* Decode a standalone run of IL into unlinked instructions chained by
 * next/prev: *first .. *last. Branches resolve inside the snippet; a branch
 * to its very end goes to `after`, the instruction that will follow it
 * (refused when after is NULL). */
nrp_result nrp_il_decode_snippet(nrp_il_method *m, const uint8_t *il, size_t len, nrp_il_instr *after,
                                 nrp_il_instr **first, nrp_il_instr **last, nrp_err *err);

/* Append a clause (as the outermost so far). */
nrp_result nrp_il_add_clause(nrp_il_method *m, const nrp_il_clause_ref *c, nrp_err *err);

#endif
