/* The rule language beyond the basics: version ranges, every match field,
 * excludes, settings, includes and plugin paths, and their errors. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules/config.h"
#include "rules/match.h"
#include "rules/version.h"

/* ---- version ranges ---------------------------------------------------- */

static nrp_version v4(uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
    return (nrp_version){{a, b, c, d}};
}

static int in(const char *range, nrp_version v)
{
    nrp_version_range r;
    char why[200];
    if (nrp_version_range_parse(range, &r, why, sizeof why) != NRP_OK)
        fail_msg("'%s' did not parse: %s", range, why);
    return nrp_version_range_contains(&r, &v);
}

static void version_ranges(void **state)
{
    (void)state;
    assert_true(in(">=1.2 <3", v4(1, 2, 0, 0)));
    assert_true(in(">=1.2 <3", v4(2, 9, 9, 9)));
    assert_false(in(">=1.2 <3", v4(1, 1, 9, 9)));
    assert_false(in(">=1.2 <3", v4(3, 0, 0, 0)));
    assert_true(in(">1.2", v4(1, 2, 0, 1)));
    assert_false(in(">1.2", v4(1, 2, 0, 0)));
    assert_true(in("<=4.0.1", v4(4, 0, 1, 0)));
    assert_false(in("<=4.0.1", v4(4, 0, 1, 1)));
    /* = and a bare version compare only the parts written */
    assert_true(in("=1.2", v4(1, 2, 7, 3)));
    assert_true(in("1.2", v4(1, 2, 0, 0)));
    assert_false(in("1.2", v4(1, 3, 0, 0)));
    assert_true(in("  >=8   <9  ", v4(8, 0, 0, 0)));
    assert_true(in("=65535.65535.65535.65535", v4(65535, 65535, 65535, 65535)));
}

static void version_range_errors(void **state)
{
    (void)state;
    static const char *const bad[] = {"", "   ", ">=", ">=x", "1..2", "1.2.3.4.5", "=>1", ">=1,<2", "65536", "1.-1",
                                      ">=1 <2 >3 <4 >5 <6 >7 <8 >9"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        nrp_version_range r;
        char why[200] = "";
        if (nrp_version_range_parse(bad[i], &r, why, sizeof why) == NRP_OK)
            fail_msg("'%s' parsed", bad[i]);
        assert_true(why[0] != '\0');
    }
}

/* ---- matching ------------------------------------------------------------ */

static const nrp_version V1 = {{1, 0, 0, 0}};

static nrp_method_view view(const char *type, const char *name, int is_static, const char *params)
{
    return (nrp_method_view){"Shop", &V1, type, name, is_static, params, NULL, NULL, NULL, NULL, NULL};
}

static void match_fields(void **state)
{
    (void)state;
    char *params[] = {"System.String", "System.Collections.Generic.Dictionary`2<System.String,System.Int32>"};
    nrp_match m = {.assembly = "Sh*", .type = "Shop.*", .method = "Place?", .is_static = -1};
    nrp_method_view a = view("Shop.Orders", "Place1", 0, "System.String,System.Int32");
    assert_true(nrp_match_method(&m, &a));
    a.name = "Place12";
    assert_false(nrp_match_method(&m, &a));
    a.name = "Place1";

    m.is_static = 1;
    assert_false(nrp_match_method(&m, &a));
    a.is_static = 1;
    assert_true(nrp_match_method(&m, &a));

    m.has_parameters = 1;
    m.parameters = params;
    m.parameter_count = 2;
    assert_false(nrp_match_method(&m, &a));
    a.params = "System.String,System.Collections.Generic.Dictionary`2<System.String,System.Int32>";
    assert_true(nrp_match_method(&m, &a));
    a.params = "System.String,System.Collections.Generic.Dictionary`2<System.String,System.Int32>,System.Int32";
    assert_false(nrp_match_method(&m, &a));
    m.parameter_count = 0; /* parameters: [] selects only methods without any */
    assert_false(nrp_match_method(&m, &a));
    a.params = "";
    assert_true(nrp_match_method(&m, &a));

    char why[100];
    m.has_version = 1;
    assert_int_equal(nrp_version_range_parse(">=2", &m.version, why, sizeof why), NRP_OK);
    assert_false(nrp_match_method(&m, &a));
    a.version = NULL; /* unknown version never satisfies a range */
    assert_false(nrp_match_method(&m, &a));
    assert_int_equal(nrp_version_range_parse("<2", &m.version, why, sizeof why), NRP_OK);
    a.version = &V1;
    assert_true(nrp_match_method(&m, &a));
    assert_true(nrp_match_assembly(&m, "Shop", &V1));
    assert_false(nrp_match_assembly(&m, "Other", &V1));
}

/* Names the compiler made up are selected only by patterns that name them. */
static void generated_names_need_explicit_patterns(void **state)
{
    (void)state;
    nrp_match wide = {.assembly = "Shop", .type = "Shop.*", .method = "*", .is_static = -1};
    nrp_match none = {.is_static = -1};
    static const char *const generated[][2] = {
        {"Shop.Orders.OrderService+<PlaceAsync>d__7", "MoveNext"},   /* an async state machine */
        {"Shop.Orders.OrderService+<>c", "<Place>b__3_0"},           /* a lambda of a closure class */
        {"Shop.Orders.OrderService+<>c__DisplayClass2_0", ".ctor"},  /* a closure */
        {"Shop.Orders.OrderService", "<Place>g__Local|3_1"},         /* a local function */
        {"Shop.<>f__AnonymousType0`2", "get_Id"},                     /* an anonymous type */
        {"<PrivateImplementationDetails>", "ComputeStringHash"},
    };
    for (size_t i = 0; i < sizeof generated / sizeof *generated; i++) {
        nrp_method_view v = view(generated[i][0], generated[i][1], 0, "");
        if (nrp_match_method(&wide, &v) || nrp_match_method(&none, &v))
            fail_msg("%s::%s selected by a wildcard", generated[i][0], generated[i][1]);
    }
    /* Named explicitly, with a '<' in the pattern, they are selected. */
    nrp_match state_machine = {.type = "Shop.Orders.OrderService+<PlaceAsync>*", .method = "MoveNext", .is_static = -1};
    nrp_method_view v = view("Shop.Orders.OrderService+<PlaceAsync>d__7", "MoveNext", 0, "");
    assert_true(nrp_match_method(&state_machine, &v));
    nrp_match lambdas = {.type = "*<*", .method = "<*", .is_static = -1};
    v = view("Shop.Orders.OrderService+<>c", "<Place>b__3_0", 0, "");
    assert_true(nrp_match_method(&lambdas, &v));
    nrp_match local = {.type = "Shop.Orders.OrderService", .method = "<Place>g__*", .is_static = -1};
    v = view("Shop.Orders.OrderService", "<Place>g__Local|3_1", 0, "");
    assert_true(nrp_match_method(&local, &v));
    assert_false(nrp_match_method(&wide, &v));
    /* A '<' inside a name is no made-up name: explicit implementations of
     * generic interfaces are the user's methods. */
    v = view("Shop.Orders.Cart", "System.Collections.Generic.IEnumerable<Shop.Item>.GetEnumerator", 0, "");
    assert_true(nrp_match_method(&wide, &v));
}

/* Types marked [CompilerGenerated] under other names (VB's state machines
 * and closures), and F#'s closures, are left out of wildcards too; the
 * attribute is asked only once every cheaper test holds. */
static int asked_marked;
static int marked(void *ctx)
{
    (void)ctx;
    asked_marked++;
    return 1;
}

static void marked_types_need_explicit_patterns(void **state)
{
    (void)state;
    nrp_method_view v = view("Shop.Orders.OrderService+VB$StateMachine_3_PlaceAsync", "MoveNext", 0, "");
    v.type_generated = marked;
    nrp_match wide = {.assembly = "Shop", .type = "Shop.*", .method = "*", .is_static = -1};
    nrp_match any_type = {.method = "MoveNext", .is_static = -1};
    assert_false(nrp_match_method(&wide, &v));
    assert_false(nrp_match_method(&any_type, &v));
    assert_int_equal(asked_marked, 2);
    /* Named: without wildcards, or with a made-up name's '$' (or '<', '@'). */
    nrp_match exact = {.type = "Shop.Orders.OrderService+VB$StateMachine_3_PlaceAsync", .is_static = -1};
    nrp_match dollar = {.type = "Shop.*+VB$StateMachine_*", .method = "MoveNext", .is_static = -1};
    assert_true(nrp_match_method(&exact, &v));
    assert_true(nrp_match_method(&dollar, &v));
    /* A cheaper test that fails first: the attribute is not asked. */
    nrp_match other = {.type = "Shop.*", .method = "Run", .is_static = -1};
    assert_false(nrp_match_method(&other, &v));
    assert_int_equal(asked_marked, 2);
    /* An unmarked type is the user's, whatever its name. */
    v.type_generated = NULL;
    assert_true(nrp_match_method(&wide, &v));
    /* F#'s closures carry no mark: their '@' tells them. */
    v = view("Shop.Orders+main@7-1", "Invoke", 0, "");
    nrp_match invoke = {.type = "Shop.*", .method = "Invoke", .is_static = -1};
    assert_false(nrp_match_method(&invoke, &v));
    invoke.type = "Shop.Orders+*@*";
    assert_true(nrp_match_method(&invoke, &v));
}

/* A generic method's parameters match written by number or by name. */
static void generic_parameters_by_number_or_name(void **state)
{
    (void)state;
    char *by_number[] = {"!!0", "System.Int32"}, *by_name[] = {"TValue", "System.Int32"}, *wrong[] = {"T", "System.Int32"};
    nrp_match m = {.method = "Put", .is_static = -1, .has_parameters = 1, .parameter_count = 2};
    nrp_method_view v = view("Shop.Cache", "Put", 0, "!!0,System.Int32");
    v.params_named = "TValue,System.Int32";
    m.parameters = by_number;
    assert_true(nrp_match_method(&m, &v));
    m.parameters = by_name;
    assert_true(nrp_match_method(&m, &v));
    m.parameters = wrong;
    assert_false(nrp_match_method(&m, &v));
    v.params_named = NULL; /* names unknown: only the numbers */
    m.parameters = by_name;
    assert_false(nrp_match_method(&m, &v));
}

static void rule_excludes_and_enabled(void **state)
{
    (void)state;
    nrp_match excludes[2] = {
        {.method = "get_*", .is_static = -1},
        {.type = "Shop.Orders+Internal", .is_static = 1},
    };
    nrp_rule r = {.enabled = 1, .match = {.assembly = "Shop", .type = "Shop.*", .method = "*", .is_static = -1},
                  .excludes = excludes, .exclude_count = 2};
    nrp_method_view v = view("Shop.Orders", "Place", 0, "");
    assert_true(nrp_rule_selects(&r, &v));
    v.name = "get_Total";
    assert_false(nrp_rule_selects(&r, &v));
    v = view("Shop.Orders+Internal", "Run", 0, "");
    assert_true(nrp_rule_selects(&r, &v)); /* the exclude wants static ones only */
    v.is_static = 1;
    assert_false(nrp_rule_selects(&r, &v));
    v = view("Shop.Orders", "Place", 0, "");
    r.enabled = 0;
    assert_false(nrp_rule_selects(&r, &v));
}

/* ---- loading ------------------------------------------------------------- */

static nrp_config *load(const char *text, nrp_diags *d)
{
    nrp_config *cfg = NULL;
    nrp_diags_init(d);
    nrp_config_load_buffer("t.yaml", text, strlen(text), &cfg, d);
    return cfg;
}

static void every_field(void **state)
{
    (void)state;
    nrp_diags d;
    nrp_config *cfg = load("version: 1\n"
                           "plugins: [extra/, /opt/p/libx.so]\n"
                           "settings:\n"
                           "  log_level: debug\n"
                           "  log_file: \"-\"\n"
                           "  processes: { include: [\"Shop*\"], exclude: [\"Shop.Tool\"] }\n"
                           "rules:\n"
                           "  - name: r\n"
                           "    enabled: false\n"
                           "    priority: -7\n"
                           "    match:\n"
                           "      assembly: Shop\n"
                           "      version: \">=1.2 <3\"\n"
                           "      type: \"Shop.*\"\n"
                           "      method: Place\n"
                           "      parameters: [System.String, System.Int32]\n"
                           "      static: true\n"
                           "    exclude:\n"
                           "      - method: \"get_*\"\n"
                           "      - { parameters: [], static: false }\n"
                           "    strategy: timing\n"
                           "    options: {}\n",
                           &d);
    if (!cfg)
        fail_msg("%s", d.count ? d.items[0].message : "?");
    const nrp_rule *r = &cfg->rules[0];
    assert_int_equal(r->enabled, 0);
    assert_int_equal(r->priority, -7);
    assert_true(r->match.has_version);
    assert_int_equal(r->match.version.count, 2);
    assert_int_equal(r->match.parameter_count, 2);
    assert_string_equal(r->match.parameters[1], "System.Int32");
    assert_int_equal(r->match.is_static, 1);
    assert_int_equal(r->exclude_count, 2);
    assert_string_equal(r->excludes[0].method, "get_*");
    assert_null(r->excludes[0].assembly);
    assert_true(r->excludes[1].has_parameters);
    assert_int_equal(r->excludes[1].parameter_count, 0);
    assert_int_equal(r->excludes[1].is_static, 0);
    assert_false(r->has_options);
    assert_int_equal(r->options_pos.line, 22);
    assert_int_equal(r->strategy_pos.line, 21);
    assert_int_equal(cfg->plugin_path_count, 2);
    assert_string_equal(cfg->plugin_paths[0], "./extra/");
    assert_string_equal(cfg->plugin_paths[1], "/opt/p/libx.so");
    assert_true(cfg->settings.has_log_level);
    assert_int_equal(cfg->settings.log_level, NRP_LOG_DEBUG);
    assert_string_equal(cfg->settings.log_file, "-");
    assert_int_equal(cfg->settings.process_include_count, 1);
    assert_string_equal(cfg->settings.process_exclude[0], "Shop.Tool");
    nrp_config_free(cfg);
    nrp_diags_free(&d);
}

/* Every problem is reported, not just the first. */
static void all_errors_reported(void **state)
{
    (void)state;
    nrp_diags d;
    nrp_config *cfg = load("version: 1\n"                                          /* 1 */
                           "settings: { log_level: loud, colour: red }\n"          /* 2 */
                           "rules:\n"                                              /* 3 */
                           "  - name: a\n"                                         /* 4 */
                           "    enabled: yes\n"                                    /* 5 */
                           "    match: { assembly: A, type: \"T T\", method: M, static: 1 }\n" /* 6 */
                           "    exclude: [ {}, { when: now } ]\n"                  /* 7 */
                           "    strategy: s\n"                                     /* 8 */
                           "    options: [1]\n"                                    /* 9 */
                           "  - name: b\n"                                         /* 10 */
                           "    match: { assembly: A, type: T, method: M, version: \">=1.x\", parameters: x }\n" /* 11 */
                           "    strategy: s\n"                                     /* 12 */
                           "    priority: 1.5\n",                                  /* 13 */
                           &d);
    assert_null(cfg);
    static const char *const want[] = {
        "t.yaml:2:30: error: unknown key 'colour' in settings (expected one of: log_level, log_file, processes, metrics, reload)",
        "t.yaml:2:24: error: 'log_level' must be one of error, warn, info, debug, trace",
        "t.yaml:5:14: error: 'enabled' must be true or false",
        "t.yaml:6:33: error: bad pattern 'T T' for 'type': names hold no blanks or control characters",
        "t.yaml:6:59: error: 'static' must be true or false",
        "t.yaml:7:16: error: an exclude needs at least one key, or it would exclude everything",
        "t.yaml:7:22: error: unknown key 'when' in an exclude (expected one of: assembly, type, method, version, "
        "parameters, static, attribute, base)",
        "t.yaml:9:14: error: 'options' must be a mapping",
        "t.yaml:11:56: error: bad version range '>=1.x': expected a version of 1 to 4 numbers (0-65535) joined by dots "
        "after the comparison at column 3",
        "t.yaml:11:77: error: 'parameters' must be a list",
        "t.yaml:13:15: error: 'priority' must be an integer",
    };
    nrp_strbuf sb;
    nrp_strbuf_init(&sb);
    nrp_diags_format(&d, &sb);
    size_t n = sizeof want / sizeof want[0];
    if (d.count != n)
        fail_msg("expected %zu errors, got %zu:\n%s", n, d.count, sb.data);
    /* one per line, sorted as found */
    for (size_t i = 0; i < n; i++) {
        nrp_strbuf one;
        nrp_strbuf_init(&one);
        nrp_diag_format(&d.items[i], &one);
        int found = 0;
        for (size_t j = 0; j < n; j++)
            found |= strcmp(one.data, want[j]) == 0;
        if (!found)
            fail_msg("unexpected error: %s", one.data);
        nrp_strbuf_free(&one);
    }
    nrp_strbuf_free(&sb);
    nrp_diags_free(&d);
}

static int asked_attribute, asked_base;

static int has_traced(void *ctx, const char *attribute)
{
    (void)ctx;
    asked_attribute++;
    return strcmp(attribute, "Shop.TracedAttribute") == 0;
}

static int derives_from_handler(void *ctx, const char *base)
{
    (void)ctx;
    asked_base++;
    return strcmp(base, "Shop.Lib.Handler") == 0;
}

static void attribute_and_base(void **state)
{
    (void)state;
    nrp_diags d;
    nrp_config *cfg = load("version: 1\nrules:\n  - name: a\n"
                           "    match: { assembly: Shop, type: \"*\", method: \"*\", attribute: Shop.TracedAttribute, "
                           "base: Shop.Lib.Handler }\n"
                           "    strategy: s\n",
                           &d);
    assert_non_null(cfg);
    const nrp_match *m = &cfg->rules[0].match;
    assert_string_equal(m->attribute, "Shop.TracedAttribute");
    assert_string_equal(m->base, "Shop.Lib.Handler");
    nrp_method_view v = {"Shop", &V1, "Shop.Fast", "Handle", 0, "", NULL, NULL, has_traced, derives_from_handler, NULL};
    asked_attribute = asked_base = 0;
    assert_true(nrp_match_method(m, &v));
    assert_int_equal(asked_attribute, 1);
    assert_int_equal(asked_base, 1);
    /* the costly questions are not asked once a cheap field fails */
    v.type = "Other.Fast";
    nrp_match narrow = *m;
    narrow.type = "Shop.*";
    assert_false(nrp_match_method(&narrow, &v));
    assert_int_equal(asked_attribute, 1);
    /* no way to ask means no */
    v.type = "Shop.Fast";
    v.derives_from = NULL;
    assert_false(nrp_match_method(m, &v));
    nrp_config_free(cfg);
    nrp_diags_free(&d);
}

/* C# keywords in `parameters` select what their System names select; a
 * name that only contains one is left as it is. */
static void parameter_keywords(void **state)
{
    (void)state;
    nrp_diags d;
    nrp_config *cfg = load("version: 1\nrules:\n  - name: a\n"
                           "    match: { assembly: Shop, type: \"*\", method: Place, parameters: "
                           "[string, \"int[]\", \"long&\", \"System.Collections.Generic.List`1<object>\", "
                           "\"System.Collections.Generic.Dictionary`2<string,nint>\", Shop.int, integer, \"!!0\"] }\n"
                           "    strategy: s\n",
                           &d);
    if (!cfg)
        fail_msg("%s", d.count ? d.items[0].message : "?");
    const nrp_match *m = &cfg->rules[0].match;
    static const char *const want[] = {"System.String",
                                       "System.Int32[]",
                                       "System.Int64&",
                                       "System.Collections.Generic.List`1<System.Object>",
                                       "System.Collections.Generic.Dictionary`2<System.String,System.IntPtr>",
                                       "Shop.int",
                                       "integer",
                                       "!!0"};
    assert_int_equal(m->parameter_count, sizeof want / sizeof *want);
    for (uint32_t i = 0; i < m->parameter_count; i++)
        assert_string_equal(m->parameters[i], want[i]);
    /* and they select the method as its label spells it */
    nrp_config_free(cfg);
    cfg = load("version: 1\nrules:\n  - name: a\n"
               "    match: { assembly: Shop, type: \"*\", method: Place, parameters: [string, int] }\n"
               "    strategy: s\n",
               &d);
    assert_non_null(cfg);
    nrp_method_view v = {"Shop", &V1, "Shop.Cart", "Place", 0, "System.String,System.Int32", NULL, NULL, NULL, NULL, NULL};
    assert_true(nrp_match_method(&cfg->rules[0].match, &v));
    v.params = "System.String,System.Int64";
    assert_false(nrp_match_method(&cfg->rules[0].match, &v));
    nrp_config_free(cfg);
    nrp_diags_free(&d);
}

/* ---- files: includes and settings placement ---------------------------- */

static char dir[64];

static void put(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void includes_in_sorted_order(void **state)
{
    (void)state;
    char path[256];
    nrp_diags d;
    nrp_config *cfg = NULL;
    snprintf(dir, sizeof dir, "/tmp/nrp-rules-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/d", dir);
    mkdir(path, 0755);
    put("main.yaml", "version: 1\ninclude: [\"d/*.yaml\", extra.yaml]\nrules:\n"
                     "  - { name: main, match: { assembly: A, type: T, method: M }, strategy: s }\n");
    put("d/2.yaml", "version: 1\nrules:\n  - { name: two, match: { assembly: A, type: T, method: M }, strategy: s }\n");
    put("d/1.yaml", "version: 1\nplugins: [p/]\nrules:\n"
                    "  - { name: one, match: { assembly: A, type: T, method: M }, strategy: s }\n");
    put("extra.yaml", "version: 1\nrules: []\n");
    snprintf(path, sizeof path, "%s/main.yaml", dir);
    nrp_diags_init(&d);
    if (nrp_config_load_file(path, &cfg, &d) != NRP_OK)
        fail_msg("%s", d.items[0].message);
    assert_int_equal(cfg->rule_count, 3);
    assert_string_equal(cfg->rules[0].name, "main");
    assert_string_equal(cfg->rules[1].name, "one");
    assert_string_equal(cfg->rules[2].name, "two");
    assert_int_equal(cfg->file_count, 4);
    char want[256];
    snprintf(want, sizeof want, "%s/d/p/", dir);
    assert_string_equal(cfg->plugin_paths[0], want);
    assert_non_null(strstr(cfg->rules[1].pos.file, "/d/1.yaml"));
    nrp_config_free(cfg);

    /* settings only in the main file; a missing literal include is an error */
    put("d/3.yaml", "version: 1\nsettings: { log_level: info }\ninclude: [nowhere.yaml]\n");
    assert_int_equal(nrp_config_load_file(path, &cfg, &d), NRP_ERROR);
    assert_int_equal(d.count, 2);
    assert_non_null(strstr(d.items[0].message, "'settings' belongs in the main file"));
    assert_non_null(strstr(d.items[1].message, "/d/nowhere.yaml does not exist"));
    assert_int_equal(d.items[1].line, 3);
    nrp_diags_free(&d);

    /* a glob over a folder that does not exist matches nothing; one that
     * cannot be read is an error */
    put("d/3.yaml", "version: 1\ninclude: [\"absent/*.yaml\"]\n");
    nrp_diags_init(&d);
    assert_int_equal(nrp_config_load_file(path, &cfg, &d), NRP_OK);
    assert_int_equal(d.count, 0);
    nrp_config_free(cfg);
    nrp_diags_free(&d);
    if (geteuid() != 0) { /* root reads any folder */
        char locked[256];
        snprintf(locked, sizeof locked, "%s/d/locked", dir);
        assert_int_equal(mkdir(locked, 0), 0);
        put("d/3.yaml", "version: 1\ninclude: [\"locked/*.yaml\"]\n");
        nrp_diags_init(&d);
        assert_int_equal(nrp_config_load_file(path, &cfg, &d), NRP_ERROR);
        assert_int_equal(d.count, 1);
        assert_string_equal(d.items[0].message, "cannot read the files of include pattern 'locked/*.yaml'");
        nrp_diags_free(&d);
        rmdir(locked);
    }

    /* a cycle is refused where it closes */
    put("d/3.yaml", "version: 1\ninclude: [../main.yaml]\n");
    nrp_diags_init(&d);
    assert_int_equal(nrp_config_load_file(path, &cfg, &d), NRP_ERROR);
    assert_int_equal(d.count, 1);
    assert_non_null(strstr(d.items[0].message, "include cycle: "));
    assert_non_null(strstr(d.items[0].file, "/d/3.yaml"));
    nrp_diags_free(&d);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(version_ranges),
        cmocka_unit_test(version_range_errors),
        cmocka_unit_test(match_fields),
        cmocka_unit_test(generated_names_need_explicit_patterns),
        cmocka_unit_test(marked_types_need_explicit_patterns),
        cmocka_unit_test(generic_parameters_by_number_or_name),
        cmocka_unit_test(rule_excludes_and_enabled),
        cmocka_unit_test(every_field),
        cmocka_unit_test(all_errors_reported),
        cmocka_unit_test(attribute_and_base),
        cmocka_unit_test(parameter_keywords),
        cmocka_unit_test(includes_in_sorted_order),
    };
    return cmocka_run_group_tests_name("rules", tests, NULL, NULL);
}
