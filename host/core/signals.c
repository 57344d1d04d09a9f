#include "core/signals.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"
#include "util/thread.h"

static const int SIGNALS[] = {SIGTERM, SIGINT};
#define SIGNAL_COUNT (sizeof SIGNALS / sizeof SIGNALS[0])

static struct {
    nrp_signals_final_fn final;
    int wake[2];                /* handler -> thread: the signal number, one byte */
    int ack[2];                 /* thread -> handler: the final export is done */
    pid_t pid;                  /* a forked child shares the pipes: it must not wake our thread */
    int fired;                  /* the first terminating signal wakes the thread, later ones do not */
    struct sigaction previous[SIGNAL_COUNT];
} G = {.wake = {-1, -1}, .ack = {-1, -1}};

const char *nrp_signals_name(int signo)
{
    switch (signo) {
    case SIGTERM:
        return "SIGTERM";
    case SIGINT:
        return "SIGINT";
    default:
        return "signal";
    }
}

static sigset_t our_signals(void)
{
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < SIGNAL_COUNT; i++)
        sigaddset(&set, SIGNALS[i]);
    return set;
}

void nrp_signals_block_here(void)
{
    sigset_t set = our_signals();
    pthread_sigmask(SIG_BLOCK, &set, NULL);
}

static int is_default(const struct sigaction *sa)
{
    return !(sa->sa_flags & SA_SIGINFO) && sa->sa_handler == SIG_DFL;
}

static int is_ignored(const struct sigaction *sa)
{
    return !(sa->sa_flags & SA_SIGINFO) && sa->sa_handler == SIG_IGN;
}

static long ms_until(const struct timespec *deadline)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)(deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

/* Async-signal-safe only: write, poll, read, clock_gettime. */
static void wait_for_final(int signo)
{
    unsigned char byte = (unsigned char)signo;
    struct timespec deadline;
    ssize_t n;

    while ((n = write(G.wake[1], &byte, 1)) < 0 && errno == EINTR) {
    }
    if (n != 1)
        return;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += NRP_SIGNALS_WAIT_MS / 1000;
    deadline.tv_nsec += (NRP_SIGNALS_WAIT_MS % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    for (;;) {
        long left = ms_until(&deadline);
        struct pollfd p = {.fd = G.ack[0], .events = POLLIN};
        if (left <= 0)
            return;
        int r = poll(&p, 1, (int)left);
        if (r > 0) {
            while (read(G.ack[0], &byte, 1) < 0 && errno == EINTR) {
            }
            return;
        }
        if (r == 0 || errno != EINTR)
            return;
    }
}

/* Hand the signal on as if ours had never been installed. */
static void chain(int signo, const struct sigaction *prev, siginfo_t *info, void *context)
{
    if (is_ignored(prev))
        return;
    if (is_default(prev)) {
        /* The default action of SIGTERM and SIGINT ends the process by the
         * signal (status 143 or 130 to a shell). Put it back and raise the
         * signal again: it stays pending while this handler runs (the signal
         * is blocked here) and ends the process as soon as we return. */
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        sigemptyset(&dfl.sa_mask);
        sigaction(signo, &dfl, NULL);
        raise(signo);
        return;
    }
    if (prev->sa_flags & SA_SIGINFO)
        prev->sa_sigaction(signo, info, context);
    else
        prev->sa_handler(signo);
}

static void on_signal(int signo, siginfo_t *info, void *context)
{
    int saved_errno = errno;
    size_t i = 0;
    while (i < SIGNAL_COUNT && SIGNALS[i] != signo)
        i++;
    if (i == SIGNAL_COUNT)
        return;
    if (getpid() == G.pid && !__atomic_exchange_n(&G.fired, 1, __ATOMIC_ACQ_REL))
        wait_for_final(signo);
    errno = saved_errno;
    chain(signo, &G.previous[i], info, context);
}

static void *signal_thread(void *unused)
{
    (void)unused;
    for (;;) {
        unsigned char byte;
        ssize_t n = read(G.wake[0], &byte, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n != 1)
            return NULL;
        G.final(byte);
        nrp_thread_stack_check();
        byte = 1;
        while (write(G.ack[1], &byte, 1) < 0 && errno == EINTR) {
        }
    }
}

static nrp_result make_pipe(int fds[2])
{
    if (pipe(fds) != 0)
        return NRP_ERROR;
    for (int i = 0; i < 2; i++)
        fcntl(fds[i], F_SETFD, FD_CLOEXEC);
    /* Neither end may ever block a signal handler or our thread for good. */
    fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK);
    return NRP_OK;
}

/* Our handler runs with the previous handler's mask and flags, so that
 * handler still runs as it expects when we call it (on the alternate stack
 * with SA_ONSTACK, with SA_RESTART for the interrupted call, ...). */
static void install(size_t i)
{
    int signo = SIGNALS[i];
    struct sigaction ours, current, replaced;

    if (sigaction(signo, NULL, &current) != 0) {
        nrp_log(NRP_LOG_WARN, "cannot read the action of %s (%s); metrics are not written when it ends the process",
                nrp_signals_name(signo), strerror(errno));
        return;
    }
    if (is_ignored(&current)) {
        /* Ignored stays ignored: the signal ends nothing, and a handler
         * would not be inherited as ignored by child processes. */
        nrp_log(NRP_LOG_DEBUG, "%s is ignored in this process; left as it is", nrp_signals_name(signo));
        return;
    }
    ours = current;
    if (is_default(&current)) {
        sigemptyset(&ours.sa_mask);
        ours.sa_flags = SA_RESTART;
    }
    ours.sa_flags |= SA_SIGINFO;
    ours.sa_sigaction = on_signal;
    /* The handler may fire as soon as it is installed: what it chains to
     * must be in place first. */
    G.previous[i] = current;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (sigaction(signo, &ours, &replaced) != 0) {
        nrp_log(NRP_LOG_WARN, "cannot install a handler for %s (%s); metrics are not written when it ends the process",
                nrp_signals_name(signo), strerror(errno));
        return;
    }
    G.previous[i] = replaced;
    nrp_log(NRP_LOG_DEBUG, "%s: final metrics, then %s", nrp_signals_name(signo),
            is_default(&replaced) ? "the default action" : "the handler installed before");
}

nrp_result nrp_signals_start(nrp_signals_final_fn final, nrp_err *err)
{
    sigset_t set = our_signals(), old;
    int rc;

    G.final = final;
    G.pid = getpid();
    if (make_pipe(G.wake) != NRP_OK || make_pipe(G.ack) != NRP_OK)
        return nrp_err_set(err, "cannot create the signal pipes: %s", strerror(errno));
    /* The thread inherits a mask that blocks our signals: the handler must
     * never run on the thread it waits for. */
    pthread_sigmask(SIG_BLOCK, &set, &old);
    rc = nrp_thread_start("signal", signal_thread, NULL, NULL, err);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != NRP_OK)
        return rc;
    for (size_t i = 0; i < SIGNAL_COUNT; i++)
        install(i);
    return NRP_OK;
}
