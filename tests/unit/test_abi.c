/* The public plugin ABI structs against the layouts recorded per minor in
 * abi_layouts.h: a member added to one of them without raising
 * NRP_ABI_MINOR, or without recording the new minor's layout, fails here
 * and says what to do. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nrp/plugin.h"

#include "abi_layouts.h"

#define ROWS (sizeof nrp_abi_layouts / sizeof *nrp_abi_layouts)

/* Every struct a plugin and the host exchange, with its size as this
 * build sees it. */
static const struct {
    const char *type;
    size_t size;
} structs[] = {
#define ABI_STRUCT_(t) {#t, sizeof(t)}
    ABI_STRUCT_(nrp_host_api),    ABI_STRUCT_(nrp_wrap),            ABI_STRUCT_(nrp_param_info),
    ABI_STRUCT_(nrp_method_info), ABI_STRUCT_(nrp_strategy),        ABI_STRUCT_(nrp_abi_fingerprint),
    ABI_STRUCT_(nrp_plugin),
#undef ABI_STRUCT_
};
#define STRUCTS (sizeof structs / sizeof *structs)

/* Sizes are recorded for x86-64 only; member counts hold everywhere. */
#if defined(__x86_64__) && defined(__LP64__)
#define SIZES_RECORDED 1
#else
#define SIZES_RECORDED 0
#endif

static const char how_to[] =
    "A member added to a public ABI struct is a new ABI minor: raise NRP_ABI_MINOR in include/nrp/plugin.h,\n"
    "put the member at the end under \"---- added in ABI 1.N: check ->size before use ----\", add the rows\n"
    "printed below to tests/unit/abi_layouts.h (never edit the rows of an older minor), and a line to\n"
    "\"What each ABI minor added\" in docs/PLUGINS.md. Members are never removed, renamed or reordered.";

static const nrp_abi_layout *recorded(unsigned minor, const char *type)
{
    for (size_t i = 0; i < ROWS; i++)
        if (nrp_abi_layouts[i].minor == minor && strcmp(nrp_abi_layouts[i].type, type) == 0)
            return &nrp_abi_layouts[i];
    return NULL;
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    long len;
    if (f && fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (text = malloc((size_t)len + 1)) != NULL) {
        if (fread(text, 1, (size_t)len, f) != (size_t)len) {
            free(text);
            text = NULL;
        } else {
            text[len] = '\0';
        }
    }
    if (f)
        fclose(f);
    return text;
}

/* Blank from p up to the end of the comment starting there, keeping line
 * breaks; returns where the code goes on. */
static char *blank_comment(char *p)
{
    char *end = strstr(p + 2, "*/");
    end = end ? end + 2 : p + strlen(p);
    for (; p < end; p++)
        if (*p != '\n')
            *p = ' ';
    return p;
}

/* The header as the compiler's parser sees declarations: comments, string
 * and character literals and preprocessor lines (with their continuations)
 * become blanks, so that a brace or semicolon in any of them is not
 * counted. */
static void blank_non_code(char *s)
{
    int line_start = 1;
    for (char *p = s; *p;) {
        if (p[0] == '/' && p[1] == '*') {
            p = blank_comment(p);
        } else if (p[0] == '/' && p[1] == '/') {
            for (; *p && *p != '\n'; p++)
                *p = ' ';
        } else if (*p == '"' || *p == '\'') {
            char quote = *p;
            *p++ = ' ';
            for (; *p && *p != quote && *p != '\n'; p++) {
                if (*p == '\\' && p[1])
                    *p++ = ' ';
                *p = ' ';
            }
            if (*p == quote)
                *p++ = ' ';
        } else if (line_start && *p == '#') {
            /* To the first line break not escaped by a backslash; a comment
             * there may run over several lines. */
            char last = 0;
            while (*p && !(*p == '\n' && last != '\\')) {
                if (p[0] == '/' && p[1] == '*') {
                    p = blank_comment(p);
                    last = 0;
                    continue;
                }
                last = *p;
                if (*p != '\n')
                    *p = ' ';
                p++;
            }
        } else {
            if (*p == '\n')
                line_start = 1;
            else if (*p != ' ' && *p != '\t')
                line_start = 0;
            p++;
        }
    }
}

static int ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Declarators in the body of `struct type { ... }` in code: one per ';'
 * or ',' outside parentheses at the body's own level. -1 when the body is
 * not there. */
static int count_members(const char *code, const char *type)
{
    size_t tlen = strlen(type);
    for (const char *p = strstr(code, "struct"); p; p = strstr(p + 1, "struct")) {
        const char *q = p + 6;
        if ((p > code && ident_char(p[-1])) || ident_char(*q))
            continue;
        while (*q == ' ' || *q == '\t' || *q == '\n')
            q++;
        if (strncmp(q, type, tlen) != 0 || ident_char(q[tlen]))
            continue;
        q += tlen;
        while (*q == ' ' || *q == '\t' || *q == '\n')
            q++;
        if (*q != '{')
            continue;
        int depth = 0, parens = 0, members = 0;
        for (; *q; q++) {
            if (*q == '{')
                depth++;
            else if (*q == '}' && --depth == 0)
                return members;
            else if (*q == '(')
                parens++;
            else if (*q == ')')
                parens--;
            else if ((*q == ';' || *q == ',') && depth == 1 && parens == 0)
                members++;
        }
        return -1;
    }
    return -1;
}

static void layouts_are_recorded_for_every_minor(void **state)
{
    (void)state;
    int problems = 0;
    for (size_t i = 0; i < ROWS; i++) {
        const nrp_abi_layout *r = &nrp_abi_layouts[i];
        if (r->minor > NRP_ABI_MINOR) {
            print_error("abi_layouts.h records %s for ABI %u.%u, but NRP_ABI_MINOR is %u: raise it in "
                        "include/nrp/plugin.h, or remove the row\n",
                        r->type, NRP_ABI_MAJOR, r->minor, NRP_ABI_MINOR);
            problems++;
        }
        if (recorded(r->minor, r->type) != r) {
            print_error("abi_layouts.h records %s for ABI %u.%u twice\n", r->type, NRP_ABI_MAJOR, r->minor);
            problems++;
        }
    }
    for (unsigned minor = 0; minor <= NRP_ABI_MINOR; minor++)
        for (size_t s = 0; s < STRUCTS; s++) {
            const nrp_abi_layout *r = recorded(minor, structs[s].type), *before = NULL;
            if (!r) {
                print_error("abi_layouts.h has no row for %s at ABI %u.%u\n", structs[s].type, NRP_ABI_MAJOR,
                            minor);
                problems++;
                continue;
            }
            /* Append-only: a later minor is never smaller. */
            if (minor > 0 && (before = recorded(minor - 1, structs[s].type)) != NULL &&
                (r->size < before->size || r->members < before->members)) {
                print_error("abi_layouts.h: %s shrinks from ABI %u.%u (%zu bytes, %u members) to %u.%u "
                            "(%zu bytes, %u members); members are only ever appended\n",
                            r->type, NRP_ABI_MAJOR, minor - 1, before->size, before->members, NRP_ABI_MAJOR,
                            minor, r->size, r->members);
                problems++;
            }
        }
    if (problems)
        fail_msg("%d problem(s) in tests/unit/abi_layouts.h, listed above", problems);
}

static void current_layout_matches_the_record(void **state)
{
    (void)state;
    char *code = read_text(NRP_TEST_PLUGIN_H);
    int members[STRUCTS], problems = 0, changed = 0;
    if (!code)
        fail_msg("cannot read %s", NRP_TEST_PLUGIN_H);
    blank_non_code(code);
    for (size_t s = 0; s < STRUCTS; s++)
        members[s] = count_members(code, structs[s].type);
    free(code);
    for (size_t s = 0; s < STRUCTS; s++) {
        const nrp_abi_layout *r = recorded(NRP_ABI_MINOR, structs[s].type);
        if (members[s] < 0) {
            print_error("no body of struct %s found in %s\n", structs[s].type, NRP_TEST_PLUGIN_H);
            problems++;
        } else if (!r) {
            print_error("%s: tests/unit/abi_layouts.h has no row for ABI %u.%u (NRP_ABI_MINOR)\n",
                        structs[s].type, NRP_ABI_MAJOR, NRP_ABI_MINOR);
            problems++;
        } else if ((unsigned)members[s] != r->members || (SIZES_RECORDED && structs[s].size != r->size)) {
            print_error("%s has %d members (%zu bytes) in include/nrp/plugin.h, but ABI %u.%u (NRP_ABI_MINOR) "
                        "recorded %u members (%zu bytes) in tests/unit/abi_layouts.h\n",
                        structs[s].type, members[s], structs[s].size, NRP_ABI_MAJOR, NRP_ABI_MINOR, r->members,
                        r->size);
            problems++;
            changed = 1;
        }
    }
    if (problems) {
        print_error("%s\n", how_to);
        /* The rows that describe this build: for the next minor when a
         * recorded layout changed, else for the current one, which has no
         * rows yet (on other targets the sizes are not x86-64's). */
        unsigned minor = NRP_ABI_MINOR + (changed ? 1 : 0);
        print_error("The rows for ABI %u.%u%s:\n", NRP_ABI_MAJOR, minor,
                    SIZES_RECORDED ? "" : " (sizes not from x86-64: do not paste them)");
        for (size_t s = 0; s < STRUCTS; s++)
            print_error("    {%u, \"%s\", %zu, %d},\n", minor, structs[s].type, structs[s].size, members[s]);
        fail_msg("the public ABI structs changed without a new ABI minor being recorded");
    }
}

/* The counter itself, on shapes the real header uses. */
static void members_are_counted_as_declared(void **state)
{
    (void)state;
    char code[] = "/* struct a { x; }; */\n"
                  "#define M(x) struct a { y; }\n"
                  "#define L(x) \\\n"
                  "    struct a { z; }\n"
                  "#define C 1 /* spans\n"
                  "    lines; { */\n"
                  "static const char *q = \"struct a { w; }\", c = '{';\n"
                  "typedef struct a {\n"
                  "    uint32_t size; /* ; , { */\n"
                  "    void (*log)(int level, const char *fmt, ...)\n"
                  "#if defined(__GNUC__)\n"
                  "        __attribute__((format(printf, 2, 3)))\n"
                  "#endif\n"
                  "        ;\n"
                  "    int x, y; // ;\n"
                  "    const char *s; /* \"}\" */\n"
                  "    void *reserved[8];\n"
                  "} a;\n"
                  "struct ab { int z; };\n";
    blank_non_code(code);
    assert_int_equal(count_members(code, "a"), 6);
    assert_int_equal(count_members(code, "ab"), 1);
    assert_int_equal(count_members(code, "b"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(members_are_counted_as_declared),
        cmocka_unit_test(layouts_are_recorded_for_every_minor),
        cmocka_unit_test(current_layout_matches_the_record),
    };
    return cmocka_run_group_tests_name("abi", tests, NULL, NULL);
}
