/* What the physical CPU offers for virtualization, decoded once at boot
 * from the ID registers. The decode is pure so host tests cover the whole
 * VH x E2H0 matrix. */
#ifndef ELVISOR_ARCH_CPU_FEATURES_H
#define ELVISOR_ARCH_CPU_FEATURES_H

#include <stdbool.h>
#include <stdint.h>

struct cpu_id_regs {
    uint64_t pfr0, pfr1, mmfr0, mmfr1, mmfr2, mmfr4, isar1, isar2, dfr0, midr;
};

enum e2h_policy {
    E2H_NO_VHE,        /* ID_AA64MMFR1_EL1.VH == 0: nVHE only */
    E2H_SWITCHABLE,    /* VHE present and HCR_EL2.E2H may be 0 or 1 */
    E2H_FORCED_VHE,    /* ID_AA64MMFR4_EL1.E2H0 negative: HCR_EL2.E2H is RES1 */
};

struct cpu_features {
    enum e2h_policy e2h;
    int e2h0;               /* signed E2H0 field */
    unsigned nv;            /* 0 none, 1 FEAT_NV, 2 FEAT_NV2 */
    unsigned ecv;           /* 0 none, 1 ECV, 2 ECV with CNTPOFF (ID_AA64MMFR0_EL1_ECV_CNTPOFF) */
    bool fgt;
    unsigned vmid_bits;     /* 8 or 16 */
    unsigned pa_bits;       /* from PARange */
    unsigned parange;       /* raw field, for VTCR_EL2.PS */
    unsigned gic_sysreg;    /* ID_AA64PFR0_EL1.GIC: 0 none, 1 v3.0/4.0, 3 v4.1 */
    bool sve, sme, mte, amu, pauth;
    bool pan;               /* FEAT_PAN: PSTATE.PAN, SCTLR_ELx.SPAN */
    bool ssbs;              /* FEAT_SSBS: PSTATE.SSBS, SCTLR_ELx.DSSBS */
    unsigned brps, wrps;    /* breakpoints, watchpoints (1..DBG_MAX_POINTS) */
    bool pmu;               /* an Arm PMU: PMCR_EL0 and MDCR_EL2.HPMN exist */
    bool hcx;               /* FEAT_HCX: HCRX_EL2 exists */
    bool mops;              /* FEAT_MOPS: the CPY* and SET* instructions */
    bool idst;              /* FEAT_IDST: an absent feature ID register reads as a trap, EC 0x18 */
};

void cpu_features_decode(const struct cpu_id_regs *id, struct cpu_features *f);

/* Picks VHE or nVHE: VHE where the CPU has it unless nVHE was asked for,
 * and VHE regardless when E2H cannot be cleared. */
bool cpu_features_use_vhe(const struct cpu_features *f, bool want_nvhe);

/* CNTPOFF_EL2 can offset the EL1 physical counter and timer in hardware. */
bool cpu_features_has_cntpoff(const struct cpu_features *f);

const char *cpu_features_e2h_name(enum e2h_policy p);

#endif
