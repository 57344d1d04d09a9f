#include "rejit/app_assemblies.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "nrp/result.h"
#include "util/file.h"
#include "util/path.h"

/* deps.json files of real apps are a few hundred kilobytes at most. */
#define MAX_DEPS_BYTES (16u << 20)

int nrp_deps_lists_assembly(const char *deps_json, const char *name)
{
    size_t n = strlen(name);
    if (!deps_json || n == 0)
        return 0;
    for (const char *p = deps_json; (p = strchr(p, '"')) != NULL; p++) {
        /* p opens a JSON string; the asset's file name follows the last '/'. */
        const char *end = strchr(p + 1, '"');
        if (!end)
            return 0;
        const char *file = p + 1;
        for (const char *q = p + 1; q < end; q++)
            if (*q == '/')
                file = q + 1;
        if ((size_t)(end - file) == n + 4 && strncasecmp(file, name, n) == 0 && strncasecmp(file + n, ".dll", 4) == 0)
            return 1;
        p = end;
    }
    return 0;
}


nrp_result nrp_app_assemblies_load(nrp_app_assemblies *app, const char *main_path)
{
    char deps[4200];
    memset(app, 0, sizeof *app);
    if (nrp_path_dirname(main_path, app->dir, sizeof app->dir) != NRP_OK)
        return NRP_ERROR;
    /* App.dll -> App.deps.json; an apphost App -> App.deps.json */
    size_t n = strlen(main_path);
    if (n > 4 && strcasecmp(main_path + n - 4, ".dll") == 0)
        n -= 4;
    if ((size_t)snprintf(deps, sizeof deps, "%.*s.deps.json", (int)n, main_path) >= sizeof deps)
        return NRP_ERROR;
    size_t len;
    int error;
    if (nrp_file_read(deps, MAX_DEPS_BYTES, &app->deps_json, &len, &error) != NRP_OK)
        app->deps_json = NULL; /* no deps.json: the app's folder is its list */
    return NRP_OK;
}

int nrp_app_assemblies_has(const nrp_app_assemblies *app, const char *name)
{
    char path[4400];
    if (app->deps_json)
        return nrp_deps_lists_assembly(app->deps_json, name);
    if (!app->dir[0])
        return 0;
    snprintf(path, sizeof path, "%s/%s.dll", app->dir, name);
    return access(path, R_OK) == 0;
}

nrp_result nrp_app_assemblies_file(const nrp_app_assemblies *app, const char *name, char *path, size_t cap)
{
    size_t n = strlen(name);
    if (!app->dir[0] || n == 0 || strchr(name, '/'))
        return NRP_ERROR;
    if ((size_t)snprintf(path, cap, "%s/%s.dll", app->dir, name) >= cap)
        return NRP_ERROR;
    if (access(path, R_OK) == 0)
        return NRP_OK;
    /* The runtime matches assembly names without case; the file system does not. */
    DIR *d = opendir(app->dir);
    struct dirent *e;
    nrp_result rc = NRP_ERROR;
    while (d && rc != NRP_OK && (e = readdir(d)) != NULL)
        if (strlen(e->d_name) == n + 4 && strncasecmp(e->d_name, name, n) == 0 &&
            strcasecmp(e->d_name + n, ".dll") == 0 &&
            (size_t)snprintf(path, cap, "%s/%s", app->dir, e->d_name) < cap && access(path, R_OK) == 0)
            rc = NRP_OK;
    if (d)
        closedir(d);
    return rc;
}

void nrp_app_assemblies_free(nrp_app_assemblies *app)
{
    free(app->deps_json);
    app->deps_json = NULL;
}
