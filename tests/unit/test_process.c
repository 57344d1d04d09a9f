/* Process names as settings.processes sees them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rejit/app_assemblies.h"
#include "util/process.h"
#include "nrp/plugin.h"
#include "rules/glob.h"

static void name_is(const char *args, size_t len, const char *want)
{
    char out[64];
    nrp_process_name_from_args(args, len, out, sizeof out);
    assert_string_equal(out, want);
}

#define ARGS(s) s, sizeof(s) - 1

static void names(void **state)
{
    (void)state;
    name_is(ARGS("/srv/shop/Shop\0--port\0" "80\0"), "Shop");                       /* apphost */
    name_is(ARGS("dotnet\0/srv/shop/Shop.dll\0"), "Shop");                         /* muxer */
    name_is(ARGS("/usr/bin/dotnet\0exec\0--runtimeconfig\0x.json\0Shop.Api.dll\0"), "Shop.Api");
    name_is(ARGS("/usr/share/dotnet/dotnet\0build\0-c\0Release\0"), "dotnet");     /* SDK command */
    name_is(ARGS("/usr/share/dotnet/dotnet\0/usr/share/dotnet/sdk/10.0.401/MSBuild.dll\0-nologo\0"), "MSBuild");
    name_is(ARGS("dotnet\0/usr/share/dotnet/sdk/10.0.401/Roslyn/bincore/VBCSCompiler.dll\0"), "VBCSCompiler");
    name_is(ARGS("./tool\0"), "tool");
    name_is("", 0, "?");
}

static int builtin_excluded(const char *name)
{
    for (const char *const *p = nrp_builtin_process_excludes; *p; p++)
        if (nrp_glob_match(*p, name))
            return 1;
    return 0;
}

static void sdk_processes_are_excluded(void **state)
{
    (void)state;
    assert_true(builtin_excluded("dotnet"));
    assert_true(builtin_excluded("MSBuild"));
    assert_true(builtin_excluded("VBCSCompiler"));
    assert_true(builtin_excluded("csc"));
    assert_true(builtin_excluded("dotnet-counters"));
    assert_false(builtin_excluded("Shop"));
    assert_false(builtin_excluded("dotnetShop"));
}

static void main_path(void **state)
{
    (void)state;
    char out[4096];
    /* under the muxer: the .dll it runs (resolved) */
    static const char muxer[] = "/usr/bin/dotnet\0exec\0/tmp/../tmp/App.dll";
    FILE *f = fopen("/tmp/App.dll", "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(nrp_process_main_path_from_args(muxer, sizeof muxer, "/usr/bin/dotnet", out, sizeof out), NRP_OK);
    assert_string_equal(out, "/tmp/App.dll");
    unlink("/tmp/App.dll");
    /* an apphost: the executable */
    static const char apphost[] = "./Shop\0--port\0080";
    assert_int_equal(nrp_process_main_path_from_args(apphost, sizeof apphost, "/bin/sh", out, sizeof out), NRP_OK);
    assert_non_null(strstr(out, "/bin/"));
    /* a .dll that does not exist: unknown */
    static const char gone[] = "dotnet\0/nowhere/App.dll";
    assert_int_equal(nrp_process_main_path_from_args(gone, sizeof gone, "/bin/sh", out, sizeof out), NRP_ERROR);
}

static void app_assemblies(void **state)
{
    (void)state;
    static const char deps[] =
        "{ \"targets\": { \".NETCoreApp,Version=v10.0\": { \"Shop/1.0.0\": { \"runtime\": { \"Shop.dll\": {} } },\n"
        "  \"Newtonsoft.Json/13.0.4\": { \"runtime\": { \"lib/net6.0/Newtonsoft.Json.dll\": {} } },\n"
        "  \"Shop.Telemetry/1.0.0\": { \"dependencies\": { \"Shop.Telemetry.Core\": \"1.0.0\" } } } } }";
    assert_true(nrp_deps_lists_assembly(deps, "Shop"));
    assert_true(nrp_deps_lists_assembly(deps, "newtonsoft.json")); /* without case, after a folder */
    assert_false(nrp_deps_lists_assembly(deps, "Shop.Telemetry")); /* a package name, not an asset */
    assert_false(nrp_deps_lists_assembly(deps, "Json"));
    assert_false(nrp_deps_lists_assembly(deps, ""));

    /* an app with a deps.json: only what it lists, even if other files sit
     * next to it; without one: its folder */
    char dir[] = "/tmp/nrp-app-XXXXXX", path[256];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/Stray.dll", dir);
    FILE *f = fopen(path, "w");
    fclose(f);
    snprintf(path, sizeof path, "%s/Shop.deps.json", dir);
    f = fopen(path, "w");
    fputs(deps, f);
    fclose(f);
    nrp_app_assemblies app;
    snprintf(path, sizeof path, "%s/Shop.dll", dir);
    assert_int_equal(nrp_app_assemblies_load(&app, path), NRP_OK);
    assert_true(nrp_app_assemblies_has(&app, "Newtonsoft.Json"));
    assert_false(nrp_app_assemblies_has(&app, "Stray"));
    nrp_app_assemblies_free(&app);
    snprintf(path, sizeof path, "%s/Other.dll", dir);
    assert_int_equal(nrp_app_assemblies_load(&app, path), NRP_OK);
    assert_true(nrp_app_assemblies_has(&app, "Stray"));
    assert_false(nrp_app_assemblies_has(&app, "Newtonsoft.Json"));
    nrp_app_assemblies_free(&app);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(main_path),
        cmocka_unit_test(app_assemblies),
        cmocka_unit_test(names),
        cmocka_unit_test(sdk_processes_are_excluded),
    };
    return cmocka_run_group_tests_name("process", tests, NULL, NULL);
}
