#include "util/trust.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nrp/plugin.h"
#include "util/path.h"

static int owner_ok(uid_t uid)
{
    return uid == 0 || uid == geteuid();
}

int nrp_file_trusted(const char *path, nrp_err *err)
{
    struct stat st;
    char dir[4096];
    if (nrp_path_stat(path, &st) != 0)
        return nrp_err_set(err, "%s: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return nrp_err_set(err, "%s is not a regular file", path);
    if (!owner_ok(st.st_uid))
        return nrp_err_set(err, "%s is owned by uid %ld, neither root nor this process's user", path,
                           (long)st.st_uid);
    if (st.st_mode & S_IWGRP)
        return nrp_err_set(err, "%s is writable by its group (mode %04o)", path, (unsigned)(st.st_mode & 07777));
    if (st.st_mode & S_IWOTH)
        return nrp_err_set(err, "%s is writable by others (mode %04o)", path, (unsigned)(st.st_mode & 07777));
    if (nrp_path_dirname(path, dir, sizeof dir) != NRP_OK || nrp_path_stat(dir, &st) != 0)
        return nrp_err_set(err, "cannot inspect the folder of %s", path);
    if (st.st_mode & S_IWOTH)
        return nrp_err_set(err, "%s sits in %s, which is writable by others (mode %04o)", path, dir,
                           (unsigned)(st.st_mode & 07777));
    return NRP_OK;
}
