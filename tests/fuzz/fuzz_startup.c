/*
 * fuzz_startup.c - libFuzzer target for the whole start-up path a rules
 * file takes: loader -> binder -> each bundled plugin's validate(), with
 * the real timing, tracer and identity plugins (built with the same
 * sanitizers, loaded from NRP_FUZZ_PLUGINS by the host's own plugin
 * loader). The loader alone was fuzzed before; binding, which runs right
 * after it even on a configuration with errors (nrprof check does, to
 * report unknown strategies too), crashed on a rule without a strategy.
 *
 * `include` and `plugins` could name any file of the machine (they have
 * tests of their own), so each is renamed to an unknown key of the same
 * length before loading: the rest of such an input, the shipped rules file
 * among them, is still fuzzed.
 *
 * Invariants: the loader returns NRP_OK exactly when it reported nothing;
 * a rule it found a problem in is never bound; every bound rule's strategy
 * is the one it names, from a loaded plugin; binding a valid configuration
 * reports problems only at the places of its rules.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/bind.h"
#include "plugin/loader.h"
#include "plugin/rewrite.h"
#include "rules/config.h"

#include "fuzz_check.h"

static nrp_plugin_set plugins;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    const char *dir = getenv("NRP_FUZZ_PLUGINS");
    nrp_diags refusals;
    nrp_diags_init(&refusals);
    if (!dir) {
        fprintf(stderr, "fuzz_startup: set NRP_FUZZ_PLUGINS to the folder of the sanitized plugins\n");
        exit(2);
    }
    nrp_plugin_set_load_dir(&plugins, dir, nrp_host_api_table(), &refusals);
    if (plugins.count != 3 || refusals.count) {
        fprintf(stderr, "fuzz_startup: expected the 3 bundled plugins in %s, loaded %zu\n", dir, plugins.count);
        exit(2);
    }
    nrp_diags_free(&refusals);
    return 0;
}

/* Overwrites every `include` and `plugins` in text with a key the loader
 * does not know. */
static void rename_file_keys(char *text, size_t size)
{
    static const char *const keys[] = {"include", "plugins"};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        for (char *at = text; (at = memmem(at, size - (size_t)(at - text), keys[k], 7)) != NULL; at += 7)
            at[6] = '_';
}

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size)
{
    char *data = malloc(size ? size : 1);
    if (!data)
        return 0;
    memcpy(data, input, size);
    rename_file_keys(data, size);
    nrp_diags diags;
    nrp_diags_init(&diags);
    nrp_config *cfg = NULL;
    int rc = nrp_config_load_buffer_keep("/nonexistent-fuzz/instrumentation.yaml", data, size, &cfg, &diags);
    CHECK(rc == NRP_OK || rc == NRP_ERROR);
    CHECK((rc == NRP_OK) == (nrp_diags_total(&diags) == 0 && diags.status == NRP_OK));
    if (!cfg) { /* out of memory only */
        nrp_diags_free(&diags);
        free(data);
        return 0;
    }
    size_t loaded = nrp_diags_total(&diags);
    nrp_bound_rule *bound = nrp_bind_rules(cfg, &plugins, NRP_PLUGINS_USED, &diags);
    for (size_t i = 0; bound && i < cfg->rule_count; i++) {
        const nrp_rule *r = &cfg->rules[i];
        CHECK(bound[i].rule == r);
        if (r->invalid)
            CHECK(!bound[i].strategy);
        if (bound[i].strategy) {
            CHECK(r->strategy && strcmp(bound[i].strategy->name, r->strategy) == 0);
            CHECK(bound[i].plugin != NULL);
        }
    }
    if (rc == NRP_OK)
        for (size_t i = loaded; i < diags.count; i++)
            CHECK(diags.items[i].line > 0);
    free(bound);
    nrp_config_free(cfg);
    nrp_diags_free(&diags);
    free(data);
    return 0;
}
