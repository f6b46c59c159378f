/* The PL011's read view (vuart_attach_view()): the page the guest reads
 * without an exit must show what a trapped read returns, at every offset
 * and size, in every state the model goes through; and it must be closed
 * before a byte enters the RX FIFO (a DR read served from the page would
 * lose it) and reopened only once the FIFO is empty and the page says so. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "host_support.h"
#include "vdev/vuart_pl011.c"

static struct vuart uart;
static uint32_t view[VUART_MMIO_SIZE / 4];
static unsigned opens, closes;
static bool open_now;
static int ctx_token;

static void tx_cb(void *ctx, char c)
{
    (void)ctx;
    (void)c;
}

static void irq_cb(void *ctx, bool level)
{
    (void)ctx;
    (void)level;
}

static uint32_t view_word(uint64_t off)
{
    return view[off / 4];
}

/* The owner's side: what it may rely on at each call. */
static void gate_cb(void *ctx, bool open)
{
    assert_ptr_equal(ctx, &ctx_token);
    assert_true(open != open_now);
    if (open) {
        /* Only an empty FIFO, and the page already says so. */
        assert_int_equal(uart.rx_count, 0);
        assert_true(view_word(VUART_FR) & VUART_FR_RXFE);
        opens++;
    } else {
        /* Before the byte that makes DR's read a pop is in. */
        assert_int_equal(uart.rx_count, 0);
        closes++;
    }
    open_now = open;
}

static int setup(void **state)
{
    (void)state;
    opens = closes = 0;
    open_now = false;
    memset(view, 0xa5, sizeof(view));
    vuart_init(&uart, tx_cb, irq_cb, &ctx_token);
    vuart_attach_view(&uart, view, gate_cb);
    return 0;
}

static uint64_t rd(uint64_t off, unsigned size)
{
    struct mmio_access acc = { .offset = off, .size = size, .is_write = false };

    assert_true(vuart_mmio(&uart, 0, &acc));
    return acc.value;
}

static void wr32(uint64_t off, uint32_t val)
{
    struct mmio_access acc = { .offset = off, .size = 4, .is_write = true, .value = val };

    assert_true(vuart_mmio(&uart, 0, &acc));
}

/* Every aligned read of 1, 2, 4 and 8 bytes, trapped, against the page
 * read the same way (little-endian, as the guest's load would). */
static void assert_view_is_reads(void)
{
    const uint8_t *bytes = (const uint8_t *)view;

    assert_true(open_now);
    for (uint64_t off = 0; off < VUART_MMIO_SIZE; off++) {
        for (unsigned size = 1; size <= 8; size *= 2) {
            uint64_t want = 0;

            if (off & (size - 1))
                continue;
            for (unsigned i = 0; i < size; i++)
                want |= (uint64_t)bytes[off + i] << (8 * i);
            if (rd(off, size) != want)
                fail_msg("offset 0x%llx size %u: read 0x%llx, view 0x%llx", (unsigned long long)off, size,
                         (unsigned long long)rd(off, size), (unsigned long long)want);
        }
    }
}

static void test_view_after_attach(void **state)
{
    (void)state;
    assert_int_equal(opens, 1);
    assert_int_equal(view_word(VUART_FR), VUART_FR_TXFE | VUART_FR_RXFE);
    assert_int_equal(view_word(VUART_PERIPHID0), 0x11);
    assert_int_equal(view_word(VUART_PCELLID0 + 12), 0xb1);
    assert_int_equal(view_word(0x800), 0);     /* reserved: the 0xa5 fill is gone */
    assert_view_is_reads();
}

/* Each write changes what the page shows at once (the guest's next read
 * does not exit). */
static void test_view_follows_writes(void **state)
{
    static const struct { uint64_t off; uint32_t val; } writes[] = {
        { VUART_IBRD, 0x8001 }, { VUART_FBRD, 0x3f }, { VUART_LCR_H, 0x70 }, { VUART_CR, 0x301 },
        { VUART_IFLS, 0x09 }, { VUART_IMSC, 0x50 }, { VUART_ILPR, 0x12 }, { VUART_DR, 'x' },
        { VUART_IMSC, 0x20 }, { VUART_ICR, 0x7ff }, { VUART_DR, 'y' },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(writes) / sizeof(writes[0]); i++) {
        wr32(writes[i].off, writes[i].val);
        assert_view_is_reads();
    }
    assert_int_equal(view_word(VUART_MIS), VUART_INT_TX);
    assert_int_equal(view_word(VUART_IBRD), 0x8001);
    assert_int_equal(opens, 1);
    assert_int_equal(closes, 0);
}

/* Console input closes the page before the byte is in; the read that
 * empties the FIFO reopens it, not the one before. */
static void test_view_gate_on_input(void **state)
{
    (void)state;
    wr32(VUART_LCR_H, VUART_LCR_H_FEN);
    wr32(VUART_IMSC, VUART_INT_RX | VUART_INT_RT);
    assert_true(vuart_rx_push(&uart, 'a'));
    assert_int_equal(closes, 1);
    assert_false(open_now);
    assert_true(vuart_rx_push(&uart, 'b'));
    assert_int_equal(closes, 1);
    wr32(VUART_IMSC, VUART_INT_RT);     /* a write while closed: the page may lag */
    assert_false(rd(VUART_FR, 4) & VUART_FR_RXFE);
    assert_int_equal(rd(VUART_DR + 1, 1), 0);  /* a lane of DR pops nothing */
    assert_int_equal(rd(VUART_DR, 4), 'a');
    assert_false(open_now);
    assert_int_equal(rd(VUART_DR, 1), 'b');
    assert_true(open_now);
    assert_int_equal(opens, 2);
    assert_int_equal(view_word(VUART_IMSC), VUART_INT_RT);
    assert_view_is_reads();
    /* An empty FIFO's DR read changes nothing and keeps the page open. */
    assert_int_equal(rd(VUART_DR, 4), 0);
    assert_int_equal(opens, 2);
    assert_int_equal(closes, 1);
}

/* A full FIFO refuses the byte without touching the gate again; loopback
 * data closes it like input does. */
static void test_view_gate_full_and_loopback(void **state)
{
    (void)state;
    assert_true(vuart_rx_push(&uart, 'a'));     /* FEN clear: depth 1 */
    assert_false(vuart_rx_push(&uart, 'b'));
    assert_int_equal(closes, 1);
    assert_int_equal(rd(VUART_DR, 4), 'a');
    assert_int_equal(opens, 2);

    wr32(VUART_CR, VUART_CR_UARTEN | VUART_CR_TXE | VUART_CR_RXE | VUART_CR_LBE);
    assert_true(open_now);
    wr32(VUART_DR, 'L');
    assert_false(open_now);
    assert_int_equal(closes, 2);
    assert_false(rd(VUART_FR, 4) & VUART_FR_RXFE);
    assert_int_equal(rd(VUART_DR, 4), 'L');
    assert_true(open_now);
    assert_view_is_reads();
}

/* An 8-byte read is two registers, DR popped only when it covers DR's
 * first byte (a read of DR and RSR together). */
static void test_doubleword_reads(void **state)
{
    (void)state;
    assert_int_equal(rd(VUART_PERIPHID0, 8), 0x11 | (0x10ull << 32));
    wr32(VUART_FBRD, 0x21);
    wr32(VUART_LCR_H, 0x70);
    assert_int_equal(rd(VUART_FBRD, 8), 0x21 | (0x70ull << 32));
    assert_true(vuart_rx_push(&uart, 'q'));
    assert_int_equal(rd(VUART_DR, 8), 'q');
    assert_true(open_now);
}

/* Reset keeps nothing: a new attach shows the reset state and opens. */
static void test_view_reset(void **state)
{
    (void)state;
    wr32(VUART_IBRD, 7);
    assert_true(vuart_rx_push(&uart, 'z'));
    open_now = false;
    vuart_init(&uart, tx_cb, irq_cb, &ctx_token);
    vuart_attach_view(&uart, view, gate_cb);
    assert_true(open_now);
    assert_int_equal(view_word(VUART_IBRD), 0);
    assert_true(view_word(VUART_FR) & VUART_FR_RXFE);
    assert_view_is_reads();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_view_after_attach, setup),
        cmocka_unit_test_setup(test_view_follows_writes, setup),
        cmocka_unit_test_setup(test_view_gate_on_input, setup),
        cmocka_unit_test_setup(test_view_gate_full_and_loopback, setup),
        cmocka_unit_test_setup(test_doubleword_reads, setup),
        cmocka_unit_test_setup(test_view_reset, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
