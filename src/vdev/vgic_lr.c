/* List-register policy shared by the GICv3 and GICv2 models: choosing which
 * interrupts a vCPU's virtual CPU interface holds (flush), folding back what
 * the guest did with them (sync), and judging whether a vCPU in WFI has
 * anything to wake up for. The encodings live in vgic_v3_lr.c (ICH_LR<n>_EL2)
 * and vgic_v2_lr.c (GICH_LR<n>), behind struct vgic_lr_ops.
 *
 * Ownership: an interrupt sits in at most one vCPU's LR. While it does,
 * that vCPU's LR is the truth about its pending/active state, and nobody
 * else puts it in an LR. Sync frees every LR, so each exit/entry pair
 * re-decides the whole set, with active interrupts first so that the guest
 * can always deactivate what it has acknowledged.
 *
 * GICv2 SGIs are one interrupt per (SGI, source) pair but one vgic_irq per
 * SGI: the LR carries one source at a time (CPUID), the other pending
 * sources wait in sgi_sources, and the LR asks for an EOI maintenance
 * interrupt so that the next source follows as soon as the guest is done
 * with this one. */
#include "vdev/vgic.h"

#include "lib/string.h"

static const struct vgic_lr_ops *lr_ops(const struct vgic *v)
{
    return v->model == VGIC_MODEL_V2 ? &vgic_v2_lr_ops : &vgic_v3_lr_ops;
}

static bool vgic_irq_deliverable(const struct vgic *v, const struct vgic_irq *irq)
{
    return irq->enabled && vgic_irq_is_pending(irq) && vgic_irq_group_enabled(v, irq);
}

/* Should this vCPU's LRs hold irq? An active SPI stays with the vCPU that
 * acknowledged it, even if routing has since sent new ones elsewhere. */
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
    struct vgic_irq *best[VGIC_MAX_LRS];
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

/* What LR n of this vCPU must say about irq. */
static void lr_describe(const struct vgic *v, const struct vgic_irq *irq,
                        struct vgic_lr_desc *d)
{
    bool deliverable = vgic_irq_deliverable(v, irq);

    *d = (struct vgic_lr_desc){
        .intid = irq->intid,
        .priority = irq->priority,
        .group1 = irq->group1,
        .active = irq->active,
        .pending = deliverable,
    };
    if (irq->hw) {
        d->hw = true;
        d->pintid = irq->pintid;
        /* The physical GIC holds the pending state of a forwarded IRQ; an
         * LR may not say pending+active for it. */
        if (irq->active)
            d->pending = false;
    } else if (!irq->edge) {
        /* Learn when the guest is done with a level IRQ, so that a line
         * still high re-pends it without waiting for an unrelated exit. */
        d->eoi = true;
    }
    if (vgic_irq_has_sources(v, irq)) {
        unsigned src = vgic_sgi_lr_source(irq);

        d->source = (uint8_t)src;
        d->pending = deliverable && (irq->sgi_sources & (1u << src));
        /* Another source waits: come back when the guest is done here. */
        if (deliverable && (irq->sgi_sources & ~(1u << src)))
            d->eoi = true;
    }
}

static void lr_place(struct vgic *v, const struct vgic_lr_ops *ops, struct vgic_vcpu *vc,
                     unsigned n, struct vgic_irq *irq, unsigned vcpu_id)
{
    struct vgic_lr_desc d;

    lr_describe(v, irq, &d);
    ops->write(vc, n, &d);
    vc->lr_irq[n] = irq;
    vc->lr_used |= 1ull << n;
    irq->lr_owner = (uint8_t)vcpu_id;
    irq->pending_written = false;
    irq->active_written = false;
    if (vgic_irq_has_sources(v, irq)) {
        irq->sgi_lr_src = d.source;
        if (d.pending)
            vgic_sgi_source_clear(irq, d.source);
    } else if (d.pending && (irq->edge || irq->hw)) {
        /* The LR now carries this edge; a new one while the guest runs
         * sets the latch again and is merged at sync. */
        irq->pending_latch = false;
    }
}

/* Walks the interrupts that may concern vCPU vc: its busy private ones,
 * then the busy SPIs, in INTID order (struct vgic's spi_busy). A bit whose
 * interrupt is no longer busy is cleared on the way. Under the lock. */
struct busy_iter {
    unsigned word;          /* 0: private bank; w + 1: spi_busy[w] */
    uint64_t left;          /* bits of that word not visited yet */
};

static struct vgic_irq *next_busy(struct vgic *v, struct vgic_vcpu *vc, struct busy_iter *it)
{
    unsigned nr_words = (v->nr_spis + 63) / 64;

    for (;;) {
        while (!it->left) {
            if (it->word >= nr_words)
                return 0;
            it->left = v->spi_busy[it->word++];
        }
        unsigned bit = (unsigned)__builtin_ctzll(it->left);
        struct vgic_irq *irq;

        it->left &= it->left - 1;
        if (it->word == 0) {
            irq = &vc->priv[bit];
            if (vgic_irq_busy(irq))
                return irq;
            vc->priv_busy &= ~(1u << bit);
        } else {
            irq = &v->spi[(it->word - 1) * 64 + bit];
            if (vgic_irq_busy(irq))
                return irq;
            v->spi_busy[it->word - 1] &= ~(1ull << bit);
        }
    }
}

static struct vgic_irq *first_busy(struct vgic *v, struct vgic_vcpu *vc, struct busy_iter *it)
{
    it->word = 0;
    it->left = vc->priv_busy;
    return next_busy(v, vc, it);
}

/* Out of line: rare, and the common flush should not pay for its
 * registers. Under the lock; the hook only writes the physical GIC. */
static __attribute__((noinline, cold)) void flush_hw_resync(struct vgic *v, struct vgic_vcpu *vc,
                                                            unsigned vcpu_id)
{
    uint32_t active, mask = vgic_take_hw_resync(vc, &active);

    vgic_set_phys_active(v, vcpu_id, mask, active);
}

/* Fills the free LRs from the picks (a free LR's shadow is already zero:
 * vgic_sync_lrs() clears each one it frees, and only lr_place() writes
 * one; the hardware is loaded from the used ones only) and records that
 * the LRs now hold what a flush at this gen gives. Under the lock. */
static void flush_place(struct vgic *v, const struct vgic_lr_ops *ops, struct vgic_vcpu *vc,
                        struct lr_pick *pick, unsigned vcpu_id, unsigned nr_lrs)
{
    unsigned k = 0;

    for (unsigned i = 0; i < nr_lrs && k < pick->n; i++)
        if (!vc->lr_irq[i])
            lr_place(v, ops, vc, i, pick->best[k++], vcpu_id);

    /* Underflow fires while at most one LR is valid: with a single LR that
     * is always, so there ask for an EOI maintenance IRQ instead (a
     * forwarded IRQ cannot carry one: the next exit must do). */
    ops->set_hcr(vc, pick->wanted > pick->n && nr_lrs >= 2);
    if (pick->wanted > pick->n && nr_lrs < 2)
        for (unsigned i = 0; i < nr_lrs; i++)
            if (vc->lr_irq[i])
                ops->set_eoi(vc, i);
    vc->quiet = true;
    vc->quiet_gen = v->gen;
}

/* The physical side of forwarded interrupts that register writes changed,
 * before any LR is placed: placing takes a forwarded pending state out of
 * pending_latch into the LR. Under the lock. */
static inline void flush_resync(struct vgic *v, struct vgic_vcpu *vc, unsigned vcpu_id)
{
    if (__builtin_expect(vc->hw_resync != 0, 0))
        flush_hw_resync(v, vc, vcpu_id);
    if (__builtin_expect(v->spi_hw_resync_any, 0))
        vgic_resync_hw_spis(v);
}

static inline void pick_init(struct lr_pick *pick, const struct vgic_vcpu *vc, unsigned nr_lrs)
{
    pick->n = 0;
    pick->wanted = 0;
    /* lr_used has a bit for each LR that holds an interrupt, all below nr_lrs. */
    pick->room = nr_lrs - (unsigned)__builtin_popcountll(vc->lr_used);
}

void vgic_flush_lrs(struct vgic *v, unsigned vcpu_id)
{
    const struct vgic_lr_ops *ops = lr_ops(v);
    struct vgic_vcpu *vc;
    struct lr_pick pick;
    struct busy_iter it;
    unsigned nr_lrs;

    /* The common exit (a hypercall, an MMIO access) changes nothing here,
     * and a WFI wake-up has flushed already (vgic_flush_lrs_if_pending()).
     * Without the lock: see vgic_lrs_current(). */
    if (vcpu_id >= v->nr_vcpus || vgic_lrs_current(v, vcpu_id))
        return;
    vc = &v->vcpu[vcpu_id];
    nr_lrs = ops->nr_lrs(vc);
    spin_lock(&v->lock);
    flush_resync(v, vc, vcpu_id);
    pick_init(&pick, vc, nr_lrs);
    for (struct vgic_irq *irq = first_busy(v, vc, &it); irq; irq = next_busy(v, vc, &it))
        lr_consider(v, &pick, irq, vcpu_id);
    flush_place(v, ops, vc, &pick, vcpu_id, nr_lrs);
    spin_unlock(&v->lock);
}

/* Is forwarded irq a level PPI of vcpu_id (loaded here, just exited)
 * whose line is low now, with no ISPENDR latch holding it pending? */
static bool hw_line_dropped(struct vgic *v, unsigned vcpu_id, const struct vgic_irq *irq)
{
    bool level;

    return !irq->edge && !irq->pending_soft && irq->intid < VGIC_NR_PRIVATE_IRQS &&
           vgic_hw_line_level(v, vcpu_id, irq->intid, &level) && !level;
}

void vgic_sync_lrs(struct vgic *v, unsigned vcpu_id)
{
    const struct vgic_lr_ops *ops = lr_ops(v);
    struct vgic_vcpu *vc;
    uint32_t kick = 0;

    if (vcpu_id >= v->nr_vcpus)
        return;
    vc = &v->vcpu[vcpu_id];

    spin_lock(&v->lock);
    while (vc->lr_used) {
        unsigned i = (unsigned)__builtin_ctzll(vc->lr_used);
        struct vgic_irq *irq = vc->lr_irq[i];
        struct vgic_lr_desc d;

        vc->lr_used &= vc->lr_used - 1;
        if (!irq)
            continue;
        ops->read(vc, i, &d);
        if (!irq->pending_written) {
            if (irq->edge || irq->hw) {
                if (d.pending && vgic_irq_has_sources(v, irq))
                    vgic_sgi_source_set(irq, irq->sgi_lr_src);
                else if (d.pending && !d.active && irq->hw && hw_line_dropped(v, vcpu_id, irq))
                    /* Not acknowledged, and the level that was forwarded
                     * is gone: drop it, as a GIC would, and let the
                     * physical PPI go for the timer's next assertion. */
                    vc->hw_resync |= 1u << irq->intid;
                else if (d.pending)
                    irq->pending_latch = true;
                else
                    irq->pending_soft = false;  /* acknowledged (hw only) */
            } else if (!d.pending) {
                /* Acknowledged: a latch from ISPENDR is consumed; the line
                 * level alone decides whether it pends again. */
                irq->pending_latch = false;
            }
        }
        /* A GICv2 SGI keeps sgi_lr_src: it names the active instance. */
        if (!irq->active_written)
            irq->active = d.active;
        if (irq->intid >= VGIC_SPI_BASE)
            irq->active_vcpu = irq->active ? (uint8_t)vcpu_id : VGIC_NONE8;
        irq->pending_written = false;
        irq->active_written = false;
        irq->lr_owner = VGIC_NONE8;
        vc->lr_irq[i] = 0;
        ops->clear(vc, i);
        v->gen++;
        /* It may have been re-routed while it sat here. */
        vgic_note_change(v, irq, vcpu_id, &kick);
    }
    spin_unlock(&v->lock);
    vgic_kick_mask(v, kick);
}

static bool cpu_if_would_signal(const struct vgic_cpu_if_view *w, unsigned prio, bool group1)
{
    if (!(group1 ? w->grp1_en : w->grp0_en))
        return false;
    /* Comparing at preemption granularity ignores the binary point, so
     * this may say yes where the guest would not be interrupted: a
     * spurious WFI wake-up is harmless, a missed one is not. */
    return prio < w->pmr && ((prio >> w->shift) << w->shift) < w->rpr;
}

/* Would vcpu_id's interface signal irq, which is outside every LR? */
static inline bool irq_would_wake(const struct vgic *v, const struct vgic_irq *irq, unsigned vcpu_id,
                                  const struct vgic_cpu_if_view *view)
{
    return irq->lr_owner == VGIC_NONE8 && irq->target == vcpu_id && !irq->active &&
           vgic_irq_deliverable(v, irq) && cpu_if_would_signal(view, irq->priority, irq->group1);
}

static unsigned signal_kind(const struct vgic_cpu_if_view *view, bool group1)
{
    return group1 || !view->grp0_fiq ? VGIC_PENDING_IRQ : VGIC_PENDING_FIQ;
}

/* How (VGIC_PENDING_*) the interface would signal what an LR of vc (if called before
 * sync) holds that its interface would signal. After a sync (a WFI wake)
 * none is in use. Under the lock. */
static unsigned lrs_would_wake(const struct vgic_lr_ops *ops, const struct vgic_vcpu *vc,
                               const struct vgic_cpu_if_view *view)
{
    unsigned groups = 0;

    for (uint64_t used = vc->lr_used; used; used &= used - 1) {
        unsigned i = (unsigned)__builtin_ctzll(used);
        struct vgic_lr_desc d;

        ops->read(vc, i, &d);
        if (d.pending && !d.active && cpu_if_would_signal(view, d.priority, d.group1))
            groups |= signal_kind(view, d.group1);
    }
    return groups;
}

/* The walk stops once it has found enough: with first_only (a yes or no)
 * the SPI words after the first hit are not read, else after both kinds. */
static unsigned pending_groups(struct vgic *v, unsigned vcpu_id, bool first_only)
{
    const unsigned both = VGIC_PENDING_FIQ | VGIC_PENDING_IRQ;
    const struct vgic_lr_ops *ops = lr_ops(v);
    struct vgic_vcpu *vc;
    struct vgic_cpu_if_view view;
    struct busy_iter it;
    unsigned found;

    if (vcpu_id >= v->nr_vcpus)
        return 0;
    vc = &v->vcpu[vcpu_id];

    spin_lock(&v->lock);
    ops->view(vc, &view);
    found = lrs_would_wake(ops, vc, &view);
    for (struct vgic_irq *irq = found == both || (found && first_only) ? 0 : first_busy(v, vc, &it); irq;
         irq = next_busy(v, vc, &it)) {
        if (irq_would_wake(v, irq, vcpu_id, &view)) {
            found |= signal_kind(&view, irq->group1);
            if (found == both || first_only)
                break;
        }
    }
    spin_unlock(&v->lock);
    return found;
}

bool vgic_vcpu_has_pending(struct vgic *v, unsigned vcpu_id)
{
    return pending_groups(v, vcpu_id, true) != 0;
}

unsigned vgic_vcpu_pending_groups(struct vgic *v, unsigned vcpu_id)
{
    return pending_groups(v, vcpu_id, false);
}

bool vgic_flush_lrs_if_pending(struct vgic *v, unsigned vcpu_id)
{
    const struct vgic_lr_ops *ops = lr_ops(v);
    struct vgic_vcpu *vc;
    struct vgic_cpu_if_view view;
    struct lr_pick pick;
    struct busy_iter it;
    unsigned nr_lrs;
    bool found;

    if (vcpu_id >= v->nr_vcpus)
        return false;
    vc = &v->vcpu[vcpu_id];
    nr_lrs = ops->nr_lrs(vc);

    spin_lock(&v->lock);
    ops->view(vc, &view);
    found = lrs_would_wake(ops, vc, &view) != 0;
    /* The flush's own walk answers the WFI question on the way. */
    pick_init(&pick, vc, nr_lrs);
    for (struct vgic_irq *irq = first_busy(v, vc, &it); irq; irq = next_busy(v, vc, &it)) {
        found = found || irq_would_wake(v, irq, vcpu_id, &view);
        lr_consider(v, &pick, irq, vcpu_id);
    }
    if (found) {
        /* It only writes the physical GIC, and must come before placing. */
        flush_resync(v, vc, vcpu_id);
        flush_place(v, ops, vc, &pick, vcpu_id, nr_lrs);
    }
    spin_unlock(&v->lock);
    return found;
}
