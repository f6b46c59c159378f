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

#define AP_ACCESS(op, n, cif)                                                   \
    do {                                                                        \
        if (op) {                                                               \
            cif->ap0r[n] = (uint32_t)read_sysreg(S3_4_C12_C8_##n);              \
            cif->ap1r[n] = (uint32_t)read_sysreg(S3_4_C12_C9_##n);              \
        } else {                                                                \
            write_sysreg(S3_4_C12_C8_##n, cif->ap0r[n]);                        \
            write_sysreg(S3_4_C12_C9_##n, cif->ap1r[n]);                        \
        }                                                                       \
    } while (0)

static void vgic_hw_aprs(struct vgic_v3_cpu_if *cif, bool save)
{
    switch (cif->nr_apr) {
    case 4:
        AP_ACCESS(save, 3, cif);
        AP_ACCESS(save, 2, cif);
        /* fall through */
    case 2:
        AP_ACCESS(save, 1, cif);
        /* fall through */
    default:
        AP_ACCESS(save, 0, cif);
    }
}

void vcpu_load(struct vcpu *v)
{
    struct vm *vm = v->vm;
    struct vgic_v3_cpu_if *cif = vgic_v3_cpu_if(&vm->vgic, v->id);

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
    write_sysreg(S3_4_C12_C11_7 /* ICH_VMCR_EL2 */, cif->vmcr);
    vgic_hw_aprs(cif, false);
    isb();
    v->loaded = true;
}

/* ICH_VMCR_EL2 and the active priorities were saved at the last exit. */
void vcpu_put(struct vcpu *v)
{
    for (unsigned r = 0; r < EL1_NR_REGS; r++)
        v->el1[r] = el1_read((enum el1_reg)r);
    fpsimd_save(&v->fp);
    timer_save(&v->timer);
    write_sysreg(S3_4_C12_C11_0 /* ICH_HCR_EL2 */, 0);
    write_sysreg(hcr_el2, (hyp_vhe ? HCR_E2H : 0) | HCR_RW);
    isb();
    v->loaded = false;
}

#define LR_CASE(n, crm, op2)                                                    \
    case n:                                                                     \
        if (save)                                                               \
            cif->lr[n] = read_sysreg(S3_4_C12_C##crm##_##op2);                  \
        else                                                                    \
            write_sysreg(S3_4_C12_C##crm##_##op2, cif->lr[n]);                  \
        break

static void lr_access(struct vgic_v3_cpu_if *cif, unsigned n, bool save)
{
    switch (n) {
    LR_CASE(0, 12, 0); LR_CASE(1, 12, 1); LR_CASE(2, 12, 2); LR_CASE(3, 12, 3);
    LR_CASE(4, 12, 4); LR_CASE(5, 12, 5); LR_CASE(6, 12, 6); LR_CASE(7, 12, 7);
    LR_CASE(8, 13, 0); LR_CASE(9, 13, 1); LR_CASE(10, 13, 2); LR_CASE(11, 13, 3);
    LR_CASE(12, 13, 4); LR_CASE(13, 13, 5); LR_CASE(14, 13, 6); LR_CASE(15, 13, 7);
    default:
        break;
    }
}

void vgic_hw_load_lrs(struct vcpu *v)
{
    struct vgic_v3_cpu_if *cif = vgic_v3_cpu_if(&v->vm->vgic, v->id);

    for (unsigned n = 0; n < cif->nr_lrs; n++)
        lr_access(cif, n, false);
    write_sysreg(S3_4_C12_C11_0 /* ICH_HCR_EL2 */, cif->hcr);
}

void vgic_hw_save_lrs(struct vcpu *v)
{
    struct vgic_v3_cpu_if *cif = vgic_v3_cpu_if(&v->vm->vgic, v->id);

    for (unsigned n = 0; n < cif->nr_lrs; n++)
        lr_access(cif, n, true);
    cif->hcr = read_sysreg(S3_4_C12_C11_0);
    /* The guest changes its priority mask, group enables and active
     * priorities without trapping; WFI decisions need the current ones. */
    cif->vmcr = read_sysreg(S3_4_C12_C11_7);
    vgic_hw_aprs(cif, true);
    /* The maintenance interrupt is level: with the interface off it drops
     * until the next entry loads list registers that no longer call for it. */
    write_sysreg(S3_4_C12_C11_0 /* ICH_HCR_EL2 */, 0);
}
