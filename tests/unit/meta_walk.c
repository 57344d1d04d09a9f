#include "meta_walk.h"

#include <string.h>

#include "nrp/plugin.h"

static uint32_t capped(const nrp_meta *m, unsigned table, uint32_t cap)
{
    uint32_t n = nrp_meta_row_count(m, table);
    return n < cap ? n : cap;
}

static size_t name(const nrp_meta *m, uint32_t token)
{
    nrp_strbuf sb;
    nrp_err err;
    nrp_strbuf_init(&sb);
    int ok = nrp_meta_type_name(m, token, &sb, &err) == NRP_OK;
    nrp_strbuf_free(&sb);
    return ok;
}

size_t nrp_test_meta_walk(const nrp_meta *m, uint32_t row_cap)
{
    static const char *const types[] = {"Meta.Sample.Hooks", "Meta.Sample.Mixed+Inner+Deeper", "System.Object",
                                        "Global", "", "+", "a+b+", "Meta.Sample.Mixed+", "."};
    nrp_err err;
    size_t ok = strlen(nrp_meta_runtime_version(m)) > 0;
    nrp_meta_assembly a;
    ok += nrp_meta_assembly_row(m, &a, &err) == NRP_OK;
    ok += nrp_meta_row_count(m, 0x3F) == 0 && nrp_meta_row_count(m, 1000) == 0;
    for (uint32_t r = 0; r <= capped(m, NRP_META_ASSEMBLYREF, row_cap) + 1; r++) {
        nrp_meta_assembly_ref ar;
        ok += nrp_meta_assembly_ref_row(m, r, &ar, &err) == NRP_OK;
    }
    for (uint32_t r = 0; r <= capped(m, NRP_META_TYPEREF, row_cap) + 1; r++) {
        nrp_meta_type_ref tr;
        ok += nrp_meta_type_ref_row(m, r, &tr, &err) == NRP_OK;
        ok += name(m, (uint32_t)NRP_META_TYPEREF << 24 | r);
    }
    for (uint32_t r = 0; r <= capped(m, NRP_META_TYPESPEC, row_cap) + 1; r++)
        ok += name(m, (uint32_t)NRP_META_TYPESPEC << 24 | r);
    for (uint32_t r = 0; r <= capped(m, NRP_META_TYPEDEF, row_cap) + 1; r++) {
        nrp_meta_type_def td;
        nrp_meta_method_iter it;
        uint32_t outer, generics, method;
        ok += nrp_meta_type_def_row(m, r, &td, &err) == NRP_OK;
        ok += name(m, (uint32_t)NRP_META_TYPEDEF << 24 | r);
        ok += nrp_meta_enclosing_type(m, r, &outer, &err) == NRP_OK;
        ok += nrp_meta_generic_param_count(m, (uint32_t)NRP_META_TYPEDEF << 24 | r, &generics, &err) == NRP_OK;
        uint32_t ifaces[4];
        size_t iface_count;
        ok += nrp_meta_interfaces(m, r, ifaces, 4, &iface_count, &err) == NRP_OK;
        ok += nrp_meta_has_attribute(m, (uint32_t)NRP_META_TYPEDEF << 24 | r, "System.ObsoleteAttribute") == 1;
        if (nrp_meta_methods_begin(m, r, &it, &err) != NRP_OK)
            continue;
        for (uint32_t k = 0; k < row_cap && nrp_meta_methods_next(m, &it, &method, &err) == 1; k++) {
            nrp_meta_method_def md;
            if (nrp_meta_method_def_row(m, method, &md, &err) != NRP_OK)
                continue;
            nrp_strbuf ret, params;
            int modifiers;
            nrp_strbuf_init(&ret);
            nrp_strbuf_init(&params);
            ok += nrp_meta_method_sig_names(m, md.signature, md.signature_len, &ret, &params, NULL, &modifiers,
                                            &err) == NRP_OK;
            nrp_strbuf_free(&ret);
            nrp_strbuf_free(&params);
            ok += nrp_meta_generic_param_count(m, (uint32_t)NRP_META_METHODDEF << 24 | method, &generics, &err) ==
                  NRP_OK;
            uint32_t owner, first, end, param_row;
            ok += nrp_meta_method_owner(m, method, &owner, &err) == NRP_OK && owner == (uint32_t)r;
            if (nrp_meta_params_of(m, method, &first, &end, &err) == NRP_OK)
                for (uint32_t at = first; at < end && at < first + row_cap; at++) {
                    nrp_meta_param pr;
                    ok += nrp_meta_param_at(m, at, &param_row, &err) == NRP_OK &&
                          nrp_meta_param_row(m, param_row, &pr, &err) == NRP_OK;
                }
            const uint8_t *body;
            size_t body_len;
            if (!nrp_meta_no_il_reason(md.flags, md.impl_flags, md.rva))
                ok += nrp_meta_method_body(m, md.rva, &body, &body_len, &err) == NRP_OK && body_len > 0;
            ok += nrp_meta_has_attribute(m, (uint32_t)NRP_META_METHODDEF << 24 | method,
                                         "System.Runtime.CompilerServices.CompilerGeneratedAttribute") == 1;
        }
    }
    for (uint32_t r = 0; r <= capped(m, NRP_META_MEMBERREF, row_cap) + 1; r++) {
        nrp_meta_member_ref mr;
        ok += nrp_meta_member_ref_row(m, r, &mr, &err) == NRP_OK;
    }
    for (uint32_t r = 0; r <= capped(m, NRP_META_METHODSPEC, row_cap) + 1; r++) {
        nrp_meta_method_spec ms;
        ok += nrp_meta_method_spec_row(m, r, &ms, &err) == NRP_OK;
    }
    for (uint32_t r = 0; r <= capped(m, NRP_META_STANDALONESIG, row_cap) + 1; r++) {
        const uint8_t *sig;
        uint32_t sig_len;
        ok += nrp_meta_standalone_sig_row(m, r, &sig, &sig_len, &err) == NRP_OK;
    }
    /* Tokens of no type table, and rows out of range, are refused. */
    ok += name(m, 0x06000001u) + name(m, 0x1B000000u) + name(m, 0xFF000001u);
    for (size_t i = 0; i < sizeof types / sizeof *types; i++) {
        uint32_t row;
        ok += nrp_meta_find_type(m, types[i], &row, &err) == NRP_OK && row != 0;
    }
    ok += nrp_meta_check_static_method(m, "Meta.Sample.Hooks", "OnEnter", "System.Object",
                                       "System.String,System.Object,System.Object[]", &err) == NRP_OK;
    ok += nrp_meta_check_static_method(m, "Meta.Sample.Mixed", "Overload", "System.Void",
                                       "System.Object,System.Object,System.Exception", &err) == NRP_OK;
    return ok;
}
