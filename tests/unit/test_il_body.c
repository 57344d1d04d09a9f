/*
 * test_il_body.c - CIL method body decode / encode / insert (ECMA-335 II.25.4).
 *
 * Every method body below is written out byte by byte with a comment, so a
 * reader can check it against the spec without running anything.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test_rng.h"

#include <stdlib.h>
#include <string.h>

#include "il/il_body.h"
#include "nrp/plugin.h"

/* ------------------------------------------------------------------------ */
/* helpers                                                                   */
/* ------------------------------------------------------------------------ */

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v);
    put16(p + 2, v >> 16);
}

/* Field-by-field comparison of two decoded bodies (code by content). */
static void assert_body_equal(const nrp_il_body *a, const nrp_il_body *b)
{
    assert_int_equal(a->max_stack, b->max_stack);
    assert_int_equal(!!a->init_locals, !!b->init_locals);
    assert_int_equal(a->local_sig_token, b->local_sig_token);
    assert_int_equal(a->code_size, b->code_size);
    if (a->code_size) {
        assert_non_null(a->code);
        assert_non_null(b->code);
        assert_memory_equal(a->code, b->code, a->code_size);
    }
    assert_int_equal(a->clause_count, b->clause_count);
    for (uint32_t i = 0; i < a->clause_count; i++) {
        const nrp_il_clause *x = &a->clauses[i], *y = &b->clauses[i];
        assert_int_equal(x->flags, y->flags);
        assert_int_equal(x->try_offset, y->try_offset);
        assert_int_equal(x->try_length, y->try_length);
        assert_int_equal(x->handler_offset, y->handler_offset);
        assert_int_equal(x->handler_length, y->handler_length);
        assert_int_equal(x->class_token_or_filter_offset, y->class_token_or_filter_offset);
    }
}

static void assert_clause(const nrp_il_clause *c, uint32_t flags, uint32_t try_off, uint32_t try_len,
                          uint32_t h_off, uint32_t h_len, uint32_t tok)
{
    assert_int_equal(c->flags, flags);
    assert_int_equal(c->try_offset, try_off);
    assert_int_equal(c->try_length, try_len);
    assert_int_equal(c->handler_offset, h_off);
    assert_int_equal(c->handler_length, h_len);
    assert_int_equal(c->class_token_or_filter_offset, tok);
}

static void assert_body_empty(const nrp_il_body *b)
{
    assert_null(b->code);
    assert_null(b->clauses);
    assert_int_equal(b->code_size, 0);
    assert_int_equal(b->clause_count, 0);
    assert_int_equal(b->max_stack, 0);
    assert_int_equal(b->local_sig_token, 0);
    assert_int_equal(b->init_locals, 0);
}

/* Decode must fail, leave out empty and give a reason containing `want`. */
static void expect_decode_error(const uint8_t *data, size_t size, const char *want)
{
    nrp_il_body b;
    nrp_err err;
    memset(&b, 0xA5, sizeof b); /* garbage: decode must reset it */
    memset(&err, 0, sizeof err);
    assert_int_equal(nrp_il_decode(data, size, &b, &err), NRP_ERROR);
    assert_body_empty(&b);
    assert_true(err.msg[0] != '\0');
    if (!strstr(err.msg, want))
        fail_msg("error '%s' does not mention '%s'", err.msg, want);
}

/* encode -> decode of an in-memory body; returns the encoded bytes (free). */
static uint8_t *encode_alloc(const nrp_il_body *b, size_t *size_out)
{
    nrp_err err = {{0}};
    size_t need = nrp_il_encoded_size(b);
    uint8_t *buf = malloc(need ? need : 1);
    assert_non_null(buf);
    size_t n = nrp_il_encode(b, buf, need, &err);
    if (n != need)
        fail_msg("encode wrote %zu of %zu bytes: %s", n, need, err.msg);
    *size_out = n;
    return buf;
}

/* The round-trip property: decode(encode(decode(bytes))) == decode(bytes). */
static void assert_round_trip(const uint8_t *bytes, size_t size)
{
    nrp_il_body d1, d2;
    nrp_err err = {{0}};
    if (nrp_il_decode(bytes, size, &d1, &err) != NRP_OK)
        fail_msg("decode of a valid body failed: %s", err.msg);
    size_t n;
    uint8_t *enc = encode_alloc(&d1, &n);
    if (nrp_il_decode(enc, n, &d2, &err) != NRP_OK)
        fail_msg("decode of the re-encoded body failed: %s", err.msg);
    assert_body_equal(&d1, &d2);
    /* encoding is deterministic: the same body encodes to the same bytes */
    size_t n2;
    uint8_t *enc2 = encode_alloc(&d2, &n2);
    assert_int_equal(n, n2);
    assert_memory_equal(enc, enc2, n);
    free(enc);
    free(enc2);
    nrp_il_body_free(&d1);
    nrp_il_body_free(&d2);
}

/* ------------------------------------------------------------------------ */
/* hand-made bodies                                                          */
/* ------------------------------------------------------------------------ */

/* Tiny: header byte = code_size << 2 | 0x2. */
static const uint8_t TINY_BODY[] = {
    0x0E,             /* tiny, code size 3 (3 << 2 | 2) */
    0x17,             /* ldc.i4.1 */
    0x26,             /* pop */
    0x2A,             /* ret */
};

/* Fat, InitLocals, local signature token, no extra sections. */
static const uint8_t FAT_LOCALS_BODY[] = {
    0x13, 0x30,             /* flags: fat (0x3) | InitLocals (0x10); header size 3 dwords */
    0x02, 0x00,             /* max stack 2 */
    0x04, 0x00, 0x00, 0x00, /* code size 4 */
    0x01, 0x00, 0x00, 0x11, /* local var sig token 0x11000001 */
    0x16,                   /* ldc.i4.0 */
    0x0A,                   /* stloc.0 */
    0x06,                   /* ldloc.0 */
    0x2A,                   /* ret */
};

/* Fat, MoreSects, small EH section: try/finally and try/catch(class). */
static const uint8_t FAT_SMALL_EH_BODY[] = {
    0x1B, 0x30,             /* flags: fat | MoreSects (0x8) | InitLocals; 3 dwords */
    0x01, 0x00,             /* max stack 1 */
    0x0A, 0x00, 0x00, 0x00, /* code size 10 */
    0x00, 0x00, 0x00, 0x00, /* no locals */
    /* code (10 bytes) */
    0x00, 0x00, 0xDE, 0x02, /* 0: nop; nop; leave.s +2 */
    0xDC,                   /* 4: endfinally */
    0x00, 0xDE, 0x00,       /* 5: nop; leave.s 0 */
    0x26,                   /* 8: pop (catch handler) */
    0x2A,                   /* 9: ret */
    0x00, 0x00,             /* padding to a 4-byte boundary (22 -> 24) */
    /* small EH section */
    0x01,                   /* kind: EHTable, small, no more sections */
    0x1C,                   /* data size 28 = 4 + 2 * 12 */
    0x00, 0x00,             /* reserved */
    /* clause 0: finally */
    0x02, 0x00,             /* flags: finally */
    0x00, 0x00,             /* try offset 0 */
    0x04,                   /* try length 4 */
    0x04, 0x00,             /* handler offset 4 */
    0x01,                   /* handler length 1 */
    0x00, 0x00, 0x00, 0x00, /* class token (unused) */
    /* clause 1: catch [TypeRef 7] */
    0x00, 0x00,             /* flags: catch */
    0x05, 0x00,             /* try offset 5 */
    0x03,                   /* try length 3 */
    0x08, 0x00,             /* handler offset 8 */
    0x01,                   /* handler length 1 */
    0x07, 0x00, 0x00, 0x01, /* class token 0x01000007 */
};

/* Fat, filter clause (small section). */
static const uint8_t FAT_FILTER_BODY[] = {
    0x0B, 0x30,             /* fat | MoreSects; 3 dwords */
    0x02, 0x00,             /* max stack 2 */
    0x08, 0x00, 0x00, 0x00, /* code size 8 */
    0x00, 0x00, 0x00, 0x00, /* no locals */
    0x00, 0xDE, 0x05,       /* 0: try { nop; leave.s } */
    0x26, 0x17, 0xFE, 0x11, /* 3: filter: pop; ldc.i4.1; endfilter */
    0x2A,                   /* 7: ret (handler) -- nonsense IL, only offsets matter */
    /* 20 bytes: already 4-aligned */
    0x01, 0x10, 0x00, 0x00, /* small EH, data size 16 = 4 + 12 */
    0x01, 0x00,             /* flags: filter */
    0x00, 0x00,             /* try offset 0 */
    0x03,                   /* try length 3 */
    0x07, 0x00,             /* handler offset 7 */
    0x01,                   /* handler length 1 */
    0x03, 0x00, 0x00, 0x00, /* filter offset 3 */
};

/* Fat, two sections chained with MoreSects: small (0x81) then fat (0x41). */
static const uint8_t FAT_TWO_SECTIONS_BODY[] = {
    0x0B, 0x30,             /* fat | MoreSects; 3 dwords */
    0x08, 0x00,             /* max stack 8 */
    0x06, 0x00, 0x00, 0x00, /* code size 6 */
    0x00, 0x00, 0x00, 0x00, /* no locals */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x2A, /* code */
    0x00, 0x00,             /* padding 18 -> 20 */
    /* section 1: small EH with MoreSects */
    0x81, 0x10, 0x00, 0x00, /* EHTable | MoreSects, size 16 */
    0x04, 0x00,             /* fault */
    0x00, 0x00, 0x01,       /* try 0 len 1 */
    0x01, 0x00, 0x01,       /* handler 1 len 1 */
    0x00, 0x00, 0x00, 0x00, /* token */
    /* section 2: fat EH, last */
    0x41, 0x1C, 0x00, 0x00, /* EHTable | FatFormat, size 28 = 4 + 24 */
    0x00, 0x00, 0x00, 0x00, /* flags: catch */
    0x02, 0x00, 0x00, 0x00, /* try offset 2 */
    0x01, 0x00, 0x00, 0x00, /* try length 1 */
    0x03, 0x00, 0x00, 0x00, /* handler offset 3 */
    0x02, 0x00, 0x00, 0x00, /* handler length 2 */
    0x05, 0x00, 0x00, 0x02, /* class token 0x02000005 */
};

static void test_decode_tiny(void **state)
{
    (void)state;
    nrp_il_body b;
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_decode(TINY_BODY, sizeof TINY_BODY, &b, &err), NRP_OK);
    assert_int_equal(b.max_stack, 8);
    assert_int_equal(b.init_locals, 0);
    assert_int_equal(b.local_sig_token, 0);
    assert_int_equal(b.code_size, 3);
    assert_memory_equal(b.code, "\x17\x26\x2A", 3);
    assert_int_equal(b.clause_count, 0);
    nrp_il_body_free(&b);
    assert_body_empty(&b);
}

static void test_decode_tiny_ignores_trailing_bytes(void **state)
{
    (void)state;
    /* tiny, 1 byte of code, then junk that belongs to nobody */
    const uint8_t body[] = {0x06, 0x2A, 0xFF, 0xFF};
    nrp_il_body b;
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_decode(body, sizeof body, &b, &err), NRP_OK);
    assert_int_equal(b.code_size, 1);
    assert_int_equal(b.code[0], 0x2A);
    nrp_il_body_free(&b);
}

static void test_decode_tiny_max_code(void **state)
{
    (void)state;
    uint8_t body[64];
    body[0] = (uint8_t)(63 << 2 | 2); /* 0xFE: tiny, 63 bytes */
    for (int i = 1; i < 64; i++)
        body[i] = (uint8_t)i;
    nrp_il_body b;
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_decode(body, sizeof body, &b, &err), NRP_OK);
    assert_int_equal(b.code_size, 63);
    assert_memory_equal(b.code, body + 1, 63);
    nrp_il_body_free(&b);
}

static void test_decode_fat_locals(void **state)
{
    (void)state;
    nrp_il_body b;
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_decode(FAT_LOCALS_BODY, sizeof FAT_LOCALS_BODY, &b, &err), NRP_OK);
    assert_int_equal(b.max_stack, 2);
    assert_int_equal(b.init_locals, 1);
    assert_int_equal(b.local_sig_token, 0x11000001);
    assert_int_equal(b.code_size, 4);
    assert_memory_equal(b.code, "\x16\x0A\x06\x2A", 4);
    assert_int_equal(b.clause_count, 0);
    nrp_il_body_free(&b);
}

static void test_decode_fat_without_init_locals(void **state)
{
    (void)state;
    uint8_t body[sizeof FAT_LOCALS_BODY];
    memcpy(body, FAT_LOCALS_BODY, sizeof body);
    body[0] = 0x03; /* fat only */
    nrp_il_body b;
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_decode(body, sizeof body, &b, &err), NRP_OK);
    assert_int_equal(b.init_locals, 0);
    assert_int_equal(b.local_sig_token, 0x11000001);
    nrp_il_body_free(&b);
}

static void test_decode_fat_larger_header(void **state)
{
    (void)state;
    /* A header that declares 4 dwords: the code starts at byte 16. */
    const uint8_t body[] = {
        0x03, 0x40,             /* fat; header size 4 dwords */
        0x05, 0x00,             /* max stack 5 */
        0x01, 0x00, 0x00, 0x00, /* code size 1 */
        0x00, 0x00, 0x00, 0x00, /* no locals */
        0xEE, 0xEE, 0xEE, 0xEE, /* extra header dword */
        0x2A,                   /* ret */
    };
    nrp_il_body b;
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_decode(body, sizeof body, &b, &err), NRP_OK);
    assert_int_equal(b.max_stack, 5);
    assert_int_equal(b.code_size, 1);
    assert_int_equal(b.code[0], 0x2A);
    nrp_il_body_free(&b);
}

static void test_decode_fat_small_eh(void **state)
{
    (void)state;
    nrp_il_body b;
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_decode(FAT_SMALL_EH_BODY, sizeof FAT_SMALL_EH_BODY, &b, &err), NRP_OK);
    assert_int_equal(b.max_stack, 1);
    assert_int_equal(b.init_locals, 1);
    assert_int_equal(b.local_sig_token, 0);
    assert_int_equal(b.code_size, 10);
    assert_memory_equal(b.code, FAT_SMALL_EH_BODY + 12, 10);
    assert_int_equal(b.clause_count, 2);
    assert_clause(&b.clauses[0], NRP_EH_FINALLY, 0, 4, 4, 1, 0);
    assert_clause(&b.clauses[1], NRP_EH_CATCH, 5, 3, 8, 1, 0x01000007);
    nrp_il_body_free(&b);
}

static void test_decode_filter(void **state)
{
    (void)state;
    nrp_il_body b;
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_decode(FAT_FILTER_BODY, sizeof FAT_FILTER_BODY, &b, &err), NRP_OK);
    assert_int_equal(b.code_size, 8);
    assert_int_equal(b.clause_count, 1);
    assert_clause(&b.clauses[0], NRP_EH_FILTER, 0, 3, 7, 1, 3);
    nrp_il_body_free(&b);
}

static void test_decode_two_sections(void **state)
{
    (void)state;
    nrp_il_body b;
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_decode(FAT_TWO_SECTIONS_BODY, sizeof FAT_TWO_SECTIONS_BODY, &b, &err),
                     NRP_OK);
    assert_int_equal(b.max_stack, 8);
    assert_int_equal(b.code_size, 6);
    assert_int_equal(b.clause_count, 2);
    assert_clause(&b.clauses[0], NRP_EH_FAULT, 0, 1, 1, 1, 0);
    assert_clause(&b.clauses[1], NRP_EH_CATCH, 2, 1, 3, 2, 0x02000005);
    nrp_il_body_free(&b);
}

/* A fat body whose code is 0x10010 bytes, with one fat EH section holding a
 * clause at offset 0x10000 (does not fit the 16-bit small form). */
static uint8_t *make_big_offset_body(size_t *size)
{
    const uint32_t code_size = 0x10010;
    size_t n = 12 + code_size + 4 + 24; /* 12 + 0x10010 is already 4-aligned */
    uint8_t *p = calloc(1, n);
    assert_non_null(p);
    put16(p, 0x300B);                 /* fat | MoreSects, 3 dwords */
    put16(p + 2, 3);                  /* max stack 3 */
    put32(p + 4, code_size);          /* code size */
    put32(p + 8, 0);                  /* no locals */
    for (uint32_t i = 0; i < code_size; i++)
        p[12 + i] = (uint8_t)(i * 7);
    uint8_t *s = p + 12 + code_size;
    s[0] = 0x41;                      /* EHTable | FatFormat */
    s[1] = 28; s[2] = 0; s[3] = 0;    /* 24-bit data size 28 */
    put32(s + 4, NRP_EH_FINALLY);     /* flags */
    put32(s + 8, 0x10000);            /* try offset */
    put32(s + 12, 0x8);               /* try length */
    put32(s + 16, 0x10008);           /* handler offset */
    put32(s + 20, 0x8);               /* handler length */
    put32(s + 24, 0);                 /* unused token */
    *size = n;
    return p;
}

static void test_decode_fat_eh_big_offsets(void **state)
{
    (void)state;
    size_t n;
    uint8_t *p = make_big_offset_body(&n);
    nrp_il_body b;
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_decode(p, n, &b, &err), NRP_OK);
    assert_int_equal(b.max_stack, 3);
    assert_int_equal(b.code_size, 0x10010);
    assert_memory_equal(b.code, p + 12, 0x10010);
    assert_int_equal(b.clause_count, 1);
    assert_clause(&b.clauses[0], NRP_EH_FINALLY, 0x10000, 8, 0x10008, 8, 0);
    nrp_il_body_free(&b);
    assert_round_trip(p, n);
    free(p);
}

/* 21 clauses: a fat EH section (a small one holds at most 20). */
static uint8_t *make_21_clause_body(size_t *size)
{
    const uint32_t code_size = 44;
    const uint32_t count = 21;
    size_t n = 12 + code_size + 4 + 24 * count; /* 56: 4-aligned */
    uint8_t *p = calloc(1, n);
    assert_non_null(p);
    put16(p, 0x300B);
    put16(p + 2, 8);
    put32(p + 4, code_size);
    for (uint32_t i = 0; i < code_size; i++)
        p[12 + i] = 0x00; /* nop */
    p[12 + code_size - 1] = 0x2A;
    uint8_t *s = p + 12 + code_size;
    s[0] = 0x41;
    s[1] = (uint8_t)(4 + 24 * count); /* 508 = 0x1FC */
    s[2] = (uint8_t)((4 + 24 * count) >> 8);
    s[3] = 0;
    for (uint32_t i = 0; i < count; i++) {
        uint8_t *c = s + 4 + 24 * i;
        put32(c, NRP_EH_CATCH);
        put32(c + 4, i);          /* try offset i */
        put32(c + 8, 1);          /* try length 1 */
        put32(c + 12, 22 + i);    /* handler offset */
        put32(c + 16, 1);         /* handler length */
        put32(c + 20, 0x01000000u + i + 1);
    }
    *size = n;
    return p;
}

static void test_decode_fat_eh_many_clauses(void **state)
{
    (void)state;
    size_t n;
    uint8_t *p = make_21_clause_body(&n);
    nrp_il_body b;
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_decode(p, n, &b, &err), NRP_OK);
    assert_int_equal(b.clause_count, 21);
    for (uint32_t i = 0; i < 21; i++)
        assert_clause(&b.clauses[i], NRP_EH_CATCH, i, 1, 22 + i, 1, 0x01000000u + i + 1);
    nrp_il_body_free(&b);
    assert_round_trip(p, n);
    free(p);
}

/* ------------------------------------------------------------------------ */
/* rejections                                                                */
/* ------------------------------------------------------------------------ */

static void test_reject_empty(void **state)
{
    (void)state;
    const uint8_t one = 0x06;
    expect_decode_error(&one, 0, "empty");
    expect_decode_error(NULL, 0, "empty");
    expect_decode_error(NULL, 5, "empty");
}

static void test_reject_unknown_format(void **state)
{
    (void)state;
    const uint8_t b0[] = {0x00, 0x2A, 0x2A, 0x2A}; /* format bits 00 */
    const uint8_t b1[] = {0x05, 0x2A, 0x2A, 0x2A}; /* format bits 01 */
    expect_decode_error(b0, sizeof b0, "unknown method header format 0x00");
    expect_decode_error(b1, sizeof b1, "unknown method header format 0x01");
}

static void test_reject_truncated_fat_header(void **state)
{
    (void)state;
    /* 11 of the 12 header bytes */
    const uint8_t body[] = {0x03, 0x30, 0x08, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    expect_decode_error(body, sizeof body, "fat header needs 12 bytes");
    expect_decode_error(body, 1, "fat header needs 12 bytes");
}

static void test_reject_fat_header_too_few_dwords(void **state)
{
    (void)state;
    const uint8_t body[] = {
        0x03, 0x20,             /* fat, header size 2 dwords: invalid */
        0x08, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2A,
    };
    expect_decode_error(body, sizeof body, "at least 3");
}

static void test_reject_code_past_end(void **state)
{
    (void)state;
    const uint8_t tiny[] = {0x0E, 0x00, 0x2A};          /* tiny, says 3 bytes, has 2 */
    expect_decode_error(tiny, sizeof tiny, "runs past");
    const uint8_t fat[] = {
        0x03, 0x30, 0x08, 0x00,
        0x05, 0x00, 0x00, 0x00, /* code size 5 */
        0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x2A, /* only 4 bytes of code */
    };
    expect_decode_error(fat, sizeof fat, "runs past");
    const uint8_t huge[] = {
        0x03, 0x30, 0x08, 0x00,
        0xFF, 0xFF, 0xFF, 0xFF, /* code size 0xFFFFFFFF */
        0x00, 0x00, 0x00, 0x00, 0x2A,
    };
    expect_decode_error(huge, sizeof huge, "runs past");
    const uint8_t bighdr[] = {
        0x03, 0xF0,             /* header of 15 dwords (60 bytes) in a 13-byte body */
        0x08, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2A,
    };
    expect_decode_error(bighdr, sizeof bighdr, "runs past");
}

static void test_reject_no_code(void **state)
{
    (void)state;
    const uint8_t tiny[] = {0x02};  /* tiny, 0 bytes of code */
    expect_decode_error(tiny, sizeof tiny, "no code");
    const uint8_t fat[] = {0x03, 0x30, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    expect_decode_error(fat, sizeof fat, "no code");
}

static void test_reject_clause_outside_code(void **state)
{
    (void)state;
    uint8_t body[sizeof FAT_SMALL_EH_BODY];

    /* try of clause 1 runs to 5 + 6 = 11 > 10 */
    memcpy(body, FAT_SMALL_EH_BODY, sizeof body);
    body[24 + 4 + 12 + 4] = 6;
    expect_decode_error(body, sizeof body, "exception clause 1 lies outside the 10-byte code");

    /* handler of clause 0 starts at 10 with length 1 */
    memcpy(body, FAT_SMALL_EH_BODY, sizeof body);
    body[24 + 4 + 5] = 10;
    expect_decode_error(body, sizeof body, "exception clause 0 lies outside");

    /* try offset of clause 0 far away */
    memcpy(body, FAT_SMALL_EH_BODY, sizeof body);
    body[24 + 4 + 3] = 0xFF;
    expect_decode_error(body, sizeof body, "outside");

    /* filter offset == code size */
    uint8_t f[sizeof FAT_FILTER_BODY];
    memcpy(f, FAT_FILTER_BODY, sizeof f);
    f[20 + 4 + 8] = 8;
    expect_decode_error(f, sizeof f, "filter outside the code");
}

static void test_reject_fat_clause_overflowing_offsets(void **state)
{
    (void)state;
    /* try offset + length wraps around 32 bits: must still be refused */
    uint8_t body[] = {
        0x0B, 0x30, 0x08, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x2A,
        0x41, 0x1C, 0x00, 0x00,
        0x02, 0x00, 0x00, 0x00, /* finally */
        0xFF, 0xFF, 0xFF, 0xFF, /* try offset 0xFFFFFFFF */
        0x02, 0x00, 0x00, 0x00, /* try length 2: 32-bit sum wraps to 1 */
        0x00, 0x00, 0x00, 0x00,
        0x01, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00,
    };
    expect_decode_error(body, sizeof body, "outside");
}

static void test_reject_unknown_section_kind(void **state)
{
    (void)state;
    uint8_t body[sizeof FAT_SMALL_EH_BODY];
    memcpy(body, FAT_SMALL_EH_BODY, sizeof body);
    body[24] = 0x02; /* OptILTable */
    expect_decode_error(body, sizeof body, "unsupported extra section kind 0x02");
    body[24] = 0x00;
    expect_decode_error(body, sizeof body, "unsupported extra section kind 0x00");
}

static void test_reject_eh_size_not_whole_clauses(void **state)
{
    (void)state;
    uint8_t body[sizeof FAT_SMALL_EH_BODY];
    memcpy(body, FAT_SMALL_EH_BODY, sizeof body);
    body[25] = 0x1B; /* 27: (27 - 4) % 12 != 0 */
    expect_decode_error(body, sizeof body, "not a whole number of clauses");
    body[25] = 0x02; /* smaller than the section header */
    expect_decode_error(body, sizeof body, "not a whole number of clauses");
    /* read as fat: 16 bytes is not 4 + n * 24 */
    body[24] = 0x41;
    body[25] = 0x10;
    expect_decode_error(body, sizeof body, "not a whole number of clauses");
}

static void test_reject_section_past_end(void **state)
{
    (void)state;
    /* the section claims 28 bytes but the body stops after 16 of them */
    expect_decode_error(FAT_SMALL_EH_BODY, sizeof FAT_SMALL_EH_BODY - 12, "runs past the body");
    /* MoreSects set, but the body ends right after the code */
    expect_decode_error(FAT_SMALL_EH_BODY, 22, "extra section header");
    /* ...or inside the padding */
    expect_decode_error(FAT_SMALL_EH_BODY, 24, "extra section header");
    /* first section says MoreSects but nothing follows */
    uint8_t body[sizeof FAT_SMALL_EH_BODY];
    memcpy(body, FAT_SMALL_EH_BODY, sizeof body);
    body[24] = 0x81;
    expect_decode_error(body, sizeof body, "extra section header");
}

/* ------------------------------------------------------------------------ */
/* encode                                                                    */
/* ------------------------------------------------------------------------ */

static uint8_t CODE[70000];

static void init_code(void)
{
    for (size_t i = 0; i < sizeof CODE; i++)
        CODE[i] = (uint8_t)(i * 31 + 7);
}

static nrp_il_body mk(uint32_t code_size, uint32_t max_stack, uint32_t tok, int init)
{
    nrp_il_body b = {0};
    b.code = CODE;
    b.code_size = code_size;
    b.max_stack = max_stack;
    b.local_sig_token = tok;
    b.init_locals = init;
    return b;
}

static size_t enc(const nrp_il_body *b, uint8_t *out, size_t cap)
{
    nrp_err err = {{0}};
    size_t n = nrp_il_encode(b, out, cap, &err);
    if (n == 0)
        fail_msg("encode failed: %s", err.msg);
    assert_int_equal(n, nrp_il_encoded_size(b));
    return n;
}

static void test_encode_tiny_choice(void **state)
{
    (void)state;
    uint8_t out[256];
    nrp_il_body b;

    /* eligible: 63 bytes, max stack 8, nothing else */
    b = mk(63, 8, 0, 0);
    assert_int_equal(enc(&b, out, sizeof out), 64);
    assert_int_equal(out[0], 0xFE); /* 63 << 2 | 2 */
    assert_memory_equal(out + 1, CODE, 63);

    b = mk(1, 8, 0, 0);
    assert_int_equal(enc(&b, out, sizeof out), 2);
    assert_int_equal(out[0], 0x06);
    assert_int_equal(out[1], CODE[0]);

    /* 64 bytes of code: fat */
    b = mk(64, 8, 0, 0);
    assert_int_equal(enc(&b, out, sizeof out), 12 + 64);
    assert_memory_equal(out, "\x03\x30\x08\x00\x40\x00\x00\x00\x00\x00\x00\x00", 12);
    assert_memory_equal(out + 12, CODE, 64);

    /* max stack 7 or 9: fat */
    b = mk(2, 7, 0, 0);
    assert_int_equal(enc(&b, out, sizeof out), 14);
    assert_memory_equal(out, "\x03\x30\x07\x00\x02\x00\x00\x00\x00\x00\x00\x00", 12);
    b = mk(2, 9, 0, 0);
    assert_int_equal(enc(&b, out, sizeof out), 14);
    assert_int_equal(out[2], 9);

    /* locals: fat */
    b = mk(2, 8, 0x11000003, 0);
    assert_int_equal(enc(&b, out, sizeof out), 14);
    assert_memory_equal(out, "\x03\x30\x08\x00\x02\x00\x00\x00\x03\x00\x00\x11", 12);

    /* init_locals alone: fat with the flag */
    b = mk(2, 8, 0, 1);
    assert_int_equal(enc(&b, out, sizeof out), 14);
    assert_memory_equal(out, "\x13\x30\x08\x00\x02\x00\x00\x00\x00\x00\x00\x00", 12);

    /* one clause: fat with MoreSects */
    nrp_il_clause c = {NRP_EH_FINALLY, 0, 1, 1, 1, 0};
    b = mk(2, 8, 0, 0);
    b.clauses = &c;
    b.clause_count = 1;
    assert_int_equal(enc(&b, out, sizeof out), 16 + 16);
    assert_int_equal(out[0], 0x0B);
    assert_int_equal(out[1], 0x30);
}

static void test_encode_fat_with_eh_exact_bytes(void **state)
{
    (void)state;
    const uint8_t code[5] = {0x00, 0xDE, 0x01, 0xDC, 0x2A};
    nrp_il_clause clauses[2] = {
        {NRP_EH_FINALLY, 0, 3, 3, 1, 0},
        {NRP_EH_CATCH, 0, 2, 4, 1, 0x01000007},
    };
    nrp_il_body b = {3, 1, 0x11000002, (uint8_t *)code, 5, clauses, 2};
    const uint8_t want[] = {
        0x1B, 0x30,             /* fat | MoreSects | InitLocals, 3 dwords */
        0x03, 0x00,             /* max stack 3 */
        0x05, 0x00, 0x00, 0x00, /* code size 5 */
        0x02, 0x00, 0x00, 0x11, /* locals 0x11000002 */
        0x00, 0xDE, 0x01, 0xDC, 0x2A, /* code */
        0x00, 0x00, 0x00,       /* padding 17 -> 20 */
        0x01, 0x1C, 0x00, 0x00, /* small EH section, 28 bytes */
        0x02, 0x00, 0x00, 0x00, 0x03, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, /* finally */
        0x00, 0x00, 0x00, 0x00, 0x02, 0x04, 0x00, 0x01, 0x07, 0x00, 0x00, 0x01, /* catch */
    };
    uint8_t out[64];
    memset(out, 0xCC, sizeof out);
    assert_int_equal(nrp_il_encoded_size(&b), sizeof want);
    assert_int_equal(enc(&b, out, sizeof out), sizeof want);
    assert_memory_equal(out, want, sizeof want);
    assert_int_equal(out[sizeof want], 0xCC); /* nothing written past the end */
    assert_round_trip(out, sizeof want);
}

static void test_encode_code_already_aligned(void **state)
{
    (void)state;
    /* 12 + 8 = 20: no padding before the section */
    nrp_il_clause c = {NRP_EH_FAULT, 1, 2, 3, 4, 0};
    nrp_il_body b = mk(8, 2, 0, 0);
    b.clauses = &c;
    b.clause_count = 1;
    uint8_t out[64];
    assert_int_equal(enc(&b, out, sizeof out), 20 + 16);
    assert_memory_equal(out + 20, "\x01\x10\x00\x00\x04\x00\x01\x00\x02\x03\x00\x04\x00\x00\x00\x00", 16);
    /* 12 + 6 = 18: two padding bytes */
    b.code_size = 7;
    memset(out, 0xCC, sizeof out);
    assert_int_equal(enc(&b, out, sizeof out), 20 + 16);
    assert_int_equal(out[19], 0x00);
    assert_int_equal(out[20], 0x01);
    b.code_size = 9; /* 21 -> 24 */
    memset(out, 0xCC, sizeof out);
    assert_int_equal(enc(&b, out, sizeof out), 24 + 16);
    assert_memory_equal(out + 21, "\x00\x00\x00\x01\x10", 5);
}

static void test_encode_fat_section_for_large_values(void **state)
{
    (void)state;
    uint8_t out[512];
    nrp_il_body b = mk(300, 4, 0, 0);
    nrp_il_clause c = {NRP_EH_FINALLY, 0, 0x100, 0x100, 0x10, 0};
    b.clauses = &c;
    b.clause_count = 1;
    /* try length 256 does not fit the small form's byte */
    size_t n = enc(&b, out, sizeof out);
    assert_int_equal(n, 312 + 4 + 24);
    const uint8_t want[] = {
        0x41, 0x1C, 0x00, 0x00,                         /* fat EH, 28 bytes */
        0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* finally, try 0 */
        0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, /* len 256, handler 256 */
        0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* len 16, token 0 */
    };
    assert_memory_equal(out + 312, want, sizeof want);

    /* handler length 255 and try length 255 fit small */
    c.try_length = 0xFF;
    c.handler_length = 0xFF;
    c.handler_offset = 0x2D;
    assert_int_equal(enc(&b, out, sizeof out), 312 + 16);
    assert_int_equal(out[312], 0x01);
    assert_int_equal(out[313], 0x10);

    /* handler length 256: fat */
    c.handler_length = 0x100;
    assert_int_equal(enc(&b, out, sizeof out), 312 + 28);
    assert_int_equal(out[312], 0x41);

    /* flags that need more than 16 bits: fat */
    c.handler_length = 1;
    c.flags = 0x10000 | NRP_EH_FAULT;
    assert_int_equal(enc(&b, out, sizeof out), 312 + 28);
    assert_int_equal(out[312], 0x41);
}

static void test_encode_fat_section_for_offsets_over_16_bits(void **state)
{
    (void)state;
    nrp_il_body b = mk(0x10010, 8, 0, 0);
    nrp_il_clause c = {NRP_EH_CATCH, 0x10000, 1, 0x10001, 1, 0x01000002};
    b.clauses = &c;
    b.clause_count = 1;
    size_t need = nrp_il_encoded_size(&b);
    assert_int_equal(need, 12 + 0x10010 + 28);
    uint8_t *out = malloc(need);
    assert_non_null(out);
    assert_int_equal(enc(&b, out, need), need);
    const uint8_t *s = out + 12 + 0x10010;
    const uint8_t want[] = {
        0x41, 0x1C, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, /* catch */
        0x00, 0x00, 0x01, 0x00, /* try 0x10000 */
        0x01, 0x00, 0x00, 0x00,
        0x01, 0x00, 0x01, 0x00, /* handler 0x10001 */
        0x01, 0x00, 0x00, 0x00,
        0x02, 0x00, 0x00, 0x01, /* class 0x01000002 */
    };
    assert_memory_equal(s, want, sizeof want);
    /* offset 0xFFFF still fits the small form */
    c.try_offset = 0xFFFF;
    c.handler_offset = 0xFFFF;
    assert_int_equal(nrp_il_encoded_size(&b), 12 + 0x10010 + 16);
    free(out);
}

static void test_encode_twenty_vs_twentyone_clauses(void **state)
{
    (void)state;
    nrp_il_clause cs[21];
    for (int i = 0; i < 21; i++)
        cs[i] = (nrp_il_clause){NRP_EH_CATCH, (uint32_t)i, 1, 30, 1, 0x01000001};
    nrp_il_body b = mk(40, 8, 0, 0);
    b.clauses = cs;
    uint8_t out[1024];

    b.clause_count = 20; /* 4 + 20 * 12 = 244 <= 255: small */
    assert_int_equal(enc(&b, out, sizeof out), 52 + 244);
    assert_int_equal(out[52], 0x01);
    assert_int_equal(out[53], 244);
    assert_int_equal(out[54], 0);
    assert_int_equal(out[55], 0);

    b.clause_count = 21; /* 4 + 21 * 12 = 256 > 255: fat */
    assert_int_equal(enc(&b, out, sizeof out), 52 + 4 + 21 * 24);
    assert_int_equal(out[52], 0x41);
    assert_int_equal(out[53], 0xFC); /* 508 = 0x0001FC, 24 bits */
    assert_int_equal(out[54], 0x01);
    assert_int_equal(out[55], 0x00);
    assert_round_trip(out, 52 + 4 + 21 * 24);
}

static void test_encode_too_small_buffer(void **state)
{
    (void)state;
    nrp_il_clause c = {NRP_EH_FINALLY, 0, 1, 1, 1, 0};
    nrp_il_body b = mk(5, 2, 0, 0);
    b.clauses = &c;
    b.clause_count = 1;
    uint8_t out[64];
    nrp_err err = {{0}};
    size_t need = nrp_il_encoded_size(&b);
    assert_int_equal(need, 20 + 16);
    memset(out, 0xCC, sizeof out);
    assert_int_equal(nrp_il_encode(&b, out, need - 1, &err), 0);
    assert_string_equal(err.msg, "encoding needs 36 bytes, buffer has 35");
    assert_int_equal(out[0], 0xCC); /* nothing written */
    memset(&err, 0, sizeof err);
    assert_int_equal(nrp_il_encode(&b, out, 0, &err), 0);
    assert_true(err.msg[0] != '\0');

    nrp_il_body t = mk(3, 8, 0, 0);
    memset(&err, 0, sizeof err);
    assert_int_equal(nrp_il_encode(&t, out, 3, &err), 0);
    assert_string_equal(err.msg, "encoding needs 4 bytes, buffer has 3");
    assert_int_equal(nrp_il_encode(&t, out, 4, &err), 4);
}

static void test_encode_rejects_unencodable(void **state)
{
    (void)state;
    uint8_t out[64];
    nrp_err err = {{0}};
    nrp_il_body b = mk(0, 8, 0, 0);
    assert_int_equal(nrp_il_encode(&b, out, sizeof out, &err), 0);
    assert_true(strstr(err.msg, "without code") != NULL);

    b = mk(4, 0x10000, 0, 0);
    memset(&err, 0, sizeof err);
    assert_int_equal(nrp_il_encode(&b, out, sizeof out, &err), 0);
    assert_true(strstr(err.msg, "max stack 65536") != NULL);

    b = mk(4, 0xFFFF, 0, 0);
    assert_int_equal(enc(&b, out, sizeof out), 16);
    assert_int_equal(out[2], 0xFF);
    assert_int_equal(out[3], 0xFF);
}

/* A fat EH section's DataSize is a 24-bit field, so one section holds at
 * most (0xFFFFFF - 4) / 24 = 699050 clauses. The encoder once truncated the
 * size and reported success; it must fail with a reason instead. */
static void test_encode_too_many_clauses_for_one_fat_section(void **state)
{
    (void)state;
    const uint32_t count = 699051; /* 4 + 24 * 699051 = 0x1000004 */
    nrp_il_clause *cs = calloc(count, sizeof *cs);
    assert_non_null(cs);
    for (uint32_t i = 0; i < count; i++)
        cs[i] = (nrp_il_clause){NRP_EH_FINALLY, 0, 1, 1, 1, 0};
    nrp_il_body b = mk(2, 8, 0, 0);
    b.clauses = cs;
    b.clause_count = count;
    size_t need = nrp_il_encoded_size(&b);
    uint8_t *out = malloc(need);
    assert_non_null(out);
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_encode(&b, out, need, &err), 0);
    assert_string_equal(err.msg, "699051 exception clauses exceed the 699050 one section can hold");
    free(out);
    free(cs);
}

/* ------------------------------------------------------------------------ */
/* insert at entry                                                           */
/* ------------------------------------------------------------------------ */

static nrp_il_body decode_ok(const uint8_t *p, size_t n)
{
    nrp_il_body b;
    nrp_err err = {{0}};
    if (nrp_il_decode(p, n, &b, &err) != NRP_OK)
        fail_msg("decode: %s", err.msg);
    return b;
}

static void test_insert_prepends_and_shifts(void **state)
{
    (void)state;
    nrp_il_body b = decode_ok(FAT_SMALL_EH_BODY, sizeof FAT_SMALL_EH_BODY);
    const uint8_t il[6] = {0x20, 0x01, 0x02, 0x03, 0x04, 0x26}; /* ldc.i4 0x04030201; pop */
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_insert_at_entry(&b, il, 6, 1, &err), NRP_OK);
    assert_int_equal(b.code_size, 16);
    assert_memory_equal(b.code, il, 6);
    assert_memory_equal(b.code + 6, FAT_SMALL_EH_BODY + 12, 10);
    assert_int_equal(b.clause_count, 2);
    assert_clause(&b.clauses[0], NRP_EH_FINALLY, 6, 4, 10, 1, 0);
    /* the class token of a catch is not an offset and must not move */
    assert_clause(&b.clauses[1], NRP_EH_CATCH, 11, 3, 14, 1, 0x01000007);
    assert_int_equal(b.max_stack, 1); /* stack 1 needs no change */
    assert_int_equal(b.init_locals, 1);
    assert_int_equal(b.local_sig_token, 0);

    /* still encodes and decodes to the same thing */
    size_t n;
    uint8_t *e = encode_alloc(&b, &n);
    nrp_il_body d = decode_ok(e, n);
    assert_body_equal(&b, &d);
    nrp_il_body_free(&d);
    free(e);
    nrp_il_body_free(&b);
}

static void test_insert_shifts_filter_offset(void **state)
{
    (void)state;
    nrp_il_body b = decode_ok(FAT_FILTER_BODY, sizeof FAT_FILTER_BODY);
    const uint8_t il[3] = {0x00, 0x00, 0x00};
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_insert_at_entry(&b, il, 3, 0, &err), NRP_OK);
    assert_clause(&b.clauses[0], NRP_EH_FILTER, 3, 3, 10, 1, 6);
    assert_int_equal(b.max_stack, 2);
    nrp_il_body_free(&b);
}

static void test_insert_raises_max_stack_only_when_needed(void **state)
{
    (void)state;
    const uint8_t il[1] = {0x00};
    nrp_err err = {{0}};

    nrp_il_body b = decode_ok(FAT_LOCALS_BODY, sizeof FAT_LOCALS_BODY); /* max stack 2 */
    assert_int_equal(nrp_il_insert_at_entry(&b, il, 1, 1, &err), NRP_OK);
    assert_int_equal(b.max_stack, 2);
    assert_int_equal(nrp_il_insert_at_entry(&b, il, 1, 2, &err), NRP_OK);
    assert_int_equal(b.max_stack, 2);
    assert_int_equal(nrp_il_insert_at_entry(&b, il, 1, 3, &err), NRP_OK);
    assert_int_equal(b.max_stack, 3);
    assert_int_equal(b.code_size, 7);
    assert_memory_equal(b.code, "\x00\x00\x00\x16\x0A\x06\x2A", 7);
    nrp_il_body_free(&b);

    b = decode_ok(TINY_BODY, sizeof TINY_BODY); /* max stack 8 */
    assert_int_equal(nrp_il_insert_at_entry(&b, il, 1, 2, &err), NRP_OK);
    assert_int_equal(b.max_stack, 8);
    assert_int_equal(nrp_il_insert_at_entry(&b, il, 1, 12, &err), NRP_OK);
    assert_int_equal(b.max_stack, 12);
    nrp_il_body_free(&b);
}

static void test_insert_zero_length_is_noop(void **state)
{
    (void)state;
    nrp_il_body b = decode_ok(FAT_SMALL_EH_BODY, sizeof FAT_SMALL_EH_BODY);
    nrp_il_body ref = decode_ok(FAT_SMALL_EH_BODY, sizeof FAT_SMALL_EH_BODY);
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_insert_at_entry(&b, (const uint8_t *)"", 0, 0, &err), NRP_OK);
    assert_body_equal(&b, &ref);
    nrp_il_body_free(&b);
    nrp_il_body_free(&ref);
}

static void test_insert_tiny_becomes_fat(void **state)
{
    (void)state;
    uint8_t body[61];
    body[0] = (uint8_t)(60 << 2 | 2); /* tiny, 60 bytes */
    for (int i = 1; i <= 60; i++)
        body[i] = 0x00;
    body[60] = 0x2A;
    const uint8_t il[4] = {0x14, 0x26, 0x00, 0x00}; /* ldnull; pop; nop; nop */

    /* 60 + 3 = 63: still tiny */
    nrp_il_body b = decode_ok(body, sizeof body);
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_insert_at_entry(&b, il, 3, 1, &err), NRP_OK);
    assert_int_equal(b.code_size, 63);
    assert_int_equal(nrp_il_encoded_size(&b), 64);
    uint8_t out[128];
    assert_int_equal(enc(&b, out, sizeof out), 64);
    assert_int_equal(out[0], 0xFE);
    nrp_il_body_free(&b);

    /* 60 + 4 = 64: fat, max stack 8 kept */
    b = decode_ok(body, sizeof body);
    assert_int_equal(nrp_il_insert_at_entry(&b, il, 4, 1, &err), NRP_OK);
    assert_int_equal(b.code_size, 64);
    assert_int_equal(b.max_stack, 8);
    assert_int_equal(enc(&b, out, sizeof out), 76);
    assert_memory_equal(out, "\x03\x30\x08\x00\x40\x00\x00\x00\x00\x00\x00\x00", 12);
    assert_memory_equal(out + 12, il, 4);
    assert_memory_equal(out + 16, body + 1, 60);
    nrp_il_body d = decode_ok(out, 76);
    assert_body_equal(&b, &d);
    nrp_il_body_free(&d);
    nrp_il_body_free(&b);
}

static void test_insert_too_large(void **state)
{
    (void)state;
    /* code_size near the limit: refused before anything is touched */
    nrp_il_body b = {0};
    b.code_size = 0x7FFFFFF0;
    b.max_stack = 8;
    nrp_err err = {{0}};
    uint8_t il[0x20] = {0};
    assert_int_equal(nrp_il_insert_at_entry(&b, il, sizeof il, 1, &err), NRP_ERROR);
    assert_true(strstr(err.msg, "too large") != NULL);
    assert_int_equal(b.code_size, 0x7FFFFFF0);
    assert_null(b.code);
    assert_int_equal(b.max_stack, 8);
}

/* ------------------------------------------------------------------------ */
/* round trip                                                                */
/* ------------------------------------------------------------------------ */

static void test_round_trip_hand_made(void **state)
{
    (void)state;
    assert_round_trip(TINY_BODY, sizeof TINY_BODY);
    assert_round_trip(FAT_LOCALS_BODY, sizeof FAT_LOCALS_BODY);
    assert_round_trip(FAT_SMALL_EH_BODY, sizeof FAT_SMALL_EH_BODY);
    assert_round_trip(FAT_FILTER_BODY, sizeof FAT_FILTER_BODY);
    assert_round_trip(FAT_TWO_SECTIONS_BODY, sizeof FAT_TWO_SECTIONS_BODY);
    /* a fat header that could have been tiny decodes to the same fields
     * as the tiny body it is re-encoded to */
    const uint8_t fat_could_be_tiny[] = {
        0x03, 0x30, 0x08, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2A,
    };
    assert_round_trip(fat_could_be_tiny, sizeof fat_could_be_tiny);
    nrp_il_body b = decode_ok(fat_could_be_tiny, sizeof fat_could_be_tiny);
    uint8_t out[16];
    assert_int_equal(enc(&b, out, sizeof out), 2);
    assert_memory_equal(out, "\x06\x2A", 2);
    nrp_il_body_free(&b);
}

static uint32_t rnd_below(uint32_t n) { return n ? rnd() % n : 0; }

/* A random valid body (fields only). */
static void random_body(nrp_il_body *b)
{
    memset(b, 0, sizeof *b);
    uint32_t shape = rnd_below(100);
    if (shape < 40)
        b->code_size = 1 + rnd_below(63);          /* tiny range */
    else if (shape < 95)
        b->code_size = 1 + rnd_below(600);
    else if (shape < 99)
        b->code_size = 60 + rnd_below(8);           /* around the tiny limit */
    else
        b->code_size = 0x10000 + rnd_below(0x200);  /* offsets over 16 bits */
    b->code = malloc(b->code_size);
    assert_non_null(b->code);
    for (uint32_t i = 0; i < b->code_size; i++)
        b->code[i] = (uint8_t)rnd();
    b->max_stack = rnd_below(3) ? 8 : rnd_below(0x10000);
    b->init_locals = rnd_below(4) == 0;
    b->local_sig_token = rnd_below(3) == 0 ? 0x11000000u | rnd_below(0x1000) : 0;
    uint32_t nc = rnd_below(4) ? 0 : rnd_below(26);
    if (nc) {
        b->clauses = calloc(nc, sizeof *b->clauses);
        assert_non_null(b->clauses);
    }
    static const uint32_t kinds[4] = {NRP_EH_CATCH, NRP_EH_FILTER, NRP_EH_FINALLY, NRP_EH_FAULT};
    for (uint32_t i = 0; i < nc; i++) {
        nrp_il_clause *c = &b->clauses[i];
        c->flags = kinds[rnd_below(4)];
        if (rnd_below(50) == 0)
            c->flags |= 0x10000; /* a high flag bit forces the fat form */
        c->try_offset = rnd_below(b->code_size);
        c->try_length = rnd_below(b->code_size - c->try_offset + 1);
        if (rnd_below(2) && c->try_length > 0xFF)
            c->try_length = rnd_below(0x100);
        c->handler_offset = rnd_below(b->code_size);
        c->handler_length = rnd_below(b->code_size - c->handler_offset + 1);
        if (rnd_below(2) && c->handler_length > 0xFF)
            c->handler_length = rnd_below(0x100);
        if (c->flags & NRP_EH_FILTER)
            c->class_token_or_filter_offset = rnd_below(b->code_size);
        else if (c->flags == NRP_EH_CATCH)
            c->class_token_or_filter_offset = (rnd_below(2) ? 0x01000000u : 0x02000000u) | rnd_below(0x100);
        else
            c->class_token_or_filter_offset = 0;
    }
    b->clause_count = nc;
}

static int fits_small(const nrp_il_clause *c)
{
    return c->flags <= 0xFFFF && c->try_offset <= 0xFFFF && c->handler_offset <= 0xFFFF &&
           c->try_length <= 0xFF && c->handler_length <= 0xFF;
}

/* An independent writer: tiny or fat header (a fat header sometimes longer
 * than 3 dwords), clauses split over one or more sections, each small or fat
 * as the data allows. Returns the byte count. */
static size_t ref_write(const nrp_il_body *b, uint8_t *out)
{
    size_t pos;
    int tiny_ok = b->code_size < 64 && b->max_stack == 8 && !b->local_sig_token && !b->init_locals &&
                  !b->clause_count;
    if (tiny_ok && rnd_below(4) != 0) {
        out[0] = (uint8_t)(b->code_size << 2 | 2);
        memcpy(out + 1, b->code, b->code_size);
        return 1 + b->code_size;
    }
    uint32_t dwords = rnd_below(8) == 0 ? 4 : 3;
    uint32_t flags = 0x3 | (b->init_locals ? 0x10 : 0) | (b->clause_count ? 0x8 : 0) | dwords << 12;
    put16(out, flags);
    put16(out + 2, b->max_stack);
    put32(out + 4, b->code_size);
    put32(out + 8, b->local_sig_token);
    if (dwords == 4)
        put32(out + 12, rnd());
    pos = dwords * 4;
    memcpy(out + pos, b->code, b->code_size);
    pos += b->code_size;
    uint32_t i = 0;
    while (i < b->clause_count) {
        while (pos & 3)
            out[pos++] = 0;
        uint32_t n = 1 + rnd_below(b->clause_count - i);
        int small = n <= 20;
        for (uint32_t k = i; k < i + n && small; k++)
            small = fits_small(&b->clauses[k]);
        if (small && rnd_below(5) == 0)
            small = 0; /* a fat section where a small one would do is valid too */
        int more = i + n < b->clause_count;
        uint8_t *s = out + pos;
        uint32_t size = 4 + n * (small ? 12 : 24);
        s[0] = (uint8_t)(0x01 | (small ? 0 : 0x40) | (more ? 0x80 : 0));
        s[1] = (uint8_t)size;
        s[2] = small ? 0 : (uint8_t)(size >> 8);
        s[3] = small ? 0 : (uint8_t)(size >> 16);
        s += 4;
        for (uint32_t k = i; k < i + n; k++) {
            const nrp_il_clause *c = &b->clauses[k];
            if (small) {
                put16(s, c->flags);
                put16(s + 2, c->try_offset);
                s[4] = (uint8_t)c->try_length;
                put16(s + 5, c->handler_offset);
                s[7] = (uint8_t)c->handler_length;
                put32(s + 8, c->class_token_or_filter_offset);
                s += 12;
            } else {
                put32(s, c->flags);
                put32(s + 4, c->try_offset);
                put32(s + 8, c->try_length);
                put32(s + 12, c->handler_offset);
                put32(s + 16, c->handler_length);
                put32(s + 20, c->class_token_or_filter_offset);
                s += 24;
            }
        }
        pos += size;
        i += n;
    }
    return pos;
}

static void test_round_trip_random(void **state)
{
    (void)state;
    rng_state = 0x9E3779B97F4A7C15ull;
    uint8_t *buf = malloc(0x10200 + 16 + 26 * 28 + 64);
    assert_non_null(buf);
    unsigned tiny_seen = 0, fat_seen = 0, clauses_seen = 0;
    for (int iter = 0; iter < 2000; iter++) {
        nrp_il_body gen;
        random_body(&gen);
        size_t n = ref_write(&gen, buf);

        /* the decoder reads what the reference writer wrote */
        nrp_il_body d1;
        nrp_err err = {{0}};
        if (nrp_il_decode(buf, n, &d1, &err) != NRP_OK)
            fail_msg("iteration %d: decode failed: %s", iter, err.msg);
        assert_body_equal(&gen, &d1);

        /* decode(encode(decode(b))) == decode(b) */
        size_t en;
        uint8_t *e = encode_alloc(&d1, &en);
        nrp_il_body d2;
        if (nrp_il_decode(e, en, &d2, &err) != NRP_OK)
            fail_msg("iteration %d: decode of re-encoded body failed: %s", iter, err.msg);
        assert_body_equal(&d1, &d2);

        /* the encoder's header choice */
        int tiny_ok = d1.code_size < 64 && d1.max_stack == 8 && !d1.local_sig_token &&
                      !d1.init_locals && !d1.clause_count;
        assert_int_equal(e[0] & 3, tiny_ok ? 2 : 3);
        if (tiny_ok) {
            tiny_seen++;
            assert_int_equal(en, 1 + d1.code_size);
        } else {
            fat_seen++;
            assert_int_equal(e[1] >> 4, 3);
        }
        if (d1.clause_count) {
            clauses_seen++;
            size_t at = (12 + d1.code_size + 3) & ~(size_t)3;
            int small = d1.clause_count <= 20;
            for (uint32_t k = 0; k < d1.clause_count && small; k++)
                small = fits_small(&d1.clauses[k]);
            assert_int_equal(e[at], small ? 0x01 : 0x41);
            assert_int_equal(en, at + 4 + d1.clause_count * (small ? 12 : 24));
            for (size_t k = 12 + d1.code_size; k < at; k++)
                assert_int_equal(e[k], 0); /* padding is zero */
        }
        free(e);
        nrp_il_body_free(&d1);
        nrp_il_body_free(&d2);
        nrp_il_body_free(&gen);
    }
    /* the generator exercised every branch */
    assert_true(tiny_seen > 100);
    assert_true(fat_seen > 100);
    assert_true(clauses_seen > 100);
    free(buf);
}

/* Random bytes behind plausible headers: decode never crashes, and every
 * body it accepts survives the round trip. */
static void test_decode_fuzz(void **state)
{
    (void)state;
    rng_state = 0xD1B54A32D192ED03ull;
    int accepted = 0;
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = rnd_below(160);
        uint8_t *p = malloc(n ? n : 1); /* exact size: reads past it are caught by sanitizers */
        assert_non_null(p);
        for (size_t i = 0; i < n; i++)
            p[i] = (uint8_t)rnd();
        uint32_t mode = rnd_below(4);
        if (n >= 12 && mode == 0) {
            /* fat header, small code, MoreSects, a section header after the code */
            uint32_t code = 1 + rnd_below((uint32_t)n - 11);
            put16(p, 0x300B | (rnd_below(2) ? 0x10 : 0));
            put32(p + 4, code);
            size_t at = (12 + code + 3) & ~(size_t)3;
            if (at + 4 <= n) {
                p[at] = (uint8_t)(rnd_below(2) ? 0x01 : 0x41) | (uint8_t)(rnd_below(4) ? 0 : 0x80);
                uint32_t left = (uint32_t)(n - at);
                p[at + 1] = (uint8_t)(left < 256 ? rnd_below(left + 1) : rnd_below(256));
                if (p[at] & 0x40) {
                    p[at + 2] = 0;
                    p[at + 3] = 0;
                }
            }
        } else if (n >= 1 && mode == 1) {
            p[0] = (uint8_t)((rnd_below((uint32_t)n) & 0x3F) << 2 | 2); /* tiny */
        }
        nrp_il_body b;
        nrp_err err;
        err.msg[0] = '\0';
        if (nrp_il_decode(p, n, &b, &err) == NRP_OK) {
            accepted++;
            nrp_il_body_free(&b);
            assert_round_trip(p, n);
        } else {
            assert_true(err.msg[0] != '\0');
            assert_body_empty(&b);
        }
        free(p);
    }
    assert_true(accepted > 1000);
}

int main(void)
{
    init_code();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_tiny),
        cmocka_unit_test(test_decode_tiny_ignores_trailing_bytes),
        cmocka_unit_test(test_decode_tiny_max_code),
        cmocka_unit_test(test_decode_fat_locals),
        cmocka_unit_test(test_decode_fat_without_init_locals),
        cmocka_unit_test(test_decode_fat_larger_header),
        cmocka_unit_test(test_decode_fat_small_eh),
        cmocka_unit_test(test_decode_filter),
        cmocka_unit_test(test_decode_two_sections),
        cmocka_unit_test(test_decode_fat_eh_big_offsets),
        cmocka_unit_test(test_decode_fat_eh_many_clauses),
        cmocka_unit_test(test_reject_empty),
        cmocka_unit_test(test_reject_unknown_format),
        cmocka_unit_test(test_reject_truncated_fat_header),
        cmocka_unit_test(test_reject_fat_header_too_few_dwords),
        cmocka_unit_test(test_reject_code_past_end),
        cmocka_unit_test(test_reject_no_code),
        cmocka_unit_test(test_reject_clause_outside_code),
        cmocka_unit_test(test_reject_fat_clause_overflowing_offsets),
        cmocka_unit_test(test_reject_unknown_section_kind),
        cmocka_unit_test(test_reject_eh_size_not_whole_clauses),
        cmocka_unit_test(test_reject_section_past_end),
        cmocka_unit_test(test_encode_tiny_choice),
        cmocka_unit_test(test_encode_fat_with_eh_exact_bytes),
        cmocka_unit_test(test_encode_code_already_aligned),
        cmocka_unit_test(test_encode_fat_section_for_large_values),
        cmocka_unit_test(test_encode_fat_section_for_offsets_over_16_bits),
        cmocka_unit_test(test_encode_twenty_vs_twentyone_clauses),
        cmocka_unit_test(test_encode_too_small_buffer),
        cmocka_unit_test(test_encode_rejects_unencodable),
        cmocka_unit_test(test_encode_too_many_clauses_for_one_fat_section),
        cmocka_unit_test(test_insert_prepends_and_shifts),
        cmocka_unit_test(test_insert_shifts_filter_offset),
        cmocka_unit_test(test_insert_raises_max_stack_only_when_needed),
        cmocka_unit_test(test_insert_zero_length_is_noop),
        cmocka_unit_test(test_insert_tiny_becomes_fat),
        cmocka_unit_test(test_insert_too_large),
        cmocka_unit_test(test_round_trip_hand_made),
        cmocka_unit_test(test_round_trip_random),
        cmocka_unit_test(test_decode_fuzz),
    };
    return cmocka_run_group_tests_name("il_body", tests, NULL, NULL);
}
