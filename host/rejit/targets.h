/*
 * targets.h - the methods matched at module load and waiting for (or done
 * with) their rewrite, keyed by (module, method token). Filled from
 * ModuleLoadFinished, read from GetReJITParameters on other threads.
 */
#ifndef NRP_REJIT_TARGETS_H
#define NRP_REJIT_TARGETS_H

#include <stddef.h>
#include <stdint.h>

#include "nrp/result.h"
#include "plugin/bind.h"
#include "rules/rule_index.h" /* NRP_MAX_RULES_PER_METHOD */

typedef struct nrp_target {
    uint64_t module;
    uint32_t method;
    uint32_t rules[NRP_MAX_RULES_PER_METHOD]; /* config rule indexes, in the order they apply */
    uint32_t rule_count;
    char *assembly;
    char *type;
    char *name;
    char *display;       /* "Type::Method(Params)" */
    int is_static;
    void **plugin_slots; /* method_slot() of each rule, owned by the table */
    int jit_time;        /* in a collectible module: rewritten when first compiled, not by ReJIT */
    int claimed;         /* a JIT-time rewrite has begun (see nrp_targets_claim) */
} nrp_target;

typedef struct nrp_targets nrp_targets;

nrp_targets *nrp_targets_create(void);
void nrp_targets_destroy(nrp_targets *t);

/* Record a target (strings are copied). An existing entry for the same
 * (module, method) is kept. NRP_ERROR only
 * when out of memory. */
nrp_result nrp_targets_add(nrp_targets *t, const nrp_target *target);

/* Copy of the entry for (module, method) into out, with the strings shared
 * (they live as long as the table). Returns 0 when absent. */
int nrp_targets_find(nrp_targets *t, uint64_t module, uint32_t method, nrp_target *out);

/* Copies of every entry in the table now (strings shared, as
 * nrp_targets_find's), in a malloc'd array. NRP_NOMEM or NRP_OK. */
nrp_result nrp_targets_list(nrp_targets *t, nrp_target **out, size_t *count);

/* What a new rule set changes against the one in force, method by method:
 * rewrite anew those it selects that the old did not, or with rules that
 * differ (a rule is the same when its name, strategy, priority and options
 * are); revert those it no longer selects. Collectible modules' methods
 * (rewritten when first compiled) are left out of both. */
typedef struct nrp_target_changes {
    uint64_t *rewrite_modules; /* ModuleIDs */
    uint32_t *rewrite_methods; /* MethodDef tokens */
    size_t rewrite_count;
    uint64_t *revert_modules;
    uint32_t *revert_methods;
    size_t revert_count;
    size_t kept;
} nrp_target_changes;

/* The rules arrays are indexed as each set's config rules. NRP_NOMEM or
 * NRP_OK; free with nrp_target_changes_free either way. */
nrp_result nrp_targets_compare(nrp_targets *old, const nrp_bound_rule *old_rules, nrp_targets *now,
                               const nrp_bound_rule *new_rules, nrp_target_changes *out);
void nrp_target_changes_free(nrp_target_changes *c);

/* 1 for the first call on an existing (module, method), 0 after and for an
 * unknown one: should the runtime compile a method again, its JIT-time
 * rewrite still happens once (the new body is already its IL). Tiered
 * compilation leaves collectible code alone today. */
int nrp_targets_claim(nrp_targets *t, uint64_t module, uint32_t method);

/* Every target ever recorded, those of unloaded modules included. */
size_t nrp_targets_count(nrp_targets *t);

/* The module is being unloaded: its entries leave the table (the runtime
 * may give its ModuleID to a module loaded later), and are freed at
 * exit. Returns how many. */
size_t nrp_targets_forget_module(nrp_targets *t, uint64_t module);

#endif
