/*
 * test_il_method.c - the instruction-list view of a method body: decoding
 * (il_method.c), layout and encoding, and the max-stack analysis
 * (il_stack.c).
 *
 * Every method body below is written out byte by byte with a comment per
 * instruction, so a reader can check it against ECMA-335 without running
 * anything. Long runs of `nop` padding are the one exception: they are
 * filled with memset and say so.
 */
#include "il_test_support.h"
#include "test_rng.h"

#include "il/opcode_info.h"

/* ------------------------------------------------------------------------ */
/* helpers                                                                   */
/* ------------------------------------------------------------------------ */

/* Decode must fail with a reason containing `want`, and hand back nothing. */
static void expect_decode_error(const uint8_t *body, size_t size, const char *want)
{
    nrp_il_env env = make_env();
    nrp_il_method *m = (nrp_il_method *)&g_env; /* garbage: decode must reset it */
    nrp_err err = {{0}};
    expect_err(nrp_il_method_decode(body, size, SIG_VOID, sizeof SIG_VOID, &env, &m, &err), &err, want);
    assert_null(m);
}

/* ------------------------------------------------------------------------ */
/* decoding every opcode of the table                                        */
/* ------------------------------------------------------------------------ */

#define ALL_ROW_(id, nm, val, operand, pops, pushes, flow) {NRP_OP_##id, NRP_OPERAND_##operand, nm},
static const struct op_row {
    uint16_t op;
    uint8_t operand;
    const char *name;
} ALL_OPS[] = {NRP_IL_OPCODES(ALL_ROW_)};
#undef ALL_ROW_
#define N_OPS ((uint32_t)(sizeof ALL_OPS / sizeof ALL_OPS[0]))

/* The operand bits written for each kind; chosen so that sign handling
 * shows (ldc.i4.s is signed, unaligned. / no. / ldarg.s are not, ldc.i4 is
 * a signed 32-bit value, float bits are kept as raw unsigned bits). */
static uint64_t sample_bits(const struct op_row *r)
{
    switch (r->operand) {
    case NRP_OPERAND_SHORT_VAR: return 0xC8;
    case NRP_OPERAND_VAR: return 0xBEEF;
    case NRP_OPERAND_SHORT_I: return r->op == NRP_OP_LDC_I4_S ? 0x9C : 0x84;
    case NRP_OPERAND_I: return 0x80000001u;
    case NRP_OPERAND_I8: return 0xF123456789ABCDEFull;
    case NRP_OPERAND_SHORT_R: return 0xBF800000u; /* -1.0f */
    case NRP_OPERAND_R: return 0xC00921FB54442D18ull; /* -pi */
    case NRP_OPERAND_METHOD: return 0x0A000001u;
    case NRP_OPERAND_FIELD: return 0x04000002u;
    case NRP_OPERAND_TYPE: return 0x02000003u;
    case NRP_OPERAND_TOK: return 0x01000004u;
    case NRP_OPERAND_STRING: return 0x70000005u;
    case NRP_OPERAND_SIG: return 0x11000006u;
    default: return 0;
    }
}

static int64_t sample_value(const struct op_row *r)
{
    switch (r->operand) {
    case NRP_OPERAND_SHORT_I: return r->op == NRP_OP_LDC_I4_S ? -100 : 0x84;
    case NRP_OPERAND_I: return -2147483647;
    case NRP_OPERAND_I8:
    case NRP_OPERAND_R: return (int64_t)sample_bits(r);
    default: return (int64_t)sample_bits(r);
    }
}

static uint32_t row_size(const struct op_row *r)
{
    uint32_t op = r->op >= 0x100 ? 2 : 1;
    if (r->operand == NRP_OPERAND_SWITCH)
        return op + 4 + 2 * 4;
    return op + nrp_il_operand_size(r->operand);
}

/*
 * One body holding every opcode of NRP_IL_OPCODES once, in table order:
 *
 *   [0]          ret                      (the method is static void())
 *   [1..N]       each opcode with a sample operand:
 *                  short branches  -> the next instruction (displacement 0)
 *                  long branches   -> the final ret, > 127 bytes away
 *                  switch (2)      -> the next instruction and the final ret
 *   [N+1..N+130] nop padding (keeps every long branch out of short range)
 *   [N+131]      ret
 *
 * The body is not stack-valid as a whole (add on an empty stack...). The
 * leading `ret` makes everything after it unreachable, so the max-stack
 * analysis (which only walks reachable code) sees just that `ret` and
 * nrp_il_method_encode can run; the test then also checks nrp_il_layout on
 * its own (offsets and branch forms as decoded) so nothing depends on it.
 */
enum { ALL_PAD = 130 };

static void test_decode_every_opcode(void **state)
{
    (void)state;
    const uint32_t n_instr = 1 + N_OPS + ALL_PAD + 1, last = n_instr - 1;
    uint32_t *off = calloc(n_instr + 1, sizeof *off);
    want_instr *want = calloc(n_instr, sizeof *want);
    assert_non_null(off);
    assert_non_null(want);

    /* pass 1: offsets */
    off[0] = 0;
    off[1] = 1;
    for (uint32_t k = 1; k <= N_OPS; k++)
        off[k + 1] = off[k] + row_size(&ALL_OPS[k - 1]);
    for (uint32_t k = N_OPS + 1; k < n_instr; k++)
        off[k + 1] = off[k] + 1;
    const uint32_t code_size = off[n_instr];
    const uint32_t final_off = off[last];

    /* pass 2: bytes */
    uint8_t *code = calloc(code_size, 1);
    assert_non_null(code);
    code[0] = 0x2A; /* ret */
    want[0] = (want_instr){NRP_OP_RET, 0, -1};
    for (uint32_t k = 1; k <= N_OPS; k++) {
        const struct op_row *r = &ALL_OPS[k - 1];
        uint8_t *p = code + off[k];
        uint32_t end = off[k + 1];
        if (r->op >= 0x100)
            *p++ = 0xFE;
        *p++ = (uint8_t)r->op;
        want[k] = (want_instr){r->op, sample_value(r), -1};
        switch (r->operand) {
        case NRP_OPERAND_SHORT_BR:
            *p = 0x00; /* -> the next instruction */
            want[k] = (want_instr){nrp_il_long_branch(r->op), 0, (int)k + 1};
            break;
        case NRP_OPERAND_BR:
            put32(p, final_off - end);
            want[k] = (want_instr){r->op, 0, (int)last};
            break;
        case NRP_OPERAND_SWITCH:
            put32(p, 2);                      /* 2 targets */
            put32(p + 4, 0);                  /* -> the next instruction */
            put32(p + 8, final_off - end);    /* -> the final ret */
            want[k] = (want_instr){r->op, 2, -1};
            break;
        default: {
            uint64_t bits = sample_bits(r);
            for (uint32_t b = 0; b < nrp_il_operand_size(r->operand); b++)
                p[b] = (uint8_t)(bits >> (8 * b));
            break;
        }
        }
    }
    memset(code + off[N_OPS + 1], 0x00, ALL_PAD); /* nop padding */
    for (uint32_t k = N_OPS + 1; k < last; k++)
        want[k] = (want_instr){NRP_OP_NOP, 0, -1};
    code[final_off] = 0x2A; /* ret */
    want[last] = (want_instr){NRP_OP_RET, 0, -1};

    /* fat header: max stack 8, no locals */
    uint8_t *body = malloc(12 + code_size);
    assert_non_null(body);
    size_t body_size = fat_body(body, 0, 8, 0, code, code_size);

    nrp_il_method *m = decode_ok(body, body_size, SIG_VOID, sizeof SIG_VOID);
    assert_instrs(m, want, n_instr);
    /* offsets as decoded, short_form as in the bytes; switch targets */
    uint32_t k = 0;
    for (nrp_il_instr *i = m->first; i; i = i->next, k++) {
        assert_int_equal(i->offset, off[k]);
        int is_short = k >= 1 && k <= N_OPS && ALL_OPS[k - 1].operand == NRP_OPERAND_SHORT_BR;
        assert_int_equal(!!i->short_form, is_short);
        if (i->op == NRP_OP_SWITCH) {
            assert_int_equal(i->target_count, 2);
            assert_int_equal(idx_of(m, i->targets[0]), (int)k + 1);
            assert_int_equal(idx_of(m, i->targets[1]), (int)last);
        } else {
            assert_int_equal(i->target_count, 0);
        }
    }

    /* layout alone: the same offsets, the same branch forms */
    assert_int_equal(nrp_il_layout(m), code_size);
    k = 0;
    for (nrp_il_instr *i = m->first; i; i = i->next, k++) {
        assert_int_equal(i->offset, off[k]);
        int is_short = k >= 1 && k <= N_OPS && ALL_OPS[k - 1].operand == NRP_OPERAND_SHORT_BR;
        if (!!i->short_form != is_short)
            fail_msg("instruction %u (%s): layout picked the %s form", k,
                     k >= 1 && k <= N_OPS ? ALL_OPS[k - 1].name : "?", i->short_form ? "short" : "long");
    }

    /* encode: the very same bytes, header included */
    expect_encoded_bytes(m, body, body_size);

    /* decode(encode(x)) == x */
    size_t n;
    uint8_t *enc = encode_ok(m, &n);
    nrp_il_method *m2 = decode_ok(enc, n, SIG_VOID, sizeof SIG_VOID);
    assert_same_method(m, m2);

    nrp_il_method_free(m2);
    nrp_il_method_free(m);
    free(enc);
    free(body);
    free(code);
    free(want);
    free(off);
}

/* The opcode lookups agree with the table in both directions. */
static void test_opcode_table_lookups(void **state)
{
    (void)state;
    int seen[0x200] = {0};
    for (uint32_t k = 0; k < N_OPS; k++) {
        const nrp_il_opinfo *info = nrp_il_opinfo_of(ALL_OPS[k].op);
        assert_non_null(info);
        assert_int_equal(info->value, ALL_OPS[k].op);
        assert_string_equal(info->name, ALL_OPS[k].name);
        seen[ALL_OPS[k].op < 0x100 ? ALL_OPS[k].op : 0x100 + (ALL_OPS[k].op & 0xFF)] = 1;
    }
    /* every other slot is unknown */
    for (uint32_t v = 0; v < 0x200; v++) {
        uint16_t op = (uint16_t)(v < 0x100 ? v : 0xFE00 | (v & 0xFF));
        if (!seen[v])
            assert_null(nrp_il_opinfo_of(op));
    }
    assert_null(nrp_il_opinfo_of(0xFF01));
    assert_int_equal(N_OPS, 219);
}

/* ------------------------------------------------------------------------ */
/* prefixes                                                                  */
/* ------------------------------------------------------------------------ */

/* static int32(int32): each prefix decodes as its own instruction. */
static const uint8_t PREFIX_BODY[] = {
    0xD2,                               /* tiny, code size 52 (52 << 2 | 2) */
    0x02,                               /* 00: ldarg.0 */
    0xFE, 0x13,                         /* 01: volatile. */
    0xFE, 0x12, 0x04,                   /* 03: unaligned. 4 */
    0x4A,                               /* 06: ldind.i4 */
    0x26,                               /* 07: pop */
    0x0F, 0x00,                         /* 08: ldarga.s 0 */
    0xFE, 0x16, 0x05, 0x00, 0x00, 0x02, /* 0A: constrained. 0x02000005 */
    0x6F, 0x02, 0x00, 0x00, 0x0A,       /* 10: callvirt 0x0A000002 (instance int32()) */
    0x26,                               /* 15: pop */
    0x14,                               /* 16: ldnull */
    0x16,                               /* 17: ldc.i4.0 */
    0xFE, 0x1E,                         /* 18: readonly. */
    0x8F, 0x05, 0x00, 0x00, 0x02,       /* 1A: ldelema 0x02000005 */
    0x26,                               /* 1F: pop */
    0x14,                               /* 20: ldnull */
    0xFE, 0x19, 0x01,                   /* 21: no. 1 (typecheck) */
    0x74, 0x05, 0x00, 0x00, 0x02,       /* 24: castclass 0x02000005 */
    0x26,                               /* 29: pop */
    0x02,                               /* 2A: ldarg.0 */
    0x02,                               /* 2B: ldarg.0 */
    0xFE, 0x14,                         /* 2C: tail. */
    0x28, 0x03, 0x00, 0x00, 0x06,       /* 2E: call 0x06000003 (static int32(int32,int32)) */
    0x2A,                               /* 33: ret */
};

static void test_decode_prefixes(void **state)
{
    (void)state;
    nrp_il_method *m = DECODE(PREFIX_BODY, SIG_I4_I4);
    static const want_instr want[] = {
        {NRP_OP_LDARG_0, 0, -1},       {NRP_OP_VOLATILE, 0, -1},         {NRP_OP_UNALIGNED, 4, -1},
        {NRP_OP_LDIND_I4, 0, -1},      {NRP_OP_POP, 0, -1},              {NRP_OP_LDARGA_S, 0, -1},
        {NRP_OP_CONSTRAINED, 0x02000005, -1}, {NRP_OP_CALLVIRT, 0x0A000002, -1}, {NRP_OP_POP, 0, -1},
        {NRP_OP_LDNULL, 0, -1},        {NRP_OP_LDC_I4_0, 0, -1},         {NRP_OP_READONLY, 0, -1},
        {NRP_OP_LDELEMA, 0x02000005, -1}, {NRP_OP_POP, 0, -1},           {NRP_OP_LDNULL, 0, -1},
        {NRP_OP_NO, 1, -1},            {NRP_OP_CASTCLASS, 0x02000005, -1}, {NRP_OP_POP, 0, -1},
        {NRP_OP_LDARG_0, 0, -1},       {NRP_OP_LDARG_0, 0, -1},          {NRP_OP_TAIL, 0, -1},
        {NRP_OP_CALL, 0x06000003, -1}, {NRP_OP_RET, 0, -1},
    };
    assert_instrs(m, want, sizeof want / sizeof want[0]);
    static const uint32_t offsets[] = {0x00, 0x01, 0x03, 0x06, 0x07, 0x08, 0x0A, 0x10, 0x15, 0x16, 0x17, 0x18,
                                       0x1A, 0x1F, 0x20, 0x21, 0x24, 0x29, 0x2A, 0x2B, 0x2C, 0x2E, 0x33};
    uint32_t k = 0;
    for (nrp_il_instr *i = m->first; i; i = i->next, k++)
        assert_int_equal(i->offset, offsets[k]);

    /* Prefixes pass the depth on to the instruction they modify. */
    uint32_t max = 99;
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_max_stack(m, &max, &err), NRP_OK);
    assert_int_equal(max, 2);
    static const int32_t depths[] = {0, 1, 1, 1, 1, 0, 1, 1, 1, 0, 1, 2, 2, 1, 0, 1, 1, 1, 0, 1, 2, 2, 1};
    k = 0;
    for (nrp_il_instr *i = m->first; i; i = i->next, k++)
        if (i->depth != depths[k])
            fail_msg("instruction %u: depth %d, expected %d", k, i->depth, depths[k]);

    /* nothing to change: the same tiny body */
    expect_encoded_bytes(m, PREFIX_BODY, sizeof PREFIX_BODY);
    nrp_il_method_free(m);
}

/* ------------------------------------------------------------------------ */
/* branch forms                                                              */
/* ------------------------------------------------------------------------ */

static void test_branch_short_kept(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x16,       /* tiny, code size 5 */
        0x16,       /* 00: ldc.i4.0 */
        0x2D, 0x01, /* 01: brtrue.s +1 -> 04 */
        0x00,       /* 03: nop */
        0x2A,       /* 04: ret */
    };
    nrp_il_method *m = DECODE(body, SIG_VOID);
    static const want_instr want[] = {
        {NRP_OP_LDC_I4_0, 0, -1}, {NRP_OP_BRTRUE, 0, 3}, {NRP_OP_NOP, 0, -1}, {NRP_OP_RET, 0, -1}};
    assert_instrs(m, want, 4);
    assert_true(nth(m, 1)->short_form);
    expect_encoded_bytes(m, body, sizeof body);
    nrp_il_method_free(m);
}

/* A long branch whose target is near is re-encoded short. */
static void test_branch_long_input_shortened(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x1A,                         /* tiny, code size 6 */
        0x38, 0x00, 0x00, 0x00, 0x00, /* 00: br +0 -> 05 */
        0x2A,                         /* 05: ret */
    };
    static const uint8_t want[] = {
        0x0E,       /* tiny, code size 3 */
        0x2B, 0x00, /* 00: br.s +0 -> 02 */
        0x2A,       /* 02: ret */
    };
    nrp_il_method *m = DECODE(body, SIG_VOID);
    assert_false(nth(m, 0)->short_form);
    assert_int_equal(nth(m, 0)->op, NRP_OP_BR);
    expect_encoded_bytes(m, want, sizeof want);
    assert_true(nth(m, 0)->short_form);
    nrp_il_method_free(m);
}

/* `br` (long) at 0, `gap` nops, ret: the branch jumps over the nops. */
static size_t forward_body(uint8_t *out, uint32_t gap)
{
    uint8_t code[300];
    code[0] = 0x38;               /* 00: br +gap -> ret */
    put32(code + 1, gap);
    memset(code + 5, 0x00, gap);  /* 05: gap x nop */
    code[5 + gap] = 0x2A;         /* ret */
    return fat_body(out, 0, 8, 0, code, 6 + gap);
}

static void test_branch_forward_edges(void **state)
{
    (void)state;
    uint8_t in[400], want[400];
    uint8_t code[300];

    /* 127 bytes away: the short form reaches exactly. */
    size_t n = forward_body(in, 127);
    nrp_il_method *m = decode_ok(in, n, SIG_VOID, sizeof SIG_VOID);
    code[0] = 0x2B;                /* 00: br.s +127 */
    code[1] = 0x7F;
    memset(code + 2, 0x00, 127);   /* 02: 127 x nop */
    code[129] = 0x2A;              /* 81: ret */
    size_t wn = fat_body(want, 0, 8, 0, code, 130);
    expect_encoded_bytes(m, want, wn);
    assert_true(nth(m, 0)->short_form);
    assert_int_equal(nth(m, 128)->offset, 129);
    nrp_il_method_free(m);

    /* 128 bytes away: long, unchanged. */
    n = forward_body(in, 128);
    m = decode_ok(in, n, SIG_VOID, sizeof SIG_VOID);
    expect_encoded_bytes(m, in, n);
    assert_false(nth(m, 0)->short_form);
    nrp_il_method_free(m);
}

/* `gap` nops, then a long `br` back to the first nop. */
static size_t backward_body(uint8_t *out, uint32_t gap)
{
    uint8_t code[300];
    memset(code, 0x00, gap);                       /* 00: gap x nop */
    code[gap] = 0x38;                              /* br -> 00 */
    put32(code + gap + 1, (uint32_t)-(int32_t)(gap + 5));
    return fat_body(out, 0, 8, 0, code, gap + 5);
}

static void test_branch_backward_edges(void **state)
{
    (void)state;
    uint8_t in[400], want[400];
    uint8_t code[300];

    /* 126 nops: br.s at 126 ends at 128, displacement -128 reaches 0. */
    size_t n = backward_body(in, 126);
    nrp_il_method *m = decode_ok(in, n, SIG_VOID, sizeof SIG_VOID);
    assert_int_equal(idx_of(m, nth(m, 126)->target), 0);
    memset(code, 0x00, 126);       /* 00: 126 x nop */
    code[126] = 0x2B;              /* 7E: br.s -128 -> 00 */
    code[127] = 0x80;
    size_t wn = fat_body(want, 0, 8, 0, code, 128);
    expect_encoded_bytes(m, want, wn);
    nrp_il_method_free(m);

    /* 127 nops: -129 does not fit, so long: 0 - (127 + 5) = -132. */
    n = backward_body(in, 127);
    m = decode_ok(in, n, SIG_VOID, sizeof SIG_VOID);
    memset(code, 0x00, 127);       /* 00: 127 x nop */
    code[127] = 0x38;              /* 7F: br -132 -> 00 */
    code[128] = 0x7C;
    code[129] = 0xFF;
    code[130] = 0xFF;
    code[131] = 0xFF;
    wn = fat_body(want, 0, 8, 0, code, 132);
    expect_encoded_bytes(m, want, wn);
    assert_int_equal(wn, n); /* the input had the same long branch */
    nrp_il_method_free(m);
}

/* Inserting code between a short branch and its target widens it; the
 * other branches keep their targets and forms. */
static const uint8_t WIDEN_BODY[] = {
    0x2E,       /* tiny, code size 11 */
    0x17,       /* 00: [0] ldc.i4.1 */
    0x2D, 0x03, /* 01: [1] brtrue.s +3 -> 06 [4] */
    0x00,       /* 03: [2] nop           <- 130 nops are inserted before this one */
    0x2B, 0x01, /* 04: [3] br.s +1 -> 07 [5] */
    0x00,       /* 06: [4] nop */
    0x16,       /* 07: [5] ldc.i4.0 */
    0x2D, 0xF6, /* 08: [6] brtrue.s -10 -> 00 [0] */
    0x2A,       /* 0A: [7] ret */
};

static void test_branch_widens_after_insert(void **state)
{
    (void)state;
    nrp_il_method *m = DECODE(WIDEN_BODY, SIG_VOID);
    static const want_instr before[] = {{NRP_OP_LDC_I4_1, 0, -1}, {NRP_OP_BRTRUE, 0, 4}, {NRP_OP_NOP, 0, -1},
                                        {NRP_OP_BR, 0, 5},        {NRP_OP_NOP, 0, -1},    {NRP_OP_LDC_I4_0, 0, -1},
                                        {NRP_OP_BRTRUE, 0, 0},    {NRP_OP_RET, 0, -1}};
    assert_instrs(m, before, 8);

    nrp_il_instr *pos = nth(m, 2);
    for (int k = 0; k < 130; k++)
        nrp_il_insert_before(m, pos, nrp_il_new(m, NRP_OP_NOP, 0));
    assert_int_equal(m->count, 138);

    /* [1] brtrue now spans 133 bytes and [6] brtrue goes back 146: both
     * long; [3] br.s still jumps over one nop. */
    uint8_t code[147], want[160];
    code[0] = 0x17;                                      /* 000: ldc.i4.1 */
    code[1] = 0x3A;                                      /* 001: brtrue +133 -> 139 */
    put32(code + 2, 133);
    memset(code + 6, 0x00, 130);                         /* 006: 130 x nop (inserted) */
    code[136] = 0x00;                                    /* 136: nop */
    code[137] = 0x2B;                                    /* 137: br.s +1 -> 140 */
    code[138] = 0x01;
    code[139] = 0x00;                                    /* 139: nop */
    code[140] = 0x16;                                    /* 140: ldc.i4.0 */
    code[141] = 0x3A;                                    /* 141: brtrue -146 -> 0 */
    put32(code + 142, (uint32_t)-146);
    code[146] = 0x2A;                                    /* 146: ret */
    size_t wn = fat_body(want, 0, 8, 0, code, sizeof code);
    expect_encoded_bytes(m, want, wn);

    /* re-decode: the targets by index are where they were */
    size_t n;
    uint8_t *enc = encode_ok(m, &n);
    nrp_il_method *m2 = decode_ok(enc, n, SIG_VOID, sizeof SIG_VOID);
    assert_int_equal(m2->count, 138);
    assert_int_equal(idx_of(m2, nth(m2, 1)->target), 134);
    assert_int_equal(idx_of(m2, nth(m2, 133)->target), 135);
    assert_int_equal(idx_of(m2, nth(m2, 136)->target), 0);
    assert_false(nth(m2, 1)->short_form);
    assert_true(nth(m2, 133)->short_form);
    assert_false(nth(m2, 136)->short_form);
    assert_same_method(m, m2);
    free(enc);
    nrp_il_method_free(m2);
    nrp_il_method_free(m);
}

/* ------------------------------------------------------------------------ */
/* switch                                                                    */
/* ------------------------------------------------------------------------ */

/* static int32(int32) */
static const uint8_t SWITCH_BODY[] = {
    0x62,                         /* tiny, code size 24 */
    0x02,                         /* 00: [0] ldarg.0 */
    0x45, 0x03, 0x00, 0x00, 0x00, /* 01: [1] switch (3 targets), ends at 0x12 */
    0x02, 0x00, 0x00, 0x00,       /*         +2  -> 0x14 [4] */
    0x04, 0x00, 0x00, 0x00,       /*         +4  -> 0x16 [6] */
    0xEE, 0xFF, 0xFF, 0xFF,       /*         -18 -> 0x00 [0] */
    0x15,                         /* 12: [2] ldc.i4.m1 (default) */
    0x2A,                         /* 13: [3] ret */
    0x16,                         /* 14: [4] ldc.i4.0 */
    0x2A,                         /* 15: [5] ret */
    0x17,                         /* 16: [6] ldc.i4.1 */
    0x2A,                         /* 17: [7] ret */
};

static void test_switch_targets_and_encoding(void **state)
{
    (void)state;
    nrp_il_method *m = DECODE(SWITCH_BODY, SIG_I4_I4);
    nrp_il_instr *sw = nth(m, 1);
    assert_int_equal(sw->op, NRP_OP_SWITCH);
    assert_int_equal(sw->value, 3);
    assert_int_equal(sw->target_count, 3);
    assert_int_equal(idx_of(m, sw->targets[0]), 4);
    assert_int_equal(idx_of(m, sw->targets[1]), 6);
    assert_int_equal(idx_of(m, sw->targets[2]), 0);
    assert_null(sw->target);
    expect_encoded_bytes(m, SWITCH_BODY, sizeof SWITCH_BODY);

    uint32_t max;
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_max_stack(m, &max, &err), NRP_OK);
    assert_int_equal(max, 1);
    assert_int_equal(nth(m, 4)->depth, 0);
    assert_int_equal(nth(m, 6)->depth, 0);

    /* A nop before the default case and one before case 0: the
     * displacements count from the end of the switch (0x12). */
    nrp_il_insert_before(m, nth(m, 2), nrp_il_new(m, NRP_OP_NOP, 0));
    nrp_il_insert_before(m, nth(m, 5), nrp_il_new(m, NRP_OP_NOP, 0));
    static const uint8_t want[] = {
        0x6A,                         /* tiny, code size 26 */
        0x02,                         /* 00: ldarg.0 */
        0x45, 0x03, 0x00, 0x00, 0x00, /* 01: switch (3 targets), ends at 0x12 */
        0x04, 0x00, 0x00, 0x00,       /*     +4  -> 0x16 */
        0x06, 0x00, 0x00, 0x00,       /*     +6  -> 0x18 */
        0xEE, 0xFF, 0xFF, 0xFF,       /*     -18 -> 0x00 */
        0x00,                         /* 12: nop (inserted) */
        0x15,                         /* 13: ldc.i4.m1 */
        0x2A,                         /* 14: ret */
        0x00,                         /* 15: nop (inserted; not a target) */
        0x16,                         /* 16: ldc.i4.0 */
        0x2A,                         /* 17: ret */
        0x17,                         /* 18: ldc.i4.1 */
        0x2A,                         /* 19: ret */
    };
    expect_encoded_bytes(m, want, sizeof want);
    nrp_il_method *m2 = DECODE(want, SIG_I4_I4);
    assert_same_method(m, m2);
    nrp_il_method_free(m2);
    nrp_il_method_free(m);
}

/* A switch with no targets is just a pop that falls through. */
static void test_switch_empty(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x1E,                         /* tiny, code size 7 */
        0x16,                         /* 00: ldc.i4.0 */
        0x45, 0x00, 0x00, 0x00, 0x00, /* 01: switch (0 targets) */
        0x2A,                         /* 06: ret */
    };
    nrp_il_method *m = DECODE(body, SIG_VOID);
    assert_int_equal(nth(m, 1)->target_count, 0);
    assert_int_equal(nth(m, 1)->value, 0);
    expect_encoded_bytes(m, body, sizeof body);
    nrp_il_method_free(m);
}

/* ------------------------------------------------------------------------ */
/* rejections                                                                */
/* ------------------------------------------------------------------------ */

static void test_reject_unknown_opcodes(void **state)
{
    (void)state;
    static const uint8_t one_byte[] = {
        0x0A,       /* tiny, code size 2 */
        0x24,       /* 00: (no opcode 0x24) */
        0x2A,       /* 01: ret */
    };
    expect_decode_error(one_byte, sizeof one_byte, "unknown opcode 0x24 at IL_0000");
    static const uint8_t two_byte[] = {
        0x0E,       /* tiny, code size 3 */
        0x00,       /* 00: nop */
        0xFE, 0x08, /* 01: (no opcode 0xFE 0x08) */
    };
    expect_decode_error(two_byte, sizeof two_byte, "unknown opcode 0xfe08 at IL_0001");
    static const uint8_t cut[] = {
        0x0A,       /* tiny, code size 2 */
        0x00,       /* 00: nop */
        0xFE,       /* 01: first byte of a two-byte opcode, then nothing */
    };
    expect_decode_error(cut, sizeof cut, "two-byte opcode cut off at IL_0001");
    static const uint8_t a6[] = {
        0x06,       /* tiny, code size 1 */
        0xA6,       /* 00: (0xA6..0xB2 are unused) */
    };
    expect_decode_error(a6, sizeof a6, "unknown opcode 0xa6");
    static const uint8_t trailing_prefix[] = {
        0x0E,       /* tiny, code size 3 */
        0x2A,       /* 00: ret */
        0xFE, 0x13, /* 01: volatile. with nothing after it */
    };
    expect_decode_error(trailing_prefix, sizeof trailing_prefix,
                        "IL_0001: prefix volatile. has no instruction to apply to");
}

static void test_reject_truncated_operands(void **state)
{
    (void)state;
    static const uint8_t ldc[] = {
        0x0E,             /* tiny, code size 3 */
        0x20, 0x01, 0x02, /* 00: ldc.i4 with 2 of its 4 bytes */
    };
    expect_decode_error(ldc, sizeof ldc, "ldc.i4 at IL_0000: operand runs past the end");
    static const uint8_t br_s[] = {
        0x06, /* tiny, code size 1 */
        0x2B, /* 00: br.s without its byte */
    };
    expect_decode_error(br_s, sizeof br_s, "br.s at IL_0000: operand runs past the end");
    static const uint8_t ldarg[] = {
        0x0E,             /* tiny, code size 3 */
        0xFE, 0x09, 0x01, /* 00: ldarg with 1 of its 2 bytes */
    };
    expect_decode_error(ldarg, sizeof ldarg, "ldarg at IL_0000: operand runs past the end");
    static const uint8_t i8[] = {
        0x22,                                     /* tiny, code size 8 */
        0x21, 1, 2, 3, 4, 5, 6, 7,                /* 00: ldc.i8 with 7 of its 8 bytes */
    };
    expect_decode_error(i8, sizeof i8, "ldc.i8 at IL_0000: operand runs past the end");
    static const uint8_t sw[] = {
        0x0E,             /* tiny, code size 3 */
        0x45, 0x01, 0x00, /* 00: switch with half a count */
    };
    expect_decode_error(sw, sizeof sw, "switch at IL_0000: operand runs past the end");
}

static void test_reject_bad_branch_targets(void **state)
{
    (void)state;
    static const uint8_t middle[] = {
        0x1E,                         /* tiny, code size 7 */
        0x20, 0x00, 0x00, 0x00, 0x00, /* 00: ldc.i4 0 */
        0x2B, 0xFC,                   /* 05: br.s -4 -> 03, inside the ldc.i4 */
    };
    expect_decode_error(middle, sizeof middle, "br at IL_0005 branches to IL_0003, not the start of an instruction");
    static const uint8_t past_end[] = {
        0x0E,       /* tiny, code size 3 */
        0x2B, 0x01, /* 00: br.s +1 -> 03, the end of the code */
        0x2A,       /* 02: ret */
    };
    expect_decode_error(past_end, sizeof past_end, "branches to IL_0003");
    static const uint8_t far_past_end[] = {
        0x1A,                         /* tiny, code size 6 */
        0x3A, 0x00, 0x00, 0x00, 0x40, /* 00: brtrue +0x40000000 */
        0x2A,                         /* 05: ret */
    };
    expect_decode_error(far_past_end, sizeof far_past_end, "brtrue at IL_0000 branches to IL_40000005");
    static const uint8_t before_start[] = {
        0x0E,       /* tiny, code size 3 */
        0xDE, 0xFD, /* 00: leave.s -3 -> -1 */
        0x2A,       /* 02: ret */
    };
    expect_decode_error(before_start, sizeof before_start, "leave at IL_0000 branches to offset -1, before the code");
    static const uint8_t into_prefixed[] = {
        0x1A,                         /* tiny, code size 6 */
        0x2B, 0x02,                   /* 00: br.s +2 -> 04, the ldnull after volatile. */
        0xFE, 0x13,                   /* 02: volatile. */
        0x14,                         /* 04: ldnull */
        0x2A,                         /* 05: ret */
    };
    expect_decode_error(into_prefixed, sizeof into_prefixed,
                        "br at IL_0000 branches to IL_0004, between a prefix and its instruction");
}

static void test_reject_bad_switches(void **state)
{
    (void)state;
    static const uint8_t too_many[] = {
        0x26,                         /* tiny, code size 9 */
        0x45, 0x03, 0x00, 0x00, 0x00, /* 00: switch (3 targets)... */
        0x00, 0x00, 0x00, 0x00,       /*     ...but room for one */
    };
    expect_decode_error(too_many, sizeof too_many, "switch at IL_0000: 3 targets run past the end of the code");
    static const uint8_t huge[] = {
        0x1E,                         /* tiny, code size 7 */
        0x45, 0xFF, 0xFF, 0xFF, 0xFF, /* 00: switch (4294967295 targets) */
        0x00, 0x2A,                   /* 05: two bytes */
    };
    expect_decode_error(huge, sizeof huge, "4294967295 targets run past the end");
    static const uint8_t into_middle[] = {
        0x3E,                         /* tiny, code size 15 */
        0x16,                         /* 00: ldc.i4.0 */
        0x45, 0x01, 0x00, 0x00, 0x00, /* 01: switch (1 target), ends at 0x0A */
        0x01, 0x00, 0x00, 0x00,       /*     +1 -> 0x0B, inside the ldc.i4 */
        0x20, 0x00, 0x00, 0x00, 0x00, /* 0A: ldc.i4 0 */
    };
    expect_decode_error(into_middle, sizeof into_middle, "switch at IL_0001: target 0 is not the start");
}

/* A try/catch whose clause fields the tests below spoil one at a time. */
static const uint8_t EH_BODY[] = {
    0x0B, 0x30,                   /* fat | MoreSects; 3 dwords */
    0x01, 0x00,                   /* max stack 1 */
    0x0C, 0x00, 0x00, 0x00,       /* code size 12 */
    0x00, 0x00, 0x00, 0x00,       /* no locals */
    0x20, 0x01, 0x00, 0x00, 0x00, /* 00: ldc.i4 1           try [0, 8) */
    0x26,                         /* 05: pop */
    0xDE, 0x03,                   /* 06: leave.s +3 -> 0B */
    0x26,                         /* 08: pop               catch [8, 0B) */
    0xDE, 0x00,                   /* 09: leave.s +0 -> 0B */
    0x2A,                         /* 0B: ret */
    /* 24 bytes: aligned */
    0x01, 0x10, 0x00, 0x00,       /* small EH section, 16 bytes */
    0x00, 0x00,                   /* [28] flags: catch */
    0x00, 0x00,                   /* [30] try offset 0 */
    0x08,                         /* [32] try length 8 */
    0x08, 0x00,                   /* [33] handler offset 8 */
    0x03,                         /* [35] handler length 3 */
    0x01, 0x00, 0x00, 0x01,       /* [36] class token 0x01000001 */
};

static void test_decode_eh_clause(void **state)
{
    (void)state;
    nrp_il_method *m = DECODE(EH_BODY, SIG_VOID);
    assert_int_equal(m->count, 6);
    assert_int_equal(m->clause_count, 1);
    assert_clause_idx(m, 0, NRP_EH_CATCH, 0, 3, 3, 5, -1, 0x01000001);
    expect_encoded_bytes(m, EH_BODY, sizeof EH_BODY);
    nrp_il_method_free(m);
}

static void expect_eh_error(size_t at, uint8_t value, const char *want)
{
    uint8_t body[sizeof EH_BODY];
    memcpy(body, EH_BODY, sizeof body);
    body[at] = value;
    expect_decode_error(body, sizeof body, want);
}

static void test_reject_eh_boundaries(void **state)
{
    (void)state;
    /* try from 1: inside ldc.i4 (length 7 keeps the end at 8) */
    uint8_t body[sizeof EH_BODY];
    memcpy(body, EH_BODY, sizeof body);
    body[30] = 0x01;
    body[32] = 0x07;
    expect_decode_error(body, sizeof body, "exception clause 0: try start IL_0001 is not the start of an instruction");
    expect_eh_error(32, 0x07, "exception clause 0: try end IL_0007 is not the start of an instruction");
    memcpy(body, EH_BODY, sizeof body);
    body[33] = 0x0A; /* handler [0A, 0B): 0A is inside leave.s */
    body[35] = 0x01;
    expect_decode_error(body, sizeof body, "exception clause 0: handler start IL_000a is not the start of an instruction");
    expect_eh_error(35, 0x02, "exception clause 0: handler end IL_000a is not the start of an instruction");
    expect_eh_error(32, 0x00, "exception clause 0 has an empty range");
    expect_eh_error(35, 0x00, "exception clause 0 has an empty range");
    /* a filter whose filter start is inside the ldc.i4 */
    memcpy(body, EH_BODY, sizeof body);
    body[28] = 0x01;                       /* flags: filter */
    put32(body + 36, 0x00000002);          /* filter at 2 */
    expect_decode_error(body, sizeof body, "exception clause 0: filter start IL_0002 is not the start of an instruction");
    /* a handler that starts between a prefix and its instruction: the
     * catch block [8, 0B) with a volatile. at 8 and the try ending after it
     * (fuzz_il's filter_split_from_its_prefix, in a catch) */
    static const uint8_t split[] = {
        0x0B, 0x30,                   /* fat | MoreSects; 3 dwords */
        0x01, 0x00,                   /* max stack 1 */
        0x0C, 0x00, 0x00, 0x00,       /* code size 12 */
        0x00, 0x00, 0x00, 0x00,       /* no locals */
        0x20, 0x01, 0x00, 0x00, 0x00, /* 00: ldc.i4 1           try [0, 9) */
        0x26,                         /* 05: pop */
        0xDE, 0x03,                   /* 06: leave.s +3 -> 0B */
        0xFE, 0x13,                   /* 08: volatile. (the catch starts at 0A, inside it) */
        0x26,                         /* 0A: pop               catch [0A, 0B) */
        0x2A,                         /* 0B: ret */
        0x01, 0x10, 0x00, 0x00,       /* small EH section, 16 bytes */
        0x00, 0x00,                   /* flags: catch */
        0x00, 0x00,                   /* try offset 0 */
        0x0A,                         /* try length 10 */
        0x0A, 0x00,                   /* handler offset 0A */
        0x01,                         /* handler length 1 */
        0x01, 0x00, 0x00, 0x01,       /* class token */
    };
    expect_decode_error(split, sizeof split,
                        "exception clause 0: try end IL_000a falls between a prefix and its instruction");
}

/* The handler-start case above fails in the body codec (the range passes
 * the end of the code); this one keeps it inside and hits the method decoder. */
static void test_reject_eh_handler_start_mid_instruction(void **state)
{
    (void)state;
    uint8_t body[sizeof EH_BODY];
    memcpy(body, EH_BODY, sizeof body);
    body[33] = 0x07; /* handler at 7: inside leave.s */
    body[35] = 0x04; /* ... to 0x0B */
    expect_decode_error(body, sizeof body, "exception clause 0: handler start IL_0007 is not the start of an instruction");
}

static void test_reject_header_errors_pass_through(void **state)
{
    (void)state;
    static const uint8_t no_code[] = {0x02}; /* tiny, code size 0 */
    expect_decode_error(no_code, sizeof no_code, "no code");
    static const uint8_t short_tiny[] = {
        0x0E, /* tiny, code size 3 */
        0x00, /* ...with one byte */
    };
    expect_decode_error(short_tiny, sizeof short_tiny, "runs past");
}

/* ------------------------------------------------------------------------ */
/* max stack                                                                 */
/* ------------------------------------------------------------------------ */

static nrp_il_method *stack_ok(const uint8_t *body, size_t size, const uint8_t *sig, size_t sig_len, uint32_t want)
{
    nrp_il_method *m = decode_ok(body, size, sig, sig_len);
    assert_max_stack(m, want);
    return m;
}
#define STACK_OK(body, sig, want) stack_ok(body, sizeof body, sig, sizeof sig, want)

static void stack_error(const uint8_t *body, size_t size, const uint8_t *sig, size_t sig_len, const char *want)
{
    nrp_il_method *m = decode_ok(body, size, sig, sig_len);
    uint32_t max;
    nrp_err err = {{0}};
    expect_err(nrp_il_max_stack(m, &max, &err), &err, want);
    /* encoding refuses the same way */
    uint8_t *out = (uint8_t *)1;
    size_t n = 7;
    err.msg[0] = '\0';
    assert_int_equal(nrp_il_method_encode(m, &out, &n, &err), NRP_ERROR);
    assert_null(out);
    assert_int_equal(n, 0);
    assert_non_null(strstr(err.msg, want));
    nrp_il_method_free(m);
}
#define STACK_ERROR(body, sig, want) stack_error(body, sizeof body, sig, sizeof sig, want)

static void assert_depths(const nrp_il_method *m, const int32_t *depths, uint32_t n)
{
    assert_int_equal(m->count, n);
    uint32_t k = 0;
    for (const nrp_il_instr *i = m->first; i; i = i->next, k++)
        if (i->depth != depths[k])
            fail_msg("instruction %u: depth %d, expected %d", k, i->depth, depths[k]);
}

static void test_stack_straight_line(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x1E, /* tiny, code size 7 */
        0x17, /* 00: ldc.i4.1   0 -> 1 */
        0x18, /* 01: ldc.i4.2   1 -> 2 */
        0x58, /* 02: add        2 -> 1 */
        0x19, /* 03: ldc.i4.3   1 -> 2 */
        0x5A, /* 04: mul        2 -> 1 */
        0x26, /* 05: pop        1 -> 0 */
        0x2A, /* 06: ret */
    };
    nrp_il_method *m = STACK_OK(body, SIG_VOID, 2);
    static const int32_t depths[] = {0, 1, 2, 1, 2, 1, 0};
    assert_depths(m, depths, 7);
    nrp_il_method_free(m);
}

static void test_stack_deep(void **state)
{
    (void)state;
    uint8_t code[81], body[100];
    memset(code, 0x17, 40);      /* 00: 40 x ldc.i4.1 -> depth 40 */
    memset(code + 40, 0x58, 39); /* 28: 39 x add -> depth 1 */
    code[79] = 0x26;             /* 4F: pop */
    code[80] = 0x2A;             /* 50: ret */
    size_t n = fat_body(body, 0, 8, 0, code, sizeof code);
    nrp_il_method *m = stack_ok(body, n, SIG_VOID, sizeof SIG_VOID, 40);
    assert_int_equal(nth(m, 40)->depth, 40);
    assert_int_equal(nth(m, 79)->depth, 1);
    /* the header gets the computed 40, not the declared 8 */
    size_t en;
    uint8_t *enc = encode_ok(m, &en);
    assert_int_equal(en, n);
    assert_int_equal(enc[2], 40);
    assert_int_equal(enc[3], 0);
    assert_memory_equal(enc + 4, body + 4, n - 4);
    free(enc);
    nrp_il_method_free(m);
}

static void test_stack_empty_method(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x06, /* tiny, code size 1 */
        0x2A, /* 00: ret */
    };
    nrp_il_method *m = STACK_OK(body, SIG_VOID, 0);
    assert_int_equal(m->first->depth, 0);
    nrp_il_method_free(m);
}

static void test_stack_ret_value(void **state)
{
    (void)state;
    static const uint8_t ok[] = {
        0x0A, /* tiny, code size 2 */
        0x02, /* 00: ldarg.0 */
        0x2A, /* 01: ret (pops the int32) */
    };
    nrp_il_method *m = STACK_OK(ok, SIG_I4_I4, 1);
    nrp_il_method_free(m);
    static const uint8_t missing[] = {
        0x06, /* tiny, code size 1 */
        0x2A, /* 00: ret with nothing to return */
    };
    STACK_ERROR(missing, SIG_I4_I4, "IL_0000: ret needs 1 stack slot(s), 0 available");
    /* an instance method returning string: ret pops one too */
    static const uint8_t inst[] = {
        0x0A, /* tiny, code size 2 */
        0x03, /* 00: ldarg.1 */
        0x2A, /* 01: ret */
    };
    m = STACK_OK(inst, SIG_STR_OBJ, 1);
    nrp_il_method_free(m);
    STACK_ERROR(missing, SIG_STR_OBJ, "ret needs 1 stack slot(s)");
}

static void test_stack_call_effects(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0xAA,                               /* tiny, code size 42 */
        0x1F, 0x05,                         /* 00: [0]  ldc.i4.s 5                0 -> 1 */
        0x28, 0x01, 0x00, 0x00, 0x0A,       /* 02: [1]  call void(int32)          1 -> 0 */
        0x14,                               /* 07: [2]  ldnull                    0 -> 1 */
        0x6F, 0x02, 0x00, 0x00, 0x0A,       /* 08: [3]  callvirt instance int32() 1 -> 1 (this popped) */
        0x17,                               /* 0D: [4]  ldc.i4.1                  1 -> 2 */
        0x28, 0x03, 0x00, 0x00, 0x06,       /* 0E: [5]  call int32(int32,int32)   2 -> 1 */
        0x17,                               /* 13: [6]  ldc.i4.1                  1 -> 2 */
        0x18,                               /* 14: [7]  ldc.i4.2                  2 -> 3 */
        0x73, 0x08, 0x00, 0x00, 0x0A,       /* 15: [8]  newobj .ctor(int32,int32) 3 -> 2 (no this) */
        0x16,                               /* 1A: [9]  ldc.i4.0                  2 -> 3 */
        0xFE, 0x06, 0x03, 0x00, 0x00, 0x06, /* 1B: [10] ldftn 0x06000003          3 -> 4 */
        0x29, 0x07, 0x00, 0x00, 0x11,       /* 21: [11] calli int32(int32)        4 -> 3 (arg + fn ptr) */
        0x26,                               /* 26: [12] pop                       3 -> 2 */
        0x58,                               /* 27: [13] add                       2 -> 1 */
        0x26,                               /* 28: [14] pop                       1 -> 0 */
        0x2A,                               /* 29: [15] ret */
    };
    nrp_il_method *m = STACK_OK(body, SIG_VOID, 4);
    static const int32_t depths[] = {0, 1, 0, 1, 1, 2, 1, 2, 3, 2, 3, 4, 3, 2, 1, 0};
    assert_depths(m, depths, 16);
    assert_int_equal(g_env.call_info_calls, 5); /* each call site asked once */
    expect_encoded_bytes(m, body, sizeof body);
    nrp_il_method_free(m);

    /* an instance call with nothing for `this` */
    static const uint8_t no_this[] = {
        0x1A,                         /* tiny, code size 6 */
        0x6F, 0x02, 0x00, 0x00, 0x0A, /* 00: callvirt instance int32() on an empty stack */
        0x2A,                         /* 05: ret */
    };
    STACK_ERROR(no_this, SIG_VOID, "IL_0000: callvirt needs 1 stack slot(s), 0 available");
    /* calli counts the function pointer */
    static const uint8_t calli[] = {
        0x1E,                         /* tiny, code size 7 */
        0x17,                         /* 00: ldc.i4.1 (the argument, but no fn ptr) */
        0x29, 0x07, 0x00, 0x00, 0x11, /* 01: calli int32(int32) */
        0x2A,                         /* 06: ret */
    };
    STACK_ERROR(calli, SIG_VOID, "IL_0001: calli needs 2 stack slot(s), 1 available");
}

static void test_stack_dup(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x16, /* tiny, code size 5 */
        0x17, /* 00: ldc.i4.1   0 -> 1 */
        0x25, /* 01: dup        1 -> 2 */
        0x58, /* 02: add        2 -> 1 */
        0x26, /* 03: pop        1 -> 0 */
        0x2A, /* 04: ret */
    };
    nrp_il_method *m = STACK_OK(body, SIG_VOID, 2);
    static const int32_t depths[] = {0, 1, 2, 1, 0};
    assert_depths(m, depths, 5);
    nrp_il_method_free(m);
    static const uint8_t empty_dup[] = {
        0x0A, /* tiny, code size 2 */
        0x25, /* 00: dup on an empty stack */
        0x2A, /* 01: ret */
    };
    STACK_ERROR(empty_dup, SIG_VOID, "IL_0000: dup needs 1 stack slot(s), 0 available");
}

static void test_stack_join_same_depth(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x2A,       /* tiny, code size 10 */
        0x16,       /* 00: [0] ldc.i4.0          0 -> 1 */
        0x2D, 0x03, /* 01: [1] brtrue.s -> 06    1 -> 0 */
        0x17,       /* 03: [2] ldc.i4.1          0 -> 1 */
        0x2B, 0x01, /* 04: [3] br.s -> 07        1 */
        0x18,       /* 06: [4] ldc.i4.2          0 -> 1 */
        0x26,       /* 07: [5] pop (join, 1)     1 -> 0 */
        0x00,       /* 08: [6] nop */
        0x2A,       /* 09: [7] ret */
    };
    nrp_il_method *m = STACK_OK(body, SIG_VOID, 1);
    static const int32_t depths[] = {0, 1, 0, 1, 0, 1, 0, 0};
    assert_depths(m, depths, 8);
    nrp_il_method_free(m);
}

static void test_stack_join_inconsistent(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x16,       /* tiny, code size 5 */
        0x16,       /* 00: ldc.i4.0 */
        0x2D, 0x01, /* 01: brtrue.s -> 04   (arrives with 0) */
        0x17,       /* 03: ldc.i4.1         (falls in with 1) */
        0x2A,       /* 04: ret */
    };
    STACK_ERROR(body, SIG_VOID, "IL_0004: paths meet with stack depths");
    /* a backward branch that comes back one deeper each time round */
    static const uint8_t loop[] = {
        0x0E,       /* tiny, code size 3 */
        0x17,       /* 00: ldc.i4.1 */
        0x2B, 0xFD, /* 01: br.s -3 -> 00 (with 1; entry had 0) */
    };
    STACK_ERROR(loop, SIG_VOID, "IL_0000: paths meet with stack depths 0 and 1");
}

static void test_stack_underflow(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x0E, /* tiny, code size 3 */
        0x17, /* 00: ldc.i4.1 */
        0x58, /* 01: add with one operand */
        0x2A, /* 02: ret */
    };
    STACK_ERROR(body, SIG_VOID, "IL_0001: add needs 2 stack slot(s), 1 available");
    static const uint8_t stelem[] = {
        0x12, /* tiny, code size 4 */
        0x14, /* 00: ldnull */
        0x16, /* 01: ldc.i4.0 */
        0x9A, /* 02: ldelem.ref     2 -> 1 */
        0xA2, /* 03: stelem.ref needs 3 */
    };
    STACK_ERROR(stelem, SIG_VOID, "IL_0003: stelem.ref needs 3 stack slot(s), 1 available");
}

static void test_stack_falls_off_end(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x0A, /* tiny, code size 2 */
        0x17, /* 00: ldc.i4.1 */
        0x26, /* 01: pop, then nothing */
    };
    STACK_ERROR(body, SIG_VOID, "IL_0001: control falls off the end of the code");
    static const uint8_t cond[] = {
        0x0E,       /* tiny, code size 3 */
        0x16,       /* 00: ldc.i4.0 */
        0x2C, 0xFD, /* 01: brfalse.s -3 -> 00; not taken: off the end */
    };
    STACK_ERROR(cond, SIG_VOID, "IL_0001: control falls off the end");
}

static void test_stack_catch_handler_depth(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x0B, 0x30,             /* fat | MoreSects; 3 dwords */
        0x01, 0x00,             /* max stack 1 */
        0x07, 0x00, 0x00, 0x00, /* code size 7 */
        0x00, 0x00, 0x00, 0x00, /* no locals */
        0x00,                   /* 00: [0] nop              try [0, 3) */
        0xDE, 0x03,             /* 01: [1] leave.s -> 06 */
        0x26,                   /* 03: [2] pop (exception)  catch [3, 6) */
        0xDE, 0x00,             /* 04: [3] leave.s -> 06 */
        0x2A,                   /* 06: [4] ret */
        0x00,                   /* padding: 19 -> 20 */
        0x01, 0x10, 0x00, 0x00, /* small EH section, 16 bytes */
        0x00, 0x00, 0x00, 0x00, 0x03, 0x03, 0x00, 0x03, /* catch: try 0+3, handler 3+3 */
        0x01, 0x00, 0x00, 0x01, /* class token 0x01000001 */
    };
    nrp_il_method *m = STACK_OK(body, SIG_VOID, 1);
    static const int32_t depths[] = {0, 0, 1, 0, 0};
    assert_depths(m, depths, 5);
    expect_encoded_bytes(m, body, sizeof body);
    nrp_il_method_free(m);
}

static void test_stack_finally_handler_depth(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x0B, 0x30,             /* fat | MoreSects; 3 dwords */
        0x00, 0x00,             /* max stack 0 */
        0x05, 0x00, 0x00, 0x00, /* code size 5 */
        0x00, 0x00, 0x00, 0x00, /* no locals */
        0x00,                   /* 00: [0] nop              try [0, 3) */
        0xDE, 0x01,             /* 01: [1] leave.s -> 04 */
        0xDC,                   /* 03: [2] endfinally       finally [3, 4) */
        0x2A,                   /* 04: [3] ret */
        0x00, 0x00, 0x00,       /* padding: 17 -> 20 */
        0x01, 0x10, 0x00, 0x00, /* small EH section, 16 bytes */
        0x02, 0x00, 0x00, 0x00, 0x03, 0x03, 0x00, 0x01, /* finally: try 0+3, handler 3+1 */
        0x00, 0x00, 0x00, 0x00, /* no token */
    };
    nrp_il_method *m = STACK_OK(body, SIG_VOID, 0);
    static const int32_t depths[] = {0, 0, 0, 0};
    assert_depths(m, depths, 4);
    expect_encoded_bytes(m, body, sizeof body);
    nrp_il_method_free(m);

    /* a finally that pops: nothing to pop */
    static const uint8_t pops[] = {
        0x0B, 0x30,             /* fat | MoreSects; 3 dwords */
        0x01, 0x00,             /* max stack 1 */
        0x06, 0x00, 0x00, 0x00, /* code size 6 */
        0x00, 0x00, 0x00, 0x00, /* no locals */
        0x00,                   /* 00: nop                  try [0, 3) */
        0xDE, 0x02,             /* 01: leave.s -> 05 */
        0x26,                   /* 03: pop                  finally [3, 5) */
        0xDC,                   /* 04: endfinally */
        0x2A,                   /* 05: ret */
        0x00, 0x00,             /* padding: 18 -> 20 */
        0x01, 0x10, 0x00, 0x00, /* small EH section, 16 bytes */
        0x02, 0x00, 0x00, 0x00, 0x03, 0x03, 0x00, 0x02, /* finally: try 0+3, handler 3+2 */
        0x00, 0x00, 0x00, 0x00, /* no token */
    };
    STACK_ERROR(pops, SIG_VOID, "IL_0003: pop needs 1 stack slot(s), 0 available");
}

/* A fault handler starts empty too. */
static void test_stack_fault_handler_depth(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x0B, 0x30,             /* fat | MoreSects; 3 dwords */
        0x00, 0x00,             /* max stack 0 */
        0x05, 0x00, 0x00, 0x00, /* code size 5 */
        0x00, 0x00, 0x00, 0x00, /* no locals */
        0x00,                   /* 00: nop                  try [0, 3) */
        0xDE, 0x01,             /* 01: leave.s -> 04 */
        0xDC,                   /* 03: endfault (endfinally) fault [3, 4) */
        0x2A,                   /* 04: ret */
        0x00, 0x00, 0x00,       /* padding */
        0x01, 0x10, 0x00, 0x00, /* small EH section, 16 bytes */
        0x04, 0x00, 0x00, 0x00, 0x03, 0x03, 0x00, 0x01, /* fault: try 0+3, handler 3+1 */
        0x00, 0x00, 0x00, 0x00,
    };
    nrp_il_method *m = STACK_OK(body, SIG_VOID, 0);
    assert_int_equal(nth(m, 2)->depth, 0);
    nrp_il_method_free(m);
}

static const uint8_t FILTER_BODY[] = {
    0x0B, 0x30,             /* fat | MoreSects; 3 dwords */
    0x01, 0x00,             /* max stack 1 */
    0x0B, 0x00, 0x00, 0x00, /* code size 11 */
    0x00, 0x00, 0x00, 0x00, /* no locals */
    0x00,                   /* 00: [0] nop              try [0, 3) */
    0xDE, 0x07,             /* 01: [1] leave.s -> 0A */
    0x26,                   /* 03: [2] pop (exception)  filter [3, 7) */
    0x17,                   /* 04: [3] ldc.i4.1 */
    0xFE, 0x11,             /* 05: [4] endfilter */
    0x26,                   /* 07: [5] pop (exception)  handler [7, 0A) */
    0xDE, 0x00,             /* 08: [6] leave.s -> 0A */
    0x2A,                   /* 0A: [7] ret */
    /* 23 bytes */
    0x00,                   /* padding -> 24 */
    0x01, 0x10, 0x00, 0x00, /* small EH section, 16 bytes */
    0x01, 0x00,             /* flags: filter */
    0x00, 0x00, 0x03,       /* try 0, length 3 */
    0x07, 0x00, 0x03,       /* handler 7, length 3 */
    0x03, 0x00, 0x00, 0x00, /* filter at 3 */
};

static void test_stack_filter_depth(void **state)
{
    (void)state;
    nrp_il_method *m = STACK_OK(FILTER_BODY, SIG_VOID, 1);
    static const int32_t depths[] = {0, 0, 1, 0, 1, 1, 0, 0};
    assert_depths(m, depths, 8);
    assert_clause_idx(m, 0, NRP_EH_FILTER, 0, 2, 5, 7, 2, 0);
    expect_encoded_bytes(m, FILTER_BODY, sizeof FILTER_BODY);
    nrp_il_method_free(m);
}

static void test_stack_leave_empties(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x0B, 0x30,             /* fat | MoreSects; 3 dwords */
        0x02, 0x00,             /* max stack 2 */
        0x08, 0x00, 0x00, 0x00, /* code size 8 */
        0x00, 0x00, 0x00, 0x00, /* no locals */
        0x17,                   /* 00: [0] ldc.i4.1         try [0, 4) */
        0x18,                   /* 01: [1] ldc.i4.2 */
        0xDE, 0x03,             /* 02: [2] leave.s -> 07, with 2 on the stack */
        0x26,                   /* 04: [3] pop              catch [4, 7) */
        0xDE, 0x00,             /* 05: [4] leave.s -> 07 */
        0x2A,                   /* 07: [5] ret (void: needs 0 and gets 0) */
        0x01, 0x10, 0x00, 0x00, /* small EH section, 16 bytes (20 bytes before it) */
        0x00, 0x00, 0x00, 0x00, 0x04, 0x04, 0x00, 0x03, /* catch: try 0+4, handler 4+3 */
        0x01, 0x00, 0x00, 0x01, /* class token */
    };
    nrp_il_method *m = STACK_OK(body, SIG_VOID, 2);
    static const int32_t depths[] = {0, 1, 2, 1, 0, 0};
    assert_depths(m, depths, 6);
    nrp_il_method_free(m);
    /* A br with values on the stack keeps them: the ret of an int32 method
     * then has its value. */
    static const uint8_t br[] = {
        0x12,       /* tiny, code size 4 */
        0x17,       /* 00: ldc.i4.1 */
        0x2B, 0x00, /* 02: br.s -> 03 */
        0x2A,       /* 03: ret (1 on the stack) */
    };
    m = STACK_OK(br, SIG_I4_I4, 1);
    assert_int_equal(nth(m, 2)->depth, 1);
    nrp_il_method_free(m);
}

static void test_stack_falls_into_handler(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x0B, 0x30,             /* fat | MoreSects; 3 dwords */
        0x01, 0x00,             /* max stack 1 */
        0x05, 0x00, 0x00, 0x00, /* code size 5 */
        0x00, 0x00, 0x00, 0x00, /* no locals */
        0x00,                   /* 00: nop                  try [0, 1) with no leave */
        0x26,                   /* 01: pop                  catch [1, 4) */
        0xDE, 0x00,             /* 02: leave.s -> 04 */
        0x2A,                   /* 04: ret */
        0x00, 0x00, 0x00,       /* padding */
        0x01, 0x10, 0x00, 0x00, /* small EH section, 16 bytes */
        0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x03, /* catch: try 0+1, handler 1+3 */
        0x01, 0x00, 0x00, 0x01,
    };
    STACK_ERROR(body, SIG_VOID, "IL_0000: control falls through into a handler");
}

static void test_stack_throw_end(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x1A,                         /* tiny, code size 6 */
        0x17,                         /* 00: ldc.i4.1 */
        0x73, 0x08, 0x00, 0x00, 0x0A, /* 01: newobj .ctor(int32,int32) needs 2 */
    };
    STACK_ERROR(body, SIG_VOID, "IL_0001: newobj needs 2 stack slot(s), 1 available");
    static const uint8_t thrower[] = {
        0x22,                         /* tiny, code size 8 */
        0x17,                         /* 00: ldc.i4.1 */
        0x18,                         /* 01: ldc.i4.2 */
        0x73, 0x08, 0x00, 0x00, 0x0A, /* 02: newobj .ctor(int32,int32)   2 -> 1 */
        0x7A,                         /* 07: throw, no ret after it */
    };
    nrp_il_method *m = stack_ok(thrower, sizeof thrower, SIG_I4_I4, sizeof SIG_I4_I4, 2);
    static const int32_t depths[] = {0, 1, 2, 1};
    assert_depths(m, depths, 4);
    nrp_il_method_free(m);
    static const uint8_t empty_throw[] = {
        0x06, /* tiny, code size 1 */
        0x7A, /* 00: throw with nothing */
    };
    STACK_ERROR(empty_throw, SIG_VOID, "IL_0000: throw needs 1 stack slot(s), 0 available");
}

static void test_stack_infinite_loop(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x0A,       /* tiny, code size 2 */
        0x2B, 0xFE, /* 00: br.s -2 -> 00, forever */
    };
    nrp_il_method *m = STACK_OK(body, SIG_I4_I4, 0);
    assert_int_equal(nth(m, 0)->target, nth(m, 0));
    expect_encoded_bytes(m, body, sizeof body);
    nrp_il_method_free(m);
}

static void test_stack_localloc(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x1A,       /* tiny, code size 6 */
        0x1F, 0x10, /* 00: ldc.i4.s 16    0 -> 1 */
        0xFE, 0x0F, /* 02: localloc       1 -> 1 */
        0x26,       /* 04: pop            1 -> 0 */
        0x2A,       /* 05: ret */
    };
    nrp_il_method *m = STACK_OK(body, SIG_VOID, 1);
    static const int32_t depths[] = {0, 1, 1, 0};
    assert_depths(m, depths, 4);
    assert_int_equal(nth(m, 1)->op, NRP_OP_LOCALLOC);
    nrp_il_method_free(m);
}

static void test_stack_unknown_call_token(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x1A,                         /* tiny, code size 6 */
        0x28, 0x04, 0x00, 0x00, 0x2B, /* 00: call 0x2B000004 (unknown) */
        0x2A,                         /* 05: ret */
    };
    STACK_ERROR(body, SIG_VOID, "fake env: no signature for token 0x2b000004");
    /* without a call_info callback: refused, not guessed */
    nrp_il_method *m = DECODE(body, SIG_VOID);
    m->env.call_info = NULL;
    uint32_t max;
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_max_stack(m, &max, &err), NRP_ERROR);
    assert_non_null(strstr(err.msg, "IL_0000: no way to read the signature of a call"));
    nrp_il_method_free(m);
    /* without the method's signature, ret cannot be analysed */
    static const uint8_t ret[] = {0x06, 0x2A}; /* tiny, code size 1: ret */
    nrp_il_env env = make_env();
    err.msg[0] = '\0';
    assert_int_equal(nrp_il_method_decode(ret, sizeof ret, NULL, 0, &env, &m, &err), NRP_OK);
    assert_int_equal(nrp_il_max_stack(m, &max, &err), NRP_ERROR);
    assert_non_null(strstr(err.msg, "signature is needed"));
    nrp_il_method_free(m);
}

/* Unreachable code is not analysed (and so cannot fail the analysis). */
static void test_stack_unreachable_ignored(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x0E, /* tiny, code size 3 */
        0x2A, /* 00: ret */
        0x58, /* 01: add (unreachable) */
        0x58, /* 02: add (unreachable) */
    };
    nrp_il_method *m = STACK_OK(body, SIG_VOID, 0);
    static const int32_t depths[] = {0, -1, -1};
    assert_depths(m, depths, 3);
    nrp_il_method_free(m);
}

/* ------------------------------------------------------------------------ */
/* encoding                                                                  */
/* ------------------------------------------------------------------------ */

static void test_encode_tiny_edge(void **state)
{
    (void)state;
    uint8_t body[70], want[90];
    body[0] = 63 << 2 | 2;          /* tiny, code size 63 */
    memset(body + 1, 0x00, 62);     /* 00: 62 x nop */
    body[63] = 0x2A;                /* 3E: ret */
    nrp_il_method *m = decode_ok(body, 64, SIG_VOID, sizeof SIG_VOID);
    expect_encoded_bytes(m, body, 64);    /* 63 bytes still fit */

    nrp_il_insert_before(m, m->first, nrp_il_new(m, NRP_OP_NOP, 0));
    uint8_t code[64];
    memset(code, 0x00, 63);         /* 00: 63 x nop */
    code[63] = 0x2A;                /* 3F: ret */
    size_t n = fat_body(want, 0, 8, 0, code, 64);
    assert_int_equal(want[0], 0x03); /* fat, no flags */
    assert_int_equal(want[1], 0x30); /* 3 dwords */
    expect_encoded_bytes(m, want, n);
    nrp_il_method_free(m);
}

static void test_encode_tiny_needs_stack_8(void **state)
{
    (void)state;
    /* A tiny method whose code is edited to need 9 slots becomes fat. */
    static const uint8_t body[] = {
        0x06, /* tiny, code size 1 */
        0x2A, /* 00: ret */
    };
    nrp_il_method *m = DECODE(body, SIG_VOID);
    for (int k = 0; k < 9; k++)
        nrp_il_insert_before(m, m->last, nrp_il_new(m, NRP_OP_LDC_I4_1, 0));
    for (int k = 0; k < 8; k++)
        nrp_il_insert_before(m, m->last, nrp_il_new(m, NRP_OP_ADD, 0));
    nrp_il_insert_before(m, m->last, nrp_il_new(m, NRP_OP_POP, 0));
    static const uint8_t want[] = {
        0x03, 0x30,                                     /* fat; 3 dwords */
        0x09, 0x00,                                     /* max stack 9 */
        0x13, 0x00, 0x00, 0x00,                         /* code size 19 */
        0x00, 0x00, 0x00, 0x00,                         /* no locals */
        0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, /* 00: 9 x ldc.i4.1 */
        0x58, 0x58, 0x58, 0x58, 0x58, 0x58, 0x58, 0x58, /* 09: 8 x add */
        0x26,                                           /* 11: pop */
        0x2A,                                           /* 12: ret */
    };
    expect_encoded_bytes(m, want, sizeof want);
    nrp_il_method_free(m);
}

static void test_encode_fat_locals_init_kept(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x13, 0x30,             /* fat | InitLocals; 3 dwords */
        0x02, 0x00,             /* max stack 2 (declared above the computed 1) */
        0x04, 0x00, 0x00, 0x00, /* code size 4 */
        0x05, 0x00, 0x00, 0x11, /* locals 0x11000005 */
        0x16,                   /* 00: ldc.i4.0 */
        0x0A,                   /* 01: stloc.0 */
        0x06,                   /* 02: ldloc.0 */
        0x2A,                   /* 03: ret */
    };
    nrp_il_method *m = DECODE(body, SIG_I4_I4);
    assert_int_equal(m->max_stack, 2);
    assert_true(m->init_locals);
    assert_int_equal(m->local_sig_token, 0x11000005);
    expect_encoded_bytes(m, body, sizeof body);
    assert_int_equal(g_env.sig_token_calls, 0); /* the locals did not change */
    assert_int_equal(g_env.local_sig_calls, 0);
    nrp_il_method_free(m);
}

static void test_encode_max_stack_is_max_of_declared_and_computed(void **state)
{
    (void)state;
    static const uint8_t low[] = {
        0x03, 0x30,             /* fat; 3 dwords */
        0x01, 0x00,             /* max stack 1: too low */
        0x07, 0x00, 0x00, 0x00, /* code size 7 */
        0x00, 0x00, 0x00, 0x00, /* no locals */
        0x17,                   /* 00: ldc.i4.1 */
        0x18,                   /* 01: ldc.i4.2 */
        0x19,                   /* 02: ldc.i4.3 */
        0x58,                   /* 03: add */
        0x58,                   /* 04: add */
        0x26,                   /* 05: pop */
        0x2A,                   /* 06: ret */
    };
    nrp_il_method *m = DECODE(low, SIG_VOID);
    uint8_t want[sizeof low];
    memcpy(want, low, sizeof want);
    want[2] = 3; /* computed */
    expect_encoded_bytes(m, want, sizeof want);
    nrp_il_method_free(m);

    uint8_t high[sizeof low];
    memcpy(high, low, sizeof high);
    high[2] = 5; /* declared 5 > computed 3: kept */
    m = DECODE(high, SIG_VOID);
    expect_encoded_bytes(m, high, sizeof high);
    nrp_il_method_free(m);
}

/* A fat header without locals, clauses or InitLocals and max stack 8
 * becomes tiny; with another declared max stack it stays fat (a tiny
 * header would change it to 8). */
static void test_encode_fat_to_tiny(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x03, 0x30,             /* fat; 3 dwords */
        0x08, 0x00,             /* max stack 8 */
        0x03, 0x00, 0x00, 0x00, /* code size 3 */
        0x00, 0x00, 0x00, 0x00, /* no locals */
        0x17,                   /* 00: ldc.i4.1 */
        0x26,                   /* 01: pop */
        0x2A,                   /* 02: ret */
    };
    static const uint8_t tiny[] = {
        0x0E, /* tiny, code size 3 */
        0x17, /* 00: ldc.i4.1 */
        0x26, /* 01: pop */
        0x2A, /* 02: ret */
    };
    nrp_il_method *m = DECODE(body, SIG_VOID);
    expect_encoded_bytes(m, tiny, sizeof tiny);
    nrp_il_method_free(m);

    uint8_t two[sizeof body];
    memcpy(two, body, sizeof two);
    two[2] = 2;
    m = DECODE(two, SIG_VOID);
    expect_encoded_bytes(m, two, sizeof two);
    nrp_il_method_free(m);
}

/* Clause offsets follow the instructions: inserts before, inside the try
 * and inside the handler. */
static void test_encode_eh_offsets_after_edits(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x1B, 0x30,             /* fat | MoreSects | InitLocals; 3 dwords */
        0x01, 0x00,             /* max stack 1 */
        0x07, 0x00, 0x00, 0x00, /* code size 7 */
        0x00, 0x00, 0x00, 0x00, /* no locals */
        0x00,                   /* 00: [0] nop              try [0, 3) */
        0xDE, 0x03,             /* 01: [1] leave.s -> 06 */
        0x26,                   /* 03: [2] pop              catch [3, 6) */
        0xDE, 0x00,             /* 04: [3] leave.s -> 06 */
        0x2A,                   /* 06: [4] ret */
        0x00,                   /* padding -> 20 */
        0x01, 0x10, 0x00, 0x00, /* small EH section, 16 bytes */
        0x00, 0x00, 0x00, 0x00, 0x03, 0x03, 0x00, 0x03, /* catch: try 0+3, handler 3+3 */
        0x01, 0x00, 0x00, 0x01, /* class token 0x01000001 */
    };
    nrp_il_method *m = DECODE(body, SIG_VOID);
    nrp_il_instr *try_first = nth(m, 0), *pop = nth(m, 2);
    nrp_il_insert_before(m, try_first, nrp_il_new(m, NRP_OP_NOP, 0)); /* before the try */
    nrp_il_insert_before(m, try_first, nrp_il_new(m, NRP_OP_NOP, 0));
    nrp_il_insert_after(m, try_first, nrp_il_new(m, NRP_OP_NOP, 0));  /* inside the try */
    nrp_il_insert_after(m, pop, nrp_il_new(m, NRP_OP_NOP, 0));        /* inside the handler */
    static const uint8_t want[] = {
        0x1B, 0x30,             /* fat | MoreSects | InitLocals; 3 dwords */
        0x01, 0x00,             /* max stack 1 */
        0x0B, 0x00, 0x00, 0x00, /* code size 11 */
        0x00, 0x00, 0x00, 0x00, /* no locals */
        0x00,                   /* 00: nop (new) */
        0x00,                   /* 01: nop (new) */
        0x00,                   /* 02: nop              try [2, 6) */
        0x00,                   /* 03: nop (new) */
        0xDE, 0x04,             /* 04: leave.s -> 0A */
        0x26,                   /* 06: pop              catch [6, 0A) */
        0x00,                   /* 07: nop (new) */
        0xDE, 0x00,             /* 08: leave.s -> 0A */
        0x2A,                   /* 0A: ret */
        0x00,                   /* padding: 23 -> 24 */
        0x01, 0x10, 0x00, 0x00, /* small EH section, 16 bytes */
        0x00, 0x00, 0x02, 0x00, 0x04, 0x06, 0x00, 0x04, /* catch: try 2+4, handler 6+4 */
        0x01, 0x00, 0x00, 0x01, /* class token 0x01000001 */
    };
    expect_encoded_bytes(m, want, sizeof want);
    nrp_il_method *m2 = DECODE(want, SIG_VOID);
    assert_same_method(m, m2);
    assert_clause_idx(m2, 0, NRP_EH_CATCH, 2, 5, 5, 8, -1, 0x01000001);
    nrp_il_method_free(m2);
    nrp_il_method_free(m);
}

/* A clause whose handler ends at the end of the code keeps that end. */
static void test_encode_clause_to_end_of_code(void **state)
{
    (void)state;
    static const uint8_t body[] = {
        0x0B, 0x30,             /* fat | MoreSects; 3 dwords */
        0x01, 0x00,             /* max stack 1 */
        0x06, 0x00, 0x00, 0x00, /* code size 6 */
        0x00, 0x00, 0x00, 0x00, /* no locals */
        0x00,                   /* 00: nop                  try [0, 3) */
        0xDE, 0xFD,             /* 01: leave.s -3 -> 00 (a loop) */
        0x26,                   /* 03: pop                  catch [3, 6) = to the end */
        0xDE, 0xFA,             /* 04: leave.s -6 -> 00 */
        0x00, 0x00,             /* padding -> 20 */
        0x01, 0x10, 0x00, 0x00, /* small EH section, 16 bytes */
        0x00, 0x00, 0x00, 0x00, 0x03, 0x03, 0x00, 0x03, /* catch: try 0+3, handler 3+3 */
        0x01, 0x00, 0x00, 0x01,
    };
    nrp_il_method *m = DECODE(body, SIG_VOID);
    assert_null(m->clauses[0].handler_end);
    expect_encoded_bytes(m, body, sizeof body);
    nrp_il_method_free(m);
}

/* Removing an instruction moves branches and clause boundaries that
 * pointed at it to its successor. */
static void test_remove_retargets(void **state)
{
    (void)state;
    nrp_il_method *m = DECODE(SWITCH_BODY, SIG_I4_I4);
    nrp_il_instr *case0 = nth(m, 4), *ret0 = nth(m, 5);
    /* case 0 loads 0 then returns; remove the load: switch case 0 -> ret */
    assert_int_equal(nrp_il_remove(m, case0), NRP_OK);
    assert_list_ok(m);
    assert_int_equal(m->count, 7);
    assert_ptr_equal(nth(m, 1)->targets[0], ret0);
    nrp_il_method_free(m);

    /* a clause boundary moves the same way */
    m = DECODE(EH_BODY, SIG_VOID);
    nrp_il_instr *handler = nth(m, 3), *leave = nth(m, 4);
    assert_int_equal(nrp_il_remove(m, handler), NRP_OK); /* the catch's pop */
    assert_ptr_equal(m->clauses[0].handler_start, leave);
    assert_ptr_equal(m->clauses[0].try_end, leave);
    nrp_il_method_free(m);

    /* the last instruction, a branch target: nothing to move it to */
    m = DECODE(WIDEN_BODY, SIG_VOID);
    nrp_il_instr *ret = m->last;
    nth(m, 3)->target = ret;
    assert_int_equal(nrp_il_remove(m, ret), NRP_ERROR);
    assert_int_equal(m->count, 8);
    assert_ptr_equal(m->last, ret);
    assert_list_ok(m);
    nth(m, 3)->target = nth(m, 5);
    assert_int_equal(nrp_il_remove(m, ret), NRP_OK); /* no longer referenced */
    assert_int_equal(m->count, 7);
    nrp_il_method_free(m);
}

static void test_encode_empty_method_refused(void **state)
{
    (void)state;
    nrp_il_method *m = DECODE(SWITCH_BODY, SIG_I4_I4);
    while (m->first)
        assert_int_equal(nrp_il_remove(m, m->first), NRP_OK);
    assert_int_equal(m->count, 0);
    assert_null(m->last);
    uint8_t *out;
    size_t n;
    nrp_err err = {{0}};
    assert_int_equal(nrp_il_method_encode(m, &out, &n, &err), NRP_ERROR);
    assert_non_null(strstr(err.msg, "no instructions"));
    nrp_il_method_free(m);
}

/* The header of il_method.h says encoding "orders clauses inner before
 * outer". */
static void test_encode_orders_clauses_inner_first(void **state)
{
    (void)state;
    /* A body whose EH table lists an enclosing clause before the one nested
     * in it is written back inner first. */
    static const uint8_t body[] = {
        0x0B, 0x30,             /* fat | MoreSects; 3 dwords */
        0x00, 0x00,             /* max stack 0 */
        0x08, 0x00, 0x00, 0x00, /* code size 8 */
        0x00, 0x00, 0x00, 0x00, /* no locals */
        0x00,                   /* 00: [0] nop          outer try [0, 6), inner try [0, 3) */
        0xDE, 0x01,             /* 01: [1] leave.s -> 04 */
        0xDC,                   /* 03: [2] endfinally   inner finally [3, 4) */
        0xDE, 0x01,             /* 04: [3] leave.s -> 07 */
        0xDC,                   /* 06: [4] endfinally   outer finally [6, 7) */
        0x2A,                   /* 07: [5] ret */
        /* 20 bytes: aligned */
        0x01, 0x1C, 0x00, 0x00, /* small EH section, 28 bytes; the OUTER clause first */
        0x02, 0x00, 0x00, 0x00, 0x06, 0x06, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, /* outer: 0+6, 6+1 */
        0x02, 0x00, 0x00, 0x00, 0x03, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, /* inner: 0+3, 3+1 */
    };
    static const uint8_t want[] = {
        0x0B, 0x30, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* as above */
        0x00, 0xDE, 0x01, 0xDC, 0xDE, 0x01, 0xDC, 0x2A,                         /* the same code */
        0x01, 0x1C, 0x00, 0x00, /* small EH section, 28 bytes; inner first */
        0x02, 0x00, 0x00, 0x00, 0x03, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, /* inner: 0+3, 3+1 */
        0x02, 0x00, 0x00, 0x00, 0x06, 0x06, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, /* outer: 0+6, 6+1 */
    };
    nrp_il_method *m = DECODE(body, SIG_VOID);
    expect_encoded_bytes(m, want, sizeof want);
    nrp_il_method_free(m);
}

/* ------------------------------------------------------------------------ */
/* round trip of random valid methods                                        */
/* ------------------------------------------------------------------------ */

#define GEN_REGIONS 16
#define GEN_STARTS 256
#define GEN_PENDING 512

typedef struct gen {
    nrp_il_method *m;
    int nregions;
    nrp_il_instr *starts[GEN_REGIONS][GEN_STARTS];
    uint32_t nstarts[GEN_REGIONS];
    struct {
        nrp_il_instr *i;
        int region;
    } pend[GEN_PENDING];
    uint32_t npend;
    int clauses;
    int has_arg;
    uint32_t max_depth;
} gen;

static gen G;

static uint32_t below(uint32_t n) { return rnd() % n; }

static nrp_il_instr *emit(gen *g, uint16_t op, int64_t value)
{
    nrp_il_instr *i = nrp_il_new(g->m, op, value);
    assert_non_null(i);
    nrp_il_append(g->m, i);
    return i;
}

static void add_start(gen *g, int region, nrp_il_instr *i)
{
    if (g->nstarts[region] < GEN_STARTS)
        g->starts[region][g->nstarts[region]++] = i;
}

static void add_pending(gen *g, nrp_il_instr *i, int region)
{
    assert_true(g->npend < GEN_PENDING);
    g->pend[g->npend].i = i;
    g->pend[g->npend].region = region;
    g->npend++;
}

static int64_t rnd64(void) { return (int64_t)((uint64_t)rnd() << 32 | rnd()); }

static void gen_push(gen *g)
{
    switch (below(g->has_arg ? 11 : 9)) {
    case 0: emit(g, NRP_OP_LDC_I4_S, (int8_t)rnd()); break;
    case 1: emit(g, NRP_OP_LDC_I4, (int32_t)rnd()); break;
    case 2: emit(g, NRP_OP_LDC_I8, rnd64()); break;
    case 3: emit(g, NRP_OP_LDC_R4, rnd()); break;
    case 4: emit(g, NRP_OP_LDC_R8, rnd64()); break;
    case 5: emit(g, NRP_OP_LDSTR, 0x70000000 | (rnd() & 0xFFFFFF)); break;
    case 6:
        if (below(2))
            emit(g, NRP_OP_VOLATILE, 0);
        emit(g, NRP_OP_LDSFLD, 0x04000000 | (rnd() & 0xFFFFFF));
        break;
    case 7: emit(g, below(11) == 0 ? NRP_OP_LDNULL : (uint16_t)(NRP_OP_LDC_I4_M1 + below(10)), 0); break;
    case 8: emit(g, below(2) ? NRP_OP_SIZEOF : NRP_OP_LDTOKEN, 0x02000000 | (rnd() & 0xFFFFFF)); break;
    case 9: emit(g, NRP_OP_LDARG_0, 0); break;
    default: emit(g, below(2) ? NRP_OP_LDARG_S : NRP_OP_LDARG, 0); break;
    }
}

static const uint16_t BINARY[] = {NRP_OP_ADD, NRP_OP_SUB, NRP_OP_MUL, NRP_OP_AND,    NRP_OP_OR,
                                  NRP_OP_XOR, NRP_OP_CEQ, NRP_OP_CLT, NRP_OP_CGT_UN, NRP_OP_ADD_OVF};
static const uint16_t UNARY[] = {NRP_OP_NEG, NRP_OP_NOT, NRP_OP_CONV_I8, NRP_OP_CONV_R8, NRP_OP_CKFINITE,
                                 NRP_OP_CONV_OVF_U1};

/* A statement: pushes and operations that start and end at depth 0. */
static void gen_expr(gen *g)
{
    uint32_t d = 0, steps = 1 + below(12);
    for (uint32_t s = 0; s < steps; s++) {
        uint32_t r = below(10);
        if (d == 0 || (r < 4 && d < 10)) {
            gen_push(g);
            d++;
        } else if (r < 6 && d >= 2) {
            emit(g, BINARY[below(sizeof BINARY / sizeof BINARY[0])], 0);
            d--;
        } else if (r == 6) {
            emit(g, UNARY[below(sizeof UNARY / sizeof UNARY[0])], 0);
        } else if (r == 7 && d < 10) {
            emit(g, NRP_OP_DUP, 0);
            d++;
        } else if (r == 8) {
            if (d >= 2) {
                emit(g, below(2) ? NRP_OP_NEWOBJ : NRP_OP_CALL, 0); /* token below */
                g->m->last->value = g->m->last->op == NRP_OP_NEWOBJ ? 0x0A000008 : 0x06000003;
                d--;
            } else {
                emit(g, NRP_OP_CALLVIRT, 0x0A000002);
            }
        } else {
            emit(g, NRP_OP_POP, 0);
            d--;
        }
        if (d > g->max_depth)
            g->max_depth = d;
    }
    while (d > 0) {
        switch (below(3)) {
        case 0: emit(g, NRP_OP_POP, 0); break;
        case 1: emit(g, NRP_OP_STSFLD, 0x04000000 | (rnd() & 0xFFFFFF)); break;
        default: emit(g, NRP_OP_CALL, 0x0A000001); break;
        }
        d--;
    }
}

static void gen_branch(gen *g, int region)
{
    nrp_il_instr *j;
    switch (below(4)) {
    case 0: j = emit(g, NRP_OP_BR, 0); break;
    case 1:
        gen_push(g);
        j = emit(g, below(2) ? NRP_OP_BRTRUE : NRP_OP_BRFALSE, 0);
        break;
    case 2:
        gen_push(g);
        gen_push(g);
        j = emit(g, (uint16_t)(NRP_OP_BEQ + below(10)), 0);
        break;
    default: {
        uint32_t n = below(5);
        gen_push(g);
        j = emit(g, NRP_OP_SWITCH, n);
        j->target_count = n;
        j->targets = n ? nrp_arena_alloc(&g->m->arena, n * sizeof *j->targets) : NULL;
        break;
    }
    }
    if (g->max_depth < 2)
        g->max_depth = 2;
    add_pending(g, j, region);
}

static void gen_block(gen *g, int region, int level, uint32_t stmts);

static nrp_il_instr *first_after(gen *g, nrp_il_instr *before)
{
    return before ? before->next : g->m->first;
}

/* try { ... leave END } finally/catch/filter { ... } END: nop */
static void gen_try(gen *g, int parent, int level)
{
    nrp_err err = {{0}};
    uint32_t kind = below(3); /* 0 finally, 1 catch, 2 filter */
    int try_region = g->nregions++;
    nrp_il_instr *before = g->m->last;
    gen_block(g, try_region, level + 1, below(5));
    nrp_il_instr *leave1 = emit(g, NRP_OP_LEAVE, 0);
    nrp_il_instr *try_start = first_after(g, before);
    nrp_il_instr *filter_start = NULL, *handler_start, *leave2 = NULL;
    if (kind == 2) {
        int filter_region = g->nregions++;
        filter_start = emit(g, NRP_OP_POP, 0);
        gen_block(g, filter_region, level + 1, below(3));
        emit(g, NRP_OP_LDC_I4_1, 0);
        emit(g, NRP_OP_ENDFILTER, 0);
    }
    int handler_region = g->nregions++;
    before = g->m->last;
    if (kind == 0) {
        gen_block(g, handler_region, level + 1, below(4));
        emit(g, NRP_OP_ENDFINALLY, 0);
    } else {
        emit(g, NRP_OP_POP, 0);
        gen_block(g, handler_region, level + 1, below(4));
        leave2 = emit(g, NRP_OP_LEAVE, 0);
    }
    handler_start = first_after(g, before);
    nrp_il_instr *end = emit(g, NRP_OP_NOP, 0);
    add_start(g, parent, end);
    leave1->target = end;
    if (leave2)
        leave2->target = end;
    nrp_il_clause_ref c = {
        .flags = kind == 0 ? NRP_EH_FINALLY : kind == 1 ? NRP_EH_CATCH : NRP_EH_FILTER,
        .try_start = try_start,
        .try_end = filter_start ? filter_start : handler_start,
        .handler_start = handler_start,
        .handler_end = end,
        .filter_start = filter_start,
        .class_token = kind == 1 ? 0x01000000 | (rnd() & 0xFFFF) : 0,
    };
    assert_int_equal(nrp_il_add_clause(g->m, &c, &err), NRP_OK);
    g->clauses++;
}

static void gen_block(gen *g, int region, int level, uint32_t stmts)
{
    for (uint32_t s = 0; s < stmts; s++) {
        uint32_t r = below(100);
        if (r >= 92 && level < 2 && g->clauses < 3 && g->nregions + 3 <= GEN_REGIONS) {
            gen_try(g, region, level);
            continue;
        }
        nrp_il_instr *before = g->m->last;
        if (r < 62)
            gen_expr(g);
        else if (r < 86)
            gen_branch(g, region);
        else
            emit(g, NRP_OP_NOP, 0);
        add_start(g, region, first_after(g, before));
    }
}

static nrp_il_method *gen_method(gen *g)
{
    memset(g, 0, sizeof *g);
    nrp_il_method *m = calloc(1, sizeof *m);
    assert_non_null(m);
    g->m = m;
    m->env = make_env();
    g->has_arg = (int)below(2);
    m->method_sig = g->has_arg ? SIG_I4_I4 : SIG_VOID;
    m->method_sig_len = g->has_arg ? sizeof SIG_I4_I4 : sizeof SIG_VOID;
    m->max_stack = below(2) ? 8 : below(3); /* 8 allows the tiny header */
    g->nregions = 1;
    gen_block(g, 0, 0, below(4) == 0 ? below(60) : below(20));
    if (g->has_arg)
        emit(g, NRP_OP_LDARG_0, 0);
    emit(g, NRP_OP_RET, 0);
    for (uint32_t p = 0; p < g->npend; p++) {
        nrp_il_instr *j = g->pend[p].i;
        int r = g->pend[p].region;
        assert_true(g->nstarts[r] > 0);
        if (j->op == NRP_OP_SWITCH) {
            for (uint32_t t = 0; t < j->target_count; t++)
                j->targets[t] = g->starts[r][below(g->nstarts[r])];
        } else {
            j->target = g->starts[r][below(g->nstarts[r])];
        }
    }
    return m;
}

static void test_round_trip_random(void **state)
{
    (void)state;
    uint32_t with_long = 0, with_short = 0, with_clauses = 0, with_filter = 0, with_switch = 0, fat = 0;
    rng_state = 0x5EEDF00DCAFEBABEull;
    for (int iter = 0; iter < 2500; iter++) {
        nrp_il_method *m = gen_method(&G);
        uint8_t *e1 = NULL, *e2 = NULL;
        size_t n1, n2;
        nrp_err err = {{0}};
        if (nrp_il_method_encode(m, &e1, &n1, &err) != NRP_OK)
            fail_msg("iteration %d: encoding a generated method failed: %s", iter, err.msg);
        uint32_t computed;
        assert_int_equal(nrp_il_max_stack(m, &computed, &err), NRP_OK);
        assert_true(computed <= G.max_depth + 1);

        nrp_il_method *d = decode_ok(e1, n1, m->method_sig, m->method_sig_len);
        assert_same_method(m, d);
        if (nrp_il_method_encode(d, &e2, &n2, &err) != NRP_OK)
            fail_msg("iteration %d: re-encoding failed: %s", iter, err.msg);
        assert_int_equal(n1, n2);
        assert_memory_equal(e1, e2, n1);

        /* the header: tiny or fat with max(declared, computed) */
        if ((e1[0] & 3) == 3) {
            fat++;
            uint32_t hdr = e1[2] | e1[3] << 8;
            assert_int_equal(hdr, computed > m->max_stack ? computed : m->max_stack);
        } else {
            assert_int_equal(e1[0] & 3, 2);
            assert_int_equal(m->clause_count, 0);
            assert_true(computed <= 8);
        }

        for (nrp_il_instr *i = d->first; i; i = i->next) {
            if (nrp_il_opinfo_of(i->op)->operand == NRP_OPERAND_BR) {
                if (i->short_form)
                    with_short++;
                else
                    with_long++;
            }
            if (i->op == NRP_OP_SWITCH && i->target_count > 0)
                with_switch++;
        }
        if (m->clause_count)
            with_clauses++;
        for (uint32_t c = 0; c < m->clause_count; c++)
            if (m->clauses[c].flags == NRP_EH_FILTER) {
                with_filter++;
                break;
            }
        free(e1);
        free(e2);
        nrp_il_method_free(d);
        nrp_il_method_free(m);
    }
    print_message("2500 methods: %u fat, %u with clauses (%u with a filter), %u long and %u short branches, "
                  "%u switches\n", fat, with_clauses, with_filter, with_long, with_short, with_switch);
    /* the generator really produced the interesting cases */
    assert_true(with_long > 500);
    assert_true(with_short > 2000);
    assert_true(with_clauses > 300);
    assert_true(with_filter > 100);
    assert_true(with_switch > 300);
    assert_true(fat > 500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_decode_every_opcode, reset_env),
        cmocka_unit_test_setup(test_opcode_table_lookups, reset_env),
        cmocka_unit_test_setup(test_decode_prefixes, reset_env),
        cmocka_unit_test_setup(test_branch_short_kept, reset_env),
        cmocka_unit_test_setup(test_branch_long_input_shortened, reset_env),
        cmocka_unit_test_setup(test_branch_forward_edges, reset_env),
        cmocka_unit_test_setup(test_branch_backward_edges, reset_env),
        cmocka_unit_test_setup(test_branch_widens_after_insert, reset_env),
        cmocka_unit_test_setup(test_switch_targets_and_encoding, reset_env),
        cmocka_unit_test_setup(test_switch_empty, reset_env),
        cmocka_unit_test_setup(test_reject_unknown_opcodes, reset_env),
        cmocka_unit_test_setup(test_reject_truncated_operands, reset_env),
        cmocka_unit_test_setup(test_reject_bad_branch_targets, reset_env),
        cmocka_unit_test_setup(test_reject_bad_switches, reset_env),
        cmocka_unit_test_setup(test_decode_eh_clause, reset_env),
        cmocka_unit_test_setup(test_reject_eh_boundaries, reset_env),
        cmocka_unit_test_setup(test_reject_eh_handler_start_mid_instruction, reset_env),
        cmocka_unit_test_setup(test_reject_header_errors_pass_through, reset_env),
        cmocka_unit_test_setup(test_stack_straight_line, reset_env),
        cmocka_unit_test_setup(test_stack_deep, reset_env),
        cmocka_unit_test_setup(test_stack_empty_method, reset_env),
        cmocka_unit_test_setup(test_stack_ret_value, reset_env),
        cmocka_unit_test_setup(test_stack_call_effects, reset_env),
        cmocka_unit_test_setup(test_stack_dup, reset_env),
        cmocka_unit_test_setup(test_stack_join_same_depth, reset_env),
        cmocka_unit_test_setup(test_stack_join_inconsistent, reset_env),
        cmocka_unit_test_setup(test_stack_underflow, reset_env),
        cmocka_unit_test_setup(test_stack_falls_off_end, reset_env),
        cmocka_unit_test_setup(test_stack_catch_handler_depth, reset_env),
        cmocka_unit_test_setup(test_stack_finally_handler_depth, reset_env),
        cmocka_unit_test_setup(test_stack_fault_handler_depth, reset_env),
        cmocka_unit_test_setup(test_stack_filter_depth, reset_env),
        cmocka_unit_test_setup(test_stack_leave_empties, reset_env),
        cmocka_unit_test_setup(test_stack_falls_into_handler, reset_env),
        cmocka_unit_test_setup(test_stack_throw_end, reset_env),
        cmocka_unit_test_setup(test_stack_infinite_loop, reset_env),
        cmocka_unit_test_setup(test_stack_localloc, reset_env),
        cmocka_unit_test_setup(test_stack_unknown_call_token, reset_env),
        cmocka_unit_test_setup(test_stack_unreachable_ignored, reset_env),
        cmocka_unit_test_setup(test_encode_tiny_edge, reset_env),
        cmocka_unit_test_setup(test_encode_tiny_needs_stack_8, reset_env),
        cmocka_unit_test_setup(test_encode_fat_locals_init_kept, reset_env),
        cmocka_unit_test_setup(test_encode_max_stack_is_max_of_declared_and_computed, reset_env),
        cmocka_unit_test_setup(test_encode_fat_to_tiny, reset_env),
        cmocka_unit_test_setup(test_encode_eh_offsets_after_edits, reset_env),
        cmocka_unit_test_setup(test_encode_clause_to_end_of_code, reset_env),
        cmocka_unit_test_setup(test_remove_retargets, reset_env),
        cmocka_unit_test_setup(test_encode_empty_method_refused, reset_env),
        cmocka_unit_test_setup(test_encode_orders_clauses_inner_first, reset_env),
        cmocka_unit_test_setup(test_round_trip_random, reset_env),
    };
    return cmocka_run_group_tests_name("il_method", tests, NULL, NULL);
}
