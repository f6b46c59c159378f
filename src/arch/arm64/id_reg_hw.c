#include "arch/arm64/id_reg_hw.h"

#include "arch/arm64/sysreg.h"

/* MRS names its register in the instruction, so each encoding needs its own
 * read; the switch turns the run-time (crm, op2) into one of them. */
#define ID_OP2_COUNT        8
#define ID_CRM_FIRST        1
#define ID_CRM_LAST         7

#define ID_CASE(crm, op2) \
    case (crm) * ID_OP2_COUNT + (op2): return read_sysreg(S3_0_C0_C##crm##_##op2)
#define ID_ROW(crm) \
    ID_CASE(crm, 0); ID_CASE(crm, 1); ID_CASE(crm, 2); ID_CASE(crm, 3); \
    ID_CASE(crm, 4); ID_CASE(crm, 5); ID_CASE(crm, 6); ID_CASE(crm, 7)

uint64_t arch_read_id_reg(unsigned crm, unsigned op2)
{
    if (crm < ID_CRM_FIRST || crm > ID_CRM_LAST || op2 >= ID_OP2_COUNT)
        return 0;
    switch (crm * ID_OP2_COUNT + op2) {
    ID_ROW(1); ID_ROW(2); ID_ROW(3); ID_ROW(4); ID_ROW(5); ID_ROW(6); ID_ROW(7);
    default:
        return 0;
    }
}
