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
    unsigned vh = id_field(id->mmfr1, ID_AA64MMFR1_EL1_VH_SHIFT);

    f->e2h0 = id_field_signed(id->mmfr4, ID_AA64MMFR4_EL1_E2H0_SHIFT);
    /* A negative E2H0 makes HCR_EL2.E2H RES1, so nVHE cannot work at all;
     * FEAT_E2H0 missing implies FEAT_VHE, whatever VH claims. */
    if (f->e2h0 < 0)
        f->e2h = E2H_FORCED_VHE;
    else if (!vh)
        f->e2h = E2H_NO_VHE;
    else
        f->e2h = E2H_SWITCHABLE;
    f->nv = id_field(id->mmfr2, ID_AA64MMFR2_EL1_NV_SHIFT);
    f->ecv = id_field(id->mmfr0, ID_AA64MMFR0_EL1_ECV_SHIFT);
    f->fgt = id_field(id->mmfr0, ID_AA64MMFR0_EL1_FGT_SHIFT) != 0;
    f->vmid_bits =
        id_field(id->mmfr1, ID_AA64MMFR1_EL1_VMIDBits_SHIFT) == ID_AA64MMFR1_EL1_VMIDBits_16 ? 16 : 8;
    f->parange = id_field(id->mmfr0, ID_AA64MMFR0_EL1_PARange_SHIFT);
    if (f->parange > 6)
        f->parange = 5;
    f->pa_bits = parange_to_bits(f->parange);
    f->gic_sysreg = id_field(id->pfr0, ID_AA64PFR0_EL1_GIC_SHIFT);
    f->sve = id_field(id->pfr0, ID_AA64PFR0_EL1_SVE_SHIFT) != 0;
    f->amu = id_field(id->pfr0, ID_AA64PFR0_EL1_AMU_SHIFT) != 0;
    f->sme = id_field(id->pfr1, ID_AA64PFR1_EL1_SME_SHIFT) != 0;
    f->mte = id_field(id->pfr1, ID_AA64PFR1_EL1_MTE_SHIFT) != 0;
    f->ssbs = id_field(id->pfr1, ID_AA64PFR1_EL1_SSBS_SHIFT) != 0;
    f->pan = id_field(id->mmfr1, ID_AA64MMFR1_EL1_PAN_SHIFT) != 0;
    f->brps = id_field(id->dfr0, ID_AA64DFR0_EL1_BRPs_SHIFT) + 1;
    f->wrps = id_field(id->dfr0, ID_AA64DFR0_EL1_WRPs_SHIFT) + 1;
    /* 0xf is an IMPLEMENTATION DEFINED PMU without the Arm registers. */
    f->pmu = id_field(id->dfr0, ID_AA64DFR0_EL1_PMUVer_SHIFT) != 0 &&
             id_field(id->dfr0, ID_AA64DFR0_EL1_PMUVer_SHIFT) != 0xf;
    f->pauth = id_field(id->isar1, ID_AA64ISAR1_EL1_APA_SHIFT) ||
               id_field(id->isar1, ID_AA64ISAR1_EL1_API_SHIFT) ||
               id_field(id->isar1, ID_AA64ISAR1_EL1_GPA_SHIFT) ||
               id_field(id->isar1, ID_AA64ISAR1_EL1_GPI_SHIFT);
    f->hcx = id_field(id->mmfr1, ID_AA64MMFR1_EL1_HCX_SHIFT) != 0;
    f->mops = id_field(id->isar2, ID_AA64ISAR2_EL1_MOPS_SHIFT) != 0;
    f->idst = id_field(id->mmfr2, ID_AA64MMFR2_EL1_IDS_SHIFT) >= ID_AA64MMFR2_EL1_IDS_TRAP;
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
    return f->ecv >= ID_AA64MMFR0_EL1_ECV_CNTPOFF;
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
