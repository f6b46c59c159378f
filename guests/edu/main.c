/* edu: a VM drives QEMU's `edu` PCI device by DMA (device assignment,
 * docs/device-assignment.md). The guest finds the PCIe bridge in its DTB,
 * the edu function (1234:11e8) on bus 0 and its BAR0; if no firmware or
 * hypervisor placed BAR0 (bare QEMU) it places it itself. Then:
 *  - DMA from its RAM into the device's 4 KiB buffer and back into another
 *    buffer of its RAM: the data must match (both directions work), and
 *    the completion interrupt arrives as the function's INTx SPI;
 *  - a completion interrupt cleared through the distributor (GICD_ICACTIVER
 *    from its handler; GICD_ICPENDR while masked) does not stop the next
 *    one: under elvisor the forwarded SPI must be deactivated in the
 *    hardware too (bare QEMU is the oracle);
 *  - with "edu.expect-blocked=1" (under elvisor: the SMMU translates its
 *    DMA through the VM's stage 2): DMA to IPAs outside its RAM (just past
 *    it, and far above), to "edu.peer-pa=HEX" (where the runner says the
 *    second VM's RAM lies) and to "edu.hyp-pa=HEX" (elvisor's memory, from
 *    its boot log) must not move data: a read from there brings nothing
 *    of the peer's marker into the device, and a write from the device
 *    does not reach them (the peer VM checks its marker).
 * "edu.role=marker": the second VM instead fills its RAM above its image
 * with a marker, prints "# marker set", waits "edu.wait-ms" (default 8000)
 * and checks every word is intact. "edu.mark=1" does the same around a
 * device VM's own checks, and "edu.rounds=N edu.seed=HEX" adds N round
 * trips with patterns of its own (two VMs, two devices at once:
 * tests/integration/configs/edu-2dev.dts).
 * "edu.role=reset": a DMA into its RAM is started and the VM resets at
 * once (PSCI SYSTEM_RESET); elvisor must quiesce the device before the
 * VM's memory is reused, so after the reboot the DMA's data never arrives
 * (on bare QEMU, where nobody quiesces it, it does: the oracle says the
 * DMA would land). Its command register reads 0 again.
 * "edu.role=poweroff": the same DMA, then PSCI SYSTEM_OFF; the runner
 * reads the target in physical memory afterwards (run-edu.sh).
 * "edu.role=msi-its" (bare QEMU, GICv3): the completion interrupt as an
 * MSI through the ITS the guest programs itself (its_msi.c). */
#include "guest.h"

#include "bootargs.h"
#include "dtb.h"
#include "edu.h"
#include "lib/printf.h"
#include "lib/string.h"

const char guest_name[] = "edu";

/* QEMU hw/misc/edu.c: registers of BAR0 */
#define EDU_ID              0x00
#define EDU_ID_VALUE        0x010000edu
#define EDU_LIVENESS        0x04
#define EDU_IRQ_STATUS      0x24
#define EDU_IRQ_ACK         0x64
#define EDU_DMA_SRC         0x80
#define EDU_DMA_DST         0x88
#define EDU_DMA_COUNT       0x90
#define EDU_DMA_CMD         0x98
#define EDU_DMA_START       1u
#define EDU_DMA_TO_RAM      2u          /* direction: device buffer -> RAM */
#define EDU_DMA_IRQ         4u
#define EDU_DMA_IRQ_STATUS  0x100u
#define EDU_BUF             0x40000u    /* the device's buffer, device address */
#define EDU_BUF_SIZE        4096u
#define EDU_VENDOR_DEVICE   0x11e81234u

#define PCI_COMMAND         0x04
#define PCI_BAR0            0x10
#define PCI_INT_PIN         0x3d
#define PCI_CMD_MEM_MASTER  0x6u
#define BARE_BAR0           0x10000000u /* virt's 32-bit window, when nobody placed it */

#define MARKER              0x6d61726b65723031ULL   /* "marker01" */
#define DMA_TIMEOUT_US      3000000

static uint8_t src_buf[EDU_BUF_SIZE] __attribute__((aligned(4096)));
static uint8_t dst_buf[EDU_BUF_SIZE] __attribute__((aligned(4096)));
static uintptr_t bar0;
static volatile unsigned dma_irqs;

/* The pcie node: ECAM base and the 32-bit window's SPI map are QEMU
 * virt's; only the ECAM base is read from the DTB. */
static uint64_t find_ecam(void)
{
    uint64_t base = 0x4010000000ULL;
    const char *node = dtb_reg_node_at(guest_dtb, base);

    return node ? base : 0;
}

static uintptr_t find_edu(uint64_t ecam, unsigned *dev)
{
    for (unsigned d = 0; d < 32; d++) {
        uintptr_t cfg = (uintptr_t)(ecam + ((uint64_t)d << 15));
        if (mmio_read32(cfg) == EDU_VENDOR_DEVICE) {
            *dev = d;
            return cfg;
        }
    }
    return 0;
}

static bool dma(uint64_t src, uint64_t dst, uint32_t count, uint32_t cmd)
{
    mmio_write64(bar0 + EDU_DMA_SRC, src);
    mmio_write64(bar0 + EDU_DMA_DST, dst);
    mmio_write64(bar0 + EDU_DMA_COUNT, count);
    mmio_write64(bar0 + EDU_DMA_CMD, cmd | EDU_DMA_START);
    return WAIT_UNTIL(!(mmio_read64(bar0 + EDU_DMA_CMD) & EDU_DMA_START), DMA_TIMEOUT_US);
}

static void fill(uint8_t *p, unsigned n, uint8_t seed)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(seed + i * 7);
}

void edu_dma_irq(uintptr_t bar)
{
    bar0 = bar;
    dma(EDU_BUF, (uintptr_t)dst_buf, EDU_BUF_SIZE, EDU_DMA_TO_RAM | EDU_DMA_IRQ);
}

bool edu_round_trip_via(uintptr_t bar, uint64_t offset)
{
    bar0 = bar;
    fill(src_buf, sizeof(src_buf), 0x3c);
    memset(dst_buf, 0, sizeof(dst_buf));
    dma((uintptr_t)src_buf + offset, EDU_BUF, EDU_BUF_SIZE, 0);
    dma(EDU_BUF, (uintptr_t)dst_buf + offset, EDU_BUF_SIZE, EDU_DMA_TO_RAM);
    return memcmp(src_buf, dst_buf, sizeof(dst_buf)) == 0;
}

bool edu_dma_out(uintptr_t bar, const void *data, uint32_t n, uint64_t dst)
{
    bar0 = bar;
    memcpy(src_buf, data, n);
    return dma((uintptr_t)src_buf, EDU_BUF, n, 0) && dma(EDU_BUF, dst, n, EDU_DMA_TO_RAM);
}

void edu_irq_ack(uintptr_t bar)
{
    mmio_write32(bar + EDU_IRQ_ACK, mmio_read32(bar + EDU_IRQ_STATUS));
}

static void edu_irq(unsigned intid)
{
    uint32_t st = mmio_read32(bar0 + EDU_IRQ_STATUS);

    mmio_write32(bar0 + EDU_IRQ_ACK, st);   /* lowers INTx before the EOI */
    if (st & EDU_DMA_IRQ_STATUS)
        dma_irqs++;
}

/* RAM -> device -> RAM, data compared; the second leg asks for the
 * completion interrupt. */
static void round_trip(unsigned intid)
{
    fill(src_buf, sizeof(src_buf), 0x5a);
    memset(dst_buf, 0, sizeof(dst_buf));
    test_check(dma((uintptr_t)src_buf, EDU_BUF, EDU_BUF_SIZE, 0), "dma_to_device_completes", "timeout");
    irq_set_handler(intid, edu_irq);
    guest_gic_enable_spi(intid);
    irq_enable();
    test_check(dma(EDU_BUF, (uintptr_t)dst_buf, EDU_BUF_SIZE, EDU_DMA_TO_RAM | EDU_DMA_IRQ),
               "dma_to_ram_completes", "timeout");
    test_check(memcmp(src_buf, dst_buf, sizeof(dst_buf)) == 0, "dma_round_trip_data",
               "the data came back different (first bytes %02x %02x)", dst_buf[0], dst_buf[1]);
    test_check(WAIT_UNTIL(dma_irqs > 0, DMA_TIMEOUT_US), "dma_irq", "no completion interrupt on INTID %u",
               intid);
}

/* "edu.rounds=N" round trips, each with its own pattern from "edu.seed":
 * two VMs whose devices run at once at the same IPAs (the same image)
 * must each get back only their own data, which an SMMU that mixed their
 * translations (a shared VMID, the other VM's stage 2) would not give. */
static void rounds(unsigned n, uint8_t seed)
{
    unsigned bad = 0, first_bad = 0;

    test_note("rounds started");
    for (unsigned r = 0; r < n; r++) {
        fill(src_buf, sizeof(src_buf), (uint8_t)(seed + r * 16));
        memset(dst_buf, 0, sizeof(dst_buf));
        dma((uintptr_t)src_buf, EDU_BUF, EDU_BUF_SIZE, 0);
        dma(EDU_BUF, (uintptr_t)dst_buf, EDU_BUF_SIZE, EDU_DMA_TO_RAM);
        if (memcmp(src_buf, dst_buf, sizeof(dst_buf)) != 0 && !bad++)
            first_bad = r;
    }
    test_note("rounds done");
    test_check(bad == 0, "dma_rounds_data", "%u of %u rounds came back different, the first round %u", bad, n,
               first_bad);
}

/* reg: GICD_ICACTIVER(0) or GICD_ICPENDR(0), the same in GICv2 and v3. */
static void gicd_clear_bit(unsigned reg, unsigned intid)
{
    mmio_write32(guest_gic_dist_base() + reg + intid / 32 * 4, 1u << (intid % 32));
}

/* The handler clears the interrupt's active state through the
 * distributor instead of leaving it to the EOI (which then finds nothing
 * active): a forwarded INTx must still be deactivated in the hardware, or
 * the device can never interrupt again. */
static unsigned clearing_intid;

static void edu_irq_clear_active(unsigned intid)
{
    edu_irq(intid);
    gicd_clear_bit(GICD_ICACTIVER(0), clearing_intid);
}

/* After the round trip: one completion interrupt ended through
 * GICD_ICACTIVER, one left pending with interrupts masked and removed
 * through GICD_ICPENDR (the device acknowledged first); each time the
 * next DMA's interrupt must arrive. */
static void cleared_through_distributor(unsigned intid)
{
    unsigned before;

    clearing_intid = intid;
    irq_set_handler(intid, edu_irq_clear_active);
    before = dma_irqs;
    dma(EDU_BUF, (uintptr_t)dst_buf, EDU_BUF_SIZE, EDU_DMA_TO_RAM | EDU_DMA_IRQ);
    WAIT_UNTIL(dma_irqs > before, DMA_TIMEOUT_US);
    irq_set_handler(intid, edu_irq);
    before = dma_irqs;
    dma(EDU_BUF, (uintptr_t)dst_buf, EDU_BUF_SIZE, EDU_DMA_TO_RAM | EDU_DMA_IRQ);
    test_check(WAIT_UNTIL(dma_irqs > before, DMA_TIMEOUT_US), "irq_after_icactiver",
               "no completion interrupt after one was cleared through GICD_ICACTIVER");

    irq_disable();
    dma(EDU_BUF, (uintptr_t)dst_buf, EDU_BUF_SIZE, EDU_DMA_TO_RAM | EDU_DMA_IRQ);
    mmio_write32(bar0 + EDU_IRQ_ACK, mmio_read32(bar0 + EDU_IRQ_STATUS));
    gicd_clear_bit(GICD_ICPENDR(0), intid);
    irq_enable();
    before = dma_irqs;
    dma(EDU_BUF, (uintptr_t)dst_buf, EDU_BUF_SIZE, EDU_DMA_TO_RAM | EDU_DMA_IRQ);
    test_check(WAIT_UNTIL(dma_irqs > before, DMA_TIMEOUT_US), "irq_after_icpendr",
               "no completion interrupt after one was cleared through GICD_ICPENDR");
}

static bool buf_holds_marker(void)
{
    const uint64_t *w = (const uint64_t *)dst_buf;

    for (unsigned i = 0; i < EDU_BUF_SIZE / 8; i++)
        if (w[i] == MARKER)
            return true;
    return false;
}

/* One forbidden address: a read from it must bring nothing (the device's
 * buffer keeps what we put there), a write to it must not land. */
static void blocked(const char *what, uint64_t ipa)
{
    char check[48];

    test_note("DMA at IPA 0x%llx (%s): expected to be blocked", (unsigned long long)ipa, what);
    /* Known content in the device, then a read from the forbidden IPA */
    fill(src_buf, sizeof(src_buf), 0xc3);
    dma((uintptr_t)src_buf, EDU_BUF, EDU_BUF_SIZE, 0);
    elv_snprintf(check, sizeof(check), "read_%s_blocked", what);
    test_check(dma(ipa, EDU_BUF, EDU_BUF_SIZE, 0), check, "the DMA did not complete");
    memset(dst_buf, 0, sizeof(dst_buf));
    dma(EDU_BUF, (uintptr_t)dst_buf, EDU_BUF_SIZE, EDU_DMA_TO_RAM);
    elv_snprintf(check, sizeof(check), "read_%s_no_marker", what);
    test_check(!buf_holds_marker(), check, "the peer's marker came in through the device");
    /* The device's buffer filled with the marker, written out there */
    for (unsigned i = 0; i < EDU_BUF_SIZE / 8; i++)
        ((uint64_t *)src_buf)[i] = 0x5745524954453031ULL;   /* "WRITE01": never the marker */
    dma((uintptr_t)src_buf, EDU_BUF, EDU_BUF_SIZE, 0);
    elv_snprintf(check, sizeof(check), "write_%s_completes", what);
    test_check(dma(EDU_BUF, ipa, EDU_BUF_SIZE, EDU_DMA_TO_RAM), check, "the DMA did not complete");
}

static uint64_t arg_hex(const char *args, const char *key)
{
    char v[24];
    uint64_t x = 0;

    if (!bootarg_get(args, key, v, sizeof(v)))
        return 0;
    for (const char *p = v[0] == '0' && v[1] == 'x' ? v + 2 : v; *p; p++)
        x = x * 16 + (uint64_t)(*p <= '9' ? *p - '0' : (*p | 0x20) - 'a' + 10);
    return x;
}

static uint64_t arg_dec(const char *args, const char *key, uint64_t dflt)
{
    char v[24];
    uint64_t x = 0;

    if (!bootarg_get(args, key, v, sizeof(v)))
        return dflt;
    for (const char *p = v; *p >= '0' && *p <= '9'; p++)
        x = x * 10 + (uint64_t)(*p - '0');
    return x;
}

/* The marked RAM: from the first MiB above the image (whose buffers the
 * device uses) to below the DTB. */
static uint64_t *marker_from, *marker_to;

static void marker_set(void)
{
    uint64_t base, size;
    extern char __image_end[];

    dtb_memory(guest_dtb, &base, &size);
    marker_from = (uint64_t *)(((uintptr_t)__image_end + 0xfffff) & ~0xfffffULL);
    marker_to = (uint64_t *)(uintptr_t)(base + size - (2u << 20));
    for (uint64_t *p = marker_from; p < marker_to; p++)
        *p = MARKER;
    test_note("marker set from 0x%lx to 0x%lx", (uintptr_t)marker_from, (uintptr_t)marker_to);
}

/* After "edu.wait-ms" (default 8000) of counter time, every word holds it. */
static void marker_check(const char *args)
{
    uint64_t wait_ms = arg_dec(args, "edu.wait-ms", 8000);
    uint64_t until = cntvct() + ticks_from_us(wait_ms * 1000);

    while (cntvct() < until)
        cpu_relax();
    uint64_t bad = 0, first = 0;
    for (uint64_t *p = marker_from; p < marker_to; p++)
        if (*p != MARKER && !bad++)
            first = (uintptr_t)p;
    test_check(bad == 0, "marker_intact", "%llu words changed, the first at 0x%llx", (unsigned long long)bad,
               (unsigned long long)first);
}

static void marker_role(const char *args)
{
    marker_set();
    marker_check(args);
}

/* The reset role's record and target, well past the image and stacks. */
#define RESET_RECORD    0x41000000UL
#define RESET_TARGET    0x41400000UL
#define RESET_MAGIC     0x6564755253455431ULL   /* "eduRSET1" */
#define RESET_PATTERN   0xa5

/* RESET_TARGET zeroed, then a DMA of RESET_PATTERN into it that the
 * device performs 100 ms from now. */
static void start_late_dma(void)
{
    memset((void *)RESET_TARGET, 0, EDU_BUF_SIZE);
    for (unsigned i = 0; i < EDU_BUF_SIZE; i++)
        src_buf[i] = RESET_PATTERN;
    dma((uintptr_t)src_buf, EDU_BUF, EDU_BUF_SIZE, 0);
    dsb(sy);
    mmio_write64(bar0 + EDU_DMA_SRC, EDU_BUF);
    mmio_write64(bar0 + EDU_DMA_DST, RESET_TARGET);
    mmio_write64(bar0 + EDU_DMA_COUNT, EDU_BUF_SIZE);
    mmio_write64(bar0 + EDU_DMA_CMD, EDU_DMA_TO_RAM | EDU_DMA_START);
}

/* "edu.role=poweroff": the same DMA, then PSCI SYSTEM_OFF at once. What
 * lands is for the runner to see in the machine's memory (QEMU's monitor),
 * while another VM keeps elvisor running. */
static void poweroff_role(void)
{
    start_late_dma();
    test_note("DMA to 0x%lx started, powering off", RESET_TARGET);
    psci_system_off();
    test_fail("system_off", "SYSTEM_OFF returned");
}

static void reset_role(uint16_t cmd_at_boot, const char *args)
{
    volatile uint64_t *magic = (volatile uint64_t *)RESET_RECORD;
    volatile uint8_t *target = (volatile uint8_t *)RESET_TARGET;
    char expect[8] = "";

    if (*magic != RESET_MAGIC) {
        *magic = RESET_MAGIC;
        start_late_dma();
        test_note("DMA to 0x%lx started, resetting", RESET_TARGET);
        psci_system_reset();
        test_fail("system_reset", "SYSTEM_RESET returned");
        return;
    }
    *magic = 0;
    test_pass("system_reset");
    /* Long enough for the DMA to have landed had the device gone on. */
    uint64_t until = cntvct() + ticks_from_us(500000);
    while (cntvct() < until)
        cpu_relax();
    unsigned landed = 0;
    for (unsigned i = 0; i < EDU_BUF_SIZE; i++)
        landed += target[i] == RESET_PATTERN;
    bootarg_get(args, "edu.expect-landed", expect, sizeof(expect));
    if (expect[0] == '1')
        test_check(landed == EDU_BUF_SIZE, "dma_lands_without_quiesce", "%u of %u bytes landed", landed,
                   EDU_BUF_SIZE);
    else
        test_check(landed == 0, "dma_stopped_by_reset", "%u of %u bytes landed after the reset", landed,
                   EDU_BUF_SIZE);
    test_expect_eq("command_reset", cmd_at_boot, 0);
}

void guest_main(void)
{
    const char *args = dtb_bootargs(guest_dtb);
    char role[16];
    unsigned dev = 0;

    if (bootarg_get(args, "edu.role", role, sizeof(role)) && strcmp(role, "marker") == 0) {
        marker_role(args);
        test_done();
    }
    uint64_t ecam = find_ecam();
    if (!test_check(ecam != 0, "pcie_in_dtb", "no node at ECAM 0x4010000000 in the DTB"))
        test_done();
    uintptr_t cfg = find_edu(ecam, &dev);
    if (!test_check(cfg != 0, "edu_found", "no 1234:11e8 on bus 0"))
        test_done();
    if ((mmio_read32(cfg + PCI_BAR0) & ~0xfu) == 0)
        mmio_write32(cfg + PCI_BAR0, BARE_BAR0);        /* nobody placed it: bare QEMU */
    bar0 = mmio_read32(cfg + PCI_BAR0) & ~0xfu;
    /* Moving the BAR (onto our own RAM) must not work under a hypervisor
     * that fixed it; on bare QEMU it would: only checked when blocked. */
    uint16_t cmd_at_boot = mmio_read16(cfg + PCI_COMMAND);
    mmio_write16(cfg + PCI_COMMAND, PCI_CMD_MEM_MASTER);
    test_note("edu at 00:%02x.0, BAR0 0x%lx, INTx pin %u", dev, bar0, mmio_read8(cfg + PCI_INT_PIN));
    test_expect_eq("edu_id", mmio_read32(bar0 + EDU_ID), EDU_ID_VALUE);
    mmio_write32(bar0 + EDU_LIVENESS, 0x12345678);
    test_expect_eq("edu_liveness", mmio_read32(bar0 + EDU_LIVENESS), ~0x12345678u);
    if (bootarg_get(args, "edu.role", role, sizeof(role)) && strcmp(role, "msi-its") == 0) {
        edu_msi_its_role(cfg, bar0, args);
        test_done();
    }
    if (bootarg_get(args, "edu.role", role, sizeof(role)) && strcmp(role, "msi-v2m") == 0) {
        edu_msi_v2m_role(cfg, bar0, 32 + 3 + dev % 4, arg_hex(args, "edu.doorbell"));
        test_done();
    }
    if (bootarg_get(args, "edu.role", role, sizeof(role)) && strcmp(role, "poweroff") == 0) {
        poweroff_role();
        test_done();
    }
    if (bootarg_get(args, "edu.role", role, sizeof(role)) && strcmp(role, "reset") == 0) {
        /* The command register as found, before this boot touches it. */
        reset_role(cmd_at_boot, args);
        test_done();
    }
    /* "edu.mark=1": this VM is also the peer another VM's device aims at. */
    bool mark = bootarg_get(args, "edu.mark", role, sizeof(role)) && role[0] == '1';
    if (mark)
        marker_set();
    /* virt: INTA of slot d is SPI 3 + d % 4 */
    round_trip(32 + 3 + dev % 4);
    cleared_through_distributor(32 + 3 + dev % 4);
    if (bootarg_get(args, "edu.rounds", role, sizeof(role)))
        rounds((unsigned)arg_dec(args, "edu.rounds", 1), (uint8_t)arg_hex(args, "edu.seed"));

    if (bootarg_get(args, "edu.expect-blocked", role, sizeof(role))) {
        uint64_t ram_base, ram_size, peer = arg_hex(args, "edu.peer-pa"), hyp = arg_hex(args, "edu.hyp-pa");
        dtb_memory(guest_dtb, &ram_base, &ram_size);
        mmio_write32(cfg + PCI_BAR0, (uint32_t)ram_base);
        test_expect_eq("bar_not_movable", mmio_read32(cfg + PCI_BAR0) & ~0xfu, bar0);
        blocked("past_ram", ram_base + ram_size + 0x100000);
        blocked("far_ipa", 0x8000000000ULL);
        if (peer)
            blocked("peer_vm", peer);
        if (hyp)
            blocked("elvisor", hyp);
        /* Its own RAM is still reachable after the faults */
        memset(dst_buf, 0, sizeof(dst_buf));
        fill(src_buf, sizeof(src_buf), 0x11);
        dma((uintptr_t)src_buf, EDU_BUF, EDU_BUF_SIZE, 0);
        dma(EDU_BUF, (uintptr_t)dst_buf, EDU_BUF_SIZE, EDU_DMA_TO_RAM);
        test_check(memcmp(src_buf, dst_buf, sizeof(dst_buf)) == 0, "dma_after_faults",
                   "its own RAM no longer reachable");
    }
    if (mark)
        marker_check(args);
    test_done();
}
