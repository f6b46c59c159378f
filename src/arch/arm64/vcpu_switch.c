#include "arch/arm64/vcpu_switch.h"
#include "arch/arm64/el1_timer.h"
#include "arch/arm64/hyp.h"
#include "arch/arm64/sysreg.h"
#include "core/vm.h"
#include "nested/nested.h"
#include "vdev/vtimer.h"

void fpsimd_save(struct fpsimd_state *s);
void fpsimd_restore(const struct fpsimd_state *s);

/* vcpu->timer holds the guest's view: the physical CVAL is what the guest
 * wrote, whether the hardware register holds it (CNTPOFF_EL2 offsets the
 * comparison) or CVAL + offset (emulated physical timer). */
static void timer_save(struct vcpu *v)
{
    struct vtimer_state *t = &v->timer;
    uint64_t poff = vtimer_ptimer_hw_offset(hyp_ptimer_emulated, v->vm->cnt_offset);

    t->cntv_ctl = el1_vtimer_ctl();
    t->cntv_cval = el1_vtimer_cval();
    t->cntp_ctl = el1_ptimer_ctl();
    t->cntp_cval = vtimer_cval_from_hw(el1_ptimer_cval(), poff);
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

void vcpu_load(struct vcpu *v)
{
    struct vm *vm = v->vm;

    write_sysreg(vttbr_el2, vm->vttbr);
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
    fpsimd_restore(&v->fp);
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
    fpsimd_save(&v->fp);
    timer_save(v);
    vgic_hw_off(v);
    write_sysreg(hcr_el2, (hyp_vhe ? HCR_E2H : 0) | HCR_RW);
    isb();
    v->loaded = false;
}
