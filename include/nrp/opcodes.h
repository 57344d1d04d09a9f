/*
 * nrp/opcodes.h - the one table of CIL opcodes (ECMA-335 Partition III).
 *
 * X(ID, name, value, operand, pops, pushes, flow)
 *   value    the encoding: one-byte opcodes as 0x00..0xE0, two-byte ones as
 *            0xFE00 | second byte (so NRP_OP_CEQ == 0xFE01)
 *   operand  NRP_OPERAND_* (what follows the opcode in the byte stream)
 *   pops     evaluation-stack slots taken, NRP_IL_VAR when the signature of
 *            the operand or of the method decides (call, ret, ...)
 *   pushes   slots pushed, NRP_IL_VAR likewise
 *   flow     NRP_FLOW_* (how control leaves the instruction)
 *
 * The IL engine's decoder, encoder and stack analysis all read this table;
 * plugins may use the NRP_OP_* names to write IL.
 */
#ifndef NRP_OPCODES_H
#define NRP_OPCODES_H

#define NRP_IL_VAR (-1)

enum nrp_il_operand {
    NRP_OPERAND_NONE,
    NRP_OPERAND_SHORT_VAR, /* u8 argument or local index */
    NRP_OPERAND_VAR,       /* u16 argument or local index */
    NRP_OPERAND_SHORT_I,   /* i8 (u8 for unaligned. and no.) */
    NRP_OPERAND_I,         /* i32 */
    NRP_OPERAND_I8,        /* i64 */
    NRP_OPERAND_SHORT_R,   /* float32 */
    NRP_OPERAND_R,         /* float64 */
    NRP_OPERAND_SHORT_BR,  /* i8 branch displacement */
    NRP_OPERAND_BR,        /* i32 branch displacement */
    NRP_OPERAND_METHOD,    /* MethodDef, MemberRef or MethodSpec token */
    NRP_OPERAND_FIELD,     /* FieldDef or MemberRef token */
    NRP_OPERAND_TYPE,      /* TypeDef, TypeRef or TypeSpec token */
    NRP_OPERAND_TOK,       /* any of the above (ldtoken) */
    NRP_OPERAND_STRING,    /* user-string token */
    NRP_OPERAND_SIG,       /* StandAloneSig token (calli) */
    NRP_OPERAND_SWITCH     /* u32 count, then count i32 displacements */
};

enum nrp_il_flow {
    NRP_FLOW_NEXT,         /* falls through (calls included) */
    NRP_FLOW_BRANCH,       /* unconditional branch */
    NRP_FLOW_COND,         /* conditional branch or switch: target(s) and fall-through */
    NRP_FLOW_LEAVE,        /* leave: branch that empties the stack */
    NRP_FLOW_RETURN,       /* ret, jmp */
    NRP_FLOW_THROW,        /* throw, rethrow */
    NRP_FLOW_ENDHANDLER,   /* endfinally, endfilter */
    NRP_FLOW_PREFIX        /* applies to the next instruction */
};

#define NRP_IL_OPCODES(X) \
    X(NOP, "nop", 0x00, NONE, 0, 0, NEXT) \
    X(BREAK, "break", 0x01, NONE, 0, 0, NEXT) \
    X(LDARG_0, "ldarg.0", 0x02, NONE, 0, 1, NEXT) \
    X(LDARG_1, "ldarg.1", 0x03, NONE, 0, 1, NEXT) \
    X(LDARG_2, "ldarg.2", 0x04, NONE, 0, 1, NEXT) \
    X(LDARG_3, "ldarg.3", 0x05, NONE, 0, 1, NEXT) \
    X(LDLOC_0, "ldloc.0", 0x06, NONE, 0, 1, NEXT) \
    X(LDLOC_1, "ldloc.1", 0x07, NONE, 0, 1, NEXT) \
    X(LDLOC_2, "ldloc.2", 0x08, NONE, 0, 1, NEXT) \
    X(LDLOC_3, "ldloc.3", 0x09, NONE, 0, 1, NEXT) \
    X(STLOC_0, "stloc.0", 0x0A, NONE, 1, 0, NEXT) \
    X(STLOC_1, "stloc.1", 0x0B, NONE, 1, 0, NEXT) \
    X(STLOC_2, "stloc.2", 0x0C, NONE, 1, 0, NEXT) \
    X(STLOC_3, "stloc.3", 0x0D, NONE, 1, 0, NEXT) \
    X(LDARG_S, "ldarg.s", 0x0E, SHORT_VAR, 0, 1, NEXT) \
    X(LDARGA_S, "ldarga.s", 0x0F, SHORT_VAR, 0, 1, NEXT) \
    X(STARG_S, "starg.s", 0x10, SHORT_VAR, 1, 0, NEXT) \
    X(LDLOC_S, "ldloc.s", 0x11, SHORT_VAR, 0, 1, NEXT) \
    X(LDLOCA_S, "ldloca.s", 0x12, SHORT_VAR, 0, 1, NEXT) \
    X(STLOC_S, "stloc.s", 0x13, SHORT_VAR, 1, 0, NEXT) \
    X(LDNULL, "ldnull", 0x14, NONE, 0, 1, NEXT) \
    X(LDC_I4_M1, "ldc.i4.m1", 0x15, NONE, 0, 1, NEXT) \
    X(LDC_I4_0, "ldc.i4.0", 0x16, NONE, 0, 1, NEXT) \
    X(LDC_I4_1, "ldc.i4.1", 0x17, NONE, 0, 1, NEXT) \
    X(LDC_I4_2, "ldc.i4.2", 0x18, NONE, 0, 1, NEXT) \
    X(LDC_I4_3, "ldc.i4.3", 0x19, NONE, 0, 1, NEXT) \
    X(LDC_I4_4, "ldc.i4.4", 0x1A, NONE, 0, 1, NEXT) \
    X(LDC_I4_5, "ldc.i4.5", 0x1B, NONE, 0, 1, NEXT) \
    X(LDC_I4_6, "ldc.i4.6", 0x1C, NONE, 0, 1, NEXT) \
    X(LDC_I4_7, "ldc.i4.7", 0x1D, NONE, 0, 1, NEXT) \
    X(LDC_I4_8, "ldc.i4.8", 0x1E, NONE, 0, 1, NEXT) \
    X(LDC_I4_S, "ldc.i4.s", 0x1F, SHORT_I, 0, 1, NEXT) \
    X(LDC_I4, "ldc.i4", 0x20, I, 0, 1, NEXT) \
    X(LDC_I8, "ldc.i8", 0x21, I8, 0, 1, NEXT) \
    X(LDC_R4, "ldc.r4", 0x22, SHORT_R, 0, 1, NEXT) \
    X(LDC_R8, "ldc.r8", 0x23, R, 0, 1, NEXT) \
    X(DUP, "dup", 0x25, NONE, 1, 2, NEXT) \
    X(POP, "pop", 0x26, NONE, 1, 0, NEXT) \
    X(JMP, "jmp", 0x27, METHOD, 0, 0, RETURN) \
    X(CALL, "call", 0x28, METHOD, NRP_IL_VAR, NRP_IL_VAR, NEXT) \
    X(CALLI, "calli", 0x29, SIG, NRP_IL_VAR, NRP_IL_VAR, NEXT) \
    X(RET, "ret", 0x2A, NONE, NRP_IL_VAR, 0, RETURN) \
    X(BR_S, "br.s", 0x2B, SHORT_BR, 0, 0, BRANCH) \
    X(BRFALSE_S, "brfalse.s", 0x2C, SHORT_BR, 1, 0, COND) \
    X(BRTRUE_S, "brtrue.s", 0x2D, SHORT_BR, 1, 0, COND) \
    X(BEQ_S, "beq.s", 0x2E, SHORT_BR, 2, 0, COND) \
    X(BGE_S, "bge.s", 0x2F, SHORT_BR, 2, 0, COND) \
    X(BGT_S, "bgt.s", 0x30, SHORT_BR, 2, 0, COND) \
    X(BLE_S, "ble.s", 0x31, SHORT_BR, 2, 0, COND) \
    X(BLT_S, "blt.s", 0x32, SHORT_BR, 2, 0, COND) \
    X(BNE_UN_S, "bne.un.s", 0x33, SHORT_BR, 2, 0, COND) \
    X(BGE_UN_S, "bge.un.s", 0x34, SHORT_BR, 2, 0, COND) \
    X(BGT_UN_S, "bgt.un.s", 0x35, SHORT_BR, 2, 0, COND) \
    X(BLE_UN_S, "ble.un.s", 0x36, SHORT_BR, 2, 0, COND) \
    X(BLT_UN_S, "blt.un.s", 0x37, SHORT_BR, 2, 0, COND) \
    X(BR, "br", 0x38, BR, 0, 0, BRANCH) \
    X(BRFALSE, "brfalse", 0x39, BR, 1, 0, COND) \
    X(BRTRUE, "brtrue", 0x3A, BR, 1, 0, COND) \
    X(BEQ, "beq", 0x3B, BR, 2, 0, COND) \
    X(BGE, "bge", 0x3C, BR, 2, 0, COND) \
    X(BGT, "bgt", 0x3D, BR, 2, 0, COND) \
    X(BLE, "ble", 0x3E, BR, 2, 0, COND) \
    X(BLT, "blt", 0x3F, BR, 2, 0, COND) \
    X(BNE_UN, "bne.un", 0x40, BR, 2, 0, COND) \
    X(BGE_UN, "bge.un", 0x41, BR, 2, 0, COND) \
    X(BGT_UN, "bgt.un", 0x42, BR, 2, 0, COND) \
    X(BLE_UN, "ble.un", 0x43, BR, 2, 0, COND) \
    X(BLT_UN, "blt.un", 0x44, BR, 2, 0, COND) \
    X(SWITCH, "switch", 0x45, SWITCH, 1, 0, COND) \
    X(LDIND_I1, "ldind.i1", 0x46, NONE, 1, 1, NEXT) \
    X(LDIND_U1, "ldind.u1", 0x47, NONE, 1, 1, NEXT) \
    X(LDIND_I2, "ldind.i2", 0x48, NONE, 1, 1, NEXT) \
    X(LDIND_U2, "ldind.u2", 0x49, NONE, 1, 1, NEXT) \
    X(LDIND_I4, "ldind.i4", 0x4A, NONE, 1, 1, NEXT) \
    X(LDIND_U4, "ldind.u4", 0x4B, NONE, 1, 1, NEXT) \
    X(LDIND_I8, "ldind.i8", 0x4C, NONE, 1, 1, NEXT) \
    X(LDIND_I, "ldind.i", 0x4D, NONE, 1, 1, NEXT) \
    X(LDIND_R4, "ldind.r4", 0x4E, NONE, 1, 1, NEXT) \
    X(LDIND_R8, "ldind.r8", 0x4F, NONE, 1, 1, NEXT) \
    X(LDIND_REF, "ldind.ref", 0x50, NONE, 1, 1, NEXT) \
    X(STIND_REF, "stind.ref", 0x51, NONE, 2, 0, NEXT) \
    X(STIND_I1, "stind.i1", 0x52, NONE, 2, 0, NEXT) \
    X(STIND_I2, "stind.i2", 0x53, NONE, 2, 0, NEXT) \
    X(STIND_I4, "stind.i4", 0x54, NONE, 2, 0, NEXT) \
    X(STIND_I8, "stind.i8", 0x55, NONE, 2, 0, NEXT) \
    X(STIND_R4, "stind.r4", 0x56, NONE, 2, 0, NEXT) \
    X(STIND_R8, "stind.r8", 0x57, NONE, 2, 0, NEXT) \
    X(ADD, "add", 0x58, NONE, 2, 1, NEXT) \
    X(SUB, "sub", 0x59, NONE, 2, 1, NEXT) \
    X(MUL, "mul", 0x5A, NONE, 2, 1, NEXT) \
    X(DIV, "div", 0x5B, NONE, 2, 1, NEXT) \
    X(DIV_UN, "div.un", 0x5C, NONE, 2, 1, NEXT) \
    X(REM, "rem", 0x5D, NONE, 2, 1, NEXT) \
    X(REM_UN, "rem.un", 0x5E, NONE, 2, 1, NEXT) \
    X(AND, "and", 0x5F, NONE, 2, 1, NEXT) \
    X(OR, "or", 0x60, NONE, 2, 1, NEXT) \
    X(XOR, "xor", 0x61, NONE, 2, 1, NEXT) \
    X(SHL, "shl", 0x62, NONE, 2, 1, NEXT) \
    X(SHR, "shr", 0x63, NONE, 2, 1, NEXT) \
    X(SHR_UN, "shr.un", 0x64, NONE, 2, 1, NEXT) \
    X(NEG, "neg", 0x65, NONE, 1, 1, NEXT) \
    X(NOT, "not", 0x66, NONE, 1, 1, NEXT) \
    X(CONV_I1, "conv.i1", 0x67, NONE, 1, 1, NEXT) \
    X(CONV_I2, "conv.i2", 0x68, NONE, 1, 1, NEXT) \
    X(CONV_I4, "conv.i4", 0x69, NONE, 1, 1, NEXT) \
    X(CONV_I8, "conv.i8", 0x6A, NONE, 1, 1, NEXT) \
    X(CONV_R4, "conv.r4", 0x6B, NONE, 1, 1, NEXT) \
    X(CONV_R8, "conv.r8", 0x6C, NONE, 1, 1, NEXT) \
    X(CONV_U4, "conv.u4", 0x6D, NONE, 1, 1, NEXT) \
    X(CONV_U8, "conv.u8", 0x6E, NONE, 1, 1, NEXT) \
    X(CALLVIRT, "callvirt", 0x6F, METHOD, NRP_IL_VAR, NRP_IL_VAR, NEXT) \
    X(CPOBJ, "cpobj", 0x70, TYPE, 2, 0, NEXT) \
    X(LDOBJ, "ldobj", 0x71, TYPE, 1, 1, NEXT) \
    X(LDSTR, "ldstr", 0x72, STRING, 0, 1, NEXT) \
    X(NEWOBJ, "newobj", 0x73, METHOD, NRP_IL_VAR, 1, NEXT) \
    X(CASTCLASS, "castclass", 0x74, TYPE, 1, 1, NEXT) \
    X(ISINST, "isinst", 0x75, TYPE, 1, 1, NEXT) \
    X(CONV_R_UN, "conv.r.un", 0x76, NONE, 1, 1, NEXT) \
    X(UNBOX, "unbox", 0x79, TYPE, 1, 1, NEXT) \
    X(THROW, "throw", 0x7A, NONE, 1, 0, THROW) \
    X(LDFLD, "ldfld", 0x7B, FIELD, 1, 1, NEXT) \
    X(LDFLDA, "ldflda", 0x7C, FIELD, 1, 1, NEXT) \
    X(STFLD, "stfld", 0x7D, FIELD, 2, 0, NEXT) \
    X(LDSFLD, "ldsfld", 0x7E, FIELD, 0, 1, NEXT) \
    X(LDSFLDA, "ldsflda", 0x7F, FIELD, 0, 1, NEXT) \
    X(STSFLD, "stsfld", 0x80, FIELD, 1, 0, NEXT) \
    X(STOBJ, "stobj", 0x81, TYPE, 2, 0, NEXT) \
    X(CONV_OVF_I1_UN, "conv.ovf.i1.un", 0x82, NONE, 1, 1, NEXT) \
    X(CONV_OVF_I2_UN, "conv.ovf.i2.un", 0x83, NONE, 1, 1, NEXT) \
    X(CONV_OVF_I4_UN, "conv.ovf.i4.un", 0x84, NONE, 1, 1, NEXT) \
    X(CONV_OVF_I8_UN, "conv.ovf.i8.un", 0x85, NONE, 1, 1, NEXT) \
    X(CONV_OVF_U1_UN, "conv.ovf.u1.un", 0x86, NONE, 1, 1, NEXT) \
    X(CONV_OVF_U2_UN, "conv.ovf.u2.un", 0x87, NONE, 1, 1, NEXT) \
    X(CONV_OVF_U4_UN, "conv.ovf.u4.un", 0x88, NONE, 1, 1, NEXT) \
    X(CONV_OVF_U8_UN, "conv.ovf.u8.un", 0x89, NONE, 1, 1, NEXT) \
    X(CONV_OVF_I_UN, "conv.ovf.i.un", 0x8A, NONE, 1, 1, NEXT) \
    X(CONV_OVF_U_UN, "conv.ovf.u.un", 0x8B, NONE, 1, 1, NEXT) \
    X(BOX, "box", 0x8C, TYPE, 1, 1, NEXT) \
    X(NEWARR, "newarr", 0x8D, TYPE, 1, 1, NEXT) \
    X(LDLEN, "ldlen", 0x8E, NONE, 1, 1, NEXT) \
    X(LDELEMA, "ldelema", 0x8F, TYPE, 2, 1, NEXT) \
    X(LDELEM_I1, "ldelem.i1", 0x90, NONE, 2, 1, NEXT) \
    X(LDELEM_U1, "ldelem.u1", 0x91, NONE, 2, 1, NEXT) \
    X(LDELEM_I2, "ldelem.i2", 0x92, NONE, 2, 1, NEXT) \
    X(LDELEM_U2, "ldelem.u2", 0x93, NONE, 2, 1, NEXT) \
    X(LDELEM_I4, "ldelem.i4", 0x94, NONE, 2, 1, NEXT) \
    X(LDELEM_U4, "ldelem.u4", 0x95, NONE, 2, 1, NEXT) \
    X(LDELEM_I8, "ldelem.i8", 0x96, NONE, 2, 1, NEXT) \
    X(LDELEM_I, "ldelem.i", 0x97, NONE, 2, 1, NEXT) \
    X(LDELEM_R4, "ldelem.r4", 0x98, NONE, 2, 1, NEXT) \
    X(LDELEM_R8, "ldelem.r8", 0x99, NONE, 2, 1, NEXT) \
    X(LDELEM_REF, "ldelem.ref", 0x9A, NONE, 2, 1, NEXT) \
    X(STELEM_I, "stelem.i", 0x9B, NONE, 3, 0, NEXT) \
    X(STELEM_I1, "stelem.i1", 0x9C, NONE, 3, 0, NEXT) \
    X(STELEM_I2, "stelem.i2", 0x9D, NONE, 3, 0, NEXT) \
    X(STELEM_I4, "stelem.i4", 0x9E, NONE, 3, 0, NEXT) \
    X(STELEM_I8, "stelem.i8", 0x9F, NONE, 3, 0, NEXT) \
    X(STELEM_R4, "stelem.r4", 0xA0, NONE, 3, 0, NEXT) \
    X(STELEM_R8, "stelem.r8", 0xA1, NONE, 3, 0, NEXT) \
    X(STELEM_REF, "stelem.ref", 0xA2, NONE, 3, 0, NEXT) \
    X(LDELEM, "ldelem", 0xA3, TYPE, 2, 1, NEXT) \
    X(STELEM, "stelem", 0xA4, TYPE, 3, 0, NEXT) \
    X(UNBOX_ANY, "unbox.any", 0xA5, TYPE, 1, 1, NEXT) \
    X(CONV_OVF_I1, "conv.ovf.i1", 0xB3, NONE, 1, 1, NEXT) \
    X(CONV_OVF_U1, "conv.ovf.u1", 0xB4, NONE, 1, 1, NEXT) \
    X(CONV_OVF_I2, "conv.ovf.i2", 0xB5, NONE, 1, 1, NEXT) \
    X(CONV_OVF_U2, "conv.ovf.u2", 0xB6, NONE, 1, 1, NEXT) \
    X(CONV_OVF_I4, "conv.ovf.i4", 0xB7, NONE, 1, 1, NEXT) \
    X(CONV_OVF_U4, "conv.ovf.u4", 0xB8, NONE, 1, 1, NEXT) \
    X(CONV_OVF_I8, "conv.ovf.i8", 0xB9, NONE, 1, 1, NEXT) \
    X(CONV_OVF_U8, "conv.ovf.u8", 0xBA, NONE, 1, 1, NEXT) \
    X(REFANYVAL, "refanyval", 0xC2, TYPE, 1, 1, NEXT) \
    X(CKFINITE, "ckfinite", 0xC3, NONE, 1, 1, NEXT) \
    X(MKREFANY, "mkrefany", 0xC6, TYPE, 1, 1, NEXT) \
    X(LDTOKEN, "ldtoken", 0xD0, TOK, 0, 1, NEXT) \
    X(CONV_U2, "conv.u2", 0xD1, NONE, 1, 1, NEXT) \
    X(CONV_U1, "conv.u1", 0xD2, NONE, 1, 1, NEXT) \
    X(CONV_I, "conv.i", 0xD3, NONE, 1, 1, NEXT) \
    X(CONV_OVF_I, "conv.ovf.i", 0xD4, NONE, 1, 1, NEXT) \
    X(CONV_OVF_U, "conv.ovf.u", 0xD5, NONE, 1, 1, NEXT) \
    X(ADD_OVF, "add.ovf", 0xD6, NONE, 2, 1, NEXT) \
    X(ADD_OVF_UN, "add.ovf.un", 0xD7, NONE, 2, 1, NEXT) \
    X(MUL_OVF, "mul.ovf", 0xD8, NONE, 2, 1, NEXT) \
    X(MUL_OVF_UN, "mul.ovf.un", 0xD9, NONE, 2, 1, NEXT) \
    X(SUB_OVF, "sub.ovf", 0xDA, NONE, 2, 1, NEXT) \
    X(SUB_OVF_UN, "sub.ovf.un", 0xDB, NONE, 2, 1, NEXT) \
    X(ENDFINALLY, "endfinally", 0xDC, NONE, 0, 0, ENDHANDLER) \
    X(LEAVE, "leave", 0xDD, BR, 0, 0, LEAVE) \
    X(LEAVE_S, "leave.s", 0xDE, SHORT_BR, 0, 0, LEAVE) \
    X(STIND_I, "stind.i", 0xDF, NONE, 2, 0, NEXT) \
    X(CONV_U, "conv.u", 0xE0, NONE, 1, 1, NEXT) \
    X(ARGLIST, "arglist", 0xFE00, NONE, 0, 1, NEXT) \
    X(CEQ, "ceq", 0xFE01, NONE, 2, 1, NEXT) \
    X(CGT, "cgt", 0xFE02, NONE, 2, 1, NEXT) \
    X(CGT_UN, "cgt.un", 0xFE03, NONE, 2, 1, NEXT) \
    X(CLT, "clt", 0xFE04, NONE, 2, 1, NEXT) \
    X(CLT_UN, "clt.un", 0xFE05, NONE, 2, 1, NEXT) \
    X(LDFTN, "ldftn", 0xFE06, METHOD, 0, 1, NEXT) \
    X(LDVIRTFTN, "ldvirtftn", 0xFE07, METHOD, 1, 1, NEXT) \
    X(LDARG, "ldarg", 0xFE09, VAR, 0, 1, NEXT) \
    X(LDARGA, "ldarga", 0xFE0A, VAR, 0, 1, NEXT) \
    X(STARG, "starg", 0xFE0B, VAR, 1, 0, NEXT) \
    X(LDLOC, "ldloc", 0xFE0C, VAR, 0, 1, NEXT) \
    X(LDLOCA, "ldloca", 0xFE0D, VAR, 0, 1, NEXT) \
    X(STLOC, "stloc", 0xFE0E, VAR, 1, 0, NEXT) \
    X(LOCALLOC, "localloc", 0xFE0F, NONE, 1, 1, NEXT) \
    X(ENDFILTER, "endfilter", 0xFE11, NONE, 1, 0, ENDHANDLER) \
    X(UNALIGNED, "unaligned.", 0xFE12, SHORT_I, 0, 0, PREFIX) \
    X(VOLATILE, "volatile.", 0xFE13, NONE, 0, 0, PREFIX) \
    X(TAIL, "tail.", 0xFE14, NONE, 0, 0, PREFIX) \
    X(INITOBJ, "initobj", 0xFE15, TYPE, 1, 0, NEXT) \
    X(CONSTRAINED, "constrained.", 0xFE16, TYPE, 0, 0, PREFIX) \
    X(CPBLK, "cpblk", 0xFE17, NONE, 3, 0, NEXT) \
    X(INITBLK, "initblk", 0xFE18, NONE, 3, 0, NEXT) \
    X(NO, "no.", 0xFE19, SHORT_I, 0, 0, PREFIX) \
    X(RETHROW, "rethrow", 0xFE1A, NONE, 0, 0, THROW) \
    X(SIZEOF, "sizeof", 0xFE1C, TYPE, 0, 1, NEXT) \
    X(REFANYTYPE, "refanytype", 0xFE1D, NONE, 1, 1, NEXT) \
    X(READONLY, "readonly.", 0xFE1E, NONE, 0, 0, PREFIX)

#define NRP_IL_OPCODE_ENUM_(id, name, value, operand, pops, pushes, flow) NRP_OP_##id = value,
enum nrp_il_op { NRP_IL_OPCODES(NRP_IL_OPCODE_ENUM_) };
#undef NRP_IL_OPCODE_ENUM_

#endif /* NRP_OPCODES_H */
