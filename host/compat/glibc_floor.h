/* glibc_floor.h - keep glibc builds loadable on every glibc since 2.17.
 *
 * The linker binds each libc reference to the newest version of that
 * function the build machine's glibc defines. A build on Debian 12 (glibc
 * 2.36) would then need glibc 2.34 at run time, because 2.34 moved dlopen,
 * pthread_create and their kin from libdl and libpthread into libc under a
 * new version; 2.33 made stat an exported function and 2.27 gave glob a new
 * version. RHEL 8 (2.28) and Ubuntu 18.04 (2.27) run .NET 8 and would refuse
 * to load the profiler at all.
 *
 * Every glibc keeps the old versions of those functions for binaries built
 * long ago, so this header binds our references to them. cmake/GlibcFloor.cmake
 * force-includes it (-include) in every translation unit of a glibc x86-64
 * build, names libdl.so.2 and libpthread.so.0 as needed libraries (where the
 * old versions live before 2.34), and wraps executables' start-up (see
 * glibc_start.c). The symbols.exports test reads the versions the built
 * files require and fails when one is newer than NRP_GLIBC_FLOOR, so a call
 * to a function missing here cannot raise the floor silently.
 *
 * The versions are x86-64's (whose oldest glibc version is GLIBC_2.2.5).
 */
#ifndef NRP_COMPAT_GLIBC_FLOOR_H
#define NRP_COMPAT_GLIBC_FLOOR_H

#if defined(__x86_64__) && !defined(__ILP32__)
#define NRP_GLIBC_FLOOR_PINNED 1

/* name in our code, libc symbol, the oldest version of it that behaves as we use it */
#define NRP_GLIBC_PINS(X)                                                                                              \
    X(dlopen, dlopen, "GLIBC_2.2.5")                                                                                   \
    X(dlsym, dlsym, "GLIBC_2.2.5")                                                                                     \
    X(dlerror, dlerror, "GLIBC_2.2.5")                                                                                 \
    X(dladdr, dladdr, "GLIBC_2.2.5")                                                                                   \
    X(dlclose, dlclose, "GLIBC_2.2.5")                                                                                 \
    X(pthread_create, pthread_create, "GLIBC_2.2.5")                                                                   \
    X(pthread_join, pthread_join, "GLIBC_2.2.5")                                                                       \
    X(pthread_detach, pthread_detach, "GLIBC_2.2.5")                                                                   \
    X(pthread_once, pthread_once, "GLIBC_2.2.5")                                                                       \
    X(pthread_key_create, pthread_key_create, "GLIBC_2.2.5")                                                           \
    X(pthread_getspecific, pthread_getspecific, "GLIBC_2.2.5")                                                         \
    X(pthread_setspecific, pthread_setspecific, "GLIBC_2.2.5")                                                         \
    X(pthread_mutex_trylock, pthread_mutex_trylock, "GLIBC_2.2.5")                                                     \
    X(pthread_sigmask, pthread_sigmask, "GLIBC_2.2.5")                                                                 \
    X(pthread_condattr_setclock, pthread_condattr_setclock, "GLIBC_2.3.3")                                             \
    X(pthread_attr_setstacksize, pthread_attr_setstacksize, "GLIBC_2.2.5")                                             \
    X(pthread_attr_getstack, pthread_attr_getstack, "GLIBC_2.2.5")                                                     \
    X(pthread_getattr_np, pthread_getattr_np, "GLIBC_2.2.5")                                                           \
    /* 2.27's glob changed only GLOB_ALTDIRFUNC's use of gl_lstat, which we do not use. */                             \
    X(glob, glob, "GLIBC_2.2.5")                                                                                       \
    /* Before 2.33, stat was an inline in <sys/stat.h> calling __xstat (see nrp_path_stat). */                         \
    X(nrp_glibc_xstat, __xstat, "GLIBC_2.2.5")                                                                         \
    X(nrp_glibc_fxstat, __fxstat, "GLIBC_2.2.5")                                                                       \
    /* glibc 2.38+ headers call strtol __isoc23_strtol under _GNU_SOURCE (it also reads "0b" binary): bound back, so   \
     * numbers parse alike whatever glibc built us. Nothing is bound where the headers do not rename it. */            \
    X(__isoc23_strtol, strtol, "GLIBC_2.2.5")

/* References to NAME bind to SYMBOL@VERSION. .symver names nothing in a
 * file that does not use the function. */
#define NRP_GLIBC_PIN(name, symbol, version) __asm__(".symver " #name "," #symbol "@" version);
NRP_GLIBC_PINS(NRP_GLIBC_PIN)

/* glibc's old stat and fstat entry points; their first argument is the
 * structure's version, 1 (_STAT_VER_LINUX) for the x86-64 struct stat. */
struct stat;
int nrp_glibc_xstat(int version, const char *path, struct stat *st);
int nrp_glibc_fxstat(int version, int fd, struct stat *st);
#define NRP_GLIBC_STAT_VERSION 1

#endif
#endif
