/* The encoder writes exception clauses inner before outer, whatever order
 * edits added them in. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "il/il_method.h"
#include "nrp/opcodes.h"
#include "nrp/plugin.h"

/* static void M():
 *   IL_0000 nop                 outer try start
 *   IL_0001 nop                 inner try start
 *   IL_0002 leave.s IL_0006     inner try end
 *   IL_0004 endfinally          inner handler
 *   IL_0005 nop                 (outer try continues)
 *   ...                         then the outer finally, then ret */
static const uint8_t body[] = {
    0x26,                   /* tiny header, 9 bytes of code */
    0x00,                   /* IL_0000 nop */
    0x00,                   /* IL_0001 nop */
    0xDE, 0x01,             /* IL_0002 leave.s IL_0005 */
    0xDC,                   /* IL_0004 endfinally */
    0xDE, 0x01,             /* IL_0005 leave.s IL_0008 */
    0xDC,                   /* IL_0007 endfinally */
    0x2A,                   /* IL_0008 ret */
};
static const uint8_t void_sig[] = {0x00, 0x00, 0x01};

static nrp_il_instr *nth(nrp_il_method *m, int n)
{
    nrp_il_instr *i = m->first;
    while (n-- > 0)
        i = i->next;
    return i;
}

static void outer_added_first_is_written_last(void **state)
{
    (void)state;
    nrp_il_method *m;
    nrp_err err;
    assert_int_equal(nrp_il_method_decode(body, sizeof body, void_sig, sizeof void_sig, NULL, &m, &err), NRP_OK);
    /* outer: try [IL_0000, IL_0007) finally [IL_0007, IL_0008) */
    nrp_il_clause_ref outer = {NRP_EH_FINALLY, nth(m, 0), nth(m, 5), nth(m, 5), nth(m, 6), NULL, 0};
    /* inner: try [IL_0001, IL_0004) finally [IL_0004, IL_0005) */
    nrp_il_clause_ref inner = {NRP_EH_FINALLY, nth(m, 1), nth(m, 3), nth(m, 3), nth(m, 4), NULL, 0};
    assert_int_equal(nrp_il_add_clause(m, &outer, &err), NRP_OK);
    assert_int_equal(nrp_il_add_clause(m, &inner, &err), NRP_OK);

    uint8_t *out;
    size_t size;
    assert_int_equal(nrp_il_method_encode(m, &out, &size, &err), NRP_OK);
    nrp_il_body b;
    assert_int_equal(nrp_il_decode(out, size, &b, &err), NRP_OK);
    assert_int_equal(b.clause_count, 2);
    assert_int_equal(b.clauses[0].try_offset, 1); /* inner first */
    assert_int_equal(b.clauses[0].try_length, 3);
    assert_int_equal(b.clauses[0].handler_offset, 4);
    assert_int_equal(b.clauses[1].try_offset, 0); /* then outer */
    assert_int_equal(b.clauses[1].try_length, 7);
    assert_int_equal(b.clauses[1].handler_offset, 7);
    nrp_il_body_free(&b);
    free(out);
    nrp_il_method_free(m);
}

/* static void M(): try { nop } catch (A) { pop } catch (B) { pop } */
static const uint8_t two_catches[] = {
    0x2A,       /* tiny header, 10 bytes of code */
    0x00,       /* IL_0000 nop                 try [0, 3) */
    0xDE, 0x06, /* IL_0001 leave.s IL_0009 */
    0x26,       /* IL_0003 pop                 catch A [3, 6) */
    0xDE, 0x03, /* IL_0004 leave.s IL_0009 */
    0x26,       /* IL_0006 pop                 catch B [6, 9) */
    0xDE, 0x00, /* IL_0007 leave.s IL_0009 */
    0x2A,       /* IL_0009 ret */
};

static void clauses_sharing_a_try_keep_their_order(void **state)
{
    (void)state;
    nrp_il_method *m;
    nrp_err err;
    assert_int_equal(nrp_il_method_decode(two_catches, sizeof two_catches, void_sig, sizeof void_sig, NULL, &m, &err),
                     NRP_OK);
    /* The order of catch clauses of one try is the order they match in. */
    nrp_il_clause_ref a = {NRP_EH_CATCH, nth(m, 0), nth(m, 2), nth(m, 2), nth(m, 4), NULL, 0x01000001};
    nrp_il_clause_ref b = {NRP_EH_CATCH, nth(m, 0), nth(m, 2), nth(m, 4), nth(m, 6), NULL, 0x01000002};
    assert_int_equal(nrp_il_add_clause(m, &a, &err), NRP_OK);
    assert_int_equal(nrp_il_add_clause(m, &b, &err), NRP_OK);
    uint8_t *out;
    size_t size;
    assert_int_equal(nrp_il_method_encode(m, &out, &size, &err), NRP_OK);
    nrp_il_body d;
    assert_int_equal(nrp_il_decode(out, size, &d, &err), NRP_OK);
    assert_int_equal(d.clause_count, 2);
    assert_int_equal(d.clauses[0].class_token_or_filter_offset, 0x01000001);
    assert_int_equal(d.clauses[0].handler_offset, 3);
    assert_int_equal(d.clauses[1].class_token_or_filter_offset, 0x01000002);
    assert_int_equal(d.clauses[1].handler_offset, 6);
    assert_int_equal(d.max_stack, 8); /* declared 8 (tiny) >= computed 1 */
    nrp_il_body_free(&d);
    free(out);
    nrp_il_method_free(m);
}

/* nop; br.s IL_0004; nop; ret, with clause tables given per test */
#define ILL_HEADER 0x0B, 0x30, 0x01, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, \
                   0x00, 0x2B, 0x01, 0x00, 0x2A, 0x00, 0x00, 0x00

static void expect_refused(const uint8_t *body, size_t size, const char *want)
{
    nrp_il_method *m = NULL;
    nrp_err err;
    assert_int_equal(nrp_il_method_decode(body, size, void_sig, sizeof void_sig, NULL, &m, &err), NRP_ERROR);
    assert_null(m);
    assert_string_equal(err.msg, want);
}

/* Found by the fuzzer: each clause's try block is the other's handler, so
 * no order is inner-before-outer. Such tables are refused at decode. */
static void ill_nested_clauses_are_refused(void **state)
{
    (void)state;
    static const uint8_t crossed[] = {
        ILL_HEADER,
        0x01, 0x1C, 0x00, 0x00, /* small EH section, 2 clauses */
        0x02, 0x00, 0x00, 0x00, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, /* finally: try [0,1) handler [3,4) */
        0x02, 0x00, 0x03, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, /* finally: try [3,4) handler [0,1) */
    };
    expect_refused(crossed, sizeof crossed, "exception clause 0 lies only partly inside clause 1");
    /* Also found by the fuzzer: each try block lies inside the other's
     * handler, though every pair of blocks nests or is disjoint. */
    static const uint8_t cross_nested[] = {
        0x0B, 0x30, 0x01, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x2A, 0x00, 0xDC, /* nop nop nop ret nop endfinally */
        0x00, 0x00,                         /* padding */
        0x01, 0x1C, 0x00, 0x00,
        0x02, 0x00, 0x00, 0x00, 0x02, 0x04, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, /* try [0,2) handler [4,6) */
        0x02, 0x00, 0x04, 0x00, 0x01, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, /* try [4,5) handler [0,3) */
    };
    expect_refused(cross_nested, sizeof cross_nested, "exception clause 0 lies only partly inside clause 1");
    static const uint8_t partial[] = {
        ILL_HEADER,
        0x01, 0x1C, 0x00, 0x00,
        0x02, 0x00, 0x00, 0x00, 0x03, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, /* try [0,3) handler [4,5) */
        0x02, 0x00, 0x01, 0x00, 0x03, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, /* try [1,4): crosses IL_0003 */
    };
    expect_refused(partial, sizeof partial, "exception clauses 0 and 1 overlap without nesting");
    static const uint8_t self[] = {
        ILL_HEADER,
        0x01, 0x10, 0x00, 0x00,
        0x02, 0x00, 0x00, 0x00, 0x03, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, /* try [0,3) handler [1,4) */
    };
    expect_refused(self, sizeof self, "exception clause 0: its blocks overlap");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(outer_added_first_is_written_last),
        cmocka_unit_test(clauses_sharing_a_try_keep_their_order),
        cmocka_unit_test(ill_nested_clauses_are_refused),
    };
    return cmocka_run_group_tests_name("il_order", tests, NULL, NULL);
}
