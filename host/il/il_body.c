#include "il/il_body.h"

#include <stdlib.h>
#include <string.h>

#include "nrp/result.h"

/* Header and section flags (CorILMethodFlags, CorILMethodSect). */
enum {
    FORMAT_MASK = 0x3,
    TINY_FORMAT = 0x2,
    FAT_FORMAT = 0x3,
    MORE_SECTS = 0x8,
    INIT_LOCALS = 0x10,
    FAT_HEADER_DWORDS = 3,
    SECT_EH_TABLE = 0x01,
    SECT_KIND_MASK = 0x3F,
    SECT_FAT = 0x40,
    SECT_MORE = 0x80,
    SMALL_CLAUSE_SIZE = 12,
    FAT_CLAUSE_SIZE = 24,
    TINY_MAX_CODE = 64,
    TINY_MAX_STACK = 8,
    /* A fat section's size field has 24 bits. */
    MAX_FAT_CLAUSES = (0xFFFFFF - 4) / FAT_CLAUSE_SIZE
};

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static void wr16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static void wr32(uint8_t *p, uint32_t v)
{
    wr16(p, v);
    wr16(p + 2, v >> 16);
}
static size_t align4(size_t n) { return (n + 3) & ~(size_t)3; }

void nrp_il_body_free(nrp_il_body *body)
{
    free(body->code);
    free(body->clauses);
    memset(body, 0, sizeof *body);
}

static nrp_result check_clause(const nrp_il_clause *c, uint32_t code_size, uint32_t i, nrp_err *err)
{
    if ((uint64_t)c->try_offset + c->try_length > code_size ||
        (uint64_t)c->handler_offset + c->handler_length > code_size)
        return nrp_err_set(err, "exception clause %u lies outside the %u-byte code", i, code_size);
    if ((c->flags & NRP_EH_FILTER) && c->class_token_or_filter_offset >= code_size)
        return nrp_err_set(err, "exception clause %u has its filter outside the code", i);
    return NRP_OK;
}

/* Append the clauses of one EH section starting at p (data_size bytes,
 * header included). */
static nrp_result decode_eh_section(const uint8_t *p, uint32_t data_size, int fat, nrp_il_body *b,
                                    nrp_err *err)
{
    uint32_t clause_size = fat ? FAT_CLAUSE_SIZE : SMALL_CLAUSE_SIZE;
    if (data_size < 4 || (data_size - 4) % clause_size != 0)
        return nrp_err_set(err, "exception section size %u is not a whole number of clauses",
                           data_size);
    uint32_t n = (data_size - 4) / clause_size;
    nrp_il_clause *grown = realloc(b->clauses, (b->clause_count + n + 1) * sizeof *grown);
    if (!grown)
        return nrp_err_set(err, "out of memory decoding exception clauses");
    b->clauses = grown;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *q = p + 4 + i * clause_size;
        nrp_il_clause *c = &b->clauses[b->clause_count];
        if (fat) {
            c->flags = rd32(q);
            c->try_offset = rd32(q + 4);
            c->try_length = rd32(q + 8);
            c->handler_offset = rd32(q + 12);
            c->handler_length = rd32(q + 16);
            c->class_token_or_filter_offset = rd32(q + 20);
        } else {
            c->flags = rd16(q);
            c->try_offset = rd16(q + 2);
            c->try_length = q[4];
            c->handler_offset = rd16(q + 5);
            c->handler_length = q[7];
            c->class_token_or_filter_offset = rd32(q + 8);
        }
        if (check_clause(c, b->code_size, b->clause_count, err) != NRP_OK)
            return NRP_ERROR;
        b->clause_count++;
    }
    return NRP_OK;
}

static nrp_result decode_sections(const uint8_t *data, size_t size, size_t pos, nrp_il_body *b,
                                  nrp_err *err)
{
    for (;;) {
        pos = align4(pos);
        if (pos + 4 > size)
            return nrp_err_set(err, "method body ends inside an extra section header");
        uint8_t kind = data[pos];
        int fat = (kind & SECT_FAT) != 0;
        uint32_t data_size = fat ? (uint32_t)(data[pos + 1] | data[pos + 2] << 8 | data[pos + 3] << 16)
                                 : data[pos + 1];
        if ((kind & SECT_KIND_MASK) != SECT_EH_TABLE)
            return nrp_err_set(err, "unsupported extra section kind 0x%02x", kind & SECT_KIND_MASK);
        if (data_size > size - pos)
            return nrp_err_set(err, "exception section of %u bytes runs past the body", data_size);
        if (decode_eh_section(data + pos, data_size, fat, b, err) != NRP_OK)
            return NRP_ERROR;
        pos += data_size;
        if (!(kind & SECT_MORE))
            return NRP_OK;
    }
}

nrp_result nrp_il_decode(const uint8_t *data, size_t size, nrp_il_body *out, nrp_err *err)
{
    nrp_il_body b = {0};
    size_t code_pos;
    int more_sects = 0;

    memset(out, 0, sizeof *out);
    if (!data || size < 1)
        return nrp_err_set(err, "empty method body");
    if ((data[0] & FORMAT_MASK) == TINY_FORMAT) {
        b.max_stack = TINY_MAX_STACK;
        b.code_size = data[0] >> 2;
        code_pos = 1;
    } else if ((data[0] & FORMAT_MASK) == FAT_FORMAT) {
        if (size < FAT_HEADER_DWORDS * 4)
            return nrp_err_set(err, "fat header needs 12 bytes, body has %zu", size);
        uint16_t flags = rd16(data);
        if ((flags >> 12) < FAT_HEADER_DWORDS)
            return nrp_err_set(err, "fat header declares %u dwords, at least 3 expected", flags >> 12);
        code_pos = (size_t)(flags >> 12) * 4;
        b.max_stack = rd16(data + 2);
        b.code_size = rd32(data + 4);
        b.local_sig_token = rd32(data + 8);
        b.init_locals = (flags & INIT_LOCALS) != 0;
        more_sects = (flags & MORE_SECTS) != 0;
    } else {
        return nrp_err_set(err, "unknown method header format 0x%02x", data[0] & FORMAT_MASK);
    }
    if (code_pos > size || b.code_size > size - code_pos)
        return nrp_err_set(err, "code of %u bytes runs past the %zu-byte body", b.code_size, size);
    if (b.code_size == 0)
        return nrp_err_set(err, "method body has no code");
    b.code = malloc(b.code_size);
    if (!b.code)
        return nrp_err_set(err, "out of memory copying %u bytes of code", b.code_size);
    memcpy(b.code, data + code_pos, b.code_size);
    if (more_sects && decode_sections(data, size, code_pos + b.code_size, &b, err) != NRP_OK) {
        nrp_il_body_free(&b);
        return NRP_ERROR;
    }
    *out = b;
    return NRP_OK;
}

static int is_tiny(const nrp_il_body *b)
{
    return b->code_size < TINY_MAX_CODE && b->max_stack == TINY_MAX_STACK && b->local_sig_token == 0 &&
           b->clause_count == 0 && !b->init_locals;
}

static int clauses_fit_small(const nrp_il_body *b)
{
    if (4 + (size_t)b->clause_count * SMALL_CLAUSE_SIZE > 0xFF)
        return 0;
    for (uint32_t i = 0; i < b->clause_count; i++) {
        const nrp_il_clause *c = &b->clauses[i];
        if (c->try_offset > 0xFFFF || c->handler_offset > 0xFFFF || c->try_length > 0xFF ||
            c->handler_length > 0xFF || c->flags > 0xFFFF)
            return 0;
    }
    return 1;
}

static size_t eh_section_size(const nrp_il_body *b)
{
    if (b->clause_count == 0)
        return 0;
    return 4 + (size_t)b->clause_count * (clauses_fit_small(b) ? SMALL_CLAUSE_SIZE : FAT_CLAUSE_SIZE);
}

size_t nrp_il_encoded_size(const nrp_il_body *b)
{
    if (is_tiny(b))
        return 1 + (size_t)b->code_size;
    size_t n = FAT_HEADER_DWORDS * 4 + (size_t)b->code_size;
    if (b->clause_count)
        n = align4(n) + eh_section_size(b);
    return n;
}

static void encode_eh(const nrp_il_body *b, uint8_t *p)
{
    int small = clauses_fit_small(b);
    uint32_t data_size = (uint32_t)eh_section_size(b);
    p[0] = (uint8_t)(SECT_EH_TABLE | (small ? 0 : SECT_FAT));
    if (small) {
        p[1] = (uint8_t)data_size;
        p[2] = p[3] = 0;
    } else {
        p[1] = (uint8_t)data_size;
        p[2] = (uint8_t)(data_size >> 8);
        p[3] = (uint8_t)(data_size >> 16);
    }
    p += 4;
    for (uint32_t i = 0; i < b->clause_count; i++) {
        const nrp_il_clause *c = &b->clauses[i];
        if (small) {
            wr16(p, c->flags);
            wr16(p + 2, c->try_offset);
            p[4] = (uint8_t)c->try_length;
            wr16(p + 5, c->handler_offset);
            p[7] = (uint8_t)c->handler_length;
            wr32(p + 8, c->class_token_or_filter_offset);
            p += SMALL_CLAUSE_SIZE;
        } else {
            wr32(p, c->flags);
            wr32(p + 4, c->try_offset);
            wr32(p + 8, c->try_length);
            wr32(p + 12, c->handler_offset);
            wr32(p + 16, c->handler_length);
            wr32(p + 20, c->class_token_or_filter_offset);
            p += FAT_CLAUSE_SIZE;
        }
    }
}

size_t nrp_il_encode(const nrp_il_body *b, uint8_t *out, size_t cap, nrp_err *err)
{
    size_t need = nrp_il_encoded_size(b);
    if (b->code_size == 0) {
        nrp_err_set(err, "cannot encode a body without code");
        return 0;
    }
    if (b->max_stack > 0xFFFF) {
        nrp_err_set(err, "max stack %u does not fit the fat header", b->max_stack);
        return 0;
    }
    if (b->clause_count > MAX_FAT_CLAUSES) {
        nrp_err_set(err, "%u exception clauses exceed the %u one section can hold", b->clause_count,
                    (unsigned)MAX_FAT_CLAUSES);
        return 0;
    }
    if (cap < need) {
        nrp_err_set(err, "encoding needs %zu bytes, buffer has %zu", need, cap);
        return 0;
    }
    memset(out, 0, need);
    if (is_tiny(b)) {
        out[0] = (uint8_t)(b->code_size << 2 | TINY_FORMAT);
        memcpy(out + 1, b->code, b->code_size);
        return need;
    }
    uint32_t flags = FAT_FORMAT | (b->init_locals ? INIT_LOCALS : 0) | (b->clause_count ? MORE_SECTS : 0);
    wr16(out, flags | FAT_HEADER_DWORDS << 12);
    wr16(out + 2, b->max_stack);
    wr32(out + 4, b->code_size);
    wr32(out + 8, b->local_sig_token);
    memcpy(out + FAT_HEADER_DWORDS * 4, b->code, b->code_size);
    if (b->clause_count)
        encode_eh(b, out + align4(FAT_HEADER_DWORDS * 4 + (size_t)b->code_size));
    return need;
}

nrp_result nrp_il_insert_at_entry(nrp_il_body *b, const uint8_t *il, uint32_t len, uint32_t stack,
                                  nrp_err *err)
{
    if (len == 0)
        return NRP_OK;
    if ((uint64_t)b->code_size + len > 0x7FFFFFFF)
        return nrp_err_set(err, "inserting %u bytes makes the code too large", len);
    uint8_t *code = malloc((size_t)b->code_size + len);
    if (!code)
        return nrp_err_set(err, "out of memory inserting %u bytes of IL", len);
    memcpy(code, il, len);
    memcpy(code + len, b->code, b->code_size);
    free(b->code);
    b->code = code;
    b->code_size += len;
    for (uint32_t i = 0; i < b->clause_count; i++) {
        nrp_il_clause *c = &b->clauses[i];
        c->try_offset += len;
        c->handler_offset += len;
        if (c->flags & NRP_EH_FILTER)
            c->class_token_or_filter_offset += len;
    }
    if (stack > b->max_stack)
        b->max_stack = stack;
    return NRP_OK;
}
