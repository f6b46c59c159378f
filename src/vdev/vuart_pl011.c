/* PL011 register file and FIFO/interrupt model; see vdev/vuart.h for the
 * model's rules and why they keep Linux's driver from stalling. */
#include "vdev/vuart.h"

#include "lib/string.h"

#define REG_ALIGN_MASK          0x3ull
#define ID_REG_COUNT            4u

/* PL011 r1p5: revision 3 makes Linux size the FIFOs at 32 entries, matching
 * the model; an older revision would have it under-use them (16). */
static const uint8_t periph_id[ID_REG_COUNT] = { 0x11, 0x10, 0x34, 0x00 };
static const uint8_t pcell_id[ID_REG_COUNT] = { 0x0d, 0xf0, 0x05, 0xb1 };

/* RX trigger levels of IFLS.RXIFLSEL, in eighths of the FIFO depth. */
static const uint8_t rx_trigger_eighths[] = { 1, 2, 4, 6, 7 };
#define RX_TRIGGER_RESET_SEL    2u              /* 1/2, used for reserved encodings */

static bool fifo_enabled(const struct vuart *u)
{
    return (u->lcr_h & VUART_LCR_H_FEN) != 0;
}

static unsigned rx_depth(const struct vuart *u)
{
    return fifo_enabled(u) ? VUART_FIFO_DEPTH : 1u;
}

static unsigned rx_trigger(const struct vuart *u)
{
    unsigned sel = (u->ifls >> VUART_IFLS_RX_SHIFT) & VUART_IFLS_SEL_MASK;

    if (!fifo_enabled(u))
        return 1u;
    if (sel >= sizeof(rx_trigger_eighths))
        sel = RX_TRIGGER_RESET_SEL;
    return VUART_FIFO_DEPTH * rx_trigger_eighths[sel] / 8u;
}

static uint32_t raw_status(const struct vuart *u)
{
    uint32_t ris = u->ris_latched;

    if (u->rx_count == 0)
        return ris;                 /* the output path: no trigger to work out */
    if (u->rx_count >= rx_trigger(u))
        ris |= VUART_INT_RX;
    else if (u->rx_count > 0)
        ris |= VUART_INT_RT;
    return ris;
}

static void update_irq(struct vuart *u)
{
    bool level = (raw_status(u) & u->imsc) != 0;

    if (level != u->irq_level) {
        u->irq_level = level;
        u->set_irq(u->ctx, level);
    }
}

static bool rx_put(struct vuart *u, uint8_t byte)
{
    /* rx_count may exceed the depth after FEN is cleared with data queued:
     * nothing is dropped, only new data waits until the guest drains it. */
    if (u->rx_count >= rx_depth(u))
        return false;
    u->rx_fifo[(u->rx_head + u->rx_count) % VUART_FIFO_DEPTH] = byte;
    u->rx_count++;
    return true;
}

static uint32_t rx_pop(struct vuart *u)
{
    uint8_t byte;

    if (u->rx_count == 0)
        return 0;
    byte = u->rx_fifo[u->rx_head];
    u->rx_head = (u->rx_head + 1) % VUART_FIFO_DEPTH;
    u->rx_count--;
    return byte;
}

static uint32_t flags(const struct vuart *u)
{
    uint32_t fr = VUART_FR_TXFE;

    if (u->rx_count == 0)
        fr |= VUART_FR_RXFE;
    if (u->rx_count >= rx_depth(u))
        fr |= VUART_FR_RXFF;
    return fr;
}

/* What a read of the register at off returns, DR's without popping (its
 * upper bits, the receive errors, are never set). */
static uint32_t reg_peek(const struct vuart *u, uint64_t off)
{
    switch (off) {
    case VUART_FR:      return flags(u);
    case VUART_ILPR:    return u->ilpr;
    case VUART_IBRD:    return u->ibrd;
    case VUART_FBRD:    return u->fbrd;
    case VUART_LCR_H:   return u->lcr_h;
    case VUART_CR:      return u->cr;
    case VUART_IFLS:    return u->ifls;
    case VUART_IMSC:    return u->imsc;
    case VUART_RIS:     return raw_status(u);
    case VUART_MIS:     return raw_status(u) & u->imsc;
    default:
        break;
    }
    if (off >= VUART_PERIPHID0 && off < VUART_PERIPHID0 + 4 * ID_REG_COUNT)
        return periph_id[(off - VUART_PERIPHID0) / 4];
    if (off >= VUART_PCELLID0 && off < VUART_PCELLID0 + 4 * ID_REG_COUNT)
        return pcell_id[(off - VUART_PCELLID0) / 4];
    /* DR while the FIFO is empty, RSR (no receive errors are ever
     * modelled), write-only ICR, DMACR (no DMA) and reserved space. */
    return 0;
}

/* ---- the read view: see vuart_attach_view() ---- */

/* The registers whose value the model changes; the rest of the page is
 * zero or the fixed ID registers. Single 32-bit stores: a guest may read
 * any word at any time. */
static const uint16_t view_regs[] = {
    VUART_FR, VUART_ILPR, VUART_IBRD, VUART_FBRD, VUART_LCR_H, VUART_CR,
    VUART_IFLS, VUART_IMSC, VUART_RIS, VUART_MIS,
};

static void view_publish(struct vuart *u)
{
    volatile uint32_t *w = u->view;

    for (unsigned i = 0; i < sizeof(view_regs) / sizeof(view_regs[0]); i++)
        w[view_regs[i] / 4] = reg_peek(u, view_regs[i]);
}

/* What a write can change while the view is open: the register it stored
 * (if any) and the interrupt status (TX latched or cleared, a new mask).
 * FR and the RX levels depend only on the RX FIFO, empty while the view is
 * open. */
static void view_after_write(struct vuart *u, uint64_t off, const uint32_t *stored)
{
    volatile uint32_t *w = u->view;

    if (stored)
        w[off / 4] = *stored;
    w[VUART_RIS / 4] = u->ris_latched;
    w[VUART_MIS / 4] = u->ris_latched & u->imsc;
}

/* Before a byte enters the RX FIFO: DR's read must trap from now on. */
static void view_close(struct vuart *u)
{
    if (u->view_open) {
        u->view_open = false;
        u->gate(u->ctx, false);
    }
}

static void view_reopen(struct vuart *u)
{
    if (u->view && !u->view_open && u->rx_count == 0) {
        view_publish(u);
        u->view_open = true;
        u->gate(u->ctx, true);
    }
}

static void transmit(struct vuart *u, uint32_t val)
{
    uint8_t byte = (uint8_t)(val & VUART_DR_DATA_MASK);

    /* A full RX FIFO drops looped-back data, as the hardware would (it
     * would also flag an overrun, which this model never reports). */
    if (u->cr & VUART_CR_LBE) {
        view_close(u);
        (void)rx_put(u, byte);
    }
    else
        u->tx(u->ctx, (char)byte);
    u->ris_latched |= VUART_INT_TX;
}

/* Returns the register a read of off now reads, or NULL when the write
 * stored nothing there (DR, ICR, read-only and reserved offsets). */
static const uint32_t *reg_write(struct vuart *u, uint64_t off, uint32_t val)
{
    switch (off) {
    case VUART_DR:      transmit(u, val); return NULL;
    case VUART_ILPR:    u->ilpr = val & VUART_ILPR_MASK; return &u->ilpr;
    case VUART_IBRD:    u->ibrd = val & VUART_IBRD_MASK; return &u->ibrd;
    case VUART_FBRD:    u->fbrd = val & VUART_FBRD_MASK; return &u->fbrd;
    case VUART_LCR_H:   u->lcr_h = val & VUART_LCR_H_MASK; return &u->lcr_h;
    case VUART_CR:      u->cr = val & VUART_CR_MASK; return &u->cr;
    case VUART_IFLS:    u->ifls = val & VUART_IFLS_MASK; return &u->ifls;
    case VUART_IMSC:    u->imsc = val & VUART_INT_MASK; return &u->imsc;
    case VUART_ICR:     u->ris_latched &= ~val; return NULL;
    default:
        /* ECR (there are no errors to clear), read-only registers, DMACR
         * and reserved space. */
        return NULL;
    }
}

void vuart_init(struct vuart *u, void (*tx)(void *ctx, char c),
                void (*set_irq)(void *ctx, bool level), void *ctx)
{
    memset(u, 0, sizeof(*u));
    u->tx = tx;
    u->set_irq = set_irq;
    u->ctx = ctx;
    u->cr = VUART_CR_RESET;
    u->ifls = VUART_IFLS_RESET;
}

/* DR's read, the only one with a side effect. */
static uint32_t dr_read(struct vuart *u)
{
    uint32_t byte = rx_pop(u);

    update_irq(u);
    view_reopen(u);
    return byte;
}

static uint64_t read_lanes(struct vuart *u, uint64_t off, unsigned size)
{
    uint64_t reg = off & ~REG_ALIGN_MASK;
    uint64_t v = off == VUART_DR ? dr_read(u) : reg_peek(u, reg);

    if (size == 8)
        return v | (uint64_t)reg_peek(u, reg + 4) << 32;
    return (v >> (8 * (off & REG_ALIGN_MASK))) & ((1ull << (8 * size)) - 1);
}

bool vuart_mmio(void *dev, unsigned vcpu_id, struct mmio_access *acc)
{
    struct vuart *u = dev;

    (void)vcpu_id;
    if (acc->size != 1 && acc->size != 2 && acc->size != 4 && (acc->size != 8 || acc->is_write))
        return false;
    if (acc->offset >= VUART_MMIO_SIZE || (acc->offset & (acc->size - 1)) != 0)
        return false;
    if (!acc->is_write) {
        acc->value = read_lanes(u, acc->offset, acc->size);
        return true;
    }
    /* A byte or halfword written inside a register: no guest needs it, and
     * splitting DR or ICR side effects by byte lane has no sane meaning. */
    if (acc->offset & REG_ALIGN_MASK)
        return true;
    const uint32_t *stored = reg_write(u, acc->offset, (uint32_t)(acc->value & ((1ull << (8 * acc->size)) - 1)));
    update_irq(u);
    if (u->view_open)
        view_after_write(u, acc->offset, stored);
    return true;
}

bool vuart_rx_push(struct vuart *u, char c)
{
    if (vuart_rx_space(u) == 0)
        return false;
    view_close(u);
    (void)rx_put(u, (uint8_t)c);
    update_irq(u);
    return true;
}

unsigned vuart_rx_space(const struct vuart *u)
{
    unsigned depth = rx_depth(u);

    return u->rx_count >= depth ? 0 : depth - u->rx_count;
}

bool vuart_irq_level(const struct vuart *u)
{
    return u->irq_level;
}

void vuart_attach_view(struct vuart *u, uint32_t *view, void (*gate)(void *ctx, bool open))
{
    volatile uint32_t *w = view;

    for (uint64_t off = 0; off < VUART_MMIO_SIZE; off += 4)
        w[off / 4] = reg_peek(u, off);
    u->view = view;
    u->gate = gate;
    u->view_open = false;
    view_reopen(u);
}
