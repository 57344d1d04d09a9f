/*
 * rows.c - the rows the profiler reads, as structs: the assembly and its
 * references, types, methods, type specs, nesting, generic parameters, and
 * the methods of a type.
 */
#include "meta/meta_internal.h"
#include "nrp/result.h"

/* ---- rows ----------------------------------------------------------------- */

static nrp_meta_version version_of(const nrp_meta *m, unsigned table, uint32_t row, unsigned first)
{
    return (nrp_meta_version){(uint16_t)cell(m, table, row, first), (uint16_t)cell(m, table, row, first + 1),
                              (uint16_t)cell(m, table, row, first + 2), (uint16_t)cell(m, table, row, first + 3)};
}

nrp_result nrp_meta_assembly_row(const nrp_meta *m, nrp_meta_assembly *out, nrp_err *err)
{
    enum { T = NRP_META_ASSEMBLY };
    if (m->rows[T] == 0)
        return nrp_err_set(err, "the file is a module without an assembly manifest");
    out->hash_alg = cell(m, T, 1, 0);
    out->version = version_of(m, T, 1, 1);
    out->flags = cell(m, T, 1, 5);
    return nrp_meta_string_at(m, cell(m, T, 1, 7), &out->name, err) != NRP_OK ||
                   nrp_meta_string_at(m, cell(m, T, 1, 8), &out->culture, err) != NRP_OK
               ? NRP_ERROR
               : NRP_OK;
}

nrp_result nrp_meta_assembly_ref_row(const nrp_meta *m, uint32_t row, nrp_meta_assembly_ref *out, nrp_err *err)
{
    enum { T = NRP_META_ASSEMBLYREF };
    if (row_ok(m, T, row, err))
        return NRP_ERROR;
    out->version = version_of(m, T, row, 0);
    out->flags = cell(m, T, row, 4);
    if (nrp_meta_blob_at(m, cell(m, T, row, 5), &out->public_key_or_token, &out->public_key_or_token_len,
                         err) != NRP_OK ||
        nrp_meta_string_at(m, cell(m, T, row, 6), &out->name, err) != NRP_OK ||
        nrp_meta_string_at(m, cell(m, T, row, 7), &out->culture, err) != NRP_OK)
        return NRP_ERROR;
    return NRP_OK;
}

nrp_result nrp_meta_assembly_ref_name(const nrp_meta *m, uint32_t row, const char **name, nrp_err *err)
{
    enum { T = NRP_META_ASSEMBLYREF };
    if (row_ok(m, T, row, err))
        return NRP_ERROR;
    return nrp_meta_string_at(m, cell(m, T, row, 6), name, err);
}

nrp_result nrp_meta_type_ref_row(const nrp_meta *m, uint32_t row, nrp_meta_type_ref *out, nrp_err *err)
{
    enum { T = NRP_META_TYPEREF };
    if (row_ok(m, T, row, err))
        return NRP_ERROR;
    out->scope = nrp_meta_coded_token(RESOLUTION_SCOPE, cell(m, T, row, 0));
    if ((out->scope & 0x00FFFFFFu) == 0)
        out->scope = 0;
    return nrp_meta_string_at(m, cell(m, T, row, 1), &out->name, err) != NRP_OK ||
                   nrp_meta_string_at(m, cell(m, T, row, 2), &out->namespace_, err) != NRP_OK
               ? NRP_ERROR
               : NRP_OK;
}

nrp_result nrp_meta_type_def_row(const nrp_meta *m, uint32_t row, nrp_meta_type_def *out, nrp_err *err)
{
    enum { T = NRP_META_TYPEDEF };
    if (row_ok(m, T, row, err))
        return NRP_ERROR;
    out->flags = cell(m, T, row, 0);
    out->extends = nrp_meta_coded_token(TYPE_DEF_OR_REF, cell(m, T, row, 3));
    if ((out->extends & 0x00FFFFFFu) == 0)
        out->extends = 0;
    return nrp_meta_string_at(m, cell(m, T, row, 1), &out->name, err) != NRP_OK ||
                   nrp_meta_string_at(m, cell(m, T, row, 2), &out->namespace_, err) != NRP_OK
               ? NRP_ERROR
               : NRP_OK;
}

nrp_result nrp_meta_method_def_row(const nrp_meta *m, uint32_t row, nrp_meta_method_def *out, nrp_err *err)
{
    enum { T = NRP_META_METHODDEF };
    if (row_ok(m, T, row, err))
        return NRP_ERROR;
    out->rva = cell(m, T, row, 0);
    out->impl_flags = (uint16_t)cell(m, T, row, 1);
    out->flags = (uint16_t)cell(m, T, row, 2);
    return nrp_meta_string_at(m, cell(m, T, row, 3), &out->name, err) != NRP_OK ||
                   nrp_meta_blob_at(m, cell(m, T, row, 4), &out->signature, &out->signature_len, err) != NRP_OK
               ? NRP_ERROR
               : NRP_OK;
}

const char *nrp_meta_no_il_reason(uint16_t flags, uint16_t impl_flags, uint32_t rva)
{
    if (flags & NRP_META_METHOD_ABSTRACT)
        return "abstract";
    if (flags & 0x2000u) /* PinvokeImpl */
        return "P/Invoke";
    if (impl_flags & 0x1000u) /* InternalCall */
        return "implemented inside the runtime (InternalCall)";
    if ((impl_flags & 0x0003u) != 0) /* CodeTypeMask: 0 is IL */
        return "runtime-implemented or native code";
    if (rva == 0)
        return "no body";
    return NULL;
}

nrp_result nrp_meta_param_row(const nrp_meta *m, uint32_t row, nrp_meta_param *out, nrp_err *err)
{
    enum { T = NRP_META_PARAM };
    if (row_ok(m, T, row, err))
        return NRP_ERROR;
    out->flags = (uint16_t)cell(m, T, row, 0);
    out->sequence = (uint16_t)cell(m, T, row, 1);
    return nrp_meta_string_at(m, cell(m, T, row, 2), &out->name, err);
}

nrp_result nrp_meta_type_spec_row(const nrp_meta *m, uint32_t row, const uint8_t **sig, uint32_t *len, nrp_err *err)
{
    if (row_ok(m, NRP_META_TYPESPEC, row, err))
        return NRP_ERROR;
    return nrp_meta_blob_at(m, cell(m, NRP_META_TYPESPEC, row, 0), sig, len, err);
}

nrp_result nrp_meta_enclosing_type(const nrp_meta *m, uint32_t row, uint32_t *enclosing, nrp_err *err)
{
    enum { T = NRP_META_NESTEDCLASS };
    *enclosing = 0;
    if (row_ok(m, NRP_META_TYPEDEF, row, err))
        return NRP_ERROR;
    for (uint32_t i = 1; i <= m->rows[T]; i++)
        if (cell(m, T, i, 0) == row) {
            uint32_t outer = cell(m, T, i, 1);
            if (outer == row || row_ok(m, NRP_META_TYPEDEF, outer, err))
                return nrp_err_set(err, "type row %u is nested in no valid type (%u)", row, outer);
            *enclosing = outer;
            return NRP_OK;
        }
    return NRP_OK;
}

nrp_result nrp_meta_generic_param_count(const nrp_meta *m, uint32_t owner, uint32_t *count, nrp_err *err)
{
    enum { T = NRP_META_GENERICPARAM };
    uint32_t table = owner >> 24;
    *count = 0;
    if ((table != NRP_META_TYPEDEF && table != NRP_META_METHODDEF) || row_ok(m, table, owner & 0x00FFFFFFu, err))
        return nrp_err_set(err, "0x%08x is not a TypeDef or MethodDef token of the file", owner);
    for (uint32_t i = 1; i <= m->rows[T]; i++)
        if (nrp_meta_coded_token(TYPE_OR_METHOD_DEF, cell(m, T, i, 2)) == owner)
            (*count)++;
    return NRP_OK;
}

/* ---- methods of a type ---------------------------------------------------- */

/* A member list (a type's methods, a method's parameters) is the run of
 * `table` rows from the one the owner's column `col` names up to the one
 * the next owner's names; with a Ptr table (uncompressed #- streams) the
 * lists index it instead. */
static nrp_result member_list(const nrp_meta *m, unsigned owner, uint32_t row, unsigned col, unsigned ptr,
                              unsigned table, const char *what, uint32_t *first, uint32_t *end, nrp_err *err)
{
    uint32_t listed = m->rows[ptr] ? m->rows[ptr] : m->rows[table];
    *first = *end = 0;
    if (row_ok(m, owner, row, err))
        return NRP_ERROR;
    uint32_t from = cell(m, owner, row, col);
    uint32_t to = row < m->rows[owner] ? cell(m, owner, row + 1, col) : listed + 1;
    if (from == 0 || from > to || to > listed + 1)
        return nrp_err_set(err, "%s row %u has a bad %s list (%u..%u of %u)", owner == NRP_META_TYPEDEF ? "type" : "method",
                           row, what, from, to, listed);
    *first = from;
    *end = to;
    return NRP_OK;
}

/* Position `at` of a member list as a row of `table`. */
static nrp_result member_at(const nrp_meta *m, unsigned ptr, unsigned table, uint32_t at, uint32_t *row, nrp_err *err)
{
    if (m->rows[ptr]) {
        if (row_ok(m, ptr, at, err))
            return NRP_ERROR;
        at = cell(m, ptr, at, 0);
    }
    if (row_ok(m, table, at, err))
        return NRP_ERROR;
    *row = at;
    return NRP_OK;
}

nrp_result nrp_meta_methods_begin(const nrp_meta *m, uint32_t type_row, nrp_meta_method_iter *it, nrp_err *err)
{
    return member_list(m, NRP_META_TYPEDEF, type_row, 5, NRP_META_METHODPTR, NRP_META_METHODDEF, "method",
                       &it->next, &it->end, err);
}

int nrp_meta_methods_next(const nrp_meta *m, nrp_meta_method_iter *it, uint32_t *row, nrp_err *err)
{
    if (it->next >= it->end)
        return 0;
    return member_at(m, NRP_META_METHODPTR, NRP_META_METHODDEF, it->next++, row, err) == NRP_OK ? 1 : NRP_ERROR;
}

nrp_result nrp_meta_params_of(const nrp_meta *m, uint32_t method_row, uint32_t *first, uint32_t *end, nrp_err *err)
{
    return member_list(m, NRP_META_METHODDEF, method_row, 5, NRP_META_PARAMPTR, NRP_META_PARAM, "parameter", first,
                       end, err);
}

nrp_result nrp_meta_param_at(const nrp_meta *m, uint32_t at, uint32_t *row, nrp_err *err)
{
    return member_at(m, NRP_META_PARAMPTR, NRP_META_PARAM, at, row, err);
}
