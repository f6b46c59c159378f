/* Which exits of the guest's guest (L2) the guest hypervisor (L1) asked
 * for, as data: one row per (exception class, syndrome range, control bit
 * of L1's), first match wins, no match is elvisor's. The model is KVM's
 * emulate-nested.c trap tables (facts only): a trap is forwarded when the
 * L1 control that causes it on hardware is in effect. Host-tested by
 * tests/unit/test_nested.c. */
#include "nested/nested.h"

#include "arch/arm64/esr.h"
#include "arch/arm64/sysreg.h"

/* The syndrome field a row's range is matched against: for MSR/MRS the
 * system register (SYSREG_KEY: op0:op1:CRn:CRm:op2, Rt and direction
 * ignored), for WFx the TI field, for the rest nothing (any). */
static uint32_t syndrome_key(uint64_t esr)
{
    switch (ESR_EC(esr)) {
    case EC_SYS64:
        return esr_sysreg_key(esr);
    case EC_WFX:
        return (uint32_t)(esr & ESR_WFX_TI_MASK);
    default:
        return 0;
    }
}

enum nested_ctl {
    NCTL_ALWAYS,
    NCTL_HCR,           /* L1's HCR_EL2 */
    NCTL_CNTHCTL,       /* L1's CNTHCTL_EL2 in the E2H = 1 layout */
    NCTL_MDCR,          /* L1's MDCR_EL2, TDE folded into TDA/TDOSA/TDRA */
    NCTL_ICH_HCR,       /* L1's ICH_HCR_EL2, while its guest runs on its LRs */
    NCTL_CPTR,          /* L1's CPTR_EL2, as NESTED_CPTR_* */
};

/* Which MSR/MRS directions a row covers (ESR ISS bit 0: 1 = MRS). */
#define ESR_SYS_READ_BIT    1u
enum nested_dir {
    NDIR_ANY,
    NDIR_READ,
    NDIR_WRITE,
};

struct nested_fwd {
    uint8_t ec;
    uint32_t lo, hi;            /* syndrome_key() range, inclusive */
    enum nested_ctl ctl;
    uint64_t bit;
    bool when_clear;            /* the bit clear asks for it (enables) */
    enum nested_l2_exit kind;
    uint32_t key_mask;          /* the key bits the range is over; 0: all */
    enum nested_dir dir;
    uint64_t needs;             /* NESTED_OFFERS_* the registers exist with; 0: always */
};

#define ANY             0, UINT32_MAX
#define ONE(key)        (key), (key)
#define WFI_TI          0u      /* TI: 0 WFI, 1 WFE, 2 WFIT, 3 WFET */
#define WFE_TI          1u
#define WFIT_TI         2u
#define WFET_TI         3u

/* Rows name their registers (SYS_* from the register database); the keys
 * spelled out below are what the database does not describe: encoding
 * spaces that a control traps whole (unallocated encodings included) and
 * the SYS instructions (op0 1: DC, IC, TLBI). */

/* ID registers of HCR_EL2.TID3: op0 3, op1 0, CRn 0, CRm 1..7. */
#define TID3_FIRST      SYSREG_KEY(3, 0, 0, 1, 0)
#define TID3_LAST       SYSREG_KEY(3, 0, 0, 7, 7)

/* Debug registers (op0 2): MDCR_EL2.TDA's (OSDTRRX, MDCCINT, MDSCR,
 * OSDTRTX, OSECCR, DBGB/W{V,C}R<n> in op1 0 CRn 0; DBGCLAIMSET/CLR,
 * DBGAUTHSTATUS in CRn 7; MDCCSR_EL0, DBGDTR*_EL0 in op1 3), TDOSA's
 * (OSLAR, OSLSR, OSDLR, DBGPRCR: CRn 1, op2 4) and TDRA's (MDRAR_EL1). The
 * ranges hold only those and unallocated encodings, which never trap. */
#define K_DBG_CRN0_FIRST    SYSREG_KEY(2, 0, 0, 0, 0)
/* HCR_EL2.TSW: DC ISW, CSW, CISW (the MTE tag variants: MTE is hidden). */
#define K_DC_ISW            SYSREG_KEY(1, 0, 7, 6, 2)
#define K_DC_CSW            SYSREG_KEY(1, 0, 7, 10, 2)
#define K_DC_CISW           SYSREG_KEY(1, 0, 7, 14, 2)
/* HCR_EL2.TIDCP: the IMPLEMENTATION DEFINED spaces, op0 1 (SYS) or 3 with
 * CRn 0b1x11 (11 or 15), any op1, CRm, op2: matched on op0 and CRn bits
 * 3, 1, 0 only. */
#define K_IMPDEF_MASK       SYSREG_KEY(3, 0, 0xb, 0, 0)
#define K_IMPDEF_SYS        SYSREG_KEY(1, 0, 0xb, 0, 0)
#define K_IMPDEF_REG        SYSREG_KEY(3, 0, 0xb, 0, 0)

/* HCR_EL2.TPCP: data cache maintenance by VA to the Point of Coherency
 * (and Persistence): DC IVAC, CVAC, CVAP, CVADP, CIVAC (their MTE tag
 * forms: MTE is hidden). HCR_EL2.TPU: to the Point of Unification: IC
 * IALLUIS, IALLU, IVAU, DC CVAU (FEAT_EVT's TOCU/TICAB split: EVT is
 * hidden). HCR_EL2.TTLB: every TLBI of EL1, op1 0, CRn 8 and FEAT_XS's
 * nXS forms in CRn 9 (EVT's TTLBIS/TTLBOS subsets: hidden). */
#define K_DC_IVAC           SYSREG_KEY(1, 0, 7, 6, 1)
#define K_DC_CVAC           SYSREG_KEY(1, 3, 7, 10, 1)
#define K_DC_CVAP           SYSREG_KEY(1, 3, 7, 12, 1)
#define K_DC_CVADP          SYSREG_KEY(1, 3, 7, 13, 1)
#define K_DC_CIVAC          SYSREG_KEY(1, 3, 7, 14, 1)
#define K_IC_IALLUIS        SYSREG_KEY(1, 0, 7, 1, 0)
#define K_IC_IALLU          SYSREG_KEY(1, 0, 7, 5, 0)
#define K_IC_IVAU           SYSREG_KEY(1, 3, 7, 5, 1)
#define K_DC_CVAU           SYSREG_KEY(1, 3, 7, 11, 1)
#define K_TLBI_EL1_FIRST    SYSREG_KEY(1, 0, 8, 0, 0)
#define K_TLBI_EL1_LAST     SYSREG_KEY(1, 0, 9, 15, 7)

/* CPTR_EL2: TCPAC traps CPACR_EL1; TAM the activity monitors (op1 3,
 * CRn 13, CRm 2..15: AMCR_EL0 .. AMEVTYPER1<n>_EL0); TTA the System
 * register trace unit (op0 2, op1 1: TRC*). */
#define K_AMU_FIRST         SYSREG_KEY(3, 3, 13, 2, 0)
#define K_AMU_LAST          SYSREG_KEY(3, 3, 13, 15, 7)
#define K_TRACE_FIRST       SYSREG_KEY(2, 1, 0, 0, 0)
#define K_TRACE_LAST        SYSREG_KEY(2, 1, 15, 15, 7)

/* The PMU, hidden from every VM (ID_AA64DFR0_EL1.PMUVer 0): its registers
 * (op1 3, CRn 9, CRm 12..14: PMCR_EL0 .. PMOVSSET_EL0; op1 3, CRn 14,
 * CRm 8..15: PMEVCNTR<n>_EL0, PMEVTYPER<n>_EL0, PMCCFILTR_EL0; op1 0,
 * CRn 9, CRm 14: PMINTENSET/CLR_EL1, PMMIR_EL1) do not exist for the VM
 * at any of its levels, and its MDCR_EL2.TPM and TPMCR are RES0. Elvisor's
 * own MDCR_EL2.TPM traps them. The ranges hold only those and unallocated
 * encodings, UNDEFINED too. */
#define K_PMU_FIRST         SYSREG_KEY(3, 3, 9, 12, 0)
#define K_PMU_LAST          SYSREG_KEY(3, 3, 9, 14, 7)
#define K_PMEV_FIRST        SYSREG_KEY(3, 3, 14, 8, 0)
#define K_PMEV_LAST         SYSREG_KEY(3, 3, 14, 15, 7)
#define K_PMINTEN_FIRST     SYSREG_KEY(3, 0, 9, 14, 0)
#define K_PMINTEN_LAST      SYSREG_KEY(3, 0, 9, 14, 7)

/* HCR_EL2.NV (a guest hypervisor offered FEAT_NV2 runs its guest at a
 * vEL2 of its own): what EL1 may not do but EL2 may traps, EC 0x18. The
 * EL2 registers (op1 4: *_EL2, SP_EL1, SPSR_irq..., ICH_*; op0 2: the EL2
 * debug register DBGVCR32_EL2) and the _EL12/_EL02 aliases (op1 5) that
 * NV2 does not send to the page, and the EL2 system instructions (op0 1,
 * op1 4: TLBI of EL2 and of stage 2, AT S1E2* and S12E*). The EL3
 * registers (op1 6) stay UNDEFINED at EL1 (they are at EL2 too). */
#define K_NV_REG_FIRST      SYSREG_KEY(3, 4, 0, 0, 0)
#define K_NV_REG_LAST       SYSREG_KEY(3, 5, 15, 15, 7)
#define K_NV_DBG_FIRST      SYSREG_KEY(2, 4, 0, 0, 0)
#define K_NV_DBG_LAST       SYSREG_KEY(2, 4, 15, 15, 7)
#define K_NV_INSN_FIRST     SYSREG_KEY(1, 4, 0, 0, 0)
#define K_NV_INSN_LAST      SYSREG_KEY(1, 4, 15, 15, 7)
/* HCR_EL2.AT: AT S1E1R, S1E1W, S1E0R, S1E0W (CRm 8, op2 0..3), S1E1RP,
 * S1E1WP and FEAT_ATS1A's S1E1A (CRm 9, op2 0..2). */
#define K_AT_S1E01_FIRST    SYSREG_KEY(1, 0, 7, 8, 0)
#define K_AT_S1E01_LAST     SYSREG_KEY(1, 0, 7, 8, 3)
#define K_AT_S1E1P_FIRST    SYSREG_KEY(1, 0, 7, 9, 0)
#define K_AT_S1E1P_LAST     SYSREG_KEY(1, 0, 7, 9, 2)
/* FEAT_CSV2_2's SCXTNUM_EL1 (not in the register database). */
#define K_SCXTNUM_EL1       SYSREG_KEY(3, 0, 13, 0, 7)

/* A row over MSR/MRS keys lo..hi forwarded when L1's HCR_EL2 has bit. */
#define HCR_SYS(first, last, hcr_bit, direction) \
    { .ec = EC_SYS64, .lo = (first), .hi = (last), .ctl = NCTL_HCR, .bit = (hcr_bit), \
      .kind = NESTED_L2_TO_VEL2, .dir = (direction) }
#define HCR_VM_REG(first, last) \
    HCR_SYS(first, last, HCR_EL2_TVM, NDIR_WRITE), HCR_SYS(first, last, HCR_EL2_TRVM, NDIR_READ)
#define ICH_SYS(first, last, ich_bit) \
    { .ec = EC_SYS64, .lo = (first), .hi = (last), .ctl = NCTL_ICH_HCR, .bit = (ich_bit), \
      .kind = NESTED_L2_TO_VEL2 }
#define CPTR_SYS(first, last, cptr_bit, feature) \
    { .ec = EC_SYS64, .lo = (first), .hi = (last), .ctl = NCTL_CPTR, .bit = (cptr_bit), \
      .kind = NESTED_L2_TO_VEL2, .needs = (feature) }
#define HCR_IMPDEF(space) \
    { .ec = EC_SYS64, .lo = (space), .hi = (space), .ctl = NCTL_HCR, .bit = HCR_EL2_TIDCP, \
      .kind = NESTED_L2_TO_VEL2, .key_mask = K_IMPDEF_MASK }

static const struct nested_fwd fwd_table[] = {
    /* HVC at EL1 is for EL2, unless EL2 disabled it (HCR_EL2.HCD). */
    { EC_HVC64, ANY, NCTL_HCR, HCR_EL2_HCD, false, NESTED_L2_UNDEF, 0, NDIR_ANY, 0 },
    { EC_HVC64, ANY, NCTL_ALWAYS, 0, false, NESTED_L2_TO_VEL2, 0, NDIR_ANY, 0 },
    /* SMC: its EL2 with TSC; untrapped, the firmware's (elvisor's PSCI). */
    { EC_SMC64, ANY, NCTL_HCR, HCR_EL2_TSC, false, NESTED_L2_TO_VEL2, 0, NDIR_ANY, 0 },
    /* A guest hypervisor at its vEL2 (HCR_EL2.NV): its ERET (EC 0x1A, with
     * priority over the pointer-authentication trap) and its EL2
     * accesses, as the hardware reported them; its HVC is the row above,
     * its SMC the TSC row below. */
    { EC_ERET, ANY, NCTL_HCR, HCR_EL2_NV, false, NESTED_L2_TO_VEL2, 0, NDIR_ANY, 0 },
    HCR_SYS(K_NV_REG_FIRST, K_NV_REG_LAST, HCR_EL2_NV, NDIR_ANY),
    HCR_SYS(K_NV_DBG_FIRST, K_NV_DBG_LAST, HCR_EL2_NV, NDIR_ANY),
    HCR_SYS(K_NV_INSN_FIRST, K_NV_INSN_LAST, HCR_EL2_NV, NDIR_ANY),
    HCR_SYS(K_AT_S1E01_FIRST, K_AT_S1E01_LAST, HCR_EL2_AT, NDIR_ANY),
    HCR_SYS(K_AT_S1E1P_FIRST, K_AT_S1E1P_LAST, HCR_EL2_AT, NDIR_ANY),
    /* HCR_EL2.NV1 with NV and without NV2 (with NV2 they go to the page):
     * SPSR_EL1, ELR_EL1, VBAR_EL1 and SCXTNUM_EL1 trap, the EL1 registers
     * its non-VHE guest's own EL2 state would otherwise land in (§9.23). */
    HCR_SYS(SYS_SPSR_EL1, SYS_ELR_EL1, HCR_EL2_NV1, NDIR_ANY),
    HCR_SYS(SYS_VBAR_EL1, SYS_VBAR_EL1, HCR_EL2_NV1, NDIR_ANY),
    HCR_SYS(K_SCXTNUM_EL1, K_SCXTNUM_EL1, HCR_EL2_NV1, NDIR_ANY),
    /* FP/SIMD: its CPTR_EL2 (KVM's lazy switch of its guest's registers). */
    /* MOPS exceptions: the hardware takes them to EL2 only with its
     * HCRX_EL2.MCE2 (nested_l2_hcrx), so each that arrives is its. */
    { EC_MOPS, ANY, NCTL_ALWAYS, 0, false, NESTED_L2_TO_VEL2, 0, NDIR_ANY, 0 },
    { EC_FP_ASIMD, ANY, NCTL_CPTR, NESTED_CPTR_TFP, false, NESTED_L2_TO_VEL2, 0, NDIR_ANY, 0 },
    { EC_WFX, ONE(WFI_TI), NCTL_HCR, HCR_EL2_TWI, false, NESTED_L2_TO_VEL2, 0, NDIR_ANY, 0 },
    { EC_WFX, ONE(WFIT_TI), NCTL_HCR, HCR_EL2_TWI, false, NESTED_L2_TO_VEL2, 0, NDIR_ANY, 0 },
    { EC_WFX, ONE(WFE_TI), NCTL_HCR, HCR_EL2_TWE, false, NESTED_L2_TO_VEL2, 0, NDIR_ANY, 0 },
    { EC_WFX, ONE(WFET_TI), NCTL_HCR, HCR_EL2_TWE, false, NESTED_L2_TO_VEL2, 0, NDIR_ANY, 0 },
    { EC_SYS64, TID3_FIRST, TID3_LAST, NCTL_HCR, HCR_EL2_TID3, false, NESTED_L2_TO_VEL2, 0, NDIR_ANY, 0 },
    /* SGI generation: with HCR_EL2.IMO (Group 1) or FMO (Group 0) set, EL1's
     * writes trap to EL2 (GICv3), which sends them as its guest's SGIs. */
    { EC_SYS64, SYS_ICC_SGI1R_EL1, SYS_ICC_ASGI1R_EL1,
      NCTL_HCR, HCR_EL2_IMO, false, NESTED_L2_TO_VEL2, 0, NDIR_ANY, 0 },
    { EC_SYS64, ONE(SYS_ICC_SGI0R_EL1), NCTL_HCR, HCR_EL2_FMO, false, NESTED_L2_TO_VEL2, 0, NDIR_ANY, 0 },
    /* The EL1 physical counter (CNTPCT_EL0, CNTPCTSS_EL0, its
     * self-synchronized view) and timer, the virtual ones. CNTHCTL_EL2
     * (E2H = 1 with TGE = 0, or E2H = 0 normalized): EL1PCTEN and EL1PTEN
     * enable, ECV's EL1TVCT and EL1TVT trap. */
    { EC_SYS64, ONE(SYS_CNTPCT_EL0), NCTL_CNTHCTL, NESTED_CNTHCTL_EL1PCTEN, true, NESTED_L2_TO_VEL2, 0, NDIR_ANY, 0 },
    { EC_SYS64, ONE(SYS_CNTPCTSS_EL0), NCTL_CNTHCTL, NESTED_CNTHCTL_EL1PCTEN, true, NESTED_L2_TO_VEL2, 0, NDIR_ANY, 0 },
    { EC_SYS64, SYS_CNTP_TVAL_EL0, SYS_CNTP_CVAL_EL0,
      NCTL_CNTHCTL, NESTED_CNTHCTL_EL1PTEN, true, NESTED_L2_TO_VEL2, 0, NDIR_ANY, 0 },
    { EC_SYS64, ONE(SYS_CNTVCT_EL0), NCTL_CNTHCTL, NESTED_CNTHCTL_EL1TVCT, false, NESTED_L2_TO_VEL2, 0, NDIR_ANY, 0 },
    { EC_SYS64, ONE(SYS_CNTVCTSS_EL0), NCTL_CNTHCTL, NESTED_CNTHCTL_EL1TVCT, false, NESTED_L2_TO_VEL2, 0, NDIR_ANY, 0 },
    { EC_SYS64, SYS_CNTV_TVAL_EL0, SYS_CNTV_CVAL_EL0,
      NCTL_CNTHCTL, NESTED_CNTHCTL_EL1TVT, false, NESTED_L2_TO_VEL2, 0, NDIR_ANY, 0 },
    { EC_SYS64, K_DBG_CRN0_FIRST, SYS_DBGWCR15_EL1, NCTL_MDCR, MDCR_EL2_TDA, false, NESTED_L2_TO_VEL2, 0, NDIR_ANY, 0 },
    { EC_SYS64, SYS_DBGCLAIMSET_EL1, SYS_DBGAUTHSTATUS_EL1,
      NCTL_MDCR, MDCR_EL2_TDA, false, NESTED_L2_TO_VEL2, 0, NDIR_ANY, 0 },
    { EC_SYS64, SYS_MDCCSR_EL0, SYS_DBGDTRRX_EL0, NCTL_MDCR, MDCR_EL2_TDA, false, NESTED_L2_TO_VEL2, 0, NDIR_ANY, 0 },
    { EC_SYS64, SYS_OSLAR_EL1, SYS_DBGPRCR_EL1, NCTL_MDCR, MDCR_EL2_TDOSA, false, NESTED_L2_TO_VEL2, 0, NDIR_ANY, 0 },
    { EC_SYS64, ONE(SYS_MDRAR_EL1), NCTL_MDCR, MDCR_EL2_TDRA, false, NESTED_L2_TO_VEL2, 0, NDIR_ANY, 0 },
    /* HCR_EL2.TVM (writes) and TRVM (reads): the EL1 virtual-memory controls,
     * SCTLR, TTBR0, TTBR1, TCR, ESR, FAR, AFSR0, AFSR1, MAIR, AMAIR and
     * CONTEXTIDR (features elvisor hides add none: TCR2, PIR, POR). */
    HCR_VM_REG(SYS_SCTLR_EL1, SYS_SCTLR_EL1),
    HCR_VM_REG(SYS_TTBR0_EL1, SYS_TCR_EL1),
    HCR_VM_REG(SYS_AFSR0_EL1, SYS_AFSR1_EL1),
    HCR_VM_REG(SYS_ESR_EL1, SYS_ESR_EL1),
    HCR_VM_REG(SYS_FAR_EL1, SYS_FAR_EL1),
    HCR_VM_REG(SYS_MAIR_EL1, SYS_MAIR_EL1),
    HCR_VM_REG(SYS_AMAIR_EL1, SYS_AMAIR_EL1),
    HCR_VM_REG(SYS_CONTEXTIDR_EL1, SYS_CONTEXTIDR_EL1),
    /* HCR_EL2.TID2: CTR_EL0, CCSIDR_EL1, CLIDR_EL1, CCSIDR2_EL1 (op1 1,
     * op2 0..2; AIDR at op2 7 is TID1's), CSSELR_EL1. */
    HCR_SYS(SYS_CTR_EL0, SYS_CTR_EL0, HCR_EL2_TID2, NDIR_ANY),
    HCR_SYS(SYS_CCSIDR_EL1, SYS_CCSIDR2_EL1, HCR_EL2_TID2, NDIR_ANY),
    HCR_SYS(SYS_CSSELR_EL1, SYS_CSSELR_EL1, HCR_EL2_TID2, NDIR_ANY),
    /* HCR_EL2.TID1: REVIDR_EL1 and AIDR_EL1, and SMIDR_EL1 with FEAT_SME;
     * TID5: GMID_EL1 with FEAT_MTE2. SME and MTE are hidden from every VM
     * (trap/id_regs.c), and a feature ID register a PE does not implement
     * is UNDEFINED (with FEAT_IDST reported as EC 0x18 at EL1), which has
     * priority over a trap of it (Arm ARM). */
    HCR_SYS(SYS_REVIDR_EL1, SYS_REVIDR_EL1, HCR_EL2_TID1, NDIR_ANY),
    HCR_SYS(SYS_AIDR_EL1, SYS_AIDR_EL1, HCR_EL2_TID1, NDIR_ANY),
    { EC_SYS64, ONE(SYS_SMIDR_EL1), NCTL_ALWAYS, 0, false, NESTED_L2_ID_UNDEF, 0, NDIR_ANY, 0 },
    { EC_SYS64, ONE(SYS_GMID_EL1), NCTL_ALWAYS, 0, false, NESTED_L2_ID_UNDEF, 0, NDIR_ANY, 0 },
    /* The PMU's registers, UNDEFINED in its guest without a line of
     * elvisor's: the guest hypervisor, which would have told, never sees
     * them (a plain VM's accesses are still named, trap/sysreg_emul.c). */
    { EC_SYS64, K_PMU_FIRST, K_PMU_LAST, NCTL_ALWAYS, 0, false, NESTED_L2_UNDEF, 0, NDIR_ANY, 0 },
    { EC_SYS64, K_PMEV_FIRST, K_PMEV_LAST, NCTL_ALWAYS, 0, false, NESTED_L2_UNDEF, 0, NDIR_ANY, 0 },
    { EC_SYS64, K_PMINTEN_FIRST, K_PMINTEN_LAST, NCTL_ALWAYS, 0, false, NESTED_L2_UNDEF, 0, NDIR_ANY, 0 },
    /* HCR_EL2.TACR: ACTLR_EL1. */
    HCR_SYS(SYS_ACTLR_EL1, SYS_ACTLR_EL1, HCR_EL2_TACR, NDIR_ANY),
    HCR_SYS(K_DC_ISW, K_DC_ISW, HCR_EL2_TSW, NDIR_ANY),
    HCR_SYS(K_DC_CSW, K_DC_CSW, HCR_EL2_TSW, NDIR_ANY),
    HCR_SYS(K_DC_CISW, K_DC_CISW, HCR_EL2_TSW, NDIR_ANY),
    /* HCR_EL2.TLOR: LORSA, LOREA, LORN, LORC, LORID (op2 4..6 unallocated). */
    HCR_SYS(SYS_LORSA_EL1, SYS_LORID_EL1, HCR_EL2_TLOR, NDIR_ANY),
    HCR_SYS(K_DC_IVAC, K_DC_IVAC, HCR_EL2_TPCP, NDIR_ANY),
    HCR_SYS(K_DC_CVAC, K_DC_CVAC, HCR_EL2_TPCP, NDIR_ANY),
    HCR_SYS(K_DC_CVAP, K_DC_CVAP, HCR_EL2_TPCP, NDIR_ANY),
    HCR_SYS(K_DC_CVADP, K_DC_CVADP, HCR_EL2_TPCP, NDIR_ANY),
    HCR_SYS(K_DC_CIVAC, K_DC_CIVAC, HCR_EL2_TPCP, NDIR_ANY),
    HCR_SYS(K_IC_IALLUIS, K_IC_IALLUIS, HCR_EL2_TPU, NDIR_ANY),
    HCR_SYS(K_IC_IALLU, K_IC_IALLU, HCR_EL2_TPU, NDIR_ANY),
    HCR_SYS(K_IC_IVAU, K_IC_IVAU, HCR_EL2_TPU, NDIR_ANY),
    HCR_SYS(K_DC_CVAU, K_DC_CVAU, HCR_EL2_TPU, NDIR_ANY),
    HCR_SYS(K_TLBI_EL1_FIRST, K_TLBI_EL1_LAST, HCR_EL2_TTLB, NDIR_ANY),
    CPTR_SYS(SYS_CPACR_EL1, SYS_CPACR_EL1, NESTED_CPTR_TCPAC, 0),
    CPTR_SYS(K_AMU_FIRST, K_AMU_LAST, NESTED_CPTR_TAM, NESTED_OFFERS_AMU),
    CPTR_SYS(K_TRACE_FIRST, K_TRACE_LAST, NESTED_CPTR_TTA, NESTED_OFFERS_TRACE),
    HCR_IMPDEF(K_IMPDEF_SYS),
    HCR_IMPDEF(K_IMPDEF_REG),
    /* ICH_HCR_EL2's traps of the virtual CPU interface (GICv3): TC the common
     * registers (PMR; DIR, RPR, SGI1R, ASGI1R, SGI0R; CTLR), TALL0 Group 0's
     * (IAR0, EOIR0, HPPIR0, BPR0, AP0R0..3; IGRPEN0), TALL1 Group 1's (AP1R0..3;
     * IAR1, EOIR1, HPPIR1, BPR1; IGRPEN1), TDIR DIR alone. */
    ICH_SYS(SYS_ICC_PMR_EL1, SYS_ICC_PMR_EL1, NESTED_ICH_HCR_TC),
    ICH_SYS(SYS_ICC_DIR_EL1, SYS_ICC_DIR_EL1, NESTED_ICH_HCR_TC),
    ICH_SYS(SYS_ICC_RPR_EL1, SYS_ICC_SGI0R_EL1, NESTED_ICH_HCR_TC),
    ICH_SYS(SYS_ICC_CTLR_EL1, SYS_ICC_CTLR_EL1, NESTED_ICH_HCR_TC),
    ICH_SYS(SYS_ICC_DIR_EL1, SYS_ICC_DIR_EL1, NESTED_ICH_HCR_TDIR),
    ICH_SYS(SYS_ICC_IAR0_EL1, SYS_ICC_AP0R3_EL1, NESTED_ICH_HCR_TALL0),
    ICH_SYS(SYS_ICC_IGRPEN0_EL1, SYS_ICC_IGRPEN0_EL1, NESTED_ICH_HCR_TALL0),
    ICH_SYS(SYS_ICC_AP1R0_EL1, SYS_ICC_AP1R3_EL1, NESTED_ICH_HCR_TALL1),
    ICH_SYS(SYS_ICC_IAR1_EL1, SYS_ICC_BPR1_EL1, NESTED_ICH_HCR_TALL1),
    ICH_SYS(SYS_ICC_IGRPEN1_EL1, SYS_ICC_IGRPEN1_EL1, NESTED_ICH_HCR_TALL1),
};
#define NR_FWD  (sizeof(fwd_table) / sizeof(fwd_table[0]))

static bool row_holds(const struct nested_fwd *r, const struct nested_ctls *c)
{
    uint64_t reg;

    if ((r->needs & c->offered) != r->needs)
        return false;
    switch (r->ctl) {
    case NCTL_HCR:
        reg = c->hcr;
        break;
    case NCTL_CNTHCTL:
        reg = c->cnthctl;
        break;
    case NCTL_MDCR:
        reg = nested_mdcr_traps(c->mdcr);
        break;
    case NCTL_ICH_HCR:
        reg = c->ich_hcr;
        break;
    case NCTL_CPTR:
        reg = c->cptr;
        break;
    case NCTL_ALWAYS:
    default:
        return true;
    }
    return r->when_clear ? !(reg & r->bit) : (reg & r->bit) != 0;
}

static bool row_matches(const struct nested_fwd *r, uint64_t esr, uint32_t key)
{
    bool is_read = (esr & ESR_SYS_READ_BIT) != 0;

    if (r->ec != ESR_EC(esr))
        return false;
    if (r->key_mask)
        key &= r->key_mask;
    if (key < r->lo || key > r->hi)
        return false;
    return r->dir == NDIR_ANY || (r->dir == NDIR_READ) == is_read;
}

enum nested_l2_exit nested_l2_exit_kind_scan(uint64_t esr, const struct nested_ctls *c)
{
    uint32_t key = syndrome_key(esr);

    for (unsigned i = 0; i < NR_FWD; i++) {
        const struct nested_fwd *r = &fwd_table[i];
        if (row_matches(r, esr, key) && row_holds(r, c))
            return r->kind;
    }
    return NESTED_L2_ELVISOR;
}

/* An index of the register rows (EC 0x18, most of the table), so that a
 * register access of L2 looks only at the rows that can match it: a slot
 * per op0:op1:CRn of the key, holding every row that can match in it (a
 * key range may span several slots; a masked range is tested against each
 * slot's op0:op1:CRn). The slots keep the table's order, so the first
 * candidate that matches is the row a scan of the whole table finds (host
 * test: test_nested_fwd test_index_agrees_with_scan). The other exits'
 * rows are the first of the table: they are scanned. Built once, when the
 * first vEL2 VM is created (nested_vm_attach; a host test's first lookup
 * builds it too); a table too large for it keeps the scan. */
#define KEY_SLOT_SHIFT      SYSREG_KEY_CRN_SHIFT
#define KEY_SLOT_LOW        ((1u << KEY_SLOT_SHIFT) - 1)
#define NR_SLOTS            (1u << (16 - KEY_SLOT_SHIFT))
#define INDEX_MAX           2048u

_Static_assert(NR_FWD <= 255, "row numbers are bytes");

enum { INDEX_NONE, INDEX_BUILDING, INDEX_READY, INDEX_SCAN };
static int index_state;
static uint16_t slot_start[NR_SLOTS + 1];
static uint8_t slot_rows[INDEX_MAX];

static bool row_in_slot(const struct nested_fwd *r, unsigned slot)
{
    uint32_t base = slot << KEY_SLOT_SHIFT;

    if (r->ec != EC_SYS64)
        return false;
    if (r->key_mask) {
        if (r->key_mask & KEY_SLOT_LOW)
            return true;            /* depends on CRm/op2: every slot */
        return (base & r->key_mask) >= r->lo && (base & r->key_mask) <= r->hi;
    }
    return slot >= (r->lo >> KEY_SLOT_SHIFT) && slot <= (r->hi >> KEY_SLOT_SHIFT);
}

static int build_index(void)
{
    unsigned n = 0;

    for (unsigned slot = 0; slot < NR_SLOTS; slot++) {
        slot_start[slot] = (uint16_t)n;
        for (unsigned i = 0; i < NR_FWD; i++) {
            if (!row_in_slot(&fwd_table[i], slot))
                continue;
            if (n == INDEX_MAX)
                return INDEX_SCAN;
            slot_rows[n++] = (uint8_t)i;
        }
    }
    slot_start[NR_SLOTS] = (uint16_t)n;
    return INDEX_READY;
}

static int __attribute__((noinline)) index_build_once(void)
{
    int st, none = INDEX_NONE;

    if (__atomic_compare_exchange_n(&index_state, &none, INDEX_BUILDING, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE)) {
        st = build_index();
        __atomic_store_n(&index_state, st, __ATOMIC_RELEASE);
        return st;
    }
    while ((st = __atomic_load_n(&index_state, __ATOMIC_ACQUIRE)) < INDEX_READY)
        ;
    return st;
}

static inline int index_ready(void)
{
    int st = __atomic_load_n(&index_state, __ATOMIC_ACQUIRE);

    return st >= INDEX_READY ? st : index_build_once();
}

/* Out of line, so that the other exits' way through nested_l2_exit_kind()
 * sets up no frame for it. */
static enum nested_l2_exit __attribute__((noinline)) sysreg_kind(uint64_t esr, const struct nested_ctls *c)
{
    uint32_t key = esr_sysreg_key(esr);
    unsigned slot = key >> KEY_SLOT_SHIFT;

    if (index_ready() != INDEX_READY)
        return nested_l2_exit_kind_scan(esr, c);
    for (unsigned j = slot_start[slot]; j < slot_start[slot + 1]; j++) {
        const struct nested_fwd *r = &fwd_table[slot_rows[j]];
        if (row_matches(r, esr, key) && row_holds(r, c))
            return r->kind;
    }
    return NESTED_L2_ELVISOR;
}

enum nested_l2_exit nested_l2_exit_kind(uint64_t esr, const struct nested_ctls *c)
{
    if (ESR_EC(esr) != EC_SYS64)
        return nested_l2_exit_kind_scan(esr, c);
    return sysreg_kind(esr, c);
}

bool nested_fwd_indexed(void)
{
    return index_ready() == INDEX_READY;
}

/* MDCR_EL2.TDE makes TDA, TDOSA and TDRA behave as 1 (Arm ARM). */
uint64_t nested_mdcr_traps(uint64_t mdcr)
{
    uint64_t traps = MDCR_EL2_TDA | MDCR_EL2_TDOSA | MDCR_EL2_TDRA;

    return (mdcr & MDCR_EL2_TDE) ? traps : mdcr & traps;
}

/* CNTHCTL_EL2 with E2H = 0 has EL1PCTEN and EL1PCEN at bits 0 and 1, and
 * no EL0 controls; the rest (EVNT*, ECV's bits) sit as with E2H = 1. */
#define CNTHCTL_E2H0_EL1PCTEN   BIT(0)
#define CNTHCTL_E2H0_EL1PCEN    BIT(1)
#define CNTHCTL_EL0_BITS        (GENMASK(1, 0) | GENMASK(9, 8))

uint64_t nested_cnthctl_e2h1(uint64_t cnthctl, bool e2h)
{
    if (e2h)
        return cnthctl;
    return (cnthctl & ~(CNTHCTL_EL0_BITS | NESTED_CNTHCTL_EL1PCTEN | NESTED_CNTHCTL_EL1PTEN)) |
           ((cnthctl & CNTHCTL_E2H0_EL1PCTEN) ? NESTED_CNTHCTL_EL1PCTEN : 0) |
           ((cnthctl & CNTHCTL_E2H0_EL1PCEN) ? NESTED_CNTHCTL_EL1PTEN : 0);
}
