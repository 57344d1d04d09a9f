#include "inspect/preview.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "meta/hierarchy.h"
#include "meta/meta.h"
#include "rules/match.h"
#include "util/array.h"
#include "util/strbuf.h"

#define TOKEN(table, row) ((uint32_t)(table) << 24 | (row))
#define RID(t) ((t) & 0x00FFFFFFu)

/* ---- assemblies opened once, by name --------------------------------------- */

typedef struct opened {
    char *name;                /* as asked for */
    nrp_meta *meta;            /* NULL: not found or unreadable */
} opened;

typedef struct walk {
    const nrp_app *app;
    const nrp_rule *rules;
    const nrp_rule_index *index;
    nrp_preview *out;
    opened *open;
    size_t open_count, open_cap;
    /* the method being matched */
    nrp_meta *meta;
    uint32_t type_token, method_token;
    int type_marked; /* type_token is [CompilerGenerated]: 1, 0, or -1 not asked yet */
} walk;

static nrp_meta *open_assembly(walk *w, const char *name)
{
    for (size_t i = 0; i < w->open_count; i++)
        if (strcasecmp(w->open[i].name, name) == 0)
            return w->open[i].meta;
    char path[PATH_MAX];
    nrp_meta *m = NULL;
    nrp_err err;
    if (nrp_app_find_assembly(w->app, name, path, sizeof path) == NRP_OK &&
        nrp_meta_open_file(path, &m, &err) != NRP_OK)
        m = NULL;
    char *copy = strdup(name);
    if (!copy || NRP_ARRAY_GROW(w->open, w->open_count, w->open_cap) != NRP_OK) {
        free(copy);
        nrp_meta_close(m);
        return NULL;
    }
    w->open[w->open_count++] = (opened){copy, m};
    return m;
}

/* ---- the `base` walk over the offline reader ----------------------------- */

static nrp_result graph_extends(void *ctx, void *module, uint32_t td, uint32_t *base)
{
    nrp_meta_type_def t;
    nrp_err err;
    (void)ctx;
    if (td >> 24 != NRP_META_TYPEDEF || nrp_meta_type_def_row(module, RID(td), &t, &err) != NRP_OK)
        return NRP_ERROR;
    *base = t.extends;
    return NRP_OK;
}

static nrp_result graph_interfaces(void *ctx, void *module, uint32_t td, uint32_t *out, size_t cap, size_t *count)
{
    nrp_err err;
    (void)ctx;
    return nrp_meta_interfaces(module, RID(td), out, cap, count, &err);
}

static nrp_result graph_type_spec(void *ctx, void *module, uint32_t spec, const uint8_t **sig, uint32_t *len)
{
    nrp_err err;
    (void)ctx;
    return nrp_meta_type_spec_row(module, RID(spec), sig, len, &err);
}

static nrp_result graph_type_name(void *ctx, void *module, uint32_t token, nrp_strbuf *out)
{
    nrp_err err;
    (void)ctx;
    return nrp_meta_type_name(module, token, out, &err) == NRP_OK ? NRP_OK : NRP_ERROR;
}

/* Nested TypeRefs are scoped by their enclosing TypeRef: the outermost's
 * scope is the assembly. */
static nrp_result graph_ref_assembly(void *ctx, void *module, uint32_t type_ref, char *out, size_t cap)
{
    nrp_meta_type_ref r;
    nrp_err err;
    const char *name;
    (void)ctx;
    out[0] = '\0';
    for (int depth = 0; depth < 64; depth++) {
        if (nrp_meta_type_ref_row(module, RID(type_ref), &r, &err) != NRP_OK)
            return NRP_ERROR;
        if (r.scope >> 24 == NRP_META_TYPEREF) {
            type_ref = r.scope;
            continue;
        }
        if (r.scope >> 24 != NRP_META_ASSEMBLYREF)
            return NRP_OK; /* this module */
        if (nrp_meta_assembly_ref_name(module, RID(r.scope), &name, &err) != NRP_OK)
            return NRP_ERROR;
        return (size_t)snprintf(out, cap, "%s", name) < cap ? NRP_OK : NRP_ERROR;
    }
    return NRP_ERROR;
}

static uint32_t graph_find_type(void *ctx, void *module, const char *full_name)
{
    uint32_t row = 0;
    nrp_err err;
    (void)ctx;
    return nrp_meta_find_type(module, full_name, &row, &err) == NRP_OK && row ? TOKEN(NRP_META_TYPEDEF, row) : 0;
}

static void *graph_open(void *ctx, const char *assembly)
{
    return open_assembly(ctx, assembly);
}

static void graph_close(void *ctx, void *module)
{
    (void)ctx, (void)module; /* kept open until the preview ends */
}

static int derives_from(void *ctx, const char *base)
{
    walk *w = ctx;
    const nrp_type_graph g = {w,           graph_extends,  graph_interfaces, graph_type_spec, graph_type_name,
                              graph_ref_assembly, graph_find_type, graph_open,       graph_close};
    return nrp_type_derives_from(&g, w->meta, w->type_token, base);
}

static int has_attribute(void *ctx, const char *attribute)
{
    walk *w = ctx;
    return nrp_meta_has_attribute(w->meta, w->method_token, attribute) == 1;
}

static int type_generated(void *ctx)
{
    walk *w = ctx;
    if (w->type_marked < 0)
        w->type_marked = nrp_meta_has_attribute(w->meta, w->type_token, NRP_COMPILER_GENERATED) == 1;
    return w->type_marked;
}

/* ---- the walk ---------------------------------------------------------------- */

static nrp_result note_problem(nrp_preview *p, const char *path, const char *why)
{
    nrp_strbuf line;
    nrp_strbuf_init(&line);
    nrp_strbuf_printf(&line, "%s: %s", path, why);
    if (line.status != NRP_OK || NRP_ARRAY_GROW(p->problems, p->problem_count, p->problem_cap) != NRP_OK) {
        nrp_strbuf_free(&line);
        return NRP_NOMEM;
    }
    p->problems[p->problem_count++] = line.data;
    return NRP_OK;
}

static nrp_result add_method(walk *w, const char *assembly, const char *label, const uint32_t *rules, size_t n)
{
    nrp_preview *p = w->out;
    if (NRP_ARRAY_GROW(p->methods, p->count, p->cap) != NRP_OK)
        return NRP_NOMEM;
    nrp_preview_method *pm = &p->methods[p->count];
    memset(pm, 0, sizeof *pm);
    pm->assembly = strdup(assembly);
    pm->label = strdup(label);
    if (!pm->assembly || !pm->label) {
        free(pm->assembly), free(pm->label);
        return NRP_NOMEM;
    }
    pm->rule_count = (uint32_t)(n < NRP_MAX_RULES_PER_METHOD ? n : NRP_MAX_RULES_PER_METHOD);
    pm->left_out = (uint32_t)(n - pm->rule_count);
    memcpy(pm->rules, rules, pm->rule_count * sizeof *rules);
    for (uint32_t i = 0; i < pm->rule_count; i++)
        p->per_rule[rules[i]]++;
    p->count++;
    return NRP_OK;
}

/* The methods of one type that the module's rules select. */
static nrp_result walk_type(walk *w, const nrp_module_rules *mr, const char *assembly, const nrp_version *version,
                            uint32_t type_row, const char *type)
{
    nrp_meta_method_iter it;
    nrp_err err;
    uint32_t row;
    int more;
    if (nrp_meta_methods_begin(w->meta, type_row, &it, &err) != NRP_OK)
        return NRP_OK; /* a bad list: nothing of it can be selected */
    w->type_marked = -1;
    while ((more = nrp_meta_methods_next(w->meta, &it, &row, &err)) == 1) {
        nrp_meta_method_def d;
        if (nrp_meta_method_def_row(w->meta, row, &d, &err) != NRP_OK ||
            !nrp_module_rules_want_method(mr, type, d.name) || nrp_meta_no_il_reason(d.flags, d.impl_flags, d.rva))
            continue;
        nrp_sig_label label;
        nrp_result rc = NRP_OK;
        nrp_sig_label_init(&label);
        if (nrp_meta_method_label(w->meta, row, type, &label, &err) == NRP_OK) {
            w->type_token = TOKEN(NRP_META_TYPEDEF, type_row);
            w->method_token = TOKEN(NRP_META_METHODDEF, row);
            nrp_method_view view = {assembly,
                                    version,
                                    type,
                                    d.name,
                                    (d.flags & NRP_META_METHOD_STATIC) != 0,
                                    label.params.data ? label.params.data : "",
                                    label.named_params.data,
                                    w,
                                    has_attribute,
                                    derives_from,
                                    type_generated};
            uint32_t ids[NRP_MAX_RULES_PER_METHOD];
            size_t n = nrp_module_rules_select_all(mr, &view, ids, NRP_MAX_RULES_PER_METHOD);
            if (n)
                rc = add_method(w, assembly, label.display.data, ids, n);
        }
        nrp_sig_label_free(&label);
        if (rc != NRP_OK)
            return rc;
    }
    return NRP_OK;
}

static nrp_result walk_assembly(walk *w, const char *path)
{
    nrp_meta_assembly a;
    nrp_err err;
    nrp_module_rules *mr = NULL;
    const char *base = strrchr(path, '/');
    char name[256];
    base = base ? base + 1 : path;
    snprintf(name, sizeof name, "%.*s", (int)(strlen(base) - 4), base);
    /* An assembly no rule names is not read at all: the runtime finds an
     * assembly by its file's name, so the file's name is the assembly's. */
    if (!nrp_rule_index_names(w->index, name))
        return NRP_OK;
    nrp_meta *m = open_assembly(w, name);
    if (!m)
        return note_problem(w->out, path, "cannot be read as an assembly");
    if (nrp_meta_assembly_row(m, &a, &err) != NRP_OK)
        return note_problem(w->out, path, err.msg);
    w->out->assemblies++;
    if (nrp_rule_index_module(w->index, a.name, &mr) != NRP_OK)
        return NRP_NOMEM;
    if (!mr)
        return NRP_OK;
    nrp_version version = {{a.version.major, a.version.minor, a.version.build, a.version.revision}};
    nrp_result rc = NRP_OK;
    w->meta = m;
    for (uint32_t row = 1; row <= nrp_meta_row_count(m, NRP_META_TYPEDEF) && rc == NRP_OK; row++) {
        nrp_strbuf type;
        nrp_strbuf_init(&type);
        if (nrp_meta_type_name(m, TOKEN(NRP_META_TYPEDEF, row), &type, &err) == NRP_OK && type.data &&
            type.status == NRP_OK && nrp_module_rules_want_type(mr, type.data))
            rc = walk_type(w, mr, a.name, &version, row, type.data);
        nrp_strbuf_free(&type);
    }
    nrp_module_rules_free(mr);
    return rc;
}

nrp_result nrp_preview_app(const nrp_app *app, const nrp_rule *rules, size_t rule_count, nrp_preview *out,
                           nrp_err *err)
{
    memset(out, 0, sizeof *out);
    walk w = {.app = app, .rules = rules, .out = out};
    char **files = NULL;
    size_t file_count = 0;
    nrp_result rc = NRP_NOMEM;
    out->per_rule = calloc(rule_count ? rule_count : 1, sizeof *out->per_rule);
    nrp_rule_index *ix = nrp_rule_index_build(rules, rule_count);
    w.index = ix;
    if (!out->per_rule || !ix || nrp_app_assembly_files(app, &files, &file_count) != NRP_OK)
        goto done;
    rc = NRP_OK;
    for (size_t i = 0; i < file_count && rc == NRP_OK; i++)
        rc = walk_assembly(&w, files[i]);
done:
    nrp_app_files_free(files, file_count);
    for (size_t i = 0; i < w.open_count; i++) {
        free(w.open[i].name);
        nrp_meta_close(w.open[i].meta);
    }
    free(w.open);
    nrp_rule_index_free(ix);
    if (rc != NRP_OK) {
        nrp_preview_free(out);
        return nrp_err_set(err, "out of memory");
    }
    return NRP_OK;
}

void nrp_preview_free(nrp_preview *p)
{
    for (size_t i = 0; i < p->count; i++)
        free(p->methods[i].assembly), free(p->methods[i].label);
    free(p->methods);
    free(p->per_rule);
    for (size_t i = 0; i < p->problem_count; i++)
        free(p->problems[i]);
    free(p->problems);
    memset(p, 0, sizeof *p);
}
