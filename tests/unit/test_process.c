/* Process names as settings.processes sees them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/process.h"
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

static void app_dir(void **state)
{
    (void)state;
    char out[4096];
    /* under the muxer: the folder of the .dll it runs (resolved) */
    static const char muxer[] = "/usr/bin/dotnet\0exec\0/tmp/../tmp/App.dll";
    FILE *f = fopen("/tmp/App.dll", "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(nrp_process_app_dir_from_args(muxer, sizeof muxer, "/usr/bin/dotnet", out, sizeof out), NRP_OK);
    assert_string_equal(out, "/tmp");
    unlink("/tmp/App.dll");
    /* an apphost: the executable's folder */
    static const char apphost[] = "./Shop\0--port\0080";
    assert_int_equal(nrp_process_app_dir_from_args(apphost, sizeof apphost, "/bin/sh", out, sizeof out), NRP_OK);
    assert_non_null(strstr("/bin /usr/bin", out));
    /* a .dll that does not exist: unknown */
    static const char gone[] = "dotnet\0/nowhere/App.dll";
    assert_int_equal(nrp_process_app_dir_from_args(gone, sizeof gone, "/bin/sh", out, sizeof out), NRP_ERROR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(app_dir),
        cmocka_unit_test(names),
        cmocka_unit_test(sdk_processes_are_excluded),
    };
    return cmocka_run_group_tests_name("process", tests, NULL, NULL);
}
