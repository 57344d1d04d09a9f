/*
 * test_app.c - inspect/app.c: an app's assemblies and the shared
 * frameworks it runs on, found in a made-up .NET installation
 * (DOTNET_ROOT) as the runtime would roll forward to them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "inspect/app.h"

static char root[256];

static void put(const char *rel, const char *text)
{
    char path[512], dir[512];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    snprintf(dir, sizeof dir, "%s", path);
    for (char *p = dir + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = '\0';
        mkdir(dir, 0755);
        *p = '/';
    }
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "/tmp/nrp-test-app-XXXXXX");
    assert_non_null(mkdtemp(root));
    static const char *const installed[] = {"8.0.1", "8.0.5", "8.1.0", "9.0.0", "10.0.0-rc.1.25", "10.0.2"};
    for (size_t i = 0; i < sizeof installed / sizeof *installed; i++) {
        char rel[256];
        snprintf(rel, sizeof rel, "dotnet/shared/Microsoft.NETCore.App/%s/System.Runtime.dll", installed[i]);
        put(rel, "");
    }
    put("dotnet/shared/Microsoft.AspNetCore.App/10.0.2/Microsoft.AspNetCore.Hosting.dll", "");
    char dotnet[300];
    snprintf(dotnet, sizeof dotnet, "%s/dotnet", root);
    setenv("DOTNET_ROOT", dotnet, 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd);
}

static const char *config(const char *framework, const char *version, char *buf, size_t cap)
{
    snprintf(buf, cap,
             "{\n  \"runtimeOptions\": {\n    \"tfm\": \"net8.0\",\n    \"framework\": {\n      \"name\": \"%s\",\n"
             "      \"version\": \"%s\"\n    }\n  }\n}\n",
             framework, version);
    return buf;
}

/* The framework folder an app asking for `version` runs on ("" when none). */
static const char *rolled(const char *app, const char *version, char *out, size_t cap)
{
    char rel[256], text[512], path[512];
    nrp_app a;
    nrp_err err;
    snprintf(rel, sizeof rel, "%s/App.runtimeconfig.json", app);
    put(rel, config("Microsoft.NETCore.App", version, text, sizeof text));
    snprintf(rel, sizeof rel, "%s/App.dll", app);
    put(rel, "");
    snprintf(path, sizeof path, "%s/%s", root, app);
    out[0] = '\0';
    if (nrp_app_open(path, &a, &err) != NRP_OK)
        return out;
    assert_int_equal(a.framework_count, 1);
    const char *slash = strrchr(a.frameworks[0], '/');
    snprintf(out, cap, "%s", slash + 1);
    nrp_app_close(&a);
    return out;
}

static void frameworks_roll_forward(void **state)
{
    (void)state;
    char got[64];
    /* the highest patch of the minor asked for */
    assert_string_equal(rolled("a1", "8.0.0", got, sizeof got), "8.0.5");
    assert_string_equal(rolled("a2", "8.0.2", got, sizeof got), "8.0.5");
    /* no patch of it is high enough: the next minor */
    assert_string_equal(rolled("a3", "8.0.6", got, sizeof got), "8.1.0");
    /* a release above its previews */
    assert_string_equal(rolled("a4", "10.0.0", got, sizeof got), "10.0.2");
    /* never to another major */
    assert_string_equal(rolled("a5", "7.0.0", got, sizeof got), "");
    assert_string_equal(rolled("a6", "11.0.0", got, sizeof got), "");
}

static void app_assemblies_and_lookups(void **state)
{
    (void)state;
    char text[512], path[512], found[512];
    nrp_app a;
    nrp_err err;
    /* An ASP.NET Core app: its framework, then .NET's under it. Its
     * deps.json lists Shop.dll, not Stray.dll. */
    put("web/Shop.runtimeconfig.json", config("Microsoft.AspNetCore.App", "10.0.0", text, sizeof text));
    put("web/Shop.deps.json", "{ \"targets\": { \"x\": { \"Shop/1.0\": { \"runtime\": { \"Shop.dll\": {} } } } } }");
    put("web/Shop.dll", "");
    put("web/Stray.dll", "");
    snprintf(path, sizeof path, "%s/web", root);
    assert_int_equal(nrp_app_open(path, &a, &err), NRP_OK);
    assert_string_equal(a.name, "Shop");
    assert_int_equal(a.file_count, 1);
    assert_non_null(strstr(a.files[0], "/web/Shop.dll"));
    assert_int_equal(a.framework_count, 2);
    assert_non_null(strstr(a.frameworks[0], "Microsoft.AspNetCore.App/10.0.2"));
    assert_non_null(strstr(a.frameworks[1], "Microsoft.NETCore.App/10.0.2"));
    /* Names are found without case, the app's first, then the frameworks'. */
    assert_int_equal(nrp_app_find_assembly(&a, "shop", found, sizeof found), NRP_OK);
    assert_non_null(strstr(found, "/web/Shop.dll"));
    assert_int_equal(nrp_app_find_assembly(&a, "Microsoft.AspNetCore.Hosting", found, sizeof found), NRP_OK);
    assert_int_equal(nrp_app_find_assembly(&a, "System.Runtime", found, sizeof found), NRP_OK);
    assert_non_null(strstr(found, "Microsoft.NETCore.App/10.0.2/"));
    assert_int_equal(nrp_app_find_assembly(&a, "Stray", found, sizeof found), NRP_ERROR);
    assert_int_equal(nrp_app_find_assembly(&a, "../web/Shop", found, sizeof found), NRP_ERROR);
    char **files;
    size_t count;
    assert_int_equal(nrp_app_framework_files(&a, &files, &count), NRP_OK);
    assert_int_equal(count, 2);
    for (size_t i = 0; i < count; i++)
        free(files[i]);
    free(files);
    nrp_app_close(&a);

    /* A self-contained app carries its frameworks. */
    put("sc/Tool.runtimeconfig.json", "{ \"runtimeOptions\": { \"includedFrameworks\": [ { \"name\": "
                                      "\"Microsoft.NETCore.App\", \"version\": \"8.0.31\" } ] } }");
    put("sc/Tool.dll", "");
    put("sc/System.Private.CoreLib.dll", "");
    snprintf(path, sizeof path, "%s/sc/Tool.dll", root);
    assert_int_equal(nrp_app_open(path, &a, &err), NRP_OK);
    assert_int_equal(a.framework_count, 0);
    assert_int_equal(a.file_count, 2);
    nrp_app_close(&a);

    /* A lone library: that file alone, on the newest framework. */
    put("lib/Lone.dll", "");
    put("lib/Other.dll", "");
    snprintf(path, sizeof path, "%s/lib/Lone.dll", root);
    assert_int_equal(nrp_app_open(path, &a, &err), NRP_OK);
    assert_int_equal(a.file_count, 1);
    assert_int_equal(a.framework_count, 1);
    assert_non_null(strstr(a.frameworks[0], "Microsoft.NETCore.App/10.0.2"));
    nrp_app_close(&a);
}

static void refusals_say_why(void **state)
{
    (void)state;
    char path[512];
    nrp_app a;
    nrp_err err;
    snprintf(path, sizeof path, "%s/nowhere/App.dll", root);
    assert_int_equal(nrp_app_open(path, &a, &err), NRP_ERROR);
    assert_non_null(strstr(err.msg, "neither a folder nor a readable .dll"));
    put("two/A.runtimeconfig.json", "{}");
    put("two/B.runtimeconfig.json", "{}");
    snprintf(path, sizeof path, "%s/two", root);
    assert_int_equal(nrp_app_open(path, &a, &err), NRP_ERROR);
    assert_non_null(strstr(err.msg, "holds several apps"));
    put("empty/E.runtimeconfig.json", "{}");
    snprintf(path, sizeof path, "%s/empty", root);
    assert_int_equal(nrp_app_open(path, &a, &err), NRP_ERROR);
    assert_non_null(strstr(err.msg, "holds no assembly"));
    char text[512];
    put("old/Old.runtimeconfig.json", config("Microsoft.NETCore.App", "6.0.0", text, sizeof text));
    put("old/Old.dll", "");
    snprintf(path, sizeof path, "%s/old", root);
    assert_int_equal(nrp_app_open(path, &a, &err), NRP_ERROR);
    assert_non_null(strstr(err.msg, "framework Microsoft.NETCore.App 6.0.0 is not installed"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(frameworks_roll_forward),
        cmocka_unit_test(app_assemblies_and_lookups),
        cmocka_unit_test(refusals_say_why),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
