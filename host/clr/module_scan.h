/*
 * module_scan.h - walk a module's type and method definitions and hand
 * the candidates a matcher asks for, with the names rules and labels use.
 */
#ifndef NRP_CLR_MODULE_SCAN_H
#define NRP_CLR_MODULE_SCAN_H

#include <stddef.h>

#include "clr/com.h"

typedef struct nrp_scan_method {
    const char *type;      /* "Namespace.Outer+Inner" */
    const char *name;      /* method name */
    const char *params;    /* "System.Int32,System.String"; "" for none; a generic method's as "!!0" */
    const char *params_named; /* a generic method's with its type parameters' names ("TValue"); else NULL */
    const char *display;   /* "Type::Method(Params)", "Type::Method<TValue>(TValue)" */
    mdToken method;
    mdToken type_token;    /* the declaring TypeDef */
    int is_static;
} nrp_scan_method;

typedef struct nrp_scan_visitor {
    void *ctx;
    /* Cheap filters: may a rule select methods of this type / this name? */
    int (*want_type)(void *ctx, const char *type);
    int (*want_method)(void *ctx, const char *type, const char *name);
    /* A method with IL that passed both filters. */
    void (*method)(void *ctx, const nrp_scan_method *m);
} nrp_scan_visitor;

/* Methods without IL (abstract, extern, runtime-implemented) are skipped
 * with their reason at debug level. Returns the first failing HRESULT of
 * the metadata reader, after reporting what it could. */
HRESULT nrp_module_scan(nrp_com_object *mdi, const nrp_scan_visitor *v);

/* The same for the named types only (top-level "Namespace.Name", no '+'),
 * each found by one lookup: for rules that name their types exactly. A
 * name the module does not define is passed over. */
HRESULT nrp_module_scan_types(nrp_com_object *mdi, const nrp_scan_visitor *v, const char *const *types, size_t count);

#endif
