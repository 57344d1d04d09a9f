/*
 * config.h - instrumentation.yaml (and the files it includes), loaded into
 * one immutable rule set.
 *
 * Pure C over libyaml. Loading reports every problem it finds, each at its
 * FILE:LINE:COL (see diag.h), and a configuration with any problem is
 * refused whole. docs/CONFIG.md and schemas/instrumentation.schema.json
 * describe the same format.
 */
#ifndef NRP_RULES_CONFIG_H
#define NRP_RULES_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "metrics/format.h"
#include "nrp/log.h"
#include "nrp/result.h"
#include "rules/diag.h"
#include "rules/version.h"

/* Where a value was written. `file` points into nrp_config.files. */
typedef struct nrp_pos {
    const char *file;
    unsigned line;
    unsigned column;
} nrp_pos;

/* What a rule (or one of its excludes) selects. In a rule's `match`,
 * assembly, type and method are always set; in an exclude any field may be
 * absent (NULL / has_* == 0) and absent fields match everything. */
typedef struct nrp_match {
    char *assembly;             /* glob over the simple assembly name */
    char *type;                 /* glob over the full type name */
    char *method;               /* glob over the method name */
    int has_version;
    nrp_version_range version;  /* over the assembly version */
    int has_parameters;
    char **parameters;          /* exact parameter type names */
    uint32_t parameter_count;
    int is_static;              /* -1 either, 0 instance, 1 static */
    char *attribute;            /* the method carries this custom attribute */
    char *base;                 /* the declaring type derives from / implements this */
    nrp_pos pos;
} nrp_match;

/* One `options` entry of a rule. A mapping's entries follow it, flattened
 * as "outer.inner"; a list keeps only its kind. */
typedef enum nrp_option_kind { NRP_OPTION_SCALAR, NRP_OPTION_LIST, NRP_OPTION_MAPPING } nrp_option_kind;

typedef struct nrp_option {
    char *key;
    char *value;                /* the scalar's text; NULL for a list or mapping */
    nrp_option_kind kind;
    nrp_pos key_pos;
    nrp_pos value_pos;
} nrp_option;

typedef struct nrp_rule {
    int invalid;                /* a problem was reported in it: never bound or matched */
    char *name;
    int enabled;
    long priority;
    nrp_match match;
    nrp_match *excludes;
    uint32_t exclude_count;
    char *strategy;
    int has_options;            /* a non-empty `options` mapping was given */
    nrp_option *options;        /* its entries, in file order */
    uint32_t option_count;
    nrp_pos options_pos;
    nrp_pos strategy_pos;
    nrp_pos name_pos;
    nrp_pos pos;
} nrp_rule;

typedef struct nrp_settings {
    int has_log_level;
    nrp_log_level log_level;
    char *log_file;             /* NULL: not set */
    char **process_include;     /* globs over the process name; none given = ["*"] */
    uint32_t process_include_count;
    char **process_exclude;
    uint32_t process_exclude_count;
    char *metrics_path;         /* NULL: not set */
    nrp_metrics_format metrics_format;
    long metrics_interval_s;    /* -1: not set */
    uint64_t *metrics_buckets_ns; /* classic bucket bounds, ascending; NULL: not set */
    uint32_t metrics_bucket_count;
    int reload;                 /* watch the rules files and apply their changes (default 1) */
} nrp_settings;

typedef struct nrp_config {
    char *path;                 /* the main file */
    char **files;               /* every file read, main first */
    uint32_t file_count;
    char **plugin_paths;        /* `plugins` entries, resolved against their file */
    uint32_t plugin_path_count;
    /* Every include pattern, resolved against its file: a file that comes
     * to match one (a new file in instrumentation.d/) changes the rule set
     * as much as an edit of `files` does. */
    char **include_patterns;
    uint32_t include_pattern_count;
    nrp_settings settings;
    nrp_rule *rules;            /* in file order: a file's rules, then its includes' */
    size_t rule_count;
} nrp_config;

/* The only format version this host reads. */
#define NRP_CONFIG_VERSION 1

/* Load path and the files it includes. Returns NRP_OK with *out set, or
 * NRP_ERROR with *out NULL and every problem in diags. */
int nrp_config_load_file(const char *path, nrp_config **out, nrp_diags *diags);

/* Like nrp_config_load_file, but *out is set even when diags got errors
 * (NULL only when out of memory), so a checker can go on to report the
 * problems that need the rules, such as unknown strategies. The caller
 * frees it. Returns NRP_ERROR when diags got errors. */
int nrp_config_load_file_keep(const char *path, nrp_config **out, nrp_diags *diags);

/* nrp_config_load_file_keep for files that will run inside an app: each
 * file read (includes too) must pass nrp_file_trusted (util/trust.h), or
 * it is refused with the file and the bit at fault. */
int nrp_config_load_trusted(const char *path, nrp_config **out, nrp_diags *diags);

/* A rules source held in memory (the agent's, through include/nrp/api.h):
 * read after the main file as if it included it, so it takes what an
 * included file may (rules, includes relative to the working folder, no
 * settings), and name stands for it in messages. */
typedef struct nrp_config_source {
    const char *name;
    const char *text;
    size_t len;
} nrp_config_source;

/* nrp_config_load_trusted, then the sources, in order. */
int nrp_config_load_trusted_with(const char *path, const nrp_config_source *sources, size_t count,
                                 nrp_config **out, nrp_diags *diags);

/* Same for text already in memory; name is used in messages and includes
 * resolve against its folder. */
int nrp_config_load_buffer(const char *name, const char *text, size_t len, nrp_config **out, nrp_diags *diags);

/* nrp_config_load_buffer, keeping *out even with errors, as
 * nrp_config_load_file_keep does (the whole-path fuzz target binds it). */
int nrp_config_load_buffer_keep(const char *name, const char *text, size_t len, nrp_config **out,
                                nrp_diags *diags);

void nrp_config_free(nrp_config *cfg);

#endif
