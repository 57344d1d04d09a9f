/*
 * relations.c - what points at a row: the interfaces a type implements,
 * the custom attributes a type or method carries, the type that declares
 * a method. These tables are keyed by the row they point at and, in every
 * compressed (#~) file, sorted by that key (the header's Sorted mask says
 * so), so a lookup is a binary search; a file that does not say so is
 * scanned whole.
 */
#include <string.h>

#include "meta/meta_internal.h"
#include "nrp/result.h"

void nrp_meta_key_range(const nrp_meta *m, unsigned table, unsigned col, uint32_t key, uint32_t *lo, uint32_t *hi)
{
    uint32_t n = m->rows[table];
    *lo = 1;
    *hi = n + 1;
    if (!(m->sorted >> table & 1))
        return;
    uint32_t a = 1, b = n + 1; /* first row whose key is >= key */
    while (a < b) {
        uint32_t mid = a + (b - a) / 2;
        if (cell(m, table, mid, col) < key)
            a = mid + 1;
        else
            b = mid;
    }
    *lo = a;
    b = n + 1; /* first row whose key is > key */
    while (a < b) {
        uint32_t mid = a + (b - a) / 2;
        if (cell(m, table, mid, col) <= key)
            a = mid + 1;
        else
            b = mid;
    }
    *hi = a;
}

nrp_result nrp_meta_interfaces(const nrp_meta *m, uint32_t type_row, uint32_t *out, size_t cap, size_t *count,
                               nrp_err *err)
{
    enum { T = NRP_META_INTERFACEIMPL };
    uint32_t lo, hi;
    *count = 0;
    if (row_ok(m, NRP_META_TYPEDEF, type_row, err))
        return NRP_ERROR;
    nrp_meta_key_range(m, T, 0, type_row, &lo, &hi);
    for (uint32_t r = lo; r < hi; r++) {
        if (cell(m, T, r, 0) != type_row)
            continue;
        uint32_t iface = nrp_meta_coded_token(TYPE_DEF_OR_REF, cell(m, T, r, 1));
        if (!(iface & 0x00FFFFFFu))
            return nrp_err_set(err, "interface row %u of type row %u names no type", r, type_row);
        if (*count < cap)
            out[*count] = iface;
        (*count)++;
    }
    return NRP_OK;
}

nrp_result nrp_meta_method_owner(const nrp_meta *m, uint32_t method_row, uint32_t *type_row, nrp_err *err)
{
    enum { T = NRP_META_TYPEDEF };
    uint32_t pos = method_row;
    *type_row = 0;
    if (row_ok(m, NRP_META_METHODDEF, method_row, err))
        return NRP_ERROR;
    if (m->rows[NRP_META_METHODPTR]) { /* the lists index MethodPtr: find the method's place in it */
        pos = 0;
        for (uint32_t i = 1; i <= m->rows[NRP_META_METHODPTR] && !pos; i++)
            if (cell(m, NRP_META_METHODPTR, i, 0) == method_row)
                pos = i;
    }
    /* Method lists start in ascending order; an empty list starts where
     * the next one does, so the owner is the last type starting at or
     * before the method. */
    uint32_t a = 1, b = m->rows[T] + 1;
    while (a < b) {
        uint32_t mid = a + (b - a) / 2;
        if (cell(m, T, mid, 5) <= pos)
            a = mid + 1;
        else
            b = mid;
    }
    if (!pos || a == 1)
        return nrp_err_set(err, "method row %u is in no type's method list", method_row);
    *type_row = a - 1;
    return NRP_OK;
}

/* The full name of the type whose constructor a CustomAttribute row calls. */
static int attribute_type_name(const nrp_meta *m, uint32_t ctor, nrp_strbuf *name, nrp_err *err)
{
    uint32_t type;
    if (ctor >> 24 == NRP_META_METHODDEF) {
        uint32_t row;
        if (nrp_meta_method_owner(m, ctor & 0x00FFFFFFu, &row, err) != NRP_OK)
            return NRP_ERROR;
        type = (uint32_t)NRP_META_TYPEDEF << 24 | row;
    } else {
        if (row_ok(m, NRP_META_MEMBERREF, ctor & 0x00FFFFFFu, err))
            return NRP_ERROR;
        type = nrp_meta_coded_token(MEMBER_REF_PARENT, cell(m, NRP_META_MEMBERREF, ctor & 0x00FFFFFFu, 0));
        unsigned table = type >> 24;
        if (!(type & 0x00FFFFFFu) ||
            (table != NRP_META_TYPEDEF && table != NRP_META_TYPEREF && table != NRP_META_TYPESPEC))
            return nrp_err_set(err, "attribute constructor 0x%08x belongs to no type", ctor);
    }
    return nrp_meta_type_name(m, type, name, err);
}

int nrp_meta_has_attribute(const nrp_meta *m, uint32_t owner, const char *attribute)
{
    enum { T = NRP_META_CUSTOMATTRIBUTE };
    uint32_t key = nrp_meta_coded_value(HAS_CUSTOM_ATTRIBUTE, owner), lo, hi;
    int found = 0, unreadable = 0;
    if (key == UINT32_MAX)
        return -1;
    nrp_meta_key_range(m, T, 0, key, &lo, &hi);
    for (uint32_t r = lo; r < hi && !found; r++) {
        if (cell(m, T, r, 0) != key)
            continue;
        nrp_strbuf name;
        nrp_err err;
        nrp_strbuf_init(&name);
        uint32_t ctor = nrp_meta_coded_token(CUSTOM_ATTRIBUTE_TYPE, cell(m, T, r, 1));
        if (!(ctor & 0x00FFFFFFu) || attribute_type_name(m, ctor, &name, &err) != NRP_OK || !name.data)
            unreadable = 1;
        else if (strcmp(name.data, attribute) == 0)
            found = 1;
        nrp_strbuf_free(&name);
    }
    return found ? 1 : unreadable ? -1 : 0;
}
