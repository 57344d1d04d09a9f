/* opcode_info.h - lookups into the opcode table of nrp/opcodes.h. */
#ifndef NRP_IL_OPCODE_INFO_H
#define NRP_IL_OPCODE_INFO_H

#include <stdint.h>

#include "nrp/opcodes.h"

typedef struct nrp_il_opinfo {
    const char *name;
    uint16_t value;
    uint8_t operand; /* enum nrp_il_operand */
    int8_t pops;     /* NRP_IL_VAR when the signature decides */
    int8_t pushes;
    uint8_t flow;    /* enum nrp_il_flow */
} nrp_il_opinfo;

/* The entry for an opcode value (0x00..0xFF or 0xFE00..0xFEFF); NULL when
 * no opcode has that value. */
const nrp_il_opinfo *nrp_il_opinfo_of(uint16_t op);

/* Encoded size of the opcode itself (1 or 2) and of an operand kind
 * (switch: the count field only). */
uint32_t nrp_il_opcode_size(uint16_t op);
uint32_t nrp_il_operand_size(uint8_t operand);

/* Short and long forms of the branches: br.s <-> br, leave.s <-> leave... */
int nrp_il_is_short_branch(uint16_t op);
uint16_t nrp_il_long_branch(uint16_t short_op);
uint16_t nrp_il_short_branch(uint16_t long_op);

#endif
