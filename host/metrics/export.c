#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "metrics/metrics.h"
#include "nrp/result.h"
#include "util/hash.h"
#include "util/path.h"

/* The temporary file, made anew: never a file, FIFO or symlink already at
 * that (predictable) name, which someone else may have put in /tmp to
 * have us overwrite another file or block. A leftover of an earlier process
 * with our pid is removed first (unlink removes a symlink, not its target). */
static FILE *create_temporary(const char *tmp)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd >= 0) {
            FILE *f = fdopen(fd, "w");
            if (!f)
                close(fd);
            return f;
        }
        if (errno != EEXIST || attempt > 0 || unlink(tmp) != 0)
            break;
    }
    return NULL;
}

/* Where the text goes as it is formatted: the temporary file, and the
 * hash and length of what went there. */
typedef struct export_sink {
    FILE *f;
    uint64_t hash;
    size_t len;
    int failed, error;
} export_sink;

static void to_file(void *ctx, const char *data, size_t len)
{
    export_sink *out = ctx;
    out->hash = nrp_hash_words(out->hash, data, len);
    out->len += len;
    if (!out->failed && fwrite(data, 1, len, out->f) != len) {
        out->failed = 1;
        out->error = errno;
    }
}

/* The text goes to the file in pieces of this size as it is formatted:
 * thousands of methods make megabytes of text, and a buffer that size
 * would be fresh memory, page faults included, at every export. */
#define EXPORT_PIECE (64u << 10)

nrp_result nrp_metrics_export_file(nrp_metrics *m, const char *path, nrp_metrics_format format,
                                   nrp_metrics_written *last, nrp_err *err)
{
    nrp_strbuf text;
    char tmp[4096];
    nrp_result rc = NRP_OK;

    /* The temporary sits next to the file so rename() is atomic, and a
     * reader (node_exporter's textfile collector) never sees half a file. */
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= sizeof tmp)
        return nrp_err_set(err, "metrics path too long: %s", path);
    export_sink out = {create_temporary(tmp), NRP_HASH_INIT, 0, 0, 0};
    if (!out.f)
        return nrp_err_set(err, "cannot create %s: %s", tmp, strerror(errno));
    nrp_strbuf_init(&text);
    nrp_strbuf_set_sink(&text, to_file, &out, EXPORT_PIECE);
    if (format == NRP_METRICS_JSON)
        nrp_metrics_format_json(m, &text);
    else
        nrp_metrics_format_prometheus(m, &text);
    nrp_strbuf_flush(&text);
    nrp_result formatted = text.status;
    nrp_strbuf_free(&text);
    int saved = out.error;
    int bad = out.failed || fflush(out.f) != 0;
    if (bad && !saved)
        saved = errno;
    if (fclose(out.f) != 0 && !bad) {
        bad = 1;
        saved = errno;
    }
    /* Unchanged since the last export, and the file still that size: it
     * stays as it is. */
    struct stat st;
    int unchanged = last && last->valid && last->hash == out.hash && last->len == out.len &&
                    nrp_path_stat(path, &st) == 0 && (size_t)st.st_size == out.len;
    if (formatted != NRP_OK)
        rc = nrp_err_set(err, "out of memory formatting metrics");
    else if (bad)
        rc = nrp_err_set(err, "cannot write %s: %s", tmp, strerror(saved));
    else if (!unchanged && rename(tmp, path) != 0)
        rc = nrp_err_set(err, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
    if (rc != NRP_OK || unchanged)
        unlink(tmp);
    if (last)
        *last = (nrp_metrics_written){rc == NRP_OK, out.hash, out.len};
    return rc;
}
