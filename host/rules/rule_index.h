/*
 * rule_index.h - find the rules that may select a method without trying
 * every rule: exact names go through hash lookups, patterns through short
 * lists prefiltered by their literal prefix. The cost per loaded method
 * does not grow with the number of rules that name other assemblies or
 * types (bench/match_bench.c).
 *
 * Two levels, as the profiler meets them: once per loaded module, the
 * rules whose assembly name or pattern holds (nrp_rule_index_module); then
 * per type and method, within those, where every other field (version
 * ranges too) is checked.
 */
#ifndef NRP_RULES_RULE_INDEX_H
#define NRP_RULES_RULE_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "nrp/result.h"
#include "rules/config.h"
#include "rules/match.h"

/* Most rules that may compose on one method: when more select it, those
 * of highest priority apply (nrp_module_rules_select_all). */
#define NRP_MAX_RULES_PER_METHOD 8

typedef struct nrp_rule_index nrp_rule_index;
typedef struct nrp_module_rules nrp_module_rules;

/* Index the given rules (disabled ones are left out); rule ids are
 * positions in `rules`, which must outlive the index. NULL when out of
 * memory. */
nrp_rule_index *nrp_rule_index_build(const nrp_rule *rules, size_t count);
void nrp_rule_index_free(nrp_rule_index *ix);

/* Whether any rule's assembly pattern holds (versions not considered):
 * a hash lookup, plus the prefiltered patterns. */
int nrp_rule_index_names(const nrp_rule_index *ix, const char *assembly);

/* The rules whose assembly name or pattern holds for this assembly, into
 * *out (NULL when none does): NRP_OK, or NRP_NOMEM. Exactly named
 * assemblies cost one hash lookup here; version ranges are checked with
 * the other fields when a method is selected. */
nrp_result nrp_rule_index_module(const nrp_rule_index *ix, const char *assembly, nrp_module_rules **out);
void nrp_module_rules_free(nrp_module_rules *mr);

/* The distinct `base` types the module's rules need, into bases (at most
 * cap). 0 when some rule has no `base` (or there are more than cap): then
 * any type may be selected. When every rule needs a base, a module from
 * whose assembly none of them can be reached holds nothing to select. */
size_t nrp_module_rules_bases(const nrp_module_rules *mr, const char **bases, size_t cap);

/* The distinct `base` types of the module's rules that have one, into
 * bases; rules without a base are passed over. More than cap: cap + 1. */
size_t nrp_module_rules_some_bases(const nrp_module_rules *mr, const char **bases, size_t cap);

/* The module's rules that keep() accepts, as rules of their own (*out
 * NULL when none is): NRP_OK, or NRP_NOMEM. The scanner splits a module's
 * rules by what their `base` needs. */
nrp_result nrp_module_rules_filter(const nrp_module_rules *mr, int (*keep)(void *ctx, const nrp_rule *rule), void *ctx,
                                   nrp_module_rules **out);

/* When every rule names its type exactly: the distinct type names, into
 * types (at most cap), so each can be looked up rather than every type
 * walked. 0 when some rule's type is a pattern, or there are more than
 * cap. */
size_t nrp_module_rules_exact_types(const nrp_module_rules *mr, const char **types, size_t cap);

/* Cheap filters for the metadata walk. */
int nrp_module_rules_want_type(const nrp_module_rules *mr, const char *type);
int nrp_module_rules_want_method(const nrp_module_rules *mr, const char *type, const char *method);

/* Every rule that selects the method, in the order their strategies apply:
 * ascending priority, ties in rule order. Returns how many select it; when
 * that is more than cap, out holds the cap that apply last (the highest
 * priorities) and the others are left out. */
size_t nrp_module_rules_select_all(const nrp_module_rules *mr, const nrp_method_view *view, uint32_t *out,
                                   size_t cap);

#endif
