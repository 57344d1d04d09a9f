/*
 * il_decode.c - a method body's bytes into the instruction list: opcodes
 * and operands, branch and switch targets as instructions, exception
 * clauses as instruction ranges checked to nest (ECMA-335 II.19); IL
 * snippets for edits the same way.
 */
#include <stdlib.h>

#include "il/il_method.h"
#include "il/opcode_info.h"
#include "nrp/result.h"

static int is_branch(const nrp_il_opinfo *info)
{
    return info->operand == NRP_OPERAND_BR || info->operand == NRP_OPERAND_SHORT_BR;
}

static int64_t read_le(const uint8_t *p, uint32_t n)
{
    uint64_t v = 0;
    for (uint32_t k = n; k-- > 0;)
        v = v << 8 | p[k];
    return (int64_t)v;
}

/* Size of the instruction as it was in the decoded bytes. */
static uint32_t decoded_size(const nrp_il_instr *i)
{
    const nrp_il_opinfo *info = nrp_il_opinfo_of(i->op);
    if (info->operand == NRP_OPERAND_BR)
        return nrp_il_opcode_size(i->op) + (i->short_form ? 1 : 4);
    if (info->operand == NRP_OPERAND_SWITCH)
        return 1 + 4 + 4 * i->target_count;
    return nrp_il_opcode_size(i->op) + nrp_il_operand_size(info->operand);
}

static nrp_result read_operand(nrp_il_method *m, nrp_il_instr *i, const nrp_il_opinfo *info, const uint8_t *code,
                               uint32_t size, uint32_t pos, nrp_err *err)
{
    uint32_t n = nrp_il_operand_size(info->operand);
    if (n > size - pos)
        return nrp_err_set(err, "%s at IL_%04x: operand runs past the end of the code", info->name, i->offset);
    const uint8_t *p = code + pos;
    switch (info->operand) {
    case NRP_OPERAND_SHORT_I:
        /* ldc.i4.s is signed; unaligned. and no. take an unsigned byte. */
        i->value = i->op == NRP_OP_LDC_I4_S ? (int8_t)p[0] : p[0];
        break;
    case NRP_OPERAND_I:
    case NRP_OPERAND_BR:
        i->value = (int32_t)read_le(p, 4);
        break;
    case NRP_OPERAND_SHORT_BR:
        i->value = (int8_t)p[0];
        break;
    case NRP_OPERAND_SWITCH: {
        uint32_t count = (uint32_t)read_le(p, 4);
        if (count > (size - pos - 4) / 4)
            return nrp_err_set(err, "switch at IL_%04x: %u targets run past the end of the code", i->offset,
                               count);
        i->target_count = count;
        i->targets = count ? nrp_arena_alloc(&m->arena, count * sizeof *i->targets) : NULL;
        if (count && !i->targets)
            return nrp_err_set(err, "out of memory decoding a switch of %u targets", count);
        break;
    }
    default:
        i->value = read_le(p, n);
        break;
    }
    return NRP_OK;
}

static nrp_il_instr *at(nrp_il_instr **map, uint32_t size, int64_t offset)
{
    return offset >= 0 && offset < (int64_t)size ? map[offset] : NULL;
}

/* Whether i follows a prefix: a prefix and the instruction it applies to
 * are one instruction (ECMA-335 III.2), which no branch may enter and no
 * block boundary may split; the encoder lays them out together. */
static int after_prefix(const nrp_il_instr *i)
{
    return i && i->prev && nrp_il_opinfo_of(i->prev->op)->flow == NRP_FLOW_PREFIX;
}

static nrp_result resolve_branches(nrp_il_instr *first, nrp_il_instr **map, const uint8_t *code, uint32_t size,
                                   nrp_err *err)
{
    for (nrp_il_instr *i = first; i; i = i->next) {
        const nrp_il_opinfo *info = nrp_il_opinfo_of(i->op);
        int64_t next = (int64_t)i->offset + decoded_size(i);
        if (info->operand == NRP_OPERAND_BR) {
            i->target = at(map, size, next + i->value);
            if (!i->target && next + i->value < 0)
                return nrp_err_set(err, "%s at IL_%04x branches to offset %lld, before the code", info->name,
                                   i->offset, (long long)(next + i->value));
            if (!i->target)
                return nrp_err_set(err, "%s at IL_%04x branches to IL_%04llx, not the start of an instruction",
                                   info->name, i->offset, (long long)(next + i->value));
            if (after_prefix(i->target))
                return nrp_err_set(err, "%s at IL_%04x branches to IL_%04x, between a prefix and its instruction",
                                   info->name, i->offset, i->target->offset);
            i->value = 0;
        } else if (info->operand == NRP_OPERAND_SWITCH) {
            for (uint32_t t = 0; t < i->target_count; t++) {
                int64_t disp = (int32_t)read_le(code + i->offset + 5 + 4 * t, 4);
                i->targets[t] = at(map, size, next + disp);
                if (!i->targets[t] || after_prefix(i->targets[t]))
                    return nrp_err_set(err, "switch at IL_%04x: target %u is not the start of an instruction",
                                       i->offset, t);
            }
            i->value = i->target_count;
        }
    }
    return NRP_OK;
}

/* Decode code into a chain of new instructions; map[offset] gets the
 * instruction starting at each offset. */
/* Targets may lie in [0, target_limit): the code size, or one more when a
 * snippet may branch to its own end (map[size] is then set). */
static nrp_result decode_code(nrp_il_method *m, const uint8_t *code, uint32_t target_limit, uint32_t size,
                              nrp_il_instr **map, nrp_il_instr **first_out, nrp_il_instr **last_out, uint32_t *count,
                              nrp_err *err)
{
    nrp_il_instr *first = NULL, *last = NULL;
    uint32_t pos = 0, n = 0;
    while (pos < size) {
        uint16_t op = code[pos];
        if (op == 0xFE) {
            if (pos + 1 >= size)
                return nrp_err_set(err, "two-byte opcode cut off at IL_%04x", pos);
            op = (uint16_t)(0xFE00 | code[pos + 1]);
        }
        const nrp_il_opinfo *info = nrp_il_opinfo_of(op);
        if (!info)
            return nrp_err_set(err, "unknown opcode 0x%02x at IL_%04x", op, pos);
        nrp_il_instr *i = nrp_il_new(m, op, 0);
        if (!i)
            return nrp_err_set(err, "out of memory decoding IL");
        i->offset = pos;
        if (is_branch(info)) {
            i->short_form = info->operand == NRP_OPERAND_SHORT_BR;
            i->op = nrp_il_long_branch(op);
        }
        if (read_operand(m, i, info, code, size, pos + nrp_il_opcode_size(op), err) != NRP_OK)
            return NRP_ERROR;
        map[pos] = i;
        pos += decoded_size(i);
        i->prev = last;
        if (last)
            last->next = i;
        else
            first = i;
        last = i;
        n++;
    }
    if (last && nrp_il_opinfo_of(last->op)->flow == NRP_FLOW_PREFIX)
        return nrp_err_set(err, "IL_%04x: prefix %s has no instruction to apply to", last->offset,
                           nrp_il_opinfo_of(last->op)->name);
    if (resolve_branches(first, map, code, target_limit, err) != NRP_OK)
        return NRP_ERROR;
    *first_out = first;
    *last_out = last;
    if (count)
        *count = n;
    return NRP_OK;
}

nrp_result nrp_il_decode_snippet(nrp_il_method *m, const uint8_t *il, size_t len, nrp_il_instr *after,
                                 nrp_il_instr **first, nrp_il_instr **last, nrp_err *err)
{
    nrp_il_instr end_marker = {0};
    *first = *last = NULL;
    if (len == 0)
        return NRP_OK;
    if (len > 0xFFFFFF)
        return nrp_err_set(err, "IL snippet of %zu bytes is too large", len);
    nrp_il_instr **map = calloc(len + 1, sizeof *map);
    if (!map)
        return nrp_err_set(err, "out of memory decoding an IL snippet");
    /* A branch to the end of the snippet goes to what will follow it. */
    if (after)
        map[len] = &end_marker;
    nrp_result rc = decode_code(m, il, (uint32_t)(after ? len + 1 : len), (uint32_t)len, map, first, last, NULL, err);
    free(map);
    if (rc != NRP_OK)
        return rc;
    for (nrp_il_instr *i = *first; i; i = i->next) {
        if (i->target == &end_marker)
            i->target = after;
        for (uint32_t t = 0; t < i->target_count; t++)
            if (i->targets[t] == &end_marker)
                i->targets[t] = after;
    }
    return NRP_OK;
}

static nrp_result map_boundary(nrp_il_instr **map, uint32_t size, uint32_t offset, int end_allowed, nrp_il_instr **out,
                               uint32_t clause, const char *what, nrp_err *err)
{
    if (end_allowed && offset == size) {
        *out = NULL;
        return NRP_OK;
    }
    *out = at(map, size, offset);
    if (!*out)
        return nrp_err_set(err, "exception clause %u: %s IL_%04x is not the start of an instruction", clause, what,
                           offset);
    if (after_prefix(*out))
        return nrp_err_set(err, "exception clause %u: %s IL_%04x falls between a prefix and its instruction", clause,
                           what, offset);
    return NRP_OK;
}

static nrp_result map_clauses(nrp_il_method *m, const nrp_il_body *body, nrp_il_instr **map, nrp_err *err)
{
    uint32_t size = body->code_size;
    for (uint32_t c = 0; c < body->clause_count; c++) {
        const nrp_il_clause *src = &body->clauses[c];
        nrp_il_clause_ref ref = {.flags = src->flags};
        if (src->try_length == 0 || src->handler_length == 0)
            return nrp_err_set(err, "exception clause %u has an empty range", c);
        if (map_boundary(map, size, src->try_offset, 0, &ref.try_start, c, "try start", err) != NRP_OK ||
            map_boundary(map, size, src->try_offset + src->try_length, 1, &ref.try_end, c, "try end", err) != NRP_OK ||
            map_boundary(map, size, src->handler_offset, 0, &ref.handler_start, c, "handler start", err) != NRP_OK ||
            map_boundary(map, size, src->handler_offset + src->handler_length, 1, &ref.handler_end, c,
                         "handler end", err) != NRP_OK)
            return NRP_ERROR;
        if (src->flags & NRP_EH_FILTER) {
            if (map_boundary(map, size, src->class_token_or_filter_offset, 0, &ref.filter_start, c, "filter start",
                             err) != NRP_OK)
                return NRP_ERROR;
        } else {
            ref.class_token = src->class_token_or_filter_offset;
        }
        if (nrp_il_add_clause(m, &ref, err) != NRP_OK)
            return NRP_ERROR;
    }
    return NRP_OK;
}

/* ECMA-335 II.19: protected blocks, handlers and filters either nest or
 * are disjoint, a clause's own blocks do not overlap, and only try blocks
 * may coincide (several handlers guarding one block). Anything else has no
 * valid inner-before-outer order, so it is refused. */
typedef struct region {
    uint32_t start, end;
    int is_try;
    uint32_t clause;
} region;

static nrp_result validate_clauses(const nrp_il_body *b, nrp_err *err)
{
    uint32_t n = 0;
    region *r = malloc((size_t)b->clause_count * 3 * sizeof *r);
    if (!r && b->clause_count)
        return nrp_err_set(err, "out of memory checking exception clauses");
    for (uint32_t c = 0; c < b->clause_count; c++) {
        const nrp_il_clause *cl = &b->clauses[c];
        uint32_t handler_start = cl->handler_offset;
        r[n++] = (region){cl->try_offset, cl->try_offset + cl->try_length, 1, c};
        if (cl->flags & NRP_EH_FILTER) {
            uint32_t fs = cl->class_token_or_filter_offset;
            if (fs >= handler_start) {
                free(r);
                return nrp_err_set(err, "exception clause %u: filter does not precede its handler", c);
            }
            r[n++] = (region){fs, handler_start, 0, c};
        }
        r[n++] = (region){handler_start, handler_start + cl->handler_length, 0, c};
    }
    /* A clause whose try block lies in a block of another clause lies
     * there whole (handlers and filter too), unless the two share the try
     * block; otherwise each would have to precede the other. */
    for (uint32_t i = 0; i < n; i++) {
        if (!r[i].is_try)
            continue;
        for (uint32_t j = 0; j < n; j++) {
            const region *t = &r[i], *x = &r[j];
            int shared_try = x->is_try && x->start == t->start && x->end == t->end;
            if (x->clause == t->clause || shared_try || t->start < x->start || t->end > x->end)
                continue;
            for (uint32_t k = 0; k < n; k++)
                if (r[k].clause == t->clause && (r[k].start < x->start || r[k].end > x->end)) {
                    uint32_t ct = t->clause, cx = x->clause;
                    free(r);
                    return nrp_err_set(err, "exception clause %u lies only partly inside clause %u", ct, cx);
                }
        }
    }
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t j = i + 1; j < n; j++) {
            const region *a = &r[i], *z = &r[j];
            int disjoint = a->end <= z->start || z->end <= a->start;
            int equal = a->start == z->start && a->end == z->end;
            int nested = (a->start <= z->start && z->end <= a->end) || (z->start <= a->start && a->end <= z->end);
            int ok = disjoint || (a->clause != z->clause && (equal ? a->is_try && z->is_try : nested));
            if (!ok) {
                uint32_t ca = a->clause, cz = z->clause;
                free(r);
                if (ca == cz)
                    return nrp_err_set(err, "exception clause %u: its blocks overlap", ca);
                return nrp_err_set(err, "exception clauses %u and %u overlap without nesting", ca, cz);
            }
        }
    free(r);
    return NRP_OK;
}

nrp_result nrp_il_method_decode(const uint8_t *data, size_t size, const uint8_t *method_sig, uint32_t sig_len,
                                const nrp_il_env *env, nrp_il_method **out, nrp_err *err)
{
    nrp_il_body body;
    nrp_il_method *m;
    nrp_il_instr **map = NULL;
    nrp_result rc = NRP_ERROR;

    *out = NULL;
    if (nrp_il_decode(data, size, &body, err) != NRP_OK)
        return NRP_ERROR;
    m = calloc(1, sizeof *m);
    map = calloc((size_t)body.code_size + 1, sizeof *map);
    if (!m || !map) {
        nrp_err_set(err, "out of memory decoding a %u-byte method", body.code_size);
        goto done;
    }
    m->max_stack = body.max_stack;
    m->init_locals = body.init_locals;
    m->local_sig_token = body.local_sig_token;
    m->method_sig = method_sig;
    m->method_sig_len = sig_len;
    if (env)
        m->env = *env;
    if (decode_code(m, body.code, body.code_size, body.code_size, map, &m->first, &m->last, &m->count, err) != NRP_OK ||
        map_clauses(m, &body, map, err) != NRP_OK || validate_clauses(&body, err) != NRP_OK)
        goto done;
    rc = NRP_OK;
done:
    free(map);
    nrp_il_body_free(&body);
    if (rc == NRP_OK)
        *out = m;
    else
        nrp_il_method_free(m);
    return rc;
}

void nrp_il_method_free(nrp_il_method *m)
{
    if (!m)
        return;
    nrp_arena_free(&m->arena);
    free(m->clauses);
    free(m->locals);
    free(m);
}
