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
#include "sig/sig_build.h"
#include "util/log.h"

#define WATCH_CLASS "<nrp>TaskWatch"
#define EXIT_CLASS "<nrp>TaskExit`1"

/* cor.h: tdNotPublic | tdAbstract | tdSealed (a static class) | tdBeforeFieldInit. */
#define TYPE_FLAGS 0x00100180u
/* mdPublic | mdStatic | mdHideBySig, and fdPublic | fdStatic. */
#define METHOD_FLAGS 0x0096u
#define FIELD_FLAGS 0x0016u
/* TaskContinuationOptions.ExecuteSynchronously */
#define EXECUTE_SYNCHRONOUSLY 0x80000
#define FIELD_SIG 0x06

/* Defining a class twice would make two; one at a time. */
static pthread_mutex_t define_lock = PTHREAD_MUTEX_INITIALIZER;

/* GENERICINST CLASS <open> <count> <args>: args are whole type bytes. */
static void put_instance(nrp_sig_blob *s, uint32_t open, uint8_t count, const uint8_t *args, size_t len)
{
    nrp_sig_blob_byte(s, NRP_ELEMENT_GENERICINST);
    nrp_sig_blob_type(s, NRP_ELEMENT_CLASS, open);
    nrp_sig_blob_byte(s, count);
    nrp_sig_blob_bytes(s, args, len);
}

/* What both classes reference. */
typedef struct refs {
    uint32_t object, task, action2, tuple3, token, options, scheduler;
    uint32_t action;                    /* Action<Task, object> */
    nrp_sig_blob action_sig;            /* its signature: free with refs_free */
    uint32_t is_completed, is_faulted, is_canceled, continue_with, token_none, default_scheduler, action_ctor;
} refs;

/* A Tuple<A, B, C> and its members. */
typedef struct tuple_refs {
    uint32_t spec, ctor, item[3];
} tuple_refs;

static nrp_result core_type(nrp_module_env *e, const char *name, uint32_t *token, nrp_err *err)
{
    return e->md.type_ref(e, NULL, name, token, err);
}

/* The MemberRef of a member whose signature is in sig. */
static nrp_result member(nrp_module_env *e, uint32_t parent, const char *name, const nrp_sig_blob *sig,
                         uint32_t *token, nrp_err *err)
{
    if (sig->status != NRP_OK)
        return nrp_err_set(err, "out of memory building a signature");
    return e->md.member_ref(e, parent, name, sig->data, (uint32_t)sig->len, token, err);
}

/* A member whose signature is the bytes given, then, with a token, an
 * element type and that token. */
static nrp_result member_of(nrp_module_env *e, uint32_t parent, const char *name, const uint8_t *head, size_t len,
                            uint8_t element, uint32_t type, uint32_t *token, nrp_err *err)
{
    nrp_sig_blob s;
    nrp_sig_blob_init(&s);
    nrp_sig_blob_bytes(&s, head, len);
    if (type)
        nrp_sig_blob_type(&s, element, type);
    nrp_result rc = member(e, parent, name, &s, token, err);
    nrp_sig_blob_free(&s);
    return rc;
}

/* The token `md` gives for the blob: a TypeSpec or a standalone signature. */
static nrp_result blob_token(nrp_module_env *e,
                             nrp_result (*md)(void *, const uint8_t *, uint32_t, uint32_t *, nrp_err *),
                             const nrp_sig_blob *sig, uint32_t *token, nrp_err *err)
{
    if (sig->status != NRP_OK)
        return nrp_err_set(err, "out of memory building a signature");
    return md(e, sig->data, (uint32_t)sig->len, token, err);
}

/* static RET (Task, REST...): the signatures of the classes' methods. */
static void task_method_sig(nrp_sig_blob *s, uint8_t count, uint8_t ret, uint32_t task, const uint8_t *rest,
                            size_t n)
{
    nrp_sig_blob_init(s);
    nrp_sig_blob_bytes(s, (const uint8_t[]){NRP_CALLCONV_DEFAULT, count, ret}, 3);
    nrp_sig_blob_type(s, NRP_ELEMENT_CLASS, task);
    nrp_sig_blob_bytes(s, rest, n);
}

/* static Action<Task, object> done: its field signature. */
static void done_field_sig(nrp_sig_blob *s, const refs *r)
{
    nrp_sig_blob_init(s);
    nrp_sig_blob_byte(s, FIELD_SIG);
    nrp_sig_blob_bytes(s, r->action_sig.data, r->action_sig.len);
}

static void refs_free(refs *r)
{
    nrp_sig_blob_free(&r->action_sig);
}

/* Fills r; refs_free(r) afterwards, whatever the result. */
static nrp_result reference(nrp_module_env *e, refs *r, nrp_err *err)
{
    static const uint8_t bool_getter[] = {NRP_CALLCONV_HASTHIS, 0, NRP_ELEMENT_BOOLEAN};
    static const uint8_t action_ctor[] = {NRP_CALLCONV_HASTHIS, 2, NRP_ELEMENT_VOID, NRP_ELEMENT_OBJECT, NRP_ELEMENT_I};
    static const uint8_t static_getter[] = {NRP_CALLCONV_DEFAULT, 0};
    static const uint8_t instance_5[] = {NRP_CALLCONV_HASTHIS, 5};
    nrp_sig_blob s, args;
    memset(r, 0, sizeof *r);
    nrp_sig_blob_init(&r->action_sig);
    if (core_type(e, "System.Object", &r->object, err) != NRP_OK ||
        core_type(e, "System.Threading.Tasks.Task", &r->task, err) != NRP_OK ||
        core_type(e, "System.Action`2", &r->action2, err) != NRP_OK ||
        core_type(e, "System.Tuple`3", &r->tuple3, err) != NRP_OK ||
        core_type(e, "System.Threading.CancellationToken", &r->token, err) != NRP_OK ||
        core_type(e, "System.Threading.Tasks.TaskContinuationOptions", &r->options, err) != NRP_OK ||
        core_type(e, "System.Threading.Tasks.TaskScheduler", &r->scheduler, err) != NRP_OK)
        return NRP_ERROR;
    nrp_sig_blob_init(&args);
    nrp_sig_blob_type(&args, NRP_ELEMENT_CLASS, r->task);
    nrp_sig_blob_byte(&args, NRP_ELEMENT_OBJECT);
    put_instance(&r->action_sig, r->action2, 2, args.data, args.len);
    nrp_sig_blob_free(&args);
    if (r->action_sig.status != NRP_OK)
        return nrp_err_set(err, "out of memory building a signature");
    if (e->md.type_spec(e, r->action_sig.data, (uint32_t)r->action_sig.len, &r->action, err) != NRP_OK ||
        member_of(e, r->task, "get_IsCompleted", bool_getter, sizeof bool_getter, 0, 0, &r->is_completed, err) !=
            NRP_OK ||
        member_of(e, r->task, "get_IsFaulted", bool_getter, sizeof bool_getter, 0, 0, &r->is_faulted, err) != NRP_OK ||
        member_of(e, r->task, "get_IsCanceled", bool_getter, sizeof bool_getter, 0, 0, &r->is_canceled, err) !=
            NRP_OK ||
        member_of(e, r->token, "get_None", static_getter, sizeof static_getter, NRP_ELEMENT_VALUETYPE, r->token,
                  &r->token_none, err) != NRP_OK ||
        member_of(e, r->scheduler, "get_Default", static_getter, sizeof static_getter, NRP_ELEMENT_CLASS,
                  r->scheduler, &r->default_scheduler, err) != NRP_OK ||
        member_of(e, r->action, ".ctor", action_ctor, sizeof action_ctor, 0, 0, &r->action_ctor, err) != NRP_OK)
        return NRP_ERROR;
    /* Task Task.ContinueWith(Action<Task,object>, object, CancellationToken,
     * TaskContinuationOptions, TaskScheduler) */
    nrp_sig_blob_init(&s);
    nrp_sig_blob_bytes(&s, instance_5, sizeof instance_5);
    nrp_sig_blob_type(&s, NRP_ELEMENT_CLASS, r->task);
    nrp_sig_blob_bytes(&s, r->action_sig.data, r->action_sig.len);
    nrp_sig_blob_byte(&s, NRP_ELEMENT_OBJECT);
    nrp_sig_blob_type(&s, NRP_ELEMENT_VALUETYPE, r->token);
    nrp_sig_blob_type(&s, NRP_ELEMENT_VALUETYPE, r->options);
    nrp_sig_blob_type(&s, NRP_ELEMENT_CLASS, r->scheduler);
    nrp_result rc = member(e, r->task, "ContinueWith", &s, &r->continue_with, err);
    nrp_sig_blob_free(&s);
    return rc;
}

/* Tuple<A, B, C> of the three one-byte element types given. */
static nrp_result reference_tuple(nrp_module_env *e, const refs *r, const uint8_t types[3], tuple_refs *t,
                                  nrp_err *err)
{
    static const uint8_t ctor[] = {NRP_CALLCONV_HASTHIS, 3, NRP_ELEMENT_VOID, NRP_ELEMENT_VAR, 0,
                                   NRP_ELEMENT_VAR,      1, NRP_ELEMENT_VAR,  2};
    nrp_sig_blob spec;
    nrp_sig_blob_init(&spec);
    put_instance(&spec, r->tuple3, 3, types, 3);
    nrp_result rc = blob_token(e, e->md.type_spec, &spec, &t->spec, err);
    nrp_sig_blob_free(&spec);
    if (rc != NRP_OK || member_of(e, t->spec, ".ctor", ctor, sizeof ctor, 0, 0, &t->ctor, err) != NRP_OK)
        return NRP_ERROR;
    for (uint8_t i = 0; i < 3; i++) {
        char name[] = "get_Item1";
        name[8] = (char)('1' + i);
        const uint8_t getter[] = {NRP_CALLCONV_HASTHIS, 0, NRP_ELEMENT_VAR, i};
        if (member_of(e, t->spec, name, getter, sizeof getter, 0, 0, &t->item[i], err) != NRP_OK)
            return NRP_ERROR;
    }
    return NRP_OK;
}

/* ---- writing the bodies ------------------------------------------------- */

#define OP(b, op) NRP_EMIT(b, nrp_emit_op(nrp_at, op))
#define TOK(b, op, token) NRP_EMIT(b, nrp_emit_token(nrp_at, op, token))
#define BRANCH(b, op, label) NRP_EMIT(b, nrp_emit_branch(nrp_at, op, (b)->len, label))

/* t.ContinueWith(done ??= new Action<Task, object>(Done), <state on the
 * stack>, ...): `state` emits the code that pushes the state. The task
 * is on the stack; the Task ContinueWith returns is dropped. */
static void emit_continue(nrp_emit_buf *b, const refs *r, uint32_t done_field, uint32_t done,
                          void (*state)(nrp_emit_buf *, const void *), const void *ctx)
{
    size_t have = 0;
    TOK(b, NRP_OP_LDSFLD, done_field);
    OP(b, NRP_OP_DUP);
    BRANCH(b, NRP_OP_BRTRUE, &have);
    OP(b, NRP_OP_POP);
    OP(b, NRP_OP_LDNULL);
    NRP_EMIT(b, nrp_emit_op(nrp_at, NRP_OP_LDFTN) + nrp_emit_u32(nrp_at + 2, done));
    TOK(b, NRP_OP_NEWOBJ, r->action_ctor);
    OP(b, NRP_OP_DUP);
    TOK(b, NRP_OP_STSFLD, done_field);
    nrp_emit_land(b, have);
    state(b, ctx);
    TOK(b, NRP_OP_CALL, r->token_none);
    NRP_EMIT(b, nrp_emit_i4(nrp_at, EXECUTE_SYNCHRONOUSLY));
    TOK(b, NRP_OP_CALL, r->default_scheduler);
    TOK(b, NRP_OP_CALLVIRT, r->continue_with);
    OP(b, NRP_OP_POP);
}

/* The state: new Tuple<...>(arg1, arg2, arg3). */
static void emit_tuple_of_args(nrp_emit_buf *b, const void *ctx)
{
    const tuple_refs *t = ctx;
    OP(b, NRP_OP_LDARG_1);
    OP(b, NRP_OP_LDARG_2);
    OP(b, NRP_OP_LDARG_3);
    TOK(b, NRP_OP_NEWOBJ, t->ctor);
}

/* The tuple's three items, from the state in argument 1. */
static void emit_items(nrp_emit_buf *b, const tuple_refs *t, const int order[3])
{
    for (int i = 0; i < 3; i++) {
        OP(b, NRP_OP_LDARG_1);
        TOK(b, NRP_OP_CASTCLASS, t->spec);
        TOK(b, NRP_OP_CALL, t->item[order[i]]);
    }
}

typedef struct method_body {
    nrp_emit_buf code;
    uint32_t max_stack, locals;
    nrp_il_clause clause; /* a catch of object, when catch_type is set */
    int with_clause;
} method_body;

static nrp_result set_body(nrp_module_env *e, uint32_t method, const method_body *m, const char *cls, nrp_err *err)
{
    if (m->code.failed)
        return nrp_err_set(err, "out of memory building %s", cls);
    nrp_il_body body = {m->max_stack, m->locals != 0,  m->locals, m->code.data, (uint32_t)m->code.len,
                        NULL,         0};
    if (m->with_clause) {
        body.clauses = (nrp_il_clause *)&m->clause;
        body.clause_count = 1;
    }
    size_t size = nrp_il_encoded_size(&body);
    uint8_t *bytes = malloc(size);
    if (!bytes)
        return nrp_err_set(err, "out of memory building %s", cls);
    nrp_result rc = NRP_OK;
    if (nrp_il_encode(&body, bytes, size, err) != size)
        rc = NRP_ERROR;
    else {
        HRESULT hr = nrp_info_set_il_function_body(e->info, e->module, method, bytes, (ULONG)size);
        if (NRP_FAILED(hr))
            rc = nrp_err_set(err, "SetILFunctionBody in %s failed (0x%08x)", cls, (unsigned)hr);
    }
    free(bytes);
    return rc;
}

/* The three methods' bodies set, in order, and freed. */
static nrp_result set_bodies(nrp_module_env *e, const uint32_t methods[3], method_body bodies[3], const char *cls,
                             nrp_err *err)
{
    nrp_result rc = NRP_OK;
    for (int i = 0; i < 3; i++) {
        if (rc == NRP_OK)
            rc = set_body(e, methods[i], &bodies[i], cls, err);
        free(bodies[i].code.data);
    }
    return rc;
}

static nrp_result define_class(nrp_module_env *e, const char *name, uint32_t extends, mdToken *type, nrp_err *err)
{
    mdToken existing;
    if (!NRP_FAILED(nrp_mdi_find_type_def(e->mdi, name, 0, &existing)))
        return nrp_err_set(err, "the module already defines %s", name);
    HRESULT hr = nrp_mde_define_type(e->mde, name, TYPE_FLAGS, extends, type);
    if (NRP_FAILED(hr))
        return nrp_err_set(err, "DefineTypeDef %s failed (0x%08x)", name, (unsigned)hr);
    return NRP_OK;
}

static nrp_result define_method(nrp_module_env *e, mdToken type, const char *name, const nrp_sig_blob *sig,
                                uint32_t *token, nrp_err *err)
{
    if (sig->status != NRP_OK)
        return nrp_err_set(err, "out of memory building a signature");
    HRESULT hr = nrp_mde_define_method(e->mde, type, name, METHOD_FLAGS, sig->data, (ULONG)sig->len, token);
    if (NRP_FAILED(hr))
        return nrp_err_set(err, "DefineMethod %s failed (0x%08x)", name, (unsigned)hr);
    return NRP_OK;
}

static nrp_result define_field(nrp_module_env *e, mdToken type, const char *cls, const nrp_sig_blob *sig,
                               uint32_t *token, nrp_err *err)
{
    if (sig->status != NRP_OK)
        return nrp_err_set(err, "out of memory building a signature");
    HRESULT hr = nrp_mde_define_field(e->mde, type, "done", FIELD_FLAGS, sig->data, (ULONG)sig->len, token);
    if (NRP_FAILED(hr))
        return nrp_err_set(err, "DefineField in %s failed (0x%08x)", cls, (unsigned)hr);
    return NRP_OK;
}

static nrp_result apply(nrp_module_env *e, const char *cls, nrp_err *err)
{
    HRESULT hr = nrp_info_apply_metadata(e->info, e->module);
    if (hr != NRP_S_OK)
        return nrp_err_set(err, "ApplyMetaData for %s failed (0x%08x)", cls, (unsigned)hr);
    return NRP_OK;
}

/* ---- <nrp>TaskWatch: calls native code ----------------------------------- */

typedef struct watch_tokens {
    uint32_t done_field, watch, done, status, calli;
    tuple_refs tuple;
} watch_tokens;

static void emit_watch(nrp_emit_buf *b, const refs *r, const watch_tokens *t)
{
    size_t now = 0;
    OP(b, NRP_OP_LDARG_0);
    TOK(b, NRP_OP_CALLVIRT, r->is_completed);
    BRANCH(b, NRP_OP_BRTRUE, &now);
    OP(b, NRP_OP_LDARG_0);
    emit_continue(b, r, t->done_field, t->done, emit_tuple_of_args, &t->tuple);
    OP(b, NRP_OP_RET);
    nrp_emit_land(b, now);
    OP(b, NRP_OP_LDARG_3);
    OP(b, NRP_OP_LDARG_1);
    OP(b, NRP_OP_LDARG_0);
    TOK(b, NRP_OP_CALL, t->status);
    OP(b, NRP_OP_LDARG_2);
    NRP_EMIT(b, nrp_emit_calli(nrp_at, t->calli));
    OP(b, NRP_OP_RET);
}

/* fn(cookie, start, Status(t)) from the tuple (start, fn, cookie). */
static void emit_watch_done(nrp_emit_buf *b, const watch_tokens *t)
{
    static const int cookie_start[] = {2, 0};
    for (int i = 0; i < 2; i++) {
        OP(b, NRP_OP_LDARG_1);
        TOK(b, NRP_OP_CASTCLASS, t->tuple.spec);
        TOK(b, NRP_OP_CALL, t->tuple.item[cookie_start[i]]);
    }
    OP(b, NRP_OP_LDARG_0);
    TOK(b, NRP_OP_CALL, t->status);
    OP(b, NRP_OP_LDARG_1);
    TOK(b, NRP_OP_CASTCLASS, t->tuple.spec);
    TOK(b, NRP_OP_CALL, t->tuple.item[1]);
    NRP_EMIT(b, nrp_emit_calli(nrp_at, t->calli));
    OP(b, NRP_OP_RET);
}

/* NRP_TASK_FAULTED if faulted, else IsCanceled << 1 (NRP_TASK_CANCELED or
 * NRP_TASK_RAN_TO_COMPLETION). */
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

static nrp_result watch_class(nrp_module_env *e, const refs *r, uint32_t *watch, nrp_err *err)
{
    static const uint8_t long_nint_nint[] = {NRP_ELEMENT_I8, NRP_ELEMENT_I, NRP_ELEMENT_I};
    static const uint8_t object[] = {NRP_ELEMENT_OBJECT};
    watch_tokens t;
    mdToken type, suppress;
    nrp_sig_blob calli, field, watch_sig, done_sig, status_sig;
    if (reference_tuple(e, r, long_nint_nint, &t.tuple, err) != NRP_OK ||
        core_type(e, "System.Runtime.CompilerServices.CallConvSuppressGCTransition", &suppress, err) != NRP_OK)
        return NRP_ERROR;
    /* unmanaged modopt(CallConvSuppressGCTransition) void(nint, long, int) */
    nrp_sig_blob_init(&calli);
    nrp_sig_blob_bytes(&calli, (const uint8_t[]){NRP_CALLCONV_UNMANAGED, 3}, 2);
    nrp_sig_blob_type(&calli, NRP_ELEMENT_CMOD_OPT, suppress);
    nrp_sig_blob_bytes(&calli, (const uint8_t[]){NRP_ELEMENT_VOID, NRP_ELEMENT_I, NRP_ELEMENT_I8, NRP_ELEMENT_I4}, 4);
    done_field_sig(&field, r);
    task_method_sig(&watch_sig, 4, NRP_ELEMENT_VOID, r->task, long_nint_nint, sizeof long_nint_nint);
    task_method_sig(&done_sig, 2, NRP_ELEMENT_VOID, r->task, object, sizeof object);
    task_method_sig(&status_sig, 1, NRP_ELEMENT_I4, r->task, NULL, 0);
    nrp_result rc = NRP_ERROR;
    if (blob_token(e, e->md.sig_token, &calli, &t.calli, err) == NRP_OK &&
        define_class(e, WATCH_CLASS, r->object, &type, err) == NRP_OK &&
        define_field(e, type, WATCH_CLASS, &field, &t.done_field, err) == NRP_OK &&
        define_method(e, type, "Status", &status_sig, &t.status, err) == NRP_OK &&
        define_method(e, type, "Done", &done_sig, &t.done, err) == NRP_OK &&
        define_method(e, type, "Watch", &watch_sig, &t.watch, err) == NRP_OK && apply(e, WATCH_CLASS, err) == NRP_OK)
        rc = NRP_OK;
    nrp_sig_blob_free(&calli);
    nrp_sig_blob_free(&field);
    nrp_sig_blob_free(&watch_sig);
    nrp_sig_blob_free(&done_sig);
    nrp_sig_blob_free(&status_sig);
    if (rc != NRP_OK)
        return NRP_ERROR;
    const uint32_t methods[3] = {t.status, t.done, t.watch};
    method_body bodies[3] = {{.max_stack = 2}, {.max_stack = 4}, {.max_stack = 6}};
    emit_status(&bodies[0].code, r);
    emit_watch_done(&bodies[1].code, &t);
    emit_watch(&bodies[2].code, r, &t);
    if (set_bodies(e, methods, bodies, WATCH_CLASS, err) != NRP_OK)
        return NRP_ERROR;
    *watch = t.watch;
    return NRP_OK;
}

/* ---- <nrp>TaskExit`1<T>: calls managed code ------------------------------ */

typedef struct exit_tokens {
    uint32_t type, self;                 /* the TypeDef and <nrp>TaskExit`1<!0> */
    uint32_t done_field, done, finish;   /* MemberRefs on self */
    uint32_t watch_def, done_def, finish_def;
    uint32_t calli, locals;
    uint32_t task_of_t, result, boxed;   /* Task<!0>, its get_Result, !0 */
    uint32_t get_exception, inner, canceled_ctor;
    tuple_refs tuple;
} exit_tokens;

/* try { <body> } catch (object) { pop; leave END }  END: ret
 * `body` leaves through the labels it adds to ends. */
typedef struct ends {
    size_t label[4];
    int count;
} ends;

static void leave_to_end(nrp_emit_buf *b, ends *x)
{
    if (x->count < 4)
        BRANCH(b, NRP_OP_LEAVE, &x->label[x->count++]);
}

static void close_try(method_body *m, ends *x, uint32_t catch_type)
{
    nrp_emit_buf *b = &m->code;
    size_t handler = b->len;
    OP(b, NRP_OP_POP);
    leave_to_end(b, x);
    m->clause = (nrp_il_clause){NRP_EH_CATCH, 0, (uint32_t)handler, (uint32_t)handler,
                                (uint32_t)(b->len - handler), catch_type};
    m->with_clause = 1;
    for (int i = 0; i < x->count; i++)
        nrp_emit_land(b, x->label[i]);
    OP(b, NRP_OP_RET);
}

/* exit(state, result, exception): the three values and the pointer are on
 * the stack. */
static void emit_call_exit(nrp_emit_buf *b, const exit_tokens *t)
{
    NRP_EMIT(b, nrp_emit_calli(nrp_at, t->calli));
}

/* static void Watch(Task t, object state, nint exit, bool result) */
static void emit_exit_watch(method_body *m, const refs *r, const exit_tokens *t)
{
    nrp_emit_buf *b = &m->code;
    ends x = {{0}, 0};
    size_t have = 0, later = 0;
    OP(b, NRP_OP_LDARG_0);
    BRANCH(b, NRP_OP_BRTRUE, &have);
    OP(b, NRP_OP_LDARG_1); /* a null task: exit(state, null, null) */
    OP(b, NRP_OP_LDNULL);
    OP(b, NRP_OP_LDNULL);
    OP(b, NRP_OP_LDARG_2);
    emit_call_exit(b, t);
    leave_to_end(b, &x);
    nrp_emit_land(b, have);
    OP(b, NRP_OP_LDARG_0);
    TOK(b, NRP_OP_CALLVIRT, r->is_completed);
    BRANCH(b, NRP_OP_BRFALSE, &later);
    OP(b, NRP_OP_LDARG_0);
    OP(b, NRP_OP_LDARG_1);
    OP(b, NRP_OP_LDARG_2);
    OP(b, NRP_OP_LDARG_3);
    TOK(b, NRP_OP_CALL, t->finish);
    leave_to_end(b, &x);
    nrp_emit_land(b, later);
    OP(b, NRP_OP_LDARG_0);
    emit_continue(b, r, t->done_field, t->done, emit_tuple_of_args, &t->tuple);
    leave_to_end(b, &x);
    close_try(m, &x, r->object);
}

/* static void Done(Task t, object state): Finish(t, the tuple's items). */
static void emit_exit_done(method_body *m, const exit_tokens *t)
{
    static const int in_order[] = {0, 1, 2};
    nrp_emit_buf *b = &m->code;
    OP(b, NRP_OP_LDARG_0);
    emit_items(b, &t->tuple, in_order);
    TOK(b, NRP_OP_CALL, t->finish);
    OP(b, NRP_OP_RET);
}

/* static void Finish(Task t, object state, nint exit, bool result)
 *     locals: object r, Exception x */
static void emit_exit_finish(method_body *m, const refs *r, const exit_tokens *t)
{
    nrp_emit_buf *b = &m->code;
    ends x = {{0}, 0};
    size_t not_faulted = 0, not_canceled = 0, call1 = 0, call2 = 0, call3 = 0;
    OP(b, NRP_OP_LDARG_0);
    TOK(b, NRP_OP_CALLVIRT, r->is_faulted);
    BRANCH(b, NRP_OP_BRFALSE, &not_faulted);
    OP(b, NRP_OP_LDARG_0);
    TOK(b, NRP_OP_CALLVIRT, t->get_exception);
    TOK(b, NRP_OP_CALLVIRT, t->inner);
    OP(b, NRP_OP_STLOC_1);
    BRANCH(b, NRP_OP_BR, &call1);
    nrp_emit_land(b, not_faulted);
    OP(b, NRP_OP_LDARG_0);
    TOK(b, NRP_OP_CALLVIRT, r->is_canceled);
    BRANCH(b, NRP_OP_BRFALSE, &not_canceled);
    OP(b, NRP_OP_LDARG_0);
    TOK(b, NRP_OP_NEWOBJ, t->canceled_ctor);
    OP(b, NRP_OP_STLOC_1);
    BRANCH(b, NRP_OP_BR, &call2);
    nrp_emit_land(b, not_canceled);
    OP(b, NRP_OP_LDARG_3);
    BRANCH(b, NRP_OP_BRFALSE, &call3);
    OP(b, NRP_OP_LDARG_0);
    TOK(b, NRP_OP_CASTCLASS, t->task_of_t);
    TOK(b, NRP_OP_CALLVIRT, t->result);
    TOK(b, NRP_OP_BOX, t->boxed);
    OP(b, NRP_OP_STLOC_0);
    nrp_emit_land(b, call1);
    nrp_emit_land(b, call2);
    nrp_emit_land(b, call3);
    OP(b, NRP_OP_LDARG_1);
    OP(b, NRP_OP_LDLOC_0);
    OP(b, NRP_OP_LDLOC_1);
    OP(b, NRP_OP_LDARG_2);
    emit_call_exit(b, t);
    leave_to_end(b, &x);
    close_try(m, &x, r->object);
}

static nrp_result reference_exit(nrp_module_env *e, const refs *r, exit_tokens *t, nrp_err *err)
{
    static const uint8_t object_nint_bool[] = {NRP_ELEMENT_OBJECT, NRP_ELEMENT_I, NRP_ELEMENT_BOOLEAN};
    static const uint8_t var0[] = {NRP_ELEMENT_VAR, 0};
    static const uint8_t getter[] = {NRP_CALLCONV_HASTHIS, 0};
    uint32_t exception, aggregate, task1, canceled;
    nrp_sig_blob s;
    if (reference_tuple(e, r, object_nint_bool, &t->tuple, err) != NRP_OK ||
        core_type(e, "System.Exception", &exception, err) != NRP_OK ||
        core_type(e, "System.AggregateException", &aggregate, err) != NRP_OK ||
        core_type(e, "System.Threading.Tasks.Task`1", &task1, err) != NRP_OK ||
        core_type(e, "System.Threading.Tasks.TaskCanceledException", &canceled, err) != NRP_OK ||
        member_of(e, r->task, "get_Exception", getter, sizeof getter, NRP_ELEMENT_CLASS, aggregate, &t->get_exception,
                  err) != NRP_OK ||
        member_of(e, exception, "get_InnerException", getter, sizeof getter, NRP_ELEMENT_CLASS, exception, &t->inner,
                  err) != NRP_OK ||
        member_of(e, canceled, ".ctor", (const uint8_t[]){NRP_CALLCONV_HASTHIS, 1, NRP_ELEMENT_VOID}, 3,
                  NRP_ELEMENT_CLASS, r->task, &t->canceled_ctor, err) != NRP_OK)
        return NRP_ERROR;
    /* Task<!0>, its Result, and !0 to box it */
    nrp_sig_blob_init(&s);
    put_instance(&s, task1, 1, var0, sizeof var0);
    nrp_result rc = blob_token(e, e->md.type_spec, &s, &t->task_of_t, err);
    nrp_sig_blob_free(&s);
    if (rc != NRP_OK || e->md.type_spec(e, var0, sizeof var0, &t->boxed, err) != NRP_OK ||
        e->md.member_ref(e, t->task_of_t, "get_Result", (const uint8_t[]){NRP_CALLCONV_HASTHIS, 0, NRP_ELEMENT_VAR, 0},
                         4, &t->result, err) != NRP_OK)
        return NRP_ERROR;
    /* default void(object, object, Exception), and the locals object, Exception */
    nrp_sig_blob_init(&s);
    nrp_sig_blob_bytes(&s, (const uint8_t[]){NRP_CALLCONV_DEFAULT, 3, NRP_ELEMENT_VOID, NRP_ELEMENT_OBJECT,
                                             NRP_ELEMENT_OBJECT}, 5);
    nrp_sig_blob_type(&s, NRP_ELEMENT_CLASS, exception);
    rc = blob_token(e, e->md.sig_token, &s, &t->calli, err);
    nrp_sig_blob_free(&s);
    if (rc != NRP_OK)
        return NRP_ERROR;
    nrp_sig_blob_init(&s);
    nrp_sig_blob_bytes(&s, (const uint8_t[]){NRP_CALLCONV_LOCAL_SIG, 2, NRP_ELEMENT_OBJECT}, 3);
    nrp_sig_blob_type(&s, NRP_ELEMENT_CLASS, exception);
    rc = blob_token(e, e->md.sig_token, &s, &t->locals, err);
    nrp_sig_blob_free(&s);
    return rc;
}

/* The class's members once it is defined (sigs: the field's, then those
 * of Watch and Finish, and of Done). */
static nrp_result exit_members(nrp_module_env *e, exit_tokens *t, const nrp_sig_blob *field,
                               const nrp_sig_blob *watch_sig, const nrp_sig_blob *done_sig, nrp_err *err)
{
    mdToken param, field_def;
    nrp_com_object *mde2 = NULL;
    nrp_sig_blob self;
    HRESULT hr = nrp_com_query(e->mde, &NRP_IID_IMetaDataEmit2, &mde2);
    if (!NRP_FAILED(hr)) {
        hr = nrp_mde2_define_generic_param(mde2, t->type, 0, "T", &param);
        nrp_com_release(mde2);
    }
    if (NRP_FAILED(hr))
        return nrp_err_set(err, "DefineGenericParam in " EXIT_CLASS " failed (0x%08x)", (unsigned)hr);
    if (define_field(e, t->type, EXIT_CLASS, field, &field_def, err) != NRP_OK ||
        define_method(e, t->type, "Finish", watch_sig, &t->finish_def, err) != NRP_OK ||
        define_method(e, t->type, "Done", done_sig, &t->done_def, err) != NRP_OK ||
        define_method(e, t->type, "Watch", watch_sig, &t->watch_def, err) != NRP_OK)
        return NRP_ERROR;
    /* Inside a generic class its own members are reached through
     * <nrp>TaskExit`1<!0>, as compilers do. */
    nrp_sig_blob_init(&self);
    put_instance(&self, t->type, 1, (const uint8_t[]){NRP_ELEMENT_VAR, 0}, 2);
    nrp_result rc = blob_token(e, e->md.type_spec, &self, &t->self, err);
    nrp_sig_blob_free(&self);
    if (rc != NRP_OK || member(e, t->self, "done", field, &t->done_field, err) != NRP_OK ||
        member(e, t->self, "Done", done_sig, &t->done, err) != NRP_OK ||
        member(e, t->self, "Finish", watch_sig, &t->finish, err) != NRP_OK)
        return NRP_ERROR;
    return apply(e, EXIT_CLASS, err);
}

static nrp_result exit_class(nrp_module_env *e, const refs *r, uint32_t *type_out, nrp_err *err)
{
    static const uint8_t object_nint_bool[] = {NRP_ELEMENT_OBJECT, NRP_ELEMENT_I, NRP_ELEMENT_BOOLEAN};
    static const uint8_t object[] = {NRP_ELEMENT_OBJECT};
    exit_tokens t;
    nrp_sig_blob field, watch_sig, done_sig;
    memset(&t, 0, sizeof t);
    if (reference_exit(e, r, &t, err) != NRP_OK)
        return NRP_ERROR;
    done_field_sig(&field, r);
    task_method_sig(&watch_sig, 4, NRP_ELEMENT_VOID, r->task, object_nint_bool, sizeof object_nint_bool);
    task_method_sig(&done_sig, 2, NRP_ELEMENT_VOID, r->task, object, sizeof object);
    nrp_result rc = define_class(e, EXIT_CLASS, r->object, &t.type, err);
    if (rc == NRP_OK)
        rc = exit_members(e, &t, &field, &watch_sig, &done_sig, err);
    nrp_sig_blob_free(&field);
    nrp_sig_blob_free(&watch_sig);
    nrp_sig_blob_free(&done_sig);
    if (rc != NRP_OK)
        return NRP_ERROR;
    const uint32_t methods[3] = {t.finish_def, t.done_def, t.watch_def};
    method_body bodies[3] = {{.max_stack = 4, .locals = t.locals}, {.max_stack = 4}, {.max_stack = 6}};
    emit_exit_finish(&bodies[0], r, &t);
    emit_exit_done(&bodies[1], &t);
    emit_exit_watch(&bodies[2], r, &t);
    if (set_bodies(e, methods, bodies, EXIT_CLASS, err) != NRP_OK)
        return NRP_ERROR;
    *type_out = t.type;
    return NRP_OK;
}

#undef OP
#undef TOK
#undef BRANCH

/* ---- once per module ------------------------------------------------------ */

/* What both classes reference, then the class `define` makes. */
static nrp_result with_refs(nrp_module_env *e,
                            nrp_result (*define)(nrp_module_env *, const refs *, uint32_t *, nrp_err *),
                            uint32_t *token, nrp_err *err)
{
    refs r;
    nrp_result rc = reference(e, &r, err) == NRP_OK ? define(e, &r, token, err) : NRP_ERROR;
    refs_free(&r);
    return rc;
}

/* The token `define` gives, made the first time and then remembered under
 * `key` (a failure too, as 0: a second try would define the class twice). */
static nrp_result once(nrp_module_env *e, const char *key, const char *cls,
                       nrp_result (*define)(nrp_module_env *, const refs *, uint32_t *, nrp_err *), uint32_t *token,
                       nrp_err *err)
{
    if (!e->cache)
        return nrp_err_set(err, "cannot define %s: the module has no cache (out of memory?)", cls);
    pthread_mutex_lock(&define_lock);
    nrp_result rc = NRP_OK;
    uint32_t found;
    size_t len = strlen(key);
    if (nrp_module_cache_find(e->cache, NRP_CACHE_TASK_WATCH, key, len, &found)) {
        if (found)
            *token = found;
        else
            rc = nrp_err_set(err, "defining %s in this module failed before", cls);
    } else {
        rc = with_refs(e, define, token, err);
        if (rc == NRP_OK)
            NRP_LOG_DBG("defined %s in %s (0x%08x)", cls, e->assembly, *token);
        (void)nrp_module_cache_put(e->cache, NRP_CACHE_TASK_WATCH, key, len,
                                   rc == NRP_OK ? *token : 0); /* out of memory: the next try finds the class */
    }
    pthread_mutex_unlock(&define_lock);
    return rc;
}

nrp_result nrp_task_watch_method(nrp_module_env *e, uint32_t *watch, nrp_err *err)
{
    return once(e, "Watch", WATCH_CLASS, watch_class, watch, err);
}

nrp_result nrp_task_exit_class(nrp_module_env *e, uint32_t *type, nrp_err *err)
{
    return once(e, "Exit", EXIT_CLASS, exit_class, type, err);
}
