/*
 * test_clock.c - the clock that times instrumented methods: durations in
 * its ticks, once calibrated, agree with CLOCK_MONOTONIC; NRP_CLOCK
 * forces the fallback.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"

static void spin_ns(uint64_t ns)
{
    uint64_t until = nrp_clock_monotonic_ns() + ns;
    while (nrp_clock_monotonic_ns() < until) {
    }
}

/* A span timed in ticks reads, in nanoseconds, what CLOCK_MONOTONIC says
 * within 0.5% once the scale has been measured over 100 ms. */
static void ticks_agree_with_monotonic(void **state)
{
    (void)state;
    nrp_clock_start();
    nrp_clock_calibrate();
    spin_ns(100000000);
    nrp_clock_calibrate();
    static const uint64_t spans[] = {20000, 130000, 700000, 5000000, 30000000};
    for (size_t i = 0; i < sizeof spans / sizeof *spans; i++) {
        uint64_t t0 = nrp_clock_ticks(), n0 = nrp_clock_monotonic_ns();
        spin_ns(spans[i]);
        uint64_t t1 = nrp_clock_ticks(), n1 = nrp_clock_monotonic_ns();
        double got = (double)nrp_clock_ticks_to_ns(t1 - t0), want = (double)(n1 - n0);
        /* two clock reads apart on each side: allow 2 us on top */
        if (got < want * 0.995 - 2000 || got > want * 1.005 + 2000)
            fail_msg("%s clock: %.0f ns for %.0f ns", nrp_clock_name(), got, want);
    }
    printf("clock %s at %.6f GHz\n", nrp_clock_name(), nrp_clock_hz() / 1e9);
}

/* Where the kernel vouches for the TSC, it is used: this test runs on
 * x86-64 Linux, where the kernel's answer is in /proc/cpuinfo (the host
 * asks the CPU, as the kernel did). */
static void tsc_where_the_kernel_says(void **state)
{
    (void)state;
    char line[8192];
    int usable = 0;
    FILE *f = fopen("/proc/cpuinfo", "r");
    assert_non_null(f);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "flags", 5) == 0) {
            usable = strstr(line, " constant_tsc") && strstr(line, " nonstop_tsc");
            break;
        }
    fclose(f);
    nrp_clock_start();
    const char *forced = getenv("NRP_CLOCK");
#if defined(__x86_64__)
    assert_string_equal(nrp_clock_name(), usable && !(forced && strcmp(forced, "monotonic") == 0) ? "tsc"
                                                                                                 : "monotonic");
#else
    (void)usable;
    assert_string_equal(nrp_clock_name(), "monotonic");
#endif
}

/* NRP_CLOCK=monotonic: ticks are nanoseconds, scale 1. In a child, since
 * the choice is made once per process. */
static void forced_monotonic(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        setenv("NRP_CLOCK", "monotonic", 1);
        nrp_clock.kind = NRP_CLOCK_MONOTONIC; /* as before any start in this process */
        nrp_clock_start();
        nrp_clock_calibrate();
        uint64_t before = nrp_clock_monotonic_ns(), t = nrp_clock_ticks(), after = nrp_clock_monotonic_ns();
        int ok = strcmp(nrp_clock_name(), "monotonic") == 0 && nrp_clock_ticks_to_ns(1000) == 1000 &&
                 t >= before && t <= after;
        _exit(ok ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(forced_monotonic),
        cmocka_unit_test(tsc_where_the_kernel_says),
        cmocka_unit_test(ticks_agree_with_monotonic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
