/*
 * test_roundtrip.c - the IL round-trip oracle (host/inspect/roundtrip.c)
 * and the body readers under it (host/meta/body.c).
 *
 * Real assemblies first: tests/unit/data/Meta.Sample.dll and, when a .NET
 * runtime is installed, every assembly of its shared framework, which must
 * round-trip with no difference. Then the sample with method bodies of our
 * own written into its .text section's padding and a method's RVA pointed
 * at them: exception sections the sample lacks, and damage the oracle must
 * report (or the reader refuse) without reading outside the file. Last,
 * the comparison on hand-made bodies, one kind of difference at a time, so
 * that a comparison that sees nothing fails here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inspect/roundtrip.h"
#include "meta/meta_internal.h" /* the sample's section table and MethodDef rows, to patch */
#include "runtime_files.h"
#include "test_rng.h"

#define SAMPLE NRP_TEST_DATA_DIR "/Meta.Sample.dll"

/* A report written to memory, to look into. */
typedef struct capture {
    char *text;
    size_t len;
    FILE *f;
} capture;

static void capture_open(capture *c)
{
    c->text = NULL;
    c->len = 0;
    c->f = open_memstream(&c->text, &c->len);
    assert_non_null(c->f);
}

static const char *capture_close(capture *c)
{
    fclose(c->f);
    return c->text ? c->text : "";
}

/* ---- real assemblies ---------------------------------------------------- */

static void sample_round_trips(void **state)
{
    (void)state;
    nrp_roundtrip_stats s = {0};
    nrp_err err;
    capture c;
    capture_open(&c);
    if (nrp_roundtrip_assembly(SAMPLE, &s, c.f, &err) != NRP_OK)
        fail_msg("%s", err.msg);
    const char *report = capture_close(&c);
    assert_string_equal(report, "");
    free(c.text);
    assert_int_equal(s.assemblies, 1);
    assert_true(s.methods >= 15); /* the interface's static abstract method has no body */
    assert_int_equal(s.differences, 0);
    assert_int_equal(s.stack_raised, 0);
}

static void not_an_assembly(void **state)
{
    (void)state;
    nrp_roundtrip_stats s = {0};
    nrp_err err;
    assert_int_equal(nrp_roundtrip_assembly("/nonexistent/x.dll", &s, NULL, &err), NRP_ERROR);
    assert_int_equal(nrp_roundtrip_assembly("/proc/self/exe", &s, NULL, &err), NRP_ERROR);
    assert_int_equal(s.assemblies, 0);
    assert_int_equal(s.methods, 0);
}

/* Every assembly of the shared framework: its compilers' output, the
 * largest body of real IL at hand. */
static void runtime_round_trips(void **state)
{
    (void)state;
    const char *dir;
    DIR *d = nrp_test_runtime_dir(&dir);
    if (!d)
        skip();
    nrp_roundtrip_stats s = {0};
    struct dirent *e;
    capture c;
    capture_open(&c);
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        nrp_err err;
        if (!nrp_test_is_dll(e->d_name))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (nrp_roundtrip_assembly(path, &s, c.f, &err) != NRP_OK)
            fail_msg("%s", err.msg);
    }
    closedir(d);
    const char *report = capture_close(&c);
    print_message("%zu assemblies, %zu methods, %zu differences\n", s.assemblies, s.methods, s.differences);
    if (s.differences)
        print_message("%.4000s", report);
    free(c.text);
    assert_true(s.assemblies > 100);
    assert_true(s.methods > 50000);
    assert_int_equal(s.differences, 0);
    /* The analysis is exact: it never needs more than the compilers
     * declared. */
    assert_int_equal(s.stack_raised, 0);
}

/* ---- bodies of our own in the sample ------------------------------------- */

/* The sample, with where its .text section's padding is (past the
 * section's virtual size, inside its raw data: a reader of the file reads
 * there) and where a method's RVA cell is. */
typedef struct patched {
    uint8_t *bytes;
    size_t len;
    uint32_t pad_off, pad_rva, pad_len; /* 4-aligned */
    size_t rva_cell;                    /* Meta.Sample.Hooks::OnEnter's */
    uint32_t row;
} patched;

static void patched_open(patched *p)
{
    nrp_meta *m;
    nrp_err err;
    uint32_t type = 0, row = 0;
    nrp_meta_method_iter it;
    p->bytes = nrp_test_read_file(SAMPLE, &p->len);
    if (nrp_meta_open(p->bytes, p->len, &m, &err) != NRP_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(nrp_meta_find_type(m, "Meta.Sample.Hooks", &type, &err), NRP_OK);
    assert_int_equal(nrp_meta_methods_begin(m, type, &it, &err), NRP_OK);
    p->row = 0;
    while (nrp_meta_methods_next(m, &it, &row, &err) == 1) {
        nrp_meta_method_def d;
        assert_int_equal(nrp_meta_method_def_row(m, row, &d, &err), NRP_OK);
        if (strcmp(d.name, "OnEnter") == 0)
            p->row = row;
    }
    assert_true(p->row != 0);
    const uint8_t *table = m->table[NRP_META_METHODDEF];
    p->rva_cell = (size_t)(table - p->bytes) + (size_t)(p->row - 1) * m->row_size[NRP_META_METHODDEF];
    assert_int_equal(m->col_size[NRP_META_METHODDEF][0], 4);
    uint32_t rva = u32_at(p->bytes + p->rva_cell);
    p->pad_len = 0;
    for (uint32_t i = 0; i < m->section_count; i++) {
        const uint8_t *sec = m->sections + 40u * i;
        uint32_t vsize = u32_at(sec + 8), va = u32_at(sec + 12), raw_size = u32_at(sec + 16),
                 raw_ptr = u32_at(sec + 20);
        if (rva < va || rva - va >= raw_size)
            continue;
        uint32_t start = (vsize + 3) & ~3u;
        assert_true(start < raw_size);
        p->pad_off = raw_ptr + start;
        p->pad_rva = va + start;
        p->pad_len = raw_size - start;
    }
    nrp_meta_close(m);
    /* Room for the bodies below; the sample is committed, so this holds. */
    assert_true(p->pad_len >= 68);
    assert_true(p->pad_off + p->pad_len <= p->len);
}

/* Put body at the start of the padding and point the method at it. */
static void patched_put(patched *p, const uint8_t *body, size_t len)
{
    assert_true(len <= p->pad_len);
    memset(p->bytes + p->pad_off, 0, p->pad_len);
    memcpy(p->bytes + p->pad_off, body, len);
    uint32_t rva = p->pad_rva;
    for (int k = 0; k < 4; k++)
        p->bytes[p->rva_cell + (size_t)k] = (uint8_t)(rva >> (8 * k));
}

/* Round-trip the patched sample in memory: its stats, and its report. */
static char *patched_round_trip(const patched *p, nrp_roundtrip_stats *s)
{
    nrp_meta *m;
    nrp_err err;
    capture c;
    memset(s, 0, sizeof *s);
    if (nrp_meta_open(p->bytes, p->len, &m, &err) != NRP_OK)
        fail_msg("%s", err.msg);
    capture_open(&c);
    nrp_roundtrip_meta(m, "sample", s, c.f);
    capture_close(&c);
    nrp_meta_close(m);
    return c.text ? c.text : strdup("");
}

/* try { try { } catch (TypeRef 1) { pop } } finally { }; throw null:
 * a fat header, then two exception sections, a small one and a fat one,
 * chained. Any signature will do: the code never returns. */
static const uint8_t NESTED_EH[] = {
    /* header: fat, more sections, 3 dwords; max stack 2; 12 bytes of code; no locals */
    0x0B, 0x30, 0x02, 0x00, 0x0C, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* IL_0000 nop; IL_0001 leave.s IL_000a; IL_0003 pop; IL_0004 leave.s IL_000a;
     * IL_0006 leave.s IL_000a; IL_0008 nop; IL_0009 endfinally; IL_000a ldnull; IL_000b throw */
    0x00, 0xDE, 0x07, 0x26, 0xDE, 0x04, 0xDE, 0x02, 0x00, 0xDC, 0x14, 0x7A,
    /* +24: small EH section, more follow, 16 bytes: catch try [0,3) handler [3,6) class 0x01000001 */
    0x81, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x03, 0x00, 0x03, 0x01, 0x00, 0x00, 0x01,
    /* +40: fat EH section, the last, 28 bytes: finally try [0,8) handler [8,10) */
    0x41, 0x1C, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00,
    0x08, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
enum { NESTED_EH_SECOND_SECTION = 40, NESTED_EH_CODE = 12 };

static void own_body_with_sections_round_trips(void **state)
{
    (void)state;
    patched p;
    nrp_roundtrip_stats s, plain;
    patched_open(&p);
    free(patched_round_trip(&p, &plain));
    patched_put(&p, NESTED_EH, sizeof NESTED_EH);
    char *report = patched_round_trip(&p, &s);
    assert_string_equal(report, "");
    assert_int_equal(s.methods, plain.methods);
    assert_int_equal(s.differences, 0);

    /* The reader's extent is the header's: the two sections, no more. */
    nrp_meta *m;
    nrp_meta_method_def d;
    const uint8_t *body;
    size_t len;
    nrp_err err;
    assert_int_equal(nrp_meta_open(p.bytes, p.len, &m, &err), NRP_OK);
    assert_int_equal(nrp_meta_method_def_row(m, p.row, &d, &err), NRP_OK);
    assert_int_equal(nrp_meta_method_body(m, d.rva, &body, &len, &err), NRP_OK);
    assert_int_equal(len, sizeof NESTED_EH);
    assert_ptr_equal(body, p.bytes + p.pad_off);
    assert_int_equal(nrp_meta_method_body(m, 0, &body, &len, &err), NRP_ERROR);
    assert_int_equal(nrp_meta_method_body(m, 0x7FFFFFF0u, &body, &len, &err), NRP_ERROR);
    assert_int_equal(nrp_meta_method_body(m, p.pad_rva + p.pad_len - 1, &body, &len, &err), NRP_ERROR);
    nrp_meta_close(m);
    free(report);
    free(p.bytes);
}

/* One damaged copy: exactly that method is reported, with its name, its
 * token and `expect` in the line. */
static void expect_one_report(const patched *p, const char *expect)
{
    nrp_roundtrip_stats s;
    char *report = patched_round_trip(p, &s);
    const char *label = "sample: Meta.Sample.Hooks::OnEnter(System.String,System.Object,System.Object[])";
    char token[32];
    snprintf(token, sizeof token, " 0x%08x: ", (unsigned)NRP_META_METHODDEF << 24 | p->row);
    assert_int_equal(s.differences, 1);
    if (strncmp(report, label, strlen(label)) != 0 ||
        !strstr(report, token) || !strstr(report, expect) || strchr(report, '\n') != report + strlen(report) - 1)
        fail_msg("expected one line naming OnEnter, %s and \"%s\", got: %s", token, expect, report);
    free(report);
}

static void damaged_bodies_are_reported(void **state)
{
    (void)state;
    patched p;
    uint8_t body[sizeof NESTED_EH];
    patched_open(&p);

    memcpy(body, NESTED_EH, sizeof body);
    body[NESTED_EH_CODE] = 0x24; /* no such opcode */
    patched_put(&p, body, sizeof body);
    expect_one_report(&p, "decode refused: unknown opcode 0x24 at IL_0000");

    memcpy(body, NESTED_EH, sizeof body);
    body[NESTED_EH_CODE + 2] = 0x04; /* leave.s into the middle of the leave.s at IL_0006 */
    patched_put(&p, body, sizeof body);
    expect_one_report(&p, "decode refused: leave at IL_0001 branches to IL_0007, not the start of an instruction");

    /* pop on an empty stack: it decodes, and the max-stack analysis refuses it. */
    memcpy(body, NESTED_EH, sizeof body);
    body[NESTED_EH_CODE] = 0x26;
    patched_put(&p, body, sizeof body);
    expect_one_report(&p, "encode refused: IL_0000: pop needs 1 stack slot(s), 0 available");

    /* The second section says it runs on for 0x7FFF bytes: past the section. */
    memcpy(body, NESTED_EH, sizeof body);
    body[NESTED_EH_SECOND_SECTION + 1] = 0xFF;
    body[NESTED_EH_SECOND_SECTION + 2] = 0x7F;
    patched_put(&p, body, sizeof body);
    expect_one_report(&p, "cannot read the body");

    /* A section of no bytes would never end the list. */
    memcpy(body, NESTED_EH, sizeof body);
    body[NESTED_EH_SECOND_SECTION + 1] = 0x00;
    body[NESTED_EH_SECOND_SECTION] |= 0x80;
    patched_put(&p, body, sizeof body);
    expect_one_report(&p, "cannot read the body");

    /* The code runs past the section. */
    memcpy(body, NESTED_EH, sizeof body);
    body[5] = 0x10;
    patched_put(&p, body, sizeof body);
    expect_one_report(&p, "cannot read the body");

    /* A header that is neither tiny nor fat. */
    memcpy(body, NESTED_EH, sizeof body);
    body[0] = 0x00;
    patched_put(&p, body, sizeof body);
    expect_one_report(&p, "unknown header format");

    /* The catch's class token is kept, whatever it is: no difference. */
    memcpy(body, NESTED_EH, sizeof body);
    body[24 + 12] = 0x7F;
    patched_put(&p, body, sizeof body);
    nrp_roundtrip_stats s;
    char *report = patched_round_trip(&p, &s);
    assert_int_equal(s.differences, 0);
    free(report);
    free(p.bytes);
}

/* The same damage through the file API: the path starts the line. */
static void damaged_file_is_reported(void **state)
{
    (void)state;
    patched p;
    uint8_t body[sizeof NESTED_EH];
    char path[] = "/tmp/nrp-test-roundtrip-XXXXXX";
    patched_open(&p);
    memcpy(body, NESTED_EH, sizeof body);
    body[NESTED_EH_CODE] = 0x24;
    patched_put(&p, body, sizeof body);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, p.bytes, p.len), (ssize_t)p.len);
    close(fd);
    nrp_roundtrip_stats s = {0};
    nrp_err err;
    capture c;
    capture_open(&c);
    assert_int_equal(nrp_roundtrip_assembly(path, &s, c.f, &err), NRP_OK);
    const char *report = capture_close(&c);
    unlink(path);
    assert_int_equal(s.differences, 1);
    assert_true(strncmp(report, path, strlen(path)) == 0);
    assert_non_null(strstr(report, ": Meta.Sample.Hooks::OnEnter("));
    assert_non_null(strstr(report, "unknown opcode 0x24"));
    free(c.text);
    free(p.bytes);
}

/* Random damage to our body and to the MethodDef table: whatever comes
 * out, the reader and the oracle stay inside the file (ASan watches) and
 * say something about most copies. */
static void random_damage_stays_in_bounds(void **state)
{
    (void)state;
    patched p;
    nrp_meta *m;
    nrp_err err;
    patched_open(&p);
    patched_put(&p, NESTED_EH, sizeof NESTED_EH);
    assert_int_equal(nrp_meta_open(p.bytes, p.len, &m, &err), NRP_OK);
    size_t table_off = (size_t)(m->table[NRP_META_METHODDEF] - p.bytes);
    size_t table_len = (size_t)m->rows[NRP_META_METHODDEF] * m->row_size[NRP_META_METHODDEF];
    nrp_meta_close(m);
    uint8_t *work = malloc(p.len);
    assert_non_null(work);
    size_t reported = 0;
    rng_state = 0x726f756eu;
    for (int round = 0; round < 3000; round++) {
        memcpy(work, p.bytes, p.len);
        int flips = 1 + (int)(rnd() % 4);
        for (int i = 0; i < flips; i++) {
            size_t at = round % 4 == 3 ? table_off + rnd() % table_len : p.pad_off + rnd() % sizeof NESTED_EH;
            work[at] = (rnd() & 1) ? (uint8_t)rnd() : (uint8_t)(work[at] ^ (1u << (rnd() % 8)));
        }
        if (nrp_meta_open(work, p.len, &m, &err) != NRP_OK)
            continue;
        nrp_roundtrip_stats s = {0};
        FILE *sink = fopen("/dev/null", "w");
        assert_non_null(sink);
        nrp_roundtrip_meta(m, "damaged", &s, sink);
        fclose(sink);
        nrp_meta_close(m);
        reported += s.differences > 0;
    }
    print_message("%zu of 3000 damaged copies reported\n", reported);
    assert_true(reported > 1000);
    free(work);
    free(p.bytes);
}

/* ---- the comparison, one difference at a time ---------------------------- */

static const uint8_t SIG_I4_I4[] = {0x00, 0x01, 0x08, 0x08}; /* static int32(int32) */
static const uint8_t SIG_VOID[] = {0x00, 0x00, 0x01};        /* static void() */

static nrp_il_method *decode(const uint8_t *body, size_t len, const uint8_t *sig, uint32_t sig_len)
{
    nrp_il_method *m;
    nrp_err err;
    if (nrp_il_method_decode(body, len, sig, sig_len, NULL, &m, &err) != NRP_OK)
        fail_msg("%s", err.msg);
    return m;
}

/* compare(a, b): the first difference contains `expect`, or, NULL, none. */
static void expect_compare(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len, const uint8_t *sig,
                           uint32_t sig_len, const char *expect)
{
    nrp_il_method *x = decode(a, a_len, sig, sig_len), *y = decode(b, b_len, sig, sig_len);
    nrp_strbuf what;
    nrp_strbuf_init(&what);
    int differs = nrp_roundtrip_compare(x, y, &what);
    if (differs != (expect != NULL) || (expect && !strstr(what.data ? what.data : "", expect)))
        fail_msg("expected %s%s%s, got %d: %s", expect ? "\"" : "", expect ? expect : "no difference",
                 expect ? "\"" : "", differs, what.data ? what.data : "");
    nrp_strbuf_free(&what);
    nrp_il_method_free(x);
    nrp_il_method_free(y);
}

/* IL_0000 ldarg.0; IL_0001 brtrue.s IL_0006; IL_0003 ldc.i4.s 5; IL_0005 ret;
 * IL_0006 ldc.i4.2; IL_0007 ret (a tiny header). */
#define BRANCHY(op, disp, k) {0x02 | 8 << 2, 0x02, op, disp, 0x1F, k, 0x2A, 0x18, 0x2A}

static void compare_sees_instruction_differences(void **state)
{
    (void)state;
    static const uint8_t base[] = BRANCHY(0x2D, 3, 5);
    static const uint8_t operand[] = BRANCHY(0x2D, 3, 6);
    static const uint8_t opcode[] = BRANCHY(0x2C, 3, 5);
    static const uint8_t target[] = BRANCHY(0x2D, 2, 5);
    static const uint8_t longer[] = {0x02 | 9 << 2, 0x02, 0x2D, 0x03, 0x1F, 0x05, 0x2A, 0x18, 0x00, 0x2A};
    /* The same method with a long brtrue: other bytes, the same meaning. */
    static const uint8_t long_form[] = {0x02 | 11 << 2, 0x02, 0x3A, 0x03, 0x00, 0x00, 0x00, 0x1F, 0x05, 0x2A, 0x18, 0x2A};
    /* IL_0000 ldarg.0; IL_0001 switch (IL_000e, IL_000f); IL_000e ldc.i4.0; IL_000f ret;
     * IL_0010 ldc.i4.1; IL_0011 ret, and the same switching to (IL_000f, IL_000f). */
    static const uint8_t sw_a[] = {0x02 | 18 << 2, 0x02, 0x45, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                   0x01, 0x00, 0x00, 0x00, 0x16, 0x2A, 0x17, 0x2A};
    static const uint8_t sw_b[] = {0x02 | 18 << 2, 0x02, 0x45, 0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
                                   0x01, 0x00, 0x00, 0x00, 0x16, 0x2A, 0x17, 0x2A};
    expect_compare(base, sizeof base, base, sizeof base, SIG_I4_I4, sizeof SIG_I4_I4, NULL);
    expect_compare(base, sizeof base, long_form, sizeof long_form, SIG_I4_I4, sizeof SIG_I4_I4, NULL);
    expect_compare(base, sizeof base, operand, sizeof operand, SIG_I4_I4, sizeof SIG_I4_I4,
                   "instruction 2 (IL_0003) ldc.i4.s: operand 0x5 became 0x6");
    expect_compare(base, sizeof base, opcode, sizeof opcode, SIG_I4_I4, sizeof SIG_I4_I4,
                   "instruction 1 (IL_0001) brtrue became brfalse");
    expect_compare(base, sizeof base, target, sizeof target, SIG_I4_I4, sizeof SIG_I4_I4,
                   "instruction 1 (IL_0001) brtrue: target 4 became 3");
    expect_compare(base, sizeof base, longer, sizeof longer, SIG_I4_I4, sizeof SIG_I4_I4,
                   "6 instructions became 7");
    expect_compare(sw_a, sizeof sw_a, sw_a, sizeof sw_a, SIG_I4_I4, sizeof SIG_I4_I4, NULL);
    expect_compare(sw_a, sizeof sw_a, sw_b, sizeof sw_b, SIG_I4_I4, sizeof SIG_I4_I4,
                   "instruction 1 (IL_0001) switch: target 0, instruction 2, became 3");
}

/* A fat header (flags low byte, max stack, local signature) over
 * IL_0000 nop; IL_0001 leave.s IL_0006; IL_0003 pop; IL_0004 leave.s IL_0006; IL_0006 ret,
 * with one small EH section of one clause. */
static void fat_try(uint8_t out[36], uint8_t flags, uint16_t max_stack, uint32_t local_sig, uint16_t clause_flags,
                    uint8_t try_len, uint8_t handler_off, uint32_t token)
{
    static const uint8_t code[] = {0x00, 0xDE, 0x03, 0x26, 0xDE, 0x00, 0x2A};
    memset(out, 0, 36);
    out[0] = flags | 0x0B, out[1] = 0x30;
    out[2] = (uint8_t)max_stack, out[3] = (uint8_t)(max_stack >> 8);
    out[4] = sizeof code;
    for (int k = 0; k < 4; k++)
        out[8 + k] = (uint8_t)(local_sig >> (8 * k));
    memcpy(out + 12, code, sizeof code);
    uint8_t *s = out + 20; /* 12 + 7, aligned */
    s[0] = 0x01, s[1] = 16;
    s[4] = (uint8_t)clause_flags;
    s[8] = try_len;
    s[9] = handler_off, s[11] = (uint8_t)(6 - handler_off);
    for (int k = 0; k < 4; k++)
        s[12 + k] = (uint8_t)(token >> (8 * k));
}

static void compare_sees_header_and_clause_differences(void **state)
{
    (void)state;
    uint8_t a[36], b[36];
    const uint8_t *sig = SIG_VOID;
    uint32_t n = sizeof SIG_VOID;
    fat_try(a, 0x10, 2, 0x11000001, 0, 3, 3, 0x01000001);
    fat_try(b, 0x10, 2, 0x11000001, 0, 3, 3, 0x01000001);
    expect_compare(a, sizeof a, b, sizeof b, sig, n, NULL);
    fat_try(b, 0x10, 2, 0x11000001, 0, 3, 3, 0x01000002);
    expect_compare(a, sizeof a, b, sizeof b, sig, n,
                   "exception clause 0: flags 0x0 try [0,2) handler [2,4) class 0x1000001 became "
                   "flags 0x0 try [0,2) handler [2,4) class 0x1000002");
    fat_try(b, 0x10, 2, 0x11000001, 0, 1, 3, 0x01000001);
    expect_compare(a, sizeof a, b, sizeof b, sig, n, "try [0,1) handler [2,4)");
    fat_try(b, 0x10, 2, 0x11000001, 0, 3, 4, 0x01000001);
    expect_compare(a, sizeof a, b, sizeof b, sig, n, "handler [3,4)");
    fat_try(b, 0x10, 2, 0x11000001, 2, 3, 3, 0);
    expect_compare(a, sizeof a, b, sizeof b, sig, n, "became flags 0x2");
    fat_try(b, 0x00, 2, 0x11000001, 0, 3, 3, 0x01000001);
    expect_compare(a, sizeof a, b, sizeof b, sig, n, "init locals 1 became 0");
    fat_try(b, 0x10, 2, 0x11000002, 0, 3, 3, 0x01000001);
    expect_compare(a, sizeof a, b, sizeof b, sig, n, "local signature 0x11000001 became 0x11000002");
    fat_try(b, 0x10, 1, 0x11000001, 0, 3, 3, 0x01000001);
    expect_compare(a, sizeof a, b, sizeof b, sig, n, "max stack 1 is below the compiler's 2");
    /* A larger max stack is still a bound. */
    fat_try(b, 0x10, 3, 0x11000001, 0, 3, 3, 0x01000001);
    expect_compare(a, sizeof a, b, sizeof b, sig, n, NULL);
    /* Without clauses at all. */
    b[0] = 0x13;
    expect_compare(a, sizeof a, b, sizeof b, sig, n, "1 exception clauses became 0");
}

/* One body through the whole round trip: a method the engine encodes with
 * another max stack than declared, and one it refuses. */
static void body_round_trip(void **state)
{
    (void)state;
    uint8_t a[36];
    nrp_strbuf what;
    int raised = -1;
    nrp_il_env env = {0};
    fat_try(a, 0x10, 0, 0x11000001, 0, 3, 3, 0x01000001);
    nrp_strbuf_init(&what);
    assert_int_equal(nrp_roundtrip_body(a, sizeof a, SIG_VOID, sizeof SIG_VOID, &env, &what, &raised), 0);
    assert_int_equal(raised, 1); /* the catch starts with the exception on the stack: 1 > 0 */
    assert_int_equal(what.len, 0);
    fat_try(a, 0x10, 5, 0x11000001, 0, 3, 3, 0x01000001);
    assert_int_equal(nrp_roundtrip_body(a, sizeof a, SIG_VOID, sizeof SIG_VOID, &env, &what, &raised), 0);
    assert_int_equal(raised, 0);
    /* pop; ret: the analysis refuses the underflow. */
    static const uint8_t underflow[] = {0x02 | 2 << 2, 0x26, 0x2A};
    assert_int_equal(nrp_roundtrip_body(underflow, sizeof underflow, SIG_VOID, sizeof SIG_VOID, &env, &what, NULL),
                     1);
    assert_non_null(strstr(what.data, "encode refused: IL_0000: pop needs 1"));
    nrp_strbuf_free(&what);
    nrp_strbuf_init(&what);
    /* A call with no way to know its stack effect is refused too. */
    static const uint8_t call[] = {0x02 | 6 << 2, 0x28, 0x01, 0x00, 0x00, 0x0A, 0x2A};
    assert_int_equal(nrp_roundtrip_body(call, sizeof call, SIG_VOID, sizeof SIG_VOID, &env, &what, NULL), 1);
    assert_non_null(strstr(what.data, "encode refused"));
    nrp_strbuf_free(&what);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sample_round_trips),
        cmocka_unit_test(not_an_assembly),
        cmocka_unit_test(runtime_round_trips),
        cmocka_unit_test(own_body_with_sections_round_trips),
        cmocka_unit_test(damaged_bodies_are_reported),
        cmocka_unit_test(damaged_file_is_reported),
        cmocka_unit_test(random_damage_stays_in_bounds),
        cmocka_unit_test(compare_sees_instruction_differences),
        cmocka_unit_test(compare_sees_header_and_clause_differences),
        cmocka_unit_test(body_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
