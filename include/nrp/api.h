/*
 * nrp/api.h - the profiler's native API for the managed agent.
 *
 * libNewRelicProfiler.so exports these functions (cdecl, UTF-8). An agent
 * running in a process the profiler instruments reaches them through
 * NativeLibrary.Load(CORECLR_PROFILER_PATH) and NativeLibrary.GetExport, or
 * [DllImport] of that path. Each is safe from any thread, never throws,
 * and never blocks longer than the rewrites it asks the runtime for.
 * docs/API.md has examples.
 *
 * Version 1 is exactly these three calls; a later version adds, never
 * changes.
 */
#ifndef NRP_API_H
#define NRP_API_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version of this API the loaded profiler speaks: 1. */
int nrp_api_version(void);

/* Add the in-memory rules source `source` (a name such as
 * "agent-custom.yaml", which messages use as its file name), or replace
 * the one of that name, with the `len` bytes of YAML at `yaml`: a rules
 * file as instrumentation.d/ holds (version: 1, rules, no settings). It is
 * checked exactly as a file, together with the rules files and the other
 * sources, and applied as an edit of the files is (docs/CONFIG.md).
 *
 * Returns 0 when applied: the next call of every method newly selected,
 * already compiled or not, runs instrumented. 1 when invalid: nothing
 * changes, and err (errlen bytes, always NUL-terminated when errlen > 0)
 * holds the first problem as "SOURCE:LINE:COL: error: MESSAGE". 2 when the
 * profiler is not active in this process. */
int nrp_api_apply_rules(const char *source, const char *yaml, size_t len, char *err, size_t errlen);

/* Remove the source added as `source`: its rules' methods are reverted
 * (their next calls run their original code) when it returns 0. 1 when no
 * source has that name, 2 when the profiler is not active. */
int nrp_api_remove_rules(const char *source);

#ifdef __cplusplus
}
#endif

#endif
