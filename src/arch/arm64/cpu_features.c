#include "arch/arm64/cpu_features.h"
#include "arch/arm64/sysreg.h"

/* ID register fields are 4 bits; some are signed (Arm ARM D19.1.3). */
static unsigned id_field(uint64_t reg, unsigned shift)
{
    return (unsigned)FIELD_GET(reg, shift, 4);
}

static int id_field_signed(uint64_t reg, unsigned shift)
{
    unsigned v = id_field(reg, shift);
    return v >= 8 ? (int)v - 16 : (int)v;
}

static unsigned parange_to_bits(unsigned parange)
{
    static const unsigned bits[] = { 32, 36, 40, 42, 44, 48, 52 };
    return parange < sizeof(bits) / sizeof(bits[0]) ? bits[parange] : 48;
}

void cpu_features_decode(const struct cpu_id_regs *id, struct cpu_features *f)
{
    unsigned vh = id_field(id->mmfr1, 8);

    f->e2h0 = id_field_signed(id->mmfr4, 24);
    /* A negative E2H0 makes HCR_EL2.E2H RES1, so nVHE cannot work at all;
     * FEAT_E2H0 missing implies FEAT_VHE, whatever VH claims. */
    if (f->e2h0 < 0)
        f->e2h = E2H_FORCED_VHE;
    else if (!vh)
        f->e2h = E2H_NO_VHE;
    else
        f->e2h = E2H_SWITCHABLE;
    f->nv = id_field(id->mmfr2, 24);
    f->ecv = id_field(id->mmfr0, 60);
    f->fgt = id_field(id->mmfr0, 56) != 0;
    f->vmid_bits = id_field(id->mmfr1, 4) == 2 ? 16 : 8;
    f->parange = id_field(id->mmfr0, 0);
    if (f->parange > 6)
        f->parange = 5;
    f->pa_bits = parange_to_bits(f->parange);
    f->gic_sysreg = id_field(id->pfr0, 24);
    f->sve = id_field(id->pfr0, 32) != 0;
    f->amu = id_field(id->pfr0, 44) != 0;
    f->sme = id_field(id->pfr1, 24) != 0;
    f->mte = id_field(id->pfr1, 8) != 0;
    f->ssbs = id_field(id->pfr1, 4) != 0;
    f->pan = id_field(id->mmfr1, 20) != 0;
    f->brps = id_field(id->dfr0, ID_AA64DFR0_BRPS_SHIFT) + 1;
    f->wrps = id_field(id->dfr0, ID_AA64DFR0_WRPS_SHIFT) + 1;
    /* 0xf is an IMPLEMENTATION DEFINED PMU without the Arm registers. */
    f->pmu = id_field(id->dfr0, ID_AA64DFR0_PMUVER_SHIFT) != 0 &&
             id_field(id->dfr0, ID_AA64DFR0_PMUVER_SHIFT) != 0xf;
    f->pauth = id_field(id->isar1, 4) || id_field(id->isar1, 8) ||
               id_field(id->isar1, 24) || id_field(id->isar1, 28);
    f->hcx = id_field(id->mmfr1, 40) != 0;
    f->mops = id_field(id->isar2, 16) != 0;
}

bool cpu_features_use_vhe(const struct cpu_features *f, bool want_nvhe)
{
    switch (f->e2h) {
    case E2H_NO_VHE:
        return false;
    case E2H_FORCED_VHE:
        return true;
    case E2H_SWITCHABLE:
    default:
        return !want_nvhe;
    }
}

bool cpu_features_has_cntpoff(const struct cpu_features *f)
{
    return f->ecv >= ECV_CNTPOFF;
}

const char *cpu_features_e2h_name(enum e2h_policy p)
{
    switch (p) {
    case E2H_NO_VHE:
        return "no VHE";
    case E2H_FORCED_VHE:
        return "VHE forced (E2H RES1)";
    case E2H_SWITCHABLE:
    default:
        return "VHE switchable";
    }
}
