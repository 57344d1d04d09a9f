/* thread.h - the host's own threads (ReJIT worker, metrics exporter,
 * signal watcher), each with a stack of a known size.
 *
 * The default stack of a new thread is the C library's choice: 8 MB on
 * glibc (from RLIMIT_STACK) but 128 KB on musl, and these threads call into
 * the runtime (RequestReJIT suspends and walks managed threads) and into
 * the log and the metrics writer. So they all get NRP_THREAD_STACK_SIZE.
 *
 * With the log at debug level each thread also measures how deep its stack
 * went: it is painted when the thread starts, and nrp_thread_stack_check()
 * logs the deepest use so far whenever it grows ("thread NAME: stack used
 * N of M bytes"), which is how the size was chosen (docs/ARCHITECTURE.md).
 */
#ifndef NRP_UTIL_THREAD_H
#define NRP_UTIL_THREAD_H

#include <pthread.h>
#include <stddef.h>

#include "nrp/result.h" /* NRP_OK */
#include "util/err.h"

/* Several times the deepest use measured on glibc and musl (ARCHITECTURE.md). */
#define NRP_THREAD_STACK_SIZE ((size_t)1024 * 1024)

/* Starts fn(arg) on a thread named NAME (a string that outlives it) with a
 * stack of NRP_THREAD_STACK_SIZE, or of NRP_TEST_THREAD_STACK_KB KiB when that
 * variable is set (tests only: it shows what a smaller stack would do).
 * Detached when thread is NULL. NRP_OK, or NRP_ERROR with err set. */
nrp_result nrp_thread_start(const char *name, void *(*fn)(void *), void *arg, pthread_t *thread, nrp_err *err);

/* On a thread started by nrp_thread_start with the log at debug level: logs
 * the deepest stack use so far if it grew since the last call. Elsewhere,
 * nothing. Called after each unit of work. */
void nrp_thread_stack_check(void);

#endif
