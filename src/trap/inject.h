/* Exceptions elvisor delivers to a guest's EL1, as the hardware would. */
#ifndef ELVISOR_TRAP_INJECT_H
#define ELVISOR_TRAP_INJECT_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/arm64/sysreg.h"

struct vcpu;

/* Exceptions in a row at the vector the previous one entered, after which
 * the vCPU's VM is stopped (inject.c); each costs a few thousand
 * instructions, so the limit is reached within milliseconds. */
#define INJECT_LOOP_LIMIT   1000

/* So many exceptions injected into one VM within STORM_WINDOW_MS is a
 * storm worth a (rate-limited) line naming the VM: a handler that returns
 * to the instruction that faulted, a guest stuck on a register it may not
 * use. It costs only that VM's CPU time, so nothing else is done. */
#define STORM_EXCEPTIONS    10000
#define STORM_WINDOW_MS     5000

/* Vector table offsets (Arm ARM D1.10.2). */
#define VECTOR_CUR_SP0      0x000
#define VECTOR_CUR_SPX      0x200
#define VECTOR_LOWER_A64    0x400
#define VECTOR_LOWER_A32    0x600

/* Where in the vector table a synchronous exception taken from the given
 * PSTATE lands, the target being EL1 (a vEL2 guest's hyp context runs at
 * EL1 too: EL1h is its EL2h). */
static inline uint64_t exc_vector_offset(uint64_t pstate)
{
    uint64_t mode = pstate & PSR_MODE_MASK;

    /* AArch32 is possible at EL0 only (HCR_EL2.RW keeps EL1 AArch64). */
    if (pstate & PSR_MODE32)
        return VECTOR_LOWER_A32;
    return mode == PSR_MODE_EL0t ? VECTOR_LOWER_A64 : mode == PSR_MODE_EL1t ? VECTOR_CUR_SP0 : VECTOR_CUR_SPX;
}

/* What the PE's PSTATE becomes when it takes an exception to EL1h (or a
 * vEL2 guest's EL2h, which is EL1h in hardware), from the PSTATE it left
 * and the target's SCTLR (Arm ARM, AArch64.TakeException): DAIF masked,
 * PAN set unless SCTLR.SPAN says to keep it, SSBS taken from
 * SCTLR.DSSBS, DIT and the flags kept, UAO, BTYPE, SS and IL cleared.
 * MTE is never offered to guests, so TCO stays clear. */
static inline uint64_t exc_entry_pstate(uint64_t old, uint64_t sctlr, bool has_pan, bool has_ssbs)
{
    uint64_t pstate = PSR_MODE_EL1h | PSR_DAIF | (old & (PSR_NZCV | PSR_DIT));

    if (has_pan)
        pstate |= (sctlr & SCTLR_EL1_SPAN) ? (old & PSR_PAN) : PSR_PAN;
    if (has_ssbs && (sctlr & SCTLR_EL1_DSSBS))
        pstate |= PSR_SSBS;
    return pstate;
}

/* An undefined-instruction exception for the instruction at the PC. */
void inject_undef(struct vcpu *v);
/* A synchronous external abort on the data access (or instruction fetch)
 * that faulted at virtual address va. */
void inject_dabt_sea(struct vcpu *v, uint64_t va, bool is_write);
void inject_iabt_sea(struct vcpu *v, uint64_t va);
/* A read of a feature ID register the VM does not have (op0 3, op1 0, 1
 * or 3, CRn 0, CRm 0..7: Arm ARM, UnimplementedIDRegister): UNDEFINED,
 * reported with its own syndrome (EC 0x18, esr as trapped) under FEAT_IDST,
 * which a VM sees as the CPU has it. */
void inject_id_space_undef(struct vcpu *v, uint64_t esr);
/* An HVC that the guest's own virtual EL2 must take (vEL2 guests only):
 * ELR = the instruction after it, as the vCPU's PC already is. */
void inject_hvc(struct vcpu *v, uint16_t imm);

#endif
