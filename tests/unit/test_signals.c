/*
 * test_signals.c - SIGTERM and SIGINT run the final callback once, on the
 * signal thread, and then go on to the action installed before ours: the
 * default (the process dies by the signal), a handler (called with its
 * siginfo), or nothing when the signal is ignored. The wait is bounded.
 * Each case runs in a child process: dispositions are process-wide.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/signals.h"
#include "nrp/plugin.h"

static int report_fd = -1;      /* child -> parent: one byte per event */
static int final_sleeps_s;

static void report(char what)
{
    (void)!write(report_fd, &what, 1);
}

static void final_callback(int signo)
{
    if (final_sleeps_s)
        sleep((unsigned)final_sleeps_s);
    report(signo == SIGTERM ? 'T' : signo == SIGINT ? 'I' : '?');
}

static void previous_handler(int signo, siginfo_t *info, void *context)
{
    (void)context;
    report(signo == SIGINT && info && info->si_signo == SIGINT && info->si_pid == getpid() ? 'p' : 'x');
}

static void previous_exits(int signo, siginfo_t *info, void *context)
{
    (void)signo;
    (void)info;
    (void)context;
    report('e');
    _exit(42);
}

typedef void (*child_fn)(void);

/* Run fn in a child; return its wait status, what it reported, and how long it took. */
static int run_child(child_fn fn, char *events, size_t cap, double *seconds)
{
    int fds[2], status;
    struct timespec t0, t1;
    size_t n = 0;
    ssize_t r;
    assert_int_equal(pipe(fds), 0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        report_fd = fds[1];
        fn();
        _exit(0);
    }
    close(fds[1]);
    while (n + 1 < cap && (r = read(fds[0], events + n, cap - 1 - n)) > 0)
        n += (size_t)r;
    events[n] = '\0';
    close(fds[0]);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (seconds)
        *seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    return status;
}

static void start(void)
{
    nrp_err err;
    if (nrp_signals_start(final_callback, &err) != NRP_OK)
        _exit(3);
}

static void child_default(void)
{
    start();
    kill(getpid(), SIGTERM);
    for (;;)
        pause();
}

static void default_action_ends_the_process_by_the_signal(void **state)
{
    (void)state;
    char events[16];
    int status = run_child(child_default, events, sizeof events, NULL);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGTERM);
    assert_string_equal(events, "T");
}

static void child_previous_handler(void)
{
    struct sigaction sa, now;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = previous_handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR1);
    sigaction(SIGINT, &sa, NULL);
    start();
    /* ours keeps the previous handler's flags and mask */
    sigaction(SIGINT, NULL, &now);
    if (!(now.sa_flags & SA_ONSTACK) || !(now.sa_flags & SA_RESTART) || !sigismember(&now.sa_mask, SIGUSR1))
        report('f');
    /* twice: the final callback runs once, the previous handler each time */
    kill(getpid(), SIGINT);
    kill(getpid(), SIGINT);
    _exit(7);
}

static void previous_handler_is_called_with_its_siginfo(void **state)
{
    (void)state;
    char events[16];
    int status = run_child(child_previous_handler, events, sizeof events, NULL);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 7);
    assert_string_equal(events, "Ipp");
}

static void child_ignored(void)
{
    struct sigaction now;
    signal(SIGTERM, SIG_IGN);
    start();
    kill(getpid(), SIGTERM);
    sigaction(SIGTERM, NULL, &now);
    _exit(!(now.sa_flags & SA_SIGINFO) && now.sa_handler == SIG_IGN ? 5 : 6);
}

static void ignored_signal_stays_ignored(void **state)
{
    (void)state;
    char events[16];
    int status = run_child(child_ignored, events, sizeof events, NULL);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 5);
    assert_string_equal(events, "");
}

static void *send_sigterm(void *unused)
{
    (void)unused;
    kill(getpid(), SIGTERM);
    return NULL;
}

static void child_slow_final_other_thread(void)
{
    struct sigaction sa;
    pthread_t t;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = previous_exits;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    final_sleeps_s = 10;
    start();
    pthread_create(&t, NULL, send_sigterm, NULL);
    for (;;)
        pause();
}

static void wait_is_bounded(void **state)
{
    (void)state;
    char events[16];
    double seconds;
    int status = run_child(child_slow_final_other_thread, events, sizeof events, &seconds);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 42);
    /* the handler gave up after NRP_SIGNALS_WAIT_MS and chained; the final never reported */
    assert_string_equal(events, "e");
    assert_true(seconds >= NRP_SIGNALS_WAIT_MS / 1000.0 - 0.1);
    assert_true(seconds < NRP_SIGNALS_WAIT_MS / 1000.0 + 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(default_action_ends_the_process_by_the_signal),
        cmocka_unit_test(previous_handler_is_called_with_its_siginfo),
        cmocka_unit_test(ignored_signal_stays_ignored),
        cmocka_unit_test(wait_is_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
