/*
 * match.h - does a rule select a method? Pure C over names the caller read
 * from metadata.
 */
#ifndef NRP_RULES_MATCH_H
#define NRP_RULES_MATCH_H

#include "rules/config.h"

/* The attribute that marks a type the compiler made (type_generated). */
#define NRP_COMPILER_GENERATED "System.Runtime.CompilerServices.CompilerGeneratedAttribute"

/* A method as rules see it. */
typedef struct nrp_method_view {
    const char *assembly;
    const nrp_version *version;   /* NULL when unknown: version ranges then fail */
    const char *type;             /* "Namespace.Outer+Inner" */
    const char *name;
    int is_static;
    const char *params;           /* "System.Int32,System.String", "" for none; generic ones "!!0" */
    const char *params_named;     /* a generic method's, its type parameters named ("TValue"); or NULL */
    /* Questions only metadata can answer, asked only for rules that use
     * `attribute` / `base`, and type_generated for wildcards that reach
     * a method by every cheaper test; NULL answers "no". */
    void *ctx;
    int (*has_attribute)(void *ctx, const char *attribute);
    int (*derives_from)(void *ctx, const char *base);
    /* The method's type is marked [CompilerGenerated] (VB's state machines
     * and closures, whose names do not start with '<'). */
    int (*type_generated)(void *ctx);
} nrp_method_view;

/* The assembly-level part (name and version) of m holds for this assembly.
 * Fields m does not set hold. */
int nrp_match_assembly(const nrp_match *m, const char *assembly, const nrp_version *version);

/* Every field m sets holds for the method. */
int nrp_match_method(const nrp_match *m, const nrp_method_view *v);

/* The rule is enabled, its match holds and none of its excludes does. */
int nrp_rule_selects(const nrp_rule *r, const nrp_method_view *v);

#endif
