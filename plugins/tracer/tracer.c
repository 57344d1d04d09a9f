/*
 * tracer - calls a user's static managed handlers around every matched
 * method, with direct `call`s (no reflection):
 *
 *     state = Hooks.OnEnter("Ns.Type::Method(Params)", instance, args)   guarded
 *     .try { original body }
 *     as an exception leaves it: Hooks.OnExit(state, null, exception)    guarded, never catching it
 *     Hooks.OnExit(state, returnValue, null)                             guarded, on normal return
 *
 * With `await: true`, a method that returns a task calls OnExit when the
 * task completes instead, with its result or exception (nrp_wrap's
 * task_exit_method, ABI 1.4: the host's <nrp>TaskExit`1 calls it).
 *
 * "Guarded" means inside try { } catch (object) { pop }: an exception from
 * a handler never reaches the app; the app's own exception goes on as the
 * same object with the same stack trace. Contract: docs/TRACER.md.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <nrp/emit.h>
#include <nrp/plugin.h>

#define TRACER_VERSION "0.3.0" /* 0.2: await; 0.3: handlers checked by nrprof check --app */

static const nrp_host_api *host;

static const char *const option_names[] = {"handler",      "handler.assembly", "handler.type",   "handler.enter",
                                           "handler.exit", "capture_args",     "capture_return", "await"};

/* ---- options ------------------------------------------------------------- */

static int flag(const nrp_options *o, const char *name, int *out)
{
    const char *v = host->option_string(o, name);
    if (!v)
        return NRP_OK; /* the default: what *out holds */
    if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0) {
        *out = v[0] == 't';
        return NRP_OK;
    }
    return NRP_ERROR;
}

/* The contract of docs/TRACER.md, by type names. */
#define ENTER_RETURNS "System.Object"
#define ENTER_PARAMS "System.String,System.Object,System.Object[]"
#define EXIT_RETURNS "System.Void"
#define EXIT_PARAMS "System.Object,System.Object,System.Exception"

/* The option a handler check's reason is about: its assembly, its type,
 * or the method (`which`). */
static const char *blame(const char *reason, const char *which)
{
    if (strstr(reason, "cannot find assembly") || strstr(reason, "cannot read the metadata"))
        return "handler.assembly";
    if (strncmp(reason, "type ", 5) == 0 &&
        (strstr(reason, " is not defined") || strstr(reason, " is not public") || strstr(reason, " is generic")))
        return "handler.type";
    return which;
}

/* With `nrprof check --app` (ABI 1.5), the handlers are looked for in the
 * app's files before it runs; elsewhere the host declines, and the
 * profiler checks them when it first rewrites a method (handlers_present). */
static int handlers_in_app(const nrp_options *o, const char **bad, char *err, size_t errlen)
{
    if (host->abi_minor < 5)
        return NRP_OK;
    const char *assembly = host->option_string(o, "handler.assembly"), *type = host->option_string(o, "handler.type");
    char reason[400];
    const char *which = "handler.enter";
    int rc = host->check_static_method(NULL, assembly, type, host->option_string(o, "handler.enter"), ENTER_RETURNS,
                                       ENTER_PARAMS, reason, sizeof reason);
    if (rc == NRP_OK) {
        which = "handler.exit";
        rc = host->check_static_method(NULL, assembly, type, host->option_string(o, "handler.exit"), EXIT_RETURNS,
                                       EXIT_PARAMS, reason, sizeof reason);
    }
    if (rc != NRP_ERROR)
        return NRP_OK;
    *bad = blame(reason, which);
    snprintf(err, errlen, "handler not usable: %s", reason);
    return NRP_ERROR;
}

static int tracer_validate(const nrp_options *o, const char **bad, char *err, size_t errlen)
{
    static const char *const required[] = {"handler.assembly", "handler.type", "handler.enter", "handler.exit"};
    int unused;
    for (uint32_t i = 0; i < host->option_count(o); i++) {
        const char *name = host->option_name(o, i);
        size_t k = 0;
        while (k < sizeof option_names / sizeof *option_names && strcmp(name, option_names[k]) != 0)
            k++;
        if (k == sizeof option_names / sizeof *option_names) {
            *bad = name;
            snprintf(err, errlen, "unknown option '%s' (tracer takes handler: {assembly, type, enter, exit}, "
                                  "capture_args, capture_return, await)", name);
            return NRP_ERROR;
        }
    }
    for (size_t k = 0; k < sizeof required / sizeof *required; k++) {
        const char *v = host->option_string(o, required[k]);
        if (!v || !*v) {
            *bad = host->option_string(o, "handler") || v ? "handler" : NULL;
            snprintf(err, errlen, "tracer needs %s (handler: { assembly, type, enter, exit })", required[k]);
            return NRP_ERROR;
        }
    }
    for (size_t k = 5; k < sizeof option_names / sizeof *option_names; k++)
        if (flag(o, option_names[k], &unused) != NRP_OK) {
            *bad = option_names[k];
            snprintf(err, errlen, "'%s' must be true or false", option_names[k]);
            return NRP_ERROR;
        }
    return handlers_in_app(o, bad, err, errlen);
}

/* ---- IL into a growing buffer (nrp_emit_buf) ----------------------------- */

/* Append one instruction written by an nrp_emit_* function at at_. */
#define EMIT(b, emit_call)                                                                                         \
    do {                                                                                                           \
        uint8_t *at_ = nrp_emit_room(b);                                                                           \
        if (!at_)                                                                                                  \
            return NRP_ERROR;                                                                                      \
        (b)->len += emit_call;                                                                                     \
    } while (0)

/* A one-byte opcode without operand (dup, pop, ldnull...). */
static int put_op(nrp_emit_buf *b, uint16_t op)
{
    uint8_t *at = nrp_emit_room(b);
    if (!at)
        return NRP_ERROR;
    *at = (uint8_t)op;
    b->len++;
    return NRP_OK;
}

static int put_token(nrp_emit_buf *b, uint16_t op, uint32_t token)
{
    EMIT(b, nrp_emit_token(at_, op, token));
    return NRP_OK;
}

static int put_local(nrp_emit_buf *b, int store, uint32_t index)
{
    EMIT(b, store ? nrp_emit_stloc(at_, index) : nrp_emit_ldloc(at_, index));
    return NRP_OK;
}

/* ---- the injected code ----------------------------------------------------- */

typedef struct tokens {
    uint32_t hooks, object, exception, enter, exit, name;
} tokens;

/* Box the value on the stack, of the type the parameter describes. */
static int box_value(nrp_rewrite *rw, nrp_emit_buf *b, const nrp_param_info *info)
{
    uint32_t spec;
    if (host->type_spec(rw, info->type, info->type_len, &spec) != NRP_OK)
        return NRP_ERROR;
    if (info->flags & NRP_PARAM_BYREF)
        EMIT(b, nrp_emit_token(at_, NRP_OP_LDOBJ, spec));
    EMIT(b, nrp_emit_token(at_, NRP_OP_BOX, spec));
    return NRP_OK;
}

/* `instance`: null for static methods (and ref structs, which cannot be
 * boxed), `this` for classes, a boxed copy for structs. */
static int put_instance(nrp_rewrite *rw, nrp_emit_buf *b, const nrp_method_info *m)
{
    if (m->flags & (NRP_METHOD_STATIC | NRP_METHOD_BYREF_LIKE_TYPE))
        return put_op(b, NRP_OP_LDNULL);
    EMIT(b, nrp_emit_ldarg(at_, 0));
    if (!(m->flags & NRP_METHOD_VALUE_TYPE))
        return NRP_OK;
    uint32_t type = m->type_token;
    if (m->type_generic_param_count) {
        /* The struct as instantiated: GENERICINST VALUETYPE T<!0..!n-1>. */
        uint8_t sig[8 + 3 * 64];
        size_t n = 0;
        if (m->type_generic_param_count > 64)
            return NRP_ERROR;
        sig[n++] = NRP_ELEMENT_GENERICINST;
        sig[n++] = NRP_ELEMENT_VALUETYPE;
        n += nrp_sig_put_type_token(sig + n, m->type_token);
        n += nrp_sig_put_compressed(sig + n, m->type_generic_param_count);
        for (uint32_t i = 0; i < m->type_generic_param_count; i++) {
            sig[n++] = NRP_ELEMENT_VAR;
            n += nrp_sig_put_compressed(sig + n, i);
        }
        if (host->type_spec(rw, sig, (uint32_t)n, &type) != NRP_OK)
            return NRP_ERROR;
    }
    EMIT(b, nrp_emit_token(at_, NRP_OP_LDOBJ, type));
    EMIT(b, nrp_emit_token(at_, NRP_OP_BOX, type));
    return NRP_OK;
}

/* `args`: an object[] of the parameters in declaration order (by-ref ones
 * as their value at entry, unboxable ones as null), or null. */
static int put_args(nrp_rewrite *rw, nrp_emit_buf *b, const nrp_method_info *m, const tokens *t, int capture)
{
    if (!capture)
        return put_op(b, NRP_OP_LDNULL);
    uint32_t first = (m->flags & NRP_METHOD_STATIC) ? 0 : 1;
    EMIT(b, nrp_emit_i4(at_, (int32_t)m->param_count));
    EMIT(b, nrp_emit_token(at_, NRP_OP_NEWARR, t->object));
    for (uint32_t i = 0; i < m->param_count; i++) {
        nrp_param_info info = {sizeof info, 0, NULL, 0};
        if (host->param_info(rw, (int32_t)i, &info) != NRP_OK)
            return NRP_ERROR;
        if (put_op(b, NRP_OP_DUP))
            return NRP_ERROR;
        EMIT(b, nrp_emit_i4(at_, (int32_t)i));
        if (info.flags & NRP_PARAM_BOXABLE) {
            EMIT(b, nrp_emit_ldarg(at_, first + i));
            if (box_value(rw, b, &info))
                return NRP_ERROR;
        } else if (put_op(b, NRP_OP_LDNULL))
            return NRP_ERROR;
        if (put_op(b, NRP_OP_STELEM_REF))
            return NRP_ERROR;
    }
    return NRP_OK;
}

static int resolve_tokens(nrp_rewrite *rw, const char *assembly, const char *type, const char *enter,
                          const char *exit, tokens *t)
{
    uint8_t enter_sig[] = {NRP_CALLCONV_DEFAULT, 3,   NRP_ELEMENT_OBJECT, NRP_ELEMENT_STRING,
                           NRP_ELEMENT_OBJECT,   NRP_ELEMENT_SZARRAY, NRP_ELEMENT_OBJECT};
    uint8_t exit_sig[16] = {NRP_CALLCONV_DEFAULT, 3,                  NRP_ELEMENT_VOID,
                            NRP_ELEMENT_OBJECT,   NRP_ELEMENT_OBJECT, NRP_ELEMENT_CLASS};
    if (host->type_ref(rw, assembly, type, &t->hooks) != NRP_OK ||
        host->type_ref(rw, NULL, "System.Object", &t->object) != NRP_OK ||
        host->type_ref(rw, NULL, "System.Exception", &t->exception) != NRP_OK)
        return NRP_ERROR;
    size_t n = 6 + nrp_sig_put_type_token(exit_sig + 6, t->exception);
    if (host->member_ref(rw, t->hooks, enter, enter_sig, sizeof enter_sig, &t->enter) != NRP_OK ||
        host->member_ref(rw, t->hooks, exit, exit_sig, (uint32_t)n, &t->exit) != NRP_OK ||
        host->user_string(rw, host->method(rw)->display, &t->name) != NRP_OK)
        return NRP_ERROR;
    return NRP_OK;
}

/* One warning per rule whose handlers the app cannot load or call. */
static int first_warning_for(const char *rule)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static char warned[64][128];
    static size_t count;
    int first = 1;
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < count && first; i++)
        first = strcmp(warned[i], rule) != 0;
    if (first && count < 64)
        snprintf(warned[count++], sizeof warned[0], "%s", rule);
    pthread_mutex_unlock(&lock);
    return first;
}

/* ---- are the handlers there? --------------------------------------------- */

/* A call to a handler type or method that does not exist, or has another
 * signature, throws when the traced method is compiled (TypeLoadException,
 * MissingMethodException) and takes the app down. So the handlers are
 * looked up in their assembly's metadata before any call is emitted, once
 * per handler: fidelity runs rewrite thousands of methods with one rule. */
typedef struct verdict {
    char *key; /* assembly \n type \n enter \n exit */
    int ok;
    char reason[400];
} verdict;

static struct {
    pthread_mutex_t lock;
    verdict *items;
    size_t count, cap;
} verdicts = {PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0};

static void check_handlers(nrp_rewrite *rw, const char *assembly, const char *type, const char *enter,
                           const char *exit, verdict *v)
{
    v->ok = host->check_static_method(rw, assembly, type, enter, ENTER_RETURNS, ENTER_PARAMS, v->reason,
                                      sizeof v->reason) == NRP_OK &&
            host->check_static_method(rw, assembly, type, exit, EXIT_RETURNS, EXIT_PARAMS, v->reason,
                                      sizeof v->reason) == NRP_OK;
}

/* 1 when the handlers exist with the contract's signatures; else 0 and the
 * reason. A host before ABI 1.1 cannot tell: the handlers are trusted, as
 * they were then. The lock is held while the file is read, so it is read
 * once however many rewrites ask at the same time. */
static int handlers_present(nrp_rewrite *rw, const char *assembly, const char *type, const char *enter,
                            const char *exit, char *reason, size_t cap)
{
    if (host->size < offsetof(nrp_host_api, check_static_method) + sizeof host->check_static_method)
        return 1;
    size_t len = strlen(assembly) + strlen(type) + strlen(enter) + strlen(exit) + 4;
    char *key = malloc(len);
    if (!key) {
        snprintf(reason, cap, "out of memory checking the handlers");
        return 0;
    }
    snprintf(key, len, "%s\n%s\n%s\n%s", assembly, type, enter, exit);
    pthread_mutex_lock(&verdicts.lock);
    verdict *v = NULL;
    for (size_t i = 0; i < verdicts.count && !v; i++)
        if (strcmp(verdicts.items[i].key, key) == 0)
            v = &verdicts.items[i];
    if (!v && verdicts.count == verdicts.cap) {
        size_t grown_cap = verdicts.cap ? verdicts.cap * 2 : 8;
        verdict *grown = realloc(verdicts.items, grown_cap * sizeof *grown);
        if (grown) {
            verdicts.items = grown;
            verdicts.cap = grown_cap;
        }
    }
    verdict fresh = {NULL, 0, ""};
    if (!v) {
        check_handlers(rw, assembly, type, enter, exit, &fresh);
        if (verdicts.count < verdicts.cap) { /* else out of memory: asked again next time */
            fresh.key = key;
            key = NULL;
            verdicts.items[verdicts.count] = fresh;
            v = &verdicts.items[verdicts.count++];
        } else
            v = &fresh;
    }
    int ok = v->ok;
    snprintf(reason, cap, "%s", v->reason);
    pthread_mutex_unlock(&verdicts.lock);
    free(key);
    return ok;
}

static int tracer_rewrite(nrp_rewrite *rw, char *err, size_t errlen)
{
    const nrp_options *o = host->rule_options(rw);
    const nrp_method_info *m = host->method(rw);
    const char *assembly = host->option_string(o, "handler.assembly");
    const char *type = host->option_string(o, "handler.type");
    int capture_args = 1, capture_return = 1, wait = 0;
    flag(o, "capture_args", &capture_args);
    flag(o, "capture_return", &capture_return);
    flag(o, "await", &wait);

    /* The handlers' own code is never traced: it would call itself. */
    if (strcasecmp(m->assembly, assembly) == 0)
        return NRP_DECLINE;
    if (!host->assembly_resolvable(rw, assembly)) {
        if (first_warning_for(m->rule))
            host->log(NRP_LOG_WARN, "tracer",
                      "rule '%s': handler assembly %s is neither loaded nor in the app's dependencies; the rule is skipped",
                      m->rule, assembly);
        return NRP_DECLINE;
    }

    const char *enter = host->option_string(o, "handler.enter"), *exit = host->option_string(o, "handler.exit");
    char reason[400];
    if (!handlers_present(rw, assembly, type, enter, exit, reason, sizeof reason)) {
        if (first_warning_for(m->rule))
            host->log(NRP_LOG_WARN, "tracer", "rule '%s': handler not usable: %s; the rule is skipped", m->rule,
                      reason);
        return NRP_DECLINE;
    }

    tokens t;
    static const uint8_t object_type[] = {NRP_ELEMENT_OBJECT};
    uint8_t exception_type[8] = {NRP_ELEMENT_CLASS};
    uint32_t state, exception, result = 0;
    nrp_param_info ret = {sizeof ret, 0, NULL, 0};
    nrp_emit_buf entry = {0}, thrown = {0}, leave = {0};
    int rc = NRP_ERROR;
    if (resolve_tokens(rw, assembly, type, enter, exit, &t) != NRP_OK ||
        host->param_info(rw, -1, &ret) != NRP_OK || host->il_add_local(rw, object_type, 1, &state) != NRP_OK)
        goto out;
    size_t n = 1 + nrp_sig_put_type_token(exception_type + 1, t.exception);
    if (host->il_add_local(rw, exception_type, (uint32_t)n, &exception) != NRP_OK)
        goto out;
    int keep_return = capture_return && (ret.flags & NRP_PARAM_BOXABLE) && !(ret.flags & NRP_PARAM_BYREF);
    if (keep_return && host->il_add_local(rw, ret.type, ret.type_len, &result) != NRP_OK)
        goto out;

    /* entry: state = OnEnter(name, instance, args) */
    if (put_token(&entry, NRP_OP_LDSTR, t.name) || put_instance(rw, &entry, m) ||
        put_args(rw, &entry, m, &t, capture_args) || put_token(&entry, NRP_OP_CALL, t.enter) ||
        put_local(&entry, 1, state))
        goto out;
    /* on exception (it is on the stack, and stays): OnExit(state, null, ex) */
    if (put_op(&thrown, NRP_OP_DUP) || put_local(&thrown, 1, exception) || put_local(&thrown, 0, state) ||
        put_op(&thrown, NRP_OP_LDNULL) || put_local(&thrown, 0, exception) || put_token(&thrown, NRP_OP_CALL, t.exit))
        goto out;
    /* on return (the value, if any, is on the stack): OnExit(state, value, null) */
    if (!(ret.flags & NRP_PARAM_VOID) && (keep_return ? put_local(&leave, 1, result) : put_op(&leave, NRP_OP_POP)))
        goto out;
    if (put_local(&leave, 0, state) ||
        (keep_return ? put_local(&leave, 0, result) || box_value(rw, &leave, &ret) : put_op(&leave, NRP_OP_LDNULL)) ||
        put_op(&leave, NRP_OP_LDNULL) || put_token(&leave, NRP_OP_CALL, t.exit))
        goto out;

    nrp_wrap spec = {.size = sizeof spec,
                     .entry_il = entry.data,
                     .entry_len = (uint32_t)entry.len,
                     .with_catch = 1,
                     .catch_type = t.exception,
                     .catch_il = thrown.data,
                     .catch_len = (uint32_t)thrown.len,
                     .exit_il = leave.data,
                     .exit_len = (uint32_t)leave.len,
                     .guard_type = t.object};
    /* await: true, on a method that returns a task: OnExit when the task
     * completes, with its result or exception (ABI 1.4). */
    if (wait && host->abi_minor >= 4 && (m->flags & (NRP_METHOD_RETURNS_TASK | NRP_METHOD_RETURNS_VALUE_TASK))) {
        spec.task_exit_method = t.exit;
        spec.task_state_local = state;
        spec.task_exit_result = capture_return;
    }
    rc = host->il_wrap(rw, &spec, NULL);
out:
    /* Otherwise the failing host service has recorded the reason. */
    if (rc != NRP_OK && (entry.failed || thrown.failed || leave.failed))
        snprintf(err, errlen, "out of memory building the handler calls");
    free(entry.data);
    free(thrown.data);
    free(leave.data);
    return rc;
}

static int tracer_init(const nrp_host_api *api, char *err, size_t errlen)
{
    if (api->size < offsetof(nrp_host_api, assembly_resolvable) + sizeof api->assembly_resolvable) {
        snprintf(err, errlen, "host too old: needs param_info and assembly_resolvable (SDK %s)",
                 NRP_SDK_VERSION_STRING);
        return NRP_ERROR;
    }
    host = api;
    return NRP_OK;
}

static const nrp_strategy strategies[] = {
    {.name = "tracer", .rewrite = tracer_rewrite, .validate = tracer_validate},
};

NRP_PLUGIN_DEFINE("tracer", TRACER_VERSION, strategies, tracer_init);
