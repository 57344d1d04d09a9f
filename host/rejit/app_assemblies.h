/*
 * app_assemblies.h - can the app load an assembly by name? The runtime's
 * default resolution only looks at the app's trusted list: the framework,
 * plus what <app>.deps.json lists; only an app without a deps.json gets the
 * files of its folder. Code that references an assembly outside that list
 * throws when it is compiled, so plugins ask before they do.
 */
#ifndef NRP_REJIT_APP_ASSEMBLIES_H
#define NRP_REJIT_APP_ASSEMBLIES_H

#include <stddef.h>

#include "nrp/result.h"

/* deps.json text lists NAME.dll as a runtime asset (a key "NAME.dll" or
 * ".../NAME.dll"; names compare without case). */
int nrp_deps_lists_assembly(const char *deps_json, const char *name);

typedef struct nrp_app_assemblies {
    char dir[4096];        /* the folder of the app's main assembly; "" unknown */
    char *deps_json;       /* its deps.json text, NULL when it has none */
} nrp_app_assemblies;

/* Find the app's folder and read its deps.json (main assembly path given:
 * the .dll the muxer runs, or the apphost). */
nrp_result nrp_app_assemblies_load(nrp_app_assemblies *app, const char *main_path);

/* NAME is in the app's list: its deps.json names it, or, without a
 * deps.json, NAME.dll is in its folder. */
int nrp_app_assemblies_has(const nrp_app_assemblies *app, const char *name);

/* The path of NAME.dll in the app's folder (its name matched without
 * case, as the runtime matches assembly names), when it is there. */
nrp_result nrp_app_assemblies_file(const nrp_app_assemblies *app, const char *name, char *path, size_t cap);

void nrp_app_assemblies_free(nrp_app_assemblies *app);

#endif
