#include "rejit/worker.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/log.h"
#include "util/thread.h"

typedef struct batch {
    ModuleID *modules;
    mdToken *methods;
    size_t count;
    int revert;          /* RequestRevert instead of a ReJIT */
    HRESULT hr;
    int done;
    int refs;            /* the requester and the worker; the last one frees */
    struct batch *next;
} batch;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work_ready = PTHREAD_COND_INITIALIZER;
static pthread_cond_t work_done;
static batch *queue_head, *queue_tail;
static nrp_info worker_info;

static void batch_unref(batch *b)
{
    /* called with lock held */
    if (--b->refs == 0) {
        free(b->modules);
        free(b->methods);
        free(b);
    }
}

void nrp_rejit_worker_run(void)
{
    HRESULT hr = nrp_info_initialize_current_thread(&worker_info);
    if (NRP_FAILED(hr))
        nrp_log(NRP_LOG_WARN, "ReJIT worker: InitializeCurrentThread failed (0x%08x)", (unsigned)hr);
    for (;;) {
        pthread_mutex_lock(&lock);
        while (!queue_head)
            pthread_cond_wait(&work_ready, &lock);
        batch *b = queue_head;
        queue_head = b->next;
        if (!queue_head)
            queue_tail = NULL;
        pthread_mutex_unlock(&lock);

        int with_inliners = 0;
        if (b->revert) {
            hr = nrp_info_request_revert(&worker_info, (ULONG)b->count, b->modules, b->methods);
            NRP_LOG_DBG("revert requested for %zu method(s): 0x%08x", b->count, (unsigned)hr);
        } else {
            hr = nrp_info_request_rejit(&worker_info, (ULONG)b->count, b->modules, b->methods, &with_inliners);
            NRP_LOG_DBG("ReJIT requested for %zu method(s) via %s: 0x%08x", b->count,
                        with_inliners ? "RequestReJITWithInliners" : "RequestReJIT", (unsigned)hr);
        }

        pthread_mutex_lock(&lock);
        b->hr = hr;
        b->done = 1;
        pthread_cond_broadcast(&work_done);
        batch_unref(b);
        pthread_mutex_unlock(&lock);
        nrp_thread_stack_check();
    }
}

void nrp_rejit_worker_init(const nrp_info *info)
{
    pthread_condattr_t attr;

    worker_info = *info;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&work_done, &attr);
    pthread_condattr_destroy(&attr);
}

static nrp_rejit_outcome request(const ModuleID *modules, const mdToken *methods, size_t count, int revert,
                                 unsigned timeout_ms, HRESULT *hr)
{
    batch *b = calloc(1, sizeof *b);
    nrp_rejit_outcome outcome;
    struct timespec deadline;

    if (!b)
        return NRP_REJIT_NO_MEMORY;
    b->modules = malloc(count * sizeof *modules);
    b->methods = malloc(count * sizeof *methods);
    if (!b->modules || !b->methods) {
        free(b->modules);
        free(b->methods);
        free(b);
        return NRP_REJIT_NO_MEMORY;
    }
    memcpy(b->modules, modules, count * sizeof *modules);
    memcpy(b->methods, methods, count * sizeof *methods);
    b->count = count;
    b->revert = revert;
    b->refs = 2;

    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }

    pthread_mutex_lock(&lock);
    if (queue_tail)
        queue_tail->next = b;
    else
        queue_head = b;
    queue_tail = b;
    pthread_cond_signal(&work_ready);
    while (!b->done)
        if (pthread_cond_timedwait(&work_done, &lock, &deadline) == ETIMEDOUT)
            break;
    outcome = b->done ? NRP_REJIT_DONE : NRP_REJIT_TIMED_OUT;
    *hr = b->hr;
    batch_unref(b);
    pthread_mutex_unlock(&lock);
    return outcome;
}

nrp_rejit_outcome nrp_rejit_request(const ModuleID *modules, const mdToken *methods, size_t count,
                                    unsigned timeout_ms, HRESULT *hr)
{
    return request(modules, methods, count, 0, timeout_ms, hr);
}

nrp_rejit_outcome nrp_rejit_revert(const ModuleID *modules, const mdToken *methods, size_t count,
                                   unsigned timeout_ms, HRESULT *hr)
{
    return request(modules, methods, count, 1, timeout_ms, hr);
}
