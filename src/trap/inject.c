#include "trap/inject.h"

#include "arch/arm64/esr.h"
#include "arch/arm64/hyp.h"
#include "arch/arm64/sysreg.h"
#include "core/vcpu.h"
#include "core/vm.h"
#include "lib/log.h"

static bool from_el0(const struct vcpu *v)
{
    return (v->regs.pstate & PSR_MODE_MASK) == PSR_MODE_EL0t;
}

/* Delivers a synchronous exception to EL1 with the given syndrome. The
 * vCPU's EL1 registers are live in the hardware while its exit is handled.
 * A vCPU in its virtual EL2 takes it the same way (its VBAR_EL2, ELR_EL2,
 * SPSR_EL2 and ESR_EL2 are the hardware EL1 registers then), but its SPSR
 * must say EL2 where the hardware mode is EL1. */
/* The vCPU's handler faults at its own vector entry and elvisor would
 * re-enter it there forever: with D, A, I and F masked by the entry nothing
 * can break the loop, and the real CPU would spin in it just as well. It is
 * the guest's end (an x86 triple fault, for KVM): the VM is stopped, named,
 * and its CPU time goes back to the others. */
static bool exception_loop(struct vcpu *v, uint64_t esr)
{
    if (v->regs.pc != v->inject_vector) {
        v->inject_repeats = 0;
        return false;
    }
    if (++v->inject_repeats < INJECT_LOOP_LIMIT)
        return false;
    log_err("vm %s vcpu %u: exception loop: %u exceptions in a row taken at the vector 0x%llx itself "
            "(ESR 0x%llx): VM stopped", v->vm->cfg->name, v->id, v->inject_repeats,
            (unsigned long long)v->regs.pc, (unsigned long long)esr);
    vm_power_off(v->vm, VM_STOPPED);
    return true;
}

static void note_storm(struct vcpu *v, uint64_t esr)
{
    struct vm *vm = v->vm;
    uint64_t now = read_sysreg(cntpct_el0);
    unsigned n;

    /* Counted without the VM lock: a lost increment between two vCPUs
     * only delays the line. */
    if (now - vm->storm_window_start > read_sysreg(cntfrq_el0) / 1000 * STORM_WINDOW_MS) {
        vm->storm_window_start = now;
        vm->storm_count = 0;
    }
    n = ++vm->storm_count;
    /* At most one a window, so it needs no share of the VM's log budget. */
    if (n == STORM_EXCEPTIONS)
        log_warn("vm %s: exception storm: %u exceptions injected within %u ms (the last: vcpu %u, ESR "
                "0x%llx at pc 0x%llx)", vm->cfg->name, n, STORM_WINDOW_MS, v->id,
                (unsigned long long)esr, (unsigned long long)v->regs.pc);
}

/* The register an exception to the EL the vCPU runs at uses, by its EL1
 * name: a guest hypervisor in vEL2 takes it to its own (its ELR_EL2, ...). */
#define EXC_REG(v, r)   (vcpu_ctx_is_hyp((enum vcpu_ctx)(v)->reg_ctx) ? VREG_HYP_##r : VREG_##r)

static void inject_sync(struct vcpu *v, uint64_t esr, uint64_t far, bool set_far)
{
    uint64_t offset = exc_vector_offset(v->regs.pstate);
    uint64_t spsr = v->ext ? v->ext->inject_spsr(v, v->regs.pstate) : v->regs.pstate;

    if (exception_loop(v, esr))
        return;
    note_storm(v, esr);

    vcpu_reg_write(v, EXC_REG(v, ELR_EL1), v->regs.pc);
    vcpu_reg_write(v, EXC_REG(v, SPSR_EL1), spsr);
    vcpu_reg_write(v, EXC_REG(v, ESR_EL1), esr);
    if (set_far)
        vcpu_reg_write(v, EXC_REG(v, FAR_EL1), far);
    v->regs.pc = vcpu_reg_read(v, EXC_REG(v, VBAR_EL1)) + offset;
    v->inject_vector = v->regs.pc;
    v->regs.pstate = exc_entry_pstate(v->regs.pstate, vcpu_reg_read(v, EXC_REG(v, SCTLR_EL1)), hyp_features.pan,
                                      hyp_features.ssbs);
}

void inject_undef(struct vcpu *v)
{
    inject_sync(v, ((uint64_t)EC_UNKNOWN << ESR_EC_SHIFT) | ESR_IL, 0, false);
}

void inject_id_space_undef(struct vcpu *v, uint64_t esr)
{
    if (hyp_features.idst)
        inject_sync(v, esr, 0, false);
    else
        inject_undef(v);
}

void inject_dabt_sea(struct vcpu *v, uint64_t va, bool is_write)
{
    uint64_t ec = from_el0(v) ? EC_DABT_LOW : EC_DABT_CUR;

    inject_sync(v, (ec << ESR_EC_SHIFT) | ESR_IL | (is_write ? ESR_DABT_WNR : 0) | ESR_FSC_SEA,
                va, true);
}

void inject_iabt_sea(struct vcpu *v, uint64_t va)
{
    uint64_t ec = from_el0(v) ? EC_IABT_LOW : EC_IABT_CUR;

    inject_sync(v, (ec << ESR_EC_SHIFT) | ESR_IL | ESR_FSC_SEA, va, true);
}

void inject_hvc(struct vcpu *v, uint16_t imm)
{
    inject_sync(v, ((uint64_t)EC_HVC64 << ESR_EC_SHIFT) | ESR_IL | imm, 0, false);
}
