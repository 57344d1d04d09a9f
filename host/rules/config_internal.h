/*
 * config_internal.h - what the parts of the rules loader (config.h) share:
 * the state of one load and the readers of YAML nodes. Private to
 * host/rules/config_*.c:
 *
 *   config_load.c      the entry points, the checks across files, freeing
 *   config_files.c     one file: reading, composing, its top level, its includes
 *   config_nodes.c     errors at a node; keys and values of a mapping
 *   config_settings.c  the `settings` section
 *   config_rules.c     the `rules` section
 */
#ifndef NRP_RULES_CONFIG_INTERNAL_H
#define NRP_RULES_CONFIG_INTERNAL_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "nrp/result.h"
#include "rules/config.h"

#define MAX_INCLUDE_DEPTH 16

typedef struct loader {
    nrp_config *cfg;
    nrp_diags *diags;
    const char *stack[MAX_INCLUDE_DEPTH]; /* real paths of the files being read */
    int depth;
    /* the file being read */
    const char *file;
    char *dir;                            /* its folder, on the heap (see nrp_cfg_load_text) */
    yaml_document_t *doc;
    int is_main;
    int check_trust;
} loader;

/* ---- reporting and node access (config_nodes.c) ------------------------- */

void nrp_cfg_error_at(loader *ld, const yaml_node_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static inline yaml_node_t *node(loader *ld, int id)
{
    return yaml_document_get_node(ld->doc, id);
}

static inline const char *scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static inline int is_plain(const yaml_node_t *n)
{
    return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

yaml_node_t *nrp_cfg_lookup(loader *ld, yaml_node_t *map, const char *key);
void nrp_cfg_check_keys(loader *ld, yaml_node_t *map, const char *what, const char *const *allowed);
char *nrp_cfg_dup_or_fail(loader *ld, const yaml_node_t *n, const char *s);
char *nrp_cfg_get_string(loader *ld, const yaml_node_t *v, const char *key);
char *nrp_cfg_get_glob(loader *ld, const yaml_node_t *v, const char *key);
nrp_result nrp_cfg_get_bool(loader *ld, const yaml_node_t *v, const char *key, int *out);
nrp_result nrp_cfg_get_int(loader *ld, const yaml_node_t *v, const char *key, long *out);
nrp_result nrp_cfg_get_string_list(loader *ld, yaml_node_t *v, const char *key, int globs, char ***out,
                                   uint32_t *count);
void nrp_cfg_free_list(char **list, uint32_t count);

/* ---- the sections (config_settings.c, config_rules.c) ------------------- */

void nrp_cfg_load_settings(loader *ld, yaml_node_t *m);
void nrp_cfg_load_rules(loader *ld, yaml_node_t *seq);

/* ---- files (config_files.c) --------------------------------------------- */

nrp_result nrp_cfg_load_text(loader *ld, const char *name, const char *text, size_t len);
nrp_result nrp_cfg_load_path(loader *ld, const char *path, const yaml_node_t *from);

#endif
