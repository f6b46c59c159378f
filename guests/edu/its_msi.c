/* "edu.role=msi-its", bare QEMU with GICv3 only: the edu's completion
 * interrupt as an MSI through the machine's ITS, which this guest programs
 * itself with elvisor's own ITS command encoders (arch/arm64/its_enc.c).
 * The oracle for MSIs of assigned devices (docs/device-assignment.md,
 * "MSIs: design, not built", step 2): it shows QEMU's path works as the
 * design assumes (DeviceID = the requester ID through the SMMU's
 * translation region, EventID = the data, an unmapped EventID dropped) and
 * runs the encoders against a real ITS model. Under elvisor the VM has no
 * ITS: not run there. */
#include "guest.h"

#include "arch/arm64/its_enc.c"
#include "bootargs.h"
#include "dtb.h"
#include "edu.h"
#include "lib/printf.h"
#include "lib/string.h"

#define ITS_BASE            0x08080000UL    /* QEMU virt; checked in the DTB */
#define GITS_TRANSLATER_PA  (ITS_BASE + 0x10000 + 0x40)
#define GITS_BASER_VALID    (1ULL << 63)

#define GICR_CTLR_LPIS      1u
#define GICR_PROPBASER      0x0070
#define GICR_PENDBASER      0x0078
#define GICR_PENDBASER_PTZ  (1ULL << 62)
#define GICR_TYPER_PROC(t)  (((t) >> 8) & 0xffff)
#define LPI_ID_BITS         14              /* LPIs 8192-16383: 8 KiB of configuration */
#define LPI_PRIORITY        0xa0
#define LPI_ENABLE          1u

#define PCI_CAP_PTR         0x34
#define PCI_MSI_CTRL        0x02            /* from the capability */
#define PCI_MSI_ADDR_LO     0x04
#define PCI_MSI_ADDR_HI     0x08
#define PCI_MSI_DATA        0x0c
#define PCI_MSI_ENABLE      1u
#define PCI_CAP_ID_MSI      0x05

#define EDU_DEVID           8u              /* requester ID of 00:01.0 */
#define EDU_LPI             ITS_LPI_FIRST
#define MAPPED_EVENT        0u
#define UNMAPPED_EVENT      1u

static uint8_t lpi_config[(1u << LPI_ID_BITS) - ITS_LPI_FIRST] __attribute__((aligned(4096)));
static uint8_t lpi_pending[1u << (LPI_ID_BITS - 3)] __attribute__((aligned(65536)));
static uint8_t device_table[4096] __attribute__((aligned(4096)));
static uint8_t collection_table[4096] __attribute__((aligned(4096)));
static uint64_t cmd_queue[4096 / 8] __attribute__((aligned(4096)));
static uint8_t edu_itt[256] __attribute__((aligned(256)));
static uint64_t cwriter;

static bool its_submit(const uint64_t cmd[ITS_CMD_DWORDS])
{
    memcpy((uint8_t *)cmd_queue + cwriter, cmd, ITS_CMD_BYTES);
    dsb(sy);
    cwriter = its_queue_next(cwriter, sizeof(cmd_queue));
    mmio_write64(ITS_BASE + GITS_CWRITER, cwriter);
    return WAIT_UNTIL(mmio_read64(ITS_BASE + GITS_CREADR) == cwriter, 100000);
}

static bool its_table(unsigned n, unsigned want_type, void *table)
{
    uint64_t v = mmio_read64(ITS_BASE + GITS_BASER(n));

    if (its_baser_type(v) != want_type)
        return false;
    /* 4 KiB pages (Page_Size 0), one page (Size 0). */
    mmio_write64(ITS_BASE + GITS_BASER(n), GITS_BASER_VALID | (v & (0x1fULL << 48)) | (v & (7ULL << 56)) |
                                               (uint64_t)(uintptr_t)table);
    return mmio_read64(ITS_BASE + GITS_BASER(n)) & GITS_BASER_VALID;
}

static void lpis_on(void)
{
    uintptr_t rd = guest_gic_rd_base();

    memset(lpi_config, 0, sizeof(lpi_config));
    lpi_config[EDU_LPI - ITS_LPI_FIRST] = LPI_PRIORITY | LPI_ENABLE;
    dsb(sy);
    mmio_write64(rd + GICR_PROPBASER, (uint64_t)(uintptr_t)lpi_config | (LPI_ID_BITS - 1));
    mmio_write64(rd + GICR_PENDBASER, (uint64_t)(uintptr_t)lpi_pending | GICR_PENDBASER_PTZ);
    mmio_write32(rd + 0 /* GICR_CTLR */, mmio_read32(rd) | GICR_CTLR_LPIS);
}

/* The next interrupt acknowledged within 500 ms (IRQs masked), or 1023. */
static unsigned take_interrupt(void)
{
    unsigned intid = 1023;
    uint64_t until = cntvct() + ticks_from_us(500000);

    while (cntvct() < until) {
        uint64_t iar = guest_gic_ack();
        intid = guest_gic_iar_intid(iar);
        if (intid < 1020 || intid >= ITS_LPI_FIRST) {
            guest_gic_eoi(iar);
            break;
        }
    }
    return intid;
}

static unsigned msi_cap(uintptr_t cfg)
{
    for (unsigned p = mmio_read8(cfg + PCI_CAP_PTR) & ~3u, n = 0; p && n < 48; n++) {
        if (mmio_read8(cfg + p) == PCI_CAP_ID_MSI)
            return p;
        p = mmio_read8(cfg + p + 1) & ~3u;
    }
    return 0;
}

void edu_msi_its_role(uintptr_t cfg, uintptr_t bar, const char *args)
{
    struct its_typer t;
    uint64_t cmd[ITS_CMD_DWORDS];
    unsigned cap = msi_cap(cfg);
    char smmu[8];

    /* "edu.smmu=s2": DMA and MSI through a translating SMMU. */
    if (bootarg_get(args, "edu.smmu", smmu, sizeof(smmu)) && strcmp(smmu, "s2") == 0) {
        if (!test_check(edu_smmu_s2_on(EDU_DEVID), "smmu_on", "the SMMU did not acknowledge SMMUEN"))
            return;
        test_check(edu_round_trip_via(bar, edu_smmu_alias_offset()), "smmu_translates",
                   "a round trip through the alias 1 GiB above RAM did not bring the data back");
    }

    if (!test_check(dtb_reg_node_at(guest_dtb, ITS_BASE) != NULL, "its_in_dtb", "no node at 0x%lx", ITS_BASE))
        return;
    its_typer_decode(mmio_read64(ITS_BASE + GITS_TYPER), &t);
    test_check(t.physical && t.itt_entry_bytes * 2 <= sizeof(edu_itt) && t.device_bits >= 8, "its_typer",
               "physical %d, ITT entry %u bytes, %u DeviceID bits", t.physical, t.itt_entry_bytes, t.device_bits);
    bool tables = its_table(0, ITS_BASER_DEVICES, device_table) &&
                  its_table(1, ITS_BASER_COLLECTIONS, collection_table);
    test_check(tables, "its_tables", "GITS_BASER0/1 are not the device and collection tables");
    mmio_write64(ITS_BASE + GITS_CBASER, GITS_BASER_VALID | (uint64_t)(uintptr_t)cmd_queue);
    mmio_write64(ITS_BASE + GITS_CWRITER, 0);
    mmio_write32(ITS_BASE + GITS_CTLR, GITS_CTLR_ENABLED);
    lpis_on();

    uint64_t target = (uint64_t)its_target(t.pta, t.pta ? guest_gic_rd_base()
                                                        : GICR_TYPER_PROC(mmio_read64(guest_gic_rd_base() + 8)));
    bool ok = its_cmd_mapc(cmd, 0, target, true) == 0 && its_submit(cmd);
    ok = ok && its_cmd_mapd(cmd, EDU_DEVID, 1, (uint64_t)(uintptr_t)edu_itt, true) == 0 && its_submit(cmd);
    ok = ok && its_cmd_mapti(cmd, EDU_DEVID, MAPPED_EVENT, EDU_LPI, 0) == 0 && its_submit(cmd);
    its_cmd_sync(cmd, target);
    ok = ok && its_submit(cmd);
    test_check(ok && !(mmio_read64(ITS_BASE + GITS_CREADR) & GITS_CREADR_STALLED), "its_commands",
               "the ITS did not consume MAPC, MAPD, MAPTI, SYNC (CREADR 0x%llx, CWRITER 0x%llx)",
               (unsigned long long)mmio_read64(ITS_BASE + GITS_CREADR), (unsigned long long)cwriter);

    if (!test_check(cap != 0, "msi_capability", "no MSI capability"))
        return;
    mmio_write32(cfg + cap + PCI_MSI_ADDR_LO, (uint32_t)GITS_TRANSLATER_PA);
    mmio_write32(cfg + cap + PCI_MSI_ADDR_HI, 0);
    mmio_write16(cfg + cap + PCI_MSI_DATA, MAPPED_EVENT);
    mmio_write16(cfg + cap + PCI_MSI_CTRL, mmio_read16(cfg + cap + PCI_MSI_CTRL) | PCI_MSI_ENABLE);

    irq_disable();
    edu_dma_irq(bar);
    unsigned got = take_interrupt();
    test_check(got == EDU_LPI, "msi_lpi", "the DMA's completion came as INTID %u, not LPI %u", got, EDU_LPI);
    edu_irq_ack(bar);

    /* An EventID the ITT does not hold: the ITS drops the write. */
    mmio_write16(cfg + cap + PCI_MSI_DATA, UNMAPPED_EVENT);
    edu_dma_irq(bar);
    got = take_interrupt();
    test_check(got == 1023, "msi_unmapped_event_dropped", "INTID %u arrived for an unmapped EventID", got);
    edu_irq_ack(bar);
    irq_enable();
}
