/* Virtual EL2 for a VM with `virt-el2`: its vCPUs' VNCR pages, their reset
 * into vEL2, and the exits that mean something else when the vCPU is the
 * guest's own hypervisor (docs/nested.md, increment 1). */
#include "nested/nested.h"

#include "arch/arm64/el1_regs.h"
#include "arch/arm64/hyp.h"
#include "arch/arm64/sysreg.h"
#include "core/esr.h"
#include "core/exit.h"
#include "core/inject.h"
#include "core/mm.h"
#include "core/vm.h"
#include "lib/log.h"
#include "lib/string.h"

/* Encoding of VNCR_EL2, which older assemblers do not name. */
#define VNCR_EL2            S3_4_C2_C2_0

#define FEAT_NV2            2       /* ID_AA64MMFR2_EL1.NV */
#define ESR_HVC_IMM_MASK    0xffffULL
#define ESR_ERET_ERETA      BIT(1)  /* ERETAA/ERETAB rather than ERET */

/* Trapped system instructions (op0 = 1) that only EL2 may run: TLB
 * maintenance of the EL2 regimes and of stage 2 (op1 = 4, CRn = 8, or 9
 * for the nXS forms). */
#define SYS_INSN_OP0        1
#define TLBI_EL2_OP1        4
#define TLBI_CRN            8
#define TLBI_NXS_CRN        9

int nested_vm_check(const struct vm *vm)
{
    if (hyp_features.nv < FEAT_NV2) {
        log_err("vm %s: virt-el2 needs FEAT_NV2 (ID_AA64MMFR2_EL1.NV = 2), this CPU has NV = %u",
                vm->cfg->name, hyp_features.nv);
        return -1;
    }
    return 0;
}

int nested_vcpu_init(struct vcpu *v, uint64_t guest_hcr)
{
    struct vcpu_nested *n = hyp_alloc(sizeof(*n), sizeof(uint64_t));

    if (n)
        n->vncr = page_alloc();
    if (!n || !n->vncr) {
        log_err("vm %s: no memory for vCPU %u's virtual EL2 state", v->vm->cfg->name, v->id);
        return -1;
    }
    n->guest_hcr = guest_hcr;
    v->nested = n;
    return 0;
}

/* What a CPU entered at EL2 finds: HCR_EL2 with E2H (RES1 here) and the
 * rest 0, VPIDR/VMPIDR_EL2 reset to its own MIDR/MPIDR, and its EL2
 * registers in their reset shape; SCTLR_EL2 with E2H = 1 is SCTLR_EL1's
 * reset value, which vcpu_reset has already put in place. */
void nested_vcpu_reset(struct vcpu *v)
{
    struct vcpu_nested *n = v->nested;

    memset(n->vncr, 0, VNCR_PAGE_SIZE);
    memset(n->el2, 0, sizeof(n->el2));
    n->l2_cntkctl = 0;
    vncr_write(n, VNCR_HCR_EL2, HCR_E2H);
    vncr_write(n, VNCR_VPIDR_EL2, read_sysreg(midr_el1));
    vncr_write(n, VNCR_VMPIDR_EL2, v->mpidr);
    n->in_hyp = true;
    v->hcr = nested_hyp_hcr(n->guest_hcr);
}

void nested_load(struct vcpu *v)
{
    /* elvisor's identity map makes the page's address its VA at EL2. */
    write_sysreg(VNCR_EL2, (uint64_t)(uintptr_t)v->nested->vncr);
}

uint64_t nested_injected_spsr(const struct vcpu *v, uint64_t hw_pstate)
{
    return v->nested->in_hyp ? nested_spsr_to_vel2(hw_pstate) : hw_pstate;
}

static uint64_t vhcr(const struct vcpu *v)
{
    return nested_vhcr_effective(vncr_read(v->nested, VNCR_HCR_EL2));
}

/* An HVC at vEL2 is for the guest's own EL2, its "current EL": PSCI goes
 * through SMC for a guest with EL2, as on QEMU's virt with EL2. */
static void handle_hvc(struct vcpu *v, uint64_t esr)
{
    if (vhcr(v) & HCR_HCD) {
        /* HVC disabled: UNDEFINED at the HVC itself, which ELR_EL2 is past. */
        v->regs.pc -= 4;
        inject_undef(v);
        return;
    }
    inject_hvc(v, (uint16_t)(esr & ESR_HVC_IMM_MASK));
}

static const char *mode_name(uint64_t spsr)
{
    switch (spsr & PSR_MODE_MASK) {
    case PSR_MODE_EL0t: return "EL0t";
    case PSR_MODE_EL1t: return "EL1t";
    case PSR_MODE_EL1h: return "EL1h";
    default: return "?";
    }
}

/* The guest's ELR_EL2 and SPSR_EL2 are the hardware ELR_EL1 and SPSR_EL1
 * while it runs in hyp context (NV2 redirects them). */
static void handle_eret(struct vcpu *v, uint64_t esr)
{
    uint64_t spsr = el1_read(EL1_SPSR), pstate = 0;

    if (esr & ESR_ERET_ERETA) {
        /* Pointer authentication is hidden from guests. */
        inject_undef(v);
        return;
    }
    switch (nested_eret(spsr, vhcr(v), v->regs.pstate, &pstate)) {
    case NESTED_ERET_HYP:
    case NESTED_ERET_ILLEGAL:
        v->regs.pc = el1_read(EL1_ELR);
        v->regs.pstate = pstate;
        return;
    case NESTED_ERET_NESTED:
    default:
        log_err("vm %s vcpu %u: ERET from vEL2 to %s at 0x%llx: running the guest's own guest is "
                "not implemented yet (docs/nested.md, increment 2): VM stopped", v->vm->cfg->name, v->id,
                mode_name(spsr), (unsigned long long)el1_read(EL1_ELR));
        vm_power_off(v->vm, VM_STOPPED);
        return;
    }
}

/* Every TLB maintenance instruction the guest hypervisor may run at EL2
 * acts on its own EL2&0 regime or on its guests' stage 1 and 2. Its own
 * regime is the hardware EL1&0 regime under the VM's VMID, and its guests
 * have none yet, so invalidating that VMID covers them all (more than
 * asked, never less). */
static bool handle_sys_insn(struct vcpu *v, uint64_t esr)
{
    struct sysreg_access a;

    esr_decode_sysreg(esr, &a);
    if (a.op0 != SYS_INSN_OP0 || a.op1 != TLBI_EL2_OP1 || (a.crn != TLBI_CRN && a.crn != TLBI_NXS_CRN))
        return false;
    dsb(ishst);
    __asm__ volatile("tlbi vmalls12e1is" ::: "memory");
    dsb(ish);
    vcpu_skip_instr(v);
    return true;
}

/* An access to the VNCR page faulted: the page is elvisor's own memory and
 * always mapped, so this is elvisor's bug, not the guest's. */
static void handle_vncr_abort(struct vcpu *v, uint64_t esr)
{
    log_err("vm %s vcpu %u: fault on the VNCR page (ESR 0x%llx, FAR 0x%llx, pc 0x%llx): VM stopped",
            v->vm->cfg->name, v->id, (unsigned long long)esr, (unsigned long long)read_sysreg(far_el2),
            (unsigned long long)v->regs.pc);
    vm_power_off(v->vm, VM_STOPPED);
}

bool nested_handle_sync(struct vcpu *v, uint64_t esr)
{
    if (!v->nested->in_hyp)
        return false;
    switch (ESR_EC(esr)) {
    case EC_HVC64:
        handle_hvc(v, esr);
        return true;
    case EC_ERET:
        handle_eret(v, esr);
        return true;
    case EC_SYS64:
        return handle_sys_insn(v, esr);
    case EC_DABT_CUR:
        if (!(esr & ESR_DABT_VNCR))
            return false;
        handle_vncr_abort(v, esr);
        return true;
    default:
        return false;
    }
}
