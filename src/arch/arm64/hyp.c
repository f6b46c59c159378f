/* EL2 configuration of each physical CPU: VHE or nVHE, elvisor's own MMU,
 * and the traps and controls that are the same for every guest. */
#include "arch/arm64/hyp.h"
#include "arch/arm64/el1_timer.h"
#include "arch/arm64/sysreg.h"
#include "arch/arm64/tlb.h"
#include "lib/log.h"

bool hyp_vhe;
struct cpu_features hyp_features;
bool hyp_ptimer_emulated;
bool hyp_guest_mops;
uint64_t hyp_vtcr;
unsigned hyp_ipa_bits;

extern char hyp_vectors[];
extern char floor_vectors[];

bool hyp_floor_allowed;

/* CPTR_EL2: SVE/SME trapped (not offered to guests), AMU and the System
 * register trace unit trapped (neither is offered: a guest's access is
 * UNDEFINED even on a CPU that has them), and FP/SIMD trapped or not. The
 * FP/SIMD trap also traps EL2 itself (both layouts), so it is off whenever
 * elvisor moves those registers. TAM and TCPAC sit at the same place in
 * both layouts; with E2H the rest has the CPACR_EL1 layout (TTA at 28,
 * not 20). */
void hyp_cptr_trap(bool fp, bool cpacr)
{
    uint64_t tcpac = cpacr ? CPTR_EL2_TCPAC : 0;

    if (hyp_vhe)
        write_sysreg(cptr_el2, (fp ? 0 : SYSREG_ENUM(CPACR_EL1_FPEN, NOTRAP)) | CPACR_EL1_TTA | CPTR_EL2_TAM |
                                   tcpac);
    else
        write_sysreg(cptr_el2, CPTR_EL2_RES1_NVHE | CPTR_EL2_TZ | (fp ? CPTR_EL2_TFP : 0) | CPTR_EL2_TTA |
                                   CPTR_EL2_TAM | tcpac);
    isb();
}

void hyp_fp_trap(bool trap)
{
    hyp_cptr_trap(trap, false);
}

void hyp_floor_enter(void)
{
    /* The ERET back to the guest synchronizes the change. */
    write_sysreg(vbar_el2, (uint64_t)(uintptr_t)floor_vectors);
}

/* elvisor maps the first 512 GiB of physical address space 1:1 with 1 GiB
 * blocks: RAM as normal cacheable memory, the rest as device memory. */
#define HYP_VA_BITS         39
#define HYP_L1_ENTRIES      512
#define GIB                 (1ULL << 30)
#define PTE_VALID           (1ULL << 0)
#define PTE_ATTRIDX(i)      ((uint64_t)(i) << 2)
#define PTE_SH_INNER        (3ULL << 8)
#define PTE_AF              (1ULL << 10)
#define PTE_XN              (3ULL << 53)        /* PXN and UXN */

static uint64_t *hyp_l1;

void hyp_mmu_build(uint64_t *l1_page, uint64_t ram_base, uint64_t ram_size)
{
    hyp_l1 = l1_page;
    for (uint64_t i = 0; i < HYP_L1_ENTRIES; i++) {
        uint64_t pa = i * GIB;
        bool ram = pa + GIB > ram_base && pa < ram_base + ram_size;
        hyp_l1[i] = pa | PTE_VALID | PTE_AF |
                    (ram ? PTE_ATTRIDX(MAIR_IDX_NORMAL) | PTE_SH_INNER
                         : PTE_ATTRIDX(MAIR_IDX_DEVICE) | PTE_XN);
    }
    dsb(ish);
}

static void mmu_enable(void)
{
    uint64_t tcr, sctlr;
    uint64_t ps = hyp_features.parange;

    if (hyp_vhe) {
        /* E2H=1: TCR_EL2 takes the TCR_EL1 layout; TTBR1_EL2 walks are off. */
        tcr = SYSREG_FIELD(TCR_EL1_T0SZ, 64 - HYP_VA_BITS) | SYSREG_ENUM(TCR_EL1_IRGN0, WBWA) |
              SYSREG_ENUM(TCR_EL1_ORGN0, WBWA) | SYSREG_ENUM(TCR_EL1_SH0, INNER) |
              SYSREG_ENUM(TCR_EL1_TG0, 4K) | TCR_EL1_EPD1 | (ps << TCR_EL1_IPS_SHIFT);
        sctlr = SCTLR_EL2_RES1_VHE;
    } else {
        tcr = SYSREG_FIELD(TCR_EL2_T0SZ, 64 - HYP_VA_BITS) | SYSREG_ENUM(TCR_EL2_IRGN0, WBWA) |
              SYSREG_ENUM(TCR_EL2_ORGN0, WBWA) | SYSREG_ENUM(TCR_EL2_SH0, INNER) |
              SYSREG_ENUM(TCR_EL2_TG0, 4K) | TCR_EL2_RES1 | (ps << TCR_EL2_PS_SHIFT);
        sctlr = SCTLR_EL2_RES1_NVHE;
    }
    write_sysreg(mair_el2, MAIR_VALUE);
    write_sysreg(tcr_el2, tcr);
    write_sysreg(ttbr0_el2, (uint64_t)(uintptr_t)hyp_l1);
    isb();
    tlbi(alle2);
    dsb(ish);
    isb();
    write_sysreg(sctlr_el2, sctlr | SCTLR_EL2_M | SCTLR_EL2_C | SCTLR_EL2_I | SCTLR_EL2_SA);
    isb();
}

/* With a 4 KiB granule a stage-2 walk may start at level 0 only when the
 * PA size is 44 bits or more (Arm ARM, VTCR_EL2.SL0); below that, 40 to 42
 * bits would need concatenated level-1 tables. A VM's IPA space is kept to
 * 39 bits there instead: one level-1 table, 512 GiB for RAM and devices. */
#define S2_L0_START_MIN_PA_BITS 44
#define S2_L1_START_MAX_IPA_BITS 39

static void compute_vtcr(void)
{
    unsigned ipa = hyp_features.pa_bits > 48 ? 48 : hyp_features.pa_bits;
    unsigned sl0;

    if (ipa > S2_L1_START_MAX_IPA_BITS && hyp_features.pa_bits < S2_L0_START_MIN_PA_BITS)
        ipa = S2_L1_START_MAX_IPA_BITS;
    sl0 = ipa > S2_L1_START_MAX_IPA_BITS ? 2 : 1;

    hyp_ipa_bits = ipa;
    hyp_vtcr = SYSREG_FIELD(VTCR_EL2_T0SZ, 64 - ipa) | ((uint64_t)sl0 << VTCR_EL2_SL0_SHIFT) |
               SYSREG_ENUM(VTCR_EL2_IRGN0, WBWA) | SYSREG_ENUM(VTCR_EL2_ORGN0, WBWA) |
               SYSREG_ENUM(VTCR_EL2_SH0, INNER) | SYSREG_ENUM(VTCR_EL2_TG0, 4K) |
               ((uint64_t)(hyp_features.parange > 5 ? 5 : hyp_features.parange) << VTCR_EL2_PS_SHIFT) |
               (hyp_features.vmid_bits == 16 ? VTCR_EL2_VS : 0) | VTCR_EL2_RES1;
}

void hyp_cpu_init(void)
{
    /* Without a PMU (a VM of elvisor itself, for one) PMCR_EL0 is UNDEFINED. */
    uint64_t pmcr_n = hyp_features.pmu ? (read_sysreg(pmcr_el0) >> 11) & 0x1f : 0;

    write_sysreg(hcr_el2, (hyp_vhe ? HCR_EL2_E2H : 0) | HCR_EL2_RW);
    isb();
    write_sysreg(vbar_el2, (uint64_t)(uintptr_t)hyp_vectors);
    mmu_enable();

    hyp_fp_trap(false);
    write_sysreg(cnthctl_el2, hyp_cnthctl(0));
    /* Guests get no PMU yet: accesses trap and are refused. */
    write_sysreg(mdcr_el2, MDCR_EL2_TPM | MDCR_EL2_TPMCR | pmcr_n);
    write_sysreg(cntvoff_el2, 0);
    if (!hyp_ptimer_emulated)
        write_sysreg_s(SYS_CNTPOFF_EL2, 0);
    write_sysreg(vtcr_el2, hyp_vtcr);
    write_sysreg(vttbr_el2, 0);
    tlb_flush_guests_local();
    if (hyp_features.fgt) {
        write_sysreg_s(SYS_HFGRTR_EL2, 0);
        write_sysreg_s(SYS_HFGWTR_EL2, 0);
        write_sysreg_s(SYS_HFGITR_EL2, 0);
        write_sysreg_s(SYS_HDFGRTR_EL2, 0);
        write_sysreg_s(SYS_HDFGWTR_EL2, 0);
    }
    /* Linux's boot protocol asks a hypervisor that offers FEAT_MOPS to take
     * the instructions' exceptions itself (MCE2): the guest may not be able
     * to restart a copy at every point where one can stop. */
    if (hyp_features.hcx)
        write_sysreg_s(SYS_HCRX_EL2, hyp_guest_hcrx());
    /* elvisor's own EL2 physical timer stays off until the scheduler needs it. */
    write_sysreg(cnthp_ctl_el2, 0);
    isb();
}

void hyp_features_probe(bool want_nvhe)
{
    struct cpu_id_regs id = {
        .pfr0 = read_sysreg(id_aa64pfr0_el1),
        .pfr1 = read_sysreg(id_aa64pfr1_el1),
        .mmfr0 = read_sysreg(id_aa64mmfr0_el1),
        .mmfr1 = read_sysreg(id_aa64mmfr1_el1),
        .mmfr2 = read_sysreg_s(SYS_ID_AA64MMFR2_EL1),
        .mmfr4 = read_sysreg_s(SYS_ID_AA64MMFR4_EL1),
        .isar1 = read_sysreg(id_aa64isar1_el1),
        .isar2 = read_sysreg_s(SYS_ID_AA64ISAR2_EL1),
        .dfr0 = read_sysreg(id_aa64dfr0_el1),
        .midr = read_sysreg(midr_el1),
    };

    cpu_features_decode(&id, &hyp_features);
    hyp_vhe = cpu_features_use_vhe(&hyp_features, want_nvhe);
    hyp_ptimer_emulated = !cpu_features_has_cntpoff(&hyp_features);
    hyp_guest_mops = hyp_features.hcx && hyp_features.mops;
    /* A CPU that came out of reset with E2H set and cannot clear it. */
    if (!hyp_vhe && (read_sysreg(hcr_el2) & HCR_EL2_E2H) && hyp_features.e2h != E2H_SWITCHABLE)
        hyp_vhe = true;
    compute_vtcr();
}

/* An offset of 2^63 puts the EL1 view of the count half the counter range
 * away from the hardware's, so a compare value 2^40 ticks ahead of the
 * hardware count is met only if the offset applies. Nothing uses the EL1
 * physical timer yet, and IMASK keeps its interrupt off. */
#define CNTPOFF_PROBE_OFFSET    (1ULL << 63)
#define CNTPOFF_PROBE_AHEAD     (1ULL << 40)

void hyp_check_cntpoff(void)
{
    bool applied;

    if (hyp_ptimer_emulated)
        return;
    write_sysreg_s(SYS_CNTPOFF_EL2, CNTPOFF_PROBE_OFFSET);
    el1_ptimer_set_cval(hw_cntpct() + CNTPOFF_PROBE_AHEAD);
    el1_ptimer_set_ctl(CNTx_CTL_ENABLE | CNTx_CTL_IMASK);
    isb();
    applied = el1_ptimer_ctl() & CNTx_CTL_ISTATUS;
    el1_ptimer_set_ctl(0);
    write_sysreg_s(SYS_CNTPOFF_EL2, 0);
    if (!applied) {
        log_info("CNTPOFF_EL2 does not offset the EL1 physical timer (SCR_EL3.ECVEn clear?): "
                 "emulating the guest physical counter and timer instead");
        hyp_ptimer_emulated = true;
        write_sysreg(cnthctl_el2, hyp_cnthctl(0));
    }
    isb();
}
