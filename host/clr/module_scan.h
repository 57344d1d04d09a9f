/*
 * module_scan.h - walk a module's type and method definitions and report
 * the methods a matcher wants, with the names rules and labels use.
 */
#ifndef NRP_CLR_MODULE_SCAN_H
#define NRP_CLR_MODULE_SCAN_H

#include "clr/com.h"

typedef struct nrp_scan_hit {
    const char *type;      /* "Namespace.Outer+Inner" */
    const char *name;      /* method name */
    const char *display;   /* "Type::Method(ParamTypes)" */
    mdToken method;
    int is_static;
    long match;            /* what match() returned */
} nrp_scan_hit;

typedef struct nrp_scan_visitor {
    void *ctx;
    /* Non-zero when some rule may match methods of this type. */
    int (*want_type)(void *ctx, const char *type);
    /* A non-negative match id (a rule index) or -1. */
    long (*match)(void *ctx, const char *type, const char *method);
    void (*hit)(void *ctx, const nrp_scan_hit *hit);
} nrp_scan_visitor;

/* Methods without IL (abstract, extern, runtime-implemented) are never
 * reported: there is nothing to rewrite. Returns the first failing HRESULT
 * of the metadata reader, after reporting what it could. */
HRESULT nrp_module_scan(nrp_com_object *mdi, const nrp_scan_visitor *v);

#endif
