/* Handling a vCPU's exit to EL2. */
#ifndef ELVISOR_TRAP_EXIT_H
#define ELVISOR_TRAP_EXIT_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

/* exit_code is what guest_enter() returned (EXIT_SYNC, EXIT_IRQ, ...).
 * Returns true for an interrupt exit: the physical interrupts are waiting
 * for the caller, which routes them (run/irq.c). */
bool handle_exit(struct vcpu *v, uint64_t exit_code);
/* The exit fast path, guest_enter()'s on_sync hook (arch/arm64/hyp.h) for
 * a plain vCPU (no v->ext) running on elvisor's list registers. While the
 * vGIC holds nothing in the vCPU's LRs (its view of the vCPU is exact and
 * the hardware LRs are all zero), an exit of a kind the exit table marks
 * fast is handled with the guest's GIC state left in the hardware, and
 * the guest resumes at once (EXIT_REENTER): no LR save, sync, flush or
 * load, no return to the run loop. Physical interrupts stay masked at EL2
 * and end the next run at once. EXIT_SYNC_DONE: handled, but something
 * the run loop decides changed; EXIT_SYNC: not handled (handle_exit()). */
uint64_t exit_fast(void *regs);
/* The same for a vCPU with an extension that names fast exits
 * (exit_is_fast, core/vcpu_ext.h): only those; its sync_exit() first, as
 * handle_exit() does. A separate hook so that the plain one's path does
 * not grow. */
uint64_t exit_fast_ext(void *regs);

/* A data abort at VM IPA ipa (VA far): emulated when it hits a device
 * region, else an external abort injected (also for a guest's guest whose
 * hypervisor's stage 2 led there, src/nested/shadow_s2.c). */
void exit_dabt_at(struct vcpu *v, uint64_t esr, uint64_t far, uint64_t ipa);

/* HPFAR_EL2 holds the IPA of a stage-2 translation or access-flag fault,
 * or of any fault on a stage-1 walk, but need not for a permission fault
 * (Arm ARM; KVM translates FAR again too): the guest's own stage 1, live
 * in the EL1 registers, gives it back (AT S1E1R; PAR_EL1 is the guest's
 * and is kept). False when the guest's tables no longer map the address
 * (another vCPU changed them): the access is then simply retried. */
bool exit_perm_fault_ipa(uint64_t far, uint64_t *ipa);

static inline uint64_t vcpu_get_reg(const struct vcpu *v, unsigned n);
static inline void vcpu_set_reg(struct vcpu *v, unsigned n, uint64_t val);

#include "core/vcpu.h"

/* Register 31 in a syndrome's register field means XZR here, never SP. */
static inline uint64_t vcpu_get_reg(const struct vcpu *v, unsigned n)
{
    return n < 31 ? v->regs.x[n] : 0;
}

static inline void vcpu_set_reg(struct vcpu *v, unsigned n, uint64_t val)
{
    if (n < 31)
        v->regs.x[n] = val;
}

/* Emulation of the trapped instruction is complete: step over it. */
static inline void vcpu_skip_instr(struct vcpu *v)
{
    v->regs.pc += 4;
}

/* The system-register table's entry point (trap/sysreg_emul.c). */
void sysreg_trap(struct vcpu *v, uint64_t esr);

#endif
