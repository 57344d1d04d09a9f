#include "sig/sig.h"

#include <stdio.h>

#include "nrp/il.h"
#include "nrp/result.h"

/* Nesting deeper than this is not produced by any compiler; refusing it
 * keeps hostile blobs from exhausting the stack. */
#define MAX_TYPE_DEPTH 64
/* The runtime's limit on array rank; larger ranks only come from corrupt
 * blobs (and would make names gigabytes long). */
#define MAX_ARRAY_RANK 32

typedef struct reader {
    const uint8_t *p;
    const uint8_t *end;
    nrp_sig_type_namer namer;
    void *namer_ctx;
    nrp_err *err;
    const char *const *method_generics; /* names for !!n, when known */
    uint32_t method_generic_count;
} reader;

nrp_result nrp_sig_read_compressed(const uint8_t **pp, const uint8_t *end, uint32_t *out)
{
    const uint8_t *p = *pp;
    if (p >= end)
        return NRP_ERROR;
    if ((p[0] & 0x80) == 0) {
        *out = p[0];
        *pp = p + 1;
    } else if ((p[0] & 0xC0) == 0x80) {
        if (end - p < 2)
            return NRP_ERROR;
        *out = (uint32_t)(p[0] & 0x3F) << 8 | p[1];
        *pp = p + 2;
    } else if ((p[0] & 0xE0) == 0xC0) {
        if (end - p < 4)
            return NRP_ERROR;
        *out = (uint32_t)(p[0] & 0x1F) << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
        *pp = p + 4;
    } else {
        return NRP_ERROR;
    }
    return NRP_OK;
}

static nrp_result read_u(reader *r, uint32_t *v)
{
    if (nrp_sig_read_compressed(&r->p, r->end, v) != NRP_OK)
        return nrp_err_set(r->err, "signature truncated or holds a bad compressed integer");
    return NRP_OK;
}

static nrp_result read_byte(reader *r, uint8_t *b)
{
    if (r->p >= r->end)
        return nrp_err_set(r->err, "signature truncated");
    *b = *r->p++;
    return NRP_OK;
}

nrp_result nrp_sig_read_type_token(const uint8_t **p, const uint8_t *end, uint32_t *token)
{
    static const uint32_t tables[3] = {0x02000000u, 0x01000000u, 0x1B000000u};
    uint32_t v = 0;
    if (nrp_sig_read_compressed(p, end, &v) != NRP_OK || (v & 3) == 3)
        return NRP_ERROR;
    *token = tables[v & 3] | (v >> 2);
    return NRP_OK;
}

static nrp_result read_type_token(reader *r, uint32_t *token)
{
    const uint8_t *at = r->p;
    uint32_t v = 0;
    if (nrp_sig_read_type_token(&r->p, r->end, token) == NRP_OK)
        return NRP_OK;
    /* Tell a truncated integer from a bad table tag. */
    r->p = at;
    if (read_u(r, &v) != NRP_OK)
        return NRP_ERROR;
    return nrp_err_set(r->err, "signature names a type with an invalid table tag");
}

static nrp_result name_token(reader *r, uint32_t token, nrp_strbuf *out)
{
    if (!r->namer) /* only skipping over the type */
        return NRP_OK;
    if (r->namer(r->namer_ctx, token, out))
        return nrp_err_set(r->err, "cannot name type token 0x%08x", token);
    return NRP_OK;
}

static const char *primitive_name(uint8_t et)
{
    switch (et) {
    case NRP_ELEMENT_VOID: return "System.Void";
    case NRP_ELEMENT_BOOLEAN: return "System.Boolean";
    case NRP_ELEMENT_CHAR: return "System.Char";
    case NRP_ELEMENT_I1: return "System.SByte";
    case NRP_ELEMENT_U1: return "System.Byte";
    case NRP_ELEMENT_I2: return "System.Int16";
    case NRP_ELEMENT_U2: return "System.UInt16";
    case NRP_ELEMENT_I4: return "System.Int32";
    case NRP_ELEMENT_U4: return "System.UInt32";
    case NRP_ELEMENT_I8: return "System.Int64";
    case NRP_ELEMENT_U8: return "System.UInt64";
    case NRP_ELEMENT_R4: return "System.Single";
    case NRP_ELEMENT_R8: return "System.Double";
    case NRP_ELEMENT_STRING: return "System.String";
    case NRP_ELEMENT_TYPEDBYREF: return "System.TypedReference";
    case NRP_ELEMENT_I: return "System.IntPtr";
    case NRP_ELEMENT_U: return "System.UIntPtr";
    case NRP_ELEMENT_OBJECT: return "System.Object";
    default: return NULL;
    }
}

static nrp_result format_type(reader *r, nrp_strbuf *out, int depth);
static int skip_method_sig(reader *r, int depth);

static nrp_result format_array_shape(reader *r, nrp_strbuf *out)
{
    uint32_t rank, nsizes, nbounds, v;
    if (read_u(r, &rank) != NRP_OK || read_u(r, &nsizes) != NRP_OK)
        return NRP_ERROR;
    if (rank == 0 || rank > MAX_ARRAY_RANK || nsizes > rank)
        return nrp_err_set(r->err, "array of rank %u with %u sizes is not valid", rank, nsizes);
    for (uint32_t i = 0; i < nsizes; i++)
        if (read_u(r, &v) != NRP_OK)
            return NRP_ERROR;
    if (read_u(r, &nbounds) != NRP_OK)
        return NRP_ERROR;
    if (nbounds > rank)
        return nrp_err_set(r->err, "array of rank %u with %u lower bounds is not valid", rank, nbounds);
    for (uint32_t i = 0; i < nbounds; i++)
        if (read_u(r, &v) != NRP_OK) /* signed in the spec; the bits are skipped all the same */
            return NRP_ERROR;
    nrp_strbuf_puts(out, "[");
    for (uint32_t i = 1; i < rank; i++)
        nrp_strbuf_puts(out, ",");
    nrp_strbuf_puts(out, "]");
    return NRP_OK;
}

static nrp_result format_generic_inst(reader *r, nrp_strbuf *out, int depth)
{
    uint8_t kind = 0;
    uint32_t token = 0, argc = 0;
    if (read_byte(r, &kind) != NRP_OK)
        return NRP_ERROR;
    if (kind != NRP_ELEMENT_CLASS && kind != NRP_ELEMENT_VALUETYPE)
        return nrp_err_set(r->err, "generic instantiation of element type 0x%02x", kind);
    if (read_type_token(r, &token) != NRP_OK || name_token(r, token, out) != NRP_OK || read_u(r, &argc) != NRP_OK)
        return NRP_ERROR;
    nrp_strbuf_puts(out, "<");
    for (uint32_t i = 0; i < argc; i++) {
        if (i)
            nrp_strbuf_puts(out, ",");
        if (format_type(r, out, depth + 1) != NRP_OK)
            return NRP_ERROR;
    }
    nrp_strbuf_puts(out, ">");
    return NRP_OK;
}

static nrp_result format_type(reader *r, nrp_strbuf *out, int depth)
{
    uint8_t et = 0;
    uint32_t v;
    if (depth > MAX_TYPE_DEPTH)
        return nrp_err_set(r->err, "signature nests types deeper than %d", MAX_TYPE_DEPTH);
    if (read_byte(r, &et) != NRP_OK)
        return NRP_ERROR;
    const char *prim = primitive_name(et);
    if (prim) {
        nrp_strbuf_puts(out, prim);
        return NRP_OK;
    }
    switch (et) {
    case NRP_ELEMENT_CMOD_REQD:
    case NRP_ELEMENT_CMOD_OPT:
        /* Modifiers (modreq(IsVolatile), ...) are not part of the name. */
        if (read_type_token(r, &v) != NRP_OK)
            return NRP_ERROR;
        return format_type(r, out, depth + 1);
    case NRP_ELEMENT_PINNED:
    case NRP_ELEMENT_SENTINEL:
        return format_type(r, out, depth + 1);
    case NRP_ELEMENT_PTR:
        if (format_type(r, out, depth + 1) != NRP_OK)
            return NRP_ERROR;
        nrp_strbuf_puts(out, "*");
        return NRP_OK;
    case NRP_ELEMENT_BYREF:
        if (format_type(r, out, depth + 1) != NRP_OK)
            return NRP_ERROR;
        nrp_strbuf_puts(out, "&");
        return NRP_OK;
    case NRP_ELEMENT_SZARRAY:
        if (format_type(r, out, depth + 1) != NRP_OK)
            return NRP_ERROR;
        nrp_strbuf_puts(out, "[]");
        return NRP_OK;
    case NRP_ELEMENT_ARRAY:
        if (format_type(r, out, depth + 1) != NRP_OK)
            return NRP_ERROR;
        return format_array_shape(r, out);
    case NRP_ELEMENT_CLASS:
    case NRP_ELEMENT_VALUETYPE:
        if (read_type_token(r, &v) != NRP_OK)
            return NRP_ERROR;
        return name_token(r, v, out);
    case NRP_ELEMENT_GENERICINST:
        return format_generic_inst(r, out, depth);
    case NRP_ELEMENT_VAR:
    case NRP_ELEMENT_MVAR:
        if (read_u(r, &v) != NRP_OK)
            return NRP_ERROR;
        if (et == NRP_ELEMENT_MVAR && v < r->method_generic_count && r->method_generics[v])
            nrp_strbuf_puts(out, r->method_generics[v]);
        else
            nrp_strbuf_printf(out, "%s%u", et == NRP_ELEMENT_VAR ? "!" : "!!", v);
        return NRP_OK;
    case NRP_ELEMENT_FNPTR:
        if (skip_method_sig(r, depth + 1))
            return NRP_ERROR;
        nrp_strbuf_puts(out, "System.IntPtr");
        return NRP_OK;
    default:
        return nrp_err_set(r->err, "unknown element type 0x%02x in signature", et);
    }
}

static nrp_result read_method_head(reader *r, nrp_method_sig_info *info)
{
    uint8_t cc = 0;
    if (read_byte(r, &cc) != NRP_OK)
        return NRP_ERROR;
    uint8_t kind = cc & NRP_CALLCONV_KIND_MASK;
    if (kind > NRP_CALLCONV_VARARG && kind != NRP_CALLCONV_UNMANAGED)
        return nrp_err_set(r->err, "calling convention 0x%02x is not a method signature", cc);
    info->callconv = cc;
    info->has_this = (cc & NRP_CALLCONV_HASTHIS) != 0;
    info->generic_params = 0;
    if ((cc & NRP_CALLCONV_GENERIC) && read_u(r, &info->generic_params) != NRP_OK)
        return NRP_ERROR;
    return read_u(r, &info->param_count);
}

static int skip_method_sig(reader *r, int depth)
{
    nrp_method_sig_info info;
    nrp_strbuf scratch;
    nrp_result rc = NRP_OK;
    nrp_strbuf_init(&scratch);
    if (read_method_head(r, &info) != NRP_OK)
        rc = NRP_ERROR;
    for (uint32_t i = 0; rc == NRP_OK && i <= info.param_count; i++)
        rc = format_type(r, &scratch, depth + 1);
    nrp_strbuf_free(&scratch);
    return rc;
}

static nrp_result format_params(const uint8_t *sig, size_t len, nrp_sig_type_namer namer, void *namer_ctx,
                                const char *const *generics, uint32_t generic_count, nrp_strbuf *params,
                                nrp_method_sig_info *info, nrp_err *err);

nrp_result nrp_sig_format_method_params(const uint8_t *sig, size_t len, nrp_sig_type_namer namer,
                                        void *namer_ctx, nrp_strbuf *params, nrp_method_sig_info *info,
                                        nrp_err *err)
{
    return format_params(sig, len, namer, namer_ctx, NULL, 0, params, info, err);
}

nrp_result nrp_sig_method_label(const char *type, const char *name, const uint8_t *sig, size_t len,
                                nrp_sig_type_namer namer, void *namer_ctx, const char *const *generics,
                                uint32_t generic_count, nrp_sig_label *out, nrp_err *err)
{
    nrp_method_sig_info info;
    if (format_params(sig, len, namer, namer_ctx, NULL, 0, &out->params, &info, err) != NRP_OK)
        return NRP_ERROR;
    const char *params = out->params.data ? out->params.data : "";
    if (info.generic_params && generic_count >= info.generic_params) {
        if (format_params(sig, len, namer, namer_ctx, generics, generic_count, &out->named_params, NULL, err) !=
            NRP_OK)
            return NRP_ERROR;
        nrp_strbuf_printf(&out->display, "%s::%s<", type, name);
        for (uint32_t i = 0; i < info.generic_params; i++)
            nrp_strbuf_printf(&out->display, "%s%s", i ? "," : "", generics[i] ? generics[i] : "?");
        nrp_strbuf_printf(&out->display, ">(%s)", out->named_params.data ? out->named_params.data : "");
    } else {
        nrp_strbuf_printf(&out->display, "%s::%s(%s)", type, name, params);
    }
    if (out->params.status != NRP_OK || out->named_params.status != NRP_OK || out->display.status != NRP_OK)
        return nrp_err_set(err, "out of memory formatting a method's label");
    return NRP_OK;
}

void nrp_sig_label_init(nrp_sig_label *l)
{
    nrp_strbuf_init(&l->params);
    nrp_strbuf_init(&l->named_params);
    nrp_strbuf_init(&l->display);
}

void nrp_sig_label_free(nrp_sig_label *l)
{
    nrp_strbuf_free(&l->params);
    nrp_strbuf_free(&l->named_params);
    nrp_strbuf_free(&l->display);
}

static nrp_result format_params(const uint8_t *sig, size_t len, nrp_sig_type_namer namer, void *namer_ctx,
                                const char *const *generics, uint32_t generic_count, nrp_strbuf *params,
                                nrp_method_sig_info *info, nrp_err *err)
{
    nrp_method_sig_info local;
    nrp_strbuf ret;
    nrp_result rc = NRP_OK;
    if (!info)
        info = &local;
    if (!sig || len == 0)
        return nrp_err_set(err, "empty method signature");
    reader r = {sig, sig + len, namer, namer_ctx, err, generics, generic_count};
    if (read_method_head(&r, info) != NRP_OK)
        return NRP_ERROR;
    nrp_strbuf_init(&ret);
    rc = format_type(&r, &ret, 0); /* the return type is read to reach the parameters */
    nrp_strbuf_free(&ret);
    for (uint32_t i = 0; rc == NRP_OK && i < info->param_count; i++) {
        if (i)
            nrp_strbuf_puts(params, ",");
        rc = format_type(&r, params, 0);
    }
    if (rc == NRP_OK && params->status != NRP_OK)
        rc = nrp_err_set(err, "out of memory formatting a signature");
    return rc;
}

nrp_result nrp_sig_method_return(const uint8_t *sig, size_t len, nrp_method_sig_info *info, nrp_sig_span *ret,
                                 int *returns_value, nrp_err *err)
{
    nrp_method_sig_info local;
    nrp_strbuf scratch;
    if (!info)
        info = &local;
    if (!sig || len == 0)
        return nrp_err_set(err, "empty method signature");
    reader r = {sig, sig + len, NULL, NULL, err, NULL, 0};
    if (read_method_head(&r, info) != NRP_OK)
        return NRP_ERROR;
    const uint8_t *start = r.p;
    /* Custom modifiers may precede VOID (init-only setters return
     * modreq(IsExternalInit) void). */
    const uint8_t *q = r.p;
    uint32_t tok;
    while (q < r.end && (*q == NRP_ELEMENT_CMOD_REQD || *q == NRP_ELEMENT_CMOD_OPT)) {
        q++;
        if (nrp_sig_read_compressed(&q, r.end, &tok) != NRP_OK)
            return nrp_err_set(err, "signature truncated in a return-type modifier");
    }
    if (q >= r.end)
        return nrp_err_set(err, "signature truncated before the return type");
    *returns_value = *q != NRP_ELEMENT_VOID;
    nrp_strbuf_init(&scratch);
    nrp_result rc = format_type(&r, &scratch, 0);
    nrp_strbuf_free(&scratch);
    if (rc != NRP_OK)
        return NRP_ERROR;
    if (ret) {
        ret->data = start;
        ret->len = (size_t)(r.p - start);
    }
    return NRP_OK;
}

int nrp_sig_skip_type(const uint8_t **p, const uint8_t *end, nrp_err *err)
{
    reader r = {*p, end, NULL, NULL, err, NULL, 0};
    nrp_strbuf scratch;
    nrp_strbuf_init(&scratch);
    nrp_result rc = format_type(&r, &scratch, 0);
    nrp_strbuf_free(&scratch);
    if (rc == NRP_OK)
        *p = r.p;
    return rc;
}

int nrp_sig_format_type(const uint8_t **p, const uint8_t *end, nrp_sig_type_namer namer, void *namer_ctx,
                        nrp_strbuf *out, nrp_err *err)
{
    reader r = {*p, end, namer, namer_ctx, err, NULL, 0};
    nrp_result rc = format_type(&r, out, 0);
    if (rc == NRP_OK && out->status != NRP_OK)
        rc = nrp_err_set(err, "out of memory formatting a signature");
    if (rc == NRP_OK)
        *p = r.p;
    return rc;
}

nrp_result nrp_sig_method_param(const uint8_t *sig, size_t len, int32_t index, nrp_sig_span *type, int *byref,
                                nrp_err *err)
{
    nrp_method_sig_info info;
    nrp_sig_span ret;
    int returns;
    uint32_t tok;
    if (nrp_sig_method_return(sig, len, &info, &ret, &returns, err) != NRP_OK)
        return NRP_ERROR;
    if (index < -1 || (index >= 0 && (uint32_t)index >= info.param_count))
        return nrp_err_set(err, "no parameter %d (the method has %u)", (int)index, info.param_count);
    const uint8_t *p = ret.data, *end = sig + len;
    for (int32_t i = -1; i < index; i++)
        if (nrp_sig_skip_type(&p, end, err))
            return NRP_ERROR;
    /* Modifiers and BYREF say how the value is passed, not what it is. */
    *byref = 0;
    while (p < end && (*p == NRP_ELEMENT_CMOD_REQD || *p == NRP_ELEMENT_CMOD_OPT)) {
        p++;
        if (nrp_sig_read_compressed(&p, end, &tok) != NRP_OK)
            return nrp_err_set(err, "signature truncated in a modifier");
    }
    if (p < end && *p == NRP_ELEMENT_BYREF) {
        *byref = 1;
        p++;
    }
    const uint8_t *start = p;
    if (nrp_sig_skip_type(&p, end, err))
        return NRP_ERROR;
    type->data = start;
    type->len = (size_t)(p - start);
    return NRP_OK;
}
