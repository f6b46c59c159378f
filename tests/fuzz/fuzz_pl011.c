/* Fuzz target: the emulated PL011 (vdev/vuart_pl011.c): guest register
 * accesses of any offset, size and value mixed with console input. A model
 * of the receive queue runs beside it. Invariants after every operation:
 *  - an access is refused exactly when its size is not 1, 2 or 4 (or 8
 *    for a read), it is misaligned, or it lies past the 4 KiB region;
 *  - bytes come out of UARTDR in the order they went in (console input
 *    and looped-back writes), none lost while the FIFO had room, none
 *    invented; a read of an empty FIFO gives 0; UARTDR writes without
 *    loopback reach tx() once each, with the low byte, and nothing else
 *    does;
 *  - vuart_rx_push() refuses exactly when vuart_rx_space() is 0, and the
 *    space is the depth (32, or 1 without FEN) minus what is queued;
 *  - UARTFR: TXFE set, TXFF and BUSY clear, RXFE exactly when empty,
 *    RXFF exactly when full; UARTMIS = UARTRIS & UARTIMSC;
 *  - the interrupt line is (RIS & IMSC) != 0 after every operation, and
 *    set_irq() is called only when it changes;
 *  - no read but UARTDR's changes the device;
 *  - the read view is open exactly while the FIFO is empty, its gate is
 *    closed before a byte goes in, and while open every register word of
 *    the page equals what a read returns. */
#include "fuzz_support.h"

/* Sources under test: the only lines of this target naming src/ files. */
#include "vdev/vuart_pl011.c"

#define MODEL_MAX   64u

static struct vuart uart, snap;
static int ctx_token;
static bool line;
static unsigned tx_calls;
static char tx_last;
static uint8_t model[MODEL_MAX];
static unsigned model_len;
static uint32_t view[VUART_MMIO_SIZE / 4];
static bool view_open;

static void gate_cb(void *ctx, bool open)
{
    FUZZ_CHECK(ctx == &ctx_token, "gate context");
    FUZZ_CHECK(open != view_open, "gate(%d) without a change", open);
    FUZZ_CHECK(uart.rx_count == 0, "gate(%d) with %u queued", open, uart.rx_count);
    view_open = open;
}

static void tx_cb(void *ctx, char c)
{
    FUZZ_CHECK(ctx == &ctx_token, "tx context");
    tx_calls++;
    tx_last = c;
}

static void irq_cb(void *ctx, bool level)
{
    FUZZ_CHECK(ctx == &ctx_token, "set_irq context");
    FUZZ_CHECK(level != line, "set_irq(%d) without a change", level);
    line = level;
}

static uint32_t reg(uint64_t off)
{
    struct mmio_access acc = { .offset = off, .size = 4, .is_write = false, .value = ~0ULL };

    FUZZ_CHECK(vuart_mmio(&uart, 0, &acc), "read of %#llx refused", (unsigned long long)off);
    return (uint32_t)acc.value;
}

static void model_push(uint8_t b)
{
    FUZZ_CHECK(model_len < MODEL_MAX, "model overflow");
    model[model_len++] = b;
}

static void check_state(void)
{
    FUZZ_CHECK(uart.rx_count == model_len, "FIFO holds %u, model %u", uart.rx_count, model_len);
    unsigned depth = (uart.lcr_h & VUART_LCR_H_FEN) ? VUART_FIFO_DEPTH : 1;
    unsigned space = vuart_rx_space(&uart);
    FUZZ_CHECK(space == (model_len >= depth ? 0 : depth - model_len), "space %u, %u queued of %u",
               space, model_len, depth);
    FUZZ_CHECK(uart.rx_count <= VUART_FIFO_DEPTH, "FIFO count %u", uart.rx_count);

    /* Status reads must not change anything: compare around them. */
    memcpy(&snap, &uart, sizeof(uart));
    uint32_t fr = reg(VUART_FR), ris = reg(VUART_RIS), mis = reg(VUART_MIS), imsc = reg(VUART_IMSC);
    FUZZ_CHECK(memcmp(&snap, &uart, sizeof(uart)) == 0, "status reads changed the device");
    FUZZ_CHECK((fr & VUART_FR_TXFE) && !(fr & (VUART_FR_TXFF | VUART_FR_BUSY)), "FR %#x", fr);
    FUZZ_CHECK(!!(fr & VUART_FR_RXFE) == (model_len == 0), "RXFE with %u queued", model_len);
    FUZZ_CHECK(!!(fr & VUART_FR_RXFF) == (model_len >= depth), "RXFF with %u of %u", model_len,
               depth);
    FUZZ_CHECK(mis == (ris & imsc), "MIS %#x RIS %#x IMSC %#x", mis, ris, imsc);
    FUZZ_CHECK(line == (mis != 0) && vuart_irq_level(&uart) == line, "line %d, MIS %#x", line, mis);

    FUZZ_CHECK(view_open == (model_len == 0), "view open %d with %u queued", view_open, model_len);
    if (!view_open)
        return;
    FUZZ_CHECK(view[VUART_DR / 4] == 0, "view DR %#x", view[VUART_DR / 4]);
    for (uint64_t off = 4; off < VUART_DMACR + 8; off += 4)
        FUZZ_CHECK(view[off / 4] == reg(off), "view %#llx: %#x, read %#x", (unsigned long long)off,
                   view[off / 4], reg(off));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = { data, size };

    line = false;
    model_len = 0;
    view_open = false;
    vuart_init(&uart, tx_cb, irq_cb, &ctx_token);
    vuart_attach_view(&uart, view, gate_cb);
    check_state();

    for (unsigned op = 0; op < 512 && fuzz_more(&in); op++) {
        uint8_t kind = fuzz_u8(&in);

        if ((kind & 3) == 3) {
            char c = (char)fuzz_u8(&in);
            bool had_space = vuart_rx_space(&uart) > 0;
            bool ok = vuart_rx_push(&uart, c);
            FUZZ_CHECK(ok == had_space, "rx_push %d with space %d", ok, had_space);
            if (ok)
                model_push((uint8_t)c);
            check_state();
            continue;
        }
        static const unsigned sizes[4] = { 1, 2, 4, 8 };
        struct mmio_access acc;
        acc.size = sizes[(kind >> 2) & 3];
        acc.is_write = kind & 1;
        /* Mostly the registers: the first 0x50 bytes and the ID block. */
        uint16_t raw = fuzz_u16(&in);
        acc.offset = (kind & 0x10) ? raw : (kind & 0x20) ? 0xfe0 + raw % 0x20 : raw % 0x50;
        if (kind & 0x40)
            acc.offset &= ~3ULL;
        acc.value = acc.is_write ? fuzz_u32(&in) : 0xdeadbeefdeadbeefULL;
        bool valid = (acc.size == 1 || acc.size == 2 || acc.size == 4 || (acc.size == 8 && !acc.is_write)) &&
                     (acc.offset & (acc.size - 1)) == 0 && acc.offset < VUART_MMIO_SIZE;
        bool dr = acc.offset == VUART_DR;
        unsigned tx_before = tx_calls, count_before = uart.rx_count;
        bool lbe = uart.cr & VUART_CR_LBE;
        uint64_t written = acc.value;

        memcpy(&snap, &uart, sizeof(uart));
        bool ok = vuart_mmio(&uart, 0, &acc);
        FUZZ_CHECK(ok == valid, "access %#llx/%u accepted %d", (unsigned long long)acc.offset,
                   acc.size, ok);
        if (!ok) {
            FUZZ_CHECK(memcmp(&snap, &uart, sizeof(uart)) == 0, "refused access changed state");
            continue;
        }
        if (!acc.is_write) {
            if (dr) {
                uint8_t want = model_len ? model[0] : 0;
                FUZZ_CHECK(acc.value == want, "DR read %#llx, want %#x",
                           (unsigned long long)acc.value, want);
                if (model_len)
                    memmove(model, model + 1, --model_len);
            } else {
                FUZZ_CHECK(memcmp(&snap, &uart, sizeof(uart)) == 0, "read of %#llx changed state",
                           (unsigned long long)acc.offset);
            }
            FUZZ_CHECK(acc.size >= 4 || acc.value >> (8 * acc.size) == 0, "read wider than %u",
                       acc.size);
        } else if (dr) {
            uint8_t byte = (uint8_t)written;
            if (lbe) {
                FUZZ_CHECK(tx_calls == tx_before, "looped-back byte transmitted");
                if (uart.rx_count > count_before)
                    model_push(byte);
                else
                    FUZZ_CHECK(count_before >= ((snap.lcr_h & VUART_LCR_H_FEN) ? 32u : 1u),
                               "looped-back byte dropped with room in the FIFO");
            } else {
                FUZZ_CHECK(tx_calls == tx_before + 1 && (uint8_t)tx_last == byte, "tx of DR write");
            }
        }
        if (!(acc.is_write && dr))
            FUZZ_CHECK(tx_calls == tx_before, "tx without a DR write");
        check_state();
    }
    return 0;
}
