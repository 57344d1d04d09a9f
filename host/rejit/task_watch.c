#include "rejit/task_watch.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "clr/metadata.h"
#include "il/il_body.h"
#include "nrp/emit.h"
#include "nrp/il.h"
#include "nrp/opcodes.h"
#include "nrp/plugin.h"
#include "util/log.h"

#define CLASS_NAME "<nrp>TaskWatch"

/* cor.h: tdNotPublic | tdAbstract | tdSealed (a static class) | tdBeforeFieldInit. */
#define TYPE_FLAGS 0x00100180u
/* mdPublic | mdStatic | mdHideBySig, and fdPublic | fdStatic. */
#define METHOD_FLAGS 0x0096u
#define FIELD_FLAGS 0x0016u
/* TaskContinuationOptions.ExecuteSynchronously */
#define EXECUTE_SYNCHRONOUSLY 0x80000

/* Defining the class twice would make two; one module at a time. */
static pthread_mutex_t define_lock = PTHREAD_MUTEX_INITIALIZER;
static const unsigned char cache_key[] = "Watch";

/* A signature under construction; 64 bytes hold the longest here. */
typedef struct sig_buf {
    uint8_t b[64];
    size_t n;
} sig_buf;

static void put(sig_buf *s, const uint8_t *bytes, size_t n)
{
    if (s->n + n <= sizeof s->b) {
        memcpy(s->b + s->n, bytes, n);
        s->n += n;
    }
}

static void put_type(sig_buf *s, uint8_t element, uint32_t token)
{
    uint8_t t[5] = {element};
    put(s, t, 1 + nrp_sig_put_type_token(t + 1, token));
}

/* What the bodies reference. */
typedef struct refs {
    uint32_t object, task, action2, tuple3, token, options, scheduler, suppress;
    uint32_t action, tuple;                        /* Action<Task,object>, Tuple<long,nint,nint> */
    uint32_t is_completed, is_faulted, is_canceled, continue_with, token_none, default_scheduler;
    uint32_t action_ctor, tuple_ctor, item[3], calli;
} refs;

static nrp_result core_type(nrp_module_env *e, const char *name, uint32_t *token, nrp_err *err)
{
    return e->md.type_ref(e, NULL, name, token, err);
}

static nrp_result member(nrp_module_env *e, uint32_t parent, const char *name, const sig_buf *sig, uint32_t *token,
                         nrp_err *err)
{
    return e->md.member_ref(e, parent, name, sig->b, (uint32_t)sig->n, token, err);
}

static nrp_result reference(nrp_module_env *e, refs *r, nrp_err *err)
{
    static const uint8_t bool_getter[] = {NRP_CALLCONV_HASTHIS, 0, NRP_ELEMENT_BOOLEAN};
    static const uint8_t action_ctor[] = {NRP_CALLCONV_HASTHIS, 2, NRP_ELEMENT_VOID, NRP_ELEMENT_OBJECT, NRP_ELEMENT_I};
    static const uint8_t tuple_ctor[] = {NRP_CALLCONV_HASTHIS, 3, NRP_ELEMENT_VOID, NRP_ELEMENT_VAR, 0,
                                         NRP_ELEMENT_VAR,      1, NRP_ELEMENT_VAR,  2};
    static const uint8_t tuple_args[] = {3, NRP_ELEMENT_I8, NRP_ELEMENT_I, NRP_ELEMENT_I};
    static const uint8_t calli_params[] = {NRP_ELEMENT_VOID, NRP_ELEMENT_I, NRP_ELEMENT_I8, NRP_ELEMENT_I4};
    static const uint8_t unmanaged[] = {NRP_CALLCONV_UNMANAGED, 3, NRP_ELEMENT_CMOD_OPT};
    static const uint8_t static_none[] = {NRP_CALLCONV_DEFAULT, 0};
    static const uint8_t instance_5[] = {NRP_CALLCONV_HASTHIS, 5};
    static const uint8_t two_args[] = {2};
    static const uint8_t object1[] = {NRP_ELEMENT_OBJECT};
    sig_buf action = {0}, tuple = {0}, s = {0};
    if (core_type(e, "System.Object", &r->object, err) != NRP_OK ||
        core_type(e, "System.Threading.Tasks.Task", &r->task, err) != NRP_OK ||
        core_type(e, "System.Action`2", &r->action2, err) != NRP_OK ||
        core_type(e, "System.Tuple`3", &r->tuple3, err) != NRP_OK ||
        core_type(e, "System.Threading.CancellationToken", &r->token, err) != NRP_OK ||
        core_type(e, "System.Threading.Tasks.TaskContinuationOptions", &r->options, err) != NRP_OK ||
        core_type(e, "System.Threading.Tasks.TaskScheduler", &r->scheduler, err) != NRP_OK ||
        core_type(e, "System.Runtime.CompilerServices.CallConvSuppressGCTransition", &r->suppress, err) != NRP_OK)
        return NRP_ERROR;
    /* Action<Task, object> and Tuple<long, nint, nint> */
    put(&action, (const uint8_t[]){NRP_ELEMENT_GENERICINST}, 1);
    put_type(&action, NRP_ELEMENT_CLASS, r->action2);
    put(&action, two_args, 1);
    put_type(&action, NRP_ELEMENT_CLASS, r->task);
    put(&action, object1, 1);
    put(&tuple, (const uint8_t[]){NRP_ELEMENT_GENERICINST}, 1);
    put_type(&tuple, NRP_ELEMENT_CLASS, r->tuple3);
    put(&tuple, tuple_args, sizeof tuple_args);
    if (e->md.type_spec(e, action.b, (uint32_t)action.n, &r->action, err) != NRP_OK ||
        e->md.type_spec(e, tuple.b, (uint32_t)tuple.n, &r->tuple, err) != NRP_OK)
        return NRP_ERROR;
    sig_buf getter = {0};
    put(&getter, bool_getter, sizeof bool_getter);
    if (member(e, r->task, "get_IsCompleted", &getter, &r->is_completed, err) != NRP_OK ||
        member(e, r->task, "get_IsFaulted", &getter, &r->is_faulted, err) != NRP_OK ||
        member(e, r->task, "get_IsCanceled", &getter, &r->is_canceled, err) != NRP_OK)
        return NRP_ERROR;
    /* Task Task.ContinueWith(Action<Task,object>, object, CancellationToken,
     * TaskContinuationOptions, TaskScheduler) */
    put(&s, instance_5, sizeof instance_5);
    put_type(&s, NRP_ELEMENT_CLASS, r->task);
    put(&s, action.b, action.n);
    put(&s, object1, 1);
    put_type(&s, NRP_ELEMENT_VALUETYPE, r->token);
    put_type(&s, NRP_ELEMENT_VALUETYPE, r->options);
    put_type(&s, NRP_ELEMENT_CLASS, r->scheduler);
    if (member(e, r->task, "ContinueWith", &s, &r->continue_with, err) != NRP_OK)
        return NRP_ERROR;
    s.n = 0;
    put(&s, static_none, sizeof static_none);
    put_type(&s, NRP_ELEMENT_VALUETYPE, r->token);
    if (member(e, r->token, "get_None", &s, &r->token_none, err) != NRP_OK)
        return NRP_ERROR;
    s.n = 0;
    put(&s, static_none, sizeof static_none);
    put_type(&s, NRP_ELEMENT_CLASS, r->scheduler);
    if (member(e, r->scheduler, "get_Default", &s, &r->default_scheduler, err) != NRP_OK)
        return NRP_ERROR;
    s.n = 0;
    put(&s, action_ctor, sizeof action_ctor);
    if (member(e, r->action, ".ctor", &s, &r->action_ctor, err) != NRP_OK)
        return NRP_ERROR;
    s.n = 0;
    put(&s, tuple_ctor, sizeof tuple_ctor);
    if (member(e, r->tuple, ".ctor", &s, &r->tuple_ctor, err) != NRP_OK)
        return NRP_ERROR;
    for (uint8_t i = 0; i < 3; i++) {
        char name[] = "get_Item1";
        name[8] = (char)('1' + i);
        s.n = 0;
        put(&s, (const uint8_t[]){NRP_CALLCONV_HASTHIS, 0, NRP_ELEMENT_VAR, i}, 4);
        if (member(e, r->tuple, name, &s, &r->item[i], err) != NRP_OK)
            return NRP_ERROR;
    }
    /* unmanaged modopt(CallConvSuppressGCTransition) void(nint, long, int) */
    s.n = 0;
    put(&s, unmanaged, sizeof unmanaged);
    {
        uint8_t t[4];
        put(&s, t, nrp_sig_put_type_token(t, r->suppress));
    }
    put(&s, calli_params, sizeof calli_params);
    return e->md.sig_token(e, s.b, (uint32_t)s.n, &r->calli, err);
}

/* ---- the bodies ------------------------------------------------------- */

#define EMIT(b, emit_call)                                                                                         \
    do {                                                                                                           \
        uint8_t *at_ = nrp_emit_room(b);                                                                           \
        if (at_)                                                                                                   \
            (b)->len += emit_call;                                                                                 \
    } while (0)
#define OP(b, op) EMIT(b, nrp_emit_op(at_, op))
#define TOK(b, op, token) EMIT(b, nrp_emit_token(at_, op, token))
#define BRANCH(b, op, label) EMIT(b, nrp_emit_branch(at_, op, (b)->len, label))

typedef struct tokens {
    uint32_t done_field, watch, done, status;
} tokens;

/* fn(cookie, start, Status(t)) with the three values loaded by `cookie`,
 * `start` and `fn` (arguments of Watch, or the tuple's items in Done). */
static void emit_watch(nrp_emit_buf *b, const refs *r, const tokens *t)
{
    size_t now = 0, have = 0;
    OP(b, NRP_OP_LDARG_0);
    TOK(b, NRP_OP_CALLVIRT, r->is_completed);
    BRANCH(b, NRP_OP_BRTRUE, &now);
    OP(b, NRP_OP_LDARG_0);
    TOK(b, NRP_OP_LDSFLD, t->done_field);
    OP(b, NRP_OP_DUP);
    BRANCH(b, NRP_OP_BRTRUE, &have);
    OP(b, NRP_OP_POP);
    OP(b, NRP_OP_LDNULL);
    EMIT(b, nrp_emit_op(at_, NRP_OP_LDFTN) + nrp_emit_u32(at_ + 2, t->done));
    TOK(b, NRP_OP_NEWOBJ, r->action_ctor);
    OP(b, NRP_OP_DUP);
    TOK(b, NRP_OP_STSFLD, t->done_field);
    nrp_emit_land(b, have);
    OP(b, NRP_OP_LDARG_1);
    OP(b, NRP_OP_LDARG_2);
    OP(b, NRP_OP_LDARG_3);
    TOK(b, NRP_OP_NEWOBJ, r->tuple_ctor);
    TOK(b, NRP_OP_CALL, r->token_none);
    EMIT(b, nrp_emit_i4(at_, EXECUTE_SYNCHRONOUSLY));
    TOK(b, NRP_OP_CALL, r->default_scheduler);
    TOK(b, NRP_OP_CALLVIRT, r->continue_with);
    OP(b, NRP_OP_POP);
    OP(b, NRP_OP_RET);
    nrp_emit_land(b, now);
    OP(b, NRP_OP_LDARG_3);
    OP(b, NRP_OP_LDARG_1);
    OP(b, NRP_OP_LDARG_0);
    TOK(b, NRP_OP_CALL, t->status);
    OP(b, NRP_OP_LDARG_2);
    EMIT(b, nrp_emit_calli(at_, r->calli));
    OP(b, NRP_OP_RET);
}

static void emit_done(nrp_emit_buf *b, const refs *r, const tokens *t)
{
    static const int order[] = {2, 0}; /* cookie, then start */
    for (int i = 0; i < 2; i++) {
        OP(b, NRP_OP_LDARG_1);
        TOK(b, NRP_OP_CASTCLASS, r->tuple);
        TOK(b, NRP_OP_CALL, r->item[order[i]]);
    }
    OP(b, NRP_OP_LDARG_0);
    TOK(b, NRP_OP_CALL, t->status);
    OP(b, NRP_OP_LDARG_1);
    TOK(b, NRP_OP_CASTCLASS, r->tuple);
    TOK(b, NRP_OP_CALL, r->item[1]);
    EMIT(b, nrp_emit_calli(at_, r->calli));
    OP(b, NRP_OP_RET);
}

/* NRP_TASK_FAULTED if faulted, else NRP_TASK_CANCELED if canceled, else
 * NRP_TASK_RAN_TO_COMPLETION: IsCanceled << 1. */
static void emit_status(nrp_emit_buf *b, const refs *r)
{
    size_t not_faulted = 0;
    _Static_assert(NRP_TASK_FAULTED == 1 && NRP_TASK_CANCELED == 2 && NRP_TASK_RAN_TO_COMPLETION == 0,
                   "Status computes the NRP_TASK_* values");
    OP(b, NRP_OP_LDARG_0);
    TOK(b, NRP_OP_CALLVIRT, r->is_faulted);
    BRANCH(b, NRP_OP_BRFALSE, &not_faulted);
    OP(b, NRP_OP_LDC_I4_1);
    OP(b, NRP_OP_RET);
    nrp_emit_land(b, not_faulted);
    OP(b, NRP_OP_LDARG_0);
    TOK(b, NRP_OP_CALLVIRT, r->is_canceled);
    OP(b, NRP_OP_LDC_I4_1);
    OP(b, NRP_OP_SHL);
    OP(b, NRP_OP_RET);
}

#undef EMIT
#undef OP
#undef TOK
#undef BRANCH

static nrp_result set_body(nrp_module_env *e, uint32_t method, const nrp_emit_buf *code, uint32_t max_stack,
                           nrp_err *err)
{
    if (code->failed)
        return nrp_err_set(err, "out of memory building " CLASS_NAME);
    nrp_il_body body = {max_stack, 0, 0, code->data, (uint32_t)code->len, NULL, 0};
    size_t size = nrp_il_encoded_size(&body);
    uint8_t *bytes = malloc(size);
    if (!bytes)
        return nrp_err_set(err, "out of memory building " CLASS_NAME);
    nrp_result rc = NRP_OK;
    if (nrp_il_encode(&body, bytes, size, err) != size)
        rc = NRP_ERROR;
    else {
        HRESULT hr = nrp_info_set_il_function_body(e->info, e->module, method, bytes, (ULONG)size);
        if (NRP_FAILED(hr))
            rc = nrp_err_set(err, "SetILFunctionBody of " CLASS_NAME " failed (0x%08x)", (unsigned)hr);
    }
    free(bytes);
    return rc;
}

static nrp_result define(nrp_module_env *e, uint32_t *watch, nrp_err *err)
{
    refs r;
    tokens t;
    mdToken type, existing;
    sig_buf field = {0}, watch_sig = {0}, done_sig = {0}, status_sig = {0};
    if (reference(e, &r, err) != NRP_OK)
        return NRP_ERROR;
    if (!NRP_FAILED(nrp_mdi_find_type_def(e->mdi, CLASS_NAME, 0, &existing)))
        return nrp_err_set(err, "the module already defines " CLASS_NAME);
    /* static Action<Task, object> done */
    put(&field, (const uint8_t[]){0x06}, 1); /* FIELD */
    sig_buf action = {0};
    put(&action, (const uint8_t[]){NRP_ELEMENT_GENERICINST}, 1);
    put_type(&action, NRP_ELEMENT_CLASS, r.action2);
    put(&action, (const uint8_t[]){2}, 1);
    put_type(&action, NRP_ELEMENT_CLASS, r.task);
    put(&action, (const uint8_t[]){NRP_ELEMENT_OBJECT}, 1);
    put(&field, action.b, action.n);
    /* void Watch(Task, long, nint, nint); void Done(Task, object); int Status(Task) */
    put(&watch_sig, (const uint8_t[]){NRP_CALLCONV_DEFAULT, 4, NRP_ELEMENT_VOID}, 3);
    put_type(&watch_sig, NRP_ELEMENT_CLASS, r.task);
    put(&watch_sig, (const uint8_t[]){NRP_ELEMENT_I8, NRP_ELEMENT_I, NRP_ELEMENT_I}, 3);
    put(&done_sig, (const uint8_t[]){NRP_CALLCONV_DEFAULT, 2, NRP_ELEMENT_VOID}, 3);
    put_type(&done_sig, NRP_ELEMENT_CLASS, r.task);
    put(&done_sig, (const uint8_t[]){NRP_ELEMENT_OBJECT}, 1);
    put(&status_sig, (const uint8_t[]){NRP_CALLCONV_DEFAULT, 1, NRP_ELEMENT_I4}, 3);
    put_type(&status_sig, NRP_ELEMENT_CLASS, r.task);
    HRESULT hr = nrp_mde_define_type(e->mde, CLASS_NAME, TYPE_FLAGS, r.object, &type);
    if (NRP_FAILED(hr))
        return nrp_err_set(err, "DefineTypeDef " CLASS_NAME " failed (0x%08x)", (unsigned)hr);
    if (NRP_FAILED(hr = nrp_mde_define_field(e->mde, type, "done", FIELD_FLAGS, field.b, (ULONG)field.n,
                                             &t.done_field)) ||
        NRP_FAILED(hr = nrp_mde_define_method(e->mde, type, "Status", METHOD_FLAGS, status_sig.b,
                                              (ULONG)status_sig.n, &t.status)) ||
        NRP_FAILED(hr = nrp_mde_define_method(e->mde, type, "Done", METHOD_FLAGS, done_sig.b, (ULONG)done_sig.n,
                                              &t.done)) ||
        NRP_FAILED(hr = nrp_mde_define_method(e->mde, type, "Watch", METHOD_FLAGS, watch_sig.b,
                                              (ULONG)watch_sig.n, &t.watch)))
        return nrp_err_set(err, "defining the members of " CLASS_NAME " failed (0x%08x)", (unsigned)hr);
    hr = nrp_info_apply_metadata(e->info, e->module);
    if (hr != NRP_S_OK)
        return nrp_err_set(err, "ApplyMetaData for " CLASS_NAME " failed (0x%08x)", (unsigned)hr);
    nrp_emit_buf watch_il = {0}, done_il = {0}, status_il = {0};
    emit_watch(&watch_il, &r, &t);
    emit_done(&done_il, &r, &t);
    emit_status(&status_il, &r);
    nrp_result rc = NRP_ERROR;
    if (set_body(e, t.status, &status_il, 2, err) == NRP_OK && set_body(e, t.done, &done_il, 4, err) == NRP_OK &&
        set_body(e, t.watch, &watch_il, 6, err) == NRP_OK)
        rc = NRP_OK;
    free(watch_il.data);
    free(done_il.data);
    free(status_il.data);
    if (rc == NRP_OK)
        *watch = t.watch;
    return rc;
}

nrp_result nrp_task_watch_method(nrp_module_env *e, uint32_t *watch, nrp_err *err)
{
    if (!e->cache)
        return nrp_err_set(err, "cannot define " CLASS_NAME ": the module has no cache (out of memory?)");
    pthread_mutex_lock(&define_lock);
    nrp_result rc = NRP_OK;
    uint32_t token;
    if (nrp_module_cache_find(e->cache, NRP_CACHE_TASK_WATCH, cache_key, sizeof cache_key, &token)) {
        if (token)
            *watch = token;
        else
            rc = nrp_err_set(err, "defining " CLASS_NAME " in this module failed before");
    } else {
        rc = define(e, watch, err);
        if (rc == NRP_OK)
            NRP_LOG_DBG("defined " CLASS_NAME " in %s (Watch 0x%08x)", e->assembly, *watch);
        /* A failure is kept too (0): a second try would define the class twice. */
        (void)nrp_module_cache_put(e->cache, NRP_CACHE_TASK_WATCH, cache_key, sizeof cache_key,
                                   rc == NRP_OK ? *watch : 0); /* out of memory: the next try finds the class */
    }
    pthread_mutex_unlock(&define_lock);
    return rc;
}
