#include "core/process.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

void nrp_process_name_from_args(const char *args, size_t len, char *out, size_t cap)
{
    const char *end = args + len, *argv0 = args;
    if (cap == 0)
        return;
    if (len == 0 || !*argv0) {
        snprintf(out, cap, "?");
        return;
    }
    const char *exe = base_name(argv0);
    if (strcmp(exe, "dotnet") == 0) {
        /* The muxer: the app is the first argument naming a .dll. */
        for (const char *a = argv0 + strlen(argv0) + 1; a < end; a += strlen(a) + 1)
            if (ends_with(a, ".dll")) {
                const char *dll = base_name(a);
                snprintf(out, cap, "%.*s", (int)(strlen(dll) - 4), dll);
                return;
            }
    }
    snprintf(out, cap, "%s", exe);
}

void nrp_process_name(char *out, size_t cap)
{
    char buf[8192];
    ssize_t n = -1;
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        n = read(fd, buf, sizeof buf - 1);
        close(fd);
    }
    if (n <= 0) {
        snprintf(out, cap, "?");
        return;
    }
    buf[n] = '\0';
    nrp_process_name_from_args(buf, (size_t)n, out, cap);
}
