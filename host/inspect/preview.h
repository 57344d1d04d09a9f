/*
 * preview.h - what a set of rules will select in an app, read offline from
 * its files: the methods under each rule, found by the matcher the
 * profiler runs (rules/rule_index.h, rules/match.h, meta/hierarchy.h) over
 * the names the offline metadata reader gives, which are the names the
 * profiler reads through the runtime.
 *
 * An assembly of the app or of its frameworks is read when a rule's
 * `assembly` names it (or a pattern of one matches it). Methods
 * without IL (abstract, P/Invoke, runtime-implemented) are not listed: the
 * profiler never rewrites them.
 */
#ifndef NRP_INSPECT_PREVIEW_H
#define NRP_INSPECT_PREVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "inspect/app.h"
#include "nrp/result.h"
#include "rules/config.h"
#include "rules/rule_index.h"
#include "util/err.h"

typedef struct nrp_preview_method {
    char *assembly;
    char *label;               /* "Ns.Type::Method(System.Int32,System.String)" */
    uint32_t rules[NRP_MAX_RULES_PER_METHOD]; /* the rules that apply, in the order they compose */
    uint32_t rule_count;
    uint32_t left_out;         /* rules that select it beyond the most that apply */
} nrp_preview_method;

typedef struct nrp_preview {
    nrp_preview_method *methods; /* in file order, assemblies by path */
    size_t count, cap;
    size_t *per_rule;          /* methods each rule applies to, by rule id */
    size_t assemblies;         /* assemblies looked at */
    char **problems;           /* assemblies that could not be read, one line each */
    size_t problem_count, problem_cap;
} nrp_preview;

/* Select, in `app`, with the rules (their ids are positions in `rules`). */
nrp_result nrp_preview_app(const nrp_app *app, const nrp_rule *rules, size_t rule_count, nrp_preview *out,
                           nrp_err *err);

void nrp_preview_free(nrp_preview *p);

#endif
