/*
 * nrprof check [--explain] [--app PATH] [FILE]
 *
 * Loads FILE (default: the bundle's instrumentation.yaml) with its
 * includes and the plugins it names, exactly as the profiler will, and
 * prints every problem as FILE:LINE:COL: error: MESSAGE. Exit 0 when the
 * configuration is valid, 1 when not, 2 on a usage error. --explain also
 * prints the effective rules, one per line.
 *
 * With --app, it then reads the app's assemblies (inspect/preview.h) and
 * lists under each rule the methods it will select there, and warns
 * (FILE:LINE:COL: warning: ...) about each enabled rule that selects
 * none (--explain adds a note for each near miss: inspect/explain.h);
 * warnings leave the exit status 0. With --roundtrip, every method
 * body of the app's assemblies and of its frameworks also goes through the
 * IL engine and back (inspect/roundtrip.h); any difference exits 1.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "inspect/app.h"
#include "inspect/explain.h"
#include "inspect/preview.h"
#include "inspect/roundtrip.h"
#include "plugin/bind.h"
#include "plugin/rewrite.h"
#include "util/path.h"

static int usage(FILE *to)
{
    fprintf(to, "usage: nrprof check [--explain] [--app PATH [--roundtrip]] [FILE]\n"
                "  Checks an instrumentation.yaml (default: the bundle's) and the plugins it needs.\n"
                "  --app PATH  also list the methods each rule selects in the app at PATH (its folder,\n"
                "              or its .dll), and warn about rules that select none\n"
                "  --roundtrip also decode and re-encode every method body of the app and its\n"
                "              frameworks through the IL engine, and report any that changes meaning\n"
                "  Exit status: 0 valid (warnings or not), 1 invalid, 2 usage error.\n");
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

static const char *plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* Under each rule, the methods it selects in the app; then a warning for
 * each enabled rule that selects none. 1 when the app cannot be read. */
static int preview_app(const nrp_app *app, const nrp_config *cfg, int want_explain)
{
    nrp_preview p;
    nrp_err err;
    if (nrp_preview_app(app, cfg->rules, cfg->rule_count, &p, &err) != NRP_OK) {
        fprintf(stderr, "nrprof: --app %s: %s\n", app->name[0] ? app->name : app->dir, err.msg);
        return 1;
    }
    printf("app %s: %zu assembl%s, framework%s", app->name[0] ? app->name : app->dir, app->file_count,
           plural(app->file_count, "y", "ies"), plural(app->framework_count, "", "s"));
    for (size_t f = 0; f < app->framework_count; f++)
        printf(" %s", app->frameworks[f]);
    if (!app->framework_count)
        printf(" in its folder (self-contained)");
    printf("; %zu assembl%s named by the rules read\n", p.assemblies, plural(p.assemblies, "y", "ies"));
    for (size_t i = 0; i < p.problem_count; i++)
        fprintf(stderr, "nrprof: warning: %s\n", p.problems[i]);
    size_t rules_selecting = 0;
    for (size_t r = 0; r < cfg->rule_count; r++) {
        const nrp_rule *rule = &cfg->rules[r];
        if (!rule->enabled || !p.per_rule[r])
            continue;
        rules_selecting++;
        printf("rule '%s' (%s) selects %zu method%s:\n", rule->name, rule->strategy, p.per_rule[r],
               plural(p.per_rule[r], "", "s"));
        for (size_t m = 0; m < p.count; m++)
            for (uint32_t k = 0; k < p.methods[m].rule_count; k++)
                if (p.methods[m].rules[k] == r)
                    printf("  %s in %s\n", p.methods[m].label, p.methods[m].assembly);
    }
    for (size_t m = 0; m < p.count; m++)
        if (p.methods[m].left_out)
            fprintf(stderr, "nrprof: warning: %u more rules select %s than the %d that apply\n",
                    p.methods[m].left_out, p.methods[m].label, NRP_MAX_RULES_PER_METHOD);
    for (size_t r = 0; r < cfg->rule_count; r++) {
        const nrp_rule *rule = &cfg->rules[r];
        if (!rule->enabled || p.per_rule[r])
            continue;
        fprintf(stderr, "%s:%u:%u: warning: rule '%s' selects no method in the app\n", rule->pos.file,
                rule->pos.line, rule->pos.column, rule->name);
        nrp_strbuf why;
        nrp_strbuf_init(&why);
        if (want_explain && nrp_explain_rule(app, rule, &why) == NRP_OK && why.data)
            for (char *line = strtok(why.data, "\n"); line; line = strtok(NULL, "\n"))
                fprintf(stderr, "%s:%u:%u: note: %s\n", rule->pos.file, rule->pos.line, rule->pos.column, line);
        nrp_strbuf_free(&why);
    }
    printf("%zu method%s selected by %zu rule%s\n", p.count, plural(p.count, "", "s"), rules_selecting,
           plural(rules_selecting, "", "s"));
    nrp_preview_free(&p);
    return 0;
}

/* Every IL body of the app and of its frameworks through the IL engine and
 * back; each difference on stdout. 1 when there is any, or a file cannot
 * be read. */
static int roundtrip_app(const nrp_app *app)
{
    nrp_err err;
    char **files = NULL;
    size_t count = 0, unreadable = 0;
    nrp_roundtrip_stats st = {0, 0, 0, 0};
    if (nrp_app_assembly_files(app, &files, &count) != NRP_OK) {
        fprintf(stderr, "nrprof: --roundtrip: out of memory listing the assemblies\n");
        return 1;
    }
    for (size_t i = 0; i < count; i++)
        /* A native library named *.dll among the frameworks' is no
         * assembly: not counted. */
        if (nrp_roundtrip_assembly(files[i], &st, stdout, &err) != NRP_OK && i < app->file_count) {
            fprintf(stderr, "nrprof: --roundtrip: %s: %s\n", files[i], err.msg);
            unreadable++;
        }
    printf("roundtrip: %zu method bod%s in %zu assembl%s, %zu difference%s\n", st.methods,
           plural(st.methods, "y", "ies"), st.assemblies, plural(st.assemblies, "y", "ies"), st.differences,
           plural(st.differences, "", "s"));
    nrp_app_files_free(files, count);
    return st.differences || unreadable ? 1 : 0;
}

int nrp_cli_check_file(const char *file, int want_explain, const char *bundle)
{
    return nrp_cli_check_app(file, want_explain, bundle, NULL, 0);
}

static nrp_result app_file(void *ctx, const char *assembly, char *path, size_t cap)
{
    return nrp_app_find_assembly(ctx, assembly, path, cap);
}

int nrp_cli_check_app(const char *file, int want_explain, const char *bundle, const char *app_path, int roundtrip)
{
    char plugin_dir[PATH_MAX];
    nrp_diags diags;
    nrp_config *cfg = NULL;
    nrp_plugin_set plugins = {0};
    nrp_bound_rule *bound = NULL;
    nrp_strbuf text;
    nrp_app app;
    nrp_err err;

    /* The app first: plugins' validate() may look in it (check_static_method
     * without a rewrite, ABI 1.5), e.g. for the tracer's handlers. */
    if (app_path) {
        if (nrp_app_open(app_path, &app, &err) != NRP_OK) {
            fprintf(stderr, "nrprof: --app %s: %s\n", app_path, err.msg);
            return 1;
        }
        nrp_host_api_offline_app(app_file, &app);
    }
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
        if (app_path && preview_app(&app, cfg, want_explain) != 0)
            ok = 0;
        if (app_path && roundtrip && roundtrip_app(&app) != 0)
            ok = 0;
    } else {
        fprintf(stderr, "%s: %zu error(s)\n", file, nrp_diags_total(&diags));
    }
    nrp_strbuf_free(&text);
    free(bound);
    nrp_plugin_set_clear(&plugins);
    nrp_config_free(cfg);
    nrp_diags_free(&diags);
    if (app_path) {
        nrp_host_api_offline_app(NULL, NULL);
        nrp_app_close(&app);
    }
    return ok ? 0 : 1;
}

int nrp_cli_check(int argc, char **argv)
{
    char bundle[PATH_MAX], default_file[PATH_MAX];
    const char *file = NULL, *app = NULL;
    int want_explain = 0, roundtrip = 0;

    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return usage(stdout);
        if (strcmp(argv[i], "--explain") == 0)
            want_explain = 1;
        else if (strcmp(argv[i], "--app") == 0 && i + 1 < argc)
            app = argv[++i];
        else if (strcmp(argv[i], "--roundtrip") == 0)
            roundtrip = 1;
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
    if (roundtrip && !app)
        return usage(stderr);
    return nrp_cli_check_app(file, want_explain, bundle, app, roundtrip);
}
