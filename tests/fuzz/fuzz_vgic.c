/* Fuzz target: the vGIC register files as guests reach them (GICv3
 * distributor and redistributors, GICv2 distributor), driven the way
 * tests/unit/test_vgic_regs.c and test_vgic_v2_regs.c drive them, from
 * several vCPUs, with interrupt injection and the list-register flush and
 * sync (and a guest changing LR states in between) mixed in. The first
 * bytes pick the model, the vCPUs, the SPIs and the LR count; then each
 * operation is an MMIO access (vCPU, offset, size, direction, value), an
 * injection, an SGI, or one vCPU's flush / guest run / sync. Invariants,
 * checked after every operation (the vGIC's own consistency rules from
 * vgic.h):
 *  - an access is refused only for a bad size, alignment or offset; a
 *    read changes no state at all;
 *  - every interrupt keeps its INTID, a priority within VGIC_PRIO_MASK,
 *    private ones their vCPU as target; SGIs stay edge-triggered (and on
 *    GICv2 enabled, with pending == some source pending and sources only
 *    among the vCPUs); GICv2 SPI targets only among the vCPUs, and the
 *    delivery target the lowest one while no LR holds it; a GICv3 SPI
 *    target is a vCPU or none;
 *  - list registers: lr_owner names a vCPU whose used LR holds that
 *    interrupt, and every used LR's interrupt names that vCPU; no
 *    interrupt in two LRs; used LRs within the LR count; each used LR's
 *    INTID is its interrupt's; after a sync no LR is used;
 *  - kicks and physical active-state calls name existing vCPUs and
 *    private INTIDs only. */
#include "fuzz_support.h"

/* Sources under test: the only lines of this target naming src/ files. */
#include "vdev/vgic_core.c"
#include "vdev/vgic_regs.c"
#include "vdev/vgic_mmio.c"
#include "vdev/vgic_v3_dist.c"
#include "vdev/vgic_v3_redist.c"
#include "vdev/vgic_v3_lr.c"
#include "vdev/vgic_v2_dist.c"
#include "vdev/vgic_v2_lr.c"
#include "vdev/vgic_lr.c"

static struct vgic vg, snap;

/* ---- What core provides, checked ---- */

void vgic_kick_vcpu(struct vgic *v, unsigned vcpu_id)
{
    FUZZ_CHECK(vcpu_id < v->nr_vcpus, "kick of vCPU %u of %u", vcpu_id, v->nr_vcpus);
}

void vgic_set_phys_active(struct vgic *v, unsigned vcpu_id, uint32_t mask, uint32_t active)
{
    FUZZ_CHECK(vcpu_id < v->nr_vcpus, "physical active state of vCPU %u", vcpu_id);
    FUZZ_CHECK((active & ~mask) == 0, "active %#x outside mask %#x", active, mask);
}

void vgic_release_phys_spi(struct vgic *v, uint32_t pintid)
{
    (void)v;
    FUZZ_CHECK(pintid >= 32 && pintid <= 1019, "release of physical SPI %u", pintid);
}

static unsigned line_vcpu;
static uint32_t line_high;

bool vgic_hw_line_level(struct vgic *v, unsigned vcpu_id, uint32_t intid, bool *level)
{
    FUZZ_CHECK(vcpu_id < v->nr_vcpus && intid < VGIC_NR_PRIVATE_IRQS, "line of %u/%u", vcpu_id,
               intid);
    if (vcpu_id != line_vcpu)
        return false;
    *level = (line_high >> intid) & 1;
    return true;
}

/* ---- Invariants ---- */

static bool v2(void) { return vg.model == VGIC_MODEL_V2; }

static unsigned nr_lrs(unsigned i)
{
    return v2() ? vg.vcpu[i].cpu_if_v2.nr_lrs : vg.vcpu[i].cpu_if.nr_lrs;
}

static uint32_t lr_intid(unsigned i, unsigned n)
{
    return v2() ? (vg.vcpu[i].cpu_if_v2.lr[n] & GICH_LR_VIRTUALID_MASK)
                : (uint32_t)(vg.vcpu[i].cpu_if.lr[n] & ICH_LR_EL2_vINTID_MASK);
}

static void check_irq(const struct vgic_irq *irq, unsigned intid, unsigned owner_vcpu)
{
    uint32_t mask = vgic_vcpu_mask(&vg);

    FUZZ_CHECK(irq->intid == intid, "INTID %u stored as %u", intid, irq->intid);
    FUZZ_CHECK((irq->priority & ~VGIC_PRIO_MASK) == 0, "INTID %u priority %#x", intid,
               irq->priority);
    FUZZ_CHECK(irq->lr_owner == VGIC_NONE8 || irq->lr_owner < vg.nr_vcpus, "INTID %u lr_owner %u",
               intid, irq->lr_owner);
    if (irq->lr_owner != VGIC_NONE8) {
        const struct vgic_vcpu *vc = &vg.vcpu[irq->lr_owner];
        bool held = false;
        for (unsigned n = 0; n < VGIC_MAX_LRS; n++)
            held |= (vc->lr_used >> n & 1) && vc->lr_irq[n] == irq;
        FUZZ_CHECK(held, "INTID %u owned by vCPU %u's LRs but in none", intid, irq->lr_owner);
    }
    if (intid < VGIC_NR_PRIVATE_IRQS) {
        FUZZ_CHECK(irq->target == owner_vcpu, "private INTID %u of vCPU %u targets %u", intid,
                   owner_vcpu, irq->target);
        if (intid < VGIC_NR_SGIS) {
            FUZZ_CHECK(irq->edge, "SGI %u level-triggered", intid);
            if (v2()) {
                FUZZ_CHECK(irq->enabled, "GICv2 SGI %u disabled", intid);
                FUZZ_CHECK((irq->sgi_sources & ~mask) == 0, "SGI %u sources %#x", intid,
                           irq->sgi_sources);
                FUZZ_CHECK(irq->pending_latch == (irq->sgi_sources != 0),
                           "SGI %u pending %d, sources %#x", intid, irq->pending_latch,
                           irq->sgi_sources);
            }
        }
    } else if (v2()) {
        uint32_t t = irq->itargets & mask;
        FUZZ_CHECK((irq->itargets & ~mask) == 0, "SPI %u itargets %#x", intid, irq->itargets);
        if (irq->lr_owner == VGIC_NONE8)
            FUZZ_CHECK(irq->target == (t ? (unsigned)__builtin_ctz(t) : VGIC_NONE8),
                       "SPI %u target %u for ITARGETSR %#x", intid, irq->target, irq->itargets);
    } else {
        FUZZ_CHECK(irq->target == VGIC_NONE8 || irq->target < vg.nr_vcpus, "SPI %u target %u",
                   intid, irq->target);
    }
}

static void check_all(void)
{
    for (unsigned i = 0; i < vg.nr_vcpus; i++) {
        const struct vgic_vcpu *vc = &vg.vcpu[i];
        for (unsigned n = 0; n < VGIC_NR_PRIVATE_IRQS; n++)
            check_irq(&vc->priv[n], n, i);
        FUZZ_CHECK(nr_lrs(i) >= 64 || (vc->lr_used >> nr_lrs(i)) == 0, "vCPU %u uses LRs %#llx of %u",
                   i, (unsigned long long)vc->lr_used, nr_lrs(i));
        for (unsigned n = 0; n < VGIC_MAX_LRS; n++) {
            if (!(vc->lr_used >> n & 1))
                continue;
            const struct vgic_irq *irq = vc->lr_irq[n];
            FUZZ_CHECK(irq && irq->lr_owner == i, "vCPU %u LR %u: interrupt owned by %u", i, n,
                       irq ? irq->lr_owner : 0xffff);
            FUZZ_CHECK(lr_intid(i, n) == irq->intid, "vCPU %u LR %u holds %u, interrupt %u", i, n,
                       lr_intid(i, n), irq->intid);
            for (unsigned m = n + 1; m < VGIC_MAX_LRS; m++)
                FUZZ_CHECK(!((vc->lr_used >> m & 1) && vc->lr_irq[m] == irq),
                           "INTID %u in LRs %u and %u", irq->intid, n, m);
        }
    }
    for (unsigned n = 0; n < vg.nr_spis; n++)
        check_irq(&vg.spi[n], VGIC_SPI_BASE + n, 0);
}

/* ---- A guest's run between flush and sync: it acknowledges, completes
 * and deactivates some of what its LRs hold. ---- */

static void guest_runs(unsigned vcpu, struct fuzz_in *in)
{
    for (unsigned n = 0; n < nr_lrs(vcpu) && n < VGIC_MAX_LRS; n++) {
        unsigned state = fuzz_u8(in) & 7;   /* 4..7: leave the LR alone */
        if (state > 3)
            continue;
        if (v2()) {
            uint32_t *lr = &vg.vcpu[vcpu].cpu_if_v2.lr[n];
            if (*lr & GICH_LR_STATE_MASK)
                *lr = (*lr & ~GICH_LR_STATE_MASK) | (uint32_t)state << GICH_LR_STATE_SHIFT;
        } else {
            uint64_t *lr = &vg.vcpu[vcpu].cpu_if.lr[n];
            if (*lr & ICH_LR_EL2_State_MASK)
                *lr = (*lr & ~ICH_LR_EL2_State_MASK) | (uint64_t)state << ICH_LR_EL2_State_SHIFT;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = { data, size };
    uint8_t cfg = fuzz_u8(&in);
    unsigned nr_vcpus = 1 + (cfg >> 1) % 8, nr_spis = 32 * (1 + fuzz_u8(&in) % 4);
    unsigned lrs = 1 + fuzz_u8(&in) % 16;
    uint64_t mpidrs[VGIC_MAX_VCPUS];
    bool in_lrs[VGIC_MAX_VCPUS] = { false };

    for (unsigned i = 0; i < VGIC_MAX_VCPUS; i++)
        mpidrs[i] = 0x80000000ULL | ((uint64_t)(i / 4) << 8) | (i % 4);
    if (cfg & 1) {
        FUZZ_CHECK(vgic_init_v2(&vg, nr_vcpus, nr_spis) == 0, "vgic_init_v2");
        for (unsigned i = 0; i < nr_vcpus; i++)
            vgic_v2_cpu_if_init(&vg.vcpu[i].cpu_if_v2, lrs - 1);
    } else {
        FUZZ_CHECK(vgic_init(&vg, nr_vcpus, mpidrs, nr_spis) == 0, "vgic_init");
        for (unsigned i = 0; i < nr_vcpus; i++) {
            vgic_v3_cpu_if_init(&vg.vcpu[i].cpu_if,
                                (4ULL << ICH_VTR_EL2_PRIbits_SHIFT) | (4ULL << ICH_VTR_EL2_PREbits_SHIFT) |
                                    (lrs - 1));
            vg.vcpu[i].cpu_if.vmcr = ICH_VMCR_EL2_VENG0 | ICH_VMCR_EL2_VENG1 | ICH_VMCR_EL2_VPMR_MASK;
        }
    }
    line_vcpu = fuzz_u8(&in) % nr_vcpus;
    line_high = fuzz_u32(&in);
    check_all();

    for (unsigned op = 0; op < 256 && fuzz_more(&in); op++) {
        uint8_t kind = fuzz_u8(&in);
        unsigned vcpu = fuzz_u8(&in) % nr_vcpus;

        switch (kind % 8) {
        case 0: case 1: case 2: case 3: {   /* MMIO */
            static const unsigned sizes[4] = { 1, 2, 4, 8 };
            bool redist = !v2() && (kind & 8);
            bool other = (kind & 0x30) == 0x30;     /* the other model's handler */
            struct mmio_access acc;
            acc.size = sizes[(kind >> 6) & 3];
            acc.is_write = kind & 1;
            acc.offset = redist ? fuzz_u32(&in) % ((nr_vcpus + 1) * VGIC_V3_REDIST_STRIDE)
                                : fuzz_u16(&in);
            if (kind & 4)
                acc.offset &= ~(uint64_t)(acc.size - 1);
            acc.value = acc.is_write ? fuzz_u64(&in) : 0x5a5a5a5a5a5a5a5aULL;
            mmio_handler_fn fn = v2() ? (other ? vgic_v3_dist_mmio : vgic_v2_dist_mmio)
                                      : redist ? vgic_v3_redist_mmio
                                               : other ? vgic_v2_dist_mmio : vgic_v3_dist_mmio;
            if (!acc.is_write)
                memcpy(&snap, &vg, sizeof(vg));
            bool ok = fn(&vg, vcpu, &acc);
            if (acc.offset & (acc.size - 1))
                FUZZ_CHECK(!ok, "misaligned access accepted");
            if (!acc.is_write)
                FUZZ_CHECK(memcmp(&snap, &vg, sizeof(vg)) == 0,
                           "read of %#llx (size %u, vCPU %u) changed the vGIC",
                           (unsigned long long)acc.offset, acc.size, vcpu);
            FUZZ_TRACE("%s %s %#llx/%u vcpu %u: %d value %#llx\n", redist ? "redist" : "dist",
                       acc.is_write ? "write" : "read", (unsigned long long)acc.offset, acc.size,
                       vcpu, ok, (unsigned long long)acc.value);
            break;
        }
        case 4: {                           /* the vCPU enters: flush; or leaves: sync */
            if (!in_lrs[vcpu]) {
                vgic_flush_lrs(&vg, vcpu);
                in_lrs[vcpu] = true;
                guest_runs(vcpu, &in);
            } else {
                vgic_sync_lrs(&vg, vcpu);
                in_lrs[vcpu] = false;
                FUZZ_CHECK(vg.vcpu[vcpu].lr_used == 0, "LRs %#llx used after sync",
                           (unsigned long long)vg.vcpu[vcpu].lr_used);
                (void)vgic_vcpu_has_pending(&vg, vcpu);
            }
            break;
        }
        case 5: {                           /* a device line or an edge */
            uint32_t intid = fuzz_u16(&in) % 1100;
            if (kind & 8)
                vgic_inject_edge(&vg, (kind & 0x10) ? VGIC_NO_VCPU : vcpu, intid);
            else
                vgic_set_irq_level(&vg, (kind & 0x10) ? VGIC_NO_VCPU : vcpu, intid, kind & 0x20);
            break;
        }
        case 6: {                           /* forwarded timer PPIs */
            uint32_t intid = 16 + fuzz_u8(&in) % 16;
            if (kind & 8)
                vgic_inject_hw(&vg, vcpu, intid, intid);
            else if (kind & 0x10)
                vgic_unmap_hw(&vg, vcpu, intid);
            else if (!in_lrs[vcpu])
                vgic_apply_hw_resync(&vg, vcpu);
            bool fwd;
            (void)vgic_irq_in_flight(&vg, vcpu, intid, &fwd);
            break;
        }
        default:                            /* ICC_SGI1R_EL1 */
            vgic_send_sgi(&vg, vcpu, fuzz_u64(&in));
            break;
        }
        check_all();
    }
    return 0;
}
