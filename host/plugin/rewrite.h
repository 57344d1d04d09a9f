/*
 * rewrite.h - one method being rewritten: the state behind the opaque
 * nrp_rewrite handle plugins receive, and the host services that act on it.
 *
 * Pure C: the services that need the method's module (tokens, references,
 * parameter facts, which assemblies the app can load) go through the
 * nrp_module_md table, which rejit/module_env.c implements on the runtime's
 * metadata interfaces and unit tests implement with a fake.
 */
#ifndef NRP_PLUGIN_REWRITE_H
#define NRP_PLUGIN_REWRITE_H

#include <stdint.h>

#include "il/il_method.h"
#include "metrics/metrics.h"
#include "nrp/plugin.h"
#include "nrp/result.h"
#include "rules/config.h"
#include "util/err.h"

/* What the metadata services need from the method's module. The
 * runtime side (rejit/module_env.c) implements it; unit tests with a fake.
 * Each returns NRP_OK or NRP_ERROR with a reason in err. */
typedef struct nrp_module_md {
    void *ctx;
    nrp_result (*sig_token)(void *ctx, const uint8_t *sig, uint32_t len, uint32_t *token, nrp_err *err);
    nrp_result (*type_spec)(void *ctx, const uint8_t *sig, uint32_t len, uint32_t *token, nrp_err *err);
    nrp_result (*assembly_ref)(void *ctx, const char *name, uint32_t *token, nrp_err *err);
    /* assembly NULL: the core library. */
    nrp_result (*type_ref)(void *ctx, const char *assembly, const char *type, uint32_t *token, nrp_err *err);
    nrp_result (*member_ref)(void *ctx, uint32_t parent, const char *name, const uint8_t *sig, uint32_t len,
                             uint32_t *token, nrp_err *err);
    nrp_result (*user_string)(void *ctx, const char *text, uint32_t *token, nrp_err *err);
    /* index -1: the return value. */
    nrp_result (*param_info)(void *ctx, const nrp_method_info *method, int32_t index, nrp_param_info *out, nrp_err *err);
    int (*assembly_resolvable)(void *ctx, const char *name);
    /* The path of the file the app loads (or would load) for assembly
     * `name`; NULL when the session cannot tell. */
    nrp_result (*assembly_file)(void *ctx, const char *name, char *path, size_t cap, nrp_err *err);
    /* The static method void Watch(Task, long start, nint fn, nint cookie)
     * the module gets for waiting on a task (rejit/task_watch.h); NULL
     * where it cannot be had. */
    nrp_result (*task_watch)(void *ctx, uint32_t *token, nrp_err *err);
    /* The TypeDef of the generic class whose Watch(Task, object state,
     * nint exit, bool result) calls a managed exit method when the task
     * completes (rejit/task_watch.h); NULL where it cannot be had. */
    nrp_result (*task_exit)(void *ctx, uint32_t *type, nrp_err *err);
} nrp_module_md;

/* A rule's options as plugins see them. */
struct nrp_options {
    const nrp_option *items;
    uint32_t count;
};

/* The options view of a rule. */
nrp_options nrp_options_of(const nrp_rule *rule);

struct nrp_rewrite {
    nrp_method_info method;
    const nrp_options *options; /* of the rule being applied */
    nrp_il_method *il;          /* edited in place by the services */
    nrp_metrics *metrics;
    const nrp_module_md *md;
    void **slot;                /* method_slot() of the rule being applied */
    uint16_t plugin_abi_minor;  /* declared by the plugin being run (histogram layout 1 below 2) */
    nrp_err err;                /* reason of the last failing service call */
};

/* The service table handed to every plugin's init(). */
const nrp_host_api *nrp_host_api_table(void);

/* Where check_static_method() looks when a plugin calls it outside a
 * rewrite (rw NULL, from validate(): ABI 1.5): the app `nrprof check
 * --app` reads, whose assembly files `find` gives by name. Without one
 * (the profiler, nrprof check alone) such calls answer NRP_DECLINE. */
void nrp_host_api_offline_app(nrp_result (*find)(void *ctx, const char *assembly, char *path, size_t cap),
                              void *ctx);

/* Run one strategy on rw: NRP_OK, NRP_DECLINE (it left the method alone),
 * or NRP_ERROR with err naming the plugin, the strategy and the reason (the
 * caller names the method); rw->il may then be partly edited and must be
 * discarded. */
nrp_result nrp_rewrite_apply(nrp_rewrite *rw, const char *plugin_name, const nrp_strategy *strategy,
                             nrp_err *err);

#endif
