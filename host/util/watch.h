/*
 * watch.h - tell when a rule set's files may have changed: the files it was
 * read from, and the files that come to match its include patterns (a new
 * file in instrumentation.d/).
 *
 * inotify on their folders, so that a save by rename, as editors make it,
 * is seen as well as a write in place; a poll every second where inotify
 * cannot be had (or with NRP_WATCH_POLL=1). A change is reported once the
 * files have been quiet for NRP_WATCH_SETTLE_MS, and only when what they
 * are has changed: their paths, inodes, sizes and modification times,
 * hashed. on_change runs on the watcher's own thread, one call at a time.
 */
#ifndef NRP_UTIL_WATCH_H
#define NRP_UTIL_WATCH_H

#include <stddef.h>
#include <stdint.h>

#include "nrp/result.h"
#include "util/err.h"

#define NRP_WATCH_SETTLE_MS 100
#define NRP_WATCH_POLL_MS 1000

typedef struct nrp_watch nrp_watch;

/* What the files of files and patterns are now, in one number. */
uint64_t nrp_watch_signature(const char *const *files, size_t file_count, const char *const *patterns,
                             size_t pattern_count);

/* Start watching files and the matches of patterns (glob(3) patterns, as
 * includes are); on_change(ctx) is called for each change since they were
 * as `since` says (nrp_watch_signature when they were read: a change made
 * before the watch began is one too). The folders are watched from the
 * watcher's own thread, which runs until nrp_watch_stop or the process
 * ends. NRP_ERROR with err set when its thread cannot start. */
nrp_result nrp_watch_start(const char *const *files, size_t file_count, const char *const *patterns,
                           size_t pattern_count, uint64_t since, void (*on_change)(void *ctx), void *ctx,
                           nrp_watch **out, nrp_err *err);

/* Watch these instead, from now on (a reload may read other files), from
 * any thread. A set that differs from the one watched counts as unchanged
 * as it is now; the same set keeps its signature. */
void nrp_watch_set(nrp_watch *w, const char *const *files, size_t file_count, const char *const *patterns,
                   size_t pattern_count);

/* Stop watching, from any thread: no change is reported from now on, and
 * the folders' inotify watches are removed. Removing them here is what
 * keeps the process's exit quick: the kernel tears down a watch still in
 * place when the process ends by waiting out a grace period (4 to 20 ms
 * measured), and the process is not gone until it has. The watcher's
 * thread ends at its next wake-up; w stays valid. */
void nrp_watch_stop(nrp_watch *w);

/* "inotify" or "poll", for the log. */
const char *nrp_watch_method(const nrp_watch *w);

#endif
