/* vGIC interrupt state shared by every front end: what a distributor and its
 * redistributors remember about each INTID, the ways interrupts become
 * pending (device lines, forwarded physical IRQs, SGIs), SPI routing
 * (GICv3 IROUTER or GICv2 ITARGETSR), GICv2's per-source SGI state, and
 * the bookkeeping that tells other vCPUs to look at their list registers.
 * Nothing here knows a register offset or a list-register encoding: the
 * registers' reads and writes of this state are in vgic_regs.c. */
#include "vdev/vgic.h"

#include "lib/log.h"
#include "lib/string.h"

/* MPIDR_EL1 affinity fields */
#define MPIDR_AFF0_2_MASK           0x00ffffffull
#define MPIDR_AFF3_SHIFT            32
#define MPIDR_AFF3_MASK             (0xffull << MPIDR_AFF3_SHIFT)
#define VGIC_AFF3_PACKED_SHIFT      24

/* ICC_SGI1R_EL1 */
#define ICC_SGI1R_TARGETLIST_MASK   0xffffull           /* [15:0] */
#define ICC_SGI1R_AFF1_SHIFT        16                  /* [23:16] */
#define ICC_SGI1R_INTID_SHIFT       24                  /* [27:24] */
#define ICC_SGI1R_INTID_MASK        0xfull
#define ICC_SGI1R_AFF2_SHIFT        32                  /* [39:32] */
#define ICC_SGI1R_IRM               (1ull << 40)
#define ICC_SGI1R_RS_SHIFT          44                  /* [47:44] */
#define ICC_SGI1R_RS_MASK           0xfull
#define ICC_SGI1R_AFF3_SHIFT        48                  /* [55:48] */
#define AFF_FIELD_MASK              0xffull

#define VGIC_FIRST_PPI              16u
#define VGIC_PINTID_MIN             16u                 /* the LR cannot forward SGIs */

uint32_t vgic_mpidr_affinity(uint64_t mpidr)
{
    return (uint32_t)(mpidr & MPIDR_AFF0_2_MASK) |
           (uint32_t)(((mpidr & MPIDR_AFF3_MASK) >> MPIDR_AFF3_SHIFT) << VGIC_AFF3_PACKED_SHIFT);
}

static uint32_t vgic_irouter_affinity(uint64_t irouter)
{
    return (uint32_t)(irouter & GICD_IROUTER_AFF0_2_MASK) |
           (uint32_t)(((irouter & GICD_IROUTER_AFF3_MASK) >> GICD_IROUTER_AFF3_SHIFT)
                      << VGIC_AFF3_PACKED_SHIFT);
}

static void vgic_irq_reset(struct vgic_irq *irq, enum vgic_model model, uint32_t intid,
                           uint8_t target)
{
    memset(irq, 0, sizeof(*irq));
    irq->intid = (uint16_t)intid;
    irq->target = target;
    irq->lr_owner = VGIC_NONE8;
    irq->active_vcpu = VGIC_NONE8;
    irq->edge = intid < VGIC_FIRST_PPI;
    if (model == VGIC_MODEL_V3) {
        /* No firmware runs before the guest to move interrupts out of
         * Group 0, and with a single security state a non-secure OS
         * expects Group 1. */
        irq->group1 = true;
    } else {
        /* GICv2 without Security Extensions: IGROUPR resets to 0, and a
         * GICv2 OS enables only Group 0 (GICD_CTLR bit 0, GICV_CTLR bit
         * 0), which the virtual CPU interface signals as IRQ. SGIs cannot
         * be disabled (ISENABLER0[15:0] read as one). */
        irq->enabled = intid < VGIC_NR_SGIS;
        /* ITARGETSR resets to an UNKNOWN value: CPU interface 0, so that
         * a guest that never programs it still gets its SPIs, as with the
         * GICv3 model's IROUTER reset. */
        if (intid >= VGIC_SPI_BASE)
            irq->itargets = 1u;
    }
}

/* Power-on state of either model; arguments already checked. */
static void vgic_reset(struct vgic *v, enum vgic_model model, unsigned nr_vcpus,
                       const uint64_t *vcpu_mpidr, unsigned nr_spis)
{
    memset(v, 0, sizeof(*v));
    spin_lock_init(&v->lock);
    v->model = model;
    v->nr_vcpus = nr_vcpus;
    v->nr_spis = nr_spis;
    for (unsigned i = 0; i < nr_vcpus; i++) {
        struct vgic_vcpu *vc = &v->vcpu[i];

        vc->mpidr = vcpu_mpidr ? vcpu_mpidr[i] : 0;
        v->vcpu_aff[i] = vgic_mpidr_affinity(vc->mpidr);
        vc->processor_sleep = true;
        for (uint32_t n = 0; n < VGIC_NR_PRIVATE_IRQS; n++)
            vgic_irq_reset(&vc->priv[n], model, n, (uint8_t)i);
    }
    for (uint32_t n = 0; n < nr_spis; n++) {
        struct vgic_irq *irq = &v->spi[n];

        vgic_irq_reset(irq, model, VGIC_SPI_BASE + n, VGIC_NONE8);
        if (model == VGIC_MODEL_V2) {
            irq->target = 0;                        /* ITARGETSR 0x01 */
            continue;
        }
        /* IROUTER resets to affinity 0.0.0.0: whoever has it gets SPIs. */
        for (unsigned i = 0; i < nr_vcpus; i++)
            if (vgic_mpidr_affinity(vcpu_mpidr[i]) == 0)
                irq->target = (uint8_t)i;
    }
}

static bool vgic_nr_spis_ok(unsigned *nr_spis)
{
    if (*nr_spis == 0)
        *nr_spis = VGIC_DEFAULT_SPIS;
    return *nr_spis <= VGIC_MAX_SPIS;
}

int vgic_init(struct vgic *v, unsigned nr_vcpus, const uint64_t *vcpu_mpidr, unsigned nr_spis)
{
    if (!v || !vcpu_mpidr || nr_vcpus == 0 || nr_vcpus > VGIC_MAX_VCPUS)
        return -1;
    if (!vgic_nr_spis_ok(&nr_spis))
        return -1;
    for (unsigned i = 0; i < nr_vcpus; i++)
        for (unsigned j = 0; j < i; j++)
            if (vgic_mpidr_affinity(vcpu_mpidr[i]) == vgic_mpidr_affinity(vcpu_mpidr[j]))
                return -1;      /* SGI and SPI routing need distinct affinities */
    vgic_reset(v, VGIC_MODEL_V3, nr_vcpus, vcpu_mpidr, nr_spis);
    return 0;
}

int vgic_init_v2(struct vgic *v, unsigned nr_vcpus, unsigned nr_spis)
{
    /* GICv2 has eight CPU interfaces: ITARGETSR and SGI source fields are
     * eight bits, the LR CPUID three. */
    if (!v || nr_vcpus == 0 || nr_vcpus > VGIC_MAX_VCPUS || nr_vcpus > VGIC_V2_MAX_VCPUS)
        return -1;
    if (!vgic_nr_spis_ok(&nr_spis))
        return -1;
    vgic_reset(v, VGIC_MODEL_V2, nr_vcpus, 0, nr_spis);
    return 0;
}

uint32_t vgic_vcpu_mask(const struct vgic *v)
{
    return (1u << v->nr_vcpus) - 1;
}

struct vgic_irq *vgic_get_irq(struct vgic *v, unsigned bank, uint32_t intid)
{
    if (intid < VGIC_NR_PRIVATE_IRQS)
        return bank < v->nr_vcpus ? &v->vcpu[bank].priv[intid] : 0;
    if (intid - VGIC_SPI_BASE < v->nr_spis)
        return &v->spi[intid - VGIC_SPI_BASE];
    return 0;
}

/* Which vCPU a pending SPI goes to under its current IROUTER / ITARGETSR. */
static uint8_t vgic_spi_route(const struct vgic *v, const struct vgic_irq *irq)
{
    if (v->model == VGIC_MODEL_V2) {
        /* The GICv2 distributor offers an SPI to every targeted CPU
         * interface and the first to acknowledge takes it; here the
         * lowest-numbered target is the one that sees it. */
        uint32_t t = irq->itargets & vgic_vcpu_mask(v);

        return t ? (uint8_t)__builtin_ctz(t) : VGIC_NONE8;
    }
    if (irq->irouter & GICD_IROUTER_IRM) {
        /* 1 of N: stay put while the chosen vCPU is awake, so a busy SPI
         * does not bounce between vCPUs; otherwise take the first awake. */
        if (irq->target < v->nr_vcpus && !v->vcpu[irq->target].processor_sleep)
            return irq->target;
        for (unsigned i = 0; i < v->nr_vcpus; i++)
            if (!v->vcpu[i].processor_sleep)
                return (uint8_t)i;
        return 0;
    }
    uint32_t aff = vgic_irouter_affinity(irq->irouter);

    for (unsigned i = 0; i < v->nr_vcpus; i++)
        if (vgic_mpidr_affinity(v->vcpu[i].mpidr) == aff)
            return (uint8_t)i;
    return VGIC_NONE8;
}

void vgic_mark_busy(struct vgic *v, struct vgic_irq *irq)
{
    if (!vgic_irq_busy(irq))
        return;
    if (irq->intid >= VGIC_SPI_BASE) {
        uint32_t n = irq->intid - VGIC_SPI_BASE;

        v->spi_busy[n / 64] |= 1ull << (n % 64);
    } else {
        /* A private interrupt lives in its vCPU's bank. */
        size_t bank = (size_t)((const char *)irq - (const char *)v->vcpu) / sizeof(v->vcpu[0]);

        v->vcpu[bank].priv_busy |= 1u << irq->intid;
    }
}

/* After any change to irq: find who must look at it again. An IRQ in a
 * running vCPU's LR is that vCPU's business until it syncs; otherwise a
 * deliverable IRQ concerns its target. The caller itself re-flushes before
 * it re-enters the guest, so it is never kicked. */
void vgic_note_change(struct vgic *v, struct vgic_irq *irq, unsigned caller, uint32_t *kick)
{
    uint8_t who;

    vgic_mark_busy(v, irq);

    if (irq->lr_owner != VGIC_NONE8) {
        who = irq->lr_owner;
    } else {
        if (irq->intid >= VGIC_SPI_BASE)
            irq->target = vgic_spi_route(v, irq);
        if (!irq->enabled || !vgic_irq_is_pending(irq) || !vgic_irq_group_enabled(v, irq))
            return;
        who = irq->target;
    }
    if (who < v->nr_vcpus && who != caller)
        *kick |= 1u << who;
}

/* A forwarded SPI's physical state is the distributor's, which any CPU
 * reaches: it is released as soon as the vGIC holds the virtual one
 * neither pending nor active. One in a vCPU's LR waits for that vCPU's
 * sync (the write kicks it), whose LR may still end it through the HW
 * bit. */
static void hw_spi_resync(struct vgic *v, struct vgic_irq *irq)
{
    uint32_t n = irq->intid - VGIC_SPI_BASE;
    uint64_t bit = 1ull << (n % 64);

    if (irq->lr_owner != VGIC_NONE8) {
        v->spi_hw_resync[n / 64] |= bit;
        v->spi_hw_resync_any = true;
        v->gen++;               /* no quiet flush may skip it */
        return;
    }
    v->spi_hw_resync[n / 64] &= ~bit;
    if (!vgic_irq_is_pending(irq) && !irq->active)
        vgic_release_phys_spi(v, irq->pintid);
}

void vgic_resync_hw_spis(struct vgic *v)
{
    bool left = false;

    for (unsigned w = 0; w < sizeof(v->spi_hw_resync) / sizeof(v->spi_hw_resync[0]); w++) {
        for (uint64_t m = v->spi_hw_resync[w]; m; m &= m - 1) {
            struct vgic_irq *irq = &v->spi[w * 64 + (unsigned)__builtin_ctzll(m)];

            if (irq->hw)
                hw_spi_resync(v, irq);
            else
                v->spi_hw_resync[w] &= ~(m & -m);
        }
        left |= v->spi_hw_resync[w] != 0;
    }
    v->spi_hw_resync_any = left;
}

void vgic_note_hw_write(struct vgic *v, struct vgic_irq *irq, unsigned bank, unsigned caller,
                        uint32_t *kick)
{
    if (irq->hw && irq->intid >= VGIC_SPI_BASE) {
        hw_spi_resync(v, irq);
        return;
    }
    if (!irq->hw || irq->intid >= VGIC_NR_PRIVATE_IRQS || bank >= v->nr_vcpus)
        return;
    v->vcpu[bank].hw_resync |= 1u << irq->intid;
    /* The quiet skip of the next flush must not hide the bit. */
    v->gen++;
    /* Only bank's own CPU can reach that PPI: wake it even if the
     * interrupt is neither in its LRs nor deliverable (a cleared one). A
     * bank not loaded anywhere gets its physical state at vcpu_load(). */
    if (bank != caller)
        *kick |= 1u << bank;
}

uint32_t vgic_take_hw_resync(struct vgic_vcpu *vc, uint32_t *active)
{
    uint32_t mask = vc->hw_resync, pmask = 0;

    *active = 0;
    vc->hw_resync = 0;
    /* hw_resync is kept by vINTID; the physical GIC wants the pINTID,
     * which differs for a guest hypervisor's EL2 timers (vINTID 26 or 28
     * forwarded from the EL1 timers' 30 or 27). One no longer forwarded
     * was released by whoever unmapped it. */
    for (uint32_t m = mask; m; m &= m - 1) {
        const struct vgic_irq *irq = &vc->priv[__builtin_ctz(m)];
        uint32_t pbit;

        if (!irq->hw || irq->pintid >= VGIC_NR_PRIVATE_IRQS)
            continue;
        pbit = 1u << irq->pintid;
        pmask |= pbit;
        if (vgic_irq_is_pending(irq) || irq->active || irq->lr_owner != VGIC_NONE8)
            *active |= pbit;
    }
    return pmask;
}

void vgic_apply_hw_resync(struct vgic *v, unsigned vcpu_id)
{
    uint32_t mask, active;

    if (vcpu_id >= v->nr_vcpus)
        return;
    spin_lock(&v->lock);
    mask = vgic_take_hw_resync(&v->vcpu[vcpu_id], &active);
    spin_unlock(&v->lock);
    if (mask)
        vgic_set_phys_active(v, vcpu_id, mask, active);
}

void vgic_kick_mask(struct vgic *v, uint32_t kick)
{
    for (; kick; kick &= kick - 1) {
        unsigned i = (unsigned)__builtin_ctz(kick);

        if (i < v->nr_vcpus)
            vgic_kick_vcpu(v, i);
    }
}

void vgic_sgi_source_set(struct vgic_irq *irq, unsigned src)
{
    irq->sgi_sources |= (uint8_t)(1u << (src & 7u));
    irq->pending_latch = true;
}

void vgic_sgi_source_clear(struct vgic_irq *irq, unsigned src)
{
    irq->sgi_sources &= (uint8_t)~(1u << (src & 7u));
    irq->pending_latch = irq->sgi_sources != 0;
}

unsigned vgic_sgi_lr_source(const struct vgic_irq *irq)
{
    /* The active instance stays in the LR until deactivated, so the LR
     * must name its source; otherwise take the lowest pending source. */
    if (irq->active || !irq->sgi_sources)
        return irq->sgi_lr_src & 7u;
    return (unsigned)__builtin_ctz(irq->sgi_sources);
}

/* vgic_note_change() for an SGI of vcpu_id that is now pending (a private
 * interrupt: its target is its own vCPU), inline because the sender's
 * exit waits for it before the target is kicked. */
static inline void sgi_note_pending(struct vgic *v, unsigned vcpu_id, struct vgic_irq *irq,
                                    unsigned caller, uint32_t *kick)
{
    unsigned who = vcpu_id;

    v->vcpu[vcpu_id].priv_busy |= 1u << irq->intid;
    if (irq->lr_owner != VGIC_NONE8)
        who = irq->lr_owner;
    else if (!irq->enabled || !vgic_irq_group_enabled(v, irq))
        return;
    if (who != caller)
        *kick |= 1u << who;
}

void vgic_v2_sgi_set_pending(struct vgic *v, unsigned caller, unsigned target, uint32_t sgi,
                             unsigned src, bool pending, uint32_t *kick)
{
    struct vgic_irq *irq;

    if (v->model != VGIC_MODEL_V2 || target >= v->nr_vcpus || src >= v->nr_vcpus ||
        sgi >= VGIC_NR_SGIS)
        return;
    irq = &v->vcpu[target].priv[sgi];
    if (pending)
        vgic_sgi_source_set(irq, src);
    else
        vgic_sgi_source_clear(irq, src);
    /* The instance in the target's LR is that source's: the register write
     * wins over what the LR says at sync. Other sources are not in any LR,
     * so sgi_sources is already the whole truth about them. */
    if (irq->lr_owner != VGIC_NONE8 && irq->sgi_lr_src == src)
        irq->pending_written = true;
    if (pending)
        sgi_note_pending(v, target, irq, caller, kick);
    else
        vgic_note_change(v, irq, caller, kick);
}

void vgic_set_processor_sleep(struct vgic *v, unsigned vcpu_id, bool sleep)
{
    if (vcpu_id < v->nr_vcpus)
        v->vcpu[vcpu_id].processor_sleep = sleep;
}

void vgic_set_irq_level(struct vgic *v, unsigned vcpu_id, uint32_t intid, bool level)
{
    uint32_t kick = 0;
    struct vgic_irq *irq;

    if (intid < VGIC_FIRST_PPI)
        return;         /* SGIs have no line */
    spin_lock(&v->lock);
    v->gen++;
    irq = vgic_get_irq(v, vcpu_id, intid);
    if (irq && irq->line_level != level) {
        /* On an edge-configured input only the rising edge counts. */
        if (irq->edge && level)
            irq->pending_latch = true;
        irq->line_level = level;
        vgic_note_change(v, irq, vcpu_id, &kick);
    }
    spin_unlock(&v->lock);
    vgic_kick_mask(v, kick);
}

void vgic_inject_edge(struct vgic *v, unsigned vcpu_id, uint32_t intid)
{
    uint32_t kick = 0;
    struct vgic_irq *irq;

    spin_lock(&v->lock);
    v->gen++;
    irq = vgic_get_irq(v, vcpu_id, intid);
    if (irq) {
        if (vgic_irq_has_sources(v, irq))
            vgic_sgi_source_set(irq, vcpu_id);      /* bank found: vcpu_id < nr_vcpus */
        else
            irq->pending_latch = true;
        vgic_note_change(v, irq, vcpu_id, &kick);
    }
    spin_unlock(&v->lock);
    vgic_kick_mask(v, kick);
}

void vgic_inject_hw(struct vgic *v, unsigned vcpu_id, uint32_t vintid, uint32_t pintid)
{
    uint32_t kick = 0;
    struct vgic_irq *irq;

    if (vintid < VGIC_FIRST_PPI || pintid < VGIC_PINTID_MIN || pintid > VGIC_MAX_INTID) {
        log_warn("vgic: refusing to forward pINTID %u as vINTID %u", pintid, vintid);
        return;
    }
    spin_lock(&v->lock);
    v->gen++;
    irq = vgic_get_irq(v, vcpu_id, vintid);
    if (irq) {
        irq->hw = true;
        irq->pintid = (uint16_t)pintid;
        irq->pending_latch = true;
        vgic_note_change(v, irq, vcpu_id, &kick);
    }
    spin_unlock(&v->lock);
    vgic_kick_mask(v, kick);
}

void vgic_unmap_hw(struct vgic *v, unsigned vcpu_id, uint32_t vintid)
{
    uint32_t kick = 0;
    struct vgic_irq *irq;

    spin_lock(&v->lock);
    v->gen++;
    irq = vgic_get_irq(v, vcpu_id, vintid);
    if (irq && irq->hw) {
        irq->hw = false;
        irq->pintid = 0;
        /* A level line the device kept driving counts again. */
        vgic_note_change(v, irq, vcpu_id, &kick);
    }
    spin_unlock(&v->lock);
    vgic_kick_mask(v, kick);
}

void vgic_deactivate(struct vgic *v, unsigned vcpu_id, uint32_t intid)
{
    uint32_t kick = 0;

    if (intid > VGIC_MAX_INTID || vcpu_id >= v->nr_vcpus)
        return;
    spin_lock(&v->lock);
    v->gen++;
    vgic_bitreg_write(v, vcpu_id, vcpu_id, intid & ~31u, VGIC_BITREG_CLEAR_ACTIVE, 1u << (intid & 31u), &kick);
    spin_unlock(&v->lock);
    vgic_kick_mask(v, kick);
}

bool vgic_remap_hw_active(struct vgic *v, unsigned vcpu_id, uint32_t vintid, uint32_t pintid)
{
    struct vgic_irq *irq;
    bool mapped = false;

    if (vintid < VGIC_FIRST_PPI || vintid >= VGIC_NR_PRIVATE_IRQS || pintid < VGIC_PINTID_MIN ||
        pintid >= VGIC_NR_PRIVATE_IRQS)
        return false;
    spin_lock(&v->lock);
    irq = vgic_get_irq(v, vcpu_id, vintid);
    if (irq && !irq->hw && irq->active && irq->lr_owner == VGIC_NONE8) {
        v->gen++;
        irq->hw = true;
        irq->pintid = (uint16_t)pintid;
        mapped = true;
    }
    spin_unlock(&v->lock);
    return mapped;
}

bool vgic_irq_in_flight(struct vgic *v, unsigned vcpu_id, uint32_t vintid, bool *forwarded)
{
    struct vgic_irq *irq;
    bool busy = false, hw = false;

    if (vintid < VGIC_FIRST_PPI || vintid >= VGIC_NR_PRIVATE_IRQS) {
        if (forwarded)
            *forwarded = false;
        return false;
    }
    spin_lock(&v->lock);
    irq = vgic_get_irq(v, vcpu_id, vintid);
    if (irq) {
        busy = vgic_irq_is_pending(irq) || irq->active;
        hw = irq->hw;
    }
    spin_unlock(&v->lock);
    if (forwarded)
        *forwarded = hw;
    return busy;
}

/* An SGI (GICv3 model) for vcpu_id becomes pending. */
static inline void sgi_pend(struct vgic *v, unsigned vcpu_id, uint32_t intid, unsigned caller,
                            uint32_t *kick)
{
    struct vgic_irq *irq = &v->vcpu[vcpu_id].priv[intid];

    irq->pending_latch = true;
    sgi_note_pending(v, vcpu_id, irq, caller, kick);
}

void vgic_note_own_sgi(struct vgic *v, unsigned src_vcpu, uint32_t targets, uint32_t gen_before)
{
    struct vgic_vcpu *vc = &v->vcpu[src_vcpu];

    vc->sgi_only = !(targets & (1u << src_vcpu));
    vc->sgi_from_gen = gen_before;
}

bool vgic_send_sgi_to_others(struct vgic *v, unsigned src_vcpu, uint64_t icc_sgi1r,
                             uint32_t *gen_before)
{
    uint32_t intid = (uint32_t)((icc_sgi1r >> ICC_SGI1R_INTID_SHIFT) & ICC_SGI1R_INTID_MASK);
    uint32_t targets = 0, kick = 0;

    /* GICv2 SGIs need a source and go through GICD_SGIR. */
    if (src_vcpu >= v->nr_vcpus || v->model != VGIC_MODEL_V3)
        return false;
    if (icc_sgi1r & ICC_SGI1R_IRM) {
        targets = ((1u << v->nr_vcpus) - 1) & ~(1u << src_vcpu);
    } else {
        uint32_t aff321 = (uint32_t)(((icc_sgi1r >> ICC_SGI1R_AFF3_SHIFT) & AFF_FIELD_MASK) << 24 |
                                     ((icc_sgi1r >> ICC_SGI1R_AFF2_SHIFT) & AFF_FIELD_MASK) << 16 |
                                     ((icc_sgi1r >> ICC_SGI1R_AFF1_SHIFT) & AFF_FIELD_MASK) << 8);
        uint32_t rs = (uint32_t)((icc_sgi1r >> ICC_SGI1R_RS_SHIFT) & ICC_SGI1R_RS_MASK);
        uint32_t list = (uint32_t)(icc_sgi1r & ICC_SGI1R_TARGETLIST_MASK);

        /* Aff3.Aff2.Aff1 and the range RS in one compare. */
        uint32_t want = aff321 | rs * VGIC_SGI_TARGETS_PER_RANGE;

        for (unsigned i = 0; i < v->nr_vcpus; i++) {
            uint32_t aff = v->vcpu_aff[i];
            uint32_t aff0 = aff & AFF_FIELD_MASK;

            if ((aff & ~(uint32_t)(VGIC_SGI_TARGETS_PER_RANGE - 1)) == want &&
                (list >> (aff0 % VGIC_SGI_TARGETS_PER_RANGE)) & 1u)
                targets |= 1u << i;
        }
    }

    spin_lock(&v->lock);
    *gen_before = v->gen++;
    vgic_note_own_sgi(v, src_vcpu, targets, *gen_before);
    for (uint32_t t = targets; t; t &= t - 1)
        sgi_pend(v, (unsigned)__builtin_ctz(t), intid, src_vcpu, &kick);
    spin_unlock(&v->lock);
    vgic_kick_mask(v, kick);
    return !(targets & (1u << src_vcpu));
}

void vgic_send_sgi(struct vgic *v, unsigned src_vcpu, uint64_t icc_sgi1r)
{
    uint32_t gen_before;

    (void)vgic_send_sgi_to_others(v, src_vcpu, icc_sgi1r, &gen_before);
}
