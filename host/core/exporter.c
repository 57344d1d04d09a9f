#include "core/exporter.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "util/clock.h"
#include "util/log.h"
#include "core/signals.h"
#include "util/thread.h"
#include "nrp/result.h"

static struct {
    pthread_mutex_t lock;       /* one export at a time: they share a temporary file */
    pthread_mutex_t wake_lock;
    pthread_cond_t wake;
    pthread_t thread;
    int running;
    int stopping;
    nrp_metrics *metrics;
    char path[4096];
    nrp_metrics_format format;
    long interval_s;
    int failed_before;          /* log a failing path once, not every interval */
    nrp_metrics_written written; /* the file as the last export left it */
} E = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake_lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

void nrp_exporter_export(void)
{
    nrp_err err;
    pthread_mutex_lock(&E.lock);
    /* Each export measures the TSC's scale again, over a longer span. */
    nrp_clock_calibrate();
    if (E.metrics) {
        if (nrp_metrics_export_file(E.metrics, E.path, E.format, &E.written, &err) != NRP_OK) {
            if (!E.failed_before)
                nrp_log(NRP_LOG_ERROR, "cannot write metrics: %s", err.msg);
            E.failed_before = 1;
        } else
            E.failed_before = 0;
    }
    pthread_mutex_unlock(&E.lock);
}

static void *periodic(void *unused)
{
    (void)unused;
    struct timespec deadline;
    /* A SIGTERM handler running here, in the middle of an export, would
     * wait for the final export, which waits for this one. */
    nrp_signals_block_here();
    pthread_mutex_lock(&E.wake_lock);
    while (!E.stopping) {
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_sec += E.interval_s;
        while (!E.stopping && pthread_cond_timedwait(&E.wake, &E.wake_lock, &deadline) != ETIMEDOUT) {
        }
        if (E.stopping)
            break;
        pthread_mutex_unlock(&E.wake_lock);
        nrp_exporter_export();
        nrp_thread_stack_check();
        pthread_mutex_lock(&E.wake_lock);
    }
    pthread_mutex_unlock(&E.wake_lock);
    return NULL;
}

nrp_result nrp_exporter_start(nrp_metrics *metrics, const char *path, nrp_metrics_format format, long interval_s,
                              nrp_err *err)
{
    pthread_condattr_t attr;
    if ((size_t)snprintf(E.path, sizeof E.path, "%s", path) >= sizeof E.path)
        return nrp_err_set(err, "metrics path too long: %s", path);
    E.written = (nrp_metrics_written){0};
    E.metrics = metrics;
    E.format = format;
    E.interval_s = interval_s;
    if (interval_s <= 0)
        return NRP_OK;
    /* A monotonic clock, so a clock change never stalls or floods exports. */
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_destroy(&E.wake);
    pthread_cond_init(&E.wake, &attr);
    pthread_condattr_destroy(&attr);
    if (nrp_thread_start("metrics", periodic, NULL, &E.thread, err) != NRP_OK)
        return NRP_ERROR;
    E.running = 1;
    return NRP_OK;
}

void nrp_exporter_stop(void)
{
    pthread_mutex_lock(&E.wake_lock);
    int was_running = E.running && !E.stopping;
    E.stopping = 1;
    pthread_cond_signal(&E.wake);
    pthread_mutex_unlock(&E.wake_lock);
    if (was_running)
        pthread_join(E.thread, NULL);
    nrp_exporter_export();
}
