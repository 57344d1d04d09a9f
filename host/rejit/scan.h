/*
 * scan.h - matching at module load: which methods of a module the rules
 * select, handed to the ReJIT worker (or, in a collectible module, kept for
 * their first compilation).
 *
 * A rule's `base` may need an assembly that is not loaded yet; the methods
 * waiting on it are asked again when it loads, before any of its types can
 * be used.
 */
#ifndef NRP_REJIT_SCAN_H
#define NRP_REJIT_SCAN_H

#include <pthread.h>

#include "clr/info.h"
#include "plugin/bind.h"
#include "rejit/modules.h"
#include "rejit/targets.h"
#include "rules/rule_index.h"

typedef struct nrp_pending_method nrp_pending_method;
typedef struct nrp_waiting_module nrp_waiting_module;

/* What `base` questions read of one loaded assembly (see scan.c). */
typedef struct nrp_asm_facts nrp_asm_facts;
#define NRP_FACTS_BUCKETS 256

typedef struct nrp_scanner {
    /* Set by the caller, read-only here. */
    const nrp_info *info;
    const nrp_rule_index *index;
    const nrp_bound_rule *rules;  /* indexed as the config's rules, for names */
    nrp_targets *targets;         /* where matched methods go */
    nrp_loaded_modules *modules;
    DWORD events;                 /* the event mask in force, JIT events added when needed */
    size_t rule_count;            /* the config's rules: `rules` and `selected` have this many */
    /* Owned. */
    uint64_t *selected;           /* methods each rule selected (atomic); NULL when out of memory */
    pthread_mutex_t pending_lock;
    nrp_pending_method *pending;  /* waiting for an assembly to load */
    nrp_waiting_module *waiting;  /* modules whose `base` rules wait for one (pending_lock) */
    int jit_watched;              /* JIT compilation events asked for (atomic) */
    pthread_mutex_t reach_lock;
    nrp_asm_facts *facts[NRP_FACTS_BUCKETS]; /* by assembly name, without case (reach_lock) */
    unsigned questions;           /* numbers each top-level `base` question (reach_lock) */
} nrp_scanner;

/* Fill the fields above the "Owned" line first. */
void nrp_scanner_init(nrp_scanner *s);

/* ModuleLoadFinished: remember the module, resume the methods that waited
 * for its assembly, and match its own methods. */
void nrp_scanner_module_loaded(nrp_scanner *s, ModuleID module);

/* A reload: match a module already loaded (and listed in modules) against
 * this scanner's rules, as if it had just loaded, into its targets only:
 * no ReJIT is asked for (the reload compares the old targets and the new
 * first, and asks for what changed). */
void nrp_scanner_rematch(nrp_scanner *s, ModuleID module);

/* ModuleUnloadStarted: forget the module and what waited in it; its
 * ModuleID may be given to a module loaded later. */
void nrp_scanner_module_unloading(nrp_scanner *s, ModuleID module);

/* Say, for each rule that is enabled and bound yet selected no method in
 * any module matched so far, why: a warning when the assembly it names
 * exactly was loaded (a type or method name, a version range or a
 * signature is wrong), or one whose name differs only in case; an info
 * line otherwise (a library the app never loaded). At shutdown. */
void nrp_scanner_warn_unused_rules(const nrp_scanner *s);

/* JIT events were asked for: a collectible module's methods are matched. */
int nrp_scanner_jit_watched(const nrp_scanner *s);

#endif
