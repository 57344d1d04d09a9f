#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime_files.h"

uint8_t *nrp_test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    assert_true(size > 0);
    rewind(f);
    uint8_t *p = malloc((size_t)size);
    assert_non_null(p);
    assert_int_equal(fread(p, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    *len = (size_t)size;
    return p;
}

int nrp_test_is_dll(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && strcmp(name + n - 4, ".dll") == 0;
}

DIR *nrp_test_runtime_dir(const char **dir)
{
    *dir = getenv("NRP_TEST_DOTNET_RUNTIME_DIR");
    DIR *d = *dir && **dir ? opendir(*dir) : NULL;
    if (!d)
        print_message("no .NET runtime (NRP_TEST_DOTNET_RUNTIME_DIR '%s')\n", *dir ? *dir : "");
    return d;
}
