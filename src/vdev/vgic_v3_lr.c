/* GICv3 list registers: the ICH_LR<n>_EL2 encoding, ICH_HCR_EL2, and what
 * ICH_VMCR_EL2 / ICH_AP0R<n> / ICH_AP1R<n> say about signalling, for the
 * shared policy in vgic_lr.c. Works on the struct vgic_v3_cpu_if shadow only. */
#include "vdev/vgic.h"

#include "lib/string.h"

#define VGIC_APR_BITS           32u

void vgic_v3_cpu_if_init(struct vgic_v3_cpu_if *cif, uint64_t ich_vtr_el2)
{
    unsigned pre =
        (unsigned)FIELD_GET(ich_vtr_el2, ICH_VTR_EL2_PREbits_SHIFT, ICH_VTR_EL2_PREbits_WIDTH) + 1;

    memset(cif, 0, sizeof(*cif));
    cif->nr_lrs = (uint32_t)(ich_vtr_el2 & ICH_VTR_EL2_ListRegs_MASK) + 1;
    if (cif->nr_lrs > VGIC_V3_MAX_LRS)
        cif->nr_lrs = VGIC_V3_MAX_LRS;
    /* Each ICH_AP<g>R<n> register covers 32 preemption levels. */
    if (pre < VGIC_MIN_PREEMPT_BITS)
        pre = VGIC_MIN_PREEMPT_BITS;
    if (pre > VGIC_MAX_PREEMPT_BITS)
        pre = VGIC_MAX_PREEMPT_BITS;
    cif->nr_apr = 1u << (pre - VGIC_MIN_PREEMPT_BITS);
    cif->hcr = ICH_HCR_EL2_En;
}

struct vgic_v3_cpu_if *vgic_v3_cpu_if(struct vgic *v, unsigned vcpu_id)
{
    if (v->model != VGIC_MODEL_V3 || vcpu_id >= v->nr_vcpus)
        return 0;
    return &v->vcpu[vcpu_id].cpu_if;
}

static unsigned v3_nr_lrs(const struct vgic_vcpu *vc)
{
    return vc->cpu_if.nr_lrs < VGIC_V3_MAX_LRS ? vc->cpu_if.nr_lrs : VGIC_V3_MAX_LRS;
}

static void v3_write(struct vgic_vcpu *vc, unsigned n, const struct vgic_lr_desc *d)
{
    uint64_t lr = d->intid | (uint64_t)d->priority << ICH_LR_EL2_Priority_SHIFT;

    if (d->group1)
        lr |= ICH_LR_EL2_Group;
    if (d->hw)
        lr |= ICH_LR_EL2_HW |
              ((uint64_t)d->pintid << ICH_LR_EL2_pINTID_SHIFT & ICH_LR_EL2_pINTID_MASK);
    else if (d->eoi)
        lr |= ICH_LR_EL2_HW0_EOI;
    if (d->pending)
        lr |= SYSREG_ENUM(ICH_LR_EL2_State, PENDING);
    if (d->active)
        lr |= SYSREG_ENUM(ICH_LR_EL2_State, ACTIVE);
    vc->cpu_if.lr[n] = lr;
}

static void v3_read(const struct vgic_vcpu *vc, unsigned n, struct vgic_lr_desc *d)
{
    uint64_t lr = vc->cpu_if.lr[n];

    *d = (struct vgic_lr_desc){ 0 };   /* no call: the sync reads every used LR */
    d->intid = (uint32_t)(lr & ICH_LR_EL2_vINTID_MASK);
    d->priority = (uint8_t)((lr & ICH_LR_EL2_Priority_MASK) >> ICH_LR_EL2_Priority_SHIFT);
    d->group1 = lr & ICH_LR_EL2_Group;
    d->hw = lr & ICH_LR_EL2_HW;
    d->pending = lr & SYSREG_ENUM(ICH_LR_EL2_State, PENDING);
    d->active = lr & SYSREG_ENUM(ICH_LR_EL2_State, ACTIVE);
}

static void v3_set_eoi(struct vgic_vcpu *vc, unsigned n)
{
    if (!(vc->cpu_if.lr[n] & ICH_LR_EL2_HW))
        vc->cpu_if.lr[n] |= ICH_LR_EL2_HW0_EOI;
}

static void v3_clear(struct vgic_vcpu *vc, unsigned n)
{
    vc->cpu_if.lr[n] = 0;
}

static void v3_set_hcr(struct vgic_vcpu *vc, bool underflow)
{
    vc->cpu_if.hcr |= ICH_HCR_EL2_En;
    vc->cpu_if.hcr &= ~ICH_HCR_EL2_UIE;
    if (underflow)
        vc->cpu_if.hcr |= ICH_HCR_EL2_UIE;
}

/* The priority of the highest active interrupt group, from the active
 * priority registers; VGIC_IDLE_PRIORITY when nothing is active. */
static unsigned running_priority(const struct vgic_v3_cpu_if *cif, unsigned *shift)
{
    unsigned nr_apr = cif->nr_apr, pre_bits = VGIC_MIN_PREEMPT_BITS;

    if (nr_apr >= 4) {
        nr_apr = 4;
        pre_bits = 7;
    } else if (nr_apr >= 2) {
        nr_apr = 2;
        pre_bits = 6;
    } else {
        nr_apr = 1;
    }
    *shift = 8 - pre_bits;
    for (unsigned r = 0; r < nr_apr; r++) {
        uint32_t bits = cif->ap0r[r] | cif->ap1r[r];

        if (bits)
            return (r * VGIC_APR_BITS + (unsigned)__builtin_ctz(bits)) << *shift;
    }
    return VGIC_IDLE_PRIORITY;
}

static void v3_view(const struct vgic_vcpu *vc, struct vgic_cpu_if_view *w)
{
    const struct vgic_v3_cpu_if *cif = &vc->cpu_if;

    w->pmr = (unsigned)((cif->vmcr & ICH_VMCR_EL2_VPMR_MASK) >> ICH_VMCR_EL2_VPMR_SHIFT);
    w->rpr = running_priority(cif, &w->shift);
    w->grp0_en = cif->vmcr & ICH_VMCR_EL2_VENG0;
    /* VFIQEn is RES1 with the system-register interface (SRE = 1). */
    w->grp0_fiq = true;
    w->grp1_en = cif->vmcr & ICH_VMCR_EL2_VENG1;
}

const struct vgic_lr_ops vgic_v3_lr_ops = {
    .max_lrs = VGIC_V3_MAX_LRS,
    .nr_lrs = v3_nr_lrs,
    .write = v3_write,
    .read = v3_read,
    .set_eoi = v3_set_eoi,
    .clear = v3_clear,
    .set_hcr = v3_set_hcr,
    .view = v3_view,
};
