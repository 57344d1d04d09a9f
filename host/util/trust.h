/*
 * trust.h - may the profiler load this file? The StrictModes rule of
 * OpenSSH: a plugin or configuration file is loaded only when it is owned
 * by root or by the process's user, is writable by nobody else (no group
 * or other write bit), and sits in a folder others cannot write to. Code
 * and rules loaded into every .NET process must not be replaceable by
 * another user. It must also be a regular file: opening a FIFO would block
 * the app's start until someone writes to it.
 */
#ifndef NRP_UTIL_TRUST_H
#define NRP_UTIL_TRUST_H

#include "nrp/result.h"
#include "util/err.h"

/* NRP_OK, or NRP_ERROR with the file and the bit at fault in err. */
nrp_result nrp_file_trusted(const char *path, nrp_err *err);

#endif
