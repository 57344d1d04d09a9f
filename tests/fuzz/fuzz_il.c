/*
 * fuzz_il.c - libFuzzer target for the IL engine and the signature reader.
 *
 * Input layout:
 *   byte 0     control: bits 0..5 the length of the method signature that
 *              follows (capped to what the input holds), bit 6 wrap with a
 *              catch clause too, bit 7 pick the alternative entry snippet
 *   bytes 1..  the method signature, then the method body (header, code,
 *              exception sections) as GetILFunctionBody returns it
 *
 * Each input goes through:
 *   1. the signature reader: nrp_sig_format_method_params (with a namer that
 *      appends a fixed string), nrp_sig_method_return, nrp_sig_skip_type;
 *   2. the header codec: decode(encode(decode(body))) gives the same body and
 *      encode is a fixed point; a header-level entry insert still decodes;
 *   3. the instruction list: decode, encode; whatever encode accepts must
 *      decode again and re-encode to the same bytes;
 *   4. edits: wrap (nop entry, empty finally, sometimes an empty catch) then
 *      insert at entry, encode; the output must decode again and be a fixed
 *      point of decode+encode as well.
 *
 * Every broken invariant is reported on stderr and ends in __builtin_trap().
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "il/il_body.h"
#include "il/il_edit.h"
#include "il/il_method.h"
#include "nrp/plugin.h"
#include "sig/sig.h"
#include "util/strbuf.h"

#define SIG_LEN_MASK 0x3Fu
#define CTL_WITH_CATCH 0x40u
#define CTL_ALT_ENTRY 0x80u

#define FIXED_LOCAL_SIG_TOKEN 0x11000042u
#define CATCH_TYPE_TOKEN 0x01000001u

static void fail(const char *what, const char *reason, const char *file, int line)
{
    fprintf(stderr, "fuzz_il: invariant broken at %s:%d: %s%s%s\n", file, line, what, reason ? ": " : "",
            reason ? reason : "");
    fflush(stderr);
    __builtin_trap();
}

static const char *reason_of(const nrp_err *err) { return err ? err->msg : NULL; }

/* CHECK(cond, err): err (an nrp_err *, may be NULL) gives the engine's reason. */
#define CHECK(cond, err)                                                                                        \
    do {                                                                                                        \
        if (!(cond))                                                                                            \
            fail(#cond, reason_of(err), __FILE__, __LINE__);                                                    \
    } while (0)

/* ---- fake runtime ------------------------------------------------------- */

/* The stack effect of a call token comes straight from its low bits, so the
 * answer is deterministic and the fuzzer can steer it. */
static int fake_call_info(void *ctx, uint32_t token, nrp_il_call_info *out, nrp_err *err)
{
    (void)ctx;
    (void)err;
    out->params = token & 3;
    out->has_this = (int)(token >> 2 & 1);
    out->returns_value = (int)(token >> 3 & 1);
    return NRP_OK;
}

/* A local-signature token names one of three fixed blobs, picked by its
 * low bits, so a new local gets index 2 (stloc.2), 5 (stloc.s) or 300
 * (stloc): 2 locals (int32, string), 5 int32 locals, 300 int32 locals. */
#define MANY_LOCALS 300
static const uint8_t two_locals[] = {0x07, 0x02, 0x08, 0x0E};
static const uint8_t five_locals[] = {0x07, 0x05, 0x08, 0x08, 0x08, 0x08, 0x08};
static uint8_t many_locals[3 + MANY_LOCALS];

static int fake_local_sig(void *ctx, uint32_t token, const uint8_t **blob, uint32_t *len, nrp_err *err)
{
    (void)ctx;
    (void)err;
    switch (token & 3) {
    case 2:
        *blob = five_locals;
        *len = sizeof five_locals;
        break;
    case 3:
        if (many_locals[0] == 0) {
            many_locals[0] = 0x07;
            many_locals[1] = 0x80 | MANY_LOCALS >> 8;
            many_locals[2] = MANY_LOCALS & 0xFF;
            memset(many_locals + 3, 0x08, MANY_LOCALS);
        }
        *blob = many_locals;
        *len = sizeof many_locals;
        break;
    default:
        *blob = two_locals;
        *len = sizeof two_locals;
        break;
    }
    return NRP_OK;
}

static int fake_sig_token(void *ctx, const uint8_t *blob, uint32_t len, uint32_t *token, nrp_err *err)
{
    (void)ctx;
    (void)err;
    /* The blob must be readable in full (ASan checks the bytes). */
    volatile uint8_t sink = 0;
    for (uint32_t k = 0; k < len; k++)
        sink ^= blob[k];
    (void)sink;
    *token = FIXED_LOCAL_SIG_TOKEN;
    return NRP_OK;
}

static const nrp_il_env fake_env = {NULL, fake_call_info, fake_local_sig, fake_sig_token};

static int fixed_namer(void *ctx, uint32_t token, nrp_strbuf *out)
{
    (void)ctx;
    (void)token;
    nrp_strbuf_puts(out, "Fuzz.Type");
    return NRP_OK;
}

/* ---- 1. signatures ------------------------------------------------------ */

static void fuzz_sig(const uint8_t *sig, size_t len)
{
    nrp_err err;
    nrp_strbuf params;
    nrp_method_sig_info info;

    nrp_strbuf_init(&params);
    if (nrp_sig_format_method_params(sig, len, fixed_namer, NULL, &params, &info, &err) == NRP_OK) {
        CHECK(params.len == 0 || params.data != NULL, NULL);
        CHECK(params.data == NULL || strlen(params.data) == params.len, NULL);
    }
    nrp_strbuf_free(&params);

    nrp_sig_span ret = {0};
    int returns_value = -1;
    if (nrp_sig_method_return(sig, len, &info, &ret, &returns_value, &err) == NRP_OK) {
        CHECK(returns_value == 0 || returns_value == 1, NULL);
        CHECK(ret.data >= sig && ret.len <= len && ret.data + ret.len <= sig + len, NULL);
    }

    const uint8_t *p = sig;
    if (len && nrp_sig_skip_type(&p, sig + len, &err) == NRP_OK)
        CHECK(p > sig && p <= sig + len, NULL);
}

/* ---- 2. header codec ---------------------------------------------------- */

static void check_same_body(const nrp_il_body *a, const nrp_il_body *b)
{
    CHECK(a->max_stack == b->max_stack, NULL);
    CHECK(a->init_locals == b->init_locals, NULL);
    CHECK(a->local_sig_token == b->local_sig_token, NULL);
    CHECK(a->code_size == b->code_size, NULL);
    CHECK(memcmp(a->code, b->code, a->code_size) == 0, NULL);
    CHECK(a->clause_count == b->clause_count, NULL);
    for (uint32_t i = 0; i < a->clause_count; i++)
        CHECK(memcmp(&a->clauses[i], &b->clauses[i], sizeof a->clauses[i]) == 0, NULL);
}

/* Encode b into a malloc'd buffer of exactly nrp_il_encoded_size bytes. */
static uint8_t *encode_body(const nrp_il_body *b, size_t *n)
{
    nrp_err err;
    size_t need = nrp_il_encoded_size(b);
    uint8_t *out = malloc(need ? need : 1);
    CHECK(out != NULL, NULL);
    *n = nrp_il_encode(b, out, need, &err);
    CHECK(*n == need, &err);
    /* One byte short must be refused, never overrun. */
    if (need > 1) {
        uint8_t *small = malloc(need - 1);
        CHECK(small != NULL, NULL);
        CHECK(nrp_il_encode(b, small, need - 1, &err) == 0, NULL);
        free(small);
    }
    return out;
}

static void fuzz_header(const uint8_t *body, size_t len)
{
    nrp_err err;
    nrp_il_body b1, b2, b3;

    if (nrp_il_decode(body, len, &b1, &err) != NRP_OK)
        return;
    size_t n1, n2;
    uint8_t *e1 = encode_body(&b1, &n1);
    CHECK(nrp_il_decode(e1, n1, &b2, &err) == NRP_OK, &err);
    check_same_body(&b1, &b2);
    uint8_t *e2 = encode_body(&b2, &n2);
    CHECK(n1 == n2 && memcmp(e1, e2, n1) == 0, NULL);
    free(e2);
    nrp_il_body_free(&b2);

    /* A header-level entry insert keeps the body decodable. */
    static const uint8_t nops[] = {0x00, 0x00, 0x00};
    uint32_t old_size = b1.code_size;
    if (nrp_il_insert_at_entry(&b1, nops, sizeof nops, 1, &err) == NRP_OK) {
        CHECK(b1.code_size == old_size + sizeof nops, NULL);
        size_t n3;
        uint8_t *e3 = encode_body(&b1, &n3);
        CHECK(nrp_il_decode(e3, n3, &b3, &err) == NRP_OK, &err);
        check_same_body(&b1, &b3);
        nrp_il_body_free(&b3);
        free(e3);
    }
    free(e1);
    nrp_il_body_free(&b1);
}

/* ---- clause nesting ------------------------------------------------------
 *
 * Decode refuses exception tables whose blocks overlap without nesting, so
 * for whatever it accepts the encoder's inner-before-outer order must be
 * stable: encode(decode(encode(x))) == encode(x), clause table included.
 * Two clauses can still each lie inside the other (A's try in B's handler,
 * B's try in A's handler); the order of such a pair flips on every encode
 * (crashes/README.md). Build with -DFUZZ_TOLERATE_CLAUSE_ORDER to compare
 * the clause table as a set whenever the clauses do not nest as whole
 * clauses (one clause inside a single block of the other, a shared try
 * block, or apart), to keep fuzzing past that while it is open. */

#ifdef FUZZ_TOLERATE_CLAUSE_ORDER
typedef struct span {
    uint64_t start, end; /* [start, end) */
} span;

static int span_within(span a, span b) { return a.start >= b.start && a.end <= b.end; }
static int span_disjoint(span a, span b) { return a.end <= b.start || b.end <= a.start; }

/* The blocks of a clause; 2 or 3 (filter). 0 when the filter does not come
 * before its handler. */
static int clause_blocks(const nrp_il_clause *c, span out[3])
{
    out[0] = (span){c->try_offset, (uint64_t)c->try_offset + c->try_length};
    out[1] = (span){c->handler_offset, (uint64_t)c->handler_offset + c->handler_length};
    if (!(c->flags & NRP_EH_FILTER))
        return 2;
    if (c->class_token_or_filter_offset >= c->handler_offset)
        return 0;
    out[2] = (span){c->class_token_or_filter_offset, c->handler_offset};
    return 3;
}

/* All of a's blocks inside one block of b. */
static int clause_inside(const span *a, int na, const span *b, int nb)
{
    for (int k = 0; k < nb; k++) {
        int all = 1;
        for (int i = 0; i < na && all; i++)
            all = span_within(a[i], b[k]);
        if (all)
            return 1;
    }
    return 0;
}

static int clauses_well_nested(const nrp_il_body *b)
{
    span x[3], y[3];
    for (uint32_t i = 0; i < b->clause_count; i++) {
        int nx = clause_blocks(&b->clauses[i], x);
        if (!nx)
            return 0;
        for (int p = 0; p < nx; p++)
            for (int q = p + 1; q < nx; q++)
                if (!span_disjoint(x[p], x[q]))
                    return 0;
        for (uint32_t j = i + 1; j < b->clause_count; j++) {
            int ny = clause_blocks(&b->clauses[j], y);
            if (!ny)
                return 0;
            if (x[0].start == y[0].start && x[0].end == y[0].end)
                continue;
            if (clause_inside(x, nx, y, ny) || clause_inside(y, ny, x, nx))
                continue;
            int apart = 1;
            for (int p = 0; p < nx && apart; p++)
                for (int q = 0; q < ny && apart; q++)
                    apart = span_disjoint(x[p], y[q]);
            if (!apart)
                return 0;
        }
    }
    return 1;
}

static int clause_cmp(const void *a, const void *b) { return memcmp(a, b, sizeof(nrp_il_clause)); }

/* a and b encode the same body, their clause tables maybe in another order. */
static void check_same_but_clause_order(const uint8_t *a, size_t na, const uint8_t *b, size_t nb)
{
    nrp_err err;
    nrp_il_body x, y;
    CHECK(na == nb, NULL);
    CHECK(nrp_il_decode(a, na, &x, &err) == NRP_OK, &err);
    CHECK(nrp_il_decode(b, nb, &y, &err) == NRP_OK, &err);
    if (x.clause_count > 1) {
        qsort(x.clauses, x.clause_count, sizeof *x.clauses, clause_cmp);
        qsort(y.clauses, y.clause_count, sizeof *y.clauses, clause_cmp);
    }
    check_same_body(&x, &y);
    nrp_il_body_free(&x);
    nrp_il_body_free(&y);
}
#endif

/* ---- 3. instruction list round trip ------------------------------------- */

/* bytes came out of nrp_il_method_encode: they must decode, and decoding
 * then encoding them must give the very same bytes. */
static void check_fixed_point(const uint8_t *bytes, size_t n, const uint8_t *sig, uint32_t sig_len)
{
    nrp_err err;
    nrp_il_method *m = NULL;
    uint8_t *again = NULL;
    size_t again_n = 0;

    CHECK(nrp_il_method_decode(bytes, n, sig, sig_len, &fake_env, &m, &err) == NRP_OK, &err);
    CHECK(nrp_il_method_encode(m, &again, &again_n, &err) == NRP_OK, &err);
#ifdef FUZZ_TOLERATE_CLAUSE_ORDER
    nrp_il_body b;
    CHECK(nrp_il_decode(bytes, n, &b, &err) == NRP_OK, &err);
    int well_nested = clauses_well_nested(&b);
    nrp_il_body_free(&b);
    if (!well_nested) {
        check_same_but_clause_order(bytes, n, again, again_n);
        free(again);
        nrp_il_method_free(m);
        return;
    }
#endif
    CHECK(again_n == n, NULL);
    CHECK(memcmp(again, bytes, n) == 0, NULL);
    free(again);
    nrp_il_method_free(m);
}

static void fuzz_method(const uint8_t *body, size_t len, const uint8_t *sig, uint32_t sig_len)
{
    nrp_err err;
    nrp_il_method *m = NULL;
    uint8_t *out = NULL;
    size_t out_n = 0;

    if (nrp_il_method_decode(body, len, sig, sig_len, &fake_env, &m, &err) != NRP_OK)
        return;
    CHECK(m != NULL, NULL);
    if (nrp_il_method_encode(m, &out, &out_n, &err) == NRP_OK) {
        CHECK(out != NULL && out_n > 0, NULL);
        check_fixed_point(out, out_n, sig, sig_len);
    } else {
        CHECK(out == NULL && out_n == 0, NULL);
    }
    free(out);
    nrp_il_method_free(m);
}

/* ---- 4. edits ----------------------------------------------------------- */

static void fuzz_edits(const uint8_t *body, size_t len, const uint8_t *sig, uint32_t sig_len, uint8_t ctl)
{
    static const uint8_t nop[] = {0x00};
    static const uint8_t push_pop[] = {0x16, 0x26}; /* ldc.i4.0; pop */
    nrp_err err;
    nrp_il_method *m = NULL;
    uint8_t *out = NULL;
    size_t out_n = 0;

    if (nrp_il_method_decode(body, len, sig, sig_len, &fake_env, &m, &err) != NRP_OK)
        return;

    nrp_il_wrap_spec spec = {
        .entry_il = nop,
        .entry_len = sizeof nop,
        .with_catch = (ctl & CTL_WITH_CATCH) != 0,
        .catch_type = CATCH_TYPE_TOKEN,
        .catch_il = NULL,
        .catch_len = 0,
        .with_finally = 1,
        .finally_il = NULL,
        .finally_len = 0,
    };
    nrp_il_returns ret;
    memset(&ret, 0, sizeof ret);
    int wrapped = nrp_il_edit_wrap(m, &spec, &ret, &err) == NRP_OK;
    if (wrapped) {
        CHECK(ret.epilogue != NULL, NULL);
        CHECK(m->clause_count >= (spec.with_catch ? 3u : 1u), NULL); /* filter, fault; finally */
    }

    const uint8_t *entry = (ctl & CTL_ALT_ENTRY) ? push_pop : nop;
    size_t entry_len = (ctl & CTL_ALT_ENTRY) ? sizeof push_pop : sizeof nop;
    uint32_t before = m->count;
    CHECK(nrp_il_edit_insert_at_entry(m, entry, entry_len, &err) == NRP_OK, &err);
    CHECK(m->count == before + ((ctl & CTL_ALT_ENTRY) ? 2u : 1u), NULL);

    if (nrp_il_method_encode(m, &out, &out_n, &err) == NRP_OK) {
        nrp_il_method *again = NULL;
        CHECK(nrp_il_method_decode(out, out_n, sig, sig_len, &fake_env, &again, &err) == NRP_OK, &err);
        nrp_il_method_free(again);
        check_fixed_point(out, out_n, sig, sig_len);
    }
    free(out);
    nrp_il_method_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t ctl = data[0];
    size_t sig_len = ctl & SIG_LEN_MASK;
    if (sig_len > size - 1)
        sig_len = size - 1;
    /* A zero-length signature stands for "no signature" (NULL). */
    const uint8_t *sig = sig_len ? data + 1 : NULL;
    const uint8_t *body = data + 1 + sig_len;
    size_t body_len = size - 1 - sig_len;

    fuzz_sig(sig ? sig : data + 1, sig_len);
    fuzz_header(body, body_len);
    fuzz_method(body, body_len, sig, (uint32_t)sig_len);
    fuzz_edits(body, body_len, sig, (uint32_t)sig_len, ctl);
    return 0;
}
