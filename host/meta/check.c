/*
 * check.c - is a method another assembly's code wants to call really
 * there? A call to a missing type or method fails when the caller is
 * compiled (TypeLoadException, MissingMethodException), so callers check
 * the callee's file before they emit the call.
 */
#include <stdio.h>
#include <string.h>

#include "meta/meta.h"
#include "nrp/il.h"
#include "nrp/result.h"

#define MAX_NESTING 64

static const char *access_word(uint32_t flags)
{
    switch (flags & NRP_META_METHOD_ACCESS_MASK) {
    case 2: return "private protected";
    case 3: return "internal";
    case 4: return "protected";
    case 5: return "protected internal";
    case NRP_META_METHOD_PUBLIC: return "public";
    default: return "private";
    }
}

/* The type and every type it is nested in are visible from other assemblies. */
static nrp_result check_type_visible(const nrp_meta *m, const char *type, uint32_t row, nrp_err *reason)
{
    for (int depth = 0; row; depth++) {
        nrp_meta_type_def t;
        uint32_t outer;
        if (depth > MAX_NESTING)
            return nrp_err_set(reason, "type %s nests too deep", type);
        if (nrp_meta_type_def_row(m, row, &t, reason) != NRP_OK ||
            nrp_meta_enclosing_type(m, row, &outer, reason) != NRP_OK)
            return NRP_ERROR;
        uint32_t visibility = t.flags & NRP_META_TYPE_VISIBILITY_MASK;
        if (visibility != (outer ? NRP_META_TYPE_NESTED_PUBLIC : NRP_META_TYPE_PUBLIC))
            return nrp_err_set(reason, "type %s is not public", type);
        row = outer;
    }
    return NRP_OK;
}

nrp_result nrp_meta_check_static_method(const nrp_meta *m, const char *type, const char *name, const char *returns,
                                        const char *params, nrp_err *reason)
{
    uint32_t row, generics;
    nrp_meta_method_iter it;
    if (nrp_meta_find_type(m, type, &row, reason) != NRP_OK)
        return NRP_ERROR;
    if (!row)
        return nrp_err_set(reason, "type %s is not defined", type);
    if (check_type_visible(m, type, row, reason) != NRP_OK ||
        nrp_meta_generic_param_count(m, (uint32_t)NRP_META_TYPEDEF << 24 | row, &generics, reason) != NRP_OK)
        return NRP_ERROR;
    if (generics)
        return nrp_err_set(reason, "type %s is generic", type);
    if (nrp_meta_methods_begin(m, row, &it, reason) != NRP_OK)
        return NRP_ERROR;

    char found[256] = "";
    uint32_t method;
    int more, candidates = 0;
    while ((more = nrp_meta_methods_next(m, &it, &method, reason)) == 1) {
        nrp_meta_method_def d;
        if (nrp_meta_method_def_row(m, method, &d, reason) != NRP_OK)
            return NRP_ERROR;
        if (strcmp(d.name, name) != 0)
            continue;
        nrp_strbuf ret, args;
        nrp_method_sig_info info;
        nrp_err sig_err;
        int modifiers = 0;
        nrp_strbuf_init(&ret);
        nrp_strbuf_init(&args);
        int readable = nrp_meta_method_sig_names(m, d.signature, d.signature_len, &ret, &args, &info, &modifiers,
                                                 &sig_err) == NRP_OK;
        int is_static = (d.flags & NRP_META_METHOD_STATIC) != 0;
        int match = readable && is_static && (d.flags & NRP_META_METHOD_ACCESS_MASK) == NRP_META_METHOD_PUBLIC &&
                    !(d.flags & NRP_META_METHOD_ABSTRACT) && info.callconv == NRP_CALLCONV_DEFAULT && !modifiers &&
                    strcmp(ret.data ? ret.data : "", returns) == 0 && strcmp(args.data ? args.data : "", params) == 0;
        if (!match && !candidates++) {
            if (readable)
                snprintf(found, sizeof found, "%s %s%s%s%s %s(%s) returning %s", access_word(d.flags),
                         is_static ? "static" : "instance", d.flags & NRP_META_METHOD_ABSTRACT ? " abstract" : "",
                         info.callconv & NRP_CALLCONV_GENERIC ? " generic" : "",
                         modifiers ? " (with custom modifiers)" : "", name, args.data ? args.data : "",
                         ret.data ? ret.data : "");
            else
                snprintf(found, sizeof found, "%.60s with an unreadable signature: %.160s", name, sig_err.msg);
        }
        nrp_strbuf_free(&ret);
        nrp_strbuf_free(&args);
        if (match)
            return NRP_OK;
    }
    if (more != 0)
        return NRP_ERROR;
    if (!candidates)
        return nrp_err_set(reason, "type %s has no method %s", type, name);
    return nrp_err_set(reason, "type %s has no public static method %s(%s) returning %s (found: %s)", type, name,
                       params, returns, found);
}
