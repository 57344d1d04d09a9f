/* fuzz_check.h - the invariant check of the fuzz targets: a broken one is
 * reported on stderr and ends in __builtin_trap(), which libFuzzer reports
 * as a crash with the input that caused it. */
#ifndef NRP_FUZZ_CHECK_H
#define NRP_FUZZ_CHECK_H

#include <stdio.h>

static inline void nrp_fuzz_fail(const char *what, const char *file, int line)
{
    fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
    __builtin_trap();
}

#define CHECK(cond)                                                                                                   \
    do {                                                                                                              \
        if (!(cond))                                                                                                  \
            nrp_fuzz_fail(#cond, __FILE__, __LINE__);                                                                 \
    } while (0)

#endif
