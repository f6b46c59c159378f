/* Hypervisor-wide facts about the CPU mode elvisor runs in. */
#ifndef ELVISOR_ARCH_HYP_H
#define ELVISOR_ARCH_HYP_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/arm64/cpu_features.h"

/* True when elvisor runs with HCR_EL2.E2H = 1 (VHE). Set once at boot. */
extern bool hyp_vhe;
extern struct cpu_features hyp_features;
/* True without CNTPOFF_EL2: EL1 accesses to the physical counter and timer
 * trap and are emulated with the VM's offset (docs/vtimer.md). */
extern bool hyp_ptimer_emulated;

/* Per-CPU EL2 setup: exception vectors, MMU with elvisor's identity map,
 * traps that never change, GIC system-register access. */
void hyp_cpu_init(void);

/* Reads the ID registers and picks VHE or nVHE (once, on the boot CPU). */
void hyp_features_probe(bool want_nvhe);

/* On the boot CPU after hyp_cpu_init(), before the others start: falls
 * back to emulating the physical counter and timer if CNTPOFF_EL2, though
 * implemented, does not offset them (SCR_EL3.ECVEn clear, as on QEMU). */
void hyp_check_cntpoff(void);

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
void hyp_floor_enter(void);
uint64_t guest_enter(void *regs, guest_sync_hook on_sync);

#endif
