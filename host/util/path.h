/* path.h - small path helpers shared by the log, the metrics and the loader. */
#ifndef NRP_UTIL_PATH_H
#define NRP_UTIL_PATH_H

#include <stddef.h>

#include "nrp/result.h"

struct stat;

/* Copy tmpl to out replacing every "{pid}" with the process id. Returns
 * NRP_OK, or NRP_ERROR when out is too small. */
nrp_result nrp_path_expand_pid(const char *tmpl, char *out, size_t cap);

/* Directory part of path ("." when there is none) into out. */
nrp_result nrp_path_dirname(const char *path, char *out, size_t cap);

/* dir + "/" + name into out. */
int nrp_path_join(const char *dir, const char *name, char *out, size_t cap);

/* stat(2) that glibc builds can call on glibc older than 2.33 (see
 * compat/glibc_floor.h); plain stat elsewhere. */
int nrp_path_stat(const char *path, struct stat *st);
/* fstat(2) likewise. */
int nrp_path_fstat(int fd, struct stat *st);

#endif
