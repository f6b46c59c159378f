/* Which CPU features a guest sees. A field is hidden (reads 0, "not
 * implemented") when elvisor does not virtualize it: EL2 and EL3 for plain
 * guests, SVE/SME, MTE, AMU, PMU, trace and SPE, pointer authentication
 * (its keys are not switched), and the EL2-only controls. MOPS is offered
 * where the CPU lets elvisor take its exceptions. */
#include "trap/sysreg_emul.h"

#include "arch/arm64/esr.h"
#include "arch/arm64/sysreg.h"

#define F(shift)    (0xfULL << (shift))

struct id_rule {
    uint64_t hide;      /* fields forced to 0 */
    bool zero;          /* whole register reads as 0 */
};

/* The rules are indexed by the encoding's CRm and op2, so a trapped read
 * finds its own without a search; a register without a rule passes through. */
#define ID_CRM_COUNT        16
#define ID_OP2_COUNT        8
#define ID_SLOT(key)        (SYSREG_KEY_CRM(key) * ID_OP2_COUNT + SYSREG_KEY_OP2(key))
#define HIDE(key, mask)     [ID_SLOT(key)] = { (mask), false }
#define ZERO(key)           [ID_SLOT(key)] = { 0, true }

static const struct id_rule id_rules[ID_CRM_COUNT * ID_OP2_COUNT] = {
    /* PerfMon */
    HIDE(SYS_ID_DFR0_EL1, F(24)),
    /* EL2, EL3, RAS, GIC kept, SVE, SEL2, MPAM, AMU, RME */
    HIDE(SYS_ID_AA64PFR0_EL1, F(8) | F(12) | F(28) | F(32) | F(36) | F(40) | F(44) | F(52)),
    /* Keep BT, SSBS, CSV2_frac only */
    HIDE(SYS_ID_AA64PFR1_EL1, ~(F(0) | F(4) | F(32))),
    ZERO(SYS_ID_AA64PFR2_EL1),
    ZERO(SYS_ID_AA64ZFR0_EL1),
    ZERO(SYS_ID_AA64SMFR0_EL1),
    ZERO(SYS_ID_AA64FPFR0_EL1),
    /* TraceVer, PMUVer, PMSVer, TraceFilt, TraceBuffer, MTPMU, BRBE, ... */
    HIDE(SYS_ID_AA64DFR0_EL1, F(4) | F(8) | F(32) | F(40) | F(44) | F(48) | F(52) | F(56) | F(60)),
    ZERO(SYS_ID_AA64DFR1_EL1),
    ZERO(SYS_ID_AA64AFR0_EL1),
    ZERO(SYS_ID_AA64AFR1_EL1),
    /* APA, API, GPA, GPI */
    HIDE(SYS_ID_AA64ISAR1_EL1, F(4) | F(8) | F(24) | F(28)),
    /* WFxT, GPA3, APA3, PAC_frac (meaningless without pointer
     * authentication), and the rest beyond CLRBHB; MOPS as
     * id_regs_offer_mops() says */
    HIDE(SYS_ID_AA64ISAR2_EL1, F(0) | F(8) | F(12) | F(24) | F(32) | F(36) | F(40) | F(44) | F(48) |
                               F(52) | F(56) | F(60)),
    /* PARange set below, FGT, ECV kept */
    HIDE(SYS_ID_AA64MMFR0_EL1, F(0) | F(56)),
    /* VMIDBits, VH, LO, TWED, HCX, and later EL2 fields */
    HIDE(SYS_ID_AA64MMFR1_EL1, F(4) | F(8) | F(16) | F(32) | F(40) | F(44) | F(48) | F(56) | F(60)),
    /* NV, FWB, EVT */
    HIDE(SYS_ID_AA64MMFR2_EL1, F(24) | F(40) | F(56)),
    ZERO(SYS_ID_AA64MMFR3_EL1),    /* TCR2, SCTLR2, permission indirection */
    ZERO(SYS_ID_AA64MMFR4_EL1),    /* E2H0 and other EL2 fields */
};

static uint64_t isar2_mops_hidden = F(ID_AA64ISAR2_EL1_MOPS_SHIFT);

void id_regs_offer_mops(bool offer)
{
    isar2_mops_hidden = offer ? 0 : F(ID_AA64ISAR2_EL1_MOPS_SHIFT);
}

static unsigned parange_for(unsigned ipa_bits)
{
    static const unsigned bits[] = { 32, 36, 40, 42, 44, 48, 52 };
    unsigned best = 0;

    for (unsigned i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
        if (bits[i] <= ipa_bits)
            best = i;
    return best;
}

static uint64_t set_field(uint64_t reg, unsigned shift, uint64_t val)
{
    return (reg & ~F(shift)) | (val << shift);
}

uint64_t id_reg_sanitize(uint32_t key, uint64_t hw, unsigned ipa_bits)
{
    const struct id_rule *r = &id_rules[ID_SLOT(key)];

    if (!sysreg_key_in_id_block(key))
        return hw;
    if (r->zero)
        return 0;
    hw &= ~r->hide;
    if (key == SYS_ID_AA64MMFR0_EL1)
        hw |= parange_for(ipa_bits);
    else if (key == SYS_ID_AA64ISAR2_EL1)
        hw &= ~isar2_mops_hidden;
    return hw;
}

/* Arm ARM, ID_AA64MMFR4_EL1.E2H0 (signed): 0b0000 IMP, 0b1110 NI_NV1
 * (E2H RES1 and HCR_EL2.NV1 RES0), 0b1111 NI (E2H RES1 only). */
bool id_mmfr4_has_nv1(uint64_t mmfr4)
{
    return ((mmfr4 >> ID_AA64MMFR4_EL1_E2H0_SHIFT) & 0xf) != ID_AA64MMFR4_EL1_E2H0_NI_NV1;
}

/* Fields a vEL2 guest sees differently (docs/nested.md §7). TGran4_2 IMP
 * is the 4 KiB granule at stage 2 up to 48-bit OAs; ECV IMP is ECV without
 * CNTPOFF_EL2; E2H0 NI_NV1 makes E2H RES1 and HCR_EL2.NV1 RES0. nv2: the
 * VM offers FEAT_NV2 (virt-el2-nv2, VHE only), so that its guest
 * hypervisor can give its own guests a virtual EL2 (docs/nested.md §9.21). */
uint64_t id_reg_sanitize_vel2(uint32_t key, uint64_t hw, unsigned ipa_bits, bool nvhe, bool nv2)
{
    uint64_t v = id_reg_sanitize(key, hw, ipa_bits);

    switch (key) {
    case SYS_ID_AA64PFR0_EL1:     /* its own EL2, AArch64 only; still no EL3 */
        return set_field(v, ID_AA64PFR0_EL1_EL2_SHIFT, ID_AA64PFR0_EL1_EL2_IMP);
    case SYS_ID_AA64MMFR0_EL1:    /* one stage-2 granule to walk, no CNTPOFF */
        v = set_field(v, ID_AA64MMFR0_EL1_TGran4_2_SHIFT, ID_AA64MMFR0_EL1_TGran4_2_IMP);
        v = set_field(v, ID_AA64MMFR0_EL1_TGran16_2_SHIFT, ID_AA64MMFR0_EL1_TGran16_2_NI);
        v = set_field(v, ID_AA64MMFR0_EL1_TGran64_2_SHIFT, ID_AA64MMFR0_EL1_TGran64_2_NI);
        if (((v >> ID_AA64MMFR0_EL1_ECV_SHIFT) & 0xf) > ID_AA64MMFR0_EL1_ECV_IMP)
            v = set_field(v, ID_AA64MMFR0_EL1_ECV_SHIFT, ID_AA64MMFR0_EL1_ECV_IMP);
        return v;
    case SYS_ID_AA64MMFR1_EL1:
        /* VHE (or not), the hardware's VMID width, and HCRX_EL2 where
         * MOPS is offered, so that a guest hypervisor can enable it for
         * its own guests or not (nested_l2_hcrx). */
        v = set_field(v, ID_AA64MMFR1_EL1_VH_SHIFT,
                      nvhe ? ID_AA64MMFR1_EL1_VH_NI : ID_AA64MMFR1_EL1_VH_IMP);
        if (!isar2_mops_hidden)
            v |= hw & F(ID_AA64MMFR1_EL1_HCX_SHIFT);
        return v | (hw & F(ID_AA64MMFR1_EL1_VMIDBits_SHIFT));
    case SYS_ID_AA64MMFR4_EL1:
        /* Without FEAT_VHE, E2H0 implemented (0): E2H is RES0 (as KVM's
         * HAS_EL2_E2H0 vCPUs see it). Otherwise E2H is RES1, and NV1 RES0
         * too (NI_NV1) unless the VM offers FEAT_NV2 on a CPU that has
         * NV1: then NI, so that its guest hypervisor can give a guest of
         * its own a non-VHE vEL2 (docs/nested.md §9.23). */
        if (nvhe)
            return 0;
        return set_field(0, ID_AA64MMFR4_EL1_E2H0_SHIFT,
                         (nv2 && id_mmfr4_has_nv1(hw)) ? ID_AA64MMFR4_EL1_E2H0_NI : ID_AA64MMFR4_EL1_E2H0_NI_NV1);
    case SYS_ID_AA64MMFR2_EL1:
        /* NV = 2: FEAT_NV and FEAT_NV2, with NV1 RES0 as E2H0 says (KVM's
         * recursive nesting); NV = 0 otherwise: its guests get no vEL2. */
        return (nv2 && !nvhe) ? set_field(v, ID_AA64MMFR2_EL1_NV_SHIFT, ID_AA64MMFR2_EL1_NV_NV2) : v;
    default:
        return v;
    }
}
