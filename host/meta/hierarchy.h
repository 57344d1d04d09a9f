/*
 * hierarchy.h - the `base` question of rules: does a type derive from or
 * implement a named type, at any depth, across assemblies? One walk over
 * any reader of metadata: the profiler gives it the runtime's
 * (IMetaDataImport, clr/type_hierarchy.c), `nrprof check --app` this
 * folder's offline reader (inspect/), and both answer alike because this
 * is the only place that decides.
 */
#ifndef NRP_META_HIERARCHY_H
#define NRP_META_HIERARCHY_H

#include <stddef.h>
#include <stdint.h>

#include "nrp/result.h"
#include "util/strbuf.h"

/* What the walk reads of a module's metadata. `module` is the reader's own
 * handle (an IMetaDataImport, an nrp_meta); tokens are metadata tokens. */
typedef struct nrp_type_graph {
    void *ctx;
    /* The base type of TypeDef td (a TypeDef, TypeRef or TypeSpec token;
     * 0 for none). */
    nrp_result (*extends)(void *ctx, void *module, uint32_t td, uint32_t *base);
    /* The interfaces td declares, the first cap into out; *count is how
     * many there are. */
    nrp_result (*interfaces)(void *ctx, void *module, uint32_t td, uint32_t *out, size_t cap, size_t *count);
    /* A TypeSpec's signature blob. */
    nrp_result (*type_spec)(void *ctx, void *module, uint32_t spec, const uint8_t **sig, uint32_t *len);
    /* The full name of a TypeDef or TypeRef ("Ns.Outer+Inner"). */
    nrp_result (*type_name)(void *ctx, void *module, uint32_t token, nrp_strbuf *out);
    /* The simple name of the assembly a TypeRef resolves to, "" for the
     * module itself (a nested TypeRef is followed to its outermost). */
    nrp_result (*ref_assembly)(void *ctx, void *module, uint32_t type_ref, char *out, size_t cap);
    /* The TypeDef of a top-level type by full name; 0 when not there. */
    uint32_t (*find_type)(void *ctx, void *module, const char *full_name);
    /* The module of the named assembly, or NULL when it cannot be had (not
     * loaded, not found, or known not to lead to the base); given back
     * with close. */
    void *(*open)(void *ctx, const char *assembly);
    void (*close)(void *ctx, void *module);
} nrp_type_graph;

/* TypeDef td of `module` derives from or implements `base` (full name,
 * nested types as Outer+Inner), through base types and interfaces, into
 * the modules that define them; a generic instantiation counts as its
 * generic type ("Ns.Handler`1"). The type itself does not count. What
 * cannot be read or opened answers "no". */
int nrp_type_derives_from(const nrp_type_graph *g, void *module, uint32_t td, const char *base);

#endif
