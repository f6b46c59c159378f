/* Hypervisor-wide facts about the CPU mode elvisor runs in. */
#ifndef ELVISOR_ARCH_HYP_H
#define ELVISOR_ARCH_HYP_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/arm64/cpu_features.h"
#include "arch/arm64/sysreg.h"

/* True when elvisor runs with HCR_EL2.E2H = 1 (VHE). Set once at boot. */
extern bool hyp_vhe;
extern struct cpu_features hyp_features;
/* True without CNTPOFF_EL2: EL1 accesses to the physical counter and timer
 * trap and are emulated with the VM's offset (docs/vtimer.md). */
extern bool hyp_ptimer_emulated;
/* True when guests get FEAT_MOPS: the CPU has it and HCRX_EL2, so that
 * elvisor can enable the instructions at EL1 and take their exceptions
 * (arch/arm64/mops.h). */
extern bool hyp_guest_mops;
/* HCRX_EL2 while any guest runs (with FEAT_HCX): MOPS on and its
 * exceptions taken to EL2 where guests get MOPS. */
static inline uint64_t hyp_guest_hcrx(void)
{
    return hyp_guest_mops ? HCRX_EL2_MSCEn | HCRX_EL2_MCE2 : 0;
}

/* Per-CPU EL2 setup: exception vectors, MMU with elvisor's identity map,
 * traps that never change, GIC system-register access. */
void hyp_cpu_init(void);

/* Reads the ID registers and picks VHE or nVHE (once, on the boot CPU). */
void hyp_features_probe(bool want_nvhe);

/* On the boot CPU after hyp_cpu_init(), before the others start: falls
 * back to emulating the physical counter and timer if CNTPOFF_EL2, though
 * implemented, does not offset them (SCR_EL3.ECVEn clear, as on QEMU). */
void hyp_check_cntpoff(void);

/* CNTHCTL_EL2 as elvisor runs its guests with, and the EL1 timer and
 * counter accesses in traps trapped on top (the virtual ones need FEAT_ECV).
 * A guest's physical counter must count from its VM's boot like the virtual
 * one (docs/vtimer.md): CNTPOFF_EL2 does it in hardware when the CPU has it
 * (ECV set), otherwise EL1's physical counter and timer accesses trap
 * (EL1PCTEN, EL1PCEN clear) and are emulated. With VHE, EL0PCTEN/EL0VCTEN
 * govern EL0 of the EL2&0 regime (TGE = 1), which elvisor never uses: left
 * open. EL1TVT and EL1TVCT sit at the same bits in both layouts. Inline:
 * only the hypervisor's globals, so the host tests' fake arch has it too. */
#define HYP_TRAP_EL1_PCT    1u      /* CNTPCT_EL0, CNTPCTSS_EL0 */
#define HYP_TRAP_EL1_PT     2u      /* CNTP_{CTL,CVAL,TVAL}_EL0 */
#define HYP_TRAP_EL1_VT     4u      /* CNTV_{CTL,CVAL,TVAL}_EL0 */
#define HYP_TRAP_EL1_VCT    8u      /* CNTVCT_EL0, CNTVCTSS_EL0 */
#define HYP_TRAP_EL02_TIMERS 16u    /* CNTP/CNTV_CTL/CVAL_EL02 under NV2 (ECV) */
#define HYP_TRAP_EL1_TIMERS (HYP_TRAP_EL1_PCT | HYP_TRAP_EL1_PT | HYP_TRAP_EL1_VT | HYP_TRAP_EL1_VCT)
static inline uint64_t hyp_cnthctl(unsigned traps)
{
    uint64_t pct = hyp_vhe ? CNTHCTL_EL2_E2H1_EL1PCTEN : CNTHCTL_EL2_EL1PCTEN;
    uint64_t pt = hyp_vhe ? CNTHCTL_EL2_E2H1_EL1PTEN : CNTHCTL_EL2_EL1PCEN;
    uint64_t v = hyp_vhe ? CNTHCTL_EL2_E2H1_EL0PCTEN | CNTHCTL_EL2_E2H1_EL0VCTEN : 0;

    if (!hyp_ptimer_emulated)
        v |= pct | pt | CNTHCTL_EL2_ECV;
    if (traps & HYP_TRAP_EL1_PCT)
        v &= ~pct;
    if (traps & HYP_TRAP_EL1_PT)
        v &= ~pt;
    if (traps & HYP_TRAP_EL1_VT)
        v |= CNTHCTL_EL2_EL1TVT;
    if (traps & HYP_TRAP_EL1_VCT)
        v |= CNTHCTL_EL2_EL1TVCT;
    if (traps & HYP_TRAP_EL02_TIMERS)
        v |= CNTHCTL_EL2_EL1NVPCT | CNTHCTL_EL2_EL1NVVCT;
    return v;
}

/* Stage-1 identity map of the physical address space for elvisor itself. */
/* l1_page: a zeroed 4 KiB page for its one table. */
void hyp_mmu_build(uint64_t *l1_page, uint64_t ram_base, uint64_t ram_size);

/* The VTCR_EL2 value every VM shares (IPA size, granule, VMID width). */
extern uint64_t hyp_vtcr;
extern unsigned hyp_ipa_bits;

/* Runs a vCPU from its saved registers until it exits; returns the exit
 * code (asm_offsets.h). on_sync, when not NULL, sees every synchronous exit
 * first, called from the exit path with the guest's registers saved in
 * regs; its EXIT_REENTER resumes the guest at once, any other value it
 * returns (EXIT_SYNC: not handled, EXIT_SYNC_DONE: handled) is returned. */
typedef uint64_t (*guest_sync_hook)(void *regs);
/* The floor of make bench (arch/arm64/smccc.h, ELVISOR_BENCH_FLOOR_ON):
 * allowed by the bench-floor boot option; enter switches this CPU's EL2
 * vectors until the guest's FLOOR_OFF or the next interrupt. */
extern bool hyp_floor_allowed;
/* CPTR_EL2 with FP/SIMD trapped at EL2, EL1 and EL0, or not (SVE, SME and
 * the AMU stay trapped). */
void hyp_fp_trap(bool trap);
/* The same, and EL1's accesses to CPACR_EL1 trapped (TCPAC) or not: a
 * guest hypervisor's trap of its guest's (elvisor's own never wants it). */
void hyp_cptr_trap(bool fp, bool cpacr);
void hyp_floor_enter(void);
uint64_t guest_enter(void *regs, guest_sync_hook on_sync);

#endif
