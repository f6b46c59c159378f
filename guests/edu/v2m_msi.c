/* "edu.role=msi-v2m": the edu's completion interrupt as an MSI through a
 * GICv2m-style frame, the way Linux's v2m driver uses one. Bare QEMU with
 * GICv2 (its real frame at 0x0802_0000) is the oracle; under elvisor on a
 * GICv3 host the frame is the VM's (vdev/v2m.c) and the capability is
 * virtualized (docs/device-assignment.md, MSIs step 5). Checks: the frame
 * and its SPIs, the MSI capability visible, the DMA's completion as the
 * SPI the data names and not as INTx, the SPI raised by a CPU write to
 * MSI_SETSPI_NS, nothing for an SPI outside the frame, INTx again once
 * MSI is off. "edu.doorbell=IPA" (under elvisor): a CPU write of
 * EventID 0 to the function's doorbell raises nothing. */
#include "guest.h"

#include "dtb.h"
#include "edu.h"
#include "lib/printf.h"
#include "lib/string.h"

#define V2M_BASE            0x08020000UL    /* QEMU virt's; elvisor puts the VM's there too */
#define V2M_MSI_TYPER       0x008
#define V2M_MSI_SETSPI_NS   0x040
#define PCI_STATUS          0x06
#define PCI_STATUS_CAPS     0x10
#define PCI_CAP_PTR         0x34
#define PCI_CAP_ID_MSI      0x05
#define PCI_MSI_CTRL        0x02
#define PCI_MSI_ADDR_LO     0x04
#define PCI_MSI_ADDR_HI     0x08
#define PCI_MSI_64          0x80u
#define PCI_MSI_ENABLE      1u
#define NOTHING             1023u

static unsigned msi_cap(uintptr_t cfg)
{
    if (!(mmio_read16(cfg + PCI_STATUS) & PCI_STATUS_CAPS))
        return 0;
    for (unsigned p = mmio_read8(cfg + PCI_CAP_PTR) & ~3u, n = 0; p && n < 48; n++) {
        if (mmio_read8(cfg + p) == PCI_CAP_ID_MSI)
            return p;
        p = mmio_read8(cfg + p + 1) & ~3u;
    }
    return 0;
}

/* The next interrupt within 500 ms (IRQs masked), the device's status
 * acknowledged before the EOI so that a level INTx is low by then; 1023
 * for none. */
static unsigned take_interrupt(uintptr_t bar)
{
    uint64_t until = cntvct() + ticks_from_us(500000);

    while (cntvct() < until) {
        uint64_t iar = guest_gic_ack();
        unsigned intid = guest_gic_iar_intid(iar);
        if (intid < 1020) {
            edu_irq_ack(bar);
            guest_gic_eoi(iar);
            return intid;
        }
    }
    return NOTHING;
}

/* A frame's SPIs are edges (the frame pulses them; a level SPI would
 * lose the pulse): GICD_ICFGR, two bits per INTID, bit 1 edge. */
static void set_edge(unsigned intid)
{
    uintptr_t reg = guest_gic_dist_base() + 0xc00 + (intid / 16) * 4;

    mmio_write32(reg, mmio_read32(reg) | 2u << (2 * (intid % 16)));
}

static void set_msi(uintptr_t cfg, unsigned cap, uint64_t addr, uint16_t data, bool on)
{
    bool is64 = mmio_read16(cfg + cap + PCI_MSI_CTRL) & PCI_MSI_64;

    mmio_write32(cfg + cap + PCI_MSI_ADDR_LO, (uint32_t)addr);
    if (is64)
        mmio_write32(cfg + cap + PCI_MSI_ADDR_HI, (uint32_t)(addr >> 32));
    mmio_write16(cfg + cap + (is64 ? 0x0c : 0x08), data);
    uint16_t ctrl = mmio_read16(cfg + cap + PCI_MSI_CTRL) & ~(PCI_MSI_ENABLE | 0x70u);
    mmio_write16(cfg + cap + PCI_MSI_CTRL, (uint16_t)(ctrl | (on ? PCI_MSI_ENABLE : 0)));
}

void edu_msi_v2m_role(uintptr_t cfg, uintptr_t bar, unsigned intx, uint64_t doorbell)
{
    unsigned cap = msi_cap(cfg), got;

    if (!test_check(dtb_reg_node_at(guest_dtb, V2M_BASE) != NULL, "v2m_in_dtb", "no node at 0x%lx", V2M_BASE))
        return;
    uint32_t typer = mmio_read32(V2M_BASE + V2M_MSI_TYPER);
    unsigned first = (typer >> 16) & 0x3ff, count = typer & 0x3ff;
    test_note("MSI_TYPER 0x%x: %u SPIs from INTID %u", typer, count, first);
    if (!test_check(first >= 32 && count >= 2, "v2m_typer", "MSI_TYPER 0x%x", typer))
        return;
    if (!test_check(cap != 0, "msi_capability", "no MSI capability in the function's list"))
        return;
    unsigned spi = first + count - 1;
    irq_disable();
    set_edge(spi);
    set_edge(first);
    guest_gic_enable_spi(spi);
    guest_gic_enable_spi(first);
    guest_gic_enable_spi(intx);

    set_msi(cfg, cap, V2M_BASE + V2M_MSI_SETSPI_NS, (uint16_t)spi, true);
    test_expect_eq("msi_enable_reads_back", mmio_read16(cfg + cap + PCI_MSI_CTRL) & PCI_MSI_ENABLE, 1);
    edu_dma_irq(bar);
    got = take_interrupt(bar);
    test_check(got == spi, "msi_spi", "the DMA's completion came as INTID %u, not SPI %u", got, spi);
    got = take_interrupt(bar);
    test_check(got == NOTHING, "msi_not_intx", "INTID %u arrived after the MSI", got);

    /* The frame itself, written by the CPU as a device would. */
    mmio_write32(V2M_BASE + V2M_MSI_SETSPI_NS, first);
    got = take_interrupt(bar);
    test_check(got == first, "setspi_by_cpu", "MSI_SETSPI_NS of %u raised INTID %u", first, got);
    mmio_write32(V2M_BASE + V2M_MSI_SETSPI_NS, first + count);
    got = take_interrupt(bar);
    test_check(got == NOTHING, "setspi_outside_frame", "MSI_SETSPI_NS of %u raised INTID %u", first + count, got);

    /* The device aimed past the frame's SPIs: nothing at all. */
    set_msi(cfg, cap, V2M_BASE + V2M_MSI_SETSPI_NS, (uint16_t)(first + count), true);
    edu_dma_irq(bar);
    got = take_interrupt(bar);
    test_check(got == NOTHING, "msi_outside_frame_raises_nothing", "INTID %u arrived", got);
    edu_irq_ack(bar);

    if (doorbell) {
        /* The doorbell page elvisor maps for the device is in this VM's
         * stage 2: its CPU's write must not reach any function's event. */
        mmio_write32(doorbell, 0);
        got = take_interrupt(bar);
        test_check(got == NOTHING, "cpu_doorbell_write_raises_nothing", "INTID %u arrived", got);
        /* The device itself writing the doorbell by DMA, its own EventID
         * and another: neither raises anything (on QEMU only the MSI
         * write itself reaches the ITS as this function's). */
        set_msi(cfg, cap, V2M_BASE + V2M_MSI_SETSPI_NS, (uint16_t)spi, true);
        static const uint32_t events[2] = { 0, 1 };
        for (unsigned i = 0; i < 2; i++) {
            test_check(edu_dma_out(bar, &events[i], 4, doorbell), "dma_to_doorbell_completes", "timeout");
            got = take_interrupt(bar);
            test_check(got == NOTHING, "dma_to_doorbell_raises_nothing", "EventID %u: INTID %u arrived", events[i],
                       got);
        }
    }

    /* MSI off: the function is back on INTx. */
    set_msi(cfg, cap, V2M_BASE + V2M_MSI_SETSPI_NS, (uint16_t)spi, false);
    edu_dma_irq(bar);
    got = take_interrupt(bar);
    test_check(got == intx, "intx_after_msi_off", "the DMA's completion came as INTID %u, not INTx %u", got, intx);
    irq_enable();
}
