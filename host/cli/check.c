/*
 * nrprof check [--explain] [FILE]
 *
 * Loads FILE (default: the bundle's instrumentation.yaml) with its
 * includes and the plugins it names, exactly as the profiler will, and
 * prints every problem as FILE:LINE:COL: error: MESSAGE. Exit 0 when the
 * configuration is valid, 1 when not, 2 on a usage error. --explain also
 * prints the effective rules, one per line.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "plugin/bind.h"
#include "util/path.h"

static int usage(FILE *to)
{
    fprintf(to, "usage: nrprof check [--explain] [FILE]\n"
                "  Checks an instrumentation.yaml (default: the bundle's) and the plugins it needs.\n"
                "  Exit status: 0 valid, 1 invalid, 2 usage error.\n");
    return to == stdout ? 0 : 2;
}

static void print_match(const nrp_match *m)
{
    if (m->assembly)
        printf(" assembly=%s", m->assembly);
    if (m->type)
        printf(" type=%s", m->type);
    if (m->method)
        printf(" method=%s", m->method);
    if (m->has_parameters) {
        printf(" parameters=(");
        for (uint32_t i = 0; i < m->parameter_count; i++)
            printf("%s%s", i ? "," : "", m->parameters[i]);
        printf(")");
    }
    if (m->is_static >= 0)
        printf(" static=%s", m->is_static ? "true" : "false");
    if (m->has_version)
        printf(" version=(%u bounds)", m->version.count);
    if (m->attribute)
        printf(" attribute=%s", m->attribute);
    if (m->base)
        printf(" base=%s", m->base);
}

static void explain(const nrp_config *cfg, const nrp_bound_rule *bound)
{
    for (size_t i = 0; i < cfg->rule_count; i++) {
        const nrp_rule *r = &cfg->rules[i];
        printf("%s: %s%s priority=%ld", r->name, r->strategy, r->enabled ? "" : " (disabled)", r->priority);
        if (bound && bound[i].plugin)
            printf(" plugin=%s", bound[i].plugin);
        print_match(&r->match);
        for (uint32_t e = 0; e < r->exclude_count; e++) {
            printf(" exclude{");
            print_match(&r->excludes[e]);
            printf(" }");
        }
        printf(" at %s:%u:%u\n", r->pos.file, r->pos.line, r->pos.column);
    }
}

int nrp_cli_check_file(const char *file, int want_explain, const char *bundle)
{
    char plugin_dir[PATH_MAX];
    nrp_diags diags;
    nrp_config *cfg = NULL;
    nrp_plugin_set plugins = {0};
    nrp_bound_rule *bound = NULL;
    nrp_strbuf text;

    nrp_diags_init(&diags);
    nrp_config_load_trusted(file, &cfg, &diags);
    if (cfg) { /* even with errors: unknown strategies are worth reporting too */
        nrp_load_config_plugins(&plugins,
                                nrp_path_join(bundle, "plugins", plugin_dir, sizeof plugin_dir) == NRP_OK ? plugin_dir
                                                                                                       : NULL,
                                cfg, NRP_PLUGINS_ALL, &diags);
        bound = nrp_bind_rules(cfg, &plugins, NRP_PLUGINS_ALL, &diags);
    }
    nrp_strbuf_init(&text);
    nrp_diags_format(&diags, &text);
    if (text.len)
        fputs(text.data, stderr);
    int ok = nrp_diags_total(&diags) == 0 && diags.status == NRP_OK;
    if (ok) {
        size_t enabled = 0;
        for (size_t i = 0; i < cfg->rule_count; i++)
            enabled += cfg->rules[i].enabled != 0;
        printf("%s: ok: %zu rule(s), %zu enabled, from %u file(s)\n", file, cfg->rule_count, enabled,
               cfg->file_count);
        if (want_explain)
            explain(cfg, bound);
    } else {
        fprintf(stderr, "%s: %zu error(s)\n", file, nrp_diags_total(&diags));
    }
    nrp_strbuf_free(&text);
    free(bound);
    nrp_plugin_set_clear(&plugins);
    nrp_config_free(cfg);
    nrp_diags_free(&diags);
    return ok ? 0 : 1;
}

int nrp_cli_check(int argc, char **argv)
{
    char bundle[PATH_MAX], default_file[PATH_MAX];
    const char *file = NULL;
    int want_explain = 0;

    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return usage(stdout);
        if (strcmp(argv[i], "--explain") == 0)
            want_explain = 1;
        else if (nrp_cli_operand(argv[i], 1, &file) != NRP_OK)
            return usage(stderr);
    }
    if (nrp_cli_bundle_dir(bundle, sizeof bundle) != NRP_OK) {
        fprintf(stderr, "nrprof: cannot find the bundle folder from /proc/self/exe\n");
        return 2;
    }
    if (!file) {
        if (nrp_path_join(bundle, "instrumentation.yaml", default_file, sizeof default_file) != NRP_OK)
            return 2;
        file = default_file;
    }
    return nrp_cli_check_file(file, want_explain, bundle);
}
