/* Emulated PL011: register file, FIFO, interrupt line and hostile accesses,
 * plus the access sequences Linux's amba-pl011 driver performs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "host_support.h"
#include "vdev/vuart_pl011.c"

static struct vuart uart;
static char tx_buf[256];
static unsigned tx_len;
static unsigned irq_calls;
static bool irq_line;
static int ctx_token;

static void tx_cb(void *ctx, char c)
{
    assert_ptr_equal(ctx, &ctx_token);
    assert_true(tx_len < sizeof(tx_buf));
    tx_buf[tx_len++] = c;
}

static void irq_cb(void *ctx, bool level)
{
    assert_ptr_equal(ctx, &ctx_token);
    /* The device promises to report changes only. */
    assert_true(level != irq_line);
    irq_line = level;
    irq_calls++;
}

static int setup(void **state)
{
    (void)state;
    tx_len = 0;
    irq_calls = 0;
    irq_line = false;
    vuart_init(&uart, tx_cb, irq_cb, &ctx_token);
    return 0;
}

static bool mmio(uint64_t off, unsigned size, bool write, uint64_t *val)
{
    struct mmio_access acc = { .offset = off, .size = size, .is_write = write,
                               .value = write ? *val : 0xdeadbeefdeadbeefull };
    bool ok = vuart_mmio(&uart, 0, &acc);

    if (!write)
        *val = acc.value;
    return ok;
}

static uint64_t rd(uint64_t off, unsigned size)
{
    uint64_t val;

    assert_true(mmio(off, size, false, &val));
    return val;
}

static void wr(uint64_t off, unsigned size, uint64_t val)
{
    assert_true(mmio(off, size, true, &val));
}

static uint32_t rd32(uint64_t off) { return (uint32_t)rd(off, 4); }
static void wr32(uint64_t off, uint32_t val) { wr(off, 4, val); }

static void enable_fifo(void)
{
    wr32(VUART_LCR_H, VUART_LCR_H_FEN | (3u << 5));
}

static void test_id_registers(void **state)
{
    uint32_t periph = 0, cell = 0;

    (void)state;
    for (unsigned i = 0; i < 4; i++) {
        periph |= (rd32(VUART_PERIPHID0 + 4 * i) & 0xff) << (8 * i);
        cell |= (rd32(VUART_PCELLID0 + 4 * i) & 0xff) << (8 * i);
    }
    /* What the amba bus assembles: part 0x011, designer Arm (0x41), rev 3. */
    assert_int_equal(periph, 0x00341011);
    assert_int_equal(cell, 0xb105f00d);
    assert_int_equal(rd(VUART_PERIPHID0 + 8, 1), 0x34);
    assert_int_equal(rd(VUART_PCELLID0 + 12, 2), 0xb1);
    wr32(VUART_PERIPHID0, 0);                   /* read-only */
    assert_int_equal(rd32(VUART_PERIPHID0), 0x11);
}

static void test_reset_values(void **state)
{
    (void)state;
    assert_int_equal(rd32(VUART_FR), VUART_FR_TXFE | VUART_FR_RXFE);
    assert_int_equal(rd32(VUART_CR), VUART_CR_TXE | VUART_CR_RXE);
    assert_int_equal(rd32(VUART_IFLS), 0x12);
    assert_int_equal(rd32(VUART_LCR_H), 0);
    assert_int_equal(rd32(VUART_IMSC), 0);
    assert_int_equal(rd32(VUART_RIS), 0);
    assert_int_equal(rd32(VUART_MIS), 0);
    assert_false(vuart_irq_level(&uart));
    assert_int_equal(irq_calls, 0);
}

static void test_tx_all_sizes(void **state)
{
    (void)state;
    wr(VUART_DR, 1, 'a');
    wr(VUART_DR, 2, 0x0f00 | 'b');              /* only the data byte goes out */
    wr(VUART_DR, 4, 0xffffff00u | 'c');
    wr(VUART_DR, 1, 0);
    assert_int_equal(tx_len, 4);
    assert_memory_equal(tx_buf, "abc\0", 4);
    /* Instant transmission: the FIFO never fills or looks busy. */
    assert_int_equal(rd32(VUART_FR) & (VUART_FR_TXFF | VUART_FR_BUSY), 0);
    assert_true(rd32(VUART_FR) & VUART_FR_TXFE);
}

static void test_tx_when_disabled(void **state)
{
    (void)state;
    /* earlycon may write before anyone sets UARTEN: output still appears. */
    wr32(VUART_CR, 0);
    wr32(VUART_DR, 'x');
    assert_int_equal(tx_len, 1);
    assert_int_equal(tx_buf[0], 'x');
}

static void test_register_masks(void **state)
{
    (void)state;
    wr32(VUART_IBRD, 0xfffff);
    assert_int_equal(rd32(VUART_IBRD), 0xffff);
    wr(VUART_IBRD, 2, 0x1234);
    assert_int_equal(rd(VUART_IBRD, 2), 0x1234);
    assert_int_equal(rd(VUART_IBRD, 1), 0x34);
    wr32(VUART_FBRD, 0xff);
    assert_int_equal(rd32(VUART_FBRD), 0x3f);
    wr32(VUART_ILPR, 0x1ff);
    assert_int_equal(rd32(VUART_ILPR), 0xff);
    wr32(VUART_LCR_H, 0xfff);
    assert_int_equal(rd32(VUART_LCR_H), 0xff);
    wr32(VUART_CR, 0xffffffff);
    assert_int_equal(rd32(VUART_CR), VUART_CR_MASK);
    wr32(VUART_IFLS, 0xff);
    assert_int_equal(rd32(VUART_IFLS), 0x3f);
    wr32(VUART_IMSC, 0xffffffff);
    assert_int_equal(rd32(VUART_IMSC), VUART_INT_MASK);
    /* A narrow write replaces the whole register. */
    wr(VUART_CR, 1, VUART_CR_UARTEN);
    assert_int_equal(rd32(VUART_CR), VUART_CR_UARTEN);
    /* RSR/ECR, DMACR, ICR: RAZ, writes harmless. */
    wr32(VUART_RSR_ECR, 0xff);
    wr32(VUART_DMACR, 0x7);
    assert_int_equal(rd32(VUART_RSR_ECR), 0);
    assert_int_equal(rd32(VUART_DMACR), 0);
    assert_int_equal(rd32(VUART_ICR), 0);
    wr32(VUART_RIS, 0xffff);
    wr32(VUART_MIS, 0xffff);
    wr32(VUART_FR, 0xffff);
    assert_int_equal(rd32(VUART_FR), VUART_FR_TXFE | VUART_FR_RXFE);
}

static void test_fr_tracks_rx_fifo(void **state)
{
    (void)state;
    enable_fifo();
    assert_true(vuart_rx_push(&uart, 'q'));
    assert_int_equal(rd32(VUART_FR) & (VUART_FR_RXFE | VUART_FR_RXFF), 0);
    for (unsigned i = 1; i < VUART_FIFO_DEPTH; i++)
        assert_true(vuart_rx_push(&uart, 'q'));
    assert_int_equal(rd32(VUART_FR), VUART_FR_TXFE | VUART_FR_RXFF);
    assert_int_equal(vuart_rx_space(&uart), 0);
    rd32(VUART_DR);
    assert_int_equal(rd32(VUART_FR), VUART_FR_TXFE);
    assert_int_equal(vuart_rx_space(&uart), 1);
}

static void test_rx_order_and_overflow(void **state)
{
    (void)state;
    enable_fifo();
    for (unsigned round = 0; round < 3; round++) {      /* wraps the ring */
        for (unsigned i = 0; i < VUART_FIFO_DEPTH; i++)
            assert_true(vuart_rx_push(&uart, (char)(0x80 + i + round)));
        assert_false(vuart_rx_push(&uart, 'X'));
        for (unsigned i = 0; i < VUART_FIFO_DEPTH; i++)
            assert_int_equal(rd32(VUART_DR), 0x80 + i + round);  /* no error bits */
        assert_true(rd32(VUART_FR) & VUART_FR_RXFE);
        assert_true(vuart_rx_push(&uart, 'a'));
        assert_int_equal(rd(VUART_DR, 1), 'a');
    }
    assert_int_equal(rd32(VUART_DR), 0);        /* empty FIFO reads as 0 */
    assert_int_equal(vuart_rx_space(&uart), VUART_FIFO_DEPTH);
}

static void test_fifo_disabled_depth_one(void **state)
{
    (void)state;
    assert_int_equal(vuart_rx_space(&uart), 1);
    assert_true(vuart_rx_push(&uart, '1'));
    assert_false(vuart_rx_push(&uart, '2'));
    assert_int_equal(rd32(VUART_FR), VUART_FR_TXFE | VUART_FR_RXFF);
    assert_int_equal(rd32(VUART_DR), '1');
    assert_true(vuart_rx_push(&uart, '2'));

    /* Clearing FEN with data queued keeps it; new input waits. */
    enable_fifo();
    assert_true(vuart_rx_push(&uart, '3'));
    assert_true(vuart_rx_push(&uart, '4'));
    wr32(VUART_LCR_H, 0);
    assert_false(vuart_rx_push(&uart, '5'));
    assert_int_equal(vuart_rx_space(&uart), 0);
    assert_true(rd32(VUART_FR) & VUART_FR_RXFF);
    assert_int_equal(rd32(VUART_DR), '2');
    assert_int_equal(rd32(VUART_DR), '3');
    assert_false(vuart_rx_push(&uart, '5'));
    assert_int_equal(rd32(VUART_DR), '4');
    assert_true(vuart_rx_push(&uart, '5'));
    assert_int_equal(rd32(VUART_DR), '5');
}

static void test_rx_irq_fifo_off(void **state)
{
    (void)state;
    assert_true(vuart_rx_push(&uart, 'k'));
    assert_int_equal(rd32(VUART_RIS), VUART_INT_RX);
    assert_int_equal(irq_calls, 0);             /* masked */
    wr32(VUART_IMSC, VUART_INT_RX | VUART_INT_RT);
    assert_true(irq_line);
    assert_int_equal(rd32(VUART_MIS), VUART_INT_RX);
    wr32(VUART_ICR, VUART_INT_RX | VUART_INT_RT);   /* a level: data still there */
    assert_true(irq_line);
    assert_int_equal(rd32(VUART_DR), 'k');
    assert_false(irq_line);
    assert_int_equal(rd32(VUART_RIS), 0);
    assert_int_equal(irq_calls, 2);
}

static void test_rx_irq_trigger_and_timeout(void **state)
{
    (void)state;
    enable_fifo();                              /* IFLS reset: RX at 1/2 = 16 */
    wr32(VUART_IMSC, VUART_INT_RX);
    assert_true(vuart_rx_push(&uart, 'a'));
    /* Below the trigger only RT is raised, so RXIM alone stays quiet. */
    assert_int_equal(rd32(VUART_RIS), VUART_INT_RT);
    assert_false(irq_line);
    wr32(VUART_IMSC, VUART_INT_RX | VUART_INT_RT);
    assert_true(irq_line);
    for (unsigned i = 1; i < 16; i++)
        assert_true(vuart_rx_push(&uart, 'a'));
    assert_int_equal(rd32(VUART_RIS), VUART_INT_RX);
    rd32(VUART_DR);
    assert_int_equal(rd32(VUART_RIS), VUART_INT_RT);
    assert_true(irq_line);
    for (unsigned i = 0; i < 15; i++)
        rd32(VUART_DR);
    assert_false(irq_line);
    assert_int_equal(irq_calls, 2);

    /* Every RXIFLSEL level, and reserved encodings as 1/2. */
    static const unsigned levels[8] = { 4, 8, 16, 24, 28, 16, 16, 16 };
    for (unsigned sel = 0; sel < 8; sel++) {
        wr32(VUART_IFLS, sel << VUART_IFLS_RX_SHIFT);
        for (unsigned i = 0; i < levels[sel] - 1; i++)
            assert_true(vuart_rx_push(&uart, 'b'));
        assert_int_equal(rd32(VUART_RIS), VUART_INT_RT);
        assert_true(vuart_rx_push(&uart, 'b'));
        assert_int_equal(rd32(VUART_RIS), VUART_INT_RX);
        while (!(rd32(VUART_FR) & VUART_FR_RXFE))
            rd32(VUART_DR);
    }
}

static void test_tx_irq(void **state)
{
    (void)state;
    wr32(VUART_IMSC, VUART_INT_TX);
    assert_false(irq_line);                     /* clear until something is sent */
    wr32(VUART_DR, 'a');
    assert_true(irq_line);
    assert_int_equal(rd32(VUART_MIS), VUART_INT_TX);
    wr32(VUART_DR, 'b');                        /* stays asserted */
    assert_true(irq_line);
    wr32(VUART_ICR, VUART_INT_TX);
    assert_false(irq_line);
    assert_int_equal(rd32(VUART_RIS), 0);
    wr32(VUART_DR, 'c');
    assert_true(irq_line);
    wr32(VUART_IMSC, 0);
    assert_false(irq_line);
    assert_int_equal(rd32(VUART_RIS), VUART_INT_TX);
    assert_int_equal(irq_calls, 4);
    /* ICR bits that are not TX, or TX via a narrow write, behave alike. */
    wr32(VUART_ICR, VUART_INT_MASK & ~VUART_INT_TX);
    assert_int_equal(rd32(VUART_RIS), VUART_INT_TX);
    wr(VUART_ICR, 1, VUART_INT_TX);
    assert_int_equal(rd32(VUART_RIS), 0);
}

static void test_loopback(void **state)
{
    (void)state;
    /* Old Linux provokes TXRIS with LBE set and FIFOs off at startup. */
    wr32(VUART_CR, VUART_CR_UARTEN | VUART_CR_TXE | VUART_CR_LBE);
    wr32(VUART_LCR_H, 0);
    wr32(VUART_DR, 0);
    wr32(VUART_DR, 'z');                        /* FIFO full: dropped */
    assert_int_equal(tx_len, 0);
    assert_int_equal(rd32(VUART_RIS), VUART_INT_TX | VUART_INT_RX);
    assert_int_equal(rd32(VUART_DR), 0);
    assert_true(rd32(VUART_FR) & VUART_FR_RXFE);
}

static void test_bad_accesses(void **state)
{
    uint64_t val = 'A';

    (void)state;
    assert_false(mmio(VUART_DR, 8, true, &val));
    assert_false(mmio(VUART_PERIPHID0, 8, true, &val));
    assert_false(mmio(VUART_FR + 4, 8, false, &val));    /* misaligned */
    assert_false(mmio(VUART_DR, 3, true, &val));
    assert_false(mmio(VUART_DR, 0, false, &val));
    assert_false(mmio(VUART_FR + 2, 4, false, &val));    /* misaligned */
    assert_false(mmio(VUART_DR + 1, 2, true, &val));
    assert_false(mmio(VUART_MMIO_SIZE, 4, false, &val));
    assert_false(mmio(VUART_MMIO_SIZE - 2, 4, false, &val));
    assert_false(mmio(UINT64_MAX - 3, 4, false, &val));
    assert_int_equal(tx_len, 0);

    /* Reserved offsets and bytes inside a register: RAZ/WI, no side effect. */
    static const uint64_t reserved[] = { 0x008, 0x014, 0x01c, 0x04c, 0x080, 0x090, 0x800,
                                         0xfd0, 0xfdc };
    for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
        val = 0xffffffff;
        assert_true(mmio(reserved[i], 4, true, &val));
        assert_int_equal(rd32(reserved[i]), 0);
    }
    assert_true(vuart_rx_push(&uart, 'r'));
    wr(VUART_DR + 1, 1, 'A');
    wr(VUART_DR + 2, 2, 'A');
    assert_int_equal(tx_len, 0);
    assert_int_equal(rd(VUART_DR + 1, 1), 0);
    assert_int_equal(rd(VUART_IBRD + 2, 2), 0);
    assert_int_equal(rd32(VUART_DR), 'r');      /* not popped by the byte read */
    assert_int_equal(rd32(VUART_IMSC), 0);
    assert_int_equal(irq_calls, 0);
}

/* amba probe, earlycon, then the tty driver's startup/TX/RX as Linux 6.12
 * does them with 16-bit accessors: nothing may stall or get lost. */
static void test_linux_sequence(void **state)
{
    uint32_t periph = 0;

    (void)state;
    for (unsigned i = 0; i < 4; i++)
        periph |= (uint32_t)rd(VUART_PERIPHID0 + 4 * i, 4) << (8 * i);
    assert_int_equal(periph & 0x000fffff, 0x00041011);

    /* earlycon: poll TXFF (32-bit), write bytes, wait BUSY. */
    for (const char *s = "boot\n"; *s; s++) {
        assert_false(rd32(VUART_FR) & VUART_FR_TXFF);
        wr(VUART_DR, 1, (uint8_t)*s);
        assert_false(rd32(VUART_FR) & VUART_FR_BUSY);
    }
    assert_true(vuart_rx_push(&uart, 'e'));     /* typed before the driver */

    /* hwinit + startup + enable_interrupts */
    wr(VUART_ICR, 2, VUART_INT_OE | VUART_INT_BE | VUART_INT_PE | VUART_INT_FE |
                     VUART_INT_RT | VUART_INT_RX);
    uint32_t im = (uint32_t)rd(VUART_IMSC, 2);
    wr(VUART_IMSC, 2, VUART_INT_RT | VUART_INT_RX);
    assert_true(irq_line);                      /* early input pending */
    wr(VUART_IMSC, 2, im);
    wr(VUART_IFLS, 2, 0x12);
    wr(VUART_IBRD, 2, 13);
    wr(VUART_FBRD, 2, 1);
    wr(VUART_LCR_H, 2, VUART_LCR_H_FEN | (3u << 5));
    wr(VUART_CR, 2, VUART_CR_UARTEN | VUART_CR_TXE | VUART_CR_RXE);
    wr(VUART_ICR, 2, VUART_INT_RT | VUART_INT_RX);
    while (!(rd(VUART_FR, 2) & VUART_FR_RXFE))
        assert_int_equal(rd(VUART_DR, 2), 'e');
    im = VUART_INT_RT | VUART_INT_RX;
    wr(VUART_IMSC, 2, im);
    assert_false(irq_line);

    /* Interactive input: one key raises RT, the handler drains it. */
    assert_true(vuart_rx_push(&uart, 'l'));
    assert_true(vuart_rx_push(&uart, 's'));
    assert_true(irq_line);
    uint32_t mis = (uint32_t)rd(VUART_MIS, 2);
    assert_int_equal(mis, VUART_INT_RT);
    wr(VUART_ICR, 2, mis & ~(VUART_INT_TX | VUART_INT_RT | VUART_INT_RX));
    assert_int_equal(rd(VUART_DR, 2), 'l');
    assert_int_equal(rd(VUART_DR, 2), 's');
    assert_true(rd(VUART_FR, 2) & VUART_FR_RXFE);
    assert_false(irq_line);

    /* TX: PIO start fills half the FIFO, then unmasks TXIM to continue. */
    tx_len = 0;
    for (unsigned i = 0; i < 16; i++)
        wr(VUART_DR, 2, 'A' + i);
    im |= VUART_INT_TX;
    wr(VUART_IMSC, 2, im);
    assert_true(irq_line);                      /* the handler runs at once */
    for (unsigned i = 16; i < 20; i++)
        wr(VUART_DR, 2, 'A' + i);
    im &= ~VUART_INT_TX;                        /* buffer empty: stop_tx */
    wr(VUART_IMSC, 2, im);
    assert_false(irq_line);
    assert_int_equal(tx_len, 20);
    assert_memory_equal(tx_buf, "ABCDEFGHIJKLMNOPQRST", 20);

    /* shutdown */
    wr(VUART_IMSC, 2, 0);
    wr(VUART_ICR, 2, 0xffff);
    assert_int_equal(rd(VUART_RIS, 2), 0);
    assert_false(irq_line);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_id_registers, setup),
        cmocka_unit_test_setup(test_reset_values, setup),
        cmocka_unit_test_setup(test_tx_all_sizes, setup),
        cmocka_unit_test_setup(test_tx_when_disabled, setup),
        cmocka_unit_test_setup(test_register_masks, setup),
        cmocka_unit_test_setup(test_fr_tracks_rx_fifo, setup),
        cmocka_unit_test_setup(test_rx_order_and_overflow, setup),
        cmocka_unit_test_setup(test_fifo_disabled_depth_one, setup),
        cmocka_unit_test_setup(test_rx_irq_fifo_off, setup),
        cmocka_unit_test_setup(test_rx_irq_trigger_and_timeout, setup),
        cmocka_unit_test_setup(test_tx_irq, setup),
        cmocka_unit_test_setup(test_loopback, setup),
        cmocka_unit_test_setup(test_bad_accesses, setup),
        cmocka_unit_test_setup(test_linux_sequence, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
