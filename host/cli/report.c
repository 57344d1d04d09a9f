/* nrprof report: placeholder until the command lands (work in progress). */
#include <stdio.h>

#include "cli/cli.h"

int nrp_cli_report(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "nrprof: 'report' is not available yet\n");
    return 2;
}
