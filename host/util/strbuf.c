#include "util/array.h"
#include "util/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void nrp_strbuf_init(nrp_strbuf *sb)
{
    memset(sb, 0, sizeof *sb);
}

void nrp_strbuf_free(nrp_strbuf *sb)
{
    free(sb->data);
    nrp_strbuf_init(sb);
}

void nrp_strbuf_set_sink(nrp_strbuf *sb, void (*sink)(void *ctx, const char *data, size_t len), void *ctx,
                         size_t at)
{
    sb->sink = sink;
    sb->sink_ctx = ctx;
    sb->sink_at = at;
}

void nrp_strbuf_flush(nrp_strbuf *sb)
{
    if (sb->sink && sb->status == NRP_OK && sb->len) {
        sb->sink(sb->sink_ctx, sb->data, sb->len);
        sb->len = 0;
        sb->data[0] = '\0';
    }
}

static int reserve(nrp_strbuf *sb, size_t extra)
{
    if (sb->status != NRP_OK)
        return -1;
    if (sb->sink && sb->len + extra + 1 > sb->sink_at)
        nrp_strbuf_flush(sb);
    if (nrp_array_reserve(&sb->data, 1, sb->len + extra + 1, &sb->cap) != NRP_OK) {
        sb->status = NRP_NOMEM;
        return -1;
    }
    return 0;
}

void nrp_strbuf_append_grow(nrp_strbuf *sb, const char *s, size_t n)
{
    if (reserve(sb, n))
        return;
    memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}

void nrp_strbuf_puts(nrp_strbuf *sb, const char *s)
{
    nrp_strbuf_append(sb, s, strlen(s));
}

void nrp_strbuf_printf(nrp_strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || reserve(sb, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

char *nrp_strbuf_take(nrp_strbuf *sb)
{
    char *s = NULL;
    if (sb->status == NRP_OK)
        s = sb->data ? sb->data : calloc(1, 1);
    else
        free(sb->data);
    nrp_strbuf_init(sb);
    return s;
}
