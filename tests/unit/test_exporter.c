/*
 * test_exporter.c - the metrics file is rewritten every interval by the
 * exporter's own thread, and once more when it stops.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/exporter.h"
#include "nrp/plugin.h"

static long read_value(const char *path)
{
    char line[256];
    long value = -1;
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "ticks ", 6) == 0)
            value = atol(line + 6);
    fclose(f);
    return value;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

static void exports_every_interval_and_at_stop(void **state)
{
    (void)state;
    char dir[] = "/tmp/nrp-test-exporter-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/metrics.prom", dir);
    nrp_metrics *m = nrp_metrics_create();
    uint64_t *ticks = nrp_metrics_counter(m, "ticks", "Ticks.", NULL, NULL);
    nrp_err err;

    *ticks = 1;
    assert_int_equal(nrp_exporter_start(m, path, NRP_METRICS_PROMETHEUS, 1, &err), NRP_OK);
    assert_int_equal(read_value(path), -1); /* nothing before the first interval */
    /* Within a few intervals the thread has written the file; no timing is
     * asserted beyond "eventually". */
    long seen = -1;
    for (int i = 0; i < 50 && seen != 1; i++) {
        sleep_ms(100);
        seen = read_value(path);
    }
    assert_int_equal(seen, 1);
    *ticks = 2;
    for (int i = 0; i < 50 && seen != 2; i++) {
        sleep_ms(100);
        seen = read_value(path);
    }
    assert_int_equal(seen, 2);

    *ticks = 3;
    nrp_exporter_stop();
    assert_int_equal(read_value(path), 3); /* the last export is synchronous */
    nrp_exporter_stop();                   /* idempotent */
    assert_int_equal(read_value(path), 3);

    unlink(path);
    rmdir(dir);
    nrp_metrics_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exports_every_interval_and_at_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
