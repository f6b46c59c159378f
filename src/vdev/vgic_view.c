/* A copy of a vGIC's interrupt state for the operator's console
 * (docs/running.md, `irqs`): what is enabled, pending, active, forwarded
 * and in which vCPU's list registers, read while the VM runs. */
#include "vdev/vgic.h"

static bool worth_showing(const struct vgic_irq *irq)
{
    return irq->enabled || vgic_irq_is_pending(irq) || irq->active || irq->lr_owner != VGIC_NONE8;
}

static struct vgic_irq_view view_of(const struct vgic_irq *irq)
{
    return (struct vgic_irq_view){
        .intid = irq->intid,
        .pintid = irq->hw ? irq->pintid : 0,
        .priority = irq->priority,
        .lr_owner = irq->lr_owner,
        .target = irq->target,
        .enabled = irq->enabled,
        .pending = vgic_irq_is_pending(irq),
        .active = irq->active,
        .hw = irq->hw,
        .group1 = irq->group1,
        .edge = irq->edge,
    };
}

unsigned vgic_snapshot(struct vgic *v, unsigned bank, struct vgic_irq_view *out, unsigned max)
{
    unsigned n = 0, first, count;

    if (bank == VGIC_NO_VCPU) {
        first = VGIC_SPI_BASE;
        count = v->nr_spis;
    } else if (bank < v->nr_vcpus) {
        first = 0;
        count = VGIC_NR_PRIVATE_IRQS;
    } else {
        return 0;
    }
    spin_lock(&v->lock);
    for (unsigned i = 0; i < count; i++) {
        const struct vgic_irq *irq = vgic_get_irq(v, bank, first + i);

        if (!irq || !worth_showing(irq))
            continue;
        if (n < max)
            out[n] = view_of(irq);
        n++;
    }
    spin_unlock(&v->lock);
    return n;
}
