/*
 * fuzz_config.c - libFuzzer target for the rules loader and the matcher.
 *
 * The input is the text of an instrumentation.yaml, loaded from memory
 * (nrp_config_load_buffer) the way nrprof check and the profiler load a
 * file. Inputs that mention `include` are skipped: an include could name
 * any file of the machine, and includes have tests of their own.
 *
 * Each input goes through:
 *   1. the loader: it returns NRP_OK exactly when it reported no problem,
 *      every problem has a file and formats as one line, and a kept
 *      configuration is freed cleanly (ASan checks the rest);
 *   2. the matcher, differentially: for methods named after each rule's own
 *      patterns (and a few fixed ones), the rule index must select exactly
 *      the enabled rules that nrp_rule_selects accepts one by one, in
 *      ascending priority, ties in rule order.
 *
 * Every broken invariant is reported on stderr and ends in __builtin_trap().
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nrp/plugin.h"
#include "rules/config.h"
#include "rules/match.h"
#include "rules/rule_index.h"
#include "util/strbuf.h"

#include "fuzz_check.h"

#define MAX_SELECTED 64

/* Metadata answers for `attribute` and `base`: yes for names that start
 * with 'A' / 'B', so both answers are reached. */
static int has_attribute(void *ctx, const char *attribute)
{
    (void)ctx;
    return attribute[0] == 'A';
}

static int derives_from(void *ctx, const char *base)
{
    (void)ctx;
    return base[0] == 'B';
}

/* The index and the rules one by one agree on what selects the view. */
static void check_selection(const nrp_config *cfg, const nrp_rule_index *ix, const nrp_method_view *view)
{
    nrp_module_rules *mr = NULL;
    if (nrp_rule_index_module(ix, view->assembly, &mr) != NRP_OK)
        return;
    uint32_t got[MAX_SELECTED];
    size_t n = mr ? nrp_module_rules_select_all(mr, view, got, MAX_SELECTED) : 0;
    size_t want = 0;
    for (size_t i = 0; i < cfg->rule_count; i++)
        if (nrp_rule_selects(&cfg->rules[i], view)) {
            int found = 0;
            for (size_t k = 0; k < n && k < MAX_SELECTED; k++)
                found |= got[k] == i;
            CHECK(found || n > MAX_SELECTED);
            want++;
        }
    CHECK(n == want);
    for (size_t k = 0; k < n && k < MAX_SELECTED; k++) {
        CHECK(got[k] < cfg->rule_count);
        CHECK(nrp_rule_selects(&cfg->rules[got[k]], view));
        if (k > 0) {
            const nrp_rule *a = &cfg->rules[got[k - 1]], *b = &cfg->rules[got[k]];
            CHECK(a->priority < b->priority || (a->priority == b->priority && got[k - 1] < got[k]));
        }
    }
    if (mr) {
        CHECK(nrp_module_rules_want_type(mr, view->type) || n == 0);
        CHECK(nrp_module_rules_want_method(mr, view->type, view->name) || n == 0);
    }
    nrp_module_rules_free(mr);
}

static void check_matching(const nrp_config *cfg)
{
    nrp_rule_index *ix = nrp_rule_index_build(cfg->rules, cfg->rule_count);
    if (!ix)
        return;
    static const nrp_version versions[] = {{{0, 0, 0, 0}}, {{1, 2, 3, 4}}, {{10, 0, 0, 0}}};
    nrp_method_view view = {.assembly = "Demo",
                            .type = "Demo.Calculator",
                            .name = "Add",
                            .params = "System.Int32,System.Int32",
                            .has_attribute = has_attribute,
                            .derives_from = derives_from};
    for (size_t v = 0; v < sizeof versions / sizeof *versions; v++) {
        view.version = &versions[v];
        check_selection(cfg, ix, &view);
    }
    /* Methods named by the rules' own patterns: wildcards taken literally
     * reach the prefix filters and the hash lookups with near misses. */
    for (size_t i = 0; i < cfg->rule_count && i < 16; i++) {
        const nrp_match *m = &cfg->rules[i].match;
        for (int is_static = 0; is_static < 2; is_static++) {
            view = (nrp_method_view){.assembly = m->assembly ? m->assembly : "",
                                     .version = &versions[1],
                                     .type = m->type ? m->type : "",
                                     .name = m->method ? m->method : "",
                                     .is_static = is_static,
                                     .params = m->parameter_count ? m->parameters[0] : "",
                                     .has_attribute = has_attribute,
                                     .derives_from = derives_from};
            check_selection(cfg, ix, &view);
        }
    }
    nrp_rule_index_free(ix);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (memmem(data, size, "include", 7))
        return 0;
    nrp_diags diags;
    nrp_diags_init(&diags);
    nrp_config *cfg = NULL;
    int rc = nrp_config_load_buffer("/nonexistent-fuzz/instrumentation.yaml", (const char *)data, size, &cfg, &diags);
    CHECK(rc == NRP_OK || rc == NRP_ERROR);
    CHECK((rc == NRP_OK) == (diags.count == 0 && diags.status == NRP_OK));
    CHECK((rc == NRP_OK) == (cfg != NULL));
    for (size_t i = 0; i < diags.count; i++) {
        nrp_strbuf line;
        nrp_strbuf_init(&line);
        nrp_diag_format(&diags.items[i], &line);
        CHECK(line.status != NRP_OK || (line.len > 0 && !memchr(line.data, '\n', line.len - 1)));
        nrp_strbuf_free(&line);
    }
    if (cfg)
        check_matching(cfg);
    nrp_config_free(cfg);
    nrp_diags_free(&diags);
    return 0;
}
