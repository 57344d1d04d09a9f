#include "util/watch.h"

#include <errno.h>
#include <fnmatch.h>
#include <glob.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/array.h"
#include "util/hash.h"
#include "util/path.h"
#include "util/thread.h"

#define INOTIFY_EVENTS (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_ATTRIB)

struct nrp_watch {
    pthread_mutex_t lock; /* all below but the callback: nrp_watch_set and _stop may come from any thread */
    char **files, **patterns;
    size_t file_count, pattern_count;
    uint64_t signature;
    int fd;               /* inotify, or -1: polling */
    int *wds;             /* the watch descriptors added, each once */
    size_t wd_count, wd_cap;
    int watching;         /* the watcher's thread has begun: folders are watched as they come */
    int stopped;          /* nrp_watch_stop: nothing is watched or reported any more */
    void (*on_change)(void *ctx);
    void *ctx;
};

static void free_list(char **list, size_t n)
{
    for (size_t i = 0; list && i < n; i++)
        free(list[i]);
    free(list);
}

static char **copy_list(const char *const *src, size_t n)
{
    char **out = calloc(n ? n : 1, sizeof *out);
    for (size_t i = 0; out && i < n; i++)
        if (!(out[i] = strdup(src[i]))) {
            free_list(out, i);
            return NULL;
        }
    return out;
}

static uint64_t hash_file(uint64_t h, const char *path)
{
    struct stat st;
    h = nrp_hash_str(h, path);
    if (nrp_path_stat(path, &st) != 0)
        return nrp_hash_str(h, "(missing)");
    uint64_t facts[4] = {(uint64_t)st.st_ino, (uint64_t)st.st_size, (uint64_t)st.st_mtim.tv_sec, (uint64_t)st.st_mtim.tv_nsec};
    return nrp_hash_bytes(h, facts, sizeof facts);
}

uint64_t nrp_watch_signature(const char *const *files, size_t file_count, const char *const *patterns,
                             size_t pattern_count)
{
    uint64_t h = NRP_HASH_INIT;
    for (size_t i = 0; i < file_count; i++)
        h = hash_file(h, files[i]);
    for (size_t i = 0; i < pattern_count; i++) {
        glob_t g;
        if (glob(patterns[i], 0, NULL, &g) == 0) {
            for (size_t k = 0; k < g.gl_pathc; k++)
                h = hash_file(h, g.gl_pathv[k]);
            globfree(&g);
        }
        h = nrp_hash_str(h, "(pattern)");
    }
    return h;
}

static uint64_t signature(const nrp_watch *w)
{
    return nrp_watch_signature((const char *const *)w->files, w->file_count, (const char *const *)w->patterns,
                               w->pattern_count);
}

/* The folder of a file, or of a pattern up to its first wildcard. */
static void folder_of(const char *path, char *out, size_t cap)
{
    size_t end = strcspn(path, "*?[");
    while (end && path[end - 1] != '/')
        end--;
    if (end > 1)
        end--;
    if (end >= cap)
        end = cap - 1;
    memcpy(out, path, end);
    out[end] = '\0';
}

/* Under w->lock. Done on the watcher's own thread first: adding a watch
 * walks the folder's cached entries, which takes milliseconds in a folder
 * such as /tmp, and start-up need not wait for it. */
static void add_watches(nrp_watch *w)
{
    char dir[4096];
    if (!w->watching || w->stopped)
        return;
    for (size_t i = 0; w->fd >= 0 && i < w->file_count + w->pattern_count; i++) {
        folder_of(i < w->file_count ? w->files[i] : w->patterns[i - w->file_count], dir, sizeof dir);
        int wd = dir[0] ? inotify_add_watch(w->fd, dir, INOTIFY_EVENTS) : -1;
        size_t k = 0;
        while (k < w->wd_count && w->wds[k] != wd) /* the same folder twice is one watch */
            k++;
        if (wd >= 0 && k == w->wd_count && NRP_ARRAY_GROW(w->wds, w->wd_count, w->wd_cap) == NRP_OK)
            w->wds[w->wd_count++] = wd;
    }
}

/* Whether an event on name in the folder of watch descriptor wd can
 * concern our files. The folder is not kept per descriptor: a name that is
 * one of our files' own, or that one of our patterns' last parts matches,
 * is enough to look again (the signature then decides). */
static int relevant(const nrp_watch *w, const char *name)
{
    if (!name || !*name)
        return 1; /* the folder itself */
    for (size_t i = 0; i < w->file_count; i++) {
        const char *slash = strrchr(w->files[i], '/');
        if (strcmp(slash ? slash + 1 : w->files[i], name) == 0)
            return 1;
    }
    for (size_t i = 0; i < w->pattern_count; i++) {
        const char *slash = strrchr(w->patterns[i], '/');
        if (fnmatch(slash ? slash + 1 : w->patterns[i], name, FNM_PERIOD) == 0)
            return 1;
    }
    return 0;
}

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void check(nrp_watch *w)
{
    pthread_mutex_lock(&w->lock);
    uint64_t now = w->stopped ? w->signature : signature(w);
    int changed = now != w->signature;
    w->signature = now;
    pthread_mutex_unlock(&w->lock);
    if (changed)
        w->on_change(w->ctx);
}

static int stopped(nrp_watch *w)
{
    pthread_mutex_lock(&w->lock);
    int yes = w->stopped;
    pthread_mutex_unlock(&w->lock);
    return yes;
}

static void *run(void *arg)
{
    nrp_watch *w = arg;
    long long due = 0; /* when a quiet period ends, or -1; first, at once: a change before the watch began */
    pthread_mutex_lock(&w->lock);
    w->watching = 1;
    add_watches(w);
    pthread_mutex_unlock(&w->lock);
    while (!stopped(w)) {
        if (w->fd < 0) {
            nanosleep(&(struct timespec){NRP_WATCH_POLL_MS / 1000, (NRP_WATCH_POLL_MS % 1000) * 1000000L}, NULL);
            check(w);
            continue;
        }
        struct pollfd p = {.fd = w->fd, .events = POLLIN};
        long long wait = due < 0 ? -1 : due - now_ms();
        int n = poll(&p, 1, due < 0 ? -1 : wait < 0 ? 0 : (int)wait);
        if (n < 0 && errno != EINTR) {
            pthread_mutex_lock(&w->lock);
            close(w->fd); /* inotify broke: poll from now on */
            w->fd = -1;
            w->wd_count = 0;
            pthread_mutex_unlock(&w->lock);
            continue;
        }
        if (n > 0) {
            char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
            ssize_t got = read(w->fd, buf, sizeof buf);
            for (char *at = buf; got > 0 && at < buf + got;) {
                const struct inotify_event *e = (const struct inotify_event *)at;
                pthread_mutex_lock(&w->lock);
                if ((e->mask & IN_Q_OVERFLOW) || relevant(w, e->len ? e->name : NULL))
                    due = now_ms() + NRP_WATCH_SETTLE_MS;
                pthread_mutex_unlock(&w->lock);
                at += sizeof *e + e->len;
            }
            continue;
        }
        if (due >= 0 && now_ms() >= due) {
            due = -1;
            check(w);
        }
    }
    return NULL;
}

static int same_list(char *const *a, size_t an, const char *const *b, size_t bn)
{
    if (an != bn)
        return 0;
    for (size_t i = 0; i < an; i++)
        if (strcmp(a[i], b[i]) != 0)
            return 0;
    return 1;
}

/* Watch these lists from now on, with `since` as their signature, or
 * what they are now when since is NULL. */
static void replace(nrp_watch *w, const char *const *files, size_t file_count, const char *const *patterns,
                    size_t pattern_count, const uint64_t *since)
{
    char **f = copy_list(files, file_count), **p = copy_list(patterns, pattern_count);
    if (!f || !p) { /* out of memory: keep watching what was watched */
        free_list(f, f ? file_count : 0);
        free_list(p, p ? pattern_count : 0);
        return;
    }
    pthread_mutex_lock(&w->lock);
    free_list(w->files, w->file_count);
    free_list(w->patterns, w->pattern_count);
    w->files = f, w->file_count = file_count;
    w->patterns = p, w->pattern_count = pattern_count;
    add_watches(w);
    w->signature = since ? *since : signature(w);
    pthread_mutex_unlock(&w->lock);
}

nrp_result nrp_watch_start(const char *const *files, size_t file_count, const char *const *patterns,
                           size_t pattern_count, uint64_t since, void (*on_change)(void *ctx), void *ctx,
                           nrp_watch **out, nrp_err *err)
{
    nrp_watch *w = calloc(1, sizeof *w);
    if (!w)
        return nrp_err_set(err, "out of memory watching the rules files");
    const char *poll_only = getenv("NRP_WATCH_POLL");
    w->fd = poll_only && strcmp(poll_only, "1") == 0 ? -1 : inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    w->on_change = on_change;
    w->ctx = ctx;
    pthread_mutex_init(&w->lock, NULL);
    replace(w, files, file_count, patterns, pattern_count, &since);
    if (nrp_thread_start("config watch", run, w, NULL, err) != NRP_OK) {
        if (w->fd >= 0)
            close(w->fd);
        free_list(w->files, w->file_count);
        free_list(w->patterns, w->pattern_count);
        free(w);
        return NRP_ERROR;
    }
    *out = w;
    return NRP_OK;
}

void nrp_watch_set(nrp_watch *w, const char *const *files, size_t file_count, const char *const *patterns,
                   size_t pattern_count)
{
    /* The same files: their signature stays the one taken before the
     * change was read, so an edit made while it was being read is still
     * one to come. */
    pthread_mutex_lock(&w->lock);
    int same = w->files && same_list(w->files, w->file_count, files, file_count) &&
               same_list(w->patterns, w->pattern_count, patterns, pattern_count);
    pthread_mutex_unlock(&w->lock);
    if (!same)
        replace(w, files, file_count, patterns, pattern_count, NULL);
}

void nrp_watch_stop(nrp_watch *w)
{
    pthread_mutex_lock(&w->lock);
    w->stopped = 1;
    for (size_t i = 0; w->fd >= 0 && i < w->wd_count; i++)
        (void)inotify_rm_watch(w->fd, w->wds[i]);
    w->wd_count = 0;
    pthread_mutex_unlock(&w->lock);
}

const char *nrp_watch_method(const nrp_watch *w)
{
    return w->fd >= 0 ? "inotify" : "poll";
}
