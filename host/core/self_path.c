#include "core/self_path.h"

#include <dlfcn.h>
#include <stdint.h>
#include <limits.h>
#include <stdlib.h>

#include "nrp/result.h"
#include "util/path.h"

nrp_result nrp_self_dir(char *out, size_t cap)
{
    Dl_info info;
    char resolved[PATH_MAX];
    if (!dladdr((void *)(uintptr_t)nrp_self_dir, &info) || !info.dli_fname)
        return NRP_ERROR;
    /* The runtime may have loaded us through a relative path or a symlink. */
    const char *path = realpath(info.dli_fname, resolved) ? resolved : info.dli_fname;
    return nrp_path_dirname(path, out, cap);
}
