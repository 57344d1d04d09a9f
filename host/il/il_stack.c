/*
 * il_stack.c - the max-stack analysis: the evaluation-stack depth on entry
 * to every reachable instruction, following every path from the method
 * entry and from every handler and filter.
 */
#include <stdlib.h>

#include "il/il_method.h"
#include "il/opcode_info.h"
#include "nrp/result.h"
#include "sig/sig.h"
#include "util/array.h"

typedef struct analysis {
    nrp_il_method *m;
    nrp_il_instr **work;
    uint32_t work_len;
    size_t work_cap;
    int returns_value; /* -1: not yet read from the method signature */
    nrp_err *err;
} analysis;

static nrp_result reach(analysis *a, nrp_il_instr *i, int32_t depth, const nrp_il_instr *from)
{
    if (!i)
        return nrp_err_set(a->err, "IL_%04x: control falls off the end of the code", from ? from->offset : 0);
    if (i->depth >= 0) {
        if (i->depth != depth)
            return nrp_err_set(a->err, "IL_%04x: paths meet with stack depths %d and %d", i->offset, i->depth, depth);
        return NRP_OK;
    }
    i->depth = depth;
    if (NRP_ARRAY_GROW(a->work, a->work_len, a->work_cap) != NRP_OK)
        return nrp_err_set(a->err, "out of memory in the stack analysis");
    a->work[a->work_len++] = i;
    return NRP_OK;
}

static nrp_result method_returns_value(analysis *a, int *out)
{
    if (a->returns_value < 0) {
        if (!a->m->method_sig)
            return nrp_err_set(a->err, "the method's signature is needed to analyse ret");
        if (nrp_sig_method_return(a->m->method_sig, a->m->method_sig_len, NULL, NULL, &a->returns_value,
                                  a->err) != NRP_OK)
            return NRP_ERROR;
    }
    *out = a->returns_value;
    return NRP_OK;
}

/* Slots popped and pushed by i when the table says "it depends". */
static nrp_result variable_effect(analysis *a, const nrp_il_instr *i, int *pops, int *pushes)
{
    nrp_il_call_info call;
    if (i->op == NRP_OP_RET) {
        int returns = 0;
        if (method_returns_value(a, &returns) != NRP_OK)
            return NRP_ERROR;
        *pops = returns;
        *pushes = 0;
        return NRP_OK;
    }
    if (!a->m->env.call_info)
        return nrp_err_set(a->err, "IL_%04x: no way to read the signature of a call", i->offset);
    if (a->m->env.call_info(a->m->env.ctx, (uint32_t)i->value, &call, a->err))
        return NRP_ERROR;
    switch (i->op) {
    case NRP_OP_NEWOBJ:
        *pops = (int)call.params;
        *pushes = 1;
        break;
    case NRP_OP_CALLI:
        *pops = (int)call.params + (call.has_this ? 1 : 0) + 1; /* and the function pointer */
        *pushes = call.returns_value ? 1 : 0;
        break;
    default: /* call, callvirt */
        *pops = (int)call.params + (call.has_this ? 1 : 0);
        *pushes = call.returns_value ? 1 : 0;
        break;
    }
    return NRP_OK;
}

static int is_handler_entry(const nrp_il_method *m, const nrp_il_instr *i)
{
    for (uint32_t c = 0; c < m->clause_count; c++)
        if (m->clauses[c].handler_start == i || m->clauses[c].filter_start == i)
            return 1;
    return 0;
}

static nrp_result step(analysis *a, nrp_il_instr *i, uint32_t *max)
{
    const nrp_il_opinfo *info = nrp_il_opinfo_of(i->op);
    int pops = info->pops, pushes = info->pushes;
    if ((pops == NRP_IL_VAR || pushes == NRP_IL_VAR) && variable_effect(a, i, &pops, &pushes) != NRP_OK)
        return NRP_ERROR;
    if (i->depth < pops)
        return nrp_err_set(a->err, "IL_%04x: %s needs %d stack slot(s), %d available", i->offset, info->name, pops,
                           i->depth);
    int32_t after = i->depth - pops + pushes;
    if ((uint32_t)after > *max)
        *max = (uint32_t)after;
    switch (info->flow) {
    case NRP_FLOW_BRANCH:
        return reach(a, i->target, after, i);
    case NRP_FLOW_LEAVE:
        return reach(a, i->target, 0, i); /* leave empties the stack */
    case NRP_FLOW_COND:
        if (i->op == NRP_OP_SWITCH) {
            for (uint32_t t = 0; t < i->target_count; t++)
                if (reach(a, i->targets[t], after, i) != NRP_OK)
                    return NRP_ERROR;
        } else if (reach(a, i->target, after, i) != NRP_OK) {
            return NRP_ERROR;
        }
        break;
    case NRP_FLOW_RETURN:
    case NRP_FLOW_THROW:
    case NRP_FLOW_ENDHANDLER:
        return NRP_OK;
    default: /* next, prefix */
        break;
    }
    if (i->next && is_handler_entry(a->m, i->next))
        return nrp_err_set(a->err, "IL_%04x: control falls through into a handler", i->offset);
    return reach(a, i->next, after, i);
}

int nrp_il_max_stack(nrp_il_method *m, uint32_t *max, nrp_err *err)
{
    analysis a = {m, NULL, 0, 0, -1, err};
    nrp_result rc = NRP_OK;
    *max = 0;
    for (nrp_il_instr *i = m->first; i; i = i->next)
        i->depth = -1;
    if (m->first)
        rc = reach(&a, m->first, 0, NULL);
    for (uint32_t c = 0; rc == NRP_OK && c < m->clause_count; c++) {
        const nrp_il_clause_ref *cl = &m->clauses[c];
        /* catch handlers and filters start with the exception object */
        int32_t handler_depth = (cl->flags & (NRP_EH_FINALLY | NRP_EH_FAULT)) ? 0 : 1;
        rc = reach(&a, cl->handler_start, handler_depth, NULL);
        if (rc == NRP_OK && (cl->flags & NRP_EH_FILTER))
            rc = reach(&a, cl->filter_start, 1, NULL);
        if (rc == NRP_OK && handler_depth > (int32_t)*max)
            *max = (uint32_t)handler_depth;
    }
    while (rc == NRP_OK && a.work_len > 0)
        rc = step(&a, a.work[--a.work_len], max);
    free(a.work);
    return rc;
}
