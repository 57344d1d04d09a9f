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

/* An argument none of the command's options took: an unknown option
 * (printed on stderr) or a second file is NRP_ERROR, for the command's
 * usage; the first file goes to *file. options is 0 after "--", when
 * anything is a file. */
nrp_result nrp_cli_operand(const char *arg, int options, const char **file);

int nrp_cli_check(int argc, char **argv);  /* check.c */
int nrp_cli_attach(int argc, char **argv); /* attach.c */

/* Check one rules file as `nrprof check FILE` does against the bundle's
 * plugins: its problems on stderr, "FILE: ok: ..." on stdout (and the
 * effective rules with want_explain). 0 valid, 1 not. */
int nrp_cli_check_file(const char *file, int want_explain, const char *bundle);
/* The same, then, when app is not NULL, what the rules select in the app
 * at that path (nrprof check --app), and with roundtrip the IL engine's
 * round trip over its method bodies (--roundtrip). */
int nrp_cli_check_app(const char *file, int want_explain, const char *bundle, const char *app, int roundtrip);
int nrp_cli_run(int argc, char **argv);    /* run.c */
int nrp_cli_report(int argc, char **argv); /* report.c */

#endif
