/* The table of matched methods: lookups by (module, method), growth,
 * forgetting the methods of an unloaded module, and what a reload changes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "nrp/plugin.h"
#include "rejit/targets.h"

static nrp_target target_of(uint64_t module, uint32_t method, const char *display)
{
    nrp_target t = {0};
    t.module = module;
    t.method = method;
    t.rules[0] = 1;
    t.rule_count = 1;
    t.assembly = "A";
    t.type = "T";
    t.name = "M";
    t.display = (char *)display;
    return t;
}

static void add_find_and_keep_the_first(void **state)
{
    (void)state;
    nrp_targets *t = nrp_targets_create();
    assert_non_null(t);
    nrp_target a = target_of(1, 0x06000001, "T::First()");
    assert_int_equal(nrp_targets_add(t, &a), NRP_OK);
    nrp_target again = target_of(1, 0x06000001, "T::Second()");
    assert_int_equal(nrp_targets_add(t, &again), NRP_OK);
    nrp_target got;
    assert_true(nrp_targets_find(t, 1, 0x06000001, &got));
    assert_string_equal(got.display, "T::First()"); /* an existing entry is kept */
    assert_false(nrp_targets_find(t, 2, 0x06000001, &got));
    assert_false(nrp_targets_find(t, 1, 0x06000002, &got));
    assert_int_equal(nrp_targets_count(t), 1);
    nrp_targets_destroy(t);
}

static void grows_past_its_first_size(void **state)
{
    (void)state;
    nrp_targets *t = nrp_targets_create();
    char display[32];
    for (uint32_t i = 0; i < 5000; i++) {
        snprintf(display, sizeof display, "T::M%u()", i);
        nrp_target e = target_of(1 + i % 7, 0x06000000 + i, display);
        assert_int_equal(nrp_targets_add(t, &e), NRP_OK);
    }
    assert_int_equal(nrp_targets_count(t), 5000);
    nrp_target got;
    for (uint32_t i = 0; i < 5000; i++) {
        snprintf(display, sizeof display, "T::M%u()", i);
        assert_true(nrp_targets_find(t, 1 + i % 7, 0x06000000 + i, &got));
        assert_string_equal(got.display, display);
    }
    nrp_targets_destroy(t);
}

/* An unloaded module's ModuleID may come back for another module: its
 * methods must then be matched afresh, not found from before. */
static void forgets_an_unloaded_module(void **state)
{
    (void)state;
    nrp_targets *t = nrp_targets_create();
    char display[32];
    for (uint32_t i = 0; i < 300; i++) {
        snprintf(display, sizeof display, "Old::M%u()", i);
        nrp_target e = target_of(i % 3 == 0 ? 0xA : 0xB, 0x06000000 + i, display);
        assert_int_equal(nrp_targets_add(t, &e), NRP_OK);
    }
    nrp_target before;
    assert_true(nrp_targets_find(t, 0xA, 0x06000000, &before));

    assert_int_equal(nrp_targets_forget_module(t, 0xA), 100);
    assert_int_equal(nrp_targets_forget_module(t, 0xA), 0);
    assert_int_equal(nrp_targets_forget_module(t, 0xC), 0);
    nrp_target got;
    for (uint32_t i = 0; i < 300; i++)
        assert_int_equal(nrp_targets_find(t, i % 3 == 0 ? 0xA : 0xB, 0x06000000 + i, &got), i % 3 != 0);
    /* still counted as matched, and a copy taken before stays readable */
    assert_int_equal(nrp_targets_count(t), 300);
    assert_string_equal(before.display, "Old::M0()");

    /* a new module at the same ID */
    nrp_target fresh = target_of(0xA, 0x06000000, "New::M0()");
    assert_int_equal(nrp_targets_add(t, &fresh), NRP_OK);
    assert_true(nrp_targets_find(t, 0xA, 0x06000000, &got));
    assert_string_equal(got.display, "New::M0()");
    assert_int_equal(nrp_targets_count(t), 301);
    nrp_targets_destroy(t);
}

/* A JIT-time rewrite is claimed once: a later compilation of the same
 * method finds it taken. */
static void claims_once(void **state)
{
    (void)state;
    nrp_targets *t = nrp_targets_create();
    nrp_target e = target_of(7, 0x06000001, "T::M()");
    e.jit_time = 1;
    assert_int_equal(nrp_targets_add(t, &e), NRP_OK);
    assert_int_equal(nrp_targets_claim(t, 7, 0x06000001), 1);
    assert_int_equal(nrp_targets_claim(t, 7, 0x06000001), 0);
    assert_int_equal(nrp_targets_claim(t, 7, 0x06000002), 0); /* not a target */
    nrp_target got;
    assert_true(nrp_targets_find(t, 7, 0x06000001, &got));
    assert_true(got.jit_time && got.claimed);
    /* forgotten with its module, a new module at that ID starts unclaimed */
    assert_int_equal(nrp_targets_forget_module(t, 7), 1);
    assert_int_equal(nrp_targets_claim(t, 7, 0x06000001), 0);
    assert_int_equal(nrp_targets_add(t, &e), NRP_OK);
    assert_int_equal(nrp_targets_claim(t, 7, 0x06000001), 1);
    nrp_targets_destroy(t);
}

/* ---- what a reload changes ------------------------------------------------ */

static nrp_target selected(uint64_t module, uint32_t method, uint32_t rule)
{
    nrp_target t = target_of(module, method, "T::M()");
    t.rules[0] = rule;
    return t;
}

static int has(const uint64_t *modules, const uint32_t *methods, size_t n, uint64_t module, uint32_t method)
{
    for (size_t i = 0; i < n; i++)
        if (modules[i] == module && methods[i] == method)
            return 1;
    return 0;
}

static void a_reload_rewrites_what_changed_and_reverts_what_left(void **state)
{
    (void)state;
    static const nrp_strategy timing = {.name = "timing"}, tracer = {.name = "tracer"};
    nrp_option slow = {"speed", "slow", NRP_OPTION_SCALAR, {0}, {0}}, fast = {"speed", "fast", NRP_OPTION_SCALAR, {0}, {0}};
    /* Old rules: a, b (speed slow), c. New rules, in another order: c, a,
     * b (speed fast), d (a's name, another strategy), e (a, higher priority). */
    nrp_rule old_r[3] = {{.name = "a"}, {.name = "b", .options = &slow, .option_count = 1}, {.name = "c"}};
    nrp_rule new_r[5] = {{.name = "c"}, {.name = "a"}, {.name = "b", .options = &fast, .option_count = 1},
                         {.name = "a"}, {.name = "a", .priority = 5}};
    nrp_bound_rule old_b[3], new_b[5];
    for (int i = 0; i < 3; i++)
        old_b[i] = (nrp_bound_rule){.rule = &old_r[i], .strategy = &timing};
    for (int i = 0; i < 5; i++)
        new_b[i] = (nrp_bound_rule){.rule = &new_r[i], .strategy = i == 3 ? &tracer : &timing};
    nrp_targets *old = nrp_targets_create(), *now = nrp_targets_create();
    nrp_target t;
    /* 1: a in both (kept, though its index moved); 2: b's options changed;
     * 3: c, then gone; 4: new; 5: a, then d; 6: a, then e; 7: a in a
     * collectible module, then gone (left to its first compilation). */
    t = selected(9, 1, 0), nrp_targets_add(old, &t);
    t = selected(9, 1, 1), nrp_targets_add(now, &t);
    t = selected(9, 2, 1), nrp_targets_add(old, &t);
    t = selected(9, 2, 2), nrp_targets_add(now, &t);
    t = selected(9, 3, 2), nrp_targets_add(old, &t);
    t = selected(9, 4, 0), nrp_targets_add(now, &t);
    t = selected(9, 5, 0), nrp_targets_add(old, &t);
    t = selected(9, 5, 3), nrp_targets_add(now, &t);
    t = selected(9, 6, 0), nrp_targets_add(old, &t);
    t = selected(9, 6, 4), nrp_targets_add(now, &t);
    t = selected(8, 7, 0), t.jit_time = 1, nrp_targets_add(old, &t);

    nrp_target_changes c;
    assert_int_equal(nrp_targets_compare(old, old_b, now, new_b, &c), NRP_OK);
    assert_int_equal(c.kept, 1);
    assert_int_equal(c.rewrite_count, 4);
    for (uint32_t m = 2; m <= 6; m++)
        if (m != 3)
            assert_true(has(c.rewrite_modules, c.rewrite_methods, c.rewrite_count, 9, m));
    assert_int_equal(c.revert_count, 1);
    assert_true(has(c.revert_modules, c.revert_methods, c.revert_count, 9, 3));
    nrp_target_changes_free(&c);
    assert_null(c.rewrite_modules);
    nrp_targets_destroy(old);
    nrp_targets_destroy(now);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(add_find_and_keep_the_first),
        cmocka_unit_test(grows_past_its_first_size),
        cmocka_unit_test(forgets_an_unloaded_module),
        cmocka_unit_test(claims_once),
        cmocka_unit_test(a_reload_rewrites_what_changed_and_reverts_what_left),
    };
    return cmocka_run_group_tests_name("targets", tests, NULL, NULL);
}
