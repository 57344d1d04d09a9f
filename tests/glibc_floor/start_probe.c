/* start_probe.c - start-up as the shipped executables get it (glibc_start.c).
 *
 * Prints how many times its constructor ran before main and exits with the
 * code it is given, after its destructor and an atexit handler have run, so
 * check_old_glibc.sh can compare old and new glibc exactly: constructors
 * run once, never skipped and never twice, arguments and environment
 * arrive, and exit() still runs both kinds of clean-up. */
#include <stdio.h>
#include <stdlib.h>

static int constructor_runs;
static char **constructor_argv;

__attribute__((constructor)) static void probe_constructor(int argc, char **argv, char **envp)
{
    (void)argc;
    (void)envp;
    constructor_runs++;
    constructor_argv = argv;
}

__attribute__((destructor)) static void probe_destructor(void)
{
    printf("destructor ran\n");
}

static void probe_atexit(void)
{
    printf("atexit handler ran\n");
}

int main(int argc, char **argv)
{
    atexit(probe_atexit);
    printf("constructor ran %d time(s), %s argv\n", constructor_runs,
           constructor_argv == argv ? "with main's" : "without main's");
    printf("argc %d, NRP_PROBE=%s\n", argc, getenv("NRP_PROBE") ? getenv("NRP_PROBE") : "(unset)");
    return argc > 1 ? atoi(argv[1]) : 0;
}
