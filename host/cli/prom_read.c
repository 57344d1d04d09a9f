/*
 * prom_read.c - the text exposition format, line by line:
 *
 *   name [ "{" label="value" { "," label="value" } [ "," ] "}" ] value [ timestamp ]
 *
 * with blanks (spaces, tabs) allowed between tokens, as Prometheus' own
 * parser allows them. Every line is checked whole, so a truncated or foreign
 * file is refused at its first bad line rather than half read.
 */
#include "cli/prom_read.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nrp/result.h"
#include "util/array.h"

typedef struct line_cursor {
    const char *start; /* first byte of the line, for the column */
    const char *p;
    const char *end; /* the newline (or the end of the text), excluded */
    unsigned number;
} line_cursor;

typedef struct label_list {
    nrp_prom_label *items;
    size_t count;
    size_t cap;
} label_list;

static nrp_result fail(const line_cursor *c, nrp_err *err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static nrp_result fail(const line_cursor *c, nrp_err *err, const char *fmt, ...)
{
    char reason[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    return nrp_err_set(err, "%u:%u: %s", c->number, (unsigned)(c->p - c->start) + 1, reason);
}

static int is_blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

static int is_name_start(char ch, int metric)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' || (metric && ch == ':');
}

static int is_name_char(char ch, int metric)
{
    return is_name_start(ch, metric) || (ch >= '0' && ch <= '9');
}

static void skip_blanks(line_cursor *c)
{
    while (c->p < c->end && is_blank(*c->p))
        c->p++;
}

static char *copy_str(nrp_arena *a, const char *s, size_t n)
{
    char *out = nrp_arena_alloc(a, n + 1);
    if (out)
        memcpy(out, s, n); /* the arena hands out zeroed memory: terminated */
    return out;
}

/* A metric or label name at the cursor, copied into the arena. */
static const char *read_name(line_cursor *c, nrp_arena *a, int metric, nrp_err *err, const char *what)
{
    const char *s = c->p;
    if (c->p >= c->end || !is_name_start(*c->p, metric)) {
        fail(c, err, "expected %s", what);
        return NULL;
    }
    while (c->p < c->end && is_name_char(*c->p, metric))
        c->p++;
    const char *name = copy_str(a, s, (size_t)(c->p - s));
    if (!name)
        nrp_err_set(err, "out of memory");
    return name;
}

/* A quoted label value; the cursor is on the opening quote. Measured
 * first, so a long line costs its own length, not that per label. */
static const char *read_value(line_cursor *c, nrp_arena *a, nrp_err *err)
{
    const char *s = ++c->p;
    size_t n = 0;
    for (; c->p < c->end && *c->p != '"'; n++) {
        if (*c->p != '\\') {
            c->p++;
            continue;
        }
        if (c->p + 1 >= c->end) { /* a lone backslash at the end: not closed */
            c->p = c->end;
            break;
        }
        char esc = c->p[1];
        if (esc != '\\' && esc != '"' && esc != 'n') {
            fail(c, err, "unknown escape in a label value (only \\\\, \\\" and \\n)");
            return NULL;
        }
        c->p += 2;
    }
    if (c->p >= c->end) {
        fail(c, err, "label value not closed by '\"'");
        return NULL;
    }
    char *out = nrp_arena_alloc(a, n + 1);
    if (!out) {
        nrp_err_set(err, "out of memory");
        return NULL;
    }
    for (size_t i = 0; s < c->p; i++) {
        if (*s == '\\') {
            out[i] = s[1] == 'n' ? '\n' : s[1];
            s += 2;
        } else {
            out[i] = *s++;
        }
    }
    c->p++;
    return out;
}

static nrp_result add_label(label_list *l, const char *name, const char *value)
{
    if (NRP_ARRAY_GROW(l->items, l->count, l->cap) != NRP_OK)
        return NRP_ERROR;
    l->items[l->count++] = (nrp_prom_label){name, value};
    return NRP_OK;
}

/* The "{...}" after a metric name; the cursor is on the brace. */
static nrp_result read_labels(line_cursor *c, nrp_arena *a, label_list *l, nrp_err *err)
{
    c->p++;
    for (;;) {
        skip_blanks(c);
        if (c->p < c->end && *c->p == '}')
            break; /* also after a trailing comma, which the format allows */
        const char *at = c->p;
        const char *name = read_name(c, a, 0, err, "a label name or '}'");
        if (!name)
            return NRP_ERROR;
        for (size_t i = 0; i < l->count; i++)
            if (strcmp(l->items[i].name, name) == 0) {
                c->p = at;
                return fail(c, err, "label '%s' appears twice", name);
            }
        skip_blanks(c);
        if (c->p >= c->end || *c->p != '=')
            return fail(c, err, "expected '=' after the label name");
        c->p++;
        skip_blanks(c);
        if (c->p >= c->end || *c->p != '"')
            return fail(c, err, "expected '\"' to open the label value");
        const char *value = read_value(c, a, err);
        if (!value)
            return NRP_ERROR;
        if (add_label(l, name, value) != NRP_OK)
            return nrp_err_set(err, "out of memory");
        skip_blanks(c);
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        if (c->p >= c->end || *c->p != '}')
            return fail(c, err, "expected ',' or '}' after a label value");
        break;
    }
    c->p++;
    return NRP_OK;
}

/* The sample value: a float, NaN or +-Inf, as Go's ParseFloat reads it. */
static nrp_result read_number(line_cursor *c, double *out, nrp_err *err)
{
    const char *s = c->p;
    while (c->p < c->end && !is_blank(*c->p))
        c->p++;
    char tok[64];
    size_t n = (size_t)(c->p - s);
    if (n == 0 || n >= sizeof tok) {
        c->p = s;
        return fail(c, err, n ? "value too long" : "expected a value");
    }
    memcpy(tok, s, n);
    tok[n] = '\0';
    char *stop;
    *out = strtod(tok, &stop);
    if (*stop) {
        c->p = s;
        return fail(c, err, "'%s' is not a number", tok);
    }
    return NRP_OK;
}

/* The optional timestamp: milliseconds since the epoch. Checked, not kept. */
static nrp_result read_timestamp(line_cursor *c, nrp_err *err)
{
    const char *s = c->p;
    if (c->p < c->end && *c->p == '-')
        c->p++;
    const char *digits = c->p;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
        c->p++;
    if (c->p == digits || (c->p < c->end && !is_blank(*c->p))) {
        c->p = s;
        return fail(c, err, "unexpected text after the value");
    }
    return NRP_OK;
}

static nrp_result push_series(nrp_prom_doc *doc, size_t *cap, const nrp_prom_series *s)
{
    if (NRP_ARRAY_GROW(doc->series, doc->count, *cap) != NRP_OK)
        return NRP_ERROR;
    doc->series[doc->count++] = *s;
    return NRP_OK;
}

static nrp_result parse_line(line_cursor *c, nrp_prom_doc *doc, size_t *cap, label_list *labels, nrp_err *err)
{
    skip_blanks(c);
    if (c->p == c->end || *c->p == '#')
        return NRP_OK; /* HELP, TYPE and plain comments say nothing we show */
    const char *nul = memchr(c->p, '\0', (size_t)(c->end - c->p));
    if (nul) {
        c->p = nul;
        return fail(c, err, "NUL byte");
    }
    nrp_prom_series s = {.line = c->number};
    s.name = read_name(c, &doc->arena, 1, err, "a metric name");
    if (!s.name)
        return NRP_ERROR;
    skip_blanks(c);
    labels->count = 0;
    if (c->p < c->end && *c->p == '{') {
        if (read_labels(c, &doc->arena, labels, err) != NRP_OK)
            return NRP_ERROR;
        skip_blanks(c);
    } else if (c->p < c->end && !is_blank(c->p[-1])) {
        return fail(c, err, "expected '{' or a blank after the metric name");
    }
    if (read_number(c, &s.value, err) != NRP_OK)
        return NRP_ERROR;
    skip_blanks(c);
    if (c->p < c->end && read_timestamp(c, err) != NRP_OK)
        return NRP_ERROR;
    skip_blanks(c);
    if (c->p < c->end)
        return fail(c, err, "unexpected text after the timestamp");
    if (labels->count) {
        nrp_prom_label *copy = nrp_arena_alloc(&doc->arena, labels->count * sizeof *copy);
        if (!copy)
            return nrp_err_set(err, "out of memory");
        memcpy(copy, labels->items, labels->count * sizeof *copy);
        s.labels = copy;
        s.label_count = labels->count;
    }
    if (push_series(doc, cap, &s) != NRP_OK)
        return nrp_err_set(err, "out of memory");
    return NRP_OK;
}

int nrp_prom_parse(const char *text, size_t len, nrp_prom_doc *doc, nrp_err *err)
{
    memset(doc, 0, sizeof *doc);
    label_list labels = {0};
    size_t cap = 0;
    const char *end = text + len;
    unsigned number = 0;
    nrp_result rc = NRP_OK;
    for (const char *p = text; p < end && rc == NRP_OK;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *line_end = nl ? nl : end;
        line_cursor c = {p, p, line_end, ++number};
        if (c.end > c.start && c.end[-1] == '\r')
            c.end--; /* tolerate files that went through a Windows editor */
        rc = parse_line(&c, doc, &cap, &labels, err);
        p = nl ? nl + 1 : end;
    }
    free(labels.items);
    if (rc != NRP_OK)
        nrp_prom_doc_free(doc);
    return rc;
}

void nrp_prom_doc_free(nrp_prom_doc *doc)
{
    free(doc->series);
    nrp_arena_free(&doc->arena);
    memset(doc, 0, sizeof *doc);
}

const char *nrp_prom_label_value(const nrp_prom_series *s, const char *name)
{
    for (size_t i = 0; i < s->label_count; i++)
        if (strcmp(s->labels[i].name, name) == 0)
            return s->labels[i].value;
    return NULL;
}
