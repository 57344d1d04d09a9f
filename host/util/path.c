#include "util/path.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nrp/result.h"

nrp_result nrp_path_expand_pid(const char *tmpl, char *out, size_t cap)
{
    char pid[24];
    size_t pid_len = (size_t)snprintf(pid, sizeof pid, "%ld", (long)getpid());
    size_t len = 0;
    for (const char *p = tmpl; *p;) {
        const char *piece = p;
        size_t n = 1;
        if (strncmp(p, "{pid}", 5) == 0) {
            piece = pid;
            n = pid_len;
            p += 5;
        } else {
            p++;
        }
        if (len + n >= cap)
            return NRP_ERROR;
        memcpy(out + len, piece, n);
        len += n;
    }
    if (cap == 0)
        return NRP_ERROR;
    out[len] = '\0';
    return NRP_OK;
}

nrp_result nrp_path_dirname(const char *path, char *out, size_t cap)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return snprintf(out, cap, ".") < (int)cap ? NRP_OK : NRP_ERROR;
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    if (n >= cap)
        return NRP_ERROR;
    memcpy(out, path, n);
    out[n] = '\0';
    return NRP_OK;
}

int nrp_path_join(const char *dir, const char *name, char *out, size_t cap)
{
    /* An empty dir means the current one; never turn name into "/name". */
    const char *sep = !dir[0] || dir[strlen(dir) - 1] == '/' ? "" : "/";
    int n = snprintf(out, cap, "%s%s%s", dir, sep, name);
    return n >= 0 && (size_t)n < cap ? NRP_OK : NRP_ERROR;
}

int nrp_path_stat(const char *path, struct stat *st)
{
#ifdef NRP_GLIBC_FLOOR_PINNED
    return nrp_glibc_xstat(NRP_GLIBC_STAT_VERSION, path, st);
#else
    return stat(path, st);
#endif
}

int nrp_path_fstat(int fd, struct stat *st)
{
#ifdef NRP_GLIBC_FLOOR_PINNED
    return nrp_glibc_fxstat(NRP_GLIBC_STAT_VERSION, fd, st);
#else
    return fstat(fd, st);
#endif
}
