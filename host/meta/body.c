/*
 * body.c - what reading a method's code offline needs beyond the rows of
 * rows.c: the MemberRef, MethodSpec and StandAloneSig rows a call site or a
 * local signature names, and the bytes of a method body at its RVA, whose
 * extent only its own header says (ECMA-335 II.25.4).
 */
#include "meta/meta_internal.h"
#include "nrp/result.h"

/* ---- rows a method body refers to ---------------------------------------- */

nrp_result nrp_meta_member_ref_row(const nrp_meta *m, uint32_t row, nrp_meta_member_ref *out, nrp_err *err)
{
    enum { T = NRP_META_MEMBERREF };
    if (row_ok(m, T, row, err))
        return NRP_ERROR;
    out->class_ = nrp_meta_coded_token(MEMBER_REF_PARENT, cell(m, T, row, 0));
    if ((out->class_ & 0x00FFFFFFu) == 0)
        out->class_ = 0;
    return nrp_meta_string_at(m, cell(m, T, row, 1), &out->name, err) != NRP_OK ||
                   nrp_meta_blob_at(m, cell(m, T, row, 2), &out->signature, &out->signature_len, err) != NRP_OK
               ? NRP_ERROR
               : NRP_OK;
}

nrp_result nrp_meta_method_spec_row(const nrp_meta *m, uint32_t row, nrp_meta_method_spec *out, nrp_err *err)
{
    enum { T = NRP_META_METHODSPEC };
    if (row_ok(m, T, row, err))
        return NRP_ERROR;
    /* A coded index with a tag no table uses, or row 0, names nothing:
     * refused here, so that callers never follow it. */
    out->method = nrp_meta_coded_token(METHOD_DEF_OR_REF, cell(m, T, row, 0));
    if ((out->method & 0x00FFFFFFu) == 0)
        return nrp_err_set(err, "method spec row %u names no method", row);
    return nrp_meta_blob_at(m, cell(m, T, row, 1), &out->instantiation, &out->instantiation_len, err);
}

nrp_result nrp_meta_standalone_sig_row(const nrp_meta *m, uint32_t row, const uint8_t **sig, uint32_t *len,
                                       nrp_err *err)
{
    if (row_ok(m, NRP_META_STANDALONESIG, row, err))
        return NRP_ERROR;
    return nrp_meta_blob_at(m, cell(m, NRP_META_STANDALONESIG, row, 0), sig, len, err);
}

/* ---- method bodies (II.25.4) ---------------------------------------------- */

/* Header and section flags (CorILMethodFlags, CorILMethodSect), as
 * il/il_body.c reads them: the extent found here is what it will decode. */
enum {
    FORMAT_MASK = 0x3,
    TINY_FORMAT = 0x2,
    FAT_FORMAT = 0x3,
    MORE_SECTS = 0x8,
    FAT_HEADER_BYTES = 12,
    SECT_FAT = 0x40,
    SECT_MORE = 0x80
};

/* The n bytes at rva, which must lie in one section of the file: in place
 * for a whole reader, read (and kept until close) by a sparse one. */
static nrp_result bytes_at(const nrp_meta *m, uint32_t rva, uint64_t n, const uint8_t **out, nrp_err *err)
{
    uint64_t at;
    if (n > UINT32_MAX || (uint64_t)rva + n > UINT32_MAX)
        return nrp_err_set(err, "method body at RVA 0x%x: %llu bytes run past the image", rva,
                           (unsigned long long)n);
    if (nrp_meta_rva_at(m, rva, (uint32_t)n, &at, err) != NRP_OK)
        return NRP_ERROR;
    *out = nrp_meta_range_bytes(m, at, (uint32_t)n, 0, (uint32_t)n);
    if (!*out)
        return nrp_err_set(err, "cannot read the method body at RVA 0x%x (%llu bytes)", rva, (unsigned long long)n);
    return NRP_OK;
}

nrp_result nrp_meta_method_body(const nrp_meta *m, uint32_t rva, const uint8_t **body, size_t *len, nrp_err *err)
{
    const uint8_t *p;
    uint64_t size;
    *body = NULL;
    *len = 0;
    if (rva == 0)
        return nrp_err_set(err, "the method has no body (RVA 0)");
    if (bytes_at(m, rva, 1, &p, err) != NRP_OK)
        return NRP_ERROR;
    if ((p[0] & FORMAT_MASK) == TINY_FORMAT) {
        size = 1 + (uint64_t)(p[0] >> 2);
    } else if ((p[0] & FORMAT_MASK) == FAT_FORMAT) {
        if (bytes_at(m, rva, FAT_HEADER_BYTES, &p, err) != NRP_OK)
            return NRP_ERROR;
        uint16_t flags = u16_at(p);
        uint64_t header = (uint64_t)(flags >> 12) * 4;
        if (header < FAT_HEADER_BYTES)
            return nrp_err_set(err, "method body at RVA 0x%x: fat header of %llu bytes, at least 12 expected", rva,
                               (unsigned long long)header);
        size = header + u32_at(p + 4);
        /* Exception sections follow the code, each 4-aligned from the
         * body's start (the RVA is 4-aligned for a fat header), until one
         * without the "more" bit. Each takes at least its 4-byte header
         * and bytes_at bounds every step by the section, so this ends. */
        int more = (flags & MORE_SECTS) != 0;
        while (more) {
            size = (size + 3) & ~(uint64_t)3;
            if (bytes_at(m, rva, size + 4, &p, err) != NRP_OK)
                return NRP_ERROR;
            const uint8_t *s = p + size;
            uint32_t data_size = (s[0] & SECT_FAT) ? (uint32_t)(s[1] | s[2] << 8 | s[3] << 16) : s[1];
            if (data_size < 4)
                return nrp_err_set(err, "method body at RVA 0x%x: extra section of %u bytes at +0x%llx", rva,
                                   data_size, (unsigned long long)size);
            size += data_size;
            more = (s[0] & SECT_MORE) != 0;
        }
    } else {
        return nrp_err_set(err, "method body at RVA 0x%x: unknown header format 0x%x", rva, p[0] & FORMAT_MASK);
    }
    if (bytes_at(m, rva, size, body, err) != NRP_OK)
        return NRP_ERROR;
    *len = (size_t)size;
    return NRP_OK;
}
