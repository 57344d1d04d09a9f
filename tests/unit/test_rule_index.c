/* The rule index picks exactly what trying every rule in order picks. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rule_index.h"
#include "test_rng.h"

static const char *const assemblies[] = {"Shop", "Shop.Core", "Other", "Sh*", "*", "Shop.?ore", "Oth*"};
static const char *const types[] = {"Shop.Orders", "Shop.Orders+Line", "Shop.Cache`1", "Shop.*", "*", "*+Line",
                                    "Shop.Ord?rs"};
static const char *const methods[] = {"Place", ".ctor", "get_Total", "*", "get_*", "P?ace"};
static const char *const names_a[] = {"Shop", "Shop.Core", "Other", "Shopping"};
static const char *const names_t[] = {"Shop.Orders", "Shop.Orders+Line", "Shop.Cache`1", "Shop.Ordars", "Misc"};
static const char *const names_m[] = {"Place", ".ctor", "get_Total", "Plaice", "Pace"};
static const char *const params[] = {"", "System.Int32", "System.String,System.Int32"};

#define PICK(a) (a)[rnd() % (sizeof(a) / sizeof((a)[0]))]

static char *param_list[] = {"System.Int32"};

static void random_rule(nrp_rule *r, nrp_match *ex)
{
    memset(r, 0, sizeof *r);
    r->enabled = rnd() % 8 != 0;
    r->priority = (long)(rnd() % 3) - 1;
    r->match = (nrp_match){.assembly = (char *)PICK(assemblies), .type = (char *)PICK(types),
                           .method = (char *)PICK(methods), .is_static = (int)(rnd() % 3) - 1};
    if (rnd() % 4 == 0) {
        r->match.has_parameters = 1;
        r->match.parameters = param_list;
        r->match.parameter_count = rnd() % 2;
    }
    if (rnd() % 5 == 0) {
        char why[64];
        nrp_version_range_parse(rnd() % 2 ? ">=2" : "<2", &r->match.version, why, sizeof why);
        r->match.has_version = 1;
    }
    if (rnd() % 3 == 0) {
        *ex = (nrp_match){.method = (char *)PICK(methods), .is_static = -1};
        r->excludes = ex;
        r->exclude_count = 1;
    }
}

/* Every selecting rule, by (priority, rule order): what the index must give. */
static size_t linear(const nrp_rule *rules, size_t n, const nrp_method_view *v, uint32_t *out)
{
    size_t k = 0;
    for (long p = -1; p <= 1; p++)
        for (size_t i = 0; i < n; i++)
            if (rules[i].priority == p && nrp_rule_selects(&rules[i], v))
                out[k++] = (uint32_t)i;
    return k;
}

static void index_agrees_with_linear_scan(void **state)
{
    (void)state;
    enum { SETS = 300, RULES = 40, PROBES = 200 };
    static nrp_rule rules[RULES];
    static nrp_match excludes[RULES];
    const nrp_version v1 = {{1, 0, 0, 0}}, v3 = {{3, 0, 0, 0}};
    long hits = 0;
    rng_state = 0x9E3779B97F4A7C15ull;
    for (int set = 0; set < SETS; set++) {
        size_t n = 1 + rnd() % RULES;
        for (size_t i = 0; i < n; i++)
            random_rule(&rules[i], &excludes[i]);
        nrp_rule_index *ix = nrp_rule_index_build(rules, n);
        assert_non_null(ix);
        for (int p = 0; p < PROBES; p++) {
            const char *assembly = PICK(names_a);
            const nrp_version *version = rnd() % 2 ? &v1 : &v3;
            nrp_method_view v = {assembly, version, PICK(names_t), PICK(names_m), (int)(rnd() % 2), PICK(params), NULL, NULL, NULL, NULL, NULL};
            nrp_module_rules *mr = NULL;
            assert_int_equal(nrp_rule_index_module(ix, assembly, &mr), NRP_OK);
            uint32_t want[RULES], got[RULES];
            size_t nw = linear(rules, n, &v, want);
            size_t ng = mr ? nrp_module_rules_select_all(mr, &v, got, RULES) : 0;
            if (ng != nw || memcmp(got, want, nw * sizeof want[0]) != 0)
                fail_msg("set %d probe %d: index chose %zu rule(s) (first %d), priority order gives %zu (first %d) "
                         "(%s %s::%s)", set, p, ng, ng ? (int)got[0] : -1, nw, nw ? (int)want[0] : -1, assembly,
                         v.type, v.name);
            if (nw > 0) {
                hits++;
                /* the cheap filters never turn away a method some rule selects */
                assert_true(nrp_rule_index_names(ix, assembly));
                assert_true(nrp_module_rules_want_type(mr, v.type));
                assert_true(nrp_module_rules_want_method(mr, v.type, v.name));
            }
            nrp_module_rules_free(mr);
        }
        nrp_rule_index_free(ix);
    }
    assert_true(hits > 1000); /* the sets do select things */
}

static void unnamed_assembly_is_dismissed(void **state)
{
    (void)state;
    nrp_rule rules[2] = {
        {.enabled = 1, .match = {.assembly = "Shop", .type = "T", .method = "M", .is_static = -1}},
        {.enabled = 0, .match = {.assembly = "Other", .type = "T", .method = "M", .is_static = -1}},
    };
    nrp_rule_index *ix = nrp_rule_index_build(rules, 2);
    nrp_module_rules *mr = NULL;
    assert_true(nrp_rule_index_names(ix, "Shop"));
    assert_false(nrp_rule_index_names(ix, "Other")); /* disabled rules are not indexed */
    assert_false(nrp_rule_index_names(ix, "System.Linq"));
    assert_int_equal(nrp_rule_index_module(ix, "System.Linq", &mr), NRP_OK);
    assert_null(mr);
    nrp_rule_index_free(ix);
}

/* Ten rules select one method and eight may apply: the eight of highest
 * priority do, in ascending order, whatever order the file lists them in
 * and whichever lists (exact type, pattern) they come from. */
static void cap_keeps_the_highest_priorities(void **state)
{
    (void)state;
    static const long priority[10] = {5, -3, 9, 0, 7, 2, -8, 4, 9, 1};
    nrp_rule rules[10];
    for (int i = 0; i < 10; i++)
        rules[i] = (nrp_rule){.enabled = 1, .priority = priority[i],
                              .match = {.assembly = "Shop", .type = i % 2 ? "Shop.*" : "Shop.Orders", .method = "Place",
                                        .is_static = -1}};
    nrp_rule_index *ix = nrp_rule_index_build(rules, 10);
    nrp_module_rules *mr = NULL;
    assert_int_equal(nrp_rule_index_module(ix, "Shop", &mr), NRP_OK);
    assert_non_null(mr);
    nrp_method_view v = {.assembly = "Shop", .type = "Shop.Orders", .name = "Place", .params = ""};
    uint32_t got[8];
    assert_int_equal(nrp_module_rules_select_all(mr, &v, got, 8), 10);
    /* left out: priorities -8 (rule 6) and -3 (rule 1); ties (9) in rule order */
    static const uint32_t want[8] = {3, 9, 5, 7, 0, 4, 2, 8};
    for (int i = 0; i < 8; i++)
        assert_int_equal(got[i], want[i]);
    uint32_t all[10];
    assert_int_equal(nrp_module_rules_select_all(mr, &v, all, 10), 10);
    assert_int_equal(all[0], 6);
    assert_int_equal(all[1], 1);
    assert_memory_equal(all + 2, want, sizeof want);
    nrp_module_rules_free(mr);
    nrp_rule_index_free(ix);
}

/* The scanner splits a module's rules by their `base`: the bases named,
 * the rules kept by a filter (selecting as before), and the exact type
 * names to look up when no rule's type is a pattern. */
static int keep_based(void *ctx, const nrp_rule *rule)
{
    return rule->match.base && strcmp(rule->match.base, ctx) == 0;
}

static int keep_baseless(void *ctx, const nrp_rule *rule)
{
    (void)ctx;
    return !rule->match.base;
}

static void rules_split_by_base(void **state)
{
    (void)state;
    nrp_rule rules[4] = {
        {.enabled = 1, .match = {.assembly = "Shop", .type = "Shop.Orders", .method = "Place", .is_static = -1}},
        {.enabled = 1, .match = {.assembly = "*", .type = "*", .method = "Exec*", .base = "Db.Command", .is_static = -1}},
        {.enabled = 1, .match = {.assembly = "Shop", .type = "Shop.Cart", .method = "Add", .is_static = -1}},
        {.enabled = 1,
         .match = {.assembly = "Sh*", .type = "*", .method = "Run", .base = "Jobs.Job", .is_static = -1}},
    };
    nrp_rule_index *ix = nrp_rule_index_build(rules, 4);
    nrp_module_rules *mr = NULL, *based = NULL, *plain = NULL;
    assert_int_equal(nrp_rule_index_module(ix, "Shop", &mr), NRP_OK);
    assert_non_null(mr);
    const char *bases[4], *types[4];
    assert_int_equal(nrp_module_rules_bases(mr, bases, 4), 0); /* some rules have no base */
    assert_int_equal(nrp_module_rules_some_bases(mr, bases, 4), 2);
    assert_true((!strcmp(bases[0], "Db.Command") && !strcmp(bases[1], "Jobs.Job")) ||
                (!strcmp(bases[1], "Db.Command") && !strcmp(bases[0], "Jobs.Job")));
    assert_int_equal(nrp_module_rules_some_bases(mr, bases, 1), 2); /* more than cap: cap + 1 */
    assert_int_equal(nrp_module_rules_exact_types(mr, types, 4), 0); /* patterns */

    assert_int_equal(nrp_module_rules_filter(mr, keep_based, "Db.Command", &based), NRP_OK);
    assert_non_null(based);
    assert_int_equal(nrp_module_rules_some_bases(based, bases, 4), 1);
    assert_string_equal(bases[0], "Db.Command");
    assert_true(nrp_module_rules_want_method(based, "Shop.SqlCommand", "ExecuteReader"));
    assert_false(nrp_module_rules_want_method(based, "Shop.Orders", "Place"));
    assert_false(nrp_module_rules_want_method(based, "Shop.Jobs", "Run"));

    assert_int_equal(nrp_module_rules_filter(mr, keep_baseless, NULL, &plain), NRP_OK);
    assert_non_null(plain);
    assert_int_equal(nrp_module_rules_some_bases(plain, bases, 4), 0);
    assert_int_equal(nrp_module_rules_exact_types(plain, types, 4), 2);
    assert_true((!strcmp(types[0], "Shop.Orders") && !strcmp(types[1], "Shop.Cart")) ||
                (!strcmp(types[1], "Shop.Orders") && !strcmp(types[0], "Shop.Cart")));
    assert_int_equal(nrp_module_rules_exact_types(plain, types, 1), 0); /* more than cap */
    nrp_method_view v = {.assembly = "Shop", .type = "Shop.Cart", .name = "Add", .params = ""};
    uint32_t got[2];
    assert_int_equal(nrp_module_rules_select_all(plain, &v, got, 2), 1);
    assert_int_equal(got[0], 2); /* ids stay the config's positions */

    nrp_module_rules *none = mr;
    assert_int_equal(nrp_module_rules_filter(mr, keep_based, "Other.Base", &none), NRP_OK);
    assert_null(none);
    nrp_module_rules_free(plain);
    nrp_module_rules_free(based);
    nrp_module_rules_free(mr);
    nrp_rule_index_free(ix);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(index_agrees_with_linear_scan),
        cmocka_unit_test(unnamed_assembly_is_dismissed),
        cmocka_unit_test(cap_keeps_the_highest_priorities),
        cmocka_unit_test(rules_split_by_base),
    };
    return cmocka_run_group_tests_name("rule_index", tests, NULL, NULL);
}
