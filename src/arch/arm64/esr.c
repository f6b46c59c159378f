#include "arch/arm64/esr.h"

void esr_decode_sysreg(uint64_t esr, struct sysreg_access *a)
{
    a->op0 = (unsigned)((esr >> 20) & 3);
    a->op2 = (unsigned)((esr >> 17) & 7);
    a->op1 = (unsigned)((esr >> 14) & 7);
    a->crn = (unsigned)((esr >> 10) & 0xf);
    a->reg = (unsigned)((esr >> 5) & 0x1f);
    a->crm = (unsigned)((esr >> 1) & 0xf);
    a->is_read = (esr & 1) != 0;
}

uint32_t sysreg_access_key(const struct sysreg_access *a)
{
    return SYSREG_KEY(a->op0, a->op1, a->crn, a->crm, a->op2);
}

