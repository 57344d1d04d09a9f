#include "rejit/rewrite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/log.h"
#include "il/il_method.h"
#include "nrp/plugin.h"
#include "plugin/rewrite.h"
#include "rejit/module_env.h"
#include "util/strbuf.h"

typedef enum rewrite_outcome { REWRITTEN, SKIPPED, FAILED } rewrite_outcome;

/* Cost of one rewrite, reported at trace level for bench/il_cost.sh. */
typedef struct rewrite_cost {
    uint64_t engine_ns; /* decode + strategy + encode */
    uint32_t in_size;
    size_t out_size;
} rewrite_cost;

/* Where a new body goes: ReJIT's function control, or SetILFunctionBody
 * before a first compilation. */
typedef struct il_sink {
    nrp_com_object *control; /* NULL: the JIT-time way */
    ModuleID module;
    mdToken method;
} il_sink;

nrp_result nrp_rewriter_init(nrp_rewriter *r, nrp_err *err)
{
    r->rewritten = nrp_metrics_counter(r->metrics, "nrp_methods_rewritten_total",
                                       "Methods whose IL the profiler rewrote.", NULL, NULL);
    r->failed = nrp_metrics_counter(r->metrics, "nrp_method_rewrite_failures_total",
                                    "Methods left uninstrumented because a rewrite failed.", NULL, NULL);
    r->skipped = nrp_metrics_counter(r->metrics, "nrp_methods_skipped_total",
                                     "Matched methods left as they are: the IL decoder cannot handle them, or every "
                                     "strategy declined.",
                                     NULL, NULL);
    if (!r->rewritten || !r->skipped || !r->failed)
        return nrp_err_set(err, "out of memory at start-up");
    return NRP_OK;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static HRESULT sink_set_il(const nrp_rewriter *r, const il_sink *sink, const uint8_t *body, size_t size)
{
    if (sink->control)
        return nrp_function_control_set_il(sink->control, (ULONG)size, body);
    return nrp_info_set_il_function_body(r->info, sink->module, sink->method, body, (ULONG)size);
}

static rewrite_outcome rewrite(nrp_rewriter *r, const nrp_target *t, const il_sink *sink, rewrite_cost *cost,
                               nrp_err *err)
{
    nrp_module_env env;
    nrp_rewrite rw;
    const uint8_t *il = NULL;
    ULONG il_size = 0;
    uint8_t *out = NULL;
    size_t size = 0;
    rewrite_outcome result = FAILED;
    HRESULT hr;

    memset(&rw, 0, sizeof rw);
    if (nrp_module_env_open(&env, r->info, t->module, t->assembly, r->modules, err) != NRP_OK)
        goto done;
    hr = nrp_info_il_body(r->info, t->module, t->method, &il, &il_size);
    if (NRP_FAILED(hr)) {
        nrp_err_set(err, "cannot read its IL (0x%08x)", (unsigned)hr);
        goto done;
    }
    rw.method = (nrp_method_info){.size = sizeof(nrp_method_info), .assembly = t->assembly, .type = t->type,
                                  .name = t->name, .display = t->display};
    if (nrp_module_env_method(&env, t->method, &rw.method, err) != NRP_OK)
        goto done;
    cost->in_size = il_size;
    uint64_t engine_start = now_ns();
    if (nrp_il_method_decode(il, il_size, rw.method.signature, rw.method.signature_len, &env.il, &rw.il, err) !=
        NRP_OK) {
        result = SKIPPED;
        goto done;
    }
    rw.metrics = r->metrics;
    rw.md = &env.md;
    /* Each strategy wraps what the ones before it built; one failure and
     * the method keeps its original IL (nothing is encoded). */
    uint32_t applied = 0;
    for (uint32_t k = 0; k < t->rule_count; k++) {
        const nrp_bound_rule *ar = &r->rules[t->rules[k]];
        nrp_options options = nrp_options_of(ar->rule);
        rw.method.rule = ar->rule->name;
        rw.options = &options;
        rw.slot = &t->plugin_slots[k];
        rw.plugin_abi_minor = ar->plugin_abi_minor;
        nrp_result rc = nrp_rewrite_apply(&rw, ar->plugin, ar->strategy, err);
        if (rc == NRP_DECLINE) {
            NRP_LOG_DBG("rule '%s' (strategy '%s') declines %s", ar->rule->name, ar->strategy->name, t->display);
            continue;
        }
        applied++;
        if (rc != NRP_OK) {
            char reason[sizeof err->msg];
            snprintf(reason, sizeof reason, "%s", err->msg);
            nrp_err_set(err, "rule '%s': %s", ar->rule->name, reason);
            goto done;
        }
    }
    rw.options = NULL;
    if (!applied) {
        nrp_err_set(err, "every rule's strategy declined it");
        result = SKIPPED;
        goto done;
    }
    if (nrp_il_method_encode(rw.il, &out, &size, err) != NRP_OK || nrp_module_env_publish(&env, err) != NRP_OK)
        goto done;
    cost->engine_ns = now_ns() - engine_start;
    cost->out_size = size;
    hr = sink_set_il(r, sink, out, size);
    if (NRP_FAILED(hr)) {
        nrp_err_set(err, "the runtime refused the new body (0x%08x)", (unsigned)hr);
        goto done;
    }
    result = REWRITTEN;
done:
    free(out);
    nrp_il_method_free(rw.il);
    nrp_module_env_close(&env);
    return result;
}

/* Rewrite one target through sink, and count and log the outcome. */
static void rewrite_target(nrp_rewriter *r, const nrp_target *t, const il_sink *sink)
{
    nrp_err err;
    rewrite_cost cost = {0, 0, 0};
    int tracing = nrp_log_enabled(NRP_LOG_TRACE);
    uint64_t start = tracing ? now_ns() : 0;

    switch (rewrite(r, t, sink, &cost, &err)) {
    case REWRITTEN:
        __atomic_fetch_add(r->rewritten, 1, __ATOMIC_RELAXED);
        /* The rewrite's cost ends here: the lines below are the log's. */
        uint64_t total_ns = tracing ? now_ns() - start : 0;
        if (nrp_log_enabled(NRP_LOG_DEBUG)) {
            nrp_strbuf names;
            nrp_strbuf_init(&names);
            for (uint32_t k = 0; k < t->rule_count; k++)
                nrp_strbuf_printf(&names, "%s'%s'", k ? ", " : "", r->rules[t->rules[k]].rule->name);
            nrp_log(NRP_LOG_DEBUG, "rewrote %s with rule%s %s", t->display, t->rule_count > 1 ? "s" : "",
                    names.data ? names.data : "?");
            nrp_strbuf_free(&names);
        }
        if (tracing)
            nrp_log(NRP_LOG_TRACE, "cost: %.2f us engine, %.2f us in all, IL %u -> %zu bytes: %s",
                    cost.engine_ns / 1000.0, total_ns / 1000.0, cost.in_size, cost.out_size, t->display);
        break;
    case SKIPPED:
        __atomic_fetch_add(r->skipped, 1, __ATOMIC_RELAXED);
        NRP_LOG_DBG("skipping %s: %s", t->display, err.msg);
        break;
    case FAILED:
        __atomic_fetch_add(r->failed, 1, __ATOMIC_RELAXED);
        nrp_log(NRP_LOG_ERROR, "%s stays uninstrumented: %s", t->display, err.msg);
        break;
    }
}

void nrp_rewriter_rejit(nrp_rewriter *r, ModuleID module, mdToken method, nrp_com_object *control)
{
    nrp_target t;
    if (!nrp_targets_find(r->targets, module, method, &t))
        return; /* not ours: the runtime keeps the original IL */
    const il_sink sink = {control, module, method};
    rewrite_target(r, &t, &sink);
}

void nrp_rewriter_first_jit(nrp_rewriter *r, ModuleID module, mdToken method)
{
    nrp_target t;
    if (!nrp_targets_find(r->targets, module, method, &t) || !t.jit_time)
        return; /* not ours */
    if (!nrp_targets_claim(r->targets, module, method)) {
        NRP_LOG_DBG("%s compiled again: it keeps its new body", t.display);
        return;
    }
    const il_sink sink = {NULL, module, method};
    rewrite_target(r, &t, &sink);
}

void nrp_rewriter_rejit_error(nrp_rewriter *r, ModuleID module, mdToken method, HRESULT status)
{
    nrp_target t;
    if (nrp_targets_find(r->targets, module, method, &t))
        nrp_log(NRP_LOG_ERROR, "the runtime could not rejit %s (0x%08x); it stays uninstrumented", t.display,
                (unsigned)status);
}
