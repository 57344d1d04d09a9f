#include "util/file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/array.h"

nrp_result nrp_file_read(const char *path, size_t max, char **data, size_t *len, int *error)
{
    FILE *f = fopen(path, "rbe");
    char *text = NULL;
    size_t used = 0, cap = 0;
    nrp_result rc = NRP_OK;
    *data = NULL;
    *len = 0;
    *error = 0;
    if (!f) {
        *error = errno;
        return NRP_ERROR;
    }
    for (;;) {
        /* room for a 4 KiB read and the NUL */
        if (nrp_array_reserve(&text, 1, used + 4096 + 1, &cap) != NRP_OK) {
            *error = ENOMEM;
            rc = NRP_NOMEM;
            break;
        }
        size_t n = fread(text + used, 1, cap - used - 1, f);
        used += n;
        if (used > max) {
            *error = EFBIG;
            rc = NRP_ERROR;
            break;
        }
        if (n == 0) {
            if (ferror(f)) {
                *error = errno ? errno : EIO;
                rc = NRP_ERROR;
            }
            break;
        }
    }
    fclose(f);
    if (rc != NRP_OK) {
        free(text);
        return rc;
    }
    text[used] = '\0';
    *data = text;
    *len = used;
    return NRP_OK;
}
