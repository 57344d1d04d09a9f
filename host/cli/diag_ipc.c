#include "cli/diag_ipc.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "util/path.h"
#include "util/utf16.h"

#define PROFILER_COMMAND_SET 0x03
#define ATTACH_PROFILER 0x01
#define SERVER_COMMAND_SET 0xFF
#define SERVER_OK 0x00
#define SERVER_ERROR 0xFF

static const char magic[14] = "DOTNET_IPC_V1"; /* and its NUL */

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

nrp_result nrp_ipc_guid_parse(const char *text, uint8_t out[16])
{
    /* 8-4-4-4-12 hex digits; the groups' widths in bytes. */
    static const int groups[5] = {4, 2, 2, 2, 6};
    uint8_t raw[16];
    size_t at = 0, n = 0;
    int braced = text[0] == '{';
    const char *p = text + braced;
    for (int g = 0; g < 5; g++) {
        if (g && *p++ != '-')
            return NRP_ERROR;
        for (int b = 0; b < groups[g]; b++, p += 2) {
            int hi = hex_digit(p[0]), lo = hi < 0 ? -1 : hex_digit(p[1]);
            if (lo < 0)
                return NRP_ERROR;
            raw[n++] = (uint8_t)(hi << 4 | lo);
        }
    }
    if ((braced && *p++ != '}') || *p)
        return NRP_ERROR;
    /* Data1, Data2 and Data3 are integers, stored little-endian; Data4 is
     * bytes, as written. */
    static const int order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    for (at = 0; at < 16; at++)
        out[at] = raw[order[at]];
    return NRP_OK;
}

size_t nrp_ipc_attach_request(uint8_t *out, size_t cap, uint32_t timeout_ms, const uint8_t clsid[16],
                              const char *profiler_path, const uint8_t *client, uint32_t client_len)
{
    uint16_t path16[4096];
    if (nrp_utf8_to_utf16(profiler_path, path16, sizeof path16 / sizeof *path16) != NRP_OK)
        return 0;
    size_t chars = 0;
    while (path16[chars])
        chars++;
    chars++; /* the runtime reads a string as its length in UTF-16 units, its NUL included */
    size_t total = NRP_IPC_HEADER_SIZE + 4 + 16 + 4 + 2 * chars + 4 + (size_t)client_len;
    if (total > NRP_IPC_MAX_MESSAGE || total > cap)
        return 0;
    uint8_t *p = out;
    memcpy(p, magic, sizeof magic);
    put16(p + 14, (uint16_t)total);
    p[16] = PROFILER_COMMAND_SET;
    p[17] = ATTACH_PROFILER;
    put16(p + 18, 0);
    p += NRP_IPC_HEADER_SIZE;
    put32(p, timeout_ms);
    memcpy(p + 4, clsid, 16);
    p += 20;
    put32(p, (uint32_t)chars);
    p += 4;
    for (size_t i = 0; i < chars; i++, p += 2)
        put16(p, path16[i]);
    put32(p, client_len);
    if (client_len)
        memcpy(p + 4, client, client_len);
    return total;
}

nrp_result nrp_ipc_parse_reply(const uint8_t *buf, size_t len, int *ok, uint32_t *code)
{
    if (len < NRP_IPC_HEADER_SIZE + 4 || memcmp(buf, magic, sizeof magic) != 0 || buf[16] != SERVER_COMMAND_SET ||
        (buf[17] != SERVER_OK && buf[17] != SERVER_ERROR) || ((size_t)buf[14] | (size_t)buf[15] << 8) < len)
        return NRP_ERROR;
    *ok = buf[17] == SERVER_OK;
    *code = get32(buf + NRP_IPC_HEADER_SIZE);
    return NRP_OK;
}

const char *nrp_ipc_explain(uint32_t hr)
{
    static const struct {
        uint32_t hr;
        const char *what;
    } known[] = {
        {0x80131375u, "the profiler declined to start in that process (CORPROF_E_PROFILER_CANCEL_ACTIVATION): its "
                      "log says why (settings.log_file, by default /tmp/nrprof-PID.log)"},
        {0x8013136Au, "a profiler is already loaded in that process (CORPROF_E_PROFILER_ALREADY_ACTIVE): a process has "
                      "one at most, from its start-up or an earlier attach"},
        {0x80131368u, "the profiler does not support attaching (CORPROF_E_PROFILER_NOT_ATTACHABLE)"},
        {0x8013136Bu, "the process's runtime is too different from what attach needs "
                      "(CORPROF_E_PROFILEE_INCOMPATIBLE_WITH_TRIGGER)"},
        {0x8013136Cu, "the exchange with the process failed; it may be exiting (CORPROF_E_IPC_FAILED)"},
        {0x8013135Bu, "the runtime is still starting (DS_IPC_E_NOT_YET_AVAILABLE)"},
        {0x80131371u, "the runtime is not initialised (DS_IPC_E_RUNTIME_UNINITIALIZED)"},
        {0x80131384u, "the runtime could not read the request (DS_IPC_E_BAD_ENCODING)"},
        {0x80131385u, "the runtime does not know the AttachProfiler command (DS_IPC_E_UNKNOWN_COMMAND): it is older "
                      "than .NET Core 3.0"},
        {0x80131386u, "the runtime did not recognise the request (DS_IPC_E_UNKNOWN_MAGIC)"},
        {0x80131515u, "the runtime does not support profiler attach (DS_IPC_E_NOTSUPPORTED)"},
        {0x80070005u, "access denied: the process belongs to another user"},
        {0x800705B4u, "the profiler did not finish initialising in time (ERROR_TIMEOUT)"},
        {0x8007007Eu, "the runtime could not load libNewRelicProfiler.so (ERROR_MOD_NOT_FOUND): the path must be "
                      "readable from inside the process, and the library built for its C library"},
        {0x80004005u, "the runtime failed to attach the profiler (E_FAIL)"},
    };
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (known[i].hr == hr)
            return known[i].what;
    return NULL;
}

/* The TMPDIR of process pid, from its environment, into out; 0 when it
 * has none or it cannot be read. */
static int process_tmpdir(pid_t pid, char *out, size_t cap)
{
    char path[64], env[65536];
    snprintf(path, sizeof path, "/proc/%d/environ", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, env, sizeof env - 1);
    close(fd);
    if (n <= 0)
        return 0;
    env[n] = '\0';
    for (char *v = env; v < env + n; v += strlen(v) + 1)
        if (strncmp(v, "TMPDIR=", 7) == 0 && v[7] && strlen(v + 7) < cap) {
            strcpy(out, v + 7);
            return 1;
        }
    return 0;
}

nrp_result nrp_ipc_socket_path(pid_t pid, char *out, size_t cap, nrp_err *err)
{
    char dir[4096], pattern[4200], proc[64];
    struct stat st;
    snprintf(proc, sizeof proc, "/proc/%d", (int)pid);
    if (pid <= 0 || nrp_path_stat(proc, &st) != 0)
        return nrp_err_set(err, "no process %d", (int)pid);
    const char *tmp = getenv("TMPDIR");
    if (!process_tmpdir(pid, dir, sizeof dir))
        snprintf(dir, sizeof dir, "%s", tmp && *tmp ? tmp : "/tmp");
    size_t dl = strlen(dir);
    while (dl > 1 && dir[dl - 1] == '/')
        dir[--dl] = '\0';
    snprintf(pattern, sizeof pattern, "%s/dotnet-diagnostic-%d-*-socket", dir, (int)pid);
    glob_t g;
    int rc = glob(pattern, 0, NULL, &g);
    if (rc != 0) {
        if (rc != GLOB_NOMATCH)
            return nrp_err_set(err, "cannot look for %s", pattern);
        return nrp_err_set(err,
                           "process %d has no diagnostics socket in %s: it is not a .NET process, or it runs with "
                           "DOTNET_EnableDiagnostics=0, or in another mount namespace (a container)",
                           (int)pid, dir);
    }
    const char *best = NULL;
    struct timespec newest = {0, 0};
    for (size_t i = 0; i < g.gl_pathc; i++) {
        if (nrp_path_stat(g.gl_pathv[i], &st) != 0 || !S_ISSOCK(st.st_mode))
            continue;
        if (!best || st.st_mtim.tv_sec > newest.tv_sec ||
            (st.st_mtim.tv_sec == newest.tv_sec && st.st_mtim.tv_nsec > newest.tv_nsec)) {
            best = g.gl_pathv[i];
            newest = st.st_mtim;
        }
    }
    nrp_result r = NRP_OK;
    if (!best)
        r = nrp_err_set(err, "process %d has no diagnostics socket in %s", (int)pid, dir);
    else if (strlen(best) >= cap || strlen(best) >= sizeof(((struct sockaddr_un *)0)->sun_path))
        r = nrp_err_set(err, "the socket path %s is too long", best);
    else
        strcpy(out, best);
    globfree(&g);
    return r;
}

nrp_result nrp_ipc_exchange(const char *path, const uint8_t *request, size_t request_len, uint8_t *reply,
                            size_t cap, size_t *len, unsigned wait_ms, nrp_err *err)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof addr.sun_path)
        return nrp_err_set(err, "the socket path %s is too long", path);
    strcpy(addr.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return nrp_err_set(err, "socket: %s", strerror(errno));
    nrp_result r = NRP_OK;
    *len = 0;
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        r = nrp_err_set(err, "cannot connect to %s: %s%s", path, strerror(errno),
                        errno == EACCES ? " (the process belongs to another user)"
                        : errno == ECONNREFUSED ? " (the process has exited)" : "");
        goto out;
    }
    for (size_t sent = 0; sent < request_len;) {
        ssize_t n = send(fd, request + sent, request_len - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            r = nrp_err_set(err, "cannot send to %s: %s", path, strerror(errno));
            goto out;
        }
        sent += (size_t)n;
    }
    /* The reply is a header and a u32; the runtime closes the stream. */
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (*len < cap) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        long spent = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (spent >= (long)wait_ms) {
            r = nrp_err_set(err, "no reply from the process within %u ms", wait_ms);
            goto out;
        }
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int ready = poll(&pfd, 1, (int)((long)wait_ms - spent));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            continue;
        ssize_t n = recv(fd, reply + *len, cap - *len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            r = nrp_err_set(err, "cannot read the reply: %s", strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        *len += (size_t)n;
        if (*len >= NRP_IPC_HEADER_SIZE + 4)
            break;
    }
out:
    close(fd);
    return r;
}
