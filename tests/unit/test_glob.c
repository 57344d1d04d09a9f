/*
 * test_glob.c - the rule language's wildcards: '*' any run (dots included),
 * '?' one character, everything else literal, whole-text match.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test_rng.h"

#include <fnmatch.h>
#include <string.h>

#include "rules/glob.h"

#define MATCH(p, t) assert_int_equal(nrp_glob_match((p), (t)), 1)
#define NO_MATCH(p, t) assert_int_equal(nrp_glob_match((p), (t)), 0)

static void test_exact(void **state)
{
    (void)state;
    MATCH("Demo.Calculator", "Demo.Calculator");
    MATCH("a", "a");
    NO_MATCH("Demo.Calculator", "Demo.Calculato");
    NO_MATCH("Demo.Calculator", "Demo.Calculatorr");
    NO_MATCH("Demo.Calculator", "demo.calculator"); /* case-sensitive */
    NO_MATCH("abc", "abd");
    NO_MATCH("abc", "xbc");
}

static void test_star_alone(void **state)
{
    (void)state;
    MATCH("*", "");
    MATCH("*", "x");
    MATCH("*", "System.Collections.Generic.List`1");
    MATCH("**", "");
    MATCH("***", "abc");
}

static void test_star_matches_dots(void **state)
{
    (void)state;
    MATCH("System.*", "System.Collections.Generic.List`1");
    MATCH("*.List`1", "System.Collections.Generic.List`1");
    MATCH("Demo*Calc", "Demo.Sub.Calc");
    MATCH("a*b", "a...b");
    NO_MATCH("System.*", "Systemx");
    NO_MATCH("System.*", "System");
    MATCH("System*", "System");
}

static void test_leading_trailing_multiple_stars(void **state)
{
    (void)state;
    MATCH("*Async", "GetAsync");
    MATCH("*Async", "Async");
    NO_MATCH("*Async", "GetAsyncX");
    MATCH("Get*", "Get");
    MATCH("Get*", "GetValue");
    NO_MATCH("Get*", "Ge");
    NO_MATCH("Get*", "xGet");
    MATCH("*Value*", "GetValueOrDefault");
    MATCH("*Value*", "Value");
    NO_MATCH("*Value*", "Valu");
    MATCH("*a*b*c*", "xaybzc");
    MATCH("*a*b*c*", "abc");
    NO_MATCH("*a*b*c*", "acb");
    MATCH("a**b", "ab");
    MATCH("a**b", "aXXb");
    MATCH("*x", "xxxx");
    MATCH("x*", "xxxx");
}

static void test_question_mark(void **state)
{
    (void)state;
    MATCH("?", "a");
    MATCH("?", ".");
    NO_MATCH("?", "");
    NO_MATCH("?", "ab");
    MATCH("A?d", "Add");
    MATCH("List`?", "List`1");
    NO_MATCH("List`?", "List`");
    MATCH("??", "ab");
    MATCH("?*", "a");
    NO_MATCH("?*", "");
    MATCH("*?", "abc");
    NO_MATCH("*?", "");
    MATCH("a?c*", "abcdef");
    MATCH("*?b", "xb");
    NO_MATCH("*?b", "b");
}

static void test_empty(void **state)
{
    (void)state;
    MATCH("", "");
    NO_MATCH("", "a");
    NO_MATCH("a", "");
    MATCH("*", "");
    NO_MATCH("a*", "");
    NO_MATCH("*a", "");
}

static void test_backtracking(void **state)
{
    (void)state;
    MATCH("a*b*c", "aXbYbZc");
    MATCH("a*b*c", "abc");
    MATCH("a*b*c", "abbbc");
    MATCH("a*b*c", "abcbc");
    NO_MATCH("a*b*c", "aXbYbZ");
    NO_MATCH("a*b*c", "aXcYcb");
    MATCH("*abc", "ababc");
    MATCH("*aab", "aaab");
    MATCH("a*ab", "aaab");
    MATCH("*ab*ab", "abXabab");
    MATCH("a*a*a*a*a*b", "aaaaaaaaaaaaaaaab");
    NO_MATCH("a*a*a*a*a*b", "aaaaaaaaaaaaaaaaa");
    MATCH("*.Get*Async", "Demo.Service.GetUserAsyncAsync");
    MATCH("*Add", "AddAdd");
    NO_MATCH("*Add", "AddAd");
    MATCH("M*?N", "MxyN");
    MATCH("M*?N", "MxN");
    NO_MATCH("M*?N", "MN");
}

static void test_no_match(void **state)
{
    (void)state;
    NO_MATCH("Demo.*", "Other.Calculator");
    NO_MATCH("*Controller", "HomeControllerBase");
    NO_MATCH("a?", "a");
    NO_MATCH("ab", "a");
    NO_MATCH("a", "ab");
    NO_MATCH("Add", "add");
}

static void test_literal_specials(void **state)
{
    (void)state;
    MATCH("List`1", "List`1");
    NO_MATCH("List`1", "List`2");
    MATCH("Outer+Inner", "Outer+Inner");
    NO_MATCH("Outer+Inner", "OuterInner");
    NO_MATCH("Outer+Inner", "OuterrInner"); /* '+' is not "one or more" */
    MATCH("a.b", "a.b");
    NO_MATCH("a.b", "axb"); /* '.' is not "any character" */
    MATCH("<Main>$", "<Main>$");
    MATCH("<*>d__0", "<GetAsync>d__0");
    NO_MATCH("<*>d__0", "GetAsync>d__0");
    MATCH("[a]", "[a]");
    NO_MATCH("[ab]", "a"); /* no character classes */
    MATCH("a\\b", "a\\b");  /* no escapes */
    NO_MATCH("a\\*", "a*x");
    MATCH("a\\*", "a\\xyz");
    MATCH("^a$", "^a$");
    MATCH("(a|b)", "(a|b)");
    NO_MATCH("(a|b)", "a");
    MATCH(".ctor", ".ctor");
    MATCH(".*", ".cctor");
    NO_MATCH(".*", "ctor");
    MATCH("System.Collections.Generic.List`1<*>", "System.Collections.Generic.List`1<System.String>");
}

static void test_long_text_no_blowup(void **state)
{
    (void)state;
    /* a pattern that is exponential for naive backtracking */
    char text[4001];
    memset(text, 'a', 4000);
    text[4000] = '\0';
    NO_MATCH("*a*a*a*a*a*a*a*a*a*a*a*a*b", text);
    text[3999] = 'b';
    MATCH("*a*a*a*a*a*a*a*a*a*a*a*a*b", text);
}

/* Differential check against fnmatch(3): with no '[' or '\\' in the
 * alphabet, FNM_NOESCAPE and no FNM_PATHNAME / FNM_PERIOD flags, fnmatch
 * has exactly the rule language's semantics ('*' crosses dots too). */

static void test_matches_fnmatch(void **state)
{
    (void)state;
    static const char pat_alpha[] = "ab.*?";
    static const char txt_alpha[] = "ab.";
    char pat[12], txt[16];
    int matched = 0;
    rng_state = 0x0123456789ABCDEFull;
    for (int iter = 0; iter < 50000; iter++) {
        size_t pl = rnd() % sizeof pat, tl = rnd() % sizeof txt;
        for (size_t i = 0; i < pl; i++)
            pat[i] = pat_alpha[rnd() % (sizeof pat_alpha - 1)];
        for (size_t i = 0; i < tl; i++)
            txt[i] = txt_alpha[rnd() % (sizeof txt_alpha - 1)];
        pat[pl > 0 ? pl - 1 : 0] = '\0';
        txt[tl > 0 ? tl - 1 : 0] = '\0';
        int want = fnmatch(pat, txt, FNM_NOESCAPE) == 0;
        int got = nrp_glob_match(pat, txt);
        if (got != want)
            fail_msg("pattern '%s' text '%s': got %d, fnmatch says %d", pat, txt, got, want);
        matched += got;
    }
    assert_true(matched > 1000); /* both outcomes were exercised */
    assert_true(matched < 49000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact),
        cmocka_unit_test(test_star_alone),
        cmocka_unit_test(test_star_matches_dots),
        cmocka_unit_test(test_leading_trailing_multiple_stars),
        cmocka_unit_test(test_question_mark),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_backtracking),
        cmocka_unit_test(test_no_match),
        cmocka_unit_test(test_literal_specials),
        cmocka_unit_test(test_long_text_no_blowup),
        cmocka_unit_test(test_matches_fnmatch),
    };
    return cmocka_run_group_tests_name("glob", tests, NULL, NULL);
}
