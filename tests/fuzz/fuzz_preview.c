/*
 * fuzz_preview.c - libFuzzer target for the whole path of `nrprof check
 * --app` over a hostile app: the input is the app's one assembly, written
 * to a folder, opened as an app (inspect/app.c, in a made-up .NET
 * installation with an empty framework), then matched against rules that
 * use every condition (inspect/preview.c: the rule index, the matcher, the
 * `base` walk, custom attributes, labels with generic names), explained
 * where they select nothing (inspect/explain.c), and round-tripped through
 * the IL engine (inspect/roundtrip.c). Seeded with the metadata corpus.
 *
 * Invariants: nothing crashes, leaks or reads out of bounds; the methods
 * under the rules add up to the rules' counts; a second preview of the
 * same file selects the same methods.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_check.h"
#include "inspect/app.h"
#include "inspect/explain.h"
#include "inspect/preview.h"
#include "inspect/roundtrip.h"
#include "rules/version.h"

static char dir[128], dll[192];
static nrp_rule rules[8];
static size_t rule_count;

static void make_rules(void)
{
    static char *any = "*", *params[] = {"System.String", "System.Int32"}, *made = "*<*";
    static nrp_match excludes[] = {{.method = "get_*", .is_static = -1}};
    char why[128];
    nrp_match m[] = {
        {.assembly = any, .type = any, .method = any, .is_static = -1},
        {.assembly = any, .type = made, .method = any, .is_static = -1},
        {.assembly = any, .type = any, .method = "<*", .is_static = -1},
        {.assembly = any, .type = any, .method = any, .is_static = 1, .has_parameters = 1, .parameters = params,
         .parameter_count = 2},
        {.assembly = any, .type = any, .method = any, .is_static = -1, .attribute = "System.ObsoleteAttribute"},
        {.assembly = any, .type = any, .method = any, .is_static = -1, .base = "System.Exception"},
        {.assembly = any, .type = "Meta.Sample.*", .method = "On*", .is_static = -1, .has_version = 1},
        {.assembly = "Meta.Sample", .type = "Meta.Sample.Hooks", .method = "OnEnter", .is_static = 0},
    };
    nrp_version_range_parse(">=1 <2", &m[6].version, why, sizeof why);
    for (size_t i = 0; i < sizeof m / sizeof *m; i++) {
        static char names[8][8];
        snprintf(names[i], sizeof names[i], "r%zu", i);
        rules[i] = (nrp_rule){.name = names[i], .enabled = 1, .priority = (long)(i % 3), .match = m[i],
                              .strategy = "timing", .pos = {"fuzz.yaml", (uint32_t)i + 1, 5}};
    }
    rules[0].excludes = excludes;
    rules[0].exclude_count = 1;
    rule_count = sizeof m / sizeof *m;
}

/* The app's folder and an installation whose only framework is empty: the
 * input alone is read. */
static void make_dirs(void)
{
    char path[256];
    snprintf(dir, sizeof dir, "/tmp/nrp-fuzz-preview-%d", (int)getpid());
    snprintf(path, sizeof path, "%s/dotnet/shared/Microsoft.NETCore.App/10.0.0", dir);
    for (char *p = path + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = '\0';
        mkdir(path, 0755);
        *p = '/';
    }
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/dotnet", dir);
    setenv("DOTNET_ROOT", path, 1);
    snprintf(path, sizeof path, "%s/app", dir);
    mkdir(path, 0755);
    snprintf(dll, sizeof dll, "%s/app/App.dll", dir);
}

static void remove_dirs(void)
{
    static const char *const made[] = {"app/App.dll", "app", "dotnet/shared/Microsoft.NETCore.App/10.0.0",
                                       "dotnet/shared/Microsoft.NETCore.App", "dotnet/shared", "dotnet", ""};
    char path[256];
    for (size_t i = 0; i < sizeof made / sizeof *made; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, made[i]);
        if (unlink(path) != 0)
            rmdir(path);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    make_dirs();
    atexit(remove_dirs);
    make_rules();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f = fopen(dll, "wb");
    if (!f)
        return 0;
    size_t written = fwrite(data, 1, size, f);
    fclose(f);
    if (written != size)
        return 0;
    nrp_app app;
    nrp_err err;
    CHECK(nrp_app_open(dll, &app, &err) == NRP_OK); /* a lone library: found whatever its bytes */
    nrp_preview p, again;
    CHECK(nrp_preview_app(&app, rules, rule_count, &p, &err) == NRP_OK);
    size_t listed = 0, counted = 0;
    for (size_t i = 0; i < p.count; i++)
        listed += p.methods[i].rule_count;
    for (size_t r = 0; r < rule_count; r++)
        counted += p.per_rule[r];
    CHECK(listed == counted);
    CHECK(nrp_preview_app(&app, rules, rule_count, &again, &err) == NRP_OK);
    CHECK(again.count == p.count);
    for (size_t i = 0; i < p.count; i++)
        CHECK(strcmp(p.methods[i].label, again.methods[i].label) == 0);
    for (size_t r = 0; r < rule_count; r++) {
        if (p.per_rule[r])
            continue;
        nrp_strbuf why;
        nrp_strbuf_init(&why);
        CHECK(nrp_explain_rule(&app, &rules[r], &why) == NRP_OK);
        nrp_strbuf_free(&why);
    }
    nrp_preview_free(&again);
    nrp_preview_free(&p);
    nrp_roundtrip_stats st = {0, 0, 0, 0};
    (void)nrp_roundtrip_assembly(dll, &st, NULL, &err);
    CHECK(st.differences <= st.methods);
    nrp_app_close(&app);
    return 0;
}
