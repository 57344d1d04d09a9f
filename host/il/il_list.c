/*
 * il_list.c - the building blocks of a method's instruction list: new
 * instructions, inserting, appending and removing them (branches and
 * clauses follow), and adding exception clauses.
 */
#include <stdlib.h>

#include "il/il_method.h"
#include "nrp/result.h"
#include "util/array.h"

nrp_il_instr *nrp_il_new(nrp_il_method *m, uint16_t op, int64_t value)
{
    nrp_il_instr *i = nrp_arena_alloc(&m->arena, sizeof *i);
    if (i) {
        i->op = op;
        i->value = value;
        i->depth = -1;
    }
    return i;
}

void nrp_il_insert_before(nrp_il_method *m, nrp_il_instr *pos, nrp_il_instr *ins)
{
    if (!pos) {
        nrp_il_append(m, ins);
        return;
    }
    ins->next = pos;
    ins->prev = pos->prev;
    if (pos->prev)
        pos->prev->next = ins;
    else
        m->first = ins;
    pos->prev = ins;
    m->count++;
}

void nrp_il_insert_after(nrp_il_method *m, nrp_il_instr *pos, nrp_il_instr *ins)
{
    if (!pos || !pos->next) {
        nrp_il_append(m, ins);
        return;
    }
    nrp_il_insert_before(m, pos->next, ins);
}

void nrp_il_append(nrp_il_method *m, nrp_il_instr *ins)
{
    /* A clause ending at the end of the code (NULL) ends before what is
     * appended: pin it, or it would silently grow over the new code. */
    for (uint32_t c = 0; c < m->clause_count; c++) {
        if (!m->clauses[c].try_end)
            m->clauses[c].try_end = ins;
        if (!m->clauses[c].handler_end)
            m->clauses[c].handler_end = ins;
    }
    ins->next = NULL;
    ins->prev = m->last;
    if (m->last)
        m->last->next = ins;
    else
        m->first = ins;
    m->last = ins;
    m->count++;
}

static void retarget(nrp_il_instr **p, nrp_il_instr *from, nrp_il_instr *to)
{
    if (*p == from)
        *p = to;
}

nrp_result nrp_il_remove(nrp_il_method *m, nrp_il_instr *ins)
{
    nrp_il_instr *succ = ins->next;
    if (!succ) {
        /* Nothing to move branches and clauses to: refuse if any point here. */
        for (nrp_il_instr *i = m->first; i; i = i->next) {
            if (i->target == ins)
                return NRP_ERROR;
            for (uint32_t t = 0; t < i->target_count; t++)
                if (i->targets[t] == ins)
                    return NRP_ERROR;
        }
        for (uint32_t c = 0; c < m->clause_count; c++) {
            const nrp_il_clause_ref *cl = &m->clauses[c];
            if (cl->try_start == ins || cl->handler_start == ins || cl->filter_start == ins)
                return NRP_ERROR;
        }
    }
    for (nrp_il_instr *i = m->first; i; i = i->next) {
        retarget(&i->target, ins, succ);
        for (uint32_t t = 0; t < i->target_count; t++)
            retarget(&i->targets[t], ins, succ);
    }
    for (uint32_t c = 0; c < m->clause_count; c++) {
        nrp_il_clause_ref *cl = &m->clauses[c];
        retarget(&cl->try_start, ins, succ);
        retarget(&cl->try_end, ins, succ);
        retarget(&cl->handler_start, ins, succ);
        retarget(&cl->handler_end, ins, succ);
        retarget(&cl->filter_start, ins, succ);
    }
    if (ins->prev)
        ins->prev->next = ins->next;
    else
        m->first = ins->next;
    if (ins->next)
        ins->next->prev = ins->prev;
    else
        m->last = ins->prev;
    ins->prev = ins->next = NULL;
    m->count--;
    return NRP_OK;
}

nrp_result nrp_il_add_clause(nrp_il_method *m, const nrp_il_clause_ref *c, nrp_err *err)
{
    if (NRP_ARRAY_GROW(m->clauses, m->clause_count, m->clause_cap) != NRP_OK)
        return nrp_err_set(err, "out of memory adding an exception clause");
    m->clauses[m->clause_count++] = *c;
    return NRP_OK;
}
