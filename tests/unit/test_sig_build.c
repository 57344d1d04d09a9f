/* Building signatures: compressed integers, type tokens, method and local
 * signatures, and parsing locals back. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "nrp/il.h"
#include "nrp/plugin.h"
#include "sig/sig_build.h"

#define SPAN(a) ((nrp_sig_span){(a), sizeof(a)})

static void compressed_forms(void **state)
{
    (void)state;
    uint8_t b[4];
    static const struct {
        uint32_t v;
        size_t n;
        uint8_t bytes[4];
    } cases[] = {{0x03, 1, {0x03}},       {0x7F, 1, {0x7F}},
                 {0x80, 2, {0x80, 0x80}}, {0x2E57, 2, {0xAE, 0x57}},
                 {0x3FFF, 2, {0xBF, 0xFF}}, {0x4000, 4, {0xC0, 0x00, 0x40, 0x00}},
                 {0x1FFFFFFF, 4, {0xDF, 0xFF, 0xFF, 0xFF}}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memset(b, 0, sizeof b);
        assert_int_equal(nrp_sig_put_compressed(b, cases[i].v), cases[i].n);
        assert_memory_equal(b, cases[i].bytes, cases[i].n);
        const uint8_t *p = b;
        uint32_t back;
        assert_int_equal(nrp_sig_read_compressed(&p, b + cases[i].n, &back), NRP_OK);
        assert_int_equal(back, cases[i].v);
    }
    assert_int_equal(nrp_sig_put_compressed(b, 0x20000000), 0);
}

static void type_tokens(void **state)
{
    (void)state;
    uint8_t b[4];
    assert_int_equal(nrp_sig_put_type_token(b, 0x02000012), 1); /* TypeDef 0x12 -> 0x12<<2|0 */
    assert_int_equal(b[0], 0x48);
    assert_int_equal(nrp_sig_put_type_token(b, 0x01000005), 1); /* TypeRef 5 -> 5<<2|1 */
    assert_int_equal(b[0], 0x15);
    assert_int_equal(nrp_sig_put_type_token(b, 0x1B000040), 2); /* TypeSpec 0x40 -> 0x102 */
    assert_int_equal(b[0], 0x81);
    assert_int_equal(b[1], 0x02);
    assert_int_equal(nrp_sig_put_type_token(b, 0x06000001), 0); /* a MethodDef is no type */
}

static void method_signature(void **state)
{
    (void)state;
    static const uint8_t i4[] = {NRP_ELEMENT_I4}, str[] = {NRP_ELEMENT_STRING},
                         list_of_t[] = {NRP_ELEMENT_GENERICINST, NRP_ELEMENT_CLASS, 0x15, 1, NRP_ELEMENT_MVAR, 0},
                         byref_i8[] = {NRP_ELEMENT_BYREF, NRP_ELEMENT_I8};
    nrp_sig_span params[] = {SPAN(str), SPAN(list_of_t), SPAN(byref_i8)};
    nrp_sig_blob b;
    nrp_err err;
    nrp_sig_blob_init(&b);
    assert_int_equal(nrp_sig_build_method(&b, NRP_CALLCONV_HASTHIS | NRP_CALLCONV_GENERIC, 1, SPAN(i4), params, 3, &err),
                     NRP_OK);
    static const uint8_t want[] = {0x30, 0x01, 0x03, 0x08, 0x0E, 0x15, 0x12, 0x15, 0x01, 0x1E, 0x00, 0x10, 0x0A};
    assert_int_equal(b.len, sizeof want);
    assert_memory_equal(b.data, want, sizeof want);

    /* and it reads back */
    nrp_method_sig_info info;
    int returns;
    nrp_sig_span ret;
    assert_int_equal(nrp_sig_method_return(b.data, b.len, &info, &ret, &returns, &err), NRP_OK);
    assert_int_equal(info.generic_params, 1);
    assert_int_equal(info.param_count, 3);
    assert_true(info.has_this);
    assert_true(returns);
    assert_int_equal(ret.len, 1);
    nrp_sig_blob_free(&b);

    /* a standalone unmanaged signature for calli: void(native int) */
    static const uint8_t v[] = {NRP_ELEMENT_VOID}, ni[] = {NRP_ELEMENT_I};
    nrp_sig_span one[] = {SPAN(ni)};
    nrp_sig_blob_init(&b);
    assert_int_equal(nrp_sig_build_method(&b, NRP_CALLCONV_C, 0, SPAN(v), one, 1, &err), NRP_OK);
    static const uint8_t want_c[] = {0x01, 0x01, 0x01, 0x18};
    assert_memory_equal(b.data, want_c, sizeof want_c);
    nrp_sig_blob_free(&b);
}

static void method_signature_rejects_bad_types(void **state)
{
    (void)state;
    static const uint8_t two[] = {NRP_ELEMENT_I4, NRP_ELEMENT_I4}, bad[] = {0x77};
    static const uint8_t i4[] = {NRP_ELEMENT_I4};
    nrp_sig_span p1[] = {SPAN(two)}, p2[] = {SPAN(bad)};
    nrp_sig_blob b;
    nrp_err err;
    nrp_sig_blob_init(&b);
    assert_int_equal(nrp_sig_build_method(&b, 0, 0, SPAN(i4), p1, 1, &err), NRP_ERROR);
    assert_string_equal(err.msg, "parameter 0 is not exactly one signature type");
    assert_int_equal(nrp_sig_build_method(&b, 0, 0, SPAN(i4), p2, 1, &err), NRP_ERROR);
    assert_string_equal(err.msg, "parameter 0 is not exactly one signature type");
    assert_int_equal(nrp_sig_build_method(&b, 0, 0, SPAN(two), NULL, 0, &err), NRP_ERROR);
    assert_string_equal(err.msg, "return type 0 is not exactly one signature type");
    assert_int_equal(b.len, 0);
    nrp_sig_blob_free(&b);
}

static void locals_build_parse_append(void **state)
{
    (void)state;
    static const uint8_t i4[] = {NRP_ELEMENT_I4}, arr[] = {NRP_ELEMENT_SZARRAY, NRP_ELEMENT_STRING},
                         pinned[] = {NRP_ELEMENT_PINNED, NRP_ELEMENT_BYREF, NRP_ELEMENT_U1},
                         obj[] = {NRP_ELEMENT_OBJECT};
    nrp_sig_span types[] = {SPAN(i4), SPAN(arr), SPAN(pinned)};
    nrp_sig_blob b, c;
    nrp_err err;
    uint32_t count, index;
    nrp_sig_span back[4];
    nrp_sig_blob_init(&b);
    assert_int_equal(nrp_sig_build_locals(&b, types, 3, &err), NRP_OK);
    static const uint8_t want[] = {0x07, 0x03, 0x08, 0x1D, 0x0E, 0x45, 0x10, 0x05};
    assert_memory_equal(b.data, want, sizeof want);
    assert_int_equal(nrp_sig_parse_locals(b.data, b.len, &count, back, 4, &err), NRP_OK);
    assert_int_equal(count, 3);
    assert_int_equal(back[1].len, 2);
    assert_memory_equal(back[2].data, pinned, sizeof pinned);

    nrp_sig_blob_init(&c);
    assert_int_equal(nrp_sig_locals_append(b.data, b.len, SPAN(obj), &c, &index, &err), NRP_OK);
    assert_int_equal(index, 3);
    static const uint8_t want4[] = {0x07, 0x04, 0x08, 0x1D, 0x0E, 0x45, 0x10, 0x05, 0x1C};
    assert_int_equal(c.len, sizeof want4);
    assert_memory_equal(c.data, want4, sizeof want4);
    nrp_sig_blob_free(&c);

    /* no signature yet: one is created */
    nrp_sig_blob_init(&c);
    assert_int_equal(nrp_sig_locals_append(NULL, 0, SPAN(obj), &c, &index, &err), NRP_OK);
    assert_int_equal(index, 0);
    static const uint8_t want1[] = {0x07, 0x01, 0x1C};
    assert_memory_equal(c.data, want1, sizeof want1);
    nrp_sig_blob_free(&c);
    nrp_sig_blob_free(&b);
}

static void locals_count_grows_to_two_bytes(void **state)
{
    (void)state;
    static const uint8_t i4[] = {NRP_ELEMENT_I4};
    nrp_sig_span types[127];
    nrp_sig_blob b, c;
    nrp_err err;
    uint32_t index;
    for (int i = 0; i < 127; i++)
        types[i] = SPAN(i4);
    nrp_sig_blob_init(&b);
    assert_int_equal(nrp_sig_build_locals(&b, types, 127, &err), NRP_OK);
    assert_int_equal(b.len, 2 + 127);
    nrp_sig_blob_init(&c);
    assert_int_equal(nrp_sig_locals_append(b.data, b.len, SPAN(i4), &c, &index, &err), NRP_OK);
    assert_int_equal(index, 127);
    assert_int_equal(c.len, 3 + 128);
    assert_int_equal(c.data[1], 0x80);
    assert_int_equal(c.data[2], 0x80);
    nrp_sig_blob_free(&c);
    nrp_sig_blob_free(&b);
}

static void locals_rejections(void **state)
{
    (void)state;
    static const uint8_t not_locals[] = {0x00, 0x00, 0x01}, stray[] = {0x07, 0x01, 0x08, 0x08},
                         short_sig[] = {0x07, 0x02, 0x08};
    uint32_t count;
    nrp_err err;
    assert_int_equal(nrp_sig_parse_locals(not_locals, sizeof not_locals, &count, NULL, 0, &err), NRP_ERROR);
    assert_string_equal(err.msg, "not a local variable signature");
    assert_int_equal(nrp_sig_parse_locals(stray, sizeof stray, &count, NULL, 0, &err), NRP_ERROR);
    assert_string_equal(err.msg, "1 stray bytes after the locals");
    assert_int_equal(nrp_sig_parse_locals(short_sig, sizeof short_sig, &count, NULL, 0, &err), NRP_ERROR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(compressed_forms),
        cmocka_unit_test(type_tokens),
        cmocka_unit_test(method_signature),
        cmocka_unit_test(method_signature_rejects_bad_types),
        cmocka_unit_test(locals_build_parse_append),
        cmocka_unit_test(locals_count_grows_to_two_bytes),
        cmocka_unit_test(locals_rejections),
    };
    return cmocka_run_group_tests_name("sig_build", tests, NULL, NULL);
}
