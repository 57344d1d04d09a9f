/*
 * nrprof - the bundle's command-line tool.
 *
 *   nrprof check [--explain] [--app PATH] [FILE]  check a configuration (and preview it on an app)
 *   nrprof run [--config FILE] -- COMMAND...  run a command under the profiler
 *   nrprof attach PID [--config FILE]         load the profiler into a running process
 *   nrprof report [--wide] FILE               show a metrics file as a table
 *   nrprof --version                          what it is and what it runs on
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "nrp/plugin.h"
#include "util/path.h"

static int usage(FILE *to)
{
    fprintf(to, "usage: nrprof COMMAND [ARGS]\n"
                "  check [--explain] [--app PATH] [FILE]\n"
                "                                     check an instrumentation.yaml (default: the bundle's),\n"
                "                                     and list what it selects in an app\n"
                "  run [--config FILE] -- COMMAND...  run COMMAND under the bundle's profiler\n"
                "  attach PID [--config FILE]         load the profiler into the running .NET process PID\n"
                "  report [--wide] FILE               show a metrics file as a table\n"
                "  --version                          the version, and the systems this bundle runs on\n"
                "Run 'nrprof COMMAND --help' for a command's details.\n");
    return to == stdout ? 0 : 2;
}

nrp_result nrp_cli_bundle_dir(char *out, size_t cap)
{
    char exe[PATH_MAX], bin[PATH_MAX];
    if (!realpath("/proc/self/exe", exe) || nrp_path_dirname(exe, bin, sizeof bin) != NRP_OK)
        return NRP_ERROR;
    return nrp_path_dirname(bin, out, cap);
}

nrp_result nrp_cli_operand(const char *arg, int options, const char **file)
{
    if (options && arg[0] == '-' && arg[1]) {
        fprintf(stderr, "nrprof: unknown option '%s'\n", arg);
        return NRP_ERROR;
    }
    if (*file)
        return NRP_ERROR;
    *file = arg;
    return NRP_OK;
}

/* One line scripts can read: the bundle's version and platform (as its
 * tarball is named), the oldest glibc it loads on, and the plugin ABI and
 * SDK it speaks. */
static int version(void)
{
#ifdef NRP_GLIBC_FLOOR_TEXT
    const char *needs = " (glibc " NRP_GLIBC_FLOOR_TEXT " or later)";
#else
    const char *needs = "";
#endif
    printf("nrprof %s %s%s; plugin ABI %d.%d, SDK %s\n", NRP_SDK_VERSION_STRING, NRP_PLATFORM, needs, NRP_ABI_MAJOR,
           NRP_ABI_MINOR, NRP_SDK_VERSION_STRING);
    return 0;
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } commands[] = {{"check", nrp_cli_check}, {"run", nrp_cli_run}, {"report", nrp_cli_report},
                    {"attach", nrp_cli_attach}};
    if (argc < 2)
        return usage(stderr);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return usage(stdout);
    if (strcmp(argv[1], "--version") == 0)
        return version();
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 2, argv + 2);
    fprintf(stderr, "nrprof: unknown command '%s'\n", argv[1]);
    return usage(stderr);
}
