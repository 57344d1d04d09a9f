/*
 * process.h - which process this is, for settings.processes: the
 * executable's name, or the main .dll's name (without ".dll") when the
 * dotnet muxer runs it, so `dotnet Shop.dll` and a `Shop` apphost are both
 * "Shop". SDK commands (`dotnet build`, MSBuild nodes, the compiler
 * server) are "dotnet", "MSBuild", "VBCSCompiler"...
 */
#ifndef NRP_UTIL_PROCESS_H
#define NRP_UTIL_PROCESS_H

#include <stddef.h>

#include "nrp/result.h"

/* Process name from a NUL-separated argument block (as /proc/self/cmdline
 * holds it) of len bytes. */
void nrp_process_name_from_args(const char *args, size_t len, char *out, size_t cap);

/* The full path of the app's main assembly: the .dll the muxer runs, else
 * the executable `exe` (an apphost). */
nrp_result nrp_process_main_path_from_args(const char *args, size_t len, const char *exe, char *out, size_t cap);
/* The same for this process. */
int nrp_process_main_path(char *out, size_t cap);

/* This process's name ("?" when /proc cannot be read). */
void nrp_process_name(char *out, size_t cap);

/* Names excluded whatever the configuration says: the SDK and its build
 * servers inherit CORECLR_* from a shell and must never pay for it. */
extern const char *const nrp_builtin_process_excludes[];

#endif
