#include "util/trust.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nrp/result.h"
#include "util/path.h"

static int owner_ok(uid_t uid)
{
    return uid == 0 || uid == geteuid();
}

nrp_result nrp_file_trusted(const char *path, nrp_err *err)
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
        return nrp_err_set(err, "%s is writable by its group (mode %04o): chmod g-w %s", path,
                           (unsigned)(st.st_mode & 07777), path);
    if (st.st_mode & S_IWOTH)
        return nrp_err_set(err, "%s is writable by others (mode %04o): chmod o-w %s", path,
                           (unsigned)(st.st_mode & 07777), path);
    uid_t file_owner = st.st_uid;
    if (nrp_path_dirname(path, dir, sizeof dir) != NRP_OK || nrp_path_stat(dir, &st) != 0)
        return nrp_err_set(err, "cannot inspect the folder of %s", path);
    /* In a sticky folder (/tmp) others may add files but not replace or
     * rename one they do not own, so the file stays the one checked above,
     * as long as the folder's owner is root or the file's own owner. */
    int sticky_safe = (st.st_mode & S_ISVTX) && (st.st_uid == 0 || st.st_uid == file_owner);
    if ((st.st_mode & S_IWOTH) && !sticky_safe)
        return nrp_err_set(err, "%s sits in %s, which others can write and which is not sticky (mode %04o): "
                           "chmod o-w %s, or chmod +t %s so others cannot replace the file", path, dir,
                           (unsigned)(st.st_mode & 07777), dir, dir);
    return NRP_OK;
}
