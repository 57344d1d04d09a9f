/*
 * module_env.h - the runtime side of rewriting one method: what the IL
 * engine and the plugins' metadata services ask of the method's module,
 * answered through its IMetaDataImport/Emit, and the method's identity.
 */
#ifndef NRP_REJIT_MODULE_ENV_H
#define NRP_REJIT_MODULE_ENV_H

#include "clr/com.h"
#include "clr/info.h"
#include "clr/type_hierarchy.h"
#include "il/il_method.h"
#include "nrp/plugin.h"
#include "nrp/result.h"
#include "plugin/rewrite.h"
#include "rejit/module_cache.h"
#include "rejit/modules.h"
#include "util/err.h"

/* The longest question whose answer is cached (a type's full name with its
 * assembly's, a member's name and signature); longer ones are asked every
 * time. */
#define NRP_MODULE_ENV_KEY_MAX 256
/* Answers that added rows, held back until they are published. */
#define NRP_MODULE_ENV_PENDING 8

typedef struct nrp_module_env_pending {
    nrp_cache_kind kind;
    uint32_t token;
    size_t len;
    unsigned char key[NRP_MODULE_ENV_KEY_MAX];
} nrp_module_env_pending;

typedef struct nrp_module_env {
    const nrp_info *info;
    ModuleID module;
    const char *assembly;  /* the module's simple assembly name */
    /* What this module's rewrites reuse (a reference), or NULL: then the
     * interfaces below are this rewrite's own, and nothing is remembered. */
    nrp_module_cache *cache;
    nrp_com_object *mdi;   /* IMetaDataImport2 */
    nrp_com_object *mde;   /* IMetaDataEmit, opened on first need */
    nrp_com_object *mdai;  /* IMetaDataAssemblyImport, opened on first need */
    nrp_com_object *mdae;  /* IMetaDataAssemblyEmit, opened on first need */
    int defined;           /* rows were added: publish before the body is used */
    size_t pending_count;  /* answers that added rows, cached once published */
    nrp_module_env_pending pending[NRP_MODULE_ENV_PENDING];
    nrp_loaded_modules *modules; /* the others, and what the app can load */
    nrp_hierarchy_env types;     /* walks into the other loaded modules, for by-ref-like checks */
    nrp_il_env il;         /* for the IL engine */
    nrp_module_md md;      /* for the plugins' metadata services */
} nrp_module_env;

/* Open the module's metadata. `env` must stay where it is until closed
 * (its callbacks point at it). Close even after a failure. */
nrp_result nrp_module_env_open(nrp_module_env *env, const nrp_info *info, ModuleID module, const char *assembly,
                               nrp_loaded_modules *modules, nrp_err *err);

/* Fill the identity fields of `out` that come from metadata: flags, tokens,
 * signature, parameter and generic counts. The names are the caller's. */
nrp_result nrp_module_env_method(nrp_module_env *env, mdToken method, nrp_method_info *out, nrp_err *err);

/* Make rows added by the services visible to the runtime
 * (ICorProfilerInfo7::ApplyMetaData) before the new body refers to them;
 * nothing to do when this rewrite added none. Then the module's later
 * rewrites may reuse them. */
nrp_result nrp_module_env_publish(nrp_module_env *env, nrp_err *err);

void nrp_module_env_close(nrp_module_env *env);

#endif
