#include "arch/arm64/vcpu_switch.h"
#include "arch/arm64/debug_regs.h"
#include "arch/arm64/el1_timer.h"
#include "arch/arm64/gic.h"
#include "arch/arm64/hyp.h"
#include "arch/arm64/sysreg.h"
#include "core/vm.h"
#include "nested/nested.h"
#include "vdev/vtimer.h"

void fpsimd_save(struct fpsimd_state *s);
void fpsimd_restore(const struct fpsimd_state *s);

/* vcpu->timer holds the guest's view: the physical CVAL is what the guest
 * wrote. With CNTPOFF_EL2 the hardware register holds it (the offset applies
 * to the comparison); an emulated physical timer keeps it in vcpu->timer
 * at every trapped write, the hardware holding CVAL + offset, saturated. */
static void timer_save(struct vcpu *v)
{
    struct vtimer_state *t = &v->timer;

    t->cntv_ctl = el1_vtimer_ctl();
    t->cntv_cval = el1_vtimer_cval();
    t->cntp_ctl = el1_ptimer_ctl();
    if (!hyp_ptimer_emulated)
        t->cntp_cval = el1_ptimer_cval();
    el1_vtimer_set_ctl(0);
    el1_ptimer_set_ctl(0);
}

static void timer_restore(const struct vcpu *v)
{
    const struct vtimer_state *t = &v->timer;
    uint64_t poff = vtimer_ptimer_hw_offset(hyp_ptimer_emulated, v->vm->cnt_offset);

    el1_vtimer_set_cval(t->cntv_cval);
    el1_vtimer_set_ctl(t->cntv_ctl);
    el1_ptimer_set_cval(vtimer_cval_to_hw(t->cntp_cval, poff));
    el1_ptimer_set_ctl(t->cntp_ctl);
}

#define TIMER_PPIS  ((uint32_t)(BIT(PPI_VIRT_TIMER) | BIT(PPI_PHYS_TIMER)))

/* A timer PPI forwarded to this vCPU that its vGIC still holds pending or
 * active was acknowledged at EL2 and must stay active in the physical GIC
 * while the vCPU runs: the guest's deactivation through the LR HW bit is
 * what releases it, and until then the timer cannot interrupt again. The
 * vCPU that ran before may have left it active for its own reasons, so
 * every vCPU brings its own state (as KVM does on vcpu load). */
static void timer_ppis_load_active(struct vcpu *v)
{
    static const unsigned ppis[] = { PPI_VIRT_TIMER, PPI_PHYS_TIMER };
    uint32_t active = 0;

    for (unsigned i = 0; i < sizeof(ppis) / sizeof(ppis[0]); i++) {
        bool hw;
        if (vgic_irq_in_flight(&v->vm->vgic, v->id, ppis[i], &hw) && hw)
            active |= 1u << ppis[i];
    }
    gic_set_private_active(TIMER_PPIS, active);
}

void vcpu_load(struct vcpu *v)
{
    struct vm *vm = v->vm;

    /* The VMID check lives here, not on the exit path: a vCPU that stays
     * loaded keeps its VMID across rollovers (core/vmid_alloc.h). */
    write_sysreg(vttbr_el2, vm_vttbr_use(vm));
    write_sysreg(cntvoff_el2, vm->cnt_offset);
    if (!hyp_ptimer_emulated)
        write_sysreg(CNTPOFF_EL2, vm->cnt_offset);
    write_sysreg(vpidr_el2, read_sysreg(midr_el1));
    write_sysreg(vmpidr_el2, v->mpidr);
    write_sysreg(hcr_el2, v->hcr);
    if (v->nested)
        nested_load(v);
    for (unsigned r = 0; r < EL1_NR_REGS; r++)
        el1_write((enum el1_reg)r, v->el1[r]);
    debug_state_restore(&v->dbg);
    fpsimd_restore(&v->fp);
    timer_ppis_load_active(v);
    timer_restore(v);
    vgic_hw_load_ctx(v);
    isb();
    v->loaded = true;
}

/* The GIC's VMCR and active priorities were saved at the last exit. */
void vcpu_put(struct vcpu *v)
{
    for (unsigned r = 0; r < EL1_NR_REGS; r++)
        v->el1[r] = el1_read((enum el1_reg)r);
    debug_state_save(&v->dbg);
    fpsimd_save(&v->fp);
    timer_save(v);
    vgic_hw_off(v);
    write_sysreg(hcr_el2, (hyp_vhe ? HCR_E2H : 0) | HCR_RW);
    isb();
    /* Its VMID need not be kept for this CPU at a rollover any more. */
    vmid_idle();
    v->loaded = false;
}
