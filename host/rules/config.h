/*
 * config.h - instrumentation.yaml, loaded into an immutable rule set.
 *
 * Pure C over libyaml. Every error names FILE:LINE:COL of the offending
 * node, like a compiler.
 */
#ifndef NRP_RULES_CONFIG_H
#define NRP_RULES_CONFIG_H

#include <stddef.h>

#include "util/err.h"

typedef struct nrp_rule {
    char *name;
    char *assembly;   /* glob over the simple assembly name */
    char *type;       /* glob over the full type name */
    char *method;     /* glob over the method name */
    char *strategy;
    unsigned line;    /* 1-based position of the rule in its file */
    unsigned column;
} nrp_rule;

typedef struct nrp_config {
    char *path;
    nrp_rule *rules;
    size_t rule_count;
} nrp_config;

/* The only format version this host reads. */
#define NRP_CONFIG_VERSION 1

/* Load and check the file at path. On failure *out is NULL and err reads
 * "path:line:col: reason". */
int nrp_config_load_file(const char *path, nrp_config **out, nrp_err *err);

/* Same for text already in memory; name is used in messages. */
int nrp_config_load_buffer(const char *name, const char *text, size_t len, nrp_config **out,
                           nrp_err *err);

void nrp_config_free(nrp_config *cfg);

#endif
