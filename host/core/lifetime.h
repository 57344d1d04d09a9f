/*
 * lifetime.h - the profiling session: start-up, the runtime callbacks it
 * forwards to matching (rejit/scan.c) and rewriting (rejit/rewrite.c), and
 * the end (Shutdown, a terminating signal, exit).
 *
 * The COM glue (core/callback.c) only forwards here. Nothing in this layer
 * may take the app down: every failure is logged and leaves the method, or
 * the whole process, uninstrumented.
 */
#ifndef NRP_CORE_LIFETIME_H
#define NRP_CORE_LIFETIME_H

#include <stddef.h>

#include "clr/com.h"

/* Decide from IClassFactory::CreateInstance whether to profile this
 * process at all: S_OK, or CORPROF_E_PROFILER_CANCEL_ACTIVATION for an
 * excluded process. Reads the configuration; idempotent. */
HRESULT nrp_profiler_prepare(void);

/* Set up from ICorProfilerCallback::Initialize. Returns S_OK, or
 * CORPROF_E_PROFILER_CANCEL_ACTIVATION to leave the process alone. */
HRESULT nrp_profiler_initialize(nrp_com_object *runtime_info);

/* The same from ICorProfilerCallback3::InitializeForAttach, when `nrprof
 * attach` loaded the profiler into a running process: data (size bytes,
 * freed after the call) may name the rules file; the modules loaded
 * before are matched once the session is ready. */
HRESULT nrp_profiler_initialize_for_attach(nrp_com_object *runtime_info, const void *data, ULONG size);

void nrp_profiler_module_load_finished(ModuleID module, HRESULT status);

/* Forget what was known of a module that is going away: its ModuleID may
 * be given to a module loaded later. */
void nrp_profiler_module_unload_started(ModuleID module);

/* A method is about to be compiled: a collectible module's matched method
 * gets its new body here (ReJIT never reaches such code). */
void nrp_profiler_jit_compilation_started(FunctionID function);

/* Build the rewritten IL for one method and hand it to control. */
HRESULT nrp_profiler_get_rejit_parameters(ModuleID module, mdToken method, nrp_com_object *control);

void nrp_profiler_rejit_error(ModuleID module, mdToken method, HRESULT status);

void nrp_profiler_shutdown(void);

/* include/nrp/api.h's calls (core/api.c): add or replace the in-memory
 * rules source `name`, or remove it, and apply the result as a reload of
 * the files does, on the calling thread. 0 applied; 1 refused (err: the
 * first problem, as FILE:LINE:COL: error: MESSAGE) or, for a removal, an
 * unknown source; 2 no profiling session is active in this process. */
int nrp_profiler_set_source(const char *name, const char *yaml, size_t len, char *err, size_t errlen);
int nrp_profiler_remove_source(const char *name);

#endif
