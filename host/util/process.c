#include "util/process.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nrp/result.h"

const char *const nrp_builtin_process_excludes[] = {
    "dotnet", "MSBuild", "VBCSCompiler", "csc", "vbc", "NuGet.Build.Tasks.Console", "dotnet-*", NULL};

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && strcmp(s + n - m, suffix) == 0;
}

/* The argument naming the app's main assembly under the muxer, or NULL. */
static const char *muxer_app(const char *args, size_t len)
{
    const char *end = args + len;
    if (len == 0 || strcmp(base_name(args), "dotnet") != 0)
        return NULL;
    for (const char *a = args + strlen(args) + 1; a < end; a += strlen(a) + 1)
        if (ends_with(a, ".dll"))
            return a;
    return NULL;
}

void nrp_process_name_from_args(const char *args, size_t len, char *out, size_t cap)
{
    const char *argv0 = args;
    if (cap == 0)
        return;
    if (len == 0 || !*argv0) {
        snprintf(out, cap, "?");
        return;
    }
    /* Under the muxer the app is the first argument naming a .dll. */
    const char *app = muxer_app(args, len);
    if (app) {
        const char *dll = base_name(app);
        snprintf(out, cap, "%.*s", (int)(strlen(dll) - 4), dll);
        return;
    }
    snprintf(out, cap, "%s", base_name(argv0));
}

nrp_result nrp_process_main_path_from_args(const char *args, size_t len, const char *exe, char *out, size_t cap)
{
    char full[PATH_MAX];
    const char *app = muxer_app(args, len);
    if (!realpath(app ? app : exe, full) || (size_t)snprintf(out, cap, "%s", full) >= cap)
        return NRP_ERROR;
    return NRP_OK;
}

static ssize_t read_cmdline(char *buf, size_t cap)
{
    ssize_t n = -1;
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        n = read(fd, buf, cap - 1);
        close(fd);
    }
    if (n > 0)
        buf[n] = '\0';
    return n;
}

int nrp_process_main_path(char *out, size_t cap)
{
    char buf[8192];
    ssize_t n = read_cmdline(buf, sizeof buf);
    return n <= 0 ? NRP_ERROR : nrp_process_main_path_from_args(buf, (size_t)n, "/proc/self/exe", out, cap);
}

void nrp_process_name(char *out, size_t cap)
{
    char buf[8192];
    ssize_t n = -1;
    n = read_cmdline(buf, sizeof buf);
    if (n <= 0) {
        snprintf(out, cap, "?");
        return;
    }
    nrp_process_name_from_args(buf, (size_t)n, out, cap);
}
