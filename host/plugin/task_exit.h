/*
 * task_exit.h - the exit code il_wrap runs for a plugin that waits for the
 * method's task (nrp_wrap.task_done): the plugin's own exit code when the
 * task has completed successfully by the return, else a call that hands
 * the task to the module's <nrp>TaskWatch (rejit/task_watch.h).
 */
#ifndef NRP_PLUGIN_TASK_EXIT_H
#define NRP_PLUGIN_TASK_EXIT_H

#include "nrp/emit.h"
#include "plugin/rewrite.h"

/* Write the exit code into out (the plugin's exit_il inside it) and say
 * whether it leaves the value the method returns (for a ValueTask, which
 * may come back over the Task behind it). Adds locals to rw->il. */
nrp_result nrp_task_exit_build(nrp_rewrite *rw, const nrp_wrap *spec, nrp_emit_buf *out, int *keeps_value,
                               nrp_err *err);

#endif
