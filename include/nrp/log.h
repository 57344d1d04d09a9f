/*
 * nrp/log.h - log levels, shared by the host's log and the log service
 * plugins receive (nrp_host_api.log).
 *
 * This header is C11 and can be included from C++.
 */
#ifndef NRP_LOG_H
#define NRP_LOG_H

#ifdef __cplusplus
extern "C" {
#endif

/* Log levels, most severe first. */
typedef enum nrp_log_level {
    NRP_LOG_ERROR = 0,
    NRP_LOG_WARN = 1,
    NRP_LOG_INFO = 2,
    NRP_LOG_DEBUG = 3,
    NRP_LOG_TRACE = 4
} nrp_log_level;

#ifdef __cplusplus
}
#endif

#endif
