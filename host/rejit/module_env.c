#include "rejit/module_env.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "clr/metadata.h"
#include "clr/type_hierarchy.h"
#include "rejit/task_watch.h"
#include "sig/sig.h"
#include "util/strbuf.h"

#define TOKEN_TYPE(t) ((t) & 0xFF000000u)
#define MAX_NESTING 32

/* Names the core library goes by in reference assemblies, preferred first. */
static const char *const core_library_names[] = {"System.Runtime", "System.Private.CoreLib", "mscorlib",
                                                 "netstandard"};

static nrp_result hr_error(nrp_err *err, HRESULT hr, const char *what)
{
    return nrp_err_set(err, "%s failed (0x%08x)", what, (unsigned)hr);
}

/* ---- what the IL engine asks ------------------------------------------ */

static nrp_result read_call_info(nrp_module_env *e, uint32_t token, nrp_il_call_info *out, nrp_err *err)
{
    const uint8_t *sig = NULL;
    ULONG len = 0;
    HRESULT hr;
    mdToken parent;
    switch (TOKEN_TYPE(token)) {
    case 0x06000000u: hr = nrp_mdi_method_sig(e->mdi, token, &sig, &len); break;
    case 0x0A000000u: hr = nrp_mdi_member_ref_sig(e->mdi, token, &sig, &len); break;
    case 0x11000000u: hr = nrp_mdi_sig_from_token(e->mdi, token, &sig, &len); break;
    case 0x2B000000u:
        hr = nrp_mdi2_method_spec_parent(e->mdi, token, &parent);
        if (NRP_FAILED(hr))
            return nrp_err_set(err, "cannot read method spec 0x%08x (0x%08x)", token, (unsigned)hr);
        return read_call_info(e, parent, out, err);
    default:
        return nrp_err_set(err, "token 0x%08x is not a method or signature", token);
    }
    if (NRP_FAILED(hr))
        return nrp_err_set(err, "cannot read the signature of 0x%08x (0x%08x)", token, (unsigned)hr);
    nrp_method_sig_info info;
    int returns;
    if (nrp_sig_method_return(sig, len, &info, NULL, &returns, err) != NRP_OK)
        return NRP_ERROR;
    out->has_this = info.has_this && !(info.callconv & NRP_CALLCONV_EXPLICITTHIS);
    out->params = info.param_count;
    out->returns_value = returns;
    return NRP_OK;
}

/* A call's stack effect packed in a cached value: the parameter count
 * (a compressed integer: below 2^29) and two flags. */
#define CALL_HAS_THIS 0x80000000u
#define CALL_RETURNS 0x40000000u
#define CALL_PARAMS 0x3FFFFFFFu

/* The max-stack walk asks this of every call in the body; a module's
 * methods call the same few members over and over. */
static nrp_result call_info(void *ctx, uint32_t token, nrp_il_call_info *out, nrp_err *err)
{
    nrp_module_env *e = ctx;
    uint32_t packed;
    if (e->cache && nrp_module_cache_find(e->cache, NRP_CACHE_CALL_INFO, &token, sizeof token, &packed)) {
        out->has_this = (packed & CALL_HAS_THIS) != 0;
        out->returns_value = (packed & CALL_RETURNS) != 0;
        out->params = packed & CALL_PARAMS;
        return NRP_OK;
    }
    if (read_call_info(e, token, out, err) != NRP_OK)
        return NRP_ERROR;
    if (e->cache && out->params <= CALL_PARAMS)
        (void)nrp_module_cache_put(e->cache, NRP_CACHE_CALL_INFO, &token, sizeof token,
                                   out->params | (out->has_this ? CALL_HAS_THIS : 0) |
                                       (out->returns_value ? CALL_RETURNS : 0)); /* out of memory: read again */
    return NRP_OK;
}

static nrp_result local_sig(void *ctx, uint32_t token, const uint8_t **blob, uint32_t *len, nrp_err *err)
{
    nrp_module_env *e = ctx;
    ULONG n = 0;
    HRESULT hr = nrp_mdi_sig_from_token(e->mdi, token, blob, &n);
    if (NRP_FAILED(hr))
        return nrp_err_set(err, "cannot read local signature 0x%08x (0x%08x)", token, (unsigned)hr);
    *len = n;
    return NRP_OK;
}

/* ---- what the module's rewrites reuse ------------------------------------ */

/* The interface the module's cache keeps in `slot`, or NULL. */
static nrp_com_object *kept_iface(nrp_module_env *e, int slot)
{
    return e->cache ? nrp_module_cache_iface(e->cache, slot) : NULL;
}

/* A newly opened interface goes to the module's cache, which keeps it
 * until the module unloads (another thread may have kept one first: that
 * one is used); without a cache it is this rewrite's, released at close. */
static nrp_com_object *keep_iface(nrp_module_env *e, int slot, nrp_com_object *iface)
{
    return e->cache ? nrp_module_cache_keep_iface(e->cache, slot, iface) : iface;
}

/* A question's key: up to three parts, each but the last ended by a NUL
 * (names hold none, so keys of different questions differ). 0 when it is
 * too long to cache. */
static size_t make_key(unsigned char *key, const void *a, size_t alen, const void *b, size_t blen, const void *c,
                       size_t clen)
{
    size_t n = alen + 1 + blen + (c ? 1 + clen : 0);
    if (alen > NRP_MODULE_ENV_KEY_MAX || blen > NRP_MODULE_ENV_KEY_MAX || clen > NRP_MODULE_ENV_KEY_MAX ||
        n > NRP_MODULE_ENV_KEY_MAX)
        return 0;
    memcpy(key, a, alen);
    key[alen] = 0;
    memcpy(key + alen + 1, b, blen);
    if (c) {
        key[alen + 1 + blen] = 0;
        memcpy(key + alen + 2 + blen, c, clen);
    }
    return n;
}

static int cached_token(nrp_module_env *e, nrp_cache_kind kind, const unsigned char *key, size_t len,
                        uint32_t *token)
{
    return e->cache && len && nrp_module_cache_find(e->cache, kind, key, len, token);
}

/* Remember an answer for the module's later rewrites. One that added a row
 * waits until this rewrite has published it: a rewrite that found it
 * sooner would hand the runtime a body naming a row it cannot see yet. */
static void remember(nrp_module_env *e, nrp_cache_kind kind, const unsigned char *key, size_t len, uint32_t token,
                     int added)
{
    if (!e->cache || !len)
        return;
    if (!added) {
        (void)nrp_module_cache_put(e->cache, kind, key, len, token); /* out of memory: asked again next time */
        return;
    }
    if (e->pending_count == NRP_MODULE_ENV_PENDING)
        return;
    nrp_module_env_pending *p = &e->pending[e->pending_count++];
    p->kind = kind;
    p->token = token;
    p->len = len;
    memcpy(p->key, key, len);
}

static nrp_result open_emit(nrp_module_env *e, nrp_err *err)
{
    if (e->mde)
        return NRP_OK;
    nrp_com_object *mde = kept_iface(e, NRP_CACHE_EMIT);
    if (!mde) {
        HRESULT hr =
            nrp_info_module_metadata(e->info, e->module, NRP_OF_READ | NRP_OF_WRITE, &NRP_IID_IMetaDataEmit, &mde);
        if (NRP_FAILED(hr))
            return nrp_err_set(err, "cannot open the module's metadata for writing (0x%08x)", (unsigned)hr);
        mde = keep_iface(e, NRP_CACHE_EMIT, mde);
    }
    e->mde = mde;
    return NRP_OK;
}

/* A standalone signature's token. It adds a StandAloneSig row when the
 * blob is new, which the runtime reads from the metadata as it is: no
 * ApplyMetaData, so the answer is reusable at once. */
static nrp_result sig_token(void *ctx, const uint8_t *sig, uint32_t len, uint32_t *token, nrp_err *err)
{
    nrp_module_env *e = ctx;
    if (e->cache && nrp_module_cache_find(e->cache, NRP_CACHE_SIG, sig, len, token))
        return NRP_OK;
    if (open_emit(e, err) != NRP_OK)
        return NRP_ERROR;
    HRESULT hr = nrp_mde_token_from_sig(e->mde, sig, len, token);
    if (NRP_FAILED(hr))
        return hr_error(err, hr, "GetTokenFromSig");
    if (e->cache)
        (void)nrp_module_cache_put(e->cache, NRP_CACHE_SIG, sig, len, *token); /* out of memory: asked again */
    return NRP_OK;
}

/* ---- what the plugins' metadata services ask -------------------------- */

/* `*slot` is `iid` asked of `from`, kept like the other interfaces. */
static nrp_result query_iface(nrp_module_env *e, int slot, nrp_com_object *from, const nrp_guid *iid,
                              nrp_com_object **out, const char *what, nrp_err *err)
{
    if (*out)
        return NRP_OK;
    nrp_com_object *iface = kept_iface(e, slot);
    if (!iface) {
        HRESULT hr = nrp_com_query(from, iid, &iface);
        if (NRP_FAILED(hr))
            return hr_error(err, hr, what);
        iface = keep_iface(e, slot, iface);
    }
    *out = iface;
    return NRP_OK;
}

static nrp_result open_assembly_md(nrp_module_env *e, nrp_err *err)
{
    if (open_emit(e, err) != NRP_OK ||
        query_iface(e, NRP_CACHE_ASSEMBLY_IMPORT, e->mdi, &NRP_IID_IMetaDataAssemblyImport, &e->mdai,
                    "opening IMetaDataAssemblyImport", err) != NRP_OK ||
        query_iface(e, NRP_CACHE_ASSEMBLY_EMIT, e->mde, &NRP_IID_IMetaDataAssemblyEmit, &e->mdae,
                    "opening IMetaDataAssemblyEmit", err) != NRP_OK)
        return NRP_ERROR;
    return NRP_OK;
}

static nrp_result type_spec(void *ctx, const uint8_t *sig, uint32_t len, uint32_t *token, nrp_err *err)
{
    nrp_module_env *e = ctx;
    unsigned char key[NRP_MODULE_ENV_KEY_MAX];
    size_t key_len = make_key(key, sig, len, "", 0, NULL, 0);
    if (cached_token(e, NRP_CACHE_TYPE_SPEC, key, key_len, token))
        return NRP_OK;
    if (open_emit(e, err) != NRP_OK)
        return NRP_ERROR;
    HRESULT hr = nrp_mde_type_spec(e->mde, sig, len, token);
    if (NRP_FAILED(hr))
        return hr_error(err, hr, "type_spec: GetTokenFromTypeSpec");
    e->defined = 1;
    remember(e, NRP_CACHE_TYPE_SPEC, key, key_len, *token, 1);
    return NRP_OK;
}

static nrp_result assembly_ref(void *ctx, const char *name, uint32_t *token, nrp_err *err)
{
    nrp_module_env *e = ctx;
    unsigned char key[NRP_MODULE_ENV_KEY_MAX];
    size_t key_len = make_key(key, name, strlen(name), "", 0, NULL, 0);
    if (cached_token(e, NRP_CACHE_ASSEMBLY_REF, key, key_len, token))
        return NRP_OK;
    if (open_assembly_md(e, err) != NRP_OK)
        return NRP_ERROR;
    HRESULT hr = nrp_mdasm_find_assembly_ref(e->mdai, name, token);
    if (hr == NRP_S_OK) {
        remember(e, NRP_CACHE_ASSEMBLY_REF, key, key_len, *token, 0);
        return NRP_OK;
    }
    hr = nrp_mdae_define_assembly_ref(e->mdae, name, token);
    if (NRP_FAILED(hr))
        return nrp_err_set(err, "assembly_ref: cannot add a reference to %s (0x%08x)", name, (unsigned)hr);
    e->defined = 1;
    remember(e, NRP_CACHE_ASSEMBLY_REF, key, key_len, *token, 1);
    return NRP_OK;
}

/* The scope core library types are referenced through. */
static nrp_result core_library_scope(nrp_module_env *e, uint32_t *token, nrp_err *err)
{
    if (open_assembly_md(e, err) != NRP_OK)
        return NRP_ERROR;
    for (size_t i = 0; i < sizeof core_library_names / sizeof *core_library_names; i++)
        if (nrp_mdasm_find_assembly_ref(e->mdai, core_library_names[i], token) == NRP_S_OK)
            return NRP_OK;
    return assembly_ref(e, core_library_names[0], token, err);
}

/* Copy the next '+'-separated segment of *name into out. */
static nrp_result next_segment(const char **name, char *out, size_t cap)
{
    const char *plus = strchr(*name, '+');
    size_t n = plus ? (size_t)(plus - *name) : strlen(*name);
    if (n == 0 || n >= cap)
        return NRP_ERROR;
    memcpy(out, *name, n);
    out[n] = '\0';
    *name += n + (plus ? 1 : 0);
    return NRP_OK;
}

static nrp_result own_type(nrp_module_env *e, const char *type, uint32_t *token, nrp_err *err)
{
    const char *rest = type;
    mdToken enclosing = 0;
    char segment[1024];
    for (int depth = 0; *rest && depth < MAX_NESTING; depth++) {
        if (next_segment(&rest, segment, sizeof segment) != NRP_OK)
            return nrp_err_set(err, "type_ref: bad type name '%s'", type);
        if (NRP_FAILED(nrp_mdi_find_type_def(e->mdi, segment, enclosing, &enclosing)))
            return nrp_err_set(err, "type_ref: %s defines no type %s", e->assembly, type);
    }
    *token = enclosing;
    return NRP_OK;
}

static nrp_result type_ref(void *ctx, const char *assembly, const char *type, uint32_t *token, nrp_err *err)
{
    nrp_module_env *e = ctx;
    uint32_t scope;
    const char *home = assembly ? assembly : "System.Private.CoreLib";
    /* No assembly (the core library) keys as "", which no assembly is called. */
    unsigned char key[NRP_MODULE_ENV_KEY_MAX];
    size_t key_len = make_key(key, assembly ? assembly : "", assembly ? strlen(assembly) : 0, type, strlen(type),
                              NULL, 0);
    if (cached_token(e, NRP_CACHE_TYPE_REF, key, key_len, token))
        return NRP_OK;
    if (strcasecmp(home, e->assembly) == 0) {
        if (own_type(e, type, token, err) != NRP_OK)
            return NRP_ERROR;
        remember(e, NRP_CACHE_TYPE_REF, key, key_len, *token, 0);
        return NRP_OK;
    }
    if ((assembly ? assembly_ref(e, assembly, &scope, err) : core_library_scope(e, &scope, err)) != NRP_OK)
        return NRP_ERROR;
    const char *rest = type;
    char segment[1024];
    for (int depth = 0; *rest && depth < MAX_NESTING; depth++) {
        if (next_segment(&rest, segment, sizeof segment) != NRP_OK)
            return nrp_err_set(err, "type_ref: bad type name '%s'", type);
        /* A nested type's scope is its enclosing TypeRef. */
        HRESULT hr = nrp_mde_type_ref(e->mde, scope, segment, &scope);
        if (NRP_FAILED(hr))
            return nrp_err_set(err, "type_ref: cannot reference %s (0x%08x)", type, (unsigned)hr);
    }
    e->defined = 1;
    *token = scope;
    remember(e, NRP_CACHE_TYPE_REF, key, key_len, scope, 1);
    return NRP_OK;
}

static nrp_result member_ref(void *ctx, uint32_t parent, const char *name, const uint8_t *sig, uint32_t len,
                             uint32_t *token, nrp_err *err)
{
    nrp_module_env *e = ctx;
    unsigned char key[NRP_MODULE_ENV_KEY_MAX];
    size_t key_len = make_key(key, &parent, sizeof parent, name, strlen(name), sig, len);
    if (cached_token(e, NRP_CACHE_MEMBER_REF, key, key_len, token))
        return NRP_OK;
    if (open_emit(e, err) != NRP_OK)
        return NRP_ERROR;
    HRESULT hr = nrp_mde_member_ref(e->mde, parent, name, sig, len, token);
    if (NRP_FAILED(hr))
        return nrp_err_set(err, "member_ref: cannot reference %s on 0x%08x (0x%08x)", name, parent, (unsigned)hr);
    e->defined = 1;
    remember(e, NRP_CACHE_MEMBER_REF, key, key_len, *token, 1);
    return NRP_OK;
}

static nrp_result user_string(void *ctx, const char *text, uint32_t *token, nrp_err *err)
{
    nrp_module_env *e = ctx;
    if (open_emit(e, err) != NRP_OK)
        return NRP_ERROR;
    HRESULT hr = nrp_mde_user_string(e->mde, text, token);
    if (NRP_FAILED(hr))
        return hr_error(err, hr, "user_string: DefineUserString (is the text valid UTF-8?)");
    e->defined = 1;
    return NRP_OK;
}

/* A struct the runtime forbids on the heap: never boxed. Unknown counts as
 * one, as boxing one is an invalid program while passing null is not. */
static int byref_like(nrp_module_env *e, const uint8_t *p, const uint8_t *end)
{
    uint32_t type;
    if (p < end && *p == NRP_ELEMENT_GENERICINST)
        p++;
    if (p >= end || *p != NRP_ELEMENT_VALUETYPE)
        return 0;
    p++;
    if (nrp_sig_read_type_token(&p, end, &type) != NRP_OK)
        return 1;
    return nrp_md_type_has_attribute(e->mdi, type, "System.Runtime.CompilerServices.IsByRefLikeAttribute",
                                     &e->types) != 0;
}

/* A generic parameter (VAR of the method's type, MVAR of the method) that
 * may be instantiated with a by-ref-like type: boxing it is an invalid
 * program for such instantiations. Unknown counts as one. */
static int generic_allows_byref_like(nrp_module_env *e, const nrp_method_info *method, const uint8_t *p,
                                     const uint8_t *end)
{
    uint32_t number;
    DWORD flags;
    if (p >= end || (*p != NRP_ELEMENT_VAR && *p != NRP_ELEMENT_MVAR))
        return 0;
    mdToken owner = *p == NRP_ELEMENT_VAR ? method->type_token : method->token;
    p++;
    if (nrp_sig_read_compressed(&p, end, &number) != NRP_OK)
        return 1;
    HRESULT hr = nrp_mdi2_generic_param_flags(e->mdi, owner, number, &flags);
    return hr != NRP_S_OK || (flags & NRP_GP_ALLOW_BYREF_LIKE) != 0;
}

static nrp_result param_info(void *ctx, const nrp_method_info *method, int32_t index, nrp_param_info *out, nrp_err *err)
{
    nrp_module_env *e = ctx;
    nrp_sig_span type;
    int byref;
    if (nrp_sig_method_param(method->signature, method->signature_len, index, &type, &byref, err) != NRP_OK)
        return NRP_ERROR;
    const uint8_t *p = type.data, *end = type.data + type.len;
    uint32_t flags = byref ? NRP_PARAM_BYREF : 0;
    switch (*p) {
    case NRP_ELEMENT_VOID: flags |= NRP_PARAM_VOID; break;
    case NRP_ELEMENT_PTR:
    case NRP_ELEMENT_FNPTR:
    case NRP_ELEMENT_TYPEDBYREF: break;
    default:
        if (!byref_like(e, p, end) && !generic_allows_byref_like(e, method, p, end))
            flags |= NRP_PARAM_BOXABLE;
    }
    out->flags = flags;
    out->type = type.data;
    out->type_len = (uint32_t)type.len;
    return NRP_OK;
}

static int assembly_resolvable(void *ctx, const char *name)
{
    nrp_module_env *e = ctx;
    return nrp_modules_resolvable(e->modules, name);
}

static nrp_result assembly_file(void *ctx, const char *name, char *path, size_t cap, nrp_err *err)
{
    nrp_module_env *e = ctx;
    return nrp_modules_file(e->modules, name, path, cap, err);
}

static nrp_result task_watch(void *ctx, uint32_t *token, nrp_err *err)
{
    return nrp_task_watch_method(ctx, token, err);
}

static nrp_result task_exit(void *ctx, uint32_t *type, nrp_err *err)
{
    return nrp_task_exit_class(ctx, type, err);
}

/* ---- lifetime ------------------------------------------------------------ */

nrp_result nrp_module_env_open(nrp_module_env *env, const nrp_info *info, ModuleID module, const char *assembly,
                               nrp_loaded_modules *modules, nrp_err *err)
{
    memset(env, 0, sizeof *env);
    env->info = info;
    env->module = module;
    env->assembly = assembly;
    env->modules = modules;
    env->types = (nrp_hierarchy_env){modules, nrp_modules_import_of};
    env->il = (nrp_il_env){env, call_info, local_sig, sig_token};
    env->md = (nrp_module_md){env,        sig_token,   type_spec,  assembly_ref,        type_ref,
                              member_ref, user_string, param_info, assembly_resolvable, assembly_file,
                              task_watch, task_exit};
    env->cache = nrp_modules_cache(modules, module);
    nrp_com_object *mdi = kept_iface(env, NRP_CACHE_IMPORT);
    if (!mdi) {
        HRESULT hr = nrp_info_module_metadata(info, module, NRP_OF_READ, &NRP_IID_IMetaDataImport2, &mdi);
        if (NRP_FAILED(hr))
            return nrp_err_set(err, "cannot read the module's metadata (0x%08x)", (unsigned)hr);
        mdi = keep_iface(env, NRP_CACHE_IMPORT, mdi);
    }
    env->mdi = mdi;
    return NRP_OK;
}

nrp_result nrp_module_env_publish(nrp_module_env *env, nrp_err *err)
{
    if (!env->defined)
        return NRP_OK;
    HRESULT hr = nrp_info_apply_metadata(env->info, env->module);
    if (NRP_FAILED(hr))
        return hr_error(err, hr, "ApplyMetaData");
    for (size_t i = 0; i < env->pending_count; i++) {
        const nrp_module_env_pending *p = &env->pending[i];
        (void)nrp_module_cache_put(env->cache, p->kind, p->key, p->len, p->token); /* out of memory: asked again */
    }
    env->pending_count = 0;
    return NRP_OK;
}

void nrp_module_env_close(nrp_module_env *env)
{
    if (env->cache) {
        /* The interfaces are the cache's: it releases them when the module unloads. */
        nrp_module_cache_release(env->cache);
    } else {
        nrp_com_release(env->mdae);
        nrp_com_release(env->mdai);
        nrp_com_release(env->mde);
        nrp_com_release(env->mdi);
    }
    env->cache = NULL;
    env->mdae = env->mdai = env->mde = env->mdi = NULL;
}

/* ---- the method's identity ----------------------------------------------- */

static int is_value_type(nrp_module_env *e, mdToken type)
{
    DWORD flags = 0;
    mdToken extends = 0;
    nrp_strbuf base, self;
    int yes = 0;
    if (NRP_FAILED(nrp_mdi_type_def_extends(e->mdi, type, &flags, &extends)) || !(extends & 0x00FFFFFFu))
        return 0;
    nrp_strbuf_init(&base);
    nrp_strbuf_init(&self);
    if (!NRP_FAILED(nrp_md_type_name(e->mdi, extends, &base)) && base.data) {
        /* System.Enum derives from System.ValueType but is a class itself. */
        if (strcmp(base.data, "System.Enum") == 0)
            yes = 1;
        else if (strcmp(base.data, "System.ValueType") == 0)
            yes = NRP_FAILED(nrp_md_type_name(e->mdi, type, &self)) || !self.data ||
                  strcmp(self.data, "System.Enum") != 0;
    }
    nrp_strbuf_free(&base);
    nrp_strbuf_free(&self);
    return yes;
}

/* What a method's type is, packed in a cached value: the count of its
 * generic parameters (a row count: below 2^24) and three flags. */
#define TYPE_GENERICS 0x00FFFFFFu
#define TYPE_VALUE 0x01000000u
#define TYPE_BYREF_LIKE 0x02000000u

/* The type's part of the method's flags and its generic parameter count.
 * Every method of the type asks the same, so the module keeps the answer. */
static void type_facts(nrp_module_env *env, mdToken type, uint32_t *flags, ULONG *generics)
{
    uint32_t packed;
    if (env->cache && nrp_module_cache_find(env->cache, NRP_CACHE_TYPE_FACTS, &type, sizeof type, &packed)) {
        *generics = packed & TYPE_GENERICS;
    } else {
        if (NRP_FAILED(nrp_mdi2_generic_param_count(env->mdi, type, generics)))
            *generics = 0;
        packed = 0;
        if (is_value_type(env, type)) {
            packed |= TYPE_VALUE;
            if (nrp_md_has_attribute(env->mdi, type, "System.Runtime.CompilerServices.IsByRefLikeAttribute"))
                packed |= TYPE_BYREF_LIKE;
        }
        if (env->cache && *generics <= TYPE_GENERICS) /* out of memory: read again next time */
            (void)nrp_module_cache_put(env->cache, NRP_CACHE_TYPE_FACTS, &type, sizeof type, packed | *generics);
    }
    *flags = (*generics ? NRP_METHOD_GENERIC_TYPE : 0) | (packed & TYPE_VALUE ? NRP_METHOD_VALUE_TYPE : 0) |
             (packed & TYPE_BYREF_LIKE ? NRP_METHOD_BYREF_LIKE_TYPE : 0);
}

/* The method flags a custom attribute's constructor stands for: the state
 * machine attributes the compilers put on async methods and iterators. */
static uint32_t attribute_flags(nrp_module_env *env, mdToken ctor)
{
    static const struct {
        const char *name;
        uint32_t flags;
    } known[] = {
        {"System.Runtime.CompilerServices.AsyncStateMachineAttribute", NRP_METHOD_ASYNC},
        {"System.Runtime.CompilerServices.IteratorStateMachineAttribute", NRP_METHOD_ITERATOR},
        {"System.Runtime.CompilerServices.AsyncIteratorStateMachineAttribute", NRP_METHOD_ASYNC | NRP_METHOD_ITERATOR},
    };
    uint32_t flags = 0;
    mdToken type;
    nrp_strbuf name;
    if (env->cache && nrp_module_cache_find(env->cache, NRP_CACHE_ATTRIBUTE, &ctor, sizeof ctor, &flags))
        return flags;
    if (NRP_FAILED(nrp_mdi_member_parent(env->mdi, ctor, &type)))
        return 0; /* not cached: asked again */
    nrp_strbuf_init(&name);
    /* A TypeSpec parent (a generic attribute) is named "?": none of these. */
    if (!NRP_FAILED(nrp_md_type_name(env->mdi, type, &name)) && name.data && name.status == NRP_OK) {
        for (size_t i = 0; i < sizeof known / sizeof *known; i++)
            if (strcmp(name.data, known[i].name) == 0)
                flags = known[i].flags;
        if (env->cache) /* out of memory: asked again */
            (void)nrp_module_cache_put(env->cache, NRP_CACHE_ATTRIBUTE, &ctor, sizeof ctor, flags);
    }
    nrp_strbuf_free(&name);
    return flags;
}

/* Async and iterator flags from the method's custom attributes. A module
 * has few attribute constructors, used by many methods: what each one
 * makes is read once (a lookup by name, per attribute, walks the method's
 * attributes and names their types every time). */
static uint32_t state_machine_flags(nrp_module_env *env, mdToken method)
{
    HCORENUM e = NULL;
    mdToken attributes[16];
    ULONG n = 0;
    uint32_t flags = 0;
    while (nrp_mdi_enum_custom_attributes(env->mdi, &e, method, attributes, 16, &n) == NRP_S_OK && n > 0) {
        for (ULONG i = 0; i < n && i < 16; i++) {
            mdToken ctor;
            if (!NRP_FAILED(nrp_mdi_custom_attribute_ctor(env->mdi, attributes[i], &ctor)))
                flags |= attribute_flags(env, ctor);
        }
    }
    nrp_mdi_close_enum(env->mdi, e);
    return flags;
}

/* NRP_METHOD_RETURNS_TASK or NRP_METHOD_RETURNS_VALUE_TASK, with
 * NRP_METHOD_ASYNC, for a method that returns Task, Task<T>, ValueTask or
 * ValueTask<T>; else 0. */
static uint32_t task_flags(nrp_module_env *env, const uint8_t *sig, size_t len)
{
    static const struct {
        uint8_t element;
        int generic;
        const char *name;
        uint32_t flags;
    } known[] = {
        {NRP_ELEMENT_CLASS, 0, "System.Threading.Tasks.Task", NRP_METHOD_RETURNS_TASK},
        {NRP_ELEMENT_CLASS, 1, "System.Threading.Tasks.Task`1", NRP_METHOD_RETURNS_TASK},
        {NRP_ELEMENT_VALUETYPE, 0, "System.Threading.Tasks.ValueTask", NRP_METHOD_RETURNS_VALUE_TASK},
        {NRP_ELEMENT_VALUETYPE, 1, "System.Threading.Tasks.ValueTask`1", NRP_METHOD_RETURNS_VALUE_TASK},
    };
    nrp_sig_span ret;
    nrp_err ignored;
    int byref, generic = 0;
    uint32_t type, args = 1, which = 0;
    if (nrp_sig_method_param(sig, len, -1, &ret, &byref, &ignored) != NRP_OK || byref)
        return 0;
    const uint8_t *p = ret.data, *end = ret.data + ret.len;
    if (p < end && *p == NRP_ELEMENT_GENERICINST) {
        generic = 1;
        p++;
    }
    if (p >= end || (*p != NRP_ELEMENT_CLASS && *p != NRP_ELEMENT_VALUETYPE))
        return 0;
    uint8_t element = *p++;
    if (nrp_sig_read_type_token(&p, end, &type) != NRP_OK ||
        (generic && (nrp_sig_read_compressed(&p, end, &args) != NRP_OK || args != 1)))
        return 0;
    /* The same few TypeRefs name every task a module's methods return:
     * which of `known` a type is (its index + 1, or 0) is read once. */
    if (!env->cache || !nrp_module_cache_find(env->cache, NRP_CACHE_RETURN_TYPE, &type, sizeof type, &which)) {
        nrp_strbuf name;
        nrp_strbuf_init(&name);
        if (NRP_FAILED(nrp_md_type_name(env->mdi, type, &name)) || !name.data || name.status != NRP_OK) {
            nrp_strbuf_free(&name);
            return 0; /* not cached: asked again */
        }
        for (size_t i = 0; i < sizeof known / sizeof *known; i++)
            if (strcmp(name.data, known[i].name) == 0)
                which = (uint32_t)i + 1;
        nrp_strbuf_free(&name);
        if (env->cache) /* out of memory: asked again */
            (void)nrp_module_cache_put(env->cache, NRP_CACHE_RETURN_TYPE, &type, sizeof type, which);
    }
    if (!which || known[which - 1].element != element || known[which - 1].generic != generic)
        return 0;
    return known[which - 1].flags | NRP_METHOD_ASYNC;
}

nrp_result nrp_module_env_method(nrp_module_env *env, mdToken method, nrp_method_info *out, nrp_err *err)
{
    nrp_md_method_props props;
    nrp_method_sig_info sig;
    int returns = 0;
    ULONG generics = 0;
    HRESULT hr = nrp_mdi_method_props(env->mdi, method, &props);
    if (NRP_FAILED(hr))
        return hr_error(err, hr, "reading the method's properties");
    if (nrp_sig_method_return(props.sig, props.sig_len, &sig, NULL, &returns, err) != NRP_OK)
        return NRP_ERROR;
    uint32_t flags = 0;
    if (props.attributes & NRP_MD_STATIC)
        flags |= NRP_METHOD_STATIC;
    if (strcmp(props.name, ".ctor") == 0 || strcmp(props.name, ".cctor") == 0)
        flags |= NRP_METHOD_CONSTRUCTOR;
    if (sig.generic_params)
        flags |= NRP_METHOD_GENERIC;
    if (returns)
        flags |= NRP_METHOD_RETURNS_VALUE;
    uint32_t type_flags;
    type_facts(env, props.type, &type_flags, &generics);
    flags |= type_flags;
    flags |= state_machine_flags(env, method);
    if (returns)
        flags |= task_flags(env, props.sig, props.sig_len);
    out->flags = flags;
    out->is_static = (flags & NRP_METHOD_STATIC) != 0;
    out->token = method;
    out->type_token = props.type;
    out->signature = props.sig;
    out->signature_len = props.sig_len;
    out->param_count = sig.param_count;
    out->generic_param_count = sig.generic_params;
    out->type_generic_param_count = generics;
    return NRP_OK;
}
