/*
 * app.h - an app on disk, as the runtime will see it: the assemblies of
 * its folder that its deps.json lists (all of them when it has none), and
 * the shared frameworks its runtimeconfig.json asks for, found where the
 * muxer would find them (DOTNET_ROOT, else beside the `dotnet` on PATH,
 * else /usr/share/dotnet and /usr/lib/dotnet), rolled forward as the
 * runtime does by default (the lowest minor at or above the one asked
 * for, then its highest patch). A self-contained app's frameworks are in
 * its own folder, listed by its deps.json.
 */
#ifndef NRP_INSPECT_APP_H
#define NRP_INSPECT_APP_H

#include <stddef.h>

#include "nrp/result.h"
#include "util/err.h"

#define NRP_APP_MAX_FRAMEWORKS 4

typedef struct nrp_app {
    char dir[4096];                /* the app's folder */
    char name[256];                /* its entry assembly's name; "" for a lone library */
    char **files;                  /* the app's own assemblies, sorted by path */
    size_t file_count;
    /* Shared frameworks, the app's own first (Microsoft.AspNetCore.App
     * before the Microsoft.NETCore.App under it). */
    char frameworks[NRP_APP_MAX_FRAMEWORKS][4096];
    size_t framework_count;
} nrp_app;

/* Open the app at `path`: a folder holding one app (one
 * *.runtimeconfig.json, or a lone *.deps.json), or an assembly (.dll):
 * that app's entry assembly when its runtimeconfig.json or deps.json is
 * beside it, else that assembly alone. NRP_ERROR with a reason naming
 * what is missing or ambiguous. */
nrp_result nrp_app_open(const char *path, nrp_app *app, nrp_err *err);

/* The file of the assembly of that simple name (compared without case, as
 * the runtime compares them): the app's own first, then its frameworks'.
 * NRP_ERROR when neither has it. */
nrp_result nrp_app_find_assembly(const nrp_app *app, const char *name, char *path, size_t cap);

/* Every assembly of the frameworks, in order, as paths: *out is malloc'd
 * (free each, then it). A name the app also has is left out. */
nrp_result nrp_app_framework_files(const nrp_app *app, char ***out, size_t *count);

/* Every assembly the app can load, as paths: its own first (the first
 * app->file_count), then its frameworks' as above. Free with
 * nrp_app_files_free. */
nrp_result nrp_app_assembly_files(const nrp_app *app, char ***out, size_t *count);
void nrp_app_files_free(char **files, size_t count);

void nrp_app_close(nrp_app *app);

#endif
