/* GICv3 list-register management: choosing which interrupts a vCPU's
 * virtual CPU interface holds (flush), folding back what the guest did
 * with them (sync), and judging whether a vCPU in WFI has anything to wake
 * up for. Works on the struct vgic_v3_cpu_if shadow only.
 *
 * Ownership: an interrupt sits in at most one vCPU's LR. While it does,
 * that vCPU's LR is the truth about its pending/active state, and nobody
 * else puts it in an LR. Sync frees every LR, so each exit/entry pair
 * re-decides the whole set, with active interrupts first so that the guest
 * can always deactivate what it has acknowledged. */
#include "vdev/vgic.h"

#include "lib/string.h"

#define VGIC_MIN_PREEMPT_BITS   5u
#define VGIC_MAX_PREEMPT_BITS   7u
#define VGIC_APR_BITS           32u
#define VGIC_IDLE_PRIORITY      0x100u  /* running priority with nothing active */

void vgic_v3_cpu_if_init(struct vgic_v3_cpu_if *cif, uint64_t ich_vtr_el2)
{
    unsigned pre = (unsigned)((ich_vtr_el2 >> ICH_VTR_PREBITS_SHIFT) & ICH_VTR_BITS_MASK) + 1;

    memset(cif, 0, sizeof(*cif));
    cif->nr_lrs = (uint32_t)(ich_vtr_el2 & ICH_VTR_LISTREGS_MASK) + 1;
    if (cif->nr_lrs > VGIC_V3_MAX_LRS)
        cif->nr_lrs = VGIC_V3_MAX_LRS;
    /* Each ICH_AP<g>R<n> register covers 32 preemption levels. */
    if (pre < VGIC_MIN_PREEMPT_BITS)
        pre = VGIC_MIN_PREEMPT_BITS;
    if (pre > VGIC_MAX_PREEMPT_BITS)
        pre = VGIC_MAX_PREEMPT_BITS;
    cif->nr_apr = 1u << (pre - VGIC_MIN_PREEMPT_BITS);
    cif->hcr = ICH_HCR_EN;
}

struct vgic_v3_cpu_if *vgic_v3_cpu_if(struct vgic *v, unsigned vcpu_id)
{
    return vcpu_id < v->nr_vcpus ? &v->vcpu[vcpu_id].cpu_if : 0;
}

static unsigned lr_count(const struct vgic_v3_cpu_if *cif)
{
    return cif->nr_lrs < VGIC_V3_MAX_LRS ? cif->nr_lrs : VGIC_V3_MAX_LRS;
}

static bool vgic_irq_deliverable(const struct vgic *v, const struct vgic_irq *irq)
{
    return irq->enabled && vgic_irq_is_pending(irq) && vgic_irq_group_enabled(v, irq);
}

/* Should this vCPU's LRs hold irq? An active SPI stays with the vCPU that
 * acknowledged it, even if IROUTER has since sent new ones elsewhere. */
static bool lr_wanted(const struct vgic *v, const struct vgic_irq *irq, unsigned vcpu_id)
{
    if (irq->lr_owner != VGIC_NONE8)
        return false;
    if (irq->active) {
        uint8_t owner = irq->active_vcpu != VGIC_NONE8 ? irq->active_vcpu : irq->target;

        return owner == vcpu_id;
    }
    return irq->target == vcpu_id && vgic_irq_deliverable(v, irq);
}

/* Smaller is more urgent: active first, then priority, then INTID. */
static uint32_t lr_rank(const struct vgic_irq *irq)
{
    return (irq->active ? 0u : 1u << 20) | (uint32_t)irq->priority << 10 | irq->intid;
}

struct lr_pick {
    struct vgic_irq *best[VGIC_V3_MAX_LRS];
    unsigned n;         /* entries in best[] */
    unsigned room;      /* free LRs */
    unsigned wanted;    /* candidates seen, placed or not */
};

static void lr_consider(const struct vgic *v, struct lr_pick *p, struct vgic_irq *irq,
                        unsigned vcpu_id)
{
    unsigned i;

    if (!lr_wanted(v, irq, vcpu_id))
        return;
    p->wanted++;
    if (p->room == 0)
        return;
    if (p->n == p->room) {
        if (lr_rank(irq) >= lr_rank(p->best[p->n - 1]))
            return;
        p->n--;         /* drop the least urgent */
    }
    for (i = p->n; i > 0 && lr_rank(p->best[i - 1]) > lr_rank(irq); i--)
        p->best[i] = p->best[i - 1];
    p->best[i] = irq;
    p->n++;
}

static uint64_t lr_encode(const struct vgic *v, const struct vgic_irq *irq)
{
    bool pending = vgic_irq_deliverable(v, irq);
    uint64_t lr = irq->intid | (uint64_t)irq->priority << ICH_LR_PRIORITY_SHIFT;

    if (irq->group1)
        lr |= ICH_LR_GROUP;
    if (irq->hw) {
        lr |= ICH_LR_HW | ((uint64_t)irq->pintid << ICH_LR_PINTID_SHIFT & ICH_LR_PINTID_MASK);
        /* The physical GIC holds the pending state of a forwarded IRQ; an
         * LR may not say pending+active for it. */
        if (irq->active)
            pending = false;
    } else if (!irq->edge) {
        /* Learn when the guest is done with a level IRQ, so that a line
         * still high re-pends it without waiting for an unrelated exit. */
        lr |= ICH_LR_EOI;
    }
    if (pending)
        lr |= ICH_LR_STATE_PENDING;
    if (irq->active)
        lr |= ICH_LR_STATE_ACTIVE;
    return lr;
}

void vgic_flush_lrs(struct vgic *v, unsigned vcpu_id)
{
    struct vgic_vcpu *vc;
    struct vgic_v3_cpu_if *cif;
    struct lr_pick pick;
    unsigned nr_lrs, k = 0;

    if (vcpu_id >= v->nr_vcpus)
        return;
    vc = &v->vcpu[vcpu_id];
    cif = &vc->cpu_if;
    nr_lrs = lr_count(cif);

    spin_lock(&v->lock);
    memset(&pick, 0, sizeof(pick));
    for (unsigned i = 0; i < nr_lrs; i++)
        if (!vc->lr_irq[i])
            pick.room++;
    for (unsigned i = 0; i < VGIC_NR_PRIVATE_IRQS; i++)
        lr_consider(v, &pick, &vc->priv[i], vcpu_id);
    for (unsigned i = 0; i < v->nr_spis; i++)
        lr_consider(v, &pick, &v->spi[i], vcpu_id);

    for (unsigned i = 0; i < nr_lrs && k < pick.n; i++) {
        struct vgic_irq *irq;

        if (vc->lr_irq[i])
            continue;
        irq = pick.best[k++];
        cif->lr[i] = lr_encode(v, irq);
        vc->lr_irq[i] = irq;
        irq->lr_owner = (uint8_t)vcpu_id;
        irq->pending_written = false;
        irq->active_written = false;
        /* The LR now carries this edge; a new one while the guest runs
         * sets the latch again and is merged at sync. */
        if ((cif->lr[i] & ICH_LR_STATE_PENDING) && (irq->edge || irq->hw))
            irq->pending_latch = false;
    }

    cif->hcr |= ICH_HCR_EN;
    cif->hcr &= ~ICH_HCR_UIE;
    if (pick.wanted > pick.n) {
        /* Underflow fires while at most one LR is valid: with a single LR
         * that is always, so there ask for an EOI maintenance IRQ instead
         * (a forwarded IRQ cannot carry one: the next exit must do). */
        if (nr_lrs >= 2)
            cif->hcr |= ICH_HCR_UIE;
        else
            for (unsigned i = 0; i < nr_lrs; i++)
                if (vc->lr_irq[i] && !(cif->lr[i] & ICH_LR_HW))
                    cif->lr[i] |= ICH_LR_EOI;
    }
    spin_unlock(&v->lock);
}

void vgic_sync_lrs(struct vgic *v, unsigned vcpu_id)
{
    struct vgic_vcpu *vc;
    struct vgic_v3_cpu_if *cif;
    uint32_t kick = 0;

    if (vcpu_id >= v->nr_vcpus)
        return;
    vc = &v->vcpu[vcpu_id];
    cif = &vc->cpu_if;

    spin_lock(&v->lock);
    for (unsigned i = 0; i < VGIC_V3_MAX_LRS; i++) {
        struct vgic_irq *irq = vc->lr_irq[i];
        uint64_t state;

        if (!irq)
            continue;
        state = cif->lr[i] & ICH_LR_STATE_MASK;
        if (!irq->pending_written) {
            if (irq->edge || irq->hw) {
                if (state & ICH_LR_STATE_PENDING)
                    irq->pending_latch = true;
            } else if (!(state & ICH_LR_STATE_PENDING)) {
                /* Acknowledged: a latch from ISPENDR is consumed; the line
                 * level alone decides whether it pends again. */
                irq->pending_latch = false;
            }
        }
        if (!irq->active_written)
            irq->active = state & ICH_LR_STATE_ACTIVE;
        if (irq->intid >= VGIC_SPI_BASE)
            irq->active_vcpu = irq->active ? (uint8_t)vcpu_id : VGIC_NONE8;
        irq->pending_written = false;
        irq->active_written = false;
        irq->lr_owner = VGIC_NONE8;
        vc->lr_irq[i] = 0;
        cif->lr[i] = 0;
        /* It may have been re-routed while it sat here. */
        vgic_note_change(v, irq, vcpu_id, &kick);
    }
    spin_unlock(&v->lock);
    vgic_kick_mask(v, kick);
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

static bool cpu_if_would_signal(const struct vgic_v3_cpu_if *cif, unsigned prio, bool group1,
                                unsigned rpr, unsigned shift)
{
    unsigned pmr = (unsigned)((cif->vmcr & ICH_VMCR_VPMR_MASK) >> ICH_VMCR_VPMR_SHIFT);

    if (!(cif->vmcr & (group1 ? ICH_VMCR_VENG1 : ICH_VMCR_VENG0)))
        return false;
    /* Comparing at preemption granularity ignores the binary point, so
     * this may say yes where the guest would not be interrupted: a
     * spurious WFI wake-up is harmless, a missed one is not. */
    return prio < pmr && ((prio >> shift) << shift) < rpr;
}

bool vgic_vcpu_has_pending(struct vgic *v, unsigned vcpu_id)
{
    struct vgic_vcpu *vc;
    struct vgic_v3_cpu_if *cif;
    unsigned rpr, shift;
    bool found = false;

    if (vcpu_id >= v->nr_vcpus)
        return false;
    vc = &v->vcpu[vcpu_id];
    cif = &vc->cpu_if;

    spin_lock(&v->lock);
    rpr = running_priority(cif, &shift);
    /* Anything still in an LR (if called before sync) counts too. */
    for (unsigned i = 0; i < VGIC_V3_MAX_LRS && !found; i++) {
        uint64_t lr = cif->lr[i];

        if (vc->lr_irq[i] && (lr & ICH_LR_STATE_MASK) == ICH_LR_STATE_PENDING)
            found = cpu_if_would_signal(cif,
                                        (unsigned)((lr & ICH_LR_PRIORITY_MASK) >>
                                                   ICH_LR_PRIORITY_SHIFT),
                                        lr & ICH_LR_GROUP, rpr, shift);
    }
    for (unsigned i = 0; i < VGIC_NR_PRIVATE_IRQS + v->nr_spis && !found; i++) {
        const struct vgic_irq *irq = i < VGIC_NR_PRIVATE_IRQS ? &vc->priv[i]
                                                              : &v->spi[i - VGIC_NR_PRIVATE_IRQS];

        if (irq->lr_owner == VGIC_NONE8 && irq->target == vcpu_id && !irq->active &&
            vgic_irq_deliverable(v, irq))
            found = cpu_if_would_signal(cif, irq->priority, irq->group1, rpr, shift);
    }
    spin_unlock(&v->lock);
    return found;
}
