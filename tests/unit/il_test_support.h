/* il_test_support.h - what the IL unit tests (test_il_method.c,
 * test_il_edit.c) share: the method signatures they decode against, a fake
 * runtime (nrp_il_env) that knows a fixed set of tokens and counts its calls,
 * decode/encode wrappers that fail the test on error, and the assertions on
 * an instruction list, its clauses, its encoding and its max stack.
 *
 * A header of static functions and data, not a library: every test is its
 * own executable, and cmocka's assert_* and fail_msg must expand in the test
 * that calls them. Functions are `static inline` so an includer that uses
 * only some of them does not warn. Call reset_env as each test's setup and,
 * before using the local signatures 0x11000006 or 0x11000009, init_blobs
 * once as the group setup. */
#ifndef NRP_IL_TEST_SUPPORT_H
#define NRP_IL_TEST_SUPPORT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "il/il_method.h"
#include "nrp/plugin.h"

/* ------------------------------------------------------------------------ */
/* method signatures                                                         */
/* ------------------------------------------------------------------------ */

static const uint8_t SIG_I4_I4[] = {0x00, 0x01, 0x08, 0x08};   /* static int32(int32) */
static const uint8_t SIG_VOID[] = {0x00, 0x00, 0x01};          /* static void() */
static const uint8_t SIG_STR_OBJ[] = {0x20, 0x01, 0x0E, 0x1C}; /* instance string(object) */

/* ------------------------------------------------------------------------ */
/* a fake runtime                                                            */
/* ------------------------------------------------------------------------ */

enum { MANY_LOCALS = 0x3FFF };

typedef struct fake_env {
    int call_info_calls;
    int local_sig_calls;
    int sig_token_calls;
    uint8_t blob[MANY_LOCALS + 16]; /* the last signature handed to sig_token */
    uint32_t blob_len;
} fake_env;

static fake_env g_env;

/* The tokens the fake runtime knows:
 *   0x0A000001 MemberRef  static void(int32)
 *   0x0A000002 MemberRef  instance int32()
 *   0x06000003 MethodDef  static int32(int32, int32)
 *   0x11000007 StandAloneSig (calli) static int32(int32)
 *   0x0A000008 MemberRef  instance void .ctor(int32, int32)
 * anything else (0x2B000004, a MethodSpec) is unknown. */
static inline int fake_call_info(void *ctx, uint32_t token, nrp_il_call_info *out, nrp_err *err)
{
    fake_env *e = ctx;
    e->call_info_calls++;
    switch (token) {
    case 0x0A000001: *out = (nrp_il_call_info){.has_this = 0, .params = 1, .returns_value = 0}; return NRP_OK;
    case 0x0A000002: *out = (nrp_il_call_info){.has_this = 1, .params = 0, .returns_value = 1}; return NRP_OK;
    case 0x06000003: *out = (nrp_il_call_info){.has_this = 0, .params = 2, .returns_value = 1}; return NRP_OK;
    case 0x11000007: *out = (nrp_il_call_info){.has_this = 0, .params = 1, .returns_value = 1}; return NRP_OK;
    case 0x0A000008: *out = (nrp_il_call_info){.has_this = 1, .params = 2, .returns_value = 0}; return NRP_OK;
    default: return nrp_err_set(err, "fake env: no signature for token 0x%08x", token);
    }
}

/* Local signatures:
 *   0x11000005  07 02 08 0E            (int32, string)
 *   0x11000006  07 7F 08 x 127         (127 x int32; filled by init_blobs)
 *   0x11000009  07 BF FF 08 x 16383    (16383 x int32; filled by init_blobs)
 *   0x11000077  06 01 08               (not a local signature)
 *   0x1100007A  07 03 08 0E            (says 3 locals, holds 2)
 *   0x1100007B  07 01 08 08            (1 local and a stray byte)
 * anything else is unknown. */
static const uint8_t LOCALS_I4_STR[] = {0x07, 0x02, 0x08, 0x0E};
static uint8_t LOCALS_127[2 + 127];
static uint8_t LOCALS_16383[3 + MANY_LOCALS];
static const uint8_t LOCALS_BAD[] = {0x06, 0x01, 0x08};
static const uint8_t LOCALS_SHORT[] = {0x07, 0x03, 0x08, 0x0E};
static const uint8_t LOCALS_STRAY[] = {0x07, 0x01, 0x08, 0x08};

static inline int fake_local_sig(void *ctx, uint32_t token, const uint8_t **blob, uint32_t *len, nrp_err *err)
{
    fake_env *e = ctx;
    e->local_sig_calls++;
    switch (token) {
    case 0x11000005: *blob = LOCALS_I4_STR; *len = sizeof LOCALS_I4_STR; return NRP_OK;
    case 0x11000006: *blob = LOCALS_127; *len = sizeof LOCALS_127; return NRP_OK;
    case 0x11000009: *blob = LOCALS_16383; *len = sizeof LOCALS_16383; return NRP_OK;
    case 0x11000077: *blob = LOCALS_BAD; *len = sizeof LOCALS_BAD; return NRP_OK;
    case 0x1100007A: *blob = LOCALS_SHORT; *len = sizeof LOCALS_SHORT; return NRP_OK;
    case 0x1100007B: *blob = LOCALS_STRAY; *len = sizeof LOCALS_STRAY; return NRP_OK;
    default: return nrp_err_set(err, "fake env: no local signature 0x%08x", token);
    }
}

/* Keeps the signature it is given in g_env.blob and names it 0x11000099. */
static inline int fake_sig_token(void *ctx, const uint8_t *blob, uint32_t len, uint32_t *token, nrp_err *err)
{
    fake_env *e = ctx;
    (void)err;
    e->sig_token_calls++;
    assert_true(len <= sizeof e->blob);
    memcpy(e->blob, blob, len);
    e->blob_len = len;
    *token = 0x11000099;
    return NRP_OK;
}

static inline nrp_il_env make_env(void)
{
    return (nrp_il_env){&g_env, fake_call_info, fake_local_sig, fake_sig_token};
}

/* Test setup: zero the counters and the kept signature. */
static inline int reset_env(void **state)
{
    (void)state;
    memset(&g_env, 0, sizeof g_env);
    return 0;
}

/* Group setup: fill the two large local signatures. */
static inline int init_blobs(void **state)
{
    (void)state;
    LOCALS_127[0] = 0x07;                        /* LOCAL_SIG */
    LOCALS_127[1] = 0x7F;                        /* 127 locals */
    memset(LOCALS_127 + 2, 0x08, 127);           /* int32 each */
    LOCALS_16383[0] = 0x07;                      /* LOCAL_SIG */
    LOCALS_16383[1] = 0xBF;                      /* 16383 = 0x3FFF, compressed in 2 bytes */
    LOCALS_16383[2] = 0xFF;
    memset(LOCALS_16383 + 3, 0x08, MANY_LOCALS); /* int32 each */
    return 0;
}

/* ------------------------------------------------------------------------ */
/* decoding and encoding                                                     */
/* ------------------------------------------------------------------------ */

static inline nrp_il_method *decode_ok(const uint8_t *body, size_t size, const uint8_t *sig, size_t sig_len)
{
    nrp_il_env env = make_env();
    nrp_il_method *m = NULL;
    nrp_err err = {{0}};
    if (nrp_il_method_decode(body, size, sig, (uint32_t)sig_len, &env, &m, &err) != NRP_OK)
        fail_msg("decode failed: %s", err.msg);
    assert_non_null(m);
    return m;
}
#define DECODE(body, sig) decode_ok(body, sizeof body, sig, sizeof sig)

static inline uint8_t *encode_ok(nrp_il_method *m, size_t *size)
{
    uint8_t *out = NULL;
    nrp_err err = {{0}};
    if (nrp_il_method_encode(m, &out, size, &err) != NRP_OK)
        fail_msg("encode failed: %s", err.msg);
    assert_non_null(out);
    return out;
}

/* A call failed (rc is NRP_ERROR) with a reason containing `want`. */
static inline void expect_err(int rc, const nrp_err *err, const char *want)
{
    assert_int_equal(rc, NRP_ERROR);
    if (!strstr(err->msg, want))
        fail_msg("error '%s' does not mention '%s'", err->msg, want);
}

/* ------------------------------------------------------------------------ */
/* the instruction list                                                      */
/* ------------------------------------------------------------------------ */

static inline nrp_il_instr *nth(const nrp_il_method *m, uint32_t k)
{
    nrp_il_instr *i = m->first;
    while (i && k--)
        i = i->next;
    assert_non_null(i);
    return i;
}

/* Index of x in m's list; m->count for NULL (the end of the code). */
static inline int idx_of(const nrp_il_method *m, const nrp_il_instr *x)
{
    int k = 0;
    if (!x)
        return (int)m->count;
    for (const nrp_il_instr *i = m->first; i; i = i->next, k++)
        if (i == x)
            return k;
    fail_msg("instruction is not in the method");
    return -1;
}

/* The list is consistent: count, first/last, prev/next. */
static inline void assert_list_ok(const nrp_il_method *m)
{
    uint32_t n = 0;
    const nrp_il_instr *prev = NULL;
    for (const nrp_il_instr *i = m->first; i; i = i->next, n++) {
        assert_ptr_equal(i->prev, prev);
        prev = i;
    }
    assert_ptr_equal(m->last, prev);
    assert_int_equal(n, m->count);
}

/* One expected instruction: op, value and, for branches, the index of the
 * target (-1: none). */
typedef struct want_instr {
    uint16_t op;
    int64_t value;
    int target;
} want_instr;

static inline void assert_instrs(const nrp_il_method *m, const want_instr *w, uint32_t n)
{
    assert_list_ok(m);
    assert_int_equal(m->count, n);
    const nrp_il_instr *i = m->first;
    for (uint32_t k = 0; k < n; k++, i = i->next) {
        if (i->op != w[k].op)
            fail_msg("instruction %u: op 0x%04x, expected 0x%04x", k, i->op, w[k].op);
        if (i->value != w[k].value)
            fail_msg("instruction %u: value %lld, expected %lld", k, (long long)i->value, (long long)w[k].value);
        int t = i->target ? idx_of(m, i->target) : -1;
        if (t != w[k].target)
            fail_msg("instruction %u: target %d, expected %d", k, t, w[k].target);
    }
}

/* Clause c: flags, boundaries by instruction index, and the filter start
 * (filter clauses) or the class token (the others). */
static inline void assert_clause_idx(const nrp_il_method *m, uint32_t c, uint32_t flags, int try_start, int try_end,
                                     int handler_start, int handler_end, int filter_start, uint32_t token)
{
    assert_true(c < m->clause_count);
    const nrp_il_clause_ref *r = &m->clauses[c];
    assert_int_equal(r->flags, flags);
    assert_int_equal(idx_of(m, r->try_start), try_start);
    assert_int_equal(idx_of(m, r->try_end), try_end);
    assert_int_equal(idx_of(m, r->handler_start), handler_start);
    assert_int_equal(idx_of(m, r->handler_end), handler_end);
    if (flags & NRP_EH_FILTER)
        assert_int_equal(idx_of(m, r->filter_start), filter_start);
    else
        assert_int_equal(r->class_token, token);
}

/* decode(encode(x)) == x: instruction by instruction (op, value, branch and
 * switch targets by index) and clause by clause (flags, boundaries by index,
 * class token). */
static inline void assert_same_method(const nrp_il_method *a, const nrp_il_method *b)
{
    assert_list_ok(a);
    assert_list_ok(b);
    assert_int_equal(a->count, b->count);
    const nrp_il_instr *x = a->first, *y = b->first;
    for (uint32_t k = 0; x && y; x = x->next, y = y->next, k++) {
        if (x->op != y->op)
            fail_msg("instruction %u: op 0x%04x vs 0x%04x", k, x->op, y->op);
        if (x->value != y->value)
            fail_msg("instruction %u (op 0x%04x): value %lld vs %lld", k, x->op, (long long)x->value,
                     (long long)y->value);
        int tx = x->target ? idx_of(a, x->target) : -1, ty = y->target ? idx_of(b, y->target) : -1;
        if (tx != ty)
            fail_msg("instruction %u: target %d vs %d", k, tx, ty);
        assert_int_equal(x->target_count, y->target_count);
        for (uint32_t t = 0; t < x->target_count; t++)
            assert_int_equal(idx_of(a, x->targets[t]), idx_of(b, y->targets[t]));
    }
    assert_int_equal(a->clause_count, b->clause_count);
    for (uint32_t c = 0; c < a->clause_count; c++) {
        const nrp_il_clause_ref *p = &a->clauses[c], *q = &b->clauses[c];
        assert_int_equal(p->flags, q->flags);
        assert_int_equal(idx_of(a, p->try_start), idx_of(b, q->try_start));
        assert_int_equal(idx_of(a, p->try_end), idx_of(b, q->try_end));
        assert_int_equal(idx_of(a, p->handler_start), idx_of(b, q->handler_start));
        assert_int_equal(idx_of(a, p->handler_end), idx_of(b, q->handler_end));
        if (p->flags & NRP_EH_FILTER)
            assert_int_equal(idx_of(a, p->filter_start), idx_of(b, q->filter_start));
        else
            assert_int_equal(p->class_token, q->class_token);
    }
}

/* ------------------------------------------------------------------------ */
/* encoding and max stack                                                    */
/* ------------------------------------------------------------------------ */

static inline void dump(const char *what, const uint8_t *p, size_t n)
{
    fprintf(stderr, "%s (%zu bytes):\n", what, n);
    for (size_t k = 0; k < n; k++)
        fprintf(stderr, "%02X%s", p[k], (k + 1) % 16 && k + 1 < n ? " " : "\n");
}

/* Encoding must give exactly `want` (both are dumped when it does not). */
static inline void expect_encoded_bytes(nrp_il_method *m, const uint8_t *want, size_t want_size)
{
    size_t n;
    uint8_t *got = encode_ok(m, &n);
    if (n != want_size || memcmp(got, want, n) != 0) {
        dump("encoded", got, n);
        dump("expected", want, want_size);
        for (size_t k = 0; k < n && k < want_size; k++)
            if (got[k] != want[k])
                fail_msg("encoded byte %zu is 0x%02X, expected 0x%02X (sizes %zu / %zu)", k, got[k], want[k], n,
                         want_size);
        fail_msg("encoded %zu bytes, expected %zu", n, want_size);
    }
    free(got);
}

/* Encoding must give exactly `want`, and `want` decodes back to m. */
static inline void expect_encoded(nrp_il_method *m, const uint8_t *want, size_t want_size)
{
    expect_encoded_bytes(m, want, want_size);
    nrp_il_method *back = decode_ok(want, want_size, m->method_sig, m->method_sig_len);
    assert_same_method(m, back);
    nrp_il_method_free(back);
}

static inline void assert_max_stack(nrp_il_method *m, uint32_t want)
{
    uint32_t max = 12345;
    nrp_err err = {{0}};
    if (nrp_il_max_stack(m, &max, &err) != NRP_OK)
        fail_msg("max stack failed: %s", err.msg);
    assert_int_equal(max, want);
}

/* ------------------------------------------------------------------------ */
/* building method bodies                                                    */
/* ------------------------------------------------------------------------ */

static inline void put32(uint8_t *p, uint32_t v)
{
    for (int k = 0; k < 4; k++)
        p[k] = (uint8_t)(v >> (8 * k));
}

/* A fat header (3 dwords, flags 0x3 | extra) in front of `code`. */
static inline size_t fat_body(uint8_t *out, uint16_t extra_flags, uint16_t max_stack, uint32_t local_tok,
                              const uint8_t *code, uint32_t code_size)
{
    uint16_t flags = (uint16_t)(0x3003 | extra_flags);
    out[0] = (uint8_t)flags;
    out[1] = (uint8_t)(flags >> 8);
    out[2] = (uint8_t)max_stack;
    out[3] = (uint8_t)(max_stack >> 8);
    put32(out + 4, code_size);
    put32(out + 8, local_tok);
    memcpy(out + 12, code, code_size);
    return 12 + (size_t)code_size;
}

#endif
