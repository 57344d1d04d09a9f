/*
 * nrp/emit.h - writing the few IL instructions probes are made of, into a
 * byte buffer for il_insert_at_entry or il_wrap. Each returns the bytes
 * written; the caller sizes the buffer.
 */
#ifndef NRP_EMIT_H
#define NRP_EMIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "nrp/opcodes.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The most bytes one nrp_emit_* call writes (nrp_emit_pointer). */
#define NRP_EMIT_MAX 10

/* A growable IL buffer, for snippets of any length. Zero-initialise it;
 * free(data) when done. */
typedef struct nrp_emit_buf {
    uint8_t *data;
    size_t len, cap;
    int failed; /* out of memory once: nrp_emit_room gives NULL from then on */
} nrp_emit_buf;

/* Where the next instruction goes, with room for NRP_EMIT_MAX bytes; add
 * what the nrp_emit_* call returns to len:
 *     uint8_t *at = nrp_emit_room(&b);
 *     if (!at) return NRP_ERROR;
 *     b.len += nrp_emit_calli(at, token);
 * NULL when out of memory. */
static inline uint8_t *nrp_emit_room(nrp_emit_buf *b)
{
    if (b->failed)
        return NULL;
    if (b->len + NRP_EMIT_MAX > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        uint8_t *grown = (uint8_t *)realloc(b->data, cap);
        if (!grown) {
            b->failed = 1;
            return NULL;
        }
        b->data = grown;
        b->cap = cap;
    }
    return b->data + b->len;
}

static inline size_t nrp_emit_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
    return 4;
}

/* A 0xFE-prefixed instruction with a 2-byte argument or local index, the
 * long form of ldarg, ldloc, stloc, ldloca... (4 bytes). */
static inline size_t nrp_emit_var(uint8_t *p, uint16_t op, uint32_t index)
{
    p[0] = (uint8_t)(op >> 8);
    p[1] = (uint8_t)(op & 0xFF);
    p[2] = (uint8_t)index;
    p[3] = (uint8_t)(index >> 8);
    return 4;
}

/* Append the instruction `emit_call` writes at `nrp_at` to the buffer b
 * (a pointer): NRP_EMIT(&b, nrp_emit_ldloc(nrp_at, 0)). Out of memory, it
 * writes nothing and b->failed says so; check it once at the end. */
#define NRP_EMIT(b, emit_call)                                                                                     \
    do {                                                                                                           \
        uint8_t *nrp_at = nrp_emit_room(b);                                                                        \
        if (nrp_at)                                                                                                \
            (b)->len += (emit_call);                                                                               \
    } while (0)

/* ldc.i8 <address>; conv.i: a native pointer on the stack (10 bytes). */
static inline size_t nrp_emit_pointer(uint8_t *p, const void *address)
{
    uint64_t v = (uint64_t)(uintptr_t)address;
    p[0] = NRP_OP_LDC_I8;
    for (int i = 0; i < 8; i++)
        p[1 + i] = (uint8_t)(v >> (8 * i));
    p[9] = NRP_OP_CONV_I;
    return 10;
}

/* ldc.i4 <value> (5 bytes). */
static inline size_t nrp_emit_i4(uint8_t *p, int32_t value)
{
    p[0] = NRP_OP_LDC_I4;
    return 1 + nrp_emit_u32(p + 1, (uint32_t)value);
}

/* calli <standalone signature token> (5 bytes); the function pointer is on
 * top of the stack, its arguments below it. */
static inline size_t nrp_emit_calli(uint8_t *p, uint32_t sig_token)
{
    p[0] = NRP_OP_CALLI;
    return 1 + nrp_emit_u32(p + 1, sig_token);
}

/* ldloc <index> in its long form, valid for any index (4 bytes). */
static inline size_t nrp_emit_ldloc(uint8_t *p, uint32_t index)
{
    return nrp_emit_var(p, NRP_OP_LDLOC, index);
}

/* stloc <index> in its long form (4 bytes). */
static inline size_t nrp_emit_stloc(uint8_t *p, uint32_t index)
{
    return nrp_emit_var(p, NRP_OP_STLOC, index);
}

/* ldloca <index> in its long form (4 bytes). */
static inline size_t nrp_emit_ldloca(uint8_t *p, uint32_t index)
{
    return nrp_emit_var(p, NRP_OP_LDLOCA, index);
}

/* An opcode without operand (pop, dup, ldnull, rethrow...): 1 byte, or 2
 * for the 0xFE-prefixed ones. */
static inline size_t nrp_emit_op(uint8_t *p, uint16_t op)
{
    if (op > 0xFF) {
        p[0] = (uint8_t)(op >> 8);
        p[1] = (uint8_t)(op & 0xFF);
        return 2;
    }
    p[0] = (uint8_t)op;
    return 1;
}

/* A one-byte opcode with a 4-byte token operand (call, ldstr, box, ldobj,
 * newarr...): 5 bytes. */
static inline size_t nrp_emit_token(uint8_t *p, uint16_t op, uint32_t token)
{
    p[0] = (uint8_t)op;
    return 1 + nrp_emit_u32(p + 1, token);
}

/* A branch in its long form (br, brtrue, brfalse...: 5 bytes) to a place
 * not written yet. `here` is the buffer's length before the call; *label
 * keeps where the displacement goes, for nrp_emit_land. */
static inline size_t nrp_emit_branch(uint8_t *p, uint16_t op, size_t here, size_t *label)
{
    p[0] = (uint8_t)op;
    *label = here + 1;
    return 1 + nrp_emit_u32(p + 1, 0);
}

/* Make the branch of `label` go to the buffer's end, where the next
 * instruction goes (the end of the snippet, if none follows). */
static inline void nrp_emit_land(nrp_emit_buf *b, size_t label)
{
    if (!b->failed)
        (void)nrp_emit_u32(b->data + label, (uint32_t)(b->len - (label + 4)));
}

/* ldarg <index> in its long form, valid for any index (4 bytes). */
static inline size_t nrp_emit_ldarg(uint8_t *p, uint32_t index)
{
    return nrp_emit_var(p, NRP_OP_LDARG, index);
}

/* Largest value the compressed form holds. */
#define NRP_SIG_COMPRESSED_MAX 0x1FFFFFFFu

/* Signature blobs: a compressed unsigned integer (ECMA-335 II.23.2), 1 to 4
 * bytes; values above NRP_SIG_COMPRESSED_MAX cannot be written (returns 0). */
static inline size_t nrp_sig_put_compressed(uint8_t *p, uint32_t v)
{
    if (v < 0x80) {
        p[0] = (uint8_t)v;
        return 1;
    }
    if (v < 0x4000) {
        p[0] = (uint8_t)(0x80 | v >> 8);
        p[1] = (uint8_t)v;
        return 2;
    }
    if (v > NRP_SIG_COMPRESSED_MAX)
        return 0;
    p[0] = (uint8_t)(0xC0 | v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
    return 4;
}

/* A TypeDef, TypeRef or TypeSpec token as TypeDefOrRefOrSpecEncoded
 * (II.23.2.8), e.g. after ELEMENT_TYPE_CLASS. 0 for other tokens. */
static inline size_t nrp_sig_put_type_token(uint8_t *p, uint32_t token)
{
    uint32_t rid = token & 0x00FFFFFFu, tag;
    switch (token & 0xFF000000u) {
    case 0x02000000u: tag = 0; break;
    case 0x01000000u: tag = 1; break;
    case 0x1B000000u: tag = 2; break;
    default: return 0;
    }
    return nrp_sig_put_compressed(p, rid << 2 | tag);
}

#ifdef __cplusplus
}
#endif

#endif /* NRP_EMIT_H */
