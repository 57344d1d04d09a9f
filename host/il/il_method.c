#include "il/il_method.h"

#include <stdlib.h>
#include <string.h>

#include "il/opcode_info.h"
#include "nrp/result.h"

/* ---- list operations ---------------------------------------------------- */

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

int nrp_il_remove(nrp_il_method *m, nrp_il_instr *ins)
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

int nrp_il_add_clause(nrp_il_method *m, const nrp_il_clause_ref *c, nrp_err *err)
{
    if (m->clause_count == m->clause_cap) {
        uint32_t cap = m->clause_cap ? m->clause_cap * 2 : 4;
        nrp_il_clause_ref *grown = realloc(m->clauses, cap * sizeof *grown);
        if (!grown)
            return nrp_err_set(err, "out of memory adding an exception clause");
        m->clauses = grown;
        m->clause_cap = cap;
    }
    m->clauses[m->clause_count++] = *c;
    return NRP_OK;
}

/* ---- decoding ----------------------------------------------------------- */

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

static int read_operand(nrp_il_method *m, nrp_il_instr *i, const nrp_il_opinfo *info, const uint8_t *code,
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

static int resolve_branches(nrp_il_instr *first, nrp_il_instr **map, const uint8_t *code, uint32_t size,
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
            i->value = 0;
        } else if (info->operand == NRP_OPERAND_SWITCH) {
            for (uint32_t t = 0; t < i->target_count; t++) {
                int64_t disp = (int32_t)read_le(code + i->offset + 5 + 4 * t, 4);
                i->targets[t] = at(map, size, next + disp);
                if (!i->targets[t])
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
static int decode_code(nrp_il_method *m, const uint8_t *code, uint32_t target_limit, uint32_t size,
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
        if (read_operand(m, i, info, code, size, pos + nrp_il_opcode_size(op), err))
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
    if (resolve_branches(first, map, code, target_limit, err))
        return NRP_ERROR;
    *first_out = first;
    *last_out = last;
    if (count)
        *count = n;
    return NRP_OK;
}

int nrp_il_decode_snippet(nrp_il_method *m, const uint8_t *il, size_t len, nrp_il_instr *after,
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
    int rc = decode_code(m, il, (uint32_t)(after ? len + 1 : len), (uint32_t)len, map, first, last, NULL, err);
    free(map);
    if (rc)
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

static int map_boundary(nrp_il_instr **map, uint32_t size, uint32_t offset, int end_allowed, nrp_il_instr **out,
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
    return NRP_OK;
}

static int map_clauses(nrp_il_method *m, const nrp_il_body *body, nrp_il_instr **map, nrp_err *err)
{
    uint32_t size = body->code_size;
    for (uint32_t c = 0; c < body->clause_count; c++) {
        const nrp_il_clause *src = &body->clauses[c];
        nrp_il_clause_ref ref = {.flags = src->flags};
        if (src->try_length == 0 || src->handler_length == 0)
            return nrp_err_set(err, "exception clause %u has an empty range", c);
        if (map_boundary(map, size, src->try_offset, 0, &ref.try_start, c, "try start", err) ||
            map_boundary(map, size, src->try_offset + src->try_length, 1, &ref.try_end, c, "try end", err) ||
            map_boundary(map, size, src->handler_offset, 0, &ref.handler_start, c, "handler start", err) ||
            map_boundary(map, size, src->handler_offset + src->handler_length, 1, &ref.handler_end, c,
                         "handler end", err))
            return NRP_ERROR;
        if (src->flags & NRP_EH_FILTER) {
            if (map_boundary(map, size, src->class_token_or_filter_offset, 0, &ref.filter_start, c, "filter start",
                             err))
                return NRP_ERROR;
        } else {
            ref.class_token = src->class_token_or_filter_offset;
        }
        if (nrp_il_add_clause(m, &ref, err))
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

static int validate_clauses(const nrp_il_body *b, nrp_err *err)
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

int nrp_il_method_decode(const uint8_t *data, size_t size, const uint8_t *method_sig, uint32_t sig_len,
                         const nrp_il_env *env, nrp_il_method **out, nrp_err *err)
{
    nrp_il_body body;
    nrp_il_method *m;
    nrp_il_instr **map = NULL;
    int rc = NRP_ERROR;

    *out = NULL;
    if (nrp_il_decode(data, size, &body, err))
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
    if (decode_code(m, body.code, body.code_size, body.code_size, map, &m->first, &m->last, &m->count, err) ||
        map_clauses(m, &body, map, err) || validate_clauses(&body, err))
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

/* ---- layout and encoding ------------------------------------------------ */

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

static int check_clause(const nrp_il_clause_ref *c, uint32_t n, uint32_t code_size, nrp_err *err)
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
static int order_clauses(nrp_il_method *m, uint32_t code_size, nrp_err *err)
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

int nrp_il_method_encode(nrp_il_method *m, uint8_t **out, size_t *size, nrp_err *err)
{
    nrp_il_body body = {0};
    uint32_t max_stack;
    int rc = NRP_ERROR;

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
        if (check_clause(&m->clauses[c], c, body.code_size, err))
            goto done;
    if (order_clauses(m, body.code_size, err))
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
