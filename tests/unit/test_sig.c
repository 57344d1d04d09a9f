/*
 * test_sig.c - compressed integers and method signature formatting
 * (ECMA-335 II.23.2).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test_rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nrp/il.h"
#include "nrp/plugin.h"
#include "sig/sig.h"

/* ------------------------------------------------------------------------ */
/* compressed integers                                                       */
/* ------------------------------------------------------------------------ */

static void expect_compressed(const uint8_t *bytes, size_t n, uint32_t want)
{
    const uint8_t *p = bytes;
    uint32_t v = 0xDEADBEEF;
    assert_int_equal(nrp_sig_read_compressed(&p, bytes + n, &v), NRP_OK);
    assert_int_equal(v, want);
    assert_ptr_equal(p, bytes + n); /* consumed exactly the encoding */
}

static void expect_compressed_error(const uint8_t *bytes, size_t n)
{
    const uint8_t *p = bytes;
    uint32_t v = 0xDEADBEEF;
    assert_int_equal(nrp_sig_read_compressed(&p, bytes + n, &v), NRP_ERROR);
    assert_ptr_equal(p, bytes); /* not advanced */
    assert_int_equal(v, 0xDEADBEEF);
}

static void test_compressed_one_byte(void **state)
{
    (void)state;
    expect_compressed((const uint8_t[]){0x03}, 1, 0x03);
    expect_compressed((const uint8_t[]){0x7F}, 1, 0x7F);
    expect_compressed((const uint8_t[]){0x00}, 1, 0x00);
}

static void test_compressed_two_bytes(void **state)
{
    (void)state;
    expect_compressed((const uint8_t[]){0x80, 0x80}, 2, 0x80);
    expect_compressed((const uint8_t[]){0xAE, 0x57}, 2, 0x2E57);
    expect_compressed((const uint8_t[]){0xBF, 0xFF}, 2, 0x3FFF);
    expect_compressed((const uint8_t[]){0x80, 0x00}, 2, 0x00); /* non-canonical, still decodes */
}

static void test_compressed_four_bytes(void **state)
{
    (void)state;
    expect_compressed((const uint8_t[]){0xC0, 0x00, 0x40, 0x00}, 4, 0x4000);
    expect_compressed((const uint8_t[]){0xDF, 0xFF, 0xFF, 0xFF}, 4, 0x1FFFFFFF);
    expect_compressed((const uint8_t[]){0xC1, 0x02, 0x03, 0x04}, 4, 0x01020304);
}

static void test_compressed_sequence(void **state)
{
    (void)state;
    const uint8_t s[] = {0x03, 0xBF, 0xFF, 0xC0, 0x00, 0x40, 0x00, 0x7F};
    const uint8_t *p = s, *end = s + sizeof s;
    uint32_t v;
    assert_int_equal(nrp_sig_read_compressed(&p, end, &v), NRP_OK);
    assert_int_equal(v, 3);
    assert_int_equal(nrp_sig_read_compressed(&p, end, &v), NRP_OK);
    assert_int_equal(v, 0x3FFF);
    assert_int_equal(nrp_sig_read_compressed(&p, end, &v), NRP_OK);
    assert_int_equal(v, 0x4000);
    assert_int_equal(nrp_sig_read_compressed(&p, end, &v), NRP_OK);
    assert_int_equal(v, 0x7F);
    assert_ptr_equal(p, end);
    assert_int_equal(nrp_sig_read_compressed(&p, end, &v), NRP_ERROR);
    assert_ptr_equal(p, end);
}

static void test_compressed_invalid(void **state)
{
    (void)state;
    expect_compressed_error((const uint8_t[]){0x00}, 0);                  /* nothing */
    expect_compressed_error((const uint8_t[]){0x80}, 1);                  /* 2-byte, 1 present */
    expect_compressed_error((const uint8_t[]){0xBF}, 1);
    expect_compressed_error((const uint8_t[]){0xC0, 0x00, 0x40}, 3);      /* 4-byte, 3 present */
    expect_compressed_error((const uint8_t[]){0xDF}, 1);
    expect_compressed_error((const uint8_t[]){0xE0, 0x00, 0x00, 0x00}, 4); /* 111xxxxx */
    expect_compressed_error((const uint8_t[]){0xFF, 0xFF, 0xFF, 0xFF}, 4);
}

/* ------------------------------------------------------------------------ */
/* signatures                                                                */
/* ------------------------------------------------------------------------ */

typedef struct namer_ctx {
    int calls;
    uint32_t last_token;
} namer_ctx;

/* TypeDefOrRefOrSpecEncoded values of the tokens below:
 *   0x01000005 TypeRef  5  -> (5 << 2) | 1 = 0x15
 *   0x02000002 TypeDef  2  -> (2 << 2) | 0 = 0x08
 *   0x01000003 TypeRef  3  -> 0x0D
 *   0x01000010 TypeRef 16  -> 0x41
 *   0x01000001 TypeRef  1  -> 0x05
 *   0x1B000001 TypeSpec 1  -> (1 << 2) | 2 = 0x06
 *   0x01000100 TypeRef 256 -> 0x401 -> compressed 0x84 0x01
 * Anything else makes the namer fail. */
static int fake_namer(void *ctx, uint32_t token, nrp_strbuf *out)
{
    namer_ctx *c = ctx;
    const char *name = NULL;
    c->calls++;
    c->last_token = token;
    switch (token) {
    case 0x01000005: name = "System.Collections.Generic.List`1"; break;
    case 0x02000002: name = "Demo.Outer+Inner"; break;
    case 0x01000003: name = "System.Collections.Generic.Dictionary`2"; break;
    case 0x01000010: name = "System.Guid"; break;
    case 0x01000001: name = "System.Runtime.CompilerServices.IsVolatile"; break;
    case 0x1B000001: name = "Spec1"; break;
    case 0x01000100: name = "Big.Row256"; break;
    default: return NRP_ERROR;
    }
    nrp_strbuf_puts(out, name);
    return NRP_OK;
}

/* Format and expect success with exactly `want`. */
static nrp_method_sig_info fmt_ok(const uint8_t *sig, size_t len, const char *want)
{
    nrp_strbuf sb;
    nrp_err err = {{0}};
    nrp_method_sig_info info;
    namer_ctx ctx = {0, 0};
    memset(&info, 0xA5, sizeof info);
    nrp_strbuf_init(&sb);
    if (nrp_sig_format_method_params(sig, len, fake_namer, &ctx, &sb, &info, &err) != NRP_OK)
        fail_msg("format failed: %s", err.msg);
    assert_string_equal(sb.data ? sb.data : "", want);
    assert_int_equal(sb.len, strlen(want));
    nrp_strbuf_free(&sb);
    return info;
}

/* Format and expect failure with a reason containing `want`. */
static void fmt_err(const uint8_t *sig, size_t len, const char *want)
{
    nrp_strbuf sb;
    nrp_err err = {{0}};
    namer_ctx ctx = {0, 0};
    nrp_strbuf_init(&sb);
    assert_int_equal(nrp_sig_format_method_params(sig, len, fake_namer, &ctx, &sb, NULL, &err),
                     NRP_ERROR);
    assert_true(err.msg[0] != '\0');
    if (!strstr(err.msg, want))
        fail_msg("error '%s' does not mention '%s'", err.msg, want);
    nrp_strbuf_free(&sb);
}

#define SIG(...) (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})

static void test_static_int_int(void **state)
{
    (void)state;
    /* static int M(int, int): DEFAULT, 2 params, ret I4, I4, I4 */
    nrp_method_sig_info info = fmt_ok(SIG(0x00, 0x02, 0x08, 0x08, 0x08), "System.Int32,System.Int32");
    assert_int_equal(info.callconv, 0x00);
    assert_int_equal(info.has_this, 0);
    assert_int_equal(info.generic_params, 0);
    assert_int_equal(info.param_count, 2);
}

static void test_instance_void_no_params(void **state)
{
    (void)state;
    /* instance void M(): HASTHIS, 0 params, ret VOID */
    nrp_method_sig_info info = fmt_ok(SIG(0x20, 0x00, 0x01), "");
    assert_int_equal(info.callconv, 0x20);
    assert_int_equal(info.has_this, 1);
    assert_int_equal(info.param_count, 0);
    /* explicit this too */
    info = fmt_ok(SIG(0x60, 0x00, 0x01), "");
    assert_int_equal(info.has_this, 1);
}

static void test_return_type_not_listed(void **state)
{
    (void)state;
    /* string[] M(): the return type is read but not printed */
    fmt_ok(SIG(0x00, 0x00, 0x1D, 0x0E), "");
    /* List`1<string> M(int) */
    fmt_ok(SIG(0x00, 0x01, 0x15, 0x12, 0x15, 0x01, 0x0E, 0x08), "System.Int32");
}

static void test_info_may_be_null(void **state)
{
    (void)state;
    const uint8_t sig[] = {0x00, 0x01, 0x01, 0x0E};
    nrp_strbuf sb;
    nrp_err err = {{0}};
    namer_ctx ctx = {0, 0};
    nrp_strbuf_init(&sb);
    assert_int_equal(nrp_sig_format_method_params(sig, sizeof sig, fake_namer, &ctx, &sb, NULL, &err),
                     NRP_OK);
    assert_string_equal(sb.data, "System.String");
    nrp_strbuf_free(&sb);
}

static void test_appends_to_existing_buffer(void **state)
{
    (void)state;
    const uint8_t sig[] = {0x00, 0x02, 0x01, 0x0E, 0x08};
    nrp_strbuf sb;
    nrp_err err = {{0}};
    namer_ctx ctx = {0, 0};
    nrp_strbuf_init(&sb);
    nrp_strbuf_puts(&sb, "M(");
    assert_int_equal(nrp_sig_format_method_params(sig, sizeof sig, fake_namer, &ctx, &sb, NULL, &err),
                     NRP_OK);
    nrp_strbuf_puts(&sb, ")");
    assert_string_equal(sb.data, "M(System.String,System.Int32)");
    nrp_strbuf_free(&sb);
}

static void test_arrays_byref_pointer_object(void **state)
{
    (void)state;
    /* void M(string[], ref int, int*, object, byte[][]) */
    fmt_ok(SIG(0x20, 0x05, 0x01,
               0x1D, 0x0E,        /* SZARRAY STRING */
               0x10, 0x08,        /* BYREF I4 */
               0x0F, 0x08,        /* PTR I4 */
               0x1C,              /* OBJECT */
               0x1D, 0x1D, 0x05), /* SZARRAY SZARRAY U1 */
           "System.String[],System.Int32&,System.Int32*,System.Object,System.Byte[][]");
    /* void* and int** and ref int[] */
    fmt_ok(SIG(0x00, 0x03, 0x01, 0x0F, 0x01, 0x0F, 0x0F, 0x08, 0x10, 0x1D, 0x08),
           "System.Void*,System.Int32**,System.Int32[]&");
}

static void test_multidim_array(void **state)
{
    (void)state;
    /* void M(int[,]) with sizes {5, 5} and lower bounds {0, 0} */
    fmt_ok(SIG(0x00, 0x01, 0x01,
               0x14, 0x08,        /* ARRAY I4 */
               0x02,              /* rank 2 */
               0x02, 0x05, 0x05,  /* 2 sizes: 5, 5 */
               0x02, 0x00, 0x00), /* 2 lower bounds: 0, 0 */
           "System.Int32[,]");
    /* rank 3, no sizes, no bounds, followed by another parameter */
    fmt_ok(SIG(0x00, 0x02, 0x01, 0x14, 0x0E, 0x03, 0x00, 0x00, 0x08),
           "System.String[,,],System.Int32");
    /* rank 2, sizes with a 2-byte value (0x100), a negative lower bound
     * (-1 as a signed compressed integer is 0x7F), then another parameter */
    fmt_ok(SIG(0x00, 0x02, 0x01,
               0x14, 0x0D, 0x02, 0x01, 0x81, 0x00, 0x02, 0x7F, 0x7F,
               0x02),
           "System.Double[,],System.Boolean");
    /* an array of List`1<int> */
    fmt_ok(SIG(0x00, 0x01, 0x01, 0x14, 0x15, 0x12, 0x15, 0x01, 0x08, 0x02, 0x00, 0x00),
           "System.Collections.Generic.List`1<System.Int32>[,]");
}

static void test_generic_instantiation(void **state)
{
    (void)state;
    /* void M(List`1<string>) */
    fmt_ok(SIG(0x00, 0x01, 0x01, 0x15, 0x12, 0x15, 0x01, 0x0E),
           "System.Collections.Generic.List`1<System.String>");
    /* void M(Dictionary`2<string, List`1<int>>, Outer+Inner) */
    fmt_ok(SIG(0x00, 0x02, 0x01,
               0x15, 0x12, 0x0D, 0x02, 0x0E, 0x15, 0x12, 0x15, 0x01, 0x08,
               0x12, 0x08),
           "System.Collections.Generic.Dictionary`2<System.String,System.Collections.Generic.List`1<System.Int32>>,"
           "Demo.Outer+Inner");
    /* a generic value type: GENERICINST VALUETYPE */
    fmt_ok(SIG(0x00, 0x01, 0x01, 0x15, 0x11, 0x15, 0x01, 0x13, 0x00),
           "System.Collections.Generic.List`1<!0>");
}

static void test_class_valuetype_tokens(void **state)
{
    (void)state;
    namer_ctx ctx = {0, 0};
    nrp_strbuf sb;
    nrp_err err = {{0}};
    /* void M(Outer+Inner, Guid, Spec1, Big.Row256) */
    const uint8_t sig[] = {0x00, 0x04, 0x01, 0x12, 0x08, 0x11, 0x41, 0x12, 0x06, 0x12, 0x84, 0x01};
    nrp_strbuf_init(&sb);
    assert_int_equal(nrp_sig_format_method_params(sig, sizeof sig, fake_namer, &ctx, &sb, NULL, &err),
                     NRP_OK);
    assert_string_equal(sb.data, "Demo.Outer+Inner,System.Guid,Spec1,Big.Row256");
    assert_int_equal(ctx.calls, 4);
    assert_int_equal(ctx.last_token, 0x01000100);
    nrp_strbuf_free(&sb);
}

static void test_generic_params(void **state)
{
    (void)state;
    /* instance generic void M<T0,T1>(!0, !!1): HASTHIS|GENERIC, 2 generic params */
    nrp_method_sig_info info =
        fmt_ok(SIG(0x30, 0x02, 0x02, 0x01, 0x13, 0x00, 0x1E, 0x01), "!0,!!1");
    assert_int_equal(info.callconv, 0x30);
    assert_int_equal(info.has_this, 1);
    assert_int_equal(info.generic_params, 2);
    assert_int_equal(info.param_count, 2);

    /* static generic M<T>(T[], List`1<!!0>, !!0&), index 200 as a 2-byte integer */
    info = fmt_ok(SIG(0x10, 0x01, 0x04, 0x01,
                      0x1D, 0x1E, 0x00,
                      0x15, 0x12, 0x15, 0x01, 0x1E, 0x00,
                      0x10, 0x1E, 0x00,
                      0x13, 0x80, 0xC8),
                  "!!0[],System.Collections.Generic.List`1<!!0>,!!0&,!200");
    assert_int_equal(info.callconv, 0x10);
    assert_int_equal(info.has_this, 0);
    assert_int_equal(info.generic_params, 1);
    assert_int_equal(info.param_count, 4);
}

/* Labels: a generic method's type parameters named as C# writes them,
 * the numbered parameters kept for `parameters`; "!0" of the type stays. */
static void test_method_label(void **state)
{
    (void)state;
    namer_ctx ctx = {0, 0};
    nrp_err err;
    nrp_sig_label l;
    /* static generic M<T,U>(List`1<!!0>, !!1[], !0) */
    static const uint8_t sig[] = {0x10, 0x02, 0x03, 0x01, 0x15, 0x12, 0x15, 0x01, 0x1E, 0x00,
                                  0x1D, 0x1E, 0x01, 0x13, 0x00};
    const char *names[] = {"TKey", "TValue"};
    nrp_sig_label_init(&l);
    assert_int_equal(nrp_sig_method_label("Ns.Cache`1", "Put", sig, sizeof sig, fake_namer, &ctx, names, 2, &l, &err),
                     NRP_OK);
    assert_string_equal(l.params.data, "System.Collections.Generic.List`1<!!0>,!!1[],!0");
    assert_string_equal(l.named_params.data, "System.Collections.Generic.List`1<TKey>,TValue[],!0");
    assert_string_equal(l.display.data, "Ns.Cache`1::Put<TKey,TValue>(System.Collections.Generic.List`1<TKey>,TValue[],!0)");
    nrp_sig_label_free(&l);
    /* Without all the names, the numbers stay. */
    nrp_sig_label_init(&l);
    assert_int_equal(nrp_sig_method_label("Ns.Cache`1", "Put", sig, sizeof sig, fake_namer, &ctx, names, 1, &l, &err),
                     NRP_OK);
    assert_null(l.named_params.data);
    assert_string_equal(l.display.data, "Ns.Cache`1::Put(System.Collections.Generic.List`1<!!0>,!!1[],!0)");
    nrp_sig_label_free(&l);
    /* Not generic: the plain label. */
    static const uint8_t plain[] = {0x00, 0x01, 0x01, 0x08};
    nrp_sig_label_init(&l);
    assert_int_equal(nrp_sig_method_label("Ns.T", "M", plain, sizeof plain, fake_namer, &ctx, NULL, 0, &l, &err),
                     NRP_OK);
    assert_string_equal(l.display.data, "Ns.T::M(System.Int32)");
    assert_null(l.named_params.data);
    nrp_sig_label_free(&l);
}

static void test_custom_modifiers_skipped(void **state)
{
    (void)state;
    namer_ctx ctx = {0, 0};
    nrp_strbuf sb;
    nrp_err err = {{0}};
    /* void M(int modopt(IsVolatile), int modreq(IsVolatile) modopt(Spec1)) */
    const uint8_t sig[] = {0x00, 0x02, 0x01, 0x20, 0x05, 0x08, 0x1F, 0x05, 0x20, 0x06, 0x08};
    nrp_strbuf_init(&sb);
    assert_int_equal(nrp_sig_format_method_params(sig, sizeof sig, fake_namer, &ctx, &sb, NULL, &err),
                     NRP_OK);
    assert_string_equal(sb.data, "System.Int32,System.Int32");
    assert_int_equal(ctx.calls, 0); /* modifier types are not named */
    nrp_strbuf_free(&sb);
    /* a modifier naming a token the namer does not know is fine too */
    fmt_ok(SIG(0x00, 0x01, 0x01, 0x20, 0x7D, 0x08), "System.Int32");
    /* on the return type */
    fmt_ok(SIG(0x00, 0x01, 0x1F, 0x05, 0x08, 0x0E), "System.String");
}

static void test_fnptr(void **state)
{
    (void)state;
    /* void M(method int *(int, string), string) */
    fmt_ok(SIG(0x00, 0x02, 0x01,
               0x1B, 0x00, 0x02, 0x08, 0x08, 0x0E, /* FNPTR: static int (int, string) */
               0x0E),
           "System.IntPtr,System.String");
    /* instance generic fnptr signature and nested fnptr */
    fmt_ok(SIG(0x00, 0x02, 0x01,
               0x1B, 0x20, 0x01, 0x01, 0x1B, 0x00, 0x00, 0x01, /* void (void ()*) */
               0x08),
           "System.IntPtr,System.Int32");
    /* unmanaged cdecl callconv inside */
    fmt_ok(SIG(0x00, 0x01, 0x01, 0x1B, 0x01, 0x00, 0x01), "System.IntPtr");
}

static void test_vararg_sentinel_pinned(void **state)
{
    (void)state;
    /* vararg int M(int, ..., string): SENTINEL before the variable part */
    nrp_method_sig_info info =
        fmt_ok(SIG(0x05, 0x02, 0x08, 0x08, 0x41, 0x0E), "System.Int32,System.String");
    assert_int_equal(info.callconv, 0x05);
    assert_int_equal(info.param_count, 2);
    fmt_ok(SIG(0x00, 0x01, 0x01, 0x45, 0x0E), "System.String");
    /* unmanaged (0x09) calling convention is accepted */
    fmt_ok(SIG(0x09, 0x01, 0x01, 0x18), "System.IntPtr");
}

static void test_all_primitives(void **state)
{
    (void)state;
    fmt_ok(SIG(0x00, 17, 0x01,
               0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E,
               0x18, 0x19, 0x1C, 0x16),
           "System.Boolean,System.Char,System.SByte,System.Byte,System.Int16,System.UInt16,"
           "System.Int32,System.UInt32,System.Int64,System.UInt64,System.Single,System.Double,"
           "System.String,System.IntPtr,System.UIntPtr,System.Object,System.TypedReference");
    static const struct {
        uint8_t et;
        const char *name;
    } prims[] = {
        {NRP_ELEMENT_BOOLEAN, "System.Boolean"}, {NRP_ELEMENT_CHAR, "System.Char"},
        {NRP_ELEMENT_I1, "System.SByte"},        {NRP_ELEMENT_U1, "System.Byte"},
        {NRP_ELEMENT_I2, "System.Int16"},        {NRP_ELEMENT_U2, "System.UInt16"},
        {NRP_ELEMENT_I4, "System.Int32"},        {NRP_ELEMENT_U4, "System.UInt32"},
        {NRP_ELEMENT_I8, "System.Int64"},        {NRP_ELEMENT_U8, "System.UInt64"},
        {NRP_ELEMENT_R4, "System.Single"},       {NRP_ELEMENT_R8, "System.Double"},
        {NRP_ELEMENT_STRING, "System.String"},   {NRP_ELEMENT_I, "System.IntPtr"},
        {NRP_ELEMENT_U, "System.UIntPtr"},       {NRP_ELEMENT_OBJECT, "System.Object"},
        {NRP_ELEMENT_TYPEDBYREF, "System.TypedReference"}, {NRP_ELEMENT_VOID, "System.Void"},
    };
    for (size_t i = 0; i < sizeof prims / sizeof prims[0]; i++) {
        const uint8_t sig[] = {0x00, 0x01, 0x01, prims[i].et};
        fmt_ok(sig, sizeof sig, prims[i].name);
    }
}

static void test_nesting_limit(void **state)
{
    (void)state;
    uint8_t sig[3 + 100 + 1];
    sig[0] = 0x00;
    sig[1] = 0x01;
    sig[2] = 0x01;
    /* 64 nested SZARRAYs: accepted */
    for (int i = 0; i < 64; i++)
        sig[3 + i] = 0x1D;
    sig[3 + 64] = 0x08;
    char want[16 + 64 * 2];
    strcpy(want, "System.Int32");
    for (int i = 0; i < 64; i++)
        strcat(want, "[]");
    fmt_ok(sig, 3 + 64 + 1, want);
    /* 65 and 100: refused */
    for (int i = 0; i < 100; i++)
        sig[3 + i] = 0x1D;
    sig[3 + 100] = 0x08;
    fmt_err(sig, 3 + 100 + 1, "deeper than 64");
    sig[3 + 65] = 0x08;
    fmt_err(sig, 3 + 65 + 1, "deeper than 64");
    /* 65 SZARRAY bytes and nothing after them */
    fmt_err(sig, 3 + 65, "deeper than 64");
    /* the limit applies to the return type as well */
    uint8_t ret[2 + 100 + 1];
    ret[0] = 0x00;
    ret[1] = 0x00;
    memset(ret + 2, 0x0F, 100); /* PTR PTR ... */
    ret[102] = 0x01;
    fmt_err(ret, sizeof ret, "deeper than 64");
    /* generic instantiations count as nesting too */
    uint8_t gi[3 + 70 * 4 + 1];
    size_t n = 0;
    gi[n++] = 0x00;
    gi[n++] = 0x01;
    gi[n++] = 0x01;
    for (int i = 0; i < 70; i++) {
        gi[n++] = 0x15;
        gi[n++] = 0x12;
        gi[n++] = 0x15;
        gi[n++] = 0x01;
    }
    gi[n++] = 0x08;
    fmt_err(gi, n, "deeper than 64");
}

static void test_reject_empty(void **state)
{
    (void)state;
    fmt_err((const uint8_t *)"", 0, "empty method signature");
    fmt_err(NULL, 0, "empty method signature");
}

static void test_reject_truncated(void **state)
{
    (void)state;
    fmt_err(SIG(0x00), "truncated");                         /* no param count */
    fmt_err(SIG(0x00, 0x02), "truncated");                   /* no return type */
    fmt_err(SIG(0x00, 0x02, 0x08, 0x08), "truncated");       /* second param missing */
    fmt_err(SIG(0x00, 0x01, 0x01, 0x12), "truncated");       /* CLASS without token */
    fmt_err(SIG(0x00, 0x01, 0x01, 0x12, 0x84), "truncated"); /* half a 2-byte token */
    fmt_err(SIG(0x00, 0x01, 0x01, 0x1D), "truncated");       /* SZARRAY of nothing */
    fmt_err(SIG(0x00, 0x01, 0x01, 0x14, 0x08, 0x02, 0x02, 0x05), "truncated"); /* array sizes */
    fmt_err(SIG(0x00, 0x01, 0x01, 0x14, 0x08, 0x02, 0x00), "truncated");       /* no bound count */
    fmt_err(SIG(0x00, 0x01, 0x01, 0x15, 0x12, 0x15, 0x02, 0x08), "truncated"); /* 1 of 2 args */
    fmt_err(SIG(0x00, 0x01, 0x01, 0x13), "truncated");       /* VAR without index */
    fmt_err(SIG(0x10, 0x01), "truncated");                   /* generic: no param count */
    fmt_err(SIG(0x10), "truncated");                         /* generic: no arity */
    fmt_err(SIG(0x00, 0x01, 0x01, 0x1B, 0x00, 0x01, 0x01), "truncated"); /* fnptr param */
    fmt_err(SIG(0x00, 0xC0, 0x00), "truncated");             /* bad 4-byte count */
    fmt_err(SIG(0x00, 0xFF, 0x01), "compressed integer");    /* 111xxxxx prefix */
    /* a huge parameter count with nothing behind it */
    fmt_err(SIG(0x00, 0xDF, 0xFF, 0xFF, 0xFF, 0x01, 0x08), "truncated");
}

static void test_reject_unknown_element_type(void **state)
{
    (void)state;
    fmt_err(SIG(0x00, 0x01, 0x01, 0x21), "unknown element type 0x21");
    fmt_err(SIG(0x00, 0x01, 0x01, 0x00), "unknown element type 0x00");
    fmt_err(SIG(0x00, 0x01, 0x01, 0x17), "unknown element type 0x17");
    fmt_err(SIG(0x00, 0x01, 0x01, 0x1A), "unknown element type 0x1a");
    fmt_err(SIG(0x00, 0x01, 0x01, 0xFF), "unknown element type 0xff");
    fmt_err(SIG(0x00, 0x01, 0x30, 0x08), "unknown element type 0x30"); /* in the return type */
    /* generic instantiation of something that is not a class or value type */
    fmt_err(SIG(0x00, 0x01, 0x01, 0x15, 0x08, 0x15, 0x01, 0x08), "generic instantiation of element type 0x08");
    /* TypeDefOrRef tag 3 does not exist */
    fmt_err(SIG(0x00, 0x01, 0x01, 0x12, 0x07), "invalid table tag");
}

static void test_reject_bad_calling_convention(void **state)
{
    (void)state;
    fmt_err(SIG(0x06, 0x08), "calling convention 0x06 is not a method signature"); /* FIELD */
    fmt_err(SIG(0x07, 0x01, 0x08), "calling convention 0x07");                     /* LOCAL_SIG */
    fmt_err(SIG(0x08, 0x00, 0x08), "calling convention 0x08");                     /* PROPERTY */
    fmt_err(SIG(0x0A, 0x01, 0x08), "calling convention 0x0a");                     /* GENERICINST */
    fmt_err(SIG(0x2F, 0x00, 0x01), "calling convention 0x2f");
    /* and in a function pointer */
    fmt_err(SIG(0x00, 0x01, 0x01, 0x1B, 0x06, 0x08), "calling convention 0x06");
}

static void test_reject_namer_failure(void **state)
{
    (void)state;
    fmt_err(SIG(0x00, 0x01, 0x01, 0x12, 0x80 | 0x01, 0x8C), "cannot name type token 0x02000063");
    fmt_err(SIG(0x00, 0x01, 0x01, 0x11, 0x09), "cannot name type token 0x01000002");
    /* in a generic instantiation's type */
    fmt_err(SIG(0x00, 0x01, 0x01, 0x15, 0x12, 0x0A, 0x01, 0x08), "cannot name type token 0x1b000002");
    /* in the return type */
    fmt_err(SIG(0x00, 0x00, 0x12, 0x04), "cannot name type token 0x02000001");
}

/* ------------------------------------------------------------------------ */
/* fuzz                                                                      */
/* ------------------------------------------------------------------------ */


static int fuzz_namer(void *ctx, uint32_t token, nrp_strbuf *out)
{
    (void)ctx;
    if ((token & 0xFF) == 0x13)
        return NRP_ERROR;
    nrp_strbuf_printf(out, "T%08x", token);
    return NRP_OK;
}

static void test_fuzz_never_crashes(void **state)
{
    (void)state;
    /* Element types real signatures use, so many blobs get deep. */
    static const uint8_t common[] = {0x01, 0x08, 0x0E, 0x0F, 0x10, 0x11, 0x12, 0x13, 0x14,
                                     0x15, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x41, 0x45};
    rng_state = 0x2545F4914F6CDD1Dull;
    uint8_t blob[96];
    int ok = 0, failed = 0;
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = rnd() % sizeof blob;
        int mode = (int)(rnd() % 3);
        for (size_t i = 0; i < len; i++) {
            uint32_t r = rnd();
            if (mode == 0)
                blob[i] = (uint8_t)r;
            else if (mode == 1)
                blob[i] = common[r % sizeof common];
            else
                blob[i] = (uint8_t)(r % 0x50);
        }
        if (len && rnd() % 2)
            blob[0] = (uint8_t)((rnd() % 2 ? 0x20 : 0x00) | (rnd() % 2 ? 0x10 : 0x00) | rnd() % 6);
        /* the parser must read only the `len` bytes: copy into an exact-size heap block */
        uint8_t *heap = malloc(len ? len : 1);
        assert_non_null(heap);
        memcpy(heap, blob, len);
        nrp_strbuf sb;
        nrp_err err;
        nrp_method_sig_info info;
        err.msg[0] = '\0';
        nrp_strbuf_init(&sb);
        int rc = nrp_sig_format_method_params(heap, len, fuzz_namer, NULL, &sb,
                                              (rnd() % 2) ? &info : NULL, &err);
        if (rc == NRP_OK) {
            ok++;
        } else {
            assert_int_equal(rc, NRP_ERROR);
            assert_true(err.msg[0] != '\0');
            failed++;
        }
        nrp_strbuf_free(&sb);
        free(heap);

        /* compressed integers too */
        const uint8_t *p = blob, *end = blob + len;
        uint32_t v;
        while (nrp_sig_read_compressed(&p, end, &v) == NRP_OK)
            assert_true(p <= end);
    }
    /* both outcomes were exercised */
    assert_true(ok > 100);
    assert_true(failed > 100);
}

/* Each parameter's type without BYREF or modifiers, and the return's. */
static void test_method_param(void **state)
{
    (void)state;
    /* instance int32 M(string, int32&, modreq(0x1B000001) !!0[], valuetype 0x02000004) */
    static const uint8_t sig[] = {0x20, 0x04, 0x08, 0x0E, 0x10, 0x08, 0x1F, 0x06, 0x1D, 0x1E, 0x00, 0x11, 0x10};
    nrp_sig_span t;
    int byref;
    nrp_err err;
    assert_int_equal(nrp_sig_method_param(sig, sizeof sig, -1, &t, &byref, &err), NRP_OK);
    assert_int_equal(t.len, 1);
    assert_int_equal(t.data[0], 0x08);
    assert_int_equal(nrp_sig_method_param(sig, sizeof sig, 0, &t, &byref, &err), NRP_OK);
    assert_true(t.len == 1 && t.data[0] == 0x0E && !byref);
    assert_int_equal(nrp_sig_method_param(sig, sizeof sig, 1, &t, &byref, &err), NRP_OK);
    assert_true(t.len == 1 && t.data[0] == 0x08 && byref);
    assert_int_equal(nrp_sig_method_param(sig, sizeof sig, 2, &t, &byref, &err), NRP_OK);
    assert_true(t.len == 3 && t.data[0] == 0x1D && t.data[1] == 0x1E && !byref);
    assert_int_equal(nrp_sig_method_param(sig, sizeof sig, 3, &t, &byref, &err), NRP_OK);
    assert_true(t.len == 2 && t.data[0] == 0x11 && t.data[1] == 0x10);
    assert_int_equal(nrp_sig_method_param(sig, sizeof sig, 4, &t, &byref, &err), NRP_ERROR);
    assert_string_equal(err.msg, "no parameter 4 (the method has 4)");
    assert_int_equal(nrp_sig_method_param(sig, 6, 3, &t, &byref, &err), NRP_ERROR); /* truncated */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_method_param),
        cmocka_unit_test(test_compressed_one_byte),
        cmocka_unit_test(test_compressed_two_bytes),
        cmocka_unit_test(test_compressed_four_bytes),
        cmocka_unit_test(test_compressed_sequence),
        cmocka_unit_test(test_compressed_invalid),
        cmocka_unit_test(test_static_int_int),
        cmocka_unit_test(test_instance_void_no_params),
        cmocka_unit_test(test_return_type_not_listed),
        cmocka_unit_test(test_info_may_be_null),
        cmocka_unit_test(test_appends_to_existing_buffer),
        cmocka_unit_test(test_arrays_byref_pointer_object),
        cmocka_unit_test(test_multidim_array),
        cmocka_unit_test(test_generic_instantiation),
        cmocka_unit_test(test_class_valuetype_tokens),
        cmocka_unit_test(test_generic_params),
        cmocka_unit_test(test_method_label),
        cmocka_unit_test(test_custom_modifiers_skipped),
        cmocka_unit_test(test_fnptr),
        cmocka_unit_test(test_vararg_sentinel_pinned),
        cmocka_unit_test(test_all_primitives),
        cmocka_unit_test(test_nesting_limit),
        cmocka_unit_test(test_reject_empty),
        cmocka_unit_test(test_reject_truncated),
        cmocka_unit_test(test_reject_unknown_element_type),
        cmocka_unit_test(test_reject_bad_calling_convention),
        cmocka_unit_test(test_reject_namer_failure),
        cmocka_unit_test(test_fuzz_never_crashes),
    };
    return cmocka_run_group_tests_name("sig", tests, NULL, NULL);
}
