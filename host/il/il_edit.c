#include "il/il_edit.h"

#include <stdlib.h>
#include <string.h>

#include "il/opcode_info.h"
#include "nrp/il.h"
#include "nrp/result.h"
#include "sig/sig.h"
#include "sig/sig_build.h"

static void insert_chain_before(nrp_il_method *m, nrp_il_instr *pos, nrp_il_instr *first)
{
    for (nrp_il_instr *i = first, *next; i; i = next) {
        next = i->next;
        nrp_il_insert_before(m, pos, i);
    }
}

nrp_result nrp_il_edit_insert_at_entry(nrp_il_method *m, const uint8_t *il, size_t len, nrp_err *err)
{
    nrp_il_instr *first, *last;
    if (nrp_il_decode_snippet(m, il, len, m->first, &first, &last, err) != NRP_OK)
        return NRP_ERROR;
    insert_chain_before(m, m->first, first);
    return NRP_OK;
}

/* The current local signature: read once through the env. */
static nrp_result load_locals(nrp_il_method *m, const uint8_t **blob, uint32_t *len, nrp_err *err)
{
    *blob = m->locals;
    *len = m->locals_len;
    if (m->locals || !m->local_sig_token)
        return NRP_OK; /* already read, or no locals yet */
    if (!m->env.local_sig)
        return nrp_err_set(err, "no way to read the local signature 0x%08x", m->local_sig_token);
    return m->env.local_sig(m->env.ctx, m->local_sig_token, blob, len, err);
}

nrp_result nrp_il_edit_add_local(nrp_il_method *m, const uint8_t *type, size_t len, uint32_t *index, nrp_err *err)
{
    const uint8_t *old;
    uint32_t old_len;
    nrp_sig_blob blob;
    if (load_locals(m, &old, &old_len, err) != NRP_OK)
        return NRP_ERROR;
    nrp_sig_blob_init(&blob);
    if (nrp_sig_locals_append(old, old_len, (nrp_sig_span){type, len}, &blob, index, err) != NRP_OK) {
        nrp_sig_blob_free(&blob);
        return NRP_ERROR;
    }
    free(m->locals);
    m->locals = blob.data;
    m->locals_len = (uint32_t)blob.len;
    m->locals_changed = 1;
    return NRP_OK;
}

nrp_result nrp_il_edit_replace(nrp_il_method *m, nrp_il_instr *i, uint16_t op, int64_t value, nrp_il_instr *target,
                               nrp_err *err)
{
    (void)m;
    const nrp_il_opinfo *info = nrp_il_opinfo_of(op);
    if (!info)
        return nrp_err_set(err, "unknown opcode 0x%04x", op);
    if (info->operand == NRP_OPERAND_SWITCH)
        return nrp_err_set(err, "a switch cannot be put in place of another instruction");
    int branch = info->operand == NRP_OPERAND_BR || info->operand == NRP_OPERAND_SHORT_BR;
    if (branch != (target != NULL))
        return nrp_err_set(err, "%s %s a branch target", info->name, branch ? "needs" : "takes no");
    i->op = branch ? nrp_il_long_branch(op) : op;
    i->value = branch ? 0 : value;
    i->target = target;
    i->targets = NULL;
    i->target_count = 0;
    return NRP_OK;
}

uint16_t nrp_il_ldloc_op(uint32_t index)
{
    return index < 4 ? (uint16_t)(NRP_OP_LDLOC_0 + index) : index < 256 ? NRP_OP_LDLOC_S : NRP_OP_LDLOC;
}

uint16_t nrp_il_stloc_op(uint32_t index)
{
    return index < 4 ? (uint16_t)(NRP_OP_STLOC_0 + index) : index < 256 ? NRP_OP_STLOC_S : NRP_OP_STLOC;
}

static nrp_il_instr *local_op(nrp_il_method *m, uint16_t op, uint32_t index)
{
    return nrp_il_new(m, op, nrp_il_opinfo_of(op)->operand == NRP_OPERAND_NONE ? 0 : index);
}

static nrp_result drop_tail_prefixes(nrp_il_method *m, nrp_err *err)
{
    for (nrp_il_instr *i = m->first, *next; i; i = next) {
        next = i->next;
        if (i->op == NRP_OP_TAIL && nrp_il_remove(m, i) != NRP_OK)
            return nrp_err_set(err, "IL_%04x: tail. prefix with nothing after it", i->offset);
    }
    return NRP_OK;
}

/* Turn every ret into [stloc value] + br/leave epilogue, the epilogue being
 * built but not yet placed. */
static nrp_result redirect(nrp_il_method *m, uint16_t jump, nrp_il_returns *out, nrp_il_instr **epi_last, nrp_err *err)
{
    int returns;
    nrp_sig_span ret_type;
    if (!m->method_sig)
        return nrp_err_set(err, "the method's signature is needed to redirect its returns");
    if (nrp_sig_method_return(m->method_sig, m->method_sig_len, NULL, &ret_type, &returns, err) != NRP_OK)
        return NRP_ERROR;
    out->value_local = -1;
    if (returns) {
        uint32_t idx;
        if (nrp_il_edit_add_local(m, ret_type.data, ret_type.len, &idx, err) != NRP_OK)
            return NRP_ERROR;
        out->value_local = (int32_t)idx;
    }
    if (drop_tail_prefixes(m, err) != NRP_OK)
        return NRP_ERROR;
    nrp_il_instr *ret = nrp_il_new(m, NRP_OP_RET, 0);
    nrp_il_instr *load = returns ? local_op(m, nrp_il_ldloc_op((uint32_t)out->value_local), (uint32_t)out->value_local) : NULL;
    if (!ret || (returns && !load))
        return nrp_err_set(err, "out of memory redirecting returns");
    if (load)
        load->next = ret, ret->prev = load;
    out->epilogue = load ? load : ret;
    *epi_last = ret;
    for (nrp_il_instr *i = m->first; i; i = i->next) {
        if (i->op != NRP_OP_RET)
            continue;
        if (returns) {
            uint16_t st = nrp_il_stloc_op((uint32_t)out->value_local);
            nrp_il_instr *j = nrp_il_new(m, jump, 0);
            if (!j)
                return nrp_err_set(err, "out of memory redirecting returns");
            j->target = out->epilogue;
            i->op = st;
            i->value = nrp_il_opinfo_of(st)->operand == NRP_OPERAND_NONE ? 0 : out->value_local;
            nrp_il_insert_after(m, i, j);
            i = j;
        } else {
            i->op = jump;
            i->value = 0;
            i->target = out->epilogue;
        }
    }
    return NRP_OK;
}

static void append_chain(nrp_il_method *m, nrp_il_instr *first)
{
    for (nrp_il_instr *i = first, *next; i; i = next) {
        next = i->next;
        nrp_il_append(m, i);
    }
}

nrp_result nrp_il_edit_redirect_returns(nrp_il_method *m, nrp_il_returns *out, nrp_err *err)
{
    nrp_il_instr *last;
    if (redirect(m, NRP_OP_BR, out, &last, err) != NRP_OK)
        return NRP_ERROR;
    append_chain(m, out->epilogue);
    return NRP_OK;
}

/* Decode handler code and close it with `closing` (rethrow, endfinally). */
static nrp_result handler_block(nrp_il_method *m, const uint8_t *il, size_t len, uint16_t closing, nrp_il_instr **first,
                                nrp_err *err)
{
    nrp_il_instr *last, *end = nrp_il_new(m, closing, 0);
    if (!end)
        return nrp_err_set(err, "out of memory building a handler");
    if (nrp_il_decode_snippet(m, il, len, end, first, &last, err) != NRP_OK)
        return NRP_ERROR;
    if (last) {
        last->next = end;
        end->prev = last;
    } else {
        *first = end;
    }
    return NRP_OK;
}

/* Close the chain first..last inside try { chain; leave after } catch
 * (type) { pop; leave after }, so an exception it throws is swallowed. The
 * chain must leave the stack empty. *last becomes the handler's end. */
static nrp_result guard_chain(nrp_il_method *m, nrp_il_instr *first, nrp_il_instr **last, nrp_il_instr *after,
                              uint32_t type, nrp_err *err)
{
    nrp_il_instr *leave_try = nrp_il_new(m, NRP_OP_LEAVE, 0), *pop = nrp_il_new(m, NRP_OP_POP, 0),
                 *leave_handler = nrp_il_new(m, NRP_OP_LEAVE, 0);
    if (!leave_try || !pop || !leave_handler)
        return nrp_err_set(err, "out of memory guarding a snippet");
    leave_try->target = leave_handler->target = after;
    (*last)->next = leave_try, leave_try->prev = *last;
    leave_try->next = pop, pop->prev = leave_try;
    pop->next = leave_handler, leave_handler->prev = pop;
    *last = leave_handler;
    nrp_il_clause_ref c = {NRP_EH_CATCH, first, pop, pop, after, NULL, type};
    return nrp_il_add_clause(m, &c, err);
}

/* A snippet as an unlinked chain first..last, followed by `after`;
 * guarded when type is nonzero. Empty: *first is NULL. */
static nrp_result snippet_chain(nrp_il_method *m, const uint8_t *il, size_t len, nrp_il_instr *after,
                                uint32_t guard_type,
                                nrp_il_instr **first, nrp_il_instr **last, nrp_err *err)
{
    if (nrp_il_decode_snippet(m, il, len, after, first, last, err) != NRP_OK)
        return NRP_ERROR;
    if (!*first || !guard_type)
        return NRP_OK;
    return guard_chain(m, *first, last, after, guard_type, err);
}

/* Link a before b. */
static void link(nrp_il_instr *a, nrp_il_instr *b)
{
    a->next = b;
    b->prev = a;
}

/* The exception path, observed without catching (see nrp_il_edit_wrap):
 *     F: isinst <type>; stloc ex; ldc.i4.0; endfilter     a filter that declines
 *     H: pop; rethrow                                      its handler, never entered
 *     T: ldloc ex; brfalse S; ldloc ex; code; pop; S: endfinally   the fault block
 * `code`..`last` is the decoded catch code, already followed by `pop` (both
 * NULL when empty). Guarded, it sits in try { ... leave S } catch { pop;
 * leave S }. The chain F..S goes to *first; H and T to *handler, *fault. */
static nrp_result observer_blocks(nrp_il_method *m, const nrp_il_wrap_spec *spec, nrp_il_instr *code,
                                  nrp_il_instr *last,
                                  nrp_il_instr *pop, nrp_il_instr **first, nrp_il_instr **handler, nrp_il_instr **fault,
                                  nrp_err *err)
{
    static const uint8_t object_type[] = {NRP_ELEMENT_OBJECT};
    uint32_t ex;
    if (nrp_il_edit_add_local(m, object_type, sizeof object_type, &ex, err) != NRP_OK)
        return NRP_ERROR;
    nrp_il_instr *isinst = nrp_il_new(m, NRP_OP_ISINST, spec->catch_type),
                 *store = local_op(m, nrp_il_stloc_op(ex), ex), *decline = nrp_il_new(m, NRP_OP_LDC_I4_0, 0),
                 *endfilter = nrp_il_new(m, NRP_OP_ENDFILTER, 0), *h_pop = nrp_il_new(m, NRP_OP_POP, 0),
                 *rethrow = nrp_il_new(m, NRP_OP_RETHROW, 0), *test = local_op(m, nrp_il_ldloc_op(ex), ex),
                 *skip = nrp_il_new(m, NRP_OP_BRFALSE, 0), *load = local_op(m, nrp_il_ldloc_op(ex), ex),
                 *end = nrp_il_new(m, NRP_OP_ENDFINALLY, 0);
    if (!isinst || !store || !decline || !endfilter || !h_pop || !rethrow || !test || !skip || !load || !end)
        return nrp_err_set(err, "out of memory building the exception path");
    skip->target = end;
    link(isinst, store);
    link(store, decline);
    link(decline, endfilter);
    link(endfilter, h_pop);
    link(h_pop, rethrow);
    link(rethrow, test);
    link(test, skip);
    link(skip, load);
    if (code) {
        link(load, code);
        link(last, pop);
    } else {
        link(load, pop);
    }
    last = pop;
    if (spec->guard_type && guard_chain(m, load, &last, end, spec->guard_type, err) != NRP_OK)
        return NRP_ERROR;
    link(last, end);
    *first = isinst;
    *handler = h_pop;
    *fault = test;
    return NRP_OK;
}

nrp_result nrp_il_edit_wrap(nrp_il_method *m, const nrp_il_wrap_spec *spec, nrp_il_returns *out, nrp_err *err)
{
    nrp_il_instr *try_start = m->first, *observer = NULL, *never_entered = NULL, *fault_start = NULL;
    nrp_il_instr *finally_start = NULL, *epi_last;
    nrp_il_instr *entry_first, *entry_last, *exit_first = NULL, *exit_last = NULL;
    for (nrp_il_instr *i = m->first; i; i = i->next)
        if (i->op == NRP_OP_JMP)
            return nrp_err_set(err, "IL_%04x: a method using jmp cannot be wrapped", i->offset);
    if (!try_start)
        return nrp_err_set(err, "method has no instructions");
    /* The entry, catch and finally snippets are decoded before anything
     * changes, so a bad one leaves the method as it was. The exit snippet
     * can only be decoded once redirect() has made the epilogue it falls
     * into: a failure from there on leaves the method half edited, which
     * callers discard (a failed rewrite encodes nothing). Every failure goes
     * through `fail`, which drops the guard clauses of snippets never
     * placed. */
    uint32_t clauses_before = m->clause_count;
    if (snippet_chain(m, spec->entry_il, spec->entry_len, try_start, spec->guard_type, &entry_first, &entry_last,
                      err) != NRP_OK)
        goto fail;
    nrp_il_instr *catch_code = NULL, *catch_last = NULL, *catch_pop = NULL;
    if (spec->with_catch && (!(catch_pop = nrp_il_new(m, NRP_OP_POP, 0)) ||
                             nrp_il_decode_snippet(m, spec->catch_il, spec->catch_len, catch_pop, &catch_code,
                                                   &catch_last, err) != NRP_OK))
        goto fail;
    if (spec->with_finally &&
        handler_block(m, spec->finally_il, spec->finally_len, NRP_OP_ENDFINALLY, &finally_start, err) != NRP_OK)
        goto fail;
    /* Every snippet decoded: the method may change from here on. */
    if (spec->with_catch && observer_blocks(m, spec, catch_code, catch_last, catch_pop, &observer, &never_entered,
                                            &fault_start, err) != NRP_OK)
        goto fail;
    if (redirect(m, (spec->with_catch || spec->with_finally) ? NRP_OP_LEAVE : NRP_OP_BR, out, &epi_last, err) != NRP_OK)
        goto fail;
    /* The exit code starts with a copy of the return value on the stack. */
    if (spec->exit_len) {
        /* Exit code that returns a value ends by storing it: its branches
         * to its end go to that store. */
        nrp_il_instr *store = NULL;
        if (spec->exit_keeps_value) {
            int guarded = spec->guard_type && !spec->exit_unguarded;
            if (out->value_local < 0 || guarded) {
                nrp_err_set(err, guarded ? "exit code that returns a value cannot be guarded"
                                         : "exit code returns a value but the method returns none");
                goto fail;
            }
            store = local_op(m, nrp_il_stloc_op((uint32_t)out->value_local), (uint32_t)out->value_local);
            if (!store) {
                nrp_err_set(err, "out of memory building the exit code");
                goto fail;
            }
        }
        if (nrp_il_decode_snippet(m, spec->exit_il, spec->exit_len, store ? store : out->epilogue, &exit_first,
                                  &exit_last, err) != NRP_OK)
            goto fail;
        if (out->value_local >= 0) {
            nrp_il_instr *load = local_op(m, nrp_il_ldloc_op((uint32_t)out->value_local), (uint32_t)out->value_local);
            if (!load) {
                nrp_err_set(err, "out of memory building the exit code");
                goto fail;
            }
            if (exit_first)
                link(load, exit_first);
            else
                exit_last = load;
            exit_first = load;
        }
        if (store) {
            link(exit_last, store);
            exit_last = store;
        }
        if (exit_first && spec->guard_type && !spec->exit_unguarded &&
            guard_chain(m, exit_first, &exit_last, out->epilogue, spec->guard_type, err) != NRP_OK)
            goto fail;
    }
    if (exit_first) {
        /* Returns now go to the exit code, which falls into the epilogue. */
        for (nrp_il_instr *i = m->first; i; i = i->next)
            if (i->target == out->epilogue)
                i->target = exit_first;
        link(exit_last, out->epilogue);
        out->epilogue = exit_first;
    }
    append_chain(m, observer);
    append_chain(m, finally_start);
    append_chain(m, out->epilogue);
    if (spec->with_catch) {
        nrp_il_clause_ref f = {NRP_EH_FILTER, try_start, observer, never_entered, fault_start, observer, 0};
        nrp_il_clause_ref c = {NRP_EH_FAULT, try_start, fault_start, fault_start,
                               finally_start ? finally_start : out->epilogue, NULL, 0};
        if (nrp_il_add_clause(m, &f, err) != NRP_OK || nrp_il_add_clause(m, &c, err) != NRP_OK)
            goto fail;
    }
    if (spec->with_finally) {
        nrp_il_clause_ref c = {NRP_EH_FINALLY, try_start, finally_start, finally_start, out->epilogue, NULL, 0};
        if (nrp_il_add_clause(m, &c, err) != NRP_OK)
            goto fail;
    }
    (void)epi_last;
    insert_chain_before(m, try_start, entry_first);
    return NRP_OK;
fail:
    m->clause_count = clauses_before; /* guard clauses of snippets never placed */
    return NRP_ERROR;
}
