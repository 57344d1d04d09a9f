/*
 * task_watch.h - the managed code that waits for a task on behalf of
 * native code, emitted into the module that needs it (no assembly is
 * added to the app). Once per loaded module, the first rewrite that waits
 * for a task (nrp_wrap.task_done) defines
 *
 *     static class <nrp>TaskWatch            (not public, in the module)
 *         static Action<Task, object> done;  (made once, then reused)
 *         static void Watch(Task t, long start, nint fn, nint cookie)
 *             if t.IsCompleted: fn(cookie, start, Status(t))
 *             else t.ContinueWith(done ??= Done, Tuple.Create(start, fn, cookie),
 *                                 CancellationToken.None, ExecuteSynchronously,
 *                                 TaskScheduler.Default)
 *         static void Done(Task t, object state)     fn(cookie, start, Status(t))
 *         static int Status(Task t)                  NRP_TASK_*
 *
 * where fn is called by calli as unmanaged void(nint, long, int) without a
 * GC transition (task_done must not block or call the runtime). Why
 * ContinueWith with ExecuteSynchronously on the default scheduler: it is
 * the one kind of continuation that a task runs inline without pushing the
 * app's own await continuation to the thread pool (a continuation
 * registered through an awaiter or as an Action would), and it reads only
 * IsFaulted and IsCanceled, so no exception is observed.
 *
 * For a managed exit method (nrp_wrap.task_exit_method), the first such
 * rewrite defines the generic
 *
 *     static class <nrp>TaskExit`1<T>     (T: the task's result type, or object)
 *         static Action<Task, object> done;
 *         static void Watch(Task t, object state, nint exit, bool result)
 *             t null: exit(state, null, null)
 *             t.IsCompleted: Finish(t, state, exit, result)
 *             else t.ContinueWith(done ??= Done, Tuple.Create(state, exit, result), ...as above)
 *         static void Done(Task t, object s)      Finish(t, the tuple's items)
 *         static void Finish(Task t, object state, nint exit, bool result)
 *             exit(state, result ? (object)((Task<T>)t).Result : null, or null when not
 *                  completed successfully, t.Exception.InnerException if faulted,
 *                  new TaskCanceledException(t) if canceled)
 *
 * exit being reached by calli (managed, default convention) from its
 * ldftn in the instrumented method. Watch and Finish catch whatever is
 * thrown, the exit method's exceptions included: nothing reaches the app.
 */
#ifndef NRP_REJIT_TASK_WATCH_H
#define NRP_REJIT_TASK_WATCH_H

#include <stdint.h>

#include "nrp/result.h"
#include "rejit/module_env.h"
#include "util/err.h"

/* The MethodDef of Watch in env's module, defining the class the first
 * time (its metadata applied at once, its bodies set). A failure is
 * remembered: later rewrites of the module fail at once rather than define
 * the class twice. */
nrp_result nrp_task_watch_method(nrp_module_env *env, uint32_t *watch, nrp_err *err);

/* The TypeDef of <nrp>TaskExit`1 in env's module, defined the first time
 * likewise. Its Watch is called through <nrp>TaskExit`1<X>. */
nrp_result nrp_task_exit_class(nrp_module_env *env, uint32_t *type, nrp_err *err);

#endif
