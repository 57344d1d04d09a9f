#include "util/clock.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

nrp_clock_state nrp_clock = {NRP_CLOCK_MONOTONIC, (uint64_t)1 << 32};

static struct {
    pthread_mutex_t lock;
    int started;
    uint64_t ticks0, ns0;  /* the first calibration point */
    uint64_t span_ns;      /* the span the scale was last measured over */
} C = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* Whether the TSC is invariant: it ticks at one rate on every core and in
 * every power state. CPUID leaf 0x80000007's EDX bit 8 is where the kernel
 * reads it, setting both constant_tsc and nonstop_tsc in /proc/cpuinfo's
 * flags from it (arch/x86/kernel/cpu/intel.c, amd.c); asking the CPU takes
 * a few microseconds even where CPUID traps to a hypervisor, reading
 * /proc/cpuinfo some 60 on the runtime's own thread at start-up. */
static int tsc_usable(void)
{
#if defined(__x86_64__)
    unsigned eax, ebx, ecx, edx;
    return __get_cpuid(0x80000007u, &eax, &ebx, &ecx, &edx) && (edx >> 8 & 1);
#else
    return 0;
#endif
}

/* One (ticks, ns) pair, taken between two clock reads as close together as
 * three tries allow, so a preemption in the middle does not skew it. */
static void sample(uint64_t *ticks, uint64_t *ns)
{
    uint64_t best = UINT64_MAX;
    for (int i = 0; i < 3; i++) {
        uint64_t before = nrp_clock_monotonic_ns(), t = nrp_clock_ticks(), after = nrp_clock_monotonic_ns();
        if (after - before < best) {
            best = after - before;
            *ticks = t;
            *ns = before + (after - before) / 2;
        }
    }
}

void nrp_clock_start(void)
{
    const char *forced = getenv("NRP_CLOCK");
    pthread_mutex_lock(&C.lock);
    if (!C.started) {
        C.started = 1;
#if defined(__x86_64__)
        if (!(forced && strcmp(forced, "monotonic") == 0) && tsc_usable())
            nrp_clock.kind = NRP_CLOCK_TSC;
#else
        (void)forced;
#endif
        if (nrp_clock.kind == NRP_CLOCK_TSC)
            sample(&C.ticks0, &C.ns0);
    }
    pthread_mutex_unlock(&C.lock);
}

void nrp_clock_calibrate(void)
{
    uint64_t ticks, ns;
    if (nrp_clock.kind != NRP_CLOCK_TSC)
        return;
    /* Unlocked first look: most calls find the span too short to matter. */
    if (nrp_clock_monotonic_ns() - C.ns0 < 2 * __atomic_load_n(&C.span_ns, __ATOMIC_RELAXED))
        return;
    pthread_mutex_lock(&C.lock);
    /* The first scale is measured over at least 100 us (the profiler's
     * start-up is usually longer), so its error is a few parts in 10^4. */
    while (!C.span_ns && nrp_clock_monotonic_ns() - C.ns0 < 100000) {
    }
    sample(&ticks, &ns);
    if (ns - C.ns0 >= 2 * C.span_ns && ticks > C.ticks0) {
        __atomic_store_n(&nrp_clock.scale,
                         (uint64_t)(((unsigned __int128)(ns - C.ns0) << 32) / (ticks - C.ticks0)), __ATOMIC_RELAXED);
        __atomic_store_n(&C.span_ns, ns - C.ns0, __ATOMIC_RELAXED);
    }
    pthread_mutex_unlock(&C.lock);
}

const char *nrp_clock_name(void)
{
    return nrp_clock.kind == NRP_CLOCK_TSC ? "tsc" : "monotonic";
}

double nrp_clock_hz(void)
{
    return 1e9 * 4294967296.0 / (double)__atomic_load_n(&nrp_clock.scale, __ATOMIC_RELAXED);
}
