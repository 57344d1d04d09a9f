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
    nrp_strbuf_init(&text);
    if (format == NRP_METRICS_JSON)
        nrp_metrics_format_json(m, &text);
    else
        nrp_metrics_format_prometheus(m, &text);
    if (text.status != NRP_OK) {
        nrp_strbuf_free(&text);
        return nrp_err_set(err, "out of memory formatting metrics");
    }
    uint64_t hash = nrp_hash_words(NRP_HASH_INIT, text.data, text.len);
    struct stat st;
    if (last && last->valid && last->hash == hash && last->len == text.len && nrp_path_stat(path, &st) == 0 &&
        (size_t)st.st_size == text.len) {
        nrp_strbuf_free(&text);
        return NRP_OK;
    }
    FILE *f = create_temporary(tmp);
    if (!f) {
        rc = nrp_err_set(err, "cannot create %s: %s", tmp, strerror(errno));
    } else {
        size_t n = text.len ? fwrite(text.data, 1, text.len, f) : 0;
        int bad = n != text.len || fflush(f) != 0;
        int saved = errno;
        if (fclose(f) != 0 && !bad) {
            bad = 1;
            saved = errno;
        }
        if (bad)
            rc = nrp_err_set(err, "cannot write %s: %s", tmp, strerror(saved));
        else if (rename(tmp, path) != 0)
            rc = nrp_err_set(err, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
        if (rc != NRP_OK)
            unlink(tmp);
    }
    if (last)
        *last = (nrp_metrics_written){rc == NRP_OK, hash, text.len};
    nrp_strbuf_free(&text);
    return rc;
}
