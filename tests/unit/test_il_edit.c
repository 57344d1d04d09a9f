/*
 * test_il_edit.c - the edits strategies are built from (il_edit.c): entry
 * insertion, new locals, in-place replacement, return redirection and the
 * try/catch/finally wrap.
 *
 * Each test checks the exact bytes nrp_il_method_encode writes and decodes
 * them again. Every method body is written out byte by byte with a comment
 * per instruction; long runs of `nop` padding are filled with memset and
 * say so.
 */
#include "il_test_support.h"

#include "il/il_edit.h"
#include "il/opcode_info.h"

/* ------------------------------------------------------------------------ */
/* method signatures only these tests use                                   */
/* ------------------------------------------------------------------------ */

/* static modreq([TypeRef 2]) int32 () */
static const uint8_t SIG_MODREQ_I4[] = {0x00, 0x00, 0x1F, 0x09, 0x08};
/* static modreq([TypeRef 2]) void () -- an init-only setter's shape */
static const uint8_t SIG_MODREQ_VOID[] = {0x00, 0x00, 0x1F, 0x09, 0x01};

/* ldc.i4.1; call void(int32): six bytes that leave the stack as it was */
static const uint8_t PROBE[] = {
    0x17,                         /* 00: ldc.i4.1 */
    0x28, 0x01, 0x00, 0x00, 0x0A, /* 01: call 0x0A000001 (static void(int32)) */
};

/* ------------------------------------------------------------------------ */
/* nrp_il_edit_insert_at_entry                                               */
/* ------------------------------------------------------------------------ */

static void test_entry_tiny(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x0A, /* tiny, code size 2 */
        0x00, /* 00: nop */
        0x2A, /* 01: ret */
    };
    static const uint8_t il[] = {
        0x16,                         /* 00: ldc.i4.0 */
        0x28, 0x01, 0x00, 0x00, 0x0A, /* 01: call 0x0A000001 */
    };
    nrp_il_method *m = DECODE(body, SIG_VOID);
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_edit_insert_at_entry(m, il, sizeof il, &err), NRP_OK);
    static const want_instr w[] = {{NRP_OP_LDC_I4_0, 0, -1},
                                   {NRP_OP_CALL, 0x0A000001, -1},
                                   {NRP_OP_NOP, 0, -1},
                                   {NRP_OP_RET, 0, -1}};
    assert_instrs(m, w, 4);
    static const uint8_t want[] = {
        0x22,                         /* tiny, code size 8 */
        0x16,                         /* 00: ldc.i4.0 */
        0x28, 0x01, 0x00, 0x00, 0x0A, /* 01: call 0x0A000001 */
        0x00,                         /* 06: nop */
        0x2A,                         /* 07: ret */
    };
    expect_encoded(m, want, sizeof want);
    assert_max_stack(m, 1);
    nrp_il_method_free(m);
}

/* A loop back to the first original instruction still loops there. */
static void test_entry_backward_branch_keeps_target(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x16,       /* tiny, code size 5 */
        0x00,       /* 00: [0] nop                   <- loop head */
        0x16,       /* 01: [1] ldc.i4.0 */
        0x2D, 0xFC, /* 02: [2] brtrue.s -4 -> 00 */
        0x2A,       /* 04: [3] ret */
    };
    nrp_il_method *m = DECODE(body, SIG_VOID);
    nrp_il_instr *head = m->first;
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_edit_insert_at_entry(m, PROBE, sizeof PROBE, &err), NRP_OK);
    assert_ptr_equal(nth(m, 4)->target, head);
    static const uint8_t want[] = {
        0x2E,                         /* tiny, code size 11 */
        0x17,                         /* 00: [0] ldc.i4.1 (inserted) */
        0x28, 0x01, 0x00, 0x00, 0x0A, /* 01: [1] call 0x0A000001 (inserted) */
        0x00,                         /* 06: [2] nop                   <- still the loop head */
        0x16,                         /* 07: [3] ldc.i4.0 */
        0x2D, 0xFC,                   /* 08: [4] brtrue.s -4 -> 06 */
        0x2A,                         /* 0A: [5] ret */
    };
    expect_encoded(m, want, sizeof want);
    nrp_il_method *back = DECODE(want, SIG_VOID);
    assert_int_equal(idx_of(back, nth(back, 4)->target), 2);
    nrp_il_method_free(back);
    nrp_il_method_free(m);
}

/* A try that starts at the first instruction keeps starting there: the
 * inserted code runs outside it. */
static const uint8_t CATCH_BODY[] = {
    0x0B, 0x30,             /* fat | MoreSects; 3 dwords */
    0x01, 0x00,             /* max stack 1 */
    0x07, 0x00, 0x00, 0x00, /* code size 7 */
    0x00, 0x00, 0x00, 0x00, /* no locals */
    0x00,                   /* 00: [0] nop              try [0, 3) */
    0xDE, 0x03,             /* 01: [1] leave.s -> 06 */
    0x26,                   /* 03: [2] pop              catch [3, 6) */
    0xDE, 0x00,             /* 04: [3] leave.s -> 06 */
    0x2A,                   /* 06: [4] ret */
    0x00,                   /* padding: 19 -> 20 */
    0x01, 0x10, 0x00, 0x00, /* small EH section, 16 bytes */
    0x00, 0x00,             /* flags: catch */
    0x00, 0x00, 0x03,       /* try 0, length 3 */
    0x03, 0x00, 0x03,       /* handler 3, length 3 */
    0x01, 0x00, 0x00, 0x01, /* class token 0x01000001 */
};

static void test_entry_try_at_first_instruction(void **state)
{
    (void)state;
    nrp_il_method *m = DECODE(CATCH_BODY, SIG_VOID);
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_edit_insert_at_entry(m, PROBE, sizeof PROBE, &err), NRP_OK);
    assert_clause_idx(m, 0, NRP_EH_CATCH, 2, 4, 4, 6, -1, 0x01000001);
    static const uint8_t want[] = {
        0x0B, 0x30,                   /* fat | MoreSects; 3 dwords */
        0x01, 0x00,                   /* max stack 1 */
        0x0D, 0x00, 0x00, 0x00,       /* code size 13 */
        0x00, 0x00, 0x00, 0x00,       /* no locals */
        0x17,                         /* 00: ldc.i4.1 (inserted) */
        0x28, 0x01, 0x00, 0x00, 0x0A, /* 01: call 0x0A000001 (inserted) */
        0x00,                         /* 06: nop              try [6, 9) */
        0xDE, 0x03,                   /* 07: leave.s -> 0C */
        0x26,                         /* 09: pop              catch [9, 0C) */
        0xDE, 0x00,                   /* 0A: leave.s -> 0C */
        0x2A,                         /* 0C: ret */
        0x00, 0x00, 0x00,             /* padding: 25 -> 28 */
        0x01, 0x10, 0x00, 0x00,       /* small EH section, 16 bytes */
        0x00, 0x00,                   /* flags: catch */
        0x06, 0x00, 0x03,             /* try 6, length 3 */
        0x09, 0x00, 0x03,             /* handler 9, length 3 */
        0x01, 0x00, 0x00, 0x01,       /* class token 0x01000001 */
    };
    expect_encoded(m, want, sizeof want);
    nrp_il_method_free(m);
}

/* `nops` nops and a ret as a tiny body; the PROBE at entry. */
static void entry_size_case(uint32_t nops, int want_fat)
{
    uint8_t body[70], code[80], want[100];
    body[0] = (uint8_t)((nops + 1) << 2 | 2); /* tiny */
    memset(body + 1, 0x00, nops);             /* nops x nop */
    body[1 + nops] = 0x2A;                    /* ret */
    nrp_il_method *m = decode_ok(body, nops + 2, SIG_VOID, sizeof SIG_VOID);
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_edit_insert_at_entry(m, PROBE, sizeof PROBE, &err), NRP_OK);
    uint32_t size = sizeof PROBE + nops + 1;
    memcpy(code, PROBE, sizeof PROBE);        /* 00: ldc.i4.1; call 0x0A000001 */
    memset(code + sizeof PROBE, 0x00, nops);  /* 06: nops x nop */
    code[size - 1] = 0x2A;                    /* ret */
    size_t n;
    if (want_fat) {
        n = fat_body(want, 0, 8, 0, code, size); /* fat, max stack 8 as the tiny header had */
    } else {
        want[0] = (uint8_t)(size << 2 | 2);
        memcpy(want + 1, code, size);
        n = size + 1;
    }
    expect_encoded(m, want, n);
    nrp_il_method_free(m);
}

static void test_entry_tiny_to_fat(void **state)
{
    (void)state;
    entry_size_case(56, 0); /* 57 + 6 = 63 bytes: still tiny */
    entry_size_case(57, 1); /* 58 + 6 = 64 bytes: fat */
    entry_size_case(61, 1); /* 62 + 6 = 68 bytes: fat */
}

/* A short forward branch over code that grows past 127 bytes is widened;
 * entry code before it changes nothing for it. */
static void test_insert_widens_short_branch(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x1A,       /* tiny, code size 6 */
        0x16,       /* 00: [0] ldc.i4.0 */
        0x2C, 0x02, /* 01: [1] brfalse.s +2 -> 05 */
        0x00,       /* 03: [2] nop */
        0x00,       /* 04: [3] nop            <- nops are inserted before this one */
        0x2A,       /* 05: [4] ret */
    };
    nrp_il_method *m = DECODE(body, SIG_VOID);
    nrp_il_instr *pos = nth(m, 3), *ret = nth(m, 4);
    for (int k = 0; k < 125; k++)
        nrp_il_insert_before(m, pos, nrp_il_new(m, NRP_OP_NOP, 0));

    uint8_t code[200], want[220];
    /* 125 more: the branch spans exactly 127 and stays short */
    code[0] = 0x16;              /* 00: ldc.i4.0 */
    code[1] = 0x2C;              /* 01: brfalse.s +127 -> 82 */
    code[2] = 0x7F;
    memset(code + 3, 0x00, 127); /* 03: 127 x nop */
    code[130] = 0x2A;            /* 82: ret */
    size_t n = fat_body(want, 0, 8, 0, code, 131);
    expect_encoded(m, want, n);
    assert_true(nth(m, 1)->short_form);

    /* one more: 128, long */
    nrp_il_insert_before(m, pos, nrp_il_new(m, NRP_OP_NOP, 0));
    code[0] = 0x16;              /* 00: ldc.i4.0 */
    code[1] = 0x39;              /* 01: brfalse +128 -> 86 */
    put32(code + 2, 128);
    memset(code + 6, 0x00, 128); /* 06: 128 x nop */
    code[134] = 0x2A;            /* 86: ret */
    n = fat_body(want, 0, 8, 0, code, 135);
    expect_encoded(m, want, n);
    assert_false(nth(m, 1)->short_form);
    assert_ptr_equal(nth(m, 1)->target, ret);

    /* entry code: the branch does not span it, nothing else moves */
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_edit_insert_at_entry(m, PROBE, sizeof PROBE, &err), NRP_OK);
    memmove(code + 6, code, 135);
    memcpy(code, PROBE, 6);      /* 00: ldc.i4.1; call 0x0A000001, then the above from 06 */
    n = fat_body(want, 0, 8, 0, code, 141);
    expect_encoded(m, want, n);
    nrp_il_method_free(m);
}

/* A backward branch to the original first instruction at the -128 edge
 * stays short: entry code lies outside its span. */
static void test_entry_does_not_widen_loop(void **state)
{
    (void)state;
    uint8_t code[200], body[220], want[220];
    memset(code, 0x00, 126);        /* 00: 126 x nop */
    code[126] = 0x2B;               /* 7E: br.s -128 -> 00 */
    code[127] = 0x80;
    size_t n = fat_body(body, 0, 8, 0, code, 128);
    nrp_il_method *m = decode_ok(body, n, SIG_VOID, sizeof SIG_VOID);
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_edit_insert_at_entry(m, PROBE, sizeof PROBE, &err), NRP_OK);
    memcpy(code, PROBE, 6);         /* 00: ldc.i4.1; call 0x0A000001 */
    memset(code + 6, 0x00, 126);    /* 06: 126 x nop */
    code[132] = 0x2B;               /* 84: br.s -128 -> 06 */
    code[133] = 0x80;
    n = fat_body(want, 0, 8, 0, code, 134);
    expect_encoded(m, want, n);
    assert_int_equal(idx_of(m, m->last->target), 2);
    nrp_il_method_free(m);
}

static void test_entry_rejects_bad_snippets(void **state)
{
    (void)state;
    nrp_il_method *m = DECODE(CATCH_BODY, SIG_VOID);
    nrp_err err = {{0}};
    static const uint8_t unknown[] = {
        0x00, /* 00: nop */
        0x24, /* 01: (no such opcode) */
    };
    expect_err(nrp_il_edit_insert_at_entry(m, unknown, sizeof unknown, &err), &err, "unknown opcode 0x24 at IL_0001");
    static const uint8_t cut[] = {
        0x20, 0x01, /* 00: ldc.i4 with 1 of 4 bytes */
    };
    expect_err(nrp_il_edit_insert_at_entry(m, cut, sizeof cut, &err), &err, "operand runs past the end");
    static const uint8_t outside[] = {
        0x2B, 0x05, /* 00: br.s +5: outside the snippet */
    };
    expect_err(nrp_il_edit_insert_at_entry(m, outside, sizeof outside, &err), &err, "not the start of an instruction");
    /* nothing was inserted; an empty snippet inserts nothing either */
    assert_int_equal(nrp_il_edit_insert_at_entry(m, NULL, 0, &err), NRP_OK);
    assert_int_equal(m->count, 5);
    expect_encoded(m, CATCH_BODY, sizeof CATCH_BODY);
    nrp_il_method_free(m);
}

/* "if (!flag) skip the probe": a branch to the very end of the snippet
 * means the code after it, here the old first instruction. */
static void test_entry_branch_to_snippet_end(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x0A, /* tiny, code size 2 */
        0x00, /* 00: nop */
        0x2A, /* 01: ret */
    };
    static const uint8_t il[] = {
        0x7E, 0x01, 0x00, 0x00, 0x04, /* 00: ldsfld 0x04000001 */
        0x2C, 0x06,                   /* 05: brfalse.s +6 -> 0D, the end of the snippet */
        0x16,                         /* 07: ldc.i4.0 */
        0x28, 0x01, 0x00, 0x00, 0x0A, /* 08: call 0x0A000001 */
    };
    nrp_il_method *m = DECODE(body, SIG_VOID);
    nrp_il_instr *old_first = m->first;
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_edit_insert_at_entry(m, il, sizeof il, &err), NRP_OK);
    assert_int_equal(m->count, 6);
    assert_ptr_equal(nth(m, 1)->target, old_first);
    assert_ptr_equal(nth(m, 4), old_first);
    nrp_il_method_free(m);
}

/* ------------------------------------------------------------------------ */
/* nrp_il_edit_add_local                                                     */
/* ------------------------------------------------------------------------ */

static void test_add_local_creates_signature(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x0A, /* tiny, code size 2 */
        0x00, /* 00: nop */
        0x2A, /* 01: ret */
    };
    nrp_il_method *m = DECODE(body, SIG_VOID);
    nrp_err err = {{0}};
    uint32_t idx = 99;
    static const uint8_t i8[] = {0x0A}; /* int64 */
    assert_int_equal(nrp_il_edit_add_local(m, i8, sizeof i8, &idx, &err), NRP_OK);
    assert_int_equal(idx, 0);
    assert_int_equal(g_env.local_sig_calls, 0); /* there was nothing to read */
    assert_int_equal(g_env.sig_token_calls, 0); /* not before encoding */
    static const uint8_t want[] = {
        0x03, 0x30,             /* fat; 3 dwords (no InitLocals: the header had none) */
        0x08, 0x00,             /* max stack 8, as the tiny header */
        0x02, 0x00, 0x00, 0x00, /* code size 2 */
        0x99, 0x00, 0x00, 0x11, /* locals: the env's new token 0x11000099 */
        0x00,                   /* 00: nop */
        0x2A,                   /* 01: ret */
    };
    expect_encoded(m, want, sizeof want);
    assert_int_equal(g_env.sig_token_calls, 1);
    static const uint8_t blob[] = {0x07, 0x01, 0x0A}; /* LOCAL_SIG, 1 local, int64 */
    assert_int_equal(g_env.blob_len, sizeof blob);
    assert_memory_equal(g_env.blob, blob, sizeof blob);
    assert_int_equal(m->local_sig_token, 0x11000099);
    /* encoding again asks for no new token */
    size_t n;
    uint8_t *again = encode_ok(m, &n);
    assert_int_equal(n, sizeof want);
    assert_memory_equal(again, want, n);
    assert_int_equal(g_env.sig_token_calls, 1);
    free(again);
    nrp_il_method_free(m);
}

static void test_add_local_extends_signature(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x13, 0x30,             /* fat | InitLocals; 3 dwords */
        0x02, 0x00,             /* max stack 2 */
        0x02, 0x00, 0x00, 0x00, /* code size 2 */
        0x05, 0x00, 0x00, 0x11, /* locals 0x11000005: (int32, string) */
        0x00,                   /* 00: nop */
        0x2A,                   /* 01: ret */
    };
    nrp_il_method *m = DECODE(body, SIG_VOID);
    nrp_err err = {{0}};
    uint32_t idx = 99;
    static const uint8_t obj[] = {0x1C}; /* object */
    assert_int_equal(nrp_il_edit_add_local(m, obj, sizeof obj, &idx, &err), NRP_OK);
    assert_int_equal(idx, 2);
    static const uint8_t list[] = {0x15, 0x12, 0x09, 0x01, 0x0E}; /* GENERICINST class [TypeRef 2]<string> */
    assert_int_equal(nrp_il_edit_add_local(m, list, sizeof list, &idx, &err), NRP_OK);
    assert_int_equal(idx, 3);
    assert_int_equal(g_env.local_sig_calls, 1); /* read once */
    static const uint8_t want[] = {
        0x13, 0x30,             /* fat | InitLocals (kept); 3 dwords */
        0x02, 0x00,             /* max stack 2 */
        0x02, 0x00, 0x00, 0x00, /* code size 2 */
        0x99, 0x00, 0x00, 0x11, /* locals 0x11000099 */
        0x00,                   /* 00: nop */
        0x2A,                   /* 01: ret */
    };
    expect_encoded(m, want, sizeof want);
    static const uint8_t blob[] = {
        0x07, 0x04,                   /* LOCAL_SIG, 4 locals */
        0x08, 0x0E,                   /* int32, string (the old ones) */
        0x1C,                         /* object */
        0x15, 0x12, 0x09, 0x01, 0x0E, /* List<string>-like */
    };
    assert_int_equal(g_env.blob_len, sizeof blob);
    assert_memory_equal(g_env.blob, blob, sizeof blob);
    nrp_il_method_free(m);
}

static nrp_il_method *fat_nop_ret(uint32_t local_tok)
{
    uint8_t body[20];
    static const uint8_t code[] = {
        0x00, /* 00: nop */
        0x2A, /* 01: ret */
    };
    size_t n = fat_body(body, 0x10, 1, local_tok, code, sizeof code); /* InitLocals, max stack 1 */
    return decode_ok(body, n, SIG_VOID, sizeof SIG_VOID);
}

static void test_add_local_count_grows_to_two_bytes(void **state)
{
    (void)state;
    nrp_il_method *m = fat_nop_ret(0x11000006); /* 127 locals */
    nrp_err err = {{0}};
    uint32_t idx;
    static const uint8_t str[] = {0x0E};
    assert_int_equal(nrp_il_edit_add_local(m, str, sizeof str, &idx, &err), NRP_OK);
    assert_int_equal(idx, 127);
    size_t n;
    uint8_t *enc = encode_ok(m, &n);
    free(enc);
    uint8_t want[3 + 127 + 1];
    want[0] = 0x07;                 /* LOCAL_SIG */
    want[1] = 0x80;                 /* 128 locals: 0x80 0x80 */
    want[2] = 0x80;
    memset(want + 3, 0x08, 127);    /* the old 127 x int32 */
    want[130] = 0x0E;               /* string */
    assert_int_equal(g_env.blob_len, sizeof want);
    assert_memory_equal(g_env.blob, want, sizeof want);

    /* one more: 129 = 0x80 0x81, from the extended blob (no new read) */
    assert_int_equal(nrp_il_edit_add_local(m, str, sizeof str, &idx, &err), NRP_OK);
    assert_int_equal(idx, 128);
    assert_int_equal(g_env.local_sig_calls, 1);
    enc = encode_ok(m, &n);
    free(enc);
    assert_int_equal(g_env.blob_len, sizeof want + 1);
    assert_int_equal(g_env.blob[1], 0x80);
    assert_int_equal(g_env.blob[2], 0x81);
    assert_int_equal(g_env.blob[131], 0x0E);
    nrp_il_method_free(m);

    /* 16383 -> 16384: two bytes (0xBF 0xFF) to four (0xC0 0x00 0x40 0x00) */
    m = fat_nop_ret(0x11000009);
    assert_int_equal(nrp_il_edit_add_local(m, str, sizeof str, &idx, &err), NRP_OK);
    assert_int_equal(idx, MANY_LOCALS);
    enc = encode_ok(m, &n);
    free(enc);
    assert_int_equal(g_env.blob_len, 1 + 4 + MANY_LOCALS + 1);
    static const uint8_t head[] = {0x07, 0xC0, 0x00, 0x40, 0x00, 0x08};
    assert_memory_equal(g_env.blob, head, sizeof head);
    assert_int_equal(g_env.blob[g_env.blob_len - 1], 0x0E);
    nrp_il_method_free(m);
}

static void test_add_local_rejections(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x0A, /* tiny, code size 2 */
        0x00, /* 00: nop */
        0x2A, /* 01: ret */
    };
    nrp_il_method *m = DECODE(body, SIG_VOID);
    nrp_err err = {{0}};
    uint32_t idx = 77;
    static const uint8_t two[] = {0x08, 0x08};          /* two types */
    static const uint8_t szarray[] = {0x1D};            /* SZARRAY of nothing */
    static const uint8_t klass[] = {0x12};              /* CLASS without its token */
    static const uint8_t bad_tag[] = {0x12, 0x03};      /* CLASS with table tag 3 */
    static const uint8_t unknown[] = {0x99};            /* no such element type */
    static const uint8_t modreq_only[] = {0x1F, 0x09};  /* a modifier and no type */
    expect_err(nrp_il_edit_add_local(m, two, sizeof two, &idx, &err), &err, "not exactly one signature type");
    expect_err(nrp_il_edit_add_local(m, szarray, sizeof szarray, &idx, &err), &err, "not exactly one signature type");
    expect_err(nrp_il_edit_add_local(m, klass, sizeof klass, &idx, &err), &err, "not exactly one signature type");
    expect_err(nrp_il_edit_add_local(m, bad_tag, sizeof bad_tag, &idx, &err), &err, "not exactly one signature type");
    expect_err(nrp_il_edit_add_local(m, unknown, sizeof unknown, &idx, &err), &err, "not exactly one signature type");
    expect_err(nrp_il_edit_add_local(m, modreq_only, sizeof modreq_only, &idx, &err), &err,
               "not exactly one signature type");
    expect_err(nrp_il_edit_add_local(m, two, 0, &idx, &err), &err, "not exactly one signature type");
    expect_err(nrp_il_edit_add_local(m, NULL, 1, &idx, &err), &err, "not exactly one signature type");
    assert_int_equal(idx, 77);
    assert_false(m->locals_changed);
    /* nothing changed: the same tiny body */
    expect_encoded(m, body, sizeof body);
    assert_int_equal(g_env.sig_token_calls, 0);
    nrp_il_method_free(m);

    /* the existing signature cannot be read */
    static const uint8_t i4[] = {0x08};
    m = fat_nop_ret(0x11000078);
    expect_err(nrp_il_edit_add_local(m, i4, sizeof i4, &idx, &err), &err, "fake env: no local signature 0x11000078");
    nrp_il_method_free(m);
    m = fat_nop_ret(0x11000077);
    expect_err(nrp_il_edit_add_local(m, i4, sizeof i4, &idx, &err), &err, "not a local variable signature");
    nrp_il_method_free(m);
    m = fat_nop_ret(0x1100007A);
    expect_err(nrp_il_edit_add_local(m, i4, sizeof i4, &idx, &err), &err, "truncated");
    nrp_il_method_free(m);
    m = fat_nop_ret(0x1100007B);
    expect_err(nrp_il_edit_add_local(m, i4, sizeof i4, &idx, &err), &err, "1 stray bytes after the locals");
    nrp_il_method_free(m);
    m = fat_nop_ret(0x11000005);
    m->env.local_sig = NULL;
    expect_err(nrp_il_edit_add_local(m, i4, sizeof i4, &idx, &err), &err,
               "no way to read the local signature 0x11000005");
    nrp_il_method_free(m);
    /* and no token for a new one */
    m = DECODE(body, SIG_VOID);
    assert_int_equal(nrp_il_edit_add_local(m, i4, sizeof i4, &idx, &err), NRP_OK);
    m->env.sig_token = NULL;
    uint8_t *out;
    size_t n;
    expect_err(nrp_il_method_encode(m, &out, &n, &err), &err, "no way to get a token for the new local signature");
    nrp_il_method_free(m);
}

/* ------------------------------------------------------------------------ */
/* nrp_il_edit_replace                                                       */
/* ------------------------------------------------------------------------ */

/* static int32(int32) */
static const uint8_t REPLACE_BODY[] = {
    0x1A,       /* tiny, code size 6 */
    0x16,       /* 00: [0] ldc.i4.0 */
    0x2D, 0x01, /* 01: [1] brtrue.s +1 -> 04 */
    0x00,       /* 03: [2] nop */
    0x02,       /* 04: [3] ldarg.0 */
    0x2A,       /* 05: [4] ret */
};

static void test_replace_in_place(void **state)
{
    (void)state;
    nrp_il_method *m = DECODE(REPLACE_BODY, SIG_I4_I4);
    nrp_il_instr *target = nth(m, 3), *nop = nth(m, 2);
    nrp_err err = {{0}};
    /* the branch target becomes a 5-byte instruction; the nop a branch to it */
    assert_int_equal(nrp_il_edit_replace(m, target, NRP_OP_LDC_I4, 0x11223344, NULL, &err), NRP_OK);
    assert_int_equal(nrp_il_edit_replace(m, nop, NRP_OP_BR_S, 12345, target, &err), NRP_OK);
    assert_ptr_equal(nth(m, 3), target);
    assert_ptr_equal(nth(m, 1)->target, target);
    static const want_instr w[] = {{NRP_OP_LDC_I4_0, 0, -1},
                                   {NRP_OP_BRTRUE, 0, 3},
                                   {NRP_OP_BR, 0, 3}, /* stored long, value dropped */
                                   {NRP_OP_LDC_I4, 0x11223344, -1},
                                   {NRP_OP_RET, 0, -1}};
    assert_instrs(m, w, 5);
    static const uint8_t want[] = {
        0x2E,                         /* tiny, code size 11 */
        0x16,                         /* 00: ldc.i4.0 */
        0x2D, 0x02,                   /* 01: brtrue.s +2 -> 05 */
        0x2B, 0x00,                   /* 03: br.s +0 -> 05 */
        0x20, 0x44, 0x33, 0x22, 0x11, /* 05: ldc.i4 0x11223344 */
        0x2A,                         /* 0A: ret */
    };
    expect_encoded(m, want, sizeof want);

    /* and back to a non-branch: the target goes */
    assert_int_equal(nrp_il_edit_replace(m, nop, NRP_OP_NOP, 0, NULL, &err), NRP_OK);
    assert_null(nop->target);
    static const uint8_t want2[] = {
        0x2A,                         /* tiny, code size 10 */
        0x16,                         /* 00: ldc.i4.0 */
        0x2D, 0x01,                   /* 01: brtrue.s +1 -> 04 */
        0x00,                         /* 03: nop */
        0x20, 0x44, 0x33, 0x22, 0x11, /* 04: ldc.i4 0x11223344 */
        0x2A,                         /* 09: ret */
    };
    expect_encoded(m, want2, sizeof want2);
    nrp_il_method_free(m);
}

static void test_replace_refusals(void **state)
{
    (void)state;
    nrp_il_method *m = DECODE(REPLACE_BODY, SIG_I4_I4);
    nrp_il_instr *br = nth(m, 1), *nop = nth(m, 2), *target = nth(m, 3);
    nrp_err err = {{0}};
    expect_err(nrp_il_edit_replace(m, nop, NRP_OP_BR, 0, NULL, &err), &err, "br needs a branch target");
    expect_err(nrp_il_edit_replace(m, nop, NRP_OP_LEAVE_S, 0, NULL, &err), &err, "leave.s needs a branch target");
    expect_err(nrp_il_edit_replace(m, nop, NRP_OP_POP, 0, target, &err), &err, "pop takes no a branch target");
    expect_err(nrp_il_edit_replace(m, nop, NRP_OP_SWITCH, 0, NULL, &err), &err, "a switch cannot be put in place");
    expect_err(nrp_il_edit_replace(m, nop, 0x24, 0, NULL, &err), &err, "unknown opcode 0x0024");
    expect_err(nrp_il_edit_replace(m, nop, 0xFE08, 0, NULL, &err), &err, "unknown opcode 0xfe08");
    expect_err(nrp_il_edit_replace(m, br, NRP_OP_NOP, 0, target, &err), &err, "takes no");
    /* all refused: the body is as it was */
    assert_int_equal(nop->op, NRP_OP_NOP);
    assert_ptr_equal(br->target, target);
    expect_encoded(m, REPLACE_BODY, sizeof REPLACE_BODY);
    nrp_il_method_free(m);
}

/* Replacing a switch drops its targets; replacing a clause boundary keeps
 * the clause on it. */
static void test_replace_switch_and_clause_boundary(void **state)
{
    (void)state;
    static const uint8_t sw[] = {
        0x52,                         /* tiny, code size 20 */
        0x02,                         /* 00: [0] ldarg.0 */
        0x45, 0x02, 0x00, 0x00, 0x00, /* 01: [1] switch (2 targets), ends at 0x0E */
        0x02, 0x00, 0x00, 0x00,       /*         +2 -> 0x10 */
        0x04, 0x00, 0x00, 0x00,       /*         +4 -> 0x12 */
        0x15,                         /* 0E: [2] ldc.i4.m1 */
        0x2A,                         /* 0F: [3] ret */
        0x16,                         /* 10: [4] ldc.i4.0 */
        0x2A,                         /* 11: [5] ret */
        0x17,                         /* 12: [6] ldc.i4.1 */
        0x2A,                         /* 13: [7] ret */
    };
    nrp_il_method *m = DECODE(sw, SIG_I4_I4);
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_edit_replace(m, nth(m, 1), NRP_OP_POP, 0, NULL, &err), NRP_OK);
    assert_int_equal(nth(m, 1)->target_count, 0);
    assert_null(nth(m, 1)->targets);
    static const uint8_t want[] = {
        0x22, /* tiny, code size 8 */
        0x02, /* 00: ldarg.0 */
        0x26, /* 01: pop */
        0x15, /* 02: ldc.i4.m1 */
        0x2A, /* 03: ret */
        0x16, /* 04: ldc.i4.0 (now unreachable) */
        0x2A, /* 05: ret */
        0x17, /* 06: ldc.i4.1 */
        0x2A, /* 07: ret */
    };
    expect_encoded(m, want, sizeof want);
    nrp_il_method_free(m);

    m = DECODE(CATCH_BODY, SIG_VOID);
    nrp_il_instr *handler = nth(m, 2);
    assert_int_equal(nrp_il_edit_replace(m, handler, NRP_OP_STSFLD, 0x04000001, NULL, &err), NRP_OK);
    assert_ptr_equal(m->clauses[0].handler_start, handler);
    assert_ptr_equal(m->clauses[0].try_end, handler);
    static const uint8_t want2[] = {
        0x0B, 0x30,                   /* fat | MoreSects; 3 dwords */
        0x01, 0x00,                   /* max stack 1 */
        0x0B, 0x00, 0x00, 0x00,       /* code size 11 */
        0x00, 0x00, 0x00, 0x00,       /* no locals */
        0x00,                         /* 00: nop                    try [0, 3) */
        0xDE, 0x07,                   /* 01: leave.s -> 0A */
        0x80, 0x01, 0x00, 0x00, 0x04, /* 03: stsfld 0x04000001      catch [3, 0A) */
        0xDE, 0x00,                   /* 08: leave.s -> 0A */
        0x2A,                         /* 0A: ret */
        0x00,                         /* padding: 23 -> 24 */
        0x01, 0x10, 0x00, 0x00,       /* small EH section, 16 bytes */
        0x00, 0x00,                   /* flags: catch */
        0x00, 0x00, 0x03,             /* try 0, length 3 */
        0x03, 0x00, 0x07,             /* handler 3, length 7 */
        0x01, 0x00, 0x00, 0x01,       /* class token 0x01000001 */
    };
    expect_encoded(m, want2, sizeof want2);
    nrp_il_method_free(m);
}

/* ------------------------------------------------------------------------ */
/* nrp_il_edit_redirect_returns                                              */
/* ------------------------------------------------------------------------ */

static void test_redirect_void(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x16,       /* tiny, code size 5 */
        0x16,       /* 00: [0] ldc.i4.0 */
        0x2D, 0x01, /* 01: [1] brtrue.s +1 -> 04 */
        0x2A,       /* 03: [2] ret */
        0x2A,       /* 04: [3] ret */
    };
    nrp_il_method *m = DECODE(body, SIG_VOID);
    nrp_il_returns r = {NULL, 42};
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_edit_redirect_returns(m, &r, &err), NRP_OK);
    assert_int_equal(r.value_local, -1);
    assert_ptr_equal(r.epilogue, m->last);
    static const want_instr w[] = {{NRP_OP_LDC_I4_0, 0, -1},
                                   {NRP_OP_BRTRUE, 0, 3},
                                   {NRP_OP_BR, 0, 4},
                                   {NRP_OP_BR, 0, 4},
                                   {NRP_OP_RET, 0, -1}};
    assert_instrs(m, w, 5);
    static const uint8_t want[] = {
        0x22,       /* tiny, code size 8 */
        0x16,       /* 00: ldc.i4.0 */
        0x2D, 0x02, /* 01: brtrue.s +2 -> 05 */
        0x2B, 0x02, /* 03: br.s +2 -> 07 (was ret) */
        0x2B, 0x00, /* 05: br.s +0 -> 07 (was ret) */
        0x2A,       /* 07: ret (the epilogue) */
    };
    expect_encoded(m, want, sizeof want);
    assert_int_equal(g_env.sig_token_calls, 0); /* no local for a void method */
    assert_max_stack(m, 1);
    nrp_il_method_free(m);
}

static void test_redirect_value(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x1E,       /* tiny, code size 7 */
        0x02,       /* 00: [0] ldarg.0 */
        0x2D, 0x02, /* 01: [1] brtrue.s +2 -> 05 */
        0x16,       /* 03: [2] ldc.i4.0 */
        0x2A,       /* 04: [3] ret */
        0x17,       /* 05: [4] ldc.i4.1 */
        0x2A,       /* 06: [5] ret */
    };
    nrp_il_method *m = DECODE(body, SIG_I4_I4);
    nrp_il_returns r;
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_edit_redirect_returns(m, &r, &err), NRP_OK);
    assert_int_equal(r.value_local, 0);
    assert_ptr_equal(r.epilogue, nth(m, 8));
    static const want_instr w[] = {
        {NRP_OP_LDARG_0, 0, -1}, {NRP_OP_BRTRUE, 0, 5},    {NRP_OP_LDC_I4_0, 0, -1}, {NRP_OP_STLOC_0, 0, -1},
        {NRP_OP_BR, 0, 8},       {NRP_OP_LDC_I4_1, 0, -1}, {NRP_OP_STLOC_0, 0, -1},  {NRP_OP_BR, 0, 8},
        {NRP_OP_LDLOC_0, 0, -1}, {NRP_OP_RET, 0, -1},
    };
    assert_instrs(m, w, 10);
    static const uint8_t want[] = {
        0x03, 0x30,             /* fat; 3 dwords */
        0x08, 0x00,             /* max stack 8 */
        0x0D, 0x00, 0x00, 0x00, /* code size 13 */
        0x99, 0x00, 0x00, 0x11, /* locals 0x11000099 */
        0x02,                   /* 00: ldarg.0 */
        0x2D, 0x04,             /* 01: brtrue.s +4 -> 07 */
        0x16,                   /* 03: ldc.i4.0 */
        0x0A,                   /* 04: stloc.0 (was ret) */
        0x2B, 0x04,             /* 05: br.s +4 -> 0B */
        0x17,                   /* 07: ldc.i4.1 */
        0x0A,                   /* 08: stloc.0 (was ret) */
        0x2B, 0x00,             /* 09: br.s +0 -> 0B */
        0x06,                   /* 0B: ldloc.0 (epilogue) */
        0x2A,                   /* 0C: ret */
    };
    expect_encoded(m, want, sizeof want);
    static const uint8_t blob[] = {0x07, 0x01, 0x08}; /* 1 local: int32, the return type */
    assert_int_equal(g_env.blob_len, sizeof blob);
    assert_memory_equal(g_env.blob, blob, sizeof blob);
    assert_max_stack(m, 1);
    nrp_il_method_free(m);
}

/* The value local after existing ones: stloc.2 / stloc.s / stloc. */
static void redirect_value_local(uint32_t local_tok, const uint8_t *code_want, size_t code_len, int32_t index)
{
    uint8_t body[20], want[40];
    static const uint8_t code[] = {
        0x02, /* 00: ldarg.0 */
        0x2A, /* 01: ret */
    };
    size_t n = fat_body(body, 0x10, 2, local_tok, code, sizeof code); /* InitLocals, max stack 2 */
    nrp_il_method *m = decode_ok(body, n, SIG_I4_I4, sizeof SIG_I4_I4);
    nrp_il_returns r;
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_edit_redirect_returns(m, &r, &err), NRP_OK);
    assert_int_equal(r.value_local, index);
    n = fat_body(want, 0x10, 2, 0x11000099, code_want, (uint32_t)code_len);
    expect_encoded(m, want, n);
    nrp_il_method_free(m);
}

static void test_redirect_value_local_index_forms(void **state)
{
    (void)state;
    static const uint8_t two[] = {
        0x02,       /* 00: ldarg.0 */
        0x0C,       /* 01: stloc.2 */
        0x2B, 0x00, /* 02: br.s -> 04 */
        0x08,       /* 04: ldloc.2 */
        0x2A,       /* 05: ret */
    };
    redirect_value_local(0x11000005, two, sizeof two, 2);
    static const uint8_t blob2[] = {0x07, 0x03, 0x08, 0x0E, 0x08};
    assert_int_equal(g_env.blob_len, sizeof blob2);
    assert_memory_equal(g_env.blob, blob2, sizeof blob2);

    static const uint8_t s127[] = {
        0x02,       /* 00: ldarg.0 */
        0x13, 0x7F, /* 01: stloc.s 127 */
        0x2B, 0x00, /* 03: br.s -> 05 */
        0x11, 0x7F, /* 05: ldloc.s 127 */
        0x2A,       /* 07: ret */
    };
    redirect_value_local(0x11000006, s127, sizeof s127, 127);

    static const uint8_t big[] = {
        0x02,                   /* 00: ldarg.0 */
        0xFE, 0x0E, 0xFF, 0x3F, /* 01: stloc 16383 */
        0x2B, 0x00,             /* 05: br.s -> 07 */
        0xFE, 0x0C, 0xFF, 0x3F, /* 07: ldloc 16383 */
        0x2A,                   /* 0B: ret */
    };
    redirect_value_local(0x11000009, big, sizeof big, MANY_LOCALS);
    assert_int_equal(nrp_il_ldloc_op(3), NRP_OP_LDLOC_3);
    assert_int_equal(nrp_il_ldloc_op(4), NRP_OP_LDLOC_S);
    assert_int_equal(nrp_il_ldloc_op(255), NRP_OP_LDLOC_S);
    assert_int_equal(nrp_il_ldloc_op(256), NRP_OP_LDLOC);
    assert_int_equal(nrp_il_stloc_op(0), NRP_OP_STLOC_0);
    assert_int_equal(nrp_il_stloc_op(255), NRP_OP_STLOC_S);
    assert_int_equal(nrp_il_stloc_op(256), NRP_OP_STLOC);
}

static void test_redirect_modreq_return(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x0A, /* tiny, code size 2 */
        0x16, /* 00: ldc.i4.0 */
        0x2A, /* 01: ret */
    };
    nrp_il_method *m = DECODE(body, SIG_MODREQ_I4);
    nrp_il_returns r;
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_edit_redirect_returns(m, &r, &err), NRP_OK);
    assert_int_equal(r.value_local, 0);
    static const uint8_t want[] = {
        0x03, 0x30,             /* fat; 3 dwords */
        0x08, 0x00,             /* max stack 8 */
        0x06, 0x00, 0x00, 0x00, /* code size 6 */
        0x99, 0x00, 0x00, 0x11, /* locals 0x11000099 */
        0x16,                   /* 00: ldc.i4.0 */
        0x0A,                   /* 01: stloc.0 */
        0x2B, 0x00,             /* 02: br.s -> 04 */
        0x06,                   /* 04: ldloc.0 */
        0x2A,                   /* 05: ret */
    };
    expect_encoded(m, want, sizeof want);
    static const uint8_t blob[] = {0x07, 0x01, 0x1F, 0x09, 0x08}; /* 1 local: modreq([TypeRef 2]) int32 */
    assert_int_equal(g_env.blob_len, sizeof blob);
    assert_memory_equal(g_env.blob, blob, sizeof blob);
    nrp_il_method_free(m);

    /* modreq(...) void is void: no local */
    static const uint8_t vbody[] = {
        0x06, /* tiny, code size 1 */
        0x2A, /* 00: ret */
    };
    m = DECODE(vbody, SIG_MODREQ_VOID);
    g_env.sig_token_calls = 0;
    assert_int_equal(nrp_il_edit_redirect_returns(m, &r, &err), NRP_OK);
    assert_int_equal(r.value_local, -1);
    static const uint8_t vwant[] = {
        0x0E,       /* tiny, code size 3 */
        0x2B, 0x00, /* 00: br.s -> 02 */
        0x2A,       /* 02: ret */
    };
    expect_encoded(m, vwant, sizeof vwant);
    assert_int_equal(g_env.sig_token_calls, 0);
    nrp_il_method_free(m);

    /* instance string(object): the local is a string */
    static const uint8_t str[] = {
        0x0A, /* tiny, code size 2 */
        0x14, /* 00: ldnull */
        0x2A, /* 01: ret */
    };
    m = DECODE(str, SIG_STR_OBJ);
    assert_int_equal(nrp_il_edit_redirect_returns(m, &r, &err), NRP_OK);
    size_t n;
    uint8_t *enc = encode_ok(m, &n);
    free(enc);
    static const uint8_t sblob[] = {0x07, 0x01, 0x0E};
    assert_int_equal(g_env.blob_len, sizeof sblob);
    assert_memory_equal(g_env.blob, sblob, sizeof sblob);
    nrp_il_method_free(m);
}

/* tail. call ret: the prefix goes (a tail call must be followed by its
 * ret); a branch to the prefix now lands on the call. */
static void test_redirect_drops_tail(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x3A,                         /* tiny, code size 14 */
        0x02,                         /* 00: [0] ldarg.0 */
        0x02,                         /* 01: [1] ldarg.0 */
        0x02,                         /* 02: [2] ldarg.0 */
        0x2C, 0x01,                   /* 03: [3] brfalse.s +1 -> 06 */
        0x00,                         /* 05: [4] nop */
        0xFE, 0x14,                   /* 06: [5] tail. */
        0x28, 0x03, 0x00, 0x00, 0x06, /* 08: [6] call int32(int32,int32) */
        0x2A,                         /* 0D: [7] ret */
    };
    nrp_il_method *m = DECODE(body, SIG_I4_I4);
    nrp_il_instr *call = nth(m, 6);
    nrp_il_returns r;
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_edit_redirect_returns(m, &r, &err), NRP_OK);
    assert_ptr_equal(nth(m, 3)->target, call);
    static const uint8_t want[] = {
        0x03, 0x30,                   /* fat; 3 dwords */
        0x08, 0x00,                   /* max stack 8 */
        0x10, 0x00, 0x00, 0x00,       /* code size 16 */
        0x99, 0x00, 0x00, 0x11,       /* locals 0x11000099 */
        0x02,                         /* 00: ldarg.0 */
        0x02,                         /* 01: ldarg.0 */
        0x02,                         /* 02: ldarg.0 */
        0x2C, 0x01,                   /* 03: brfalse.s +1 -> 06 (the call now) */
        0x00,                         /* 05: nop */
        0x28, 0x03, 0x00, 0x00, 0x06, /* 06: call int32(int32,int32) (no tail.) */
        0x0A,                         /* 0B: stloc.0 */
        0x2B, 0x00,                   /* 0C: br.s -> 0E */
        0x06,                         /* 0E: ldloc.0 */
        0x2A,                         /* 0F: ret */
    };
    expect_encoded(m, want, sizeof want);
    assert_max_stack(m, 3);
    for (nrp_il_instr *i = m->first; i; i = i->next)
        assert_int_not_equal(i->op, NRP_OP_TAIL);
    nrp_il_method_free(m);
}

static void test_redirect_needs_signature(void **state)
{
    (void)state;
    static const uint8_t body[] = {0x06, 0x2A}; /* tiny, code size 1: ret */
    nrp_il_env env = make_env();
    nrp_il_method *m;
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_method_decode(body, sizeof body, NULL, 0, &env, &m, &err), NRP_OK);
    nrp_il_returns r;
    expect_err(nrp_il_edit_redirect_returns(m, &r, &err), &err, "signature is needed");
    assert_int_equal(m->first->op, NRP_OP_RET);
    nrp_il_method_free(m);
    /* a field signature is not a method signature */
    static const uint8_t field_sig[] = {0x06, 0x08};
    m = decode_ok(body, sizeof body, field_sig, sizeof field_sig);
    expect_err(nrp_il_edit_redirect_returns(m, &r, &err), &err, "not a method signature");
    nrp_il_method_free(m);
}

/* A handler that runs to the end of the code must not grow over the
 * epilogue appended after it. */
static void test_redirect_keeps_handler_end(void **state)
{
    (void)state;
    /* Regression: a clause boundary at the end of the code is held as NULL
     * ("the end"); the epilogue appended after it once made the catch
     * handler grow over it. Appending now pins such ends. */
    static const uint8_t body[] = {
        0x0B, 0x30,             /* fat | MoreSects; 3 dwords */
        0x01, 0x00,             /* max stack 1 */
        0x09, 0x00, 0x00, 0x00, /* code size 9 */
        0x00, 0x00, 0x00, 0x00, /* no locals */
        0x2B, 0x01,             /* 00: [0] br.s +1 -> 03 */
        0x2A,                   /* 02: [1] ret */
        0x00,                   /* 03: [2] nop              try [3, 6) */
        0xDE, 0xFC,             /* 04: [3] leave.s -4 -> 02 */
        0x26,                   /* 06: [4] pop              catch [6, 9): to the end */
        0xDE, 0xF9,             /* 07: [5] leave.s -7 -> 02 */
        0x00, 0x00, 0x00,       /* padding: 21 -> 24 */
        0x01, 0x10, 0x00, 0x00, /* small EH section, 16 bytes */
        0x00, 0x00,             /* flags: catch */
        0x03, 0x00, 0x03,       /* try 3, length 3 */
        0x06, 0x00, 0x03,       /* handler 6, length 3 */
        0x01, 0x00, 0x00, 0x01, /* class token 0x01000001 */
    };
    nrp_il_method *m = DECODE(body, SIG_VOID);
    nrp_il_returns r;
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_edit_redirect_returns(m, &r, &err), NRP_OK);
    static const uint8_t want[] = {
        0x0B, 0x30,             /* fat | MoreSects; 3 dwords */
        0x01, 0x00,             /* max stack 1 */
        0x0B, 0x00, 0x00, 0x00, /* code size 11 */
        0x00, 0x00, 0x00, 0x00, /* no locals */
        0x2B, 0x02,             /* 00: br.s +2 -> 04 */
        0x2B, 0x06,             /* 02: br.s +6 -> 0A (was ret) */
        0x00,                   /* 04: nop              try [4, 7) */
        0xDE, 0xFB,             /* 05: leave.s -5 -> 02 */
        0x26,                   /* 07: pop              catch [7, 0A) */
        0xDE, 0xF8,             /* 08: leave.s -8 -> 02 */
        0x2A,                   /* 0A: ret (epilogue, outside the handler) */
        0x00,                   /* padding: 23 -> 24 */
        0x01, 0x10, 0x00, 0x00, /* small EH section, 16 bytes */
        0x00, 0x00,             /* flags: catch */
        0x04, 0x00, 0x03,       /* try 4, length 3 */
        0x07, 0x00, 0x03,       /* handler 7, length 3 (not 4) */
        0x01, 0x00, 0x00, 0x01, /* class token 0x01000001 */
    };
    expect_encoded(m, want, sizeof want);
    nrp_il_method_free(m);
}

/* ------------------------------------------------------------------------ */
/* nrp_il_edit_wrap                                                          */
/* ------------------------------------------------------------------------ */

/* (a) try/finally on a void method with two rets */
static void test_wrap_finally_void(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x16,       /* tiny, code size 5 */
        0x16,       /* 00: ldc.i4.0 */
        0x2D, 0x01, /* 01: brtrue.s +1 -> 04 */
        0x2A,       /* 03: ret */
        0x2A,       /* 04: ret */
    };
    static const uint8_t fin[] = {
        0x18,                         /* 00: ldc.i4.2 */
        0x28, 0x01, 0x00, 0x00, 0x0A, /* 01: call 0x0A000001 */
    };
    nrp_il_method *m = DECODE(body, SIG_VOID);
    nrp_il_wrap_spec spec = {.with_finally = 1, .finally_il = fin, .finally_len = sizeof fin};
    nrp_il_returns r;
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_edit_wrap(m, &spec, &r, &err), NRP_OK);
    assert_int_equal(r.value_local, -1);
    assert_ptr_equal(r.epilogue, m->last);
    static const want_instr w[] = {
        {NRP_OP_LDC_I4_0, 0, -1}, {NRP_OP_BRTRUE, 0, 3},         {NRP_OP_LEAVE, 0, 7},      {NRP_OP_LEAVE, 0, 7},
        {NRP_OP_LDC_I4_2, 0, -1}, {NRP_OP_CALL, 0x0A000001, -1}, {NRP_OP_ENDFINALLY, 0, -1}, {NRP_OP_RET, 0, -1},
    };
    assert_instrs(m, w, 8);
    assert_int_equal(m->clause_count, 1);
    assert_clause_idx(m, 0, NRP_EH_FINALLY, 0, 4, 4, 7, -1, 0);
    static const uint8_t want[] = {
        0x0B, 0x30,                   /* fat | MoreSects; 3 dwords */
        0x08, 0x00,                   /* max stack 8 (the tiny header's) */
        0x0F, 0x00, 0x00, 0x00,       /* code size 15 */
        0x00, 0x00, 0x00, 0x00,       /* no locals */
        0x16,                         /* 00: ldc.i4.0         try [0, 7) */
        0x2D, 0x02,                   /* 01: brtrue.s +2 -> 05 */
        0xDE, 0x09,                   /* 03: leave.s +9 -> 0E (was ret) */
        0xDE, 0x07,                   /* 05: leave.s +7 -> 0E (was ret) */
        0x18,                         /* 07: ldc.i4.2         finally [7, 0E) */
        0x28, 0x01, 0x00, 0x00, 0x0A, /* 08: call 0x0A000001 */
        0xDC,                         /* 0D: endfinally */
        0x2A,                         /* 0E: ret (epilogue) */
        0x00,                         /* padding: 27 -> 28 */
        0x01, 0x10, 0x00, 0x00,       /* small EH section, 16 bytes */
        0x02, 0x00,                   /* flags: finally */
        0x00, 0x00, 0x07,             /* try 0, length 7 */
        0x07, 0x00, 0x07,             /* handler 7, length 7 */
        0x00, 0x00, 0x00, 0x00,       /* no token */
    };
    expect_encoded(m, want, sizeof want);
    assert_max_stack(m, 1);
    assert_int_equal(g_env.sig_token_calls, 0);
    nrp_il_method_free(m);
}

/* (b) entry code + the exception observed (a declining filter and a fault
 * block: nothing is caught) + finally on int32(int32) */
static void test_wrap_catch_finally_value(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x0A, /* tiny, code size 2 */
        0x02, /* 00: ldarg.0 */
        0x2A, /* 01: ret */
    };
    static const uint8_t entry[] = {
        0x16,                         /* 00: ldc.i4.0 */
        0x28, 0x01, 0x00, 0x00, 0x0A, /* 01: call 0x0A000001 */
    };
    static const uint8_t catch_il[] = {
        0x25,                         /* 00: dup (the exception) */
        0x6F, 0x02, 0x00, 0x00, 0x0A, /* 01: callvirt instance int32() */
        0x26,                         /* 06: pop; the exception is left on the stack */
    };
    static const uint8_t fin[] = {
        0x17,                         /* 00: ldc.i4.1 */
        0x28, 0x01, 0x00, 0x00, 0x0A, /* 01: call 0x0A000001 */
    };
    nrp_il_method *m = DECODE(body, SIG_I4_I4);
    nrp_il_wrap_spec spec = {
        .entry_il = entry, .entry_len = sizeof entry,
        .with_catch = 1, .catch_type = 0x01000010, .catch_il = catch_il, .catch_len = sizeof catch_il,
        .with_finally = 1, .finally_il = fin, .finally_len = sizeof fin,
    };
    nrp_il_returns r;
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_edit_wrap(m, &spec, &r, &err), NRP_OK);
    assert_int_equal(r.value_local, 1); /* local 0 holds the exception */
    assert_ptr_equal(r.epilogue, nth(m, 22));
    static const want_instr w[] = {
        {NRP_OP_LDC_I4_0, 0, -1},          /* [0]  entry */
        {NRP_OP_CALL, 0x0A000001, -1},     /* [1] */
        {NRP_OP_LDARG_0, 0, -1},           /* [2]  try (all three) */
        {NRP_OP_STLOC_1, 0, -1},           /* [3] */
        {NRP_OP_LEAVE, 0, 22},             /* [4] */
        {NRP_OP_ISINST, 0x01000010, -1},   /* [5]  filter: note the exception, decline it */
        {NRP_OP_STLOC_0, 0, -1},           /* [6] */
        {NRP_OP_LDC_I4_0, 0, -1},          /* [7] */
        {NRP_OP_ENDFILTER, 0, -1},         /* [8] */
        {NRP_OP_POP, 0, -1},               /* [9]  its handler, never entered */
        {NRP_OP_RETHROW, 0, -1},           /* [10] */
        {NRP_OP_LDLOC_0, 0, -1},           /* [11] fault: the catch code, given the exception */
        {NRP_OP_BRFALSE, 0, 18},           /* [12] */
        {NRP_OP_LDLOC_0, 0, -1},           /* [13] */
        {NRP_OP_DUP, 0, -1},               /* [14] */
        {NRP_OP_CALLVIRT, 0x0A000002, -1}, /* [15] */
        {NRP_OP_POP, 0, -1},               /* [16] */
        {NRP_OP_POP, 0, -1},               /* [17] the exception */
        {NRP_OP_ENDFINALLY, 0, -1},        /* [18] */
        {NRP_OP_LDC_I4_1, 0, -1},          /* [19] finally */
        {NRP_OP_CALL, 0x0A000001, -1},     /* [20] */
        {NRP_OP_ENDFINALLY, 0, -1},        /* [21] */
        {NRP_OP_LDLOC_1, 0, -1},           /* [22] epilogue */
        {NRP_OP_RET, 0, -1},               /* [23] */
    };
    assert_instrs(m, w, 24);
    assert_int_equal(m->clause_count, 3);
    assert_clause_idx(m, 0, NRP_EH_FILTER, 2, 5, 9, 11, 5, 0);
    assert_clause_idx(m, 1, NRP_EH_FAULT, 2, 11, 11, 19, -1, 0);
    assert_clause_idx(m, 2, NRP_EH_FINALLY, 2, 19, 19, 22, -1, 0);
    static const uint8_t want[] = {
        0x0B, 0x30,                   /* fat | MoreSects; 3 dwords */
        0x08, 0x00,                   /* max stack 8 */
        0x2C, 0x00, 0x00, 0x00,       /* code size 44 */
        0x99, 0x00, 0x00, 0x11,       /* locals 0x11000099 */
        0x16,                         /* 00: ldc.i4.0             entry */
        0x28, 0x01, 0x00, 0x00, 0x0A, /* 01: call 0x0A000001 */
        0x02,                         /* 06: ldarg.0              try [06, 0A) / [06, 16) / [06, 23) */
        0x0B,                         /* 07: stloc.1 */
        0xDE, 0x20,                   /* 08: leave.s +32 -> 2A */
        0x75, 0x10, 0x00, 0x00, 0x01, /* 0A: isinst 0x01000010    filter */
        0x0A,                         /* 0F: stloc.0 */
        0x16,                         /* 10: ldc.i4.0 */
        0xFE, 0x11,                   /* 11: endfilter */
        0x26,                         /* 13: pop                  its handler [13, 16) */
        0xFE, 0x1A,                   /* 14: rethrow */
        0x06,                         /* 16: ldloc.0              fault [16, 23) */
        0x2C, 0x09,                   /* 17: brfalse.s +9 -> 22 */
        0x06,                         /* 19: ldloc.0 */
        0x25,                         /* 1A: dup */
        0x6F, 0x02, 0x00, 0x00, 0x0A, /* 1B: callvirt 0x0A000002 */
        0x26,                         /* 20: pop */
        0x26,                         /* 21: pop */
        0xDC,                         /* 22: endfinally */
        0x17,                         /* 23: ldc.i4.1             finally [23, 2A) */
        0x28, 0x01, 0x00, 0x00, 0x0A, /* 24: call 0x0A000001 */
        0xDC,                         /* 29: endfinally */
        0x07,                         /* 2A: ldloc.1              epilogue */
        0x2A,                         /* 2B: ret */
        /* 56 bytes: aligned */
        0x01, 0x28, 0x00, 0x00,       /* small EH section, 40 bytes */
        0x01, 0x00,                   /* filter */
        0x06, 0x00, 0x04,             /* try 06, length 4 */
        0x13, 0x00, 0x03,             /* handler 13, length 3 */
        0x0A, 0x00, 0x00, 0x00,       /* filter at 0A */
        0x04, 0x00,                   /* fault */
        0x06, 0x00, 0x10,             /* try 06, length 16 */
        0x16, 0x00, 0x0D,             /* handler 16, length 13 */
        0x00, 0x00, 0x00, 0x00,       /* no token */
        0x02, 0x00,                   /* finally */
        0x06, 0x00, 0x1D,             /* try 06, length 29 */
        0x23, 0x00, 0x07,             /* handler 23, length 7 */
        0x00, 0x00, 0x00, 0x00,       /* no token */
    };
    expect_encoded(m, want, sizeof want);
    static const uint8_t blob[] = {0x07, 0x02, 0x1C, 0x08}; /* object (the exception), int32 */
    assert_int_equal(g_env.blob_len, sizeof blob);
    assert_memory_equal(g_env.blob, blob, sizeof blob);
    /* (h) the analysis passes and finds the catch code's dup: 2 */
    assert_max_stack(m, 2);
    assert_int_equal(nth(m, 5)->depth, 1);  /* the filter starts with the exception */
    assert_int_equal(nth(m, 9)->depth, 1);  /* so does its handler */
    assert_int_equal(nth(m, 11)->depth, 0); /* the fault with nothing */
    assert_int_equal(nth(m, 19)->depth, 0); /* the finally with nothing */
    assert_int_equal(nth(m, 22)->depth, 0); /* the epilogue after leave */
    nrp_il_method_free(m);
}

/* Guarded snippets and exit code: entry, catch and exit code each inside
 * try { } catch (guard) { pop }; the exit code runs on normal return only,
 * before the epilogue; the guarded catch code runs in the fault block with
 * the exception the filter set aside. */
static void test_wrap_guarded_with_exit(void **state)
{
    (void)state;
    static const uint8_t body[] = {0x0A, 0x02, 0x2A}; /* tiny: ldarg.0; ret */
    static const uint8_t entry[] = {0x16, 0x28, 0x01, 0x00, 0x00, 0x0A};       /* ldc.i4.0; call */
    static const uint8_t catch_il[] = {0x25, 0x6F, 0x02, 0x00, 0x00, 0x0A, 0x26}; /* dup; callvirt; pop */
    static const uint8_t exit_il[] = {0x28, 0x01, 0x00, 0x00, 0x0A};           /* call: takes the return value */
    nrp_il_method *m = DECODE(body, SIG_I4_I4);
    nrp_il_wrap_spec spec = {
        .entry_il = entry, .entry_len = sizeof entry,
        .with_catch = 1, .catch_type = 0x01000010, .catch_il = catch_il, .catch_len = sizeof catch_il,
        .exit_il = exit_il, .exit_len = sizeof exit_il, .guard_type = 0x01000020,
    };
    nrp_il_returns r;
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_edit_wrap(m, &spec, &r, &err), NRP_OK);
    assert_int_equal(r.value_local, 1); /* local 0 holds the exception */
    assert_ptr_equal(r.epilogue, nth(m, 25)); /* returns go to the exit code */
    static const want_instr w[] = {
        {NRP_OP_LDC_I4_0, 0, -1},          /* [0]  entry, guarded */
        {NRP_OP_CALL, 0x0A000001, -1},     /* [1] */
        {NRP_OP_LEAVE, 0, 5},              /* [2] */
        {NRP_OP_POP, 0, -1},               /* [3]  its guard */
        {NRP_OP_LEAVE, 0, 5},              /* [4] */
        {NRP_OP_LDARG_0, 0, -1},           /* [5]  the body */
        {NRP_OP_STLOC_1, 0, -1},           /* [6] */
        {NRP_OP_LEAVE, 0, 25},             /* [7]  to the exit code */
        {NRP_OP_ISINST, 0x01000010, -1},   /* [8]  filter: the exception aside, declined */
        {NRP_OP_STLOC_0, 0, -1},           /* [9] */
        {NRP_OP_LDC_I4_0, 0, -1},          /* [10] */
        {NRP_OP_ENDFILTER, 0, -1},         /* [11] */
        {NRP_OP_POP, 0, -1},               /* [12] its handler, never entered */
        {NRP_OP_RETHROW, 0, -1},           /* [13] */
        {NRP_OP_LDLOC_0, 0, -1},           /* [14] fault */
        {NRP_OP_BRFALSE, 0, 24},           /* [15] */
        {NRP_OP_LDLOC_0, 0, -1},           /* [16] guarded catch code */
        {NRP_OP_DUP, 0, -1},               /* [17] */
        {NRP_OP_CALLVIRT, 0x0A000002, -1}, /* [18] */
        {NRP_OP_POP, 0, -1},               /* [19] */
        {NRP_OP_POP, 0, -1},               /* [20] */
        {NRP_OP_LEAVE, 0, 24},             /* [21] */
        {NRP_OP_POP, 0, -1},               /* [22] its guard */
        {NRP_OP_LEAVE, 0, 24},             /* [23] */
        {NRP_OP_ENDFINALLY, 0, -1},        /* [24] */
        {NRP_OP_LDLOC_1, 0, -1},           /* [25] exit code, guarded, given the return value */
        {NRP_OP_CALL, 0x0A000001, -1},     /* [26] */
        {NRP_OP_LEAVE, 0, 30},             /* [27] */
        {NRP_OP_POP, 0, -1},               /* [28] its guard */
        {NRP_OP_LEAVE, 0, 30},             /* [29] */
        {NRP_OP_LDLOC_1, 0, -1},           /* [30] epilogue */
        {NRP_OP_RET, 0, -1},               /* [31] */
    };
    assert_instrs(m, w, 32);
    assert_int_equal(m->clause_count, 5);
    assert_clause_idx(m, 0, NRP_EH_CATCH, 0, 3, 3, 5, -1, 0x01000020);
    assert_clause_idx(m, 1, NRP_EH_CATCH, 16, 22, 22, 24, -1, 0x01000020);
    assert_clause_idx(m, 2, NRP_EH_CATCH, 25, 28, 28, 30, -1, 0x01000020);
    assert_clause_idx(m, 3, NRP_EH_FILTER, 5, 8, 12, 14, 8, 0);
    assert_clause_idx(m, 4, NRP_EH_FAULT, 5, 14, 14, 25, -1, 0);
    /* It encodes (clause order, stack at every try entry checked), and
     * the catch code's own stack is two deep. */
    uint8_t *out;
    size_t size;
    assert_int_equal(nrp_il_method_encode(m, &out, &size, &err), NRP_OK);
    free(out);
    assert_max_stack(m, 2);
    assert_int_equal(nth(m, 16)->depth, 0); /* a guarded try starts empty */
    assert_int_equal(nth(m, 25)->depth, 0);
    assert_int_equal(nth(m, 26)->depth, 1);
    nrp_il_method_free(m);
}

/* A bad snippet leaves no guard clause behind. */
static void test_wrap_guarded_bad_snippet(void **state)
{
    (void)state;
    static const uint8_t body[] = {0x0A, 0x02, 0x2A};
    static const uint8_t entry[] = {0x16, 0x28, 0x01, 0x00, 0x00, 0x0A};
    static const uint8_t bad[] = {0x28, 0x01}; /* truncated call */
    nrp_il_method *m = DECODE(body, SIG_I4_I4);
    nrp_il_wrap_spec spec = {.entry_il = entry, .entry_len = sizeof entry, .with_finally = 1,
                             .exit_il = bad, .exit_len = sizeof bad, .guard_type = 0x01000020};
    nrp_il_returns r;
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_edit_wrap(m, &spec, &r, &err), NRP_ERROR);
    assert_int_equal(m->clause_count, 0);
    nrp_il_method_free(m);
}

/* (c) a body with its own try/catch and try/filter: its clauses stay
 * first, ours follow (filter, fault, finally). */
static void test_wrap_body_with_clauses(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x0B, 0x30,             /* fat | MoreSects; 3 dwords */
        0x01, 0x00,             /* max stack 1 */
        0x11, 0x00, 0x00, 0x00, /* code size 17 */
        0x00, 0x00, 0x00, 0x00, /* no locals */
        0x00,                   /* 00: [0]  nop              C0 try [0, 3) */
        0xDE, 0x0D,             /* 01: [1]  leave.s -> 10 */
        0x26,                   /* 03: [2]  pop              C0 catch [3, 6) */
        0xDE, 0x0A,             /* 04: [3]  leave.s -> 10 */
        0x00,                   /* 06: [4]  nop              C1 try [6, 9) */
        0xDE, 0x07,             /* 07: [5]  leave.s -> 10 */
        0x26,                   /* 09: [6]  pop              C1 filter [9, 0D) */
        0x17,                   /* 0A: [7]  ldc.i4.1 */
        0xFE, 0x11,             /* 0B: [8]  endfilter */
        0x26,                   /* 0D: [9]  pop              C1 handler [0D, 10) */
        0xDE, 0x00,             /* 0E: [10] leave.s -> 10 */
        0x2A,                   /* 10: [11] ret */
        0x00, 0x00, 0x00,       /* padding: 29 -> 32 */
        0x01, 0x1C, 0x00, 0x00, /* small EH section, 28 bytes */
        0x00, 0x00,             /* C0: catch */
        0x00, 0x00, 0x03,       /*     try 0, length 3 */
        0x03, 0x00, 0x03,       /*     handler 3, length 3 */
        0x01, 0x00, 0x00, 0x01, /*     class token 0x01000001 */
        0x01, 0x00,             /* C1: filter */
        0x06, 0x00, 0x03,       /*     try 6, length 3 */
        0x0D, 0x00, 0x03,       /*     handler 0D, length 3 */
        0x09, 0x00, 0x00, 0x00, /*     filter at 9 */
    };
    nrp_il_method *m = DECODE(body, SIG_VOID);
    nrp_il_wrap_spec spec = {.with_catch = 1, .catch_type = 0x01000010, .with_finally = 1};
    nrp_il_returns r;
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_edit_wrap(m, &spec, &r, &err), NRP_OK);
    assert_int_equal(m->count, 25);
    assert_int_equal(m->clause_count, 5);
    assert_clause_idx(m, 0, NRP_EH_CATCH, 0, 2, 2, 4, -1, 0x01000001);
    assert_clause_idx(m, 1, NRP_EH_FILTER, 4, 6, 9, 11, 6, 0);
    assert_clause_idx(m, 2, NRP_EH_FILTER, 0, 12, 16, 18, 12, 0);
    assert_clause_idx(m, 3, NRP_EH_FAULT, 0, 18, 18, 23, -1, 0);
    assert_clause_idx(m, 4, NRP_EH_FINALLY, 0, 23, 23, 24, -1, 0);
    static const uint8_t want[] = {
        0x0B, 0x30,                   /* fat | MoreSects; 3 dwords */
        0x01, 0x00,                   /* max stack 1 */
        0x26, 0x00, 0x00, 0x00,       /* code size 38 */
        0x99, 0x00, 0x00, 0x11,       /* locals 0x11000099: the exception */
        0x00,                         /* 00: nop              C0 try; ours from here */
        0xDE, 0x0D,                   /* 01: leave.s -> 10 */
        0x26,                         /* 03: pop              C0 catch */
        0xDE, 0x0A,                   /* 04: leave.s -> 10 */
        0x00,                         /* 06: nop              C1 try */
        0xDE, 0x07,                   /* 07: leave.s -> 10 */
        0x26,                         /* 09: pop              C1 filter */
        0x17,                         /* 0A: ldc.i4.1 */
        0xFE, 0x11,                   /* 0B: endfilter */
        0x26,                         /* 0D: pop              C1 handler */
        0xDE, 0x00,                   /* 0E: leave.s -> 10 */
        0xDE, 0x13,                   /* 10: leave.s +19 -> 25 (was ret) */
        0x75, 0x10, 0x00, 0x00, 0x01, /* 12: isinst 0x01000010  our filter [12, 1B) */
        0x0A,                         /* 17: stloc.0 */
        0x16,                         /* 18: ldc.i4.0 */
        0xFE, 0x11,                   /* 19: endfilter */
        0x26,                         /* 1B: pop              its handler [1B, 1E) */
        0xFE, 0x1A,                   /* 1C: rethrow */
        0x06,                         /* 1E: ldloc.0          our fault [1E, 24) */
        0x2C, 0x02,                   /* 1F: brfalse.s +2 -> 23 */
        0x06,                         /* 21: ldloc.0 */
        0x26,                         /* 22: pop */
        0xDC,                         /* 23: endfinally */
        0xDC,                         /* 24: endfinally       our finally [24, 25) */
        0x2A,                         /* 25: ret              epilogue */
        0x00, 0x00,                   /* padding: 50 -> 52 */
        0x01, 0x40, 0x00, 0x00,       /* small EH section, 64 bytes */
        0x00, 0x00, 0x00, 0x00, 0x03, 0x03, 0x00, 0x03, 0x01, 0x00, 0x00, 0x01, /* C0 as it was */
        0x01, 0x00, 0x06, 0x00, 0x03, 0x0D, 0x00, 0x03, 0x09, 0x00, 0x00, 0x00, /* C1 as it was */
        0x01, 0x00, 0x00, 0x00, 0x12, 0x1B, 0x00, 0x03, 0x12, 0x00, 0x00, 0x00, /* filter: try 0+18, 27+3, at 18 */
        0x04, 0x00, 0x00, 0x00, 0x1E, 0x1E, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, /* fault: try 0+30, 30+6 */
        0x02, 0x00, 0x00, 0x00, 0x24, 0x24, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, /* finally: try 0+36, 36+1 */
    };
    expect_encoded(m, want, sizeof want);
    assert_max_stack(m, 1);
    nrp_il_method_free(m);
}

/* (c') the body's own handler runs to the end of the code (a loop around
 * try/catch, as C# compiles `while (true) try { ... } catch { }`). */
static void test_wrap_body_handler_at_end(void **state)
{
    (void)state;
    /* Regression: the catch handler's end is "the end of the code" (NULL);
     * wrap once appended our finally and the epilogue inside it
     * (overlapping handlers). Appending now pins such ends. */
    static const uint8_t body[] = {
        0x0B, 0x30,             /* fat | MoreSects; 3 dwords */
        0x01, 0x00,             /* max stack 1 */
        0x06, 0x00, 0x00, 0x00, /* code size 6 */
        0x00, 0x00, 0x00, 0x00, /* no locals */
        0x00,                   /* 00: nop              try [0, 3) */
        0xDE, 0xFD,             /* 01: leave.s -3 -> 00 */
        0x26,                   /* 03: pop              catch [3, 6): to the end */
        0xDE, 0xFA,             /* 04: leave.s -6 -> 00 */
        0x00, 0x00,             /* padding: 18 -> 20 */
        0x01, 0x10, 0x00, 0x00, /* small EH section, 16 bytes */
        0x00, 0x00, 0x00, 0x00, 0x03, 0x03, 0x00, 0x03, 0x01, 0x00, 0x00, 0x01, /* catch: 0+3, 3+3 */
    };
    nrp_il_method *m = DECODE(body, SIG_VOID);
    nrp_il_wrap_spec spec = {.with_finally = 1};
    nrp_il_returns r;
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_edit_wrap(m, &spec, &r, &err), NRP_OK);
    static const uint8_t want[] = {
        0x0B, 0x30,             /* fat | MoreSects; 3 dwords */
        0x01, 0x00,             /* max stack 1 */
        0x08, 0x00, 0x00, 0x00, /* code size 8 */
        0x00, 0x00, 0x00, 0x00, /* no locals */
        0x00,                   /* 00: nop              try [0, 3); our try [0, 6) */
        0xDE, 0xFD,             /* 01: leave.s -> 00 */
        0x26,                   /* 03: pop              catch [3, 6) */
        0xDE, 0xFA,             /* 04: leave.s -> 00 */
        0xDC,                   /* 06: endfinally       our finally [6, 7) */
        0x2A,                   /* 07: ret              epilogue (unreachable) */
        /* 20 bytes: aligned */
        0x01, 0x1C, 0x00, 0x00, /* small EH section, 28 bytes */
        0x00, 0x00, 0x00, 0x00, 0x03, 0x03, 0x00, 0x03, 0x01, 0x00, 0x00, 0x01, /* catch: 0+3, 3+3 */
        0x02, 0x00, 0x00, 0x00, 0x06, 0x06, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, /* finally: 0+6, 6+1 */
    };
    expect_encoded(m, want, sizeof want);
    nrp_il_method_free(m);
}

/* (d) a value method that only throws: no ret to redirect */
static void test_wrap_throw_only(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x0A, /* tiny, code size 2 */
        0x14, /* 00: ldnull */
        0x7A, /* 01: throw */
    };
    nrp_il_method *m = DECODE(body, SIG_I4_I4);
    nrp_il_wrap_spec spec = {.with_finally = 1};
    nrp_il_returns r;
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_edit_wrap(m, &spec, &r, &err), NRP_OK);
    assert_int_equal(r.value_local, 0);
    static const want_instr w[] = {{NRP_OP_LDNULL, 0, -1},
                                   {NRP_OP_THROW, 0, -1},
                                   {NRP_OP_ENDFINALLY, 0, -1},
                                   {NRP_OP_LDLOC_0, 0, -1},
                                   {NRP_OP_RET, 0, -1}};
    assert_instrs(m, w, 5);
    static const uint8_t want[] = {
        0x0B, 0x30,             /* fat | MoreSects; 3 dwords */
        0x08, 0x00,             /* max stack 8 */
        0x05, 0x00, 0x00, 0x00, /* code size 5 */
        0x99, 0x00, 0x00, 0x11, /* locals 0x11000099 */
        0x14,                   /* 00: ldnull           try [0, 2) */
        0x7A,                   /* 01: throw */
        0xDC,                   /* 02: endfinally       finally [2, 3) */
        0x06,                   /* 03: ldloc.0          epilogue (unreachable) */
        0x2A,                   /* 04: ret */
        0x00, 0x00, 0x00,       /* padding: 17 -> 20 */
        0x01, 0x10, 0x00, 0x00, /* small EH section, 16 bytes */
        0x02, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, /* finally: 0+2, 2+1 */
    };
    expect_encoded(m, want, sizeof want);
    assert_max_stack(m, 1);
    assert_int_equal(nth(m, 3)->depth, -1); /* the epilogue is never reached */
    nrp_il_method_free(m);
}

/* (e) a switch over several rets, catch only */
static void test_wrap_switch_rets(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x52,                         /* tiny, code size 20 */
        0x02,                         /* 00: [0] ldarg.0 */
        0x45, 0x02, 0x00, 0x00, 0x00, /* 01: [1] switch (2 targets), ends at 0x0E */
        0x02, 0x00, 0x00, 0x00,       /*         +2 -> 0x10 */
        0x04, 0x00, 0x00, 0x00,       /*         +4 -> 0x12 */
        0x15,                         /* 0E: [2] ldc.i4.m1 */
        0x2A,                         /* 0F: [3] ret */
        0x16,                         /* 10: [4] ldc.i4.0 */
        0x2A,                         /* 11: [5] ret */
        0x17,                         /* 12: [6] ldc.i4.1 */
        0x2A,                         /* 13: [7] ret */
    };
    nrp_il_method *m = DECODE(body, SIG_I4_I4);
    nrp_il_wrap_spec spec = {.with_catch = 1, .catch_type = 0x01000011};
    nrp_il_returns r;
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_edit_wrap(m, &spec, &r, &err), NRP_OK);
    assert_int_equal(idx_of(m, nth(m, 1)->targets[0]), 5);
    assert_int_equal(idx_of(m, nth(m, 1)->targets[1]), 8);
    assert_int_equal(m->clause_count, 2);
    assert_clause_idx(m, 0, NRP_EH_FILTER, 0, 11, 15, 17, 11, 0);
    assert_clause_idx(m, 1, NRP_EH_FAULT, 0, 17, 17, 22, -1, 0);
    static const uint8_t want[] = {
        0x0B, 0x30,                   /* fat | MoreSects; 3 dwords */
        0x08, 0x00,                   /* max stack 8 */
        0x2E, 0x00, 0x00, 0x00,       /* code size 46 */
        0x99, 0x00, 0x00, 0x11,       /* locals 0x11000099 */
        0x02,                         /* 00: ldarg.0          try [0, 1A) / [0, 26) */
        0x45, 0x02, 0x00, 0x00, 0x00, /* 01: switch (2 targets), ends at 0x0E */
        0x04, 0x00, 0x00, 0x00,       /*     +4 -> 0x12 */
        0x08, 0x00, 0x00, 0x00,       /*     +8 -> 0x16 */
        0x15,                         /* 0E: ldc.i4.m1 */
        0x0B,                         /* 0F: stloc.1 */
        0xDE, 0x1A,                   /* 10: leave.s +26 -> 2C */
        0x16,                         /* 12: ldc.i4.0 */
        0x0B,                         /* 13: stloc.1 */
        0xDE, 0x16,                   /* 14: leave.s +22 -> 2C */
        0x17,                         /* 16: ldc.i4.1 */
        0x0B,                         /* 17: stloc.1 */
        0xDE, 0x12,                   /* 18: leave.s +18 -> 2C */
        0x75, 0x11, 0x00, 0x00, 0x01, /* 1A: isinst 0x01000011  filter [1A, 23) */
        0x0A,                         /* 1F: stloc.0 */
        0x16,                         /* 20: ldc.i4.0 */
        0xFE, 0x11,                   /* 21: endfilter */
        0x26,                         /* 23: pop              its handler [23, 26) */
        0xFE, 0x1A,                   /* 24: rethrow */
        0x06,                         /* 26: ldloc.0          fault [26, 2C) */
        0x2C, 0x02,                   /* 27: brfalse.s +2 -> 2B */
        0x06,                         /* 29: ldloc.0 */
        0x26,                         /* 2A: pop */
        0xDC,                         /* 2B: endfinally */
        0x07,                         /* 2C: ldloc.1          epilogue */
        0x2A,                         /* 2D: ret */
        0x00, 0x00,                   /* padding: 58 -> 60 */
        0x01, 0x1C, 0x00, 0x00,       /* small EH section, 28 bytes */
        0x01, 0x00, 0x00, 0x00, 0x1A, 0x23, 0x00, 0x03, 0x1A, 0x00, 0x00, 0x00, /* filter: 0+26, 35+3, at 26 */
        0x04, 0x00, 0x00, 0x00, 0x26, 0x26, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, /* fault: 0+38, 38+6 */
    };
    expect_encoded(m, want, sizeof want);
    assert_max_stack(m, 1);
    nrp_il_method_free(m);
}

/* (f) jmp: refused, the method untouched */
static void test_wrap_refuses_jmp(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x1A,                         /* tiny, code size 6 */
        0x00,                         /* 00: nop */
        0x27, 0x03, 0x00, 0x00, 0x06, /* 01: jmp 0x06000003 */
    };
    nrp_il_method *m = DECODE(body, SIG_I4_I4);
    nrp_il_wrap_spec spec = {.with_catch = 1, .catch_type = 0x01000011, .with_finally = 1};
    nrp_il_returns r;
    nrp_err err = {{0}};
    expect_err(nrp_il_edit_wrap(m, &spec, &r, &err), &err, "IL_0001: a method using jmp cannot be wrapped");
    assert_int_equal(m->count, 2);
    assert_int_equal(m->clause_count, 0);
    assert_false(m->locals_changed);
    expect_encoded(m, body, sizeof body);
    assert_int_equal(g_env.sig_token_calls, 0);
    nrp_il_method_free(m);
}

/* (g) entry IL with a branch of its own (written long: re-encoded short) */
static void test_wrap_entry_branch(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x0A, /* tiny, code size 2 */
        0x00, /* 00: nop */
        0x2A, /* 01: ret */
    };
    static const uint8_t entry[] = {
        0x7E, 0x01, 0x00, 0x00, 0x04, /* 00: ldsfld 0x04000001 */
        0x39, 0x06, 0x00, 0x00, 0x00, /* 05: brfalse +6 -> 10 */
        0x16,                         /* 0A: ldc.i4.0 */
        0x28, 0x01, 0x00, 0x00, 0x0A, /* 0B: call 0x0A000001 */
        0x00,                         /* 10: nop (the branch target) */
    };
    nrp_il_method *m = DECODE(body, SIG_VOID);
    nrp_il_instr *old_first = m->first;
    nrp_il_wrap_spec spec = {.entry_il = entry, .entry_len = sizeof entry, .with_finally = 1};
    nrp_il_returns r;
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_edit_wrap(m, &spec, &r, &err), NRP_OK);
    assert_ptr_equal(m->clauses[0].try_start, old_first);
    assert_int_equal(idx_of(m, nth(m, 1)->target), 4);
    static const uint8_t want[] = {
        0x0B, 0x30,                   /* fat | MoreSects; 3 dwords */
        0x08, 0x00,                   /* max stack 8 */
        0x13, 0x00, 0x00, 0x00,       /* code size 19 */
        0x00, 0x00, 0x00, 0x00,       /* no locals */
        0x7E, 0x01, 0x00, 0x00, 0x04, /* 00: ldsfld 0x04000001 */
        0x2C, 0x06,                   /* 05: brfalse.s +6 -> 0D */
        0x16,                         /* 07: ldc.i4.0 */
        0x28, 0x01, 0x00, 0x00, 0x0A, /* 08: call 0x0A000001 */
        0x00,                         /* 0D: nop */
        0x00,                         /* 0E: nop              try [0E, 11) */
        0xDE, 0x01,                   /* 0F: leave.s +1 -> 12 (was ret) */
        0xDC,                         /* 11: endfinally       finally [11, 12) */
        0x2A,                         /* 12: ret              epilogue */
        0x00,                         /* padding: 31 -> 32 */
        0x01, 0x10, 0x00, 0x00,       /* small EH section, 16 bytes */
        0x02, 0x00, 0x0E, 0x00, 0x03, 0x11, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, /* finally: 14+3, 17+1 */
    };
    expect_encoded(m, want, sizeof want);
    assert_max_stack(m, 1);
    nrp_il_method_free(m);
}

/* (i) localloc in the body: it stays in the try block (allowed; only
 * handlers may not use it) */
static void test_wrap_localloc(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x1A,       /* tiny, code size 6 */
        0x1F, 0x10, /* 00: ldc.i4.s 16 */
        0xFE, 0x0F, /* 02: localloc */
        0x26,       /* 04: pop */
        0x2A,       /* 05: ret */
    };
    nrp_il_method *m = DECODE(body, SIG_VOID);
    nrp_il_wrap_spec spec = {.with_finally = 1, .finally_il = PROBE, .finally_len = sizeof PROBE};
    nrp_il_returns r;
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_edit_wrap(m, &spec, &r, &err), NRP_OK);
    static const uint8_t want[] = {
        0x0B, 0x30,                   /* fat | MoreSects; 3 dwords */
        0x08, 0x00,                   /* max stack 8 */
        0x0F, 0x00, 0x00, 0x00,       /* code size 15 */
        0x00, 0x00, 0x00, 0x00,       /* no locals */
        0x1F, 0x10,                   /* 00: ldc.i4.s 16      try [0, 7) */
        0xFE, 0x0F,                   /* 02: localloc */
        0x26,                         /* 04: pop */
        0xDE, 0x07,                   /* 05: leave.s +7 -> 0E */
        0x17,                         /* 07: ldc.i4.1         finally [7, 0E) */
        0x28, 0x01, 0x00, 0x00, 0x0A, /* 08: call 0x0A000001 */
        0xDC,                         /* 0D: endfinally */
        0x2A,                         /* 0E: ret */
        0x00,                         /* padding: 27 -> 28 */
        0x01, 0x10, 0x00, 0x00,       /* small EH section, 16 bytes */
        0x02, 0x00, 0x00, 0x00, 0x07, 0x07, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, /* finally: 0+7, 7+7 */
    };
    expect_encoded(m, want, sizeof want);
    assert_max_stack(m, 1);
    assert_int_equal(nth(m, 1)->depth, 1);
    nrp_il_method_free(m);
}

/* A tail call inside the try would be invalid: the prefix is dropped. */
static void test_wrap_drops_tail(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x2A,                         /* tiny, code size 10 */
        0x02,                         /* 00: ldarg.0 */
        0x02,                         /* 01: ldarg.0 */
        0xFE, 0x14,                   /* 02: tail. */
        0x28, 0x03, 0x00, 0x00, 0x06, /* 04: call int32(int32,int32) */
        0x2A,                         /* 09: ret */
    };
    nrp_il_method *m = DECODE(body, SIG_I4_I4);
    nrp_il_wrap_spec spec = {.with_finally = 1};
    nrp_il_returns r;
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_edit_wrap(m, &spec, &r, &err), NRP_OK);
    static const uint8_t want[] = {
        0x0B, 0x30,                   /* fat | MoreSects; 3 dwords */
        0x08, 0x00,                   /* max stack 8 */
        0x0D, 0x00, 0x00, 0x00,       /* code size 13 */
        0x99, 0x00, 0x00, 0x11,       /* locals 0x11000099 */
        0x02,                         /* 00: ldarg.0          try [0, 0A) */
        0x02,                         /* 01: ldarg.0 */
        0x28, 0x03, 0x00, 0x00, 0x06, /* 02: call (no tail.) */
        0x0A,                         /* 07: stloc.0 */
        0xDE, 0x01,                   /* 08: leave.s +1 -> 0B */
        0xDC,                         /* 0A: endfinally       finally [0A, 0B) */
        0x06,                         /* 0B: ldloc.0 */
        0x2A,                         /* 0C: ret */
        0x00, 0x00, 0x00,             /* padding: 25 -> 28 */
        0x01, 0x10, 0x00, 0x00,       /* small EH section, 16 bytes */
        0x02, 0x00, 0x00, 0x00, 0x0A, 0x0A, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, /* finally: 0+10, 10+1 */
    };
    expect_encoded(m, want, sizeof want);
    assert_max_stack(m, 2);
    nrp_il_method_free(m);
}

/* Neither catch nor finally: entry code and br to the epilogue, no clause. */
static void test_wrap_entry_only(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x16,       /* tiny, code size 5 */
        0x16,       /* 00: ldc.i4.0 */
        0x2D, 0x01, /* 01: brtrue.s +1 -> 04 */
        0x2A,       /* 03: ret */
        0x2A,       /* 04: ret */
    };
    nrp_il_method *m = DECODE(body, SIG_VOID);
    nrp_il_wrap_spec spec = {.entry_il = PROBE, .entry_len = sizeof PROBE};
    nrp_il_returns r;
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_edit_wrap(m, &spec, &r, &err), NRP_OK);
    assert_int_equal(m->clause_count, 0);
    static const uint8_t want[] = {
        0x3A,                         /* tiny, code size 14 */
        0x17,                         /* 00: ldc.i4.1 */
        0x28, 0x01, 0x00, 0x00, 0x0A, /* 01: call 0x0A000001 */
        0x16,                         /* 06: ldc.i4.0 */
        0x2D, 0x02,                   /* 07: brtrue.s +2 -> 0B */
        0x2B, 0x02,                   /* 09: br.s +2 -> 0D (was ret) */
        0x2B, 0x00,                   /* 0B: br.s +0 -> 0D (was ret) */
        0x2A,                         /* 0D: ret */
    };
    expect_encoded(m, want, sizeof want);
    nrp_il_method_free(m);
}

/* A catch snippet that fails to decode is refused before anything changes. */
static void test_wrap_bad_handler_snippet(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x0A, /* tiny, code size 2 */
        0x02, /* 00: ldarg.0 */
        0x2A, /* 01: ret */
    };
    static const uint8_t bad[] = {
        0x25, /* 00: dup */
        0xA6, /* 01: (no such opcode) */
    };
    nrp_il_method *m = DECODE(body, SIG_I4_I4);
    nrp_il_wrap_spec spec = {.with_catch = 1, .catch_type = 0x01000011, .catch_il = bad, .catch_len = sizeof bad};
    nrp_il_returns r;
    nrp_err err = {{0}};
    expect_err(nrp_il_edit_wrap(m, &spec, &r, &err), &err, "unknown opcode 0xa6 at IL_0001");
    spec = (nrp_il_wrap_spec){.with_finally = 1, .finally_il = bad, .finally_len = sizeof bad};
    expect_err(nrp_il_edit_wrap(m, &spec, &r, &err), &err, "unknown opcode 0xa6 at IL_0001");
    assert_int_equal(m->count, 2);
    assert_int_equal(m->clause_count, 0);
    assert_false(m->locals_changed);
    expect_encoded(m, body, sizeof body);
    nrp_il_method_free(m);
}

/* Two strategies may wrap the same method: the first wrap's epilogue is
 * the second's body end; its clause stays inner. */
static void test_wrap_twice(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x0A, /* tiny, code size 2 */
        0x02, /* 00: ldarg.0 */
        0x2A, /* 01: ret */
    };
    nrp_il_method *m = DECODE(body, SIG_I4_I4);
    nrp_il_wrap_spec spec = {.with_finally = 1};
    nrp_il_returns r1, r2;
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_edit_wrap(m, &spec, &r1, &err), NRP_OK);
    assert_int_equal(nrp_il_edit_wrap(m, &spec, &r2, &err), NRP_OK);
    assert_int_equal(r1.value_local, 0);
    assert_int_equal(r2.value_local, 1);
    static const want_instr w[] = {
        {NRP_OP_LDARG_0, 0, -1},    /* [0] both trys */
        {NRP_OP_STLOC_0, 0, -1},    /* [1] */
        {NRP_OP_LEAVE, 0, 4},       /* [2] */
        {NRP_OP_ENDFINALLY, 0, -1}, /* [3] first finally */
        {NRP_OP_LDLOC_0, 0, -1},    /* [4] first epilogue, still in the second try */
        {NRP_OP_STLOC_1, 0, -1},    /* [5] its ret */
        {NRP_OP_LEAVE, 0, 8},       /* [6] */
        {NRP_OP_ENDFINALLY, 0, -1}, /* [7] second finally */
        {NRP_OP_LDLOC_1, 0, -1},    /* [8] second epilogue */
        {NRP_OP_RET, 0, -1},        /* [9] */
    };
    assert_instrs(m, w, 10);
    static const uint8_t want[] = {
        0x0B, 0x30,             /* fat | MoreSects; 3 dwords */
        0x08, 0x00,             /* max stack 8 */
        0x0C, 0x00, 0x00, 0x00, /* code size 12 */
        0x99, 0x00, 0x00, 0x11, /* locals 0x11000099 */
        0x02,                   /* 00: ldarg.0          try [0, 4), outer try [0, 9) */
        0x0A,                   /* 01: stloc.0 */
        0xDE, 0x01,             /* 02: leave.s +1 -> 05 */
        0xDC,                   /* 04: endfinally       finally [4, 5) */
        0x06,                   /* 05: ldloc.0 */
        0x0B,                   /* 06: stloc.1 */
        0xDE, 0x01,             /* 07: leave.s +1 -> 0A */
        0xDC,                   /* 09: endfinally       outer finally [9, 0A) */
        0x07,                   /* 0A: ldloc.1 */
        0x2A,                   /* 0B: ret */
        /* 24 bytes: aligned */
        0x01, 0x1C, 0x00, 0x00, /* small EH section, 28 bytes */
        0x02, 0x00, 0x00, 0x00, 0x04, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, /* inner: 0+4, 4+1 */
        0x02, 0x00, 0x00, 0x00, 0x09, 0x09, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, /* outer: 0+9, 9+1 */
    };
    expect_encoded(m, want, sizeof want);
    static const uint8_t blob[] = {0x07, 0x02, 0x08, 0x08}; /* two int32 locals */
    assert_int_equal(g_env.sig_token_calls, 1);
    assert_int_equal(g_env.blob_len, sizeof blob);
    assert_memory_equal(g_env.blob, blob, sizeof blob);
    assert_max_stack(m, 1);
    nrp_il_method_free(m);
}

/* An entry snippet that fails to decode is refused with its reason. (It is
 * decoded last, after the returns were redirected and the clauses added, so
 * the method is left half-wrapped; callers discard it on error.) */
static void test_wrap_bad_entry_snippet(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x0A, /* tiny, code size 2 */
        0x02, /* 00: ldarg.0 */
        0x2A, /* 01: ret */
    };
    static const uint8_t bad[] = {
        0x00,             /* 00: nop */
        0x20, 0x01, 0x02, /* 01: ldc.i4 with 2 of its 4 bytes */
    };
    nrp_il_method *m = DECODE(body, SIG_I4_I4);
    nrp_il_wrap_spec spec = {.entry_il = bad, .entry_len = sizeof bad, .with_finally = 1};
    nrp_il_returns r;
    nrp_err err = {{0}};
    expect_err(nrp_il_edit_wrap(m, &spec, &r, &err), &err, "ldc.i4 at IL_0001: operand runs past the end");
    nrp_il_method_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_entry_tiny, reset_env),
        cmocka_unit_test_setup(test_entry_backward_branch_keeps_target, reset_env),
        cmocka_unit_test_setup(test_entry_try_at_first_instruction, reset_env),
        cmocka_unit_test_setup(test_entry_tiny_to_fat, reset_env),
        cmocka_unit_test_setup(test_insert_widens_short_branch, reset_env),
        cmocka_unit_test_setup(test_entry_does_not_widen_loop, reset_env),
        cmocka_unit_test_setup(test_entry_rejects_bad_snippets, reset_env),
        cmocka_unit_test_setup(test_entry_branch_to_snippet_end, reset_env),
        cmocka_unit_test_setup(test_add_local_creates_signature, reset_env),
        cmocka_unit_test_setup(test_add_local_extends_signature, reset_env),
        cmocka_unit_test_setup(test_add_local_count_grows_to_two_bytes, reset_env),
        cmocka_unit_test_setup(test_add_local_rejections, reset_env),
        cmocka_unit_test_setup(test_replace_in_place, reset_env),
        cmocka_unit_test_setup(test_replace_refusals, reset_env),
        cmocka_unit_test_setup(test_replace_switch_and_clause_boundary, reset_env),
        cmocka_unit_test_setup(test_redirect_void, reset_env),
        cmocka_unit_test_setup(test_redirect_value, reset_env),
        cmocka_unit_test_setup(test_redirect_value_local_index_forms, reset_env),
        cmocka_unit_test_setup(test_redirect_modreq_return, reset_env),
        cmocka_unit_test_setup(test_redirect_drops_tail, reset_env),
        cmocka_unit_test_setup(test_redirect_needs_signature, reset_env),
        cmocka_unit_test_setup(test_redirect_keeps_handler_end, reset_env),
        cmocka_unit_test_setup(test_wrap_finally_void, reset_env),
        cmocka_unit_test_setup(test_wrap_catch_finally_value, reset_env),
        cmocka_unit_test_setup(test_wrap_guarded_with_exit, reset_env),
        cmocka_unit_test_setup(test_wrap_guarded_bad_snippet, reset_env),
        cmocka_unit_test_setup(test_wrap_body_with_clauses, reset_env),
        cmocka_unit_test_setup(test_wrap_body_handler_at_end, reset_env),
        cmocka_unit_test_setup(test_wrap_throw_only, reset_env),
        cmocka_unit_test_setup(test_wrap_switch_rets, reset_env),
        cmocka_unit_test_setup(test_wrap_refuses_jmp, reset_env),
        cmocka_unit_test_setup(test_wrap_entry_branch, reset_env),
        cmocka_unit_test_setup(test_wrap_localloc, reset_env),
        cmocka_unit_test_setup(test_wrap_drops_tail, reset_env),
        cmocka_unit_test_setup(test_wrap_entry_only, reset_env),
        cmocka_unit_test_setup(test_wrap_bad_handler_snippet, reset_env),
        cmocka_unit_test_setup(test_wrap_bad_entry_snippet, reset_env),
        cmocka_unit_test_setup(test_wrap_twice, reset_env),
    };
    return cmocka_run_group_tests_name("il_edit", tests, init_blobs, NULL);
}
