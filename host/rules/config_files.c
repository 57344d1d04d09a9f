/*
 * config_files.c - one rules file: reading it (size cap, trust, include
 * cycles and depth), composing its YAML, its top level, and the files it
 * names (plugin paths, includes such as the bundle's instrumentation.d
 * folder), each relative to it.
 */
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "rules/config_internal.h"
#include "rules/yaml_doc.h"
#include "util/file.h"
#include "util/path.h"
#include "util/trust.h"

/* An include glob over a folder that does not exist matches nothing (the
 * bundle's instrumentation.d/ may be left out); one that cannot be read is
 * an error, not a silent gap in the rules. */
static int glob_error(const char *path, int error)
{
    (void)path;
    return error != ENOENT && error != ENOTDIR;
}

static nrp_result append_string(char ***list, uint32_t *count, const char *s)
{
    char **grown = realloc(*list, (*count + 1) * sizeof *grown);
    char *copy = strdup(s);
    if (!grown || !copy) {
        free(copy);
        if (grown)
            *list = grown;
        return NRP_ERROR;
    }
    *list = grown;
    (*list)[(*count)++] = copy;
    return NRP_OK;
}

/* Relative paths are relative to the file that names them. */
static int resolve(loader *ld, const char *path, char *out, size_t cap)
{
    if (path[0] == '/')
        return snprintf(out, cap, "%s", path) < (int)cap ? NRP_OK : NRP_ERROR;
    return nrp_path_join(ld->dir, path, out, cap);
}

static void load_plugins(loader *ld, yaml_node_t *v)
{
    char **paths;
    uint32_t count;
    if (nrp_cfg_get_string_list(ld, v, "plugins", 0, &paths, &count) == NRP_OK) {
        for (uint32_t i = 0; i < count; i++) {
            char full[PATH_MAX];
            if (resolve(ld, paths[i], full, sizeof full) != NRP_OK ||
                append_string(&ld->cfg->plugin_paths, &ld->cfg->plugin_path_count, full) != NRP_OK)
                nrp_cfg_error_at(ld, v, "cannot record plugin path '%s'", paths[i]);
        }
    }
    nrp_cfg_free_list(paths, count);
}

static int has_wildcard(const char *s)
{
    return strpbrk(s, "*?[") != NULL;
}

static void load_includes(loader *ld, yaml_node_t *v)
{
    char **patterns;
    uint32_t count;
    if (nrp_cfg_get_string_list(ld, v, "include", 0, &patterns, &count) != NRP_OK) {
        nrp_cfg_free_list(patterns, count);
        return;
    }
    /* On the heap: glob itself takes some 12 KB of the stack, and each
     * level of includes adds its own (the start-up thread's stack is
     * measured, util/thread.h). */
    char *full = malloc(PATH_MAX);
    for (uint32_t i = 0; i < count; i++) {
        yaml_node_t *item = node(ld, v->data.sequence.items.start[i]);
        glob_t g;
        if (!full) {
            nrp_cfg_error_at(ld, item, "out of memory");
            break;
        }
        if (resolve(ld, patterns[i], full, PATH_MAX) != NRP_OK) {
            nrp_cfg_error_at(ld, item, "include path too long");
            continue;
        }
        append_string(&ld->cfg->include_patterns, &ld->cfg->include_pattern_count, full);
        int rc = glob(full, 0, glob_error, &g); /* sorted, as the format promises */
        if (rc == GLOB_NOMATCH) {
            if (!has_wildcard(patterns[i]))
                nrp_cfg_error_at(ld, item, "included file %s does not exist", full);
        } else if (rc != 0) {
            nrp_cfg_error_at(ld, item, "cannot read the files of include pattern '%s'", patterns[i]);
        } else {
            for (size_t k = 0; k < g.gl_pathc; k++)
                nrp_cfg_load_path(ld, g.gl_pathv[k], item);
        }
        if (rc != GLOB_NOMATCH)
            globfree(&g);
    }
    free(full);
    nrp_cfg_free_list(patterns, count);
}

static void load_root(loader *ld)
{
    static const char *const keys[] = {"version", "include", "plugins", "settings", "rules", NULL};
    yaml_node_t *root = yaml_document_get_root_node(ld->doc);
    yaml_node_t *v;
    if (!root) {
        nrp_diags_add(ld->diags, ld->file, 1, 1, "the file is empty (expected 'version: %d' and 'rules')",
                      NRP_CONFIG_VERSION);
        return;
    }
    if (root->type != YAML_MAPPING_NODE) {
        nrp_cfg_error_at(ld, root, "the top level must be a mapping with 'version' and 'rules'");
        return;
    }
    nrp_cfg_check_keys(ld, root, "the top level", keys);
    if (!(v = nrp_cfg_lookup(ld, root, "version"))) {
        nrp_cfg_error_at(ld, root, "missing required key 'version' (this host reads version %d)", NRP_CONFIG_VERSION);
    } else {
        char want[16];
        snprintf(want, sizeof want, "%d", NRP_CONFIG_VERSION);
        const char *vs = scalar(v);
        if (!vs || strcmp(vs, want) != 0 || !is_plain(v))
            nrp_cfg_error_at(ld, v, "unsupported version '%s' (this host reads version %d)", vs ? vs : "?",
                             NRP_CONFIG_VERSION);
    }
    if ((v = nrp_cfg_lookup(ld, root, "settings")))
        nrp_cfg_load_settings(ld, v);
    if ((v = nrp_cfg_lookup(ld, root, "plugins")))
        load_plugins(ld, v);
    /* A file's own rules come before those of the files it includes. */
    if ((v = nrp_cfg_lookup(ld, root, "rules")))
        nrp_cfg_load_rules(ld, v);
    else if (ld->is_main)
        nrp_cfg_error_at(ld, root, "missing required key 'rules'");
    if ((v = nrp_cfg_lookup(ld, root, "include")))
        load_includes(ld, v);
}

static const char *keep_file_name(loader *ld, const char *name)
{
    nrp_config *cfg = ld->cfg;
    if (append_string(&cfg->files, &cfg->file_count, name) != NRP_OK)
        return NULL;
    return cfg->files[cfg->file_count - 1];
}

nrp_result nrp_cfg_load_text(loader *ld, const char *name, const char *text, size_t len)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    /* What an included file changes, put back after it. The folder is on
     * the heap: each level of includes would otherwise hold PATH_MAX bytes
     * of the start-up thread's stack (util/thread.h). */
    const char *saved_file = ld->file;
    char *saved_dir = ld->dir;
    yaml_document_t *saved_doc = ld->doc;
    int saved_is_main = ld->is_main;
    const char *kept = keep_file_name(ld, name);
    char *dir = malloc(PATH_MAX);
    if (!kept || !dir) {
        free(dir);
        nrp_diags_add(ld->diags, name, 0, 0, "out of memory");
        return NRP_ERROR;
    }
    if (nrp_path_dirname(name, dir, PATH_MAX) != NRP_OK)
        snprintf(dir, PATH_MAX, ".");
    ld->file = kept;
    ld->dir = dir;
    nrp_result rc = NRP_OK;
    if (!yaml_parser_initialize(&parser)) {
        nrp_diags_add(ld->diags, name, 0, 0, "cannot initialise the YAML parser");
        rc = NRP_ERROR;
    } else {
        yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
        nrp_yaml_problem why;
        if (!nrp_yaml_compose(&parser, &nrp_yaml_rules_limits, &doc, &why)) {
            nrp_diags_add(ld->diags, kept, why.line, why.column, "%s", why.message);
        } else {
            ld->doc = &doc;
            load_root(ld);
            yaml_document_delete(&doc);
        }
        yaml_parser_delete(&parser);
    }
    ld->file = saved_file;
    ld->dir = saved_dir;
    ld->doc = saved_doc;
    ld->is_main = saved_is_main;
    free(dir);
    return rc;
}

/* Far above any rules file: a misnamed include (a device, a log) must not
 * fill the memory of the app the profiler lives in. */
#define MAX_FILE_BYTES ((size_t)16 << 20)

/* Read one file; from is the include entry naming it (NULL for the main
 * file), where a cycle or a read error is reported. */
nrp_result nrp_cfg_load_path(loader *ld, const char *path, const yaml_node_t *from)
{
    size_t len;
    int error;
    char *real = realpath(path, NULL); /* on the heap: see load_includes */
    if (!real && !(real = strdup(path))) {
        nrp_diags_add(ld->diags, path, 0, 0, "out of memory");
        return NRP_ERROR;
    }
    for (int i = 0; i < ld->depth; i++)
        if (strcmp(ld->stack[i], real) == 0) {
            nrp_cfg_error_at(ld, from, "include cycle: %s is already being read", path);
            free(real);
            return NRP_ERROR;
        }
    if (ld->depth == MAX_INCLUDE_DEPTH) {
        nrp_cfg_error_at(ld, from, "includes nest deeper than %d files", MAX_INCLUDE_DEPTH);
        free(real);
        return NRP_ERROR;
    }
    nrp_err why;
    if (ld->check_trust && access(path, F_OK) == 0 && nrp_file_trusted(path, &why) != NRP_OK) {
        if (from)
            nrp_cfg_error_at(ld, from, "refused: %s", why.msg);
        else
            nrp_diags_add(ld->diags, path, 0, 0, "refused: %s", why.msg);
        free(real);
        return NRP_ERROR;
    }
    char *text = NULL;
    if (nrp_file_read(path, MAX_FILE_BYTES, &text, &len, &error) != NRP_OK) {
        char reason[128];
        if (error == EFBIG)
            snprintf(reason, sizeof reason, "larger than %zu MiB, too large for a rules file", MAX_FILE_BYTES >> 20);
        else
            snprintf(reason, sizeof reason, "%s", strerror(error));
        if (from)
            nrp_cfg_error_at(ld, from, "cannot read %s: %s", path, reason);
        else
            nrp_diags_add(ld->diags, path, 0, 0, "cannot open: %s", reason);
        free(real);
        return NRP_ERROR;
    }
    ld->stack[ld->depth++] = real;
    int was_main = ld->is_main;
    ld->is_main = from == NULL;
    nrp_result rc = nrp_cfg_load_text(ld, path, text, len);
    ld->is_main = was_main;
    ld->depth--;
    free(text);
    free(real);
    return rc;
}
