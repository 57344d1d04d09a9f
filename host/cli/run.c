/*
 * nrprof run [--config FILE] -- COMMAND [ARGS...]
 *
 * Runs COMMAND under this bundle's profiler: sets the CORECLR_* variables to
 * the bundle's libNewRelicProfiler.so and NRP_CONFIG to FILE (default: the
 * bundle's instrumentation.yaml, unless NRP_CONFIG is already set), runs
 * COMMAND as its child and waits for it. The profiler logs to a file, not
 * to the app's stderr; so that a user of the wrapper still sees problems,
 * it also appends its warnings and errors to a file named by
 * NRP_LOG_ECHO_FILE, which nrprof run repeats on its own stderr when
 * COMMAND ends. Signals sent to nrprof run (docker stop, systemd, kill) are
 * passed on to COMMAND; nrprof run then ends as COMMAND did: the same exit
 * status, or killed by the same signal.
 * Exit 2 on a usage error or a broken bundle; 126/127 when COMMAND cannot
 * be run, as a shell does.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "clr/clsid.h"
#include "nrp/result.h"
#include "util/path.h"


typedef struct {
    const char *config; /* --config FILE, or NULL */
    char **command;     /* argv of COMMAND, NULL-terminated */
} nrp_run_args;

static int usage(FILE *to)
{
    fprintf(to, "usage: nrprof run [--config FILE] -- COMMAND [ARGS...]\n"
                "  Runs COMMAND under the bundle's profiler (rules: FILE, default the bundle's\n"
                "  instrumentation.yaml), passes signals on to it, and repeats the profiler's\n"
                "  warnings and errors on stderr when it ends. Exit status: COMMAND's; 2 usage\n"
                "  error; 126/127 COMMAND cannot be run.\n");
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

/* ---- the child, its signals and its end ---------------------------------- */

/* Where the profiler repeats its warnings and errors, or "" when it will not:
 * NRP_LOG_FILE=- sends them to stderr already. */
static int make_echo_file(char *path, size_t cap)
{
    const char *log_file = getenv("NRP_LOG_FILE"), *tmp = getenv("TMPDIR");
    path[0] = '\0';
    if (unsetenv("NRP_LOG_ECHO_FILE") != 0 || (log_file && strcmp(log_file, "-") == 0))
        return 0;
    if (snprintf(path, cap, "%s/nrprof-run-XXXXXX", tmp && *tmp ? tmp : "/tmp") >= (int)cap) {
        path[0] = '\0';
        return 0;
    }
    int fd = mkstemp(path);
    if (fd < 0) {
        fprintf(stderr, "nrprof run: cannot create %s (%s): the profiler's warnings will be in its log only\n", path,
                strerror(errno));
        path[0] = '\0';
        return 0;
    }
    close(fd);
    return setenv("NRP_LOG_ECHO_FILE", path, 1);
}

/* At most this many lines are repeated; the rest are counted. */
#define ECHO_MAX_LINES 100

static void repeat_echo_file(const char *path)
{
    char line[4096];
    unsigned long shown = 0, more = 0;
    FILE *f = path[0] ? fopen(path, "r") : NULL;
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        size_t n = strlen(line);
        int whole = n > 0 && line[n - 1] == '\n';
        if (shown < ECHO_MAX_LINES)
            fputs(line, stderr);
        else if (whole)
            more++;
        shown += whole;
    }
    fclose(f);
    unlink(path);
    if (more)
        fprintf(stderr, "nrprof run: %lu more warning and error line(s) in the profiler's log\n", more);
}

static volatile sig_atomic_t child_pid;

static const int forwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

static void forward_signal(int sig, siginfo_t *info, void *context)
{
    (void)context;
    /* A terminal sends Ctrl+C, Ctrl+\ and hang-ups to its whole foreground
     * group, COMMAND included (si_code SI_KERNEL): sent again, COMMAND would
     * see them twice. What a process sends (kill, docker stop) is passed on. */
    if (info->si_code != SI_KERNEL && child_pid > 0)
        kill((pid_t)child_pid, sig);
}

static int set_forwarding(sigset_t *blocked, sigset_t *previous)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = forward_signal;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigemptyset(blocked);
    for (size_t i = 0; i < sizeof forwarded / sizeof *forwarded; i++) {
        sigaddset(blocked, forwarded[i]);
        if (sigaction(forwarded[i], &sa, NULL) != 0)
            return -1;
    }
    /* Held until the child's pid is known, so none is lost in between. */
    return sigprocmask(SIG_BLOCK, blocked, previous);
}

/* Ends this process as the child ended: killed by the same signal (its
 * core dump, if any, is the child's alone), else with its exit status. */
static int end_like(int status)
{
    if (!WIFSIGNALED(status))
        return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
    int sig = WTERMSIG(status);
    struct rlimit no_core = {0, 0};
    sigset_t just;
    setrlimit(RLIMIT_CORE, &no_core);
    signal(sig, SIG_DFL);
    fflush(NULL);
    raise(sig);
    sigemptyset(&just);
    sigaddset(&just, sig);
    sigprocmask(SIG_UNBLOCK, &just, NULL);
    return 128 + sig; /* a signal that does not kill (PID 1 in a container) */
}

int nrp_cli_run(int argc, char **argv)
{
    nrp_run_args args = {0};
    char bundle[PATH_MAX], profiler[PATH_MAX], config[PATH_MAX], echo[PATH_MAX];
    sigset_t blocked, previous;

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
    if (set_environment(profiler, config) != 0 || make_echo_file(echo, sizeof echo) != 0) {
        fprintf(stderr, "nrprof run: cannot set the environment: %s\n", strerror(errno));
        return 126;
    }
    if (set_forwarding(&blocked, &previous) != 0) {
        fprintf(stderr, "nrprof run: cannot pass signals on: %s\n", strerror(errno));
        return 126;
    }
    pid_t pid = fork();
    if (pid == 0) {
        sigprocmask(SIG_SETMASK, &previous, NULL); /* the handlers go with exec */
        execvp(args.command[0], args.command);
        int err = errno;
        fprintf(stderr, "nrprof run: cannot run '%s': %s\n", args.command[0], strerror(err));
        _exit(err == ENOENT ? 127 : 126);
    }
    if (pid < 0) {
        fprintf(stderr, "nrprof run: cannot start '%s': %s\n", args.command[0], strerror(errno));
        if (echo[0])
            unlink(echo);
        return 126;
    }
    child_pid = pid;
    sigprocmask(SIG_SETMASK, &previous, NULL);

    /* As PID 1 of a container, orphans are ours to reap too. */
    int status = 0;
    for (;;) {
        int st;
        pid_t done = waitpid(-1, &st, 0);
        if (done == pid) {
            status = st;
            break;
        }
        if (done < 0 && errno != EINTR) {
            status = 1 << 8; /* cannot happen: the child is ours */
            break;
        }
    }
    child_pid = 0;
    repeat_echo_file(echo);
    return end_like(status);
}
