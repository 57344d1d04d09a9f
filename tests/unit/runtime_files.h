/* runtime_files.h - files the unit tests read: a file whole, and the
 * assemblies of the installed .NET runtime (test_meta, test_roundtrip). */
#ifndef NRP_TEST_RUNTIME_FILES_H
#define NRP_TEST_RUNTIME_FILES_H

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>

/* The whole file, malloc'd; the test fails when it cannot be read. */
uint8_t *nrp_test_read_file(const char *path, size_t *len);

/* The name ends with ".dll". */
int nrp_test_is_dll(const char *name);

/* The .NET runtime's folder (NRP_TEST_DOTNET_RUNTIME_DIR, which ctest
 * sets) into *dir, open; NULL, said, when there is none: the caller skips
 * what needs it. */
DIR *nrp_test_runtime_dir(const char **dir);

#endif
