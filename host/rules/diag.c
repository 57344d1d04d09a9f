#include "rules/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/array.h"
#include "util/escape.h"

void nrp_diags_init(nrp_diags *d)
{
    memset(d, 0, sizeof *d);
}

void nrp_diags_free(nrp_diags *d)
{
    for (size_t i = 0; i < d->count; i++) {
        free(d->items[i].file);
        free(d->items[i].message);
    }
    free(d->items);
    nrp_diags_init(d);
}

void nrp_diags_add(nrp_diags *d, const char *file, unsigned line, unsigned column, const char *fmt, ...)
{
    char text[1024], msg[1024], where[1024];
    va_list ap;
    if (d->count >= NRP_DIAGS_MAX) {
        d->dropped++;
        return;
    }
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    /* Messages quote keys and values from the file: one problem, one line. */
    nrp_escape_controls(msg, sizeof msg, text, n < 0 ? 0 : (size_t)n < sizeof text ? (size_t)n : sizeof text - 1);
    file = file ? file : "?";
    nrp_escape_controls(where, sizeof where, file, strlen(file));
    if (NRP_ARRAY_GROW(d->items, d->count, d->cap) != NRP_OK) {
        d->status = NRP_NOMEM;
        return;
    }
    nrp_diag *e = &d->items[d->count];
    e->file = strdup(where);
    e->message = strdup(msg);
    e->line = line;
    e->column = column;
    if (!e->file || !e->message) {
        free(e->file);
        free(e->message);
        d->status = NRP_NOMEM;
        return;
    }
    d->count++;
}

size_t nrp_diags_total(const nrp_diags *d)
{
    return d->count + d->dropped;
}

void nrp_diag_format(const nrp_diag *d, nrp_strbuf *out)
{
    if (d->line)
        nrp_strbuf_printf(out, "%s:%u:%u: error: %s", d->file, d->line, d->column, d->message);
    else
        nrp_strbuf_printf(out, "%s: error: %s", d->file, d->message);
}

void nrp_diags_format(const nrp_diags *d, nrp_strbuf *out)
{
    for (size_t i = 0; i < d->count; i++) {
        nrp_diag_format(&d->items[i], out);
        nrp_strbuf_puts(out, "\n");
    }
    if (d->dropped)
        nrp_strbuf_printf(out, "(and %zu more error%s)\n", d->dropped, d->dropped == 1 ? "" : "s");
    if (d->status != NRP_OK)
        nrp_strbuf_puts(out, "(some errors were lost: out of memory)\n");
}
