/*
 * test_meta.c - the offline metadata reader (host/meta) on real
 * assemblies: tests/unit/data/Meta.Sample.dll (built from
 * data/MetaSample/, one member of each shape) and, when a .NET runtime is
 * installed, every assembly of its shared framework. Then damaged copies:
 * every truncation of the sample, random byte flips and targeted
 * corruptions, which must fail cleanly or read consistently, never crash.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "meta/meta_internal.h" /* r2r.c's index, checked against the TypeDef table */
#include "meta_walk.h"
#include "runtime_files.h"
#include "test_rng.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "meta/meta.h"
#include "nrp/plugin.h"

#define ENTER_PARAMS "System.String,System.Object,System.Object[]"
#define EXIT_PARAMS "System.Object,System.Object,System.Exception"

static nrp_meta *open_sample(void)
{
    nrp_meta *m = NULL;
    nrp_err err;
    if (nrp_meta_open_file(NRP_TEST_DATA_DIR "/Meta.Sample.dll", &m, &err) != NRP_OK)
        fail_msg("%s", err.msg);
    return m;
}

static char *type_name(const nrp_meta *m, uint32_t token)
{
    static char out[512];
    nrp_strbuf sb;
    nrp_err err;
    nrp_strbuf_init(&sb);
    if (nrp_meta_type_name(m, token, &sb, &err) != NRP_OK)
        fail_msg("token 0x%08x: %s", token, err.msg);
    snprintf(out, sizeof out, "%s", sb.data ? sb.data : "");
    nrp_strbuf_free(&sb);
    return out;
}

static uint32_t find(const nrp_meta *m, const char *name)
{
    uint32_t row = 0xFFFFFFFFu;
    nrp_err err;
    assert_int_equal(nrp_meta_find_type(m, name, &row, &err), NRP_OK);
    return row;
}

/* ---- the sample --------------------------------------------------------- */

static void sample_assembly_and_references(void **state)
{
    (void)state;
    nrp_meta *m = open_sample();
    nrp_meta_assembly a;
    nrp_err err;
    assert_int_equal(nrp_meta_assembly_row(m, &a, &err), NRP_OK);
    assert_string_equal(a.name, "Meta.Sample");
    assert_string_equal(a.culture, "");
    assert_int_equal(a.version.major, 1);
    assert_int_equal(a.version.minor, 2);
    assert_int_equal(a.version.build, 3);
    assert_int_equal(a.version.revision, 4);
    assert_string_equal(nrp_meta_runtime_version(m), "v4.0.30319");
    /* The reference assemblies a net10.0 library compiles against. */
    int runtime = 0;
    for (uint32_t r = 1; r <= nrp_meta_row_count(m, NRP_META_ASSEMBLYREF); r++) {
        nrp_meta_assembly_ref ar;
        assert_int_equal(nrp_meta_assembly_ref_row(m, r, &ar, &err), NRP_OK);
        if (strcmp(ar.name, "System.Runtime") == 0) {
            runtime = 1;
            assert_int_equal(ar.version.major, 10);
            assert_int_equal(ar.public_key_or_token_len, 8);
        }
    }
    assert_true(runtime);
    nrp_meta_assembly_ref ar;
    assert_int_equal(nrp_meta_assembly_ref_row(m, 0, &ar, &err), NRP_ERROR);
    assert_int_equal(nrp_meta_assembly_ref_row(m, 1000, &ar, &err), NRP_ERROR);
    const char *name;
    assert_int_equal(nrp_meta_assembly_ref_name(m, 0, &name, &err), NRP_ERROR);
    assert_int_equal(nrp_meta_assembly_ref_name(m, 1000, &name, &err), NRP_ERROR);
    assert_string_equal(err.msg, "no row 1000 in table 0x23 (it has 2)");
    /* System.Object and System.Exception are TypeRefs scoped to System.Runtime. */
    int object = 0, exception = 0;
    for (uint32_t r = 1; r <= nrp_meta_row_count(m, NRP_META_TYPEREF); r++) {
        nrp_meta_type_ref tr;
        assert_int_equal(nrp_meta_type_ref_row(m, r, &tr, &err), NRP_OK);
        const char *n = type_name(m, (uint32_t)NRP_META_TYPEREF << 24 | r);
        object |= strcmp(n, "System.Object") == 0 && tr.scope >> 24 == NRP_META_ASSEMBLYREF;
        exception |= strcmp(n, "System.Exception") == 0;
    }
    assert_true(object && exception);
    nrp_meta_close(m);
}

static void sample_types_by_name(void **state)
{
    (void)state;
    nrp_meta *m = open_sample();
    nrp_meta_type_def td;
    nrp_err err;
    uint32_t outer;
    uint32_t hooks = find(m, "Meta.Sample.Hooks");
    assert_true(hooks > 1);
    assert_int_equal(nrp_meta_type_def_row(m, hooks, &td, &err), NRP_OK);
    assert_string_equal(td.namespace_, "Meta.Sample");
    assert_string_equal(td.name, "Hooks");
    assert_int_equal(td.flags & NRP_META_TYPE_VISIBILITY_MASK, NRP_META_TYPE_PUBLIC);
    assert_string_equal(type_name(m, td.extends), "System.Object");
    /* Nested types: "Outer+Inner", found only through their enclosing type. */
    uint32_t deeper = find(m, "Meta.Sample.Mixed+Inner+Deeper");
    assert_true(deeper != 0);
    assert_string_equal(type_name(m, (uint32_t)NRP_META_TYPEDEF << 24 | deeper), "Meta.Sample.Mixed+Inner+Deeper");
    assert_int_equal(nrp_meta_enclosing_type(m, deeper, &outer, &err), NRP_OK);
    assert_int_equal(outer, find(m, "Meta.Sample.Mixed+Inner"));
    assert_int_equal(nrp_meta_enclosing_type(m, hooks, &outer, &err), NRP_OK);
    assert_int_equal(outer, 0);
    assert_int_equal(find(m, "Meta.Sample.Inner"), 0);        /* not top-level */
    assert_int_equal(find(m, "Meta.Sample.Mixed+Deeper"), 0); /* not directly inside */
    assert_int_equal(find(m, "Meta.Sample.Mixed+Inner+"), 0);
    assert_int_equal(find(m, "Meta.Sample.Hook"), 0);
    assert_int_equal(find(m, "Meta.Sample.Hooksx"), 0);
    assert_int_equal(find(m, "Sample.Hooks"), 0);
    assert_int_equal(find(m, "meta.sample.hooks"), 0);        /* names are case-sensitive */
    assert_int_equal(find(m, ""), 0);
    assert_true(find(m, "Global") != 0);                      /* no namespace */
    assert_true(find(m, "Meta.Sample.Generic`1") != 0);
    uint32_t generics, generic_type = (uint32_t)NRP_META_TYPEDEF << 24 | find(m, "Meta.Sample.Generic`1");
    assert_int_equal(nrp_meta_generic_param_count(m, generic_type, &generics, &err), NRP_OK);
    assert_int_equal(generics, 1);
    assert_int_equal(nrp_meta_generic_param_count(m, (uint32_t)NRP_META_TYPEDEF << 24 | hooks, &generics, &err),
                     NRP_OK);
    assert_int_equal(generics, 0);
    /* Every TypeDef is found again by the name it is given. */
    for (uint32_t r = 2; r <= nrp_meta_row_count(m, NRP_META_TYPEDEF); r++)
        assert_int_equal(find(m, type_name(m, (uint32_t)NRP_META_TYPEDEF << 24 | r)), r);
    nrp_meta_close(m);
}

static void sample_methods_and_signatures(void **state)
{
    (void)state;
    static const char *const want[] = {
        "OnEnter(System.String,System.Object,System.Object[]) System.Object 0x86",
        "OnExit(System.Object,System.Object,System.Exception) System.Void 0x91",
        "Generic(System.String,System.Object,System.Object[]) System.Object 0x96",
        "Overload(System.Int32) System.Void 0x96",
        "Overload(System.Object,System.Object,System.Exception) System.Void 0x96",
        "Shapes(System.Int32&,System.Collections.Generic.List`1<System.String>,"
        "System.Collections.Generic.Dictionary`2+Enumerator<System.String,System.Int32[]>) System.Int32[,] 0x96",
        ".ctor() System.Void 0x1886",
    };
    nrp_meta *m = open_sample();
    nrp_meta_method_iter it;
    nrp_err err;
    uint32_t row;
    size_t n = 0;
    assert_int_equal(nrp_meta_methods_begin(m, find(m, "Meta.Sample.Mixed"), &it, &err), NRP_OK);
    while (nrp_meta_methods_next(m, &it, &row, &err) == 1) {
        nrp_meta_method_def md;
        nrp_strbuf ret, params;
        nrp_method_sig_info info;
        char line[512];
        int modifiers = -1;
        nrp_strbuf_init(&ret);
        nrp_strbuf_init(&params);
        assert_int_equal(nrp_meta_method_def_row(m, row, &md, &err), NRP_OK);
        assert_int_equal(
            nrp_meta_method_sig_names(m, md.signature, md.signature_len, &ret, &params, &info, &modifiers, &err),
            NRP_OK);
        assert_int_equal(modifiers, 0);
        snprintf(line, sizeof line, "%s(%s) %s 0x%x", md.name, params.data ? params.data : "", ret.data, md.flags);
        assert_true(n < sizeof want / sizeof *want);
        assert_string_equal(line, want[n]);
        n++;
        if (strcmp(md.name, "Generic") == 0)
            assert_int_equal(info.callconv, NRP_CALLCONV_GENERIC);
        nrp_strbuf_free(&ret);
        nrp_strbuf_free(&params);
    }
    assert_int_equal(n, sizeof want / sizeof *want);
    nrp_meta_close(m);
}

/* Parameter names, from the Param table: Hooks.OnEnter(string method,
 * object instance, object[] args). */
static void sample_parameter_names(void **state)
{
    (void)state;
    nrp_meta *m = open_sample();
    nrp_meta_method_iter it;
    nrp_err err;
    uint32_t row, first, end, param_row;
    char names[128] = "";
    assert_int_equal(nrp_meta_methods_begin(m, find(m, "Meta.Sample.Hooks"), &it, &err), NRP_OK);
    while (nrp_meta_methods_next(m, &it, &row, &err) == 1) {
        nrp_meta_method_def d;
        assert_int_equal(nrp_meta_method_def_row(m, row, &d, &err), NRP_OK);
        if (strcmp(d.name, "OnEnter") != 0)
            continue;
        assert_int_equal(nrp_meta_params_of(m, row, &first, &end, &err), NRP_OK);
        for (uint32_t at = first; at < end; at++) {
            nrp_meta_param p;
            assert_int_equal(nrp_meta_param_at(m, at, &param_row, &err), NRP_OK);
            assert_int_equal(nrp_meta_param_row(m, param_row, &p, &err), NRP_OK);
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%u:%s", names[0] ? " " : "",
                     p.sequence, p.name);
        }
    }
    assert_string_equal(names, "1:method 2:instance 3:args");
    assert_int_equal(nrp_meta_params_of(m, 0, &first, &end, &err), NRP_ERROR);
    nrp_meta_close(m);
}

static void expect_handler(const nrp_meta *m, const char *type, const char *method, const char *returns,
                         const char *params, const char *reason)
{
    nrp_err err = {{0}};
    int rc = nrp_meta_check_static_method(m, type, method, returns, params, &err);
    if (!reason) {
        if (rc != NRP_OK)
            fail_msg("%s::%s: %s", type, method, err.msg);
        return;
    }
    assert_int_equal(rc, NRP_ERROR);
    assert_string_equal(err.msg, reason);
}

static void sample_handler_contract(void **state)
{
    (void)state;
    nrp_meta *m = open_sample();
    expect_handler(m, "Meta.Sample.Hooks", "OnEnter", "System.Object", ENTER_PARAMS, NULL);
    expect_handler(m, "Meta.Sample.Hooks", "OnExit", "System.Void", EXIT_PARAMS, NULL);
    expect_handler(m, "Meta.Sample.Mixed+Inner", "OnExit", "System.Void", EXIT_PARAMS, NULL);
    expect_handler(m, "Meta.Sample.Mixed+Inner+Deeper", "OnEnter", "System.Object", ENTER_PARAMS, NULL);
    expect_handler(m, "Global", "OnExit", "System.Void", EXIT_PARAMS, NULL);
    /* one overload of two fits */
    expect_handler(m, "Meta.Sample.Mixed", "Overload", "System.Void", EXIT_PARAMS, NULL);
    /* typos */
    expect_handler(m, "Meta.Sample.Hooks", "OnEntr", "System.Object", ENTER_PARAMS,
                 "type Meta.Sample.Hooks has no method OnEntr");
    expect_handler(m, "Meta.Sample.Hooks", "onenter", "System.Object", ENTER_PARAMS,
                 "type Meta.Sample.Hooks has no method onenter");
    expect_handler(m, "Meta.Sample.Hook", "OnEnter", "System.Object", ENTER_PARAMS,
                 "type Meta.Sample.Hook is not defined");
    /* exists, but cannot be called as a handler */
    expect_handler(m, "Meta.Sample.Hooks", "OnExit", "System.Object", ENTER_PARAMS,
                 "type Meta.Sample.Hooks has no public static method OnExit(" ENTER_PARAMS ") returning "
                 "System.Object (found: public static OnExit(" EXIT_PARAMS ") returning System.Void)");
    expect_handler(m, "Meta.Sample.Mixed", "OnEnter", "System.Object", ENTER_PARAMS,
                 "type Meta.Sample.Mixed has no public static method OnEnter(" ENTER_PARAMS ") returning "
                 "System.Object (found: public instance OnEnter(" ENTER_PARAMS ") returning System.Object)");
    expect_handler(m, "Meta.Sample.Mixed", "OnExit", "System.Void", EXIT_PARAMS,
                 "type Meta.Sample.Mixed has no public static method OnExit(" EXIT_PARAMS ") returning "
                 "System.Void (found: private static OnExit(" EXIT_PARAMS ") returning System.Void)");
    expect_handler(m, "Meta.Sample.Mixed", "Generic", "System.Object", ENTER_PARAMS,
                 "type Meta.Sample.Mixed has no public static method Generic(" ENTER_PARAMS ") returning "
                 "System.Object (found: public static generic Generic(" ENTER_PARAMS ") returning System.Object)");
    expect_handler(m, "Meta.Sample.IHooks", "OnExit", "System.Void", EXIT_PARAMS,
                 "type Meta.Sample.IHooks has no public static method OnExit(" EXIT_PARAMS ") returning "
                 "System.Void (found: public static abstract OnExit(" EXIT_PARAMS ") returning System.Void)");
    expect_handler(m, "Meta.Sample.Internal", "OnExit", "System.Void", EXIT_PARAMS,
                 "type Meta.Sample.Internal is not public");
    expect_handler(m, "Meta.Sample.Mixed+Hidden", "OnExit", "System.Void", EXIT_PARAMS,
                 "type Meta.Sample.Mixed+Hidden is not public");
    expect_handler(m, "Meta.Sample.Generic`1", "OnExit", "System.Void", EXIT_PARAMS,
                 "type Meta.Sample.Generic`1 is generic");
    nrp_meta_close(m);
}

/* ---- the installed runtime ---------------------------------------------- */

static void runtime_assemblies(void **state)
{
    (void)state;
    const char *dir;
    DIR *d = nrp_test_runtime_dir(&dir);
    if (!d)
        skip();
    struct dirent *e;
    size_t opened = 0;
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        nrp_meta *m;
        nrp_err err;
        nrp_meta_assembly a;
        if (!nrp_test_is_dll(e->d_name))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (nrp_meta_open_file(path, &m, &err) != NRP_OK)
            fail_msg("%s", err.msg);
        assert_int_equal(nrp_meta_assembly_row(m, &a, &err), NRP_OK);
        /* Foo.dll holds assembly Foo. */
        assert_int_equal(strlen(a.name) + 4, strlen(e->d_name));
        assert_memory_equal(a.name, e->d_name, strlen(a.name));
        size_t reads = nrp_test_meta_walk(m, 0xFFFFFFFFu);
        assert_true(reads > nrp_meta_row_count(m, NRP_META_TYPEDEF));
        nrp_meta_close(m);
        opened++;
    }
    closedir(d);
    assert_true(opened > 100);
    print_message("%zu runtime assemblies read\n", opened);
}

/* An assembly of the installed runtime, opened whole; the test is skipped
 * without one. */
static nrp_meta *open_runtime_assembly(const char *file)
{
    const char *dir = getenv("NRP_TEST_DOTNET_RUNTIME_DIR");
    char path[4096];
    nrp_meta *m = NULL;
    nrp_err err;
    if (!dir || !*dir)
        skip();
    snprintf(path, sizeof path, "%s/%s", dir, file);
    if (nrp_meta_open_file(path, &m, &err) != NRP_OK)
        fail_msg("%s: %s", path, err.msg);
    return m;
}

/* What points at a row, in CoreLib: interfaces, custom attributes and the
 * type declaring a method, against facts of the framework's public API. */
static void runtime_corelib_relations(void **state)
{
    (void)state;
    nrp_meta *m = open_runtime_assembly("System.Private.CoreLib.dll");
    nrp_err err;
    /* String implements IComparable, IEnumerable<char>, ICloneable... */
    uint32_t ifaces[64];
    size_t count = 0;
    int comparable = 0, cloneable = 0;
    assert_int_equal(nrp_meta_interfaces(m, find(m, "System.String"), ifaces, 64, &count, &err), NRP_OK);
    assert_true(count >= 5 && count <= 64);
    for (size_t i = 0; i < count; i++) {
        const char *n = type_name(m, ifaces[i]);
        comparable += strcmp(n, "System.IComparable") == 0;
        cloneable += strcmp(n, "System.ICloneable") == 0;
    }
    assert_int_equal(comparable, 1);
    assert_int_equal(cloneable, 1);
    /* The first cap are given, the count is all of them. */
    size_t few;
    assert_int_equal(nrp_meta_interfaces(m, find(m, "System.String"), ifaces, 2, &few, &err), NRP_OK);
    assert_int_equal(few, count);
    assert_int_equal(nrp_meta_interfaces(m, find(m, "System.Object"), ifaces, 64, &count, &err), NRP_OK);
    assert_int_equal(count, 0);
    assert_int_equal(nrp_meta_interfaces(m, 0, ifaces, 64, &count, &err), NRP_ERROR);
    /* [Obsolete] types and methods; [Serializable] is a flag, not a row. */
    uint32_t string_type = (uint32_t)NRP_META_TYPEDEF << 24 | find(m, "System.String");
    assert_int_equal(nrp_meta_has_attribute(m, string_type, "System.ObsoleteAttribute"), 0);
    uint32_t attribute_usage = find(m, "System.AttributeUsageAttribute");
    assert_int_equal(nrp_meta_has_attribute(m, (uint32_t)NRP_META_TYPEDEF << 24 | attribute_usage,
                                            "System.AttributeUsageAttribute"),
                     1);
    assert_int_equal(nrp_meta_has_attribute(m, (uint32_t)NRP_META_TYPEDEF << 24 | attribute_usage,
                                            "System.AttributeUsage"),
                     0);
    /* Every method of String is declared by String. */
    nrp_meta_method_iter it;
    uint32_t method, owner, methods = 0;
    assert_int_equal(nrp_meta_methods_begin(m, string_type & 0x00FFFFFFu, &it, &err), NRP_OK);
    while (nrp_meta_methods_next(m, &it, &method, &err) == 1) {
        assert_int_equal(nrp_meta_method_owner(m, method, &owner, &err), NRP_OK);
        assert_int_equal(owner, string_type & 0x00FFFFFFu);
        methods++;
    }
    assert_true(methods > 100);
    assert_int_equal(nrp_meta_method_owner(m, 0, &owner, &err), NRP_ERROR);
    nrp_meta_close(m);
}

static void runtime_corelib_and_console(void **state)
{
    (void)state;
    nrp_meta *m = open_runtime_assembly("System.Private.CoreLib.dll");
    uint32_t object = find(m, "System.Object");
    assert_true(object > 1); /* row 1 is <Module> */
    assert_string_equal(type_name(m, (uint32_t)NRP_META_TYPEDEF << 24 | object), "System.Object");
    uint32_t enumerator = find(m, "System.Collections.Generic.Dictionary`2+Enumerator");
    assert_true(enumerator != 0);
    assert_string_equal(type_name(m, (uint32_t)NRP_META_TYPEDEF << 24 | enumerator),
                        "System.Collections.Generic.Dictionary`2+Enumerator");
    /* Every type's name leads back to it (CoreLib has thousands, nested
     * ones among them). */
    for (uint32_t r = 2; r <= nrp_meta_row_count(m, NRP_META_TYPEDEF); r++) {
        const char *n = type_name(m, (uint32_t)NRP_META_TYPEDEF << 24 | r);
        uint32_t found = find(m, n);
        assert_true(found != 0);
        assert_string_equal(type_name(m, (uint32_t)NRP_META_TYPEDEF << 24 | found), n);
    }
    expect_handler(m, "System.Console", "WriteLine", "System.Void", "System.String",
                 "type System.Console is not defined");
    expect_handler(m, "System.GC", "Collect", "System.Void", "", NULL);
    expect_handler(m, "System.String", "Concat", "System.String", "System.String,System.String", NULL);
    expect_handler(m, "System.String", "Concat", "System.String", "System.Int32",
                 "type System.String has no public static method Concat(System.Int32) returning System.String "
                 "(found: public static Concat(System.Object) returning System.String)");
    nrp_meta_close(m);
    m = open_runtime_assembly("System.Console.dll");
    expect_handler(m, "System.Console", "WriteLine", "System.Void", "System.String", NULL);
    nrp_meta_close(m);
}

/* ---- sparse readers ------------------------------------------------------- */

/* What a module's load reads at once (rejit/scan.c): the TypeDef rows a
 * lookup by name needs are read then. */
#define SPARSE_TABLES (1ull << NRP_META_ASSEMBLY | 1ull << NRP_META_ASSEMBLYREF)

/* What a sparse reader of the file at path reads is what a reader of the
 * whole file reads: the Assembly row, every AssemblyRef, every type found
 * by its name (nested ones among them), a name no type has; the tables it
 * was not opened with read as empty until a lookup needs them. With `image`, a copy of the file's
 * first bytes, it opens; with those headers changed, it refuses. Returns
 * the types looked up. */
static size_t expect_sparse_as_whole(const char *path)
{
    nrp_meta *whole, *sparse;
    nrp_err err;
    size_t len;
    uint8_t *file = nrp_test_read_file(path, &len);
    if (nrp_meta_open(file, len, &whole, &err) != NRP_OK)
        fail_msg("%s: %s", path, err.msg);
    uint8_t image[4096] = {0};
    memcpy(image, file, len < sizeof image ? len : sizeof image);
    if (nrp_meta_open_file_sparse(path, image, SPARSE_TABLES, &sparse, &err) != NRP_OK)
        fail_msg("%s: %s", path, err.msg);
    nrp_meta_assembly a, b;
    assert_int_equal(nrp_meta_assembly_row(whole, &a, &err), NRP_OK);
    assert_int_equal(nrp_meta_assembly_row(sparse, &b, &err), NRP_OK);
    assert_string_equal(a.name, b.name);
    assert_memory_equal(&a.version, &b.version, sizeof a.version);
    assert_int_equal(nrp_meta_row_count(sparse, NRP_META_ASSEMBLYREF), nrp_meta_row_count(whole, NRP_META_ASSEMBLYREF));
    for (uint32_t r = 1; r <= nrp_meta_row_count(whole, NRP_META_ASSEMBLYREF); r++) {
        nrp_meta_assembly_ref x, y;
        const char *name;
        assert_int_equal(nrp_meta_assembly_ref_row(whole, r, &x, &err), NRP_OK);
        assert_int_equal(nrp_meta_assembly_ref_name(sparse, r, &name, &err), NRP_OK);
        assert_string_equal(x.name, name);
        assert_int_equal(nrp_meta_assembly_ref_row(sparse, r, &y, &err), NRP_OK);
        assert_string_equal(x.name, y.name);
        assert_string_equal(x.culture, y.culture);
        assert_memory_equal(&x.version, &y.version, sizeof x.version);
        assert_int_equal(x.public_key_or_token_len, y.public_key_or_token_len);
        assert_memory_equal(x.public_key_or_token, y.public_key_or_token, x.public_key_or_token_len);
    }
    assert_int_equal(nrp_meta_row_count(sparse, NRP_META_TYPEDEF), 0); /* until a lookup reads rows */
    assert_int_equal(nrp_meta_row_count(sparse, NRP_META_METHODDEF), 0);
    size_t looked_up = 0;
    for (uint32_t r = 2; r <= nrp_meta_row_count(whole, NRP_META_TYPEDEF); r++) {
        const char *n = type_name(whole, (uint32_t)NRP_META_TYPEDEF << 24 | r);
        uint32_t in_whole = 0, in_sparse = 0;
        assert_int_equal(nrp_meta_find_type(whole, n, &in_whole, &err), NRP_OK);
        assert_int_equal(nrp_meta_find_type(sparse, n, &in_sparse, &err), NRP_OK);
        assert_int_equal(in_sparse, in_whole);
        assert_true(in_whole != 0);
        looked_up++;
    }
    uint32_t none = 1;
    assert_int_equal(nrp_meta_find_type(sparse, "Nrp.No.Such.Type", &none, &err), NRP_OK);
    assert_int_equal(none, 0);
    nrp_meta_close(sparse);
    /* A file whose headers are not the image's is not read for it. */
    uint32_t pe_off = (uint32_t)image[0x3C] | (uint32_t)image[0x3D] << 8;
    image[pe_off + 8] ^= 0xFF; /* the COFF header's TimeDateStamp */
    assert_int_equal(nrp_meta_open_file_sparse(path, image, SPARSE_TABLES, &sparse, &err), NRP_ERROR);
    assert_null(sparse);
    assert_non_null(strstr(err.msg, "not the image"));
    nrp_meta_close(whole);
    free(file);
    return looked_up;
}

static void sparse_reads_as_whole(void **state)
{
    (void)state;
    nrp_meta *m;
    nrp_err err;
    assert_true(expect_sparse_as_whole(NRP_TEST_DATA_DIR "/Meta.Sample.dll") > 0);
    assert_int_equal(nrp_meta_open_file_sparse("/nonexistent/x.dll", NULL, SPARSE_TABLES, &m, &err), NRP_ERROR);
    assert_null(m);
    assert_int_equal(nrp_meta_open_file_sparse("/proc/self/exe", NULL, SPARSE_TABLES, &m, &err), NRP_ERROR);
    assert_int_equal(nrp_meta_open_file_sparse("/", NULL, SPARSE_TABLES, &m, &err), NRP_ERROR);
    const char *dir;
    DIR *d = nrp_test_runtime_dir(&dir);
    if (!d)
        return;
    struct dirent *e;
    size_t files = 0, types = 0;
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        if (!nrp_test_is_dll(e->d_name))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        types += expect_sparse_as_whole(path);
        files++;
    }
    closedir(d);
    assert_true(files > 100);
    print_message("%zu runtime assemblies read sparsely, %zu types found by name as in whole reads\n", files, types);
}

/* ---- a ReadyToRun image's index of its types ------------------------------ */

/* Every top-level type of the file is listed under its name's hash, the
 * lookup find_type makes first; 1 when the file has the index, 0 when it
 * has none (IL only). */
static int expect_r2r_lists_every_type(nrp_meta *m, size_t *checked)
{
    nrp_err err;
    uint32_t rows[64];
    int has_index = nrp_meta_r2r_type_rows(m, 0, rows, 64) >= 0;
    for (uint32_t i = 2; i <= nrp_meta_row_count(m, NRP_META_TYPEDEF); i++) {
        nrp_meta_type_def t;
        uint32_t outer = 0;
        assert_int_equal(nrp_meta_type_def_row(m, i, &t, &err), NRP_OK);
        assert_int_equal(nrp_meta_enclosing_type(m, i, &outer, &err), NRP_OK);
        if (outer)
            continue;
        uint32_t hash = nrp_meta_r2r_name_hash(t.namespace_, strlen(t.namespace_)) ^
                        nrp_meta_r2r_name_hash(t.name, strlen(t.name));
        int n = nrp_meta_r2r_type_rows(m, hash, rows, 64);
        assert_int_equal(n >= 0, has_index);
        if (n < 0)
            continue;
        int listed = 0;
        for (int k = 0; k < n; k++)
            listed |= rows[k] == i;
        if (!listed)
            fail_msg("%s.%s (TypeDef %u) is not listed under its hash 0x%08x", t.namespace_, t.name, i, hash);
        ++*checked;
    }
    return has_index;
}

static void r2r_index_lists_every_type(void **state)
{
    (void)state;
    nrp_meta *m;
    nrp_err err;
    size_t checked = 0, indexed = 0, files = 0;
    uint32_t row = 0;
    /* The IL-only sample has no index: find_type looks through its types. */
    assert_int_equal(nrp_meta_open_file(NRP_TEST_DATA_DIR "/Meta.Sample.dll", &m, &err), NRP_OK);
    assert_int_equal(expect_r2r_lists_every_type(m, &checked), 0);
    assert_int_equal(nrp_meta_r2r_type_rows(m, 0, NULL, 0), -1);
    nrp_meta_close(m);
    const char *dir;
    DIR *d = nrp_test_runtime_dir(&dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        if (!nrp_test_is_dll(e->d_name))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (nrp_meta_open_file(path, &m, &err) != NRP_OK)
            continue; /* a native library */
        indexed += (size_t)expect_r2r_lists_every_type(m, &checked);
        files++;
        if (strcmp(e->d_name, "System.Private.CoreLib.dll") == 0) {
            /* Found through the index; and a type of another assembly is not. */
            assert_int_equal(nrp_meta_find_type(m, "System.Collections.Generic.List`1", &row, &err), NRP_OK);
            assert_true(row != 0);
            assert_int_equal(nrp_meta_find_type(m, "System.Data.Common.DbCommand", &row, &err), NRP_OK);
            assert_int_equal(row, 0);
        }
        if (strcmp(e->d_name, "System.Data.Common.dll") == 0) {
            assert_int_equal(nrp_meta_find_type(m, "System.Data.Common.DbCommand", &row, &err), NRP_OK);
            assert_true(row != 0);
        }
        nrp_meta_close(m);
    }
    closedir(d);
    assert_true(files > 100);
    assert_true(indexed > 80); /* the facades are IL only */
    print_message("%zu of %zu runtime assemblies have a ReadyToRun index of their types; it lists all %zu of "
                  "their top-level types\n", indexed, files, checked);
}

/* ---- images the runtime loaded ------------------------------------------- */

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Lay the file out as the loader maps it: headers at 0, each section's raw
 * data at its RVA, in a buffer of exactly SizeOfImage bytes. */
static uint8_t *map_like_loader(const uint8_t *file, size_t len, uint32_t *image_size)
{
    uint32_t pe_off = le32(file + 0x3C);
    const uint8_t *opt = file + pe_off + 24;
    uint32_t sections = (uint32_t)(file[pe_off + 6] | file[pe_off + 7] << 8);
    uint32_t opt_size = (uint32_t)(file[pe_off + 20] | file[pe_off + 21] << 8);
    *image_size = le32(opt + 56);
    uint8_t *image = calloc(1, *image_size);
    assert_non_null(image);
    memcpy(image, file, le32(opt + 60));
    for (uint32_t i = 0; i < sections; i++) {
        const uint8_t *s = opt + opt_size + 40u * i;
        uint32_t va = le32(s + 12), raw = le32(s + 16), ptr = le32(s + 20);
        assert_true(ptr + (size_t)raw <= len && va + (size_t)raw <= *image_size);
        memcpy(image + va, file + ptr, raw);
    }
    return image;
}

static void expect_sample(const nrp_meta *m, uint32_t typedefs)
{
    nrp_meta_assembly a;
    nrp_err err;
    uint32_t row = 0;
    assert_int_equal(nrp_meta_assembly_row(m, &a, &err), NRP_OK);
    assert_string_equal(a.name, "Meta.Sample");
    assert_int_equal(nrp_meta_row_count(m, NRP_META_TYPEDEF), typedefs);
    assert_int_equal(nrp_meta_find_type(m, "System.Object", &row, &err), NRP_OK);
    assert_int_equal(row, 0);
    nrp_test_meta_walk(m, 4096);
}

static void loaded_images_flat_and_mapped(void **state)
{
    (void)state;
    size_t len;
    uint32_t image_size;
    nrp_meta *file_view, *m;
    nrp_err err;
    uint8_t *file = nrp_test_read_file(NRP_TEST_DATA_DIR "/Meta.Sample.dll", &len);
    assert_int_equal(nrp_meta_open(file, len, &file_view, &err), NRP_OK);
    uint32_t typedefs = nrp_meta_row_count(file_view, NRP_META_TYPEDEF);
    nrp_meta_close(file_view);
    /* Flat: the file's bytes; the extent comes from the section table. */
    assert_int_equal(nrp_meta_open_image(file, 0, &m, &err), NRP_OK);
    expect_sample(m, typedefs);
    nrp_meta_close(m);
    /* Mapped: sections at their RVAs, SizeOfImage bytes and no more (a
     * sanitizer sees any read past them). */
    uint8_t *image = map_like_loader(file, len, &image_size);
    assert_int_equal(nrp_meta_open_image(image, 1, &m, &err), NRP_OK);
    expect_sample(m, typedefs);
    nrp_meta_close(m);
    /* A mapped image read as flat, or the reverse, does not open, or
     * opens in bounds. */
    if (nrp_meta_open_image(image, 0, &m, &err) == NRP_OK)
        nrp_meta_close(m);
    /* A SizeOfImage too small for the metadata fails cleanly. */
    uint32_t pe_off = le32(image + 0x3C);
    uint8_t *size_field = image + pe_off + 24 + 56;
    uint32_t headers = le32(image + pe_off + 24 + 60);
    size_field[0] = (uint8_t)headers, size_field[1] = (uint8_t)(headers >> 8);
    size_field[2] = (uint8_t)(headers >> 16), size_field[3] = (uint8_t)(headers >> 24);
    assert_int_equal(nrp_meta_open_image(image, 1, &m, &err), NRP_ERROR);
    assert_null(m);
    /* Headers larger than SizeOfHeaders say, or no image at all. */
    image[pe_off + 24 + 60] = 0x10, image[pe_off + 24 + 61] = 0;
    assert_int_equal(nrp_meta_open_image(image, 1, &m, &err), NRP_ERROR);
    assert_int_equal(nrp_meta_open_image(NULL, 1, &m, &err), NRP_ERROR);
    free(image);
    free(file);
}

/* ---- damaged files -------------------------------------------------------- */

static void not_assemblies(void **state)
{
    (void)state;
    static const uint8_t junk[256] = {'M', 'Z'};
    nrp_meta *m = (nrp_meta *)1;
    nrp_err err;
    assert_int_equal(nrp_meta_open(NULL, 0, &m, &err), NRP_ERROR);
    assert_null(m);
    assert_int_equal(nrp_meta_open(junk, 0, &m, &err), NRP_ERROR);
    assert_string_equal(err.msg, "not a PE file (no MZ header)");
    assert_int_equal(nrp_meta_open(junk, sizeof junk, &m, &err), NRP_ERROR);
    assert_string_equal(err.msg, "not a PE file (no PE signature at 0x0)");
    assert_int_equal(nrp_meta_open_file("/nonexistent/x.dll", &m, &err), NRP_ERROR);
    assert_string_equal(err.msg, "cannot open /nonexistent/x.dll");
    assert_int_equal(nrp_meta_open_file("/", &m, &err), NRP_ERROR);
    /* a native shared object */
    assert_int_equal(nrp_meta_open_file("/proc/self/exe", &m, &err), NRP_ERROR);
}

/* Open a copy of exactly len bytes (so a sanitizer sees any overread) and
 * read everything it offers. */
static int open_and_walk(const uint8_t *bytes, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    nrp_meta *m = NULL;
    nrp_err err;
    assert_non_null(copy);
    memcpy(copy, bytes, len);
    int rc = nrp_meta_open(copy, len, &m, &err);
    if (rc == NRP_OK) {
        nrp_test_meta_walk(m, 4096);
        nrp_meta_close(m);
    } else {
        assert_null(m);
        assert_true(err.msg[0] != '\0');
    }
    free(copy);
    return rc;
}

static void every_truncation_fails_cleanly(void **state)
{
    (void)state;
    size_t len, opened = 0;
    uint8_t *sample = nrp_test_read_file(NRP_TEST_DATA_DIR "/Meta.Sample.dll", &len);
    for (size_t n = 0; n < len; n++)
        opened += open_and_walk(sample, n) == NRP_OK;
    /* Until the metadata's last byte is there, nothing opens. */
    nrp_meta *m;
    nrp_err err;
    assert_int_equal(nrp_meta_open(sample, len, &m, &err), NRP_OK);
    nrp_meta_close(m);
    print_message("%zu of %zu truncations still hold the whole metadata\n", opened, len);
    assert_true(opened < len / 2);
    free(sample);
}

/* Where the metadata root ("BSJB") starts. */
static size_t root_offset(const uint8_t *bytes, size_t len)
{
    for (size_t i = 0; i + 4 <= len; i++)
        if (memcmp(bytes + i, "BSJB", 4) == 0)
            return i;
    fail_msg("no metadata root");
    return 0;
}

static void random_flips_fail_cleanly_or_read_in_bounds(void **state)
{
    (void)state;
    size_t len, opened = 0;
    uint8_t *sample = nrp_test_read_file(NRP_TEST_DATA_DIR "/Meta.Sample.dll", &len);
    uint8_t *work = malloc(len);
    size_t root = root_offset(sample, len);
    assert_non_null(work);
    rng_state = 0x6D657461u;
    for (int round = 0; round < 20000; round++) {
        memcpy(work, sample, len);
        int flips = 1 + (int)(rnd() % 8);
        for (int i = 0; i < flips; i++) {
            /* Every other round damages only the metadata (root, streams,
             * tables, heaps), where most of the reading happens. */
            size_t at = round & 1 ? root + rnd() % (len - root < 2048 ? len - root : 2048) : rnd() % len;
            switch (rnd() % 3) {
            case 0: work[at] ^= (uint8_t)(1u << (rnd() % 8)); break;
            case 1: work[at] = (uint8_t)rnd(); break;
            default: work[at] = (rnd() & 1) ? 0xFF : 0x00; break;
            }
        }
        opened += open_and_walk(work, len) == NRP_OK;
    }
    print_message("%zu of 20000 damaged copies opened\n", opened);
    assert_true(opened > 0);
    free(work);
    free(sample);
}

/* A ReadyToRun image whose header or AvailableTypes hashtable is damaged:
 * every lookup through it (the walk's, by name) stays inside the file and
 * fails cleanly or answers, whole and sparse alike. */
static void r2r_index_damage_fails_cleanly(void **state)
{
    (void)state;
    const char *dir;
    char path[4096];
    DIR *d = nrp_test_runtime_dir(&dir);
    if (!d)
        return;
    closedir(d);
    snprintf(path, sizeof path, "%s/System.Console.dll", dir);
    size_t len;
    uint8_t *file = nrp_test_read_file(path, &len), *work = malloc(len);
    nrp_meta *m;
    nrp_err err;
    uint32_t rows[8], found = 0;
    uint64_t header_at;
    assert_non_null(work);
    assert_int_equal(nrp_meta_open(file, len, &m, &err), NRP_OK);
    assert_true(nrp_meta_r2r_type_rows(m, 0, rows, 8) >= 0); /* it has the index */
    assert_int_equal(nrp_meta_rva_at(m, m->r2r_rva, m->r2r_len, &header_at, &err), NRP_OK);
    uint64_t types_at = m->types_at;
    uint32_t types_len = m->types_len, header_len = m->r2r_len;
    nrp_meta_close(m);
    rng_state = 0x52325221u;
    for (int round = 0; round < 3000; round++) {
        memcpy(work, file, len);
        int flips = 1 + (int)(rnd() % 4);
        for (int i = 0; i < flips; i++) {
            uint64_t at = round & 1 ? types_at + rnd() % types_len : header_at + rnd() % header_len;
            work[at] = (rnd() & 1) ? (uint8_t)rnd() : (uint8_t)(work[at] ^ (1u << (rnd() % 8)));
        }
        open_and_walk(work, len);
        if (round % 100 == 0) {
            /* The same damage read sparsely, from a file. */
            char tmp[] = "/tmp/nrp-test-r2r-XXXXXX";
            int fd = mkstemp(tmp);
            assert_true(fd >= 0);
            assert_int_equal(write(fd, work, len), (ssize_t)len);
            close(fd);
            if (nrp_meta_open_file_sparse(tmp, NULL, 1ull << NRP_META_ASSEMBLY, &m, &err) == NRP_OK) {
                uint32_t row;
                nrp_result rc = nrp_meta_find_type(m, "System.Console", &row, &err);
                found += rc == NRP_OK && row != 0;
                (void)nrp_meta_find_type(m, "System.No.Such.Type", &row, &err);
                nrp_meta_close(m);
            }
            unlink(tmp);
        }
    }
    print_message("3000 damaged ReadyToRun indexes read; System.Console found in %u of 30 sparse reads\n", found);
    free(work);
    free(file);
}

/* Fields whose damage changes the layout of everything after them. */
static void targeted_corruptions(void **state)
{
    (void)state;
    size_t len;
    uint8_t *sample = nrp_test_read_file(NRP_TEST_DATA_DIR "/Meta.Sample.dll", &len);
    uint8_t *work = malloc(len);
    assert_non_null(work);
    size_t root_off = root_offset(sample, len);
    /* every byte of the root and stream headers, set to 0x00, 0x7F, 0xFF */
    for (size_t at = root_off; at < root_off + 128 && at < len; at++) {
        static const uint8_t values[] = {0x00, 0x7F, 0xFF, 0x80};
        for (size_t v = 0; v < sizeof values; v++) {
            memcpy(work, sample, len);
            work[at] = values[v];
            open_and_walk(work, len);
        }
    }
    /* the PE headers likewise */
    for (size_t at = 0; at < 512 && at < len; at++) {
        memcpy(work, sample, len);
        work[at] = 0xFF;
        open_and_walk(work, len);
        work[at] = 0x00;
        open_and_walk(work, len);
    }
    free(work);
    free(sample);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sample_assembly_and_references),
        cmocka_unit_test(sample_types_by_name),
        cmocka_unit_test(sample_methods_and_signatures),
        cmocka_unit_test(sample_parameter_names),
        cmocka_unit_test(sample_handler_contract),
        cmocka_unit_test(runtime_assemblies),
        cmocka_unit_test(runtime_corelib_and_console),
        cmocka_unit_test(runtime_corelib_relations),
        cmocka_unit_test(sparse_reads_as_whole),
        cmocka_unit_test(r2r_index_lists_every_type),
        cmocka_unit_test(loaded_images_flat_and_mapped),
        cmocka_unit_test(not_assemblies),
        cmocka_unit_test(every_truncation_fails_cleanly),
        cmocka_unit_test(random_flips_fail_cleanly_or_read_in_bounds),
        cmocka_unit_test(r2r_index_damage_fails_cleanly),
        cmocka_unit_test(targeted_corruptions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
