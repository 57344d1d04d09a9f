/*
 * cli.h - the commands of nrprof, one file each. Every command takes the
 * arguments after its own name and returns the process exit status.
 */
#ifndef NRP_CLI_H
#define NRP_CLI_H

#include <stddef.h>

#include "nrp/result.h"

/* The bundle folder: the one above bin/ holding this executable. */
nrp_result nrp_cli_bundle_dir(char *out, size_t cap);

int nrp_cli_check(int argc, char **argv);  /* check.c */
int nrp_cli_run(int argc, char **argv);    /* run.c */
int nrp_cli_report(int argc, char **argv); /* report.c */

#endif
