/*
 * worker.h - the native thread that asks the runtime for ReJITs.
 *
 * RequestReJIT suspends the runtime, so calling it on a callback thread can
 * deadlock against a thread that waits for that callback. The worker is a
 * thread of our own; ModuleLoadFinished hands it a batch and waits a bounded
 * time, so the rewrite is in place before the module's code first runs
 * without ever blocking the runtime indefinitely.
 */
#ifndef NRP_REJIT_WORKER_H
#define NRP_REJIT_WORKER_H

#include <stddef.h>

#include "clr/info.h"
#include "util/err.h"

/* Ready the queue: requests may be made from then on, and wait until a
 * thread runs the worker. */
void nrp_rejit_worker_init(const nrp_info *info);

/* Runs the worker on the calling thread, one the host started
 * (util/thread.h), and never returns: the profiler's start-up thread
 * becomes the worker once the session is ready (core/lifetime.c), which
 * spares the process one more thread. */
void nrp_rejit_worker_run(void);

typedef enum nrp_rejit_outcome {
    NRP_REJIT_DONE,      /* the runtime accepted (or refused: see *hr) the batch */
    NRP_REJIT_TIMED_OUT, /* still queued or running; it completes in the background */
    NRP_REJIT_NO_MEMORY
} nrp_rejit_outcome;

/* Queue one batch (arrays are copied) and wait up to timeout_ms for the
 * worker to have called the runtime. */
nrp_rejit_outcome nrp_rejit_request(const ModuleID *modules, const mdToken *methods, size_t count,
                                    unsigned timeout_ms, HRESULT *hr);

/* The same for RequestRevert: the methods run their original IL again
 * from their next call. */
nrp_rejit_outcome nrp_rejit_revert(const ModuleID *modules, const mdToken *methods, size_t count,
                                   unsigned timeout_ms, HRESULT *hr);

#endif
