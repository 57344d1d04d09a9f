#include "core/log.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "util/escape.h"
#include "util/path.h"

static int log_fd = 2;
static nrp_log_level log_level = NRP_LOG_INFO;

static const char *const level_names[] = {"error", "warn", "info", "debug", "trace"};

int nrp_log_parse_level(const char *text, nrp_log_level *out)
{
    for (int i = 0; i <= NRP_LOG_TRACE; i++) {
        if (strcasecmp(text, level_names[i]) == 0) {
            *out = (nrp_log_level)i;
            return NRP_OK;
        }
    }
    return NRP_ERROR;
}

static const char *open_log_file(const char *file)
{
    if (file && *file && strcmp(file, "-") != 0) {
        char path[4096];
        int fd = -1;
        if (nrp_path_expand_pid(file, path, sizeof path) == NRP_OK)
            /* Non-blocking: a FIFO with no reader fails at once instead of
             * holding the app's start, and a full one drops lines. */
            fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NONBLOCK, 0644);
        if (fd < 0)
            return file;
        if (log_fd > 2)
            close(log_fd);
        log_fd = fd;
    }
    return NULL;
}

void nrp_log_init_from_env(void)
{
    const char *level = getenv("NRP_LOG_LEVEL");
    int bad_level = level && *level && nrp_log_parse_level(level, &log_level) != NRP_OK;
    const char *file_problem = open_log_file(getenv("NRP_LOG_FILE"));
    if (bad_level)
        nrp_log(NRP_LOG_WARN, "NRP_LOG_LEVEL='%s' is not one of error|warn|info|debug|trace; using info",
                level);
    if (file_problem)
        nrp_log(NRP_LOG_WARN, "cannot open NRP_LOG_FILE='%s'; logging to stderr", file_problem);
}

void nrp_log_apply_settings(int has_level, nrp_log_level level, const char *file)
{
    const char *env_level = getenv("NRP_LOG_LEVEL"), *env_file = getenv("NRP_LOG_FILE");
    if (has_level && !(env_level && *env_level))
        log_level = level;
    if (file && !(env_file && *env_file)) {
        const char *problem = open_log_file(file);
        if (problem)
            nrp_log(NRP_LOG_WARN, "cannot open settings.log_file '%s'; logging to stderr", problem);
    }
}

int nrp_log_enabled(nrp_log_level level)
{
    return level <= log_level;
}

void nrp_logv(nrp_log_level level, const char *tag, const char *fmt, va_list ap)
{
    char line[2048];
    struct timespec ts;
    struct tm tm;
    size_t n;

    if (!nrp_log_enabled(level))
        return;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    n = (size_t)snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ nrprof[%ld] %-5s %s%s%s",
                         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                         ts.tv_nsec / 1000000, (long)getpid(), level_names[level], tag ? "[" : "",
                         tag ? tag : "", tag ? "] " : "");
    if (n < sizeof line) {
        /* One message, one line, whatever the text it quotes holds. */
        char msg[sizeof line];
        int m = vsnprintf(msg, sizeof msg, fmt, ap);
        size_t len = m < 0 ? 0 : (size_t)m < sizeof msg ? (size_t)m : sizeof msg - 1;
        n += nrp_escape_controls(line + n, sizeof line - n, msg, len);
    }
    if (n > sizeof line - 2)
        n = sizeof line - 2; /* truncated: keep the newline */
    line[n++] = '\n';
    ssize_t w = write(log_fd, line, n);
    (void)w; /* nowhere left to report a failing log */
}

void nrp_log(nrp_log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    nrp_logv(level, NULL, fmt, ap);
    va_end(ap);
}
