/*
 * il_encode.c - the instruction list back into a method body: layout (short
 * branches where they reach), the code's bytes, clauses inner before
 * outer, the max stack (il_stack.c) and a new local signature token.
 */
#include <stdlib.h>
#include <string.h>

#include "il/il_method.h"
#include "il/opcode_info.h"
#include "nrp/result.h"

static uint32_t encoded_size(const nrp_il_instr *i, const nrp_il_opinfo *info)
{
    if (info->operand == NRP_OPERAND_BR)
        return nrp_il_opcode_size(i->op) + (i->short_form ? 1 : 4);
    if (info->operand == NRP_OPERAND_SWITCH)
        return 1 + 4 + 4 * i->target_count;
    return nrp_il_opcode_size(i->op) + nrp_il_operand_size(info->operand);
}

uint32_t nrp_il_layout(nrp_il_method *m)
{
    uint32_t off = 0;
    int changed;
    /* Start with every branch short and widen only those that do not
     * reach: offsets only grow, so this settles. */
    for (nrp_il_instr *i = m->first; i; i = i->next)
        i->short_form = nrp_il_opinfo_of(i->op)->operand == NRP_OPERAND_BR;
    do {
        off = 0;
        for (nrp_il_instr *i = m->first; i; i = i->next) {
            i->offset = off;
            off += encoded_size(i, nrp_il_opinfo_of(i->op));
        }
        changed = 0;
        for (nrp_il_instr *i = m->first; i; i = i->next) {
            if (!i->short_form)
                continue;
            int64_t disp = (int64_t)i->target->offset - ((int64_t)i->offset + nrp_il_opcode_size(i->op) + 1);
            if (disp < -128 || disp > 127) {
                i->short_form = 0;
                changed = 1;
            }
        }
    } while (changed);
    return off;
}

static void put_le(uint8_t *p, uint64_t v, uint32_t n)
{
    for (uint32_t k = 0; k < n; k++)
        p[k] = (uint8_t)(v >> (8 * k));
}

static void emit_code(const nrp_il_method *m, uint8_t *code)
{
    for (const nrp_il_instr *i = m->first; i; i = i->next) {
        const nrp_il_opinfo *info = nrp_il_opinfo_of(i->op);
        uint8_t *p = code + i->offset;
        uint16_t op = i->short_form ? nrp_il_short_branch(i->op) : i->op;
        if (op >= 0x100)
            *p++ = 0xFE;
        *p++ = (uint8_t)op;
        uint32_t end = i->offset + encoded_size(i, info);
        if (info->operand == NRP_OPERAND_BR) {
            int64_t disp = (int64_t)i->target->offset - end;
            put_le(p, (uint64_t)disp, i->short_form ? 1 : 4);
        } else if (info->operand == NRP_OPERAND_SWITCH) {
            put_le(p, i->target_count, 4);
            for (uint32_t t = 0; t < i->target_count; t++)
                put_le(p + 4 + 4 * t, (uint64_t)((int64_t)i->targets[t]->offset - end), 4);
        } else {
            put_le(p, (uint64_t)i->value, nrp_il_operand_size(info->operand));
        }
    }
}

static uint32_t offset_of(const nrp_il_instr *i, uint32_t code_size)
{
    return i ? i->offset : code_size;
}

static nrp_result check_clause(const nrp_il_clause_ref *c, uint32_t n, uint32_t code_size, nrp_err *err)
{
    if (!c->try_start || !c->handler_start || ((c->flags & NRP_EH_FILTER) && !c->filter_start))
        return nrp_err_set(err, "exception clause %u lost its start", n);
    if (offset_of(c->try_end, code_size) <= c->try_start->offset ||
        offset_of(c->handler_end, code_size) <= c->handler_start->offset)
        return nrp_err_set(err, "exception clause %u has an empty or inverted range", n);
    return NRP_OK;
}

typedef struct range {
    uint32_t start, end;
} range;

static int within(range inner, range outer)
{
    return inner.start >= outer.start && inner.end <= outer.end;
}

/* Is clause a nested inside clause b (in b's try block, handler or filter)?
 * Clauses sharing one try block (try/catch/catch) are not nested. */
static int nested_in(const nrp_il_clause_ref *a, const nrp_il_clause_ref *b, uint32_t code_size)
{
    range a_try = {a->try_start->offset, offset_of(a->try_end, code_size)};
    range b_try = {b->try_start->offset, offset_of(b->try_end, code_size)};
    range b_handler = {b->handler_start->offset, offset_of(b->handler_end, code_size)};
    if (a_try.start == b_try.start && a_try.end == b_try.end)
        return 0;
    if (within(a_try, b_try) || within(a_try, b_handler))
        return 1;
    if (b->flags & NRP_EH_FILTER) {
        range b_filter = {b->filter_start->offset, b_handler.start};
        return within(a_try, b_filter);
    }
    return 0;
}

/* The runtime wants inner clauses before the clauses enclosing them. The
 * body's own table is already so; this keeps any edit honest too: a stable
 * topological order, each step taking the first remaining clause that
 * encloses no other remaining one. Decode refuses tables where nesting
 * cycles, so a pick always exists; the fallback only guards the loop. */
static nrp_result order_clauses(nrp_il_method *m, uint32_t code_size, nrp_err *err)
{
    uint32_t n = m->clause_count;
    if (n < 2)
        return NRP_OK;
    nrp_il_clause_ref *rest = malloc(n * sizeof *rest);
    if (!rest)
        return nrp_err_set(err, "out of memory ordering exception clauses");
    memcpy(rest, m->clauses, n * sizeof *rest);
    for (uint32_t out = 0, left = n; left > 0; out++, left--) {
        uint32_t pick = 0;
        for (uint32_t c = 0; c < left; c++) {
            int encloses = 0;
            for (uint32_t d = 0; d < left && !encloses; d++)
                encloses = d != c && nested_in(&rest[d], &rest[c], code_size);
            if (!encloses) {
                pick = c;
                break;
            }
        }
        m->clauses[out] = rest[pick];
        memmove(&rest[pick], &rest[pick + 1], (left - pick - 1) * sizeof *rest);
    }
    free(rest);
    return NRP_OK;
}

nrp_result nrp_il_method_encode(nrp_il_method *m, uint8_t **out, size_t *size, nrp_err *err)
{
    nrp_il_body body = {0};
    uint32_t max_stack;
    nrp_result rc = NRP_ERROR;

    *out = NULL;
    *size = 0;
    if (!m->first)
        return nrp_err_set(err, "method has no instructions");
    body.code_size = nrp_il_layout(m);
    if (nrp_il_max_stack(m, &max_stack, err))
        return NRP_ERROR;
    /* Never below what the compiler declared: the analysis is exact for
     * valid IL, and the declared value is a safe floor if it is not. */
    body.max_stack = max_stack > m->max_stack ? max_stack : m->max_stack;
    body.init_locals = m->init_locals;
    body.local_sig_token = m->local_sig_token;
    if (m->locals_changed) {
        if (!m->env.sig_token)
            return nrp_err_set(err, "no way to get a token for the new local signature");
        if (m->env.sig_token(m->env.ctx, m->locals, m->locals_len, &body.local_sig_token, err))
            return NRP_ERROR;
    }
    body.code = malloc(body.code_size);
    body.clauses = m->clause_count ? malloc(m->clause_count * sizeof *body.clauses) : NULL;
    if (!body.code || (m->clause_count && !body.clauses)) {
        nrp_err_set(err, "out of memory encoding %u bytes of IL", body.code_size);
        goto done;
    }
    emit_code(m, body.code);
    for (uint32_t c = 0; c < m->clause_count; c++)
        if (check_clause(&m->clauses[c], c, body.code_size, err) != NRP_OK)
            goto done;
    if (order_clauses(m, body.code_size, err) != NRP_OK)
        goto done;
    for (uint32_t c = 0; c < m->clause_count; c++) {
        const nrp_il_clause_ref *r = &m->clauses[c];
        nrp_il_clause *d = &body.clauses[c];
        d->flags = r->flags;
        d->try_offset = r->try_start->offset;
        d->try_length = offset_of(r->try_end, body.code_size) - d->try_offset;
        d->handler_offset = r->handler_start->offset;
        d->handler_length = offset_of(r->handler_end, body.code_size) - d->handler_offset;
        d->class_token_or_filter_offset = (r->flags & NRP_EH_FILTER) ? r->filter_start->offset : r->class_token;
    }
    body.clause_count = m->clause_count;
    size_t need = nrp_il_encoded_size(&body);
    *out = malloc(need);
    if (!*out) {
        nrp_err_set(err, "out of memory encoding a %zu-byte body", need);
        goto done;
    }
    if (nrp_il_encode(&body, *out, need, err) != need) {
        free(*out);
        *out = NULL;
        goto done;
    }
    *size = need;
    if (m->locals_changed) {
        m->local_sig_token = body.local_sig_token;
        m->locals_changed = 0;
    }
    rc = NRP_OK;
done:
    nrp_il_body_free(&body);
    return rc;
}
