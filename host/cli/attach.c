/*
 * nrprof attach PID [--config FILE]
 *
 * Loads the bundle's profiler into a .NET process that started without
 * it, through the runtime's diagnostics socket (no dotnet tool needed).
 * The rules file (default: the bundle's instrumentation.yaml) is checked
 * first, exactly as `nrprof check` does: an invalid one is never sent. The
 * profiler then matches the modules already loaded and ReJITs what the
 * rules select: calls from then on are instrumented, calls already
 * running finish on their old code.
 *
 * Exit status: 0 attached, 1 the rules are invalid (nothing sent), 2 usage
 * error, 3 no such .NET process, or the runtime refused (its HRESULT
 * explained).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/diag_ipc.h"
#include "clr/clsid.h"
#include "util/path.h"

/* How long the runtime lets InitializeForAttach take, and how much longer
 * nrprof waits for its answer. */
#define ATTACH_TIMEOUT_MS 10000
#define REPLY_SLACK_MS 5000
/* How long a process still starting is asked again, and how often. */
#define STARTING_WAIT_MS 10000
#define STARTING_POLL_MS 50

static int usage(FILE *to)
{
    fprintf(to, "usage: nrprof attach PID [--config FILE]\n"
                "  Loads the profiler into the running .NET process PID with the rules of FILE\n"
                "  (default: the bundle's instrumentation.yaml), checked first as `nrprof check` does.\n"
                "  Exit status: 0 attached, 1 invalid rules (nothing sent), 2 usage error,\n"
                "  3 no such .NET process or the runtime refused.\n");
    return to == stdout ? 0 : 2;
}

static int parse_pid(const char *s, pid_t *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v <= 0 || v > INT_MAX)
        return 0;
    *out = (pid_t)v;
    return 1;
}

int nrp_cli_attach(int argc, char **argv)
{
    char bundle[PATH_MAX], config[PATH_MAX], profiler[PATH_MAX], socket_path[PATH_MAX];
    const char *pid_text = NULL, *config_arg = NULL;
    pid_t pid = 0;
    nrp_err err;

    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return usage(stdout);
        if (strcmp(argv[i], "--config") == 0) {
            if (++i == argc)
                return usage(stderr);
            config_arg = argv[i];
        } else if (nrp_cli_operand(argv[i], 1, &pid_text) != NRP_OK)
            return usage(stderr);
    }
    if (!pid_text || !parse_pid(pid_text, &pid)) {
        if (pid_text)
            fprintf(stderr, "nrprof attach: '%s' is not a process id\n", pid_text);
        return usage(stderr);
    }
    if (nrp_cli_bundle_dir(bundle, sizeof bundle) != NRP_OK) {
        fprintf(stderr, "nrprof: cannot find the bundle folder from /proc/self/exe\n");
        return 2;
    }
    /* The process has its own working directory: it gets absolute paths. */
    if (config_arg) {
        if (!realpath(config_arg, config)) {
            fprintf(stderr, "nrprof attach: %s: no such file\n", config_arg);
            return 1;
        }
    } else if (nrp_path_join(bundle, "instrumentation.yaml", config, sizeof config) != NRP_OK)
        return 2;
    if (nrp_cli_check_file(config, 0, bundle) != 0)
        return 1;
    if (nrp_path_join(bundle, "libNewRelicProfiler.so", profiler, sizeof profiler) != NRP_OK)
        return 2;

    if (nrp_ipc_socket_path(pid, socket_path, sizeof socket_path, &err) != NRP_OK) {
        fprintf(stderr, "nrprof attach: %s\n", err.msg);
        return 3;
    }
    uint8_t clsid[16], request[NRP_IPC_MAX_MESSAGE], reply[256];
    char client[PATH_MAX + 16];
    int client_len = snprintf(client, sizeof client, "config=%s\n", config);
    size_t request_len = 0, reply_len = 0;
    if (nrp_ipc_guid_parse(NRP_PROFILER_CLSID_TEXT, clsid) != NRP_OK ||
        client_len < 0 || (size_t)client_len >= sizeof client ||
        !(request_len = nrp_ipc_attach_request(request, sizeof request, ATTACH_TIMEOUT_MS, clsid, profiler,
                                               (const uint8_t *)client, (uint32_t)client_len))) {
        fprintf(stderr, "nrprof attach: the paths are too long for a request\n");
        return 2;
    }
    int ok;
    uint32_t hr;
    /* A process that has just started answers "not yet" until its runtime
     * runs: asked again every STARTING_POLL_MS for a while. */
    for (int tries = 0;; tries++) {
        if (nrp_ipc_exchange(socket_path, request, request_len, reply, sizeof reply, &reply_len,
                             ATTACH_TIMEOUT_MS + REPLY_SLACK_MS, &err) != NRP_OK) {
            fprintf(stderr, "nrprof attach: process %d: %s\n", (int)pid, err.msg);
            return 3;
        }
        if (nrp_ipc_parse_reply(reply, reply_len, &ok, &hr) != NRP_OK) {
            fprintf(stderr, "nrprof attach: process %d sent a reply that is not one (%zu bytes)\n", (int)pid,
                    reply_len);
            return 3;
        }
        if (ok || hr != NRP_IPC_E_NOT_YET_AVAILABLE || tries * STARTING_POLL_MS >= STARTING_WAIT_MS)
            break;
        nanosleep(&(struct timespec){0, STARTING_POLL_MS * 1000000L}, NULL);
    }
    if (ok && hr == 0) {
        printf("nrprof attach: attached to process %d with %s\n", (int)pid, config);
        return 0;
    }
    const char *why = nrp_ipc_explain(hr);
    fprintf(stderr, "nrprof attach: process %d refused: 0x%08x: %s\n", (int)pid, (unsigned)hr,
            why ? why : "see the runtime's documentation of this HRESULT");
    return 3;
}
