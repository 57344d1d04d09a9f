/*
 * names.c - types by name: the full name of a type token, the type names
 * of a method signature, and the TypeDef of a full name.
 */
#include <stdlib.h>
#include <string.h>

#include "meta/meta_internal.h"
#include "nrp/il.h"
#include "nrp/result.h"

/* Deeper nesting or TypeSpec chains come only from corrupt files; the caps
 * keep hostile ones from exhausting the stack or the time. */
#define MAX_NAME_DEPTH 64
#define MAX_NAME_STEPS 4096
#define MAX_NAME_BYTES (64u << 10)

/* ---- names ---------------------------------------------------------------- */

/* Recursion state of one naming: depth and total steps are capped, so
 * cycles (a type nested in itself, a TypeSpec naming itself) and wide
 * chains of TypeSpecs end with an error. */
typedef struct namer {
    const nrp_meta *m;
    int depth;
    unsigned steps;
    nrp_err *err;
} namer;

static nrp_result name_token(namer *n, uint32_t token, nrp_strbuf *out);

static int namer_cb(void *ctx, uint32_t token, nrp_strbuf *out)
{
    return name_token(ctx, token, out);
}

static void put_full_name(nrp_strbuf *out, const char *ns, const char *name)
{
    if (*ns) {
        nrp_strbuf_puts(out, ns);
        nrp_strbuf_puts(out, ".");
    }
    nrp_strbuf_puts(out, name);
}

static nrp_result name_token(namer *n, uint32_t token, nrp_strbuf *out)
{
    uint32_t row = token & 0x00FFFFFFu;
    nrp_result rc = NRP_ERROR;
    if (n->depth >= MAX_NAME_DEPTH || ++n->steps > MAX_NAME_STEPS || out->len > MAX_NAME_BYTES)
        return nrp_err_set(n->err, "type names nest too deep or grow too long (token 0x%08x)", token);
    n->depth++;
    switch (token >> 24) {
    case NRP_META_TYPEDEF: {
        nrp_meta_type_def t;
        uint32_t outer;
        if (nrp_meta_type_def_row(n->m, row, &t, n->err) != NRP_OK ||
            nrp_meta_enclosing_type(n->m, row, &outer, n->err) != NRP_OK)
            break;
        if (outer) {
            if (name_token(n, (uint32_t)NRP_META_TYPEDEF << 24 | outer, out) != NRP_OK)
                break;
            nrp_strbuf_puts(out, "+");
        }
        put_full_name(out, t.namespace_, t.name);
        rc = NRP_OK;
        break;
    }
    case NRP_META_TYPEREF: {
        nrp_meta_type_ref t;
        if (nrp_meta_type_ref_row(n->m, row, &t, n->err) != NRP_OK)
            break;
        if (t.scope >> 24 == NRP_META_TYPEREF) {
            if (name_token(n, t.scope, out) != NRP_OK)
                break;
            nrp_strbuf_puts(out, "+");
        }
        put_full_name(out, t.namespace_, t.name);
        rc = NRP_OK;
        break;
    }
    case NRP_META_TYPESPEC: {
        const uint8_t *sig;
        uint32_t len;
        if (nrp_meta_type_spec_row(n->m, row, &sig, &len, n->err) != NRP_OK)
            break;
        const uint8_t *p = sig;
        rc = nrp_sig_format_type(&p, sig + len, namer_cb, n, out, n->err);
        break;
    }
    default:
        nrp_err_set(n->err, "token 0x%08x is not a type", token);
    }
    n->depth--;
    if (rc == NRP_OK && out->status != NRP_OK)
        rc = nrp_err_set(n->err, "out of memory naming a type");
    return rc;
}

int nrp_meta_type_name(const nrp_meta *m, uint32_t token, nrp_strbuf *out, nrp_err *err)
{
    namer n = {m, 0, 0, err};
    return name_token(&n, token, out);
}

/* Methods with more type parameters keep "!!n" in their labels. */
#define MAX_GENERIC_NAMES 16

nrp_result nrp_meta_method_label(const nrp_meta *m, uint32_t method_row, const char *type, nrp_sig_label *out,
                                 nrp_err *err)
{
    enum { G = NRP_META_GENERICPARAM };
    nrp_meta_method_def d;
    const char *generics[MAX_GENERIC_NAMES] = {NULL};
    uint32_t count = 0, owner = (uint32_t)NRP_META_METHODDEF << 24 | method_row;
    if (nrp_meta_method_def_row(m, method_row, &d, err) != NRP_OK)
        return NRP_ERROR;
    uint32_t lo = 1, hi = 1, key = nrp_meta_coded_value(TYPE_OR_METHOD_DEF, owner);
    if (d.signature_len && (d.signature[0] & NRP_CALLCONV_GENERIC) && key != UINT32_MAX)
        nrp_meta_key_range(m, G, 2, key, &lo, &hi); /* sorted by owner */
    for (uint32_t r = lo; r < hi; r++) {
        uint32_t number = cell(m, G, r, 0);
        if (cell(m, G, r, 2) != key)
            continue;
        if (number >= MAX_GENERIC_NAMES || nrp_meta_string_at(m, cell(m, G, r, 3), &generics[number], err) != NRP_OK) {
            count = 0; /* unnamed: the label keeps "!!n" */
            break;
        }
        count = number + 1 > count ? number + 1 : count;
    }
    namer n = {m, 0, 0, err};
    return nrp_sig_method_label(type, d.name, d.signature, d.signature_len, namer_cb, &n, generics, count, out, err);
}

static int starts_with_modifier(const uint8_t *p, const uint8_t *end)
{
    return p < end && (*p == NRP_ELEMENT_CMOD_REQD || *p == NRP_ELEMENT_CMOD_OPT);
}

nrp_result nrp_meta_method_sig_names(const nrp_meta *m, const uint8_t *sig, uint32_t len, nrp_strbuf *ret,
                                     nrp_strbuf *params, nrp_method_sig_info *info, int *has_modifiers, nrp_err *err)
{
    nrp_method_sig_info local;
    nrp_sig_span r;
    int returns;
    namer n = {m, 0, 0, err};
    if (!info)
        info = &local;
    *has_modifiers = 0;
    if (nrp_sig_method_return(sig, len, info, &r, &returns, err) != NRP_OK)
        return NRP_ERROR;
    const uint8_t *p = r.data, *end = sig + len;
    *has_modifiers |= starts_with_modifier(p, end);
    if (nrp_sig_format_type(&p, end, namer_cb, &n, ret, err))
        return NRP_ERROR;
    for (uint32_t i = 0; i < info->param_count; i++) {
        if (i)
            nrp_strbuf_puts(params, ",");
        *has_modifiers |= starts_with_modifier(p, end);
        if (nrp_sig_format_type(&p, end, namer_cb, &n, params, err))
            return NRP_ERROR;
    }
    if (params->status != NRP_OK || ret->status != NRP_OK)
        return nrp_err_set(err, "out of memory formatting a signature");
    return NRP_OK;
}

/* ---- finding a type by name ------------------------------------------------ */

/* ns + "." + name (or name alone for the empty namespace) is s[0..n). */
static int full_name_is(const char *ns, const char *name, const char *s, size_t n)
{
    size_t ns_len = strlen(ns), name_len = strlen(name);
    if (!ns_len)
        return name_len == n && memcmp(name, s, n) == 0;
    return ns_len + 1 + name_len == n && memcmp(ns, s, ns_len) == 0 && s[ns_len] == '.' &&
           memcmp(name, s + ns_len + 1, name_len) == 0;
}

/* Whether the #Strings entry at index is s[0..n): 1 or 0, -1 when it
 * cannot be read (err says why). Reads the entry only up to the first
 * difference: a lookup touches few bytes of a heap it mostly does not need. */
static int heap_equals(const nrp_meta *m, uint32_t index, const char *s, size_t n, nrp_err *err)
{
    const uint8_t *h, *end;
    size_t k = 0;
    if (nrp_meta_string_bytes(m, index, &h, &end, err) != NRP_OK)
        return -1;
    while (h + k < end && h[k] && k < n && (char)h[k] == s[k])
        k++;
    if (h + k >= end)
        return nrp_err_set(err, "string at 0x%x is not terminated", index), -1;
    return !h[k] && k == n;
}

/* Namespaces of one lookup, direct-mapped: the TypeDef table repeats a few
 * namespaces thousands of times (CoreLib: 2,760 types, 60 namespaces), each
 * compared once. */
#define NS_MEMO 64
typedef struct ns_memo {
    uint32_t index_plus_1[NS_MEMO];
    int equals[NS_MEMO];
} ns_memo;

/* heap_equals for the namespace at index, memoized. */
static int namespace_equals(const nrp_meta *m, ns_memo *memo, uint32_t index, const char *s, size_t n, nrp_err *err)
{
    size_t slot = (index * 2654435761u) >> 26;
    if (memo->index_plus_1[slot] == index + 1)
        return memo->equals[slot];
    int k = heap_equals(m, index, s, n, err);
    if (k != -1) {
        memo->index_plus_1[slot] = index + 1;
        memo->equals[slot] = k;
    }
    return k;
}

nrp_result nrp_meta_find_type(const nrp_meta *m, const char *full_name, uint32_t *row, nrp_err *err)
{
    enum { T = NRP_META_TYPEDEF, NAME = 1, NAMESPACE = 2 };
    const char *part = full_name;
    const char *plus = strchr(part, '+');
    size_t n = plus ? (size_t)(plus - part) : strlen(part);
    /* The namespace is all before the last dot, as the runtime splits a
     * name (Type.GetType("A.B.C") is type C of namespace A.B): only the
     * types of exactly that namespace have their names read, not the
     * hundreds of namespace "System" that a name "System.X.Y" would
     * otherwise make candidates. */
    size_t ns_len = n;
    while (ns_len > 0 && part[ns_len - 1] != '.')
        ns_len--;
    const char *type_name = part + ns_len;
    size_t name_len = n - ns_len;
    ns_len -= ns_len > 0; /* the dot */
    /* A sparse reader may not have read the TypeDef table: it reads the
     * rows it needs, or the table when the whole of it is. */
    uint64_t type_tables = 1ull << T | 1ull << NRP_META_NESTEDCLASS;
    uint32_t found = 0, types = m->sparse ? m->stream_rows[T] : m->rows[T];
    ns_memo memo;
    memset(memo.index_plus_1, 0, sizeof memo.index_plus_1);
    *row = 0;
    if (m->strings.len && types) {
        /* A ReadyToRun image answers from its own index of its types
         * (r2r.c): the rows listed under the name's hash, checked by name. */
        uint32_t listed[8];
        uint32_t hash = nrp_meta_r2r_name_hash(part, ns_len) ^ nrp_meta_r2r_name_hash(type_name, name_len);
        int count = nrp_meta_r2r_type_rows((nrp_meta *)m, hash, listed, (int)(sizeof listed / sizeof listed[0]));
        if (count >= 0 && count < (int)(sizeof listed / sizeof listed[0])) {
            nrp_result rc = NRP_OK;
            for (int c = 0; c < count && !found && rc == NRP_OK; c++) {
                uint32_t i = listed[c], outer = 0;
                const uint8_t *r = i >= 1 && i <= types ? nrp_meta_row_bytes(m, T, i) : NULL;
                if (!r) {
                    rc = nrp_err_set(err, "cannot read TypeDef %u", i);
                    break;
                }
                uint32_t ns = row_cell(m, T, r, NAMESPACE), name = row_cell(m, T, r, NAME);
                int k = ns < m->strings.len && name < m->strings.len ? heap_equals(m, ns, part, ns_len, err) : 0;
                if (k == 1)
                    k = heap_equals(m, name, type_name, name_len, err);
                /* The name fits: is the type nested in another? */
                if (k == 1 && m->sparse && nrp_meta_load_tables((nrp_meta *)m, type_tables, err) != NRP_OK)
                    k = -1;
                if (k == -1)
                    rc = NRP_ERROR;
                else if (k == 1 && nrp_meta_enclosing_type(m, i, &outer, err) != NRP_OK)
                    rc = NRP_ERROR;
                else if (k == 1 && !outer)
                    found = i;
            }
            if (rc != NRP_OK)
                return NRP_ERROR;
            goto inner;
        }
    }
    if (m->sparse && nrp_meta_load_tables((nrp_meta *)m, type_tables, err) != NRP_OK)
        return NRP_ERROR;
    types = m->rows[T];
    /* Which types are nested, from the NestedClass table at once: they are
     * passed over unread (their namespace is empty, so a name without one
     * would read all their names; CoreLib has over a thousand). Without
     * the memory, each candidate is looked up in the table instead. */
    uint8_t *nested = calloc(types / 8 + 1, 1);
    for (uint32_t i = 1; nested && i <= m->rows[NRP_META_NESTEDCLASS]; i++) {
        uint32_t inner = cell(m, NRP_META_NESTEDCLASS, i, 0);
        if (inner >= 1 && inner <= types)
            nested[inner / 8] |= (uint8_t)(1u << inner % 8);
    }
    /* The outermost type: not nested in any other. Names are compared in
     * the heap, namespace first (once per namespace), the name only when
     * the namespace fits. An empty heap has only the empty name. */
    nrp_result rc = NRP_OK;
    for (uint32_t i = 1; i <= types && !found && rc == NRP_OK; i++) {
        uint32_t ns = cell(m, T, i, NAMESPACE), name = cell(m, T, i, NAME), outer = 0;
        int fits_name;
        if (nested && nested[i / 8] >> i % 8 & 1)
            continue;
        if (!m->strings.len) {
            if (ns || name) {
                rc = nrp_err_set(err, "string index 0x%x past the #Strings heap (0 bytes)", ns ? ns : name);
                break;
            }
            fits_name = n == 0;
        } else {
            if (ns >= m->strings.len || name >= m->strings.len) {
                rc = nrp_err_set(err, "string index 0x%x past the #Strings heap (%u bytes)",
                                 ns >= m->strings.len ? ns : name, m->strings.len);
                break;
            }
            int k = namespace_equals(m, &memo, ns, part, ns_len, err);
            if (k == -1) {
                rc = NRP_ERROR;
                break;
            }
            if (!k)
                continue;
            if ((fits_name = heap_equals(m, name, type_name, name_len, err)) == -1) {
                rc = NRP_ERROR;
                break;
            }
        }
        if (!fits_name)
            continue;
        if (!nested && nrp_meta_enclosing_type(m, i, &outer, err) != NRP_OK)
            rc = NRP_ERROR;
        else if (!outer)
            found = i;
    }
    free(nested);
    if (rc != NRP_OK)
        return NRP_ERROR;
inner:
    if (found && plus && m->sparse && nrp_meta_load_tables((nrp_meta *)m, type_tables, err) != NRP_OK)
        return NRP_ERROR;
    /* Each "+Inner": a type the NestedClass table puts inside the last one. */
    while (found && plus) {
        part = plus + 1;
        plus = strchr(part, '+');
        n = plus ? (size_t)(plus - part) : strlen(part);
        uint32_t inner = 0;
        for (uint32_t i = 1; i <= m->rows[NRP_META_NESTEDCLASS] && !inner; i++) {
            nrp_meta_type_def t;
            uint32_t nested = cell(m, NRP_META_NESTEDCLASS, i, 0);
            if (cell(m, NRP_META_NESTEDCLASS, i, 1) != found)
                continue;
            if (nrp_meta_type_def_row(m, nested, &t, err) != NRP_OK)
                return NRP_ERROR;
            if (full_name_is(t.namespace_, t.name, part, n))
                inner = nested;
        }
        found = inner;
    }
    *row = found;
    return NRP_OK;
}
