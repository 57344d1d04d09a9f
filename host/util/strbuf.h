/* strbuf.h - a growable NUL-terminated string. An allocation failure is
 * remembered (status) so callers check once at the end instead of per append. */
#ifndef NRP_UTIL_STRBUF_H
#define NRP_UTIL_STRBUF_H

#include <stddef.h>
#include <string.h>

#include "nrp/result.h"

typedef struct nrp_strbuf {
    char *data;
    size_t len;
    size_t cap;
    nrp_result status; /* NRP_NOMEM once an append failed; later appends do nothing */
    /* With a sink (nrp_strbuf_set_sink), the text goes out in pieces: when
     * an append would take it past sink_at bytes, what is there is handed
     * to the sink and the buffer starts again, so a text of megabytes (the
     * metrics export) never sits in memory whole. Appends only: a caller
     * must not rewrite what it appended. */
    void (*sink)(void *ctx, const char *data, size_t len);
    void *sink_ctx;
    size_t sink_at;
} nrp_strbuf;

void nrp_strbuf_init(nrp_strbuf *sb);
void nrp_strbuf_free(nrp_strbuf *sb);
/* The out-of-line part of nrp_strbuf_append: growing, or a failed buffer. */
void nrp_strbuf_append_grow(nrp_strbuf *sb, const char *s, size_t n);

/* Inline when it fits: the metrics export appends millions of short pieces
 * (escaped names go a byte at a time). len < cap whenever cap > 0. */
static inline void nrp_strbuf_append(nrp_strbuf *sb, const char *s, size_t n)
{
    if (sb->status != NRP_OK || n >= sb->cap - sb->len) {
        nrp_strbuf_append_grow(sb, s, n);
        return;
    }
    memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}
void nrp_strbuf_puts(nrp_strbuf *sb, const char *s);
/* Send the text through sink(ctx, ...) in pieces of about `at` bytes from
 * now on; nrp_strbuf_flush hands over the rest. */
void nrp_strbuf_set_sink(nrp_strbuf *sb, void (*sink)(void *ctx, const char *data, size_t len), void *ctx,
                         size_t at);
void nrp_strbuf_flush(nrp_strbuf *sb);
void nrp_strbuf_printf(nrp_strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Give the string to the caller (free() it) and reset sb; NULL if oom. */
char *nrp_strbuf_take(nrp_strbuf *sb);

#endif
