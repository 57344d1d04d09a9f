/* The log: levels from NRP_LOG_LEVEL, file from NRP_LOG_FILE ({pid}
 * expands), one whole line per call. The logger is process-wide, so the
 * steps run in order in one test. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/log.h"

static char *slurp(const char *path)
{
    static char buf[8192];
    FILE *f = fopen(path, "r");
    size_t n = 0;
    if (f) {
        n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
    }
    buf[n] = '\0';
    return buf;
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static void parses_levels(void **state)
{
    (void)state;
    nrp_log_level l;
    assert_int_equal(nrp_log_parse_level("error", &l), NRP_OK);
    assert_int_equal(l, NRP_LOG_ERROR);
    assert_int_equal(nrp_log_parse_level("WARN", &l), NRP_OK);
    assert_int_equal(l, NRP_LOG_WARN);
    assert_int_equal(nrp_log_parse_level("trace", &l), NRP_OK);
    assert_int_equal(l, NRP_LOG_TRACE);
    assert_int_equal(nrp_log_parse_level("verbose", &l), NRP_ERROR);
    assert_int_equal(nrp_log_parse_level("", &l), NRP_ERROR);
}

static void default_path(char *out, size_t cap, long pid)
{
    snprintf(out, cap, "/tmp/nrprof-%ld.log", pid);
}

/* Before nrp_log_init_from_env (the CLI, tests) lines go to stderr; after
 * it (the profiler in an app), to /tmp/nrprof-{pid}.log, created only when
 * a first line is written; warnings and errors are repeated in
 * NRP_LOG_ECHO_FILE. Runs first: the first init is what changes the
 * destination. */
static void quiet_in_the_app_by_default(void **state)
{
    (void)state;
    char dir[] = "/tmp/nrp-log-XXXXXX", err_path[256], echo_path[256], log_path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(err_path, sizeof err_path, "%s/stderr.txt", dir);
    snprintf(echo_path, sizeof echo_path, "%s/echo.txt", dir);
    default_path(log_path, sizeof log_path, (long)getpid());
    unlink(log_path);
    unsetenv("NRP_LOG_FILE");
    unsetenv("NRP_LOG_LEVEL");
    unsetenv("NRP_LOG_ECHO_FILE");

    /* A link planted at the default name is not followed: the lines are
     * dropped. In a child, before this process's first init. */
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        char target[300], link_path[64];
        snprintf(target, sizeof target, "%s/target", dir);
        default_path(link_path, sizeof link_path, (long)getpid());
        if (symlink(target, link_path) != 0)
            _exit(2);
        nrp_log_init_from_env();
        nrp_log(NRP_LOG_ERROR, "through the link");
        int followed = access(target, F_OK) == 0;
        unlink(link_path);
        _exit(followed ? 1 : 0);
    }
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    int saved_stderr = dup(2), err_fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(saved_stderr >= 0 && err_fd >= 0);
    assert_int_equal(dup2(err_fd, 2), 2);

    nrp_log(NRP_LOG_ERROR, "before init");
    nrp_log_init_from_env();
    NRP_LOG_DBG("below the level");
    assert_int_equal(access(log_path, F_OK), -1); /* nothing written: no file */
    nrp_log(NRP_LOG_INFO, "first line");
    assert_int_equal(access(log_path, F_OK), 0);

    /* The echo file (made by nrprof run) gets warnings and errors only. */
    close(open(echo_path, O_WRONLY | O_CREAT | O_TRUNC, 0600));
    setenv("NRP_LOG_ECHO_FILE", echo_path, 1);
    nrp_log_init_from_env();
    nrp_log(NRP_LOG_INFO, "not echoed");
    nrp_log(NRP_LOG_WARN, "echoed %d", 1);
    nrp_log(NRP_LOG_ERROR, "echoed %d", 2);
    unsetenv("NRP_LOG_ECHO_FILE");
    nrp_log_init_from_env();
    nrp_log(NRP_LOG_WARN, "after the echo file is unset");

    dup2(saved_stderr, 2);
    close(saved_stderr);
    close(err_fd);
    const char *text = slurp(err_path);
    assert_int_equal(count_lines(text), 1);
    assert_non_null(strstr(text, " error before init\n"));
    text = slurp(log_path);
    assert_int_equal(count_lines(text), 5);
    assert_null(strstr(text, "below the level"));
    assert_non_null(strstr(text, " info  first line\n"));
    text = slurp(echo_path);
    assert_int_equal(count_lines(text), 2);
    assert_non_null(strstr(text, " warn  echoed 1\n"));
    assert_non_null(strstr(text, " error echoed 2\n"));

    unlink(log_path);
    unlink(err_path);
    unlink(echo_path);
    rmdir(dir);
}

static void writes_to_file_at_level(void **state)
{
    (void)state;
    char dir[] = "/tmp/nrp-log-XXXXXX", tmpl[256], path[256];
    assert_non_null(mkdtemp(dir));
    snprintf(tmpl, sizeof tmpl, "%s/log-{pid}.txt", dir);
    snprintf(path, sizeof path, "%s/log-%ld.txt", dir, (long)getpid());

    /* An unknown level is reported and info is used. */
    setenv("NRP_LOG_FILE", tmpl, 1);
    setenv("NRP_LOG_LEVEL", "loud", 1);
    nrp_log_init_from_env();
    const char *text = slurp(path);
    assert_int_equal(count_lines(text), 1);
    assert_non_null(strstr(text, " warn  NRP_LOG_LEVEL='loud' is not one of error|warn|info|debug|trace; using info\n"));
    assert_true(nrp_log_enabled(NRP_LOG_INFO));
    assert_false(nrp_log_enabled(NRP_LOG_DEBUG));

    /* Level warn: info and debug are dropped. */
    setenv("NRP_LOG_LEVEL", "warn", 1);
    nrp_log_init_from_env();
    nrp_log(NRP_LOG_INFO, "dropped %d", 1);
    NRP_LOG_DBG("dropped %d", 2);
    nrp_log(NRP_LOG_ERROR, "kept %s", "error");
    text = slurp(path);
    assert_int_equal(count_lines(text), 2);
    assert_null(strstr(text, "dropped"));

    /* Exact line shape: ISO time, pid, level, message. */
    regex_t re;
    char want[128];
    snprintf(want, sizeof want,
             "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z nrprof\\[%ld\\] error kept error$",
             (long)getpid());
    assert_int_equal(regcomp(&re, want, REG_EXTENDED | REG_NEWLINE), 0);
    assert_int_equal(regexec(&re, text, 0, NULL, 0), 0);
    regfree(&re);

    /* A line longer than the buffer is cut but keeps its newline. */
    char big[5000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    nrp_log(NRP_LOG_ERROR, "%s", big);
    text = slurp(path);
    assert_int_equal(count_lines(text), 3);
    assert_int_equal(text[strlen(text) - 1], '\n');

    /* Text with line breaks in it (a YAML key, a method name) stays on
     * its line, escaped. */
    nrp_log(NRP_LOG_ERROR, "unknown key '%s'", "a\nb\tc");
    text = slurp(path);
    assert_int_equal(count_lines(text), 4);
    assert_non_null(strstr(text, " error unknown key 'a\\nb\\tc'\n"));


    /* A FIFO nobody reads: opening it fails at once instead of waiting for
     * a reader, and the log stays where it was, saying so. */
    char fifo[300], warning[1024];
    snprintf(fifo, sizeof fifo, "%s/fifo.log", dir);
    assert_int_equal(mkfifo(fifo, 0644), 0);
    setenv("NRP_LOG_FILE", fifo, 1);
    nrp_log_init_from_env();
    text = slurp(path);
    assert_int_equal(count_lines(text), 5);
    snprintf(warning, sizeof warning, " warn  cannot open NRP_LOG_FILE '%s': No such device or address; logging to %s\n",
             fifo, path);
    assert_non_null(strstr(text, warning));
    unlink(fifo);
    unsetenv("NRP_LOG_FILE");
    unsetenv("NRP_LOG_LEVEL");

    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_levels),
        cmocka_unit_test(quiet_in_the_app_by_default),
        cmocka_unit_test(writes_to_file_at_level),
    };
    return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
