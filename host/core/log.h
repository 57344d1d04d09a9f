/*
 * log.h - leveled log lines to NRP_LOG_FILE (default stderr).
 *
 * Each line is written with one write() so lines from concurrent runtime
 * threads never interleave.
 */
#ifndef NRP_CORE_LOG_H
#define NRP_CORE_LOG_H

#include <stdarg.h>

#include "nrp/plugin.h"

/* Read NRP_LOG_LEVEL and NRP_LOG_FILE ({pid} expands). Problems with either
 * are reported as a warning on the log that could be opened. */
void nrp_log_init_from_env(void);

/* Parse "error|warn|info|debug|trace"; NRP_ERROR if unknown. */
int nrp_log_parse_level(const char *text, nrp_log_level *out);

/* Apply settings from the configuration where the environment set nothing
 * (the environment wins). file may be NULL; "-" is stderr; {pid} expands. */
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
