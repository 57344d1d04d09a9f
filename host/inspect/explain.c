#include "inspect/explain.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inspect/preview.h"
#include "meta/meta.h"
#include "rules/glob.h"

/* Examples named in one reason. */
#define EXAMPLES 3

static void lower(const char *s, char *out, size_t cap)
{
    size_t i = 0;
    for (; s[i] && i + 1 < cap; i++)
        out[i] = (char)tolower((unsigned char)s[i]);
    out[i] = '\0';
}

/* The pattern holds for name once case is ignored. */
static int glob_nocase(const char *pattern, const char *name)
{
    char p[512], n[512];
    lower(pattern, p, sizeof p);
    lower(name, n, sizeof n);
    return nrp_glob_match(p, n);
}

/* The methods a variant of the rule selects in the app. */
static nrp_result select_variant(const nrp_app *app, nrp_rule *v, nrp_preview *p)
{
    nrp_err err;
    v->enabled = 1;
    v->invalid = 0;
    return nrp_preview_app(app, v, 1, p, &err) == NRP_OK ? NRP_OK : NRP_NOMEM;
}

static void no_version(nrp_rule *r) { r->match.has_version = 0; }
static void no_static(nrp_rule *r) { r->match.is_static = -1; }
static void no_parameters(nrp_rule *r) { r->match.has_parameters = 0; }
static void no_attribute(nrp_rule *r) { r->match.attribute = NULL; }
static void no_base(nrp_rule *r) { r->match.base = NULL; }
static void no_excludes(nrp_rule *r) { r->exclude_count = 0; }

/* What the rule selects by names alone: every type and method of its
 * assemblies whose names the patterns hold for, for names that nearly
 * match ("*"; made_type_patterns and "<*" for those the compiler made up). */
static nrp_result select_names(const nrp_app *app, const nrp_rule *rule, const char *type, const char *method,
                               nrp_preview *p)
{
    nrp_rule v = *rule;
    v.match = (nrp_match){.assembly = rule->match.assembly, .type = (char *)type, .method = (char *)method,
                          .is_static = -1, .pos = rule->match.pos};
    v.exclude_count = 0;
    return select_variant(app, &v, p);
}

static void examples(const nrp_preview *p, nrp_strbuf *out)
{
    for (size_t i = 0; i < p->count && i < EXAMPLES; i++)
        nrp_strbuf_printf(out, "%s%s", i ? ", " : "", p->methods[i].label);
    if (p->count > EXAMPLES)
        nrp_strbuf_printf(out, " and %zu more", p->count - EXAMPLES);
}

/* Attribute types are named with an "Attribute" suffix, which C# lets
 * code leave out ([Traced]) and rules may not: 1 when the name with it
 * selects something, said in out. */
static int attribute_written(const nrp_app *app, const nrp_rule *rule, nrp_strbuf *out)
{
    const char *a = rule->match.attribute;
    char name[512];
    size_t n = strlen(a);
    nrp_rule v = *rule;
    nrp_preview p;
    v.match.attribute = name;
    if ((n >= 9 && strcmp(a + n - 9, "Attribute") == 0) ||
        (size_t)snprintf(name, sizeof name, "%sAttribute", a) >= sizeof name || select_variant(app, &v, &p) != NRP_OK)
        return 0;
    int found = p.count > 0;
    if (found)
        nrp_strbuf_printf(out, "attribute: '%s' is written '%s'\n", a, name);
    nrp_preview_free(&p);
    return found;
}

/* "Ns.Type::Method(params)" split at "::" and "(". */
static void split_label(const char *label, char *type, size_t type_cap, char *method, size_t method_cap)
{
    const char *sep = strstr(label, "::");
    size_t tn = sep ? (size_t)(sep - label) : strlen(label);
    snprintf(type, type_cap, "%.*s", (int)tn, label);
    const char *m = sep ? sep + 2 : "";
    snprintf(method, method_cap, "%.*s", (int)strcspn(m, "("), m);
}

static void version_of(const nrp_app *app, const char *assembly, char *out, size_t cap)
{
    char path[PATH_MAX];
    nrp_meta *m;
    nrp_meta_assembly a;
    nrp_err err;
    snprintf(out, cap, "?");
    if (nrp_app_find_assembly(app, assembly, path, sizeof path) != NRP_OK ||
        nrp_meta_open_file(path, &m, &err) != NRP_OK)
        return;
    if (nrp_meta_assembly_row(m, &a, &err) == NRP_OK)
        snprintf(out, cap, "%u.%u.%u.%u", a.version.major, a.version.minor, a.version.build, a.version.revision);
    nrp_meta_close(m);
}

/* An assembly of the app or its frameworks whose name the pattern holds
 * for (nocase: ignoring case), into out. */
static int find_assembly_name(const nrp_app *app, const char *pattern, int nocase, char *out, size_t cap)
{
    char **files = NULL;
    size_t count = 0;
    int found = 0;
    if (nrp_app_assembly_files(app, &files, &count) != NRP_OK)
        count = 0;
    for (size_t i = 0; i < count && !found; i++) {
        const char *base = strrchr(files[i], '/');
        base = base ? base + 1 : files[i];
        snprintf(out, cap, "%.*s", (int)(strlen(base) - 4), base);
        found = nocase ? glob_nocase(pattern, out) : nrp_glob_match(pattern, out);
    }
    nrp_app_files_free(files, count);
    return found;
}

/* Patterns that select the types compilers make up, by the character
 * their names have and the user's do not: C#'s '<', Visual Basic's '$',
 * F#'s '@' (rules/match.c). */
#define MADE_TYPE_KINDS 3
static const char made_chars[MADE_TYPE_KINDS] = {'<', '$', '@'};
static const char *const made_type_patterns[MADE_TYPE_KINDS] = {"*<*", "*$*", "*@*"};

/* Names of the wide selection that the rule's type and method patterns
 * nearly hold for. */
static void near_names(const nrp_rule *rule, const nrp_preview *wide, const nrp_preview *made_types,
                       const nrp_preview *made_methods, nrp_strbuf *out)
{
    const nrp_match *m = &rule->match;
    char type[512], method[512];
    int type_found = !m->type, said = 0;
    for (size_t i = 0; i < wide->count && !type_found; i++) {
        split_label(wide->methods[i].label, type, sizeof type, method, sizeof method);
        type_found = nrp_glob_match(m->type, type);
    }
    if (!type_found) {
        for (size_t i = 0; i < wide->count && !said; i++) {
            split_label(wide->methods[i].label, type, sizeof type, method, sizeof method);
            if (glob_nocase(m->type, type) && (said = 1))
                nrp_strbuf_printf(out, "type '%s' would match '%s' if case were ignored\n", m->type, type);
        }
        for (int k = 0; k < MADE_TYPE_KINDS; k++)
            for (size_t i = 0; i < made_types[k].count && !said; i++) {
                split_label(made_types[k].methods[i].label, type, sizeof type, method, sizeof method);
                if (nrp_glob_match(m->type, type) && (said = 1))
                    nrp_strbuf_printf(out,
                                      "type '%s' matches only types the compiler made up (%s); a pattern names them "
                                      "with a '%c' of its own\n",
                                      m->type, type, made_chars[k]);
            }
        if (!said)
            nrp_strbuf_printf(out, "type '%s' matches no type of assembly '%s'\n", m->type,
                              m->assembly ? m->assembly : "*");
        return;
    }
    for (size_t i = 0; i < wide->count; i++) {
        split_label(wide->methods[i].label, type, sizeof type, method, sizeof method);
        if ((!m->type || nrp_glob_match(m->type, type)) && (!m->method || nrp_glob_match(m->method, method))) {
            nrp_strbuf_printf(out,
                              "its names match methods such as %s, which its other conditions together turn away\n",
                              wide->methods[i].label);
            return;
        }
    }
    for (size_t i = 0; i < wide->count && !said; i++) {
        split_label(wide->methods[i].label, type, sizeof type, method, sizeof method);
        if ((!m->type || nrp_glob_match(m->type, type)) && glob_nocase(m->method, method) && (said = 1))
            nrp_strbuf_printf(out, "method '%s' would match %s::%s if case were ignored\n", m->method, type, method);
    }
    for (size_t i = 0; i < made_methods->count && !said; i++) {
        split_label(made_methods->methods[i].label, type, sizeof type, method, sizeof method);
        if ((!m->type || nrp_glob_match(m->type, type)) && nrp_glob_match(m->method, method) && (said = 1))
            nrp_strbuf_printf(out,
                              "method '%s' matches only methods the compiler made up (%s::%s); a pattern names "
                              "them with a '<' of its own\n",
                              m->method, type, method);
    }
    for (int k = 0; k < MADE_TYPE_KINDS; k++)
        for (size_t i = 0; i < made_types[k].count && !said; i++) {
            split_label(made_types[k].methods[i].label, type, sizeof type, method, sizeof method);
            if ((!m->type || nrp_glob_match(m->type, type)) && nrp_glob_match(m->method, method) && (said = 1))
                nrp_strbuf_printf(out,
                                  "method '%s' is only in types the compiler made up (%s::%s); a type pattern names "
                                  "them with a '%c' of its own\n",
                                  m->method, type, method, made_chars[k]);
        }
    if (!said)
        nrp_strbuf_printf(out, "no type matching '%s' has a method with IL matching '%s'\n", m->type ? m->type : "*",
                          m->method);
}

nrp_result nrp_explain_rule(const nrp_app *app, const nrp_rule *rule, nrp_strbuf *out)
{
    const nrp_match *m = &rule->match;
    char name[512];
    if (m->assembly && !find_assembly_name(app, m->assembly, 0, name, sizeof name)) {
        if (find_assembly_name(app, m->assembly, 1, name, sizeof name))
            nrp_strbuf_printf(out, "assembly '%s' would match '%s' if case were ignored\n", m->assembly, name);
        else
            nrp_strbuf_printf(out, "no assembly of the app or its frameworks is named '%s'\n", m->assembly);
        return out->status;
    }

    /* Each condition left out in turn: what it alone turns away. */
    static const struct {
        void (*change)(nrp_rule *);
        int kind;
    } conditions[] = {{no_version, 'v'}, {no_static, 's'},    {no_parameters, 'p'},
                      {no_attribute, 'a'}, {no_base, 'b'}, {no_excludes, 'x'}};
    int reasons = 0;
    for (size_t c = 0; c < sizeof conditions / sizeof *conditions; c++) {
        int kind = conditions[c].kind;
        if ((kind == 'v' && !m->has_version) || (kind == 's' && m->is_static < 0) ||
            (kind == 'p' && !m->has_parameters) || (kind == 'a' && !m->attribute) || (kind == 'b' && !m->base) ||
            (kind == 'x' && !rule->exclude_count))
            continue;
        nrp_preview p;
        nrp_rule v = *rule;
        conditions[c].change(&v);
        if (select_variant(app, &v, &p) != NRP_OK)
            return NRP_NOMEM;
        if (p.count) {
            reasons++;
            switch (kind) {
            case 'v': {
                char version[64];
                version_of(app, p.methods[0].assembly, version, sizeof version);
                nrp_strbuf_printf(out, "version: its range excludes %s %s, where it would select ", p.methods[0].assembly,
                                  version);
                break;
            }
            case 's':
                nrp_strbuf_printf(out, "static: %s, but the methods it would select are %s: ",
                                  m->is_static ? "true" : "false", m->is_static ? "instance methods" : "static");
                break;
            case 'p':
                nrp_strbuf_puts(out, "parameters: (");
                for (uint32_t i = 0; i < m->parameter_count; i++)
                    nrp_strbuf_printf(out, "%s%s", i ? "," : "", m->parameters[i]);
                nrp_strbuf_puts(out, ") is none of the overloads: ");
                break;
            case 'a':
                if (attribute_written(app, rule, out))
                    continue;
                nrp_strbuf_printf(out, "attribute: no method carries %s; without it, it would select ", m->attribute);
                break;
            case 'b':
                nrp_strbuf_printf(out, "base: no type derives from or implements %s; without it, it would select ",
                                  m->base);
                break;
            default:
                nrp_strbuf_puts(out, "exclude: its excludes take every method it selects: ");
                break;
            }
            examples(&p, out);
            nrp_strbuf_puts(out, "\n");
        }
        nrp_preview_free(&p);
    }
    if (reasons)
        return out->status;

    nrp_preview wide = {0}, made_types[MADE_TYPE_KINDS] = {{0}}, made_methods = {0};
    nrp_result rc = select_names(app, rule, "*", "*", &wide);
    for (int k = 0; k < MADE_TYPE_KINDS && rc == NRP_OK; k++)
        rc = select_names(app, rule, made_type_patterns[k], "*", &made_types[k]);
    if (rc == NRP_OK)
        rc = select_names(app, rule, "*", "<*", &made_methods);
    if (rc == NRP_OK)
        near_names(rule, &wide, made_types, &made_methods, out);
    nrp_preview_free(&wide);
    for (int k = 0; k < MADE_TYPE_KINDS; k++)
        nrp_preview_free(&made_types[k]);
    nrp_preview_free(&made_methods);
    return rc == NRP_OK ? out->status : NRP_NOMEM;
}
