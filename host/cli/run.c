/*
 * nrprof run [--config FILE] -- COMMAND [ARGS...]
 *
 * Runs COMMAND under this bundle's profiler: sets the CORECLR_* variables to
 * the bundle's libNewRelicProfiler.so and NRP_CONFIG to FILE (default: the
 * bundle's instrumentation.yaml, unless NRP_CONFIG is already set), then
 * replaces itself with COMMAND, so COMMAND's exit status is nrprof's.
 * Exit 2 on a usage error or a broken bundle; 126/127 when COMMAND cannot
 * be run, as a shell does.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "clr/clsid.h"
#include "nrp/plugin.h"
#include "util/path.h"


typedef struct {
    const char *config; /* --config FILE, or NULL */
    char **command;     /* argv of COMMAND, NULL-terminated */
} nrp_run_args;

static int usage(FILE *to)
{
    fprintf(to, "usage: nrprof run [--config FILE] -- COMMAND [ARGS...]\n"
                "  Runs COMMAND under the bundle's profiler (rules: FILE, default the bundle's\n"
                "  instrumentation.yaml). Exit status: COMMAND's; 2 usage error; 126/127 COMMAND\n"
                "  cannot be run.\n");
    return to == stdout ? 0 : 2;
}

static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "nrprof run: %s%s%s%s\n", what, arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
    return usage(stderr);
}

/* Returns -1 when parsed, else the exit status to return right away. */
static int parse(int argc, char **argv, nrp_run_args *out)
{
    int i = 0;
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return usage(stdout);
        if (strcmp(argv[i], "--config") == 0) {
            if (i + 1 >= argc || strcmp(argv[i + 1], "--") == 0)
                return usage_error("--config needs a FILE", NULL);
            out->config = argv[++i];
        } else if (strncmp(argv[i], "--config=", 9) == 0) {
            out->config = argv[i] + 9;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return usage_error("unknown option", argv[i]);
        } else {
            /* A bare word here is almost always a forgotten "--": without it
             * we could not tell our options from the command's. */
            return usage_error("missing '--' before the command", argv[i]);
        }
    }
    if (i >= argc)
        return usage_error("missing '--' and COMMAND", NULL);
    if (i + 1 >= argc)
        return usage_error("missing COMMAND after '--'", NULL);
    out->command = argv + i + 1;
    return -1;
}

static int is_regular_file(const char *path)
{
    struct stat st;
    return nrp_path_stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The rules file NRP_CONFIG will name, absolute so the command may chdir.
 * An empty out means "leave NRP_CONFIG as the user set it". */
static int resolve_config(const char *given, const char *bundle, char *out, size_t cap)
{
    char resolved[PATH_MAX];
    out[0] = '\0';
    if (!given) {
        if (getenv("NRP_CONFIG"))
            return 0;
        if (nrp_path_join(bundle, "instrumentation.yaml", out, cap) != NRP_OK) {
            fprintf(stderr, "nrprof run: bundle path too long: %s\n", bundle);
            return 2;
        }
        return 0;
    }
    if (!realpath(given, resolved)) {
        fprintf(stderr, "nrprof run: config file '%s': %s\n", given, strerror(errno));
        return 2;
    }
    if (!is_regular_file(resolved)) {
        fprintf(stderr, "nrprof run: config file '%s' is not a regular file\n", given);
        return 2;
    }
    if (snprintf(out, cap, "%s", resolved) >= (int)cap) {
        fprintf(stderr, "nrprof run: config path too long: %s\n", resolved);
        return 2;
    }
    return 0;
}

static int set_environment(const char *profiler, const char *config)
{
    /* The runtime prefers these platform-specific paths to
     * CORECLR_PROFILER_PATH: a stale one would load another profiler. */
    static const char *const shadowing[] = {"CORECLR_PROFILER_PATH_32", "CORECLR_PROFILER_PATH_64",
                                            "CORECLR_PROFILER_PATH_ARM32", "CORECLR_PROFILER_PATH_ARM64"};
    for (size_t i = 0; i < sizeof shadowing / sizeof *shadowing; i++)
        if (unsetenv(shadowing[i]) != 0)
            return -1;
    if (setenv("CORECLR_ENABLE_PROFILING", "1", 1) != 0 || setenv("CORECLR_PROFILER", NRP_PROFILER_CLSID_TEXT, 1) != 0 ||
        setenv("CORECLR_PROFILER_PATH", profiler, 1) != 0)
        return -1;
    return config[0] ? setenv("NRP_CONFIG", config, 1) : 0;
}

int nrp_cli_run(int argc, char **argv)
{
    nrp_run_args args = {0};
    char bundle[PATH_MAX], profiler[PATH_MAX], config[PATH_MAX];

    int rc = parse(argc, argv, &args);
    if (rc >= 0)
        return rc;
    if (nrp_cli_bundle_dir(bundle, sizeof bundle) != NRP_OK) {
        fprintf(stderr, "nrprof run: cannot find the bundle folder from /proc/self/exe\n");
        return 2;
    }
    if (nrp_path_join(bundle, "libNewRelicProfiler.so", profiler, sizeof profiler) != NRP_OK ||
        !is_regular_file(profiler)) {
        fprintf(stderr, "nrprof run: the bundle has no profiler: %s/libNewRelicProfiler.so is missing\n", bundle);
        return 2;
    }
    if ((rc = resolve_config(args.config, bundle, config, sizeof config)) != 0)
        return rc;
    if (set_environment(profiler, config) != 0) {
        fprintf(stderr, "nrprof run: cannot set the environment: %s\n", strerror(errno));
        return 126;
    }
    execvp(args.command[0], args.command);
    int err = errno;
    fprintf(stderr, "nrprof run: cannot run '%s': %s\n", args.command[0], strerror(err));
    return err == ENOENT ? 127 : 126;
}
