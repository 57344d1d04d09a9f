/*
 * nrprof - the bundle's command-line tool.
 *
 *   nrprof check [--explain] [FILE]           check a configuration
 *   nrprof run [--config FILE] -- COMMAND...  run a command under the profiler
 *   nrprof report [--wide] FILE               show a metrics file as a table
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
                "  check [--explain] [FILE]           check an instrumentation.yaml (default: the bundle's)\n"
                "  run [--config FILE] -- COMMAND...  run COMMAND under the bundle's profiler\n"
                "  report [--wide] FILE               show a metrics file as a table\n"
                "Run 'nrprof COMMAND --help' for a command's details.\n");
    return to == stdout ? 0 : 2;
}

int nrp_cli_bundle_dir(char *out, size_t cap)
{
    char exe[PATH_MAX], bin[PATH_MAX];
    if (!realpath("/proc/self/exe", exe) || nrp_path_dirname(exe, bin, sizeof bin) != NRP_OK)
        return NRP_ERROR;
    return nrp_path_dirname(bin, out, cap);
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } commands[] = {{"check", nrp_cli_check}, {"run", nrp_cli_run}, {"report", nrp_cli_report}};
    if (argc < 2)
        return usage(stderr);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return usage(stdout);
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 2, argv + 2);
    fprintf(stderr, "nrprof: unknown command '%s'\n", argv[1]);
    return usage(stderr);
}
