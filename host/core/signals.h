/*
 * signals.h - the final export on SIGTERM and SIGINT.
 *
 * A terminating signal that nobody cancels ends the process without exit()
 * on .NET 10 (and SIGINT on every version): neither the runtime's Shutdown
 * callback nor atexit handlers run. So the profiler puts a handler of its
 * own under whatever catches these signals later (System.Native restores it
 * and re-sends the signal when no PosixSignalRegistration cancelled it).
 * The handler only wakes a thread of ours, which runs the final callback,
 * waits at most NRP_SIGNALS_WAIT_MS for it, then hands the signal on to the
 * action that was installed before: the process ends exactly as it would
 * have without the profiler.
 */
#ifndef NRP_CORE_SIGNALS_H
#define NRP_CORE_SIGNALS_H

#include "nrp/result.h"
#include "util/err.h"

/* The longest a signal handler waits for the final export before the
 * signal goes on: the app's stop is never held up for longer. */
#define NRP_SIGNALS_WAIT_MS 2000

/* Runs once, on the signal thread (never in a signal handler), for the
 * first SIGTERM or SIGINT that reaches the profiler's handler. */
typedef void (*nrp_signals_final_fn)(int signo);

/* Start the signal thread and install the handlers for SIGTERM and SIGINT
 * (a signal whose action is SIG_IGN is left alone). Call once. */
nrp_result nrp_signals_start(nrp_signals_final_fn final, nrp_err *err);

/* "SIGTERM", "SIGINT", or "signal" for any other number. */
const char *nrp_signals_name(int signo);

/* Block SIGTERM and SIGINT in the calling thread: the profiler's own
 * threads must never run the handler, since the final export may need them
 * (a handler on the exporting thread would wait for itself). */
void nrp_signals_block_here(void);

#endif
