/* GICv2 list registers: the GICH_LR<n> encoding, GICH_HCR, and what
 * GICH_VMCR / GICH_APR say about signalling, for the shared policy in
 * vgic_lr.c. Works on the struct vgic_v2_cpu_if shadow only; the world
 * switch copies it to and from the GICH frame.
 *
 * GICH_LR<n>: VirtualID [9:0], PhysicalID [19:10] (HW = 1) or, with HW = 0,
 * EOI [19] and the SGI source CPUID [12:10], Priority [27:23] (bits [7:3]
 * of the 8-bit priority), State [29:28], Grp1 [30], HW [31]. The virtual
 * CPU interface implements 5 priority bits, so GICH_APR bit n stands for
 * priority n << 3 and GICH_VMCR.VMPriMask for mask bits [7:3]. */
#include "vdev/vgic.h"

#include "lib/string.h"

#define V2_PRIO_SHIFT           3u      /* 8 - the 5 implemented priority bits */

void vgic_v2_cpu_if_init(struct vgic_v2_cpu_if *cif, uint32_t gich_vtr)
{
    memset(cif, 0, sizeof(*cif));
    cif->nr_lrs = (gich_vtr & GICH_VTR_LISTREGS_MASK) + 1;     /* 1..64 */
    cif->hcr = GICH_HCR_EN;
}

struct vgic_v2_cpu_if *vgic_v2_cpu_if(struct vgic *v, unsigned vcpu_id)
{
    if (v->model != VGIC_MODEL_V2 || vcpu_id >= v->nr_vcpus)
        return 0;
    return &v->vcpu[vcpu_id].cpu_if_v2;
}

static unsigned v2_nr_lrs(const struct vgic_vcpu *vc)
{
    return vc->cpu_if_v2.nr_lrs < VGIC_V2_MAX_LRS ? vc->cpu_if_v2.nr_lrs : VGIC_V2_MAX_LRS;
}

static void v2_write(struct vgic_vcpu *vc, unsigned n, const struct vgic_lr_desc *d)
{
    uint32_t lr = (d->intid & GICH_LR_VIRTUALID_MASK) |
                  ((uint32_t)(d->priority >> V2_PRIO_SHIFT) << GICH_LR_PRIORITY_SHIFT &
                   GICH_LR_PRIORITY_MASK);

    if (d->group1)
        lr |= GICH_LR_GRP1;
    if (d->hw) {
        lr |= GICH_LR_HW | ((uint32_t)d->pintid << GICH_LR_PHYSID_SHIFT & GICH_LR_PHYSID_MASK);
    } else {
        if (d->eoi)
            lr |= GICH_LR_EOI;
        if (d->intid < VGIC_NR_SGIS)
            lr |= (uint32_t)d->source << GICH_LR_CPUID_SHIFT & GICH_LR_CPUID_MASK;
    }
    if (d->pending)
        lr |= GICH_LR_STATE_PENDING;
    if (d->active)
        lr |= GICH_LR_STATE_ACTIVE;
    vc->cpu_if_v2.lr[n] = lr;
}

static void v2_read(const struct vgic_vcpu *vc, unsigned n, struct vgic_lr_desc *d)
{
    uint32_t lr = vc->cpu_if_v2.lr[n];

    *d = (struct vgic_lr_desc){ 0 };   /* no call: the sync reads every used LR */
    d->intid = lr & GICH_LR_VIRTUALID_MASK;
    d->priority = (uint8_t)(((lr & GICH_LR_PRIORITY_MASK) >> GICH_LR_PRIORITY_SHIFT)
                            << V2_PRIO_SHIFT);
    d->group1 = lr & GICH_LR_GRP1;
    d->hw = lr & GICH_LR_HW;
    d->pending = lr & GICH_LR_STATE_PENDING;
    d->active = lr & GICH_LR_STATE_ACTIVE;
}

static void v2_set_eoi(struct vgic_vcpu *vc, unsigned n)
{
    if (!(vc->cpu_if_v2.lr[n] & GICH_LR_HW))
        vc->cpu_if_v2.lr[n] |= GICH_LR_EOI;
}

static void v2_clear(struct vgic_vcpu *vc, unsigned n)
{
    vc->cpu_if_v2.lr[n] = 0;
}

static void v2_set_hcr(struct vgic_vcpu *vc, bool underflow)
{
    vc->cpu_if_v2.hcr |= GICH_HCR_EN;
    vc->cpu_if_v2.hcr &= ~GICH_HCR_UIE;
    if (underflow)
        vc->cpu_if_v2.hcr |= GICH_HCR_UIE;
}

static void v2_view(const struct vgic_vcpu *vc, struct vgic_cpu_if_view *w)
{
    const struct vgic_v2_cpu_if *cif = &vc->cpu_if_v2;

    w->pmr = ((cif->vmcr & GICH_VMCR_VMPRIMASK_MASK) >> GICH_VMCR_VMPRIMASK_SHIFT)
             << V2_PRIO_SHIFT;
    w->rpr = cif->apr ? (unsigned)__builtin_ctz(cif->apr) << V2_PRIO_SHIFT : VGIC_IDLE_PRIORITY;
    w->shift = V2_PRIO_SHIFT;
    w->grp0_en = cif->vmcr & GICH_VMCR_VMGRP0EN;
    w->grp0_fiq = cif->vmcr & GICH_VMCR_VMFIQEN;
    w->grp1_en = cif->vmcr & GICH_VMCR_VMGRP1EN;
}

const struct vgic_lr_ops vgic_v2_lr_ops = {
    .max_lrs = VGIC_V2_MAX_LRS,
    .nr_lrs = v2_nr_lrs,
    .write = v2_write,
    .read = v2_read,
    .set_eoi = v2_set_eoi,
    .clear = v2_clear,
    .set_hcr = v2_set_hcr,
    .view = v2_view,
};
