#include "il/opcode_info.h"

#include <stddef.h>

#define ENTRY_(id, nm, val, operand_, pops_, pushes_, flow_)                                               \
    [(val) < 0x100 ? (val) : 0x100 + ((val) & 0xFF)] = {nm, val, NRP_OPERAND_##operand_, pops_, pushes_,     \
                                                          NRP_FLOW_##flow_},

/* Index: one-byte opcodes at their value, 0xFE-prefixed ones at 0x100 + second byte. */
static const nrp_il_opinfo table[0x200] = {NRP_IL_OPCODES(ENTRY_)};

const nrp_il_opinfo *nrp_il_opinfo_of(uint16_t op)
{
    size_t i;
    if (op < 0x100)
        i = op;
    else if ((op & 0xFF00) == 0xFE00)
        i = 0x100 + (op & 0xFF);
    else
        return NULL;
    /* Slot 0 is nop, a real entry; every other empty slot has no name. */
    return table[i].name ? &table[i] : NULL;
}

uint32_t nrp_il_opcode_size(uint16_t op)
{
    return op < 0x100 ? 1 : 2;
}

uint32_t nrp_il_operand_size(uint8_t operand)
{
    switch (operand) {
    case NRP_OPERAND_NONE: return 0;
    case NRP_OPERAND_SHORT_VAR:
    case NRP_OPERAND_SHORT_I:
    case NRP_OPERAND_SHORT_BR: return 1;
    case NRP_OPERAND_VAR: return 2;
    case NRP_OPERAND_I8:
    case NRP_OPERAND_R: return 8;
    default: return 4; /* i32, f32, tokens, i32 displacement, switch count */
    }
}

int nrp_il_is_short_branch(uint16_t op)
{
    return (op >= NRP_OP_BR_S && op <= NRP_OP_BLT_UN_S) || op == NRP_OP_LEAVE_S;
}

uint16_t nrp_il_long_branch(uint16_t op)
{
    if (op == NRP_OP_LEAVE_S)
        return NRP_OP_LEAVE;
    if (op >= NRP_OP_BR_S && op <= NRP_OP_BLT_UN_S)
        return (uint16_t)(op + (NRP_OP_BR - NRP_OP_BR_S));
    return op;
}

uint16_t nrp_il_short_branch(uint16_t op)
{
    if (op == NRP_OP_LEAVE)
        return NRP_OP_LEAVE_S;
    if (op >= NRP_OP_BR && op <= NRP_OP_BLT_UN)
        return (uint16_t)(op - (NRP_OP_BR - NRP_OP_BR_S));
    return op;
}
