/*
 * type_hierarchy.h - what rules' `attribute` and `base` ask of metadata:
 * does a method carry a custom attribute, and does its declaring type
 * derive from or implement a type, at any depth, across assemblies.
 */
#ifndef NRP_CLR_TYPE_HIERARCHY_H
#define NRP_CLR_TYPE_HIERARCHY_H

#include "clr/com.h"

typedef struct nrp_hierarchy_env {
    void *ctx;
    /* IMetaDataImport of the loaded module of that assembly, AddRef'd, or
     * NULL when it is not loaded (the walk stops there). */
    nrp_com_object *(*import_of)(void *ctx, const char *assembly);
} nrp_hierarchy_env;

/* The method (or type) token carries a custom attribute of this full type
 * name. */
int nrp_md_has_attribute(nrp_com_object *mdi, mdToken owner, const char *attribute);

/* The TypeDef derives from or implements `base` (full name, nested types
 * as Outer+Inner), following base types and interfaces through TypeRefs
 * into the modules that define them. The type itself does not count. */
int nrp_md_derives_from(nrp_com_object *mdi, mdToken type, const char *base, const nrp_hierarchy_env *env);

/* The type (TypeDef, or TypeRef followed into the loaded module that
 * defines it) carries the custom attribute: 1 yes, 0 no, -1 unknown (its
 * module is not loaded, or the reference cannot be followed). */
int nrp_md_type_has_attribute(nrp_com_object *mdi, mdToken type, const char *attribute, const nrp_hierarchy_env *env);

#endif
