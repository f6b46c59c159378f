/* The forwarding of a vCPU's timer PPIs when its hardware timers change
 * hands (a guest hypervisor's context switch, docs/nested.md §9.9): what
 * vgic_irq_in_flight(), vgic_unmap_hw() and vgic_remap_hw_active() do for
 * each timer, under one acquisition of the lock. The switch runs twice per
 * exit of a guest hypervisor's guest; six acquisitions cost it about 220
 * instructions (docs/nested.md §9.19). */
#include "vdev/vgic.h"

/* PPIs only: SGIs have no line and an LR cannot forward them. */
#define FIRST_PPI   16u

static bool private_intid(uint32_t intid)
{
    return intid >= FIRST_PPI && intid < VGIC_NR_PRIVATE_IRQS;
}

static bool in_flight(const struct vgic_irq *irq)
{
    return vgic_irq_is_pending(irq) || irq->active;
}

/* An interrupt forwarded from a hardware timer that now runs another timer
 * loses its mapping, in flight or not: the guest's deactivation of it
 * would deactivate the other timer's PPI (vgic_unmap_hw()), and its
 * ISACTIVER0 bit set while idle would make that PPI active, silencing the
 * other timer for good (KVM at vEL2 sets its guest's INTID 27 active at
 * every vCPU load and may leave it so: Linux 7.3 did, and its own CNTHV,
 * on the same hardware timer in hyp context, never fired again). */
static void unmap_left(struct vgic *v, unsigned vcpu_id, uint32_t vintid, uint32_t *kick)
{
    struct vgic_irq *irq = vgic_get_irq(v, vcpu_id, vintid);

    if (!irq || !irq->hw)
        return;
    irq->hw = false;
    irq->pintid = 0;
    /* An idle one stays idle (no LR content changes, so the generation
     * stays: bumping it at every switch cost an L2 exit about 300
     * instructions, docs/nested.md §9.11), unless a line level it kept
     * while forwarded now counts. */
    if (in_flight(irq)) {
        v->gen++;
        vgic_note_change(v, irq, vcpu_id, kick);
    }
}

/* The timer's interrupt is forwarded again from the hardware timer that
 * runs it now when it is idle (as if it had never left: its line level
 * reads through GICR_ISPENDR0 follow that timer) or still active as a
 * software interrupt outside any LR (vgic_remap_hw_active()): else the
 * hardware timer, still firing, would raise it a second time. One only
 * pending stays software until the hardware timer fires again. */
static void remap_arrived(struct vgic *v, unsigned vcpu_id, uint32_t vintid, uint32_t pintid)
{
    struct vgic_irq *irq = vgic_get_irq(v, vcpu_id, vintid);

    if (!irq || irq->hw || irq->lr_owner != VGIC_NONE8 || !private_intid(pintid))
        return;
    if (!irq->active && in_flight(irq))
        return;
    if (irq->active)
        v->gen++;
    irq->hw = true;
    irq->pintid = (uint16_t)pintid;
}

uint32_t vgic_timers_remap(struct vgic *v, unsigned vcpu_id, const uint8_t *old, const uint8_t *now,
                           const uint32_t *pintid, unsigned nr)
{
    uint32_t kick = 0, active = 0;

    spin_lock(&v->lock);
    for (unsigned t = 0; t < nr; t++)
        if (private_intid(old[t]) && old[t] != now[t])
            unmap_left(v, vcpu_id, old[t], &kick);
    for (unsigned t = 0; t < nr; t++)
        if (private_intid(now[t]) && now[t] != old[t])
            remap_arrived(v, vcpu_id, now[t], pintid[t]);
    for (unsigned t = 0; t < nr; t++) {
        const struct vgic_irq *irq = private_intid(now[t]) ? vgic_get_irq(v, vcpu_id, now[t]) : 0;
        if (irq && irq->hw && in_flight(irq))
            active |= 1u << pintid[t];
    }
    spin_unlock(&v->lock);
    vgic_kick_mask(v, kick);
    return active;
}
