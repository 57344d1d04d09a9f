/*
 * log.h - leveled log lines.
 *
 * In the profiler (after nrp_log_init_from_env) they go to NRP_LOG_FILE, else
 * settings.log_file, else NRP_LOG_DEFAULT_FILE, opened at the first line:
 * never to the app's stdout or stderr unless the file is "-". Elsewhere (the
 * CLI, tests) they go to stderr. Warnings and errors are also appended to
 * NRP_LOG_ECHO_FILE when set (nrprof run repeats them), unless the log is
 * stderr already.
 *
 * Each line is written with one write() so lines from concurrent runtime
 * threads never interleave.
 */
#ifndef NRP_UTIL_LOG_H
#define NRP_UTIL_LOG_H

#include <stdarg.h>

#include "nrp/log.h"
#include "nrp/result.h"

/* The profiler's log when neither NRP_LOG_FILE nor settings.log_file names
 * one; {pid} expands. Beside the default metrics file. */
#define NRP_LOG_DEFAULT_FILE "/tmp/nrprof-{pid}.log"

/* Read NRP_LOG_LEVEL, NRP_LOG_FILE ({pid} expands) and NRP_LOG_ECHO_FILE.
 * A file that cannot be opened is reported as a warning in the log that
 * is used instead (the one in use, else the default). */
void nrp_log_init_from_env(void);

/* Parse "error|warn|info|debug|trace"; NRP_ERROR if unknown. */
nrp_result nrp_log_parse_level(const char *text, nrp_log_level *out);

/* Apply settings from the configuration where the environment set nothing
 * (the environment wins). file may be NULL; "-" is stderr; {pid} expands;
 * one that cannot be opened leaves the log where it is, saying so. */
void nrp_log_apply_settings(int has_level, nrp_log_level level, const char *file);

int nrp_log_enabled(nrp_log_level level);

/* tag is NULL for the host's own lines, else a plugin's name. */
void nrp_logv(nrp_log_level level, const char *tag, const char *fmt, va_list ap);
void nrp_log(nrp_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define NRP_LOG_ERR(...) nrp_log(NRP_LOG_ERROR, __VA_ARGS__)
#define NRP_LOG_WRN(...) nrp_log(NRP_LOG_WARN, __VA_ARGS__)
#define NRP_LOG_INF(...) nrp_log(NRP_LOG_INFO, __VA_ARGS__)
#define NRP_LOG_DBG(...) do { if (nrp_log_enabled(NRP_LOG_DEBUG)) nrp_log(NRP_LOG_DEBUG, __VA_ARGS__); } while (0)

#endif
