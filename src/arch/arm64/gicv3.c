/* GICv3 host driver: distributor, redistributors, ICC_* system registers. */
#include "arch/arm64/cpu.h"
#include "arch/arm64/gic.h"
#include "arch/arm64/its_enc.h"
#include "arch/arm64/platform.h"
#include "arch/arm64/sysreg.h"

/* Distributor */
#define GICD_CTLR           0x0000
#define GICD_TYPER          0x0004
#define GICD_IGROUPR        0x0080
#define GICD_ISENABLER      0x0100
#define GICD_ICFGR          0x0c00      /* 2 bits per INTID; bit 1: edge */
#define GICD_ICENABLER      0x0180
#define GICD_IPRIORITYR     0x0400
#define GICD_IROUTER        0x6000
#define GICD_CTLR_RWP       (1u << 31)
#define GICD_CTLR_ARE       (1u << 4)
#define GICD_CTLR_GRP1      (1u << 1)
#define GICD_TYPER_ITLINES(v) (((v) & 0x1f) + 1)
#define GICD_TYPER_LPIS     (1u << 17)
#define GICD_TYPER_IDBITS(v) ((((v) >> 19) & 0x1f) + 1)

/* Redistributor: RD_base frame, then SGI_base 64 KiB later */
#define GICR_FRAME          0x20000
#define GICR_TYPER          0x0008
#define GICR_WAKER          0x0014
#define GICR_TYPER_LAST     (1ULL << 4)
#define GICR_TYPER_PLPIS    (1ULL << 0)
#define GICR_TYPER_PROC(t)  (((t) >> 8) & 0xffff)
#define GICR_CTLR           0x0000
#define GICR_CTLR_LPIS      1u
#define GICR_PROPBASER      0x0070
#define GICR_PENDBASER      0x0078
#define GICR_WAKER_SLEEP    (1u << 1)
#define GICR_WAKER_ASLEEP   (1u << 2)
#define GICR_SGI            0x10000
#define GICR_IGROUPR0       (GICR_SGI + 0x0080)
#define GICR_ISENABLER0     (GICR_SGI + 0x0100)
#define GICR_ICENABLER0     (GICR_SGI + 0x0180)
#define GICR_ISPENDR0       (GICR_SGI + 0x0200)
#define GICR_ISACTIVER0     (GICR_SGI + 0x0300)
#define GICR_ICACTIVER0     (GICR_SGI + 0x0380)
#define GICR_IPRIORITYR0    (GICR_SGI + 0x0400)

#define IRQ_PRIORITY        0xa0

static uint64_t gicd, gicr_region, gicr_region_size;

static inline uint32_t rd32(uint64_t a) { return *(volatile uint32_t *)(uintptr_t)a; }
static inline void wr32(uint64_t a, uint32_t v) { *(volatile uint32_t *)(uintptr_t)a = v; }
static inline uint64_t rd64(uint64_t a) { return *(volatile uint64_t *)(uintptr_t)a; }
static inline void wr64(uint64_t a, uint64_t v) { *(volatile uint64_t *)(uintptr_t)a = v; }

static void dist_wait_rwp(void)
{
    while (rd32(gicd + GICD_CTLR) & GICD_CTLR_RWP)
        ;
}

static int v3_init(const struct platform *p)
{
    unsigned lines;

    gicd = p->gicd_base;
    gicr_region = p->gicr_base;
    gicr_region_size = p->gicr_size;
    wr32(gicd + GICD_CTLR, 0);
    dist_wait_rwp();
    lines = GICD_TYPER_ITLINES(rd32(gicd + GICD_TYPER)) * 32;
    if (lines > 1020)
        lines = 1020;
    for (unsigned i = 32; i < lines; i += 32) {
        wr32(gicd + GICD_ICENABLER + i / 8, 0xffffffff);
        wr32(gicd + GICD_IGROUPR + i / 8, 0xffffffff);
    }
    for (unsigned i = 32; i < lines; i += 4)
        wr32(gicd + GICD_IPRIORITYR + i, IRQ_PRIORITY * 0x01010101u);
    /* Non-secure view with a single security state (QEMU without EL3). */
    wr32(gicd + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_GRP1);
    dist_wait_rwp();
    return 0;
}

static uint64_t find_redist(uint64_t mpidr)
{
    uint32_t aff = (uint32_t)(((mpidr >> 32) & 0xff) << 24 | (mpidr & 0xffffff));

    for (uint64_t a = gicr_region; a < gicr_region + gicr_region_size; a += GICR_FRAME) {
        uint64_t typer = rd64(a + GICR_TYPER);
        if ((uint32_t)(typer >> 32) == aff)
            return a;
        if (typer & GICR_TYPER_LAST)
            break;
    }
    return 0;
}

/* Only used while a CPU configures itself, so the search cost is irrelevant. */
static uint64_t this_gicr(void)
{
    return find_redist(read_sysreg(mpidr_el1) & MPIDR_AFF_MASK);
}

static int v3_cpu_init(uint64_t mpidr)
{
    uint64_t rd = find_redist(mpidr & MPIDR_AFF_MASK);

    if (!rd)
        return -1;
    arch_this_cpu()->gicr_base = rd;
    wr32(rd + GICR_WAKER, rd32(rd + GICR_WAKER) & ~GICR_WAKER_SLEEP);
    while (rd32(rd + GICR_WAKER) & GICR_WAKER_ASLEEP)
        ;
    wr32(rd + GICR_ICENABLER0, 0xffffffff);
    wr32(rd + GICR_IGROUPR0, 0xffffffff);
    for (unsigned i = 0; i < 32; i += 4)
        wr32(rd + GICR_IPRIORITYR0 + i, IRQ_PRIORITY * 0x01010101u);

    write_sysreg_s(SYS_ICC_SRE_EL2, ICC_SRE_EL2_SRE | ICC_SRE_EL2_DFB | ICC_SRE_EL2_DIB | ICC_SRE_EL2_Enable);
    isb();
    write_sysreg_s(SYS_ICC_PMR_EL1, 0xff);
    write_sysreg_s(SYS_ICC_BPR1_EL1, 0);
    write_sysreg_s(SYS_ICC_CTLR_EL1, ICC_CTLR_EL1_EOImode);
    write_sysreg_s(SYS_ICC_IGRPEN1_EL1, 1);
    isb();
    return 0;
}

static void v3_enable_irq(unsigned intid)
{
    if (intid < 32)
        wr32(this_gicr() + GICR_ISENABLER0, 1u << intid);
    else
        wr32(gicd + GICD_ISENABLER + (intid / 32) * 4, 1u << (intid % 32));
}

static void v3_route_spi(unsigned intid, uint64_t mpidr)
{
    uint64_t aff = (mpidr & 0xffffff) | ((mpidr >> 32) & 0xff) << 32;

    wr64(gicd + GICD_IROUTER + intid * 8, aff);
}

static void v3_set_spi_edge(unsigned intid, bool edge)
{
    uint64_t reg = gicd + GICD_ICFGR + (intid / 16) * 4;
    uint32_t bit = 2u << ((intid % 16) * 2);

    if (intid >= 32)
        wr32(reg, edge ? rd32(reg) | bit : rd32(reg) & ~bit);
}

static void v3_send_sgi(unsigned sgi, uint64_t mpidr)
{
    uint64_t v = ((uint64_t)sgi << 24) | (1ULL << (mpidr & 0xf)) |
                 ((mpidr >> 8) & 0xff) << 16 | ((mpidr >> 16) & 0xff) << 32 |
                 ((mpidr >> 32) & 0xff) << 48;

    dsb(ishst);
    write_sysreg_s(SYS_ICC_SGI1R_EL1, v);
    isb();
}

static unsigned v3_ack(uint32_t *ack)
{
    unsigned intid = (unsigned)(read_sysreg_s(SYS_ICC_IAR1_EL1) & ICC_IAR1_EL1_INTID_MASK);

    dsb(sy);
    *ack = intid;
    return intid;
}

static void v3_priority_drop(uint32_t ack)
{
    write_sysreg_s(SYS_ICC_EOIR1_EL1, ack);
    isb();
}

static void v3_deactivate(uint32_t ack)
{
    write_sysreg_s(SYS_ICC_DIR_EL1, ack);
    isb();
}

static void v3_set_private_active(uint32_t mask, uint32_t active)
{
    uint64_t rd = arch_this_cpu()->gicr_base;

    if (mask & ~active)
        wr32(rd + GICR_ICACTIVER0, mask & ~active);
    if (mask & active)
        wr32(rd + GICR_ISACTIVER0, mask & active);
    dsb(sy);
}

static bool v3_private_state(uint64_t mpidr, struct gic_private_state *s)
{
    uint64_t rd = find_redist(mpidr & MPIDR_AFF_MASK);

    if (!rd)
        return false;
    s->enabled = rd32(rd + GICR_ISENABLER0);
    s->pending = rd32(rd + GICR_ISPENDR0);
    s->active = rd32(rd + GICR_ISACTIVER0);
    return true;
}

static uint64_t v3_read_vtr(void)
{
    return read_sysreg_s(SYS_ICH_VTR_EL2);
}

/* ---- LPIs (the ITS's interrupts; docs/device-assignment.md, MSIs) ---- */

static uint8_t *lpi_config;
static unsigned lpi_id_bits;

int gicv3_lpis_init(unsigned id_bits, void *(*alloc)(uint64_t size, uint64_t align), const char **why)
{
    uint32_t dtyper = rd32(gicd + GICD_TYPER);
    uint64_t prop;

    if (!(dtyper & GICD_TYPER_LPIS)) {
        *why = "the distributor has no LPIs";
        return -1;
    }
    if (GICD_TYPER_IDBITS(dtyper) < id_bits)
        id_bits = GICD_TYPER_IDBITS(dtyper);
    lpi_config = alloc(lpi_config_bytes(id_bits), 4096);
    if (!lpi_config || lpi_propbaser((uint64_t)(uintptr_t)lpi_config, id_bits, &prop) < 0) {
        *why = "no memory for the LPI configuration table";
        return -1;
    }
    /* Every redistributor, those of CPUs not started yet too: an LPI routed
     * to one waits in its pending table until its CPU takes interrupts.
     * One configuration table for all (allowed with or without
     * GICR_TYPER.CommonLPIAff). */
    unsigned n = 0;
    for (uint64_t a = gicr_region; a < gicr_region + gicr_region_size; a += GICR_FRAME) {
        uint64_t typer = rd64(a + GICR_TYPER), pend;
        void *pending = alloc(lpi_pending_bytes(id_bits), LPI_PEND_ALIGN);
        if (!(typer & GICR_TYPER_PLPIS)) {
            *why = "a redistributor has no physical LPIs";
            return -1;
        }
        if (!pending || lpi_pendbaser((uint64_t)(uintptr_t)pending, &pend) < 0) {
            *why = "no memory for an LPI pending table";
            return -1;
        }
        if (!(rd32(a + GICR_CTLR) & GICR_CTLR_LPIS)) {
            wr64(a + GICR_PROPBASER, prop);
            wr64(a + GICR_PENDBASER, pend);
        }
        dsb(sy);
        wr32(a + GICR_CTLR, rd32(a + GICR_CTLR) | GICR_CTLR_LPIS);
        n++;
        if (typer & GICR_TYPER_LAST)
            break;
    }
    lpi_id_bits = id_bits;
    return (int)n;
}

unsigned gicv3_lpi_last(void)
{
    return lpi_id_bits ? (1u << lpi_id_bits) - 1 : 0;
}

void gicv3_lpi_set_enabled(unsigned lpi, bool on)
{
    if (!lpi_config || lpi < ITS_LPI_FIRST || lpi > gicv3_lpi_last())
        return;
    lpi_config[lpi - ITS_LPI_FIRST] = (uint8_t)(IRQ_PRIORITY | (on ? LPI_CONFIG_ENABLE : 0));
    dsb(sy);                /* in memory before the ITS is told (INV) */
}

int64_t gicv3_its_target(uint64_t mpidr, bool pta)
{
    uint64_t rd = find_redist(mpidr & MPIDR_AFF_MASK);

    if (!rd)
        return -1;
    return its_target(pta, pta ? rd : GICR_TYPER_PROC(rd64(rd + GICR_TYPER)));
}

const struct gic_ops gicv3_ops = {
    .version = 3,
    .init = v3_init,
    .cpu_init = v3_cpu_init,
    .enable_irq = v3_enable_irq,
    .route_spi = v3_route_spi,
    .set_spi_edge = v3_set_spi_edge,
    .send_sgi = v3_send_sgi,
    .ack = v3_ack,
    .priority_drop = v3_priority_drop,
    .deactivate = v3_deactivate,
    .set_private_active = v3_set_private_active,
    .private_state = v3_private_state,
    .read_vtr = v3_read_vtr,
};
