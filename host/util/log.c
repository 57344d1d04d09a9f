#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/escape.h"
#include "util/path.h"

/* Where lines go: a descriptor, or one of these states. The host's tools
 * and tests log to stderr; the profiler, from nrp_log_init_from_env() on,
 * logs to a file and opens the default one only when it has a first line
 * to write, so a process that logs nothing (one the settings leave out)
 * leaves no file behind. */
enum { LOG_DEFAULT_UNOPENED = -1, LOG_NOWHERE = -2 };

static int log_fd = 2;
static int echo_fd = -1; /* NRP_LOG_ECHO_FILE: warnings and errors again */
static nrp_log_level log_level = NRP_LOG_INFO;
static char log_where[4096] = "stderr"; /* for messages about a change of file */

static const char *const level_names[] = {"error", "warn", "info", "debug", "trace"};

nrp_result nrp_log_parse_level(const char *text, nrp_log_level *out)
{
    for (int i = 0; i <= NRP_LOG_TRACE; i++) {
        if (strcasecmp(text, level_names[i]) == 0) {
            *out = (nrp_log_level)i;
            return NRP_OK;
        }
    }
    return NRP_ERROR;
}

static void use_fd(int fd, const char *where)
{
    int old = __atomic_exchange_n(&log_fd, fd, __ATOMIC_ACQ_REL);
    if (old > 2)
        close(old);
    snprintf(log_where, sizeof log_where, "%s", where);
}

/* Opens the default file. In a folder anyone may write to, a name chosen in
 * advance could be a link or a file another user planted: it is opened
 * only if it is a regular file of ours, reached without a link. */
static int open_default(void)
{
    char path[64];
    struct stat st;
    if (nrp_path_expand_pid(NRP_LOG_DEFAULT_FILE, path, sizeof path) != NRP_OK)
        return LOG_NOWHERE;
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW, 0644);
    if (fd < 0)
        return LOG_NOWHERE;
    if (nrp_path_fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
        close(fd);
        return LOG_NOWHERE;
    }
    return fd;
}

/* The descriptor to write to, opening the default file on first use. Two
 * threads may race to open it: one wins, the other closes its own. */
static int current_fd(void)
{
    int fd = __atomic_load_n(&log_fd, __ATOMIC_ACQUIRE);
    if (fd != LOG_DEFAULT_UNOPENED)
        return fd;
    int mine = open_default(), expected = LOG_DEFAULT_UNOPENED;
    if (__atomic_compare_exchange_n(&log_fd, &expected, mine, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return mine;
    if (mine >= 0)
        close(mine);
    return expected;
}

/* Switches to file ("-" is stderr; {pid} expands). Returns 0, or the errno
 * of the failed open, the log then staying where it was. */
static int open_log_file(const char *file)
{
    char path[4096];
    if (strcmp(file, "-") == 0) {
        use_fd(2, "stderr");
        return 0;
    }
    if (nrp_path_expand_pid(file, path, sizeof path) != NRP_OK)
        return ENAMETOOLONG;
    /* Non-blocking: a FIFO with no reader fails at once instead of holding
     * the app's start, and a full one drops lines. */
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NONBLOCK, 0644);
    if (fd < 0)
        return errno;
    use_fd(fd, path);
    return 0;
}

/* Where the log is now, for a warning that it did not move. */
static const char *current_place(char *buf, size_t cap)
{
    if (__atomic_load_n(&log_fd, __ATOMIC_ACQUIRE) == LOG_DEFAULT_UNOPENED &&
        nrp_path_expand_pid(NRP_LOG_DEFAULT_FILE, buf, cap) == NRP_OK)
        return buf;
    return log_where;
}

static void report_unopened(const char *what, const char *file, int err)
{
    char place[64];
    nrp_log(NRP_LOG_WARN, "cannot open %s '%s': %s; logging to %s", what, file, strerror(err),
            current_place(place, sizeof place));
}

void nrp_log_init_from_env(void)
{
    const char *level = getenv("NRP_LOG_LEVEL"), *file = getenv("NRP_LOG_FILE"), *echo = getenv("NRP_LOG_ECHO_FILE");
    int bad_level = level && *level && nrp_log_parse_level(level, &log_level) != NRP_OK;
    static int started;
    int err = 0;

    if (!started) { /* in an app: never its stderr unless asked */
        started = 1;
        __atomic_store_n(&log_fd, LOG_DEFAULT_UNOPENED, __ATOMIC_RELEASE);
    }
    if (file && *file)
        err = open_log_file(file);
    if (echo_fd >= 0)
        close(echo_fd);
    /* nrprof run made the file; one that is gone or is a link is ignored. */
    echo_fd = echo && *echo ? open(echo, O_WRONLY | O_APPEND | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW) : -1;
    if (bad_level)
        nrp_log(NRP_LOG_WARN, "NRP_LOG_LEVEL='%s' is not one of error|warn|info|debug|trace; using info",
                level);
    if (err)
        report_unopened("NRP_LOG_FILE", file, err);
}

void nrp_log_apply_settings(int has_level, nrp_log_level level, const char *file)
{
    const char *env_level = getenv("NRP_LOG_LEVEL"), *env_file = getenv("NRP_LOG_FILE");
    if (has_level && !(env_level && *env_level))
        log_level = level;
    if (file && *file && !(env_file && *env_file)) {
        int err = open_log_file(file);
        if (err)
            report_unopened("settings.log_file", file, err);
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
    /* Nowhere is left to report a failing write: the results are ignored. */
    ssize_t w = 0;
    int fd = current_fd();
    if (fd >= 0)
        w = write(fd, line, n);
    if (level <= NRP_LOG_WARN && echo_fd >= 0 && fd != 2)
        w = write(echo_fd, line, n);
    (void)w;
}

void nrp_log(nrp_log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    nrp_logv(level, NULL, fmt, ap);
    va_end(ap);
}
