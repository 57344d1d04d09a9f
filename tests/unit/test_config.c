/*
 * test_config.c - instrumentation.yaml loading: fields, positions and the
 * exact "name:LINE:COL: reason" of every error.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nrp/plugin.h"
#include "rules/config.h"

/* The loader reports every problem; these tests look at the first one,
 * formatted as users see it. */
typedef struct test_err {
    nrp_diags d;
    char msg[2048];
} test_err;

static void first_error(test_err *e)
{
    nrp_strbuf sb;
    nrp_strbuf_init(&sb);
    if (e->d.count)
        nrp_diag_format(&e->d.items[0], &sb);
    snprintf(e->msg, sizeof e->msg, "%s", sb.data ? sb.data : "");
    nrp_strbuf_free(&sb);
    nrp_diags_free(&e->d);
}

static int load_buffer(const char *name, const char *text, size_t len, nrp_config **cfg, test_err *e)
{
    nrp_diags_init(&e->d);
    int rc = nrp_config_load_buffer(name, text, len, cfg, &e->d);
    first_error(e);
    return rc;
}

static int load_file(const char *path, nrp_config **cfg, test_err *e)
{
    nrp_diags_init(&e->d);
    int rc = nrp_config_load_file(path, cfg, &e->d);
    first_error(e);
    return rc;
}

static nrp_config *load_ok(const char *text)
{
    nrp_config *cfg = (nrp_config *)0x1;
    test_err err = {0};
    if (load_buffer("t.yaml", text, strlen(text), &cfg, &err) != NRP_OK)
        fail_msg("load failed: %s", err.msg);
    assert_non_null(cfg);
    return cfg;
}

/* Load must fail with exactly `want`, leaving *out NULL. */
static void expect_error(const char *text, const char *want)
{
    nrp_config *cfg = (nrp_config *)0x1;
    test_err err = {0};
    assert_int_equal(load_buffer("t.yaml", text, strlen(text), &cfg, &err), NRP_ERROR);
    assert_null(cfg);
    assert_string_equal(err.msg, want);
}

/* Load must fail with a message starting with `prefix` and containing `part`. */
static void expect_error_prefix(const char *text, const char *prefix, const char *part)
{
    nrp_config *cfg = (nrp_config *)0x1;
    test_err err = {0};
    assert_int_equal(load_buffer("t.yaml", text, strlen(text), &cfg, &err), NRP_ERROR);
    assert_null(cfg);
    if (strncmp(err.msg, prefix, strlen(prefix)) != 0)
        fail_msg("'%s' does not start with '%s'", err.msg, prefix);
    if (!strstr(err.msg, part))
        fail_msg("'%s' does not mention '%s'", err.msg, part);
}

static void assert_rule(const nrp_rule *r, const char *name, const char *assembly, const char *type,
                        const char *method, const char *strategy, unsigned line, unsigned column)
{
    assert_string_equal(r->name, name);
    assert_string_equal(r->match.assembly, assembly);
    assert_string_equal(r->match.type, type);
    assert_string_equal(r->match.method, method);
    assert_string_equal(r->strategy, strategy);
    assert_int_equal(r->pos.line, line);
    assert_int_equal(r->pos.column, column);
}

static const char VALID[] =
    "version: 1\n"                                                   /* 1 */
    "rules:\n"                                                       /* 2 */
    "  - name: add\n"                                                /* 3 */
    "    match: {assembly: Demo, type: Demo.Calculator, method: Add}\n" /* 4 */
    "    strategy: count\n"                                          /* 5 */
    "  # a comment between rules\n"                                  /* 6 */
    "  - name: second\n"                                             /* 7 */
    "    match:\n"                                                   /* 8 */
    "      assembly: \"Demo*\"\n"                                    /* 9 */
    "      type: '*'\n"                                              /* 10 */
    "      method: Get?\n"                                           /* 11 */
    "    strategy: timing\n";                                        /* 12 */

static void test_valid_config(void **state)
{
    (void)state;
    nrp_config *cfg = load_ok(VALID);
    assert_string_equal(cfg->path, "t.yaml");
    assert_int_equal(cfg->rule_count, 2);
    assert_rule(&cfg->rules[0], "add", "Demo", "Demo.Calculator", "Add", "count", 3, 5);
    assert_rule(&cfg->rules[1], "second", "Demo*", "*", "Get?", "timing", 7, 5);
    nrp_config_free(cfg);
}

static void test_valid_keys_in_any_order_and_unindented_list(void **state)
{
    (void)state;
    nrp_config *cfg = load_ok("rules:\n"
                              "- strategy: s\n"
                              "  match:\n"
                              "    method: M\n"
                              "    type: T\n"
                              "    assembly: A\n"
                              "  name: a\n"
                              "version: 1\n");
    assert_int_equal(cfg->rule_count, 1);
    assert_rule(&cfg->rules[0], "a", "A", "T", "M", "s", 2, 3);
    nrp_config_free(cfg);
}

static void test_valid_flow_rules(void **state)
{
    (void)state;
    nrp_config *cfg =
        load_ok("version: 1\n"
                "rules: [{name: a, match: {assembly: A, type: T, method: M}, strategy: s}, "
                "{name: b, match: {assembly: B, type: U, method: N}, strategy: t}]\n");
    assert_int_equal(cfg->rule_count, 2);
    assert_rule(&cfg->rules[0], "a", "A", "T", "M", "s", 2, 9);
    assert_rule(&cfg->rules[1], "b", "B", "U", "N", "t", 2, 75);
    nrp_config_free(cfg);
}

static void test_empty_rules(void **state)
{
    (void)state;
    nrp_config *cfg = load_ok("version: 1\nrules: []\n");
    assert_int_equal(cfg->rule_count, 0);
    assert_string_equal(cfg->path, "t.yaml");
    nrp_config_free(cfg);
}

static void test_name_used_in_messages(void **state)
{
    (void)state;
    nrp_config *cfg = (nrp_config *)0x1;
    test_err err = {0};
    const char *text = "version: 3\nrules: []\n";
    assert_int_equal(load_buffer("/etc/nrp/instrumentation.yaml", text, strlen(text), &cfg,
                                            &err),
                     NRP_ERROR);
    assert_null(cfg);
    assert_string_equal(err.msg, "/etc/nrp/instrumentation.yaml:1:10: error: unsupported version '3' "
                                 "(this host reads version 1)");
}

static void test_length_is_respected(void **state)
{
    (void)state;
    /* only the first line is in the buffer: 'rules' is missing */
    const char *text = "version: 1\nrules: []\n";
    nrp_config *cfg = (nrp_config *)0x1;
    test_err err = {0};
    assert_int_equal(load_buffer("t.yaml", text, 11, &cfg, &err), NRP_ERROR);
    assert_string_equal(err.msg, "t.yaml:1:1: error: missing required key 'rules'");
}

static void test_error_version(void **state)
{
    (void)state;
    expect_error("rules: []\n",
                 "t.yaml:1:1: error: missing required key 'version' (this host reads version 1)");
    expect_error("rules: []\nversion: 2\n",
                 "t.yaml:2:10: error: unsupported version '2' (this host reads version 1)");
    expect_error("version: \"abc\"\nrules: []\n",
                 "t.yaml:1:10: error: unsupported version 'abc' (this host reads version 1)");
    expect_error("version: 1.0\nrules: []\n",
                 "t.yaml:1:10: error: unsupported version '1.0' (this host reads version 1)");
    expect_error("version:\nrules: []\n",
                 "t.yaml:1:9: error: unsupported version '' (this host reads version 1)");
    expect_error("version: [1]\nrules: []\n",
                 "t.yaml:1:10: error: unsupported version '?' (this host reads version 1)");
}

static void test_error_missing_rules(void **state)
{
    (void)state;
    expect_error("version: 1\n", "t.yaml:1:1: error: missing required key 'rules'");
}

static void test_error_unknown_top_level_key(void **state)
{
    (void)state;
    expect_error("version: 1\nrules: []\nextra: 3\n",
                 "t.yaml:3:1: error: unknown key 'extra' in the top level (expected one of: version, include, plugins, settings, rules)");
}

static void test_error_top_level_not_mapping(void **state)
{
    (void)state;
    expect_error("- a\n", "t.yaml:1:1: error: the top level must be a mapping with 'version' and 'rules'");
    expect_error("just text\n", "t.yaml:1:1: error: the top level must be a mapping with 'version' and 'rules'");
}

static void test_error_rules_not_list(void **state)
{
    (void)state;
    expect_error("version: 1\nrules: {a: 1}\n", "t.yaml:2:8: error: 'rules' must be a list");
    expect_error("version: 1\nrules:\n", "t.yaml:2:7: error: 'rules' must be a list");
    expect_error("version: 1\nrules: none\n", "t.yaml:2:8: error: 'rules' must be a list");
}

static void test_error_rule_not_mapping(void **state)
{
    (void)state;
    expect_error("version: 1\n"
                 "rules:\n"
                 "  - just a string\n",
                 "t.yaml:3:5: error: each rule must be a mapping with name, match and strategy");
    /* the second rule is the bad one */
    expect_error("version: 1\n"
                 "rules:\n"
                 "  - name: a\n"
                 "    match: {assembly: A, type: T, method: M}\n"
                 "    strategy: s\n"
                 "  - [x, y]\n",
                 "t.yaml:6:5: error: each rule must be a mapping with name, match and strategy");
}

static void test_error_missing_name(void **state)
{
    (void)state;
    expect_error("version: 1\n"
                 "rules:\n"
                 "  - match: {assembly: A, type: T, method: M}\n"
                 "    strategy: s\n",
                 "t.yaml:3:5: error: rule is missing required key 'name'");
}

static void test_error_missing_match(void **state)
{
    (void)state;
    expect_error("version: 1\n"
                 "rules:\n"
                 "  - name: r\n"
                 "    strategy: s\n",
                 "t.yaml:3:5: error: rule 'r' is missing required key 'match'");
}

static void test_error_missing_strategy(void **state)
{
    (void)state;
    expect_error("version: 1\n"
                 "rules:\n"
                 "  - name: r\n"
                 "    match: {assembly: A, type: T, method: M}\n",
                 "t.yaml:3:5: error: rule 'r' is missing required key 'strategy'");
}

static void test_error_match_missing_type(void **state)
{
    (void)state;
    expect_error("version: 1\n"
                 "rules:\n"
                 "  - name: r\n"
                 "    match: {assembly: A, method: M}\n"
                 "    strategy: s\n",
                 "t.yaml:4:12: error: match is missing required key 'type'");
    /* block mapping: the position is the mapping's first key */
    expect_error("version: 1\n"
                 "rules:\n"
                 "  - name: r\n"
                 "    match:\n"
                 "      type: T\n"
                 "      method: M\n"
                 "    strategy: s\n",
                 "t.yaml:5:7: error: match is missing required key 'assembly'");
    expect_error("version: 1\n"
                 "rules:\n"
                 "  - name: r\n"
                 "    match: {assembly: A, type: T}\n"
                 "    strategy: s\n",
                 "t.yaml:4:12: error: match is missing required key 'method'");
}

static void test_error_match_not_mapping(void **state)
{
    (void)state;
    expect_error("version: 1\n"
                 "rules:\n"
                 "  - name: r\n"
                 "    match: [a]\n"
                 "    strategy: s\n",
                 "t.yaml:4:12: error: 'match' must be a mapping with assembly, type and method");
}

static void test_error_unknown_key_in_match(void **state)
{
    (void)state;
    expect_error("version: 1\n"
                 "rules:\n"
                 "  - name: r\n"
                 "    match: {assembly: A, type: T, method: M, param: x}\n"
                 "    strategy: s\n",
                 "t.yaml:4:46: error: unknown key 'param' in match (expected one of: assembly, type, method, version, parameters, static, attribute, base)");
}

static void test_error_unknown_key_in_rule(void **state)
{
    (void)state;
    expect_error("version: 1\n"
                 "rules:\n"
                 "  - name: r\n"
                 "    match: {assembly: A, type: T, method: M}\n"
                 "    strategy: s\n"
                 "    when: always\n",
                 "t.yaml:6:5: error: unknown key 'when' in a rule (expected one of: name, enabled, priority, match, exclude, strategy, options)");
}

static void test_error_empty_or_non_string_values(void **state)
{
    (void)state;
    expect_error("version: 1\n"
                 "rules:\n"
                 "  - name: \"\"\n"
                 "    match: {assembly: A, type: T, method: M}\n"
                 "    strategy: s\n",
                 "t.yaml:3:11: error: 'name' must be a non-empty string");
    expect_error("version: 1\n"
                 "rules:\n"
                 "  - name: {x: 1}\n"
                 "    match: {assembly: A, type: T, method: M}\n"
                 "    strategy: s\n",
                 "t.yaml:3:11: error: 'name' must be a non-empty string");
    expect_error("version: 1\n"
                 "rules:\n"
                 "  - name: a\n"
                 "    match: {assembly: A, type: \"\", method: M}\n"
                 "    strategy: s\n",
                 "t.yaml:4:32: error: 'type' must be a non-empty string");
    expect_error("version: 1\n"
                 "rules:\n"
                 "  - name: a\n"
                 "    match: {assembly: A, type: T, method: M}\n"
                 "    strategy: [x]\n",
                 "t.yaml:5:15: error: 'strategy' must be a non-empty string");
}

static void test_error_duplicate_key(void **state)
{
    (void)state;
    expect_error("version: 1\n"
                 "rules:\n"
                 "  - name: r\n"
                 "    name: q\n"
                 "    match: {assembly: A, type: T, method: M}\n"
                 "    strategy: s\n",
                 "t.yaml:4:5: error: key 'name' appears twice in a rule");
    expect_error("version: 1\n"
                 "version: 1\n"
                 "rules: []\n",
                 "t.yaml:2:1: error: key 'version' appears twice in the top level");
    expect_error("version: 1\n"
                 "rules:\n"
                 "  - name: a\n"
                 "    match: {assembly: A, type: T, method: M, type: U}\n"
                 "    strategy: s\n",
                 "t.yaml:4:46: error: key 'type' appears twice in match");
}

static void test_error_duplicate_rule_name(void **state)
{
    (void)state;
    expect_error("version: 1\n"
                 "rules:\n"
                 "  - name: r\n"
                 "    match: {assembly: A, type: T, method: M}\n"
                 "    strategy: s\n"
                 "  - name: other\n"
                 "    match: {assembly: A, type: T, method: M}\n"
                 "    strategy: s\n"
                 "  - name: r\n"
                 "    match: {assembly: B, type: T, method: M}\n"
                 "    strategy: s\n",
                 "t.yaml:9:11: error: rule name 'r' is already used at t.yaml:3:11");
}

/* Every later use of a name is reported, in file order, each naming the
 * first use (names are checked sorted, not pairwise). */
static void test_error_duplicate_rule_names_each_reported(void **state)
{
    (void)state;
    static const char text[] = "version: 1\n"
                               "rules:\n"
                               "  - {name: b, match: {assembly: A, type: T, method: M}, strategy: s}\n"
                               "  - {name: a, match: {assembly: A, type: T, method: M}, strategy: s}\n"
                               "  - {name: b, match: {assembly: A, type: T, method: M}, strategy: s}\n"
                               "  - {name: a, match: {assembly: A, type: T, method: M}, strategy: s}\n"
                               "  - {name: b, match: {assembly: A, type: T, method: M}, strategy: s}\n";
    static const char *const want[] = {
        "t.yaml:5:12: error: rule name 'b' is already used at t.yaml:3:12",
        "t.yaml:6:12: error: rule name 'a' is already used at t.yaml:4:12",
        "t.yaml:7:12: error: rule name 'b' is already used at t.yaml:3:12",
    };
    nrp_config *cfg = NULL;
    nrp_diags d;
    nrp_diags_init(&d);
    assert_int_equal(nrp_config_load_buffer("t.yaml", text, strlen(text), &cfg, &d), NRP_ERROR);
    assert_int_equal(d.count, 3);
    for (size_t i = 0; i < 3; i++) {
        nrp_strbuf sb;
        nrp_strbuf_init(&sb);
        nrp_diag_format(&d.items[i], &sb);
        assert_string_equal(sb.data, want[i]);
        nrp_strbuf_free(&sb);
    }
    nrp_diags_free(&d);
}

static void test_error_invalid_yaml(void **state)
{
    (void)state;
    expect_error_prefix("version: 1\nrules: [\n", "t.yaml:3:1: error: ", "did not find expected node content");
    expect_error_prefix("version: 1\n"
                        "rules:\n"
                        "  - name: r\n"
                        "   bad: indent\n",
                        "t.yaml:4:4: error: ", "did not find expected '-' indicator");
    expect_error_prefix("version: 1\nrules:\n\t- name: a\n", "t.yaml:3:1: error: ",
                        "found character that cannot start any token");
    expect_error_prefix("version: 1\nrules:\n  - name: 'a\n", "t.yaml:4:1: error: ",
                        "found unexpected end of stream");
}

static void test_error_empty_document(void **state)
{
    (void)state;
    const char *want = "t.yaml:1:1: error: the file is empty (expected 'version: 1' and 'rules')";
    expect_error("", want);
    expect_error("\n\n", want);
    expect_error("# only a comment\n", want);
}

/* libyaml's yaml_parser_load reads one document; everything after a "---"
 * was once silently ignored. A second document is refused like every other
 * ambiguity. */
/* The version is the integer 1 exactly, as the schema says. */
static void test_error_version_spellings(void **state)
{
    (void)state;
    expect_error("version: 01\nrules: []\n", "t.yaml:1:10: error: unsupported version '01' (this host reads version 1)");
    expect_error("version: +1\nrules: []\n", "t.yaml:1:10: error: unsupported version '+1' (this host reads version 1)");
    expect_error("version: 1.0\nrules: []\n", "t.yaml:1:10: error: unsupported version '1.0' (this host reads version 1)");
    expect_error("version: '1'\nrules: []\n", "t.yaml:1:10: error: unsupported version '1' (this host reads version 1)");
}

static void test_error_second_document(void **state)
{
    (void)state;
    nrp_config *cfg = (nrp_config *)0x1;
    test_err err = {0};
    const char *text = "version: 1\n"
                       "rules: []\n"
                       "---\n"
                       "version: 1\n"
                       "rules:\n"
                       "  - name: r\n"
                       "    match: {assembly: A, type: T, method: M}\n"
                       "    strategy: s\n";
    int rc = load_buffer("t.yaml", text, strlen(text), &cfg, &err);
    if (rc == NRP_OK) {
        size_t n = cfg->rule_count;
        nrp_config_free(cfg);
        fail_msg("a second YAML document was silently ignored (%zu rules loaded)", n);
    }
    assert_null(cfg);
    assert_string_equal(err.msg, "t.yaml:3:1: error: a second YAML document; the file must hold exactly one");
}

static void test_load_file(void **state)
{
    (void)state;
    char path[] = "/tmp/nrp-test-config-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t len = strlen(VALID);
    assert_int_equal(write(fd, VALID, len), (ssize_t)len);
    close(fd);

    nrp_config *cfg = (nrp_config *)0x1;
    test_err err = {0};
    int rc = load_file(path, &cfg, &err);
    if (rc != NRP_OK) {
        unlink(path);
        fail_msg("load_file: %s", err.msg);
    }
    assert_string_equal(cfg->path, path);
    assert_int_equal(cfg->rule_count, 2);
    assert_rule(&cfg->rules[0], "add", "Demo", "Demo.Calculator", "Add", "count", 3, 5);
    assert_rule(&cfg->rules[1], "second", "Demo*", "*", "Get?", "timing", 7, 5);
    nrp_config_free(cfg);

    /* errors name the file */
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("version: 1\nrules: []\nextra: 1\n", f);
    fclose(f);
    cfg = (nrp_config *)0x1;
    assert_int_equal(load_file(path, &cfg, &err), NRP_ERROR);
    assert_null(cfg);
    char want[256];
    snprintf(want, sizeof want,
             "%s:3:1: error: unknown key 'extra' in the top level (expected one of: version, include, plugins, settings, rules)", path);
    assert_string_equal(err.msg, want);
    unlink(path);
}

static void test_load_file_larger_than_read_chunk(void **state)
{
    (void)state;
    /* more than the loader's first 4096-byte buffer: it has to grow */
    char path[] = "/tmp/nrp-test-config-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs("version: 1\nrules:\n", f);
    for (int i = 0; i < 200; i++)
        fprintf(f, "  - name: rule%03d\n    match: {assembly: A, type: T%d, method: M}\n    strategy: s\n",
                i, i);
    fclose(f);
    nrp_config *cfg = NULL;
    test_err err = {0};
    int rc = load_file(path, &cfg, &err);
    unlink(path);
    if (rc != NRP_OK)
        fail_msg("load_file: %s", err.msg);
    assert_int_equal(cfg->rule_count, 200);
    assert_rule(&cfg->rules[199], "rule199", "A", "T199", "M", "s", 3 + 199 * 3, 5);
    nrp_config_free(cfg);
}

static void test_load_file_missing(void **state)
{
    (void)state;
    nrp_config *cfg = (nrp_config *)0x1;
    test_err err = {0};
    const char *path = "/nonexistent-nrp-dir/instrumentation.yaml";
    assert_int_equal(load_file(path, &cfg, &err), NRP_ERROR);
    assert_null(cfg);
    char want[256];
    snprintf(want, sizeof want, "%s: error: cannot open: %s", path, strerror(ENOENT));
    assert_string_equal(err.msg, want);
    const char *prefix = "/nonexistent-nrp-dir/instrumentation.yaml: error: cannot open: ";
    assert_true(strncmp(err.msg, prefix, strlen(prefix)) == 0);
}

static void test_load_file_too_large(void **state)
{
    (void)state;
    /* a rules file of 16 MiB and one byte (a hole: nothing is written) */
    char path[] = "/tmp/nrp-test-config-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, ((off_t)16 << 20) + 1), 0);
    close(fd);
    nrp_config *cfg = (nrp_config *)0x1;
    test_err err = {0};
    assert_int_equal(load_file(path, &cfg, &err), NRP_ERROR);
    unlink(path);
    assert_null(cfg);
    char want[256];
    snprintf(want, sizeof want, "%s: error: cannot open: larger than 16 MiB, too large for a rules file", path);
    assert_string_equal(err.msg, want);
}

/* A key holding a line break (a quoted YAML key may) is quoted escaped:
 * one problem stays one line of output and of the log. */
static void test_error_message_stays_one_line(void **state)
{
    (void)state;
    expect_error("version: 1\nrules: []\n\"bad\\nkey\": 1\n",
                 "t.yaml:3:1: error: unknown key 'bad\\nkey' in the top level (expected one of: version, include, "
                 "plugins, settings, rules)");
}

static void test_free_null(void **state)
{
    (void)state;
    nrp_config_free(NULL); /* must not crash */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_config),
        cmocka_unit_test(test_valid_keys_in_any_order_and_unindented_list),
        cmocka_unit_test(test_valid_flow_rules),
        cmocka_unit_test(test_empty_rules),
        cmocka_unit_test(test_name_used_in_messages),
        cmocka_unit_test(test_length_is_respected),
        cmocka_unit_test(test_error_version),
        cmocka_unit_test(test_error_missing_rules),
        cmocka_unit_test(test_error_unknown_top_level_key),
        cmocka_unit_test(test_error_top_level_not_mapping),
        cmocka_unit_test(test_error_rules_not_list),
        cmocka_unit_test(test_error_rule_not_mapping),
        cmocka_unit_test(test_error_missing_name),
        cmocka_unit_test(test_error_missing_match),
        cmocka_unit_test(test_error_missing_strategy),
        cmocka_unit_test(test_error_match_missing_type),
        cmocka_unit_test(test_error_match_not_mapping),
        cmocka_unit_test(test_error_unknown_key_in_match),
        cmocka_unit_test(test_error_unknown_key_in_rule),
        cmocka_unit_test(test_error_empty_or_non_string_values),
        cmocka_unit_test(test_error_duplicate_key),
        cmocka_unit_test(test_error_duplicate_rule_name),
        cmocka_unit_test(test_error_duplicate_rule_names_each_reported),
        cmocka_unit_test(test_error_invalid_yaml),
        cmocka_unit_test(test_error_empty_document),
        cmocka_unit_test(test_error_version_spellings),
        cmocka_unit_test(test_error_second_document),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_load_file_larger_than_read_chunk),
        cmocka_unit_test(test_load_file_missing),
        cmocka_unit_test(test_load_file_too_large),
        cmocka_unit_test(test_error_message_stays_one_line),
        cmocka_unit_test(test_free_null),
    };
    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
