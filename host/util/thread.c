#include "util/thread.h"

#include <stdlib.h>
#include <string.h>

#include "util/log.h"

#define PAINT 0x6e
/* Left unpainted: the lowest page (a guard on some C libraries) and, near
 * the stack pointer at start, the frames in use and the red zone. */
#define PAINT_MARGIN 4096

typedef struct start {
    const char *name;
    void *(*fn)(void *);
    void *arg;
} start;

/* This thread's painted stack, if it was painted. */
static __thread struct {
    const char *name;
    unsigned char *lo, *top;
    size_t deepest;
} watch;

static size_t stack_size(void)
{
    const char *kb = getenv("NRP_TEST_THREAD_STACK_KB");
    if (kb && *kb) {
        char *end;
        unsigned long v = strtoul(kb, &end, 10);
        if (!*end && v > 0 && v < 1024 * 1024)
            return (size_t)v * 1024;
    }
    return NRP_THREAD_STACK_SIZE;
}

static void paint(const char *name)
{
    pthread_attr_t attr;
    void *addr;
    size_t size;
    if (pthread_getattr_np(pthread_self(), &attr) != 0)
        return;
    int ok = pthread_attr_getstack(&attr, &addr, &size) == 0;
    pthread_attr_destroy(&attr);
    unsigned char *lo = addr, *sp = __builtin_frame_address(0);
    if (!ok || sp < lo + 2 * PAINT_MARGIN || sp > lo + size)
        return;
    memset(lo + PAINT_MARGIN, PAINT, (size_t)(sp - PAINT_MARGIN - (lo + PAINT_MARGIN)));
    watch.name = name;
    watch.lo = lo;
    watch.top = lo + size;
}

static void *trampoline(void *p)
{
    start s = *(start *)p;
    free(p);
    if (nrp_log_enabled(NRP_LOG_DEBUG))
        paint(s.name);
    return s.fn(s.arg);
}

void nrp_thread_stack_check(void)
{
    if (!watch.lo)
        return;
    const unsigned char *p = watch.lo + PAINT_MARGIN;
    while (p < watch.top && *p == PAINT)
        p++;
    size_t used = (size_t)(watch.top - p);
    if (used > watch.deepest) {
        watch.deepest = used;
        nrp_log(NRP_LOG_DEBUG, "thread %s: stack used %zu of %zu bytes", watch.name, used,
                (size_t)(watch.top - watch.lo));
    }
}

nrp_result nrp_thread_start(const char *name, void *(*fn)(void *), void *arg, pthread_t *thread, nrp_err *err)
{
    pthread_attr_t attr;
    pthread_t ignored;
    start *s = malloc(sizeof *s);
    int rc;

    if (!s)
        return nrp_err_set(err, "cannot start the %s thread: out of memory", name);
    *s = (start){name, fn, arg};
    if ((rc = pthread_attr_init(&attr)) != 0) {
        free(s);
        return nrp_err_set(err, "cannot start the %s thread: %s", name, strerror(rc));
    }
    rc = pthread_attr_setstacksize(&attr, stack_size());
    if (rc == 0 && !thread)
        rc = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (rc == 0)
        rc = pthread_create(thread ? thread : &ignored, &attr, trampoline, s);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        free(s);
        return nrp_err_set(err, "cannot start the %s thread: %s", name, strerror(rc));
    }
    return NRP_OK;
}
