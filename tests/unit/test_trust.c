/* StrictModes: which files the profiler agrees to load. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nrp/plugin.h"
#include "util/trust.h"

static void modes_and_owners(void **state)
{
    (void)state;
    char dir[] = "./nrp-trust-XXXXXX", file[64], want[256];
    nrp_err err;
    assert_non_null(mkdtemp(dir));
    assert_int_equal(chmod(dir, 0755), 0);
    snprintf(file, sizeof file, "%s/libx.so", dir);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);

    assert_int_equal(chmod(file, 0644), 0);
    assert_int_equal(nrp_file_trusted(file, &err), NRP_OK);

    assert_int_equal(chmod(file, 0664), 0);
    assert_int_equal(nrp_file_trusted(file, &err), NRP_ERROR);
    snprintf(want, sizeof want, "%s is writable by its group (mode 0664): chmod g-w %s", file, file);
    assert_string_equal(err.msg, want);

    assert_int_equal(chmod(file, 0646), 0);
    assert_int_equal(nrp_file_trusted(file, &err), NRP_ERROR);
    snprintf(want, sizeof want, "%s is writable by others (mode 0646): chmod o-w %s", file, file);
    assert_string_equal(err.msg, want);

    assert_int_equal(chmod(file, 0644), 0);
    assert_int_equal(chmod(dir, 0757), 0);
    assert_int_equal(nrp_file_trusted(file, &err), NRP_ERROR);
    snprintf(want, sizeof want,
             "%s sits in %s, which others can write and which is not sticky (mode 0757): chmod o-w %s, or chmod +t "
             "%s so others cannot replace the file", file, dir, dir, dir);
    assert_string_equal(err.msg, want);
    /* a sticky folder of the file's owner, as /tmp is root's: others may
     * add files there but never replace this one */
    assert_int_equal(chmod(dir, 01777), 0);
    assert_int_equal(nrp_file_trusted(file, &err), NRP_OK);
    if (geteuid() == 0 && chown(dir, 12345, 0) == 0) { /* another user's sticky folder could swap it */
        assert_int_equal(nrp_file_trusted(file, &err), NRP_ERROR);
        assert_non_null(strstr(err.msg, "which others can write and which is not sticky") ? err.msg : NULL);
        assert_int_equal(chown(dir, 0, 0), 0);
    }
    assert_int_equal(chmod(dir, 0755), 0);

    /* another user's file (root can hand it over) */
    if (geteuid() == 0 && chown(file, 12345, 0) == 0) {
        assert_int_equal(nrp_file_trusted(file, &err), NRP_ERROR);
        snprintf(want, sizeof want, "%s is owned by uid 12345, neither root nor this process's user", file);
        assert_string_equal(err.msg, want);
    }
    unlink(file);

    /* a FIFO (opening it would block until a writer comes) and a folder */
    snprintf(file, sizeof file, "%s/fifo.yaml", dir);
    assert_int_equal(mkfifo(file, 0644), 0);
    assert_int_equal(nrp_file_trusted(file, &err), NRP_ERROR);
    snprintf(want, sizeof want, "%s is not a regular file", file);
    assert_string_equal(err.msg, want);
    unlink(file);
    assert_int_equal(nrp_file_trusted(dir, &err), NRP_ERROR);
    snprintf(want, sizeof want, "%s is not a regular file", dir);
    assert_string_equal(err.msg, want);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(modes_and_owners),
    };
    return cmocka_run_group_tests_name("trust", tests, NULL, NULL);
}
