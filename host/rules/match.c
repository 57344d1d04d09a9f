#include "rules/match.h"

#include <string.h>

#include "rules/glob.h"

int nrp_match_assembly(const nrp_match *m, const char *assembly, const nrp_version *version)
{
    if (m->assembly && !nrp_glob_match(m->assembly, assembly))
        return 0;
    if (m->has_version && (!version || !nrp_version_range_contains(&m->version, version)))
        return 0;
    return 1;
}

/* "A,B" against the list {A, B}, without building the joined string. */
static int params_equal(const nrp_match *m, const char *params)
{
    const char *p = params;
    for (uint32_t i = 0; i < m->parameter_count; i++) {
        size_t n = strlen(m->parameters[i]);
        if (i > 0 && *p++ != ',')
            return 0;
        if (strncmp(p, m->parameters[i], n) != 0)
            return 0;
        p += n;
    }
    return *p == '\0';
}

/* Types and methods C# made up for state machines, closures, lambdas,
 * local functions and anonymous types have names that start with '<' (a
 * whole type name, or a part after '+' or '.'); explicit interface
 * implementations only contain one ("IEnumerable<T>.GetEnumerator"). */
static int generated_type(const char *type)
{
    return type[0] == '<' || strstr(type, "+<") || strstr(type, ".<");
}

/* A pattern names made-up names only when it has a '<' of its own: a
 * wildcard meant for the user's code leaves them out, so an async method
 * is not also selected as its state machine's MoveNext. */
static int names_generated(const char *pattern)
{
    return pattern && strchr(pattern, '<');
}

/* Other compilers name what they make up otherwise. Visual Basic
 * ("VB$StateMachine_3_Run", "_Closure$__1-0") and F# for its task state
 * machines mark those types [CompilerGenerated]; F#'s closures ("main@7",
 * "xs@6") carry no mark but an '@', which no C# or VB name has. Such a
 * type is named by a pattern without wildcards, or one with a character
 * of those made-up names that user code does not use. */
static int names_marked_type(const char *pattern)
{
    return pattern && (!strpbrk(pattern, "*?[") || strpbrk(pattern, "<$@"));
}

static int fsharp_closure(const char *type)
{
    return strchr(type, '@') != NULL;
}

int nrp_match_method(const nrp_match *m, const nrp_method_view *v)
{
    if (!nrp_match_assembly(m, v->assembly, v->version))
        return 0;
    if (m->type && !nrp_glob_match(m->type, v->type))
        return 0;
    if (m->method && !nrp_glob_match(m->method, v->name))
        return 0;
    if ((generated_type(v->type) && !names_generated(m->type)) || (v->name[0] == '<' && !names_generated(m->method)) ||
        (fsharp_closure(v->type) && !names_marked_type(m->type)))
        return 0;
    if (m->is_static >= 0 && m->is_static != (v->is_static != 0))
        return 0;
    /* A generic method's parameters may be written by number ("!!0", as
     * labels had them before 0.x) or by name ("TValue", as labels are). */
    if (m->has_parameters && !params_equal(m, v->params) && !(v->params_named && params_equal(m, v->params_named)))
        return 0;
    /* The costly checks last, once every cheap one holds: the type's mark
     * (one attribute lookup a type), then the method's attribute, then the
     * `base` walk, which may read other assemblies. */
    if (v->type_generated && !names_marked_type(m->type) && v->type_generated(v->ctx))
        return 0;
    if (m->attribute && !(v->has_attribute && v->has_attribute(v->ctx, m->attribute)))
        return 0;
    if (m->base && !(v->derives_from && v->derives_from(v->ctx, m->base)))
        return 0;
    return 1;
}

int nrp_rule_selects(const nrp_rule *r, const nrp_method_view *v)
{
    if (!r->enabled || !nrp_match_method(&r->match, v))
        return 0;
    for (uint32_t i = 0; i < r->exclude_count; i++)
        if (nrp_match_method(&r->excludes[i], v))
            return 0;
    return 1;
}
