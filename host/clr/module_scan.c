#include "clr/module_scan.h"

#include "clr/info.h"
#include "clr/metadata.h"
#include "meta/meta.h"
#include "nrp/il.h"
#include "util/log.h"
#include "sig/sig.h"

static int name_token(void *ctx, uint32_t token, nrp_strbuf *out)
{
    return NRP_FAILED(nrp_md_type_name(ctx, token, out)) ? NRP_ERROR : NRP_OK;
}

/* One module's walk. IMetaDataImport2, which names generic methods' type
 * parameters, is asked for once, at the first generic method. */
typedef struct scan {
    nrp_com_object *mdi, *mdi2;
    int asked_mdi2;
    const nrp_scan_visitor *v;
} scan;

static void scan_end(scan *s)
{
    if (s->mdi2)
        nrp_com_release(s->mdi2);
}

/* A generic method's type parameter names, for its label; none when they
 * cannot be read (the label then keeps "!!0"). */
#define MAX_GENERIC_NAMES 16

static uint32_t generic_names(scan *s, mdToken method, const nrp_md_method_props *props,
                              char (*names)[NRP_GENERIC_NAME_CAP])
{
    ULONG count = 0;
    if (props->sig_len == 0 || !(props->sig[0] & NRP_CALLCONV_GENERIC))
        return 0;
    if (!s->asked_mdi2) {
        s->asked_mdi2 = 1;
        if (NRP_FAILED(nrp_com_query(s->mdi, &NRP_IID_IMetaDataImport2, &s->mdi2)))
            s->mdi2 = NULL;
    }
    if (!s->mdi2)
        return 0;
    HRESULT hr = nrp_mdi2_generic_param_names(s->mdi2, method, names, MAX_GENERIC_NAMES, &count);
    return NRP_FAILED(hr) || count > MAX_GENERIC_NAMES ? 0 : (uint32_t)count;
}

static void report(scan *s, const char *type, mdToken method, const nrp_md_method_props *props)
{
    nrp_com_object *mdi = s->mdi;
    const nrp_scan_visitor *v = s->v;
    char names[MAX_GENERIC_NAMES][NRP_GENERIC_NAME_CAP];
    const char *generics[MAX_GENERIC_NAMES];
    uint32_t count = generic_names(s, method, props, names);
    nrp_sig_label label;
    nrp_err err;
    for (uint32_t i = 0; i < count; i++)
        generics[i] = names[i][0] ? names[i] : NULL;
    nrp_sig_label_init(&label);
    if (nrp_sig_method_label(type, props->name, props->sig, props->sig_len, name_token, mdi, generics, count, &label,
                             &err) != NRP_OK) {
        nrp_log(NRP_LOG_WARN, "skipping %s::%s: cannot read its signature: %s", type, props->name, err.msg);
    } else {
        const char *p = label.params.data ? label.params.data : "";
        nrp_scan_method m = {type, props->name, p, label.named_params.data, label.display.data, method, props->type,
                             (props->attributes & NRP_MD_STATIC) != 0};
        v->method(v->ctx, &m);
    }
    nrp_sig_label_free(&label);
}

static HRESULT scan_methods(scan *s, mdToken type, const char *type_name)
{
    nrp_com_object *mdi = s->mdi;
    const nrp_scan_visitor *v = s->v;
    HCORENUM e = NULL;
    mdToken methods[64];
    ULONG n = 0;
    HRESULT hr;
    while ((hr = nrp_mdi_enum_methods(mdi, &e, type, methods, 64, &n)) == NRP_S_OK && n > 0) {
        for (ULONG i = 0; i < n; i++) {
            nrp_md_method_props props;
            const char *name;
            /* The name alone first: a walk passes over most methods, and
             * GetMethodProps converts each name to UTF-16 and back. */
            if (!NRP_FAILED(nrp_mdi_name_of(mdi, methods[i], &name)) && name &&
                !v->want_method(v->ctx, type_name, name))
                continue;
            if (NRP_FAILED(nrp_mdi_method_props(mdi, methods[i], &props)))
                continue;
            if (!v->want_method(v->ctx, type_name, props.name))
                continue;
            const char *why = nrp_meta_no_il_reason((uint16_t)props.attributes, (uint16_t)props.impl_flags, props.rva);
            if (why)
                NRP_LOG_DBG("skipping %s::%s: %s", type_name, props.name, why);
            else
                report(s, type_name, methods[i], &props);
        }
    }
    nrp_mdi_close_enum(mdi, e);
    return NRP_FAILED(hr) ? hr : NRP_S_OK;
}

HRESULT nrp_module_scan(nrp_com_object *mdi, const nrp_scan_visitor *v)
{
    scan s = {mdi, NULL, 0, v};
    HCORENUM e = NULL;
    mdToken types[64];
    ULONG n = 0;
    HRESULT hr, first_failure = NRP_S_OK;
    while ((hr = nrp_mdi_enum_type_defs(mdi, &e, types, 64, &n)) == NRP_S_OK && n > 0) {
        for (ULONG i = 0; i < n; i++) {
            nrp_strbuf name;
            nrp_strbuf_init(&name);
            if (!NRP_FAILED(nrp_md_type_name(mdi, types[i], &name)) && name.data && name.status == NRP_OK &&
                v->want_type(v->ctx, name.data)) {
                HRESULT mhr = scan_methods(&s, types[i], name.data);
                if (NRP_FAILED(mhr) && first_failure == NRP_S_OK)
                    first_failure = mhr;
            }
            nrp_strbuf_free(&name);
        }
    }
    nrp_mdi_close_enum(mdi, e);
    scan_end(&s);
    if (NRP_FAILED(hr))
        return hr;
    return first_failure;
}

HRESULT nrp_module_scan_types(nrp_com_object *mdi, const nrp_scan_visitor *v, const char *const *types, size_t count)
{
    scan s = {mdi, NULL, 0, v};
    HRESULT first_failure = NRP_S_OK;
    for (size_t i = 0; i < count; i++) {
        mdToken def = 0;
        /* Not found (CLDB_E_RECORD_NOTFOUND) is the usual answer: the
         * module does not define that type. */
        if (nrp_mdi_find_type_def(mdi, types[i], 0, &def) != NRP_S_OK || !v->want_type(v->ctx, types[i]))
            continue;
        HRESULT mhr = scan_methods(&s, def, types[i]);
        if (NRP_FAILED(mhr) && first_failure == NRP_S_OK)
            first_failure = mhr;
    }
    scan_end(&s);
    return first_failure;
}
