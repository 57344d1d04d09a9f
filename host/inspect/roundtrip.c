/*
 * roundtrip.c - decode, encode, decode again, compare: the IL engine
 * checked against every method body of a real assembly (roundtrip.h).
 */
#include "inspect/roundtrip.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "il/opcode_info.h"
#include "nrp/il.h"
#include "sig/sig.h"

/* ---- the env: what the engine asks, read from the file -------------------- */

/* The signature behind a call site: a MethodDef's or MemberRef's, a
 * MethodSpec's generic method's (a MethodDef or MemberRef, so one step),
 * or a StandAloneSig's for calli. */
static nrp_result call_site_sig(const nrp_meta *m, uint32_t token, const uint8_t **sig, uint32_t *len, nrp_err *err)
{
    uint32_t row = token & 0x00FFFFFFu;
    switch (token >> 24) {
    case NRP_META_METHODDEF: {
        nrp_meta_method_def d;
        if (nrp_meta_method_def_row(m, row, &d, err) != NRP_OK)
            return NRP_ERROR;
        *sig = d.signature, *len = d.signature_len;
        return NRP_OK;
    }
    case NRP_META_MEMBERREF: {
        nrp_meta_member_ref r;
        if (nrp_meta_member_ref_row(m, row, &r, err) != NRP_OK)
            return NRP_ERROR;
        *sig = r.signature, *len = r.signature_len;
        return NRP_OK;
    }
    case NRP_META_METHODSPEC: {
        nrp_meta_method_spec s;
        if (nrp_meta_method_spec_row(m, row, &s, err) != NRP_OK)
            return NRP_ERROR;
        if (s.method >> 24 == NRP_META_METHODSPEC) /* the coded index cannot say so; never loop */
            return nrp_err_set(err, "method spec 0x%08x names another method spec", token);
        return call_site_sig(m, s.method, sig, len, err);
    }
    case NRP_META_STANDALONESIG:
        return nrp_meta_standalone_sig_row(m, row, sig, len, err);
    default:
        return nrp_err_set(err, "token 0x%08x is not a method or a signature", token);
    }
}

static nrp_result env_call_info(void *ctx, uint32_t token, nrp_il_call_info *out, nrp_err *err)
{
    const uint8_t *sig;
    uint32_t len;
    nrp_method_sig_info info;
    int returns;
    if (call_site_sig(ctx, token, &sig, &len, err) != NRP_OK ||
        nrp_sig_method_return(sig, len, &info, NULL, &returns, err) != NRP_OK)
        return NRP_ERROR;
    /* With an explicit `this`, the signature lists it as a parameter. */
    out->has_this = info.has_this && !(info.callconv & NRP_CALLCONV_EXPLICITTHIS);
    out->params = info.param_count;
    out->returns_value = returns;
    return NRP_OK;
}

static nrp_result env_local_sig(void *ctx, uint32_t token, const uint8_t **blob, uint32_t *len, nrp_err *err)
{
    if (token >> 24 != NRP_META_STANDALONESIG)
        return nrp_err_set(err, "local signature token 0x%08x is not a StandAloneSig", token);
    return nrp_meta_standalone_sig_row(ctx, token & 0x00FFFFFFu, blob, len, err);
}

void nrp_roundtrip_env(const nrp_meta *m, nrp_il_env *env)
{
    /* The engine's callbacks take a mutable context; they only read. */
    *env = (nrp_il_env){(void *)m, env_call_info, env_local_sig, NULL};
}

/* ---- comparing two decodings ---------------------------------------------- */

/* Instructions by their index in the list. Offsets are unique and rise
 * along a list that was decoded or laid out, so index_at[offset] finds a
 * target's index without a hash. */
typedef struct indexed {
    const nrp_il_method *m;
    uint32_t *index_at; /* last->offset + 1 entries; NO_INDEX where no instruction starts */
    uint32_t size;
} indexed;

#define NO_INDEX UINT32_MAX

static nrp_result index_method(indexed *x, const nrp_il_method *m)
{
    x->m = m;
    x->index_at = NULL;
    x->size = 0;
    if (!m->last)
        return NRP_OK;
    x->size = m->last->offset + 1;
    x->index_at = malloc((size_t)x->size * sizeof *x->index_at);
    if (!x->index_at)
        return NRP_NOMEM;
    memset(x->index_at, 0xFF, (size_t)x->size * sizeof *x->index_at);
    uint32_t k = 0;
    int64_t previous = -1;
    for (const nrp_il_instr *i = m->first; i; i = i->next, k++) {
        if ((int64_t)i->offset <= previous || i->offset > m->last->offset)
            return NRP_ERROR; /* not laid out: the caller says so */
        previous = i->offset;
        x->index_at[i->offset] = k;
    }
    return NRP_OK;
}

/* The index of the instruction i points at; a range end of NULL is the
 * end of the code, one past the last index. An engine bug could leave a
 * target outside the list: NO_INDEX then, which differs from any index. */
static uint32_t index_of(const indexed *x, const nrp_il_instr *i)
{
    if (!i)
        return x->m->count;
    return i->offset < x->size ? x->index_at[i->offset] : NO_INDEX;
}

static const char *op_name(uint16_t op)
{
    const nrp_il_opinfo *info = nrp_il_opinfo_of(op);
    return info ? info->name : "?";
}

static int compare_instructions(const indexed *a, const indexed *b, nrp_strbuf *what)
{
    uint32_t k = 0;
    for (const nrp_il_instr *i = a->m->first, *j = b->m->first; i && j; i = i->next, j = j->next, k++) {
        const char *name = op_name(i->op);
        if (i->op != j->op) {
            nrp_strbuf_printf(what, "instruction %u (IL_%04x) %s became %s", k, i->offset, name, op_name(j->op));
            return 1;
        }
        if (i->value != j->value) {
            nrp_strbuf_printf(what, "instruction %u (IL_%04x) %s: operand 0x%" PRIx64 " became 0x%" PRIx64, k,
                              i->offset, name, (uint64_t)i->value, (uint64_t)j->value);
            return 1;
        }
        if ((i->target != NULL) != (j->target != NULL) ||
            (i->target && index_of(a, i->target) != index_of(b, j->target))) {
            nrp_strbuf_printf(what, "instruction %u (IL_%04x) %s: target %d became %d", k, i->offset, name,
                              i->target ? (int)index_of(a, i->target) : -1,
                              j->target ? (int)index_of(b, j->target) : -1);
            return 1;
        }
        if (i->target_count != j->target_count) {
            nrp_strbuf_printf(what, "instruction %u (IL_%04x) %s: %u targets became %u", k, i->offset, name,
                              i->target_count, j->target_count);
            return 1;
        }
        for (uint32_t t = 0; t < i->target_count; t++)
            if (index_of(a, i->targets[t]) != index_of(b, j->targets[t])) {
                nrp_strbuf_printf(what, "instruction %u (IL_%04x) %s: target %u, instruction %u, became %u", k,
                                  i->offset, name, t, index_of(a, i->targets[t]), index_of(b, j->targets[t]));
                return 1;
            }
    }
    return 0;
}

static int compare_clauses(const indexed *a, const indexed *b, nrp_strbuf *what)
{
    if (a->m->clause_count != b->m->clause_count) {
        nrp_strbuf_printf(what, "%u exception clauses became %u", a->m->clause_count, b->m->clause_count);
        return 1;
    }
    for (uint32_t c = 0; c < a->m->clause_count; c++) {
        const nrp_il_clause_ref *x = &a->m->clauses[c], *y = &b->m->clauses[c];
        int filter = (x->flags & NRP_EH_FILTER) != 0;
        /* Ranges as [start, end) instruction indexes, and the filter's
         * start or the catch's class token. */
        uint32_t p[6] = {index_of(a, x->try_start),     index_of(a, x->try_end),
                         index_of(a, x->handler_start), index_of(a, x->handler_end),
                         filter ? index_of(a, x->filter_start) : 0, filter ? 0 : x->class_token};
        uint32_t q[6] = {index_of(b, y->try_start),     index_of(b, y->try_end),
                         index_of(b, y->handler_start), index_of(b, y->handler_end),
                         filter ? index_of(b, y->filter_start) : 0, filter ? 0 : y->class_token};
        if (x->flags != y->flags || memcmp(p, q, sizeof p) != 0) {
            nrp_strbuf_printf(what,
                              "exception clause %u: flags 0x%x try [%u,%u) handler [%u,%u) %s 0x%x became "
                              "flags 0x%x try [%u,%u) handler [%u,%u) %s 0x%x",
                              c, x->flags, p[0], p[1], p[2], p[3], filter ? "filter" : "class", filter ? p[4] : p[5],
                              y->flags, q[0], q[1], q[2], q[3], (y->flags & NRP_EH_FILTER) ? "filter" : "class",
                              filter ? q[4] : q[5]);
            return 1;
        }
    }
    return 0;
}

int nrp_roundtrip_compare(const nrp_il_method *a, const nrp_il_method *b, nrp_strbuf *what)
{
    indexed x, y;
    int differs = 1;
    nrp_result ra = index_method(&x, a), rb = index_method(&y, b);
    if (ra == NRP_NOMEM || rb == NRP_NOMEM)
        nrp_strbuf_puts(what, "out of memory comparing");
    else if (ra != NRP_OK || rb != NRP_OK)
        nrp_strbuf_puts(what, "an instruction list is not laid out (offsets do not rise)");
    else if (a->count != b->count)
        nrp_strbuf_printf(what, "%u instructions became %u", a->count, b->count);
    else if (compare_instructions(&x, &y, what) || compare_clauses(&x, &y, what))
        ; /* said */
    else if (a->init_locals != b->init_locals)
        nrp_strbuf_printf(what, "init locals %d became %d", a->init_locals, b->init_locals);
    else if (a->local_sig_token != b->local_sig_token)
        nrp_strbuf_printf(what, "local signature 0x%08x became 0x%08x", a->local_sig_token, b->local_sig_token);
    else if (b->max_stack < a->max_stack)
        nrp_strbuf_printf(what, "max stack %u is below the compiler's %u", b->max_stack, a->max_stack);
    else
        differs = 0;
    free(x.index_at);
    free(y.index_at);
    return differs;
}

/* ---- one body ---------------------------------------------------------------- */

int nrp_roundtrip_body(const uint8_t *body, size_t len, const uint8_t *sig, uint32_t sig_len, const nrp_il_env *env,
                       nrp_strbuf *what, int *stack_raised)
{
    nrp_il_method *a = NULL, *b = NULL;
    nrp_il_clause_ref *order = NULL;
    uint8_t *encoded = NULL;
    size_t encoded_len = 0;
    nrp_err err;
    int differs = 1;

    if (stack_raised)
        *stack_raised = 0;
    if (nrp_il_method_decode(body, len, sig, sig_len, env, &a, &err) != NRP_OK) {
        nrp_strbuf_printf(what, "decode refused: %s", err.msg);
        goto done;
    }
    /* Encoding puts the clauses inner before outer in place; the
     * comparison is with the order the compiler wrote, so keep it. */
    if (a->clause_count) {
        order = malloc(a->clause_count * sizeof *order);
        if (!order) {
            nrp_strbuf_puts(what, "out of memory");
            goto done;
        }
        memcpy(order, a->clauses, a->clause_count * sizeof *order);
    }
    if (nrp_il_method_encode(a, &encoded, &encoded_len, &err) != NRP_OK) {
        nrp_strbuf_printf(what, "encode refused: %s", err.msg);
        goto done;
    }
    if (order)
        memcpy(a->clauses, order, a->clause_count * sizeof *order);
    if (nrp_il_method_decode(encoded, encoded_len, sig, sig_len, env, &b, &err) != NRP_OK) {
        nrp_strbuf_printf(what, "the re-encoded body does not decode: %s", err.msg);
        goto done;
    }
    differs = nrp_roundtrip_compare(a, b, what);
    if (stack_raised)
        *stack_raised = b->max_stack > a->max_stack;
done:
    nrp_il_method_free(a);
    nrp_il_method_free(b);
    free(order);
    free(encoded);
    return differs;
}

/* ---- a whole assembly ------------------------------------------------------- */

typedef struct walk {
    const nrp_meta *m;
    const char *label;
    FILE *report;
} walk;

/* "Type::Method(params) 0xTOKEN", or the token alone when a name cannot be read. */
static void put_method_label(walk *w, uint32_t row, nrp_strbuf *out)
{
    uint32_t token = (uint32_t)NRP_META_METHODDEF << 24 | row;
    nrp_strbuf name, ret, params;
    nrp_meta_method_def d;
    nrp_err err;
    int modifiers;
    uint32_t owner;
    nrp_strbuf_init(&name);
    nrp_strbuf_init(&ret);
    nrp_strbuf_init(&params);
    if (nrp_meta_method_owner(w->m, row, &owner, &err) == NRP_OK &&
        nrp_meta_type_name(w->m, (uint32_t)NRP_META_TYPEDEF << 24 | owner, &name, &err) == NRP_OK &&
        nrp_meta_method_def_row(w->m, row, &d, &err) == NRP_OK &&
        nrp_meta_method_sig_names(w->m, d.signature, d.signature_len, &ret, &params, NULL, &modifiers, &err) ==
            NRP_OK &&
        name.status == NRP_OK && params.status == NRP_OK)
        nrp_strbuf_printf(out, "%s::%s(%s) ", name.data ? name.data : "", d.name, params.data ? params.data : "");
    nrp_strbuf_printf(out, "0x%08x", token);
    nrp_strbuf_free(&name);
    nrp_strbuf_free(&ret);
    nrp_strbuf_free(&params);
}

static void report_difference(walk *w, uint32_t row, const nrp_strbuf *what)
{
    nrp_strbuf line;
    if (!w->report)
        return;
    nrp_strbuf_init(&line);
    put_method_label(w, row, &line);
    fprintf(w->report, "%s: %s: %s\n", w->label, line.status == NRP_OK && line.data ? line.data : "?",
            what->status == NRP_OK && what->data ? what->data : "out of memory");
    nrp_strbuf_free(&line);
}

void nrp_roundtrip_meta(const nrp_meta *m, const char *label, nrp_roundtrip_stats *stats, FILE *report)
{
    walk w = {m, label, report};
    nrp_il_env env;
    uint32_t rows = nrp_meta_row_count(m, NRP_META_METHODDEF);
    nrp_roundtrip_env(m, &env);
    for (uint32_t row = 1; row <= rows; row++) {
        nrp_meta_method_def d;
        nrp_err row_err;
        const uint8_t *body;
        size_t len;
        nrp_strbuf what;
        int differs, raised = 0;
        nrp_strbuf_init(&what);
        if (nrp_meta_method_def_row(m, row, &d, &row_err) != NRP_OK) {
            nrp_strbuf_printf(&what, "cannot read the MethodDef row: %s", row_err.msg);
            differs = 1;
        } else if (nrp_meta_no_il_reason(d.flags, d.impl_flags, d.rva)) {
            nrp_strbuf_free(&what);
            continue; /* no IL body */
        } else if (nrp_meta_method_body(m, d.rva, &body, &len, &row_err) != NRP_OK) {
            nrp_strbuf_printf(&what, "cannot read the body: %s", row_err.msg);
            differs = 1;
        } else {
            differs = nrp_roundtrip_body(body, len, d.signature, d.signature_len, &env, &what, &raised);
        }
        stats->methods++;
        stats->stack_raised += raised != 0;
        if (differs) {
            stats->differences++;
            report_difference(&w, row, &what);
        }
        nrp_strbuf_free(&what);
    }
    stats->assemblies++;
}

nrp_result nrp_roundtrip_assembly(const char *path, nrp_roundtrip_stats *stats, FILE *report, nrp_err *err)
{
    nrp_meta *m;
    if (nrp_meta_open_file(path, &m, err) != NRP_OK)
        return NRP_ERROR;
    nrp_roundtrip_meta(m, path, stats, report);
    nrp_meta_close(m);
    return NRP_OK;
}
