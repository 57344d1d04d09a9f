#include "inspect/app.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rejit/app_assemblies.h"
#include "util/array.h"
#include "util/file.h"
#include "util/path.h"

/* runtimeconfig.json and deps.json files are kilobytes; a few MB at most. */
#define MAX_JSON_BYTES (16u << 20)

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n > k && strcasecmp(s + n - k, suffix) == 0;
}

static int is_dir(const char *path)
{
    struct stat st;
    return nrp_path_stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int compare_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_list(char **files, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(files[i]);
    free(files);
}

/* Every *.dll of dir that deps_json lists (all when deps_json is NULL),
 * except the names in `skip`'s list, sorted. */
static nrp_result list_dlls(const char *dir, const char *deps_json, char *const *skip, size_t skip_count,
                            char ***out, size_t *count)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t cap = 0;
    char path[PATH_MAX];
    *out = NULL;
    *count = 0;
    if (!d)
        return NRP_ERROR;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (!has_suffix(e->d_name, ".dll") || nrp_path_join(dir, e->d_name, path, sizeof path) != NRP_OK)
            continue;
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)(n - 4), e->d_name);
        if (deps_json && !nrp_deps_lists_assembly(deps_json, name))
            continue;
        int skipped = 0;
        for (size_t i = 0; i < skip_count && !skipped; i++) {
            const char *base = strrchr(skip[i], '/');
            skipped = strcasecmp(base ? base + 1 : skip[i], e->d_name) == 0;
        }
        char *copy = skipped ? NULL : strdup(path);
        if (skipped)
            continue;
        if (!copy || NRP_ARRAY_GROW(*out, *count, cap) != NRP_OK) {
            free(copy);
            closedir(d);
            free_list(*out, *count);
            *out = NULL;
            *count = 0;
            return NRP_NOMEM;
        }
        (*out)[(*count)++] = copy;
    }
    closedir(d);
    if (*count)
        qsort(*out, *count, sizeof **out, compare_paths);
    return NRP_OK;
}

/* ---- shared frameworks -------------------------------------------------- */

static nrp_result dotnet_root(char *out, size_t cap)
{
    const char *env = getenv("DOTNET_ROOT");
    if (env && *env && is_dir(env))
        return (size_t)snprintf(out, cap, "%s", env) < cap ? NRP_OK : NRP_ERROR;
    const char *path = getenv("PATH");
    while (path && *path) {
        size_t n = strcspn(path, ":");
        char candidate[PATH_MAX], real[PATH_MAX];
        if (n && (size_t)snprintf(candidate, sizeof candidate, "%.*s/dotnet", (int)n, path) < sizeof candidate &&
            access(candidate, X_OK) == 0 && realpath(candidate, real) &&
            nrp_path_dirname(real, out, cap) == NRP_OK)
            return NRP_OK;
        path += n + (path[n] == ':');
    }
    static const char *const known[] = {"/usr/share/dotnet", "/usr/lib/dotnet"};
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (is_dir(known[i]))
            return (size_t)snprintf(out, cap, "%s", known[i]) < cap ? NRP_OK : NRP_ERROR;
    return NRP_ERROR;
}

typedef struct version3 {
    long major, minor, patch;
    int release; /* 1 without a pre-release suffix: it sorts above its previews */
} version3;

static int parse_version(const char *s, version3 *v)
{
    char *end;
    v->major = strtol(s, &end, 10);
    if (end == s || *end != '.')
        return 0;
    v->minor = strtol(end + 1, &end, 10);
    v->patch = *end == '.' ? strtol(end + 1, &end, 10) : 0;
    v->release = *end == '\0';
    return 1;
}

static int version_cmp(const version3 *a, const version3 *b)
{
    if (a->major != b->major)
        return a->major < b->major ? -1 : 1;
    if (a->minor != b->minor)
        return a->minor < b->minor ? -1 : 1;
    if (a->patch != b->patch)
        return a->patch < b->patch ? -1 : 1;
    return a->release - b->release;
}

/* The installed version of framework `name` that `wanted` rolls forward
 * to (wanted NULL or "": the newest installed), into out. */
static nrp_result find_framework(const char *root, const char *name, const char *wanted, char *out, size_t cap,
                                 nrp_err *err)
{
    char dir[PATH_MAX];
    version3 want = {0, 0, 0, 0}, best = {0, 0, 0, 0};
    int any = wanted && *wanted, found = 0;
    char best_name[256] = "";
    if (any && !parse_version(wanted, &want))
        return nrp_err_set(err, "framework %s: cannot read version '%s'", name, wanted);
    if ((size_t)snprintf(dir, sizeof dir, "%s/shared/%s", root, name) >= sizeof dir)
        return nrp_err_set(err, "path too long");
    DIR *d = opendir(dir);
    struct dirent *e;
    if (!d)
        return nrp_err_set(err, "framework %s is not installed in %s", name, root);
    while ((e = readdir(d)) != NULL) {
        version3 v;
        if (e->d_name[0] == '.' || !parse_version(e->d_name, &v))
            continue;
        if (any && (v.major != want.major || v.minor < want.minor ||
                    (v.minor == want.minor && version_cmp(&v, &want) < 0)))
            continue;
        /* Roll forward: the lowest minor, then its highest patch; without
         * a version asked for, the newest. */
        int better = !found || (any && v.minor != best.minor ? v.minor < best.minor : version_cmp(&v, &best) > 0);
        if (better) {
            best = v;
            found = 1;
            snprintf(best_name, sizeof best_name, "%s", e->d_name);
        }
    }
    closedir(d);
    if (!found)
        return nrp_err_set(err, "framework %s %s is not installed in %s", name, any ? wanted : "", dir);
    if ((size_t)snprintf(out, cap, "%s/%s", dir, best_name) >= cap)
        return nrp_err_set(err, "path too long");
    return NRP_OK;
}

/* The string value after `"key"` and a colon, from p on, into out; NULL
 * when none, else the position after it. */
static const char *json_string_after(const char *p, const char *key, char *out, size_t cap)
{
    char quoted[64];
    snprintf(quoted, sizeof quoted, "\"%s\"", key);
    for (p = strstr(p, quoted); p; p = strstr(p + 1, quoted)) {
        const char *q = p + strlen(quoted);
        while (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n')
            q++;
        if (*q++ != ':')
            continue;
        while (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n')
            q++;
        if (*q++ != '"')
            continue;
        size_t n = strcspn(q, "\"");
        if (q[n] != '"' || n >= cap)
            return NULL;
        memcpy(out, q, n);
        out[n] = '\0';
        return q + n + 1;
    }
    return NULL;
}

static nrp_result add_framework(nrp_app *app, const char *root, const char *name, const char *version, nrp_err *err)
{
    char dir[4096];
    if (find_framework(root, name, version, dir, sizeof dir, err) != NRP_OK)
        return NRP_ERROR;
    for (size_t i = 0; i < app->framework_count; i++)
        if (strcmp(app->frameworks[i], dir) == 0)
            return NRP_OK;
    if (app->framework_count == NRP_APP_MAX_FRAMEWORKS)
        return nrp_err_set(err, "the app names more than %d frameworks", NRP_APP_MAX_FRAMEWORKS);
    memcpy(app->frameworks[app->framework_count++], dir, sizeof dir);
    return NRP_OK;
}

/* The frameworks runtimeconfig.json names ("name"/"version" pairs of its
 * "framework" or "frameworks"), each followed by Microsoft.NETCore.App,
 * which every other framework runs on; without a runtimeconfig.json, the
 * newest Microsoft.NETCore.App. */
static nrp_result find_frameworks(nrp_app *app, const char *runtimeconfig, nrp_err *err)
{
    char root[PATH_MAX], name[256], version[64], core_version[64] = "";
    if (dotnet_root(root, sizeof root) != NRP_OK)
        return nrp_err_set(err, "no .NET installation found (set DOTNET_ROOT, or put dotnet on PATH)");
    const char *p = runtimeconfig;
    while (p && (p = json_string_after(p, "name", name, sizeof name)) != NULL) {
        const char *after = json_string_after(p, "version", version, sizeof version);
        if (!after)
            break;
        p = after;
        if (strcmp(name, "Microsoft.NETCore.App") == 0) {
            snprintf(core_version, sizeof core_version, "%s", version);
            continue;
        }
        if (strncmp(name, "Microsoft.", 10) == 0 && add_framework(app, root, name, version, err) != NRP_OK)
            return NRP_ERROR;
        if (!core_version[0]) { /* 10.0.x of ASP.NET Core runs on 10.0 of .NET */
            version3 v;
            if (parse_version(version, &v))
                snprintf(core_version, sizeof core_version, "%ld.%ld.0", v.major, v.minor);
        }
    }
    return add_framework(app, root, "Microsoft.NETCore.App", core_version, err);
}

/* ---- the app -------------------------------------------------------------- */

/* The one file of dir ending in suffix, into name (without the suffix);
 * 0 none, 1 one, 2 several (name then lists two of them). */
static int only_file(const char *dir, const char *suffix, char *name, size_t cap)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int found = 0;
    while (d && (e = readdir(d)) != NULL) {
        if (!has_suffix(e->d_name, suffix))
            continue;
        size_t n = strlen(e->d_name) - strlen(suffix);
        if (found++)
            snprintf(name + strlen(name), cap - strlen(name), ", %.*s", (int)n, e->d_name);
        else
            snprintf(name, cap, "%.*s", (int)n, e->d_name);
    }
    if (d)
        closedir(d);
    return found > 2 ? 2 : found;
}

static char *read_beside(const char *dir, const char *name, const char *suffix)
{
    char path[PATH_MAX];
    char *text = NULL;
    size_t len;
    int error;
    if ((size_t)snprintf(path, sizeof path, "%s/%s%s", dir, name, suffix) >= sizeof path ||
        nrp_file_read(path, MAX_JSON_BYTES, &text, &len, &error) != NRP_OK)
        return NULL;
    return text;
}

nrp_result nrp_app_open(const char *path, nrp_app *app, nrp_err *err)
{
    memset(app, 0, sizeof *app);
    char *deps = NULL, *config = NULL;
    nrp_result rc = NRP_ERROR;
    if (is_dir(path)) {
        if ((size_t)snprintf(app->dir, sizeof app->dir, "%s", path) >= sizeof app->dir)
            return nrp_err_set(err, "path too long");
        char names[600] = "";
        int apps = only_file(path, ".runtimeconfig.json", names, sizeof names);
        if (apps == 0)
            apps = only_file(path, ".deps.json", names, sizeof names);
        if (apps > 1)
            return nrp_err_set(err, "%s holds several apps (%s): name one, as --app %s/NAME.dll", path, names, path);
        if (apps == 1)
            snprintf(app->name, sizeof app->name, "%s", names);
    } else {
        if (!has_suffix(path, ".dll") || access(path, R_OK) != 0)
            return nrp_err_set(err, "%s is neither a folder nor a readable .dll", path);
        if (nrp_path_dirname(path, app->dir, sizeof app->dir) != NRP_OK)
            return nrp_err_set(err, "path too long");
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        snprintf(app->name, sizeof app->name, "%.*s", (int)(strlen(base) - 4), base);
    }
    if (app->name[0]) {
        deps = read_beside(app->dir, app->name, ".deps.json");
        config = read_beside(app->dir, app->name, ".runtimeconfig.json");
    }
    if (!is_dir(path) && !deps && !config) { /* a lone library */
        app->files = malloc(sizeof *app->files);
        if (!app->files || !(app->files[0] = strdup(path))) {
            rc = nrp_err_set(err, "out of memory");
            goto done;
        }
        app->file_count = 1;
    } else if (list_dlls(app->dir, deps, NULL, 0, &app->files, &app->file_count) != NRP_OK) {
        rc = nrp_err_set(err, "cannot list the assemblies of %s", app->dir);
        goto done;
    }
    if (!app->file_count) {
        rc = nrp_err_set(err, "%s holds no assembly%s", app->dir, deps ? " its deps.json lists" : "");
        goto done;
    }
    /* A self-contained app carries its frameworks in its folder, where its
     * deps.json lists them with its own assemblies. */
    rc = config && strstr(config, "\"includedFrameworks\"") ? NRP_OK : find_frameworks(app, config, err);
done:
    free(deps);
    free(config);
    if (rc != NRP_OK)
        nrp_app_close(app);
    return rc;
}

static int file_is(const char *path, const char *name)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(name);
    return strlen(base) == n + 4 && strncasecmp(base, name, n) == 0 && strcasecmp(base + n, ".dll") == 0;
}

nrp_result nrp_app_find_assembly(const nrp_app *app, const char *name, char *path, size_t cap)
{
    for (size_t i = 0; i < app->file_count; i++)
        if (file_is(app->files[i], name))
            return (size_t)snprintf(path, cap, "%s", app->files[i]) < cap ? NRP_OK : NRP_ERROR;
    if (!*name || strchr(name, '/'))
        return NRP_ERROR;
    for (size_t f = 0; f < app->framework_count; f++)
        if ((size_t)snprintf(path, cap, "%s/%s.dll", app->frameworks[f], name) < cap && access(path, R_OK) == 0)
            return NRP_OK;
    return NRP_ERROR;
}

nrp_result nrp_app_framework_files(const nrp_app *app, char ***out, size_t *count)
{
    char **all = NULL;
    size_t n = 0, cap = 0;
    for (size_t f = 0; f < app->framework_count; f++) {
        char **files;
        size_t k;
        /* Earlier frameworks' assemblies and the app's own win, as in the
         * runtime's list of trusted assemblies. */
        char **seen = malloc((n + app->file_count + 1) * sizeof *seen);
        if (!seen)
            goto nomem;
        memcpy(seen, app->files, app->file_count * sizeof *seen);
        if (n)
            memcpy(seen + app->file_count, all, n * sizeof *seen);
        nrp_result rc = list_dlls(app->frameworks[f], NULL, seen, n + app->file_count, &files, &k);
        free(seen);
        if (rc != NRP_OK)
            goto nomem;
        for (size_t i = 0; i < k; i++) {
            if (NRP_ARRAY_GROW(all, n, cap) != NRP_OK) {
                for (size_t j = i; j < k; j++)
                    free(files[j]);
                free(files);
                goto nomem;
            }
            all[n++] = files[i];
        }
        free(files);
    }
    *out = all;
    *count = n;
    return NRP_OK;
nomem:
    free_list(all, n);
    return NRP_NOMEM;
}

nrp_result nrp_app_assembly_files(const nrp_app *app, char ***out, size_t *count)
{
    char **framework;
    size_t n;
    *out = NULL;
    *count = 0;
    if (nrp_app_framework_files(app, &framework, &n) != NRP_OK)
        return NRP_NOMEM;
    char **all = malloc((app->file_count + n + 1) * sizeof *all);
    size_t k = 0;
    for (; all && k < app->file_count && (all[k] = strdup(app->files[k])) != NULL; k++)
        ;
    if (!all || k < app->file_count) {
        free_list(all, k);
        free_list(framework, n);
        return NRP_NOMEM;
    }
    if (n)
        memcpy(all + k, framework, n * sizeof *all);
    free(framework);
    *out = all;
    *count = k + n;
    return NRP_OK;
}

void nrp_app_files_free(char **files, size_t count)
{
    free_list(files, count);
}

void nrp_app_close(nrp_app *app)
{
    free_list(app->files, app->file_count);
    app->files = NULL;
    app->file_count = 0;
}
