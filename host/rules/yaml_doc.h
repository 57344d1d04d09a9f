/*
 * yaml_doc.h - one YAML document, composed from libyaml's events under
 * limits, so that no rules file can make loading slow or large.
 *
 * libyaml's own yaml_parser_load() has no limits: a mapping nested 50,000
 * deep takes 15 s (the scanner's cost grows with the square of the depth),
 * and aliases may be shared without bound (a "billion laughs" file is
 * small but names 10^9 values when walked). Composing here stops at the
 * first limit crossed, before the parser goes further, and keeps each
 * node's place in the file for messages.
 *
 * Refused as well, each with its own message: YAML merge keys (`<<`), an
 * alias to a value that contains it, strings holding a NUL character, and
 * a second document in the stream.
 */
#ifndef NRP_RULES_YAML_DOC_H
#define NRP_RULES_YAML_DOC_H

#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

typedef struct nrp_yaml_limits {
    unsigned max_depth;     /* sequences and mappings, one inside the other */
    size_t max_nodes;       /* nodes written in the file */
    uint64_t max_expanded;  /* nodes once every alias is expanded: what a reader walks */
    uint64_t max_ms;        /* wall time to compose, in milliseconds */
} nrp_yaml_limits;

/* What rules files get: far above any real one (the bundle's default
 * rules have 7 levels, a few hundred nodes, no aliases). */
extern const nrp_yaml_limits nrp_yaml_rules_limits;

typedef struct nrp_yaml_problem {
    unsigned line;          /* 1-based */
    unsigned column;        /* 1-based */
    char message[240];
} nrp_yaml_problem;

/* Compose the stream of `parser` (input already set) into *doc. Returns 1
 * with *doc set (no root node for an empty stream), which the caller
 * deletes with yaml_document_delete(); or 0 with the first problem in *why
 * and nothing to delete. */
int nrp_yaml_compose(yaml_parser_t *parser, const nrp_yaml_limits *limits, yaml_document_t *doc,
                     nrp_yaml_problem *why);

#endif
