/* mmio: every load/store size, sign extension and the zero register as
 * source and destination, against emulated device registers. Under
 * elvisor each access is a stage-2 data abort with a valid syndrome that
 * the hypervisor must decode and complete (the PL011's reads but those of
 * uart_reads() no longer exit: they read elvisor's view of its registers,
 * docs/vuart.md; its writes still do). The 64-bit accesses need GICv3
 * registers (GICD_IROUTER, GICR_TYPER): a GICv2 has no 64-bit register
 * (and need not support 64-bit accesses at all), so with GICv2 they are
 * not made and GICD_TYPER.CPUNumber is checked instead. */
#include "access.h"
#include "guest.h"

const char guest_name[] = "mmio";

#define TEST_SPI            40                      /* an unused SPI */
#define TEST_SPI_WORD       (TEST_SPI / 32)
#define TEST_SPI_BIT        (1U << (TEST_SPI % 32))
#define PRIO_BYTE           (guest_gic_dist_base() + GICD_IPRIORITYR(TEST_SPI))
#define PRIO_WORD           PRIO_BYTE               /* INTIDs 40-43, word aligned */
#define IROUTER             (guest_gic_dist_base() + GICD_IROUTER(TEST_SPI))          /* GICv3 */
#define UART_IBRD_ADDR      (UART_BASE + UART_IBRD)
#define UART_CR_ADDR        (UART_BASE + UART_CR)
#define UART_CR_LBE         (1U << 7)
/* Looped back through the RX FIFO; a carriage return, because bare QEMU's
 * PL011 also sends looped-back data out. */
#define UART_LOOPBACK_BYTE  '\r'

/* Priority values keep their low bits clear: a GIC may implement as few
 * as 4 priority bits and the unimplemented ones read as zero. */
#define PRIO_NEG            0x80
#define PRIO_WORD_VALUE     0x80A04020U
#define IBRD_NEG            0x8000
#define IROUTER_AFF0        0x1UL
#define IROUTER_AFF3        (0x1UL << 32)
#define UPPER32(v)          ((uint64_t)(v) >> 32)

static void byte_accesses(void)
{
    strb_w(PRIO_BYTE, PRIO_NEG);
    test_expect_eq("strb_ldrb", ldrb_w(PRIO_BYTE), PRIO_NEG);
    test_expect_eq("ldrsb_w", ldrsb_w(PRIO_BYTE), 0xFFFFFF80UL);
    test_expect_eq("ldrsb_x", ldrsb_x(PRIO_BYTE), 0xFFFFFFFFFFFFFF80UL);

    strb_w(PRIO_BYTE, 0x40);
    test_expect_eq("ldrsb_positive", ldrsb_x(PRIO_BYTE), 0x40);
}

static void word_accesses(void)
{
    str_w(PRIO_WORD, PRIO_WORD_VALUE);
    test_expect_eq("str_ldr_w", ldr_w(PRIO_WORD), PRIO_WORD_VALUE);
    test_expect_eq("ldrsw_x", ldrsw_x(PRIO_WORD), 0xFFFFFFFF80A04020UL);
    /* Byte lanes of a word register are little-endian. */
    test_expect_eq("ldrb_lane", ldrb_w(PRIO_WORD + 1), 0x40);

    uintptr_t gicd = guest_gic_dist_base();
    str_w(gicd + GICD_ISENABLER(TEST_SPI_WORD), TEST_SPI_BIT);
    test_check(ldr_w(gicd + GICD_ISENABLER(TEST_SPI_WORD)) & TEST_SPI_BIT, "isenabler_set",
               "GICD_ISENABLER%u bit %u not set", TEST_SPI_WORD, TEST_SPI % 32);
    str_w(gicd + GICD_ICENABLER(TEST_SPI_WORD), TEST_SPI_BIT);
    test_check(!(ldr_w(gicd + GICD_ISENABLER(TEST_SPI_WORD)) & TEST_SPI_BIT),
               "icenabler_clear", "GICD_ISENABLER%u bit %u still set", TEST_SPI_WORD,
               TEST_SPI % 32);

    /* GICD_PIDR2 (v3) or ICPIDR2 (v2): ArchRev is the GIC version. */
    uint64_t pidr2 = ldr_w(guest_gic_pidr2_addr());
    test_check(GICD_PIDR2_ARCHREV(pidr2) == guest_gic_version() && UPPER32(pidr2) == 0,
               "ldr_w_readonly", "PIDR2 = 0x%lx, want ArchRev %u", pidr2, guest_gic_version());

    if (guest_gic_version() == 2) {
        /* The GICv2 counterpart of the GICR_TYPER affinity check below:
         * the distributor describes this VM's CPU count. */
        uint64_t typer = ldr_w(gicd + GICD_TYPER);
        test_expect_eq("ldr_w_gicd_typer_cpus", GICD_TYPER_CPUNUMBER(typer) + 1, smp_num_cpus());
    }
}

static void halfword_accesses(void)
{
    uint32_t saved = mmio_read32(UART_IBRD_ADDR);

    strh_w(UART_IBRD_ADDR, IBRD_NEG);
    test_expect_eq("strh_ldrh", ldrh_w(UART_IBRD_ADDR), IBRD_NEG);
    test_expect_eq("ldrsh_w", ldrsh_w(UART_IBRD_ADDR), 0xFFFF8000UL);
    test_expect_eq("ldrsh_x", ldrsh_x(UART_IBRD_ADDR), 0xFFFFFFFFFFFF8000UL);
    mmio_write32(UART_IBRD_ADDR, saved);

    uint64_t cr = ldr_w(UART_CR_ADDR);
    test_expect_eq("ldrh_cr", ldrh_w(UART_CR_ADDR), cr & 0xFFFF);
    test_expect_eq("ldrb_cr", ldrb_w(UART_CR_ADDR), cr & 0xFF);
}

static void doubleword_accesses(void)
{
    if (guest_gic_version() != 3) {
        test_note("GICv2: no 64-bit device register, the 64-bit access checks are not made");
        return;
    }
    uint64_t route = IROUTER_AFF3 | IROUTER_AFF0;

    str_x(IROUTER, route);
    test_expect_eq("str_ldr_x", ldr_x(IROUTER), route);
    test_expect_eq("ldr_w_low_half", ldr_w(IROUTER), route & 0xFFFFFFFFUL);
    test_expect_eq("ldr_w_high_half", ldr_w(IROUTER + 4), UPPER32(route));

    uint64_t typer = ldr_x(guest_gic_rd_base() + GICR_TYPER);
    uint64_t mpidr = read_sysreg(mpidr_el1);
    uint64_t aff = (MPIDR_AFF3(mpidr) << 24) | (MPIDR_AFF2(mpidr) << 16) |
                   (MPIDR_AFF1(mpidr) << 8) | MPIDR_AFF0(mpidr);
    test_expect_eq("ldr_x_gicr_typer_aff", GICR_TYPER_AFF(typer), aff);
    test_expect_eq("ldr_w_gicr_typer_high", ldr_w(guest_gic_rd_base() + GICR_TYPER + 4), UPPER32(typer));
}

static void zero_register_stores(void)
{
    strb_w(PRIO_BYTE, PRIO_NEG);
    strb_wzr(PRIO_BYTE);
    test_expect_eq("strb_wzr", ldrb_w(PRIO_BYTE), 0);

    str_w(PRIO_WORD, PRIO_WORD_VALUE);
    str_wzr(PRIO_WORD);
    test_expect_eq("str_wzr", ldr_w(PRIO_WORD), 0);

    if (guest_gic_version() == 3) {
        str_x(IROUTER, IROUTER_AFF0);
        str_xzr(IROUTER);
        test_expect_eq("str_xzr", ldr_x(IROUTER), 0);
    }

    uint32_t saved = mmio_read32(UART_IBRD_ADDR);
    strh_w(UART_IBRD_ADDR, IBRD_NEG);
    strh_wzr(UART_IBRD_ADDR);
    test_expect_eq("strh_wzr", ldrh_w(UART_IBRD_ADDR), 0);
    mmio_write32(UART_IBRD_ADDR, saved);
}

/* Under elvisor the PL011's reads come from a read-only page while its RX
 * FIFO is empty and trap while it holds data (docs/vuart.md); either way
 * the guest must see what bare QEMU's PL011 gives: byte lanes of the
 * 32-bit registers, an 8-byte read as two registers, and a byte looped
 * back into the RX FIFO in FR and then once from DR. */
static void uart_reads(void)
{
    uint32_t ibrd = mmio_read32(UART_IBRD_ADDR), cr = mmio_read32(UART_CR_ADDR);
    uint64_t fbrd = mmio_read32(UART_BASE + UART_FBRD), lcr_h = mmio_read32(UART_BASE + UART_LCR_H);

    mmio_write32(UART_IBRD_ADDR, 0x1234);
    test_expect_eq("uart_ldrb_lane", ldrb_w(UART_IBRD_ADDR + 1), 0x12);
    test_expect_eq("uart_ldrh_lane", ldrh_w(UART_IBRD_ADDR + 2), 0);
    mmio_write32(UART_IBRD_ADDR, ibrd);
    /* Both halves non-zero: 8 data bits, a fractional divisor. */
    mmio_write32(UART_BASE + UART_FBRD, 0x21);
    mmio_write32(UART_BASE + UART_LCR_H, 0x60);
    test_expect_eq("uart_ldr_x_pair", ldr_x(UART_BASE + UART_FBRD), 0x21 | 0x60UL << 32);
    mmio_write32(UART_BASE + UART_FBRD, (uint32_t)fbrd);
    mmio_write32(UART_BASE + UART_LCR_H, (uint32_t)lcr_h);

    /* Nothing may be printed while the transmitter loops back. */
    mmio_write32(UART_CR_ADDR, cr | UART_CR_LBE);
    mmio_write32(UART_BASE + UART_DR, UART_LOOPBACK_BYTE);
    uint32_t fr_with_data = mmio_read32(UART_BASE + UART_FR);
    uint32_t data = mmio_read32(UART_BASE + UART_DR);
    uint32_t fr_drained = mmio_read32(UART_BASE + UART_FR);
    mmio_write32(UART_CR_ADDR, cr);
    test_expect_eq("uart_loopback_fr", fr_with_data & UART_FR_RXFE, 0);
    test_expect_eq("uart_loopback_dr", data & 0xff, UART_LOOPBACK_BYTE);
    test_expect_eq("uart_loopback_drained", fr_drained & UART_FR_RXFE, UART_FR_RXFE);
}

static void zero_register_load(const char *check, int64_t (*load)(uintptr_t, uint64_t *),
                               uintptr_t addr)
{
    uint64_t canary = REG_GARBAGE;
    int64_t sp_moved = load(addr, &canary);

    test_check(sp_moved == 0 && canary == REG_GARBAGE, check, "SP moved by %ld, canary 0x%lx",
               (long)sp_moved, canary);
}

static void zero_register_loads(void)
{
    zero_register_load("ldrb_wzr", ldrb_wzr, PRIO_BYTE);
    zero_register_load("ldr_wzr", ldr_wzr, guest_gic_dist_base() + GICD_TYPER);
    if (guest_gic_version() == 3)
        zero_register_load("ldr_xzr", ldr_xzr, guest_gic_rd_base() + GICR_TYPER);
    zero_register_load("ldrsh_xzr", ldrsh_xzr, UART_IBRD_ADDR);
}

void guest_main(void)
{
    byte_accesses();
    halfword_accesses();
    word_accesses();
    doubleword_accesses();
    zero_register_stores();
    zero_register_loads();
    uart_reads();
    /* Leave the test SPI as the library configured it. */
    mmio_write8(PRIO_BYTE, GIC_DEFAULT_PRIORITY);
    if (guest_gic_version() == 3)
        mmio_write64(IROUTER, 0);
}
