#include "sig/sig_build.h"

#include <stdlib.h>
#include <string.h>

#include "nrp/il.h"
#include "nrp/result.h"
#include "util/array.h"

void nrp_sig_blob_init(nrp_sig_blob *b)
{
    memset(b, 0, sizeof *b);
}

void nrp_sig_blob_free(nrp_sig_blob *b)
{
    free(b->data);
    nrp_sig_blob_init(b);
}

void nrp_sig_blob_bytes(nrp_sig_blob *b, const uint8_t *p, size_t n)
{
    if (b->status != NRP_OK)
        return;
    if (nrp_array_reserve(&b->data, 1, b->len + n, &b->cap) != NRP_OK) {
        b->status = NRP_NOMEM;
        return;
    }
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
}

void nrp_sig_blob_compressed(nrp_sig_blob *b, uint32_t v)
{
    uint8_t tmp[4];
    size_t n = nrp_sig_put_compressed(tmp, v);
    if (n == 0)
        b->status = NRP_NOMEM; /* callers check ranges first; treat as unusable */
    else
        nrp_sig_blob_bytes(b, tmp, n);
}

void nrp_sig_blob_byte(nrp_sig_blob *b, uint8_t v)
{
    nrp_sig_blob_bytes(b, &v, 1);
}

void nrp_sig_blob_type(nrp_sig_blob *b, uint8_t element, uint32_t token)
{
    uint8_t tmp[5] = {element};
    size_t n = nrp_sig_put_type_token(tmp + 1, token);
    if (n == 0 && b->status == NRP_OK)
        b->status = NRP_ERROR;
    else
        nrp_sig_blob_bytes(b, tmp, 1 + n);
}

static nrp_result check_type(nrp_sig_span t, const char *what, uint32_t i, nrp_err *err)
{
    const uint8_t *p = t.data;
    if (!t.data || t.len == 0 || nrp_sig_skip_type(&p, t.data + t.len, err) || p != t.data + t.len)
        return nrp_err_set(err, "%s %u is not exactly one signature type", what, i);
    return NRP_OK;
}

static nrp_result finish(nrp_sig_blob *out, nrp_err *err)
{
    return out->status != NRP_OK ? nrp_err_set(err, "out of memory building a signature") : NRP_OK;
}

nrp_result nrp_sig_build_method(nrp_sig_blob *out, uint8_t callconv, uint32_t generic_params, nrp_sig_span ret,
                                const nrp_sig_span *params, uint32_t count, nrp_err *err)
{
    if (count > NRP_SIG_COMPRESSED_MAX || generic_params > NRP_SIG_COMPRESSED_MAX)
        return nrp_err_set(err, "too many parameters");
    if (check_type(ret, "return type", 0, err) != NRP_OK)
        return NRP_ERROR;
    for (uint32_t i = 0; i < count; i++)
        if (check_type(params[i], "parameter", i, err) != NRP_OK)
            return NRP_ERROR;
    nrp_sig_blob_bytes(out, &callconv, 1);
    if (callconv & NRP_CALLCONV_GENERIC)
        nrp_sig_blob_compressed(out, generic_params);
    nrp_sig_blob_compressed(out, count);
    nrp_sig_blob_bytes(out, ret.data, ret.len);
    for (uint32_t i = 0; i < count; i++)
        nrp_sig_blob_bytes(out, params[i].data, params[i].len);
    return finish(out, err);
}

nrp_result nrp_sig_build_locals(nrp_sig_blob *out, const nrp_sig_span *types, uint32_t count, nrp_err *err)
{
    static const uint8_t head = NRP_CALLCONV_LOCAL_SIG;
    if (count > 0xFFFE)
        return nrp_err_set(err, "%u locals exceed the 65534 a method may have", count);
    for (uint32_t i = 0; i < count; i++)
        if (check_type(types[i], "local", i, err) != NRP_OK)
            return NRP_ERROR;
    nrp_sig_blob_bytes(out, &head, 1);
    nrp_sig_blob_compressed(out, count);
    for (uint32_t i = 0; i < count; i++)
        nrp_sig_blob_bytes(out, types[i].data, types[i].len);
    return finish(out, err);
}

nrp_result nrp_sig_parse_locals(const uint8_t *sig, size_t len, uint32_t *count, nrp_sig_span *types, uint32_t max,
                                nrp_err *err)
{
    const uint8_t *p = sig, *end = sig + len;
    if (!sig || len == 0 || *p++ != NRP_CALLCONV_LOCAL_SIG)
        return nrp_err_set(err, "not a local variable signature");
    if (nrp_sig_read_compressed(&p, end, count) != NRP_OK)
        return nrp_err_set(err, "local variable signature truncated");
    for (uint32_t i = 0; i < *count; i++) {
        const uint8_t *start = p;
        if (nrp_sig_skip_type(&p, end, err))
            return NRP_ERROR;
        if (i < max)
            types[i] = (nrp_sig_span){start, (size_t)(p - start)};
    }
    if (p != end)
        return nrp_err_set(err, "%zu stray bytes after the locals", (size_t)(end - p));
    return NRP_OK;
}

nrp_result nrp_sig_locals_append(const uint8_t *sig, size_t len, nrp_sig_span type, nrp_sig_blob *out, uint32_t *index,
                                 nrp_err *err)
{
    static const uint8_t empty[] = {NRP_CALLCONV_LOCAL_SIG, 0};
    const uint8_t *p;
    uint32_t count;
    if (!sig || len == 0) {
        sig = empty;
        len = sizeof empty;
    }
    if (nrp_sig_parse_locals(sig, len, &count, NULL, 0, err) != NRP_OK)
        return NRP_ERROR;
    if (count >= 0xFFFE)
        return nrp_err_set(err, "the method already has %u locals", count);
    if (check_type(type, "new local", 0, err) != NRP_OK)
        return NRP_ERROR;
    p = sig + 1;
    nrp_sig_read_compressed(&p, sig + len, &count);
    static const uint8_t head = NRP_CALLCONV_LOCAL_SIG;
    nrp_sig_blob_bytes(out, &head, 1);
    nrp_sig_blob_compressed(out, count + 1);
    nrp_sig_blob_bytes(out, p, (size_t)(sig + len - p));
    nrp_sig_blob_bytes(out, type.data, type.len);
    *index = count;
    return finish(out, err);
}
