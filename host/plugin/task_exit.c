/*
 * task_exit.c - the exit code of a wrap that waits for the method's task
 * (nrp_wrap.task_done, ABI 1.4). It runs where the plugin's exit code
 * would, with the task the method returns on the stack:
 *
 * Task, Task<T>:
 *         stloc V
 *         ldloc V; brfalse SYNC                        // a null task: as a return
 *         ldloc V; callvirt Task::get_IsCompletedSuccessfully; brtrue SYNC
 *         ldloc V; ldloc start; <task_done>; <task_cookie>
 *         call <nrp>TaskWatch::Watch; br END
 *   SYNC: ldloc V; <the plugin's exit code>
 *   END:
 *
 * ValueTask, ValueTask<T> (the code leaves the value the method returns):
 *         stloc V
 *         ldloca V; call VT::get_IsCompletedSuccessfully; brtrue SYNC
 *         ldloca V; call VT::AsTask; stloc T           // the Task behind it
 *         ldloc T; ldloc start; <task_done>; <task_cookie>
 *         call <nrp>TaskWatch::Watch
 *         ldloc T; newobj VT::.ctor(Task); br END
 *   SYNC: ldloc V; <the plugin's exit code>; ldloc V
 *   END:
 *
 * The completed-successfully test is the fast path: one property read and
 * a branch beyond the plugin's own exit code, no allocation.
 *
 * With a managed exit method instead (nrp_wrap.task_exit_method), every
 * normal return hands its task to <nrp>TaskExit`1 (managed_code below).
 */
#include "plugin/task_exit.h"

#include <string.h>

#include "il/il_edit.h"
#include "nrp/emit.h"
#include "nrp/il.h"
#include "nrp/opcodes.h"
#include "sig/sig.h"
#include "sig/sig_build.h"

/* The method's return type: its bytes, whether it is generic (Task<X>,
 * ValueTask<X>), and then the bytes of X. */
typedef struct task_type {
    nrp_sig_span whole;
    int generic;
    nrp_sig_span argument;
} task_type;

static nrp_result read_return(const nrp_method_info *m, task_type *out, nrp_err *err)
{
    int byref;
    uint32_t token, count;
    if (nrp_sig_method_param(m->signature, m->signature_len, -1, &out->whole, &byref, err) != NRP_OK)
        return NRP_ERROR;
    const uint8_t *p = out->whole.data, *end = p + out->whole.len;
    out->generic = p < end && *p == NRP_ELEMENT_GENERICINST;
    p += out->generic;
    if (p >= end || (*p != NRP_ELEMENT_CLASS && *p != NRP_ELEMENT_VALUETYPE))
        return nrp_err_set(err, "the method's return type is not a task");
    p++;
    if (nrp_sig_read_type_token(&p, end, &token) != NRP_OK ||
        (out->generic && (nrp_sig_read_compressed(&p, end, &count) != NRP_OK || count != 1)))
        return nrp_err_set(err, "the method's return type is not a task");
    out->argument = (nrp_sig_span){p, (size_t)(end - p)};
    return NRP_OK;
}

/* ldloc start; <task_done>; <task_cookie>; call Watch: the task is on the stack. */
static void emit_watch(nrp_emit_buf *b, const nrp_wrap *spec, uint32_t watch)
{
    NRP_EMIT(b, nrp_emit_ldloc(nrp_at, spec->task_start_local));
    NRP_EMIT(b, nrp_emit_pointer(nrp_at, (const void *)(uintptr_t)spec->task_done));
    NRP_EMIT(b, nrp_emit_pointer(nrp_at, spec->task_cookie));
    NRP_EMIT(b, nrp_emit_token(nrp_at, NRP_OP_CALL, watch));
}

static void emit_plugin_exit(nrp_emit_buf *b, const nrp_wrap *spec, uint32_t value)
{
    if (!spec->exit_len)
        return;
    NRP_EMIT(b, nrp_emit_ldloc(nrp_at, value));
    for (uint32_t i = 0; i < spec->exit_len; i++)
        NRP_EMIT(b, (*nrp_at = spec->exit_il[i], 1));
}

static nrp_result task_code(nrp_rewrite *rw, const nrp_wrap *spec, uint32_t watch, uint32_t value,
                            nrp_emit_buf *b, nrp_err *err)
{
    static const uint8_t bool_getter[] = {NRP_CALLCONV_HASTHIS, 0, NRP_ELEMENT_BOOLEAN};
    const nrp_module_md *md = rw->md;
    uint32_t task, succeeded;
    size_t null_task = 0, sync = 0, end = 0;
    if (md->type_ref(md->ctx, NULL, "System.Threading.Tasks.Task", &task, err) != NRP_OK ||
        md->member_ref(md->ctx, task, "get_IsCompletedSuccessfully", bool_getter, sizeof bool_getter, &succeeded,
                       err) != NRP_OK)
        return NRP_ERROR;
    NRP_EMIT(b, nrp_emit_stloc(nrp_at, value));
    NRP_EMIT(b, nrp_emit_ldloc(nrp_at, value));
    NRP_EMIT(b, nrp_emit_branch(nrp_at, NRP_OP_BRFALSE, b->len, &null_task));
    NRP_EMIT(b, nrp_emit_ldloc(nrp_at, value));
    NRP_EMIT(b, nrp_emit_token(nrp_at, NRP_OP_CALLVIRT, succeeded));
    NRP_EMIT(b, nrp_emit_branch(nrp_at, NRP_OP_BRTRUE, b->len, &sync));
    NRP_EMIT(b, nrp_emit_ldloc(nrp_at, value));
    emit_watch(b, spec, watch);
    NRP_EMIT(b, nrp_emit_branch(nrp_at, NRP_OP_BR, b->len, &end));
    nrp_emit_land(b, null_task);
    nrp_emit_land(b, sync);
    emit_plugin_exit(b, spec, value);
    nrp_emit_land(b, end);
    return NRP_OK;
}

/* A ValueTask's members: IsCompletedSuccessfully (when `succeeded` is
 * wanted), AsTask() and .ctor(Task), on ValueTask or on the return type's
 * ValueTask<X> (their signatures in terms of !0), and a new local for the
 * Task behind it. */
typedef struct value_task {
    uint32_t succeeded, as_task, ctor, task_local;
} value_task;

/* Task<X> (`argument` the bytes of X), or Task when argument is NULL. */
static void put_task(nrp_sig_blob *s, uint32_t task_class, const uint8_t *argument, size_t len)
{
    if (argument) {
        nrp_sig_blob_byte(s, NRP_ELEMENT_GENERICINST);
        nrp_sig_blob_type(s, NRP_ELEMENT_CLASS, task_class);
        nrp_sig_blob_byte(s, 1);
        nrp_sig_blob_bytes(s, argument, len);
    } else {
        nrp_sig_blob_type(s, NRP_ELEMENT_CLASS, task_class);
    }
}

static nrp_result value_task_members(nrp_rewrite *rw, const task_type *type, int succeeded, value_task *v,
                                     nrp_err *err)
{
    static const uint8_t bool_getter[] = {NRP_CALLCONV_HASTHIS, 0, NRP_ELEMENT_BOOLEAN};
    static const uint8_t var0[] = {NRP_ELEMENT_VAR, 0};
    const nrp_module_md *md = rw->md;
    uint32_t parent, task_class;
    nrp_sig_blob as_task, ctor, local;
    if (md->type_ref(md->ctx, NULL, type->generic ? "System.Threading.Tasks.Task`1" : "System.Threading.Tasks.Task",
                     &task_class, err) != NRP_OK ||
        (type->generic ? md->type_spec(md->ctx, type->whole.data, (uint32_t)type->whole.len, &parent, err)
                       : md->type_ref(md->ctx, NULL, "System.Threading.Tasks.ValueTask", &parent, err)) != NRP_OK)
        return NRP_ERROR;
    /* The members see Task<!0>; the local is Task<X>. */
    const uint8_t *member_arg = type->generic ? var0 : NULL;
    nrp_sig_blob_init(&as_task);
    nrp_sig_blob_bytes(&as_task, (const uint8_t[]){NRP_CALLCONV_HASTHIS, 0}, 2);
    put_task(&as_task, task_class, member_arg, sizeof var0);
    nrp_sig_blob_init(&ctor);
    nrp_sig_blob_bytes(&ctor, (const uint8_t[]){NRP_CALLCONV_HASTHIS, 1, NRP_ELEMENT_VOID}, 3);
    put_task(&ctor, task_class, member_arg, sizeof var0);
    nrp_sig_blob_init(&local);
    put_task(&local, task_class, type->generic ? type->argument.data : NULL, type->argument.len);
    nrp_result rc = NRP_ERROR;
    if (as_task.status != NRP_OK || ctor.status != NRP_OK || local.status != NRP_OK)
        nrp_err_set(err, "out of memory building a signature");
    else if ((!succeeded || md->member_ref(md->ctx, parent, "get_IsCompletedSuccessfully", bool_getter,
                                           sizeof bool_getter, &v->succeeded, err) == NRP_OK) &&
             md->member_ref(md->ctx, parent, "AsTask", as_task.data, (uint32_t)as_task.len, &v->as_task, err) ==
                 NRP_OK &&
             md->member_ref(md->ctx, parent, ".ctor", ctor.data, (uint32_t)ctor.len, &v->ctor, err) == NRP_OK &&
             nrp_il_edit_add_local(rw->il, local.data, local.len, &v->task_local, err) == NRP_OK)
        rc = NRP_OK;
    nrp_sig_blob_free(&as_task);
    nrp_sig_blob_free(&ctor);
    nrp_sig_blob_free(&local);
    return rc;
}

/* ldloca V; call AsTask; stloc T; ldloc T: the ValueTask in V as its Task. */
static void emit_as_task(nrp_emit_buf *b, const value_task *v, uint32_t value)
{
    NRP_EMIT(b, nrp_emit_ldloca(nrp_at, value));
    NRP_EMIT(b, nrp_emit_token(nrp_at, NRP_OP_CALL, v->as_task));
    NRP_EMIT(b, nrp_emit_stloc(nrp_at, v->task_local));
    NRP_EMIT(b, nrp_emit_ldloc(nrp_at, v->task_local));
}

/* ldloc T; newobj ValueTask(Task): the value returned. */
static void emit_over_task(nrp_emit_buf *b, const value_task *v)
{
    NRP_EMIT(b, nrp_emit_ldloc(nrp_at, v->task_local));
    NRP_EMIT(b, nrp_emit_token(nrp_at, NRP_OP_NEWOBJ, v->ctor));
}

static nrp_result value_task_code(nrp_rewrite *rw, const nrp_wrap *spec, const task_type *type, uint32_t watch,
                                  uint32_t value, nrp_emit_buf *b, nrp_err *err)
{
    value_task v;
    size_t sync = 0, end = 0;
    if (value_task_members(rw, type, 1, &v, err) != NRP_OK)
        return NRP_ERROR;
    NRP_EMIT(b, nrp_emit_stloc(nrp_at, value));
    NRP_EMIT(b, nrp_emit_ldloca(nrp_at, value));
    NRP_EMIT(b, nrp_emit_token(nrp_at, NRP_OP_CALL, v.succeeded));
    NRP_EMIT(b, nrp_emit_branch(nrp_at, NRP_OP_BRTRUE, b->len, &sync));
    emit_as_task(b, &v, value);
    emit_watch(b, spec, watch);
    emit_over_task(b, &v);
    NRP_EMIT(b, nrp_emit_branch(nrp_at, NRP_OP_BR, b->len, &end));
    nrp_emit_land(b, sync);
    emit_plugin_exit(b, spec, value);
    NRP_EMIT(b, nrp_emit_ldloc(nrp_at, value));
    nrp_emit_land(b, end);
    return NRP_OK;
}

/* The managed way (nrp_wrap.task_exit_method): every normal return hands
 * its task to <nrp>TaskExit`1<X>::Watch(task, state, &exit, result), X
 * being the result type (object for a task without one):
 *     Task(<T>):      ldloc state; ldftn exit; ldc.i4 result; call Watch
 *     ValueTask(<T>): stloc V; ldloca V; call AsTask; stloc T; ldloc T;
 *                     ldloc state; ldftn exit; ldc.i4 result; call Watch;
 *                     ldloc T; newobj ValueTask(Task) */
static nrp_result managed_code(nrp_rewrite *rw, const nrp_wrap *spec, const task_type *type, int value_kind,
                               uint32_t value, nrp_emit_buf *b, nrp_err *err)
{
    const nrp_module_md *md = rw->md;
    uint32_t exit_class, task, instance, watch;
    value_task v;
    nrp_sig_blob inst, sig;
    if (!md->task_exit)
        return nrp_err_set(err, "il_wrap: this module cannot wait for tasks");
    if (md->task_exit(md->ctx, &exit_class, err) != NRP_OK ||
        md->type_ref(md->ctx, NULL, "System.Threading.Tasks.Task", &task, err) != NRP_OK)
        return NRP_ERROR;
    /* <nrp>TaskExit`1<X>, X: the result type or object */
    nrp_sig_blob_init(&inst);
    nrp_sig_blob_byte(&inst, NRP_ELEMENT_GENERICINST);
    nrp_sig_blob_type(&inst, NRP_ELEMENT_CLASS, exit_class);
    nrp_sig_blob_byte(&inst, 1);
    if (type->generic)
        nrp_sig_blob_bytes(&inst, type->argument.data, type->argument.len);
    else
        nrp_sig_blob_byte(&inst, NRP_ELEMENT_OBJECT);
    /* void Watch(Task, object, nint, bool) */
    nrp_sig_blob_init(&sig);
    nrp_sig_blob_bytes(&sig, (const uint8_t[]){NRP_CALLCONV_DEFAULT, 4, NRP_ELEMENT_VOID}, 3);
    nrp_sig_blob_type(&sig, NRP_ELEMENT_CLASS, task);
    nrp_sig_blob_bytes(&sig, (const uint8_t[]){NRP_ELEMENT_OBJECT, NRP_ELEMENT_I, NRP_ELEMENT_BOOLEAN}, 3);
    nrp_result rc = NRP_ERROR;
    if (inst.status != NRP_OK || sig.status != NRP_OK)
        nrp_err_set(err, "out of memory building a signature");
    else if (md->type_spec(md->ctx, inst.data, (uint32_t)inst.len, &instance, err) == NRP_OK &&
             md->member_ref(md->ctx, instance, "Watch", sig.data, (uint32_t)sig.len, &watch, err) == NRP_OK &&
             (!value_kind || value_task_members(rw, type, 0, &v, err) == NRP_OK))
        rc = NRP_OK;
    nrp_sig_blob_free(&inst);
    nrp_sig_blob_free(&sig);
    if (rc != NRP_OK)
        return NRP_ERROR;
    if (value_kind) {
        NRP_EMIT(b, nrp_emit_stloc(nrp_at, value));
        emit_as_task(b, &v, value);
    }
    NRP_EMIT(b, nrp_emit_ldloc(nrp_at, spec->task_state_local));
    NRP_EMIT(b, nrp_emit_op(nrp_at, NRP_OP_LDFTN) + nrp_emit_u32(nrp_at + 2, spec->task_exit_method));
    NRP_EMIT(b, nrp_emit_i4(nrp_at, type->generic && spec->task_exit_result ? 1 : 0));
    NRP_EMIT(b, nrp_emit_token(nrp_at, NRP_OP_CALL, watch));
    if (value_kind)
        emit_over_task(b, &v);
    return NRP_OK;
}

nrp_result nrp_task_exit_build(nrp_rewrite *rw, const nrp_wrap *spec, nrp_emit_buf *out, int *keeps_value,
                               nrp_err *err)
{
    const nrp_method_info *m = &rw->method;
    uint32_t kind = m->flags & (NRP_METHOD_RETURNS_TASK | NRP_METHOD_RETURNS_VALUE_TASK);
    int managed = spec->task_exit_method != 0;
    task_type type;
    uint32_t watch, value;
    if (!kind)
        return nrp_err_set(err, "il_wrap: %s is set but the method returns no Task or ValueTask",
                           managed ? "task_exit_method" : "task_done");
    if (managed && spec->task_done)
        return nrp_err_set(err, "il_wrap: task_done and task_exit_method are set; one way to wait at most");
    if (!managed && spec->guard_type)
        return nrp_err_set(err, "il_wrap: task_done cannot be combined with guard_type");
    if (!managed && !rw->md->task_watch)
        return nrp_err_set(err, "il_wrap: this module cannot wait for tasks");
    if (read_return(m, &type, err) != NRP_OK ||
        nrp_il_edit_add_local(rw->il, type.whole.data, type.whole.len, &value, err) != NRP_OK)
        return NRP_ERROR;
    *keeps_value = kind == NRP_METHOD_RETURNS_VALUE_TASK;
    nrp_result rc;
    if (managed)
        rc = managed_code(rw, spec, &type, *keeps_value, value, out, err);
    else if (rw->md->task_watch(rw->md->ctx, &watch, err) != NRP_OK)
        rc = NRP_ERROR;
    else
        rc = *keeps_value ? value_task_code(rw, spec, &type, watch, value, out, err)
                          : task_code(rw, spec, watch, value, out, err);
    if (rc == NRP_OK && out->failed)
        rc = nrp_err_set(err, "il_wrap: out of memory building the code that waits for the task");
    return rc;
}
