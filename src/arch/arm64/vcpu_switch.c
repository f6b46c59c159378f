#include "arch/arm64/vcpu_switch.h"
#include "arch/arm64/hyp.h"
#include "arch/arm64/sysreg.h"
#include "core/vm.h"

void fpsimd_save(struct fpsimd_state *s);
void fpsimd_restore(const struct fpsimd_state *s);

/* The guest's EL1 timers: _EL02 aliases under VHE, the EL0 names otherwise. */
static void timer_save(struct vtimer_state *t)
{
    if (hyp_vhe) {
        t->cntv_ctl = read_sysreg(S3_5_C14_C3_1);
        t->cntv_cval = read_sysreg(S3_5_C14_C3_2);
        t->cntp_ctl = read_sysreg(S3_5_C14_C2_1);
        t->cntp_cval = read_sysreg(S3_5_C14_C2_2);
        write_sysreg(S3_5_C14_C3_1, 0);
        write_sysreg(S3_5_C14_C2_1, 0);
    } else {
        t->cntv_ctl = read_sysreg(cntv_ctl_el0);
        t->cntv_cval = read_sysreg(cntv_cval_el0);
        t->cntp_ctl = read_sysreg(cntp_ctl_el0);
        t->cntp_cval = read_sysreg(cntp_cval_el0);
        write_sysreg(cntv_ctl_el0, 0);
        write_sysreg(cntp_ctl_el0, 0);
    }
}

static void timer_restore(const struct vtimer_state *t)
{
    if (hyp_vhe) {
        write_sysreg(S3_5_C14_C3_2, t->cntv_cval);
        write_sysreg(S3_5_C14_C3_1, t->cntv_ctl);
        write_sysreg(S3_5_C14_C2_2, t->cntp_cval);
        write_sysreg(S3_5_C14_C2_1, t->cntp_ctl);
    } else {
        write_sysreg(cntv_cval_el0, t->cntv_cval);
        write_sysreg(cntv_ctl_el0, t->cntv_ctl);
        write_sysreg(cntp_cval_el0, t->cntp_cval);
        write_sysreg(cntp_ctl_el0, t->cntp_ctl);
    }
}

void vcpu_load(struct vcpu *v)
{
    struct vm *vm = v->vm;

    write_sysreg(vttbr_el2, vm->vttbr);
    write_sysreg(cntvoff_el2, vm->cntvoff);
    if (hyp_features.ecv >= 2)
        write_sysreg(S3_4_C14_C0_6 /* CNTPOFF_EL2 */, vm->cntvoff);
    write_sysreg(vpidr_el2, read_sysreg(midr_el1));
    write_sysreg(vmpidr_el2, v->mpidr);
    write_sysreg(hcr_el2, v->hcr);
    for (unsigned r = 0; r < EL1_NR_REGS; r++)
        el1_write((enum el1_reg)r, v->el1[r]);
    fpsimd_restore(&v->fp);
    timer_restore(&v->timer);
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
    timer_save(&v->timer);
    vgic_hw_off(v);
    write_sysreg(hcr_el2, (hyp_vhe ? HCR_E2H : 0) | HCR_RW);
    isb();
    v->loaded = false;
}
