/* GICv2 host driver: distributor, the memory-mapped CPU interface (GICC)
 * and the virtualization extensions' frames (GICH for the hypervisor, GICV
 * mapped into guests). Without the Security Extensions every interrupt
 * stays in Group 0, which a CPU interface with FIQEn = 0 signals as IRQ. */
#include "arch/arm64/gic.h"
#include "arch/arm64/platform.h"
#include "arch/arm64/sysreg.h"
#include "lib/log.h"
#include "lib/spinlock.h"

/* Distributor */
#define GICD_CTLR           0x0000
#define GICD_TYPER          0x0004
#define GICD_ISENABLER      0x0100
#define GICD_ICFGR          0x0c00      /* 2 bits per INTID; bit 1: edge */
#define GICD_ICENABLER      0x0180
#define GICD_ISPENDR        0x0200
#define GICD_ICPENDR        0x0280
#define GICD_ISACTIVER      0x0300
#define GICD_ICACTIVER      0x0380
#define GICD_IPRIORITYR     0x0400
#define GICD_ITARGETSR      0x0800
#define GICD_SGIR           0x0f00
#define GICD_CTLR_ENABLE_GRP0 (1u << 0)
#define GICD_CTLR_ENABLE_GRP1 (1u << 1)
#define GICD_TYPER_ITLINES(v) (((v) & 0x1f) + 1)
#define GICD_SGIR_TARGETS_SHIFT 16

/* CPU interface */
#define GICC_CTLR           0x0000
#define GICC_PMR            0x0004
#define GICC_BPR            0x0008
#define GICC_IAR            0x000c
#define GICC_EOIR           0x0010
#define GICC_DIR            0x1000
#define GICC_CTLR_ENABLE_GRP0 (1u << 0)
#define GICC_CTLR_ENABLE_GRP1 (1u << 1)
#define GICC_CTLR_EOIMODE   (1u << 9)   /* EOImodeS: no Security Extensions */
#define GICC_IAR_INTID_MASK 0x3ffu

/* Hypervisor interface */
#define GICH_VTR            0x0004

#define IRQ_PRIORITY        0xa0
#define GICV2_MAX_CPUS      8

static uint64_t gicd, gicc, gich, gicv;

/* Each CPU's bit in GICD_ITARGETSR / GICD_SGIR, learned from the banked
 * GICD_ITARGETSR0 on that CPU: the GIC's CPU numbering need not follow
 * MPIDR order. */
static struct {
    uint64_t mpidr;
    uint8_t mask;
} cpu_masks[GICV2_MAX_CPUS];
static unsigned nr_cpu_masks;

/* SPIs routed to a CPU whose interface is not known yet: VMs (and the
 * INTx of their assigned devices) are set up before the secondary CPUs
 * start. Applied when that CPU comes up; until then such an SPI targets
 * no CPU at all (GICD_ITARGETSR resets to 0). */
#define GICV2_MAX_DEFERRED  32
static struct {
    uint64_t mpidr;
    unsigned intid;
} deferred_routes[GICV2_MAX_DEFERRED];
static unsigned nr_deferred_routes;
static spinlock_t route_lock = SPINLOCK_INIT;

static inline uint32_t rd32(uint64_t a) { return *(volatile uint32_t *)(uintptr_t)a; }
static inline void wr32(uint64_t a, uint32_t v) { *(volatile uint32_t *)(uintptr_t)a = v; }
static inline void wr8(uint64_t a, uint8_t v) { *(volatile uint8_t *)(uintptr_t)a = v; }

static int v2_init(const struct platform *p)
{
    unsigned lines;

    if (!p->gich_base || !p->gicv_base) {
        log_err("the GICv2 has no virtualization extensions (no GICH/GICV frames in the DTB): "
                "run QEMU with -M virt,virtualization=on");
        return -1;
    }
    if (p->gicc_size && p->gicc_size < 0x2000) {
        log_err("the GICv2 CPU interface is 0x%llx bytes: GICC_DIR at 0x1000 is not reachable",
                (unsigned long long)p->gicc_size);
        return -1;
    }
    gicd = p->gicd_base;
    gicc = p->gicc_base;
    gich = p->gich_base;
    gicv = p->gicv_base;

    wr32(gicd + GICD_CTLR, 0);
    lines = GICD_TYPER_ITLINES(rd32(gicd + GICD_TYPER)) * 32;
    if (lines > 1020)
        lines = 1020;
    for (unsigned i = 32; i < lines; i += 32) {
        wr32(gicd + GICD_ICENABLER + i / 8, 0xffffffff);
        wr32(gicd + GICD_ICPENDR + i / 8, 0xffffffff);
        wr32(gicd + GICD_ICACTIVER + i / 8, 0xffffffff);
    }
    for (unsigned i = 32; i < lines; i += 4)
        wr32(gicd + GICD_IPRIORITYR + i, IRQ_PRIORITY * 0x01010101u);
    wr32(gicd + GICD_CTLR, GICD_CTLR_ENABLE_GRP0 | GICD_CTLR_ENABLE_GRP1);
    return 0;
}

static uint8_t mask_of(uint64_t mpidr)
{
    for (unsigned i = 0; i < nr_cpu_masks; i++)
        if (cpu_masks[i].mpidr == (mpidr & MPIDR_AFF_MASK))
            return cpu_masks[i].mask;
    return 0;
}

static void apply_deferred_routes(uint64_t mpidr, uint8_t mask)
{
    spin_lock(&route_lock);
    for (unsigned i = 0; i < nr_deferred_routes;) {
        if (deferred_routes[i].mpidr != mpidr) {
            i++;
            continue;
        }
        wr8(gicd + GICD_ITARGETSR + deferred_routes[i].intid, mask);
        deferred_routes[i] = deferred_routes[--nr_deferred_routes];
    }
    spin_unlock(&route_lock);
}

static int v2_cpu_init(uint64_t mpidr)
{
    uint8_t mask = (uint8_t)rd32(gicd + GICD_ITARGETSR);

    /* A uniprocessor GIC reads ITARGETSR as zero: its one CPU is bit 0. */
    if (!mask)
        mask = 1;
    if (mask & (mask - 1)) {
        log_err("GICD_ITARGETSR0 reads 0x%x: not one CPU interface", mask);
        return -1;
    }
    if (!mask_of(mpidr)) {
        /* Each CPU adds itself before the next one starts. */
        if (nr_cpu_masks == GICV2_MAX_CPUS)
            return -1;
        cpu_masks[nr_cpu_masks].mpidr = mpidr & MPIDR_AFF_MASK;
        cpu_masks[nr_cpu_masks].mask = mask;
        dsb(ish);
        nr_cpu_masks++;
    }
    apply_deferred_routes(mpidr & MPIDR_AFF_MASK, mask);

    /* The banked SGI/PPI registers. */
    wr32(gicd + GICD_ICENABLER, 0xffffffff);
    wr32(gicd + GICD_ICACTIVER, 0xffffffff);
    for (unsigned i = 0; i < 32; i += 4)
        wr32(gicd + GICD_IPRIORITYR + i, IRQ_PRIORITY * 0x01010101u);

    wr32(gicc + GICC_PMR, 0xff);
    wr32(gicc + GICC_BPR, 0);
    wr32(gicc + GICC_CTLR, GICC_CTLR_ENABLE_GRP0 | GICC_CTLR_ENABLE_GRP1 | GICC_CTLR_EOIMODE);
    isb();
    return 0;
}

static void v2_enable_irq(unsigned intid)
{
    wr32(gicd + GICD_ISENABLER + (intid / 32) * 4, 1u << (intid % 32));
}

static void v2_route_spi(unsigned intid, uint64_t mpidr)
{
    uint8_t mask;
    unsigned i;
    bool lost = false;

    if (intid < 32)
        return;
    spin_lock(&route_lock);
    mask = mask_of(mpidr);
    /* The last route asked for wins: an older one still waiting goes. */
    for (i = 0; i < nr_deferred_routes && deferred_routes[i].intid != intid; i++)
        ;
    if (mask) {
        wr8(gicd + GICD_ITARGETSR + intid, mask);
        if (i < nr_deferred_routes)
            deferred_routes[i] = deferred_routes[--nr_deferred_routes];
    } else if (i < GICV2_MAX_DEFERRED) {
        deferred_routes[i].mpidr = mpidr & MPIDR_AFF_MASK;
        deferred_routes[i].intid = intid;
        if (i == nr_deferred_routes)
            nr_deferred_routes++;
    } else {
        lost = true;
    }
    spin_unlock(&route_lock);
    if (lost)
        log_err("SPI %u: CPU 0x%llx is not up and %u routes already wait for theirs: not routed", intid,
                (unsigned long long)mpidr, GICV2_MAX_DEFERRED);
}

static void v2_set_spi_edge(unsigned intid, bool edge)
{
    uint64_t reg = gicd + GICD_ICFGR + (intid / 16) * 4;
    uint32_t bit = 2u << ((intid % 16) * 2);

    if (intid >= 32)
        wr32(reg, edge ? rd32(reg) | bit : rd32(reg) & ~bit);
}

static void v2_send_sgi(unsigned sgi, uint64_t mpidr)
{
    uint8_t mask = mask_of(mpidr);

    if (!mask)
        return;
    dsb(ishst);
    wr32(gicd + GICD_SGIR, (uint32_t)mask << GICD_SGIR_TARGETS_SHIFT | (sgi & 0xf));
}

static unsigned v2_ack(uint32_t *ack)
{
    uint32_t iar = rd32(gicc + GICC_IAR);

    dsb(sy);
    *ack = iar;
    return iar & GICC_IAR_INTID_MASK;
}

static void v2_priority_drop(uint32_t ack)
{
    wr32(gicc + GICC_EOIR, ack);
}

static void v2_deactivate(uint32_t ack)
{
    wr32(gicc + GICC_DIR, ack);
}

/* GICD_IS/ICACTIVER0 are banked: each CPU reaches its own SGIs and PPIs. */
static void v2_set_private_active(uint32_t mask, uint32_t active)
{
    if (mask & ~active)
        wr32(gicd + GICD_ICACTIVER, mask & ~active);
    if (mask & active)
        wr32(gicd + GICD_ISACTIVER, mask & active);
    dsb(sy);
}

static bool v2_private_state(uint64_t mpidr, struct gic_private_state *s)
{
    if ((mpidr & MPIDR_AFF_MASK) != (read_sysreg(mpidr_el1) & MPIDR_AFF_MASK))
        return false;
    s->enabled = rd32(gicd + GICD_ISENABLER);
    s->pending = rd32(gicd + GICD_ISPENDR);
    s->active = rd32(gicd + GICD_ISACTIVER);
    return true;
}

static uint64_t v2_read_vtr(void)
{
    return rd32(gich + GICH_VTR);
}

uint64_t gicv2_gich_base(void) { return gich; }
uint64_t gicv2_gicv_base(void) { return gicv; }

const struct gic_ops gicv2_ops = {
    .version = 2,
    .init = v2_init,
    .cpu_init = v2_cpu_init,
    .enable_irq = v2_enable_irq,
    .route_spi = v2_route_spi,
    .set_spi_edge = v2_set_spi_edge,
    .send_sgi = v2_send_sgi,
    .ack = v2_ack,
    .priority_drop = v2_priority_drop,
    .deactivate = v2_deactivate,
    .set_private_active = v2_set_private_active,
    .private_state = v2_private_state,
    .read_vtr = v2_read_vtr,
};
