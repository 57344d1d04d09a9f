/*
 * nrp/il.h - CIL encoding constants plugins use to build injected code:
 * the opcode table (nrp/opcodes.h, ECMA-335 Partition III) and signature
 * element types and calling conventions (Partition II 23.1.16, 23.2).
 */
#ifndef NRP_IL_H
#define NRP_IL_H

#include "nrp/opcodes.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Calling conventions (first byte of a standalone method signature). */
enum nrp_sig_callconv {
    NRP_CALLCONV_DEFAULT = 0x00,
    NRP_CALLCONV_C = 0x01,        /* unmanaged cdecl: reaches native code by calli */
    NRP_CALLCONV_GENERIC = 0x10,
    NRP_CALLCONV_HASTHIS = 0x20,
    NRP_CALLCONV_EXPLICITTHIS = 0x40,
    NRP_CALLCONV_VARARG = 0x05,   /* the last kind of a method signature in ECMA-335 */
    NRP_CALLCONV_LOCAL_SIG = 0x07,
    /* unmanaged, the convention given by modopt(CallConv*) modifiers
     * (the runtime's extension to ECMA-335) */
    NRP_CALLCONV_UNMANAGED = 0x09,
    NRP_CALLCONV_KIND_MASK = 0x0F /* the kind, without GENERIC, HASTHIS, EXPLICITTHIS */
};

/* Element types used in signatures. */
enum nrp_element_type {
    NRP_ELEMENT_VOID = 0x01,
    NRP_ELEMENT_BOOLEAN = 0x02,
    NRP_ELEMENT_CHAR = 0x03,
    NRP_ELEMENT_I1 = 0x04,
    NRP_ELEMENT_U1 = 0x05,
    NRP_ELEMENT_I2 = 0x06,
    NRP_ELEMENT_U2 = 0x07,
    NRP_ELEMENT_I4 = 0x08,
    NRP_ELEMENT_U4 = 0x09,
    NRP_ELEMENT_I8 = 0x0A,
    NRP_ELEMENT_U8 = 0x0B,
    NRP_ELEMENT_R4 = 0x0C,
    NRP_ELEMENT_R8 = 0x0D,
    NRP_ELEMENT_STRING = 0x0E,
    NRP_ELEMENT_PTR = 0x0F,
    NRP_ELEMENT_BYREF = 0x10,
    NRP_ELEMENT_VALUETYPE = 0x11,
    NRP_ELEMENT_CLASS = 0x12,
    NRP_ELEMENT_VAR = 0x13,
    NRP_ELEMENT_ARRAY = 0x14,
    NRP_ELEMENT_GENERICINST = 0x15,
    NRP_ELEMENT_TYPEDBYREF = 0x16,
    NRP_ELEMENT_I = 0x18,
    NRP_ELEMENT_U = 0x19,
    NRP_ELEMENT_FNPTR = 0x1B,
    NRP_ELEMENT_OBJECT = 0x1C,
    NRP_ELEMENT_SZARRAY = 0x1D,
    NRP_ELEMENT_MVAR = 0x1E,
    NRP_ELEMENT_CMOD_REQD = 0x1F,
    NRP_ELEMENT_CMOD_OPT = 0x20,
    NRP_ELEMENT_SENTINEL = 0x41,
    NRP_ELEMENT_PINNED = 0x45
};

#ifdef __cplusplus
}
#endif

#endif /* NRP_IL_H */
