/*
 * il_edit.h - the edits strategies are built from. Each works on the
 * instruction list, so branches and clauses stay right by construction;
 * nrp_il_method_encode then lays the result out.
 */
#ifndef NRP_IL_EDIT_H
#define NRP_IL_EDIT_H

#include "il/il_method.h"
#include "nrp/result.h"

/* Decode il and put it before the first instruction. Branches to the old
 * first instruction (loops) still go there, not to the new code. */
nrp_result nrp_il_edit_insert_at_entry(nrp_il_method *m, const uint8_t *il, size_t len, nrp_err *err);

/* Add a local of the type whose signature bytes are given (e.g. {0x08} for
 * int32), extending the local signature or creating one. */
nrp_result nrp_il_edit_add_local(nrp_il_method *m, const uint8_t *type, size_t len, uint32_t *index, nrp_err *err);

/* Give instruction i a new opcode and operand in place; branches and
 * clauses that point at i keep pointing at it. target is for branches. */
nrp_result nrp_il_edit_replace(nrp_il_method *m, nrp_il_instr *i, uint16_t op, int64_t value, nrp_il_instr *target,
                               nrp_err *err);

typedef struct nrp_il_returns {
    nrp_il_instr *epilogue;   /* first instruction of the shared epilogue */
    int32_t value_local;      /* local holding the return value; -1 for void */
} nrp_il_returns;

/* Make every ret store its value (non-void) in a new local and branch to
 * one epilogue appended at the end: [ldloc value] ret. tail. prefixes are
 * dropped, as a tail call must be followed by its ret. */
nrp_result nrp_il_edit_redirect_returns(nrp_il_method *m, nrp_il_returns *out, nrp_err *err);

typedef struct nrp_il_wrap_spec {
    const uint8_t *entry_il;  /* runs before the protected body; may be empty */
    size_t entry_len;
    int with_catch;           /* catch_il as an exception of catch_type leaves (see nrp_il_edit_wrap) */
    uint32_t catch_type;      /* TypeDef/TypeRef token of the observed type */
    const uint8_t *catch_il;  /* starts with the exception on the stack; must leave it there */
    size_t catch_len;
    int with_finally;         /* finally { finally_il; endfinally } */
    const uint8_t *finally_il;
    size_t finally_len;
    const uint8_t *exit_il;   /* runs on normal return only, before the epilogue's ret, starting with
                                 the return value on the stack (if any); must leave it empty */
    size_t exit_len;
    uint32_t guard_type;      /* nonzero: entry, catch and exit code each run inside
                                 try { } catch (guard_type) { pop }, so what they throw is swallowed */
    int exit_keeps_value;     /* exit_il leaves a value on the stack, which becomes the value returned */
    int exit_unguarded;       /* the host's own exit code, which throws nothing: not guarded by guard_type */
} nrp_il_wrap_spec;

/* Wrap the whole original body as drawn at struct nrp_wrap in
 * include/nrp/plugin.h (the one drawing of it), with every ret turned into
 * a leave to the shared epilogue after the handlers (the return value kept
 * in a new local, reported in out). The
 * exception is never caught, so the app's exception handling (first pass,
 * filters, unhandled exceptions) is unchanged; the catch code runs as it
 * leaves the method, after the body's own finally blocks. Clauses are added
 * inner (filter, fault) before outer (finally), after the body's own.
 * Methods using jmp are refused. */
nrp_result nrp_il_edit_wrap(nrp_il_method *m, const nrp_il_wrap_spec *spec, nrp_il_returns *out, nrp_err *err);

/* The shortest ldloc / stloc form for a local index. */
uint16_t nrp_il_ldloc_op(uint32_t index);
uint16_t nrp_il_stloc_op(uint32_t index);

#endif
