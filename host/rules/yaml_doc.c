#include "rules/yaml_doc.h"
#include "util/array.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const nrp_yaml_limits nrp_yaml_rules_limits = {
    .max_depth = 64,
    .max_nodes = 1000000,
    .max_expanded = 1000000,
    .max_ms = 5000,
};

/* One open sequence or mapping. */
typedef struct frame {
    int node;
    int key;             /* a mapping's key waiting for its value; 0 when none */
    uint64_t expanded;   /* nodes under it so far, aliases expanded, itself included */
} frame;

/* Node ids are dense from 1, so per-node facts live in arrays by id. */
typedef struct composer {
    const nrp_yaml_limits *limits;
    yaml_document_t *doc;
    nrp_yaml_problem *why;
    frame *stack;
    unsigned depth;
    uint64_t *expanded;  /* by node id - 1: the node's size once complete; 0 while open */
    size_t expanded_cap;
    struct anchor {
        char *name;
        int node;
    } *anchors;
    size_t anchor_count, anchor_cap;
    uint64_t deadline_ms;
    int have_document;
    int done;            /* the document ended; only the stream's end may follow */
} composer;

static int problem(composer *c, yaml_mark_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int problem(composer *c, yaml_mark_t at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->why->message, sizeof c->why->message, fmt, ap);
    va_end(ap);
    c->why->line = (unsigned)at.line + 1;
    c->why->column = (unsigned)at.column + 1;
    return 0;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static yaml_node_t *node_at(composer *c, int id)
{
    return &c->doc->nodes.start[id - 1];
}

/* Record a new node's place and make room for its size. */
static int added(composer *c, int id, yaml_mark_t at)
{
    if (!id)
        return problem(c, at, "out of memory");
    node_at(c, id)->start_mark = at;
    node_at(c, id)->end_mark = at;
    if ((size_t)id > c->limits->max_nodes)
        return problem(c, at, "the file holds more than %zu values", c->limits->max_nodes);
    if ((size_t)id > c->expanded_cap) {
        size_t was = c->expanded_cap;
        if (nrp_array_reserve(&c->expanded, sizeof *c->expanded, (size_t)id, &c->expanded_cap) != NRP_OK)
            return problem(c, at, "out of memory");
        memset(c->expanded + was, 0, (c->expanded_cap - was) * sizeof *c->expanded);
    }
    return 1;
}

static int anchor(composer *c, const yaml_char_t *name, int id, yaml_mark_t at)
{
    if (!name)
        return 1;
    if (NRP_ARRAY_GROW(c->anchors, c->anchor_count, c->anchor_cap) != NRP_OK)
        return problem(c, at, "out of memory");
    char *copy = strdup((const char *)name);
    if (!copy)
        return problem(c, at, "out of memory");
    c->anchors[c->anchor_count++] = (struct anchor){copy, id};
    return 1;
}

/* Put a complete node (`size` nodes once expanded) where it belongs: the
 * root, the next item of a sequence, or a key or value of a mapping. */
static int place(composer *c, int id, uint64_t size, yaml_mark_t at)
{
    uint64_t limit = c->limits->max_expanded;
    if (c->depth == 0)
        return size <= limit ? 1 : problem(c, at, "aliases expand the file beyond %llu values",
                                              (unsigned long long)limit);
    frame *f = &c->stack[c->depth - 1];
    f->expanded += size;
    if (f->expanded > limit)
        return problem(c, at, "aliases expand this value beyond %llu values", (unsigned long long)limit);
    yaml_node_t *parent = node_at(c, f->node);
    if (parent->type == YAML_SEQUENCE_NODE)
        return yaml_document_append_sequence_item(c->doc, f->node, id) ? 1 : problem(c, at, "out of memory");
    if (!f->key) {
        f->key = id;
        return 1;
    }
    int key = f->key;
    f->key = 0;
    return yaml_document_append_mapping_pair(c->doc, f->node, key, id) ? 1 : problem(c, at, "out of memory");
}

static int at_key(const composer *c)
{
    return c->depth > 0 && node_at((composer *)c, c->stack[c->depth - 1].node)->type == YAML_MAPPING_NODE &&
           !c->stack[c->depth - 1].key;
}

static int on_scalar(composer *c, const yaml_event_t *e)
{
    const yaml_char_t *value = e->data.scalar.value;
    size_t length = e->data.scalar.length;
    /* Written as "\0" or "\u0000": C strings would end there silently. */
    if (memchr(value, '\0', length))
        return problem(c, e->start_mark, "a string holds a NUL character (\\0), which no name or value may");
    if (at_key(c) && e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && length == 2 && memcmp(value, "<<", 2) == 0)
        return problem(c, e->start_mark, "YAML merge keys ('<<') are not supported: write the keys out, or let an "
                                         "alias stand for a whole value (match: *common)");
    if (length > (size_t)INT32_MAX)
        return problem(c, e->start_mark, "a string longer than 2 GiB");
    int id = yaml_document_add_scalar(c->doc, e->data.scalar.tag, value, (int)length, e->data.scalar.style);
    if (!added(c, id, e->start_mark))
        return 0;
    node_at(c, id)->end_mark = e->end_mark;
    c->expanded[id - 1] = 1;
    return anchor(c, e->data.scalar.anchor, id, e->start_mark) && place(c, id, 1, e->start_mark);
}

static int on_alias(composer *c, const yaml_event_t *e)
{
    const char *name = (const char *)e->data.alias.anchor;
    /* A later anchor of the same name hides an earlier one. */
    for (size_t i = c->anchor_count; i-- > 0;)
        if (strcmp(c->anchors[i].name, name) == 0) {
            int id = c->anchors[i].node;
            uint64_t size = c->expanded[id - 1];
            if (!size)
                return problem(c, e->start_mark, "alias *%s stands for a value that contains it", name);
            return place(c, id, size, e->start_mark);
        }
    return problem(c, e->start_mark, "alias *%s names no anchor (&%s) before it", name, name);
}

static int on_start(composer *c, const yaml_event_t *e)
{
    int mapping = e->type == YAML_MAPPING_START_EVENT;
    if (c->depth >= c->limits->max_depth)
        return problem(c, e->start_mark, "values nest deeper than %u levels", c->limits->max_depth);
    if (mapping && at_key(c))
        return problem(c, e->start_mark, "a mapping cannot be a key");
    int id = mapping ? yaml_document_add_mapping(c->doc, e->data.mapping_start.tag, e->data.mapping_start.style)
                     : yaml_document_add_sequence(c->doc, e->data.sequence_start.tag, e->data.sequence_start.style);
    if (!added(c, id, e->start_mark))
        return 0;
    if (!anchor(c, mapping ? e->data.mapping_start.anchor : e->data.sequence_start.anchor, id, e->start_mark))
        return 0;
    c->stack[c->depth++] = (frame){id, 0, 1};
    return 1;
}

static int on_end(composer *c, const yaml_event_t *e)
{
    frame f = c->stack[--c->depth];
    node_at(c, f.node)->end_mark = e->end_mark;
    c->expanded[f.node - 1] = f.expanded;
    return place(c, f.node, f.expanded, e->start_mark);
}

static int on_event(composer *c, const yaml_event_t *e)
{
    switch (e->type) {
    case YAML_STREAM_START_EVENT:
    case YAML_NO_EVENT:
        return 1;
    case YAML_DOCUMENT_START_EVENT:
        /* libyaml reads one document; a second would be silently ignored. */
        if (c->have_document)
            return problem(c, e->start_mark, "a second YAML document; the file must hold exactly one");
        c->have_document = 1;
        return 1;
    case YAML_DOCUMENT_END_EVENT:
        c->done = 1;
        return 1;
    case YAML_ALIAS_EVENT:
        return on_alias(c, e);
    case YAML_SCALAR_EVENT:
        return on_scalar(c, e);
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        return on_start(c, e);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        return on_end(c, e);
    case YAML_STREAM_END_EVENT:
        return 1;
    }
    return 1;
}

int nrp_yaml_compose(yaml_parser_t *parser, const nrp_yaml_limits *limits, yaml_document_t *doc,
                     nrp_yaml_problem *why)
{
    composer c = {.limits = limits, .doc = doc, .why = why};
    int ok = 1, end = 0;
    memset(why, 0, sizeof *why);
    if (!yaml_document_initialize(doc, NULL, NULL, NULL, 1, 1)) {
        snprintf(why->message, sizeof why->message, "out of memory");
        return 0;
    }
    c.stack = malloc((limits->max_depth ? limits->max_depth : 1) * sizeof *c.stack);
    if (!c.stack) {
        snprintf(why->message, sizeof why->message, "out of memory");
        ok = 0;
    }
    c.deadline_ms = now_ms() + limits->max_ms;
    for (unsigned long events = 0; ok && !end; events++) {
        yaml_event_t e;
        if (!yaml_parser_parse(parser, &e)) {
            why->line = (unsigned)parser->problem_mark.line + 1;
            why->column = (unsigned)parser->problem_mark.column + 1;
            snprintf(why->message, sizeof why->message, "%s%s%s", parser->problem ? parser->problem : "invalid YAML",
                     parser->context ? " " : "", parser->context ? parser->context : "");
            ok = 0;
            break;
        }
        if ((events & 1023) == 1023 && now_ms() > c.deadline_ms)
            ok = problem(&c, e.start_mark, "reading the file took longer than %llu ms; refused",
                         (unsigned long long)limits->max_ms);
        else
            ok = on_event(&c, &e);
        end = e.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&e);
    }
    for (size_t i = 0; i < c.anchor_count; i++)
        free(c.anchors[i].name);
    free(c.anchors);
    free(c.expanded);
    free(c.stack);
    if (!ok) {
        yaml_document_delete(doc);
        return 0;
    }
    return 1;
}
