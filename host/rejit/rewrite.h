/*
 * rewrite.h - the rewrite of one matched method: read its IL, run the
 * strategies of its rules in order (each wraps what the ones before it
 * built), encode, and hand the new body to the runtime. Counts and logs
 * each outcome; any failure leaves the method's original IL.
 *
 * Called on the runtime's threads (GetReJITParameters, or
 * JITCompilationStarted for a collectible module), several at once.
 */
#ifndef NRP_REJIT_REWRITE_H
#define NRP_REJIT_REWRITE_H

#include <stdint.h>

#include "clr/info.h"
#include "metrics/metrics.h"
#include "nrp/result.h"
#include "plugin/bind.h"
#include "rejit/modules.h"
#include "rejit/targets.h"
#include "util/err.h"

typedef struct nrp_rewriter {
    const nrp_info *info;
    const nrp_bound_rule *rules;  /* indexed as the config's rules */
    nrp_targets *targets;
    nrp_metrics *metrics;         /* where plugins' counters and histograms live */
    nrp_loaded_modules *modules;
    uint64_t *rewritten, *skipped, *failed; /* nrp_methods_* counters */
} nrp_rewriter;

/* Fill the fields up to `modules` first; this registers the counters.
 * NRP_ERROR only when out of memory. */
nrp_result nrp_rewriter_init(nrp_rewriter *r, nrp_err *err);

/* GetReJITParameters: the new body of a matched method goes to `control`.
 * A method that is not a target keeps its IL. */
void nrp_rewriter_rejit(nrp_rewriter *r, ModuleID module, mdToken method, nrp_com_object *control);

/* JITCompilationStarted in a collectible module: a target's new body is
 * set before its first compilation, once. */
void nrp_rewriter_first_jit(nrp_rewriter *r, ModuleID module, mdToken method);

/* ReJITError: the runtime gave up on a target. */
void nrp_rewriter_rejit_error(nrp_rewriter *r, ModuleID module, mdToken method, HRESULT status);

#endif
