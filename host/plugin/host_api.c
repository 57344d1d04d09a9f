#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "il/il_edit.h"
#include "meta/meta.h"
#include "plugin/rewrite.h"
#include "plugin/task_exit.h"

static void api_log(nrp_log_level level, const char *plugin, const char *fmt, ...)
{
    va_list ap;
    if (level < NRP_LOG_ERROR || level > NRP_LOG_TRACE)
        level = NRP_LOG_ERROR;
    va_start(ap, fmt);
    nrp_logv(level, plugin ? plugin : "plugin", fmt, ap);
    va_end(ap);
}

static const nrp_method_info *api_method(nrp_rewrite *rw)
{
    return &rw->method;
}

static int api_il_insert_at_entry(nrp_rewrite *rw, const uint8_t *il, uint32_t len)
{
    if (!il && len)
        return nrp_err_set(&rw->err, "il_insert_at_entry: NULL code");
    return nrp_il_edit_insert_at_entry(rw->il, il, len, &rw->err);
}

static int api_il_add_local(nrp_rewrite *rw, const uint8_t *type, uint32_t len, uint32_t *index)
{
    if (!index)
        return nrp_err_set(&rw->err, "il_add_local: NULL index");
    return nrp_il_edit_add_local(rw->il, type, len, index, &rw->err);
}

/* Whether a struct the plugin built, `size` bytes as its SDK made it,
 * holds `field`. The ABI structs only grow at their end, so a plugin built
 * with an older SDK passes a shorter struct that lacks the later fields:
 * the host reads and writes only the fields that fit. */
#define HAS_FIELD(type, size, field) ((size_t)(size) >= offsetof(type, field) + sizeof(((type *)0)->field))

static int api_il_wrap(nrp_rewrite *rw, const nrp_wrap *spec, int32_t *return_local)
{
    nrp_il_returns r;
    if (!spec || !HAS_FIELD(nrp_wrap, spec->size, finally_len))
        return nrp_err_set(&rw->err, "il_wrap: spec missing or too small");
    nrp_il_wrap_spec w = {spec->entry_il, spec->entry_len, spec->with_catch, spec->catch_type, spec->catch_il,
                          spec->catch_len, spec->with_finally, spec->finally_il, spec->finally_len, NULL, 0, 0, 0, 0};
    nrp_emit_buf task_exit = {0};
    /* Fields a plugin built with an older SDK does not have stay zero. */
    if (HAS_FIELD(nrp_wrap, spec->size, guard_type)) {
        w.exit_il = spec->exit_il;
        w.exit_len = spec->exit_len;
        w.guard_type = spec->guard_type;
    }
    if (spec->exit_len && !spec->exit_il)
        w.exit_len = 0;
    if (HAS_FIELD(nrp_wrap, spec->size, task_exit_result) && (spec->task_done || spec->task_exit_method)) {
        if (nrp_task_exit_build(rw, spec, &task_exit, &w.exit_keeps_value, &rw->err) != NRP_OK) {
            free(task_exit.data);
            return NRP_ERROR;
        }
        w.exit_il = task_exit.data;
        w.exit_len = task_exit.len;
        /* The host's call to <nrp>TaskExit throws nothing into the app. */
        w.exit_unguarded = spec->task_exit_method != 0;
    }
    nrp_result rc = nrp_il_edit_wrap(rw->il, &w, &r, &rw->err);
    free(task_exit.data);
    if (rc != NRP_OK)
        return NRP_ERROR;
    if (return_local)
        *return_local = r.value_local;
    return NRP_OK;
}

static int api_standalone_sig_token(nrp_rewrite *rw, const uint8_t *sig, uint32_t len, uint32_t *token)
{
    if (!sig || !len || !token)
        return nrp_err_set(&rw->err, "standalone_sig_token: empty signature or NULL token");
    return rw->md->sig_token(rw->md->ctx, sig, len, token, &rw->err);
}

static int api_type_spec(nrp_rewrite *rw, const uint8_t *sig, uint32_t len, uint32_t *token)
{
    if (!sig || !len || !token)
        return nrp_err_set(&rw->err, "type_spec: empty signature or NULL token");
    return rw->md->type_spec(rw->md->ctx, sig, len, token, &rw->err);
}

static int api_assembly_ref(nrp_rewrite *rw, const char *name, uint32_t *token)
{
    if (!name || !*name || !token)
        return nrp_err_set(&rw->err, "assembly_ref: empty name or NULL token");
    return rw->md->assembly_ref(rw->md->ctx, name, token, &rw->err);
}

static int api_type_ref(nrp_rewrite *rw, const char *assembly, const char *type, uint32_t *token)
{
    if (!type || !*type || !token || (assembly && !*assembly))
        return nrp_err_set(&rw->err, "type_ref: empty type or assembly name, or NULL token");
    return rw->md->type_ref(rw->md->ctx, assembly, type, token, &rw->err);
}

static int api_member_ref(nrp_rewrite *rw, uint32_t parent, const char *name, const uint8_t *sig, uint32_t len,
                          uint32_t *token)
{
    if (!name || !*name || !sig || !len || !token)
        return nrp_err_set(&rw->err, "member_ref: empty name or signature, or NULL token");
    return rw->md->member_ref(rw->md->ctx, parent, name, sig, len, token, &rw->err);
}

static int api_user_string(nrp_rewrite *rw, const char *text, uint32_t *token)
{
    if (!text || !token)
        return nrp_err_set(&rw->err, "user_string: NULL text or token");
    return rw->md->user_string(rw->md->ctx, text, token, &rw->err);
}

static int api_param_info(nrp_rewrite *rw, int32_t index, nrp_param_info *out)
{
    /* The module fills the host's own layout; the plugin gets the fields
     * its struct has room for, so a shorter one from an older SDK is never
     * written past its end. */
    nrp_param_info full = {sizeof full, 0, NULL, 0};
    if (!out)
        return nrp_err_set(&rw->err, "param_info: NULL result");
    if (!HAS_FIELD(nrp_param_info, out->size, type_len))
        return nrp_err_set(&rw->err, "param_info: result of %u bytes is smaller than ABI 1.0's nrp_param_info (%zu)",
                           out->size, offsetof(nrp_param_info, type_len) + sizeof out->type_len);
    if (rw->md->param_info(rw->md->ctx, &rw->method, index, &full, &rw->err) != NRP_OK)
        return NRP_ERROR;
    /* Every field of ABI 1.0; one added later is copied only when
     * HAS_FIELD(nrp_param_info, out->size, it). */
    out->flags = full.flags;
    out->type = full.type;
    out->type_len = full.type_len;
    return NRP_OK;
}

static int api_assembly_resolvable(nrp_rewrite *rw, const char *name)
{
    return name && *name && rw->md->assembly_resolvable(rw->md->ctx, name);
}

static struct {
    nrp_result (*find)(void *ctx, const char *assembly, char *path, size_t cap);
    void *ctx;
} offline_app;

void nrp_host_api_offline_app(nrp_result (*find)(void *ctx, const char *assembly, char *path, size_t cap),
                              void *ctx)
{
    offline_app.find = find;
    offline_app.ctx = ctx;
}

static int api_check_static_method(nrp_rewrite *rw, const char *assembly, const char *type, const char *name,
                                   const char *returns, const char *params, char *reason, size_t reason_len)
{
    char path[4096];
    nrp_err err;
    nrp_meta *m = NULL;
    if (!reason || !reason_len) /* nowhere to say why */
        return NRP_ERROR;
    if (!assembly || !*assembly || !type || !*type || !name || !*name || !returns || !*returns || !params)
        return nrp_err_setbuf(reason, reason_len, "check_static_method: empty assembly, type, method or signature");
    if (!rw) { /* from validate(): only nrprof check --app has files to look in */
        if (!offline_app.find) {
            nrp_err_setbuf(reason, reason_len, "no app to look in");
            return NRP_DECLINE;
        }
        if (offline_app.find(offline_app.ctx, assembly, path, sizeof path) != NRP_OK)
            return nrp_err_setbuf(reason, reason_len, "cannot find assembly %s in the app or its frameworks",
                                  assembly);
    } else if (!rw->md->assembly_file) {
        return nrp_err_setbuf(reason, reason_len, "cannot tell which file assembly %s is loaded from", assembly);
    } else if (rw->md->assembly_file(rw->md->ctx, assembly, path, sizeof path, &err) != NRP_OK) {
        return nrp_err_setbuf(reason, reason_len, "%s", err.msg);
    }
    if (nrp_meta_open_file(path, &m, &err) != NRP_OK)
        return nrp_err_setbuf(reason, reason_len, "cannot read the metadata of assembly %s: %s", assembly, err.msg);
    nrp_result rc = nrp_meta_check_static_method(m, type, name, returns, params, &err);
    nrp_meta_close(m);
    NRP_LOG_DBG("read %s to find %s::%s: %s", path, type, name, rc == NRP_OK ? "found" : err.msg);
    if (rc != NRP_OK)
        return nrp_err_setbuf(reason, reason_len, "%s in %s", err.msg, path);
    return NRP_OK;
}

static void **api_method_slot(nrp_rewrite *rw)
{
    return rw->slot;
}

/* Prometheus metric names: [a-zA-Z_:][a-zA-Z0-9_:]*. */
static int valid_metric_name(const char *name)
{
    if (!name || !*name || (*name >= '0' && *name <= '9'))
        return 0;
    for (; *name; name++)
        if (!((*name >= 'a' && *name <= 'z') || (*name >= 'A' && *name <= 'Z') || (*name >= '0' && *name <= '9') ||
              *name == '_' || *name == ':'))
            return 0;
    return 1;
}

/* Checks shared by counter() and histogram(); marks the series of a
 * method that returns a task or is an async state machine: async="true". */
static nrp_result metric_ok(nrp_rewrite *rw, const char *service, const char *metric)
{
    if (!valid_metric_name(metric))
        return nrp_err_set(&rw->err, "%s: '%s' is not a valid metric name", service, metric ? metric : "(null)");
    if ((rw->method.flags & NRP_METHOD_ASYNC) && nrp_metrics_mark_async(rw->metrics, rw->method.display) != NRP_OK)
        return nrp_err_set(&rw->err, "%s: out of memory", service);
    return NRP_OK;
}

typedef enum series_kind { COUNTER, COUNTER_SHARDED, HISTOGRAM } series_kind;

/* The series `metric`{rule, method} of the method being rewritten, in the
 * form `service` hands out; NULL with the reason in rw->err. */
static void *series(nrp_rewrite *rw, const char *service, series_kind kind, const char *metric, const char *help)
{
    void *p = NULL;
    if (metric_ok(rw, service, metric) != NRP_OK)
        return NULL;
    const char *rule = rw->method.rule, *method = rw->method.display;
    switch (kind) {
    case COUNTER: p = nrp_metrics_counter(rw->metrics, metric, help, rule, method); break;
    case COUNTER_SHARDED: p = nrp_metrics_counter_sharded(rw->metrics, metric, help, rule, method); break;
    case HISTOGRAM:
        /* Plugins older than ABI 1.2 write layout 1 themselves. */
        p = rw->plugin_abi_minor < 2 ? nrp_metrics_histogram_layout1(rw->metrics, metric, help, rule, method)
                                     : nrp_metrics_histogram(rw->metrics, metric, help, rule, method);
        break;
    }
    if (!p)
        nrp_err_set(&rw->err, "%s: out of memory, or '%s' is a %s", service, metric,
                    kind == HISTOGRAM ? "counter" : "histogram");
    return p;
}

static uint64_t *api_counter(nrp_rewrite *rw, const char *metric, const char *help)
{
    return series(rw, "counter", COUNTER, metric, help);
}

static nrp_histogram *api_histogram(nrp_rewrite *rw, const char *metric, const char *help)
{
    return series(rw, "histogram", HISTOGRAM, metric, help);
}

static nrp_counter *api_counter_sharded(nrp_rewrite *rw, const char *metric, const char *help)
{
    return series(rw, "counter_sharded", COUNTER_SHARDED, metric, help);
}

nrp_options nrp_options_of(const nrp_rule *rule)
{
    return (nrp_options){rule ? rule->options : NULL, rule ? rule->option_count : 0};
}

static const nrp_options no_options = {NULL, 0};

static const nrp_options *api_rule_options(nrp_rewrite *rw)
{
    return rw->options ? rw->options : &no_options;
}

static uint32_t api_option_count(const nrp_options *o)
{
    return o ? o->count : 0;
}

static const char *api_option_name(const nrp_options *o, uint32_t i)
{
    return o && i < o->count ? o->items[i].key : NULL;
}

static const char *api_option_string(const nrp_options *o, const char *name)
{
    for (uint32_t i = 0; o && name && i < o->count; i++)
        if (o->items[i].key && strcmp(o->items[i].key, name) == 0)
            return o->items[i].value;
    return NULL;
}

static const nrp_host_api host_api = {
    .size = sizeof(nrp_host_api),
    .abi_major = NRP_ABI_MAJOR,
    .abi_minor = NRP_ABI_MINOR,
    .log = api_log,
    .method = api_method,
    .il_insert_at_entry = api_il_insert_at_entry,
    .standalone_sig_token = api_standalone_sig_token,
    .counter = api_counter,
    .il_add_local = api_il_add_local,
    .il_wrap = api_il_wrap,
    .rule_options = api_rule_options,
    .option_count = api_option_count,
    .option_name = api_option_name,
    .option_string = api_option_string,
    .assembly_ref = api_assembly_ref,
    .type_ref = api_type_ref,
    .type_spec = api_type_spec,
    .member_ref = api_member_ref,
    .user_string = api_user_string,
    .method_slot = api_method_slot,
    .histogram = api_histogram,
    .param_info = api_param_info,
    .assembly_resolvable = api_assembly_resolvable,
    .check_static_method = api_check_static_method,
    /* Called from injected code: the recording functions themselves, with
     * no wrapper in between. */
    .histogram_record = nrp_metrics_record,
    .counter_sharded = api_counter_sharded,
    .counter_increment = nrp_metrics_count,
    .clock_ticks = nrp_metrics_ticks,
    .histogram_record_since = nrp_metrics_record_since,
};

const nrp_host_api *nrp_host_api_table(void)
{
    return &host_api;
}

nrp_result nrp_rewrite_apply(nrp_rewrite *rw, const char *plugin_name, const nrp_strategy *strategy,
                             nrp_err *err)
{
    char reason[sizeof rw->err.msg];
    reason[0] = '\0';
    rw->err.msg[0] = '\0';
    int rc = strategy->rewrite(rw, reason, sizeof reason);
    if (rc == NRP_OK || rc == NRP_DECLINE)
        return rc;
    /* Prefer the plugin's words; fall back to the failing service's. */
    return nrp_err_set(err, "plugin '%s' strategy '%s' failed: %s", plugin_name, strategy->name,
                       reason[0] ? reason : rw->err.msg[0] ? rw->err.msg : "no reason given");
}
