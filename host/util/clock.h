/*
 * clock.h - the clock that times instrumented methods.
 *
 * Two reads of CLOCK_MONOTONIC cost about 60 ns on a VM's kvm-clock, more
 * than everything else a timed call does. Where the kernel says the
 * time-stamp counter is usable (constant_tsc and nonstop_tsc: it ticks at
 * one rate in every power state and on every core), a call is timed with
 * two RDTSC instead, and the ticks are turned into nanoseconds with a scale
 * measured against CLOCK_MONOTONIC: first over the profiler's own start-up
 * (nrp_clock_start in CreateInstance, nrp_clock_calibrate at the end of
 * Initialize), then again over ever longer spans at each metrics export,
 * so the scale keeps converging. Elsewhere, or with NRP_CLOCK=monotonic,
 * ticks are CLOCK_MONOTONIC nanoseconds and the scale is 1.
 */
#ifndef NRP_UTIL_CLOCK_H
#define NRP_UTIL_CLOCK_H

#include <stdint.h>
#include <time.h>

typedef enum nrp_clock_kind { NRP_CLOCK_MONOTONIC, NRP_CLOCK_TSC } nrp_clock_kind;

/* Read on every timed call; written by nrp_clock_start and the calibration. */
typedef struct nrp_clock_state {
    nrp_clock_kind kind;
    uint64_t scale; /* nanoseconds per tick, times 2^32 */
} nrp_clock_state;

extern nrp_clock_state nrp_clock;

/* Chooses the source (the TSC where the CPU says it is invariant, unless
 * NRP_CLOCK=monotonic) and takes
 * the first calibration point. Idempotent; later calls do nothing. */
void nrp_clock_start(void);

/* Measures the scale again over the span since nrp_clock_start, when that
 * span has at least doubled since the last measure (cheap otherwise: one
 * clock read). Any thread. */
void nrp_clock_calibrate(void);

/* "tsc" or "monotonic", for the log. */
const char *nrp_clock_name(void);

/* Ticks per second as last calibrated (1e9 for the monotonic clock). */
double nrp_clock_hz(void);

static inline uint64_t nrp_clock_monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline uint64_t nrp_clock_ticks(void)
{
#if defined(__x86_64__)
    if (__builtin_expect(nrp_clock.kind == NRP_CLOCK_TSC, 1)) {
        uint32_t lo, hi;
        __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
        return (uint64_t)hi << 32 | lo;
    }
#endif
    return nrp_clock_monotonic_ns();
}

/* Nanoseconds in `ticks` (a difference of two nrp_clock_ticks()). */
static inline uint64_t nrp_clock_ticks_to_ns(uint64_t ticks)
{
    return (uint64_t)(((unsigned __int128)ticks * __atomic_load_n(&nrp_clock.scale, __ATOMIC_RELAXED)) >> 32);
}

#endif
