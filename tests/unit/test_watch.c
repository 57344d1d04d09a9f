/* The rules files' watcher: a save by rename, a new file matching an
 * include pattern and a file removed are changes; files it does not
 * watch, in the same folders, are not; the poll does what inotify does. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/watch.h"

typedef struct counter {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int calls;
} counter;

static void on_change(void *ctx)
{
    counter *c = ctx;
    pthread_mutex_lock(&c->lock);
    c->calls++;
    pthread_cond_broadcast(&c->changed);
    pthread_mutex_unlock(&c->lock);
}

/* Calls so far, once there are want of them or ms have passed. */
static int calls_after(counter *c, int want, int ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&c->lock);
    while (c->calls < want && pthread_cond_timedwait(&c->changed, &c->lock, &until) == 0)
        ;
    int n = c->calls;
    pthread_mutex_unlock(&c->lock);
    return n;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* As editors save: a new file beside, renamed over the old one. */
static void save_by_rename(const char *path, const char *text)
{
    char aside[600];
    snprintf(aside, sizeof aside, "%s.swp", path);
    write_file(aside, text);
    assert_int_equal(rename(aside, path), 0);
}

static void watch_a_folder(int poll)
{
    char dir[256], main_file[300], inc[300], pattern[320], path[400];
    /* In the test's working folder (the build tree), removed at the end. */
    snprintf(dir, sizeof dir, "watch-%d-%s", (int)getpid(), poll ? "poll" : "inotify");
    snprintf(main_file, sizeof main_file, "%s/rules.yaml", dir);
    snprintf(inc, sizeof inc, "%s/instrumentation.d", dir);
    snprintf(pattern, sizeof pattern, "%s/*.yaml", inc);
    mkdir(dir, 0700);
    mkdir(inc, 0700);
    write_file(main_file, "version: 1\n");

    static counter c[2] = {{PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0},
                           {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0}};
    counter *mine = &c[poll];
    const char *files[] = {main_file}, *patterns[] = {pattern};
    nrp_watch *w = NULL;
    nrp_err err;
    if (poll)
        setenv("NRP_WATCH_POLL", "1", 1);
    uint64_t read_as = nrp_watch_signature(files, 1, patterns, 1);
    assert_int_equal(nrp_watch_start(files, 1, patterns, 1, read_as, on_change, mine, &w, &err), NRP_OK);
    unsetenv("NRP_WATCH_POLL");
    assert_string_equal(nrp_watch_method(w), poll ? "poll" : "inotify");
    int wait_ms = poll ? 3 * NRP_WATCH_POLL_MS : 2000;

    save_by_rename(main_file, "version: 1\nrules: []\n");
    assert_int_equal(calls_after(mine, 1, wait_ms), 1);
    snprintf(path, sizeof path, "%s/extra.yaml", inc);
    write_file(path, "version: 1\n");
    assert_int_equal(calls_after(mine, 2, wait_ms), 2);
    /* Files next to them that no pattern names are not changes. */
    snprintf(path, sizeof path, "%s/metrics.prom", dir);
    write_file(path, "x 1\n");
    snprintf(path, sizeof path, "%s/README.md", inc);
    write_file(path, "notes\n");
    assert_int_equal(calls_after(mine, 3, poll ? wait_ms : 500), 2);
    snprintf(path, sizeof path, "%s/extra.yaml", inc);
    unlink(path);
    assert_int_equal(calls_after(mine, 3, wait_ms), 3);

    /* What the watcher is told to watch from now on (a reload read other files). */
    char other[320];
    snprintf(other, sizeof other, "%s/other.yaml", dir);
    write_file(other, "version: 1\n");
    const char *next[] = {other};
    nrp_watch_set(w, next, 1, NULL, 0);
    save_by_rename(other, "version: 1\nrules: []\n");
    assert_int_equal(calls_after(mine, 4, wait_ms), 4);

    unlink(other);
    unlink(main_file);
    snprintf(path, sizeof path, "%s/metrics.prom", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/README.md", inc);
    unlink(path);
    rmdir(inc);
    rmdir(dir);
}

/* A change between reading the files and starting the watch is one too. */
static void a_change_before_the_watch_began(void **state)
{
    (void)state;
    char path[300];
    static counter c = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};
    snprintf(path, sizeof path, "watch-%d-early.yaml", (int)getpid());
    write_file(path, "version: 1\n");
    const char *files[] = {path};
    uint64_t read_as = nrp_watch_signature(files, 1, NULL, 0);
    save_by_rename(path, "version: 1\nrules: []\n");
    nrp_watch *w = NULL;
    nrp_err err;
    assert_int_equal(nrp_watch_start(files, 1, NULL, 0, read_as, on_change, &c, &w, &err), NRP_OK);
    assert_int_equal(calls_after(&c, 1, 2000), 1);
    unlink(path);
}

/* The inotify watches this process holds, from /proc/self/fdinfo: one
 * "inotify wd:" line per watch, on every inotify descriptor. */
static int inotify_watches(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int n = 0;
    assert_non_null(d);
    while ((e = readdir(d))) {
        char link[300], target[64], info[300], line[512];
        snprintf(link, sizeof link, "/proc/self/fd/%s", e->d_name);
        ssize_t len = readlink(link, target, sizeof target - 1);
        if (len <= 0)
            continue;
        target[len] = '\0';
        if (strcmp(target, "anon_inode:inotify") != 0)
            continue;
        snprintf(info, sizeof info, "/proc/self/fdinfo/%s", e->d_name);
        FILE *f = fopen(info, "r");
        while (f && fgets(line, sizeof line, f))
            n += strncmp(line, "inotify wd:", 11) == 0;
        if (f)
            fclose(f);
    }
    closedir(d);
    return n;
}

/* Stopped (the process is ending): the folders' watches are gone, so the
 * exit does not wait for the kernel to tear them down, and a change is
 * no longer reported. */
static void stop_removes_the_watches(void **state)
{
    (void)state;
    char dir[256], file[300];
    static counter c = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};
    snprintf(dir, sizeof dir, "watch-%d-stop", (int)getpid());
    snprintf(file, sizeof file, "%s/rules.yaml", dir);
    mkdir(dir, 0700);
    write_file(file, "version: 1\n");
    const char *files[] = {file};
    int before = inotify_watches();
    /* Kept, as the profiler keeps it: a watch is never freed, and once
     * stopped no thread of its own holds it any more. */
    static nrp_watch *w;
    nrp_err err;
    assert_int_equal(nrp_watch_start(files, 1, NULL, 0, nrp_watch_signature(files, 1, NULL, 0), on_change, &c, &w,
                                     &err),
                     NRP_OK);
    /* The watcher's thread adds the watch: wait for it, at most 2 s. */
    for (int i = 0; i < 200 && inotify_watches() == before; i++)
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    assert_int_equal(inotify_watches(), before + 1);
    nrp_watch_stop(w);
    assert_int_equal(inotify_watches(), before);
    save_by_rename(file, "version: 1\nrules: []\n");
    assert_int_equal(calls_after(&c, 1, 500), 0);
    unlink(file);
    rmdir(dir);
}

static void inotify_sees_saves_and_new_includes(void **state)
{
    (void)state;
    watch_a_folder(0);
}

static void the_poll_sees_them_too(void **state)
{
    (void)state;
    watch_a_folder(1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_change_before_the_watch_began),
        cmocka_unit_test(inotify_sees_saves_and_new_includes),
        cmocka_unit_test(the_poll_sees_them_too),
        cmocka_unit_test(stop_removes_the_watches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
