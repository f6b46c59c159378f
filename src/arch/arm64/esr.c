#include "arch/arm64/esr.h"

void esr_decode_dabt(uint64_t esr, struct dabt_info *d)
{
    d->isv = (esr & ESR_DABT_ISV) != 0;
    d->size = 1u << ((esr >> ESR_DABT_SAS_SHIFT) & 3);
    d->sign_extend = (esr & ESR_DABT_SSE) != 0;
    d->reg = (unsigned)((esr >> ESR_DABT_SRT_SHIFT) & 0x1f);
    d->sixty_four = (esr & ESR_DABT_SF) != 0;
    d->acquire_release = (esr & ESR_DABT_AR) != 0;
    d->is_write = (esr & ESR_DABT_WNR) != 0;
    d->s1ptw = (esr & ESR_DABT_S1PTW) != 0;
    d->cache_maint = (esr & ESR_DABT_CM) != 0;
    d->fsc = (unsigned)(esr & ESR_FSC_MASK);
}

uint64_t dabt_load_value(const struct dabt_info *d, uint64_t raw)
{
    unsigned bits = d->size * 8;
    uint64_t v = bits == 64 ? raw : raw & ((1ULL << bits) - 1);

    if (d->sign_extend && bits < 64 && (v >> (bits - 1)) & 1)
        v |= ~0ULL << bits;
    if (!d->sixty_four)
        v &= 0xffffffffULL;
    return v;
}

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

uint64_t fault_ipa(uint64_t hpfar, uint64_t far)
{
    /* HPFAR_EL2.FIPA [47:4] holds IPA[55:12]. */
    return ((hpfar >> 4) & ((1ULL << 44) - 1)) << 12 | (far & 0xfff);
}
