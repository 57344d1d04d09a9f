#include "metrics/metrics.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nrp/plugin.h"

#define BUCKETS 4096

typedef struct series {
    uint64_t value; /* first, and alone in its allocation: injected code writes here */
    char *name;
    char *help;
    char *rule;
    char *method;
    struct series *next_in_bucket;
    struct series *next_created;
} series;

struct nrp_metrics {
    pthread_mutex_t lock;
    series *buckets[BUCKETS];
    series *first;
    series *last;
};

nrp_metrics *nrp_metrics_create(void)
{
    nrp_metrics *m = calloc(1, sizeof *m);
    if (m)
        pthread_mutex_init(&m->lock, NULL);
    return m;
}

static void series_free(series *s)
{
    free(s->name);
    free(s->help);
    free(s->rule);
    free(s->method);
    free(s);
}

void nrp_metrics_destroy(nrp_metrics *m)
{
    if (!m)
        return;
    for (series *s = m->first, *next; s; s = next) {
        next = s->next_created;
        series_free(s);
    }
    pthread_mutex_destroy(&m->lock);
    free(m);
}

static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static uint32_t hash_str(uint32_t h, const char *s)
{
    for (; s && *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u; /* FNV-1a */
    return (h ^ 0xFFu) * 16777619u;
}

static char *dup_or_null(const char *s, int *oom)
{
    char *d = s ? strdup(s) : NULL;
    if (s && !d)
        *oom = 1;
    return d;
}

uint64_t *nrp_metrics_counter(nrp_metrics *m, const char *name, const char *help, const char *rule,
                              const char *method)
{
    uint64_t *result = NULL;
    /* A labelled series prints a missing label as "": store it that way so
     * (r, NULL) and (r, "") are one series, as they print the same. */
    if (rule || method) {
        rule = rule ? rule : "";
        method = method ? method : "";
    }
    uint32_t h = hash_str(hash_str(hash_str(2166136261u, name), rule), method) % BUCKETS;

    pthread_mutex_lock(&m->lock);
    for (series *s = m->buckets[h]; s; s = s->next_in_bucket)
        if (same(s->name, name) && same(s->rule, rule) && same(s->method, method)) {
            result = &s->value;
            goto out;
        }
    series *s = calloc(1, sizeof *s);
    if (!s)
        goto out;
    int oom = 0;
    s->name = dup_or_null(name, &oom);
    s->help = dup_or_null(help ? help : "", &oom);
    s->rule = dup_or_null(rule, &oom);
    s->method = dup_or_null(method, &oom);
    if (oom) {
        series_free(s);
        goto out;
    }
    s->next_in_bucket = m->buckets[h];
    m->buckets[h] = s;
    if (m->last)
        m->last->next_created = s;
    else
        m->first = s;
    m->last = s;
    result = &s->value;
out:
    pthread_mutex_unlock(&m->lock);
    return result;
}

/* The exposition format escapes backslash and newline in HELP text, and
 * double quotes as well in label values. */
static void put_escaped(nrp_strbuf *out, const char *v, int quotes)
{
    for (; *v; v++) {
        if (*v == '\\')
            nrp_strbuf_puts(out, "\\\\");
        else if (*v == '\n')
            nrp_strbuf_puts(out, "\\n");
        else if (*v == '"' && quotes)
            nrp_strbuf_puts(out, "\\\"");
        else
            nrp_strbuf_append(out, v, 1);
    }
}

void nrp_metrics_format_prometheus(nrp_metrics *m, nrp_strbuf *out)
{
    pthread_mutex_lock(&m->lock);
    /* Families in order of first creation; each family's series together,
     * as the exposition format requires. */
    for (series *f = m->first; f; f = f->next_created) {
        int seen = 0;
        for (series *e = m->first; e != f && !seen; e = e->next_created)
            seen = strcmp(e->name, f->name) == 0;
        if (seen)
            continue;
        nrp_strbuf_printf(out, "# HELP %s ", f->name);
        put_escaped(out, f->help, 0);
        nrp_strbuf_printf(out, "\n# TYPE %s counter\n", f->name);
        for (series *s = f; s; s = s->next_created) {
            if (strcmp(s->name, f->name) != 0)
                continue;
            nrp_strbuf_puts(out, s->name);
            if (s->rule || s->method) {
                nrp_strbuf_puts(out, "{rule=\"");
                put_escaped(out, s->rule ? s->rule : "", 1);
                nrp_strbuf_puts(out, "\",method=\"");
                put_escaped(out, s->method ? s->method : "", 1);
                nrp_strbuf_puts(out, "\"}");
            }
            nrp_strbuf_printf(out, " %llu\n",
                              (unsigned long long)__atomic_load_n(&s->value, __ATOMIC_RELAXED));
        }
    }
    pthread_mutex_unlock(&m->lock);
}

int nrp_metrics_export_file(nrp_metrics *m, const char *path, nrp_err *err)
{
    nrp_strbuf text;
    char tmp[4096];
    int rc = NRP_OK;

    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= sizeof tmp)
        return nrp_err_set(err, "metrics path too long: %s", path);
    nrp_strbuf_init(&text);
    nrp_metrics_format_prometheus(m, &text);
    if (text.oom) {
        nrp_strbuf_free(&text);
        return nrp_err_set(err, "out of memory formatting metrics");
    }
    FILE *f = fopen(tmp, "we");
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
        if (rc)
            unlink(tmp);
    }
    nrp_strbuf_free(&text);
    return rc;
}
